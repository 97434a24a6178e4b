/* Field rules of §4: sanitizing, email, password, names, phone, dates. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"
#include "unit.h"

/* 2026-06-15 12:00:00 UTC */
#define JUNE_15_2026	((time_t)1781524800)

START_TEST(sanitize_trims_and_strips_controls)
{
	char	out[64];

	ck_assert_int_eq(drop_sanitize("  Ola\x01 Nord\x7fmann \t", out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "Ola Nordmann");
	ck_assert_int_eq(drop_sanitize("\xc2\x85" "x", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "x");
	ck_assert_int_eq(drop_sanitize("Bjørn", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "Bjørn");
}
END_TEST

START_TEST(sanitize_refuses_bad_utf8_and_overflow)
{
	char	out[4];

	ck_assert_int_eq(drop_sanitize("\xff\xfe", out, sizeof(out)), -1);
	ck_assert_int_eq(drop_sanitize("abcdef", out, sizeof(out)), -1);
	ck_assert_int_eq(drop_sanitize("\xed\xa0\x80", out, sizeof(out)), -1);
}
END_TEST

START_TEST(utf8_length_counts_code_points)
{
	ck_assert_uint_eq(drop_utf8_len("Ærø"), 3);
	ck_assert(drop_utf8_valid("Ærø", strlen("Ærø")));
	ck_assert(!drop_utf8_valid("\xc3", 1));
	ck_assert(!drop_utf8_valid("\xc0\xaf", 2));
}
END_TEST

START_TEST(utf8_cut_keeps_whole_characters)
{
	char	out[16];

	ck_assert_int_eq(drop_utf8_cut("abc", 5, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "abc");
	ck_assert_int_eq(drop_utf8_cut("\xc3\xa6\xc3\xb8\xc3\xa5x", 2, out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "\xc3\xa6\xc3\xb8");
	ck_assert_int_eq(drop_utf8_cut("abcdef", 0, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(drop_utf8_cut("abcdef", 6, out, 4), -1);
	ck_assert_int_eq(drop_utf8_cut("abcdef", 3, out, 4), 0);
	ck_assert_str_eq(out, "abc");
}
END_TEST

START_TEST(email_rules)
{
	char	local[80], email[300];

	ck_assert(drop_valid_email("jane.doe+x@example.no"));
	ck_assert(!drop_valid_email("jane@example"));
	ck_assert(!drop_valid_email("@example.no"));
	ck_assert(!drop_valid_email("jane@@example.no"));
	ck_assert(!drop_valid_email("jane..doe@example.no"));
	ck_assert(!drop_valid_email("jane doe@example.no"));
	ck_assert(!drop_valid_email("jane@-example.no"));
	ck_assert(!drop_valid_email("jane@example.n0"));
	memset(local, 'a', 65);
	local[65] = '\0';
	(void)snprintf(email, sizeof(email), "%s@example.no", local);
	ck_assert(!drop_valid_email(email));
}
END_TEST

START_TEST(password_rules)
{
	ck_assert(drop_valid_password("abcdefg1"));
	ck_assert(!drop_valid_password("abcdef1"));
	ck_assert(!drop_valid_password("abcdefgh"));
	ck_assert(!drop_valid_password("12345678"));
	ck_assert(drop_valid_password("pæssørd1"));
}
END_TEST

START_TEST(name_rules)
{
	char	long_name[128];

	ck_assert(drop_valid_name("Ola", 100));
	ck_assert(drop_valid_name("Åse", 100));
	ck_assert(!drop_valid_name("", 100));
	ck_assert(!drop_valid_name("1234", 100));
	ck_assert(!drop_valid_name("<script>alert(1)</script>", 100));
	memset(long_name, 'a', 101);
	long_name[101] = '\0';
	ck_assert(!drop_valid_name(long_name, 100));
	long_name[100] = '\0';
	ck_assert(drop_valid_name(long_name, 100));
}
END_TEST

START_TEST(phone_rules)
{
	ck_assert(drop_valid_phone("+4712345678"));
	ck_assert(drop_valid_phone("+123456789012345"));
	ck_assert(!drop_valid_phone("+1234567"));
	ck_assert(!drop_valid_phone("+1234567890123456"));
	ck_assert(!drop_valid_phone("4712345678"));
	ck_assert(!drop_valid_phone("+47 1234 5678"));
}
END_TEST

START_TEST(date_rules)
{
	int	y, m, d;

	ck_assert(drop_valid_date("2000-02-29", &y, &m, &d));
	ck_assert_int_eq(y, 2000);
	ck_assert(!drop_valid_date("1900-02-29", &y, &m, &d));
	ck_assert(!drop_valid_date("2001-02-29", &y, &m, &d));
	ck_assert(!drop_valid_date("2001-13-01", &y, &m, &d));
	ck_assert(!drop_valid_date("2001-04-31", &y, &m, &d));
	ck_assert(!drop_valid_date("2001-4-01", &y, &m, &d));
	ck_assert(!drop_valid_date("01-04-2001", &y, &m, &d));
}
END_TEST

START_TEST(adult_on_oslo_date)
{
	ck_assert(drop_valid_adult("2008-06-15", JUNE_15_2026));
	ck_assert(!drop_valid_adult("2008-06-16", JUNE_15_2026));
	ck_assert(drop_valid_adult("1990-01-01", JUNE_15_2026));
}
END_TEST

START_TEST(leap_day_birthday_counts_as_march_first)
{
	/* 2026-02-28 23:30Z is 2026-03-01 00:30 in Oslo. */
	ck_assert(drop_valid_adult("2008-02-29", (time_t)1772321400));
	/* 2026-02-28 12:00Z is still 28 February in Oslo. */
	ck_assert(!drop_valid_adult("2008-02-29", (time_t)1772280000));
}
END_TEST

START_TEST(oslo_date_follows_dst)
{
	int	y, m, d;

	/* 2026-07-01 22:30Z = 2026-07-02 00:30 CEST */
	drop_oslo_date((time_t)1782945000, &y, &m, &d);
	ck_assert_int_eq(d, 2);
	/* 2026-01-01 22:30Z = 23:30 CET, still 1 January */
	drop_oslo_date((time_t)1767306600, &y, &m, &d);
	ck_assert_int_eq(m, 1);
	ck_assert_int_eq(d, 1);
}
END_TEST

START_TEST(html_detection)
{
	ck_assert(drop_has_html("<b>x</b>"));
	ck_assert(drop_has_html("a > b"));
	ck_assert(!drop_has_html("Kari & Ola"));
}
END_TEST

Suite *
suite_text(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("text");
	tc = tcase_create("rules");
	tcase_add_test(tc, sanitize_trims_and_strips_controls);
	tcase_add_test(tc, sanitize_refuses_bad_utf8_and_overflow);
	tcase_add_test(tc, utf8_length_counts_code_points);
	tcase_add_test(tc, email_rules);
	tcase_add_test(tc, password_rules);
	tcase_add_test(tc, name_rules);
	tcase_add_test(tc, phone_rules);
	tcase_add_test(tc, date_rules);
	tcase_add_test(tc, adult_on_oslo_date);
	tcase_add_test(tc, leap_day_birthday_counts_as_march_first);
	tcase_add_test(tc, oslo_date_follows_dst);
	tcase_add_test(tc, html_detection);
	tcase_add_test(tc, utf8_cut_keeps_whole_characters);
	suite_add_tcase(s, tc);

	return (s);
}
