/* Webhooks: the delivery signature, the secret, callable URLs and addresses. */

#include <sys/socket.h>
#include <arpa/inet.h>

#include <string.h>

#include "lib.h"
#include "unit.h"

/* The vector was computed with Python's hmac module, not with this code. */
START_TEST(signature_is_hmac_sha256_of_t_dot_body)
{
	char	sig[DROP_WEBHOOK_SIG_MAX];
	const char *body = "{\"id\":\"evt_1\"}";

	ck_assert_int_eq(drop_webhook_sign("whsec_test", 1700000000, body,
	    strlen(body), sig, sizeof(sig)), 0);
	ck_assert_str_eq(sig, "t=1700000000,v1="
	    "c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925");
	/* Another time or body, another signature. */
	ck_assert_int_eq(drop_webhook_sign("whsec_test", 1700000001, body,
	    strlen(body), sig, sizeof(sig)), 0);
	ck_assert(strstr(sig, "c89214b5") == NULL);
	ck_assert_int_eq(drop_webhook_sign("whsec_test", 1700000000, body,
	    strlen(body), sig, 20), -1);
}
END_TEST

START_TEST(secrets_are_fresh_and_well_formed)
{
	char	a[DROP_WEBHOOK_SECRET_LEN + 1], b[DROP_WEBHOOK_SECRET_LEN + 1];

	ck_assert_int_eq(drop_webhook_secret_new(a, sizeof(a)), 0);
	ck_assert_int_eq(drop_webhook_secret_new(b, sizeof(b)), 0);
	ck_assert_uint_eq(strlen(a), DROP_WEBHOOK_SECRET_LEN);
	ck_assert(strncmp(a, "whsec_", 6) == 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(drop_webhook_secret_new(a, 10), -1);
}
END_TEST

static int
callable(const char *text, int loopback_ok)
{
	unsigned char	addr[16];
	int		family;

	family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(family, text, addr), 1);
	return (drop_addr_callable(family, addr, loopback_ok));
}

START_TEST(private_and_special_addresses_are_never_called)
{
	const char	*never[] = { "10.1.2.3", "172.16.0.1", "172.31.255.255",
	    "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
	    "224.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.2.1",
	    "::", "fc00::1", "fd12::1", "fe80::1", "ff02::1", "2001:db8::1",
	    "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1",
	    NULL };
	const char	*public[] = { "8.8.8.8", "172.32.0.1", "100.128.0.1",
	    "193.0.14.129", "2a00:1450:4001::1", "::ffff:8.8.8.8", NULL };
	int		 i;

	for (i = 0; never[i] != NULL; i++)
		ck_assert_msg(!callable(never[i], 1), "%s", never[i]);
	for (i = 0; public[i] != NULL; i++)
		ck_assert_msg(callable(public[i], 0), "%s", public[i]);
	/* Loopback only where the stack allows it (tests, development). */
	ck_assert(!callable("127.0.0.1", 0));
	ck_assert(callable("127.0.0.1", 1));
	ck_assert(!callable("::1", 0));
	ck_assert(callable("::1", 1));
	ck_assert(!callable("::ffff:127.0.0.1", 0));
}
END_TEST

START_TEST(endpoint_urls)
{
	const char	*good[] = { "https://shop.example/hooks",
	    "https://shop.example:8443/a?b=c", "https://8.8.8.8/x",
	    "https://[2a00:1450:4001::1]:443/", "https://Shop.Example", NULL };
	const char	*bad[] = { "http://shop.example/hooks",
	    "ftp://shop.example", "https://", "https:///x",
	    "https://user:pw@shop.example/", "https://shop.example/#frag",
	    "https://shop .example/", "https://shop.example:0/",
	    "https://shop.example:65536/", "https://shop.example:12a/",
	    "https://10.0.0.1/", "https://169.254.169.254/latest",
	    "https://[fd00::1]/", "https://[::1]/", "https://127.0.0.1/",
	    "https://localhost/", "https://shop_example/", "shop.example",
	    NULL };
	char		 longurl[DROP_WEBHOOK_URL_MAX + 2];
	int		 i;

	for (i = 0; good[i] != NULL; i++)
		ck_assert_msg(drop_webhook_url_check(good[i], 0) == 0, "%s",
		    good[i]);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(drop_webhook_url_check(bad[i], 0) == -1, "%s",
		    bad[i]);
	memset(longurl, 'a', sizeof(longurl) - 1);
	memcpy(longurl, "https://", 8);
	longurl[sizeof(longurl) - 1] = '\0';
	ck_assert_int_eq(drop_webhook_url_check(longurl, 0), -1);
	/* A test stack's receiver: plain HTTP to loopback, nothing else. */
	ck_assert_int_eq(drop_webhook_url_check("http://127.0.0.1:9000/h", 1),
	    0);
	ck_assert_int_eq(drop_webhook_url_check("http://[::1]:9000/h", 1), 0);
	ck_assert_int_eq(drop_webhook_url_check("http://localhost:9/h", 1), 0);
	ck_assert_int_eq(drop_webhook_url_check("http://8.8.8.8/h", 1), -1);
	ck_assert_int_eq(drop_webhook_url_check("http://shop.example/", 1), -1);
	ck_assert_int_eq(drop_webhook_url_check("http://10.0.0.1/", 1), -1);
}
END_TEST

Suite *
suite_webhook(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("webhook");
	tc = tcase_create("webhook");
	tcase_add_test(tc, signature_is_hmac_sha256_of_t_dot_body);
	tcase_add_test(tc, secrets_are_fresh_and_well_formed);
	tcase_add_test(tc, private_and_special_addresses_are_never_called);
	tcase_add_test(tc, endpoint_urls);
	suite_add_tcase(s, tc);

	return (s);
}
