/*
 * Transaction history (§8): list, summary, detail, receipt, disclosure,
 * and the JSON shapes the payment routes answer with. Amounts are positive
 * everywhere but in the list.
 */

#include <stdlib.h>
#include <string.h>

#include "drop.h"

int	api_transactions(struct http_request *);
int	api_transactions_summary(struct http_request *);
int	api_transaction(struct http_request *);
int	api_transaction_receipt(struct http_request *);
int	api_disclosure(struct http_request *);

struct tx_state {
	char		 id[DROP_ID_LEN];
	char		 amount[24];
	int64_t		 amount_ore;
	const char	*type;
	const char	*status;
	char		 days_eea[8];
	char		 days_other[8];
};

static int	list_check(struct drop_ctx *);
static int	list_start(struct drop_ctx *);
static int	list_done(struct drop_ctx *);
static int	summary_start(struct drop_ctx *);
static int	summary_done(struct drop_ctx *);
static int	detail_start(struct drop_ctx *);
static int	detail_done(struct drop_ctx *);
static int	receipt_done(struct drop_ctx *);
static int	disclosure_check(struct drop_ctx *);
static int	disclosure_start(struct drop_ctx *);
static int	disclosure_done(struct drop_ctx *);
static int	load_one(struct drop_ctx *, int (*)(struct drop_ctx *));

static const struct drop_field disclosure_fields[] = {
	{ "type",		DROP_T_STRING,	1 },
	{ "amount",		DROP_T_NUMBER,	1 },
	{ "currency",		DROP_T_STRING,	0 },
	{ "recipientId",	DROP_T_STRING,	0 },
	{ NULL, 0, 0 }
};

static const struct drop_method list_methods[] = {
	{ HTTP_METHOD_GET, DROP_AUTH, NULL, list_check, list_start },
	{ 0, 0, NULL, NULL, NULL }
};
static const struct drop_method summary_methods[] = {
	{ HTTP_METHOD_GET, DROP_AUTH, NULL, NULL, summary_start },
	{ 0, 0, NULL, NULL, NULL }
};
static const struct drop_method detail_methods[] = {
	{ HTTP_METHOD_GET, DROP_AUTH, NULL, NULL, detail_start },
	{ 0, 0, NULL, NULL, NULL }
};
static const struct drop_method receipt_methods[] = {
	{ HTTP_METHOD_GET, DROP_AUTH, NULL, NULL, detail_start },
	{ 0, 0, NULL, NULL, NULL }
};
static const struct drop_method disclosure_methods[] = {
	{ HTTP_METHOD_POST, DROP_AUTH | DROP_BODY, disclosure_fields,
	    disclosure_check, disclosure_start },
	{ 0, 0, NULL, NULL, NULL }
};

static const struct drop_route list_route = {
	"transactions", list_methods, sizeof(struct tx_state), NULL
};
static const struct drop_route summary_route = {
	"transactions.summary", summary_methods, sizeof(struct tx_state), NULL
};
static const struct drop_route detail_route = {
	"transaction", detail_methods, sizeof(struct tx_state), NULL
};
static const struct drop_route receipt_route = {
	"transaction.receipt", receipt_methods, sizeof(struct tx_state), NULL
};
static const struct drop_route disclosure_route = {
	"disclosure", disclosure_methods, sizeof(struct tx_state), NULL
};

/*
 * One page of history: only its rows are read (index on user, created_at,
 * id; or with type or status) and formatted; the total comes from the
 * aggregates of migration 004, never from a count of history. One
 * statement per filter combination, so each prepared plan fits its
 * filters; the parameters are the same in all four.
 */
#define TX_LIST(tx_filter, stats_filter) \
    "WITH page AS (SELECT * FROM transactions WHERE user_id = $1 AND " \
    tx_filter " AND (created_at, id) < (drop_us_ts($6::bigint), $7::text) " \
    "ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5) " \
    "SELECT (SELECT coalesce(sum(s.n), 0) FROM tx_stats s " \
    "WHERE s.user_id = $1 AND " stats_filter ") AS total, p.*, " \
    "iso(p.created_at) AS created_iso, iso(p.updated_at) AS updated_iso, " \
    "drop_ts_us(p.created_at) AS cursor_us " \
    "FROM (SELECT 1) one LEFT JOIN page p ON true " \
    "ORDER BY p.created_at DESC, p.id DESC"

static const char	*const sql_list[2][2] = {
	{ TX_LIST("$2::text IS NULL AND $3::text IS NULL",
	      "$2::text IS NULL AND $3::text IS NULL"),
	  TX_LIST("$2::text IS NULL AND status = $3",
	      "$2::text IS NULL AND s.status = $3") },
	{ TX_LIST("type = $2 AND $3::text IS NULL",
	      "s.type = $2 AND $3::text IS NULL"),
	  TX_LIST("type = $2 AND status = $3",
	      "s.type = $2 AND s.status = $3") },
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

static const char	sql_disclosure[] =
    "SELECT r.currency, r.country, e.rate::text AS rate, "
    "round($3::bigint * e.rate) AS receive FROM recipients r "
    "LEFT JOIN exchange_rates e ON e.currency = r.currency "
    "WHERE r.id = $1 AND r.user_id = $2 AND r.deleted_at IS NULL";

int
api_transactions(struct http_request *req)
{
	return (drop_serve(req, &list_route));
}

int
api_transactions_summary(struct http_request *req)
{
	return (drop_serve(req, &summary_route));
}

int
api_transaction(struct http_request *req)
{
	return (drop_serve(req, &detail_route));
}

int
api_transaction_receipt(struct http_request *req)
{
	return (drop_serve(req, &receipt_route));
}

int
api_disclosure(struct http_request *req)
{
	return (drop_serve(req, &disclosure_route));
}

static const struct drop_colmap base_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "type",		"type",			DROP_COL_TEXT },
	{ "status",		"status",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/* A remittance as the payment route and the detail route show it. */
static const struct drop_colmap remit_map[] = {
	{ "sendAmount",		"amount",		DROP_COL_MONEY },
	{ "sendCurrency",	"currency",		DROP_COL_TEXT },
	{ "receiveAmount",	"receive_amount",	DROP_COL_MONEY },
	{ "receiveCurrency",	"receive_currency",	DROP_COL_TEXT },
	{ "exchangeRate",	"exchange_rate",	DROP_COL_RATE },
	{ "fee",		"fee",			DROP_COL_MONEY },
	{ "total",		"total",		DROP_COL_MONEY },
	{ "recipientName",	"recipient_name",	DROP_COL_TEXT },
	{ "recipientCountry",	"recipient_country",	DROP_COL_TEXT },
	{ "createdAt",		"created_iso",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap qr_map[] = {
	{ "amount",		"amount",		DROP_COL_MONEY },
	{ "currency",		"currency",		DROP_COL_TEXT },
	{ "fee",		"fee",			DROP_COL_MONEY },
	{ "merchantName",	"merchant_name",	DROP_COL_TEXT },
	{ "merchantId",		"merchant_id",		DROP_COL_TEXT },
	{ "createdAt",		"created_iso",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap created_map[] = {
	{ "fromAccount",	"from_account",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap completed_map[] = {
	{ "completedAt",	"completed_iso",	DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap list_map[] = {
	{ "amount",		"amount",		DROP_COL_NEGMONEY },
	{ "currency",		"currency",		DROP_COL_TEXT },
	{ "createdAt",		"created_iso",		DROP_COL_TEXT },
	{ "updatedAt",		"updated_iso",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap receipt_map[] = {
	{ "transactionId",	"id",			DROP_COL_TEXT },
	{ "date",		"created_iso",		DROP_COL_TEXT },
	{ "type",		"type",			DROP_COL_TEXT },
	{ "amount",		"amount",		DROP_COL_MONEY },
	{ "currency",		"currency",		DROP_COL_TEXT },
	{ "fee",		"fee",			DROP_COL_MONEY },
	{ "exchangeRate",	"exchange_rate",	DROP_COL_RATE },
	{ "receiveAmount",	"receive_amount",	DROP_COL_MONEY },
	{ "receiveCurrency",	"receive_currency",	DROP_COL_TEXT },
	{ "reference",		"reference",		DROP_COL_TEXT },
	{ "status",		"status",		DROP_COL_TEXT },
	{ "estimatedCompletion", "estimated",		DROP_COL_TEXT },
	{ "completedAt",	"completed_iso",	DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap recipient_party_map[] = {
	{ "name",		"recipient_name",	DROP_COL_TEXT },
	{ "country",		"recipient_country",	DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap merchant_party_map[] = {
	{ "id",			"merchant_id",		DROP_COL_TEXT },
	{ "name",		"merchant_name",	DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap summary_map[] = {
	{ "totalCount",		"count",		DROP_COL_INT },
	{ "totalSent",		"sent",			DROP_COL_MONEY },
	{ "totalPaid",		"paid",			DROP_COL_MONEY },
	{ "remittanceCount",	"rem",			DROP_COL_INT },
	{ "qrPaymentCount",	"qr",			DROP_COL_INT },
	{ NULL, NULL, 0 }
};

static int
is_remittance(struct drop_ctx *ctx, int row)
{
	const char	*type;

	type = drop_col(ctx, row, "type");
	return (type != NULL && !strcmp(type, "remittance"));
}

/* Delivery promise of a remittance to country (policy.c). */
static const char *
delivery(const char *country)
{
	return (drop_policy_delivery(drop_policy("remittance"), country,
	    NULL));
}

json_t *
drop_tx_remit_created(struct drop_ctx *ctx, int row)
{
	json_t		*t;

	t = drop_row_json(ctx, row, base_map, NULL);
	(void)drop_row_json(ctx, row, remit_map, t);
	(void)drop_row_json(ctx, row, created_map, t);
	json_object_set_new(t, "feePercent",
	    drop_json_percent(drop_policy("remittance")));
	json_object_set_new(t, "eta", json_string(delivery(
	    drop_col(ctx, row, "recipient_country"))));

	return (t);
}

json_t *
drop_tx_qr_created(struct drop_ctx *ctx, int row)
{
	json_t		*t;

	t = drop_row_json(ctx, row, base_map, NULL);
	(void)drop_row_json(ctx, row, qr_map, t);
	(void)drop_row_json(ctx, row, created_map, t);
	json_object_set_new(t, "feePercent",
	    drop_json_percent(drop_policy("qr_payment")));

	return (t);
}

json_t *
drop_tx_detail(struct drop_ctx *ctx, int row)
{
	json_t		*t;

	t = drop_row_json(ctx, row, base_map, NULL);
	(void)drop_row_json(ctx, row, is_remittance(ctx, row) ? remit_map :
	    qr_map, t);

	return (drop_row_json(ctx, row, completed_map, t));
}

static int
list_check(struct drop_ctx *ctx)
{
	struct tx_state	*st = ctx->data;
	int		 r;

	if ((r = drop_query_arg(ctx, "type", &st->type)) == -1)
		drop_detail(ctx, "type", "must be remittance or qr_payment");
	if (r != 1)
		st->type = NULL;
	if ((r = drop_query_arg(ctx, "status", &st->status)) == -1)
		drop_detail(ctx, "status",
		    "must be processing, completed or failed");
	if (r != 1)
		st->status = NULL;

	return (drop_page_args(ctx, 20, 50));
}

static int
list_start(struct drop_ctx *ctx)
{
	struct tx_state	*st = ctx->data;
	const char	*params[7];

	params[0] = ctx->sess.user_id;
	params[1] = st->type;
	params[2] = st->status;

	return (drop_sql(ctx, sql_list[st->type != NULL][st->status != NULL],
	    3 + drop_page_params(ctx, params + 3), params, list_done));
}

static int
list_done(struct drop_ctx *ctx)
{
	json_t		*list, *t;
	int		 row;

	list = json_array();
	for (row = 0; row < drop_page_rows(ctx); row++) {
		t = drop_row_json(ctx, row, base_map, NULL);
		(void)drop_row_json(ctx, row, list_map, t);
		if (is_remittance(ctx, row))
			json_object_set_new(t, "recipientName", drop_json_text(
			    drop_col(ctx, row, "recipient_name")));
		else
			json_object_set_new(t, "merchantName", drop_json_text(
			    drop_col(ctx, row, "merchant_name")));
		json_array_append_new(list, t);
	}

	return (drop_reply_page(ctx, list, drop_col_int(ctx, 0, "total")));
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
	json_t		*r;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found",
		    "Transaction not found"));
	r = drop_row_json(ctx, 0, receipt_map, NULL);
	if (is_remittance(ctx, 0))
		json_object_set_new(r, "recipient",
		    drop_row_json(ctx, 0, recipient_party_map, NULL));
	else
		json_object_set_new(r, "merchant",
		    drop_row_json(ctx, 0, merchant_party_map, NULL));

	return (drop_reply(ctx, 200, r));
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

/* The disclosure of a payment of amount: fee and delivery from policy. */
static json_t *
disclosure_json(const struct drop_policy *policy, int64_t amount,
    json_t *rate, json_t *receive, const char *currency, const char *country,
    int with_fee)
{
	json_t		*d;
	int64_t		 fee;

	fee = drop_policy_fee(policy, amount);
	d = json_object();
	json_object_set_new(d, "amount", drop_json_money(amount));
	json_object_set_new(d, "fee", drop_json_money(fee));
	json_object_set_new(d, "feePercentage", drop_json_percent(policy));
	json_object_set_new(d, "exchangeRate", rate);
	json_object_set_new(d, "receiveAmount", receive);
	json_object_set_new(d, "receiveCurrency", json_string(currency));
	json_object_set_new(d, "estimatedDelivery", json_string(
	    drop_policy_delivery(policy, country, NULL)));
	json_object_set_new(d, "totalCost", drop_json_money(with_fee ?
	    amount + fee : amount));

	return (d);
}

static int
disclosure_start(struct drop_ctx *ctx)
{
	struct tx_state	*st = ctx->data;
	const char	*params[3];

	/* The merchant bears a QR payment's fee; the payer pays the amount. */
	if (!strcmp(drop_text(ctx, "type"), "qr_payment"))
		return (drop_reply(ctx, 200, disclosure_json(
		    drop_policy("qr_payment"), st->amount_ore, json_integer(1),
		    drop_json_money(st->amount_ore), "NOK", NULL, 0)));
	if (!drop_id_valid("rcp_", drop_text(ctx, "recipientId")))
		return (drop_error(ctx, 404, "not_found", "Recipient not found"));
	params[0] = drop_text(ctx, "recipientId");
	params[1] = ctx->sess.user_id;
	params[2] = st->amount;

	return (drop_sql(ctx, sql_disclosure, 3, params, disclosure_done));
}

static int
disclosure_done(struct drop_ctx *ctx)
{
	struct tx_state	*st = ctx->data;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "Recipient not found"));
	if (drop_col_null(ctx, 0, "rate")) {
		drop_detail(ctx, "recipientId",
		    "no exchange rate for the recipient's currency "
		    "(unsupported corridor)");
		return (drop_fail_details(ctx, 422, "Validation failed"));
	}

	return (drop_reply(ctx, 200, disclosure_json(drop_policy("remittance"),
	    st->amount_ore, json_real(strtod(drop_col(ctx, 0, "rate"), NULL)),
	    drop_json_money(drop_col_int(ctx, 0, "receive")),
	    drop_col(ctx, 0, "currency"), drop_col(ctx, 0, "country"), 1)));
}
