/*
 * Per-worker cache of exchange rates, refreshed from the database every
 * 500 ms by an async query on a timer, so a change made through the
 * internal API reaches every worker within a second and a rate read never
 * costs a database round-trip.
 */

#include <stdlib.h>
#include <string.h>

#include "drop.h"

#define CACHE_INTERVAL_MS	500

static struct kore_pgsql	cache_sql;
static int			cache_busy;
static int			cache_started;
static struct drop_rate		cache_rates[DROP_RATES_MAX];
static int			cache_nrates;
static int			cache_loaded;
static char			cache_updated[40];

static const char	sql_rates[] =
    "SELECT currency, rate::text AS rate, iso(updated_at) AS updated, "
    "iso(max(updated_at) OVER ()) AS newest FROM exchange_rates "
    "ORDER BY currency";

static void	cache_tick(void *, u_int64_t);
static void	cache_send(void);
static void	cache_result(struct kore_pgsql *, void *);
static void	cache_load(struct kore_pgsql *);
static void	cache_done(struct kore_pgsql *);

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
	kore_pgsql_init(&cache_sql);
	kore_pgsql_bind_callback(&cache_sql, cache_result, NULL);
	cache_send();
}

static void
cache_send(void)
{
	if (!kore_pgsql_setup(&cache_sql, DROP_DB, KORE_PGSQL_ASYNC)) {
		if (cache_sql.state != KORE_PGSQL_STATE_INIT)
			cache_done(&cache_sql);
		return;
	}
	if (!kore_pgsql_query(&cache_sql, sql_rates))
		cache_done(&cache_sql);
}

static void
cache_result(struct kore_pgsql *sql, void *arg)
{
	(void)arg;
	switch (sql->state) {
	case KORE_PGSQL_STATE_INIT:
		cache_send();
		break;
	case KORE_PGSQL_STATE_WAIT:
		break;
	case KORE_PGSQL_STATE_RESULT:
		cache_load(sql);
		kore_pgsql_continue(sql);
		break;
	case KORE_PGSQL_STATE_ERROR:
	case KORE_PGSQL_STATE_COMPLETE:
		cache_done(sql);
		break;
	default:
		kore_pgsql_continue(sql);
		break;
	}
}

static void
cache_load(struct kore_pgsql *sql)
{
	int		row, rows, n;
	const char	*cur, *rate, *updated;

	rows = kore_pgsql_ntuples(sql);
	for (row = 0, n = 0; row < rows && n < DROP_RATES_MAX; row++) {
		cur = kore_pgsql_getvalue(sql, row, 0);
		rate = kore_pgsql_getvalue(sql, row, 1);
		updated = kore_pgsql_getvalue(sql, row, 2);
		if (strlen(cur) != 3)
			continue;
		(void)kore_strlcpy(cache_rates[n].currency, cur,
		    sizeof(cache_rates[n].currency));
		(void)kore_strlcpy(cache_rates[n].rate, rate,
		    sizeof(cache_rates[n].rate));
		(void)kore_strlcpy(cache_rates[n].updated, updated,
		    sizeof(cache_rates[n].updated));
		n++;
	}
	if (rows > 0)
		(void)kore_strlcpy(cache_updated,
		    kore_pgsql_getvalue(sql, 0, 3), sizeof(cache_updated));
	cache_nrates = n;
	cache_loaded = 1;
}

/* Ends a refresh; a connection the server dropped is reset for the next. */
static void
cache_done(struct kore_pgsql *sql)
{
	if (sql->state == KORE_PGSQL_STATE_ERROR) {
		kore_log(LOG_NOTICE, "cache refresh failed: %s",
		    sql->error ? sql->error : "unknown");
		if (sql->conn != NULL && PQstatus(sql->conn->db) == CONNECTION_BAD)
			PQreset(sql->conn->db);
	}
	kore_pgsql_cleanup(sql);
	cache_busy = 0;
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
