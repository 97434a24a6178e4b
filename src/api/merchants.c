/*
 * Merchants (§9): registration (role upgrade and a fresh session in one
 * transaction), and for merchants the dashboard from the daily aggregates,
 * the QR value and the link its image encodes (the web client's pay page,
 * which a phone camera opens), the QR payments received (with what refunds
 * took of them), and the payouts made (sql/functions/010_payouts.sql).
 */

#include <string.h>

#include "drop.h"

#define MERCHANT_QR_PREFIX	"drop://pay/"
#define MERCHANT_PAY_PATH	"/#/pay/"	/* the web client's pay page */
#define MERCHANT_URL_MAX	(sizeof(drop_cfg.public_url) + 64)

struct merchant_state {
	char		 merchant_id[DROP_ID_LEN];
	char		 session_id[DROP_ID_LEN];
	char		 account[16];
	char		 address[1201];
	const char	*period;
};

static int	register_check(struct drop_ctx *);
static int	register_start(struct drop_ctx *);
static int	register_done(struct drop_ctx *);
static int	dashboard_check(struct drop_ctx *);
static int	dashboard_start(struct drop_ctx *);
static int	dashboard_done(struct drop_ctx *);
static int	qr_start(struct drop_ctx *);
static int	qr_done(struct drop_ctx *);
static int	qr_svg_done(struct drop_ctx *);
static json_t	*tx_json(struct drop_ctx *, int);

static const struct drop_colmap payout_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "amount",		"amount",		DROP_COL_MONEY },
	{ "fees",		"fees",			DROP_COL_MONEY },
	{ "refunds",		"refunds",		DROP_COL_MONEY },
	{ "paymentCount",	"payment_count",	DROP_COL_INT },
	{ "status",		"status",		DROP_COL_TEXT },
	{ "scheduledFor",	"scheduled",		DROP_COL_TEXT },
	{ "paidAt",		"paid",			DROP_COL_TEXT },
	{ "bankReference",	"bank_payment_id",	DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_field register_fields[] = {
	{ "businessName",	DROP_T_STRING,	1 },
	{ "orgNumber",		DROP_T_STRING,	1 },
	{ "address",		DROP_T_STRING,	0 },
	{ "bankAccount",	DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method register_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_BODY,
	    .fields = register_fields, .check = register_check,
	    .start = register_start },
	{ .method = 0 }
};
static const char *const dashboard_query[] = { "period", NULL };

static const struct drop_method dashboard_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH | DROP_MERCHANT,
	    .check = dashboard_check, .start = dashboard_start,
	    .query = dashboard_query, .scope = DROP_SCOPE_PAYMENTS_READ },
	{ .method = 0 }
};
static const struct drop_method qr_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH | DROP_MERCHANT,
	    .start = qr_start },
	{ .method = 0 }
};

/*
 * A page of payments received: only its rows are read (index on merchant,
 * created_at, id); the total comes from the daily aggregates.
 */
static const struct drop_list tx_list = {
	.def_limit = 20,
	.max_limit = 50,
	.sql = DROP_PAGE_SQL("m AS (SELECT id FROM merchants WHERE "
	    "user_id = $1), page AS (SELECT t.id, t.user_id, t.amount, t.fee, "
	    "t.refund_held, t.created_at FROM transactions t, m WHERE t.merchant_id = m.id "
	    "AND t.status = 'completed' AND " DROP_PAGE_AFTER("t.") ")",
	    "SELECT coalesce(sum(s.n), 0) FROM merchant_stats s, m "
	    "WHERE s.merchant_id = m.id",
	    "u.first_name, u.last_name, iso(p.created_at) AS created,",
	    "LEFT JOIN users u ON u.id = p.user_id "),
	.row_json = tx_json
};

static const struct drop_method tx_methods[] = {
	DROP_LIST_GET_KEY(DROP_AUTH | DROP_MERCHANT, NULL, tx_list,
	    DROP_SCOPE_PAYMENTS_READ),
	{ .method = 0 }
};

/* The merchant's payouts, newest first (about one a business day). */
static const struct drop_list payout_list = {
	.def_limit = 20,
	.max_limit = 50,
	.sql = DROP_PAGE_SQL("m AS (SELECT id FROM merchants WHERE "
	    "user_id = $1), page AS (SELECT o.id, o.amount, o.fees, "
	    "o.refunds, o.payment_count, o.status, o.scheduled_for, o.paid_at, "
	    "o.bank_payment_id, o.created_at FROM payouts o, m WHERE "
	    "o.merchant_id = m.id AND " DROP_PAGE_AFTER("o.") ")",
	    "SELECT count(*) FROM payouts o, m WHERE o.merchant_id = m.id",
	    "p.scheduled_for::text AS scheduled, iso(p.paid_at) AS paid,", ""),
	.map = payout_map
};

static const struct drop_method payout_methods[] = {
	DROP_LIST_GET_KEY(DROP_AUTH | DROP_MERCHANT, NULL, payout_list,
	    DROP_SCOPE_PAYMENTS_READ),
	{ .method = 0 }
};

static const struct drop_route register_route = {
	.name = "merchants.register",
	.methods = register_methods,
	.datalen = sizeof(struct merchant_state),
};
static const struct drop_route dashboard_route = {
	.name = "merchants.dashboard",
	.methods = dashboard_methods,
	.datalen = sizeof(struct merchant_state),
};
static const struct drop_route qr_route = {
	.name = "merchants.qr",
	.methods = qr_methods,
	.datalen = sizeof(struct merchant_state),
};
static const struct drop_route qr_svg_route = {
	.name = "merchants.qr.svg",
	.methods = qr_methods,
	.datalen = sizeof(struct merchant_state),
};
static const struct drop_route tx_route = {
	.name = "merchants.transactions",
	.methods = tx_methods,
	.datalen = sizeof(struct merchant_state),
};
static const struct drop_route payout_route = {
	.name = "merchants.payouts",
	.methods = payout_methods,
	.datalen = sizeof(struct merchant_state),
};

static const char	sql_register[] =
    "SELECT code, merchant_id, created FROM drop_merchant_register($1, $2, "
    "$3, $4, $5, $6, $7, $8, $9, $10)";

static const char	sql_dashboard[] =
    "SELECT d.revenue, d.n, d.fees, d.refunds, d.payout_day::text AS "
    "payout_day, "
    "d.payout FROM merchants m, drop_merchant_dashboard(m.id, $2, "
    "drop_now(), $3::time) d WHERE m.user_id = $1";

static const char	sql_qr[] =
    "SELECT id, business_name, address FROM merchants WHERE user_id = $1";

DROP_ROUTE(api_merchant_register, register_route);
DROP_ROUTE(api_merchant_dashboard, dashboard_route);
DROP_ROUTE(api_merchant_qr, qr_route);
DROP_ROUTE(api_merchant_qr_svg, qr_svg_route);
DROP_ROUTE(api_merchant_transactions, tx_route);
DROP_ROUTE(api_merchant_payouts, payout_route);
static void
qr_value(const char *merchant_id, char *out, size_t outlen)
{
	(void)snprintf(out, outlen, "%s%s", MERCHANT_QR_PREFIX, merchant_id);
}

/* The link a phone camera opens: the web client's pay page for the shop. */
static void
qr_url(const char *merchant_id, char *out, size_t outlen)
{
	(void)snprintf(out, outlen, "%s%s%s", drop_cfg.public_url,
	    MERCHANT_PAY_PATH, merchant_id);
}

/* The payout account's digits; the address cut to 300 characters. */
static int
register_check(struct drop_ctx *ctx)
{
	struct merchant_state	*st = ctx->data;
	const char		*account, *address;

	/* Its 11 digits; kore.conf's v_account_no refused a bad number. */
	account = drop_text(ctx, "bankAccount");
	if (account != NULL)
		(void)drop_mod11_valid(account, st->account,
		    sizeof(st->account));
	if ((address = drop_text(ctx, "address")) != NULL &&
	    drop_utf8_cut(address, 300, st->address, sizeof(st->address)) != 0)
		drop_detail(ctx, "address", "is too long");

	return (0);
}

/* The address as stored: cut to 300 characters; none when empty. */
static const char *
merchant_address(struct drop_ctx *ctx)
{
	struct merchant_state	*st = ctx->data;

	if (drop_text(ctx, "address") == NULL || st->address[0] == '\0')
		return (NULL);
	return (st->address);
}

static int
register_start(struct drop_ctx *ctx)
{
	struct merchant_state	*st = ctx->data;
	const char		*params[10];
	char			 ip[64];

	if (drop_id_new("mer_", st->merchant_id, sizeof(st->merchant_id)) != 0 ||
	    drop_id_new("ses_", st->session_id, sizeof(st->session_id)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	drop_client_addr(ctx, ip, sizeof(ip));
	params[0] = ctx->sess.user_id;
	params[1] = ctx->sess.session_id;
	params[2] = st->merchant_id;
	params[3] = drop_text(ctx, "businessName");
	params[4] = drop_text(ctx, "orgNumber");
	params[5] = merchant_address(ctx);
	params[6] = st->account;
	params[7] = st->session_id;
	params[8] = ip;
	params[9] = ctx->reqid;

	return (drop_sql(ctx, sql_register, 10, params, register_done));
}

static int
register_done(struct drop_ctx *ctx)
{
	struct merchant_state	*st = ctx->data;
	const char		*code;
	json_t			*data;
	char			 qr[64];

	code = drop_rows(ctx) == 1 ? drop_col(ctx, 0, "code") : NULL;
	if (code == NULL)
		return (drop_fail_internal(ctx, "merchant register: no row"));
	if (!strcmp(code, "already_merchant"))
		return (drop_error(ctx, 409, "conflict",
		    "You are already registered as a merchant"));
	if (!strcmp(code, "org_taken"))
		return (drop_error(ctx, 409, "conflict",
		    "This organisation number is already registered"));
	if (strcmp(code, "ok"))
		return (drop_error(ctx, 401, "unauthorized",
		    "Session expired or revoked"));
	if (drop_session_issue(ctx, ctx->sess.user_id, st->session_id,
	    "merchant") != 0)
		return (drop_fail_internal(ctx, "cannot sign the new token"));

	qr_value(st->merchant_id, qr, sizeof(qr));
	data = json_object();
	json_object_set_new(data, "merchantId", json_string(st->merchant_id));
	/* As stored: the function wrote exactly these values. */
	json_object_set_new(data, "businessName",
	    json_string(drop_text(ctx, "businessName")));
	json_object_set_new(data, "orgNumber",
	    json_string(drop_text(ctx, "orgNumber")));
	json_object_set_new(data, "address",
	    drop_json_text(merchant_address(ctx)));
	json_object_set_new(data, "qrValue", json_string(qr));
	json_object_set_new(data, "createdAt",
	    drop_json_text(drop_col(ctx, 0, "created")));

	return (drop_reply(ctx, 201, data));
}

static int
dashboard_check(struct drop_ctx *ctx)
{
	struct merchant_state	*st = ctx->data;

	/* An invalid period was refused by the pipeline (v_period). */
	if (drop_query_arg(ctx, "period", &st->period) != 1)
		st->period = "today";

	return (0);
}

static int
dashboard_start(struct drop_ctx *ctx)
{
	struct merchant_state	*st = ctx->data;
	const char		*params[3];

	params[0] = ctx->sess.user_id;
	params[1] = st->period;
	params[2] = DROP_PAYOUT_TIME;

	return (drop_sql(ctx, sql_dashboard, 3, params, dashboard_done));
}

static int
dashboard_done(struct drop_ctx *ctx)
{
	struct merchant_state	*st = ctx->data;
	json_t			*data, *payout;
	int64_t			 revenue, fees, refunds;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "Merchant not found"));
	revenue = drop_col_int(ctx, 0, "revenue");
	fees = drop_col_int(ctx, 0, "fees");
	refunds = drop_col_int(ctx, 0, "refunds");
	payout = json_object();
	json_object_set_new(payout, "amount",
	    drop_json_money(drop_col_int(ctx, 0, "payout")));
	json_object_set_new(payout, "date",
	    drop_json_text(drop_col(ctx, 0, "payout_day")));
	data = json_object();
	json_object_set_new(data, "period", json_string(st->period));
	json_object_set_new(data, "revenue", drop_json_money(revenue));
	json_object_set_new(data, "transactionCount",
	    json_integer(drop_col_int(ctx, 0, "n")));
	json_object_set_new(data, "fees", drop_json_money(fees));
	json_object_set_new(data, "refunds", drop_json_money(refunds));
	json_object_set_new(data, "netRevenue",
	    drop_json_money(revenue - fees - refunds));
	json_object_set_new(data, "nextPayout", payout);
	json_object_set_new(data, "payoutTime", json_string(DROP_PAYOUT_TIME));

	return (drop_reply(ctx, 200, data));
}

static int
qr_start(struct drop_ctx *ctx)
{
	return (drop_user_query(ctx, sql_qr, ctx->route == &qr_svg_route ?
	    qr_svg_done : qr_done));
}

static int
qr_done(struct drop_ctx *ctx)
{
	json_t		*data;
	char		 qr[64], url[MERCHANT_URL_MAX];

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "Merchant not found"));
	qr_value(drop_col(ctx, 0, "id"), qr, sizeof(qr));
	qr_url(drop_col(ctx, 0, "id"), url, sizeof(url));
	data = json_object();
	json_object_set_new(data, "merchantId",
	    json_string(drop_col(ctx, 0, "id")));
	json_object_set_new(data, "businessName",
	    drop_json_text(drop_col(ctx, 0, "business_name")));
	json_object_set_new(data, "qrValue", json_string(qr));
	json_object_set_new(data, "qrUrl", json_string(url));
	json_object_set_new(data, "address",
	    drop_json_text(drop_col(ctx, 0, "address")));

	return (drop_reply(ctx, 200, data));
}

static int
qr_svg_done(struct drop_ctx *ctx)
{
	char		 url[MERCHANT_URL_MAX];

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "Merchant not found"));
	qr_url(drop_col(ctx, 0, "id"), url, sizeof(url));

	return (drop_reply_qr_svg(ctx, url));
}

static const struct drop_colmap tx_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "amount",		"amount",		DROP_COL_MONEY },
	{ "fee",		"fee",			DROP_COL_MONEY },
	{ "refundedAmount",	"refund_held",		DROP_COL_MONEY },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/* Customers are shown as first name and last initial only. */
static json_t *
tx_json(struct drop_ctx *ctx, int row)
{
	json_t		*t;
	const char	*first, *last;
	char		 name[512];

	t = drop_row_json(ctx, row, tx_map, NULL);
	json_object_set_new(t, "netAmount", drop_json_money(
	    drop_col_int(ctx, row, "amount") - drop_col_int(ctx, row, "fee")));
	json_object_set_new(t, "refundableAmount", drop_json_money(
	    drop_col_int(ctx, row, "amount") -
	    drop_col_int(ctx, row, "refund_held")));
	first = drop_col(ctx, row, "first_name");
	last = drop_col(ctx, row, "last_name");
	if (first == NULL || last == NULL ||
	    drop_short_name(first, last, name, sizeof(name)) != 0)
		(void)kore_strlcpy(name, "Customer", sizeof(name));
	json_object_set_new(t, "customerName", json_string(name));

	return (t);
}
