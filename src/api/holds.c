/*
 * Remittances held by a sanctions hit (issue 20): compliance lists them
 * (GET /internal/holds, oldest first is the work; newest first here like
 * every list) and releases or rejects each with a reason (POST
 * /internal/transactions/{id}/review). Releasing debits the account and
 * sends the payment like any other; the rules are drop_tx_review().
 */

#include <string.h>

#include "drop.h"

struct review_state {
	char		id[DROP_ID_LEN];
};

static int	review_check(struct drop_ctx *);
static int	review_start(struct drop_ctx *);
static int	review_done(struct drop_ctx *);

#define HOLD_COLUMNS \
    "t.id, t.user_id, t.recipient_name, t.recipient_country, t.amount, " \
    "t.fee, t.total, t.status, t.failure_reason, t.hold_entry, " \
    "round(t.hold_score::numeric, 2)::text AS score, e.name AS listed, " \
    "t.reviewed_by, iso(t.reviewed_at) AS reviewed, iso(t.created_at) AS " \
    "created"

static const struct drop_colmap hold_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "userId",		"user_id",		DROP_COL_TEXT },
	{ "recipientName",	"recipient_name",	DROP_COL_TEXT },
	{ "recipientCountry",	"recipient_country",	DROP_COL_TEXT },
	{ "amount",		"amount",		DROP_COL_MONEY },
	{ "fee",		"fee",			DROP_COL_MONEY },
	{ "total",		"total",		DROP_COL_MONEY },
	{ "status",		"status",		DROP_COL_TEXT },
	{ "failureReason",	"failure_reason",	DROP_COL_TEXT },
	{ "sanctionsEntry",	"hold_entry",		DROP_COL_TEXT },
	{ "sanctionsName",	"listed",		DROP_COL_TEXT },
	{ "sanctionsScore",	"score",		DROP_COL_RATE },
	{ "reviewedBy",		"reviewed_by",		DROP_COL_TEXT },
	{ "reviewedAt",		"reviewed",		DROP_COL_TEXT },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/* Every remittance a hit held, decided or not; $1 is no filter. */
static const struct drop_list hold_list = {
	.def_limit = 20,
	.max_limit = 100,
	.sql = DROP_PAGE_SQL("page AS (SELECT " HOLD_COLUMNS ", t.created_at "
	    "FROM transactions t LEFT JOIN sanctions_entries e ON e.id = "
	    "t.hold_entry WHERE $1::text IS NOT NULL AND t.hold_entry IS NOT "
	    "NULL AND " DROP_PAGE_AFTER("t.") ")", "SELECT count(*) FROM "
	    "transactions WHERE hold_entry IS NOT NULL", "", ""),
	.map = hold_map,
};

static const struct drop_field review_fields[] = {
	{ "decision",		DROP_T_STRING,	1 },
	{ "reason",		DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method holds_methods[] = {
	DROP_LIST_GET_OPS(DROP_OPS_AUDIT, hold_list),
	{ .method = 0 }
};
static const struct drop_method review_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY, .ops = DROP_OPS_AUDIT,
	    .fields = review_fields, .check = review_check,
	    .start = review_start },
	{ .method = 0 }
};

static const struct drop_route holds_route = {
	.name = "internal.holds",
	.methods = holds_methods,
};
static const struct drop_route review_route = {
	.name = "internal.transaction.review",
	.methods = review_methods,
	.datalen = sizeof(struct review_state),
};

static const char	sql_review[] =
    "SELECT drop_tx_review($1, $2, $3, $4, $5) AS result";

DROP_ROUTE(internal_holds, holds_route);
DROP_ROUTE(internal_transaction_review, review_route);

static int
review_check(struct drop_ctx *ctx)
{
	drop_text_length(ctx, "reason", 1, 1000);

	return (0);
}

static int
review_start(struct drop_ctx *ctx)
{
	struct review_state	*st = ctx->data;
	const char		*params[5];

	if (!drop_path_id(ctx, 2, "tx_rem_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found",
		    "Transaction not found"));
	params[0] = st->id;
	params[1] = ctx->sess.operator_id;
	params[2] = drop_text(ctx, "decision");
	params[3] = drop_text(ctx, "reason");
	params[4] = ctx->reqid;

	return (drop_sql(ctx, sql_review, 5, params, review_done));
}

/* { id, outcome }: released, rejected or insufficient_balance. */
static int
review_done(struct drop_ctx *ctx)
{
	struct review_state	*st = ctx->data;
	const char		*result;
	json_t			*data;

	result = drop_rows(ctx) == 1 ? drop_col(ctx, 0, "result") : NULL;
	if (result == NULL)
		return (drop_fail_internal(ctx, "review: no result"));
	if (!strcmp(result, "not_found"))
		return (drop_error(ctx, 404, "not_found",
		    "Transaction not found"));
	if (!strcmp(result, "conflict"))
		return (drop_error(ctx, 409, "conflict",
		    "Only a remittance held for review can be reviewed"));
	data = json_object();
	json_object_set_new(data, "id", json_string(st->id));
	json_object_set_new(data, "outcome", json_string(result));

	return (drop_reply(ctx, 200, data));
}
