/*
 * Kore 4.1 internals the module relies on (read in src/pgsql.c and
 * src/validator.c of 4.1.0), in one file: the database pool hands Kore
 * connections it opened itself, schedules their reads the way Kore does,
 * and takes them apart without a word to the server; the start-up check
 * walks Kore's validators. kore41_check_version() refuses another Kore.
 */

#include <sys/param.h>

#include <limits.h>
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
static int	delete_body_recv(struct netbuf *);
static size_t	delete_body_start(const u_int8_t *, size_t);

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

/*
 * A DELETE's body (the erasure's {password}, contract §11). Kore 4.1
 * marks a DELETE complete at its headers (http.c, http_request_new) and
 * keeps the bytes read with them in req->headers, of which the
 * connection's receive buffer still counts c->rnb->s_off; it reads no
 * more until the answer is out. Here the body is put where Kore puts a
 * POST's (req->http_body, http_body_length): what came with the headers
 * first, the rest read with the connection's own receive buffer, under
 * Kore's body timeout, while the request sleeps.
 */
int
kore41_delete_body(struct http_request *req, size_t max)
{
	struct connection	*c = req->owner;
	const char		*clp;
	size_t			 got, start, want;
	long long		 len;
	int			 err;

	if (req->method != HTTP_METHOD_DELETE || req->http_body != NULL ||
	    c == NULL || !http_request_header(req, "content-length", &clp))
		return (KORE41_BODY_DONE);
	len = kore_strtonum(clp, 10, 0, LLONG_MAX, &err);
	if (err != KORE_RESULT_OK || c->rnb == NULL || c->rnb->buf != NULL) {
		c->flags |= CONN_CLOSE_EMPTY;
		return (KORE41_BODY_BAD);
	}
	if (len == 0)
		return (KORE41_BODY_DONE);
	if ((size_t)len > max) {
		/* Unread bytes must not be taken for the next request. */
		c->flags |= CONN_CLOSE_EMPTY;
		return (KORE41_BODY_TOO_LARGE);
	}
	want = (size_t)len;
	start = delete_body_start((const u_int8_t *)req->headers,
	    c->rnb->s_off);
	got = c->rnb->s_off - start;
	if (got > want) {
		/* A pipelined request after it: Kore would lose it anyway. */
		c->flags |= CONN_CLOSE_EMPTY;
		got = want;
	}
	req->http_body = kore_buf_alloc(want);
	req->http_body_length = want;
	req->content_length = want;
	kore_buf_append(req->http_body, req->headers + start, got);
	explicit_bzero(req->headers + start, got);
	if (got == want)
		return (KORE41_BODY_DONE);

	net_recv_reset(c, MIN(want - got, NETBUF_SEND_PAYLOAD_MAX),
	    delete_body_recv);
	c->rnb->extra = req;
	c->http_start = kore_time_ms();
	c->http_timeout = http_body_timeout * 1000;
	if (net_recv_flush(c) != KORE_RESULT_OK) {
		c->rnb->extra = NULL;
		kore_connection_disconnect(c);
		return (KORE41_BODY_BAD);
	}

	return (kore41_delete_body_pending(req) ? KORE41_BODY_WAIT :
	    KORE41_BODY_DONE);
}

/*
 * The body kore41_delete_body() started has not all arrived yet (a
 * POST's buffer is rewound by Kore, its offset 0: never asked here).
 */
int
kore41_delete_body_pending(struct http_request *req)
{
	return (req->method == HTTP_METHOD_DELETE && req->http_body != NULL &&
	    req->http_body->offset < req->http_body_length);
}

/*
 * Where the body starts in Kore's header buffer: Kore wrote a NUL over
 * the first byte of the blank line and strsep() one over every CR and LF
 * before it, so the first LF left is the blank line's ("\0\n\r\n", or
 * "\0\n" after bare LFs). A client that lies here only garbles its own
 * body; the answer stays inside the bytes read.
 */
static size_t
delete_body_start(const u_int8_t *buf, size_t len)
{
	size_t		i;

	for (i = 1; i < len; i++) {
		if (buf[i] != '\n' || buf[i - 1] != '\0')
			continue;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return (i + 3);
		return (i + 1);
	}

	return (len);
}

/* More of a DELETE's body; once whole, the request wakes, reading stops. */
static int
delete_body_recv(struct netbuf *nb)
{
	struct http_request	*req = nb->extra;
	struct connection	*c = nb->owner;
	size_t			 left;

	if (req == NULL)
		return (KORE_RESULT_ERROR);
	left = req->http_body_length - req->http_body->offset;
	kore_buf_append(req->http_body, nb->buf, MIN(nb->s_off, left));
	explicit_bzero(nb->buf, nb->s_off);
	left = req->http_body_length - req->http_body->offset;
	if (left > 0) {
		net_recv_reset(c, MIN(left, NETBUF_SEND_PAYLOAD_MAX),
		    delete_body_recv);
		return (KORE_RESULT_OK);
	}

	/* As after Kore's own header parse: nothing read till answered. */
	nb->extra = NULL;
	kore_free(nb->buf);
	nb->buf = NULL;
	nb->m_len = 0;
	c->http_timeout = 0;
	http_request_wakeup(req);

	return (KORE_RESULT_OK);
}
