/*
 * E-mail messages (RFC 5322 with MIME) for the SMTP outbox: headers that
 * cannot be split by what users wrote (no CR or LF anywhere in them), a
 * UTF-8 subject as RFC 2047 encoded words, the text body in base64 (no
 * line too long, no lone dot for SMTP to misread).
 */

#include <openssl/evp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib.h"

#define SUBJECT_CHUNK	42	/* bytes per encoded word: 56 base64 + 12 */
#define BODY_LINE	57	/* bytes per base64 line of 76 characters */

static int	header_safe(const char *, size_t);
static size_t	utf8_chunk(const char *, size_t, size_t);
static int	put(char *, size_t, size_t *, const char *, size_t);
static int	put_b64(char *, size_t, size_t *, const char *, size_t);
static int	put_date(char *, size_t, size_t *, time_t);

/* Printable, no CR or LF, at most max bytes. */
static int
header_safe(const char *s, size_t max)
{
	size_t		i;

	if (s == NULL || strlen(s) > max)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			return (0);
	}

	return (1);
}

/* How many bytes of s (len left) fit in max without cutting a character. */
static size_t
utf8_chunk(const char *s, size_t len, size_t max)
{
	size_t		n;

	if (len <= max)
		return (len);
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;

	return (n > 0 ? n : max);
}

static int
put(char *out, size_t outlen, size_t *o, const char *s, size_t len)
{
	if (*o + len + 1 > outlen)
		return (-1);
	memcpy(out + *o, s, len);
	*o += len;
	out[*o] = '\0';

	return (0);
}

static int
put_b64(char *out, size_t outlen, size_t *o, const char *s, size_t len)
{
	unsigned char	b64[4 * ((BODY_LINE + 2) / 3) + 1];
	int		n;

	if (len > BODY_LINE)
		return (-1);
	n = EVP_EncodeBlock(b64, (const unsigned char *)s, (int)len);

	return (n < 0 ? -1 : put(out, outlen, o, (const char *)b64, (size_t)n));
}

/* RFC 5322 date in UTC, without the locale's names. */
static int
put_date(char *out, size_t outlen, size_t *o, time_t when)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	tm;
	char		buf[64];
	int		n;

	if (gmtime_r(&when, &tm) == NULL)
		return (-1);
	n = snprintf(buf, sizeof(buf), "Date: %s, %02d %s %04d %02d:%02d:%02d "
	    "+0000\r\n", days[tm.tm_wday % 7], tm.tm_mday,
	    months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return (-1);

	return (put(out, outlen, o, buf, (size_t)n));
}

/*
 * The whole message into out (NUL-terminated); its length, or -1 when a
 * header is unsafe, the address is no address, or out is too small.
 */
int
drop_mail_format(const struct drop_mail *m, char *out, size_t outlen)
{
	static const char	mime[] = "\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n";
	size_t			o, len, off, n;

	o = 0;
	if (!header_safe(m->from, 200) || !drop_valid_email(m->to) ||
	    !header_safe(m->subject, 400) || !header_safe(m->msgid, 200) ||
	    m->body == NULL || outlen == 0)
		return (-1);
	out[0] = '\0';
	if (put(out, outlen, &o, "From: ", 6) || put(out, outlen, &o, m->from,
	    strlen(m->from)) || put(out, outlen, &o, "\r\nTo: <", 7) ||
	    put(out, outlen, &o, m->to, strlen(m->to)) ||
	    put(out, outlen, &o, ">\r\nSubject:", 11))
		return (-1);
	len = strlen(m->subject);
	for (off = 0; off < len || off == 0; off += n) {
		n = utf8_chunk(m->subject + off, len - off, SUBJECT_CHUNK);
		if (put(out, outlen, &o, " =?UTF-8?B?", 11) ||
		    put_b64(out, outlen, &o, m->subject + off, n) ||
		    put(out, outlen, &o, "?=", 2) || (off + n < len &&
		    put(out, outlen, &o, "\r\n", 2)))
			return (-1);
		if (n == 0)
			break;
	}
	if (put(out, outlen, &o, "\r\n", 2) || put_date(out, outlen, &o,
	    m->date) || put(out, outlen, &o, "Message-ID: ", 12) ||
	    put(out, outlen, &o, m->msgid, strlen(m->msgid)) ||
	    put(out, outlen, &o, mime, sizeof(mime) - 1))
		return (-1);
	len = strlen(m->body);
	for (off = 0; off < len; off += n) {
		n = len - off > BODY_LINE ? BODY_LINE : len - off;
		if (put_b64(out, outlen, &o, m->body + off, n) ||
		    put(out, outlen, &o, "\r\n", 2))
			return (-1);
	}

	return ((int)o);
}
