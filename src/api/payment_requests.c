/*
 * Payment requests (issue 19): a shop asks for one amount (POST
 * /api/merchants/payment-requests {amount, description?, expiresIn?}) and
 * shows its QR code (drop://pay/<merchantId>?request=<id>, as an image the
 * web client's pay page link); the payer's QR payment naming it must be
 * of that amount before it expires, and pays it once
 * (sql/functions/002_money.sql, drop_request_take). The shop reads a
 * request's state; the payer reads what is asked before paying.
 */

#include <stdio.h>

#include "drop.h"

#define REQUEST_TTL_DEFAULT	900		/* seconds */
#define REQUEST_TTL_MIN		60
#define REQUEST_TTL_MAX		(7 * 86400)
#define REQUEST_PAY_PATH	"/#/pay/"	/* the web client's pay page */
#define REQUEST_URL_MAX		(sizeof(drop_cfg.public_url) + 96)

struct request_state {
	char		 id[DROP_ID_LEN];
	char		 amount[24];
	char		 ttl[16];
	char		 description[561];
	int		 has_description;
};

static int	create_check(struct drop_ctx *);
static int	create_start(struct drop_ctx *);
static int	shop_start(struct drop_ctx *);
static int	shop_done(struct drop_ctx *);
static int	svg_done(struct drop_ctx *);
static int	payer_start(struct drop_ctx *);
static int	payer_done(struct drop_ctx *);

static const struct drop_field create_fields[] = {
	{ "amount",		DROP_T_NUMBER,	1 },
	{ "description",	DROP_T_STRING,	0 },
	{ "expiresIn",		DROP_T_NUMBER,	0 },
	{ NULL, 0, 0 }
};

static const struct drop_method create_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_MERCHANT |
	    DROP_BODY, .fields = create_fields, .check = create_check,
	    .start = create_start, .scope = DROP_SCOPE_REQUESTS_WRITE },
	{ .method = 0 }
};
static const struct drop_method shop_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH | DROP_MERCHANT,
	    .start = shop_start, .scope = DROP_SCOPE_PAYMENTS_READ },
	{ .method = 0 }
};
static const struct drop_method payer_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH, .start = payer_start },
	{ .method = 0 }
};

static const struct drop_route create_route = {
	.name = "merchants.payment_requests",
	.methods = create_methods,
	.datalen = sizeof(struct request_state),
};
static const struct drop_route shop_route = {
	.name = "merchants.payment_request",
	.methods = shop_methods,
	.datalen = sizeof(struct request_state),
};
static const struct drop_route svg_route = {
	.name = "merchants.payment_request.svg",
	.methods = shop_methods,
	.datalen = sizeof(struct request_state),
};
static const struct drop_route payer_route = {
	.name = "payment_request",
	.methods = payer_methods,
	.datalen = sizeof(struct request_state),
};

static const struct drop_colmap request_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "merchantId",		"merchant_id",		DROP_COL_TEXT },
	{ "amount",		"amount",		DROP_COL_MONEY },
	{ "description",	"description",		DROP_COL_TEXT },
	{ "status",		"status",		DROP_COL_TEXT },
	{ "expiresAt",		"expires",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap shop_map[] = {
	{ "transactionId",	"tx_id",		DROP_COL_TEXT },
	{ "paidAt",		"paid",			DROP_COL_TEXT },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

#define REQUEST_COLUMNS							\
    "r.id, r.merchant_id, r.amount, r.description, "			\
    "drop_request_status(r) AS status, iso(r.expires_at) AS expires, "	\
    "r.tx_id, iso(r.paid_at) AS paid, iso(r.created_at) AS created"

static const char	sql_create[] =
    "INSERT INTO payment_requests AS r (id, merchant_id, amount, "
    "description, expires_at) SELECT $2, m.id, $3::bigint, $4, now() + "
    "$5::int * interval '1 second' FROM merchants m WHERE m.user_id = $1 "
    "RETURNING " REQUEST_COLUMNS;
static const char	sql_shop[] =
    "SELECT " REQUEST_COLUMNS " FROM payment_requests r JOIN merchants m "
    "ON m.id = r.merchant_id WHERE r.id = $1 AND m.user_id = $2";
static const char	sql_payer[] =
    "SELECT " REQUEST_COLUMNS ", m.business_name FROM payment_requests r "
    "JOIN merchants m ON m.id = r.merchant_id WHERE r.id = $1 AND m.active";

DROP_ROUTE(api_merchant_payment_requests, create_route);
DROP_ROUTE(api_merchant_payment_request, shop_route);
DROP_ROUTE(api_merchant_payment_request_svg, svg_route);
DROP_ROUTE(api_payment_request, payer_route);

/* The amount (a QR payment's range), at most 140 characters, a lifetime. */
static int
create_check(struct drop_ctx *ctx)
{
	struct request_state	*st = ctx->data;
	const struct drop_policy *policy;
	const char		*text;
	json_t			*ttl;
	int64_t			 amount, secs;

	policy = drop_policy("qr_payment");
	if (drop_money_field(ctx, "amount", policy->min, policy->max,
	    &amount) == 0)
		(void)snprintf(st->amount, sizeof(st->amount), "%lld",
		    (long long)amount);
	if ((text = drop_text(ctx, "description")) != NULL) {
		if (drop_utf8_len(text) > 140 || drop_utf8_cut(text, 140,
		    st->description, sizeof(st->description)) != 0)
			drop_detail(ctx, "description",
			    "must be at most 140 characters");
		st->has_description = st->description[0] != '\0';
	}
	secs = REQUEST_TTL_DEFAULT;
	if ((ttl = drop_field(ctx, "expiresIn")) != NULL) {
		secs = json_is_integer(ttl) ? json_integer_value(ttl) : -1;
		if (secs < REQUEST_TTL_MIN || secs > REQUEST_TTL_MAX)
			drop_detail(ctx, "expiresIn", "must be whole seconds "
			    "from 60 to 604800 (7 days)");
	}
	(void)snprintf(st->ttl, sizeof(st->ttl), "%lld", (long long)secs);

	return (0);
}

static int
create_start(struct drop_ctx *ctx)
{
	struct request_state	*st = ctx->data;
	const char		*params[5];

	if (drop_id_new("preq_", st->id, sizeof(st->id)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	params[0] = ctx->sess.user_id;
	params[1] = st->id;
	params[2] = st->amount;
	params[3] = st->has_description ? st->description : NULL;
	params[4] = st->ttl;

	return (drop_sql(ctx, sql_create, 5, params, shop_done));
}

/* The pay page link the QR code holds, for the request of row. */
static void
request_url(struct drop_ctx *ctx, int row, char *out, size_t outlen)
{
	(void)snprintf(out, outlen, "%s%s%s?request=%s", drop_cfg.public_url,
	    REQUEST_PAY_PATH, drop_col(ctx, row, "merchant_id"),
	    drop_col(ctx, row, "id"));
}

static int
shop_start(struct drop_ctx *ctx)
{
	struct request_state	*st = ctx->data;
	const char		*params[2];

	if (!drop_path_id(ctx, 3, "preq_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found",
		    "Payment request not found"));
	params[0] = st->id;
	params[1] = ctx->sess.user_id;

	return (drop_sql(ctx, sql_shop, 2, params,
	    ctx->route == &svg_route ? svg_done : shop_done));
}

/* The request as its shop sees it, with the QR value and link. */
static int
shop_done(struct drop_ctx *ctx)
{
	json_t		*data;
	char		 qr[96], url[REQUEST_URL_MAX];

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found",
		    "Payment request not found"));
	data = drop_row_json(ctx, 0, request_map, NULL);
	(void)drop_row_json(ctx, 0, shop_map, data);
	(void)snprintf(qr, sizeof(qr), "drop://pay/%s?request=%s",
	    drop_col(ctx, 0, "merchant_id"), drop_col(ctx, 0, "id"));
	request_url(ctx, 0, url, sizeof(url));
	json_object_set_new(data, "qrValue", json_string(qr));
	json_object_set_new(data, "qrUrl", json_string(url));

	return (drop_reply(ctx, ctx->method->method == HTTP_METHOD_POST ?
	    201 : 200, data));
}

static int
svg_done(struct drop_ctx *ctx)
{
	char		 url[REQUEST_URL_MAX];

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found",
		    "Payment request not found"));
	request_url(ctx, 0, url, sizeof(url));

	return (drop_reply_qr_svg(ctx, url));
}

static int
payer_start(struct drop_ctx *ctx)
{
	struct request_state	*st = ctx->data;
	const char		*params[1];

	if (!drop_path_id(ctx, 2, "preq_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found",
		    "Payment request not found"));
	params[0] = st->id;

	return (drop_sql(ctx, sql_payer, 1, params, payer_done));
}

/* What the payer is asked for, and by which shop. */
static int
payer_done(struct drop_ctx *ctx)
{
	json_t		*data;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found",
		    "Payment request not found"));
	data = drop_row_json(ctx, 0, request_map, NULL);
	json_object_set_new(data, "merchantName",
	    drop_json_text(drop_col(ctx, 0, "business_name")));

	return (drop_reply(ctx, 200, data));
}
