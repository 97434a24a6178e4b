/*
 * Queries of request handlers. A step calls drop_sql(); the pipeline runs
 * drop_sql_run() until the query on the worker's pool (dbpool.c) is done,
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

/* A query whose failure the continuation handles itself. */
/* A query whose one parameter, $1, is the caller's user id. */
int
drop_user_query(struct drop_ctx *ctx, const char *sql,
    int (*next)(struct drop_ctx *))
{
	const char	*params[1];

	params[0] = ctx->sess.user_id;
	return (drop_sql(ctx, sql, 1, params, next));
}

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

/* The answer to a failed query: 503 when there was no usable answer. */
int
drop_sql_failed(struct drop_ctx *ctx)
{
	if (ctx->db_unavailable)
		return (drop_error(ctx, 503, "unavailable",
		    "Service temporarily unavailable; try again shortly"));

	return (drop_fail_internal(ctx, "database query failed"));
}

int
drop_rows(struct drop_ctx *ctx)
{
	return (ctx->res == NULL ? 0 : PQntuples(ctx->res));
}

/* Column by name of row; NULL when absent or SQL NULL. */
const char *
drop_col(struct drop_ctx *ctx, int row, const char *name)
{
	int		col;

	if (ctx->res == NULL || row >= PQntuples(ctx->res))
		return (NULL);
	if ((col = PQfnumber(ctx->res, name)) < 0)
		return (NULL);
	if (PQgetisnull(ctx->res, row, col))
		return (NULL);

	return (PQgetvalue(ctx->res, row, col));
}

int
drop_col_null(struct drop_ctx *ctx, int row, const char *name)
{
	return (drop_col(ctx, row, name) == NULL);
}

/* A boolean column: 1 only for SQL true. */
int
drop_col_bool(struct drop_ctx *ctx, int row, const char *name)
{
	const char	*v;

	v = drop_col(ctx, row, name);
	return (v != NULL && v[0] == 't');
}

/* An integer column; 0 when NULL. */
int64_t
drop_col_int(struct drop_ctx *ctx, int row, const char *name)
{
	const char	*v;

	v = drop_col(ctx, row, name);
	return (v != NULL ? strtoll(v, NULL, 10) : 0);
}

/* Adds map's keys from row to obj (a new object when obj is NULL). */
json_t *
drop_row_json(struct drop_ctx *ctx, int row, const struct drop_colmap *map,
    json_t *obj)
{
	const char	*v;
	json_t		*j;

	if (obj == NULL)
		obj = json_object();
	for (; map->key != NULL; map++) {
		v = drop_col(ctx, row, map->column);
		switch (map->kind) {
		case DROP_COL_MONEY:
			j = drop_json_money(drop_col_int(ctx, row, map->column));
			break;
		case DROP_COL_NEGMONEY:
			j = drop_json_money(-drop_col_int(ctx, row, map->column));
			break;
		case DROP_COL_RATE:
			j = v != NULL ? json_real(strtod(v, NULL)) : json_null();
			break;
		case DROP_COL_BOOL:
			j = json_boolean(drop_col_bool(ctx, row, map->column));
			break;
		case DROP_COL_INT:
			j = json_integer(drop_col_int(ctx, row, map->column));
			break;
		default:
			j = drop_json_text(v);
			break;
		}
		json_object_set_new(obj, map->key, j);
	}

	return (obj);
}
