/*
 * UTF-8: decoding, lengths and cuts in code points, and the sanitizer
 * every text field goes through (§1: controls removed, trimmed).
 */

#include <string.h>

#include "lib.h"

/* Decode one code point; returns its byte length or 0 when invalid. */
int
drop_utf8_next(const unsigned char *s, size_t len, unsigned int *cp)
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
		if ((n = drop_utf8_next((const unsigned char *)s + off,
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
		if ((n = drop_utf8_next(s + off, len - off, &cp)) == 0)
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
