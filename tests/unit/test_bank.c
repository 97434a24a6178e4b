/* Fees, decimal parsing, account numbers, masking, the sandbox bank. */

#include <string.h>

#include "bank.h"
#include "lib.h"
#include "unit.h"

START_TEST(fee_rounds_half_up_to_the_ore)
{
	ck_assert_int_eq(drop_fee(10000, 50), 50);	/* 100.00 -> 0.50 */
	ck_assert_int_eq(drop_fee(10001, 50), 50);	/* 50.005 øre -> 50 */
	ck_assert_int_eq(drop_fee(10100, 50), 51);	/* 50.5 øre -> 51 */
	ck_assert_int_eq(drop_fee(10099, 50), 50);	/* 50.495 -> 50 */
	ck_assert_int_eq(drop_fee(33333, 50), 167);	/* 166.665 -> 167 */
	ck_assert_int_eq(drop_fee(5000000, 50), 25000);
	ck_assert_int_eq(drop_fee(12990, 100), 130);	/* 129.90 -> 1.30 */
	ck_assert_int_eq(drop_fee(150, 100), 2);	/* 1.5 øre -> 2 */
	ck_assert_int_eq(drop_fee(149, 100), 1);
}
END_TEST

START_TEST(decimal_text_parses_exactly)
{
	int64_t	v;

	ck_assert_int_eq(drop_money_parse("1170.00", &v), 0);
	ck_assert_int_eq(v, 117000);
	ck_assert_int_eq(drop_money_parse("11.7", &v), 0);
	ck_assert_int_eq(v, 1170);
	ck_assert_int_eq(drop_money_parse("-3", &v), 0);
	ck_assert_int_eq(v, -300);
	ck_assert_int_eq(drop_money_parse("0.050", &v), 0);
	ck_assert_int_eq(v, 5);
	ck_assert_int_eq(drop_money_parse("0.051", &v), -1);
	ck_assert_int_eq(drop_money_parse("", &v), -1);
	ck_assert_int_eq(drop_money_parse("1e5", &v), -1);
	ck_assert_int_eq(drop_money_parse(".5", &v), -1);
	ck_assert_int_eq(drop_money_parse("1234567890123456", &v), -1);
}
END_TEST

START_TEST(mod11_account_numbers)
{
	char	out[12];

	ck_assert(drop_mod11_valid("12345678903", out, sizeof(out)));
	ck_assert_str_eq(out, "12345678903");
	ck_assert(drop_mod11_valid("1234.56.78903", out, sizeof(out)));
	ck_assert_str_eq(out, "12345678903");
	ck_assert(!drop_mod11_valid("12345678904", out, sizeof(out)));
	ck_assert(!drop_mod11_valid("1234.5678903", out, sizeof(out)));
	ck_assert(!drop_mod11_valid("1234-56-78903", out, sizeof(out)));
	ck_assert(!drop_mod11_valid("1234567890", out, sizeof(out)));
	ck_assert(!drop_mod11_valid("a2345678903", out, sizeof(out)));
	/* 0006000000 sums to 12: its check digit would be 10, never valid */
	ck_assert(!drop_mod11_valid("00060000000", out, sizeof(out)));
	ck_assert(!drop_mod11_valid("00060000001", out, sizeof(out)));
	ck_assert(drop_mod11_valid("98765432103", out, sizeof(out)));
}
END_TEST

START_TEST(account_masking)
{
	char	out[16];

	ck_assert_int_eq(drop_mask_account("RS35260005601001611379", out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "*****1379");
	ck_assert_int_eq(drop_mask_account("abc", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "*****abc");
	ck_assert_int_eq(drop_mask_account("12345", out, 4), -1);
}
END_TEST

START_TEST(sandbox_bank_is_deterministic)
{
	int64_t	bal;
	char	ref[32];

	ck_assert_int_eq(drop_bank->read_balance("12340005005", &bal),
	    DROP_BANK_OK);
	ck_assert_int_eq(bal, 150000);
	ck_assert_int_eq(drop_bank->link("DNB", "12340005005", &bal),
	    DROP_BANK_OK);
	ck_assert_int_eq(bal, 150000);
	ck_assert_int_eq(drop_bank->read_balance("00000237574", &bal),
	    DROP_BANK_OK);
	ck_assert_int_eq(bal, 0);
	ck_assert_int_eq(drop_bank->read_balance("77770395952", &bal),
	    DROP_BANK_UNAVAILABLE);
	ck_assert_int_eq(drop_bank->initiate_payment("66660316761", 100, "R",
	    ref, sizeof(ref)), DROP_BANK_REJECTED);
	ck_assert_int_eq(drop_bank->initiate_payment("12340005005", 100,
	    "ABC", ref, sizeof(ref)), DROP_BANK_OK);
	ck_assert_str_eq(ref, "SBX-ABC");
}
END_TEST

Suite *
suite_bank(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("bank");
	tc = tcase_create("money");
	tcase_add_test(tc, fee_rounds_half_up_to_the_ore);
	tcase_add_test(tc, decimal_text_parses_exactly);
	tcase_add_test(tc, mod11_account_numbers);
	tcase_add_test(tc, account_masking);
	tcase_add_test(tc, sandbox_bank_is_deterministic);
	suite_add_tcase(s, tc);

	return (s);
}
