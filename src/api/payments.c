/*
 * Remittances and QR payments (§8, §13): each is one call of a SQL function
 * in sql/functions/002_money.sql that checks, debits and records the
 * payment and the bank call it owes in ONE transaction (the outbox). The
 * request then kicks that call and waits, asleep, up to PAY_WAIT_MS for
 * the bank's answer, and answers with the status so far. Idempotency-Key
 * retries get the first answer back.
 */

#include <stdio.h>
#include <string.h>

#include "api.h"

#define PAY_WAIT_MS	3000	/* the 201 waits this long for the bank */

struct pay_state {
	struct drop_idem idem;		/* first: idem.c's */
	int		 qr;
	char		 tx[DROP_ID_LEN];
	char		 noti[DROP_ID_LEN];
	char		 psu_ip[64];
	char		 amount[24];
	char		 fee[24];
};

static const struct drop_refusal pay_errors[] = {
	{ "kyc_required", 403, "kyc_required",
	    "Identity verification must be approved before sending money", NULL,
	    NULL },
	{ "recipient_not_found", 404, "not_found", "Recipient not found",
	    NULL, NULL },
	{ "unsupported_corridor", 422, "validation_error",
	    "Validation failed", "recipientId", DROP_MSG_NO_CORRIDOR },
	{ "no_bank_account", 400, "no_bank_account",
	    "Link a bank account before paying", NULL, NULL },
	{ "account_not_found", 404, "not_found", "Bank account not found",
	    NULL, NULL },
	{ "insufficient_balance", 402, "insufficient_balance",
	    "The bank account balance does not cover this payment", NULL,
	    NULL },
	{ "merchant_not_found", 404, "not_found", "Merchant not found", NULL,
	    NULL },
	{ "own_merchant", 422, "validation_error", "Validation failed",
	    "merchantId", DROP_MSG_OWN_SHOP },
	{ "consent_expired", 409, "consent_expired", DROP_MSG_CONSENT_EXPIRED,
	    NULL, NULL },
	{ "quote_expired", 422, "quote_expired",
	    "The quoted price has expired or does not match this payment; ask "
	    "for a new one", "quoteId",
	    "expired, used, or for another recipient or amount" },
	{ "request_not_found", 404, "not_found",
	    "Payment request not found", NULL, NULL },
	{ "request_paid", 409, "conflict",
	    "This payment request is paid already", NULL, NULL },
	{ "request_expired", 409, "conflict",
	    "This payment request has expired; ask the shop for a new one",
	    NULL, NULL },
	{ "request_amount", 422, "validation_error", "Validation failed",
	    "amount", "must be the amount the shop asked for" },
	{ "idempotency_conflict", 409, "idempotency_conflict",
	    "This Idempotency-Key was used with a different request", NULL,
	    NULL },
	{ NULL, 0, NULL, NULL, NULL, NULL }
};

static int	remit_check(struct drop_ctx *);
static int	qr_check(struct drop_ctx *);
static int	pay_prepare(struct drop_ctx *, int);
static int	pay_params(struct drop_ctx *, const char *, const char **);
static int	remit_start(struct drop_ctx *);
static int	qr_start(struct drop_ctx *);
static int	pay_done(struct drop_ctx *);
static int	pay_banked(struct drop_ctx *);
static int	pay_reply(struct drop_ctx *);
static int	pay_fail(struct drop_ctx *, const char *);

static const struct drop_field remit_fields[] = {
	{ "recipientId",	DROP_T_STRING,	1 },
	{ "amount",		DROP_T_NUMBER,	1 },
	{ "currency",		DROP_T_STRING,	0 },
	{ "bankAccountId",	DROP_T_STRING,	0 },
	{ "quoteId",		DROP_T_STRING,	0 },
	{ NULL, 0, 0 }
};

static const struct drop_field qr_fields[] = {
	{ "merchantId",		DROP_T_STRING,	1 },
	{ "amount",		DROP_T_NUMBER,	1 },
	{ "requestId",		DROP_T_STRING,	0 },
	{ NULL, 0, 0 }
};

static const struct drop_method remit_methods[] = {
	{ .method = HTTP_METHOD_POST,
	    .flags = DROP_AUTH | DROP_BODY | DROP_RL_PAY,
	    .fields = remit_fields, .check = remit_check,
	    .start = remit_start },
	{ .method = 0 }
};

static const struct drop_method qr_methods[] = {
	{ .method = HTTP_METHOD_POST,
	    .flags = DROP_AUTH | DROP_BODY | DROP_RL_PAY, .fields = qr_fields,
	    .check = qr_check, .start = qr_start },
	{ .method = 0 }
};

static const struct drop_route remit_route = {
	.name = "remittance",
	.methods = remit_methods,
	.datalen = sizeof(struct pay_state),
	.cleanup = drop_idem_cleanup,
};
static const struct drop_route qr_route = {
	.name = "qr_payment",
	.methods = qr_methods,
	.datalen = sizeof(struct pay_state),
	.cleanup = drop_idem_cleanup,
};

static const char	sql_remit[] =
    "SELECT * FROM drop_remit($1, $2, $3, $4, $5, $6, $7::bigint, "
    "$8::bigint, $9, $10, $11)";
static const char	sql_qr[] =
    "SELECT * FROM drop_qr_pay($1, $2, $3, $4, $5, $6, $7::bigint, "
    "$8::bigint, $9, $10)";
static const char	sql_tx[] =
    "SELECT * FROM tx_view WHERE id = $1 AND user_id = $2";

DROP_ROUTE(api_remittance, remit_route);
DROP_ROUTE(api_qr_payment, qr_route);
/* Amount, fee, Idempotency-Key and the request's fingerprint. */
static int
pay_prepare(struct drop_ctx *ctx, int qr)
{
	struct pay_state	*st = ctx->data;
	const struct drop_policy *policy;
	int64_t			 amount;

	st->qr = qr;
	policy = drop_policy(qr ? "qr_payment" : "remittance");
	if (drop_money_field(ctx, "amount", policy->min, policy->max,
	    &amount) != 0)
		return (-1);
	(void)snprintf(st->amount, sizeof(st->amount), "%lld",
	    (long long)amount);
	(void)snprintf(st->fee, sizeof(st->fee), "%lld",
	    (long long)drop_policy_fee(policy, amount));

	return (drop_idem_prepare(ctx, &st->idem, NULL));
}

static int
remit_check(struct drop_ctx *ctx)
{
	const char	*currency;

	currency = drop_text(ctx, "currency");
	if (currency != NULL && strcmp(currency, "NOK"))
		drop_detail(ctx, "currency", "only NOK can be sent");

	return (pay_prepare(ctx, 0));
}

static int
qr_check(struct drop_ctx *ctx)
{
	return (pay_prepare(ctx, 1));
}

/* Fresh ids, and the parameters both payment functions start with. */
static int
pay_params(struct drop_ctx *ctx, const char *prefix, const char **params)
{
	struct pay_state	*st = ctx->data;

	if (drop_id_new(prefix, st->tx, sizeof(st->tx)) != 0 ||
	    drop_id_new("noti_", st->noti, sizeof(st->noti)) != 0)
		return (-1);
	drop_psu_ip(ctx, st->psu_ip, sizeof(st->psu_ip));
	params[0] = ctx->sess.user_id;
	params[1] = st->idem.key;
	params[2] = st->idem.hash;
	params[3] = st->tx;
	params[4] = st->noti;

	return (0);
}

static int
remit_start(struct drop_ctx *ctx)
{
	struct pay_state	*st = ctx->data;
	const char		*params[11], *account, *quote;

	if (!drop_id_valid("rcp_", drop_text(ctx, "recipientId")))
		return (pay_fail(ctx, "recipient_not_found"));
	account = drop_text(ctx, "bankAccountId");
	if (account != NULL && !drop_id_valid("ba_", account))
		return (pay_fail(ctx, "account_not_found"));
	quote = drop_text(ctx, "quoteId");
	if (quote != NULL && !drop_id_valid("quo_", quote))
		return (pay_fail(ctx, "quote_expired"));
	if (pay_params(ctx, "tx_rem_", params) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	params[5] = drop_text(ctx, "recipientId");
	params[6] = st->amount;
	params[7] = st->fee;
	params[8] = account;
	params[9] = st->psu_ip;
	params[10] = quote;

	return (drop_sql(ctx, sql_remit, 11, params, pay_done));
}

static int
qr_start(struct drop_ctx *ctx)
{
	struct pay_state	*st = ctx->data;
	const char		*params[10], *request;

	if (!drop_id_valid("mer_", drop_text(ctx, "merchantId")))
		return (pay_fail(ctx, "merchant_not_found"));
	request = drop_text(ctx, "requestId");
	if (request != NULL && !drop_id_valid("preq_", request))
		return (pay_fail(ctx, "request_not_found"));
	if (pay_params(ctx, "tx_qr_", params) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	params[5] = drop_text(ctx, "merchantId");
	params[6] = st->amount;
	params[7] = st->fee;
	params[8] = st->psu_ip;
	params[9] = request;

	return (drop_sql(ctx, sql_qr, 10, params, pay_done));
}

/* The error envelope for an outcome code of the payment functions. */
static int
pay_fail(struct drop_ctx *ctx, const char *code)
{
	return (drop_refuse(ctx, pay_errors, code));
}

static int
pay_done(struct drop_ctx *ctx)
{
	struct pay_state	*st = ctx->data;

	return (drop_idem_outcome(ctx, st->tx, sizeof(st->tx), PAY_WAIT_MS,
	    pay_fail, pay_banked));
}

/* The payment as it stands now (the bank's answer applied, or not yet). */
static int
pay_banked(struct drop_ctx *ctx)
{
	struct pay_state	*st = ctx->data;
	const char		*params[2];

	params[0] = st->tx;
	params[1] = ctx->sess.user_id;

	return (drop_sql(ctx, sql_tx, 2, params, pay_reply));
}

/* Builds the 201 body, keeps it for retries, then sends it. */
static int
pay_reply(struct drop_ctx *ctx)
{
	struct pay_state	*st = ctx->data;

	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "payment row missing"));

	return (drop_idem_reply(ctx, 201, st->qr ? drop_tx_qr_created(ctx, 0) :
	    drop_tx_remit_created(ctx, 0)));
}
