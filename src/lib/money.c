/*
 * Money: integer øre to text and fees, never float arithmetic (the text
 * the client wrote is parsed by drop_money_parse).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"

/* "-1234.05" style text for SQL numeric parameters. */
int
drop_money_format(int64_t ore, char *out, size_t outlen)
{
	int		len;
	int64_t		abs_ore;

	abs_ore = ore < 0 ? -ore : ore;
	len = snprintf(out, outlen, "%s%lld.%02lld", ore < 0 ? "-" : "",
	    (long long)(abs_ore / 100), (long long)(abs_ore % 100));
	if (len < 0 || (size_t)len >= outlen)
		return (-1);

	return (0);
}

/* Fee in øre: amount × basis points / 10000, rounded half-up to the øre. */
int64_t
drop_fee(int64_t amount, int basis_points)
{
	return ((amount * basis_points + 5000) / 10000);
}

/*
 * Exact decimal text ("1170.00", "-3", "11.7") to minor units (2 decimals);
 * -1 on anything else or more than two significant decimals.
 */
int
drop_money_parse(const char *s, int64_t *minor)
{
	int64_t		units, frac;
	int		neg, i, digits;

	if (s == NULL || *s == '\0')
		return (-1);
	neg = (*s == '-');
	if (neg)
		s++;
	for (units = 0, digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
		if (digits >= 15)
			return (-1);
		units = units * 10 + (*s - '0');
	}
	if (digits == 0)
		return (-1);
	frac = 0;
	if (*s == '.') {
		s++;
		for (i = 0; *s >= '0' && *s <= '9'; s++, i++) {
			if (i < 2)
				frac = frac * 10 + (*s - '0');
			else if (*s != '0')
				return (-1);
		}
		if (i == 1)
			frac *= 10;
	}
	if (*s != '\0')
		return (-1);
	*minor = units * 100 + frac;
	if (neg)
		*minor = -*minor;

	return (0);
}
