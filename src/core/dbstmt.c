/*
 * Prepared statements: each distinct query gets a number on this worker
 * (its prepared name is d<number>), and each connection remembers which
 * it has prepared. Kore frees an idle connection the server closed
 * without telling us, and malloc may give its address to a new one: the
 * backend pid tells them apart, so a new connection never inherits
 * another's statements.
 */

#include <string.h>

#include "dbpool.h"

struct db_conn {
	PGconn		*db;
	int		 pid;
	u_int8_t	 prepared[DB_STMT_MAX / 8];
};

static const char	*stmts[DB_STMT_MAX];
static int		 nstmts;
static struct db_conn	 conns[DB_POOL_MAX + 1];

static struct db_conn	*conn_record(PGconn *);

/*
 * A statement's number; -1 once the table is full (the query is then
 * sent unnamed). Queries are the static strings of the route files, so
 * the pointer names them.
 */
int
dbstmt_index(const char *query)
{
	int		i;

	for (i = 0; i < nstmts; i++) {
		if (stmts[i] == query)
			return (i);
	}
	if (nstmts == DB_STMT_MAX)
		return (-1);
	stmts[nstmts] = query;

	return (nstmts++);
}

/* The record of a connection (NULL: a free record), or NULL. */
static struct db_conn *
conn_record(PGconn *db)
{
	size_t		i;

	for (i = 0; i < sizeof(conns) / sizeof(conns[0]); i++) {
		if (conns[i].db == db &&
		    (db == NULL || conns[i].pid == PQbackendPID(db)))
			return (&conns[i]);
	}

	return (NULL);
}

/* A new connection: records still naming its address are stale. */
void
dbstmt_conn_new(PGconn *db)
{
	struct db_conn	*rec;

	dbstmt_conn_forget(db);
	if ((rec = conn_record(NULL)) != NULL) {
		memset(rec, 0, sizeof(*rec));
		rec->db = db;
		rec->pid = PQbackendPID(db);
	}
}

/* Drops every record naming this address (the live one and stale ones). */
void
dbstmt_conn_forget(PGconn *db)
{
	size_t		i;

	for (i = 0; db != NULL && i < sizeof(conns) / sizeof(conns[0]); i++) {
		if (conns[i].db == db)
			conns[i].db = NULL;
	}
}

/* 1 when db has prepared statement stmt, 0 when not, -1 if db is unknown. */
int
dbstmt_prepared(PGconn *db, int stmt)
{
	struct db_conn	*rec;

	if ((rec = conn_record(db)) == NULL)
		return (-1);
	return ((rec->prepared[stmt / 8] & (1 << (stmt % 8))) != 0);
}

void
dbstmt_mark(PGconn *db, int stmt)
{
	struct db_conn	*rec;

	if ((rec = conn_record(db)) != NULL)
		rec->prepared[stmt / 8] |= 1 << (stmt % 8);
}
