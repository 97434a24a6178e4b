/*
 * Norwegian bank account numbers: the two written forms and the MOD11
 * check digit (§5); the one implementation of the rule.
 */

#include <ctype.h>
#include <string.h>

#include "lib.h"

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
