/*
 * The internal routes of feature flags (§12): list them, read one, set one
 * (audited in the same statement). Their state lives in core/flags.c.
 */

#include <string.h>

#include "drop.h"

struct flag_state {
	const char	*name;
};

static int	list_start(struct drop_ctx *);
static int	list_done(struct drop_ctx *);
static int	one_start(struct drop_ctx *);
static int	put_start(struct drop_ctx *);
static int	one_done(struct drop_ctx *);

static const struct drop_field put_fields[] = {
	{ "enabled",	DROP_T_BOOL,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method list_methods[] = {
	{ .method = HTTP_METHOD_GET, .ops = DROP_OPS_ALL, .start = list_start },
	{ .method = 0 }
};

static const struct drop_method one_methods[] = {
	{ .method = HTTP_METHOD_GET, .ops = DROP_OPS_ALL, .start = one_start },
	{ .method = HTTP_METHOD_PUT, .flags = DROP_BODY, .ops = DROP_OP_ADMIN,
	    .fields = put_fields, .start = put_start },
	{ .method = 0 }
};

static const struct drop_route list_route = {
	.name = "internal.flags",
	.methods = list_methods,
};
static const struct drop_route one_route = {
	.name = "internal.flag",
	.methods = one_methods,
	.datalen = sizeof(struct flag_state),
};

static const char	sql_list[] =
    "SELECT name, enabled FROM feature_flags ORDER BY name";

static const char	sql_one[] =
    "SELECT name, enabled FROM feature_flags WHERE name = $1";

static const char	sql_put[] =
    "WITH old AS (SELECT name, enabled FROM feature_flags WHERE name = $1 "
    "FOR UPDATE), "
    "upd AS (UPDATE feature_flags f SET enabled = $2::boolean, "
    "updated_at = now() FROM old WHERE f.name = old.name "
    "RETURNING f.name, f.enabled), "
    "aud AS (INSERT INTO audit_log (actor, action, entity, entity_id, "
    "before, after, request_id) SELECT $4, 'flag.set', 'flag', "
    "upd.name, jsonb_build_object('enabled', old.enabled), "
    "jsonb_build_object('enabled', upd.enabled), $3 FROM upd, old) "
    "SELECT name, enabled FROM upd";

DROP_ROUTE(internal_flags, list_route);
DROP_ROUTE(internal_flag, one_route);

static int
list_start(struct drop_ctx *ctx)
{
	return (drop_sql(ctx, sql_list, 0, NULL, list_done));
}

/* Only known flags are shown, each once, as name: enabled. */
static int
list_done(struct drop_ctx *ctx)
{
	json_t		*data;
	int		 row;

	data = json_object();
	for (row = 0; row < drop_rows(ctx); row++) {
		if (drop_flag_name(drop_col(ctx, row, "name")) == NULL)
			continue;
		json_object_set_new(data, drop_col(ctx, row, "name"),
		    json_boolean(drop_col_bool(ctx, row, "enabled")));
	}

	return (drop_reply(ctx, 200, data));
}

/* The flag named by the last path segment, or a 404. */
static int
flag_from_path(struct drop_ctx *ctx)
{
	struct flag_state	*st = ctx->data;
	const char		*name;

	name = strrchr(ctx->req->path, '/');
	st->name = drop_flag_name(name != NULL ? name + 1 : NULL);

	return (st->name != NULL);
}

static int
one_start(struct drop_ctx *ctx)
{
	struct flag_state	*st = ctx->data;
	const char		*params[1];

	if (!flag_from_path(ctx))
		return (drop_error(ctx, 404, "not_found", "Flag not found"));
	params[0] = st->name;

	return (drop_sql(ctx, sql_one, 1, params, one_done));
}

static int
put_start(struct drop_ctx *ctx)
{
	struct flag_state	*st = ctx->data;
	const char		*params[4];

	if (!flag_from_path(ctx))
		return (drop_error(ctx, 404, "not_found", "Flag not found"));
	params[0] = st->name;
	params[1] = json_is_true(drop_field(ctx, "enabled")) ? "true" : "false";
	params[2] = ctx->reqid;
	params[3] = ctx->sess.operator_id;

	return (drop_sql(ctx, sql_put, 4, params, one_done));
}

static int
one_done(struct drop_ctx *ctx)
{
	json_t		*data;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "Flag not found"));
	data = json_object();
	json_object_set_new(data, "name", json_string(drop_col(ctx, 0, "name")));
	json_object_set_new(data, "enabled",
	    json_boolean(drop_col_bool(ctx, 0, "enabled")));

	return (drop_reply(ctx, 200, data));
}
