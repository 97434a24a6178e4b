/*
 * Bank accounts (AISP, contract §5): link, list, refresh, make primary, and
 * the internal balance sync. Every balance change writes balance_events.
 */

#include <stdlib.h>
#include <string.h>

#include "drop.h"

int	api_bank_accounts(struct http_request *);
int	api_bank_account(struct http_request *);
int	api_bank_account_refresh(struct http_request *);
int	internal_bank_account_balance(struct http_request *);

struct account_state {
	char		id[DROP_ID_LEN];
	char		number[12];
	char		balance[32];
};

static int	link_check(struct drop_ctx *);
static int	link_start(struct drop_ctx *);
static int	link_done(struct drop_ctx *);
static int	list_start(struct drop_ctx *);
static int	list_done(struct drop_ctx *);
static int	primary_check(struct drop_ctx *);
static int	primary_start(struct drop_ctx *);
static int	refresh_start(struct drop_ctx *);
static int	refresh_found(struct drop_ctx *);
static int	balance_check(struct drop_ctx *);
static int	balance_start(struct drop_ctx *);
static int	one_done(struct drop_ctx *);
static int	bank_failed(struct drop_ctx *, int);
static int	own_account_sql(struct drop_ctx *, const char *,
		    int (*)(struct drop_ctx *));

static const struct drop_field link_fields[] = {
	{ "bankName",		DROP_T_STRING,	1 },
	{ "accountNumber",	DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_field primary_fields[] = {
	{ "isPrimary",		DROP_T_BOOL,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_field balance_fields[] = {
	{ "balance",		DROP_T_NUMBER,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method accounts_methods[] = {
	{ HTTP_METHOD_GET, DROP_AUTH, NULL, NULL, list_start },
	{ HTTP_METHOD_POST, DROP_AUTH | DROP_BODY, link_fields, link_check,
	    link_start },
	{ 0, 0, NULL, NULL, NULL }
};

static const struct drop_method account_methods[] = {
	{ HTTP_METHOD_PATCH, DROP_AUTH | DROP_BODY, primary_fields,
	    primary_check, primary_start },
	{ 0, 0, NULL, NULL, NULL }
};

static const struct drop_method refresh_methods[] = {
	{ HTTP_METHOD_POST, DROP_AUTH, NULL, NULL, refresh_start },
	{ 0, 0, NULL, NULL, NULL }
};

static const struct drop_method balance_methods[] = {
	{ HTTP_METHOD_PUT, DROP_ADMIN | DROP_BODY, balance_fields,
	    balance_check, balance_start },
	{ 0, 0, NULL, NULL, NULL }
};

static const struct drop_route accounts_route = {
	"bank_accounts", accounts_methods, sizeof(struct account_state), NULL
};
static const struct drop_route account_route = {
	"bank_account", account_methods, sizeof(struct account_state), NULL
};
static const struct drop_route refresh_route = {
	"bank_account.refresh", refresh_methods, sizeof(struct account_state),
	NULL
};
static const struct drop_route balance_route = {
	"internal.balance", balance_methods, sizeof(struct account_state), NULL
};

#define ACCOUNT_COLUMNS \
    "id AS ba_id, bank_name, account_number, balance, currency, is_primary, " \
    "iso(balance_updated_at) AS ba_updated"

static const char	sql_link[] =
    "WITH ins AS (INSERT INTO bank_accounts (id, user_id, bank_name, "
    "account_number, balance, is_primary) SELECT $1, $2, $3, $4, $5, "
    "NOT EXISTS (SELECT 1 FROM bank_accounts WHERE user_id = $2) "
    "WHERE (SELECT count(*) FROM bank_accounts WHERE user_id = $2) < 10 "
    "RETURNING *), "
    "ev AS (INSERT INTO balance_events (bank_account_id, kind, delta) "
    "SELECT ins.id, 'link', ins.balance FROM ins) "
    "SELECT " ACCOUNT_COLUMNS " FROM ins";

static const char	sql_list[] =
    "SELECT " ACCOUNT_COLUMNS " FROM bank_accounts WHERE user_id = $1 "
    "ORDER BY created_at, id";

static const char	sql_find[] =
    "SELECT account_number FROM bank_accounts WHERE id = $1 AND user_id = $2";

static const char	sql_sync[] =
    "WITH old AS (SELECT id, balance FROM bank_accounts WHERE id = $1 "
    "AND ($2::text IS NULL OR user_id = $2) FOR UPDATE), "
    "upd AS (UPDATE bank_accounts b SET balance = $3, "
    "balance_updated_at = now() FROM old WHERE b.id = old.id RETURNING b.*), "
    "ev AS (INSERT INTO balance_events (bank_account_id, kind, delta) "
    "SELECT old.id, 'sync', $3::bigint - old.balance FROM old), "
    "aud AS (INSERT INTO audit_log (actor, action, entity, entity_id, before, "
    "after, request_id) SELECT 'admin', 'bank_account.balance', "
    "'bank_account', old.id, jsonb_build_object('balance', old.balance), "
    "jsonb_build_object('balance', $3::bigint), $4::text FROM old "
    "WHERE $4::text IS NOT NULL) "
    "SELECT " ACCOUNT_COLUMNS " FROM upd";

static const char	sql_primary[] =
    "SELECT " ACCOUNT_COLUMNS " FROM drop_set_primary($2, $1)";

int
api_bank_accounts(struct http_request *req)
{
	return (drop_serve(req, &accounts_route));
}

int
api_bank_account(struct http_request *req)
{
	return (drop_serve(req, &account_route));
}

int
api_bank_account_refresh(struct http_request *req)
{
	return (drop_serve(req, &refresh_route));
}

int
internal_bank_account_balance(struct http_request *req)
{
	return (drop_serve(req, &balance_route));
}

/* One account row as the contract names it (users.c shares it). */
const struct drop_colmap drop_account_map[] = {
	{ "id",			"ba_id",		DROP_COL_TEXT },
	{ "bankName",		"bank_name",		DROP_COL_TEXT },
	{ "accountNumber",	"account_number",	DROP_COL_TEXT },
	{ "balance",		"balance",		DROP_COL_MONEY },
	{ "currency",		"currency",		DROP_COL_TEXT },
	{ "isPrimary",		"is_primary",		DROP_COL_BOOL },
	{ "balanceUpdatedAt",	"ba_updated",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static json_t *
account_json(struct drop_ctx *ctx, int row)
{
	return (drop_row_json(ctx, row, drop_account_map, NULL));
}

static int
bank_failed(struct drop_ctx *ctx, int rc)
{
	if (rc == DROP_BANK_UNAVAILABLE)
		return (drop_error(ctx, 503, "unavailable",
		    "The bank could not be reached; try again later"));
	drop_detail(ctx, "accountNumber", "the bank does not know this account");
	return (drop_fail_details(ctx, 422, "Validation failed"));
}

static int
link_check(struct drop_ctx *ctx)
{
	struct account_state	*st = ctx->data;
	const char		*number;

	number = drop_text(ctx, "accountNumber");
	if (number != NULL && !drop_mod11_valid(number, st->number,
	    sizeof(st->number)))
		drop_detail(ctx, "accountNumber",
		    "must be a Norwegian account number (dddd.dd.ddddd or 11 "
		    "digits) with a valid check digit");

	return (0);
}

static int
link_start(struct drop_ctx *ctx)
{
	struct account_state	*st = ctx->data;
	const char		*params[5];
	int64_t			 balance;
	int			 rc;

	rc = drop_bank->link(drop_text(ctx, "bankName"), st->number, &balance);
	if (rc != DROP_BANK_OK)
		return (bank_failed(ctx, rc));
	if (drop_id_new("ba_", st->id, sizeof(st->id)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	(void)snprintf(st->balance, sizeof(st->balance), "%lld",
	    (long long)balance);
	params[0] = st->id;
	params[1] = ctx->sess.user_id;
	params[2] = drop_text(ctx, "bankName");
	params[3] = st->number;
	params[4] = st->balance;

	return (drop_sql_own(ctx, sql_link, 5, params, link_done));
}

static int
link_done(struct drop_ctx *ctx)
{
	if (ctx->db_failed && !strcmp(ctx->sqlstate, "23505"))
		return (drop_error(ctx, 409, "conflict",
		    "This account is already linked"));
	if (ctx->db_failed)
		return (drop_sql_failed(ctx));
	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 409, "conflict",
		    "At most 10 bank accounts can be linked"));

	return (drop_reply(ctx, 201, account_json(ctx, 0)));
}

static int
list_start(struct drop_ctx *ctx)
{
	return (drop_user_query(ctx, sql_list, list_done));
}

static int
list_done(struct drop_ctx *ctx)
{
	json_t		*list;
	int		 row;

	list = json_array();
	for (row = 0; row < drop_rows(ctx); row++)
		json_array_append_new(list, account_json(ctx, row));

	return (drop_reply(ctx, 200, list));
}

static int
primary_check(struct drop_ctx *ctx)
{
	json_t		*v;

	v = drop_field(ctx, "isPrimary");
	if (v != NULL && !json_is_true(v))
		drop_detail(ctx, "isPrimary", "only true is accepted");

	return (0);
}

/* Runs sql with ($1 account id from the path, $2 the caller). */
static int
own_account_sql(struct drop_ctx *ctx, const char *sql,
    int (*next)(struct drop_ctx *))
{
	struct account_state	*st = ctx->data;
	const char		*params[2];

	if (!drop_path_id(ctx, 2, "ba_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found",
		    "Bank account not found"));
	params[0] = st->id;
	params[1] = ctx->sess.user_id;

	return (drop_sql(ctx, sql, 2, params, next));
}

static int
primary_start(struct drop_ctx *ctx)
{
	return (own_account_sql(ctx, sql_primary, one_done));
}

static int
refresh_start(struct drop_ctx *ctx)
{
	return (own_account_sql(ctx, sql_find, refresh_found));
}

static int
refresh_found(struct drop_ctx *ctx)
{
	struct account_state	*st = ctx->data;
	const char		*params[4], *number;
	int64_t			 balance;
	int			 rc;

	if ((number = drop_col(ctx, 0, "account_number")) == NULL)
		return (drop_error(ctx, 404, "not_found",
		    "Bank account not found"));
	if ((rc = drop_bank->read_balance(number, &balance)) != DROP_BANK_OK)
		return (bank_failed(ctx, rc));
	(void)snprintf(st->balance, sizeof(st->balance), "%lld",
	    (long long)balance);
	params[0] = st->id;
	params[1] = ctx->sess.user_id;
	params[2] = st->balance;
	params[3] = NULL;

	return (drop_sql(ctx, sql_sync, 4, params, one_done));
}

static int
balance_check(struct drop_ctx *ctx)
{
	struct account_state	*st = ctx->data;
	int64_t			 ore;

	if (drop_money_field(ctx, "balance", 0, 100000000000LL, &ore) == 0)
		(void)snprintf(st->balance, sizeof(st->balance), "%lld",
		    (long long)ore);

	return (0);
}

static int
balance_start(struct drop_ctx *ctx)
{
	struct account_state	*st = ctx->data;
	const char		*params[4];

	if (!drop_path_id(ctx, 2, "ba_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found",
		    "Bank account not found"));
	params[0] = st->id;
	params[1] = NULL;
	params[2] = st->balance;
	params[3] = ctx->reqid;

	return (drop_sql(ctx, sql_sync, 4, params, one_done));
}

/* The one account a statement returned, or 404. */
static int
one_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found",
		    "Bank account not found"));

	return (drop_reply(ctx, 200, account_json(ctx, 0)));
}
