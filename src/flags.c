/*
 * Feature flags (§10, §12): the known flags and their defaults, the
 * worker's copy (loaded by cache.c with the rates, every 500 ms), and the
 * internal routes that list and set them (audited).
 */

#include <string.h>

#include "drop.h"

int	internal_flags(struct http_request *);
int	internal_flag(struct http_request *);

struct flag {
	const char	*name;
	int		 bit;
	int		 enabled;	/* the default until the first load */
};

/* Card flags default off; notifications on (contract §10). */
static struct flag	flags[] = {
	{ "cards",		DROP_FLAG_CARDS,		0 },
	{ "physicalCards",	DROP_FLAG_PHYSICAL_CARDS,	0 },
	{ "cardPin",		DROP_FLAG_CARD_PIN,		0 },
	{ "spendingLimits",	DROP_FLAG_SPENDING_LIMITS,	0 },
	{ "notifications",	DROP_FLAG_NOTIFICATIONS,	1 },
	{ NULL,			0,				0 }
};

struct flag_state {
	const struct flag	*flag;
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
	{ HTTP_METHOD_GET, DROP_ADMIN, NULL, NULL, list_start },
	{ 0, 0, NULL, NULL, NULL }
};

static const struct drop_method one_methods[] = {
	{ HTTP_METHOD_GET, DROP_ADMIN, NULL, NULL, one_start },
	{ HTTP_METHOD_PUT, DROP_ADMIN | DROP_BODY, put_fields, NULL,
	    put_start },
	{ 0, 0, NULL, NULL, NULL }
};

static const struct drop_route list_route = {
	"internal.flags", list_methods, 0, NULL
};
static const struct drop_route one_route = {
	"internal.flag", one_methods, sizeof(struct flag_state), NULL
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
    "before, after, request_id) SELECT 'admin', 'flag.set', 'flag', "
    "upd.name, jsonb_build_object('enabled', old.enabled), "
    "jsonb_build_object('enabled', upd.enabled), $3 FROM upd, old) "
    "SELECT name, enabled FROM upd";

int
internal_flags(struct http_request *req)
{
	return (drop_serve(req, &list_route));
}

int
internal_flag(struct http_request *req)
{
	return (drop_serve(req, &one_route));
}

static const struct flag *
flag_find(const char *name)
{
	const struct flag	*f;

	for (f = flags; name != NULL && f->name != NULL; f++) {
		if (!strcmp(f->name, name))
			return (f);
	}

	return (NULL);
}

/* One row of the cache refresh; unknown names are ignored. */
void
drop_flag_load(const char *name, int enabled)
{
	struct flag	*f;

	for (f = flags; f->name != NULL; f++) {
		if (!strcmp(f->name, name))
			f->enabled = enabled;
	}
}

/* 1 when every flag in mask is on in this worker's copy. */
int
drop_flags_on(int mask)
{
	const struct flag	*f;

	for (f = flags; f->name != NULL; f++) {
		if ((mask & f->bit) && !f->enabled)
			return (0);
	}

	return (1);
}

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
		if (flag_find(drop_col(ctx, row, "name")) == NULL)
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
	st->flag = flag_find(name != NULL ? name + 1 : NULL);

	return (st->flag != NULL);
}

static int
one_start(struct drop_ctx *ctx)
{
	struct flag_state	*st = ctx->data;
	const char		*params[1];

	if (!flag_from_path(ctx))
		return (drop_error(ctx, 404, "not_found", "Flag not found"));
	params[0] = st->flag->name;

	return (drop_sql(ctx, sql_one, 1, params, one_done));
}

static int
put_start(struct drop_ctx *ctx)
{
	struct flag_state	*st = ctx->data;
	const char		*params[3];

	if (!flag_from_path(ctx))
		return (drop_error(ctx, 404, "not_found", "Flag not found"));
	params[0] = st->flag->name;
	params[1] = json_is_true(drop_field(ctx, "enabled")) ? "true" : "false";
	params[2] = ctx->reqid;

	return (drop_sql(ctx, sql_put, 3, params, one_done));
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
