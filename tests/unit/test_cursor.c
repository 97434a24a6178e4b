/* Cursors: round trips, and refusal of anything not made by Drop. */

#include <string.h>

#include "lib.h"
#include "unit.h"

START_TEST(round_trip)
{
	char		cur[DROP_CURSOR_MAX], id[DROP_ID_LEN];
	int64_t		us;

	ck_assert_int_eq(drop_cursor_encode(1764028800123456LL,
	    "tx_rem_0123456789abcdef", cur, sizeof(cur)), 0);
	ck_assert_int_eq(drop_cursor_decode(cur, &us, id, sizeof(id)), 0);
	ck_assert(us == 1764028800123456LL);
	ck_assert_str_eq(id, "tx_rem_0123456789abcdef");
	ck_assert_int_eq(drop_cursor_encode(0, "rcp_ffffffffffffffff", cur,
	    sizeof(cur)), 0);
	ck_assert_int_eq(drop_cursor_decode(cur, &us, id, sizeof(id)), 0);
	ck_assert(us == 0);
	ck_assert_str_eq(id, "rcp_ffffffffffffffff");
	/* Opaque: hex only. */
	ck_assert_uint_eq(strspn(cur, "0123456789abcdef"), strlen(cur));
}
END_TEST

START_TEST(bad_cursors_refused)
{
	char		cur[DROP_CURSOR_MAX], id[DROP_ID_LEN];
	int64_t		us;

	ck_assert_int_eq(drop_cursor_decode("", &us, id, sizeof(id)), -1);
	ck_assert_int_eq(drop_cursor_decode("abc", &us, id, sizeof(id)), -1);
	ck_assert_int_eq(drop_cursor_decode("zz", &us, id, sizeof(id)), -1);
	ck_assert_int_eq(drop_cursor_decode("ABCD", &us, id, sizeof(id)), -1);
	/* "12.x" and ".tx_qr_0123456789abcdef" */
	ck_assert_int_eq(drop_cursor_decode("31322e78", &us, id, sizeof(id)),
	    -1);
	ck_assert_int_eq(drop_cursor_encode(5, "tx_qr_0123456789abcdef", cur,
	    sizeof(cur)), 0);
	ck_assert_int_eq(drop_cursor_decode(cur + 2, &us, id, sizeof(id)), -1);
	/* A flipped digit of the id makes an id that is not one of ours. */
	cur[strlen(cur) - 1] = '0';
	ck_assert_int_eq(drop_cursor_decode(cur, &us, id, sizeof(id)), -1);
	/* Too long, and an id buffer too small. */
	memset(cur, 'a', sizeof(cur) - 1);
	cur[sizeof(cur) - 1] = '\0';
	ck_assert_int_eq(drop_cursor_decode(cur, &us, id, sizeof(id)), -1);
	ck_assert_int_eq(drop_cursor_encode(5, "tx_qr_0123456789abcdef", cur,
	    sizeof(cur)), 0);
	ck_assert_int_eq(drop_cursor_decode(cur, &us, id, 8), -1);
	/* Negative positions and bad ids are never encoded. */
	ck_assert_int_eq(drop_cursor_encode(-1, "tx_qr_0123456789abcdef", cur,
	    sizeof(cur)), -1);
	ck_assert_int_eq(drop_cursor_encode(1, "tx_qr_0123", cur,
	    sizeof(cur)), -1);
	ck_assert_int_eq(drop_cursor_encode(1, "Tx_qr_0123456789abcdef", cur,
	    sizeof(cur)), -1);
}
END_TEST

Suite *
suite_cursor(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("cursor");
	tc = tcase_create("encode");
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, bad_cursors_refused);
	suite_add_tcase(s, tc);

	return (s);
}
