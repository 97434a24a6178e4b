/*
 * What a failed query's SQLSTATE means to the database pool: whether the
 * caller got no usable answer (503) or a refusal (500 or the step's own
 * answer), and whether the connection itself is gone.
 */

#include <string.h>

#include "lib.h"

/* Connection, shutdown, timeout, resources, serialization: try again. */
int
drop_sqlstate_outcome(const char *state)
{
	if (state == NULL || strlen(state) != 5 || !strncmp(state, "08", 2) ||
	    !strncmp(state, "57", 2) || !strncmp(state, "53", 2) ||
	    !strncmp(state, "40", 2))
		return (DROP_DBQ_UNAVAILABLE);

	return (DROP_DBQ_FAILED);
}

/* 1 when the connection cannot serve another query. */
int
drop_sqlstate_lost(const char *state)
{
	return (state == NULL || strlen(state) != 5 ||
	    !strncmp(state, "08", 2) || !strncmp(state, "57P", 3));
}
