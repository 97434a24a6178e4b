/*
 * Complaints (§11): the caller's, newest first through the shared paging
 * helper, and filing one (status received, with the legal commitment).
 */

#include <string.h>

#include "drop.h"

int	api_complaints(struct http_request *);

#define COMMITMENT_NOTE	"We will review and respond to your complaint " \
    "within 15 business days per Finansavtaleloven §3-53"

struct complaint_state {
	char		id[DROP_ID_LEN];
};

static int	list_check(struct drop_ctx *);
static int	list_start(struct drop_ctx *);
static int	list_done(struct drop_ctx *);
static int	add_check(struct drop_ctx *);
static int	add_start(struct drop_ctx *);
static int	add_done(struct drop_ctx *);

static const struct drop_field add_fields[] = {
	{ "category",		DROP_T_STRING,	1 },
	{ "subject",		DROP_T_STRING,	1 },
	{ "description",	DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method methods[] = {
	{ HTTP_METHOD_GET, DROP_AUTH, NULL, list_check, list_start },
	{ HTTP_METHOD_POST, DROP_AUTH | DROP_BODY, add_fields, add_check,
	    add_start },
	{ 0, 0, NULL, NULL, NULL }
};

static const struct drop_route route = {
	"complaints", methods, sizeof(struct complaint_state), NULL
};

#define COMPLAINT_COLUMNS \
    "id, category, subject, description, status, resolution, " \
    "iso(created_at) AS created, iso(resolved_at) AS resolved"

static const char	sql_list[] =
    "WITH page AS (SELECT " COMPLAINT_COLUMNS ", created_at FROM complaints "
    "WHERE user_id = $1 AND "
    "(created_at, id) < (drop_us_ts($4::bigint), $5::text) "
    "ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3) "
    "SELECT (SELECT count(*) FROM complaints WHERE user_id = $1) AS total, "
    "p.*, drop_ts_us(p.created_at) AS cursor_us "
    "FROM (SELECT 1) one LEFT JOIN page p ON true "
    "ORDER BY p.created_at DESC, p.id DESC";

static const char	sql_add[] =
    "INSERT INTO complaints (id, user_id, category, subject, description) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING " COMPLAINT_COLUMNS;

int
api_complaints(struct http_request *req)
{
	return (drop_serve(req, &route));
}

static const struct drop_colmap complaint_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "category",		"category",		DROP_COL_TEXT },
	{ "subject",		"subject",		DROP_COL_TEXT },
	{ "description",	"description",		DROP_COL_TEXT },
	{ "status",		"status",		DROP_COL_TEXT },
	{ "resolution",		"resolution",		DROP_COL_TEXT },
	{ "created_at",		"created",		DROP_COL_TEXT },
	{ "resolved_at",	"resolved",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static int
list_check(struct drop_ctx *ctx)
{
	return (drop_page_args(ctx, 10, 100));
}

static int
list_start(struct drop_ctx *ctx)
{
	return (drop_page_query(ctx, sql_list, list_done));
}

static int
list_done(struct drop_ctx *ctx)
{
	return (drop_reply_page_rows(ctx, complaint_map, NULL));
}

/* Lengths in characters, after sanitizing (trimmed, controls removed). */
static int
add_check(struct drop_ctx *ctx)
{
	const char	*subject, *description;
	size_t		 n;

	if ((subject = drop_text(ctx, "subject")) != NULL &&
	    ((n = drop_utf8_len(subject)) < 1 || n > 200))
		drop_detail(ctx, "subject", "must be 1-200 characters");
	if ((description = drop_text(ctx, "description")) != NULL &&
	    ((n = drop_utf8_len(description)) < 1 || n > 2000))
		drop_detail(ctx, "description", "must be 1-2000 characters");

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
