/*
 * Settings (§11): defaults created on first read (race-free, in SQL), and
 * whitelisted updates; booleans must be JSON booleans.
 */

#include <string.h>

#include "drop.h"

static int	get_start(struct drop_ctx *);
static int	update_check(struct drop_ctx *);
static int	update_start(struct drop_ctx *);
static int	settings_done(struct drop_ctx *);

static const struct drop_field update_fields[] = {
	{ "currency",		DROP_T_STRING,	0 },
	{ "language",		DROP_T_STRING,	0 },
	{ "pushEnabled",	DROP_T_BOOL,	0 },
	{ "emailEnabled",	DROP_T_BOOL,	0 },
	{ NULL, 0, 0 }
};

static const struct drop_method methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH, .start = get_start },
	{ .method = HTTP_METHOD_PATCH, .flags = DROP_AUTH | DROP_BODY,
	    .fields = update_fields, .check = update_check,
	    .start = update_start },
	{ .method = 0 }
};

static const struct drop_route route = {
	.name = "settings",
	.methods = methods,
};

static const char	sql_get[] =
    "SELECT currency, language, push_enabled, email_enabled "
    "FROM drop_settings($1)";

static const char	sql_update[] =
    "SELECT currency, language, push_enabled, email_enabled "
    "FROM drop_settings_update($1, $2, $3, $4::boolean, $5::boolean)";

DROP_ROUTE(api_settings, route);
static const struct drop_colmap settings_map[] = {
	{ "currency",		"currency",		DROP_COL_TEXT },
	{ "language",		"language",		DROP_COL_TEXT },
	{ "pushEnabled",	"push_enabled",		DROP_COL_BOOL },
	{ "emailEnabled",	"email_enabled",	DROP_COL_BOOL },
	{ NULL, NULL, 0 }
};

static int
get_start(struct drop_ctx *ctx)
{
	return (drop_user_query(ctx, sql_get, settings_done));
}

/* Something to change is required. */
static int
update_check(struct drop_ctx *ctx)
{
	const struct drop_field	*f;

	for (f = update_fields; f->name != NULL; f++) {
		if (drop_field(ctx, f->name) != NULL)
			return (0);
	}
	drop_detail(ctx, "body", "give at least one of currency, language, "
	    "pushEnabled, emailEnabled");

	return (0);
}

static const char *
bool_param(struct drop_ctx *ctx, const char *name)
{
	json_t		*v;

	if ((v = drop_field(ctx, name)) == NULL)
		return (NULL);
	return (json_is_true(v) ? "true" : "false");
}

static int
update_start(struct drop_ctx *ctx)
{
	const char	*params[5];

	params[0] = ctx->sess.user_id;
	params[1] = drop_text(ctx, "currency");
	params[2] = drop_text(ctx, "language");
	params[3] = bool_param(ctx, "pushEnabled");
	params[4] = bool_param(ctx, "emailEnabled");

	return (drop_sql(ctx, sql_update, 5, params, settings_done));
}

static int
settings_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "settings: no row"));

	return (drop_reply(ctx, 200, drop_row_json(ctx, 0, settings_map, NULL)));
}
