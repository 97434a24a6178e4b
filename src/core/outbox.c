/*
 * The outbox of calls Drop owes the bank (§13). A payment and its intent
 * are recorded in one transaction (sql/functions/002_money.sql); from here
 * each worker claims due calls under a lease (FOR UPDATE SKIP LOCKED, so
 * no two workers or instances hold one), sends them through bankio.c with
 * the call's own X-Request-ID (the same on every retry, so the bank sees
 * the payment once), and applies the answer in SQL. It also polls open
 * payments (a callback can be lost) and expires unapproved ones. A payment
 * request may kick its own call and wait for its answer, asleep. It also
 * runs the merchants' payout job (sql/functions/010_payouts.sql), whose
 * payouts' bank calls ride the same outbox.
 */

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drop.h"

#define OUTBOX_TICK_MS		200
#define OUTBOX_CLAIM_MAX	8
#define OUTBOX_INFLIGHT_MAX	32	/* calls this worker holds at once */
#define POLL_EVERY_MS		1000
#define EXPIRE_EVERY_MS		2000
#define PAYOUT_EVERY_MS		5000	/* the job is due at 06:00 Oslo */

/* One call being made: its claim's row, then its bank call. */
struct item {
	char			 outbox_id[24];
	char			 kind[12];
	char			 request_id[DROP_UUID_LEN];
	char			 tx[DROP_ID_LEN];
	char			 product[40];
	char			 debtor[16];
	char			 payment_id[DROP_BANK_ID_MAX];
	char			 psu_ip[48];
	char			 remittance[400];
	char			 creditor[16];	/* a payout's; else collection */
	char			 creditor_name[808];
	int64_t			 amount;
	int			 poll;
	struct drop_bank_call	*call;
};

static struct {
	int			 started;
	int			 claiming;
	int			 polling;
	int			 expiring;
	int			 paying;
	int			 inflight;
	u_int64_t		 next_poll;
	u_int64_t		 next_expire;
	u_int64_t		 next_payout;
	char			 worker[32];
	char			 giveup[16];
	TAILQ_HEAD(, drop_ctx)	 waiters;
} ob;

static const char	sql_claim[] =
    "SELECT * FROM drop_outbox_claim($1, $2::int, $3)";
static const char	sql_initiated[] =
    "SELECT * FROM drop_outbox_initiated($1::bigint, $2::boolean, "
    "$3::int, $4, $5, $6, $7, $8::int, $9::boolean)";
static const char	sql_cancelled[] =
    "SELECT * FROM drop_outbox_cancelled($1::bigint, $2::boolean, "
    "$3::int, $4, $5::int)";
static const char	sql_poll_claim[] =
    "SELECT * FROM drop_bank_poll_claim($1::int)";
static const char	sql_polled[] =
    "SELECT drop_bank_polled($1, $2::int, $3) AS status, $1 AS tx_id";
static const char	sql_expire[] =
    "SELECT drop_bank_expire() AS tx_id";
static const char	sql_payouts[] =
    "SELECT drop_payouts_run(drop_now(), $1::time, $2) AS tx_id";

static void	tick(void *, u_int64_t);
static void	claim(const char *);
static void	bgq_start(const char *, int, const char **,
		    void (*)(PGresult *, void *), void *);
static void	claimed(PGresult *, void *);
static void	polled_claim(PGresult *, void *);
static void	send_item(struct item *);
static void	item_answered(struct drop_bank_call *, void *);
static void	applied(PGresult *, void *);
static void	woke_all(PGresult *, void *);
static void	payouts_made(PGresult *, void *);
static void	wake_tx(const char *);
static int	waited(struct drop_ctx *);
static void	outbox_unwait(struct drop_ctx *);

/* Worker start (after the pool): the dispatcher's timer. */
void
drop_outbox_start(void)
{
	if (ob.started || drop_cfg.bank_url[0] == '\0')
		return;
	ob.started = 1;
	TAILQ_INIT(&ob.waiters);
	(void)snprintf(ob.worker, sizeof(ob.worker), "worker-%d", getpid());
	(void)snprintf(ob.giveup, sizeof(ob.giveup), "%d",
	    drop_cfg.bank_giveup_s);
	(void)kore_timer_add(tick, OUTBOX_TICK_MS, NULL, 0);
}

static void
tick(void *arg, u_int64_t now)
{
	const char	*params[2];
	char		 limit[8];

	(void)arg;
	if (drop_db_state() != DROP_DB_UP)
		return;
	if (!ob.claiming && ob.inflight < OUTBOX_INFLIGHT_MAX)
		claim(NULL);
	if (!ob.polling && now >= ob.next_poll &&
	    ob.inflight < OUTBOX_INFLIGHT_MAX) {
		ob.next_poll = now + POLL_EVERY_MS;
		ob.polling = 1;
		(void)snprintf(limit, sizeof(limit), "%d", OUTBOX_CLAIM_MAX);
		params[0] = limit;
		bgq_start(sql_poll_claim, 1, params, polled_claim, NULL);
	}
	if (!ob.expiring && now >= ob.next_expire) {
		ob.next_expire = now + EXPIRE_EVERY_MS;
		ob.expiring = 1;
		bgq_start(sql_expire, 0, NULL, woke_all, &ob.expiring);
	}
	if (!ob.paying && now >= ob.next_payout) {
		ob.next_payout = now + PAYOUT_EVERY_MS;
		ob.paying = 1;
		params[0] = DROP_PAYOUT_TIME;
		params[1] = drop_cfg.collection_account;
		bgq_start(sql_payouts, 2, params, payouts_made, NULL);
	}
}

/* A payment just recorded: its call now, rather than at the next tick. */
void
drop_outbox_kick(const char *tx)
{
	if (ob.started)
		claim(tx);
}

/*
 * The step of a payment request that waits, asleep, until its call has an
 * answer applied or ms have passed; then next, with the status so far.
 */
int
drop_outbox_wait(struct drop_ctx *ctx, const char *tx, u_int64_t ms,
    int (*next)(struct drop_ctx *))
{
	if (!ob.started)
		return (next(ctx));
	(void)kore_strlcpy(ctx->wait_tx, tx, sizeof(ctx->wait_tx));
	TAILQ_INSERT_TAIL(&ob.waiters, ctx, wait_list);
	ctx->after_wait = next;
	ctx->unwait = outbox_unwait;

	return (drop_wait(ctx, ms, waited));
}

static int
waited(struct drop_ctx *ctx)
{
	outbox_unwait(ctx);
	return (ctx->after_wait(ctx));
}

/* The request no longer waits (woken, timed out, or gone). */
static void
outbox_unwait(struct drop_ctx *ctx)
{
	if (ctx->wait_tx[0] == '\0')
		return;
	TAILQ_REMOVE(&ob.waiters, ctx, wait_list);
	ctx->wait_tx[0] = '\0';
	ctx->unwait = NULL;
}

/* A payment changed elsewhere (a callback): its waiters wake. */
void
drop_outbox_changed(const char *tx)
{
	wake_tx(tx);
}

static void
wake_tx(const char *tx)
{
	struct drop_ctx		*ctx, *next;

	for (ctx = TAILQ_FIRST(&ob.waiters); ctx != NULL; ctx = next) {
		next = TAILQ_NEXT(ctx, wait_list);
		if (tx == NULL || strcmp(ctx->wait_tx, tx))
			continue;
		outbox_unwait(ctx);
		drop_wake(ctx);
	}
}

/* The dispatcher's queries, named in the pool's log. */
static void
bgq_start(const char *sql, int n, const char **params,
    void (*done)(PGresult *, void *), void *arg)
{
	drop_bgq_start("bank-outbox", sql, n, params, done, arg);
}

static void
claim(const char *tx)
{
	const char	*params[3];
	char		 limit[8];

	if (tx == NULL)
		ob.claiming = 1;
	(void)snprintf(limit, sizeof(limit), "%d", tx != NULL ? 1 :
	    OUTBOX_CLAIM_MAX);
	params[0] = ob.worker;
	params[1] = limit;
	params[2] = tx;
	bgq_start(sql_claim, 3, params, claimed, tx == NULL ? &ob.claiming :
	    NULL);
}

static void
copy_col(PGresult *res, int row, const char *name, char *out, size_t outlen)
{
	const char	*v;

	v = drop_bgq_col(res, row, name);
	(void)kore_strlcpy(out, v != NULL ? v : "", outlen);
}

/* Claimed calls: each goes to the bank. */
static void
claimed(PGresult *res, void *arg)
{
	struct item	*it;
	const char	*amount;
	int		 row;

	if (arg != NULL)
		*(int *)arg = 0;
	for (row = 0; res != NULL && row < PQntuples(res); row++) {
		it = kore_calloc(1, sizeof(*it));
		copy_col(res, row, "outbox_id", it->outbox_id,
		    sizeof(it->outbox_id));
		copy_col(res, row, "kind", it->kind, sizeof(it->kind));
		copy_col(res, row, "request_id", it->request_id,
		    sizeof(it->request_id));
		copy_col(res, row, "tx_id", it->tx, sizeof(it->tx));
		copy_col(res, row, "product", it->product, sizeof(it->product));
		copy_col(res, row, "debtor", it->debtor, sizeof(it->debtor));
		copy_col(res, row, "payment_id", it->payment_id,
		    sizeof(it->payment_id));
		copy_col(res, row, "psu_ip", it->psu_ip, sizeof(it->psu_ip));
		copy_col(res, row, "remittance", it->remittance,
		    sizeof(it->remittance));
		copy_col(res, row, "creditor", it->creditor,
		    sizeof(it->creditor));
		copy_col(res, row, "creditor_name", it->creditor_name,
		    sizeof(it->creditor_name));
		amount = drop_bgq_col(res, row, "amount");
		it->amount = amount != NULL ? strtoll(amount, NULL, 10) : 0;
		send_item(it);
	}
}

/* Open payments due for a poll: each asks the bank for its status. */
static void
polled_claim(PGresult *res, void *arg)
{
	struct item	*it;
	int		 row;

	(void)arg;
	ob.polling = 0;
	for (row = 0; res != NULL && row < PQntuples(res); row++) {
		it = kore_calloc(1, sizeof(*it));
		it->poll = 1;
		copy_col(res, row, "tx_id", it->tx, sizeof(it->tx));
		copy_col(res, row, "product", it->product, sizeof(it->product));
		copy_col(res, row, "payment_id", it->payment_id,
		    sizeof(it->payment_id));
		copy_col(res, row, "debtor", it->debtor, sizeof(it->debtor));
		send_item(it);
	}
}

/* Builds the item's NextGenPSD2 request and hands it to the bank thread. */
static void
send_item(struct item *it)
{
	struct drop_bank_call_args	 a;
	struct drop_bank_payment	 p;
	struct drop_bank_request	 req;
	char				 fresh[DROP_UUID_LEN];
	char				 back[sizeof(drop_cfg.public_url) + 64];
	char				 notify[sizeof(drop_cfg.public_url) + 32];
	int				 r;

	drop_bank_args(&a, fresh, it->psu_ip[0] != '\0' ? it->psu_ip :
	    drop_cfg.psu_ip_fallback);
	if (!it->poll)
		a.request_id = it->request_id;	/* the same on every retry */
	(void)snprintf(back, sizeof(back), "%s/#/tx/%s", drop_cfg.public_url,
	    it->tx);
	(void)snprintf(notify, sizeof(notify), "%s/api/bank/events",
	    drop_cfg.public_url);
	a.redirect_ok = back;
	a.redirect_nok = back;
	a.notify_uri = notify;
	if (it->poll) {
		r = drop_psd2_pay_status(&a, it->product, it->payment_id, &req);
	} else if (!strcmp(it->kind, "cancel")) {
		r = it->payment_id[0] == '\0' ? -1 : drop_psd2_pay_cancel(&a,
		    it->product, it->payment_id, &req);
	} else {
		memset(&p, 0, sizeof(p));
		p.product = it->product;
		p.debtor = it->debtor;
		p.creditor = it->creditor[0] != '\0' ? it->creditor :
		    drop_cfg.collection_account;
		p.creditor_name = it->creditor[0] != '\0' ? it->creditor_name :
		    drop_cfg.collection_name;
		p.amount = it->amount;
		p.remittance = it->remittance;
		r = drop_psd2_pay(&a, &p, &req);
	}
	ob.inflight++;
	if (r != 0 || (it->call = drop_bank_call(&req, it->debtor,
	    item_answered, it)) == NULL) {
		if (r != 0)
			kore_log(LOG_ERR, "bank: cannot build the call for %s",
			    it->tx);
		item_answered(NULL, it);
	}
}

/* Event loop: the bank answered (or not); the answer goes into SQL. */
static void
item_answered(struct drop_bank_call *c, void *arg)
{
	struct item			*it = arg;
	const struct drop_bank_answer	*ans;
	const char			*params[9], *err;
	char				 http[8];
	int				 answered;

	ob.inflight--;
	answered = c != NULL && drop_bank_answered(c);
	ans = c != NULL ? drop_bank_answer(c) : NULL;
	err = c == NULL ? "not sent" : !answered ?
	    drop_bank_transport_error(c) : ans->error[0] != '\0' ? ans->error :
	    NULL;
	(void)snprintf(http, sizeof(http), "%ld", answered ? ans->http : 0);
	if (err != NULL && c != NULL)
		kore_log(LOG_NOTICE, "bank: %s %s: %s", it->poll ? "poll of" :
		    it->kind, it->tx, err);
	if (it->poll) {
		params[0] = it->tx;
		params[1] = http;
		params[2] = answered && ans->ok ? ans->status : NULL;
		bgq_start(sql_polled, 3, params, applied, NULL);
	} else if (!strcmp(it->kind, "cancel")) {
		params[0] = it->outbox_id;
		params[1] = answered ? "true" : "false";
		params[2] = http;
		params[3] = err;
		params[4] = ob.giveup;
		bgq_start(sql_cancelled, 5, params, applied, NULL);
	} else {
		params[0] = it->outbox_id;
		params[1] = answered ? "true" : "false";
		params[2] = http;
		params[3] = answered && ans->ok ? ans->status : NULL;
		params[4] = answered && ans->ok ? ans->id : NULL;
		params[5] = answered && ans->ok && ans->sca_url[0] != '\0' ?
		    ans->sca_url : NULL;
		params[6] = err;
		params[7] = ob.giveup;
		params[8] = drop_bank_maybe_delivered(c) ? "true" : "false";
		bgq_start(sql_initiated, 9, params, applied, NULL);
	}
	drop_bank_free(c);
	kore_free(it);
}

/* The answer is applied: a request waiting for it wakes. */
static void
applied(PGresult *res, void *arg)
{
	const char	*tx;

	(void)arg;
	if (res != NULL && PQntuples(res) == 1 &&
	    (tx = drop_bgq_col(res, 0, "tx_id")) != NULL)
		wake_tx(tx);
}

/* Expired payments: anyone waiting on one wakes. */
static void
woke_all(PGresult *res, void *arg)
{
	const char	*tx;
	int		 row;

	*(int *)arg = 0;
	for (row = 0; res != NULL && row < PQntuples(res); row++) {
		if ((tx = drop_bgq_col(res, row, "tx_id")) != NULL)
			wake_tx(tx);
	}
}

/* The payouts just made: the first calls now, the rest at the next ticks. */
static void
payouts_made(PGresult *res, void *arg)
{
	const char	*id;
	int		 row;

	(void)arg;
	ob.paying = 0;
	for (row = 0; res != NULL && row < PQntuples(res) &&
	    row < OUTBOX_CLAIM_MAX; row++) {
		if ((id = drop_bgq_col(res, row, "tx_id")) != NULL)
			claim(id);
	}
}
