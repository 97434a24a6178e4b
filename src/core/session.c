/*
 * Sessions: the JWT in a cookie or a bearer header, its row in sessions,
 * CSRF double-submit for cookie-authenticated writes, and issuing cookies.
 */

#include <arpa/inet.h>

#include <string.h>

#include "drop.h"

static const char	*token_from_request(struct drop_ctx *);
static int		 csrf_ok(struct drop_ctx *);

static const char	sql_session[] =
    "SELECT u.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL "
    "AND s.expires_at > now() AND u.deleted_at IS NULL";

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
	const char		*token, *params[2];

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

/* 0 with the caller's role set, -1 when the session is gone. */
int
drop_auth_loaded(struct drop_ctx *ctx)
{
	const char	*role;

	if (drop_rows(ctx) != 1 || (role = drop_col(ctx, 0, "role")) == NULL)
		return (-1);
	(void)kore_strlcpy(ctx->sess.role, role, sizeof(ctx->sess.role));

	return (0);
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
