/*
 * Paged lists: a route declares its list (struct drop_list, with
 * DROP_LIST_GET) and the pipeline checks the paging arguments, runs the
 * list's statement and answers the page with its pagination object.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drop.h"

/* The query arguments of every paged list (their kore.conf validators). */
const char *const drop_page_args_names[] = { "page", "limit", "cursor", NULL };

static int	list_done(struct drop_ctx *);

/*
 * The paging of every list. Query arguments page and limit
 * (kore.conf v_page), or cursor and limit (v_cursor) for infinite scroll:
 * a cursor is the position after the last row of a page (see cursor.c).
 * Sets ctx->page (0 with a cursor) and ctx->limit; adds details and
 * returns -1 when out of range. The list's SQL takes page_params():
 * LIMIT limit + 1 (one more row says whether a next page exists), OFFSET,
 * and the cursor's (created_at, id) position or NULLs, and returns the
 * columns id and cursor_us for each row.
 */
static int
page_args(struct drop_ctx *ctx, int def_limit, int max_limit)
{
	const char	*v;
	char		 msg[64];
	int64_t		 us;
	int		 r, err, cursor;

	ctx->page = 1;
	ctx->limit = def_limit;
	ctx->page_after_us[0] = '\0';
	ctx->page_after_id[0] = '\0';
	if ((r = drop_query_arg(ctx, "page", &v)) == 1)
		ctx->page = kore_strtonum(v, 10, 1, 100000000, &err);
	if (r == -1 || (r == 1 && err != KORE_RESULT_OK))
		drop_detail(ctx, "page", "must be an integer of at least 1");
	cursor = drop_query_arg(ctx, "cursor", &v);
	if (cursor == 1 && r == 1)
		drop_detail(ctx, "cursor", "cannot be combined with page");
	else if (cursor == -1 || (cursor == 1 && drop_cursor_decode(v, &us,
	    ctx->page_after_id, sizeof(ctx->page_after_id)) != 0))
		drop_detail(ctx, "cursor", "is not a valid cursor");
	else if (cursor == 1) {
		ctx->page = 0;
		(void)snprintf(ctx->page_after_us, sizeof(ctx->page_after_us),
		    "%lld", (long long)us);
	}
	if ((r = drop_query_arg(ctx, "limit", &v)) == 1)
		ctx->limit = kore_strtonum(v, 10, 1, max_limit, &err);
	if (r == -1 || (r == 1 && err != KORE_RESULT_OK)) {
		ctx->limit = def_limit;
		(void)snprintf(msg, sizeof(msg),
		    "must be an integer from 1 to %d", max_limit);
		drop_detail(ctx, "limit", msg);
	}
	(void)snprintf(ctx->page_limit, sizeof(ctx->page_limit), "%d",
	    ctx->limit + 1);
	(void)snprintf(ctx->page_offset, sizeof(ctx->page_offset), "%lld",
	    ctx->page > 0 ? (long long)(ctx->page - 1) * ctx->limit : 0LL);

	return (ctx->details == NULL ? 0 : -1);
}

/*
 * The four paging parameters, in order; returns how many. Without a
 * cursor the position is past every row (9999-12-31, an id above all
 * ids), so one index-friendly condition serves both forms.
 */
static int
page_params(struct drop_ctx *ctx, const char **params)
{
	params[0] = ctx->page_limit;
	params[1] = ctx->page_offset;
	params[2] = ctx->page_after_us[0] != '\0' ? ctx->page_after_us :
	    "253402300799999999";
	params[3] = ctx->page_after_id[0] != '\0' ? ctx->page_after_id : "~";

	return (4);
}

/* Rows of the page to show: the query's rows with an id, at most limit. */
static int
page_rows(struct drop_ctx *ctx)
{
	int		rows;

	rows = drop_rows(ctx);
	if (rows == 1 && drop_col_null(ctx, 0, "id"))
		rows = 0;

	return (rows > ctx->limit ? ctx->limit : rows);
}

/*
 * { "data": [...], "pagination": {...} } for a page made with
 * page_args(): nextCursor is the position after its last row when
 * more rows follow (the query fetched limit + 1), else null.
 */
static int
reply_page(struct drop_ctx *ctx, json_t *list, int64_t total)
{
	json_t		*obj, *pg;
	int64_t		 pages;
	const char	*us, *id;
	char		 cursor[DROP_CURSOR_MAX];
	int		 more, shown;

	shown = page_rows(ctx);
	more = drop_rows(ctx) > ctx->limit;
	pages = total == 0 ? 0 : (total + ctx->limit - 1) / ctx->limit;
	cursor[0] = '\0';
	if (more && shown > 0 &&
	    (us = drop_col(ctx, shown - 1, "cursor_us")) != NULL &&
	    (id = drop_col(ctx, shown - 1, "id")) != NULL &&
	    drop_cursor_encode(strtoll(us, NULL, 10), id, cursor,
	    sizeof(cursor)) != 0)
		cursor[0] = '\0';

	pg = json_object();
	json_object_set_new(pg, "page", ctx->page > 0 ?
	    json_integer(ctx->page) : json_null());
	json_object_set_new(pg, "limit", json_integer(ctx->limit));
	json_object_set_new(pg, "total", json_integer(total));
	json_object_set_new(pg, "totalPages", json_integer(pages));
	json_object_set_new(pg, "hasNextPage", json_boolean(more));
	json_object_set_new(pg, "hasPreviousPage",
	    json_boolean(ctx->page != 1));
	json_object_set_new(pg, "nextCursor", cursor[0] != '\0' ?
	    json_string(cursor) : json_null());
	obj = json_object();
	json_object_set_new(obj, "data", list);
	json_object_set_new(obj, "pagination", pg);

	return (drop_reply_obj(ctx, 200, obj));
}

/* Before the route's own check: the paging arguments of its list. */
int
drop_list_check(struct drop_ctx *ctx)
{
	const struct drop_list	*list = ctx->method->list;

	return (page_args(ctx, list->def_limit, list->max_limit));
}

/*
 * The list's statement: $1 the caller (the operator on the internal
 * API), $2-$5 the page, then its filter's.
 */
int
drop_list_start(struct drop_ctx *ctx)
{
	const struct drop_list	*list = ctx->method->list;
	const char		*params[DROP_SQL_PARAMS_MAX], *sql;
	int			 n;

	params[0] = ctx->method->ops != 0 ? ctx->sess.operator_id :
	    ctx->sess.user_id;
	n = 1 + page_params(ctx, params + 1);
	sql = list->sql;
	if (list->filter != NULL)
		n += list->filter(ctx, params + n, &sql);

	return (drop_sql(ctx, sql, n, params, list_done));
}

/* The page's rows (at most limit), each through row_json or the map. */
static int
list_done(struct drop_ctx *ctx)
{
	const struct drop_list	*list = ctx->method->list;

	if (list->missing != NULL && drop_col(ctx, 0, "list_total") == NULL)
		return (drop_error(ctx, 404, "not_found", list->missing));

	return (reply_page(ctx, drop_rows_json(ctx, page_rows(ctx), list->map,
	    list->row_json), drop_col_int(ctx, 0, "list_total")));
}

/* { "data": [...] } of at most max rows of a short, unpaged list. */
int
drop_reply_rows(struct drop_ctx *ctx, const struct drop_colmap *map,
    json_t *(*row_json)(struct drop_ctx *, int), int max)
{
	int		rows;

	rows = drop_rows(ctx);
	return (drop_reply(ctx, 200, drop_rows_json(ctx,
	    rows < max ? rows : max, map, row_json)));
}

