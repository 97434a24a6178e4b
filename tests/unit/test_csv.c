/* CSV cells of statements: quoting, doubled quotes, formula guard. */

#include <string.h>

#include "lib.h"
#include "unit.h"

START_TEST(cells_quoted)
{
	char	out[32];

	ck_assert_int_eq(drop_csv_cell("Kafé Oslo", 1, out, sizeof(out)), 12);
	ck_assert_str_eq(out, "\"Kafé Oslo\"");
	ck_assert_int_eq(drop_csv_cell("say \"hi\", ok", 1, out,
	    sizeof(out)), 16);
	ck_assert_str_eq(out, "\"say \"\"hi\"\", ok\"");
	ck_assert_int_eq(drop_csv_cell(NULL, 1, out, sizeof(out)), 2);
	ck_assert_str_eq(out, "\"\"");
	ck_assert_int_eq(drop_csv_cell("a\r\nb", 1, out, sizeof(out)), 6);
}
END_TEST

START_TEST(formulas_guarded)
{
	char	out[32];

	ck_assert(drop_csv_cell("=HYPERLINK(1)", 1, out, sizeof(out)) > 0);
	ck_assert_str_eq(out, "\"'=HYPERLINK(1)\"");
	ck_assert(drop_csv_cell("@SUM", 1, out, sizeof(out)) > 0);
	ck_assert_str_eq(out, "\"'@SUM\"");
	ck_assert(drop_csv_cell("+47", 1, out, sizeof(out)) > 0);
	ck_assert_str_eq(out, "\"'+47\"");
	/* Amounts are Drop's own numbers: a minus stays a minus. */
	ck_assert(drop_csv_cell("-123.45", 0, out, sizeof(out)) > 0);
	ck_assert_str_eq(out, "\"-123.45\"");
}
END_TEST

START_TEST(never_past_the_buffer)
{
	char	out[8];

	ck_assert_int_eq(drop_csv_cell("12345", 0, out, sizeof(out)), 7);
	ck_assert_int_eq(drop_csv_cell("123456", 0, out, sizeof(out)), -1);
	ck_assert_int_eq(drop_csv_cell("\"\"\"", 0, out, sizeof(out)), -1);
	ck_assert_int_eq(drop_csv_cell("", 0, out, 2), -1);
}
END_TEST

Suite *
suite_csv(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("csv");
	tc = tcase_create("cells");
	tcase_add_test(tc, cells_quoted);
	tcase_add_test(tc, formulas_guarded);
	tcase_add_test(tc, never_past_the_buffer);
	suite_add_tcase(s, tc);

	return (s);
}
