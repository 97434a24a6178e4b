/*
 * The e-mails Drop owes its users (issue 20): queued in the transaction
 * that causes them (sql/functions/016_mail.sql); each worker claims due
 * ones under a lease (one worker of one instance per message at a
 * time), formats each (src/lib/mail.c), hands it to the SMTP relay on
 * the bank's HTTP thread (never on the event loop, MAIL_INFLIGHT at
 * once) and records the outcome; SQL decides the next try.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drop.h"

#define MAIL_TICK_MS		500
#define MAIL_INFLIGHT		4	/* of the bank thread's 16 */
#define MAIL_LEASE_SLACK_MS	5000	/* past the attempt's own timeout */
#define MAIL_GIVEUP_S		"86400"
#define MAIL_MAX		(64 * 1024)	/* one formatted message */

/* One message being sent. */
struct outgoing {
	char			 id[DROP_ID_LEN];
	char			 attempt[12];
};

static void	start_one(PGresult *, int);

static struct drop_claimer	mails = {
	.name = "mail",
	.sql = "SELECT * FROM drop_mail_claim($1::int, $2::int)",
	.inflight_max = MAIL_INFLIGHT,
	.start = start_one,
};

static struct {
	char		 base_ms[16];	/* the first retry; then doubling */
	char		 host[128];	/* Message-ID's right side */
} ml;
static const char	sql_done[] =
    "SELECT drop_mail_done($1, $2::int, $3::boolean, $4, $5::int, $6::int) "
    "AS status";

static int	send_mail(PGresult *, int, struct outgoing *);
static void	sent(struct drop_bank_call *, void *);
static void	recorded(PGresult *, void *);

/* Worker start (after the pool and the bank's thread), with a relay. */
void
drop_mailer_start(void)
{
	const char	*at;

	if (drop_cfg.smtp_url[0] == '\0')
		return;
	(void)snprintf(mails.lease_ms, sizeof(mails.lease_ms), "%d",
	    drop_cfg.smtp_timeout_ms + MAIL_LEASE_SLACK_MS);
	(void)snprintf(ml.base_ms, sizeof(ml.base_ms), "%d",
	    drop_cfg.smtp_backoff_ms);
	at = strchr(drop_cfg.smtp_sender, '@');
	(void)kore_strlcpy(ml.host, at != NULL ? at + 1 : "drop>",
	    sizeof(ml.host));
	ml.host[strcspn(ml.host, ">")] = '\0';
	drop_claimer_start(&mails, MAIL_TICK_MS);
}

/* A claimed message: it goes to the relay. */
static void
start_one(PGresult *res, int row)
{
	struct outgoing	*m;

	m = kore_calloc(1, sizeof(*m));
	if (send_mail(res, row, m) != 0)
		sent(NULL, m);
}

/* The formatted message to the relay; -1 when it could not go. */
static int
send_mail(PGresult *res, int row, struct outgoing *m)
{
	struct drop_mail	 mail;
	const char		*id, *attempt;
	char			*msg, msgid[DROP_ID_LEN + 140];
	int			 len;

	id = drop_bgq_col(res, row, "id");
	attempt = drop_bgq_col(res, row, "attempt");
	if (id == NULL || attempt == NULL)
		return (-1);
	(void)kore_strlcpy(m->id, id, sizeof(m->id));
	(void)kore_strlcpy(m->attempt, attempt, sizeof(m->attempt));
	/* One id for every attempt: two copies (an answer lost) read as one. */
	(void)snprintf(msgid, sizeof(msgid), "<%s@%s>", id, ml.host);
	memset(&mail, 0, sizeof(mail));
	mail.from = drop_cfg.smtp_from;
	mail.to = drop_bgq_col(res, row, "to_addr");
	mail.subject = drop_bgq_col(res, row, "subject");
	mail.body = drop_bgq_col(res, row, "body");
	mail.msgid = msgid;
	mail.date = time(NULL);
	if (mail.to == NULL || mail.subject == NULL || mail.body == NULL ||
	    (msg = malloc(MAIL_MAX)) == NULL)
		return (-1);
	if ((len = drop_mail_format(&mail, msg, MAIL_MAX)) < 0) {
		free(msg);
		return (-1);
	}

	return (drop_smtp_send(mail.to, msg, (size_t)len, sent, m) != NULL ?
	    0 : -1);
}

/* Event loop: the relay's outcome goes into SQL (never the address). */
static void
sent(struct drop_bank_call *c, void *arg)
{
	struct outgoing		*m = arg;
	const char		*params[6], *err;
	int			 ok;

	drop_claimer_done(&mails);
	ok = c != NULL && drop_bank_answer(c)->ok;
	if (c == NULL)
		err = "not sent";
	else
		err = ok ? NULL : drop_bank_transport_error(c);
	if (!ok)
		kore_log(LOG_NOTICE, "mail: %s attempt %s: %s", m->id,
		    m->attempt, err != NULL ? err : "refused");
	params[0] = m->id;
	params[1] = m->attempt;
	params[2] = ok ? "true" : "false";
	params[3] = ok ? NULL : (err != NULL ? err : "refused");
	params[4] = ml.base_ms;
	params[5] = MAIL_GIVEUP_S;
	if (m->id[0] != '\0')
		drop_bgq_start("mail", sql_done, 6, params, recorded, NULL);
	drop_bank_free(c);
	kore_free(m);
}

/* Recorded; a backlog is worked through without waiting for the tick. */
static void
recorded(PGresult *res, void *arg)
{
	(void)arg;
	drop_claimer_recorded(&mails, res);
}
