/*
 * The internal routes of reconciliation with the bank (issue 19): GET
 * /internal/reconciliation?day= shows a day's run and its breaks (what
 * the collection account's statement and Drop's records disagree on, for
 * people to resolve); POST /internal/reconciliation {day} asks for the
 * day to be read (again), audited. The job is src/core/reconcile.c.
 */

#include <string.h>

#include "drop.h"

#define BREAKS_SHOWN	500	/* breaks in one answer: sql_get's LIMIT */

struct recon_state {
	const char	*day;
};

static int	get_check(struct drop_ctx *);
static int	get_start(struct drop_ctx *);
static int	get_done(struct drop_ctx *);
static int	ask_start(struct drop_ctx *);
static int	ask_done(struct drop_ctx *);

static const char *const get_query[] = { "day", NULL };

static const struct drop_field ask_fields[] = {
	{ "day",	DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method recon_methods[] = {
	{ .method = HTTP_METHOD_GET, .ops = DROP_OPS_AUDIT, .query = get_query,
	    .check = get_check, .start = get_start },
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY, .ops = DROP_OPS_AUDIT,
	    .fields = ask_fields, .start = ask_start },
	{ .method = 0 }
};

static const struct drop_route recon_route = {
	.name = "internal.reconciliation",
	.methods = recon_methods,
	.datalen = sizeof(struct recon_state),
};

static const struct drop_colmap run_map[] = {
	{ "day",		"day",			DROP_COL_TEXT },
	{ "status",		"status",		DROP_COL_TEXT },
	{ "attempts",		"attempts",		DROP_COL_INT },
	{ "bankLines",		"bank_lines",		DROP_COL_INT },
	{ "lastError",		"last_error",		DROP_COL_TEXT },
	{ "doneAt",		"done",			DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap asked_map[] = {
	{ "day",		"day",			DROP_COL_TEXT },
	{ "status",		"status",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap break_map[] = {
	{ "id",			"id",			DROP_COL_INT },
	{ "kind",		"kind",			DROP_COL_TEXT },
	{ "reference",		"reference",		DROP_COL_TEXT },
	{ "bankTransactionId",	"bank_tx_id",		DROP_COL_TEXT },
	{ "expected",		"expected",		DROP_COL_MONEY },
	{ "booked",		"booked",		DROP_COL_MONEY },
	{ "detail",		"detail",		DROP_COL_TEXT },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ "resolvedAt",		"resolved",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/* The run and its breaks, one row each (a run without breaks: one row). */
static const char	sql_get[] =
    "SELECT r.day::text AS day, r.status, r.attempts, r.bank_lines, "
    "r.last_error, iso(r.done_at) AS done, b.id, b.kind, b.reference, "
    "b.bank_tx_id, b.expected, b.booked, b.detail, iso(b.created_at) AS "
    "created, iso(b.resolved_at) AS resolved FROM reconciliations r "
    "LEFT JOIN LATERAL (SELECT * FROM reconciliation_breaks x WHERE "
    "x.day = r.day ORDER BY x.id LIMIT 500) b ON true "
    "WHERE r.day = $1::date ORDER BY b.id";

static const char	sql_ask[] =
    "WITH a AS (SELECT * FROM drop_reconcile_ask($1::date)), "
    "aud AS (INSERT INTO audit_log (actor, action, entity, entity_id, "
    "after, request_id) SELECT $3, 'reconciliation.ask', "
    "'reconciliation', a.day, jsonb_build_object('status', a.status), $2 "
    "FROM a) SELECT day, status FROM a";

DROP_ROUTE(internal_reconciliation, recon_route);

/* The day is required; kore.conf's v_date refused a malformed one. */
static int
get_check(struct drop_ctx *ctx)
{
	struct recon_state	*st = ctx->data;

	if (drop_query_arg(ctx, "day", &st->day) != 1)
		drop_detail(ctx, "day", "is required");

	return (0);
}

static int
get_start(struct drop_ctx *ctx)
{
	struct recon_state	*st = ctx->data;
	const char		*params[1];

	params[0] = st->day;

	return (drop_sql(ctx, sql_get, 1, params, get_done));
}

static int
get_done(struct drop_ctx *ctx)
{
	json_t		*data, *breaks, *b;
	int		 row, n;

	if ((n = drop_rows(ctx)) < 1)
		return (drop_error(ctx, 404, "not_found",
		    "No reconciliation of this day"));
	data = drop_row_json(ctx, 0, run_map, NULL);
	breaks = json_array();
	for (row = 0; row < n && row < BREAKS_SHOWN; row++) {
		if (drop_col_null(ctx, row, "id"))
			continue;
		b = drop_row_json(ctx, row, break_map, NULL);
		/* An amount one side does not have is null, not 0. */
		if (drop_col_null(ctx, row, "expected"))
			json_object_set_new(b, "expected", json_null());
		if (drop_col_null(ctx, row, "booked"))
			json_object_set_new(b, "booked", json_null());
		json_array_append_new(breaks, b);
	}
	json_object_set_new(data, "breaks", breaks);

	return (drop_reply(ctx, 200, data));
}

static int
ask_start(struct drop_ctx *ctx)
{
	const char	*params[3];

	params[0] = drop_text(ctx, "day");
	params[1] = ctx->reqid;
	params[2] = ctx->sess.operator_id;

	return (drop_sql(ctx, sql_ask, 3, params, ask_done));
}

static int
ask_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "reconciliation not asked"));

	return (drop_reply(ctx, 202, drop_row_json(ctx, 0, asked_map, NULL)));
}
