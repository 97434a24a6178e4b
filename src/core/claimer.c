/*
 * Work claimed from the database under a lease, a few items at a time
 * (the webhook deliveries, the e-mail outbox): each worker asks every
 * tick for as many due items as it has places free, unless a claim is
 * under way or the database is not up; a full claim means more may be
 * due, and the next claim follows as soon as an outcome is recorded.
 */

#include <stdio.h>

#include "drop.h"

static void	tick(void *, u_int64_t);
static void	claimed(PGresult *, void *);

/* Starts c's timer (once); c stays the caller's, for the worker's life. */
void
drop_claimer_start(struct drop_claimer *c, u_int64_t every_ms)
{
	if (c->started)
		return;
	c->started = 1;
	(void)kore_timer_add(tick, every_ms, c, 0);
}

static void
tick(void *arg, u_int64_t now)
{
	(void)now;
	drop_claimer_claim(arg);
}

/* Due items for the places free: c->sql takes $1 limit, $2 lease ms. */
void
drop_claimer_claim(struct drop_claimer *c)
{
	const char	*params[2];
	char		 limit[16];

	if (c->claiming || c->inflight >= c->inflight_max ||
	    drop_db_state() != DROP_DB_UP)
		return;
	c->claiming = 1;
	(void)snprintf(limit, sizeof(limit), "%d",
	    c->inflight_max - c->inflight);
	params[0] = limit;
	params[1] = c->lease_ms;
	drop_bgq_start(c->name, c->sql, 2, params, claimed, c);
}

/* Each claimed row goes to c->start, which counts as one in flight. */
static void
claimed(PGresult *res, void *arg)
{
	struct drop_claimer	*c = arg;
	int			 row, rows;

	c->claiming = 0;
	rows = res != NULL ? PQntuples(res) : 0;
	c->more = rows > 0 && c->inflight + rows >= c->inflight_max;
	for (row = 0; row < rows; row++) {
		c->inflight++;
		c->start(res, row);
	}
}

/* One item's outcome is in: its place is free. */
void
drop_claimer_done(struct drop_claimer *c)
{
	c->inflight--;
}

/* Its record is written: a backlog goes on without waiting for a tick. */
void
drop_claimer_recorded(struct drop_claimer *c, PGresult *res)
{
	if (res != NULL && c->more)
		drop_claimer_claim(c);
}
