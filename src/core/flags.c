/*
 * Feature flags (§10): the known flags, their defaults, and this worker's
 * copy of their state, which cache.c loads with the rates every 500 ms.
 * Routes name the flags they need in struct drop_route.
 */

#include <string.h>

#include "drop.h"

struct flag {
	const char	*name;
	int		 bit;
	int		 enabled;	/* the default until the first load */
};

/* Card flags default off; notifications on (contract §10). */
static struct flag	flags[] = {
	{ "cards",		DROP_FLAG_CARDS,		0 },
	{ "physicalCards",	DROP_FLAG_PHYSICAL_CARDS,	0 },
	{ "cardPin",		DROP_FLAG_CARD_PIN,		0 },
	{ "spendingLimits",	DROP_FLAG_SPENDING_LIMITS,	0 },
	{ "notifications",	DROP_FLAG_NOTIFICATIONS,	1 },
	{ NULL,			0,				0 }
};

/* The known flag called name (its static name), or NULL. */
const char *
drop_flag_name(const char *name)
{
	const struct flag	*f;

	for (f = flags; name != NULL && f->name != NULL; f++) {
		if (!strcmp(f->name, name))
			return (f->name);
	}

	return (NULL);
}

/* One row of the cache refresh; unknown names are ignored. */
void
drop_flag_load(const char *name, int enabled)
{
	struct flag	*f;

	for (f = flags; f->name != NULL; f++) {
		if (!strcmp(f->name, name))
			f->enabled = enabled;
	}
}

/* 1 when every flag in mask is on in this worker's copy. */
int
drop_flags_on(int mask)
{
	const struct flag	*f;

	for (f = flags; f->name != NULL; f++) {
		if ((mask & f->bit) && !f->enabled)
			return (0);
	}

	return (1);
}
