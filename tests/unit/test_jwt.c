/* JWT: signing, verification, algorithm pinning, expiry, tampering. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>

#include "lib.h"
#include "unit.h"

static const unsigned char	key[] = "0123456789abcdef0123456789abcdef";
#define KEYLEN	(sizeof(key) - 1)

static void
claims_fill(struct drop_claims *c, long iat, long exp)
{
	memset(c, 0, sizeof(*c));
	(void)snprintf(c->sub, sizeof(c->sub), "usr_0123456789abcdef");
	(void)snprintf(c->jti, sizeof(c->jti), "ses_0123456789abcdef");
	(void)snprintf(c->role, sizeof(c->role), "user");
	c->iat = iat;
	c->exp = exp;
}

START_TEST(sign_then_verify)
{
	struct drop_claims	c, out;
	char			tok[DROP_JWT_MAX];

	claims_fill(&c, 1000, 1000 + DROP_TOKEN_TTL);
	ck_assert_int_eq(drop_jwt_sign(key, KEYLEN, &c, tok, sizeof(tok)), 0);
	ck_assert_int_eq(drop_jwt_verify(key, KEYLEN, tok, 2000, &out), 0);
	ck_assert_str_eq(out.sub, c.sub);
	ck_assert_str_eq(out.jti, c.jti);
	ck_assert_str_eq(out.role, "user");
	ck_assert_int_eq(out.exp, c.exp);
}
END_TEST

START_TEST(expired_rejected)
{
	struct drop_claims	c, out;
	char			tok[DROP_JWT_MAX];

	claims_fill(&c, 1000, 2000);
	ck_assert_int_eq(drop_jwt_sign(key, KEYLEN, &c, tok, sizeof(tok)), 0);
	ck_assert_int_eq(drop_jwt_verify(key, KEYLEN, tok, 2000, &out), -1);
	ck_assert_int_eq(drop_jwt_verify(key, KEYLEN, tok, 1999, &out), 0);
}
END_TEST

START_TEST(wrong_key_and_tampering_rejected)
{
	struct drop_claims	c, out;
	char			tok[DROP_JWT_MAX];
	char			*dot;

	claims_fill(&c, 1000, 9999999999L);
	ck_assert_int_eq(drop_jwt_sign(key, KEYLEN, &c, tok, sizeof(tok)), 0);
	ck_assert_int_eq(drop_jwt_verify((const unsigned char *)
	    "another-key-another-key-another!", 32, tok, 2000, &out), -1);
	dot = strrchr(tok, '.');
	dot[1] = dot[1] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(drop_jwt_verify(key, KEYLEN, tok, 2000, &out), -1);
}
END_TEST

START_TEST(alg_none_rejected)
{
	struct drop_claims	out;
	jwt_t			*jwt;
	char			*tok;

	ck_assert_int_eq(jwt_new(&jwt), 0);
	jwt_add_grant(jwt, "sub", "usr_0123456789abcdef");
	jwt_add_grant(jwt, "jti", "ses_0123456789abcdef");
	jwt_add_grant(jwt, "role", "admin");
	jwt_add_grant_int(jwt, "iat", 1000);
	jwt_add_grant_int(jwt, "exp", 9999999999L);
	ck_assert_int_eq(jwt_set_alg(jwt, JWT_ALG_NONE, NULL, 0), 0);
	tok = jwt_encode_str(jwt);
	ck_assert_ptr_nonnull(tok);
	ck_assert_int_eq(drop_jwt_verify(key, KEYLEN, tok, 2000, &out), -1);
	free(tok);
	jwt_free(jwt);
}
END_TEST

START_TEST(hs512_with_same_key_rejected)
{
	struct drop_claims	out;
	jwt_t			*jwt;
	char			*tok;

	ck_assert_int_eq(jwt_new(&jwt), 0);
	jwt_add_grant(jwt, "sub", "usr_0123456789abcdef");
	jwt_add_grant(jwt, "jti", "ses_0123456789abcdef");
	jwt_add_grant(jwt, "role", "user");
	jwt_add_grant_int(jwt, "iat", 1000);
	jwt_add_grant_int(jwt, "exp", 9999999999L);
	ck_assert_int_eq(jwt_set_alg(jwt, JWT_ALG_HS512, key, KEYLEN), 0);
	tok = jwt_encode_str(jwt);
	ck_assert_int_eq(drop_jwt_verify(key, KEYLEN, tok, 2000, &out), -1);
	free(tok);
	jwt_free(jwt);
}
END_TEST

START_TEST(garbage_rejected)
{
	struct drop_claims	out;

	ck_assert_int_eq(drop_jwt_verify(key, KEYLEN, "", 2000, &out), -1);
	ck_assert_int_eq(drop_jwt_verify(key, KEYLEN, "a.b.c", 2000, &out), -1);
	ck_assert_int_eq(drop_jwt_verify(key, KEYLEN, "nodots", 2000, &out), -1);
}
END_TEST

Suite *
suite_jwt(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("jwt");
	tc = tcase_create("jwt");
	tcase_add_test(tc, sign_then_verify);
	tcase_add_test(tc, expired_rejected);
	tcase_add_test(tc, wrong_key_and_tampering_rejected);
	tcase_add_test(tc, alg_none_rejected);
	tcase_add_test(tc, hs512_with_same_key_rejected);
	tcase_add_test(tc, garbage_rejected);
	suite_add_tcase(s, tc);

	return (s);
}
