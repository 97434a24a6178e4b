/*
 * Cookies with SameSite (Kore's own cookie API cannot set it) and bearer
 * header parsing.
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib.h"

/* name=value; [HttpOnly; ]Secure; SameSite=Strict; Path=/; Max-Age=n */
int
drop_cookie_format(char *out, size_t outlen, const char *name,
    const char *value, int max_age, int httponly)
{
	int		len;

	if (strpbrk(value, ";, \t\r\n\"\\") != NULL)
		return (-1);
	len = snprintf(out, outlen,
	    "%s=%s; %sSecure; SameSite=Strict; Path=/; Max-Age=%d",
	    name, value, httponly ? "HttpOnly; " : "", max_age);
	if (len < 0 || (size_t)len >= outlen)
		return (-1);

	return (0);
}

/* "Bearer <token>" -> token; 0 when the header is not a bearer token. */
int
drop_bearer(const char *header, const char **token)
{
	if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0)
		return (0);
	header += 7;
	while (*header == ' ')
		header++;
	if (*header == '\0')
		return (0);
	*token = header;

	return (1);
}
