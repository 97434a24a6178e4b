/*
 * Norwegian national identity numbers (fødselsnummer, and D-numbers
 * whose day has 40 added): 11 digits, DDMMYY, an individual number of
 * three digits and two MOD11 check digits (weights from Skatteetaten).
 */

#include <string.h>

#include "lib.h"

static const int	weights1[9] = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
static const int	weights2[10] = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };

/* 11 - (sum mod 11), 0 for 11, -1 for 10 (no such number). */
static int
check_digit(const char *s, const int *w, int n)
{
	int	i, sum, k;

	for (sum = 0, i = 0; i < n; i++)
		sum += (s[i] - '0') * w[i];
	k = 11 - sum % 11;

	return (k == 11 ? 0 : k == 10 ? -1 : k);
}

/*
 * 1 when s is a well-formed number with both check digits right and a
 * real day; its day (D-numbers: less 40), month and two-digit year.
 */
int
drop_fnr_valid(const char *s, int *day, int *month, int *yy)
{
	int	i, d, m;

	if (s == NULL || strlen(s) != 11)
		return (0);
	for (i = 0; i < 11; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
	}
	if (check_digit(s, weights1, 9) != s[9] - '0' ||
	    check_digit(s, weights2, 10) != s[10] - '0')
		return (0);
	d = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[2] - '0') * 10 + (s[3] - '0');
	if (d > 40)
		d -= 40;
	if (d < 1 || d > 31 || m < 1 || m > 12)
		return (0);
	*day = d;
	*month = m;
	*yy = (s[4] - '0') * 10 + (s[5] - '0');

	return (1);
}
