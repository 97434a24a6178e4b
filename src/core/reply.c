/*
 * Responses: the success and error envelopes, raw bodies, request ids and
 * cookies. The one place that writes an error envelope.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drop.h"

#define JSON_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(15))

static int	send_json(struct drop_ctx *, int, json_t *);

/* Echo a well-formed X-Request-Id, otherwise make a fresh one. */
void
drop_request_id(struct http_request *req, char *out, size_t outlen)
{
	const char	*hdr;

	if (http_request_header(req, "x-request-id", &hdr) &&
	    drop_reqid_valid(hdr) && strlen(hdr) < outlen) {
		memcpy(out, hdr, strlen(hdr) + 1);
		return;
	}
	if (drop_id_new("req_", out, outlen) != 0)
		(void)kore_strlcpy(out, "req_unavailable", outlen);
}

/* Sends obj (stolen) as the whole body. */
static int
send_json(struct drop_ctx *ctx, int status, json_t *obj)
{
	char		*text;

	http_response_header(ctx->req, "x-request-id", ctx->reqid);
	http_response_header(ctx->req, "cache-control", "no-store");
	http_response_header(ctx->req, "x-content-type-options", "nosniff");
	if (status == 204) {
		json_decref(obj);
		http_response(ctx->req, status, NULL, 0);
		return (DROP_STEP_DONE);
	}
	http_response_header(ctx->req, "content-type",
	    "application/json; charset=utf-8");
	if (obj == NULL || (text = json_dumps(obj, JSON_FLAGS)) == NULL) {
		json_decref(obj);
		kore_log(LOG_ERR, "[%s] cannot encode response", ctx->reqid);
		http_response(ctx->req, 500, NULL, 0);
		return (DROP_STEP_DONE);
	}
	http_response(ctx->req, status, text, strlen(text));
	free(text);
	json_decref(obj);

	return (DROP_STEP_DONE);
}

/* A QR code of text as an SVG image, not cached. */
int
drop_reply_qr_svg(struct drop_ctx *ctx, const char *text)
{
	char		*svg;
	size_t		 len;
	int		 r;

	if ((svg = drop_qr_svg(text, &len)) == NULL)
		return (drop_fail_internal(ctx, "QR encoding failed"));
	r = drop_reply_raw(ctx, 200, "image/svg+xml", "no-store", svg, len);
	free(svg);

	return (r);
}

/* 429 with Retry-After: the seconds until one more is allowed. */
int
drop_rate_limited(struct drop_ctx *ctx, int wait)
{
	char	retry[16];

	(void)snprintf(retry, sizeof(retry), "%d", wait);
	http_response_header(ctx->req, "retry-after", retry);
	return (drop_error(ctx, 429, "rate_limited",
	    "Too many requests; try again later"));
}

/* A body that is not JSON (an image, a page), with type and caching. */
int
drop_reply_raw(struct drop_ctx *ctx, int status, const char *type,
    const char *cache, const void *body, size_t len)
{
	http_response_header(ctx->req, "x-request-id", ctx->reqid);
	http_response_header(ctx->req, "cache-control", cache);
	http_response_header(ctx->req, "content-type", type);
	http_response_header(ctx->req, "x-content-type-options", "nosniff");
	http_response(ctx->req, status, body, len);

	return (DROP_STEP_DONE);
}

/* { "data": data } */
int
drop_reply(struct drop_ctx *ctx, int status, json_t *data)
{
	json_t		*obj;

	if (data == NULL)
		return (drop_fail_internal(ctx, "null response data"));
	obj = json_object();
	json_object_set_new(obj, "data", data);

	return (send_json(ctx, status, obj));
}

/* A body that is not wrapped in "data" (health, messages, pagination). */
int
drop_reply_obj(struct drop_ctx *ctx, int status, json_t *obj)
{
	if (obj == NULL && status != 204)
		return (drop_fail_internal(ctx, "null response object"));
	return (send_json(ctx, status, obj));
}

/* The one error envelope. */
int
drop_error(struct drop_ctx *ctx, int status, const char *code,
    const char *message)
{
	json_t		*obj;

	/* Every 503 is temporary: tell clients when to come back. */
	if (status == 503)
		http_response_header(ctx->req, "retry-after", "1");
	obj = json_object();
	json_object_set_new(obj, "error", json_string(code));
	json_object_set_new(obj, "message", json_string(message));
	if (ctx->details != NULL) {
		json_object_set(obj, "details", ctx->details);
	} else {
		json_object_set_new(obj, "details", json_array());
	}
	json_object_set_new(obj, "requestId", json_string(ctx->reqid));

	return (send_json(ctx, status, obj));
}

/* Logs the cause with the request id; the client sees nothing of it. */
int
drop_fail_internal(struct drop_ctx *ctx, const char *why)
{
	kore_log(LOG_ERR, "[%s] internal error: %s", ctx->reqid, why);
	json_decref(ctx->details);
	ctx->details = NULL;

	return (drop_error(ctx, 500, "internal_error",
	    "Something went wrong; try again later"));
}

void
drop_detail(struct drop_ctx *ctx, const char *field, const char *message)
{
	json_t		*d;

	if (ctx->details == NULL)
		ctx->details = json_array();
	d = json_object();
	json_object_set_new(d, "field", json_string(field));
	json_object_set_new(d, "message", json_string(message));
	json_array_append_new(ctx->details, d);
}

/* 400 bad_request or 422 validation_error with the collected details. */
int
drop_fail_details(struct drop_ctx *ctx, int status, const char *message)
{
	return (drop_error(ctx, status,
	    status == 400 ? "bad_request" : "validation_error", message));
}

void
drop_set_cookie(struct drop_ctx *ctx, const char *name, const char *value,
    int max_age, int httponly)
{
	char		line[DROP_JWT_MAX + 128];

	if (drop_cookie_format(line, sizeof(line), name, value, max_age,
	    httponly) != 0) {
		kore_log(LOG_ERR, "[%s] cookie %s not set", ctx->reqid, name);
		return;
	}
	http_response_header(ctx->req, "set-cookie", line);
}

/* Stored response data, sent as it was first sent (idempotent replays). */
int
drop_reply_text(struct drop_ctx *ctx, int status, const char *text)
{
	json_t		*data;
	json_error_t	 err;

	if ((data = json_loads(text, 0, &err)) == NULL)
		return (drop_fail_internal(ctx, "stored response unreadable"));
	return (drop_reply(ctx, status, data));
}
