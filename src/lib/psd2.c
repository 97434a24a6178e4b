/*
 * NextGenPSD2 (Berlin Group XS2A 1.3.9) requests and answers, as Drop
 * speaks them: consents for account information (balances, bban), the
 * accounts and balances they give, payment initiation and its status, and
 * the bank's signed callbacks. Every value that goes into a path or a
 * header is checked first; every answer is read defensively.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lib.h"
#include "bank.h"

#define CREDITOR_NAME_MAX	70	/* characters (the definition's limit) */
#define REMITTANCE_MAX		140

static int	req_init(struct drop_bank_request *, int, const char *,
		    const char *, const char *, const char *);
static int	header(struct drop_bank_request *, const char *, const char *);
static int	common(struct drop_bank_request *,
		    const struct drop_bank_call_args *, int);
static int	body(struct drop_bank_request *, json_t *);
static const char *str(json_t *, const char *);
static int	copy(char *, size_t, const char *);
static void	parse_error(json_t *, struct drop_bank_answer *);
static int	parse_balance(json_t *, struct drop_bank_answer *);
static int	parse_account(json_t *, const char *, struct drop_bank_answer *);
static int	status_valid(const char *);
static void	parse_sca(json_t *, struct drop_bank_answer *);

/* A path segment or an id the bank gave: ^[A-Za-z0-9._~-]{1,95}$. */
int
drop_psd2_id_valid(const char *s)
{
	size_t		i;

	if (s == NULL || s[0] == '\0')
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= DROP_BANK_ID_MAX - 1 || (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') && !(s[i] >= '0' &&
		    s[i] <= '9') && strchr("._~-", s[i]) == NULL))
			return (0);
	}

	return (1);
}

static int
req_init(struct drop_bank_request *req, int op, const char *method,
    const char *fmt, const char *a, const char *b)
{
	int		n;

	memset(req, 0, sizeof(*req));
	req->op = op;
	req->method = method;
	if ((a != NULL && !drop_psd2_id_valid(a)) ||
	    (b != NULL && !drop_psd2_id_valid(b)))
		return (-1);
	n = snprintf(req->path, sizeof(req->path), fmt, a != NULL ? a : "",
	    b != NULL ? b : "");
	if (n < 0 || (size_t)n >= sizeof(req->path))
		return (-1);

	return (0);
}

/* One header line; a NULL value leaves it out; CR or LF refuses it. */
static int
header(struct drop_bank_request *req, const char *name, const char *value)
{
	int		n;

	if (value == NULL)
		return (0);
	if (req->nheaders == DROP_BANK_HEADERS_MAX ||
	    strpbrk(value, "\r\n") != NULL)
		return (-1);
	n = snprintf(req->headers[req->nheaders], DROP_BANK_HEADER_MAX,
	    "%s: %s", name, value);
	if (n < 0 || n >= DROP_BANK_HEADER_MAX)
		return (-1);
	req->nheaders++;

	return (0);
}

/* The headers of every call; redirects too where the PSU may be sent. */
static int
common(struct drop_bank_request *req, const struct drop_bank_call_args *a,
    int redirect)
{
	char		bearer[DROP_BANK_HEADER_MAX - 32];
	int		n;

	if (a->request_id == NULL || strlen(a->request_id) !=
	    DROP_UUID_LEN - 1)
		return (-1);
	if (header(req, "X-Request-ID", a->request_id) != 0 ||
	    header(req, "Accept", "application/json") != 0 ||
	    header(req, "PSU-IP-Address", a->psu_ip) != 0 ||
	    header(req, "Consent-ID", a->consent_id) != 0)
		return (-1);
	if (a->token != NULL) {
		n = snprintf(bearer, sizeof(bearer), "Bearer %s", a->token);
		if (n < 0 || (size_t)n >= sizeof(bearer) ||
		    header(req, "Authorization", bearer) != 0)
			return (-1);
	}
	if (!redirect)
		return (0);
	if (header(req, "TPP-Redirect-Preferred", "true") != 0 ||
	    header(req, "TPP-Redirect-URI", a->redirect_ok) != 0 ||
	    header(req, "TPP-Nok-Redirect-URI", a->redirect_nok) != 0 ||
	    header(req, "TPP-Notification-URI", a->notify_uri) != 0)
		return (-1);

	return (0);
}

/* The JSON body (stolen) and its Content-Type. */
static int
body(struct drop_bank_request *req, json_t *doc)
{
	if (doc == NULL)
		return (-1);
	req->body = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (req->body == NULL)
		return (-1);

	return (header(req, "Content-Type", "application/json"));
}

void
drop_psd2_free(struct drop_bank_request *req)
{
	free(req->body);
	req->body = NULL;
}

/*
 * An account-information consent of one bban until a date: its balances,
 * and with statement set its transactions too.
 */
int
drop_psd2_consent(const struct drop_bank_call_args *a, const char *bban,
    const char *valid_until, int per_day, int statement,
    struct drop_bank_request *req)
{
	json_t		*ref, *access;

	if (req_init(req, DROP_BANK_CONSENT, "POST", "/v1/consents%s%s", NULL,
	    NULL) != 0 || !drop_psd2_id_valid(bban) || valid_until == NULL ||
	    strlen(valid_until) != 10 || per_day < 1 || common(req, a, 1) != 0)
		return (-1);
	ref = json_pack("{s:s}", "bban", bban);
	access = json_pack("{s:[O],s:[O]}", "accounts", ref, "balances", ref);
	if (statement && access != NULL &&
	    json_object_set_new(access, "transactions",
	    json_pack("[O]", ref)) != 0) {
		json_decref(access);
		access = NULL;
	}
	json_decref(ref);
	if (access == NULL || body(req, json_pack("{s:o,s:b,s:s,s:i,s:b}",
	    "access", access, "recurringIndicator", 1, "validUntil",
	    valid_until, "frequencyPerDay", per_day,
	    "combinedServiceIndicator", 0)) != 0) {
		drop_psd2_free(req);
		return (-1);
	}

	return (0);
}

int
drop_psd2_consent_status(const struct drop_bank_call_args *a,
    const char *consent, struct drop_bank_request *req)
{
	if (req_init(req, DROP_BANK_CONSENT_STATUS, "GET",
	    "/v1/consents/%s/status%s", consent, NULL) != 0)
		return (-1);
	return (common(req, a, 0));
}

int
drop_psd2_consent_delete(const struct drop_bank_call_args *a,
    const char *consent, struct drop_bank_request *req)
{
	if (req_init(req, DROP_BANK_CONSENT_DELETE, "DELETE",
	    "/v1/consents/%s%s", consent, NULL) != 0)
		return (-1);
	return (common(req, a, 0));
}

/* The accounts a consent covers (args must carry its Consent-ID). */
int
drop_psd2_accounts(const struct drop_bank_call_args *a,
    struct drop_bank_request *req)
{
	if (a->consent_id == NULL || req_init(req, DROP_BANK_ACCOUNTS, "GET",
	    "/v1/accounts%s%s", NULL, NULL) != 0)
		return (-1);
	return (common(req, a, 0));
}

int
drop_psd2_balances(const struct drop_bank_call_args *a,
    const char *resource, struct drop_bank_request *req)
{
	if (a->consent_id == NULL || req_init(req, DROP_BANK_BALANCES, "GET",
	    "/v1/accounts/%s/balances%s", resource, NULL) != 0)
		return (-1);
	return (common(req, a, 0));
}

/* YYYY-MM-DD, digits and dashes only. */
static int
date_valid(const char *d)
{
	return (d != NULL && strlen(d) == 10 && strspn(d, "0123456789-") == 10 &&
	    d[4] == '-' && d[7] == '-');
}

/* The booked transactions of an account from one day to another. */
int
drop_psd2_transactions(const struct drop_bank_call_args *a,
    const char *resource, const char *from, const char *to,
    struct drop_bank_request *req)
{
	size_t		len;
	int		n;

	if (a->consent_id == NULL || !date_valid(from) || !date_valid(to) ||
	    req_init(req, DROP_BANK_TRANSACTIONS, "GET",
	    "/v1/accounts/%s/transactions%s", resource, NULL) != 0)
		return (-1);
	len = strlen(req->path);
	n = snprintf(req->path + len, sizeof(req->path) - len,
	    "?bookingStatus=booked&dateFrom=%s&dateTo=%s", from, to);
	if (n < 0 || (size_t)n >= sizeof(req->path) - len)
		return (-1);

	return (common(req, a, 0));
}

/*
 * The next page of a statement: the bank's _links.next, taken only as a
 * path of the transactions resource in plain URL characters.
 */
int
drop_psd2_transactions_next(const struct drop_bank_call_args *a,
    const char *href, struct drop_bank_request *req)
{
	static const char	 ok[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				    "-._~/?&=%";

	memset(req, 0, sizeof(*req));
	req->op = DROP_BANK_TRANSACTIONS;
	req->method = "GET";
	if (a->consent_id == NULL || href == NULL ||
	    strncmp(href, "/v1/accounts/", 13) || strstr(href, "..") != NULL ||
	    strstr(href, "/transactions") == NULL ||
	    strspn(href, ok) != strlen(href) ||
	    copy(req->path, sizeof(req->path), href) != 0)
		return (-1);

	return (common(req, a, 0));
}

/* A payment of NOK between two bban accounts. */
int
drop_psd2_pay(const struct drop_bank_call_args *a,
    const struct drop_bank_payment *p, struct drop_bank_request *req)
{
	char		amount[32], name[CREDITOR_NAME_MAX * 4 + 1];
	char		remit[REMITTANCE_MAX * 4 + 1];

	if (req_init(req, DROP_BANK_PAY, "POST", "/v1/payments/%s%s",
	    p->product, NULL) != 0 || !drop_psd2_id_valid(p->debtor) ||
	    !drop_psd2_id_valid(p->creditor) || p->amount <= 0 ||
	    a->psu_ip == NULL || common(req, a, 1) != 0 ||
	    drop_money_format(p->amount, amount, sizeof(amount)) != 0 ||
	    drop_utf8_cut(p->creditor_name != NULL ? p->creditor_name : "",
	    CREDITOR_NAME_MAX, name, sizeof(name)) != 0 ||
	    drop_utf8_cut(p->remittance != NULL ? p->remittance : "",
	    REMITTANCE_MAX, remit, sizeof(remit)) != 0)
		return (-1);

	return (body(req, json_pack("{s:{s:s},s:{s:s,s:s},s:{s:s},s:s,s:s}",
	    "debtorAccount", "bban", p->debtor,
	    "instructedAmount", "currency", "NOK", "amount", amount,
	    "creditorAccount", "bban", p->creditor,
	    "creditorName", name,
	    "remittanceInformationUnstructured", remit)));
}

int
drop_psd2_pay_status(const struct drop_bank_call_args *a, const char *product,
    const char *payment, struct drop_bank_request *req)
{
	if (req_init(req, DROP_BANK_PAY_STATUS, "GET",
	    "/v1/payments/%s/%s/status", product, payment) != 0)
		return (-1);
	return (common(req, a, 0));
}

int
drop_psd2_pay_cancel(const struct drop_bank_call_args *a, const char *product,
    const char *payment, struct drop_bank_request *req)
{
	if (req_init(req, DROP_BANK_PAY_CANCEL, "DELETE", "/v1/payments/%s/%s",
	    product, payment) != 0)
		return (-1);
	return (common(req, a, 0));
}

static const char *
str(json_t *obj, const char *key)
{
	json_t		*v;

	v = json_object_get(obj, key);
	return (json_is_string(v) ? json_string_value(v) : NULL);
}

static int
copy(char *out, size_t outlen, const char *s)
{
	size_t		len;

	if (s == NULL || (len = strlen(s)) >= outlen)
		return (-1);
	memcpy(out, s, len + 1);

	return (0);
}

static int
status_valid(const char *s)
{
	size_t		i;

	if (s == NULL || strlen(s) < 2 || strlen(s) > 23)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z'))
			return (0);
	}

	return (1);
}

/*
 * The first tppMessage's code (a Berlin Group name), for the log and the
 * payment's events; never the bank's free text, which may carry account
 * numbers or names.
 */
static void
parse_error(json_t *doc, struct drop_bank_answer *ans)
{
	json_t		*m;
	const char	*t;

	m = json_array_get(json_object_get(doc, "tppMessages"), 0);
	t = str(m, "code");
	if (t == NULL || drop_utf8_cut(t, sizeof(ans->error) / 4, ans->error,
	    sizeof(ans->error)) != 0)
		(void)snprintf(ans->error, sizeof(ans->error), "HTTP %ld",
		    ans->http);
}

/* The available balance: interimAvailable, else expected or booked. */
static int
parse_balance(json_t *doc, struct drop_bank_answer *ans)
{
	static const char	*const types[] = { "interimAvailable",
				    "expected", "closingBooked",
				    "interimBooked", NULL };
	json_t			*list, *b, *amt;
	size_t			 i;
	int			 t;

	list = json_object_get(doc, "balances");
	for (t = 0; types[t] != NULL; t++) {
		json_array_foreach(list, i, b) {
			if (str(b, "balanceType") == NULL ||
			    strcmp(str(b, "balanceType"), types[t]))
				continue;
			amt = json_object_get(b, "balanceAmount");
			if (str(amt, "currency") == NULL ||
			    strcmp(str(amt, "currency"), "NOK") ||
			    drop_money_parse(str(amt, "amount"),
			    &ans->balance) != 0)
				return (-1);
			return (0);
		}
	}

	return (-1);
}

/* The resourceId of the account whose bban is ours. */
static int
parse_account(json_t *doc, const char *bban, struct drop_bank_answer *ans)
{
	json_t		*a;
	size_t		 i;

	json_array_foreach(json_object_get(doc, "accounts"), i, a) {
		if (bban == NULL || str(a, "bban") == NULL ||
		    strcmp(str(a, "bban"), bban))
			continue;
		if (!drop_psd2_id_valid(str(a, "resourceId")))
			return (-1);
		return (copy(ans->resource_id, sizeof(ans->resource_id),
		    str(a, "resourceId")));
	}

	return (-1);
}

/* The scaRedirect link, when the bank gave one (http(s), no space). */
static void
parse_sca(json_t *doc, struct drop_bank_answer *ans)
{
	const char	*href;

	href = str(json_object_get(json_object_get(doc, "_links"),
	    "scaRedirect"), "href");
	if (href == NULL || strpbrk(href, " \t\r\n\"<>") != NULL ||
	    (strncmp(href, "https://", 8) && strncmp(href, "http://", 7)) ||
	    copy(ans->sca_url, sizeof(ans->sca_url), href) != 0)
		ans->sca_url[0] = '\0';
}

/*
 * Reads the bank's answer to op; 0 with ans->ok set when the answer is
 * one the operation expects, else -1 (ans->error says why).
 */
int
drop_psd2_parse(int op, long http, const char *text, size_t len,
    const char *bban, struct drop_bank_answer *ans)
{
	json_error_t	 err;
	json_t		*doc;
	const char	*status, *id;
	int		 r;

	memset(ans, 0, sizeof(*ans));
	ans->http = http;
	if ((op == DROP_BANK_CONSENT_DELETE || op == DROP_BANK_PAY_CANCEL) &&
	    (http == 204 || http == 202 || http == 200)) {
		ans->ok = 1;
		return (0);
	}
	doc = len > 0 ? json_loadb(text, len, 0, &err) : NULL;
	if (http < 200 || http > 299) {
		parse_error(doc, ans);
		json_decref(doc);
		return (-1);
	}
	if (doc == NULL) {
		(void)copy(ans->error, sizeof(ans->error), "not JSON");
		return (-1);
	}
	r = -1;
	status = str(doc, op == DROP_BANK_CONSENT ||
	    op == DROP_BANK_CONSENT_STATUS ? "consentStatus" :
	    "transactionStatus");
	id = str(doc, op == DROP_BANK_CONSENT ? "consentId" : "paymentId");
	switch (op) {
	case DROP_BANK_CONSENT:
	case DROP_BANK_PAY:
		if (status_valid(status) && drop_psd2_id_valid(id) &&
		    copy(ans->status, sizeof(ans->status), status) == 0 &&
		    copy(ans->id, sizeof(ans->id), id) == 0) {
			parse_sca(doc, ans);
			r = 0;
		}
		break;
	case DROP_BANK_CONSENT_STATUS:
	case DROP_BANK_PAY_STATUS:
		if (status_valid(status))
			r = copy(ans->status, sizeof(ans->status), status);
		break;
	case DROP_BANK_ACCOUNTS:
		r = parse_account(doc, bban, ans);
		break;
	case DROP_BANK_BALANCES:
		r = parse_balance(doc, ans);
		break;
	case DROP_BANK_TRANSACTIONS:
		/* The statement itself is read in SQL (drop_bank_body). */
		r = json_is_array(json_object_get(json_object_get(doc,
		    "transactions"), "booked")) ? 0 : -1;
		break;
	default:
		break;
	}
	json_decref(doc);
	if (r == 0)
		ans->ok = 1;
	else
		(void)copy(ans->error, sizeof(ans->error), "unexpected answer");

	return (r);
}

/* "sha256=<hex HMAC-SHA256 of the raw body>", compared in constant time. */
int
drop_psd2_signed(const unsigned char *secret, size_t secret_len,
    const char *text, size_t len, const char *sig)
{
	unsigned char	mac[EVP_MAX_MD_SIZE];
	unsigned int	maclen;
	char		hex[EVP_MAX_MD_SIZE * 2 + 1];
	unsigned int	i;

	if (sig == NULL || secret_len == 0 || strncmp(sig, "sha256=", 7))
		return (0);
	sig += 7;
	if (HMAC(EVP_sha256(), secret, (int)secret_len,
	    (const unsigned char *)text, len, mac, &maclen) == NULL)
		return (0);
	for (i = 0; i < maclen; i++)
		(void)snprintf(hex + i * 2, 3, "%02x", mac[i]);
	if (strlen(sig) != maclen * 2)
		return (0);

	return (CRYPTO_memcmp(hex, sig, maclen * 2) == 0);
}

/*
 * A callback's body: 0 when well-formed and within window seconds of now,
 * -2 when its timestamp is stale, -1 when malformed.
 */
int
drop_psd2_event(const char *text, size_t len, int64_t now, int64_t window,
    struct drop_bank_event *ev)
{
	json_error_t	 err;
	json_t		*doc, *ts;
	int		 r;

	memset(ev, 0, sizeof(*ev));
	if ((doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err)) == NULL)
		return (-1);
	r = -1;
	ts = json_object_get(doc, "timestamp");
	if (drop_psd2_id_valid(str(doc, "eventId")) &&
	    drop_psd2_id_valid(str(doc, "paymentId")) &&
	    status_valid(str(doc, "transactionStatus")) &&
	    json_is_integer(ts) &&
	    copy(ev->event_id, sizeof(ev->event_id), str(doc, "eventId")) == 0 &&
	    copy(ev->payment_id, sizeof(ev->payment_id),
	    str(doc, "paymentId")) == 0 &&
	    copy(ev->status, sizeof(ev->status),
	    str(doc, "transactionStatus")) == 0) {
		ev->timestamp = json_integer_value(ts);
		r = (ev->timestamp > now + window || ev->timestamp < now - window) ?
		    -2 : 0;
	}
	json_decref(doc);

	return (r);
}
