/*
 * Notifications (§11), behind the notifications flag: the caller's list,
 * newest first, through the shared paging helper, and marking some read.
 */

#include <string.h>

#include "drop.h"

#define NOTI_IDS_MAX		100
#define NOTI_IDS_LEN		(NOTI_IDS_MAX * (DROP_ID_LEN + 1) + 3)

struct noti_state {
	char		ids[NOTI_IDS_LEN];	/* a SQL array literal */
};

static int	read_check(struct drop_ctx *);
static int	read_start(struct drop_ctx *);
static int	read_done(struct drop_ctx *);

static const struct drop_field read_fields[] = {
	{ "notificationIds",	DROP_T_ARRAY,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_colmap noti_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "type",		"type",			DROP_COL_TEXT },
	{ "title",		"title",		DROP_COL_TEXT },
	{ "body",		"body",			DROP_COL_TEXT },
	{ "read",		"read",			DROP_COL_BOOL },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_list noti_list = {
	.def_limit = 20,
	.max_limit = 100,
	.sql = DROP_PAGE_SQL("page AS (SELECT id, type, title, body, read, "
	    "created_at FROM notifications WHERE user_id = $1 AND "
	    DROP_PAGE_AFTER("") ")",
	    "SELECT coalesce(max(n), 0) FROM notification_counts WHERE "
	    "user_id = $1", "iso(p.created_at) AS created,", ""),
	.map = noti_map
};

static const struct drop_method methods[] = {
	DROP_LIST_GET(DROP_AUTH, NULL, noti_list),
	{ .method = HTTP_METHOD_PATCH, .flags = DROP_AUTH | DROP_BODY,
	    .fields = read_fields, .check = read_check, .start = read_start },
	{ .method = 0 }
};

static const struct drop_route route = {
	.name = "notifications",
	.methods = methods,
	.datalen = sizeof(struct noti_state),
	.flags = DROP_FLAG_NOTIFICATIONS,
};

/* Only the caller's are changed and counted. */
static const char	sql_read[] =
    "WITH mine AS (SELECT id FROM notifications WHERE user_id = $1 AND "
    "id = ANY($2::text[]) FOR UPDATE), "
    "upd AS (UPDATE notifications n SET read = true FROM mine "
    "WHERE n.id = mine.id AND NOT n.read RETURNING n.id) "
    "SELECT (SELECT count(*) FROM mine) AS updated";

DROP_ROUTE(api_notifications, route);

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
		if (off + len + 2 >= sizeof(st->ids)) {
			drop_detail(ctx, "notificationIds",
			    "each must be an id like noti_0123456789abcdef");
			return (0);
		}
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
