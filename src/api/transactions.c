/*
 * Transaction history (§8): list, summary, detail, receipt, and the
 * disclosure before a payment. The JSON shapes are in tx_json.c.
 */

#include <stdlib.h>
#include <string.h>

#include "api.h"

#define EVENTS_MAX	100	/* a transaction's history, at most */

struct tx_state {
	char		 id[DROP_ID_LEN];
	char		 amount[24];
	int64_t		 amount_ore;
	char		 days_eea[8];
	char		 days_other[8];
};

static int	list_filter(struct drop_ctx *, const char **, const char **);
static int	summary_start(struct drop_ctx *);
static int	summary_done(struct drop_ctx *);
static int	detail_start(struct drop_ctx *);
static int	detail_done(struct drop_ctx *);
static int	receipt_done(struct drop_ctx *);
static int	disclosure_check(struct drop_ctx *);
static int	disclosure_start(struct drop_ctx *);
static int	disclosure_done(struct drop_ctx *);
static int	shop_disclosed(struct drop_ctx *);
static int	load_one(struct drop_ctx *, int (*)(struct drop_ctx *));
static int	events_start(struct drop_ctx *);
static int	events_done(struct drop_ctx *);

static const struct drop_field disclosure_fields[] = {
	{ "type",		DROP_T_STRING,	1 },
	{ "amount",		DROP_T_NUMBER,	1 },
	{ "currency",		DROP_T_STRING,	0 },
	{ "recipientId",	DROP_T_STRING,	0 },
	{ "merchantId",		DROP_T_STRING,	0 },
	{ NULL, 0, 0 }
};

/*
 * One page of history: only its rows are read (index on user, created_at,
 * id; or with type or status) and formatted; the total comes from the
 * aggregates of migration 004, never from a count of history. One
 * statement per filter combination, so each prepared plan fits its
 * filters; the parameters are the same in all four ($6 type, $7 status).
 */
#define TX_LIST(tx_filter, stats_filter)				\
    DROP_PAGE_SQL("page AS (SELECT * FROM transactions WHERE "		\
    "user_id = $1 AND " tx_filter " AND " DROP_PAGE_AFTER("") ")",	\
    "SELECT coalesce(sum(s.n), 0) FROM tx_stats s WHERE s.user_id = $1 " \
    "AND " stats_filter,						\
    "iso(p.created_at) AS created_iso, iso(p.updated_at) AS updated_iso,", \
    "")

static const char	*const sql_list[2][2] = {
	{ TX_LIST("$6::text IS NULL AND $7::text IS NULL",
	      "$6::text IS NULL AND $7::text IS NULL"),
	  TX_LIST("$6::text IS NULL AND status = $7",
	      "$6::text IS NULL AND s.status = $7") },
	{ TX_LIST("type = $6 AND $7::text IS NULL",
	      "s.type = $6 AND $7::text IS NULL"),
	  TX_LIST("type = $6 AND status = $7",
	      "s.type = $6 AND s.status = $7") },
};

static const struct drop_list tx_list = {
	.def_limit = 20,
	.max_limit = 50,
	.filter = list_filter,
	.row_json = drop_tx_list_item
};

static const char *const list_query[] = { "type", "status", NULL };

static const struct drop_method list_methods[] = {
	DROP_LIST_GET(DROP_AUTH, list_query, tx_list),
	{ .method = 0 }
};
static const struct drop_method summary_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH,
	    .start = summary_start },
	{ .method = 0 }
};
static const struct drop_method detail_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH,
	    .start = detail_start },
	{ .method = 0 }
};
static const struct drop_method receipt_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH,
	    .start = detail_start },
	{ .method = 0 }
};
static const struct drop_method events_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH, .start = events_start },
	{ .method = 0 }
};
static const struct drop_method disclosure_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_BODY,
	    .fields = disclosure_fields, .check = disclosure_check,
	    .start = disclosure_start },
	{ .method = 0 }
};

static const struct drop_route list_route = {
	.name = "transactions",
	.methods = list_methods,
	.datalen = sizeof(struct tx_state),
};
static const struct drop_route summary_route = {
	.name = "transactions.summary",
	.methods = summary_methods,
	.datalen = sizeof(struct tx_state),
};
static const struct drop_route detail_route = {
	.name = "transaction",
	.methods = detail_methods,
	.datalen = sizeof(struct tx_state),
};
static const struct drop_route receipt_route = {
	.name = "transaction.receipt",
	.methods = receipt_methods,
	.datalen = sizeof(struct tx_state),
};
static const struct drop_route events_route = {
	.name = "transaction.events",
	.methods = events_methods,
	.datalen = sizeof(struct tx_state),
};
static const struct drop_route disclosure_route = {
	.name = "disclosure",
	.methods = disclosure_methods,
	.datalen = sizeof(struct tx_state),
};

/* Summary figures from the aggregates (never failed ones). */
#define SUMMARY_SET(p, cond) \
    "coalesce(sum(n) FILTER (WHERE " cond "), 0) AS " p "count, " \
    "coalesce(sum(amount) FILTER (WHERE type = 'remittance' AND " cond \
    "), 0) AS " p "sent, " \
    "coalesce(sum(amount) FILTER (WHERE type = 'qr_payment' AND " cond \
    "), 0) AS " p "paid, " \
    "coalesce(sum(n) FILTER (WHERE type = 'remittance' AND " cond \
    "), 0) AS " p "rem, " \
    "coalesce(sum(n) FILTER (WHERE type = 'qr_payment' AND " cond \
    "), 0) AS " p "qr"

#define THIS_MONTH \
    "status <> 'failed' AND month = oslo_month(now())"

static const char	sql_summary[] =
    "SELECT " SUMMARY_SET("all_", "status <> 'failed'") ", "
    SUMMARY_SET("month_", THIS_MONTH)
    " FROM tx_stats WHERE user_id = $1";

/* $3 the EEA countries, $4 and $5 their delivery days and the others'. */
static const char	sql_one[] =
    "SELECT *, CASE WHEN status = 'processing' THEN "
    "to_char(drop_add_business_days((created_at AT TIME ZONE "
    "'Europe/Oslo')::date, CASE WHEN recipient_country = ANY($3::text[]) "
    "THEN $4::int ELSE $5::int END), 'YYYY-MM-DD') END AS estimated "
    "FROM tx_view WHERE id = $1 AND user_id = $2";

/* The caller's transaction and its history (none for one from before). */
static const char	sql_events[] =
    "SELECT t.id, e.status, iso(e.at) AS at, e.detail FROM transactions t "
    "LEFT JOIN transaction_events e ON e.tx_id = t.id "
    "WHERE t.id = $1 AND t.user_id = $2 ORDER BY e.id LIMIT "
    DROP_STR(EVENTS_MAX);

/* The shop a QR payment would go to; own is true for the caller's. */
static const char	sql_shop[] =
    "SELECT id, business_name, user_id = $2 AS own FROM merchants "
    "WHERE id = $1 AND active";

/* The price now, held for ten minutes as a quote (drop_quote). */
static const char	sql_disclosure[] =
    "SELECT * FROM drop_quote($2, $1, $3::bigint, $4::bigint)";

DROP_ROUTE(api_transactions, list_route);
DROP_ROUTE(api_transactions_summary, summary_route);
DROP_ROUTE(api_transaction, detail_route);
DROP_ROUTE(api_transaction_receipt, receipt_route);
DROP_ROUTE(api_disclosure, disclosure_route);
DROP_ROUTE(api_transaction_events, events_route);
static const struct drop_colmap summary_map[] = {
	{ "totalCount",		"count",		DROP_COL_INT },
	{ "totalSent",		"sent",			DROP_COL_MONEY },
	{ "totalPaid",		"paid",			DROP_COL_MONEY },
	{ "remittanceCount",	"rem",			DROP_COL_INT },
	{ "qrPaymentCount",	"qr",			DROP_COL_INT },
	{ NULL, NULL, 0 }
};

/* The type and status (validated by the pipeline) pick the statement. */
static int
list_filter(struct drop_ctx *ctx, const char **params, const char **sql)
{
	const char	*type, *status;

	type = drop_query_opt(ctx, "type");
	status = drop_query_opt(ctx, "status");
	params[0] = type;
	params[1] = status;
	*sql = sql_list[type != NULL][status != NULL];

	return (2);
}

static int
summary_start(struct drop_ctx *ctx)
{
	return (drop_user_query(ctx, sql_summary, summary_done));
}

/* Summary columns are named with a prefix per period (all_, month_). */
static json_t *
summary_set(struct drop_ctx *ctx, const char *prefix)
{
	struct drop_colmap	 map[6];
	char			 cols[5][32];
	int			 i;

	for (i = 0; summary_map[i].key != NULL; i++) {
		(void)snprintf(cols[i], sizeof(cols[i]), "%s%s", prefix,
		    summary_map[i].column);
		map[i] = summary_map[i];
		map[i].column = cols[i];
	}
	map[i] = summary_map[i];

	return (drop_row_json(ctx, 0, map, NULL));
}

static int
summary_done(struct drop_ctx *ctx)
{
	json_t		*data;

	data = json_object();
	json_object_set_new(data, "allTime", summary_set(ctx, "all_"));
	json_object_set_new(data, "thisMonth", summary_set(ctx, "month_"));

	return (drop_reply(ctx, 200, data));
}

/* Loads the caller's transaction named in the path (else 404). */
static int
load_one(struct drop_ctx *ctx, int (*next)(struct drop_ctx *))
{
	struct tx_state			*st = ctx->data;
	const struct drop_policy	*policy;
	const char			*params[5];
	char				 eea[64];
	size_t				 len;

	if (!drop_path_id(ctx, 2, "tx_rem_", st->id, sizeof(st->id)) &&
	    !drop_path_id(ctx, 2, "tx_qr_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found",
		    "Transaction not found"));
	policy = drop_policy("remittance");
	/* A SQL array literal: {PL}. */
	eea[0] = '{';
	if (drop_corridor_list(eea + 1, sizeof(eea) - 2, ",", 1) != 0)
		return (drop_fail_internal(ctx, "corridor list too long"));
	len = strlen(eea);
	eea[len] = '}';
	eea[len + 1] = '\0';
	(void)snprintf(st->days_eea, sizeof(st->days_eea), "%d",
	    policy->days_eea);
	(void)snprintf(st->days_other, sizeof(st->days_other), "%d",
	    policy->days_other);
	params[0] = st->id;
	params[1] = ctx->sess.user_id;
	params[2] = eea;
	params[3] = st->days_eea;
	params[4] = st->days_other;

	return (drop_sql(ctx, sql_one, 5, params, next));
}

static int
detail_start(struct drop_ctx *ctx)
{
	return (load_one(ctx, ctx->route == &receipt_route ? receipt_done :
	    detail_done));
}

static int
detail_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found",
		    "Transaction not found"));

	return (drop_reply(ctx, 200, drop_tx_detail(ctx, 0)));
}

static int
receipt_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found",
		    "Transaction not found"));

	return (drop_reply(ctx, 200, drop_tx_receipt(ctx, 0)));
}

/* type decides the amount range; a remittance needs its recipient. */
static int
disclosure_check(struct drop_ctx *ctx)
{
	struct tx_state			*st = ctx->data;
	const struct drop_policy	*policy;
	const char			*currency;

	currency = drop_text(ctx, "currency");
	if ((policy = drop_policy(drop_text(ctx, "type"))) == NULL) {
		drop_detail(ctx, "type", "must be remittance or qr_payment");
		return (0);
	}
	if (currency != NULL && strcmp(currency, "NOK"))
		drop_detail(ctx, "currency", "only NOK is supported");
	if (strcmp(policy->type, "qr_payment") &&
	    drop_text(ctx, "recipientId") == NULL)
		drop_detail(ctx, "recipientId", "is required for a remittance");
	(void)drop_money_field(ctx, "amount", policy->min, policy->max,
	    &st->amount_ore);
	(void)snprintf(st->amount, sizeof(st->amount), "%lld",
	    (long long)st->amount_ore);

	return (0);
}

/* A QR payment's disclosure: no exchange, the payer pays the amount. */
static json_t *
qr_disclosure(struct drop_ctx *ctx)
{
	struct tx_state	*st = ctx->data;

	return (drop_disclosure_json(drop_policy("qr_payment"), st->amount_ore,
	    json_integer(1), drop_json_money(st->amount_ore), "NOK", NULL));
}

static int
disclosure_start(struct drop_ctx *ctx)
{
	struct tx_state	*st = ctx->data;
	const char	*params[4];
	char		 fee[24];

	/* The merchant bears a QR payment's fee; the payer pays the amount. */
	if (!strcmp(drop_text(ctx, "type"), "qr_payment")) {
		if (drop_text(ctx, "merchantId") == NULL)
			return (drop_reply(ctx, 200, qr_disclosure(ctx)));
		if (!drop_id_valid("mer_", drop_text(ctx, "merchantId")))
			return (drop_error(ctx, 404, "not_found",
			    "Merchant not found"));
		params[0] = drop_text(ctx, "merchantId");
		params[1] = ctx->sess.user_id;
		return (drop_sql(ctx, sql_shop, 2, params, shop_disclosed));
	}
	if (!drop_id_valid("rcp_", drop_text(ctx, "recipientId")))
		return (drop_error(ctx, 404, "not_found", "Recipient not found"));
	params[0] = drop_text(ctx, "recipientId");
	params[1] = ctx->sess.user_id;
	params[2] = st->amount;
	(void)snprintf(fee, sizeof(fee), "%lld", (long long)drop_policy_fee(
	    drop_policy("remittance"), st->amount_ore));
	params[3] = fee;

	return (drop_sql(ctx, sql_disclosure, 4, params, disclosure_done));
}

static int
disclosure_done(struct drop_ctx *ctx)
{
	struct tx_state	*st = ctx->data;
	json_t		*d;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "Recipient not found"));
	if (drop_col_null(ctx, 0, "rate")) {
		drop_detail(ctx, "recipientId", DROP_MSG_NO_CORRIDOR);
		return (drop_fail_details(ctx, 422, "Validation failed"));
	}

	d = drop_disclosure_json(drop_policy("remittance"), st->amount_ore,
	    json_real(strtod(drop_col(ctx, 0, "rate"), NULL)),
	    drop_json_money(drop_col_int(ctx, 0, "receive")),
	    drop_col(ctx, 0, "currency"), drop_col(ctx, 0, "country"));
	/* The price above holds until expiresAt for a remittance with it. */
	json_object_set_new(d, "quoteId", json_string(drop_col(ctx, 0,
	    "quote_id")));
	json_object_set_new(d, "expiresAt", json_string(drop_col(ctx, 0,
	    "expires_at")));

	return (drop_reply(ctx, 200, d));
}

/* The shop is named before Confirm; a made-up or own shop is refused. */
static int
shop_disclosed(struct drop_ctx *ctx)
{
	json_t		*d;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "Merchant not found"));
	if (drop_col_bool(ctx, 0, "own")) {
		drop_detail(ctx, "merchantId", DROP_MSG_OWN_SHOP);
		return (drop_fail_details(ctx, 422, "Validation failed"));
	}
	d = qr_disclosure(ctx);
	json_object_set_new(d, "merchantId", json_string(drop_col(ctx, 0,
	    "id")));
	json_object_set_new(d, "merchantName", drop_json_text(drop_col(ctx, 0,
	    "business_name")));

	return (drop_reply(ctx, 200, d));
}

static int
events_start(struct drop_ctx *ctx)
{
	struct tx_state	*st = ctx->data;
	const char	*params[2];

	if (!drop_path_id(ctx, 2, "tx_rem_", st->id, sizeof(st->id)) &&
	    !drop_path_id(ctx, 2, "tx_qr_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found",
		    "Transaction not found"));
	params[0] = st->id;
	params[1] = ctx->sess.user_id;

	return (drop_sql(ctx, sql_events, 2, params, events_done));
}

static const struct drop_colmap event_map[] = {
	{ "status",		"status",		DROP_COL_TEXT },
	{ "at",			"at",			DROP_COL_TEXT },
	{ "detail",		"detail",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/* Oldest first; a transaction from before its history has none. */
static int
events_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) == 0)
		return (drop_error(ctx, 404, "not_found",
		    "Transaction not found"));
	if (drop_rows(ctx) == 1 && drop_col_null(ctx, 0, "status"))
		return (drop_reply(ctx, 200, json_array()));

	return (drop_reply_rows(ctx, event_map, NULL, EVENTS_MAX));
}
