/*
 * POST /internal/transactions/{id}/settle: what a bank's payment-status
 * callback calls. Completes or fails a processing remittance (a failure
 * refunds the whole debit) in one transaction; anything else is a 409.
 */

#include <string.h>

#include "api.h"

struct settle_state {
	char		id[DROP_ID_LEN];
	char		noti[DROP_ID_LEN];
};

static int	settle_start(struct drop_ctx *);
static int	settle_done(struct drop_ctx *);
static int	settle_loaded(struct drop_ctx *);

static const struct drop_field settle_fields[] = {
	{ "status",	DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method settle_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY, .ops = DROP_OP_ADMIN,
	    .fields = settle_fields, .start = settle_start },
	{ .method = 0 }
};

static const struct drop_route settle_route = {
	.name = "internal.settle",
	.methods = settle_methods,
	.datalen = sizeof(struct settle_state),
};

static const char	sql_settle[] =
    "SELECT drop_settle($1, $2, $3, $4, $5) AS result";
static const char	sql_load[] =
    "SELECT * FROM tx_view WHERE id = $1";

DROP_ROUTE(internal_settle, settle_route);
static int
settle_start(struct drop_ctx *ctx)
{
	struct settle_state	*st = ctx->data;
	const char		*params[5];

	if (!drop_path_id(ctx, 2, "tx_rem_", st->id, sizeof(st->id)) &&
	    !drop_path_id(ctx, 2, "tx_qr_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found",
		    "Transaction not found"));
	if (drop_id_new("noti_", st->noti, sizeof(st->noti)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	params[0] = st->id;
	params[1] = drop_text(ctx, "status");
	params[2] = st->noti;
	params[3] = ctx->reqid;
	params[4] = ctx->sess.operator_id;

	return (drop_sql(ctx, sql_settle, 5, params, settle_done));
}

static int
settle_done(struct drop_ctx *ctx)
{
	struct settle_state	*st = ctx->data;
	const char		*result, *params[1];

	if ((result = drop_col(ctx, 0, "result")) == NULL)
		return (drop_fail_internal(ctx, "settle returned nothing"));
	if (!strcmp(result, "not_found"))
		return (drop_error(ctx, 404, "not_found",
		    "Transaction not found"));
	if (!strcmp(result, "conflict"))
		return (drop_error(ctx, 409, "conflict",
		    "Only a processing remittance can be settled"));
	params[0] = st->id;

	return (drop_sql(ctx, sql_load, 1, params, settle_loaded));
}

static int
settle_loaded(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "settled row missing"));

	return (drop_reply(ctx, 200, drop_tx_detail(ctx, 0)));
}
