/*
 * POST /api/bank/events (§13): the bank's signed report that a payment
 * changed. The signature (X-Bank-Signature: sha256=<HMAC-SHA256 of the raw
 * body with the shared secret>) and the timestamp (within five minutes)
 * are checked before anything is read; a bad one is 401 and changes
 * nothing; an event id seen before changes nothing again; a payment Drop
 * does not know is 404 (the event is kept). Polling covers a lost one.
 */

#include <string.h>

#include "api.h"

#define EVENT_WINDOW_S		300

struct event_state {
	struct drop_bank_event	ev;
};

static int	event_check(struct drop_ctx *);
static int	event_start(struct drop_ctx *);
static int	event_done(struct drop_ctx *);

static const struct drop_method event_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY,
	    .check = event_check, .start = event_start },
	{ .method = 0 }
};

static const struct drop_route event_route = {
	.name = "bank.events",
	.methods = event_methods,
	.datalen = sizeof(struct event_state),
};

static const char	sql_event[] =
    "SELECT * FROM drop_bank_event($1, $2, $3)";

DROP_ROUTE(api_bank_events, event_route);

/* The signature over the raw body, then its form and freshness. */
static int
event_check(struct drop_ctx *ctx)
{
	struct event_state	*st = ctx->data;
	const char		*sig;
	const char		*raw;
	size_t			 len;
	int			 r;

	raw = (const char *)ctx->req->http_body->data;
	len = ctx->req->http_body_length;
	if (!http_request_header(ctx->req, "x-bank-signature", &sig) ||
	    !drop_psd2_signed(drop_cfg.bank_secret, drop_cfg.bank_secret_len,
	    raw, len, sig))
		return (drop_error(ctx, 401, "unauthorized",
		    "The event's signature is not valid"));
	if ((r = drop_psd2_event(raw, len, (int64_t)time(NULL),
	    EVENT_WINDOW_S, &st->ev)) == -2)
		return (drop_error(ctx, 401, "unauthorized",
		    "The event's timestamp is too old or in the future"));
	if (r != 0)
		drop_detail(ctx, "body", "must hold eventId, paymentId, "
		    "transactionStatus and an integer timestamp");

	return (0);
}

static int
event_start(struct drop_ctx *ctx)
{
	struct event_state	*st = ctx->data;
	const char		*params[3];

	params[0] = st->ev.event_id;
	params[1] = st->ev.payment_id;
	params[2] = st->ev.status;

	return (drop_sql(ctx, sql_event, 3, params, event_done));
}

static int
event_done(struct drop_ctx *ctx)
{
	const char	*result, *tx;
	json_t		*data;

	if ((result = drop_col(ctx, 0, "result")) == NULL)
		return (drop_fail_internal(ctx, "bank event: no result"));
	if (!strcmp(result, "unknown")) {
		/* A payment Drop gave up on may surface here: for operations. */
		kore_log(LOG_NOTICE, "[%s] bank event for an unknown payment",
		    ctx->reqid);
		return (drop_error(ctx, 404, "not_found",
		    "No payment with this id"));
	}
	if ((tx = drop_col(ctx, 0, "tx_id")) != NULL)
		drop_outbox_changed(tx);
	data = json_object();
	json_object_set_new(data, "result", json_string(result));

	return (drop_reply(ctx, 200, data));
}
