/*
 * The database, per worker: connections opened in a Kore task thread
 * (libpq connects synchronously) and handed to Kore's pgsql, a health
 * state fed by query outcomes, and a deadline on every query. Nothing here
 * waits on the network on the event loop; docs/decisions.md, "Database
 * faults", has the design.
 */

#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "drop.h"

#define DB_SWEEP_MS		50	/* deadline and watchdog timer */
#define DB_RETRY_MS		250	/* pause between failed connects */
#define DB_POOL_MIN		2	/* connections kept open while up */
#define DB_POOL_MAX		64
#define DB_GRAVEYARD_MAX	(2 * DB_POOL_MAX + 8)	/* freed after the batch */
#define DB_STMT_MAX		128	/* distinct statements prepared */

#define Q_IDLE			0
#define Q_WAITING		1	/* for a free connection */
#define Q_SENT			2	/* holds a connection */
#define Q_FINISHED		3

/* Kore never opens a connection itself: this conninfo fails to parse. */
#define DB_GUARD_CONNINFO	"drop_pool_guard=never-connect-on-the-event-loop"

/*
 * What the pool knows of each connection: the statements it prepared.
 * Kore frees an idle connection the server closed without telling us, and
 * malloc may give its address to a new one: the backend pid tells them
 * apart, so a new connection never inherits another's statements.
 */
struct db_conn {
	PGconn			*db;
	int			 pid;
	u_int8_t		 prepared[DB_STMT_MAX / 8];
};

struct connect_job {
	struct kore_task	task;	/* first: the task is the job */
	PGconn			*db;
	char			 error[160];
};

static struct {
	int			 started;
	int			 closing;
	int			 state;
	int			 size;
	int			 total;		/* connections Kore holds for us */
	int			 busy;		/* of those, lent to queries */
	int			 connecting;
	int			 nwaiting;
	int			 wait_max;
	u_int64_t		 retry_at;
	u_int64_t		 changed;
	TAILQ_HEAD(, drop_dbq)	 waiting;
	TAILQ_HEAD(, drop_dbq)	 live;
	const char		*stmts[DB_STMT_MAX];
	int			 nstmts;
	struct db_conn		 conns[DB_POOL_MAX + 1];
	struct pgsql_conn	*graveyard[DB_GRAVEYARD_MAX];
	int			 ngraves;
	int			 burying;
} pool;

/* Kore's private job record (pgsql.c, Kore 4.1): its first member. */
struct kore_pgsql_job_head {
	struct kore_pgsql	*pgsql;
};

/* Where a buried connection's job writes its last error (nobody reads). */
static struct kore_pgsql	tombstone;

static void	db_sweep(void *, u_int64_t);
static void	db_set_state(int, const char *);
static void	pool_grow(void);
static void	pool_inject(PGconn *);
static void	pool_close_free(void);
static void	pool_wake(void);
static void	conn_destroy(struct pgsql_conn *, int);
static void	conn_buried_event(void *, int);
static void	graveyard_flush(void *, u_int64_t);
static int	connect_task(struct kore_task *);
static void	connect_done(struct kore_task *);
static struct db_conn *conn_record(PGconn *);
static void	conn_forget(PGconn *);
static int	stmt_index(const char *);
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
static void	dbq_unlist(struct drop_dbq *);

/* Worker start: Kore gets a guard conninfo; our pool opens the real ones. */
void
drop_db_setup(void)
{
	if (pool.started)
		return;
	pool.started = 1;
	TAILQ_INIT(&pool.waiting);
	TAILQ_INIT(&pool.live);
	pool.size = pgsql_conn_max > 0 ? pgsql_conn_max : 8;
	if (pool.size > DB_POOL_MAX)
		pool.size = DB_POOL_MAX;
	pool.wait_max = pgsql_queue_limit > 0 ? (int)pgsql_queue_limit : 1000;
	pool.state = DROP_DB_SUSPECT;
	pool.changed = kore_time_ms();

	/* conn_max 0: Kore never queues; it would only ever "connect" the guard. */
	pgsql_conn_max = 0;
	if (!kore_pgsql_register(DROP_DB, DB_GUARD_CONNINFO))
		fatal("database %s registered twice", DROP_DB);
	(void)kore_timer_add(db_sweep, DB_SWEEP_MS, NULL, 0);
	pool_grow();
}

int
drop_db_state(void)
{
	return (pool.state);
}

const char *
drop_db_state_name(void)
{
	switch (pool.state) {
	case DROP_DB_UP:
		return ("up");
	case DROP_DB_SUSPECT:
		return ("suspect");
	default:
		return ("down");
	}
}

/* Worker exit: every connection closed without waiting on the server. */
void
drop_db_teardown(void)
{
	struct drop_dbq		*q;

	pool.closing = 1;
	while ((q = TAILQ_FIRST(&pool.live)) != NULL) {
		dbq_lost(q, NULL);
		dbq_notify(q);
	}
	while ((q = TAILQ_FIRST(&pool.waiting)) != NULL) {
		dbq_finish(q, DROP_DBQ_UNAVAILABLE);
		dbq_notify(q);
	}
	pool_close_free();
	graveyard_flush(NULL, 0);
}

static void
db_set_state(int state, const char *why)
{
	u_int64_t	now;
	int		was;

	if ((was = pool.state) == state)
		return;
	now = kore_time_ms();
	pool.state = state;
	if (state == DROP_DB_UP || was == DROP_DB_UP)
		kore_log(LOG_NOTICE, "database %s after %llu ms: %s",
		    drop_db_state_name(),
		    (unsigned long long)(now - pool.changed), why);
	pool.changed = now;
	if (state != DROP_DB_UP) {
		/* Free connections share the fate of the one that failed. */
		pool_close_free();
		if (state == DROP_DB_SUSPECT)
			pool.retry_at = now;
	}
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
			if (pool.state == DROP_DB_UP && now < q->deadline)
				continue;
			dbq_finish(q, DROP_DBQ_UNAVAILABLE);
			dbq_notify(q);
			again = 1;
			break;
		}
	} while (again);
	pool_grow();
}

/* Starts a connect in a task thread when the pool or the watchdog needs one. */
static void
pool_grow(void)
{
	struct connect_job	*job;

	if (pool.connecting || pool.closing || kore_time_ms() < pool.retry_at)
		return;
	if (pool.state == DROP_DB_UP) {
		if (pool.total >= pool.size)
			return;
		if (pool.total >= DB_POOL_MIN && (pool.nwaiting == 0 ||
		    pool.total > pool.busy))
			return;
	}

	job = kore_calloc(1, sizeof(*job));
	kore_task_create(&job->task, connect_task);
	kore_task_bind_callback(&job->task, connect_done);
	pool.connecting = 1;
	kore_task_run(&job->task);
}

/* Task thread: the blocking connect, bounded by connect_timeout. */
static int
connect_task(struct kore_task *t)
{
	struct connect_job	*job = (struct connect_job *)t;
	PGconn			*db;

	if ((db = PQconnectdb(drop_cfg.conninfo)) == NULL) {
		(void)kore_strlcpy(job->error, "out of memory",
		    sizeof(job->error));
		return (KORE_RESULT_ERROR);
	}
	if (PQstatus(db) != CONNECTION_OK) {
		(void)kore_strlcpy(job->error, PQerrorMessage(db),
		    sizeof(job->error));
		PQfinish(db);
		return (KORE_RESULT_ERROR);
	}
	job->db = db;

	return (KORE_RESULT_OK);
}

/* Event loop: the thread is done; adopt its connection or retry later. */
static void
connect_done(struct kore_task *t)
{
	struct connect_job	*job = (struct connect_job *)t;
	PGconn			*db;
	char			 why[sizeof(job->error)];
	size_t			 len;

	if (kore_task_state(t) != KORE_TASK_STATE_FINISHED)
		return;
	db = job->db;
	(void)kore_strlcpy(why, job->error, sizeof(why));
	kore_task_destroy(t);
	kore_free(job);
	pool.connecting = 0;

	if (pool.closing) {
		if (db != NULL)
			PQfinish(db);
		return;
	}
	if (db == NULL) {
		len = strlen(why);
		while (len > 0 && (why[len - 1] == '\n' || why[len - 1] == ' '))
			why[--len] = '\0';
		if (pool.state != DROP_DB_DOWN)
			kore_log(LOG_NOTICE, "database connect failed: %s", why);
		/* A pool that cannot grow (too many clients) is still up. */
		if (pool.state != DROP_DB_UP || pool.total == 0)
			db_set_state(DROP_DB_DOWN, why);
		pool.retry_at = kore_time_ms() + DB_RETRY_MS;
		return;
	}
	pool_inject(db);
	db_set_state(DROP_DB_UP, "connected");
	pool_wake();
	pool_grow();
}

/* Puts a connected PGconn on Kore's free list, the way Kore releases one. */
static void
pool_inject(PGconn *db)
{
	struct pgsql_conn	*conn;
	struct kore_pgsql	 hand;
	struct db_conn		*rec;

	conn = kore_calloc(1, sizeof(*conn));
	conn->name = kore_strdup(DROP_DB);
	conn->db = db;
	conn->evt.type = KORE_TYPE_PGSQL_CONN;
	conn->evt.handle = kore_pgsql_handle;

	kore_pgsql_init(&hand);
	hand.conn = conn;
	hand.flags = KORE_PGSQL_SYNC;
	kore_pgsql_cleanup(&hand);
	pool.total++;
	/*
	 * A record still naming this address is stale: Kore freed that
	 * connection itself and malloc gave its address to this one.
	 */
	conn_forget(db);
	if ((rec = conn_record(NULL)) != NULL) {
		memset(rec, 0, sizeof(*rec));
		rec->db = db;
		rec->pid = PQbackendPID(db);
	}
}

/* The record of a connection (NULL: a free record), or NULL. */
static struct db_conn *
conn_record(PGconn *db)
{
	size_t		i;

	for (i = 0; i < sizeof(pool.conns) / sizeof(pool.conns[0]); i++) {
		if (pool.conns[i].db == db &&
		    (db == NULL || pool.conns[i].pid == PQbackendPID(db)))
			return (&pool.conns[i]);
	}

	return (NULL);
}

/* Drops every record naming this address (the live one and stale ones). */
static void
conn_forget(PGconn *db)
{
	size_t		i;

	for (i = 0; db != NULL &&
	    i < sizeof(pool.conns) / sizeof(pool.conns[0]); i++) {
		if (pool.conns[i].db == db)
			pool.conns[i].db = NULL;
	}
}

/*
 * A statement's number on this worker (its prepared name is d<number>);
 * -1 once the table is full, and the query is then sent unnamed. Queries
 * are the static strings of the route files, so the pointer names them.
 */
static int
stmt_index(const char *query)
{
	int		i;

	for (i = 0; i < pool.nstmts; i++) {
		if (pool.stmts[i] == query)
			return (i);
	}
	if (pool.nstmts == DB_STMT_MAX)
		return (-1);
	pool.stmts[pool.nstmts] = query;

	return (pool.nstmts++);
}

/* Closes every idle connection; the guard conninfo stops at an empty list. */
static void
pool_close_free(void)
{
	struct kore_pgsql	 take;
	struct pgsql_conn	*conn;

	while (pool.total > pool.busy) {
		kore_pgsql_init(&take);
		if (!kore_pgsql_setup(&take, DROP_DB, KORE_PGSQL_SYNC)) {
			kore_log(LOG_ERR, "database pool count out of step");
			kore_pgsql_cleanup(&take);
			pool.total = pool.busy;
			return;
		}
		conn = take.conn;
		take.conn = NULL;
		kore_pgsql_cleanup(&take);
		conn_destroy(conn, 0);
		pool.total--;
	}
}

/*
 * Frees a connection without talking to the server: the socket is shut
 * down first, so neither a cancel nor a drain nor PQfinish can wait. The
 * query it served lets go of it now; its memory is freed only after the
 * event batch being processed, because epoll may already have returned an
 * event for it (a restarting server hangs up on every connection at once)
 * and Kore would then call into freed memory (seen: a worker SIGSEGV).
 */
static void
conn_destroy(struct pgsql_conn *conn, int scheduled)
{
	struct kore_pgsql_job_head	*job;
	int				 fd;

	if ((fd = PQsocket(conn->db)) >= 0) {
		if (scheduled)
			kore_platform_disable_read(fd);
		(void)shutdown(fd, SHUT_RDWR);
	}
	conn_forget(conn->db);
	if ((job = (struct kore_pgsql_job_head *)conn->job) != NULL) {
		job->pgsql->conn = NULL;
		job->pgsql = &tombstone;
	}
	conn->evt.handle = conn_buried_event;
	if (pool.ngraves == DB_GRAVEYARD_MAX)
		graveyard_flush(NULL, 0);
	pool.graveyard[pool.ngraves++] = conn;
	if (!pool.burying) {
		pool.burying = 1;
		(void)kore_timer_add(graveyard_flush, 1, NULL, 1);
	}
}

/* An event that epoll returned before its connection was destroyed. */
static void
conn_buried_event(void *c, int err)
{
	(void)c;
	(void)err;
}

/* Frees the destroyed connections: runs after the event batch. */
static void
graveyard_flush(void *arg, u_int64_t now)
{
	int		i, n;

	(void)arg;
	(void)now;
	n = pool.ngraves;
	pool.ngraves = 0;
	pool.burying = 0;
	for (i = 0; i < n; i++)
		kore_pgsql_handle(pool.graveyard[i], 1);
	kore_free(tombstone.error);
	tombstone.error = NULL;
}

/* Hands free connections to queued queries, oldest first. */
static void
pool_wake(void)
{
	struct drop_dbq		*q;

	while (pool.state == DROP_DB_UP && pool.total > pool.busy &&
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
	if (pool.state != DROP_DB_UP || kore_time_ms() >= q->deadline) {
		dbq_finish(q, DROP_DBQ_UNAVAILABLE);
		return;
	}
	if (pool.total <= pool.busy) {
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
		pool.total = pool.busy;
		dbq_finish(q, DROP_DBQ_UNAVAILABLE);
		return;
	}
	pool.busy++;
	q->lent = 1;
	q->db = q->sql.conn->db;
	q->phase = Q_SENT;
	TAILQ_INSERT_TAIL(&pool.live, q, list);
	q->queued = Q_SENT;
	q->stmt = stmt_index(q->query);
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
	struct db_conn	*rec;
	char		 name[16];

	rec = conn_record(q->db);
	if (q->stmt < 0 || rec == NULL)
		return (kore_pgsql_query_param_fields(&q->sql, q->query, 0,
		    q->nparams, (const char **)(uintptr_t)q->params, NULL,
		    NULL));
	(void)snprintf(name, sizeof(name), "d%d", q->stmt);
	if (!(rec->prepared[q->stmt / 8] & (1 << (q->stmt % 8)))) {
		if (!PQsendPrepare(q->db, name, q->query, q->nparams, NULL))
			return (0);
		q->preparing = 1;
	} else if (!PQsendQueryPrepared(q->db, name, q->nparams, q->params,
	    NULL, NULL, 0)) {
		return (0);
	}
	/* What Kore's own (static) pgsql_schedule does after a send. */
	kore_platform_schedule_read(PQsocket(q->db), q->sql.conn);
	q->sql.state = KORE_PGSQL_STATE_WAIT;
	q->sql.flags |= KORE_PGSQL_SCHEDULED;

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
		pool.busy--;
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
	PGconn		*db = q->sql.conn->db;
	PGresult	*extra;
	struct db_conn	*rec;

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
		rec = conn_record(db);
		if (rec != NULL)
			rec->prepared[q->stmt / 8] |= 1 << (q->stmt % 8);
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
		kore_log(LOG_NOTICE, "[%s] pgsql error %s: %s", q->label,
		    q->sqlstate,
		    q->sql.error != NULL ? q->sql.error : "unknown");
	}
	if (PQstatus(q->sql.conn->db) == CONNECTION_BAD ||
	    !(q->sql.conn->evt.flags & KORE_EVENT_READ)) {
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
		conn_destroy(q->sql.conn,
		    (q->sql.flags & KORE_PGSQL_SCHEDULED) != 0);
	q->sql.flags &= ~KORE_PGSQL_SCHEDULED;
	if (q->lent) {
		conn_forget(q->db);
		pool.busy--;
		pool.total--;
		q->lent = 0;
	}
	dbq_finish(q, DROP_DBQ_UNAVAILABLE);
	if (why != NULL)
		db_set_state(DROP_DB_SUSPECT, why);
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
