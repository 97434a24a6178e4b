/*
 * Bank accounts (AISP, contract §5): link, list, refresh, make primary, and
 * the internal balance sync. Every balance change writes balance_events.
 */

#include <stdlib.h>
#include <string.h>

#include "api.h"

#define BANK_ACCOUNTS_MAX	10	/* linked accounts per user (§5) */

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
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH, .start = list_start },
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_BODY,
	    .fields = link_fields, .check = link_check, .start = link_start },
	{ .method = 0 }
};

static const struct drop_method account_methods[] = {
	{ .method = HTTP_METHOD_PATCH, .flags = DROP_AUTH | DROP_BODY,
	    .fields = primary_fields, .check = primary_check,
	    .start = primary_start },
	{ .method = 0 }
};

static const struct drop_method refresh_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH,
	    .start = refresh_start },
	{ .method = 0 }
};

static const struct drop_method balance_methods[] = {
	{ .method = HTTP_METHOD_PUT, .flags = DROP_ADMIN | DROP_BODY,
	    .fields = balance_fields, .check = balance_check,
	    .start = balance_start },
	{ .method = 0 }
};

static const struct drop_route accounts_route = {
	.name = "bank_accounts",
	.methods = accounts_methods,
	.datalen = sizeof(struct account_state),
};
static const struct drop_route account_route = {
	.name = "bank_account",
	.methods = account_methods,
	.datalen = sizeof(struct account_state),
};
static const struct drop_route refresh_route = {
	.name = "bank_account.refresh",
	.methods = refresh_methods,
	.datalen = sizeof(struct account_state),
};
static const struct drop_route balance_route = {
	.name = "internal.balance",
	.methods = balance_methods,
	.datalen = sizeof(struct account_state),
};

#define ACCOUNT_COLUMNS \
    "id AS ba_id, bank_name, account_number, balance, currency, is_primary, " \
    "iso(balance_updated_at) AS ba_updated"

static const char	sql_link[] =
    "WITH ins AS (INSERT INTO bank_accounts (id, user_id, bank_name, "
    "account_number, balance, is_primary) SELECT $1, $2, $3, $4, $5, "
    "NOT EXISTS (SELECT 1 FROM bank_accounts WHERE user_id = $2) "
    "WHERE (SELECT count(*) FROM bank_accounts WHERE user_id = $2) < "
    DROP_STR(BANK_ACCOUNTS_MAX) " "
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

DROP_ROUTE(api_bank_accounts, accounts_route);
DROP_ROUTE(api_bank_account, account_route);
DROP_ROUTE(api_bank_account_refresh, refresh_route);
DROP_ROUTE(internal_bank_account_balance, balance_route);
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

	/* Its 11 digits; kore.conf's v_account_no refused a bad number. */
	number = drop_text(ctx, "accountNumber");
	if (number != NULL)
		(void)drop_mod11_valid(number, st->number, sizeof(st->number));

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
		    "At most " DROP_STR(BANK_ACCOUNTS_MAX) " bank accounts "
		    "can be linked"));

	return (drop_reply(ctx, 201, drop_account_json(ctx, 0)));
}

static int
list_start(struct drop_ctx *ctx)
{
	return (drop_user_query(ctx, sql_list, list_done));
}

/* At most ten: linking refuses an eleventh. */
static int
list_done(struct drop_ctx *ctx)
{
	return (drop_reply_rows(ctx, NULL, drop_account_json,
	    BANK_ACCOUNTS_MAX));
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

	return (drop_reply(ctx, 200, drop_account_json(ctx, 0)));
}
