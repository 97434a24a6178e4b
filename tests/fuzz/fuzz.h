/*
 * What every fuzz target shares: the input as a NUL-terminated copy (the
 * parsers of src/lib take C strings), and a check that aborts, so that a
 * broken property is a finding like a crash.
 */

#ifndef DROP_FUZZ_H
#define DROP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX	(64 * 1024)	/* larger than any body Drop takes */

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		(void)fprintf(stderr, "property failed: %s\n", #cond);	\
		abort();						\
	}								\
} while (0)

/* The input as a C string (cut at FUZZ_MAX); NULL when empty. */
static inline char *
fuzz_text(const uint8_t *data, size_t size, size_t *len)
{
	char	*s;

	if (size > FUZZ_MAX)
		size = FUZZ_MAX;
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	*len = size;

	return (s);
}

#endif
