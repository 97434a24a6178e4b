/*
 * POST /internal/users/{id}/kyc (§12): an operator approves or rejects a
 * user's identity check; the audit_log row is written in the same
 * statement as the change.
 */

#include <string.h>

#include "drop.h"

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
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY, .ops = DROP_OPS_AUDIT,
	    .fields = kyc_fields, .start = kyc_start },
	{ .method = 0 }
};

static const struct drop_route kyc_route = {
	.name = "internal.kyc",
	.methods = kyc_methods,
	.datalen = sizeof(struct kyc_state),
};

static const char	sql_kyc[] =
    "WITH old AS (SELECT id, kyc_status FROM users WHERE id = $1 "
    "AND deleted_at IS NULL FOR UPDATE), "
    "upd AS (UPDATE users u SET kyc_status = $2, updated_at = now() "
    "FROM old WHERE u.id = old.id RETURNING u.id, u.kyc_status), "
    "aud AS (INSERT INTO audit_log (actor, action, entity, entity_id, "
    "before, after, request_id) SELECT $4, 'user.kyc', 'user', upd.id, "
    "jsonb_build_object('kycStatus', old.kyc_status), "
    "jsonb_build_object('kycStatus', upd.kyc_status), $3 FROM upd, old) "
    "SELECT id, kyc_status FROM upd";

DROP_ROUTE(internal_user_kyc, kyc_route);

static int
kyc_start(struct drop_ctx *ctx)
{
	struct kyc_state	*st = ctx->data;
	const char		*params[4];

	if (!drop_path_id(ctx, 2, "usr_", st->user_id, sizeof(st->user_id)))
		return (drop_error(ctx, 404, "not_found", "User not found"));
	params[0] = st->user_id;
	params[1] = drop_text(ctx, "status");
	params[2] = ctx->reqid;
	params[3] = ctx->sess.operator_id;

	return (drop_sql(ctx, sql_kyc, 4, params, kyc_done));
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
