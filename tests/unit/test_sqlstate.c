/* SQLSTATE classes as the database pool reads them. */

#include "lib.h"
#include "unit.h"

START_TEST(refusals_are_failures)
{
	ck_assert_int_eq(drop_sqlstate_outcome("23505"), DROP_DBQ_FAILED);
	ck_assert_int_eq(drop_sqlstate_outcome("P0001"), DROP_DBQ_FAILED);
	ck_assert_int_eq(drop_sqlstate_outcome("22003"), DROP_DBQ_FAILED);
	ck_assert_int_eq(drop_sqlstate_outcome("42P01"), DROP_DBQ_FAILED);
	ck_assert_int_eq(drop_sqlstate_lost("23505"), 0);
	ck_assert_int_eq(drop_sqlstate_lost("42P01"), 0);
}
END_TEST

START_TEST(no_usable_answer_is_unavailable)
{
	ck_assert_int_eq(drop_sqlstate_outcome("08006"), DROP_DBQ_UNAVAILABLE);
	ck_assert_int_eq(drop_sqlstate_outcome("57P01"), DROP_DBQ_UNAVAILABLE);
	ck_assert_int_eq(drop_sqlstate_outcome("57014"), DROP_DBQ_UNAVAILABLE);
	ck_assert_int_eq(drop_sqlstate_outcome("53100"), DROP_DBQ_UNAVAILABLE);
	ck_assert_int_eq(drop_sqlstate_outcome("40001"), DROP_DBQ_UNAVAILABLE);
	ck_assert_int_eq(drop_sqlstate_outcome("40P01"), DROP_DBQ_UNAVAILABLE);
	ck_assert_int_eq(drop_sqlstate_outcome(""), DROP_DBQ_UNAVAILABLE);
	ck_assert_int_eq(drop_sqlstate_outcome(NULL), DROP_DBQ_UNAVAILABLE);
	ck_assert_int_eq(drop_sqlstate_outcome("0800"), DROP_DBQ_UNAVAILABLE);
}
END_TEST

START_TEST(only_connection_states_lose_the_connection)
{
	ck_assert_int_eq(drop_sqlstate_lost("08006"), 1);
	ck_assert_int_eq(drop_sqlstate_lost("57P01"), 1);
	ck_assert_int_eq(drop_sqlstate_lost("57P03"), 1);
	ck_assert_int_eq(drop_sqlstate_lost(""), 1);
	/* A statement timeout or a deadlock leaves the connection usable. */
	ck_assert_int_eq(drop_sqlstate_lost("57014"), 0);
	ck_assert_int_eq(drop_sqlstate_lost("40P01"), 0);
	ck_assert_int_eq(drop_sqlstate_lost("53300"), 0);
}
END_TEST

Suite *
suite_sqlstate(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("sqlstate");
	tc = tcase_create("classes");
	tcase_add_test(tc, refusals_are_failures);
	tcase_add_test(tc, no_usable_answer_is_unavailable);
	tcase_add_test(tc, only_connection_states_lose_the_connection);
	suite_add_tcase(s, tc);

	return (s);
}
