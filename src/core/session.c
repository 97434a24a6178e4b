/*
 * Sessions: the JWT in a cookie or a bearer header, its row in sessions,
 * CSRF double-submit for cookie-authenticated writes, and issuing cookies;
 * a merchant's API key (X-API-Key) where a method names a scope; an
 * operator's credential on the internal API.
 */

#include <arpa/inet.h>

#include <string.h>

#include "drop.h"

static const char	*token_from_request(struct drop_ctx *);
static int		 csrf_ok(struct drop_ctx *);
static int		 key_start(struct drop_ctx *, const char *,
			    int (*)(struct drop_ctx *));

static const char	sql_session[] =
    "SELECT u.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL "
    "AND s.expires_at > now() AND u.deleted_at IS NULL";

/* A live key of a live merchant; its last use kept to the minute. */
static const char	sql_key[] =
    "WITH k AS (SELECT u.id, u.role, $3 = ANY (k.scopes) AS allowed "
    "FROM api_keys k JOIN merchants m ON m.id = k.merchant_id JOIN users u "
    "ON u.id = m.user_id WHERE k.id = $1 AND k.key_hash = $2 AND "
    "k.revoked_at IS NULL AND u.deleted_at IS NULL), "
    "touch AS (UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND "
    "(last_used_at IS NULL OR last_used_at < now() - interval '1 minute') "
    "AND EXISTS (SELECT 1 FROM k)) SELECT * FROM k";

/* An enabled operator and their role. */
static const char	sql_operator[] =
    "SELECT role FROM operators WHERE id = $1 AND token_hash = $2 AND "
    "disabled_at IS NULL";

/* Each role's bit in a method's .ops. */
static const struct {
	const char	*name;
	int		 bit;
} operator_roles[] = {
	{ "support",	DROP_OP_SUPPORT },
	{ "compliance",	DROP_OP_COMPLIANCE },
	{ "admin",	DROP_OP_ADMIN },
};

/* The bearer header wins over the cookie; it is exempt from CSRF. */
static const char *
token_from_request(struct drop_ctx *ctx)
{
	const char	*hdr, *token;
	char		*cookie;

	if (http_request_header(ctx->req, "authorization", &hdr)) {
		if (drop_bearer(hdr, &token))
			return (token);
		return (NULL);
	}
	http_populate_cookies(ctx->req);
	if (http_request_cookie(ctx->req, "drop_token", &cookie)) {
		ctx->sess.via_cookie = 1;
		return (cookie);
	}

	return (NULL);
}

static int
csrf_ok(struct drop_ctx *ctx)
{
	const char	*hdr;
	char		*cookie;

	switch (ctx->req->method) {
	case HTTP_METHOD_POST:
	case HTTP_METHOD_PUT:
	case HTTP_METHOD_PATCH:
	case HTTP_METHOD_DELETE:
		break;
	default:
		return (1);
	}
	if (!http_request_header(ctx->req, "x-csrf-token", &hdr) ||
	    !http_request_cookie(ctx->req, "drop_csrf", &cookie))
		return (0);

	return (drop_ct_equal(hdr, cookie));
}

/*
 * Verifies the token, then looks its session up (next reads it with
 * drop_auth_loaded); DROP_AUTH_MISSING or DROP_AUTH_CSRF for the pipeline
 * to answer.
 */
int
drop_auth_start(struct drop_ctx *ctx, int (*next)(struct drop_ctx *))
{
	struct drop_claims	 claims;
	const char		*token, *params[2], *key;

	if (http_request_header(ctx->req, "x-api-key", &key)) {
		if (ctx->method->scope == NULL)
			return (DROP_AUTH_MISSING);
		return (key_start(ctx, key, next));
	}
	if ((token = token_from_request(ctx)) == NULL ||
	    drop_jwt_verify(drop_cfg.jwt_secret, drop_cfg.jwt_secret_len,
	    token, time(NULL), &claims) != 0 ||
	    !drop_id_valid("usr_", claims.sub) ||
	    !drop_id_valid("ses_", claims.jti))
		return (DROP_AUTH_MISSING);
	if (ctx->sess.via_cookie && !csrf_ok(ctx))
		return (DROP_AUTH_CSRF);

	(void)kore_strlcpy(ctx->sess.user_id, claims.sub,
	    sizeof(ctx->sess.user_id));
	(void)kore_strlcpy(ctx->sess.session_id, claims.jti,
	    sizeof(ctx->sess.session_id));
	params[0] = claims.jti;
	params[1] = claims.sub;

	return (drop_sql(ctx, sql_session, 2, params, next));
}

/*
 * A key names its id; only its hash is looked up (no cookie, no CSRF:
 * a till is no browser).
 */
static int
key_start(struct drop_ctx *ctx, const char *key,
    int (*next)(struct drop_ctx *))
{
	const char	*params[3];
	char		 hash[65];

	if (drop_apikey_id(key, ctx->sess.key_id,
	    sizeof(ctx->sess.key_id)) != 0 ||
	    drop_sha256_hex(key, hash, sizeof(hash)) != 0)
		return (DROP_AUTH_MISSING);
	ctx->sess.via_key = 1;
	params[0] = ctx->sess.key_id;
	params[1] = hash;
	params[2] = ctx->method->scope;

	return (drop_sql(ctx, sql_key, 3, params, next));
}

/*
 * 0 with the caller's role set; -1 when the session (or key) is gone,
 * DROP_AUTH_SCOPE when the key may not call this method.
 */
int
drop_auth_loaded(struct drop_ctx *ctx)
{
	const char	*role, *id, *allowed;

	if (drop_rows(ctx) != 1 || (role = drop_col(ctx, 0, "role")) == NULL)
		return (-1);
	if (ctx->sess.via_key) {
		id = drop_col(ctx, 0, "id");
		allowed = drop_col(ctx, 0, "allowed");
		if (!drop_id_valid("usr_", id))
			return (-1);
		(void)kore_strlcpy(ctx->sess.user_id, id,
		    sizeof(ctx->sess.user_id));
		if (allowed == NULL || strcmp(allowed, "t"))
			return (DROP_AUTH_SCOPE);
	}
	(void)kore_strlcpy(ctx->sess.role, role, sizeof(ctx->sess.role));

	return (0);
}

/*
 * The internal API: "Authorization: Bearer do_<id>_<secret>", looked up
 * by id and SHA-256 (next reads it with drop_operator_loaded);
 * DROP_AUTH_MISSING when no credential is well-formed.
 */
int
drop_operator_start(struct drop_ctx *ctx, int (*next)(struct drop_ctx *))
{
	const char	*hdr, *token, *params[2];
	char		 hash[65];

	if (!http_request_header(ctx->req, "authorization", &hdr) ||
	    !drop_bearer(hdr, &token) ||
	    drop_secret_id(token, "do_", "opr_", ctx->sess.operator_id,
	    sizeof(ctx->sess.operator_id)) != 0 ||
	    drop_sha256_hex(token, hash, sizeof(hash)) != 0)
		return (DROP_AUTH_MISSING);
	params[0] = ctx->sess.operator_id;
	params[1] = hash;

	return (drop_sql(ctx, sql_operator, 2, params, next));
}

/* 0 with the operator's role set; -1 when unknown or disabled,
 * DROP_AUTH_SCOPE when the role may not call this method. */
int
drop_operator_loaded(struct drop_ctx *ctx)
{
	const char	*role;
	size_t		 i;

	if (drop_rows(ctx) != 1 || (role = drop_col(ctx, 0, "role")) == NULL) {
		ctx->sess.operator_id[0] = '\0';
		return (-1);
	}
	(void)kore_strlcpy(ctx->sess.role, role, sizeof(ctx->sess.role));
	for (i = 0; i < sizeof(operator_roles) / sizeof(operator_roles[0]);
	    i++) {
		if (!strcmp(role, operator_roles[i].name))
			return ((ctx->method->ops & operator_roles[i].bit) ?
			    0 : DROP_AUTH_SCOPE);
	}

	return (DROP_AUTH_SCOPE);
}

/* Signs a JWT for an existing session row and sets both cookies. */
int
drop_session_issue(struct drop_ctx *ctx, const char *user_id,
    const char *session_id, const char *role)
{
	struct drop_claims	claims;
	char			jwt[DROP_JWT_MAX];
	char			csrf[DROP_CSRF_LEN + 1];

	memset(&claims, 0, sizeof(claims));
	(void)kore_strlcpy(claims.sub, user_id, sizeof(claims.sub));
	(void)kore_strlcpy(claims.jti, session_id, sizeof(claims.jti));
	(void)kore_strlcpy(claims.role, role, sizeof(claims.role));
	claims.iat = (long)time(NULL);
	claims.exp = claims.iat + DROP_TOKEN_TTL;

	if (drop_jwt_sign(drop_cfg.jwt_secret, drop_cfg.jwt_secret_len,
	    &claims, jwt, sizeof(jwt)) != 0 ||
	    drop_random_token(csrf, sizeof(csrf)) != 0)
		return (-1);
	drop_set_cookie(ctx, "drop_token", jwt, DROP_TOKEN_TTL, 1);
	drop_set_cookie(ctx, "drop_csrf", csrf, DROP_TOKEN_TTL, 0);

	return (0);
}

void
drop_session_clear_cookies(struct drop_ctx *ctx)
{
	drop_set_cookie(ctx, "drop_token", "", 0, 1);
	drop_set_cookie(ctx, "drop_csrf", "", 0, 0);
}

/* The client's address as text for session rows ("unknown" if none). */
void
drop_client_addr(struct drop_ctx *ctx, char *out, size_t outlen)
{
	unsigned char	ip[16];
	size_t		iplen;

	if (drop_client_ip(ctx->req, ip, &iplen, out, outlen) != 0)
		(void)kore_strlcpy(out, "unknown", outlen);
}

/*
 * The PSU-IP-Address a bank is told: the client's IPv4 address, or (the
 * definition allows only IPv4) the address Drop itself is seen from.
 */
void
drop_psu_ip(struct drop_ctx *ctx, char *out, size_t outlen)
{
	struct in_addr	v4;

	drop_client_addr(ctx, out, outlen);
	if (inet_pton(AF_INET, out, &v4) != 1)
		(void)kore_strlcpy(out, drop_cfg.psu_ip_fallback, outlen);
}
