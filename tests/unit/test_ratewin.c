/* Rate counting: a sliding minute, client keys by address or /64, and
 * X-Forwarded-For read from its end. */

#include <stdio.h>
#include <string.h>

#include "lib.h"
#include "unit.h"

/* Hits allowed in [from, from + 60) of a record of allowed hit times. */
static int
in_minute(const unsigned int *at, int n, unsigned int from)
{
	int	i, c;

	for (c = 0, i = 0; i < n; i++)
		c += at[i] >= from && at[i] < from + 60;
	return (c);
}

START_TEST(no_minute_holds_more_than_the_limit)
{
	struct drop_ratewin	w;
	unsigned int		at[4000], t, from;
	int			n, wait, i, got;

	/* A client that tries every second, in bursts at the minute edge. */
	memset(&w, 0, sizeof(w));
	n = 0;
	for (t = 1000; t < 1600; t++) {
		got = (t % 60 >= 55 || t % 60 <= 3) ? 5 : 1;
		for (i = 0; i < got; i++)
			if (drop_ratewin_hit(&w, t, 10, &wait))
				at[n++] = t;
	}
	ck_assert_int_gt(n, 80);
	for (from = 940; from < 1600; from++)
		ck_assert_int_le(in_minute(at, n, from), 10);
}
END_TEST

START_TEST(a_burst_at_the_edge_waits_a_minute)
{
	struct drop_ratewin	w;
	int			i, wait;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(drop_ratewin_hit(&w, 1259, 10, &wait), 1);
	/* Fixed windows would start again at 1260; this one does not. */
	ck_assert_int_eq(drop_ratewin_hit(&w, 1260, 10, &wait), 0);
	ck_assert_int_eq(wait, 60);
	ck_assert_int_eq(drop_ratewin_hit(&w, 1319, 10, &wait), 0);
	ck_assert_int_eq(wait, 1);
	ck_assert_int_eq(drop_ratewin_hit(&w, 1320, 10, &wait), 1);
	ck_assert(!drop_ratewin_idle(&w, 1320));
	ck_assert(drop_ratewin_idle(&w, 1320 + DROP_RATEWIN_SECONDS));
}
END_TEST

START_TEST(retry_after_names_when_the_oldest_hits_leave)
{
	struct drop_ratewin	w;
	int			wait;

	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(drop_ratewin_hit(&w, 5000, 2, &wait), 1);
	ck_assert_int_eq(drop_ratewin_hit(&w, 5030, 2, &wait), 1);
	ck_assert_int_eq(drop_ratewin_hit(&w, 5031, 2, &wait), 0);
	ck_assert_int_eq(wait, 5000 + DROP_RATEWIN_SECONDS - 5031);
	/* After a long quiet spell the old counts are gone. */
	ck_assert_int_eq(drop_ratewin_hit(&w, 90000, 2, &wait), 1);
	ck_assert_int_eq(drop_ratewin_hit(&w, 90000, 2, &wait), 1);
	ck_assert_int_eq(drop_ratewin_hit(&w, 90000, 2, &wait), 0);
}
END_TEST

static void
key_of(const char *text, unsigned char *key)
{
	unsigned char	ip[16];
	size_t		len;

	ck_assert_int_eq(drop_ip_parse(text, ip, &len), 0);
	ck_assert_int_eq(drop_ratewin_key(0x10, ip, len, key), 0);
}

START_TEST(ipv6_counts_by_its_64)
{
	unsigned char	a[DROP_RATEWIN_KEYLEN], b[DROP_RATEWIN_KEYLEN];

	key_of("2001:db8:1:2::1", a);
	key_of("2001:db8:1:2:ffff:eeee:dddd:cccc", b);
	ck_assert_mem_eq(a, b, sizeof(a));
	key_of("2001:db8:1:3::1", b);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	/* An IPv4-mapped address is that IPv4 address. */
	key_of("::ffff:192.0.2.7", a);
	key_of("192.0.2.7", b);
	ck_assert_mem_eq(a, b, sizeof(a));
	key_of("192.0.2.8", b);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	/* Groups count apart. */
	ck_assert_int_eq(drop_ratewin_key(0x20, (const unsigned char *)
	    "\xc0\x00\x02\x07", 4, b), 0);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
}
END_TEST

/* The test's proxies: 127.0.0.1 and 10.9.9.9. */
static int
proxy(const unsigned char *ip, size_t len)
{
	return (len == 4 && ((ip[0] == 127 && ip[1] == 0 && ip[2] == 0 &&
	    ip[3] == 1) || (ip[0] == 10 && ip[1] == 9 && ip[2] == 9 &&
	    ip[3] == 9)));
}

START_TEST(forwarded_for_is_read_from_its_end)
{
	char		xff[2048], text[64];
	unsigned char	ip[16];
	size_t		len, i;

	ck_assert_int_eq(drop_xff_client("203.0.113.5", 32, proxy, ip, &len),
	    0);
	ck_assert_int_eq(len, 4);
	ck_assert_int_eq(ip[3], 5);
	ck_assert_int_eq(drop_xff_client("1.1.1.1, 203.0.113.5 ,10.9.9.9", 32,
	    proxy, ip, &len), 0);
	ck_assert_int_eq(ip[3], 5);
	/* A long header (what a client wrote, then our proxies): its end. */
	for (i = 0; i < 100; i++)
		memcpy(xff + i * 14, "198.51.100.1, ", 14);
	(void)snprintf(xff + 1400, sizeof(xff) - 1400, "2001:db8::7, 10.9.9.9");
	ck_assert_int_gt(strlen(xff), 512);
	ck_assert_int_eq(drop_xff_client(xff, 32, proxy, ip, &len), 0);
	ck_assert_int_eq(len, 16);
	ck_assert_int_eq(ip[15], 7);
	/* Only proxies: the left-most. */
	ck_assert_int_eq(drop_xff_client("127.0.0.1,10.9.9.9", 32, proxy, ip,
	    &len), 0);
	ck_assert_int_eq(ip[0], 127);
	/* Not addresses, empty entries, too many proxies. */
	ck_assert_int_eq(drop_xff_client("1.1.1.1, hello", 32, proxy, ip,
	    &len), -1);
	ck_assert_int_eq(drop_xff_client("1.1.1.1,,", 32, proxy, ip, &len),
	    -1);
	ck_assert_int_eq(drop_xff_client("", 32, proxy, ip, &len), -1);
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	ck_assert_int_eq(drop_xff_client(text, 32, proxy, ip, &len), -1);
	ck_assert_int_eq(drop_xff_client("1.1.1.1, 10.9.9.9, 10.9.9.9", 1,
	    proxy, ip, &len), -1);
}
END_TEST

Suite *
suite_ratewin(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("ratewin");
	tc = tcase_create("ratewin");
	tcase_add_test(tc, no_minute_holds_more_than_the_limit);
	tcase_add_test(tc, a_burst_at_the_edge_waits_a_minute);
	tcase_add_test(tc, retry_after_names_when_the_oldest_hits_leave);
	tcase_add_test(tc, ipv6_counts_by_its_64);
	tcase_add_test(tc, forwarded_for_is_read_from_its_end);
	suite_add_tcase(s, tc);

	return (s);
}
