/*
 * Client addresses (drop_ip_parse, drop_xff_client): an X-Forwarded-For
 * of any length or content never crashes, and an address read is 4 or 16
 * bytes. Loopback counts as the trusted proxy, as in the tests.
 */

#include "fuzz.h"
#include "lib.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
loopback(const unsigned char *ip, size_t len)
{
	return (len == 4 && ip[0] == 127);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char	 ip[16], key[DROP_RATEWIN_KEYLEN];
	char		*s;
	size_t		 len, iplen;

	s = fuzz_text(data, size, &len);
	iplen = 0;
	if (drop_ip_parse(s, ip, &iplen) == 0)
		FUZZ_CHECK(iplen == 4 || iplen == 16);
	iplen = 0;
	if (drop_xff_client(s, 4, loopback, ip, &iplen) == 0) {
		FUZZ_CHECK(iplen == 4 || iplen == 16);
		FUZZ_CHECK(drop_ratewin_key(1, ip, iplen, key) == 0);
	}
	free(s);

	return (0);
}
