/* Raw member text of a JSON object: money judged by what was written. */

#include <string.h>

#include "lib.h"
#include "unit.h"

static const char *
raw(const char *json, const char *key)
{
	static char	out[64];

	if (drop_json_raw_member(json, strlen(json), key, out,
	    sizeof(out)) != 0)
		return (NULL);
	return (out);
}

START_TEST(top_level_numbers_as_written)
{
	ck_assert_str_eq(raw("{\"amount\":100.0000000000000000001}", "amount"),
	    "100.0000000000000000001");
	ck_assert_str_eq(raw("{ \"a\" : [1, {\"amount\": 2}], \"amount\" :\n"
	    " 12.5 , \"b\": \"x\"}", "amount"), "12.5");
	ck_assert_str_eq(raw("{\"x\":\"\\\"amount\\\":7\",\"amount\":1e2}",
	    "amount"), "1e2");
	ck_assert_str_eq(raw("{\"note\":{\"amount\":3},\"amount\":-0}",
	    "amount"), "-0");
}
END_TEST

START_TEST(absent_nested_or_not_scalar)
{
	ck_assert_ptr_null(raw("{\"note\":{\"amount\":3}}", "amount"));
	ck_assert_ptr_null(raw("{\"am\\u006fount\":3}", "amount"));
	ck_assert_ptr_null(raw("{\"amount\":[3]}", "amount"));
	ck_assert_ptr_null(raw("{\"amount\":\"3\"}", "amount"));
	ck_assert_ptr_null(raw("{\"amounts\":3}", "amount"));
	ck_assert_ptr_null(raw("{\"amount\":1234567890123456789012345678901234"
	    "5678901234567890123456789012345678901234567890}", "amount"));
}
END_TEST

START_TEST(money_from_the_written_text)
{
	int64_t	ore;

	ck_assert_int_eq(drop_money_parse(raw("{\"amount\":100.0000000000000000001}",
	    "amount"), &ore), -1);
	ck_assert_int_eq(drop_money_parse(raw("{\"amount\":100.000000000000001}",
	    "amount"), &ore), -1);
	ck_assert_int_eq(drop_money_parse(raw("{\"amount\":1005.50}", "amount"),
	    &ore), 0);
	ck_assert_int_eq(ore, 100550);
}
END_TEST

Suite *
suite_jsonraw(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("jsonraw");
	tc = tcase_create("jsonraw");
	tcase_add_test(tc, top_level_numbers_as_written);
	tcase_add_test(tc, absent_nested_or_not_scalar);
	tcase_add_test(tc, money_from_the_written_text);
	suite_add_tcase(s, tc);

	return (s);
}
