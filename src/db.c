/*
 * Asynchronous PostgreSQL for request handlers (Kore's pgsql state machine).
 * A step calls drop_sql(); the driver runs drop_sql_run() until the query
 * is done, then calls the continuation with ctx->res or ctx->db_failed set.
 */

#include <stdlib.h>
#include <string.h>

#include "drop.h"

static void	sql_params_free(struct drop_ctx *);
static int	sql_send(struct drop_ctx *);
static void	sql_failed(struct drop_ctx *);

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

/* Frees the last result and any query state; safe to call twice. */
void
drop_sql_release(struct drop_ctx *ctx)
{
	if (ctx->res != NULL) {
		PQclear(ctx->res);
		ctx->res = NULL;
	}
	if (ctx->sql_bound) {
		kore_pgsql_cleanup(&ctx->sql);
		ctx->sql_bound = 0;
	}
	sql_params_free(ctx);
}

/*
 * Starts a query; parameters are copied (before the previous result is
 * freed, so they may point into it), NULL means SQL NULL.
 */
int
drop_sql(struct drop_ctx *ctx, const char *query, int nparams,
    const char **params, int (*next)(struct drop_ctx *))
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
	ctx->query = query;
	ctx->next = next;
	ctx->db_failed = 0;
	ctx->sqlstate[0] = '\0';

	kore_pgsql_init(&ctx->sql);
	kore_pgsql_bind_request(&ctx->sql, ctx->req);
	ctx->sql_bound = 1;

	return (DROP_STEP_SQL);
}

/* Get a connection (or wait in Kore's queue) and send the query. */
static int
sql_send(struct drop_ctx *ctx)
{
	if (!kore_pgsql_setup(&ctx->sql, DROP_DB, KORE_PGSQL_ASYNC)) {
		if (ctx->sql.state == KORE_PGSQL_STATE_INIT)
			return (HTTP_STATE_RETRY);
		return (HTTP_STATE_ERROR);
	}
	if (!kore_pgsql_query_param_fields(&ctx->sql, ctx->query, 0,
	    ctx->nparams, ctx->params, NULL, NULL))
		return (HTTP_STATE_ERROR);

	return (HTTP_STATE_RETRY);
}

/* Records why a query failed and heals a connection the server dropped. */
static void
sql_failed(struct drop_ctx *ctx)
{
	const char	*state;

	ctx->db_failed = 1;
	if (ctx->sql.result != NULL &&
	    (state = PQresultErrorField(ctx->sql.result,
	    PG_DIAG_SQLSTATE)) != NULL)
		(void)kore_strlcpy(ctx->sqlstate, state, sizeof(ctx->sqlstate));
	kore_log(LOG_NOTICE, "[%s] pgsql error %s: %s", ctx->reqid,
	    ctx->sqlstate, ctx->sql.error ? ctx->sql.error : "unknown");

	if (ctx->sql.conn != NULL &&
	    PQstatus(ctx->sql.conn->db) == CONNECTION_BAD)
		PQreset(ctx->sql.conn->db);
	kore_pgsql_cleanup(&ctx->sql);
	ctx->sql_bound = 0;
}

/* The SQL state of the request driver. */
int
drop_sql_run(struct drop_ctx *ctx)
{
	if (ctx->sql.state == KORE_PGSQL_STATE_INIT) {
		if (sql_send(ctx) == HTTP_STATE_RETRY)
			return (HTTP_STATE_RETRY);
		sql_failed(ctx);
		return (HTTP_STATE_COMPLETE);
	}

	switch (ctx->sql.state) {
	case KORE_PGSQL_STATE_WAIT:
		return (HTTP_STATE_RETRY);
	case KORE_PGSQL_STATE_RESULT:
		if (ctx->res == NULL) {
			ctx->res = ctx->sql.result;
			ctx->sql.result = NULL;
		}
		kore_pgsql_continue(&ctx->sql);
		return (HTTP_STATE_CONTINUE);
	case KORE_PGSQL_STATE_ERROR:
		sql_failed(ctx);
		return (HTTP_STATE_COMPLETE);
	case KORE_PGSQL_STATE_COMPLETE:
		kore_pgsql_cleanup(&ctx->sql);
		ctx->sql_bound = 0;
		return (HTTP_STATE_COMPLETE);
	default:
		kore_pgsql_continue(&ctx->sql);
		return (HTTP_STATE_CONTINUE);
	}
}

/* The standard answer to a failed query: 503 when the database is gone. */
int
drop_sql_failed(struct drop_ctx *ctx)
{
	if (ctx->sqlstate[0] == '\0' || strncmp(ctx->sqlstate, "08", 2) == 0 ||
	    strncmp(ctx->sqlstate, "57", 2) == 0) {
		return (drop_error(ctx, 503, "unavailable",
		    "Service temporarily unavailable"));
	}

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
