/*
 * Text rules: UTF-8, sanitizing, and the field rules of the contract (§4).
 */

#include <ctype.h>
#include <string.h>
#include <time.h>

#include "pure.h"

static int	utf8_next(const unsigned char *, size_t, unsigned int *);
static int	is_leap(int);
static int	days_in_month(int, int);
static long	days_from_civil(int, int, int);
static int	last_sunday(int, int);

/* Decode one code point; returns its byte length or 0 when invalid. */
static int
utf8_next(const unsigned char *s, size_t len, unsigned int *cp)
{
	int		n, i;
	unsigned int	c, min;

	if (len == 0)
		return (0);
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return (1);
	} else if ((c & 0xe0) == 0xc0) {
		n = 2; c &= 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3; c &= 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4; c &= 0x07; min = 0x10000;
	} else {
		return (0);
	}
	if ((size_t)n > len)
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;

	return (n);
}

int
drop_utf8_valid(const char *s, size_t len)
{
	size_t		off;
	unsigned int	cp;
	int		n;

	for (off = 0; off < len; off += n) {
		if ((n = utf8_next((const unsigned char *)s + off,
		    len - off, &cp)) == 0)
			return (0);
	}

	return (1);
}

/* Length in code points of a valid UTF-8 string. */
size_t
drop_utf8_len(const char *s)
{
	size_t		n;

	for (n = 0; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}

	return (n);
}

/*
 * Copy in to out without control characters (C0, DEL, C1) and without
 * leading or trailing white space. Returns -1 on invalid UTF-8 or overflow.
 */
int
drop_sanitize(const char *in, char *out, size_t outlen)
{
	const unsigned char	*s;
	size_t			 len, off, o, end;
	unsigned int		 cp;
	int			 n;

	s = (const unsigned char *)in;
	len = strlen(in);
	if (outlen == 0)
		return (-1);
	for (off = 0, o = 0; off < len; off += n) {
		if ((n = utf8_next(s + off, len - off, &cp)) == 0)
			return (-1);
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			if (cp == '\t' || cp == '\n' || cp == '\r') {
				if (o + 1 >= outlen)
					return (-1);
				out[o++] = ' ';
			}
			continue;
		}
		if (o + n >= outlen)
			return (-1);
		memcpy(out + o, s + off, n);
		o += n;
	}
	out[o] = '\0';

	for (end = o; end > 0 && out[end - 1] == ' '; end--)
		out[end - 1] = '\0';
	for (off = 0; out[off] == ' '; off++)
		;
	if (off > 0)
		memmove(out, out + off, end - off + 1);

	return (0);
}

/* Markup is refused where a field says "no HTML/script". */
int
drop_has_html(const char *s)
{
	return (strchr(s, '<') != NULL || strchr(s, '>') != NULL);
}

static int
email_local_char(int c)
{
	return (isalnum(c) || strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

int
drop_valid_email(const char *s)
{
	const char	*at, *p, *label;
	size_t		 len, llen;
	int		 dots, tld_alpha;

	len = strlen(s);
	if (len < 3 || len > 254 || (at = strchr(s, '@')) == NULL)
		return (0);
	if (strchr(at + 1, '@') != NULL)
		return (0);
	llen = at - s;
	if (llen == 0 || llen > 64 || s[0] == '.' || at[-1] == '.')
		return (0);
	for (p = s; p < at; p++) {
		if (!email_local_char((unsigned char)*p) ||
		    (*p == '.' && p[1] == '.'))
			return (0);
	}

	dots = 0;
	label = at + 1;
	tld_alpha = 0;
	for (p = at + 1; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 ||
			    *label == '-' || p[-1] == '-')
				return (0);
			if (*p == '\0')
				break;
			dots++;
			label = p + 1;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-')
			return (0);
	}
	for (p = label, tld_alpha = 1; *p != '\0'; p++) {
		if (!isalpha((unsigned char)*p))
			tld_alpha = 0;
	}

	return (dots > 0 && tld_alpha && strlen(label) >= 2);
}

/* 8-128 characters with at least one letter and one digit. */
int
drop_valid_password(const char *s)
{
	size_t		n;
	int		letter, digit;

	n = drop_utf8_len(s);
	if (n < 8 || n > 128)
		return (0);
	for (letter = digit = 0; *s != '\0'; s++) {
		if (isdigit((unsigned char)*s))
			digit = 1;
		else if (isalpha((unsigned char)*s) || (unsigned char)*s >= 0xc3)
			letter = 1;
	}

	return (letter && digit);
}

/* 1..max characters, at least one letter, no markup. */
int
drop_valid_name(const char *s, size_t max)
{
	size_t		n;
	int		letter;

	n = drop_utf8_len(s);
	if (n < 1 || n > max || drop_has_html(s))
		return (0);
	for (letter = 0; *s != '\0'; s++) {
		if (isalpha((unsigned char)*s) || (unsigned char)*s >= 0xc3)
			letter = 1;
	}

	return (letter);
}

/* "+" then 8-15 digits. */
int
drop_valid_phone(const char *s)
{
	size_t		n;

	if (*s++ != '+')
		return (0);
	for (n = 0; s[n] != '\0'; n++) {
		if (!isdigit((unsigned char)s[n]))
			return (0);
	}

	return (n >= 8 && n <= 15);
}

static int
is_leap(int y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

static int
days_in_month(int y, int m)
{
	static const int	days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };

	if (m == 2 && is_leap(y))
		return (29);
	return (days[m - 1]);
}

/* A real calendar date written YYYY-MM-DD. */
int
drop_valid_date(const char *s, int *y, int *m, int *d)
{
	int		i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return (0);
	for (i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return (0);
	}
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	if (*y < 1900 || *m < 1 || *m > 12 || *d < 1)
		return (0);

	return (*d <= days_in_month(*y, *m));
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long
days_from_civil(int y, int m, int d)
{
	long	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (era * 146097 + doe - 719468);
}

/* Day of the month of the last Sunday of month m in year y. */
static int
last_sunday(int y, int m)
{
	int	last, wday;

	last = days_in_month(y, m);
	wday = (int)((days_from_civil(y, m, last) + 4) % 7);

	return (last - wday);
}

/* Today's date in Europe/Oslo (CET, CEST from last Sunday of March 01:00Z
 * to last Sunday of October 01:00Z), without reading tz files. */
void
drop_oslo_date(time_t now, int *y, int *m, int *d)
{
	struct tm	tm;
	time_t		start, end;
	long		offset;

	gmtime_r(&now, &tm);
	start = (time_t)days_from_civil(tm.tm_year + 1900, 3,
	    last_sunday(tm.tm_year + 1900, 3)) * 86400 + 3600;
	end = (time_t)days_from_civil(tm.tm_year + 1900, 10,
	    last_sunday(tm.tm_year + 1900, 10)) * 86400 + 3600;
	offset = (now >= start && now < end) ? 7200 : 3600;
	now += offset;
	gmtime_r(&now, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}

/* Eighteen or older today in Oslo; 29 February counts as 1 March. */
int
drop_valid_adult(const char *dob, time_t now)
{
	int	by, bm, bd, ty, tm, td, ay, am, ad;

	if (!drop_valid_date(dob, &by, &bm, &bd))
		return (0);
	drop_oslo_date(now, &ty, &tm, &td);
	ay = by + 18;
	am = bm;
	ad = bd;
	if (bm == 2 && bd == 29 && !is_leap(ay)) {
		am = 3;
		ad = 1;
	}

	return (days_from_civil(ty, tm, td) >= days_from_civil(ay, am, ad));
}

/*
 * Norwegian account number "dddd.dd.ddddd" or 11 digits with a valid MOD11
 * check digit; writes the 11 digits to out.
 */
int
drop_mod11_valid(const char *s, char *out, size_t outlen)
{
	static const int	weights[] = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };
	char			digits[12];
	size_t			len, i, n;
	int			sum, check;

	len = strlen(s);
	if (outlen < sizeof(digits))
		return (0);
	if (len == 13) {
		if (s[4] != '.' || s[7] != '.')
			return (0);
	} else if (len != 11) {
		return (0);
	}
	for (i = 0, n = 0; i < len; i++) {
		if (len == 13 && (i == 4 || i == 7))
			continue;
		if (!isdigit((unsigned char)s[i]))
			return (0);
		digits[n++] = s[i];
	}
	digits[n] = '\0';
	for (i = 0, sum = 0; i < 10; i++)
		sum += (digits[i] - '0') * weights[i];
	check = 11 - sum % 11;
	if (check == 11)
		check = 0;
	if (check == 10 || check != digits[10] - '0')
		return (0);
	memcpy(out, digits, sizeof(digits));

	return (1);
}

/* "*****" and the last four characters. */
int
drop_mask_account(const char *s, char *out, size_t outlen)
{
	size_t		len;

	len = strlen(s);
	if (outlen < 10)
		return (-1);
	memcpy(out, "*****", 5);
	if (len >= 4)
		memcpy(out + 5, s + len - 4, 4);
	else
		memcpy(out + 5, s, len);
	out[5 + (len >= 4 ? 4 : len)] = '\0';

	return (0);
}

/*
 * Copies at most max characters (code points) of s into out, never
 * splitting one; -1 when out cannot hold them.
 */
int
drop_utf8_cut(const char *s, size_t max, char *out, size_t outlen)
{
	size_t		i, n;

	for (i = 0, n = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++n > max)
			break;
		if (i + 1 >= outlen)
			return (-1);
		out[i] = s[i];
	}
	if (outlen == 0)
		return (-1);
	out[i] = '\0';

	return (0);
}
