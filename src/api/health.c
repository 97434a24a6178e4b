/*
 * GET /api/health: a real database round-trip and its latency, flat (not
 * wrapped in "data") for monitors. Its query has a shorter deadline, so
 * a frozen database is reported within 2 s (contract §12). Ready (200)
 * only once the worker's caches are loaded too: right after a start it
 * could not serve cached reads through a database freeze.
 */

#include <stdio.h>

#include "drop.h"

static int	health_start(struct drop_ctx *);
static int	health_done(struct drop_ctx *);

#define HEALTH_TIMEOUT_MS	1500

struct health_state {
	u_int64_t	started;
};

static const struct drop_method health_methods[] = {
	{ .method = HTTP_METHOD_GET, .start = health_start },
	{ .method = 0 }
};

static const struct drop_route health_route = {
	.name = "health",
	.methods = health_methods,
	.datalen = sizeof(struct health_state),
};

DROP_ROUTE(api_health, health_route);
static int
health_start(struct drop_ctx *ctx)
{
	struct health_state	*st = ctx->data;

	st->started = kore_time_ms();
	ctx->sql_timeout = HEALTH_TIMEOUT_MS;
	return (drop_sql_own(ctx, "SELECT 1", 0, NULL, health_done));
}

static int
health_done(struct drop_ctx *ctx)
{
	struct health_state	*st = ctx->data;
	json_t			*obj;
	char			 stamp[32];
	time_t			 now;
	struct tm		 tm;
	int			 up, ready;

	now = time(NULL);
	gmtime_r(&now, &tm);
	(void)strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	up = !ctx->db_failed && drop_rows(ctx) == 1;
	ready = drop_cache_ready();

	obj = json_object();
	json_object_set_new(obj, "status", json_string(up && ready ? "ok" :
	    "error"));
	json_object_set_new(obj, "version", json_string(DROP_VERSION));
	json_object_set_new(obj, "uptime",
	    json_integer((json_int_t)(now - drop_cfg.started)));
	json_object_set_new(obj, "db",
	    json_string(up ? "connected" : "disconnected"));
	if (up) {
		json_object_set_new(obj, "dbLatencyMs",
		    json_integer((json_int_t)(kore_time_ms() - st->started)));
	} else {
		json_object_set_new(obj, "dbLatencyMs", json_null());
	}
	json_object_set_new(obj, "caches", json_string(ready ? "ready" :
	    "loading"));
	json_object_set_new(obj, "timestamp", json_string(stamp));

	return (drop_reply_obj(ctx, up && ready ? 200 : 503, obj));
}

/*
 * GET /api/bench/ping (only in the config `make bench` renders): the
 * framework's ceiling, a fixed answer with no pipeline and no database.
 */
DROP_RAW_ROUTE(api_bench_ping);

int
api_bench_ping(struct http_request *req)
{
	static const char	body[] = "{\"data\":{}}";

	http_response_header(req, "content-type", "application/json");
	http_response(req, 200, body, sizeof(body) - 1);

	return (KORE_RESULT_OK);
}
