/*
 * Password hashing with bcrypt (libxcrypt) on the worker's own hashing
 * threads, so the event loop never blocks on it. A step that starts one
 * returns what these return: DROP_STEP_TASK, DROP_STEP_FAIL for the
 * pipeline, or a 503 sent when DROP_PASSWD_QUEUE hashes of this worker
 * are already waiting or running (a burst of logins cannot queue without
 * bound). Not Kore's tasks: Kore 4.1's task thread takes the first task
 * of its queue after one unchecked wait, and a wake-up meant for a task
 * it already ran finds the queue empty and dereferences NULL (the worker
 * SIGSEGV of docs/reliability.md).
 */

#include <sys/queue.h>
#include <sys/resource.h>

#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "drop.h"

#define PW_MAX		512

#define PASSWD_NICE	10
#define PASSWD_THREADS	2
#define PASSWD_EVENT	102	/* none of Kore's, nor dbconn.c's */

/*
 * One hash. The hashing thread touches only the fields from password on,
 * between taking the job from the queue and handing it back; link and
 * owner belong to the event loop (link under the pool's lock).
 */
struct passwd_job {
	TAILQ_ENTRY(passwd_job)	 link;
	struct drop_ctx		*owner;		/* NULL once the request went */
	int			 inflight;
	char			 password[PW_MAX];
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE + 64];
	char			 result[CRYPT_OUTPUT_SIZE];
	int			 ok;
	struct crypt_data	 cd;
};

static struct {
	int			 started;
	pthread_t		 threads[PASSWD_THREADS];
	TAILQ_HEAD(, passwd_job) todo;
	struct drop_thread_link	 link;		/* finished jobs, by pointer */
} pool;

static int	passwd_outstanding;	/* this worker's hashes not yet back */

static void	*passwd_thread(void *);
static void	 passwd_hash(struct passwd_job *);
static void	 passwd_event(void *, int);
static void	 passwd_job_free(struct passwd_job *);
static int	passwd_start(struct drop_ctx *, const char *, const char *,
		    int (*)(struct drop_ctx *));

/* Worker start: the hashing threads and their pipe to the event loop. */
void
drop_passwd_setup(void)
{
	int	i;

	if (pool.started)
		return;
	TAILQ_INIT(&pool.todo);
	drop_thread_link(&pool.link, "passwords", PASSWD_EVENT, passwd_event);
	for (i = 0; i < PASSWD_THREADS; i++) {
		if (pthread_create(&pool.threads[i], NULL, passwd_thread,
		    NULL) != 0)
			fatal("passwords: thread: %s", errno_s);
	}
	pool.started = 1;
}

/*
 * A hashing thread, at nice 10: a burst of logins gets a small share of
 * CPU the event loops and PostgreSQL want, and still progresses under
 * full load (docs/performance.md). It waits until the queue has a job,
 * however it is woken. The pipe holds every job in flight (at most
 * DROP_PASSWD_QUEUE pointers), so the write does not block.
 */
static void *
passwd_thread(void *arg)
{
	struct passwd_job	*job;

	(void)arg;
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), PASSWD_NICE);
	for (;;) {
		pthread_mutex_lock(&pool.link.lock);
		while ((job = TAILQ_FIRST(&pool.todo)) == NULL)
			pthread_cond_wait(&pool.link.wake, &pool.link.lock);
		TAILQ_REMOVE(&pool.todo, job, link);
		pthread_mutex_unlock(&pool.link.lock);
		passwd_hash(job);
		while (write(pool.link.pipe[1], &job, sizeof(job)) == -1 &&
		    errno == EINTR)
			;
	}

	return (NULL);
}

/* On a hashing thread: the job's own fields only. */
static void
passwd_hash(struct passwd_job *job)
{
	char	*out;

	memset(&job->cd, 0, sizeof(job->cd));
	out = crypt_r(job->password, job->setting, &job->cd);
	if (out != NULL && out[0] != '*' &&
	    strlen(out) < sizeof(job->result)) {
		memcpy(job->result, out, strlen(out) + 1);
		job->ok = 1;
	}
	explicit_bzero(job->password, sizeof(job->password));
	explicit_bzero(&job->cd, sizeof(job->cd));
}

/* Event loop: finished jobs wake their requests; orphans are freed. */
static void
passwd_event(void *arg, int error)
{
	struct passwd_job	*job;
	ssize_t			 n;

	(void)arg;
	(void)error;
	for (;;) {
		n = read(pool.link.pipe[0], &job, sizeof(job));
		if (n == -1 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(job))
			return;
		job->inflight = 0;
		passwd_outstanding--;
		if (job->owner == NULL)
			passwd_job_free(job);
		else
			http_request_wakeup(job->owner->req);
	}
}

static void
passwd_job_free(struct passwd_job *job)
{
	explicit_bzero(job, sizeof(*job));
	kore_free(job);
}

static int
passwd_start(struct drop_ctx *ctx, const char *password, const char *setting,
    int (*next)(struct drop_ctx *))
{
	struct passwd_job	*job;

	if (strlen(password) >= PW_MAX || strlen(setting) >=
	    sizeof(job->setting)) {
		ctx->fail_why = "password job too large";
		return (DROP_STEP_FAIL);
	}
	if (passwd_outstanding >= drop_cfg.passwd_queue) {
		http_response_header(ctx->req, "retry-after", "1");
		return (drop_error(ctx, 503, "unavailable",
		    "Too busy to check passwords now; try again shortly"));
	}
	if (ctx->pw == NULL) {
		ctx->pw = kore_calloc(1, sizeof(struct passwd_job));
		((struct passwd_job *)ctx->pw)->owner = ctx;
	}
	job = ctx->pw;
	job->ok = 0;
	job->result[0] = '\0';
	(void)kore_strlcpy(job->password, password, sizeof(job->password));
	(void)kore_strlcpy(job->setting, setting, sizeof(job->setting));

	ctx->next = next;
	job->inflight = 1;
	passwd_outstanding++;
	pthread_mutex_lock(&pool.link.lock);
	TAILQ_INSERT_TAIL(&pool.todo, job, link);
	pthread_cond_signal(&pool.link.wake);
	pthread_mutex_unlock(&pool.link.lock);

	return (DROP_STEP_TASK);
}

/* 1 while the request's hash is queued or running. */
int
drop_passwd_busy(struct drop_ctx *ctx)
{
	return (ctx->pw != NULL && ((struct passwd_job *)ctx->pw)->inflight);
}

/* The caller's stored hash, unless wrong passwords paused the account. */
static const char	sql_reauth_find[] =
    "SELECT password_hash, drop_login_paused(id) AS paused FROM users "
    "WHERE id = $1 AND deleted_at IS NULL";

/* A wrong password here counts like one at sign-in (009_login.sql). */
static const char	sql_reauth_failed[] =
    "SELECT drop_login_failed($1, drop_new_id('noti_')) AS paused";

static int	reauth_found(struct drop_ctx *);
static int	reauth_checked(struct drop_ctx *);
static int	reauth_refused(struct drop_ctx *);

/*
 * A signed-in user proves it is them again with the password in the
 * body's field (erasure, a password change): checked off the event loop
 * like a sign-in; a wrong one is 403 and counts toward the account's
 * sign-in pause (a stolen session cannot guess through here), a paused
 * account is 429; next runs only after a match.
 */
int
drop_reauth(struct drop_ctx *ctx, const char *field,
    int (*next)(struct drop_ctx *))
{
	ctx->reauth_next = next;
	ctx->reauth_hash[0] = '\0';
	if (drop_text(ctx, field) == NULL)
		return (drop_error(ctx, 400, "bad_request",
		    "Your password is required"));
	ctx->reauth_field = field;

	return (drop_user_query(ctx, sql_reauth_find, reauth_found));
}

static int
reauth_found(struct drop_ctx *ctx)
{
	const char	*hash, *paused;
	int		 wait;

	if (drop_rows(ctx) != 1 ||
	    (hash = drop_col(ctx, 0, "password_hash")) == NULL)
		return (drop_error(ctx, 401, "unauthorized",
		    "Session expired or revoked"));
	paused = drop_col(ctx, 0, "paused");
	if (paused != NULL && (wait = atoi(paused)) > 0)
		return (drop_rate_limited(ctx, wait));
	if (kore_strlcpy(ctx->reauth_hash, hash, sizeof(ctx->reauth_hash)) >=
	    sizeof(ctx->reauth_hash))
		return (drop_fail_internal(ctx, "password hash too long"));

	return (drop_passwd_verify(ctx, drop_text(ctx, ctx->reauth_field),
	    ctx->reauth_hash, reauth_checked));
}

static int
reauth_checked(struct drop_ctx *ctx)
{
	const char	*params[1];
	char		 computed[128];
	int		 match;

	if (drop_passwd_result(ctx, computed, sizeof(computed)) != 0)
		return (drop_fail_internal(ctx, "password hashing failed"));
	match = drop_ct_equal(computed, ctx->reauth_hash);
	explicit_bzero(computed, sizeof(computed));
	if (match)
		return (ctx->reauth_next(ctx));
	params[0] = ctx->sess.user_id;

	return (drop_sql(ctx, sql_reauth_failed, 1, params, reauth_refused));
}

/* The failure is counted; nothing else changes. */
static int
reauth_refused(struct drop_ctx *ctx)
{
	return (drop_error(ctx, 403, "forbidden", "Password is incorrect"));
}

/* Hashes password with a fresh salt; the result comes with next. */
int
drop_passwd_hash(struct drop_ctx *ctx, const char *password,
    int (*next)(struct drop_ctx *))
{
	unsigned char	rnd[16];
	char		setting[CRYPT_GENSALT_OUTPUT_SIZE];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
	    crypt_gensalt_rn("$2b$", drop_cfg.bcrypt_cost, (const char *)rnd,
	    sizeof(rnd), setting, sizeof(setting)) == NULL) {
		ctx->fail_why = "crypt_gensalt failed";
		return (DROP_STEP_FAIL);
	}

	return (passwd_start(ctx, password, setting, next));
}

/* Recomputes the hash of password under hash's salt and cost. */
int
drop_passwd_verify(struct drop_ctx *ctx, const char *password,
    const char *hash, int (*next)(struct drop_ctx *))
{
	return (passwd_start(ctx, password, hash, next));
}

/* After the hash: copies it out; -1 if hashing failed. */
int
drop_passwd_result(struct drop_ctx *ctx, char *out, size_t outlen)
{
	struct passwd_job	*job = ctx->pw;

	if (job == NULL || job->inflight || !job->ok ||
	    strlen(job->result) >= outlen)
		return (-1);
	memcpy(out, job->result, strlen(job->result) + 1);

	return (0);
}

/* A hash to verify against when the email is unknown (same timing). */
int
drop_passwd_dummy(char *out, size_t outlen, int cost)
{
	struct crypt_data	*cd;
	unsigned char		 rnd[16];
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE], *h;
	int			 ret;

	ret = -1;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
	    crypt_gensalt_rn("$2b$", cost, (const char *)rnd, sizeof(rnd),
	    setting, sizeof(setting)) == NULL)
		return (-1);
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return (-1);
	h = crypt_r("drop-dummy-password-1", setting, cd);
	if (h != NULL && h[0] != '*' && strlen(h) < outlen) {
		memcpy(out, h, strlen(h) + 1);
		ret = 0;
	}
	free(cd);

	return (ret);
}

/*
 * The request goes: its job is wiped and freed, or, while a thread still
 * hashes it, left to passwd_event() to free when it comes back.
 */
void
drop_passwd_free(struct drop_ctx *ctx)
{
	struct passwd_job	*job = ctx->pw;

	if (job == NULL)
		return;
	ctx->pw = NULL;
	job->owner = NULL;
	if (!job->inflight)
		passwd_job_free(job);
}
