/*
 * Refunds by the merchant (issue 19): POST
 * /api/merchants/transactions/{id}/refunds {amount?} refunds part or all
 * (no amount: all that is left) of one of the shop's completed QR
 * payments. The refund and its bank call in the outbox are ONE
 * transaction of sql/functions/011_refunds.sql, which never lets refunds
 * pass what was paid; the request then kicks the call and waits, asleep,
 * up to REFUND_WAIT_MS for the bank's answer. Idempotency-Key retries
 * get the first answer back.
 */

#include <stdio.h>
#include <string.h>

#include "api.h"

#define REFUND_WAIT_MS	3000

struct refund_state {
	struct drop_idem idem;		/* first: idem.c's */
	char		 tx[DROP_ID_LEN];
	char		 id[DROP_ID_LEN];
	char		 amount[24];
	int		 has_amount;
};

static int	refund_check(struct drop_ctx *);
static int	refund_start(struct drop_ctx *);
static int	refund_made(struct drop_ctx *);
static int	refund_read(struct drop_ctx *);
static int	refund_reply(struct drop_ctx *);
static int	refund_fail(struct drop_ctx *, const char *);

static const struct drop_field refund_fields[] = {
	{ "amount",		DROP_T_NUMBER,	0 },
	{ NULL, 0, 0 }
};

static const struct drop_method refund_methods[] = {
	{ .method = HTTP_METHOD_POST,
	    .flags = DROP_AUTH | DROP_MERCHANT | DROP_BODY | DROP_RL_PAY,
	    .fields = refund_fields, .check = refund_check,
	    .start = refund_start, .scope = DROP_SCOPE_REFUNDS_WRITE },
	{ .method = 0 }
};

static const struct drop_route refund_route = {
	.name = "merchants.refunds",
	.methods = refund_methods,
	.datalen = sizeof(struct refund_state),
	.cleanup = drop_idem_cleanup,
};

static const struct drop_colmap refund_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "transactionId",	"tx_id",		DROP_COL_TEXT },
	{ "amount",		"amount",		DROP_COL_MONEY },
	{ "status",		"status",		DROP_COL_TEXT },
	{ "refundableAmount",	"refundable",		DROP_COL_MONEY },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ "succeededAt",	"succeeded",		DROP_COL_TEXT },
	{ "bankReference",	"bank_payment_id",	DROP_COL_TEXT },
	{ "failure",		"failure",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_refusal refund_errors[] = {
	{ "not_found", 404, "not_found", "Payment not found", NULL, NULL },
	{ "not_refundable", 409, "conflict",
	    "Only a completed payment can be refunded", NULL, NULL },
	{ "refund_exceeds_payment", 409, "refund_exceeds_payment",
	    "Refunds cannot exceed what the customer paid", NULL, NULL },
	{ "idempotency_conflict", 409, "idempotency_conflict",
	    "This Idempotency-Key was used with a different request", NULL,
	    NULL },
	{ NULL, 0, NULL, NULL, NULL, NULL }
};

static const char	sql_create[] =
    "SELECT * FROM drop_refund_create($1, $2, $3, $4, $5, $6::bigint, $7, "
    "$8)";
static const char	sql_refund[] =
    "SELECT r.id, r.tx_id, r.amount, r.status, r.bank_payment_id, "
    "r.failure, iso(r.created_at) AS created, iso(r.succeeded_at) AS "
    "succeeded, t.amount - t.refund_held AS refundable FROM refunds r "
    "JOIN transactions t ON t.id = r.tx_id JOIN merchants m ON "
    "m.id = r.merchant_id WHERE r.id = $1 AND m.user_id = $2";

DROP_ROUTE(api_merchant_refunds, refund_route);

/* The payment of the path, the amount if any, the key and fingerprint. */
static int
refund_check(struct drop_ctx *ctx)
{
	struct refund_state	*st = ctx->data;
	const struct drop_policy *policy;
	int64_t			 amount;

	if (!drop_path_id(ctx, 3, "tx_qr_", st->tx, sizeof(st->tx)))
		st->tx[0] = '\0';
	if (drop_field(ctx, "amount") != NULL) {
		policy = drop_policy("qr_payment");
		if (drop_money_field(ctx, "amount", 1, policy->max,
		    &amount) != 0)
			return (-1);
		(void)snprintf(st->amount, sizeof(st->amount), "%lld",
		    (long long)amount);
		st->has_amount = 1;
	}

	return (drop_idem_prepare(ctx, &st->idem, st->tx));
}

static int
refund_start(struct drop_ctx *ctx)
{
	struct refund_state	*st = ctx->data;
	const char		*params[8];

	if (st->tx[0] == '\0')
		return (refund_fail(ctx, "not_found"));
	if (drop_id_new("rf_", st->id, sizeof(st->id)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	params[0] = ctx->sess.user_id;
	params[1] = st->idem.key;
	params[2] = st->idem.hash;
	params[3] = st->tx;
	params[4] = st->id;
	params[5] = st->has_amount ? st->amount : NULL;
	params[6] = drop_cfg.collection_account;
	params[7] = ctx->reqid;

	return (drop_sql(ctx, sql_create, 8, params, refund_made));
}

static int
refund_fail(struct drop_ctx *ctx, const char *code)
{
	return (drop_refuse(ctx, refund_errors, code));
}

static int
refund_made(struct drop_ctx *ctx)
{
	struct refund_state	*st = ctx->data;

	return (drop_idem_outcome(ctx, st->id, sizeof(st->id), REFUND_WAIT_MS,
	    refund_fail, refund_read));
}

/* The refund as it stands now (the bank's answer applied, or not yet). */
static int
refund_read(struct drop_ctx *ctx)
{
	struct refund_state	*st = ctx->data;
	const char		*params[2];

	params[0] = st->id;
	params[1] = ctx->sess.user_id;

	return (drop_sql(ctx, sql_refund, 2, params, refund_reply));
}

static int
refund_reply(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "refund row missing"));

	return (drop_idem_reply(ctx, 201, drop_row_json(ctx, 0, refund_map,
	    NULL)));
}
