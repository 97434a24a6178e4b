/*
 * The field rules of registration (§4): email, password, names, phone,
 * dates and the age of majority on today's date in Oslo.
 */

#include <ctype.h>
#include <string.h>
#include <time.h>

#include "lib.h"

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

	return (*d <= drop_month_days(*y, *m));
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
	if (bm == 2 && bd == 29 && !drop_leap_year(ay)) {
		am = 3;
		ad = 1;
	}

	return (drop_civil_days(ty, tm, td) >= drop_civil_days(ay, am, ad));
}
