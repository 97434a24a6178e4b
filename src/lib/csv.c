/*
 * CSV cells (RFC 4180) for statements: every cell quoted, quotes
 * doubled; a text cell that a spreadsheet would read as a formula
 * (= + - @, tab, carriage return first) gets a leading apostrophe.
 */

#include <string.h>

#include "lib.h"

/*
 * in as one quoted cell into out (NUL-terminated); guard for text a
 * user or shop wrote. Its length, or -1 when out is too small.
 */
int
drop_csv_cell(const char *in, int guard, char *out, size_t outlen)
{
	size_t		i, o, need;

	if (in == NULL)
		in = "";
	o = 0;
	if (outlen < 3)
		return (-1);
	out[o++] = '"';
	if (guard && in[0] != '\0' && strchr("=+-@\t\r", in[0]) != NULL) {
		if (outlen < 4)
			return (-1);
		out[o++] = '\'';
	}
	for (i = 0; in[i] != '\0'; i++) {
		/* This character (doubled if a quote), the closing quote, NUL. */
		need = in[i] == '"' ? 2 : 1;
		if (o + need + 2 > outlen)
			return (-1);
		if (in[i] == '"')
			out[o++] = '"';
		out[o++] = in[i];
	}
	if (o + 2 > outlen)
		return (-1);
	out[o++] = '"';
	out[o] = '\0';

	return ((int)o);
}
