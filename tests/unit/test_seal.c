/* Sealed columns: round trip, and nothing opens that was changed or moved. */

#include <string.h>

#include "lib.h"
#include "unit.h"

static const char	secret[] = "a data key of at least 32 bytes, for tests";

static void
key_of(const char *s, unsigned char *key)
{
	ck_assert_int_eq(drop_seal_key((const unsigned char *)s, strlen(s),
	    key), 0);
}

START_TEST(sealed_values_open_with_their_key_and_column)
{
	unsigned char	key[DROP_SEAL_KEYLEN];
	char		a[DROP_SEAL_TEXT_MAX], b[DROP_SEAL_TEXT_MAX];
	char		out[DROP_SEAL_MAX + 1];

	key_of(secret, key);
	ck_assert_int_eq(drop_seal(key, "national_id", "17059012354", a,
	    sizeof(a)), 0);
	ck_assert(drop_sealed(a));
	ck_assert_uint_eq(strlen(a) + 1, drop_seal_size(11));
	ck_assert(strstr(a, "17059012354") == NULL);
	ck_assert_int_eq(drop_unseal(key, "national_id", a, out, sizeof(out)),
	    0);
	ck_assert_str_eq(out, "17059012354");
	/* A fresh nonce each time: the same value seals differently. */
	ck_assert_int_eq(drop_seal(key, "national_id", "17059012354", b,
	    sizeof(b)), 0);
	ck_assert_str_ne(a, b);
	/* Too small a buffer, or too long a value, is refused. */
	ck_assert_int_eq(drop_seal(key, "national_id", "17059012354", b,
	    drop_seal_size(11) - 1), -1);
	ck_assert_int_eq(drop_unseal(key, "national_id", a, out, 11), -1);
}
END_TEST

START_TEST(changed_moved_or_foreign_values_do_not_open)
{
	unsigned char	key[DROP_SEAL_KEYLEN], other[DROP_SEAL_KEYLEN];
	char		a[DROP_SEAL_TEXT_MAX], out[DROP_SEAL_MAX + 1];
	size_t		i, len;
	char		was;

	key_of(secret, key);
	key_of("another data key of at least 32 bytes", other);
	ck_assert_int_eq(drop_seal(key, "secret", "whsec_0123", a, sizeof(a)),
	    0);
	ck_assert_int_eq(drop_unseal(other, "secret", a, out, sizeof(out)),
	    -1);
	ck_assert_int_eq(drop_unseal(key, "national_id", a, out, sizeof(out)),
	    -1);
	len = strlen(a);
	for (i = 3; i < len; i++) {
		was = a[i];
		a[i] = was == '0' ? '1' : '0';
		ck_assert_int_eq(drop_unseal(key, "secret", a, out,
		    sizeof(out)), -1);
		a[i] = was;
	}
	ck_assert_int_eq(drop_unseal(key, "secret", a, out, sizeof(out)), 0);
	a[len - 1] = '\0';
	ck_assert_int_eq(drop_unseal(key, "secret", a, out, sizeof(out)), -1);
	ck_assert_int_eq(drop_unseal(key, "secret", "s1:", out, sizeof(out)),
	    -1);
	ck_assert_int_eq(drop_unseal(key, "secret", "17059012354", out,
	    sizeof(out)), -1);
	ck_assert(!drop_sealed("whsec_0123"));
}
END_TEST

Suite *
suite_seal(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("seal");
	tc = tcase_create("seal");
	tcase_add_test(tc, sealed_values_open_with_their_key_and_column);
	tcase_add_test(tc, changed_moved_or_foreign_values_do_not_open);
	suite_add_tcase(s, tc);

	return (s);
}
