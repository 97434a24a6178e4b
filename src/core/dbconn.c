/*
 * The pool's connections: each opened by a blocking libpq connect on the
 * worker's own connect thread (never on the event loop, and never queued
 * behind password hashes in Kore's task threads) and handed to Kore's pgsql;
 * given up without a word to the server (socket shut down first); freed
 * only after the event batch that is being processed.
 */

#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "dbpool.h"

#define DB_GRAVEYARD_MAX	(2 * DB_POOL_MAX + 8)	/* freed after the batch */
#define DB_EVENT_TYPE		101	/* none of Kore's: it calls handle */

struct connect_job {
	PGconn			*db;
	char			 error[160];
};

/* The connect thread: one job at a time in, one result out. */
static struct {
	int			 started;
	pthread_t		 thread;
	struct connect_job	*todo;
	struct connect_job	*done;
	struct drop_thread_link	 link;
} ct;

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

static void	*connect_thread(void *);
static void	 connect_event(void *, int);
static void	 connect_done(struct connect_job *);
static void	graveyard_flush(void *, u_int64_t);

/*
 * Worker start: cb learns of each finished connect (the connection, or
 * NULL and why); the connect thread and its pipe to the event loop.
 */
void
dbconn_setup(void (*cb)(PGconn *, const char *))
{
	conns.connected = cb;
	if (ct.started)
		return;
	drop_thread_link(&ct.link, "database", DB_EVENT_TYPE, connect_event);
	if (pthread_create(&ct.thread, NULL, connect_thread, NULL) != 0)
		fatal("database: thread: %s", errno_s);
	ct.started = 1;
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

/* Starts a connect on the connect thread; 0 when one runs or the worker exits. */
int
dbconn_connect(void)
{
	struct connect_job	*job;

	if (conns.connecting || conns.closing || !ct.started)
		return (0);
	job = kore_calloc(1, sizeof(*job));
	conns.connecting = 1;
	(void)pthread_mutex_lock(&ct.link.lock);
	ct.todo = job;
	(void)pthread_cond_signal(&ct.link.wake);
	(void)pthread_mutex_unlock(&ct.link.lock);

	return (1);
}

/*
 * The connect thread: the blocking connect, bounded by connect_timeout,
 * then a byte down the pipe. It touches only its job (the worker leaves
 * with _exit, so it is never joined).
 */
static void *
connect_thread(void *arg)
{
	struct connect_job	*job;
	PGconn			*db;
	char			 one = 1;

	(void)arg;
	for (;;) {
		(void)pthread_mutex_lock(&ct.link.lock);
		while (ct.todo == NULL)
			(void)pthread_cond_wait(&ct.link.wake, &ct.link.lock);
		job = ct.todo;
		ct.todo = NULL;
		(void)pthread_mutex_unlock(&ct.link.lock);

		if ((db = PQconnectdb(drop_cfg.conninfo)) == NULL) {
			(void)kore_strlcpy(job->error, "out of memory",
			    sizeof(job->error));
		} else if (PQstatus(db) != CONNECTION_OK) {
			(void)kore_strlcpy(job->error, PQerrorMessage(db),
			    sizeof(job->error));
			PQfinish(db);
		} else {
			job->db = db;
		}

		(void)pthread_mutex_lock(&ct.link.lock);
		ct.done = job;
		(void)pthread_mutex_unlock(&ct.link.lock);
		while (write(ct.link.pipe[1], &one, 1) == -1 && errno == EINTR)
			;
	}

	return (NULL);
}

/* Event loop: the pipe says a connect finished. */
static void
connect_event(void *arg, int err)
{
	struct connect_job	*job;
	char			 buf[16];

	(void)arg;
	(void)err;
	while (read(ct.link.pipe[0], buf, sizeof(buf)) > 0)
		;
	(void)pthread_mutex_lock(&ct.link.lock);
	job = ct.done;
	ct.done = NULL;
	(void)pthread_mutex_unlock(&ct.link.lock);
	if (job != NULL)
		connect_done(job);
}

/* The thread is done; the pool decides what follows. */
static void
connect_done(struct connect_job *job)
{
	PGconn			*db;
	char			 why[sizeof(job->error)];
	size_t			 len;

	db = job->db;
	(void)kore_strlcpy(why, job->error, sizeof(why));
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
