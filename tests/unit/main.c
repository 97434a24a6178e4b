/* Check runner for Drop's pure logic. */

#include <stdlib.h>

#include "unit.h"

int
main(void)
{
	SRunner		*sr;
	int		 failed;

	sr = srunner_create(suite_ids());
	srunner_add_suite(sr, suite_text());
	srunner_add_suite(sr, suite_money());
	srunner_add_suite(sr, suite_jwt());
	srunner_add_suite(sr, suite_cookie());
	srunner_add_suite(sr, suite_bank());
	srunner_add_suite(sr, suite_sqlstate());
	srunner_add_suite(sr, suite_cursor());
	srunner_add_suite(sr, suite_policy());
	srunner_add_suite(sr, suite_ratewin());
	srunner_add_suite(sr, suite_jsonraw());
	srunner_add_suite(sr, suite_webhook());
	srunner_add_suite(sr, suite_csv());
	srunner_add_suite(sr, suite_mail());
	srunner_add_suite(sr, suite_fnr());
	srunner_add_suite(sr, suite_seal());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
