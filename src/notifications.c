/*
 * Notifications (§11), behind the notifications flag: the caller's list,
 * newest first, through the shared paging helper, and marking some read.
 */

#include <string.h>

#include "drop.h"

int	api_notifications(struct http_request *);

#define NOTI_IDS_MAX		100
#define NOTI_IDS_LEN		(NOTI_IDS_MAX * (DROP_ID_LEN + 1) + 3)

struct noti_state {
	char		ids[NOTI_IDS_LEN];	/* a SQL array literal */
};

static int	list_check(struct drop_ctx *);
static int	list_start(struct drop_ctx *);
static int	list_done(struct drop_ctx *);
static int	read_check(struct drop_ctx *);
static int	read_start(struct drop_ctx *);
static int	read_done(struct drop_ctx *);

static const struct drop_field read_fields[] = {
	{ "notificationIds",	DROP_T_ARRAY,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method methods[] = {
	{ HTTP_METHOD_GET, DROP_AUTH, NULL, list_check, list_start },
	{ HTTP_METHOD_PATCH, DROP_AUTH | DROP_BODY, read_fields, read_check,
	    read_start },
	{ 0, 0, NULL, NULL, NULL }
};

static const struct drop_route route = {
	"notifications", methods, sizeof(struct noti_state), NULL
};

static const char	sql_list[] =
    "WITH page AS (SELECT id, type, title, body, read, created_at "
    "FROM notifications WHERE user_id = $1 AND "
    "(created_at, id) < (drop_us_ts($4::bigint), $5::text) "
    "ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3) "
    "SELECT (SELECT coalesce(max(n), 0) FROM notification_counts "
    "WHERE user_id = $1) AS total, p.*, iso(p.created_at) AS created, "
    "drop_ts_us(p.created_at) AS cursor_us "
    "FROM (SELECT 1) one LEFT JOIN page p ON true "
    "ORDER BY p.created_at DESC, p.id DESC";

/* Only the caller's are changed and counted. */
static const char	sql_read[] =
    "WITH mine AS (SELECT id FROM notifications WHERE user_id = $1 AND "
    "id = ANY($2::text[]) FOR UPDATE), "
    "upd AS (UPDATE notifications n SET read = true FROM mine "
    "WHERE n.id = mine.id AND NOT n.read RETURNING n.id) "
    "SELECT (SELECT count(*) FROM mine) AS updated";

int
api_notifications(struct http_request *req)
{
	return (drop_serve_flagged(req, &route, DROP_FLAG_NOTIFICATIONS));
}

static const struct drop_colmap noti_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "type",		"type",			DROP_COL_TEXT },
	{ "title",		"title",		DROP_COL_TEXT },
	{ "body",		"body",			DROP_COL_TEXT },
	{ "read",		"read",			DROP_COL_BOOL },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static int
list_check(struct drop_ctx *ctx)
{
	return (drop_page_args(ctx, 20, 100));
}

static int
list_start(struct drop_ctx *ctx)
{
	return (drop_page_query(ctx, sql_list, list_done));
}

static int
list_done(struct drop_ctx *ctx)
{
	return (drop_reply_page_rows(ctx, noti_map, NULL));
}

/* 1-100 ids, each ^[a-z]+_[a-f0-9]{16}$, joined into {a,b,...}. */
static int
read_check(struct drop_ctx *ctx)
{
	struct noti_state	*st = ctx->data;
	json_t			*ids, *v;
	size_t			 i, n, off, len;
	const char		*id;

	if ((ids = drop_field(ctx, "notificationIds")) == NULL ||
	    !json_is_array(ids))
		return (0);
	n = json_array_size(ids);
	if (n < 1 || n > NOTI_IDS_MAX) {
		drop_detail(ctx, "notificationIds", "must hold 1 to 100 ids");
		return (0);
	}
	st->ids[0] = '{';
	for (i = 0, off = 1; i < n; i++) {
		v = json_array_get(ids, i);
		id = json_is_string(v) ? json_string_value(v) : NULL;
		if (!drop_id_any_valid(id)) {
			drop_detail(ctx, "notificationIds",
			    "each must be an id like noti_0123456789abcdef");
			return (0);
		}
		len = strlen(id);
		if (off + len + 2 >= sizeof(st->ids))
			return (0);
		if (off > 1)
			st->ids[off++] = ',';
		memcpy(st->ids + off, id, len);
		off += len;
	}
	st->ids[off++] = '}';
	st->ids[off] = '\0';

	return (0);
}

static int
read_start(struct drop_ctx *ctx)
{
	struct noti_state	*st = ctx->data;
	const char		*params[2];

	params[0] = ctx->sess.user_id;
	params[1] = st->ids;

	return (drop_sql(ctx, sql_read, 2, params, read_done));
}

static int
read_done(struct drop_ctx *ctx)
{
	json_t		*data;

	data = json_object();
	json_object_set_new(data, "updated",
	    json_integer(drop_col_int(ctx, 0, "updated")));

	return (drop_reply(ctx, 200, data));
}
