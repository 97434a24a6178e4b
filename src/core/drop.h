/*
 * The request core (src/core/) as route modules see it: how a route is
 * declared (fields, methods, lists, DROP_ROUTE), the request context, and
 * the calls a step may make. Each section names the file that defines it;
 * docs/architecture.md has the layers and the life of a request.
 */

#ifndef DROP_H
#define DROP_H

#include <sys/types.h>

#include <pthread.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>

#include <jansson.h>

#include "lib.h"
#include "bank.h"
#include "issuer.h"

#define DROP_VERSION		"0.1.0"
#define DROP_DB			"db"
#define DROP_BODY_MAX		(64 * 1024)
#define DROP_SQL_PARAMS_MAX	16
#define DROP_FIELDS_MAX		12
#define DROP_ROLE_LEN		16

/* A number macro as a string literal, for SQL and messages. */
#define DROP_STR(x)		DROP_STR_(x)
#define DROP_STR_(x)		#x

/* Per-method flags in a route table. */
#define DROP_AUTH		0x0001	/* needs a user session */
#define DROP_BODY		0x0002	/* needs a JSON object body */
#define DROP_BODY_OPT		0x0008	/* fields, but an empty body is {} */
#define DROP_RL_AUTH		0x0010	/* rate-limit group: login/register */
#define DROP_RL_PAY		0x0020	/* rate-limit group: payments */
#define DROP_RL_RATES		0x0040	/* rate-limit group: exchange rates */
#define DROP_MERCHANT		0x0080	/* the merchant role (after fields) */
#define DROP_RL_PIN		0x0100	/* PIN changes, per signed-in user */

/* The operator roles a method of the internal API admits (.ops). */
#define DROP_OP_SUPPORT		0x01
#define DROP_OP_COMPLIANCE	0x02
#define DROP_OP_ADMIN		0x04
#define DROP_OPS_AUDIT		(DROP_OP_COMPLIANCE | DROP_OP_ADMIN)
#define DROP_OPS_ALL		(DROP_OP_SUPPORT | DROP_OPS_AUDIT)

/* Per-user limits, counted in the database (sql/functions/019_limits.sql). */
#define DROP_PIN_PER_USER	5	/* PIN changes a minute */

/* What a step of a request asks the driver to do next. */
#define DROP_STEP_DONE		1	/* a response was sent */
#define DROP_STEP_SQL		2	/* a query is in flight */
#define DROP_STEP_TASK		3	/* a password hash is running */
#define DROP_STEP_FAIL		4	/* answer 500; ctx->fail_why says why */
#define DROP_STEP_WAIT		5	/* asleep until woken or the deadline */

/* JSON field types for body declarations. */
#define DROP_T_STRING		1
#define DROP_T_NUMBER		2
#define DROP_T_BOOL		3
#define DROP_T_ARRAY		4
#define DROP_T_SECRET		5	/* a string kept exactly as sent */

struct drop_ctx;
struct drop_bank_call;

/* Database health of this worker (dbhealth.c). */
#define DROP_DB_UP		1
#define DROP_DB_SUSPECT		2	/* a failure seen; probing */
#define DROP_DB_DOWN		3	/* the probe failed; retrying */

#define DROP_DB_TIMEOUT_MS	2000	/* every query's deadline */

/* One query on the worker's pool; see dbq.c. */
struct drop_dbq {
	struct kore_pgsql	 sql;
	struct http_request	*req;
	void			(*done)(struct drop_dbq *, void *);
	void			*arg;
	const char		*label;		/* request id, for the log */
	const char		*query;
	int			 nparams;
	const char *const	*params;
	u_int64_t		 deadline;
	int			 phase;
	int			 queued;
	int			 bound;
	int			 lent;
	PGconn			*db;		/* the connection lent */
	int			 stmt;		/* prepared statement number */
	int			 preparing;
	int			 stepping;
	int			 again;
	int			 errored;
	int			 notified;
	PGresult		*res;
	int			 outcome;
	char			 sqlstate[6];
	TAILQ_ENTRY(drop_dbq)	 list;
};

/* One JSON key filled from one column of a row (see drop_row_json). */
#define DROP_COL_TEXT		1	/* string or null */
#define DROP_COL_MONEY		2	/* integer minor units as a number */
#define DROP_COL_NEGMONEY	3	/* the same, negated (outgoing) */
#define DROP_COL_RATE		4	/* exact decimal shown as a number */
#define DROP_COL_BOOL		5
#define DROP_COL_INT		6
#define DROP_COL_JSON		7	/* json or jsonb, as its value */
#define DROP_COL_SEALED		8	/* text sealed at rest (lib/seal.c) */

struct drop_colmap {
	const char		*key;
	const char		*column;
	int			 kind;
};

struct drop_field {
	const char		*name;
	int			 type;
	int			 required;
};

/*
 * A paged list (paging.c): its statement takes $1 the caller, $2-$5 the
 * page and returns the columns list_total, id and cursor_us
 * (DROP_PAGE_SQL); filter may add $6... and pick another statement; each
 * row is shown through row_json, else the column map.
 */
struct drop_list {
	int			 def_limit;
	int			 max_limit;
	const char		*sql;
	int			(*filter)(struct drop_ctx *, const char **,
				    const char **);
	const struct drop_colmap *map;
	json_t			*(*row_json)(struct drop_ctx *, int);
	/* A list of a thing's own: its 404 message when list_total is NULL. */
	const char		*missing;
};

struct drop_method {
	int			 method;
	int			 flags;
	const struct drop_field	*fields;
	int			(*check)(struct drop_ctx *);
	int			(*start)(struct drop_ctx *);
	const char *const	*query;		/* query arguments it reads */
	const struct drop_list	*list;		/* a paged list: no start */
	const char		*scope;		/* a key with it may call */
	int			 ops;		/* operator roles (DROP_OP_*) */
};

/* A GET of a paged list: the pipeline checks paging and runs the query. */
#define DROP_LIST_GET(fl, q, l) \
	{ .method = HTTP_METHOD_GET, .flags = (fl), .query = (q), .list = &(l) }
/* A paged list of the internal API, for the operator roles o. */
#define DROP_LIST_GET_OPS(o, l) \
	{ .method = HTTP_METHOD_GET, .ops = (o), .list = &(l) }
/* The same, open to a merchant's API key with scope sc. */
#define DROP_LIST_GET_KEY(fl, q, l, sc) \
	{ .method = HTTP_METHOD_GET, .flags = (fl), .query = (q), \
	    .list = &(l), .scope = (sc) }

struct drop_route {
	const char		*name;
	const struct drop_method *methods;
	size_t			 datalen;
	void			(*cleanup)(struct drop_ctx *);
	int			 flags;		/* feature flags it needs */
};

/*
 * The Kore handler of a route, and its entry in the drop_routes linker
 * set, which the start-up check (confcheck.c) reads to hold kore.conf
 * against the route's fields. A route whose feature flags are off
 * answers as no route would (pipeline.c).
 */
struct drop_route_ref {
	const char		*handler;
	const struct drop_route	*route;		/* NULL: a raw handler */
};

#define DROP_ROUTE_REF(h, r)						\
	static const struct drop_route_ref drop_ref_##h = { #h, (r) };	\
	static const struct drop_route_ref *const drop_refp_##h		\
	    __attribute__((used, section("drop_routes"))) = &drop_ref_##h

#define DROP_ROUTE(h, r)						\
	int	h(struct http_request *);				\
	int								\
	h(struct http_request *req)					\
	{								\
		return (drop_serve(req, &(r)));				\
	}								\
	DROP_ROUTE_REF(h, &(r))

/* A handler outside the pipeline (make bench's ceiling). */
#define DROP_RAW_ROUTE(h)						\
	int	h(struct http_request *);				\
	DROP_ROUTE_REF(h, NULL)

struct drop_session {
	char			 user_id[DROP_ID_LEN];
	char			 session_id[DROP_ID_LEN];
	char			 role[DROP_ROLE_LEN];
	int			 via_cookie;
	int			 via_key;	/* a merchant's X-API-Key */
	char			 key_id[DROP_ID_LEN];
	char			 operator_id[DROP_ID_LEN];	/* internal API */
};

struct drop_ctx {
	struct http_request	*req;
	const struct drop_route	*route;
	const struct drop_method *method;
	char			 reqid[DROP_REQID_MAX + 1];
	json_t			*body;
	json_t			*details;
	char			*text[DROP_FIELDS_MAX];
	struct drop_session	 sess;
	int			(*next)(struct drop_ctx *);
	const char		*fail_why;	/* with DROP_STEP_FAIL */
	int			 qs_populated;
	int			 page;		/* 0 when paging by cursor */
	int			 limit;
	char			 page_limit[16];	/* limit + 1, as SQL */
	char			 page_offset[24];	/* (page - 1) * limit */
	char			 page_after_us[24];	/* cursor position */
	char			 page_after_id[DROP_ID_LEN];
	void			*pw;

	struct drop_dbq		 q;
	int			 sql_own;	/* the step handles a failure */
	u_int64_t		 sql_timeout;	/* ms for the next query, or 0 */
	int			 nparams;
	const char		*params[DROP_SQL_PARAMS_MAX];
	char			*pcopy[DROP_SQL_PARAMS_MAX];
	PGresult		*res;
	int			 db_failed;
	int			 db_unavailable;
	char			 sqlstate[6];

	/* drop_reauth(): the stored hash, and the step after a match. */
	char			 reauth_hash[128];
	const char		*reauth_field;
	int			(*reauth_next)(struct drop_ctx *);

	struct drop_bank_call	*bank;		/* a call this request waits for */
	int			 waiting;
	int			 woken_by_timer;
	struct kore_timer	*wait_timer;
	char			 wait_tx[DROP_ID_LEN];	/* outbox.c's waiter key */
	int			(*after_wait)(struct drop_ctx *);
	void			(*unwait)(struct drop_ctx *);	/* at cleanup */
	TAILQ_ENTRY(drop_ctx)	 wait_list;

	void			*data;
};

/* A helper thread's queue lock and its pipe to the event loop. */
struct drop_thread_link {
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	int			 pipe[2];
	struct kore_event	 evt;
};

/* Process-wide configuration, read once in the parent before fork. */
struct drop_config {
	char			 conninfo[1024];
	unsigned char		 jwt_secret[128];
	size_t			 jwt_secret_len;
	unsigned char		 data_key[DROP_SEAL_KEYLEN];	/* seal.c's */
	int			 bcrypt_cost;
	int			 passwd_queue;	/* hashes a worker holds at once */
	int			 ratelimit_slots;	/* a multiple of 16 */
	int			 pay_per_user;		/* payments a minute */
	char			 dummy_hash[128];
	char			 trusted_proxies[512];
	char			 public_url[256];	/* the web client's origin */
	time_t			 started;

	/* The bank (bankio.c, outbox.c): empty bank_url means none. */
	char			 bank_url[256];
	char			 bank_resolve[320];	/* host:port:address */
	unsigned char		*bank_ca;		/* PEM, read in the parent */
	size_t			 bank_ca_len;
	char			 bank_token[256];
	unsigned char		 bank_secret[128];	/* callback HMAC key */
	size_t			 bank_secret_len;
	char			 collection_account[12];
	char			 collection_name[71];
	char			 psu_ip_fallback[16];
	int			 bank_giveup_s;

	/* Merchants' webhooks (delivery.c). */
	int			 webhook_backoff_ms;	/* first retry */
	int			 webhook_timeout_ms;	/* one attempt */
	int			 webhook_giveup_s;	/* after the event */
	int			 webhook_loopback;	/* tests, development */

	/* E-mail (mailer.c): empty smtp_url means none is sent. */
	char			 smtp_url[256];		/* smtp:// or smtps:// */
	char			 smtp_from[200];	/* the From: header */
	char			 smtp_sender[200];	/* its bare address */
	char			 smtp_user[128];
	char			 smtp_password[256];
	int			 smtp_starttls;		/* smtp:// upgrades */
	int			 smtp_timeout_ms;
	int			 smtp_backoff_ms;	/* first retry */
};

extern struct drop_config	drop_cfg;

/* config.c */
void	drop_config_load(void);

/* crashlog.c */
void	drop_crash_preload(void);
void	drop_crash_setup(void);

/* pipeline.c */
int	drop_serve(struct http_request *, const struct drop_route *);
int	drop_sql_failed(struct drop_ctx *);
int	drop_wait(struct drop_ctx *, u_int64_t, int (*)(struct drop_ctx *));
void	drop_wake(struct drop_ctx *);
int	drop_bank_step(struct drop_ctx *, struct drop_bank_request *,
	    const char *, int (*)(struct drop_ctx *));

/* body.c: what the request says (body fields, query, path). */
const char *drop_text(struct drop_ctx *, const char *);
void	drop_text_length(struct drop_ctx *, const char *, size_t, size_t);
json_t	*drop_field(struct drop_ctx *, const char *);
int	drop_field_set(struct drop_ctx *, const char *, const char *const *,
	    const char *, const char *, char *, size_t);
int	drop_query_arg(struct drop_ctx *, const char *, const char **);
const char *drop_query_opt(struct drop_ctx *, const char *);
int	drop_path_id(struct drop_ctx *, int, const char *, char *, size_t);
int	drop_money_field(struct drop_ctx *, const char *, int64_t, int64_t,
	    int64_t *);
int	drop_money_range(struct drop_ctx *, const char *, int64_t, int64_t,
	    int64_t);

/* reply.c */
int	drop_reply(struct drop_ctx *, int, json_t *);
int	drop_reply_obj(struct drop_ctx *, int, json_t *);
int	drop_reply_qr_svg(struct drop_ctx *, const char *);
int	drop_reply_raw(struct drop_ctx *, int, const char *, const char *,
	    const void *, size_t);
int	drop_reply_text(struct drop_ctx *, int, const char *);
int	drop_error(struct drop_ctx *, int, const char *, const char *);
int	drop_rate_limited(struct drop_ctx *, int);
int	drop_fail_internal(struct drop_ctx *, const char *);
void	drop_detail(struct drop_ctx *, const char *, const char *);
int	drop_fail_details(struct drop_ctx *, int, const char *);
void	drop_set_cookie(struct drop_ctx *, const char *, const char *,
	    int, int);
void	drop_request_id(struct http_request *, char *, size_t);

/* rows.c: result rows, and values and rows as JSON. */
int	drop_rows(struct drop_ctx *);
const char *drop_col(struct drop_ctx *, int, const char *);
int	drop_col_null(struct drop_ctx *, int, const char *);
int	drop_col_bool(struct drop_ctx *, int, const char *);
int64_t	drop_col_int(struct drop_ctx *, int, const char *);
json_t	*drop_row_json(struct drop_ctx *, int, const struct drop_colmap *,
	    json_t *);
json_t	*drop_rows_json(struct drop_ctx *, int, const struct drop_colmap *,
	    json_t *(*)(struct drop_ctx *, int));
json_t	*drop_json_money(int64_t);
json_t	*drop_json_text(const char *);
json_t	*drop_json_percent(const struct drop_policy *);

/* paging.c */
extern const char *const drop_page_args_names[];

/* The condition and order of a page's rows; t is a table alias and dot. */
#define DROP_PAGE_AFTER(t)						\
    "(" t "created_at, " t "id) < (drop_us_ts($4::bigint), $5::text) "	\
    "ORDER BY " t "created_at DESC, " t "id DESC LIMIT $2 OFFSET $3"

/*
 * A page and its list's total (list_total, a name no table uses) in one
 * statement, one row even when the page is empty (its columns then NULL):
 * ctes ends with a CTE named page whose rows have created_at and id; cols
 * are more columns, each with a trailing comma; joins may add tables to p.
 */
#define DROP_PAGE_SQL(ctes, total, cols, joins)				\
    "WITH " ctes " SELECT (" total ") AS list_total, p.*, " cols	\
    " drop_ts_us(p.created_at) AS cursor_us FROM (SELECT 1) one "	\
    "LEFT JOIN page p ON true " joins					\
    "ORDER BY p.created_at DESC, p.id DESC"

int	drop_list_check(struct drop_ctx *);
int	drop_list_start(struct drop_ctx *);
int	drop_reply_rows(struct drop_ctx *, const struct drop_colmap *,
	    json_t *(*)(struct drop_ctx *, int), int);

/* db.c */
int	drop_sql(struct drop_ctx *, const char *, int, const char **,
	    int (*)(struct drop_ctx *));
int	drop_sql_own(struct drop_ctx *, const char *, int, const char **,
	    int (*)(struct drop_ctx *));
int	drop_user_query(struct drop_ctx *, const char *,
	    int (*)(struct drop_ctx *));
int	drop_sql_run(struct drop_ctx *);
void	drop_sql_release(struct drop_ctx *);

/* sealed.c: columns sealed at rest with the data key. */
int	drop_seal_text(const char *, const char *, char *, size_t);
int	drop_unseal_text(const char *, const char *, char *, size_t);
json_t	*drop_json_unsealed(struct drop_ctx *, const char *, const char *);

/* dbq.c, dbhealth.c: the worker's pool. */
void	drop_db_setup(void);
void	drop_db_teardown(void);
int	drop_db_state(void);
const char *drop_db_state_name(void);
void	drop_dbq_start(struct drop_dbq *, struct http_request *,
	    void (*)(struct drop_dbq *, void *), void *, const char *,
	    const char *, int, const char *const *, u_int64_t);
int	drop_dbq_finished(struct drop_dbq *);
void	drop_dbq_release(struct drop_dbq *);
PGresult *drop_dbq_take(struct drop_dbq *);

/* bgq.c: queries of background jobs. */
void	drop_bgq_start(const char *, const char *, int, const char **,
	    void (*)(PGresult *, void *), void *);
void	drop_bgq_start_ms(const char *, const char *, int, const char **,
	    u_int64_t, void (*)(PGresult *, void *), void *);
const char *drop_bgq_col(PGresult *, int, const char *);

/* bankio.c: calls to the bank, off the event loop. */
void	drop_bank_setup(void);
void	drop_bank_teardown(void);
struct drop_bank_call *drop_bank_call(struct drop_bank_request *,
	    const char *, void (*)(struct drop_bank_call *, void *), void *);
void	drop_bank_abandon(struct drop_bank_call *);
void	drop_bank_free(struct drop_bank_call *);
const struct drop_bank_answer *drop_bank_answer(const struct drop_bank_call *);
const char *drop_bank_body(const struct drop_bank_call *, size_t *);
int	drop_bank_answered(const struct drop_bank_call *);
int	drop_bank_maybe_delivered(const struct drop_bank_call *);
const char *drop_bank_transport_error(const struct drop_bank_call *);
void	drop_bank_args(struct drop_bank_call_args *, char *, const char *);

/* bankio.c: a webhook's POST, on the bank's thread. */
#define DROP_HTTP_WEBHOOK	100	/* not a bank operation (bank.h) */
struct drop_bank_call *drop_http_post(const char *, struct drop_bank_request *,
	    long, void (*)(struct drop_bank_call *, void *), void *);

/* bankio.c: an e-mail to the SMTP relay, on the same thread. */
#define DROP_SMTP_MAIL		101	/* not a bank operation (bank.h) */
struct drop_bank_call *drop_smtp_send(const char *, char *, size_t,
	    void (*)(struct drop_bank_call *, void *), void *);

/* claimer.c: items claimed from the database under a lease. */
struct drop_claimer {
	const char	*name;		/* the background queries' label */
	const char	*sql;		/* the claim: $1 limit, $2 lease ms */
	int		 inflight_max;
	char		 lease_ms[16];
	void		(*start)(PGresult *, int);	/* one claimed row */
	int		 started;
	int		 claiming;
	int		 inflight;
	int		 more;		/* the last claim was full */
};

void	drop_claimer_start(struct drop_claimer *, u_int64_t);
void	drop_claimer_claim(struct drop_claimer *);
void	drop_claimer_done(struct drop_claimer *);
void	drop_claimer_recorded(struct drop_claimer *, PGresult *);

/* mailer.c: the e-mails Drop owes its users. */
void	drop_mailer_start(void);

/* purge.c: the daily retention purge. */
void	drop_purge_start(void);

/* reseal.c: values stored in clear before sealing began, sealed. */
void	drop_reseal_start(void);

/* outbox.c: the calls Drop owes the bank. */
void	drop_outbox_start(void);

/* delivery.c: the webhook deliveries Drop owes merchants' endpoints. */
void	drop_webhooks_start(void);

/* idem.c: Idempotency-Key of money routes; their data starts with this. */
struct drop_idem {
	const char	*key;		/* Idempotency-Key, or NULL */
	char		 hash[65];	/* SHA-256 of the request, in hex */
	int		 status;
	json_t		*reply;		/* kept for retries, then sent */
};

/* An outcome code of a money route's SQL function and its answer. */
struct drop_refusal {
	const char	*code;
	int		 status;
	const char	*error;
	const char	*message;
	const char	*field;		/* a detail for this field, or NULL */
	const char	*detail;
};

int	drop_refuse(struct drop_ctx *, const struct drop_refusal *,
	    const char *);
int	drop_idem_prepare(struct drop_ctx *, struct drop_idem *, const char *);
int	drop_idem_reply(struct drop_ctx *, int, json_t *);
int	drop_idem_outcome(struct drop_ctx *, char *, size_t, u_int64_t,
	    int (*)(struct drop_ctx *, const char *),
	    int (*)(struct drop_ctx *));
void	drop_idem_cleanup(struct drop_ctx *);

/* reconcile.c */
void	drop_reconcile_start(void);
void	drop_outbox_kick(const char *);
int	drop_outbox_wait(struct drop_ctx *, const char *, u_int64_t,
	    int (*)(struct drop_ctx *));
void	drop_outbox_changed(const char *);

/* session.c */
#define DROP_AUTH_MISSING	(-1)	/* no valid token */
#define DROP_AUTH_CSRF		(-2)	/* cookie without its CSRF header */
#define DROP_AUTH_SCOPE		(-3)	/* an API key without the scope */

int	drop_auth_start(struct drop_ctx *, int (*)(struct drop_ctx *));
int	drop_auth_loaded(struct drop_ctx *);
int	drop_operator_start(struct drop_ctx *, int (*)(struct drop_ctx *));
int	drop_operator_loaded(struct drop_ctx *);
int	drop_session_issue(struct drop_ctx *, const char *, const char *,
	    const char *);
void	drop_session_clear_cookies(struct drop_ctx *);
void	drop_client_addr(struct drop_ctx *, char *, size_t);
void	drop_psu_ip(struct drop_ctx *, char *, size_t);

/* ratelimit.c */
int	drop_ratelimit_setup(void);
int	drop_ratelimit_hit(int, const unsigned char *, size_t, int *);
int	drop_client_ip(struct http_request *, unsigned char *, size_t *,
	    char *, size_t);

/* passwd.c */
int	drop_passwd_hash(struct drop_ctx *, const char *,
	    int (*)(struct drop_ctx *));
int	drop_reauth(struct drop_ctx *, const char *,
	    int (*)(struct drop_ctx *));
int	drop_passwd_verify(struct drop_ctx *, const char *, const char *,
	    int (*)(struct drop_ctx *));
int	drop_passwd_result(struct drop_ctx *, char *, size_t);
int	drop_passwd_dummy(char *, size_t, int);
void	drop_passwd_free(struct drop_ctx *);
int	drop_passwd_busy(struct drop_ctx *);
void	drop_thread_link(struct drop_thread_link *, const char *, int,
	    void (*)(void *, int));
void	drop_passwd_setup(void);

/* cache.c */
#define DROP_RATES_MAX		32

struct drop_rate {
	char		currency[4];
	char		rate[32];
	char		updated[40];
};

void	drop_cache_start(void);
int	drop_cache_ready(void);
int	drop_rates(const struct drop_rate **, int *, const char **);
const struct drop_rate *drop_rate_find(const char *);

/* flags.c: feature flags, as route masks (struct drop_route's flags). */
#define DROP_FLAG_CARDS			0x01
#define DROP_FLAG_PHYSICAL_CARDS	0x02
#define DROP_FLAG_CARD_PIN		0x04
#define DROP_FLAG_SPENDING_LIMITS	0x08
#define DROP_FLAG_NOTIFICATIONS		0x10

const char *drop_flag_name(const char *);
void	drop_flag_load(const char *, int);
int	drop_flags_on(int);

/* validators.c */
const char *drop_validator_message(const char *);

/* confcheck.c */
void	drop_confcheck(void);

/* tls.c */
int	drop_tls_load_keys(void);
void	drop_tls_worker_hook(void);

#endif
