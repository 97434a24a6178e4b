/*
 * The request pipeline every route goes through: request id, method,
 * body limits, rate limits, authentication, JSON fields and validators
 * declared in kore.conf, then the route's own steps.
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "drop.h"

#define S_INIT		0
#define S_STEP		1
#define S_SQL		2
#define S_TASK		3

static int	state_init(struct http_request *);
static int	state_step(struct http_request *);
static int	state_sql(struct http_request *);
static int	state_task(struct http_request *);
static void	ctx_free(struct http_request *);
static int	method_allowed(struct drop_ctx *);
static int	body_precheck(struct drop_ctx *);
static int	ratelimit_check(struct drop_ctx *);
static int	admin_check(struct drop_ctx *);
static int	fields_step(struct drop_ctx *);
static int	fields_parse(struct drop_ctx *);
static void	fields_validate(struct drop_ctx *);
static int	field_index(struct drop_ctx *, const char *);
static const char *method_name(int);

static struct http_state drop_states[] = {
	{ "S_INIT",	state_init },
	{ "S_STEP",	state_step },
	{ "S_SQL",	state_sql },
	{ "S_TASK",	state_task },
};

int
drop_serve(struct http_request *req, const struct drop_route *route)
{
	struct drop_ctx		*ctx;

	if (!http_state_exists(req)) {
		ctx = http_state_create(req, sizeof(*ctx), ctx_free);
		ctx->req = req;
		ctx->route = route;
		if (route->datalen > 0)
			ctx->data = kore_calloc(1, route->datalen);
	}

	return (http_state_run(drop_states,
	    sizeof(drop_states) / sizeof(drop_states[0]), req));
}

/*
 * A route behind feature flags: while any flag of mask is off it is
 * served exactly as a path no route claims (404 not_found), before
 * anything else, so it cannot be told from an unknown route.
 */
int
drop_serve_flagged(struct http_request *req, const struct drop_route *route,
    int mask)
{
	if (!http_state_exists(req) && !drop_flags_on(mask))
		route = &drop_not_found_route;

	return (drop_serve(req, route));
}

/* Kore may call this more than once; only free once no task runs. */
static void
ctx_free(struct http_request *req)
{
	struct drop_ctx		*ctx;
	int			 i;

	if ((ctx = http_state_get(req)) == NULL)
		return;
	if (ctx->task_live) {
		if (kore_task_state(&ctx->task) != KORE_TASK_STATE_FINISHED)
			return;
		kore_task_destroy(&ctx->task);
		ctx->task_live = 0;
	}
	if (ctx->route != NULL && ctx->route->cleanup != NULL &&
	    ctx->data != NULL)
		ctx->route->cleanup(ctx);
	drop_sql_release(ctx);
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

	req->fsm_state = S_STEP;
	drop_request_id(req, ctx->reqid, sizeof(ctx->reqid));
	if (!method_allowed(ctx))
		return (HTTP_STATE_COMPLETE);
	if (!body_precheck(ctx) || !ratelimit_check(ctx) || !admin_check(ctx))
		return (HTTP_STATE_COMPLETE);

	if (ctx->method->flags & DROP_AUTH) {
		if (drop_auth_start(ctx, fields_step) == DROP_STEP_DONE)
			return (HTTP_STATE_COMPLETE);
		req->fsm_state = S_SQL;
		return (HTTP_STATE_CONTINUE);
	}
	ctx->next = fields_step;

	return (HTTP_STATE_CONTINUE);
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

	if (kore_task_state(&ctx->task) != KORE_TASK_STATE_FINISHED) {
		http_request_sleep(req);
		return (HTTP_STATE_RETRY);
	}
	req->fsm_state = S_STEP;

	return (HTTP_STATE_CONTINUE);
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
	char		text[64], retry[16];
	size_t		iplen;
	int		group, wait;

	group = ctx->method->flags & (DROP_RL_AUTH | DROP_RL_PAY | DROP_RL_RATES);
	if (group == 0)
		return (1);
	if (drop_client_ip(ctx->req, ip, &iplen, text, sizeof(text)) != 0)
		return (1);
	if (drop_ratelimit_hit(group, ip, iplen, &wait))
		return (1);

	(void)snprintf(retry, sizeof(retry), "%d", wait);
	http_response_header(ctx->req, "retry-after", retry);
	(void)drop_error(ctx, 429, "rate_limited",
	    "Too many requests; try again later");

	return (0);
}

/* Internal listener: Authorization: Bearer <admin token>. */
static int
admin_check(struct drop_ctx *ctx)
{
	const char	*hdr, *token;

	if (!(ctx->method->flags & DROP_ADMIN))
		return (1);
	if (drop_cfg.admin_token_len > 0 &&
	    http_request_header(ctx->req, "authorization", &hdr) &&
	    drop_bearer(hdr, &token) &&
	    drop_ct_equal(token, drop_cfg.admin_token))
		return (1);
	(void)drop_error(ctx, 401, "unauthorized", "Admin token required");

	return (0);
}

/* After authentication: parse and validate the body, then start. */
static int
fields_step(struct drop_ctx *ctx)
{
	if ((ctx->method->flags & DROP_BODY_OPT) &&
	    (ctx->req->http_body == NULL || ctx->req->http_body_length == 0))
		ctx->body = json_object();
	else if (ctx->method->fields != NULL ||
	    (ctx->method->flags & DROP_BODY)) {
		if (!fields_parse(ctx))
			return (drop_fail_details(ctx, 400,
			    "The request body is not valid"));
		fields_validate(ctx);
	}
	if (ctx->method->check != NULL)
		(void)ctx->method->check(ctx);
	if (ctx->details != NULL)
		return (drop_fail_details(ctx, 422, "Validation failed"));

	return (ctx->method->start(ctx));
}

/* JSON object with every required field present and of the right type. */
static int
fields_parse(struct drop_ctx *ctx)
{
	const struct drop_field	*f;
	json_error_t		 err;
	json_t			*v;
	struct kore_buf		*b;
	char			 clean[16384];	/* 2000 4-byte characters */
	int			 i, ok;

	b = ctx->req->http_body;
	if (b == NULL || ctx->req->http_body_length == 0) {
		drop_detail(ctx, "body", "A JSON object is required");
		return (0);
	}
	ctx->body = json_loadb((const char *)b->data, ctx->req->http_body_length,
	    JSON_REJECT_DUPLICATES, &err);
	if (ctx->body == NULL || !json_is_object(ctx->body)) {
		drop_detail(ctx, "body", "Malformed JSON");
		return (0);
	}

	ok = 1;
	for (i = 0, f = ctx->method->fields; f != NULL && f->name != NULL &&
	    i < DROP_FIELDS_MAX; f++, i++) {
		v = json_object_get(ctx->body, f->name);
		if (v == NULL || json_is_null(v)) {
			if (f->required) {
				drop_detail(ctx, f->name, "is required");
				ok = 0;
			}
			continue;
		}
		if (((f->type == DROP_T_STRING || f->type == DROP_T_SECRET) &&
		    !json_is_string(v)) ||
		    (f->type == DROP_T_NUMBER && !json_is_number(v)) ||
		    (f->type == DROP_T_BOOL && !json_is_boolean(v)) ||
		    (f->type == DROP_T_ARRAY && !json_is_array(v))) {
			drop_detail(ctx, f->name, "has the wrong type");
			ok = 0;
			continue;
		}
		if (f->type == DROP_T_SECRET) {
			ctx->text[i] = kore_strdup(json_string_value(v));
			continue;
		}
		if (f->type != DROP_T_STRING)
			continue;
		if (json_string_length(v) >= sizeof(clean) ||
		    drop_sanitize(json_string_value(v), clean,
		    sizeof(clean)) != 0) {
			drop_detail(ctx, f->name, "is too long");
			continue;
		}
		ctx->text[i] = kore_strdup(clean);
	}

	return (ok);
}

/* Runs every validator kore.conf declares for this route and method. */
static void
fields_validate(struct drop_ctx *ctx)
{
	struct kore_handler_params	*p;
	int				 i;

	if (ctx->req->hdlr == NULL)
		return;
	TAILQ_FOREACH(p, &ctx->req->hdlr->params, list) {
		if (!(p->method & ctx->req->method))
			continue;
		if ((i = field_index(ctx, p->name)) < 0 || ctx->text[i] == NULL)
			continue;
		if (!kore_validator_check(ctx->req, p->validator,
		    ctx->text[i]))
			drop_detail(ctx, p->name,
			    drop_validator_message(p->validator->name));
	}
}

static int
field_index(struct drop_ctx *ctx, const char *name)
{
	const struct drop_field	*f;
	int			 i;

	for (i = 0, f = ctx->method->fields; f != NULL && f->name != NULL &&
	    i < DROP_FIELDS_MAX; f++, i++) {
		if (!strcmp(f->name, name))
			return (i);
	}

	return (-1);
}

/* The sanitized text of a declared string field, or NULL. */
const char *
drop_text(struct drop_ctx *ctx, const char *name)
{
	int		i;

	if ((i = field_index(ctx, name)) < 0)
		return (NULL);
	return (ctx->text[i]);
}

json_t *
drop_field(struct drop_ctx *ctx, const char *name)
{
	json_t		*v;

	if (ctx->body == NULL)
		return (NULL);
	v = json_object_get(ctx->body, name);
	return (json_is_null(v) ? NULL : v);
}

/*
 * A query argument that passed its kore.conf validator: 1 with *out set,
 * 0 when absent, -1 when present but invalid.
 */
int
drop_query_arg(struct drop_ctx *ctx, const char *name, const char **out)
{
	char		*value;
	const char	*qs, *p;
	size_t		 nlen;

	if (!ctx->qs_populated) {
		http_populate_get(ctx->req);
		ctx->qs_populated = 1;
	}
	if (http_argument_get_string(ctx->req, name, &value)) {
		*out = value;
		return (1);
	}
	if ((qs = ctx->req->query_string) == NULL)
		return (0);
	nlen = strlen(name);
	for (p = qs; p != NULL && *p != '\0'; p = strchr(p, '&')) {
		if (*p == '&')
			p++;
		if (!strncmp(p, name, nlen) && (p[nlen] == '=' ||
		    p[nlen] == '&' || p[nlen] == '\0'))
			return (-1);
	}

	return (0);
}

/* Path segment n (0 = first after the leading slash) as an id; 0 if bad. */
int
drop_path_id(struct drop_ctx *ctx, int n, const char *prefix, char *out,
    size_t outlen)
{
	const char	*p, *end;
	size_t		 len;

	p = ctx->req->path;
	for (; n >= 0 && p != NULL; n--)
		p = (p = strchr(p, '/')) == NULL ? NULL : p + 1;
	if (p == NULL)
		return (0);
	end = strchr(p, '/');
	len = end == NULL ? strlen(p) : (size_t)(end - p);
	if (len >= outlen)
		return (0);
	memcpy(out, p, len);
	out[len] = '\0';

	return (drop_id_valid(prefix, out));
}

/*
 * The one paging helper of every list. Query arguments page and limit
 * (kore.conf v_page), or cursor and limit (v_cursor) for infinite scroll:
 * a cursor is the position after the last row of a page (see cursor.c).
 * Sets ctx->page (0 with a cursor) and ctx->limit; adds details and
 * returns -1 when out of range. The list's SQL takes drop_page_params():
 * LIMIT limit + 1 (one more row says whether a next page exists), OFFSET,
 * and the cursor's (created_at, id) position or NULLs, and returns the
 * columns id and cursor_us for each row.
 */
int
drop_page_args(struct drop_ctx *ctx, int def_limit, int max_limit)
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
int
drop_page_params(struct drop_ctx *ctx, const char **params)
{
	params[0] = ctx->page_limit;
	params[1] = ctx->page_offset;
	params[2] = ctx->page_after_us[0] != '\0' ? ctx->page_after_us :
	    "253402300799999999";
	params[3] = ctx->page_after_id[0] != '\0' ? ctx->page_after_id : "~";

	return (4);
}

/*
 * Runs a list query of the caller's rows: $1 the user, then the four
 * paging parameters (see drop_page_params).
 */
int
drop_page_query(struct drop_ctx *ctx, const char *sql,
    int (*next)(struct drop_ctx *))
{
	const char	*params[5];

	params[0] = ctx->sess.user_id;
	return (drop_sql(ctx, sql, 1 + drop_page_params(ctx, params + 1),
	    params, next));
}

/* Rows of the page to show: the query's rows with an id, at most limit. */
int
drop_page_rows(struct drop_ctx *ctx)
{
	int		rows;

	rows = drop_rows(ctx);
	if (rows == 1 && drop_col_null(ctx, 0, "id"))
		rows = 0;

	return (rows > ctx->limit ? ctx->limit : rows);
}

/*
 * A money field of the body in øre, within [min, max]; adds a detail and
 * returns -1 when it has more than two decimals or is out of range.
 */
int
drop_money_field(struct drop_ctx *ctx, const char *name, int64_t min,
    int64_t max, int64_t *ore)
{
	json_t		*v;
	char		 lo[32], hi[32], msg[128];

	if ((v = drop_field(ctx, name)) == NULL || !json_is_number(v))
		return (-1);
	if (drop_money_from_double(json_number_value(v), ore) != 0) {
		drop_detail(ctx, name, "must have at most 2 decimals");
		return (-1);
	}
	if (*ore < min || *ore > max) {
		(void)drop_money_format(min, lo, sizeof(lo));
		(void)drop_money_format(max, hi, sizeof(hi));
		(void)snprintf(msg, sizeof(msg), "must be from %s to %s", lo, hi);
		drop_detail(ctx, name, msg);
		return (-1);
	}

	return (0);
}
