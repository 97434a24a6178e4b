/*
 * Queries of background jobs (the bank outbox, reconciliation), bound to
 * no request: parameters are copied, and done gets the result, or NULL
 * when the query failed (the pool has logged why).
 */

#include <string.h>

#include "drop.h"

#define BGQ_PARAMS_MAX	9

struct bgq {
	struct drop_dbq		 q;
	char			*copies[BGQ_PARAMS_MAX];
	const char		*params[BGQ_PARAMS_MAX];
	void			(*done)(PGresult *, void *);
	void			*arg;
};

static void	bgq_done(struct drop_dbq *, void *);

void
drop_bgq_start(const char *label, const char *sql, int n,
    const char **params, void (*done)(PGresult *, void *), void *arg)
{
	drop_bgq_start_ms(label, sql, n, params, 0, done, arg);
}

/*
 * The same with its own deadline in ms (0: every query's), for the long
 * ones of a job (the purge): past it the query is given up and the
 * database is suspect, so a slow job must never meet the default.
 */
void
drop_bgq_start_ms(const char *label, const char *sql, int n,
    const char **params, u_int64_t timeout_ms,
    void (*done)(PGresult *, void *), void *arg)
{
	struct bgq	*b;
	int		 i;

	if (n > BGQ_PARAMS_MAX)
		fatalx("background query with %d parameters", n);
	b = kore_calloc(1, sizeof(*b));
	for (i = 0; i < n; i++) {
		b->copies[i] = params[i] != NULL ? kore_strdup(params[i]) :
		    NULL;
		b->params[i] = b->copies[i];
	}
	b->done = done;
	b->arg = arg;
	drop_dbq_start(&b->q, NULL, bgq_done, b, label, sql, n, b->params,
	    timeout_ms);
}

/* The pool has let go of the query: its result (NULL if it failed). */
static void
bgq_done(struct drop_dbq *q, void *arg)
{
	struct bgq	*b = arg;
	int		 i;

	b->done(q->outcome == DROP_DBQ_OK ? q->res : NULL, b->arg);
	drop_dbq_release(q);
	for (i = 0; i < BGQ_PARAMS_MAX; i++)
		kore_free(b->copies[i]);
	kore_free(b);
}

/* A column of a result row by name; NULL when absent or SQL NULL. */
const char *
drop_bgq_col(PGresult *res, int row, const char *name)
{
	int		c;

	if (res == NULL || row >= PQntuples(res) ||
	    (c = PQfnumber(res, name)) < 0 || PQgetisnull(res, row, c))
		return (NULL);
	return (PQgetvalue(res, row, c));
}
