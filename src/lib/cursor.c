/*
 * Cursors of list pages: the position (created_at in microseconds, id) of
 * the last row shown, hex-encoded so clients treat it as opaque. A cursor
 * is harmless by construction: every list query is scoped to its caller,
 * so a forged one only moves within the caller's own rows; a malformed one
 * is refused.
 */

#include <stdio.h>
#include <string.h>

#include "lib.h"

#define CURSOR_TEXT_MAX	((DROP_CURSOR_MAX - 1) / 2)

static int	hexval(int);

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

int
drop_cursor_encode(int64_t us, const char *id, char *out, size_t outlen)
{
	char		text[CURSOR_TEXT_MAX + 1];
	size_t		i, len;
	int		n;

	if (us < 0 || id == NULL || !drop_cursor_id_valid(id))
		return (-1);
	n = snprintf(text, sizeof(text), "%lld.%s", (long long)us, id);
	if (n < 0 || (size_t)n >= sizeof(text))
		return (-1);
	len = (size_t)n;
	if (outlen < len * 2 + 1)
		return (-1);
	for (i = 0; i < len; i++)
		(void)snprintf(out + i * 2, 3, "%02x", (unsigned char)text[i]);
	out[len * 2] = '\0';

	return (0);
}

/* The position of a cursor; -1 for anything this code did not make. */
int
drop_cursor_decode(const char *cursor, int64_t *us, char *id, size_t idlen)
{
	char		text[CURSOR_TEXT_MAX + 1], *dot;
	size_t		i, len;
	int64_t		v;
	int		hi, lo;

	if (cursor == NULL || (len = strlen(cursor)) == 0 || len % 2 != 0 ||
	    len / 2 > CURSOR_TEXT_MAX)
		return (-1);
	for (i = 0; i < len / 2; i++) {
		if ((hi = hexval(cursor[i * 2])) < 0 ||
		    (lo = hexval(cursor[i * 2 + 1])) < 0)
			return (-1);
		text[i] = (char)(hi * 16 + lo);
	}
	text[len / 2] = '\0';
	if ((dot = strchr(text, '.')) == NULL || dot == text ||
	    dot - text > 18)
		return (-1);
	for (v = 0, i = 0; text + i < dot; i++) {
		if (text[i] < '0' || text[i] > '9')
			return (-1);
		v = v * 10 + (text[i] - '0');
	}
	if (!drop_cursor_id_valid(dot + 1) || strlen(dot + 1) >= idlen)
		return (-1);
	*us = v;
	memcpy(id, dot + 1, strlen(dot + 1) + 1);

	return (0);
}

/* Any of Drop's ids: lower-case prefix words, then 16 hex digits. */
int
drop_cursor_id_valid(const char *id)
{
	size_t		len, i;

	len = strlen(id);
	if (len < DROP_ID_HEX + 2 || len >= DROP_ID_LEN ||
	    id[len - DROP_ID_HEX - 1] != '_')
		return (0);
	for (i = 0; i < len - DROP_ID_HEX - 1; i++) {
		if ((id[i] < 'a' || id[i] > 'z') && id[i] != '_')
			return (0);
	}
	for (i = len - DROP_ID_HEX; i < len; i++) {
		if (hexval(id[i]) < 0)
			return (0);
	}

	return (1);
}
