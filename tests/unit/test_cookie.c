/* Cookies with SameSite, and bearer headers. */

#include <string.h>

#include "lib.h"
#include "unit.h"

START_TEST(session_cookie_flags)
{
	char	buf[256];

	ck_assert_int_eq(drop_cookie_format(buf, sizeof(buf), "drop_token",
	    "abc.def.ghi", 86400, 1), 0);
	ck_assert_str_eq(buf, "drop_token=abc.def.ghi; HttpOnly; Secure; "
	    "SameSite=Strict; Path=/; Max-Age=86400");
}
END_TEST

START_TEST(csrf_cookie_not_httponly)
{
	char	buf[256];

	ck_assert_int_eq(drop_cookie_format(buf, sizeof(buf), "drop_csrf",
	    "tok", 86400, 0), 0);
	ck_assert(strstr(buf, "HttpOnly") == NULL);
	ck_assert(strstr(buf, "SameSite=Strict") != NULL);
}
END_TEST

START_TEST(clearing_cookie)
{
	char	buf[256];

	ck_assert_int_eq(drop_cookie_format(buf, sizeof(buf), "drop_token",
	    "", 0, 1), 0);
	ck_assert(strstr(buf, "drop_token=;") == buf);
	ck_assert(strstr(buf, "Max-Age=0") != NULL);
}
END_TEST

START_TEST(cookie_injection_refused)
{
	char	buf[256];

	ck_assert_int_eq(drop_cookie_format(buf, sizeof(buf), "a",
	    "x; Domain=evil", 1, 1), -1);
	ck_assert_int_eq(drop_cookie_format(buf, sizeof(buf), "a",
	    "x\r\nSet-Cookie: y", 1, 1), -1);
	ck_assert_int_eq(drop_cookie_format(buf, 10, "a", "long-value", 1, 1),
	    -1);
}
END_TEST

START_TEST(bearer_parsing)
{
	const char	*tok;

	ck_assert(drop_bearer("Bearer abc", &tok));
	ck_assert_str_eq(tok, "abc");
	ck_assert(drop_bearer("bearer   xyz", &tok));
	ck_assert_str_eq(tok, "xyz");
	ck_assert(!drop_bearer("Basic abc", &tok));
	ck_assert(!drop_bearer("Bearer ", &tok));
	ck_assert(!drop_bearer(NULL, &tok));
}
END_TEST

Suite *
suite_cookie(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("cookie");
	tc = tcase_create("cookie");
	tcase_add_test(tc, session_cookie_flags);
	tcase_add_test(tc, csrf_cookie_not_httponly);
	tcase_add_test(tc, clearing_cookie);
	tcase_add_test(tc, cookie_injection_refused);
	tcase_add_test(tc, bearer_parsing);
	suite_add_tcase(s, tc);

	return (s);
}
