/*
 * Complaints (§11): the caller's, newest first through the shared paging
 * helper, and filing one (status received, with the legal commitment and
 * its date: 15 Norwegian business days on, due_at). Operators handle
 * them in complaint_admin.c.
 */

#include <string.h>

#include "drop.h"

#define COMMITMENT_NOTE	"We will review and respond to your complaint " \
    "within 15 business days per Finansavtaleloven §3-53"

struct complaint_state {
	char		id[DROP_ID_LEN];
};

static int	add_check(struct drop_ctx *);
static int	add_start(struct drop_ctx *);
static int	add_done(struct drop_ctx *);

static const struct drop_field add_fields[] = {
	{ "category",		DROP_T_STRING,	1 },
	{ "subject",		DROP_T_STRING,	1 },
	{ "description",	DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

#define COMPLAINT_COLUMNS \
    "id, category, subject, description, status, resolution, " \
    "due_at::text AS due, exceptional_reason, CASE WHEN resolved_at IS " \
    "NOT NULL THEN drop_complaint_next_step() END AS next_step, " \
    "iso(created_at) AS created, iso(resolved_at) AS resolved"

static const struct drop_colmap complaint_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "category",		"category",		DROP_COL_TEXT },
	{ "subject",		"subject",		DROP_COL_TEXT },
	{ "description",	"description",		DROP_COL_TEXT },
	{ "status",		"status",		DROP_COL_TEXT },
	{ "resolution",		"resolution",		DROP_COL_TEXT },
	{ "due_at",		"due",			DROP_COL_TEXT },
	{ "exceptional_reason",	"exceptional_reason",	DROP_COL_TEXT },
	{ "next_step",		"next_step",		DROP_COL_TEXT },
	{ "created_at",		"created",		DROP_COL_TEXT },
	{ "resolved_at",	"resolved",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_list complaints_list = {
	.def_limit = 10,
	.max_limit = 100,
	.sql = DROP_PAGE_SQL("page AS (SELECT " COMPLAINT_COLUMNS ", "
	    "created_at FROM complaints WHERE user_id = $1 AND "
	    DROP_PAGE_AFTER("") ")",
	    "SELECT count(*) FROM complaints WHERE user_id = $1", "", ""),
	.map = complaint_map
};

static const struct drop_method methods[] = {
	DROP_LIST_GET(DROP_AUTH, NULL, complaints_list),
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_BODY,
	    .fields = add_fields, .check = add_check, .start = add_start },
	{ .method = 0 }
};

static const struct drop_route route = {
	.name = "complaints",
	.methods = methods,
	.datalen = sizeof(struct complaint_state),
};

static const char	sql_add[] =
    "INSERT INTO complaints (id, user_id, category, subject, description, "
    "due_at) VALUES ($1, $2, $3, $4, $5, drop_complaint_due(now(), false)) "
    "RETURNING " COMPLAINT_COLUMNS;

DROP_ROUTE(api_complaints, route);

/* Lengths in characters, after sanitizing (trimmed, controls removed). */
static int
add_check(struct drop_ctx *ctx)
{
	drop_text_length(ctx, "subject", 1, 200);
	drop_text_length(ctx, "description", 1, 2000);

	return (0);
}

static int
add_start(struct drop_ctx *ctx)
{
	struct complaint_state	*st = ctx->data;
	const char		*params[5];

	if (drop_id_new("cmp_", st->id, sizeof(st->id)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	params[0] = st->id;
	params[1] = ctx->sess.user_id;
	params[2] = drop_text(ctx, "category");
	params[3] = drop_text(ctx, "subject");
	params[4] = drop_text(ctx, "description");

	return (drop_sql(ctx, sql_add, 5, params, add_done));
}

static int
add_done(struct drop_ctx *ctx)
{
	json_t		*obj;

	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "complaint insert: no row"));
	obj = json_object();
	json_object_set_new(obj, "data",
	    drop_row_json(ctx, 0, complaint_map, NULL));
	json_object_set_new(obj, "commitmentNote", json_string(COMMITMENT_NOTE));

	return (drop_reply_obj(ctx, 201, obj));
}
