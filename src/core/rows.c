/*
 * The rows of a query's result, and values and rows as JSON: money in øre
 * as a JSON number, text or null, and a row through a column map. Route
 * modules and lists shape their answers with these.
 */

#include <stdlib.h>
#include <string.h>

#include "drop.h"

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
		case DROP_COL_JSON:
			if (v == NULL || (j = json_loads(v, JSON_DECODE_ANY,
			    NULL)) == NULL)
				j = json_null();
			break;
		case DROP_COL_SEALED:
			j = drop_json_unsealed(ctx, map->column, v);
			break;
		default:
			j = drop_json_text(v);
			break;
		}
		json_object_set_new(obj, map->key, j);
	}

	return (obj);
}

/* The first n rows, each through row_json or else the column map. */
json_t *
drop_rows_json(struct drop_ctx *ctx, int n, const struct drop_colmap *map,
    json_t *(*row_json)(struct drop_ctx *, int))
{
	json_t		*list;
	int		 row;

	list = json_array();
	for (row = 0; row < n; row++)
		json_array_append_new(list, row_json != NULL ?
		    row_json(ctx, row) : drop_row_json(ctx, row, map, NULL));

	return (list);
}

/* Øre as a JSON number: 12900 -> 129, 129 -> 1.29. */
json_t *
drop_json_money(int64_t ore)
{
	if (ore % 100 == 0)
		return (json_integer(ore / 100));
	return (json_real((double)ore / 100.0));
}

/* A policy's fee percent as shown to users: 1 stays 1, 0.5 stays 0.5. */
json_t *
drop_json_percent(const struct drop_policy *policy)
{
	if (policy->fee_bp % 100 == 0)
		return (json_integer(policy->fee_bp / 100));
	return (json_real(policy->fee_percent));
}

json_t *
drop_json_text(const char *text)
{
	return (text == NULL ? json_null() : json_string(text));
}
