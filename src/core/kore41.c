/*
 * Kore 4.1 internals the module relies on (read in src/pgsql.c and
 * src/validator.c of 4.1.0), in one file: the database pool hands Kore
 * connections it opened itself, schedules their reads the way Kore does,
 * and takes them apart without a word to the server; the start-up check
 * walks Kore's validators. kore41_check_version() refuses another Kore.
 */

#include <string.h>

#include "kore41.h"

/* Kore never opens a connection itself: this conninfo fails to parse. */
#define GUARD_CONNINFO	"drop_pool_guard=never-connect-on-the-event-loop"

/* Kore's private job record (pgsql.c): its first member. */
struct kore_pgsql_job_head {
	struct kore_pgsql	*pgsql;
};

/* Kore's private list of validators (validator.c). */
extern TAILQ_HEAD(, kore_validator)	validators;

/* Where a detached connection's job writes its last error (nobody reads). */
static struct kore_pgsql	tombstone;

static void	detached_event(void *, int);

/* Everything below was read in 4.1: any other release is refused. */
void
kore41_check_version(void)
{
	if (kore_version == NULL ||
	    strncmp(kore_version, KORE41_VERSION, strlen(KORE41_VERSION)))
		fatal("drop needs Kore %sx; this is Kore %s (see "
		    "src/core/kore41.c)", KORE41_VERSION,
		    kore_version != NULL ? kore_version : "unknown");
}

/*
 * Registers db with a conninfo that never connects and conn_max 0, so
 * Kore never queues and never connects on the event loop; returns the
 * configured pgsql_conn_max, which sizes the module's own pool.
 */
int
kore41_pgsql_guard(const char *db)
{
	int		configured;

	configured = pgsql_conn_max;
	pgsql_conn_max = 0;
	if (!kore_pgsql_register(db, GUARD_CONNINFO))
		fatal("database %s registered twice", db);

	return (configured);
}

/* Puts a connected PGconn on Kore's free list, the way Kore releases one. */
void
kore41_pgsql_adopt(const char *name, PGconn *db)
{
	struct pgsql_conn	*conn;
	struct kore_pgsql	 hand;

	conn = kore_calloc(1, sizeof(*conn));
	conn->name = kore_strdup(name);
	conn->db = db;
	conn->evt.type = KORE_TYPE_PGSQL_CONN;
	conn->evt.handle = kore_pgsql_handle;

	kore_pgsql_init(&hand);
	hand.conn = conn;
	hand.flags = KORE_PGSQL_SYNC;
	kore_pgsql_cleanup(&hand);
}

/* Takes one idle connection off Kore's free list; NULL when none. */
struct pgsql_conn *
kore41_pgsql_take_free(const char *name)
{
	struct kore_pgsql	 take;
	struct pgsql_conn	*conn;

	kore_pgsql_init(&take);
	if (!kore_pgsql_setup(&take, name, KORE_PGSQL_SYNC)) {
		kore_pgsql_cleanup(&take);
		return (NULL);
	}
	conn = take.conn;
	take.conn = NULL;
	kore_pgsql_cleanup(&take);

	return (conn);
}

/*
 * Detaches a connection from Kore before it is freed: no more reads,
 * its query (if any) lets go of it, and an event epoll already returned
 * for it lands in a no-op.
 */
void
kore41_pgsql_detach(struct pgsql_conn *conn, int scheduled)
{
	struct kore_pgsql_job_head	*job;
	int				 fd;

	if (scheduled && (fd = PQsocket(conn->db)) >= 0)
		kore_platform_disable_read(fd);
	if ((job = (struct kore_pgsql_job_head *)conn->job) != NULL) {
		job->pgsql->conn = NULL;
		job->pgsql = &tombstone;
	}
	conn->evt.handle = detached_event;
}

static void
detached_event(void *c, int err)
{
	(void)c;
	(void)err;
}

/* Frees a detached connection: Kore's error path closes and frees it. */
void
kore41_pgsql_free(struct pgsql_conn *conn)
{
	kore_pgsql_handle(conn, 1);
}

void
kore41_pgsql_flush_tombstone(void)
{
	kore_free(tombstone.error);
	tombstone.error = NULL;
}

/* What Kore's own (static) pgsql_schedule does after a query is sent. */
void
kore41_pgsql_sent(struct kore_pgsql *sql, PGconn *db)
{
	kore_platform_schedule_read(PQsocket(db), sql->conn);
	sql->state = KORE_PGSQL_STATE_WAIT;
	sql->flags |= KORE_PGSQL_SCHEDULED;
}

int
kore41_pgsql_scheduled(struct kore_pgsql *sql)
{
	return ((sql->flags & KORE_PGSQL_SCHEDULED) != 0);
}

void
kore41_pgsql_unschedule(struct kore_pgsql *sql)
{
	sql->flags &= ~KORE_PGSQL_SCHEDULED;
}

/* Kore still reads this query's connection (it has not closed it). */
int
kore41_pgsql_readable(struct kore_pgsql *sql)
{
	return (sql->conn != NULL &&
	    (sql->conn->evt.flags & KORE_EVENT_READ) != 0);
}

/* Calls fn for every validator kore.conf declared; stops at a non-zero. */
int
kore41_validators_each(int (*fn)(struct kore_validator *, void *), void *arg)
{
	struct kore_validator	*val;
	int			 r;

	TAILQ_FOREACH(val, &validators, list) {
		if ((r = fn(val, arg)) != 0)
			return (r);
	}

	return (0);
}
