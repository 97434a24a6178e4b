/*
 * The internal listener (§12): admin-token routes. Every change writes its
 * audit_log row in the same statement as the change itself.
 */

#include <string.h>

#include "drop.h"

int	internal_user_kyc(struct http_request *);
int	drop_not_found(struct http_request *);

struct kyc_state {
	char		user_id[DROP_ID_LEN];
};

static int	kyc_start(struct drop_ctx *);
static int	kyc_done(struct drop_ctx *);

static const struct drop_field kyc_fields[] = {
	{ "status",	DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method kyc_methods[] = {
	{ HTTP_METHOD_POST, DROP_ADMIN | DROP_BODY, kyc_fields, NULL,
	    kyc_start },
	{ 0, 0, NULL, NULL, NULL }
};

static const struct drop_route kyc_route = {
	"internal.kyc", kyc_methods, sizeof(struct kyc_state), NULL
};

const struct drop_route drop_not_found_route = {
	"not_found", NULL, 0, NULL
};

static const char	sql_kyc[] =
    "WITH old AS (SELECT id, kyc_status FROM users WHERE id = $1 "
    "AND deleted_at IS NULL FOR UPDATE), "
    "upd AS (UPDATE users u SET kyc_status = $2, updated_at = now() "
    "FROM old WHERE u.id = old.id RETURNING u.id, u.kyc_status), "
    "aud AS (INSERT INTO audit_log (actor, action, entity, entity_id, "
    "before, after, request_id) SELECT 'admin', 'user.kyc', 'user', upd.id, "
    "jsonb_build_object('kycStatus', old.kyc_status), "
    "jsonb_build_object('kycStatus', upd.kyc_status), $3 FROM upd, old) "
    "SELECT id, kyc_status FROM upd";

int
internal_user_kyc(struct http_request *req)
{
	return (drop_serve(req, &kyc_route));
}

/* Everything no route claims: the JSON 404. */
int
drop_not_found(struct http_request *req)
{
	return (drop_serve(req, &drop_not_found_route));
}

static int
kyc_start(struct drop_ctx *ctx)
{
	struct kyc_state	*st = ctx->data;
	const char		*params[3];

	if (!drop_path_id(ctx, 2, "usr_", st->user_id, sizeof(st->user_id)))
		return (drop_error(ctx, 404, "not_found", "User not found"));
	params[0] = st->user_id;
	params[1] = drop_text(ctx, "status");
	params[2] = ctx->reqid;

	return (drop_sql(ctx, sql_kyc, 3, params, kyc_done));
}

static int
kyc_done(struct drop_ctx *ctx)
{
	json_t		*data;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "User not found"));
	data = json_object();
	json_object_set_new(data, "id", json_string(drop_col(ctx, 0, "id")));
	json_object_set_new(data, "kycStatus",
	    json_string(drop_col(ctx, 0, "kyc_status")));

	return (drop_reply(ctx, 200, data));
}
