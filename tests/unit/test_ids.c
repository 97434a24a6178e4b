/* Ids, request ids, tokens, constant-time comparison. */

#include <string.h>

#include "lib.h"
#include "unit.h"

START_TEST(id_has_prefix_and_16_hex)
{
	char	id[DROP_ID_LEN];
	size_t	i;

	ck_assert_int_eq(drop_id_new("usr_", id, sizeof(id)), 0);
	ck_assert_uint_eq(strlen(id), 4 + 16);
	ck_assert(strncmp(id, "usr_", 4) == 0);
	for (i = 4; i < strlen(id); i++)
		ck_assert(strchr("0123456789abcdef", id[i]) != NULL);
	ck_assert(drop_id_valid("usr_", id));
}
END_TEST

START_TEST(ids_differ)
{
	char	a[DROP_ID_LEN], b[DROP_ID_LEN];

	ck_assert_int_eq(drop_id_new("tx_rem_", a, sizeof(a)), 0);
	ck_assert_int_eq(drop_id_new("tx_rem_", b, sizeof(b)), 0);
	ck_assert_str_ne(a, b);
	ck_assert(drop_id_valid("tx_rem_", a));
}
END_TEST

START_TEST(id_buffer_too_small)
{
	char	id[10];

	ck_assert_int_eq(drop_id_new("usr_", id, sizeof(id)), -1);
}
END_TEST

START_TEST(id_validation_rejects_malformed)
{
	ck_assert(!drop_id_valid("usr_", "usr_0123456789abcde"));
	ck_assert(!drop_id_valid("usr_", "usr_0123456789abcdef0"));
	ck_assert(!drop_id_valid("usr_", "usr_0123456789ABCDEF"));
	ck_assert(!drop_id_valid("usr_", "ses_0123456789abcdef"));
	ck_assert(!drop_id_valid("usr_", "usr_0123456789abcdeg"));
	ck_assert(!drop_id_valid("usr_", "usr_../../etc/passwd"));
	ck_assert(!drop_id_valid("usr_", NULL));
	ck_assert(drop_id_valid("usr_", "usr_0123456789abcdef"));
}
END_TEST

START_TEST(request_id_pattern)
{
	char	longid[200];

	ck_assert(drop_reqid_valid("abc-DEF_1.2"));
	ck_assert(!drop_reqid_valid(""));
	ck_assert(!drop_reqid_valid("has space"));
	ck_assert(!drop_reqid_valid("semi;colon"));
	ck_assert(!drop_reqid_valid("<script>"));
	memset(longid, 'a', 128);
	longid[128] = '\0';
	ck_assert(drop_reqid_valid(longid));
	longid[128] = 'a';
	longid[129] = '\0';
	ck_assert(!drop_reqid_valid(longid));
}
END_TEST

START_TEST(random_token_is_base64url)
{
	char	t[DROP_CSRF_LEN + 1], u[DROP_CSRF_LEN + 1];
	size_t	i;

	ck_assert_int_eq(drop_random_token(t, sizeof(t)), 0);
	ck_assert_int_eq(drop_random_token(u, sizeof(u)), 0);
	ck_assert_uint_eq(strlen(t), DROP_CSRF_LEN);
	ck_assert_str_ne(t, u);
	for (i = 0; i < strlen(t); i++)
		ck_assert(strchr("+/=", t[i]) == NULL);
}
END_TEST

START_TEST(constant_time_equal)
{
	ck_assert(drop_ct_equal("abc", "abc"));
	ck_assert(!drop_ct_equal("abc", "abd"));
	ck_assert(!drop_ct_equal("abc", "abcd"));
	ck_assert(!drop_ct_equal("", ""));
	ck_assert(!drop_ct_equal(NULL, "a"));
}
END_TEST

START_TEST(api_keys_name_their_id)
{
	char	key[DROP_APIKEY_LEN + 1], id[DROP_ID_LEN], back[DROP_ID_LEN];
	char	bad[DROP_APIKEY_LEN + 1], hex[65];

	ck_assert_int_eq(drop_apikey_new(key, sizeof(key), id, sizeof(id)), 0);
	ck_assert_uint_eq(strlen(key), DROP_APIKEY_LEN);
	ck_assert(drop_id_valid("key_", id));
	ck_assert(!strncmp(key, "dk_", 3));
	ck_assert(!strncmp(key + 3, id + 4, 16));
	ck_assert_int_eq(drop_apikey_id(key, back, sizeof(back)), 0);
	ck_assert_str_eq(back, id);
	memcpy(bad, key, sizeof(bad));
	bad[40] = '!';
	ck_assert_int_eq(drop_apikey_id(bad, back, sizeof(back)), -1);
	memcpy(bad, key, sizeof(bad));
	bad[5] = 'X';				/* not lowercase hex */
	ck_assert_int_eq(drop_apikey_id(bad, back, sizeof(back)), -1);
	ck_assert_int_eq(drop_apikey_id("dk_0123456789abcdef_short", back,
	    sizeof(back)), -1);
	ck_assert_int_eq(drop_apikey_id(NULL, back, sizeof(back)), -1);
	/* The secret part: exactly so many base64url characters. */
	ck_assert(drop_token_valid("aZ09-_", 6));
	ck_assert(!drop_token_valid("aZ09-_", 5));
	ck_assert(!drop_token_valid("aZ09+_", 6));
	ck_assert(!drop_token_valid(NULL, 6));
	/* An operator's credential has the same shape, its own prefixes. */
	memcpy(bad, key, sizeof(bad));
	memcpy(bad, "do_", 3);
	ck_assert_int_eq(drop_apikey_id(bad, back, sizeof(back)), -1);
	ck_assert_int_eq(drop_secret_id(bad, "do_", "opr_", back,
	    sizeof(back)), 0);
	ck_assert(!strncmp(back, "opr_", 4) && !strcmp(back + 4, id + 4));
	ck_assert_int_eq(drop_secret_id(key, "do_", "opr_", back,
	    sizeof(back)), -1);
	ck_assert_int_eq(drop_secret_id(bad, "do", "opr_", back,
	    sizeof(back)), -1);
	ck_assert_int_eq(drop_apikey_new(key, 10, id, sizeof(id)), -1);
	ck_assert_int_eq(drop_sha256_hex("abc", hex, sizeof(hex)), 0);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	ck_assert_int_eq(drop_sha256_hex("abc", hex, 64), -1);
}
END_TEST

START_TEST(any_id_shape)
{
	ck_assert(drop_id_any_valid("noti_0123456789abcdef"));
	ck_assert(drop_id_any_valid("x_0123456789abcdef"));
	ck_assert(!drop_id_any_valid("tx_rem_0123456789abcdef"));
	ck_assert(!drop_id_any_valid("_0123456789abcdef"));
	ck_assert(!drop_id_any_valid("noti_0123456789abcde"));
	ck_assert(!drop_id_any_valid("noti_0123456789abcdef0"));
	ck_assert(!drop_id_any_valid("noti_0123456789ABCDEF"));
	ck_assert(!drop_id_any_valid("Noti_0123456789abcdef"));
	ck_assert(!drop_id_any_valid("noti-0123456789abcdef"));
	ck_assert(!drop_id_any_valid(""));
	ck_assert(!drop_id_any_valid(NULL));
}
END_TEST

Suite *
suite_ids(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("ids");
	tc = tcase_create("ids");
	tcase_add_test(tc, id_has_prefix_and_16_hex);
	tcase_add_test(tc, ids_differ);
	tcase_add_test(tc, id_buffer_too_small);
	tcase_add_test(tc, id_validation_rejects_malformed);
	tcase_add_test(tc, request_id_pattern);
	tcase_add_test(tc, random_token_is_base64url);
	tcase_add_test(tc, constant_time_equal);
	tcase_add_test(tc, any_id_shape);
	tcase_add_test(tc, api_keys_name_their_id);
	suite_add_tcase(s, tc);

	return (s);
}
