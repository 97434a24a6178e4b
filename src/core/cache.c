/*
 * Per-worker cache of exchange rates and feature flags, refreshed from the
 * database every 500 ms by one background query on the worker's pool, so a
 * change made through the internal API reaches every worker within a
 * second and a read never costs a database round-trip, nor waits while
 * the database is down (the last values, or the flags' defaults, stay).
 */

#include <stdlib.h>
#include <string.h>

#include "drop.h"

#define CACHE_INTERVAL_MS	500
#define CACHE_TIMEOUT_MS	1500
#define CACHE_ROWS_MAX		256	/* rates and flags read per refresh */

static struct drop_dbq		cache_q;
static int			cache_busy;
static int			cache_started;
static int			cache_failing;
static struct drop_rate		cache_rates[DROP_RATES_MAX];
static int			cache_nrates;
static int			cache_loaded;
static char			cache_updated[40];

static const char	sql_rates[] =
    "SELECT currency, rate::text AS rate, iso(updated_at) AS updated, "
    "iso(max(updated_at) OVER ()) AS newest FROM exchange_rates "
    "UNION ALL SELECT name, enabled::text, NULL, NULL FROM feature_flags "
    "ORDER BY 4 NULLS LAST, 1";

static void	cache_tick(void *, u_int64_t);
static void	cache_done(struct drop_dbq *, void *);
static void	cache_load(PGresult *);

void
drop_cache_start(void)
{
	if (cache_started)
		return;
	cache_started = 1;
	(void)kore_timer_add(cache_tick, CACHE_INTERVAL_MS, NULL, 0);
	cache_tick(NULL, 0);
}

static void
cache_tick(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	if (cache_busy)
		return;
	cache_busy = 1;
	drop_dbq_start(&cache_q, NULL, cache_done, NULL, "rates-cache",
	    sql_rates, 0, NULL, CACHE_TIMEOUT_MS);
}

/* Called once per refresh, after the pool has let go of the query. */
static void
cache_done(struct drop_dbq *q, void *arg)
{
	(void)arg;
	if (q->outcome == DROP_DBQ_OK && q->res != NULL) {
		cache_load(q->res);
		if (cache_failing)
			kore_log(LOG_NOTICE, "rates cache refreshed again");
		cache_failing = 0;
	} else if (!cache_failing && cache_loaded) {
		cache_failing = 1;
		kore_log(LOG_NOTICE, "rates cache refresh failed (database %s);"
		    " serving the last rates", drop_db_state_name());
	}
	drop_dbq_release(q);
	cache_busy = 0;
}

static void
cache_load(PGresult *res)
{
	int		row, rows, n;
	const char	*cur, *rate, *updated;

	rows = PQntuples(res);
	if (PQnfields(res) != 4)
		return;
	for (row = 0, n = 0; row < rows && row < CACHE_ROWS_MAX; row++) {
		cur = PQgetvalue(res, row, 0);
		rate = PQgetvalue(res, row, 1);
		updated = PQgetvalue(res, row, 2);
		/* Flag rows have no update time. */
		if (PQgetisnull(res, row, 3)) {
			drop_flag_load(cur, rate[0] == 't');
			continue;
		}
		if (n >= DROP_RATES_MAX || strlen(cur) != 3)
			continue;
		(void)kore_strlcpy(cache_rates[n].currency, cur,
		    sizeof(cache_rates[n].currency));
		(void)kore_strlcpy(cache_rates[n].rate, rate,
		    sizeof(cache_rates[n].rate));
		(void)kore_strlcpy(cache_rates[n].updated, updated,
		    sizeof(cache_rates[n].updated));
		n++;
	}
	if (rows > 0 && !PQgetisnull(res, 0, 3))
		(void)kore_strlcpy(cache_updated, PQgetvalue(res, 0, 3),
		    sizeof(cache_updated));
	cache_nrates = n;
	cache_loaded = 1;
}

/* 1 once this worker's first refresh loaded rates and flags. */
int
drop_cache_ready(void)
{
	return (cache_loaded);
}

/* The cached rates; -1 until the first refresh has loaded. */
int
drop_rates(const struct drop_rate **rates, int *n, const char **updated)
{
	if (!cache_loaded)
		return (-1);
	*rates = cache_rates;
	*n = cache_nrates;
	*updated = cache_updated;

	return (0);
}

const struct drop_rate *
drop_rate_find(const char *currency)
{
	int		i;

	for (i = 0; cache_loaded && i < cache_nrates; i++) {
		if (!strcmp(cache_rates[i].currency, currency))
			return (&cache_rates[i]);
	}

	return (NULL);
}
