/*
 * Bank accounts (AISP, §5 and §13): link with an account-information
 * consent at the bank, list, refresh, renew the consent, make primary,
 * unlink, and the internal balance correction. A link asks the bank for
 * a consent (balances of this bban, 180 days, 4 reads a day), then for
 * the account it covers, then for its balance. A consent the customer
 * must approve first (SCA) waits beside the one Drop reads with (none,
 * for a new link: the account is pending_consent) until a refresh finds
 * it given; refused, or unapproved after 15 minutes, it is dropped, and
 * a link it was for goes with it. After its last day a consent reads
 * nothing: refresh and payments are 409 consent_expired until renewed.
 * A refresh sets the balance to what the bank reports minus the payments
 * it has not booked yet, so a refresh never makes money spendable twice.
 * Every balance change writes balance_events.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define BANK_ACCOUNTS_MAX	10	/* linked accounts per user (§5) */
#define CONSENT_READS_PER_DAY	4	/* the consent's days: drop_consent_until */

struct account_state {
	char		id[DROP_ID_LEN];
	char		number[12];
	char		balance[32];
	char		consent[DROP_BANK_ID_MAX];	/* read with */
	char		pending[DROP_BANK_ID_MAX];	/* to approve */
	char		consent_status[24];
	char		sca_url[DROP_BANK_URL_MAX];
	char		resource[DROP_BANK_ID_MAX];
	char		until[16];		/* for a new consent */
	char		valid_until[16];	/* of the one asked for */
	int		over;			/* consent_id past its day */
	char		psu_ip[64];
	char		request_id[DROP_UUID_LEN];
	int		(*then)(struct drop_ctx *);
};

static int	link_check(struct drop_ctx *);
static int	link_start(struct drop_ctx *);
static int	link_free(struct drop_ctx *);
static int	link_done(struct drop_ctx *);
static int	link_stored(struct drop_ctx *);
static int	list_start(struct drop_ctx *);
static int	list_done(struct drop_ctx *);
static int	primary_check(struct drop_ctx *);
static int	primary_start(struct drop_ctx *);
static int	refresh_start(struct drop_ctx *);
static int	refresh_found(struct drop_ctx *);
static int	refresh_sync(struct drop_ctx *);
static int	account_found(struct drop_ctx *, int);
static int	pending_gone(struct drop_ctx *);
static int	pending_dropped(struct drop_ctx *);
static int	renew_start(struct drop_ctx *);
static int	renew_found(struct drop_ctx *);
static int	unlink_start(struct drop_ctx *);
static int	unlink_found(struct drop_ctx *);
static int	unlink_revoke(struct drop_ctx *);
static int	unlink_revoked(struct drop_ctx *);
static int	unlink_done(struct drop_ctx *);
static int	balance_check(struct drop_ctx *);
static int	balance_start(struct drop_ctx *);
static int	one_done(struct drop_ctx *);
static int	own_account_sql(struct drop_ctx *, const char *,
		    int (*)(struct drop_ctx *));
static int	bank_consent(struct drop_ctx *);
static int	consent_done(struct drop_ctx *);
static int	consent_checked(struct drop_ctx *);
static int	bank_accounts(struct drop_ctx *);
static int	accounts_done(struct drop_ctx *);
static int	bank_balance(struct drop_ctx *);
static int	balance_done(struct drop_ctx *);
static int	bank_failed(struct drop_ctx *);
static int	bank_unreachable(struct drop_ctx *);

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
	{ .method = HTTP_METHOD_DELETE, .flags = DROP_AUTH,
	    .start = unlink_start },
	{ .method = 0 }
};

static const struct drop_method consent_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH,
	    .start = renew_start },
	{ .method = 0 }
};

static const struct drop_method refresh_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH,
	    .start = refresh_start },
	{ .method = 0 }
};

static const struct drop_method balance_methods[] = {
	{ .method = HTTP_METHOD_PUT, .flags = DROP_BODY, .ops = DROP_OP_ADMIN,
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
static const struct drop_route consent_route = {
	.name = "bank_account.consent",
	.methods = consent_methods,
	.datalen = sizeof(struct account_state),
};
static const struct drop_route balance_route = {
	.name = "internal.balance",
	.methods = balance_methods,
	.datalen = sizeof(struct account_state),
};

#define ACCOUNT_COLUMNS DROP_ACCOUNT_COLUMNS("")

/* Is the number linked already, by anyone; how many has the caller. */
static const char	sql_free[] =
    "SELECT EXISTS (SELECT 1 FROM bank_accounts WHERE account_number = $2 "
    "AND deleted_at IS NULL) AS taken, (SELECT count(*) FROM bank_accounts "
    "WHERE user_id = $1 AND deleted_at IS NULL) AS n, "
    "drop_consent_until() AS valid_until";

/*
 * An account becomes primary if it is active and the caller has none; a
 * pending one holds only the consent to approve ($12, until $13).
 */
static const char	sql_link[] =
    "WITH ins AS (INSERT INTO bank_accounts (id, user_id, bank_name, "
    "account_number, balance, is_primary, status, consent_id, "
    "consent_status, consent_expires_at, consent_sca_url, resource_id, "
    "consent_pending_id, consent_pending_until, consent_sca_expires_at) "
    "SELECT $1, $2, $3, $4, $5, $6 = 'active' AND NOT EXISTS (SELECT 1 "
    "FROM bank_accounts WHERE user_id = $2 AND is_primary), $6, $7, $8, "
    "$9::date, $10, $11, $12::text, $13::date, CASE WHEN $12 IS NOT NULL THEN "
    "drop_now() + interval '15 minutes' END WHERE (SELECT count(*) FROM "
    "bank_accounts WHERE user_id = $2 AND deleted_at IS NULL) < "
    DROP_STR(BANK_ACCOUNTS_MAX) " RETURNING *), "
    "ev AS (INSERT INTO balance_events (bank_account_id, kind, delta) "
    "SELECT ins.id, 'link', ins.balance FROM ins) "
    "SELECT " ACCOUNT_COLUMNS " FROM ins";

static const char	sql_list[] =
    "SELECT " ACCOUNT_COLUMNS " FROM bank_accounts WHERE user_id = $1 "
    "AND deleted_at IS NULL ORDER BY created_at, id";

/* The caller's account, its consents, and whether a payment is open. */
static const char	sql_find[] =
    "SELECT account_number, consent_id, resource_id, consent_pending_id, "
    "drop_consent_until() AS valid_until, "
    "drop_consent_over(consent_expires_at) AS over, "
    "consent_sca_expires_at <= drop_now() AS sca_over, "
    "EXISTS (SELECT 1 FROM transactions t WHERE t.bank_account_id = b.id "
    "AND t.status IN ('pending_authorisation', 'processing')) AS busy "
    "FROM bank_accounts b WHERE id = $1 AND user_id = $2 "
    "AND deleted_at IS NULL";

/* A new consent the customer must still approve at the bank. */
static const char	sql_await[] =
    "UPDATE bank_accounts SET consent_pending_id = $3, "
    "consent_pending_until = $4::date, consent_sca_url = $5, "
    "consent_sca_expires_at = drop_now() + interval '15 minutes' "
    "WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL "
    "RETURNING " ACCOUNT_COLUMNS;

/*
 * The consent to approve was refused or not given in time: it goes, and
 * so does the link it was for; an active account keeps its consent.
 */
static const char	sql_pending_gone[] =
    "UPDATE bank_accounts SET consent_pending_id = NULL, "
    "consent_pending_until = NULL, consent_sca_url = NULL, "
    "consent_sca_expires_at = NULL, deleted_at = CASE WHEN "
    "status = 'pending_consent' THEN now() END "
    "WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL "
    "RETURNING deleted_at IS NOT NULL AS unlinked";

/*
 * A refresh: the bank's balance less what the bank has not booked of
 * Drop's payments, read with consent $4: the one it had, the approved
 * one that waited (which takes over, with its last day), or a new valid
 * one (last day $6). A pending account becomes active (primary if the
 * caller has none).
 */
#define TAKES_OVER "($4 = b.consent_pending_id OR $6::date IS NOT NULL)"
static const char	sql_refresh[] =
    "WITH old AS (SELECT id, user_id, balance FROM bank_accounts "
    "WHERE id = $1 AND user_id = $2 FOR UPDATE), "
    "upd AS (UPDATE bank_accounts b SET balance = greatest(0, $3::bigint - "
    "drop_unbooked(old.id)), balance_updated_at = now(), status = 'active', "
    "consent_id = $4, consent_status = 'valid', resource_id = $5, "
    "consent_expires_at = CASE WHEN $4 = b.consent_pending_id THEN "
    "b.consent_pending_until ELSE coalesce($6::date, b.consent_expires_at) "
    "END, "
    "consent_pending_id = CASE WHEN " TAKES_OVER " THEN NULL ELSE "
    "b.consent_pending_id END, "
    "consent_pending_until = CASE WHEN " TAKES_OVER " THEN NULL ELSE "
    "b.consent_pending_until END, "
    "consent_sca_url = CASE WHEN " TAKES_OVER " THEN NULL ELSE "
    "b.consent_sca_url END, "
    "consent_sca_expires_at = CASE WHEN " TAKES_OVER " THEN NULL ELSE "
    "b.consent_sca_expires_at END, "
    "is_primary = b.is_primary OR NOT EXISTS "
    "(SELECT 1 FROM bank_accounts p WHERE p.user_id = old.user_id AND "
    "p.is_primary AND p.id <> old.id) FROM old WHERE b.id = old.id "
    "RETURNING b.*), "
    "ev AS (INSERT INTO balance_events (bank_account_id, kind, delta) "
    "SELECT upd.id, 'sync', upd.balance - old.balance FROM upd, old) "
    "SELECT " ACCOUNT_COLUMNS " FROM upd";

/* The operator's correction: the balance as Drop holds it, audited. */
static const char	sql_correct[] =
    "WITH old AS (SELECT id, balance FROM bank_accounts WHERE id = $1 "
    "FOR UPDATE), "
    "upd AS (UPDATE bank_accounts b SET balance = $2, "
    "balance_updated_at = now() FROM old WHERE b.id = old.id RETURNING b.*), "
    "ev AS (INSERT INTO balance_events (bank_account_id, kind, delta) "
    "SELECT old.id, 'sync', $2::bigint - old.balance FROM old), "
    "aud AS (INSERT INTO audit_log (actor, action, entity, entity_id, before, "
    "after, request_id) SELECT $4, 'bank_account.balance', "
    "'bank_account', old.id, jsonb_build_object('balance', old.balance), "
    "jsonb_build_object('balance', $2::bigint), $3::text FROM old) "
    "SELECT " ACCOUNT_COLUMNS " FROM upd";

static const char	sql_primary[] =
    "SELECT " ACCOUNT_COLUMNS " FROM drop_set_primary($2, $1)";

static const char	sql_list_one[] =
    "SELECT " ACCOUNT_COLUMNS " FROM bank_accounts WHERE id = $1 AND "
    "user_id = $2 AND deleted_at IS NULL";

static const char	sql_unlink[] =
    "SELECT drop_unlink($2, $1) AS outcome";

DROP_ROUTE(api_bank_accounts, accounts_route);
DROP_ROUTE(api_bank_account, account_route);
DROP_ROUTE(api_bank_account_refresh, refresh_route);
DROP_ROUTE(api_bank_account_consent, consent_route);
DROP_ROUTE(internal_bank_account_balance, balance_route);

/* The bank was not reached or did not answer: nothing changed. */
static int
bank_unreachable(struct drop_ctx *ctx)
{
	return (drop_error(ctx, 503, "unavailable",
	    "The bank could not be reached; try again later"));
}

/* The bank was not reached or did not answer: try again later. */
static int
bank_failed(struct drop_ctx *ctx)
{
	const struct drop_bank_answer	*ans;

	ans = ctx->bank != NULL ? drop_bank_answer(ctx->bank) : NULL;
	if (ctx->bank == NULL || !drop_bank_answered(ctx->bank) ||
	    ans->http >= 500 || ans->http == 429)
		return (bank_unreachable(ctx));
	if (ans->http == 401)
		return (drop_error(ctx, 409, "consent_expired",
		    DROP_MSG_CONSENT_EXPIRED));
	/* A request the bank finds malformed is Drop's defect, not the user's. */
	if (ans->http == 400 || ans->http == 405 || ans->http == 406 ||
	    ans->http == 415)
		return (drop_fail_internal(ctx, "the bank refused the request"));
	kore_log(LOG_NOTICE, "[%s] bank refused: %s", ctx->reqid, ans->error);
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
	const char		*params[2];

	params[0] = ctx->sess.user_id;
	params[1] = st->number;

	return (drop_sql(ctx, sql_free, 2, params, link_free));
}

/* Not linked by anyone, room for one more: ask the bank. */
static int
link_free(struct drop_ctx *ctx)
{
	struct account_state	*st = ctx->data;

	if (drop_col_bool(ctx, 0, "taken"))
		return (drop_error(ctx, 409, "conflict",
		    "This account is already linked"));
	if (drop_col_int(ctx, 0, "n") >= BANK_ACCOUNTS_MAX)
		return (drop_error(ctx, 409, "conflict",
		    "At most " DROP_STR(BANK_ACCOUNTS_MAX) " bank accounts "
		    "can be linked"));
	(void)kore_strlcpy(st->until, drop_col(ctx, 0, "valid_until"),
	    sizeof(st->until));
	st->then = link_done;

	return (bank_consent(ctx));
}

/* POST /v1/consents: balances of this account, 180 days, 4 reads a day. */
static int
bank_consent(struct drop_ctx *ctx)
{
	struct account_state		*st = ctx->data;
	struct drop_bank_call_args	 a;
	struct drop_bank_request	 req;
	char				 back[sizeof(drop_cfg.public_url) + 4];

	drop_psu_ip(ctx, st->psu_ip, sizeof(st->psu_ip));
	drop_bank_args(&a, st->request_id, st->psu_ip);
	/* After approving (or not) at the bank, back to the accounts. */
	(void)snprintf(back, sizeof(back), "%s/#/", drop_cfg.public_url);
	a.redirect_ok = back;
	a.redirect_nok = back;
	(void)kore_strlcpy(st->valid_until, st->until,
	    sizeof(st->valid_until));
	if (drop_psd2_consent(&a, st->number, st->valid_until,
	    CONSENT_READS_PER_DAY, 0, &req) != 0)
		return (drop_fail_internal(ctx, "consent request"));

	return (drop_bank_step(ctx, &req, st->number, consent_done));
}

/* A valid consent reads on; one the customer must approve is pending. */
static int
consent_done(struct drop_ctx *ctx)
{
	struct account_state		*st = ctx->data;
	const struct drop_bank_answer	*ans;

	if (ctx->bank == NULL || !(ans = drop_bank_answer(ctx->bank))->ok)
		return (bank_failed(ctx));
	(void)kore_strlcpy(st->consent, ans->id, sizeof(st->consent));
	(void)kore_strlcpy(st->consent_status, ans->status,
	    sizeof(st->consent_status));
	(void)kore_strlcpy(st->sca_url, ans->sca_url, sizeof(st->sca_url));
	if (!strcmp(ans->status, "valid"))
		return (bank_accounts(ctx));
	if (!strcmp(ans->status, "received") && st->sca_url[0] != '\0')
		return (st->then(ctx));
	return (drop_error(ctx, 409, "conflict",
	    "The bank did not give access to this account"));
}

/* GET /v1/accounts with the consent: the bank's id of our account. */
static int
bank_accounts(struct drop_ctx *ctx)
{
	struct account_state		*st = ctx->data;
	struct drop_bank_call_args	 a;
	struct drop_bank_request	 req;

	drop_bank_args(&a, st->request_id, NULL);
	a.consent_id = st->consent;
	if (drop_psd2_accounts(&a, &req) != 0)
		return (drop_fail_internal(ctx, "accounts request"));

	return (drop_bank_step(ctx, &req, st->number, accounts_done));
}

static int
accounts_done(struct drop_ctx *ctx)
{
	struct account_state		*st = ctx->data;
	const struct drop_bank_answer	*ans;

	if (ctx->bank == NULL || !(ans = drop_bank_answer(ctx->bank))->ok)
		return (bank_failed(ctx));
	(void)kore_strlcpy(st->resource, ans->resource_id,
	    sizeof(st->resource));

	return (bank_balance(ctx));
}

/* GET /v1/accounts/{id}/balances with the consent. */
static int
bank_balance(struct drop_ctx *ctx)
{
	struct account_state		*st = ctx->data;
	struct drop_bank_call_args	 a;
	struct drop_bank_request	 req;

	drop_bank_args(&a, st->request_id, NULL);
	a.consent_id = st->consent;
	if (drop_psd2_balances(&a, st->resource, &req) != 0)
		return (drop_fail_internal(ctx, "balances request"));

	return (drop_bank_step(ctx, &req, st->number, balance_done));
}

static int
balance_done(struct drop_ctx *ctx)
{
	struct account_state		*st = ctx->data;
	const struct drop_bank_answer	*ans;

	if (ctx->bank == NULL || !(ans = drop_bank_answer(ctx->bank))->ok)
		return (bank_failed(ctx));
	(void)snprintf(st->balance, sizeof(st->balance), "%lld",
	    (long long)(ans->balance > 0 ? ans->balance : 0));
	(void)kore_strlcpy(st->consent_status, "valid",
	    sizeof(st->consent_status));

	return (st->then(ctx));
}

/* The consent is in (valid, with the balance; or pending approval). */
static int
link_done(struct drop_ctx *ctx)
{
	struct account_state	*st = ctx->data;
	const char		*params[13];
	int			 pending;

	pending = strcmp(st->consent_status, "valid") != 0;
	if (drop_id_new("ba_", st->id, sizeof(st->id)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	params[0] = st->id;
	params[1] = ctx->sess.user_id;
	params[2] = drop_text(ctx, "bankName");
	params[3] = st->number;
	params[4] = pending ? "0" : st->balance;
	params[5] = pending ? "pending_consent" : "active";
	params[6] = pending ? NULL : st->consent;
	params[7] = pending ? NULL : st->consent_status;
	params[8] = pending ? NULL : st->valid_until;
	params[9] = pending ? st->sca_url : NULL;
	params[10] = pending ? NULL : st->resource;
	params[11] = pending ? st->consent : NULL;
	params[12] = pending ? st->valid_until : NULL;

	return (drop_sql_own(ctx, sql_link, 13, params, link_stored));
}

static int
link_stored(struct drop_ctx *ctx)
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

/* sql_find's row into the state; 0 when the account is not the caller's. */
static int
account_found(struct drop_ctx *ctx, int row)
{
	struct account_state	*st = ctx->data;
	const char		*number, *consent, *pending, *resource;

	if (drop_rows(ctx) != 1 ||
	    (number = drop_col(ctx, row, "account_number")) == NULL)
		return (0);
	consent = drop_col(ctx, row, "consent_id");
	pending = drop_col(ctx, row, "consent_pending_id");
	resource = drop_col(ctx, row, "resource_id");
	(void)kore_strlcpy(st->number, number, sizeof(st->number));
	(void)kore_strlcpy(st->consent, consent != NULL ? consent : "",
	    sizeof(st->consent));
	(void)kore_strlcpy(st->pending, pending != NULL ? pending : "",
	    sizeof(st->pending));
	(void)kore_strlcpy(st->resource, resource != NULL ? resource : "",
	    sizeof(st->resource));
	(void)kore_strlcpy(st->until, drop_col(ctx, row, "valid_until"),
	    sizeof(st->until));
	st->over = drop_col_bool(ctx, row, "over");

	return (1);
}

/*
 * A consent awaiting approval is asked for its status (unless its page
 * has run out); an expired consent reads nothing; an account without
 * one (linked before consents) asks for one; the others read their
 * balance with theirs.
 */
static int
refresh_found(struct drop_ctx *ctx)
{
	struct account_state		*st = ctx->data;
	struct drop_bank_call_args	 a;
	struct drop_bank_request	 req;

	if (!account_found(ctx, 0))
		return (drop_error(ctx, 404, "not_found",
		    "Bank account not found"));
	st->then = refresh_sync;
	if (st->pending[0] != '\0') {
		if (drop_col_bool(ctx, 0, "sca_over"))
			return (pending_gone(ctx));
		drop_bank_args(&a, st->request_id, NULL);
		if (drop_psd2_consent_status(&a, st->pending, &req) != 0)
			return (drop_fail_internal(ctx, "consent status"));
		return (drop_bank_step(ctx, &req, st->number, consent_checked));
	}
	if (st->over)
		return (drop_error(ctx, 409, "consent_expired",
		    DROP_MSG_CONSENT_EXPIRED));
	if (st->consent[0] == '\0')
		return (bank_consent(ctx));
	return (st->resource[0] != '\0' ? bank_balance(ctx) :
	    bank_accounts(ctx));
}

/* The customer approved at the bank (or not yet, or said no). */
static int
consent_checked(struct drop_ctx *ctx)
{
	struct account_state		*st = ctx->data;
	const struct drop_bank_answer	*ans;

	if (ctx->bank == NULL || !(ans = drop_bank_answer(ctx->bank))->ok)
		return (bank_failed(ctx));
	if (!strcmp(ans->status, "valid")) {
		/* The approved consent takes over; it may cover a new id. */
		(void)kore_strlcpy(st->consent, st->pending,
		    sizeof(st->consent));
		return (bank_accounts(ctx));
	}
	if (strcmp(ans->status, "received") && strcmp(ans->status,
	    "partiallyAuthorised"))
		return (pending_gone(ctx));
	/* Not yet: the consent it has still reads, if it has one. */
	if (st->consent[0] != '\0' && !st->over && st->resource[0] != '\0')
		return (bank_balance(ctx));

	return (own_account_sql(ctx, sql_list_one, one_done));
}

/* The consent to approve is gone (refused, or its page ran out). */
static int
pending_gone(struct drop_ctx *ctx)
{
	return (own_account_sql(ctx, sql_pending_gone, pending_dropped));
}

static int
pending_dropped(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found",
		    "Bank account not found"));
	if (drop_col_bool(ctx, 0, "unlinked"))
		return (drop_error(ctx, 409, "conflict",
		    "The bank did not give access to this account; link it "
		    "again to retry"));

	return (drop_error(ctx, 409, "conflict",
	    "The bank did not renew access to this account; renew it again"));
}

/* POST .../consent: a new consent for the account, approved or to approve. */
static int
renew_start(struct drop_ctx *ctx)
{
	return (own_account_sql(ctx, sql_find, renew_found));
}

static int
renew_found(struct drop_ctx *ctx)
{
	struct account_state	*st = ctx->data;

	if (!account_found(ctx, 0))
		return (drop_error(ctx, 404, "not_found",
		    "Bank account not found"));
	st->then = refresh_sync;

	return (bank_consent(ctx));
}

/* DELETE: no payment open from it; its consents revoked at the bank. */
static int
unlink_start(struct drop_ctx *ctx)
{
	return (own_account_sql(ctx, sql_find, unlink_found));
}

static int
unlink_found(struct drop_ctx *ctx)
{
	if (!account_found(ctx, 0))
		return (drop_error(ctx, 404, "not_found",
		    "Bank account not found"));
	if (drop_col_bool(ctx, 0, "busy"))
		return (drop_error(ctx, 409, "conflict",
		    "A payment from this account is still open"));

	return (unlink_revoke(ctx));
}

/* DELETE /v1/consents/{id}: the one it reads with, then the one waiting. */
static int
unlink_revoke(struct drop_ctx *ctx)
{
	struct account_state		*st = ctx->data;
	struct drop_bank_call_args	 a;
	struct drop_bank_request	 req;
	char				 id[DROP_BANK_ID_MAX];

	if (st->consent[0] != '\0') {
		(void)kore_strlcpy(id, st->consent, sizeof(id));
		st->consent[0] = '\0';
	} else if (st->pending[0] != '\0') {
		(void)kore_strlcpy(id, st->pending, sizeof(id));
		st->pending[0] = '\0';
	} else
		return (own_account_sql(ctx, sql_unlink, unlink_done));
	drop_bank_args(&a, st->request_id, NULL);
	if (drop_psd2_consent_delete(&a, id, &req) != 0)
		return (drop_fail_internal(ctx, "consent delete"));

	return (drop_bank_step(ctx, &req, st->number, unlink_revoked));
}

/* Revoked, or already unknown to the bank: both leave nothing to revoke. */
static int
unlink_revoked(struct drop_ctx *ctx)
{
	const struct drop_bank_answer	*ans;

	if (ctx->bank != NULL && drop_bank_answered(ctx->bank)) {
		ans = drop_bank_answer(ctx->bank);
		if (ans->ok || ans->http == 401 || ans->http == 403 ||
		    ans->http == 404)
			return (unlink_revoke(ctx));
	}

	return (bank_unreachable(ctx));
}

static int
unlink_done(struct drop_ctx *ctx)
{
	const char	*outcome;

	outcome = drop_col(ctx, 0, "outcome");
	if (outcome != NULL && !strcmp(outcome, "ok"))
		return (drop_reply_obj(ctx, 204, NULL));
	if (outcome != NULL && !strcmp(outcome, "busy"))
		return (drop_error(ctx, 409, "conflict",
		    "A payment from this account is still open"));

	return (drop_error(ctx, 404, "not_found", "Bank account not found"));
}

/* The bank's balance, less what it has not booked of Drop's payments. */
static int
refresh_sync(struct drop_ctx *ctx)
{
	struct account_state	*st = ctx->data;
	const char		*params[6];

	params[0] = st->id;
	params[1] = ctx->sess.user_id;
	if (strcmp(st->consent_status, "valid")) {
		params[2] = st->consent;
		params[3] = st->valid_until;
		params[4] = st->sca_url;
		return (drop_sql(ctx, sql_await, 5, params, one_done));
	}
	params[2] = st->balance;
	params[3] = st->consent;
	params[4] = st->resource;
	params[5] = st->valid_until[0] != '\0' ? st->valid_until : NULL;

	return (drop_sql(ctx, sql_refresh, 6, params, one_done));
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
	params[1] = st->balance;
	params[2] = ctx->reqid;
	params[3] = ctx->sess.operator_id;

	return (drop_sql(ctx, sql_correct, 4, params, one_done));
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
