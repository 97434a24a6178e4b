/*
 * The daily retention purge (issue 20): every worker asks now and then;
 * drop_purge_run() (sql/functions/017_purge.sql) does the day's work
 * once, whoever asks first, in bounded batches, and says what it
 * removed; the counts are logged (never what was removed).
 */

#include <string.h>

#include "drop.h"

#define PURGE_EVERY_MS	10000
#define PURGE_BATCH	"500"	/* rows of a kind per call (one transaction) */
#define PURGE_TIMEOUT_MS 60000	/* one call's deadline: a batch, not a day */

static struct {
	int		started;
	int		running;
} pg;

static const char	sql_run[] =
    "SELECT drop_purge_run($1::int) AS counts";

static void	tick(void *, u_int64_t);
static void	run(void);
static void	ran(PGresult *, void *);

/* Worker start (after the pool): the timer. */
void
drop_purge_start(void)
{
	if (pg.started)
		return;
	pg.started = 1;
	(void)kore_timer_add(tick, PURGE_EVERY_MS, NULL, 0);
}

static void
tick(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	run();
}

static void
run(void)
{
	const char	*params[1];

	if (pg.running || drop_db_state() != DROP_DB_UP)
		return;
	pg.running = 1;
	params[0] = PURGE_BATCH;
	drop_bgq_start_ms("purge", sql_run, 1, params, PURGE_TIMEOUT_MS, ran,
	    NULL);
}

/* A call made (counts), or nothing to do (NULL); a partial day goes on. */
static void
ran(PGresult *res, void *arg)
{
	const char	*counts;

	(void)arg;
	pg.running = 0;
	if ((counts = drop_bgq_col(res, 0, "counts")) == NULL)
		return;
	kore_log(LOG_NOTICE, "purge: %s", counts);
	if (strstr(counts, "\"more\": true") != NULL)
		run();
}
