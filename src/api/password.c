/*
 * The account's password (issue 20): changed with the current one (PUT
 * /api/users/me/password; every other session revoked, the user told),
 * or, when forgotten, reset through a single-use link sent by e-mail
 * (POST /api/auth/password-reset, the same answer whether or not the
 * address has an account; POST /api/auth/password-reset/confirm with the
 * link's token and the new password). The rules are in SQL
 * (sql/functions/016_mail.sql); hashing runs off the event loop.
 */

#include <string.h>

#include "drop.h"

#define RESET_ASKED	"If an account has this address, we have sent it " \
    "a link to choose a new password. It works once, for 30 minutes."

struct password_state {
	char		hash[128];
	char		token[DROP_CSRF_LEN + 1];
};

static int	change_start(struct drop_ctx *);
static int	change_verified(struct drop_ctx *);
static int	change_hashed(struct drop_ctx *);
static int	change_done(struct drop_ctx *);
static int	ask_start(struct drop_ctx *);
static int	ask_done(struct drop_ctx *);
static int	confirm_check(struct drop_ctx *);
static int	confirm_start(struct drop_ctx *);
static int	confirm_hashed(struct drop_ctx *);
static int	confirm_done(struct drop_ctx *);
static void	password_cleanup(struct drop_ctx *);

static const struct drop_field change_fields[] = {
	{ "currentPassword",	DROP_T_SECRET,	1 },
	{ "newPassword",	DROP_T_SECRET,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_field ask_fields[] = {
	{ "email",		DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_field confirm_fields[] = {
	{ "token",		DROP_T_SECRET,	1 },
	{ "password",		DROP_T_SECRET,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method change_methods[] = {
	{ .method = HTTP_METHOD_PUT, .flags = DROP_AUTH | DROP_BODY |
	    DROP_RL_AUTH, .fields = change_fields, .start = change_start },
	{ .method = 0 }
};
static const struct drop_method ask_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY | DROP_RL_AUTH,
	    .fields = ask_fields, .start = ask_start },
	{ .method = 0 }
};
static const struct drop_method confirm_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY | DROP_RL_AUTH,
	    .fields = confirm_fields, .check = confirm_check,
	    .start = confirm_start },
	{ .method = 0 }
};

static const struct drop_route change_route = {
	.name = "users.me.password",
	.methods = change_methods,
	.datalen = sizeof(struct password_state),
	.cleanup = password_cleanup,
};
static const struct drop_route ask_route = {
	.name = "auth.password_reset",
	.methods = ask_methods,
	.datalen = sizeof(struct password_state),
	.cleanup = password_cleanup,
};
static const struct drop_route confirm_route = {
	.name = "auth.password_reset.confirm",
	.methods = confirm_methods,
	.datalen = sizeof(struct password_state),
	.cleanup = password_cleanup,
};

static const char	sql_change[] =
    "SELECT drop_password_set($1, $2, $3, 'password.change') AS revoked";
static const char	sql_ask[] =
    "SELECT drop_reset_request($1, $2, $3)";
static const char	sql_confirm[] =
    "SELECT drop_reset_confirm($1, $2) AS user_id";

DROP_ROUTE(api_users_me_password, change_route);
DROP_ROUTE(api_password_reset, ask_route);
DROP_ROUTE(api_password_reset_confirm, confirm_route);

/* Hashes and tokens do not outlive the request. */
static void
password_cleanup(struct drop_ctx *ctx)
{
	struct password_state	*st = ctx->data;

	if (st != NULL)
		explicit_bzero(st, sizeof(*st));
}

static int
change_start(struct drop_ctx *ctx)
{
	return (drop_reauth(ctx, "currentPassword", change_verified));
}

/* The current password matched: the new one is hashed. */
static int
change_verified(struct drop_ctx *ctx)
{
	return (drop_passwd_hash(ctx, drop_text(ctx, "newPassword"),
	    change_hashed));
}

static int
change_hashed(struct drop_ctx *ctx)
{
	struct password_state	*st = ctx->data;
	const char		*params[3];

	if (drop_passwd_result(ctx, st->hash, sizeof(st->hash)) != 0)
		return (drop_fail_internal(ctx, "password hashing failed"));
	params[0] = ctx->sess.user_id;
	params[1] = st->hash;
	params[2] = ctx->sess.session_id;

	return (drop_sql(ctx, sql_change, 3, params, change_done));
}

static int
change_done(struct drop_ctx *ctx)
{
	json_t		*obj;

	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "password change: no row"));
	obj = json_object();
	json_object_set_new(obj, "message", json_string("Password changed; "
	    "every other device is signed out"));
	json_object_set_new(obj, "sessionsRevoked",
	    json_integer(drop_col_int(ctx, 0, "revoked")));

	return (drop_reply_obj(ctx, 200, obj));
}

/* A token for the link; SQL keeps its hash only if the account exists. */
static int
ask_start(struct drop_ctx *ctx)
{
	struct password_state	*st = ctx->data;
	const char		*params[3];

	if (drop_random_token(st->token, sizeof(st->token)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	params[0] = drop_text(ctx, "email");
	params[1] = st->token;
	params[2] = drop_cfg.public_url;

	return (drop_sql(ctx, sql_ask, 3, params, ask_done));
}

/* The same answer, known address or not. */
static int
ask_done(struct drop_ctx *ctx)
{
	json_t		*obj;

	obj = json_object();
	json_object_set_new(obj, "message", json_string(RESET_ASKED));

	return (drop_reply_obj(ctx, 202, obj));
}

/* A token of the shape Drop makes; anything else is known bad at once. */
static int
confirm_check(struct drop_ctx *ctx)
{
	const char	*token;

	if ((token = drop_text(ctx, "token")) != NULL &&
	    !drop_token_valid(token, DROP_CSRF_LEN))
		drop_detail(ctx, "token", "is not a reset link's token");

	return (0);
}

static int
confirm_start(struct drop_ctx *ctx)
{
	return (drop_passwd_hash(ctx, drop_text(ctx, "password"),
	    confirm_hashed));
}

static int
confirm_hashed(struct drop_ctx *ctx)
{
	struct password_state	*st = ctx->data;
	const char		*params[2];

	if (drop_passwd_result(ctx, st->hash, sizeof(st->hash)) != 0)
		return (drop_fail_internal(ctx, "password hashing failed"));
	params[0] = drop_text(ctx, "token");
	params[1] = st->hash;

	return (drop_sql(ctx, sql_confirm, 2, params, confirm_done));
}

static int
confirm_done(struct drop_ctx *ctx)
{
	json_t		*obj;

	if (drop_rows(ctx) != 1 || drop_col_null(ctx, 0, "user_id"))
		return (drop_error(ctx, 400, "bad_request", "This reset link "
		    "is unknown, used or older than 30 minutes; ask for a "
		    "new one"));
	obj = json_object();
	json_object_set_new(obj, "message", json_string("Password changed; "
	    "sign in with the new one"));

	return (drop_reply_obj(ctx, 200, obj));
}
