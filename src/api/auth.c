/*
 * Auth: register, login, logout, refresh and CSRF tokens (contract §2, §4).
 */

#include <stdlib.h>
#include <string.h>

#include "api.h"

struct auth_state {
	char		user_id[DROP_ID_LEN];
	char		session_id[DROP_ID_LEN];
	char		noti_id[DROP_ID_LEN];
	char		hash[128];
	int		known;
};

static int	register_start(struct drop_ctx *);
static int	register_hashed(struct drop_ctx *);
static int	register_done(struct drop_ctx *);
static int	login_start(struct drop_ctx *);
static int	login_found(struct drop_ctx *);
static int	login_checked(struct drop_ctx *);
static int	login_failed(struct drop_ctx *);
static int	login_done(struct drop_ctx *);
static int	logout_start(struct drop_ctx *);
static int	logout_done(struct drop_ctx *);
static int	refresh_start(struct drop_ctx *);
static int	refresh_done(struct drop_ctx *);
static int	csrf_start(struct drop_ctx *);
static int	reply_with_session(struct drop_ctx *, int, json_t *);

static const struct drop_field register_fields[] = {
	{ "email",		DROP_T_STRING,	1 },
	{ "password",		DROP_T_SECRET,	1 },
	{ "firstName",		DROP_T_STRING,	1 },
	{ "lastName",		DROP_T_STRING,	1 },
	{ "phone",		DROP_T_STRING,	0 },
	{ "dateOfBirth",	DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_field login_fields[] = {
	{ "email",		DROP_T_STRING,	1 },
	{ "password",		DROP_T_SECRET,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method register_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY | DROP_RL_AUTH,
	    .fields = register_fields, .start = register_start },
	{ .method = 0 }
};

static const struct drop_method login_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY | DROP_RL_AUTH,
	    .fields = login_fields, .start = login_start },
	{ .method = 0 }
};

static const struct drop_method logout_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH,
	    .start = logout_start },
	{ .method = 0 }
};

static const struct drop_method refresh_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH,
	    .start = refresh_start },
	{ .method = 0 }
};

static const struct drop_method csrf_methods[] = {
	{ .method = HTTP_METHOD_GET, .start = csrf_start },
	{ .method = 0 }
};

static const struct drop_route register_route = {
	.name = "auth.register",
	.methods = register_methods,
	.datalen = sizeof(struct auth_state),
};
static const struct drop_route login_route = {
	.name = "auth.login",
	.methods = login_methods,
	.datalen = sizeof(struct auth_state),
};
static const struct drop_route logout_route = {
	.name = "auth.logout",
	.methods = logout_methods,
};
static const struct drop_route refresh_route = {
	.name = "auth.refresh",
	.methods = refresh_methods,
	.datalen = sizeof(struct auth_state),
};
static const struct drop_route csrf_route = {
	.name = "csrf",
	.methods = csrf_methods,
};

static const char	sql_register[] =
    "WITH u AS (INSERT INTO users (id, email, password_hash, first_name, "
    "last_name, phone, date_of_birth) VALUES ($1, $2, $3, $4, $5, $6, "
    "$7::date) RETURNING *), "
    "s AS (INSERT INTO sessions (id, user_id, expires_at, ip) "
    "SELECT $8, u.id, now() + interval '24 hours', $9 FROM u RETURNING id) "
    "SELECT u.id, u.email, u.first_name, u.last_name, u.phone, "
    "to_char(u.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, u.kyc_status, "
    "u.role, iso(u.created_at) AS created_at, s.id AS session_id FROM u, s";

static const char	sql_login_find[] =
    "SELECT id, password_hash, drop_login_paused(id) AS paused FROM users "
    "WHERE lower(email) = lower($1) AND deleted_at IS NULL";

/* A wrong password for an account that exists (sql/functions/009_login.sql). */
static const char	sql_login_failed[] =
    "SELECT drop_login_failed($1, $2) AS paused";

/* A sign-in from an address never seen for the user is notified. */
static const char	sql_login_session[] =
    "WITH known AS (SELECT 1 FROM sessions WHERE user_id = $2 AND ip = $3 "
    "LIMIT 1), "
    "s AS (INSERT INTO sessions (id, user_id, expires_at, ip) "
    "SELECT $1, id, now() + interval '24 hours', $3 FROM users "
    "WHERE id = $2 AND deleted_at IS NULL RETURNING id), "
    "n AS (INSERT INTO notifications (id, user_id, type, title, body) "
    "SELECT $4, $2, 'security_new_login', 'New sign-in', "
    "'Your account was signed in to from a new address (' || $3 || "
    "'). If this was not you, change your password.' FROM s "
    "WHERE NOT EXISTS (SELECT 1 FROM known)), "
    "cleared AS (DELETE FROM login_throttle WHERE user_id = $2 AND "
    "EXISTS (SELECT 1 FROM s)) "
    "SELECT u.*, s.id AS session_id FROM user_view u, s WHERE u.id = $2";

static const char	sql_logout[] =
    "UPDATE sessions SET revoked_at = now() "
    "WHERE user_id = $1 AND revoked_at IS NULL";

/*
 * A new session for the old one, as long as the login it came from is
 * younger than SESSION_ABSOLUTE: refreshing does not keep a stolen token
 * alive for ever; after it, the user logs in again.
 */
#define SESSION_ABSOLUTE	"7 days"
static const char	sql_refresh[] =
    "WITH old AS (UPDATE sessions SET revoked_at = now() "
    "WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND "
    "authenticated_at > now() - interval '" SESSION_ABSOLUTE "' "
    "RETURNING user_id, authenticated_at), "
    "s AS (INSERT INTO sessions (id, user_id, expires_at, ip, "
    "authenticated_at) SELECT $3, user_id, least(now() + interval "
    "'24 hours', authenticated_at + interval '" SESSION_ABSOLUTE "'), $4, "
    "authenticated_at FROM old RETURNING id, user_id) "
    "SELECT u.id, u.email, u.role, s.id AS session_id "
    "FROM s JOIN users u ON u.id = s.user_id";

DROP_ROUTE(api_auth_register, register_route);
DROP_ROUTE(api_auth_login, login_route);
DROP_ROUTE(api_auth_logout, logout_route);
DROP_ROUTE(api_auth_refresh, refresh_route);
DROP_ROUTE(api_csrf, csrf_route);
/* Sets fresh cookies for the session in st and sends data. */
static int
reply_with_session(struct drop_ctx *ctx, int status, json_t *data)
{
	const char	*user_id, *session_id, *role;

	user_id = drop_col(ctx, 0, "id");
	session_id = drop_col(ctx, 0, "session_id");
	role = drop_col(ctx, 0, "role");
	if (user_id == NULL || session_id == NULL || role == NULL ||
	    drop_session_issue(ctx, user_id, session_id, role) != 0) {
		json_decref(data);
		return (drop_fail_internal(ctx, "cannot issue session"));
	}

	return (drop_reply(ctx, status, data));
}

static int
register_start(struct drop_ctx *ctx)
{
	return (drop_passwd_hash(ctx, drop_text(ctx, "password"),
	    register_hashed));
}

static int
register_hashed(struct drop_ctx *ctx)
{
	struct auth_state	*st = ctx->data;
	const char		*params[9];
	char			 ip[64];

	if (drop_passwd_result(ctx, st->hash, sizeof(st->hash)) != 0)
		return (drop_fail_internal(ctx, "password hashing failed"));
	if (drop_id_new("usr_", st->user_id, sizeof(st->user_id)) != 0 ||
	    drop_id_new("ses_", st->session_id, sizeof(st->session_id)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	drop_client_addr(ctx, ip, sizeof(ip));

	params[0] = st->user_id;
	params[1] = drop_text(ctx, "email");
	params[2] = st->hash;
	params[3] = drop_text(ctx, "firstName");
	params[4] = drop_text(ctx, "lastName");
	params[5] = drop_text(ctx, "phone");
	params[6] = drop_text(ctx, "dateOfBirth");
	params[7] = st->session_id;
	params[8] = ip;

	return (drop_sql_own(ctx, sql_register, 9, params, register_done));
}

static int
register_done(struct drop_ctx *ctx)
{
	if (ctx->db_failed && !strcmp(ctx->sqlstate, "23505"))
		return (drop_error(ctx, 409, "conflict",
		    "An account with this email already exists"));
	if (ctx->db_failed)
		return (drop_sql_failed(ctx));
	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "register returned no row"));

	return (reply_with_session(ctx, 201, drop_user_json(ctx, 0, DROP_USER_REGISTER)));
}

static int
login_start(struct drop_ctx *ctx)
{
	const char	*params[1];

	params[0] = drop_text(ctx, "email");
	return (drop_sql(ctx, sql_login_find, 1, params, login_found));
}

/*
 * Unknown emails are checked against a dummy hash: same work, same answer.
 * An account whose sign-in is paused is refused before any hashing.
 */
static int
login_found(struct drop_ctx *ctx)
{
	struct auth_state	*st = ctx->data;
	const char		*hash, *paused;
	int			 wait;

	hash = drop_col(ctx, 0, "password_hash");
	st->known = drop_rows(ctx) == 1 && hash != NULL;
	if (st->known) {
		paused = drop_col(ctx, 0, "paused");
		if (paused != NULL && (wait = atoi(paused)) > 0)
			return (drop_rate_limited(ctx, wait));
		(void)kore_strlcpy(st->user_id, drop_col(ctx, 0, "id"),
		    sizeof(st->user_id));
		(void)kore_strlcpy(st->hash, hash, sizeof(st->hash));
	} else {
		(void)kore_strlcpy(st->hash, drop_cfg.dummy_hash,
		    sizeof(st->hash));
	}

	return (drop_passwd_verify(ctx, drop_text(ctx, "password"), st->hash,
	    login_checked));
}

static int
login_checked(struct drop_ctx *ctx)
{
	struct auth_state	*st = ctx->data;
	const char		*params[4];
	char			 computed[128], ip[64];

	if (drop_passwd_result(ctx, computed, sizeof(computed)) != 0)
		return (drop_fail_internal(ctx, "password hashing failed"));
	if (drop_id_new("ses_", st->session_id, sizeof(st->session_id)) != 0 ||
	    drop_id_new("noti_", st->noti_id, sizeof(st->noti_id)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	if (!st->known)
		return (drop_error(ctx, 401, "unauthorized",
		    "Invalid email or password"));
	if (!drop_ct_equal(computed, st->hash)) {
		params[0] = st->user_id;
		params[1] = st->noti_id;
		return (drop_sql(ctx, sql_login_failed, 2, params,
		    login_failed));
	}
	drop_client_addr(ctx, ip, sizeof(ip));

	params[0] = st->session_id;
	params[1] = st->user_id;
	params[2] = ip;
	params[3] = st->noti_id;

	return (drop_sql(ctx, sql_login_session, 4, params, login_done));
}

/* The failure is counted; the answer stays 401 (the pause starts next). */
static int
login_failed(struct drop_ctx *ctx)
{
	if (ctx->db_failed)
		return (drop_sql_failed(ctx));

	return (drop_error(ctx, 401, "unauthorized",
	    "Invalid email or password"));
}

static int
login_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 401, "unauthorized",
		    "Invalid email or password"));

	return (reply_with_session(ctx, 200, drop_user_json(ctx, 0, DROP_USER_LOGIN)));
}

static int
logout_start(struct drop_ctx *ctx)
{
	return (drop_user_query(ctx, sql_logout, logout_done));
}

static int
logout_done(struct drop_ctx *ctx)
{
	json_t		*obj;

	drop_session_clear_cookies(ctx);
	obj = json_object();
	json_object_set_new(obj, "message", json_string("Logged out"));

	return (drop_reply_obj(ctx, 200, obj));
}

static int
refresh_start(struct drop_ctx *ctx)
{
	struct auth_state	*st = ctx->data;
	const char		*params[4];
	char			 ip[64];

	if (drop_id_new("ses_", st->session_id, sizeof(st->session_id)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	drop_client_addr(ctx, ip, sizeof(ip));
	params[0] = ctx->sess.session_id;
	params[1] = ctx->sess.user_id;
	params[2] = st->session_id;
	params[3] = ip;

	return (drop_sql(ctx, sql_refresh, 4, params, refresh_done));
}

/* A session refreshed twice at once: the loser finds it revoked (401). */
static int
refresh_done(struct drop_ctx *ctx)
{
	json_t		*data;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 401, "unauthorized",
		    "Session expired or revoked"));
	data = json_object();
	json_object_set_new(data, "userId", json_string(drop_col(ctx, 0, "id")));
	json_object_set_new(data, "email",
	    json_string(drop_col(ctx, 0, "email")));
	json_object_set_new(data, "role", json_string(drop_col(ctx, 0, "role")));

	return (reply_with_session(ctx, 200, data));
}

static int
csrf_start(struct drop_ctx *ctx)
{
	json_t		*data;
	char		 token[DROP_CSRF_LEN + 1];

	if (drop_random_token(token, sizeof(token)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	drop_set_cookie(ctx, "drop_csrf", token, DROP_TOKEN_TTL, 0);
	data = json_object();
	json_object_set_new(data, "token", json_string(token));

	return (drop_reply(ctx, 200, data));
}
