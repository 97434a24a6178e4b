/*
 * The request pipeline every route goes through: request id, method,
 * body limits, rate limits, authentication, JSON fields, query arguments
 * and the validators kore.conf declares, the route's checks and role,
 * then the route's own steps. It answers every failure it meets itself,
 * including failed queries and steps that report DROP_STEP_FAIL.
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "drop.h"
#include "kore41.h"
#include "pipeline.h"

#define S_INIT		0
#define S_STEP		1
#define S_SQL		2
#define S_TASK		3
#define S_WAIT		4
#define S_BODY		5

static int	state_init(struct http_request *);
static int	state_step(struct http_request *);
static int	state_sql(struct http_request *);
static int	state_task(struct http_request *);
static int	state_wait(struct http_request *);
static int	state_body(struct http_request *);
static int	state_checks(struct drop_ctx *);
static void	wait_expired(void *, u_int64_t);
static void	bank_step_done(struct drop_bank_call *, void *);
static void	ctx_free(struct http_request *);
static int	method_allowed(struct drop_ctx *);
static int	body_precheck(struct drop_ctx *);
static int	ratelimit_check(struct drop_ctx *);
static int	operator_checked(struct drop_ctx *);
static int	auth_checked(struct drop_ctx *);
static int	fields_step(struct drop_ctx *);
static int	user_limit_start(struct drop_ctx *);
static int	user_limit_done(struct drop_ctx *);
static int	method_start(struct drop_ctx *);
static const char *method_name(int);

static struct http_state drop_states[] = {
	{ "S_INIT",	state_init },
	{ "S_STEP",	state_step },
	{ "S_SQL",	state_sql },
	{ "S_TASK",	state_task },
	{ "S_WAIT",	state_wait },
	{ "S_BODY",	state_body },
};

static const char	sql_user_limit[] =
    "SELECT drop_user_limit_hit($1, $2, $3::integer) AS wait";

/* Everything no route claims, and routes whose flags are off. */
static const struct drop_route not_found_route = {
	.name = "not_found",
};

DROP_ROUTE(drop_not_found, not_found_route);

/*
 * Serves a request of route. A route behind feature flags, while any of
 * them is off, is served exactly as a path no route claims (404), before
 * anything else, so it cannot be told from an unknown route.
 */
int
drop_serve(struct http_request *req, const struct drop_route *route)
{
	struct drop_ctx		*ctx;

	if (!http_state_exists(req)) {
		if (route->flags != 0 && !drop_flags_on(route->flags))
			route = &not_found_route;
		ctx = http_state_create(req, sizeof(*ctx), ctx_free);
		ctx->req = req;
		ctx->route = route;
		if (route->datalen > 0)
			ctx->data = kore_calloc(1, route->datalen);
	}

	return (http_state_run(drop_states,
	    sizeof(drop_states) / sizeof(drop_states[0]), req));
}

/* Kore may call this more than once. */
static void
ctx_free(struct http_request *req)
{
	struct drop_ctx		*ctx;
	int			 i;

	if ((ctx = http_state_get(req)) == NULL)
		return;
	if (ctx->wait_timer != NULL) {
		kore_timer_remove(ctx->wait_timer);
		ctx->wait_timer = NULL;
	}
	/* Whoever the request waits with lets go of it (outbox.c). */
	if (ctx->unwait != NULL)
		ctx->unwait(ctx);
	if (ctx->bank != NULL) {
		if (ctx->waiting)
			drop_bank_abandon(ctx->bank);
		else
			drop_bank_free(ctx->bank);
		ctx->bank = NULL;
	}
	ctx->waiting = 0;
	if (ctx->route != NULL && ctx->route->cleanup != NULL &&
	    ctx->data != NULL)
		ctx->route->cleanup(ctx);
	drop_sql_release(ctx);
	drop_body_wipe(ctx);
	json_decref(ctx->body);
	json_decref(ctx->details);
	ctx->body = NULL;
	ctx->details = NULL;
	for (i = 0; i < DROP_FIELDS_MAX; i++) {
		kore_free(ctx->text[i]);
		ctx->text[i] = NULL;
	}
	kore_free(ctx->data);
	ctx->data = NULL;
	drop_passwd_free(ctx);
}

static int
state_init(struct http_request *req)
{
	struct drop_ctx		*ctx = http_state_get(req);

	drop_request_id(req, ctx->reqid, sizeof(ctx->reqid));
	req->fsm_state = S_BODY;
	switch (kore41_delete_body(req, DROP_BODY_MAX)) {
	case KORE41_BODY_WAIT:
		http_request_sleep(req);
		return (HTTP_STATE_RETRY);
	case KORE41_BODY_TOO_LARGE:
		(void)drop_error(ctx, 413, "payload_too_large",
		    "Request body is larger than 64 KiB");
		return (HTTP_STATE_COMPLETE);
	case KORE41_BODY_BAD:
		(void)drop_error(ctx, 400, "bad_request",
		    "Content-Length is not a length");
		return (HTTP_STATE_COMPLETE);
	default:
		return (HTTP_STATE_CONTINUE);
	}
}

/* A DELETE's body still arriving keeps the request asleep (kore41.c). */
static int
state_body(struct http_request *req)
{
	struct drop_ctx		*ctx = http_state_get(req);

	if (kore41_delete_body_pending(req)) {
		http_request_sleep(req);
		return (HTTP_STATE_RETRY);
	}
	req->fsm_state = S_STEP;

	return (state_checks(ctx));
}

/* Method, body limits, rate limits, then the operator or the user. */
static int
state_checks(struct drop_ctx *ctx)
{
	struct http_request	*req = ctx->req;

	if (!method_allowed(ctx))
		return (HTTP_STATE_COMPLETE);
	if (!body_precheck(ctx) || !ratelimit_check(ctx))
		return (HTTP_STATE_COMPLETE);
	if (ctx->method->ops != 0) {
		if (drop_operator_start(ctx, operator_checked) ==
		    DROP_AUTH_MISSING) {
			(void)drop_error(ctx, 401, "unauthorized",
			    "Operator credential required");
			return (HTTP_STATE_COMPLETE);
		}
		req->fsm_state = S_SQL;
		return (HTTP_STATE_CONTINUE);
	}
	if (!(ctx->method->flags & DROP_AUTH)) {
		ctx->next = fields_step;
		return (HTTP_STATE_CONTINUE);
	}

	switch (drop_auth_start(ctx, auth_checked)) {
	case DROP_AUTH_MISSING:
		(void)drop_error(ctx, 401, "unauthorized",
		    "Authentication required");
		return (HTTP_STATE_COMPLETE);
	case DROP_AUTH_CSRF:
		(void)drop_error(ctx, 403, "csrf_failed",
		    "CSRF token missing or invalid");
		return (HTTP_STATE_COMPLETE);
	default:
		req->fsm_state = S_SQL;
		return (HTTP_STATE_CONTINUE);
	}
}

static int
state_step(struct http_request *req)
{
	struct drop_ctx		*ctx = http_state_get(req);
	int			 r;

	if (ctx->next == NULL)
		return (HTTP_STATE_COMPLETE);

	switch ((r = ctx->next(ctx))) {
	case DROP_STEP_SQL:
		req->fsm_state = S_SQL;
		return (HTTP_STATE_CONTINUE);
	case DROP_STEP_TASK:
		req->fsm_state = S_TASK;
		return (HTTP_STATE_CONTINUE);
	case DROP_STEP_WAIT:
		req->fsm_state = S_WAIT;
		return (HTTP_STATE_CONTINUE);
	case DROP_STEP_FAIL:
		(void)drop_fail_internal(ctx, ctx->fail_why != NULL ?
		    ctx->fail_why : "step failed");
		return (HTTP_STATE_COMPLETE);
	case DROP_STEP_DONE:
		return (HTTP_STATE_COMPLETE);
	default:
		fatal("[%s] route %s: unknown step result %d", ctx->reqid,
		    ctx->route->name, r);
	}

	/* NOTREACHED */
	return (HTTP_STATE_ERROR);
}

static int
state_sql(struct http_request *req)
{
	struct drop_ctx		*ctx = http_state_get(req);
	int			 r;

	if ((r = drop_sql_run(ctx)) != HTTP_STATE_COMPLETE)
		return (r);
	/* A failed query is answered here unless the step asked to. */
	if (ctx->db_failed && !ctx->sql_own) {
		(void)drop_sql_failed(ctx);
		return (HTTP_STATE_COMPLETE);
	}
	req->fsm_state = S_STEP;

	return (HTTP_STATE_CONTINUE);
}

static int
state_task(struct http_request *req)
{
	struct drop_ctx		*ctx = http_state_get(req);

	if (drop_passwd_busy(ctx)) {
		http_request_sleep(req);
		return (HTTP_STATE_RETRY);
	}
	req->fsm_state = S_STEP;

	return (HTTP_STATE_CONTINUE);
}

/* Asleep until drop_wake() or the deadline; then the next step. */
static int
state_wait(struct http_request *req)
{
	struct drop_ctx		*ctx = http_state_get(req);

	if (ctx->waiting) {
		http_request_sleep(req);
		return (HTTP_STATE_RETRY);
	}
	req->fsm_state = S_STEP;

	return (HTTP_STATE_CONTINUE);
}

/*
 * A step that waits for someone to call drop_wake(ctx), at most ms
 * milliseconds (0: no deadline); next runs either way, and can tell which
 * from ctx->woken_by_timer.
 */
int
drop_wait(struct drop_ctx *ctx, u_int64_t ms, int (*next)(struct drop_ctx *))
{
	ctx->next = next;
	ctx->waiting = 1;
	ctx->woken_by_timer = 0;
	if (ms > 0)
		ctx->wait_timer = kore_timer_add(wait_expired, ms, ctx,
		    KORE_TIMER_ONESHOT);

	return (DROP_STEP_WAIT);
}

static void
wait_expired(void *arg, u_int64_t now)
{
	struct drop_ctx		*ctx = arg;

	(void)now;
	ctx->wait_timer = NULL;
	ctx->woken_by_timer = 1;
	drop_wake(ctx);
}

void
drop_wake(struct drop_ctx *ctx)
{
	if (!ctx->waiting)
		return;
	ctx->waiting = 0;
	if (ctx->wait_timer != NULL) {
		kore_timer_remove(ctx->wait_timer);
		ctx->wait_timer = NULL;
	}
	http_request_wakeup(ctx->req);
}

/*
 * A step that sends req to the bank (off the event loop) and continues
 * with next once it answered or failed: ctx->bank holds the call, or is
 * NULL when it could not be queued.
 */
int
drop_bank_step(struct drop_ctx *ctx, struct drop_bank_request *req,
    const char *bban, int (*next)(struct drop_ctx *))
{
	drop_bank_free(ctx->bank);
	ctx->bank = drop_bank_call(req, bban, bank_step_done, ctx);
	if (ctx->bank == NULL)
		return (next(ctx));

	return (drop_wait(ctx, 0, next));
}

static void
bank_step_done(struct drop_bank_call *c, void *arg)
{
	(void)c;
	drop_wake(arg);
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

static const char *
method_name(int method)
{
	switch (method) {
	case HTTP_METHOD_GET:
		return ("GET");
	case HTTP_METHOD_POST:
		return ("POST");
	case HTTP_METHOD_PUT:
		return ("PUT");
	case HTTP_METHOD_PATCH:
		return ("PATCH");
	case HTTP_METHOD_DELETE:
		return ("DELETE");
	default:
		return ("");
	}
}

/* Finds the route's entry for this method; answers 404/405 otherwise. */
static int
method_allowed(struct drop_ctx *ctx)
{
	const struct drop_method	*m;
	char				 allow[64];
	size_t				 off;
	int				 method, n;

	method = ctx->req->method == HTTP_METHOD_HEAD ? HTTP_METHOD_GET :
	    ctx->req->method;
	ctx->next = NULL;
	if (ctx->route->methods == NULL) {
		(void)drop_error(ctx, 404, "not_found", "Not found");
		return (0);
	}

	allow[0] = '\0';
	off = 0;
	for (m = ctx->route->methods; m->method != 0; m++) {
		if (m->method == method) {
			ctx->method = m;
			return (1);
		}
		n = snprintf(allow + off, sizeof(allow) - off, "%s%s",
		    off > 0 ? ", " : "", method_name(m->method));
		if (n > 0 && (size_t)n < sizeof(allow) - off)
			off += (size_t)n;
	}
	http_response_header(ctx->req, "allow", allow);
	(void)drop_error(ctx, 405, "method_not_allowed", "Method not allowed");

	return (0);
}

/* Size and media type of a request body, before anything reads it. */
static int
body_precheck(struct drop_ctx *ctx)
{
	const char	*type;
	size_t		 len;

	if (ctx->req->method == HTTP_METHOD_GET ||
	    ctx->req->method == HTTP_METHOD_HEAD)
		return (1);
	len = ctx->req->http_body != NULL ? ctx->req->http_body_length : 0;
	if (len > DROP_BODY_MAX) {
		(void)drop_error(ctx, 413, "payload_too_large",
		    "Request body is larger than 64 KiB");
		return (0);
	}
	if (len == 0)
		return (1);
	if (!http_request_header(ctx->req, "content-type", &type) ||
	    (strncasecmp(type, "application/json", 16) != 0) ||
	    (type[16] != '\0' && type[16] != ';' && type[16] != ' ')) {
		(void)drop_error(ctx, 415, "unsupported_media_type",
		    "Content-Type must be application/json");
		return (0);
	}

	return (1);
}

static int
ratelimit_check(struct drop_ctx *ctx)
{
	unsigned char	ip[16];
	char		text[64];
	size_t		iplen;
	int		group, wait;

	group = ctx->method->flags & (DROP_RL_AUTH | DROP_RL_PAY | DROP_RL_RATES);
	if (group == 0)
		return (1);
	/* A client Drop cannot tell apart must not spend the proxy's count. */
	if (drop_client_ip(ctx->req, ip, &iplen, text, sizeof(text)) != 0) {
		(void)drop_error(ctx, 400, "bad_request",
		    "X-Forwarded-For is not a list of addresses");
		return (0);
	}
	if (drop_ratelimit_hit(group, ip, iplen, &wait))
		return (1);

	(void)drop_rate_limited(ctx, wait);
	return (0);
}

/* The internal API: an enabled operator whose role the method admits. */
static int
operator_checked(struct drop_ctx *ctx)
{
	switch (drop_operator_loaded(ctx)) {
	case 0:
		return (fields_step(ctx));
	case DROP_AUTH_SCOPE:
		return (drop_error(ctx, 403, "forbidden",
		    "This operator's role may not do this"));
	default:
		return (drop_error(ctx, 401, "unauthorized",
		    "Operator credential unknown or disabled"));
	}
}

/* The session's row is in: a revoked or expired one is refused. */
static int
auth_checked(struct drop_ctx *ctx)
{
	switch (drop_auth_loaded(ctx)) {
	case 0:
		return (fields_step(ctx));
	case DROP_AUTH_SCOPE:
		return (drop_error(ctx, 403, "forbidden",
		    "This API key may not do this"));
	default:
		return (drop_error(ctx, 401, "unauthorized",
		    ctx->sess.via_key ? "API key unknown or revoked" :
		    "Session expired or revoked"));
	}
}

/*
 * After authentication: the body, the query arguments, the paging of a
 * list and the route's own checks, each failure a detail; then the role
 * the method needs; then the route's first step, or the list's query.
 */
static int
fields_step(struct drop_ctx *ctx)
{
	const struct drop_method	*m = ctx->method;

	if ((m->flags & DROP_BODY_OPT) && (ctx->req->http_body == NULL ||
	    ctx->req->http_body_length == 0))
		ctx->body = json_object();
	else if (m->fields != NULL || (m->flags & DROP_BODY)) {
		if (!drop_body_parse(ctx))
			return (drop_fail_details(ctx, 400,
			    "The request body is not valid"));
		drop_body_validate(ctx);
	}
	drop_query_validate(ctx);
	if (m->list != NULL)
		(void)drop_list_check(ctx);
	/* A check may answer itself (DROP_STEP_DONE), as an unsigned event. */
	if (m->check != NULL && m->check(ctx) == DROP_STEP_DONE)
		return (DROP_STEP_DONE);
	if (ctx->details != NULL)
		return (drop_fail_details(ctx, 422, "Validation failed"));
	if ((m->flags & DROP_MERCHANT) && strcmp(ctx->sess.role, "merchant"))
		return (drop_error(ctx, 403, "forbidden",
		    "Merchant role required"));
	if (m->flags & (DROP_RL_PAY | DROP_RL_PIN))
		return (user_limit_start(ctx));

	return (method_start(ctx));
}

/*
 * A well-formed payment also counts for its user, from any address;
 * so does a PIN change (four digits: few, whoever asks). Counted in the
 * database, so the limit holds for all instances together.
 */
static int
user_limit_start(struct drop_ctx *ctx)
{
	const char	*params[3];
	char		 limit[16];
	int		 pay;

	pay = (ctx->method->flags & DROP_RL_PAY) != 0;
	(void)snprintf(limit, sizeof(limit), "%d",
	    pay ? drop_cfg.pay_per_user : DROP_PIN_PER_USER);
	params[0] = ctx->sess.user_id;
	params[1] = pay ? "payments" : "pin";
	params[2] = limit;

	return (drop_sql(ctx, sql_user_limit, 3, params, user_limit_done));
}

/* Over the limit: 429 with the seconds until one more fits. */
static int
user_limit_done(struct drop_ctx *ctx)
{
	int64_t		wait;

	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "user limit without a row"));
	wait = drop_col_int(ctx, 0, "wait");
	if (wait > 0) {
		(void)drop_rate_limited(ctx, (int)wait);
		return (DROP_STEP_DONE);
	}

	return (method_start(ctx));
}

/* The method's first step, or its list's query. */
static int
method_start(struct drop_ctx *ctx)
{
	const struct drop_method	*m = ctx->method;

	return (m->list != NULL ? drop_list_start(ctx) : m->start(ctx));
}
