/*
 * Reconciliation with the bank (sql/functions/012_reconciliation.sql):
 * every RECONCILE_EVERY_MS a worker asks the database for a day to read
 * (from DROP_RECONCILE_TIME Oslo on the day after; one worker gets it,
 * under a lease). It then reads the collection account's statement of
 * that day and its neighbours over NextGenPSD2, page by page, on the
 * worker's bank thread (Drop's own consent for the account first, when
 * it has none valid), stores each page, and asks for the day's breaks,
 * each logged. A failed step gives the day back for a later attempt.
 */

#include <stdio.h>
#include <string.h>

#include "drop.h"

#define RECONCILE_EVERY_MS	10000
#define RECONCILE_PAGES_MAX	200	/* pages of one statement, at most */
#define RECONCILE_READS_PER_DAY	4

static struct {
	int		 started;
	int		 running;
	int		 pages;
	char		 day[16];
	char		 from[16];
	char		 to[16];
	char		 until[16];
	char		 consent[DROP_BANK_ID_MAX];
	char		 resource[DROP_BANK_ID_MAX];
} rc;

static const char	sql_claim[] =
    "SELECT * FROM drop_reconcile_claim(drop_now(), $1::time, $2)";
static const char	sql_consent[] =
    "SELECT drop_reconcile_consent($1, $2, $3::date)";
static const char	sql_page[] =
    "SELECT drop_reconcile_page($1::date, $2) AS next";
static const char	sql_finish[] =
    "SELECT * FROM drop_reconcile_finish($1::date)";
static const char	sql_failed[] =
    "SELECT drop_reconcile_failed($1::date, $2)";

static void	tick(void *, u_int64_t);
static void	claimed(PGresult *, void *);
static void	ask(struct drop_bank_request *, int,
		    void (*)(struct drop_bank_call *, void *));
static void	ask_consent(void);
static void	consented(struct drop_bank_call *, void *);
static void	consent_stored(PGresult *, void *);
static void	with_consent(struct drop_bank_call_args *, char *);
static void	ask_accounts(void);
static void	accounts_read(struct drop_bank_call *, void *);
static void	page_read(struct drop_bank_call *, void *);
static void	page_stored(PGresult *, void *);
static void	finished(PGresult *, void *);
static void	fail(const char *);
static void	failed(PGresult *, void *);

/* Worker start (after the pool): the job's timer, with a bank only. */
void
drop_reconcile_start(void)
{
	if (rc.started || drop_cfg.bank_url[0] == '\0')
		return;
	rc.started = 1;
	(void)kore_timer_add(tick, RECONCILE_EVERY_MS, NULL, 0);
}

static void
tick(void *arg, u_int64_t now)
{
	const char	*params[2];

	(void)arg;
	(void)now;
	if (rc.running || drop_db_state() != DROP_DB_UP)
		return;
	rc.running = 1;
	params[0] = DROP_RECONCILE_TIME;
	params[1] = drop_cfg.collection_account;
	drop_bgq_start("reconcile", sql_claim, 2, params, claimed, NULL);
}

static int
copy_col(PGresult *res, const char *name, char *out, size_t outlen)
{
	const char	*v;

	if ((v = drop_bgq_col(res, 0, name)) == NULL)
		v = "";
	return (kore_strlcpy(out, v, outlen) >= outlen ? -1 : 0);
}

/* A day to read, or none: the statement, after a consent if needed. */
static void
claimed(PGresult *res, void *arg)
{
	(void)arg;
	if (drop_bgq_col(res, 0, "day") == NULL) {
		rc.running = 0;
		return;
	}
	rc.pages = 0;
	if (copy_col(res, "day", rc.day, sizeof(rc.day)) != 0 ||
	    copy_col(res, "date_from", rc.from, sizeof(rc.from)) != 0 ||
	    copy_col(res, "date_to", rc.to, sizeof(rc.to)) != 0 ||
	    copy_col(res, "consent_until", rc.until, sizeof(rc.until)) != 0 ||
	    copy_col(res, "consent_id", rc.consent, sizeof(rc.consent)) != 0) {
		fail("claim: unexpected columns");
		return;
	}
	if (rc.consent[0] == '\0')
		ask_consent();
	else
		ask_accounts();
}

/* One call on the bank thread; built is what its builder returned. */
static void
ask(struct drop_bank_request *req, int built,
    void (*done)(struct drop_bank_call *, void *))
{
	if (built != 0) {
		drop_psd2_free(req);
		fail("cannot build the bank call");
		return;
	}
	if (drop_bank_call(req, drop_cfg.collection_account, done, NULL) ==
	    NULL)
		fail("the bank client is busy");
}

static void
ask_consent(void)
{
	struct drop_bank_call_args	a;
	struct drop_bank_request	req;
	char				rid[DROP_UUID_LEN];

	drop_bank_args(&a, rid, drop_cfg.psu_ip_fallback);
	ask(&req, drop_psd2_consent(&a, drop_cfg.collection_account, rc.until,
	    RECONCILE_READS_PER_DAY, 1, &req), consented);
}

/* The bank's answer to an outcome call, or why there is none. */
static const char *
why(struct drop_bank_call *c)
{
	const struct drop_bank_answer	*ans;

	if (!drop_bank_answered(c))
		return (drop_bank_transport_error(c));
	ans = drop_bank_answer(c);
	return (ans->ok ? NULL : ans->error[0] != '\0' ? ans->error :
	    "unexpected answer");
}

/* A consent the bank must find valid at once (the partner's own account). */
static void
consented(struct drop_bank_call *c, void *arg)
{
	const struct drop_bank_answer	*ans;
	const char			*params[3], *err;

	(void)arg;
	ans = drop_bank_answer(c);
	if ((err = why(c)) == NULL && strcmp(ans->status, "valid"))
		err = "the consent waits for approval at the bank";
	if (err == NULL && kore_strlcpy(rc.consent, ans->id,
	    sizeof(rc.consent)) >= sizeof(rc.consent))
		err = "consent id too long";
	drop_bank_free(c);
	if (err != NULL) {
		fail(err);
		return;
	}
	params[0] = drop_cfg.collection_account;
	params[1] = rc.consent;
	params[2] = rc.until;
	drop_bgq_start("reconcile", sql_consent, 3, params, consent_stored,
	    NULL);
}

static void
consent_stored(PGresult *res, void *arg)
{
	(void)arg;
	if (res == NULL) {
		fail("cannot store the consent");
		return;
	}
	ask_accounts();
}

/* A call's arguments: a fresh X-Request-ID in rid, Drop's consent. */
static void
with_consent(struct drop_bank_call_args *a, char *rid)
{
	drop_bank_args(a, rid, drop_cfg.psu_ip_fallback);
	a->consent_id = rc.consent;
}

static void
ask_accounts(void)
{
	struct drop_bank_call_args	a;
	struct drop_bank_request	req;
	char				rid[DROP_UUID_LEN];

	with_consent(&a, rid);
	ask(&req, drop_psd2_accounts(&a, &req), accounts_read);
}

/* The account's resourceId; then the statement's first page. */
static void
accounts_read(struct drop_bank_call *c, void *arg)
{
	struct drop_bank_call_args	a;
	struct drop_bank_request	req;
	const char			*err;
	char				rid[DROP_UUID_LEN];

	(void)arg;
	if ((err = why(c)) == NULL &&
	    kore_strlcpy(rc.resource, drop_bank_answer(c)->resource_id,
	    sizeof(rc.resource)) >= sizeof(rc.resource))
		err = "resource id too long";
	drop_bank_free(c);
	if (err != NULL) {
		fail(err);
		return;
	}
	with_consent(&a, rid);
	ask(&req, drop_psd2_transactions(&a, rc.resource, rc.from, rc.to, &req),
	    page_read);
}

/* A page of the statement: stored as the bank wrote it, read in SQL. */
static void
page_read(struct drop_bank_call *c, void *arg)
{
	const char	*params[2], *err, *body;
	size_t		 len;

	(void)arg;
	body = drop_bank_body(c, &len);
	if ((err = why(c)) == NULL && (body == NULL || strlen(body) != len))
		err = "statement page without a body";
	if (err != NULL) {
		drop_bank_free(c);
		fail(err);
		return;
	}
	rc.pages++;
	params[0] = rc.day;
	params[1] = body;
	drop_bgq_start("reconcile", sql_page, 2, params, page_stored, NULL);
	drop_bank_free(c);
}

/* The next page, or the day's breaks once the statement is whole. */
static void
page_stored(PGresult *res, void *arg)
{
	struct drop_bank_call_args	a;
	struct drop_bank_request	req;
	const char			*params[1], *next;
	char				rid[DROP_UUID_LEN];

	(void)arg;
	if (res == NULL) {
		fail("cannot store a statement page");
		return;
	}
	if ((next = drop_bgq_col(res, 0, "next")) != NULL) {
		if (rc.pages >= RECONCILE_PAGES_MAX) {
			fail("the statement has too many pages");
			return;
		}
		with_consent(&a, rid);
		ask(&req, drop_psd2_transactions_next(&a, next, &req),
		    page_read);
		return;
	}
	params[0] = rc.day;
	drop_bgq_start("reconcile", sql_finish, 1, params, finished, NULL);
}

/* Each break in the log: ids and øre, never the remittance text. */
static const char *
col_or_dash(PGresult *res, int row, const char *name)
{
	const char	*v;

	v = drop_bgq_col(res, row, name);
	return (v != NULL ? v : "-");
}

static void
finished(PGresult *res, void *arg)
{
	int		 row;

	(void)arg;
	if (res == NULL) {
		fail("cannot match the statement");
		return;
	}
	rc.running = 0;
	for (row = 0; row < PQntuples(res); row++) {
		kore_log(LOG_WARNING, "reconciliation %s: break %s, drop %s, "
		    "bank %s, expected %s øre, booked %s øre", rc.day,
		    col_or_dash(res, row, "kind"),
		    col_or_dash(res, row, "reference"),
		    col_or_dash(res, row, "bank_tx_id"),
		    col_or_dash(res, row, "expected"),
		    col_or_dash(res, row, "booked"));
	}
	kore_log(LOG_INFO, "reconciliation %s: done, %d new breaks", rc.day,
	    PQntuples(res));
}

static void
fail(const char *err)
{
	const char	*params[2];

	kore_log(LOG_NOTICE, "reconciliation %s: %s", rc.day, err);
	params[0] = rc.day;
	params[1] = err;
	drop_bgq_start("reconcile", sql_failed, 2, params, failed, NULL);
}

static void
failed(PGresult *res, void *arg)
{
	(void)res;
	(void)arg;
	rc.running = 0;
}
