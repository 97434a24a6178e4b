/*
 * Merchants' webhooks, the pure part: the signature every delivery
 * carries (X-Drop-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">),
 * the signing secret, and which endpoint URLs and addresses Drop may
 * call (never its own loopback or a private network, so a shop cannot
 * point Drop at what sits behind it).
 */

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lib.h"

static int	v4_public(const unsigned char *, int);
static int	v6_public(const unsigned char *, int);
static int	url_host(const char *, size_t, char *, size_t, int *);

/* A new signing secret: "whsec_" and 64 hex characters (32 random bytes). */
int
drop_webhook_secret_new(char *out, size_t outlen)
{
	char		token[DROP_CSRF_LEN + 1];
	char		hex[65];

	if (outlen < DROP_WEBHOOK_SECRET_LEN + 1 ||
	    drop_random_token(token, sizeof(token)) != 0 ||
	    drop_sha256_hex(token, hex, sizeof(hex)) != 0)
		return (-1);
	explicit_bzero(token, sizeof(token));
	(void)snprintf(out, outlen, "whsec_%s", hex);
	explicit_bzero(hex, sizeof(hex));

	return (0);
}

/* "t=<t>,v1=<hex>" into out: the header value of one delivery attempt. */
int
drop_webhook_sign(const char *secret, int64_t t, const char *body,
    size_t len, char *out, size_t outlen)
{
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx;
	OSSL_PARAM	 params[2];
	unsigned char	 digest[EVP_MAX_MD_SIZE];
	char		 stamp[24], hex[EVP_MAX_MD_SIZE * 2 + 1];
	size_t		 dlen, i;
	int		 n, ok;

	n = snprintf(stamp, sizeof(stamp), "%lld.", (long long)t);
	if (secret == NULL || body == NULL || n <= 0 ||
	    (size_t)n >= sizeof(stamp))
		return (-1);
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return (-1);
	ok = 0;
	params[0] = OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(mac)) != NULL &&
	    EVP_MAC_init(ctx, (const unsigned char *)secret, strlen(secret),
	    params) == 1 &&
	    EVP_MAC_update(ctx, (const unsigned char *)stamp, (size_t)n) == 1 &&
	    EVP_MAC_update(ctx, (const unsigned char *)body, len) == 1 &&
	    EVP_MAC_final(ctx, digest, &dlen, sizeof(digest)) == 1)
		ok = 1;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	if (!ok)
		return (-1);
	for (i = 0; i < dlen; i++)
		(void)snprintf(hex + i * 2, 3, "%02x", digest[i]);
	n = snprintf(out, outlen, "t=%lld,v1=%s", (long long)t, hex);

	return (n > 0 && (size_t)n < outlen ? 0 : -1);
}

/*
 * 1 when Drop may connect to this address: a public one, or loopback when
 * loopback_ok (a test or development stack). family AF_INET (4 bytes) or
 * AF_INET6 (16).
 */
int
drop_addr_callable(int family, const unsigned char *addr, int loopback_ok)
{
	if (family == AF_INET)
		return (v4_public(addr, loopback_ok));
	if (family == AF_INET6)
		return (v6_public(addr, loopback_ok));
	return (0);
}

static int
v4_public(const unsigned char *a, int loopback_ok)
{
	if (a[0] == 127)
		return (loopback_ok);
	return (!(a[0] == 0 || a[0] == 10 || a[0] >= 224 ||
	    (a[0] == 100 && (a[1] & 0xc0) == 64) ||		/* CGN */
	    (a[0] == 169 && a[1] == 254) ||			/* link-local */
	    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	    (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) ||
	    (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 198 && (a[1] & 0xfe) == 18) ||		/* benchmarks */
	    (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
	    (a[0] == 203 && a[1] == 0 && a[2] == 113)));
}

static int
v6_public(const unsigned char *a, int loopback_ok)
{
	static const unsigned char	mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
					    0, 0, 0xff, 0xff };
	static const unsigned char	nat64[12] = { 0, 0x64, 0xff, 0x9b };
	static const unsigned char	zero[15];

	/* An IPv4 address in IPv6 clothing is judged as IPv4. */
	if (!memcmp(a, mapped, 12) || !memcmp(a, nat64, 12))
		return (v4_public(a + 12, loopback_ok));
	if (!memcmp(a, zero, 15))
		return (a[15] == 1 ? loopback_ok : 0);	/* ::1, :: */
	return (!((a[0] & 0xfe) == 0xfc ||			/* unique local */
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||		/* link-local */
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) ||		/* site-local */
	    a[0] == 0xff ||					/* multicast */
	    (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d &&
	    a[3] == 0xb8)));					/* documentation */
}

/*
 * 0 when url may be a webhook endpoint: https:// (http:// only to a
 * loopback address, when loopback_ok), a host, no user part, no
 * fragment, printable ASCII, at most DROP_WEBHOOK_URL_MAX; an address
 * written as the host must be one Drop may call. The host's name is
 * judged again by its address at every connection (drop_addr_callable).
 */
int
drop_webhook_url_check(const char *url, int loopback_ok)
{
	unsigned char	addr[16];
	char		host[256];
	size_t		len, i, off;
	int		https, literal;

	if (url == NULL || (len = strlen(url)) > DROP_WEBHOOK_URL_MAX)
		return (-1);
	for (i = 0; i < len; i++) {
		if (url[i] <= 0x20 || url[i] >= 0x7f || url[i] == '#' ||
		    url[i] == '\\')
			return (-1);
	}
	if (!strncmp(url, "https://", 8)) {
		https = 1;
		off = 8;
	} else if (!strncmp(url, "http://", 7)) {
		https = 0;
		off = 7;
	} else
		return (-1);
	if (url_host(url + off, len - off, host, sizeof(host), &literal) != 0)
		return (-1);
	if (literal == AF_INET || literal == AF_INET6) {
		if (inet_pton(literal, host, addr) != 1 ||
		    !drop_addr_callable(literal, addr, loopback_ok))
			return (-1);
		if (!https && !(loopback_ok && ((literal == AF_INET &&
		    addr[0] == 127) || (literal == AF_INET6 &&
		    !drop_addr_callable(AF_INET6, addr, 0)))))
			return (-1);
		return (0);
	}
	if (!https)
		return (loopback_ok && !strcmp(host, "localhost") ? 0 : -1);

	return (strcmp(host, "localhost") || loopback_ok ? 0 : -1);
}

/*
 * The host of an authority ("host[:port]" or "[v6][:port]", up to the
 * first '/' or '?'): copied to host, *literal AF_INET, AF_INET6 or 0 for
 * a name. No user part; a port of 1-65535 digits only.
 */
static int
url_host(const char *s, size_t len, char *host, size_t hostlen, int *literal)
{
	unsigned char	 addr[16];
	const char	*end, *port;
	size_t		 alen, hlen, i;
	long		 p;

	for (alen = 0; alen < len && s[alen] != '/' && s[alen] != '?'; alen++)
		;
	if (alen == 0 || memchr(s, '@', alen) != NULL)
		return (-1);
	end = s + alen;
	if (s[0] == '[') {
		if ((port = memchr(s, ']', alen)) == NULL)
			return (-1);
		hlen = port - s - 1;
		s++;
		port++;
		*literal = AF_INET6;
	} else {
		port = memchr(s, ':', alen);
		hlen = (port != NULL ? port : end) - s;
		*literal = 0;
	}
	if (hlen == 0 || hlen >= hostlen)
		return (-1);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (port != NULL && port < end) {
		if (*port != ':' || port + 1 == end || end - port > 6)
			return (-1);
		for (p = 0, i = 1; port + i < end; i++) {
			if (port[i] < '0' || port[i] > '9')
				return (-1);
			p = p * 10 + (port[i] - '0');
		}
		if (p < 1 || p > 65535)
			return (-1);
	}
	for (i = 0; i < hlen; i++)
		host[i] = (host[i] >= 'A' && host[i] <= 'Z') ? host[i] + 32 :
		    host[i];
	if (*literal == 0 && inet_pton(AF_INET, host, addr) == 1)
		*literal = AF_INET;
	if (*literal == 0) {
		/* A name: letters, digits, '-' and '.', as DNS has them. */
		for (i = 0; i < hlen; i++) {
			if (!((host[i] >= 'a' && host[i] <= 'z') ||
			    (host[i] >= '0' && host[i] <= '9') ||
			    host[i] == '-' || host[i] == '.'))
				return (-1);
		}
	}

	return (0);
}
