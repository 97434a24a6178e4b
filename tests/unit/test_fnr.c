/* National identity numbers: both MOD11 check digits, real days. */

#include "lib.h"
#include "unit.h"

START_TEST(numbers_checked)
{
	int	d, m, y;

	ck_assert(drop_fnr_valid("17059012355", &d, &m, &y));
	ck_assert_int_eq(d, 17);
	ck_assert_int_eq(m, 5);
	ck_assert_int_eq(y, 90);
	ck_assert(drop_fnr_valid("17059012436", &d, &m, &y));
	/* A D-number: the day has 40 added. */
	ck_assert(drop_fnr_valid("44059012360", &d, &m, &y));
	ck_assert_int_eq(d, 4);
	/* Each check digit matters. */
	ck_assert(!drop_fnr_valid("17059012354", &d, &m, &y));
	ck_assert(!drop_fnr_valid("17059012365", &d, &m, &y));
	ck_assert(!drop_fnr_valid("1705901235", &d, &m, &y));
	ck_assert(!drop_fnr_valid("170590123555", &d, &m, &y));
	ck_assert(!drop_fnr_valid("1705901235a", &d, &m, &y));
	ck_assert(!drop_fnr_valid("", &d, &m, &y));
	ck_assert(!drop_fnr_valid(NULL, &d, &m, &y));
	/* Right digits, no such day: 00 and month 13. */
	ck_assert(!drop_fnr_valid("00000000000", &d, &m, &y));
}
END_TEST

Suite *
suite_fnr(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("fnr");
	tc = tcase_create("mod11");
	tcase_add_test(tc, numbers_checked);
	suite_add_tcase(s, tc);

	return (s);
}
