/*
 * The JSON shapes of a transaction (§8), shared by the payment, history
 * and settle routes: as created, as detail, as a history row and as a
 * receipt. Amounts are positive everywhere but in the history list; a QR
 * payment says what the shop refunded of it.
 */

#include <string.h>

#include "api.h"

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
	{ "refundedAmount",	"refunded",		DROP_COL_MONEY },
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
	{ "total",		"total",		DROP_COL_NEGMONEY },
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

/*
 * What the bank said (§13): the approval to seek while pending, the bank's
 * payment id once known, and why a failed payment failed.
 */
static void
bank_json(struct drop_ctx *ctx, int row, json_t *t)
{
	const char	*status, *url;
	json_t		*auth;

	status = drop_col(ctx, row, "status");
	url = drop_col(ctx, row, "sca_url");
	if (status != NULL && !strcmp(status, "pending_authorisation") &&
	    url != NULL) {
		auth = json_object();
		json_object_set_new(auth, "url", json_string(url));
		json_object_set_new(auth, "expiresAt",
		    drop_json_text(drop_col(ctx, row, "sca_expires_iso")));
		json_object_set_new(t, "authorisation", auth);
	}
	if (!drop_col_null(ctx, row, "bank_payment_id"))
		json_object_set_new(t, "bankReference",
		    json_string(drop_col(ctx, row, "bank_payment_id")));
	if (!drop_col_null(ctx, row, "failure_reason"))
		json_object_set_new(t, "failureReason",
		    json_string(drop_col(ctx, row, "failure_reason")));
}

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
	bank_json(ctx, row, t);

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
	bank_json(ctx, row, t);

	return (t);
}

json_t *
drop_tx_detail(struct drop_ctx *ctx, int row)
{
	json_t		*t;

	t = drop_row_json(ctx, row, base_map, NULL);
	(void)drop_row_json(ctx, row, is_remittance(ctx, row) ? remit_map :
	    qr_map, t);
	bank_json(ctx, row, t);

	return (drop_row_json(ctx, row, completed_map, t));
}

/* A row of the history list: the principal negative (it left the account). */
json_t *
drop_tx_list_item(struct drop_ctx *ctx, int row)
{
	json_t		*t;

	t = drop_row_json(ctx, row, base_map, NULL);
	(void)drop_row_json(ctx, row, list_map, t);
	if (is_remittance(ctx, row))
		json_object_set_new(t, "recipientName", drop_json_text(
		    drop_col(ctx, row, "recipient_name")));
	else {
		json_object_set_new(t, "merchantName", drop_json_text(
		    drop_col(ctx, row, "merchant_name")));
		json_object_set_new(t, "refundedAmount", drop_json_money(
		    drop_col_int(ctx, row, "refunded")));
	}

	return (t);
}

/* The receipt of a transaction, with its recipient or its merchant. */
json_t *
drop_tx_receipt(struct drop_ctx *ctx, int row)
{
	json_t		*r;

	r = drop_row_json(ctx, row, receipt_map, NULL);
	bank_json(ctx, row, r);
	if (is_remittance(ctx, row))
		json_object_set_new(r, "recipient",
		    drop_row_json(ctx, row, recipient_party_map, NULL));
	else
		json_object_set_new(r, "merchant",
		    drop_row_json(ctx, row, merchant_party_map, NULL));

	return (r);
}

/* The disclosure of a payment of amount: fee and delivery from policy. */
json_t *
drop_disclosure_json(const struct drop_policy *policy, int64_t amount,
    json_t *rate, json_t *receive, const char *currency, const char *country)
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
	json_object_set_new(d, "totalCost", drop_json_money(
	    policy->payer_pays_fee ? amount + fee : amount));

	return (d);
}
