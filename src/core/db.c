/*
 * Queries of request handlers. A step calls drop_sql(); the pipeline runs
 * drop_sql_run() until the query on the worker's pool (dbq.c) is done,
 * answers a failed one itself (503 or 500), and otherwise calls the
 * continuation with ctx->res. drop_sql_own() leaves the failure to the
 * continuation (ctx->db_failed, ctx->db_unavailable, ctx->sqlstate).
 */

#include <stdlib.h>
#include <string.h>

#include "drop.h"

static int	sql_start(struct drop_ctx *, const char *, int, const char **,
		    int (*)(struct drop_ctx *), int);

static void
sql_params_free(struct drop_ctx *ctx)
{
	int		i;

	for (i = 0; i < ctx->nparams; i++) {
		kore_free(ctx->pcopy[i]);
		ctx->pcopy[i] = NULL;
		ctx->params[i] = NULL;
	}
	ctx->nparams = 0;
}

/* Frees the last result and any query under way; never waits. */
void
drop_sql_release(struct drop_ctx *ctx)
{
	if (ctx->res != NULL) {
		PQclear(ctx->res);
		ctx->res = NULL;
	}
	drop_dbq_release(&ctx->q);
	sql_params_free(ctx);
}

/*
 * Starts a query; parameters are copied (before the previous result is
 * freed, so they may point into it), NULL means SQL NULL.
 */
static int
sql_start(struct drop_ctx *ctx, const char *query, int nparams,
    const char **params, int (*next)(struct drop_ctx *), int own)
{
	char		*copy[DROP_SQL_PARAMS_MAX];
	int		 i;

	if (nparams > DROP_SQL_PARAMS_MAX)
		fatal("drop_sql: too many parameters (%d)", nparams);
	for (i = 0; i < nparams; i++)
		copy[i] = params[i] == NULL ? NULL : kore_strdup(params[i]);
	drop_sql_release(ctx);

	for (i = 0; i < nparams; i++) {
		ctx->pcopy[i] = copy[i];
		ctx->params[i] = copy[i];
	}
	ctx->nparams = nparams;
	ctx->next = next;
	ctx->sql_own = own;
	ctx->db_failed = 0;
	ctx->db_unavailable = 0;
	ctx->sqlstate[0] = '\0';
	drop_dbq_start(&ctx->q, ctx->req, NULL, NULL, ctx->reqid, query, nparams,
	    ctx->params, ctx->sql_timeout);
	ctx->sql_timeout = 0;

	return (DROP_STEP_SQL);
}

/* A query whose failure the pipeline answers (503 or 500). */
int
drop_sql(struct drop_ctx *ctx, const char *query, int nparams,
    const char **params, int (*next)(struct drop_ctx *))
{
	return (sql_start(ctx, query, nparams, params, next, 0));
}

/* A query whose one parameter, $1, is the caller's user id. */
int
drop_user_query(struct drop_ctx *ctx, const char *sql,
    int (*next)(struct drop_ctx *))
{
	const char	*params[1];

	params[0] = ctx->sess.user_id;
	return (drop_sql(ctx, sql, 1, params, next));
}

/* A query whose failure the continuation handles itself. */
int
drop_sql_own(struct drop_ctx *ctx, const char *query, int nparams,
    const char **params, int (*next)(struct drop_ctx *))
{
	return (sql_start(ctx, query, nparams, params, next, 1));
}

/*
 * The SQL state of the request driver: RETRY while the query runs (the
 * request sleeps until the pool or Kore wakes it), COMPLETE when done.
 */
int
drop_sql_run(struct drop_ctx *ctx)
{
	if (!drop_dbq_finished(&ctx->q))
		return (HTTP_STATE_RETRY);

	ctx->res = drop_dbq_take(&ctx->q);
	ctx->db_failed = ctx->q.outcome != DROP_DBQ_OK;
	ctx->db_unavailable = ctx->q.outcome == DROP_DBQ_UNAVAILABLE;
	(void)kore_strlcpy(ctx->sqlstate, ctx->q.sqlstate,
	    sizeof(ctx->sqlstate));
	drop_dbq_release(&ctx->q);

	return (HTTP_STATE_COMPLETE);
}
