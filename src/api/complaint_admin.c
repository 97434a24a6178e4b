/*
 * Complaint handling on the internal API (issue 20): the queue (GET
 * /internal/complaints?status&overdue=true), taking one into review,
 * marking it exceptional (35 business days, the reason told to the
 * user) and answering it (resolved or rejected, the user told of
 * Finansklagenemnda). The rules are drop_complaint_act() in SQL.
 */

#include <string.h>

#include "drop.h"

struct handle_state {
	char		id[DROP_ID_LEN];
	const char	*action;
};

static int	queue_filter(struct drop_ctx *, const char **, const char **);
static int	answer_check(struct drop_ctx *);
static int	extend_check(struct drop_ctx *);
static int	take_start(struct drop_ctx *);
static int	extend_start(struct drop_ctx *);
static int	answer_start(struct drop_ctx *);
static int	act(struct drop_ctx *, const char *, const char *,
		    const char *);
static int	act_done(struct drop_ctx *);
static int	act_reply(struct drop_ctx *);

#define HANDLED_COLUMNS \
    "id, user_id, category, subject, description, status, resolution, " \
    "due_at::text AS due, exceptional_reason, handler_id, " \
    "status IN ('received', 'in_review') AND due_at < oslo_day(now()) " \
    "AS overdue, iso(created_at) AS created, iso(taken_at) AS taken, " \
    "iso(resolved_at) AS resolved"

static const struct drop_colmap handled_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "userId",		"user_id",		DROP_COL_TEXT },
	{ "category",		"category",		DROP_COL_TEXT },
	{ "subject",		"subject",		DROP_COL_TEXT },
	{ "description",	"description",		DROP_COL_TEXT },
	{ "status",		"status",		DROP_COL_TEXT },
	{ "resolution",		"resolution",		DROP_COL_TEXT },
	{ "dueAt",		"due",			DROP_COL_TEXT },
	{ "exceptionalReason",	"exceptional_reason",	DROP_COL_TEXT },
	{ "handlerId",		"handler_id",		DROP_COL_TEXT },
	{ "overdue",		"overdue",		DROP_COL_BOOL },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ "takenAt",		"taken",		DROP_COL_TEXT },
	{ "resolvedAt",		"resolved",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/* $1 (the operator) is no filter; $6 a status, $7 'true' for overdue. */
#define QUEUE_WHERE \
    "$1::text IS NOT NULL AND ($6::text IS NULL OR status = $6) AND " \
    "($7::text IS NULL OR (status IN ('received', 'in_review') AND " \
    "due_at < oslo_day(now())))"

static const struct drop_list queue_list = {
	.def_limit = 20,
	.max_limit = 100,
	.sql = DROP_PAGE_SQL("page AS (SELECT " HANDLED_COLUMNS ", created_at "
	    "FROM complaints WHERE " QUEUE_WHERE " AND " DROP_PAGE_AFTER("")
	    ")", "SELECT count(*) FROM complaints WHERE " QUEUE_WHERE, "", ""),
	.filter = queue_filter,
	.map = handled_map,
};

static const char *const queue_query[] = { "status", "overdue", NULL };

static const struct drop_field extend_fields[] = {
	{ "reason",		DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_field answer_fields[] = {
	{ "status",		DROP_T_STRING,	1 },
	{ "resolution",		DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method queue_methods[] = {
	{ .method = HTTP_METHOD_GET, .ops = DROP_OPS_ALL, .query = queue_query,
	    .list = &queue_list },
	{ .method = 0 }
};
static const struct drop_method take_methods[] = {
	{ .method = HTTP_METHOD_POST, .ops = DROP_OPS_ALL, .start = take_start },
	{ .method = 0 }
};
static const struct drop_method extend_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY, .ops = DROP_OPS_ALL,
	    .fields = extend_fields, .check = extend_check,
	    .start = extend_start },
	{ .method = 0 }
};
static const struct drop_method answer_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY, .ops = DROP_OPS_ALL,
	    .fields = answer_fields, .check = answer_check,
	    .start = answer_start },
	{ .method = 0 }
};

static const struct drop_route queue_route = {
	.name = "internal.complaints",
	.methods = queue_methods,
};
static const struct drop_route take_route = {
	.name = "internal.complaint.take",
	.methods = take_methods,
	.datalen = sizeof(struct handle_state),
};
static const struct drop_route extend_route = {
	.name = "internal.complaint.extend",
	.methods = extend_methods,
	.datalen = sizeof(struct handle_state),
};
static const struct drop_route answer_route = {
	.name = "internal.complaint.answer",
	.methods = answer_methods,
	.datalen = sizeof(struct handle_state),
};

static const char	sql_act[] =
    "SELECT drop_complaint_act($1, $2, $3, $4, $5, $6) AS result";
static const char	sql_load[] =
    "SELECT " HANDLED_COLUMNS " FROM complaints WHERE id = $1";

DROP_ROUTE(internal_complaints, queue_route);
DROP_ROUTE(internal_complaint_take, take_route);
DROP_ROUTE(internal_complaint_extend, extend_route);
DROP_ROUTE(internal_complaint_answer, answer_route);

static int
queue_filter(struct drop_ctx *ctx, const char **params, const char **sql)
{
	(void)sql;
	/* v_true: overdue is "true" when given. */
	params[0] = drop_query_opt(ctx, "status");
	params[1] = drop_query_opt(ctx, "overdue");

	return (2);
}

/* Lengths in characters, after sanitizing. */
static int
extend_check(struct drop_ctx *ctx)
{
	drop_text_length(ctx, "reason", 1, 1000);

	return (0);
}

static int
answer_check(struct drop_ctx *ctx)
{
	drop_text_length(ctx, "resolution", 1, 4000);

	return (0);
}

static int
take_start(struct drop_ctx *ctx)
{
	return (act(ctx, "take", NULL, NULL));
}

static int
extend_start(struct drop_ctx *ctx)
{
	return (act(ctx, "extend", NULL, drop_text(ctx, "reason")));
}

static int
answer_start(struct drop_ctx *ctx)
{
	return (act(ctx, "answer", drop_text(ctx, "status"),
	    drop_text(ctx, "resolution")));
}

static int
act(struct drop_ctx *ctx, const char *action, const char *status,
    const char *text)
{
	struct handle_state	*st = ctx->data;
	const char		*params[6];

	if (!drop_path_id(ctx, 2, "cmp_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found",
		    "Complaint not found"));
	st->action = action;
	params[0] = st->id;
	params[1] = action;
	params[2] = ctx->sess.operator_id;
	params[3] = status;
	params[4] = text;
	params[5] = ctx->reqid;

	return (drop_sql(ctx, sql_act, 6, params, act_done));
}

static int
act_done(struct drop_ctx *ctx)
{
	struct handle_state	*st = ctx->data;
	const char		*result, *params[1];

	result = drop_rows(ctx) == 1 ? drop_col(ctx, 0, "result") : NULL;
	if (result == NULL)
		return (drop_fail_internal(ctx, "complaint act: no result"));
	if (!strcmp(result, "not_found"))
		return (drop_error(ctx, 404, "not_found",
		    "Complaint not found"));
	if (!strcmp(result, "conflict"))
		return (drop_error(ctx, 409, "conflict", !strcmp(st->action,
		    "extend") ? "The complaint is answered or already "
		    "exceptional" : !strcmp(st->action, "take") ?
		    "Only a received complaint can be taken" :
		    "The complaint is already answered"));
	params[0] = st->id;

	return (drop_sql(ctx, sql_load, 1, params, act_reply));
}

static int
act_reply(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "complaint reload: no row"));

	return (drop_reply(ctx, 200, drop_row_json(ctx, 0, handled_map,
	    NULL)));
}
