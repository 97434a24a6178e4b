/*
 * GET /api/users/me: the caller with their bank accounts and the total of
 * the NOK ones; PATCH changes their names and phone (audited, the same
 * answer as GET).
 */

#include <stdlib.h>
#include <string.h>

#include "api.h"

static int	me_start(struct drop_ctx *);
static int	me_done(struct drop_ctx *);
static int	edit_check(struct drop_ctx *);
static int	edit_start(struct drop_ctx *);
static int	edit_done(struct drop_ctx *);

static const struct drop_field edit_fields[] = {
	{ "firstName",		DROP_T_STRING,	0 },
	{ "lastName",		DROP_T_STRING,	0 },
	{ "phone",		DROP_T_STRING,	0 },
	{ NULL, 0, 0 }
};

static const struct drop_method me_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH, .start = me_start },
	{ .method = HTTP_METHOD_PATCH, .flags = DROP_AUTH | DROP_BODY,
	    .fields = edit_fields, .check = edit_check, .start = edit_start },
	{ .method = 0 }
};

static const struct drop_route me_route = {
	.name = "users.me",
	.methods = me_methods,
};

static const char	sql_me[] =
    "SELECT u.*, " DROP_ACCOUNT_COLUMNS("b.") " "
    "FROM user_view u LEFT JOIN bank_accounts b ON b.user_id = u.id "
    "AND b.deleted_at IS NULL WHERE u.id = $1 ORDER BY b.created_at, b.id";

/* What is given changes; the old and new values go to the audit log. */
static const char	sql_edit[] =
    "WITH old AS (SELECT id, first_name, last_name, phone FROM users WHERE "
    "id = $1 AND deleted_at IS NULL FOR UPDATE), "
    "upd AS (UPDATE users u SET first_name = coalesce($2, u.first_name), "
    "last_name = coalesce($3, u.last_name), phone = coalesce($4, u.phone), "
    "updated_at = now() FROM old WHERE u.id = old.id RETURNING u.*), "
    "aud AS (INSERT INTO audit_log (actor, action, entity, entity_id, "
    "before, after, request_id) SELECT old.id, 'user.profile', 'user', "
    "old.id, jsonb_build_object('firstName', old.first_name, 'lastName', "
    "old.last_name, 'phone', old.phone), jsonb_build_object('firstName', "
    "upd.first_name, 'lastName', upd.last_name, 'phone', upd.phone), $5 "
    "FROM old, upd) SELECT id FROM upd";

DROP_ROUTE(api_users_me, me_route);
static int
me_start(struct drop_ctx *ctx)
{
	return (drop_user_query(ctx, sql_me, me_done));
}

static int
me_done(struct drop_ctx *ctx)
{
	json_t		*user, *accounts;
	const char	*currency;
	int64_t		 total;
	int		 row, rows;

	if ((rows = drop_rows(ctx)) < 1)
		return (drop_error(ctx, 401, "unauthorized",
		    "Session expired or revoked"));

	user = drop_user_json(ctx, 0, DROP_USER_ME);
	accounts = json_array();
	total = 0;
	for (row = 0; row < rows; row++) {
		if (drop_col_null(ctx, row, "ba_id"))
			continue;
		currency = drop_col(ctx, row, "currency");
		if (currency != NULL && !strcmp(currency, "NOK"))
			total += drop_col_int(ctx, row, "balance");
		json_array_append_new(accounts, drop_account_json(ctx, row));
	}
	json_object_set_new(user, "totalBalance", drop_json_money(total));
	json_object_set_new(user, "bankAccounts", accounts);

	return (drop_reply(ctx, 200, user));
}

/* Something to change. */
static int
edit_check(struct drop_ctx *ctx)
{
	if (json_object_size(ctx->body) == 0)
		drop_detail(ctx, "body", "give firstName, lastName or phone");

	return (0);
}

static int
edit_start(struct drop_ctx *ctx)
{
	const char	*params[5];

	params[0] = ctx->sess.user_id;
	params[1] = drop_text(ctx, "firstName");
	params[2] = drop_text(ctx, "lastName");
	params[3] = drop_text(ctx, "phone");
	params[4] = ctx->reqid;

	return (drop_sql(ctx, sql_edit, 5, params, edit_done));
}

/* Changed: the answer is GET's, read after the change. */
static int
edit_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 401, "unauthorized",
		    "Session expired or revoked"));

	return (me_start(ctx));
}
