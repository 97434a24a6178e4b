/*
 * Values stored in clear before sealing began (migration 026): each
 * worker, from its start, asks for a few (drop_unsealed_values) and
 * seals them; the database keeps a sealed value only while the row
 * still holds the one read, so two workers never seal one twice. The
 * next pass waits for this one's seals; a pass that finds none ends the
 * checks (new values are sealed when written).
 */

#include <string.h>

#include "drop.h"

#define RESEAL_EVERY_MS	2000
#define RESEAL_BATCH	"50"	/* values of each kind per pass */

static struct {
	int		started;
	int		running;
	int		pending;	/* seals of the last pass in flight */
	int		done;
} rs;

static const char	sql_list[] =
    "SELECT kind, id, value FROM drop_unsealed_values($1::int)";
static const char	sql_seal[] =
    "SELECT drop_seal_value($1, $2, $3, $4) AS sealed";

static void	tick(void *, u_int64_t);
static void	listed(PGresult *, void *);
static void	seal_one(PGresult *, int);
static void	sealed(PGresult *, void *);

/* Worker start (after the pool): the timer. */
void
drop_reseal_start(void)
{
	if (rs.started)
		return;
	rs.started = 1;
	(void)kore_timer_add(tick, RESEAL_EVERY_MS, NULL, 0);
}

static void
tick(void *arg, u_int64_t now)
{
	const char	*params[1];

	(void)arg;
	(void)now;
	if (rs.done || rs.running || rs.pending > 0 ||
	    drop_db_state() != DROP_DB_UP)
		return;
	rs.running = 1;
	params[0] = RESEAL_BATCH;
	drop_bgq_start("reseal", sql_list, 1, params, listed, NULL);
}

/* None left: done; a failed query is asked again at the next tick. */
static void
listed(PGresult *res, void *arg)
{
	int		row, n;

	(void)arg;
	rs.running = 0;
	if (res == NULL)
		return;
	if ((n = PQntuples(res)) == 0) {
		rs.done = 1;
		return;
	}
	for (row = 0; row < n; row++)
		seal_one(res, row);
}

static void
seal_one(PGresult *res, int row)
{
	const char	*kind, *id, *clear, *params[4];
	char		 text[DROP_SEAL_TEXT_MAX];

	kind = drop_bgq_col(res, row, "kind");
	id = drop_bgq_col(res, row, "id");
	clear = drop_bgq_col(res, row, "value");
	if (kind == NULL || id == NULL || clear == NULL ||
	    (strcmp(kind, "national_id") != 0 && strcmp(kind, "secret") != 0))
		return;
	if (drop_seal_text(kind, clear, text, sizeof(text)) != 0) {
		kore_log(LOG_WARNING, "reseal: %s of %s not sealed", kind, id);
		return;
	}
	params[0] = kind;
	params[1] = id;
	params[2] = clear;
	params[3] = text;
	rs.pending++;
	drop_bgq_start("reseal", sql_seal, 4, params, sealed, NULL);
}

/* Sealed, or taken by another worker first; a failure waits a pass. */
static void
sealed(PGresult *res, void *arg)
{
	(void)res;
	(void)arg;
	rs.pending--;
}
