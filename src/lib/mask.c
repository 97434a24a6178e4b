/*
 * Masking: the most of a card, an account or a customer that Drop ever
 * shows.
 */

#include <stdio.h>
#include <string.h>

#include "lib.h"

#define PAN_RUN_MIN	13	/* the shortest card number (ISO/IEC 7812) */

static int
all_digits(const char *s, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
	}

	return (1);
}

/* "**** **** **** 1234" from the last four digits; -1 if not 4 digits. */
int
drop_card_mask(const char *last4, char *out, size_t outlen)
{
	int		n;

	if (last4 == NULL || strlen(last4) != 4 || !all_digits(last4, 4))
		return (-1);
	n = snprintf(out, outlen, "**** **** **** %s", last4);
	if (n < 0 || (size_t)n >= outlen)
		return (-1);

	return (0);
}

/*
 * "Jane D.": the first name and the first character (a whole UTF-8
 * sequence) of the last name; only the first name if there is no last.
 */
int
drop_short_name(const char *first, const char *last, char *out,
    size_t outlen)
{
	unsigned int	 cp;
	int		 len, n;

	if (first == NULL)
		first = "";
	if (last == NULL || last[0] == '\0')
		len = snprintf(out, outlen, "%s", first);
	else {
		/* A stray byte is shown alone rather than dropped. */
		if ((n = drop_utf8_next((const unsigned char *)last,
		    strlen(last), &cp)) == 0)
			n = 1;
		len = snprintf(out, outlen, "%s%s%.*s.", first,
		    first[0] != '\0' ? " " : "", (int)n, last);
	}
	if (len < 0 || (size_t)len >= outlen)
		return (-1);

	return (0);
}

/* A card PIN: exactly four ASCII digits. */
int
drop_valid_pin(const char *pin)
{
	return (pin != NULL && strlen(pin) == 4 && all_digits(pin, 4));
}

/*
 * 1 when text holds 13 or more digits in a row (a card number could), also
 * written in groups: one space or dash between digits does not end a run.
 */
int
drop_has_card_number(const char *text)
{
	size_t		run;
	int		sep;

	for (run = 0, sep = 0; text != NULL && *text != '\0'; text++) {
		if (*text >= '0' && *text <= '9') {
			sep = 0;
			if (++run >= PAN_RUN_MIN)
				return (1);
		} else if ((*text == ' ' || *text == '-') && run > 0 && !sep) {
			sep = 1;
		} else {
			run = 0;
			sep = 0;
		}
	}

	return (0);
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
