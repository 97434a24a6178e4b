/*
 * The pool's connections: each opened by a blocking libpq connect in a
 * Kore task thread (never on the event loop) and handed to Kore's pgsql;
 * given up without a word to the server (socket shut down first); freed
 * only after the event batch that is being processed.
 */

#include <sys/socket.h>

#include <string.h>

#include "dbpool.h"

#define DB_GRAVEYARD_MAX	(2 * DB_POOL_MAX + 8)	/* freed after the batch */

struct connect_job {
	struct kore_task	task;	/* first: the task is the job */
	PGconn			*db;
	char			 error[160];
};

static struct {
	int			 closing;
	int			 total;		/* connections Kore holds for us */
	int			 busy;		/* of those, lent to queries */
	int			 connecting;
	void			(*connected)(PGconn *, const char *);
	struct pgsql_conn	*graveyard[DB_GRAVEYARD_MAX];
	int			 ngraves;
	int			 burying;
} conns;

static int	connect_task(struct kore_task *);
static void	connect_done(struct kore_task *);
static void	graveyard_flush(void *, u_int64_t);

/* cb learns of each finished connect: the connection, or NULL and why. */
void
dbconn_setup(void (*cb)(PGconn *, const char *))
{
	conns.connected = cb;
}

/* Worker exit: no new connects; one still running is closed when done. */
void
dbconn_closing(void)
{
	conns.closing = 1;
}

int
dbconn_connecting(void)
{
	return (conns.connecting);
}

int
dbconn_total(void)
{
	return (conns.total);
}

int
dbconn_idle(void)
{
	return (conns.total - conns.busy);
}

void
dbconn_lent(void)
{
	conns.busy++;
}

void
dbconn_returned(void)
{
	conns.busy--;
}

/* A lent connection is gone (destroyed, or closed by Kore). */
void
dbconn_gone(PGconn *db)
{
	dbstmt_conn_forget(db);
	conns.busy--;
	conns.total--;
}

/* Kore's free list is empty although the counts say otherwise. */
void
dbconn_out_of_step(void)
{
	conns.total = conns.busy;
}

/* Starts a connect in a task thread; 0 when one runs or the worker exits. */
int
dbconn_connect(void)
{
	struct connect_job	*job;

	if (conns.connecting || conns.closing)
		return (0);
	job = kore_calloc(1, sizeof(*job));
	kore_task_create(&job->task, connect_task);
	kore_task_bind_callback(&job->task, connect_done);
	conns.connecting = 1;
	kore_task_run(&job->task);

	return (1);
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

/* Event loop: the thread is done; the pool decides what follows. */
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
	conns.connecting = 0;

	if (conns.closing) {
		if (db != NULL)
			PQfinish(db);
		return;
	}
	len = strlen(why);
	while (len > 0 && (why[len - 1] == '\n' || why[len - 1] == ' '))
		why[--len] = '\0';
	conns.connected(db, why);
}

/* A connected PGconn becomes one of Kore's free connections. */
void
dbconn_adopt(PGconn *db)
{
	kore41_pgsql_adopt(DROP_DB, db);
	conns.total++;
	dbstmt_conn_new(db);
}

/* Closes every idle connection. */
void
dbconn_close_free(void)
{
	struct pgsql_conn	*conn;

	while (conns.total > conns.busy) {
		if ((conn = kore41_pgsql_take_free(DROP_DB)) == NULL) {
			kore_log(LOG_ERR, "database pool count out of step");
			conns.total = conns.busy;
			return;
		}
		dbconn_destroy(conn, 0);
		conns.total--;
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
void
dbconn_destroy(struct pgsql_conn *conn, int scheduled)
{
	int		fd;

	fd = PQsocket(conn->db);
	kore41_pgsql_detach(conn, scheduled);
	if (fd >= 0)
		(void)shutdown(fd, SHUT_RDWR);
	dbstmt_conn_forget(conn->db);
	if (conns.ngraves == DB_GRAVEYARD_MAX)
		dbconn_flush();
	conns.graveyard[conns.ngraves++] = conn;
	if (!conns.burying) {
		conns.burying = 1;
		(void)kore_timer_add(graveyard_flush, 1, NULL, 1);
	}
}

static void
graveyard_flush(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	dbconn_flush();
}

/* Frees the destroyed connections: runs after the event batch. */
void
dbconn_flush(void)
{
	int		i, n;

	n = conns.ngraves;
	conns.ngraves = 0;
	conns.burying = 0;
	for (i = 0; i < n; i++)
		kore41_pgsql_free(conns.graveyard[i]);
	kore41_pgsql_flush_tombstone();
}
