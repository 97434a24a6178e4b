/*
 * Calls to the bank over HTTPS, never on the event loop: each worker runs
 * one thread that drives libcurl's multi interface (at most BANK_INFLIGHT
 * calls at once, BANK_QUEUE_MAX waiting, a connect and a total timeout on
 * each), and hands every finished call back through a pipe the event loop
 * watches, where its callback runs. A caller that stops waiting abandons
 * its call: the thread finishes it and the event loop frees it. The same
 * thread posts merchants' webhooks (drop_http_post): to any public
 * address, checked at every connection, never to Drop's own networks;
 * and hands e-mail to the configured SMTP relay (drop_smtp_send).
 */

#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "drop.h"

#define BANK_INFLIGHT		16
#define BANK_QUEUE_MAX		512
#define BANK_ANSWER_MAX		(256 * 1024)	/* a bank's answer, at most */
#define BANK_CONNECT_MS		2000
#define BANK_TOTAL_MS		20000		/* 8888 answers after 10 s */
#define BANK_EVENT_TYPE		100	/* none of Kore's: it calls handle */

struct drop_bank_call {
	struct drop_bank_request req;
	void			(*done)(struct drop_bank_call *, void *);
	void			*arg;
	int			 abandoned;
	struct drop_bank_answer	 ans;
	char			*resp;
	size_t			 resp_len;
	int			 transport;	/* CURLcode, 0 when answered */
	long			 sent;		/* request bytes written */
	char			 bban[16];	/* the account asked about */
	char			*url;		/* a webhook's; NULL: the bank */
	long			 timeout_ms;
	struct curl_slist	*rcpt;		/* an e-mail's recipient */
	size_t			 mail_len;	/* its message: req.body */
	size_t			 mail_off;	/* bytes handed to libcurl */
	CURL			*easy;
	struct curl_slist	*headers;
	TAILQ_ENTRY(drop_bank_call) list;
};

TAILQ_HEAD(bank_list, drop_bank_call);

static struct {
	int			 started;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	struct bank_list	 inbox;		/* to start (thread takes) */
	struct bank_list	 outbox;	/* finished (event loop takes) */
	int			 queued;
	int			 stop;
	CURLM			*multi;
	int			 pipe[2];
	struct curl_slist	*resolve;
	struct kore_event	 evt;
} io;

static void	*bank_thread(void *);
static void	 bank_event(void *, int);
static int	 easy_setup(struct drop_bank_call *);
static struct drop_bank_call *new_call(struct drop_bank_request *,
		    void (*)(struct drop_bank_call *, void *), void *);
static struct drop_bank_call *queue_call(struct drop_bank_call *);
static void	 easy_webhook(struct drop_bank_call *);
static int	 easy_smtp(struct drop_bank_call *);
static size_t	 mail_read(char *, size_t, size_t, void *);
static curl_socket_t	 open_checked(void *, curlsocktype,
			    struct curl_sockaddr *);
static size_t	 collect(char *, size_t, size_t, void *);
static void	 finish(struct drop_bank_call *, CURLcode);

/* Worker start: the thread and its pipe (webhooks need it without a bank). */
void
drop_bank_setup(void)
{
	if (io.started)
		return;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (io.multi = curl_multi_init()) == NULL)
		fatal("bank: libcurl did not start");
	(void)curl_multi_setopt(io.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)BANK_INFLIGHT);
	if (drop_cfg.bank_resolve[0] != '\0' && (io.resolve =
	    curl_slist_append(NULL, drop_cfg.bank_resolve)) == NULL)
		fatal("bank: out of memory");
	if (pipe2(io.pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		fatal("bank: pipe: %s", errno_s);
	TAILQ_INIT(&io.inbox);
	TAILQ_INIT(&io.outbox);
	if (pthread_mutex_init(&io.lock, NULL) != 0)
		fatal("bank: mutex");
	io.evt.type = BANK_EVENT_TYPE;
	io.evt.handle = bank_event;
	kore_platform_event_level_read(io.pipe[0], &io.evt);
	if (pthread_create(&io.thread, NULL, bank_thread, NULL) != 0)
		fatal("bank: thread: %s", errno_s);
	io.started = 1;
}

/* Worker exit: the thread leaves its transfers and is joined at once. */
void
drop_bank_teardown(void)
{
	if (!io.started)
		return;
	(void)pthread_mutex_lock(&io.lock);
	io.stop = 1;
	(void)pthread_mutex_unlock(&io.lock);
	(void)curl_multi_wakeup(io.multi);
	(void)pthread_join(io.thread, NULL);
	io.started = 0;
}

/*
 * A new call for req (taken over: the call frees its body). NULL when the
 * bank is not configured or the queue is full.
 */
struct drop_bank_call *
drop_bank_call(struct drop_bank_request *req, const char *bban,
    void (*done)(struct drop_bank_call *, void *), void *arg)
{
	struct drop_bank_call	*c;

	if (drop_cfg.bank_url[0] == '\0') {
		drop_psd2_free(req);
		return (NULL);
	}
	if ((c = new_call(req, done, arg)) == NULL)
		return (NULL);
	if (bban != NULL)
		(void)kore_strlcpy(c->bban, bban, sizeof(c->bban));

	return (queue_call(c));
}

/*
 * A POST of body (JSON, taken over like a request's) to someone else's
 * url with headers, at most timeout_ms; done gets the answer's status.
 */
struct drop_bank_call *
drop_http_post(const char *url, struct drop_bank_request *req,
    long timeout_ms, void (*done)(struct drop_bank_call *, void *), void *arg)
{
	struct drop_bank_call	*c;

	req->op = DROP_HTTP_WEBHOOK;
	req->method = "POST";
	req->path[0] = '\0';
	if ((c = new_call(req, done, arg)) == NULL)
		return (NULL);
	c->url = kore_strdup(url);
	c->timeout_ms = timeout_ms;

	return (queue_call(c));
}

/*
 * An e-mail (message, RFC 5322, malloc'd: taken over) to the address
 * to, through the relay; done gets it sent (ans.ok) or not.
 */
struct drop_bank_call *
drop_smtp_send(const char *to, char *message, size_t len,
    void (*done)(struct drop_bank_call *, void *), void *arg)
{
	struct drop_bank_request	 req;
	struct drop_bank_call		*c;
	char				 rcpt[256];
	int				 n;

	memset(&req, 0, sizeof(req));
	req.op = DROP_SMTP_MAIL;
	req.method = "SMTP";
	req.body = message;
	n = snprintf(rcpt, sizeof(rcpt), "<%s>", to);
	if (drop_cfg.smtp_url[0] == '\0' || n < 0 ||
	    (size_t)n >= sizeof(rcpt)) {
		drop_psd2_free(&req);
		return (NULL);
	}
	if ((c = new_call(&req, done, arg)) == NULL)
		return (NULL);
	c->mail_len = len;
	c->timeout_ms = drop_cfg.smtp_timeout_ms;
	if ((c->rcpt = curl_slist_append(NULL, rcpt)) == NULL) {
		drop_bank_free(c);
		return (NULL);
	}

	return (queue_call(c));
}

/* A call taking req over; NULL (req freed) when the queue is full. */
static struct drop_bank_call *
new_call(struct drop_bank_request *req,
    void (*done)(struct drop_bank_call *, void *), void *arg)
{
	struct drop_bank_call	*c;

	if (!io.started || io.queued >= BANK_QUEUE_MAX) {
		drop_psd2_free(req);
		return (NULL);
	}
	c = kore_calloc(1, sizeof(*c));
	c->req = *req;
	req->body = NULL;
	c->done = done;
	c->arg = arg;
	c->timeout_ms = BANK_TOTAL_MS;

	return (c);
}

/* Hands a call to the thread; NULL (and freed) when it cannot be made. */
static struct drop_bank_call *
queue_call(struct drop_bank_call *c)
{
	if (easy_setup(c) != 0) {
		drop_bank_free(c);
		return (NULL);
	}
	(void)pthread_mutex_lock(&io.lock);
	TAILQ_INSERT_TAIL(&io.inbox, c, list);
	io.queued++;
	(void)pthread_mutex_unlock(&io.lock);
	(void)curl_multi_wakeup(io.multi);

	return (c);
}

/* The caller no longer waits: no callback; freed once finished. */
void
drop_bank_abandon(struct drop_bank_call *c)
{
	if (c != NULL)
		c->abandoned = 1;
}

const struct drop_bank_answer *
drop_bank_answer(const struct drop_bank_call *c)
{
	return (&c->ans);
}

/* The answer's raw body (NUL-terminated) and its length; NULL if none. */
const char *
drop_bank_body(const struct drop_bank_call *c, size_t *len)
{
	*len = c->resp_len;
	return (c->resp);
}

/* 1 when the bank answered at all (any HTTP status). */
int
drop_bank_answered(const struct drop_bank_call *c)
{
	return (c->transport == CURLE_OK && c->ans.http > 0);
}

/*
 * 1 when the bank may have acted on the call although Drop has no answer
 * to act on: bytes went out and nothing (or a 5xx) came back. Refused
 * before a byte was sent, or a 503/429 (the bank says it took nothing):
 * 0. Any other answer is the bank's word on it: 0.
 */
int
drop_bank_maybe_delivered(const struct drop_bank_call *c)
{
	if (c == NULL)
		return (0);
	if (!drop_bank_answered(c))
		return (c->sent > 0);
	return (c->ans.http >= 500 && c->ans.http != 503);
}

const char *
drop_bank_transport_error(const struct drop_bank_call *c)
{
	return (c->transport != CURLE_OK ?
	    curl_easy_strerror((CURLcode)c->transport) : NULL);
}

void
drop_bank_free(struct drop_bank_call *c)
{
	if (c == NULL)
		return;
	if (c->easy != NULL)
		curl_easy_cleanup(c->easy);
	curl_slist_free_all(c->headers);
	curl_slist_free_all(c->rcpt);
	/* A message may carry a password-reset link. */
	if (c->req.op == DROP_SMTP_MAIL && c->req.body != NULL)
		explicit_bzero(c->req.body, c->mail_len);
	drop_psd2_free(&c->req);
	free(c->resp);
	kore_free(c->url);
	kore_free(c);
}

/* The transfer as libcurl sees it; everything the thread needs is here. */
static int
easy_setup(struct drop_bank_call *c)
{
	struct curl_blob	 blob;
	char			 url[DROP_BANK_URL_MAX + DROP_BANK_PATH_MAX];
	int			 i, n;

	if (c->req.op == DROP_SMTP_MAIL)
		return (easy_smtp(c));
	n = snprintf(url, sizeof(url), "%s%s", c->url != NULL ? c->url :
	    drop_cfg.bank_url, c->req.path);
	if (n < 0 || (size_t)n >= sizeof(url) ||
	    (c->easy = curl_easy_init()) == NULL)
		return (-1);
	for (i = 0; i < c->req.nheaders; i++) {
		if ((c->headers = curl_slist_append(c->headers,
		    c->req.headers[i])) == NULL)
			return (-1);
	}
	/* No "Expect: 100-continue" round trip for a body. */
	c->headers = curl_slist_append(c->headers, "Expect:");
	(void)curl_easy_setopt(c->easy, CURLOPT_URL, url);
	(void)curl_easy_setopt(c->easy, CURLOPT_CUSTOMREQUEST, c->req.method);
	(void)curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
	if (c->req.body != NULL)
		(void)curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, c->req.body);
	else if (!strcmp(c->req.method, "GET"))
		(void)curl_easy_setopt(c->easy, CURLOPT_HTTPGET, 1L);
	(void)curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR, "https,http");
	(void)curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)BANK_CONNECT_MS);
	(void)curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	(void)curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, collect);
	(void)curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
	(void)curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
	if (c->url != NULL) {
		easy_webhook(c);
		return (0);
	}
	if (drop_cfg.bank_ca_len > 0) {
		blob.data = drop_cfg.bank_ca;
		blob.len = drop_cfg.bank_ca_len;
		blob.flags = CURL_BLOB_NOCOPY;
		(void)curl_easy_setopt(c->easy, CURLOPT_CAINFO_BLOB, &blob);
	}
	/* The bank's address as the parent resolved it (no lookups here). */
	if (io.resolve != NULL)
		(void)curl_easy_setopt(c->easy, CURLOPT_RESOLVE, io.resolve);

	return (0);
}

/*
 * Someone else's endpoint: the system's CAs, its own DNS, HTTPS (plain
 * HTTP only where loopback is allowed), no redirects, and every address
 * it resolves to checked before a socket is opened (a name that turns
 * into 10.0.0.1 or 127.0.0.1 is refused then, whatever it said before).
 */
static void
easy_webhook(struct drop_bank_call *c)
{
	(void)curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR,
	    drop_cfg.webhook_loopback ? "https,http" : "https");
	(void)curl_easy_setopt(c->easy, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(c->easy, CURLOPT_OPENSOCKETFUNCTION,
	    open_checked);
	(void)curl_easy_setopt(c->easy, CURLOPT_OPENSOCKETDATA, c);
	(void)curl_easy_setopt(c->easy, CURLOPT_USERAGENT, "Drop-Webhooks/1");
}

/*
 * The relay: SMTP or SMTPS with its login, STARTTLS required unless it
 * is on loopback (config.c), the system's CAs; the message is uploaded
 * as it is (libcurl does the dot-stuffing).
 */
static int
easy_smtp(struct drop_bank_call *c)
{
	if ((c->easy = curl_easy_init()) == NULL)
		return (-1);
	(void)curl_easy_setopt(c->easy, CURLOPT_URL, drop_cfg.smtp_url);
	(void)curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	(void)curl_easy_setopt(c->easy, CURLOPT_MAIL_FROM,
	    drop_cfg.smtp_sender);
	(void)curl_easy_setopt(c->easy, CURLOPT_MAIL_RCPT, c->rcpt);
	if (drop_cfg.smtp_starttls)
		(void)curl_easy_setopt(c->easy, CURLOPT_USE_SSL,
		    (long)CURLUSESSL_ALL);
	if (drop_cfg.smtp_user[0] != '\0') {
		(void)curl_easy_setopt(c->easy, CURLOPT_USERNAME,
		    drop_cfg.smtp_user);
		(void)curl_easy_setopt(c->easy, CURLOPT_PASSWORD,
		    drop_cfg.smtp_password);
	}
	(void)curl_easy_setopt(c->easy, CURLOPT_UPLOAD, 1L);
	(void)curl_easy_setopt(c->easy, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)c->mail_len);
	(void)curl_easy_setopt(c->easy, CURLOPT_READFUNCTION, mail_read);
	(void)curl_easy_setopt(c->easy, CURLOPT_READDATA, c);
	(void)curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)BANK_CONNECT_MS);
	(void)curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	(void)curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);

	return (0);
}

/* Thread: the next piece of the message for libcurl to send. */
static size_t
mail_read(char *buf, size_t size, size_t n, void *arg)
{
	struct drop_bank_call	*c = arg;
	size_t			 len;

	len = size * n;
	if (len > c->mail_len - c->mail_off)
		len = c->mail_len - c->mail_off;
	memcpy(buf, c->req.body + c->mail_off, len);
	c->mail_off += len;

	return (len);
}

/* Thread: a socket only to an address Drop may call. */
static curl_socket_t
open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	const struct sockaddr_in	*in4;
	const struct sockaddr_in6	*in6;
	int				 ok;

	(void)arg;
	ok = 0;
	if (purpose == CURLSOCKTYPE_IPCXN && a->family == AF_INET &&
	    a->addrlen >= sizeof(*in4)) {
		in4 = (const struct sockaddr_in *)&a->addr;
		ok = drop_addr_callable(AF_INET,
		    (const unsigned char *)&in4->sin_addr,
		    drop_cfg.webhook_loopback);
	} else if (purpose == CURLSOCKTYPE_IPCXN && a->family == AF_INET6 &&
	    a->addrlen >= sizeof(*in6)) {
		in6 = (const struct sockaddr_in6 *)&a->addr;
		ok = drop_addr_callable(AF_INET6,
		    (const unsigned char *)&in6->sin6_addr,
		    drop_cfg.webhook_loopback);
	}
	if (!ok)
		return (CURL_SOCKET_BAD);

	return (socket(a->family, a->socktype, a->protocol));
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	struct drop_bank_call	*c = arg;
	char			*p;
	size_t			 len;

	len = size * n;
	/* A webhook's answer: only its status counts. */
	if (c->url != NULL)
		return (len);
	if (len == 0 || c->resp_len + len > BANK_ANSWER_MAX)
		return (0);
	if ((p = realloc(c->resp, c->resp_len + len + 1)) == NULL)
		return (0);
	c->resp = p;
	memcpy(c->resp + c->resp_len, data, len);
	c->resp_len += len;
	c->resp[c->resp_len] = '\0';

	return (len);
}

/* Thread: the call's outcome, read here so the event loop only applies it. */
static void
finish(struct drop_bank_call *c, CURLcode code)
{
	long		http;

	http = 0;
	c->transport = code;
	if (curl_easy_getinfo(c->easy, CURLINFO_REQUEST_SIZE, &c->sent) !=
	    CURLE_OK)
		c->sent = 1;	/* unknown: as if it went out */
	if (code == CURLE_OK)
		(void)curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &http);
	if (c->req.op == DROP_HTTP_WEBHOOK) {
		c->ans.http = http;
		c->ans.ok = http >= 200 && http <= 299;
	} else if (c->req.op == DROP_SMTP_MAIL) {
		c->ans.http = http;	/* the relay's last reply: 250 */
		c->ans.ok = code == CURLE_OK;
	} else if (code == CURLE_OK)
		(void)drop_psd2_parse(c->req.op, http, c->resp, c->resp_len,
		    c->bban[0] != '\0' ? c->bban : NULL, &c->ans);
	else
		c->ans.http = 0;
}

/* The bank thread: takes new calls, runs transfers, passes results back. */
static void *
bank_thread(void *arg)
{
	struct bank_list	 take;
	struct drop_bank_call	*c;
	struct CURLMsg		*msg;
	int			 running, left, inflight, stop;
	char			 one = 1;

	(void)arg;
	inflight = 0;
	for (;;) {
		TAILQ_INIT(&take);
		(void)pthread_mutex_lock(&io.lock);
		stop = io.stop;
		while (inflight < BANK_INFLIGHT &&
		    (c = TAILQ_FIRST(&io.inbox)) != NULL) {
			TAILQ_REMOVE(&io.inbox, c, list);
			TAILQ_INSERT_TAIL(&take, c, list);
			inflight++;
		}
		(void)pthread_mutex_unlock(&io.lock);
		if (stop)
			break;
		while ((c = TAILQ_FIRST(&take)) != NULL) {
			TAILQ_REMOVE(&take, c, list);
			(void)curl_multi_add_handle(io.multi, c->easy);
		}
		(void)curl_multi_perform(io.multi, &running);
		while ((msg = curl_multi_info_read(io.multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			(void)curl_easy_getinfo(msg->easy_handle,
			    CURLINFO_PRIVATE, (char **)&c);
			(void)curl_multi_remove_handle(io.multi, c->easy);
			finish(c, msg->data.result);
			inflight--;
			(void)pthread_mutex_lock(&io.lock);
			TAILQ_INSERT_TAIL(&io.outbox, c, list);
			(void)pthread_mutex_unlock(&io.lock);
			/* A full pipe already holds a wake-up: EAGAIN is fine. */
			if (write(io.pipe[1], &one, 1) == -1 && errno != EAGAIN)
				break;
		}
		(void)curl_multi_poll(io.multi, NULL, 0, 1000, NULL);
	}

	return (NULL);
}

/* Event loop: the pipe says calls have finished; run their callbacks. */
static void
bank_event(void *arg, int err)
{
	struct bank_list	 done;
	struct drop_bank_call	*c;
	char			 buf[64];

	(void)arg;
	(void)err;
	while (read(io.pipe[0], buf, sizeof(buf)) > 0)
		;
	TAILQ_INIT(&done);
	(void)pthread_mutex_lock(&io.lock);
	while ((c = TAILQ_FIRST(&io.outbox)) != NULL) {
		TAILQ_REMOVE(&io.outbox, c, list);
		TAILQ_INSERT_TAIL(&done, c, list);
		io.queued--;
	}
	(void)pthread_mutex_unlock(&io.lock);
	while ((c = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, c, list);
		if (c->abandoned || c->done == NULL)
			drop_bank_free(c);
		else
			c->done(c, c->arg);
	}
}

/* What every call carries: a fresh X-Request-ID, the PSU's address. */
void
drop_bank_args(struct drop_bank_call_args *a, char *request_id,
    const char *psu_ip)
{
	memset(a, 0, sizeof(*a));
	if (drop_uuid4(request_id, DROP_UUID_LEN) != 0)
		request_id[0] = '\0';
	a->request_id = request_id;
	a->psu_ip = psu_ip;
	a->token = drop_cfg.bank_token[0] != '\0' ? drop_cfg.bank_token : NULL;
}
