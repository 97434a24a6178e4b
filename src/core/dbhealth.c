/*
 * The worker's view of the database: up, suspect (a failure was seen; a
 * probe connect decides) or down (the probe failed; retrying). Query
 * outcomes and connects feed it; health, the cache and logs read it.
 */

#include "dbpool.h"

static struct {
	int		state;
	u_int64_t	changed;
} health = { DROP_DB_SUSPECT, 0 };

/* Worker start: suspect until the first connect says otherwise. */
void
db_health_start(void)
{
	health.state = DROP_DB_SUSPECT;
	health.changed = kore_time_ms();
}

int
drop_db_state(void)
{
	return (health.state);
}

const char *
drop_db_state_name(void)
{
	switch (health.state) {
	case DROP_DB_UP:
		return ("up");
	case DROP_DB_SUSPECT:
		return ("suspect");
	default:
		return ("down");
	}
}

/* Moves to state (logged when up is gained or lost); the state before. */
int
db_health_set(int state, const char *why)
{
	u_int64_t	now;
	int		was;

	if ((was = health.state) == state)
		return (was);
	now = kore_time_ms();
	health.state = state;
	if (state == DROP_DB_UP || was == DROP_DB_UP)
		kore_log(LOG_NOTICE, "database %s after %llu ms: %s",
		    drop_db_state_name(),
		    (unsigned long long)(now - health.changed), why);
	health.changed = now;

	return (was);
}
