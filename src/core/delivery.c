/*
 * The deliveries Drop owes merchants' webhook endpoints (issue 19). An
 * event and its deliveries are made in the transaction that completes a
 * payment, a refund or a payout (sql/functions/013_webhooks.sql); from
 * here each worker claims due deliveries under a lease (FOR UPDATE SKIP
 * LOCKED: one worker of one instance per delivery at a time), signs each
 * attempt afresh, posts it on the bank's HTTP thread (never on the event
 * loop, at most WEBHOOK_INFLIGHT at once, so the bank's own calls keep
 * their room) and records the answer; SQL decides the next try.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drop.h"

#define WEBHOOK_TICK_MS		250
#define WEBHOOK_INFLIGHT	4	/* of the bank thread's 16 */
#define WEBHOOK_LEASE_SLACK_MS	5000	/* past the attempt's own timeout */

/* One attempt being made. */
struct delivery {
	char			 id[DROP_ID_LEN];
	char			 attempt[12];
	u_int64_t		 started;
	struct drop_bank_call	*call;
};

static void	start_one(PGresult *, int);

static struct drop_claimer	hooks = {
	.name = "webhooks",
	.sql = "SELECT * FROM drop_webhook_claim($1::int, $2::int)",
	.inflight_max = WEBHOOK_INFLIGHT,
	.start = start_one,
};

static struct {
	char		 base_ms[16];
	char		 giveup_s[16];
} wh;

static const char	sql_attempted[] =
    "SELECT drop_webhook_attempted($1, $2::int, $3::int, $4, $5::int, "
    "$6::int, $7::int) AS status";

static int	send_delivery(PGresult *, int, struct delivery *);
static void	answered(struct drop_bank_call *, void *);
static void	recorded(PGresult *, void *);

/* Worker start (after the pool and the bank's thread): the timer. */
void
drop_webhooks_start(void)
{
	(void)snprintf(hooks.lease_ms, sizeof(hooks.lease_ms), "%d",
	    drop_cfg.webhook_timeout_ms + WEBHOOK_LEASE_SLACK_MS);
	(void)snprintf(wh.base_ms, sizeof(wh.base_ms), "%d",
	    drop_cfg.webhook_backoff_ms);
	(void)snprintf(wh.giveup_s, sizeof(wh.giveup_s), "%d",
	    drop_cfg.webhook_giveup_s);
	drop_claimer_start(&hooks, WEBHOOK_TICK_MS);
}

/* A claimed delivery: its attempt goes out. */
static void
start_one(PGresult *res, int row)
{
	struct delivery	*d;

	d = kore_calloc(1, sizeof(*d));
	if (send_delivery(res, row, d) != 0)
		answered(NULL, d);
}

/* The signed POST of one attempt; -1 when it could not be handed over. */
static int
send_delivery(PGresult *res, int row, struct delivery *d)
{
	struct drop_bank_request	 req;
	const char			*url, *stored, *body, *event, *type;
	char				 sig[DROP_WEBHOOK_SIG_MAX];
	char				 secret[DROP_SEAL_MAX + 1];
	int				 signed_ok;

	url = drop_bgq_col(res, row, "url");
	stored = drop_bgq_col(res, row, "secret");
	body = drop_bgq_col(res, row, "body");
	event = drop_bgq_col(res, row, "event_id");
	type = drop_bgq_col(res, row, "event_type");
	if (drop_bgq_col(res, row, "delivery_id") == NULL ||
	    drop_bgq_col(res, row, "attempt") == NULL)
		return (-1);
	(void)kore_strlcpy(d->id, drop_bgq_col(res, row, "delivery_id"),
	    sizeof(d->id));
	(void)kore_strlcpy(d->attempt, drop_bgq_col(res, row, "attempt"),
	    sizeof(d->attempt));
	d->started = kore_time_ms();
	if (url == NULL || stored == NULL || body == NULL || event == NULL ||
	    type == NULL)
		return (-1);
	if (drop_unseal_text("secret", stored, secret, sizeof(secret)) != 0) {
		kore_log(LOG_WARNING, "webhook %s: its secret does not open",
		    d->id);
		return (-1);
	}
	signed_ok = drop_webhook_sign(secret, (int64_t)time(NULL), body,
	    strlen(body), sig, sizeof(sig)) == 0;
	explicit_bzero(secret, sizeof(secret));
	if (!signed_ok)
		return (-1);
	memset(&req, 0, sizeof(req));
	(void)snprintf(req.headers[0], sizeof(req.headers[0]),
	    "Content-Type: application/json");
	(void)snprintf(req.headers[1], sizeof(req.headers[1]),
	    "X-Drop-Event-Id: %s", event);
	(void)snprintf(req.headers[2], sizeof(req.headers[2]),
	    "X-Drop-Event-Type: %s", type);
	(void)snprintf(req.headers[3], sizeof(req.headers[3]),
	    "X-Drop-Signature: %s", sig);
	(void)snprintf(req.headers[4], sizeof(req.headers[4]),
	    "X-Drop-Delivery-Attempt: %s", d->attempt);
	req.nheaders = 5;
	if ((req.body = strdup(body)) == NULL)
		return (-1);
	d->call = drop_http_post(url, &req, drop_cfg.webhook_timeout_ms,
	    answered, d);

	return (d->call != NULL ? 0 : -1);
}

/* Event loop: what the endpoint said (or why nothing) goes into SQL. */
static void
answered(struct drop_bank_call *c, void *arg)
{
	struct delivery			*d = arg;
	const struct drop_bank_answer	*ans;
	const char			*params[7], *err;
	char				 http[8], ms[16], why[32];
	long				 status;

	drop_claimer_done(&hooks);
	status = c != NULL && drop_bank_answered(c) ?
	    drop_bank_answer(c)->http : 0;
	ans = c != NULL ? drop_bank_answer(c) : NULL;
	if (c == NULL)
		err = "not sent";
	else if (status == 0)
		err = drop_bank_transport_error(c);
	else if (ans == NULL || !ans->ok) {
		(void)snprintf(why, sizeof(why), "HTTP %ld", status);
		err = why;
	} else
		err = NULL;
	if (err != NULL)
		kore_log(LOG_NOTICE, "webhook: delivery %s attempt %s: %s",
		    d->id, d->attempt, err);
	(void)snprintf(http, sizeof(http), "%ld", status);
	(void)snprintf(ms, sizeof(ms), "%llu",
	    (unsigned long long)(kore_time_ms() - d->started));
	params[0] = d->id;
	params[1] = d->attempt;
	params[2] = status > 0 ? http : NULL;
	params[3] = err;
	params[4] = ms;
	params[5] = wh.base_ms;
	params[6] = wh.giveup_s;
	if (d->id[0] != '\0')
		drop_bgq_start("webhooks", sql_attempted, 7, params, recorded,
		    NULL);
	drop_bank_free(c);
	kore_free(d);
}

/*
 * Recorded (a failed record leaves the lease to run out and retry); a
 * backlog is worked through without waiting for the next tick.
 */
static void
recorded(PGresult *res, void *arg)
{
	(void)arg;
	drop_claimer_recorded(&hooks, res);
}
