/*
 * Password hashing with bcrypt (libxcrypt), always in a Kore task so the
 * worker's event loop never blocks on it. A step that starts one returns
 * what these return: DROP_STEP_TASK, DROP_STEP_FAIL for the pipeline, or
 * a 503 sent when DROP_PASSWD_QUEUE hashes of this worker are already
 * waiting or running (a burst of logins cannot queue without bound).
 */

#include <sys/resource.h>

#include <crypt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "drop.h"

#define PW_MAX		512

#define PASSWD_NICE	10

struct passwd_job {
	char			password[PW_MAX];
	char			setting[CRYPT_GENSALT_OUTPUT_SIZE + 64];
	char			result[CRYPT_OUTPUT_SIZE];
	int			ok;
	struct crypt_data	cd;
};

static int	passwd_outstanding;	/* this worker's hashes not yet taken */

static int	passwd_task(struct kore_task *);
static int	passwd_start(struct drop_ctx *, const char *, const char *,
		    int (*)(struct drop_ctx *));

/*
 * Runs in a task thread; touches only its job. A task thread that hashes
 * runs at nice 10 from then on: a burst of logins gets a small share of
 * CPU the event loops and PostgreSQL want, and still progresses under
 * full load (docs/performance.md). Database connects have their own
 * thread (dbconn.c), so they never wait behind a queue of hashes.
 */
static int
passwd_task(struct kore_task *t)
{
	static __thread int	 niced;
	struct drop_ctx		*ctx;
	struct passwd_job	*job;
	char			*out;

	ctx = (struct drop_ctx *)((char *)t - offsetof(struct drop_ctx, task));
	job = ctx->pw;
	if (!niced) {
		niced = 1;
		(void)setpriority(PRIO_PROCESS, (id_t)gettid(), PASSWD_NICE);
	}
	memset(&job->cd, 0, sizeof(job->cd));
	out = crypt_r(job->password, job->setting, &job->cd);
	if (out != NULL && out[0] != '*' &&
	    strlen(out) < sizeof(job->result)) {
		memcpy(job->result, out, strlen(out) + 1);
		job->ok = 1;
	}
	explicit_bzero(job->password, sizeof(job->password));

	return (KORE_RESULT_OK);
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
	if (ctx->pw == NULL)
		ctx->pw = kore_calloc(1, sizeof(struct passwd_job));
	job = ctx->pw;
	job->ok = 0;
	job->result[0] = '\0';
	(void)kore_strlcpy(job->password, password, sizeof(job->password));
	(void)kore_strlcpy(job->setting, setting, sizeof(job->setting));

	ctx->next = next;
	kore_task_create(&ctx->task, passwd_task);
	kore_task_bind_request(&ctx->task, ctx->req);
	ctx->task_live = 1;
	passwd_outstanding++;
	kore_task_run(&ctx->task);

	return (DROP_STEP_TASK);
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

/* After the task: copies the hash out; -1 if hashing failed. */
int
drop_passwd_result(struct drop_ctx *ctx, char *out, size_t outlen)
{
	struct passwd_job	*job = ctx->pw;

	drop_passwd_task_end(ctx);
	if (job == NULL || !job->ok || strlen(job->result) >= outlen)
		return (-1);
	memcpy(out, job->result, strlen(job->result) + 1);

	return (0);
}

/* The request's finished hashing task goes; it no longer counts. */
void
drop_passwd_task_end(struct drop_ctx *ctx)
{
	if (!ctx->task_live)
		return;
	/* Kore destroyed it already if it ended after its request went. */
	if (ctx->task.req != NULL)
		kore_task_destroy(&ctx->task);
	ctx->task_live = 0;
	passwd_outstanding--;
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

/* Wipes and frees the job once its task is gone. */
void
drop_passwd_free(struct drop_ctx *ctx)
{
	if (ctx->pw == NULL)
		return;
	explicit_bzero(ctx->pw, sizeof(struct passwd_job));
	kore_free(ctx->pw);
	ctx->pw = NULL;
}
