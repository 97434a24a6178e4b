/*
 * The raw text of a member of a JSON object, as the client wrote it: a
 * number judged by its digits, never by the double a parser made of it
 * (100.0000000000000000001 is 100 as a double, and not a money amount).
 * Pure; only for text a JSON parser has already accepted.
 */

#include <string.h>

#include "lib.h"

/* The index just past the string that opens at s[i], or len if unclosed. */
static size_t
skip_string(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return (i + 1);
	}

	return (len);
}

static size_t
skip_space(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
	    s[i] == '\n'))
		i++;

	return (i);
}

/*
 * The value text of the top-level member key (written without escapes):
 * 0 with out set; -1 when there is none, it is not a scalar or does not
 * fit out.
 */
int
drop_json_raw_member(const char *s, size_t len, const char *key, char *out,
    size_t outlen)
{
	size_t		i, j, start, klen, vlen;
	int		depth, want_key, match;

	klen = strlen(key);
	depth = 0;
	want_key = 0;
	for (i = 0; i < len; ) {
		if (s[i] != '"') {
			if (s[i] == '{' || s[i] == '[') {
				depth++;
				want_key = depth == 1 && s[i] == '{';
			} else if (s[i] == '}' || s[i] == ']') {
				depth--;
			} else if (s[i] == ',' && depth == 1) {
				want_key = 1;
			}
			i++;
			continue;
		}
		start = i + 1;
		i = skip_string(s, len, i);
		if (depth != 1 || !want_key)
			continue;
		want_key = 0;
		match = i - 1 - start == klen && !memcmp(s + start, key, klen);
		j = skip_space(s, len, i);
		if (j >= len || s[j] != ':')
			return (-1);
		j = skip_space(s, len, j + 1);
		if (!match) {
			i = j;
			continue;
		}
		for (vlen = 0; j + vlen < len && strchr(",}] \t\r\n",
		    s[j + vlen]) == NULL; vlen++)
			;
		if (vlen == 0 || vlen >= outlen || s[j] == '{' || s[j] == '[' ||
		    s[j] == '"')
			return (-1);
		memcpy(out, s + j, vlen);
		out[vlen] = '\0';
		return (0);
	}

	return (-1);
}
