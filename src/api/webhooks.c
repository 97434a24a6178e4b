/*
 * Merchants' webhook endpoints (issue 19): a shop owner, signed in,
 * registers an endpoint (POST /api/merchants/webhooks {url, events}; the
 * signing secret is shown in that answer only), lists and removes them,
 * and reads every delivery attempt made to one (GET .../{id}/deliveries).
 * What is sent, and when, is src/core/delivery.c's.
 */

#include <string.h>

#include "drop.h"

#define HOOKS_LIVE_MAX	10	/* live endpoints a shop may hold */
#define HOOKS_SHOWN	100	/* endpoints listed, newest first */

static const char *const events_known[] = {
	"payment.completed", "refund.succeeded", "payout.paid", NULL
};

struct hook_state {
	char		 id[DROP_ID_LEN];
	char		 secret[DROP_WEBHOOK_SECRET_LEN + 1];
	char		 sealed[DROP_SEAL_TEXT_MAX];	/* what is stored */
	char		 events[80];	/* as a SQL array literal */
};

static int	create_check(struct drop_ctx *);
static int	create_start(struct drop_ctx *);
static int	create_done(struct drop_ctx *);
static int	list_start(struct drop_ctx *);
static int	list_done(struct drop_ctx *);
static int	delete_start(struct drop_ctx *);
static int	delete_done(struct drop_ctx *);
static int	attempts_filter(struct drop_ctx *, const char **,
		    const char **);
static json_t	*hook_json(struct drop_ctx *, int);
static json_t	*attempt_json(struct drop_ctx *, int);
static void	hook_cleanup(struct drop_ctx *);

static const struct drop_field create_fields[] = {
	{ "url",	DROP_T_STRING,	1 },
	{ "events",	DROP_T_ARRAY,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_colmap hook_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "url",		"url",			DROP_COL_TEXT },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap attempt_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "deliveryId",		"delivery_id",		DROP_COL_TEXT },
	{ "eventId",		"event_id",		DROP_COL_TEXT },
	{ "eventType",		"event_type",		DROP_COL_TEXT },
	{ "attempt",		"attempt",		DROP_COL_INT },
	{ "status",		"outcome",		DROP_COL_TEXT },
	{ "httpStatus",		"http_status",		DROP_COL_INT },
	{ "error",		"error",		DROP_COL_TEXT },
	{ "durationMs",		"duration_ms",		DROP_COL_INT },
	{ "attemptedAt",	"attempted",		DROP_COL_TEXT },
	{ "nextAttemptAt",	"next",			DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/*
 * Every attempt made to one of the caller's endpoints, newest first;
 * list_total is NULL when the endpoint is not the caller's (404).
 */
static const struct drop_list attempt_list = {
	.def_limit = 20,
	.max_limit = 100,
	.sql = DROP_PAGE_SQL("w AS (SELECT e.id FROM webhook_endpoints e "
	    "JOIN merchants m ON m.id = e.merchant_id WHERE e.id = $6 AND "
	    "m.user_id = $1), page AS (SELECT a.id, a.delivery_id, a.attempt, "
	    "a.http_status, a.error, a.duration_ms, a.next_at, a.created_at "
	    "FROM webhook_attempts a, w WHERE a.endpoint_id = w.id AND "
	    DROP_PAGE_AFTER("a.") ")",
	    "SELECT CASE WHEN EXISTS (SELECT 1 FROM w) THEN (SELECT count(*) "
	    "FROM webhook_attempts a, w WHERE a.endpoint_id = w.id) END",
	    "d.event_id, ev.type AS event_type, CASE WHEN p.http_status "
	    "BETWEEN 200 AND 299 THEN 'succeeded' ELSE 'failed' END AS "
	    "outcome, iso(p.created_at) AS attempted, iso(p.next_at) AS next,",
	    "LEFT JOIN webhook_deliveries d ON d.id = p.delivery_id "
	    "LEFT JOIN webhook_events ev ON ev.id = d.event_id "),
	.filter = attempts_filter,
	.row_json = attempt_json,
	.missing = "Webhook endpoint not found",
};

static const struct drop_method hooks_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_MERCHANT |
	    DROP_BODY, .fields = create_fields, .check = create_check,
	    .start = create_start },
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH | DROP_MERCHANT,
	    .start = list_start },
	{ .method = 0 }
};
static const struct drop_method hook_methods[] = {
	{ .method = HTTP_METHOD_DELETE, .flags = DROP_AUTH | DROP_MERCHANT,
	    .start = delete_start },
	{ .method = 0 }
};
static const struct drop_method attempts_methods[] = {
	DROP_LIST_GET(DROP_AUTH | DROP_MERCHANT, NULL, attempt_list),
	{ .method = 0 }
};

static const struct drop_route hooks_route = {
	.name = "merchants.webhooks",
	.methods = hooks_methods,
	.datalen = sizeof(struct hook_state),
	.cleanup = hook_cleanup,
};
static const struct drop_route hook_route = {
	.name = "merchants.webhook",
	.methods = hook_methods,
	.datalen = sizeof(struct hook_state),
};
static const struct drop_route attempts_route = {
	.name = "merchants.webhook.deliveries",
	.methods = attempts_methods,
	.datalen = sizeof(struct hook_state),
};

static const char	sql_create[] =
    "SELECT * FROM drop_webhook_create($1, $2, $3, $4::text[], $5, $6::int, "
    "$7)";
static const char	sql_list[] =
    "SELECT e.id, e.url, array_to_json(e.events)::text AS events, "
    "iso(e.created_at) AS created FROM webhook_endpoints e JOIN merchants m "
    "ON m.id = e.merchant_id WHERE m.user_id = $1 AND e.deleted_at IS NULL "
    "ORDER BY e.created_at DESC, e.id LIMIT 100";
static const char	sql_delete[] =
    "SELECT drop_webhook_delete($2, $1, $3) AS deleted";

DROP_ROUTE(api_merchant_webhooks, hooks_route);
DROP_ROUTE(api_merchant_webhook, hook_route);
DROP_ROUTE(api_merchant_webhook_deliveries, attempts_route);

/* The secret leaves no copy behind in the request's memory. */
static void
hook_cleanup(struct drop_ctx *ctx)
{
	struct hook_state	*st = ctx->data;

	explicit_bzero(st->secret, sizeof(st->secret));
}

/* A URL Drop may call; 1-3 known events, each once, as {a,b}. */
static int
create_check(struct drop_ctx *ctx)
{
	struct hook_state	*st = ctx->data;
	const char		*url;

	if ((url = drop_text(ctx, "url")) != NULL &&
	    drop_webhook_url_check(url, drop_cfg.webhook_loopback) != 0)
		drop_detail(ctx, "url", "must be an https:// URL of a public "
		    "host, at most 500 characters, with no user or fragment");
	(void)drop_field_set(ctx, "events", events_known,
	    "must name 1 to 3 events", "must be payment.completed, "
	    "refund.succeeded or payout.paid, each once", st->events,
	    sizeof(st->events));

	return (0);
}

static int
create_start(struct drop_ctx *ctx)
{
	struct hook_state	*st = ctx->data;
	const char		*params[7];
	char			 max[8];

	if (drop_id_new("whk_", st->id, sizeof(st->id)) != 0 ||
	    drop_webhook_secret_new(st->secret, sizeof(st->secret)) != 0 ||
	    drop_seal_text("secret", st->secret, st->sealed,
	    sizeof(st->sealed)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	(void)snprintf(max, sizeof(max), "%d", HOOKS_LIVE_MAX);
	params[0] = ctx->sess.user_id;
	params[1] = st->id;
	params[2] = drop_text(ctx, "url");
	params[3] = st->events;
	params[4] = st->sealed;
	params[5] = max;
	params[6] = ctx->reqid;

	return (drop_sql(ctx, sql_create, 7, params, create_done));
}

/* The one answer that carries the signing secret. */
static int
create_done(struct drop_ctx *ctx)
{
	struct hook_state	*st = ctx->data;
	const char		*code;
	json_t			*data;

	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "webhook: no row"));
	if ((code = drop_col(ctx, 0, "code")) != NULL &&
	    !strcmp(code, "too_many"))
		return (drop_error(ctx, 409, "conflict", "A shop may hold "
		    "at most " DROP_STR(HOOKS_LIVE_MAX) " webhook endpoints; "
		    "remove one"));
	if (code != NULL)
		return (drop_error(ctx, 404, "not_found",
		    "Merchant not found"));
	data = json_object();
	json_object_set_new(data, "id", json_string(st->id));
	json_object_set_new(data, "url", json_string(drop_text(ctx, "url")));
	json_object_set_new(data, "events",
	    json_deep_copy(drop_field(ctx, "events")));
	json_object_set_new(data, "createdAt",
	    drop_json_text(drop_col(ctx, 0, "created")));
	json_object_set_new(data, "secret", json_string(st->secret));

	return (drop_reply(ctx, 201, data));
}

static int
list_start(struct drop_ctx *ctx)
{
	return (drop_user_query(ctx, sql_list, list_done));
}

static int
list_done(struct drop_ctx *ctx)
{
	return (drop_reply_rows(ctx, NULL, hook_json, HOOKS_SHOWN));
}

/* An endpoint as listed: never its secret. */
static json_t *
hook_json(struct drop_ctx *ctx, int row)
{
	json_t		*h;
	json_error_t	 err;

	h = drop_row_json(ctx, row, hook_map, NULL);
	json_object_set_new(h, "events", json_loads(drop_col(ctx, row,
	    "events"), 0, &err));

	return (h);
}

static int
delete_start(struct drop_ctx *ctx)
{
	struct hook_state	*st = ctx->data;
	const char		*params[3];

	if (!drop_path_id(ctx, 3, "whk_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found",
		    "Webhook endpoint not found"));
	params[0] = st->id;
	params[1] = ctx->sess.user_id;
	params[2] = ctx->reqid;

	return (drop_sql(ctx, sql_delete, 3, params, delete_done));
}

static int
delete_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1 || !drop_col_bool(ctx, 0, "deleted"))
		return (drop_error(ctx, 404, "not_found",
		    "Webhook endpoint not found"));

	return (drop_reply_obj(ctx, 204, NULL));
}

/* An attempt as listed: no HTTP status when nothing answered. */
static json_t *
attempt_json(struct drop_ctx *ctx, int row)
{
	json_t		*a;

	a = drop_row_json(ctx, row, attempt_map, NULL);
	if (drop_col(ctx, row, "http_status") == NULL)
		json_object_set_new(a, "httpStatus", json_null());

	return (a);
}

/* $6: the endpoint named by the path ("" when malformed: none is). */
static int
attempts_filter(struct drop_ctx *ctx, const char **params, const char **sql)
{
	struct hook_state	*st = ctx->data;

	(void)sql;
	if (!drop_path_id(ctx, 3, "whk_", st->id, sizeof(st->id)))
		st->id[0] = '\0';
	params[0] = st->id;

	return (1);
}
