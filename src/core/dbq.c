/*
 * Each query on the worker's pool, as a state machine: it waits for a free
 * connection (bounded queue), is sent as a prepared statement, reads its
 * results through Kore's events, and ends with an outcome; a deadline ends
 * it whatever the server does. The pool's policy lives here too: when to
 * connect, what a failure says about the database, and who is woken. Nothing
 * here waits on the network on the event loop; docs/decisions.md,
 * "Database faults", has the design.
 */

#include <stdio.h>
#include <string.h>

#include "dbpool.h"

#define DB_SWEEP_MS		50	/* deadline and watchdog timer */
#define DB_RETRY_MS		250	/* pause between failed connects */
#define DB_POOL_MIN		2	/* connections kept open while up */

#define Q_IDLE			0
#define Q_WAITING		1	/* for a free connection */
#define Q_SENT			2	/* holds a connection */
#define Q_FINISHED		3

static struct {
	int			 started;
	int			 size;
	int			 nwaiting;
	int			 wait_max;
	u_int64_t		 retry_at;
	TAILQ_HEAD(, drop_dbq)	 waiting;
	TAILQ_HEAD(, drop_dbq)	 live;
} pool;

static void	db_sweep(void *, u_int64_t);
static void	pool_state(int, const char *);
static void	pool_connected(PGconn *, const char *);
static void	pool_grow(void);
static void	pool_wake(void);
static int	dbq_send(struct drop_dbq *);
static void	dbq_kore_cb(struct kore_pgsql *, void *);
static void	dbq_step(struct drop_dbq *);
static void	dbq_advance(struct drop_dbq *);
static void	dbq_acquire(struct drop_dbq *);
static void	dbq_progress(struct drop_dbq *);
static void	dbq_drain(struct drop_dbq *);
static void	dbq_failed(struct drop_dbq *);
static void	dbq_lost(struct drop_dbq *, const char *);
static void	dbq_finish(struct drop_dbq *, int);
static void	dbq_notify(struct drop_dbq *);
static void	dbq_log_error(struct drop_dbq *);
static void	dbq_unlist(struct drop_dbq *);

/*
 * A failed query, for the log: its SQLSTATE and the names of what it hit,
 * never PostgreSQL's texts (a DETAIL carries the values: e-mails,
 * account numbers).
 */
static void
dbq_log_error(struct drop_dbq *q)
{
	const char	*constraint, *table, *column;
	PGresult	*res = q->sql.result;

	constraint = res != NULL ? PQresultErrorField(res,
	    PG_DIAG_CONSTRAINT_NAME) : NULL;
	table = res != NULL ? PQresultErrorField(res, PG_DIAG_TABLE_NAME) :
	    NULL;
	column = res != NULL ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) :
	    NULL;
	kore_log(LOG_NOTICE, "[%s] pgsql error %s%s%s%s%s%s%s", q->label,
	    q->sqlstate[0] != '\0' ? q->sqlstate : "(none)",
	    table != NULL ? " table " : "", table != NULL ? table : "",
	    column != NULL ? " column " : "", column != NULL ? column : "",
	    constraint != NULL ? " constraint " : "",
	    constraint != NULL ? constraint : "");
}

/* Worker start: Kore gets a guard conninfo; our pool opens the real ones. */
void
drop_db_setup(void)
{
	int		configured;

	if (pool.started)
		return;
	pool.started = 1;
	TAILQ_INIT(&pool.waiting);
	TAILQ_INIT(&pool.live);
	configured = kore41_pgsql_guard(DROP_DB);
	pool.size = configured > 0 ? configured : 8;
	if (pool.size > DB_POOL_MAX)
		pool.size = DB_POOL_MAX;
	pool.wait_max = pgsql_queue_limit > 0 ? (int)pgsql_queue_limit : 1000;
	db_health_start();
	dbconn_setup(pool_connected);
	(void)kore_timer_add(db_sweep, DB_SWEEP_MS, NULL, 0);
	pool_grow();
}

/* Worker exit: every connection closed without waiting on the server. */
void
drop_db_teardown(void)
{
	struct drop_dbq		*q;

	dbconn_closing();
	while ((q = TAILQ_FIRST(&pool.live)) != NULL) {
		dbq_lost(q, NULL);
		dbq_notify(q);
	}
	while ((q = TAILQ_FIRST(&pool.waiting)) != NULL) {
		dbq_finish(q, DROP_DBQ_UNAVAILABLE);
		dbq_notify(q);
	}
	dbconn_close_free();
	dbconn_flush();
}

/* A new health state; idle connections share the fate of a failed one. */
static void
pool_state(int state, const char *why)
{
	if (db_health_set(state, why) == state || state == DROP_DB_UP)
		return;
	dbconn_close_free();
	if (state == DROP_DB_SUSPECT)
		pool.retry_at = kore_time_ms();
}

/* Deadlines of queued and sent queries, and the watchdog's next connect. */
static void
db_sweep(void *arg, u_int64_t now)
{
	struct drop_dbq		*q;
	int			 again;

	(void)arg;
	do {
		again = 0;
		TAILQ_FOREACH(q, &pool.live, list) {
			if (q->sql.conn == NULL) {
				/* Kore closed it on a hang-up, without a callback. */
				dbq_step(q);
				if (q->queued == Q_SENT) {
					dbq_lost(q, "closed");
					dbq_notify(q);
				}
				again = 1;
				break;
			}
			if (now < q->deadline)
				continue;
			kore_log(LOG_NOTICE, "[%s] database query passed its "
			    "deadline; connection abandoned", q->label);
			dbq_lost(q, "query deadline passed");
			dbq_notify(q);
			again = 1;
			break;
		}
	} while (again);
	do {
		again = 0;
		TAILQ_FOREACH(q, &pool.waiting, list) {
			if (drop_db_state() == DROP_DB_UP && now < q->deadline)
				continue;
			dbq_finish(q, DROP_DBQ_UNAVAILABLE);
			dbq_notify(q);
			again = 1;
			break;
		}
	} while (again);
	pool_grow();
}

/* Starts a connect when the pool or the watchdog needs one. */
static void
pool_grow(void)
{
	int		total;

	if (dbconn_connecting() || kore_time_ms() < pool.retry_at)
		return;
	total = dbconn_total();
	if (drop_db_state() == DROP_DB_UP) {
		if (total >= pool.size)
			return;
		if (total >= DB_POOL_MIN && (pool.nwaiting == 0 ||
		    dbconn_idle() > 0))
			return;
	}
	(void)dbconn_connect();
}

/* A connect finished: adopt its connection, or retry later. */
static void
pool_connected(PGconn *db, const char *why)
{
	if (db == NULL) {
		if (drop_db_state() != DROP_DB_DOWN)
			kore_log(LOG_NOTICE, "database connect failed: %s", why);
		/* A pool that cannot grow (too many clients) is still up. */
		if (drop_db_state() != DROP_DB_UP || dbconn_total() == 0)
			pool_state(DROP_DB_DOWN, why);
		pool.retry_at = kore_time_ms() + DB_RETRY_MS;
		return;
	}
	dbconn_adopt(db);
	pool_state(DROP_DB_UP, "connected");
	pool_wake();
	pool_grow();
}

/* Hands free connections to queued queries, oldest first. */
static void
pool_wake(void)
{
	struct drop_dbq		*q;

	while (drop_db_state() == DROP_DB_UP && dbconn_idle() > 0 &&
	    (q = TAILQ_FIRST(&pool.waiting)) != NULL)
		dbq_step(q);
}

/*
 * Starts a query bound to a request (woken as it progresses) or to a
 * callback (called once when finished). params must outlive the query.
 */
void
drop_dbq_start(struct drop_dbq *q, struct http_request *req,
    void (*done)(struct drop_dbq *, void *), void *arg, const char *label,
    const char *query, int nparams, const char *const *params,
    u_int64_t timeout_ms)
{
	drop_dbq_release(q);
	memset(q, 0, sizeof(*q));
	q->label = label;
	q->req = req;
	q->done = done;
	q->arg = arg;
	q->query = query;
	q->nparams = nparams;
	q->params = params;
	q->deadline = kore_time_ms() +
	    (timeout_ms > 0 ? timeout_ms : DROP_DB_TIMEOUT_MS);
	q->phase = Q_WAITING;
	dbq_step(q);
}

int
drop_dbq_finished(struct drop_dbq *q)
{
	if (q->phase != Q_FINISHED)
		dbq_step(q);
	return (q->phase == Q_FINISHED);
}

/* Ends a query at any point without waiting; its result is freed. */
void
drop_dbq_release(struct drop_dbq *q)
{
	switch (q->phase) {
	case Q_WAITING:
		dbq_finish(q, DROP_DBQ_UNAVAILABLE);
		break;
	case Q_SENT:
		q->done = NULL;
		dbq_lost(q, NULL);
		break;
	default:
		break;
	}
	if (q->res != NULL) {
		PQclear(q->res);
		q->res = NULL;
	}
	q->phase = Q_IDLE;
}

/* The result, now owned by the caller. */
PGresult *
drop_dbq_take(struct drop_dbq *q)
{
	PGresult	*res;

	res = q->res;
	q->res = NULL;
	return (res);
}

static void
dbq_kore_cb(struct kore_pgsql *sql, void *arg)
{
	(void)sql;
	dbq_step(arg);
}

/* Kore calls back from inside its own calls: run the machine once at a time. */
static void
dbq_step(struct drop_dbq *q)
{
	if (q->stepping) {
		q->again = 1;
		return;
	}
	q->stepping = 1;
	do {
		q->again = 0;
		dbq_advance(q);
	} while (q->again && q->phase != Q_FINISHED);
	q->stepping = 0;
	if (q->phase == Q_FINISHED)
		dbq_notify(q);
}

static void
dbq_advance(struct drop_dbq *q)
{
	switch (q->phase) {
	case Q_WAITING:
		dbq_acquire(q);
		break;
	case Q_SENT:
		dbq_progress(q);
		break;
	default:
		break;
	}
}

/* A free connection, or a place in the queue, or an answer now. */
static void
dbq_acquire(struct drop_dbq *q)
{
	if (drop_db_state() != DROP_DB_UP || kore_time_ms() >= q->deadline) {
		dbq_finish(q, DROP_DBQ_UNAVAILABLE);
		return;
	}
	if (dbconn_idle() <= 0) {
		if (q->queued == 0) {
			if (pool.nwaiting >= pool.wait_max) {
				dbq_finish(q, DROP_DBQ_UNAVAILABLE);
				return;
			}
			TAILQ_INSERT_TAIL(&pool.waiting, q, list);
			q->queued = Q_WAITING;
			pool.nwaiting++;
		}
		if (q->req != NULL)
			http_request_sleep(q->req);
		pool_grow();
		return;
	}
	dbq_unlist(q);

	/*
	 * Always a callback, never Kore's request binding: Kore would only
	 * wake the request, and a second read event before the request runs
	 * replaces the unread result with the end of the query (seen as a
	 * query with no rows). The callback takes each result at once; the
	 * pool sleeps and wakes the request itself.
	 */
	kore_pgsql_init(&q->sql);
	kore_pgsql_bind_callback(&q->sql, dbq_kore_cb, q);
	q->bound = 1;
	if (!kore_pgsql_setup(&q->sql, DROP_DB, KORE_PGSQL_ASYNC)) {
		kore_log(LOG_ERR, "[%s] database pool: no free connection: %s",
		    q->label, q->sql.error != NULL ? q->sql.error : "unknown");
		dbconn_out_of_step();
		dbq_finish(q, DROP_DBQ_UNAVAILABLE);
		return;
	}
	dbconn_lent();
	q->lent = 1;
	q->db = q->sql.conn->db;
	q->phase = Q_SENT;
	TAILQ_INSERT_TAIL(&pool.live, q, list);
	q->queued = Q_SENT;
	q->stmt = dbstmt_index(q->query);
	if (!dbq_send(q)) {
		dbq_lost(q, "query not sent");
		return;
	}
	if (q->req != NULL)
		http_request_sleep(q->req);
}

/*
 * Sends the query as a prepared statement: on a connection that has not
 * prepared it yet, the Parse goes first (its answer brings us back to
 * dbq_drain, which then sends the execution).
 */
static int
dbq_send(struct drop_dbq *q)
{
	char		 name[16];
	int		 prepared;

	prepared = q->stmt < 0 ? -1 : dbstmt_prepared(q->db, q->stmt);
	if (prepared < 0)
		return (kore_pgsql_query_param_fields(&q->sql, q->query, 0,
		    q->nparams, (const char **)(uintptr_t)q->params, NULL,
		    NULL));
	(void)snprintf(name, sizeof(name), "d%d", q->stmt);
	if (!prepared) {
		if (!PQsendPrepare(q->db, name, q->query, q->nparams, NULL))
			return (0);
		q->preparing = 1;
	} else if (!PQsendQueryPrepared(q->db, name, q->nparams, q->params,
	    NULL, NULL, 0)) {
		return (0);
	}
	kore41_pgsql_sent(&q->sql, q->db);

	return (1);
}

/* Reads Kore's state for a sent query. */
static void
dbq_progress(struct drop_dbq *q)
{
	switch (q->sql.state) {
	case KORE_PGSQL_STATE_WAIT:
		return;
	case KORE_PGSQL_STATE_RESULT:
		if (q->res == NULL) {
			q->res = q->sql.result;
			q->sql.result = NULL;
		}
		kore_pgsql_continue(&q->sql);
		q->again = 1;
		return;
	case KORE_PGSQL_STATE_ERROR:
		dbq_failed(q);
		return;
	case KORE_PGSQL_STATE_DONE:
		dbq_drain(q);
		return;
	case KORE_PGSQL_STATE_COMPLETE:
		dbconn_returned();
		q->lent = 0;
		dbq_finish(q, q->errored ? drop_sqlstate_outcome(q->sqlstate) :
		    DROP_DBQ_OK);
		pool_wake();
		return;
	default:
		kore_pgsql_continue(&q->sql);
		q->again = 1;
		return;
	}
}

/*
 * The last result is in; the connection goes back only once libpq has
 * read the end of the query (so Kore's drain cannot wait) and it is
 * outside any transaction (so Kore never sends a blocking ROLLBACK).
 */
static void
dbq_drain(struct drop_dbq *q)
{
	PGconn		*db = q->db;
	PGresult	*extra;

	if (!PQconsumeInput(db)) {
		dbq_lost(q, "connection broken");
		return;
	}
	for (;;) {
		if (PQisBusy(db)) {
			/* Kore's next read event brings us back here. */
			q->sql.state = KORE_PGSQL_STATE_WAIT;
			return;
		}
		if ((extra = PQgetResult(db)) == NULL)
			break;
		PQclear(extra);
	}
	if (PQtransactionStatus(db) != PQTRANS_IDLE) {
		dbq_lost(q, NULL);
		return;
	}
	if (q->preparing && !q->errored) {
		/* Prepared: now the execution, on the same connection. */
		q->preparing = 0;
		dbstmt_mark(db, q->stmt);
		if (q->sql.result != NULL) {
			PQclear(q->sql.result);
			q->sql.result = NULL;
		}
		if (!dbq_send(q))
			dbq_lost(q, "query not sent");
		return;
	}
	kore_pgsql_continue(&q->sql);
	q->again = 1;
}

/* The server refused the query, or the connection broke. */
static void
dbq_failed(struct drop_dbq *q)
{
	const char	*state;

	if (q->sql.conn == NULL) {
		/* Kore closed it (the server hung up). */
		dbq_lost(q, q->sql.error != NULL ? q->sql.error : "closed");
		return;
	}
	if (!q->errored) {
		q->errored = 1;
		if (q->sql.result != NULL && (state = PQresultErrorField(
		    q->sql.result, PG_DIAG_SQLSTATE)) != NULL)
			(void)kore_strlcpy(q->sqlstate, state,
			    sizeof(q->sqlstate));
		dbq_log_error(q);
	}
	if (PQstatus(q->db) == CONNECTION_BAD ||
	    !kore41_pgsql_readable(&q->sql)) {
		dbq_lost(q, q->sql.error != NULL ? q->sql.error : "broken");
		return;
	}
	if (drop_sqlstate_lost(q->sqlstate)) {
		dbq_lost(q, q->sqlstate);
		return;
	}
	/* Read on to the end of the query, so no cancel is ever sent. */
	kore_pgsql_continue(&q->sql);
	q->again = 1;
}

/*
 * The connection is given up (deadline, hang-up, client gone, shutdown):
 * it is closed without a word to the server, and unless the caller is
 * simply leaving (why NULL), the database is suspect.
 */
static void
dbq_lost(struct drop_dbq *q, const char *why)
{
	if (q->sql.conn != NULL)
		dbconn_destroy(q->sql.conn, kore41_pgsql_scheduled(&q->sql));
	kore41_pgsql_unschedule(&q->sql);
	if (q->lent) {
		dbconn_gone(q->db);
		q->lent = 0;
	}
	dbq_finish(q, DROP_DBQ_UNAVAILABLE);
	if (why != NULL)
		pool_state(DROP_DB_SUSPECT, why);
	pool_grow();
}

static void
dbq_finish(struct drop_dbq *q, int outcome)
{
	dbq_unlist(q);
	if (q->bound) {
		q->sql.cb = NULL;
		kore_pgsql_cleanup(&q->sql);
		q->bound = 0;
	}
	q->outcome = outcome;
	q->phase = Q_FINISHED;
}

static void
dbq_notify(struct drop_dbq *q)
{
	void	(*done)(struct drop_dbq *, void *);

	if (q->notified)
		return;
	q->notified = 1;
	if (q->req != NULL)
		http_request_wakeup(q->req);
	if ((done = q->done) != NULL) {
		q->done = NULL;
		done(q, q->arg);
	}
}

static void
dbq_unlist(struct drop_dbq *q)
{
	if (q->queued == Q_WAITING) {
		TAILQ_REMOVE(&pool.waiting, q, list);
		pool.nwaiting--;
	} else if (q->queued == Q_SENT) {
		TAILQ_REMOVE(&pool.live, q, list);
	}
	q->queued = 0;
}
