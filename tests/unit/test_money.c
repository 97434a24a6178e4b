/* Money: the text a client wrote to øre, exactly, and øre back to text. */

#include "lib.h"
#include "unit.h"

START_TEST(whole_and_decimal_amounts)
{
	int64_t	ore;

	ck_assert_int_eq(drop_money_parse("129", &ore), 0);
	ck_assert_int_eq(ore, 12900);
	ck_assert_int_eq(drop_money_parse("1.29", &ore), 0);
	ck_assert_int_eq(ore, 129);
	ck_assert_int_eq(drop_money_parse("0.1", &ore), 0);
	ck_assert_int_eq(ore, 10);
	ck_assert_int_eq(drop_money_parse("2010.5", &ore), 0);
	ck_assert_int_eq(ore, 201050);
	ck_assert_int_eq(drop_money_parse("50000", &ore), 0);
	ck_assert_int_eq(ore, 5000000);
	ck_assert_int_eq(drop_money_parse("99999.99", &ore), 0);
	ck_assert_int_eq(ore, 9999999);
	ck_assert_int_eq(drop_money_parse("-12.34", &ore), 0);
	ck_assert_int_eq(ore, -1234);
}
END_TEST

START_TEST(three_decimals_rejected)
{
	int64_t	ore;

	ck_assert_int_eq(drop_money_parse("1.005", &ore), -1);
	ck_assert_int_eq(drop_money_parse("100.001", &ore), -1);
	ck_assert_int_eq(drop_money_parse("0.001", &ore), -1);
	ck_assert_int_eq(drop_money_parse("1e-7", &ore), -1);
}
END_TEST

START_TEST(out_of_range_rejected)
{
	int64_t	ore;

	ck_assert_int_eq(drop_money_parse("1000000000000000", &ore), -1);
	ck_assert_int_eq(drop_money_parse("1e300", &ore), -1);
	ck_assert_int_eq(drop_money_parse("0", &ore), 0);
	ck_assert_int_eq(ore, 0);
}
END_TEST

START_TEST(format_for_sql)
{
	char	buf[32];

	ck_assert_int_eq(drop_money_format(129, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "1.29");
	ck_assert_int_eq(drop_money_format(-5, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "-0.05");
	ck_assert_int_eq(drop_money_format(5000000, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "50000.00");
	ck_assert_int_eq(drop_money_format(5000000, buf, 4), -1);
}
END_TEST

Suite *
suite_money(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("money");
	tc = tcase_create("parse");
	tcase_add_test(tc, whole_and_decimal_amounts);
	tcase_add_test(tc, three_decimals_rejected);
	tcase_add_test(tc, out_of_range_rejected);
	tcase_add_test(tc, format_for_sql);
	suite_add_tcase(s, tc);

	return (s);
}
