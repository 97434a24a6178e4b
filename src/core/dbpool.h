/*
 * The worker's database pool, private to its files: dbhealth.c (up,
 * suspect, down), dbstmt.c (statements each connection has prepared),
 * dbconn.c (connections opened in a task thread and handed to Kore,
 * destroyed without waiting) and dbq.c (each query's state machine and
 * the pool's policy). Kore 4.1's internals are reached through kore41.h.
 */

#ifndef DROP_DBPOOL_H
#define DROP_DBPOOL_H

#include "drop.h"
#include "kore41.h"

#define DB_POOL_MAX		64
#define DB_STMT_MAX		128	/* distinct statements prepared */

/* dbhealth.c */
void	db_health_start(void);
int	db_health_set(int, const char *);

/* dbstmt.c */
int	dbstmt_index(const char *);
void	dbstmt_conn_new(PGconn *);
void	dbstmt_conn_forget(PGconn *);
int	dbstmt_prepared(PGconn *, int);
void	dbstmt_mark(PGconn *, int);

/* dbconn.c */
void	dbconn_setup(void (*)(PGconn *, const char *));
void	dbconn_closing(void);
int	dbconn_connect(void);
int	dbconn_connecting(void);
void	dbconn_adopt(PGconn *);
int	dbconn_total(void);
int	dbconn_idle(void);
void	dbconn_lent(void);
void	dbconn_returned(void);
void	dbconn_gone(PGconn *);
void	dbconn_out_of_step(void);
void	dbconn_close_free(void);
void	dbconn_destroy(struct pgsql_conn *, int);
void	dbconn_flush(void);

#endif
