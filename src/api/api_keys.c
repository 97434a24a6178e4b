/*
 * Merchant API keys (issue 19): a shop owner, signed in, creates a key
 * (POST /api/merchants/api-keys {name?, scopes}; the key is shown in that
 * answer only, and only its SHA-256 is kept), lists them and revokes one
 * (DELETE .../{id}), which is refused from the next request on. The
 * merchant routes that name a scope take X-API-Key (core/session.c).
 */

#include <string.h>

#include "drop.h"

#define KEYS_LIVE_MAX	20	/* live keys a shop may hold */
#define KEYS_SHOWN	100	/* keys listed, newest first (sql_list) */

struct key_state {
	char		 id[DROP_ID_LEN];
	char		 key[DROP_APIKEY_LEN + 1];
	char		 hash[65];
	char		 name[401];
	char		 scopes[80];	/* as a SQL array literal */
};

static int	create_check(struct drop_ctx *);
static int	create_start(struct drop_ctx *);
static int	create_done(struct drop_ctx *);
static int	list_start(struct drop_ctx *);
static int	list_done(struct drop_ctx *);
static int	revoke_start(struct drop_ctx *);
static int	revoke_done(struct drop_ctx *);
static void	key_cleanup(struct drop_ctx *);

static const struct drop_field create_fields[] = {
	{ "name",	DROP_T_STRING,	0 },
	{ "scopes",	DROP_T_ARRAY,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method keys_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_MERCHANT |
	    DROP_BODY, .fields = create_fields, .check = create_check,
	    .start = create_start },
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH | DROP_MERCHANT,
	    .start = list_start },
	{ .method = 0 }
};

static const struct drop_method key_methods[] = {
	{ .method = HTTP_METHOD_DELETE, .flags = DROP_AUTH | DROP_MERCHANT,
	    .start = revoke_start },
	{ .method = 0 }
};

static const struct drop_route keys_route = {
	.name = "merchants.api_keys",
	.methods = keys_methods,
	.datalen = sizeof(struct key_state),
	.cleanup = key_cleanup,
};
static const struct drop_route key_route = {
	.name = "merchants.api_key",
	.methods = key_methods,
	.datalen = sizeof(struct key_state),
};

static const struct drop_colmap key_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "name",		"name",			DROP_COL_TEXT },
	{ "prefix",		"prefix",		DROP_COL_TEXT },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ "lastUsedAt",		"last_used",		DROP_COL_TEXT },
	{ "revokedAt",		"revoked",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const char *const scopes_known[] = {
	DROP_SCOPE_PAYMENTS_READ, DROP_SCOPE_REFUNDS_WRITE,
	DROP_SCOPE_REQUESTS_WRITE, NULL
};

static const char	sql_create[] =
    "SELECT * FROM drop_api_key_create($1, $2, $3, $4::text[], $5, "
    "$6::int, $7)";
static const char	sql_list[] =
    "SELECT k.id, k.name, 'dk_' || substr(k.id, 5) AS prefix, "
    "array_to_json(k.scopes)::text AS scopes, iso(k.created_at) AS "
    "created, iso(k.last_used_at) AS last_used, iso(k.revoked_at) AS "
    "revoked FROM api_keys k JOIN merchants m ON m.id = k.merchant_id "
    "WHERE m.user_id = $1 ORDER BY k.created_at DESC, k.id LIMIT 100";
static const char	sql_revoke[] =
    "WITH r AS (UPDATE api_keys k SET revoked_at = now() FROM merchants m "
    "WHERE k.id = $1 AND m.id = k.merchant_id AND m.user_id = $2 AND "
    "k.revoked_at IS NULL RETURNING k.id), "
    "aud AS (INSERT INTO audit_log (actor, action, entity, entity_id, "
    "request_id) SELECT $2, 'merchant.api_key.revoke', 'api_key', r.id, $3 "
    "FROM r) SELECT id FROM r";

DROP_ROUTE(api_merchant_api_keys, keys_route);
DROP_ROUTE(api_merchant_api_key, key_route);

/* The secret leaves no copy behind in the request's memory. */
static void
key_cleanup(struct drop_ctx *ctx)
{
	struct key_state	*st = ctx->data;

	explicit_bzero(st->key, sizeof(st->key));
}

/* 1-3 known scopes, each once, as {a,b}; a name of at most 100. */
static int
create_check(struct drop_ctx *ctx)
{
	struct key_state	*st = ctx->data;
	const char		*name;

	if ((name = drop_text(ctx, "name")) == NULL)
		name = "API key";
	if (drop_utf8_len(name) > 100 || drop_utf8_cut(name, 100, st->name,
	    sizeof(st->name)) != 0 || st->name[0] == '\0')
		drop_detail(ctx, "name", "must be 1-100 characters");
	(void)drop_field_set(ctx, "scopes", scopes_known,
	    "must name 1 to 3 scopes", "must be payments:read, "
	    "refunds:write or requests:write, each once", st->scopes,
	    sizeof(st->scopes));

	return (0);
}

static int
create_start(struct drop_ctx *ctx)
{
	struct key_state	*st = ctx->data;
	const char		*params[7];
	char			 max[8];

	if (drop_apikey_new(st->key, sizeof(st->key), st->id,
	    sizeof(st->id)) != 0 ||
	    drop_sha256_hex(st->key, st->hash, sizeof(st->hash)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	(void)snprintf(max, sizeof(max), "%d", KEYS_LIVE_MAX);
	params[0] = ctx->sess.user_id;
	params[1] = st->id;
	params[2] = st->name;
	params[3] = st->scopes;
	params[4] = st->hash;
	params[5] = max;
	params[6] = ctx->reqid;

	return (drop_sql(ctx, sql_create, 7, params, create_done));
}

/* The one answer that carries the key. */
static int
create_done(struct drop_ctx *ctx)
{
	struct key_state	*st = ctx->data;
	const char		*code;
	json_t			*data, *scopes;
	char			 prefix[4 + DROP_ID_HEX];

	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "api key: no row"));
	if ((code = drop_col(ctx, 0, "code")) != NULL &&
	    !strcmp(code, "too_many"))
		return (drop_error(ctx, 409, "conflict", "A shop may hold "
		    "at most " DROP_STR(KEYS_LIVE_MAX) " live API keys; "
		    "revoke one"));
	if (code != NULL)
		return (drop_error(ctx, 404, "not_found",
		    "Merchant not found"));
	(void)snprintf(prefix, sizeof(prefix), "dk_%s", st->id + 4);
	scopes = json_deep_copy(drop_field(ctx, "scopes"));
	data = json_object();
	json_object_set_new(data, "id", json_string(st->id));
	json_object_set_new(data, "name", json_string(st->name));
	json_object_set_new(data, "prefix", json_string(prefix));
	json_object_set_new(data, "scopes", scopes);
	json_object_set_new(data, "createdAt",
	    drop_json_text(drop_col(ctx, 0, "created")));
	json_object_set_new(data, "lastUsedAt", json_null());
	json_object_set_new(data, "revokedAt", json_null());
	json_object_set_new(data, "key", json_string(st->key));

	return (drop_reply(ctx, 201, data));
}

static int
list_start(struct drop_ctx *ctx)
{
	return (drop_user_query(ctx, sql_list, list_done));
}

static int
list_done(struct drop_ctx *ctx)
{
	json_t		*data, *k;
	json_error_t	 err;
	int		 row;

	data = json_array();
	for (row = 0; row < drop_rows(ctx) && row < KEYS_SHOWN; row++) {
		k = drop_row_json(ctx, row, key_map, NULL);
		json_object_set_new(k, "scopes", json_loads(drop_col(ctx, row,
		    "scopes"), 0, &err));
		json_array_append_new(data, k);
	}

	return (drop_reply(ctx, 200, data));
}

static int
revoke_start(struct drop_ctx *ctx)
{
	struct key_state	*st = ctx->data;
	const char		*params[3];

	if (!drop_path_id(ctx, 3, "key_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found", "API key not found"));
	params[0] = st->id;
	params[1] = ctx->sess.user_id;
	params[2] = ctx->reqid;

	return (drop_sql(ctx, sql_revoke, 3, params, revoke_done));
}

static int
revoke_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "API key not found"));

	return (drop_reply_obj(ctx, 204, NULL));
}
