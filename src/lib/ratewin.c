/*
 * Rate counting, pure: the key a client is counted under and a sliding
 * window of per-second hit counts. A hit is allowed while the hits of the
 * last DROP_RATEWIN_SECONDS seconds (this one included) stay under the
 * limit; the window spans one second more than a minute, so no minute,
 * wherever it starts, ever holds more hits than the limit. Also the
 * right-most client of an X-Forwarded-For header, read from its end.
 */

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "lib.h"

#define XFF_HOP_MAX	64	/* longer than any address text */

/* Forgets the seconds that have left the window by now. */
static void
ratewin_advance(struct drop_ratewin *w, uint32_t now)
{
	uint32_t	s;

	if (now <= w->sec)
		return;
	if (now - w->sec >= DROP_RATEWIN_SECONDS) {
		memset(w->hits, 0, sizeof(w->hits));
	} else {
		for (s = w->sec + 1; s <= now; s++)
			w->hits[s % DROP_RATEWIN_SECONDS] = 0;
	}
	w->sec = now;
}

/* No hit left in the window: the slot may hold another key. */
int
drop_ratewin_idle(const struct drop_ratewin *w, uint32_t now)
{
	return (w->sec == 0 || now - w->sec >= DROP_RATEWIN_SECONDS);
}

/*
 * 1 and counted when allowed; 0 with *retry_after, the seconds until the
 * oldest hits leave the window enough to allow one, when not.
 */
int
drop_ratewin_hit(struct drop_ratewin *w, uint32_t now, int limit,
    int *retry_after)
{
	unsigned int	total, left;
	uint32_t	s, oldest;

	ratewin_advance(w, now);
	total = 0;
	for (s = 0; s < DROP_RATEWIN_SECONDS; s++)
		total += w->hits[s];
	if (limit > 0 && total < (unsigned int)limit) {
		if (w->hits[now % DROP_RATEWIN_SECONDS] < UINT8_MAX)
			w->hits[now % DROP_RATEWIN_SECONDS]++;
		*retry_after = 0;
		return (1);
	}
	oldest = now - (DROP_RATEWIN_SECONDS - 1);
	left = total;
	for (s = oldest; s <= now; s++) {
		left -= w->hits[s % DROP_RATEWIN_SECONDS];
		if (left < (unsigned int)limit)
			break;
	}
	*retry_after = (int)(s + DROP_RATEWIN_SECONDS - now);

	return (0);
}

/*
 * The key a client is counted under in a group: IPv4 as it is, an
 * IPv4-mapped IPv6 address as its IPv4, any other IPv6 by its /64 (one
 * subscriber's prefix). -1 for an address of another length.
 */
int
drop_ratewin_key(int group, const unsigned char *ip, size_t iplen,
    unsigned char *key)
{
	static const unsigned char	mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
					    0, 0, 0xff, 0xff };

	memset(key, 0, DROP_RATEWIN_KEYLEN);
	key[0] = (unsigned char)group;
	if (iplen == 4) {
		key[1] = 4;
		memcpy(key + 2, ip, 4);
		return (0);
	}
	if (iplen != 16)
		return (-1);
	if (!memcmp(ip, mapped, sizeof(mapped))) {
		key[1] = 4;
		memcpy(key + 2, ip + 12, 4);
		return (0);
	}
	key[1] = 6;
	memcpy(key + 2, ip, 8);

	return (0);
}

/* An address in text, as 4 or 16 bytes. */
int
drop_ip_parse(const char *text, unsigned char *out, size_t *outlen)
{
	struct in_addr		v4;
	struct in6_addr		v6;

	if (inet_pton(AF_INET, text, &v4) == 1) {
		memcpy(out, &v4, 4);
		*outlen = 4;
		return (0);
	}
	if (inet_pton(AF_INET6, text, &v6) == 1) {
		memcpy(out, &v6, 16);
		*outlen = 16;
		return (0);
	}

	return (-1);
}

/*
 * The client a chain of proxies reports: X-Forwarded-For read from its
 * end, hop by hop (at most max_hops), skipping those trusted(); the first
 * hop that is not trusted, or the left-most, is the client. Its length
 * does not matter: only the entries read are looked at. 0 with *ip set;
 * -1 when an entry read is not an address or max_hops are all trusted.
 */
int
drop_xff_client(const char *xff, int max_hops,
    int (*trusted)(const unsigned char *, size_t), unsigned char *ip,
    size_t *iplen)
{
	char		 hop[XFF_HOP_MAX];
	const char	*end, *start;
	size_t		 len;
	int		 n;

	end = xff + strlen(xff);
	for (n = 0; n < max_hops; n++) {
		while (end > xff && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		for (start = end; start > xff && start[-1] != ','; start--)
			;
		len = (size_t)(end - start);
		while (len > 0 && (*start == ' ' || *start == '\t')) {
			start++;
			len--;
		}
		if (len == 0 || len >= sizeof(hop))
			return (-1);
		memcpy(hop, start, len);
		hop[len] = '\0';
		if (drop_ip_parse(hop, ip, iplen) != 0)
			return (-1);
		if (!trusted(ip, *iplen))
			return (0);
		/* Back to the comma before this entry, or the left-most. */
		while (start > xff && start[-1] != ',')
			start--;
		if (start == xff)
			return (0);
		end = start - 1;
	}

	return (-1);
}

