/*
 * Session tokens: HS256 JWTs via libjwt, with the checks libjwt 1.10 lacks
 * (constant-time MAC comparison, algorithm pinning, expiry).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lib.h"

static int	b64url(const unsigned char *, size_t, char *, size_t);
static int	copy_grant(jwt_t *, const char *, char *, size_t);

int
drop_jwt_sign(const unsigned char *key, size_t keylen,
    const struct drop_claims *c, char *out, size_t outlen)
{
	jwt_t		*jwt;
	char		*str;
	int		 ret;

	ret = -1;
	str = NULL;
	if (jwt_new(&jwt) != 0)
		return (-1);
	if (jwt_set_alg(jwt, JWT_ALG_HS256, key, (int)keylen) != 0 ||
	    jwt_add_grant(jwt, "sub", c->sub) != 0 ||
	    jwt_add_grant(jwt, "jti", c->jti) != 0 ||
	    jwt_add_grant(jwt, "role", c->role) != 0 ||
	    jwt_add_grant_int(jwt, "iat", c->iat) != 0 ||
	    jwt_add_grant_int(jwt, "exp", c->exp) != 0)
		goto cleanup;
	if ((str = jwt_encode_str(jwt)) == NULL)
		goto cleanup;
	if (strlen(str) >= outlen)
		goto cleanup;
	memcpy(out, str, strlen(str) + 1);
	ret = 0;

cleanup:
	free(str);
	jwt_free(jwt);
	return (ret);
}

/* Unpadded base64url of in. */
static int
b64url(const unsigned char *in, size_t inlen, char *out, size_t outlen)
{
	unsigned char	buf[128];
	int		n, i, j;

	if (inlen > 64 || outlen < 90)
		return (-1);
	n = EVP_EncodeBlock(buf, in, (int)inlen);
	for (i = 0, j = 0; i < n && buf[i] != '='; i++)
		out[j++] = buf[i] == '+' ? '-' : buf[i] == '/' ? '_' : buf[i];
	out[j] = '\0';

	return (0);
}

static int
copy_grant(jwt_t *jwt, const char *name, char *out, size_t outlen)
{
	const char	*v;

	if ((v = jwt_get_grant(jwt, name)) == NULL || strlen(v) >= outlen)
		return (-1);
	memcpy(out, v, strlen(v) + 1);

	return (0);
}

/* 0 when token is ours (HS256, MAC valid in constant time) and unexpired. */
int
drop_jwt_verify(const unsigned char *key, size_t keylen, const char *token,
    time_t now, struct drop_claims *c)
{
	const char	*dot;
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen;
	char		 expect[96];
	jwt_t		*jwt;
	size_t		 len;
	int		 ret;

	len = strlen(token);
	if (len == 0 || len >= DROP_JWT_MAX || (dot = strrchr(token, '.')) == NULL)
		return (-1);
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)token,
	    dot - token, mac, &maclen) == NULL)
		return (-1);
	if (b64url(mac, maclen, expect, sizeof(expect)) != 0)
		return (-1);
	if (strlen(dot + 1) != strlen(expect) ||
	    CRYPTO_memcmp(dot + 1, expect, strlen(expect)) != 0)
		return (-1);

	ret = -1;
	if (jwt_decode(&jwt, token, key, (int)keylen) != 0)
		return (-1);
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto cleanup;
	errno = 0;
	c->exp = jwt_get_grant_int(jwt, "exp");
	if (errno != 0 || c->exp <= (long)now)
		goto cleanup;
	c->iat = jwt_get_grant_int(jwt, "iat");
	if (errno != 0)
		goto cleanup;
	if (copy_grant(jwt, "sub", c->sub, sizeof(c->sub)) != 0 ||
	    copy_grant(jwt, "jti", c->jti, sizeof(c->jti)) != 0 ||
	    copy_grant(jwt, "role", c->role, sizeof(c->role)) != 0)
		goto cleanup;
	ret = 0;

cleanup:
	jwt_free(jwt);
	return (ret);
}
