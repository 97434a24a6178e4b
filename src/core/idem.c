/*
 * Idempotency-Key (§8): what the money routes share. The key is checked and
 * the request fingerprinted (the body, and the path's subject) before the
 * route's SQL function claims the key; the first answer is kept so that a
 * retry gets it back byte for byte. The route's data starts with a
 * struct drop_idem.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "drop.h"

#define IDEM_KEY_MAX	255

static const char	sql_store[] =
    "UPDATE idempotency_keys SET response = $3 WHERE user_id = $1 AND "
    "key = $2 AND (transaction_id IS NOT NULL OR refund_id IS NOT NULL)";

static int	idem_stored(struct drop_ctx *);

/* The key (1-255 printable ASCII) and the fingerprint of subject + body. */
int
drop_idem_prepare(struct drop_ctx *ctx, struct drop_idem *im,
    const char *subject)
{
	unsigned char		 digest[EVP_MAX_MD_SIZE];
	EVP_MD_CTX		*md;
	const char		*key, *p;
	char			*canon;
	unsigned int		 i, len;
	int			 ok;

	if (http_request_header(ctx->req, "idempotency-key", &key)) {
		for (p = key; *p != '\0' && *p >= 0x20 && *p <= 0x7e; p++)
			;
		if (*p != '\0' || p == key || p - key > IDEM_KEY_MAX) {
			drop_detail(ctx, "Idempotency-Key",
			    "must be 1-255 printable ASCII characters");
			return (-1);
		}
		im->key = key;
	}
	if ((canon = json_dumps(ctx->body, JSON_COMPACT | JSON_SORT_KEYS)) ==
	    NULL)
		return (-1);
	len = 0;
	ok = (md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    (subject == NULL || EVP_DigestUpdate(md, subject,
	    strlen(subject) + 1) == 1) &&
	    EVP_DigestUpdate(md, canon, strlen(canon)) == 1 &&
	    EVP_DigestFinal_ex(md, digest, &len) == 1 &&
	    len * 2 < sizeof(im->hash);
	EVP_MD_CTX_free(md);
	free(canon);
	if (!ok)
		return (-1);
	for (i = 0; i < len; i++)
		(void)snprintf(im->hash + i * 2, 3, "%02x", digest[i]);

	return (0);
}

/* Answers reply with status, kept first for retries of the key. */
int
drop_idem_reply(struct drop_ctx *ctx, int status, json_t *reply)
{
	struct drop_idem	*im = ctx->data;
	const char		*params[3];
	char			*text;

	if (im->key == NULL)
		return (drop_reply(ctx, status, reply));
	im->status = status;
	im->reply = reply;
	if ((text = json_dumps(reply, JSON_COMPACT |
	    JSON_REAL_PRECISION(15))) == NULL)
		return (drop_fail_internal(ctx, "cannot encode the answer"));
	params[0] = ctx->sess.user_id;
	params[1] = im->key;
	params[2] = text;
	(void)drop_sql_own(ctx, sql_store, 3, params, idem_stored);
	free(text);

	return (DROP_STEP_SQL);
}

static int
idem_stored(struct drop_ctx *ctx)
{
	struct drop_idem	*im = ctx->data;
	json_t			*reply;

	if (ctx->db_failed)
		kore_log(LOG_NOTICE, "[%s] idempotent response not stored",
		    ctx->reqid);
	reply = im->reply;
	im->reply = NULL;

	return (drop_reply(ctx, im->status, reply));
}

/*
 * The outcome of a money route's SQL function (code, tx_id, response): a
 * kept answer is replayed, a refusal goes to fail(); else the subject's
 * id lands in id and, when it is new, its bank call is kicked and waited
 * for (up to wait_ms) before read(); a replay without a kept answer is
 * read at once and not kept again.
 */
int
drop_idem_outcome(struct drop_ctx *ctx, char *id, size_t idlen,
    u_int64_t wait_ms, int (*fail)(struct drop_ctx *, const char *),
    int (*read)(struct drop_ctx *))
{
	struct drop_idem	*im = ctx->data;
	const char		*code, *made, *response;

	if ((code = drop_col(ctx, 0, "code")) == NULL)
		return (drop_fail_internal(ctx, "money route without outcome"));
	made = drop_col(ctx, 0, "tx_id");
	response = drop_col(ctx, 0, "response");
	if (!strcmp(code, "replay") && response != NULL)
		return (drop_reply_text(ctx, 201, response));
	if (strcmp(code, "ok") && strcmp(code, "replay"))
		return (fail(ctx, code));
	if (made == NULL || strlen(made) >= idlen)
		return (drop_fail_internal(ctx, "money route without its id"));

	(void)kore_strlcpy(id, made, idlen);
	if (!strcmp(code, "replay")) {
		im->key = NULL;
		return (read(ctx));
	}

	/* Recorded: the bank is asked now; its answer or the deadline wakes. */
	drop_outbox_kick(id);
	return (drop_outbox_wait(ctx, id, wait_ms, read));
}

/* The answer of table (ending in a NULL code) for code; else a 500. */
int
drop_refuse(struct drop_ctx *ctx, const struct drop_refusal *table,
    const char *code)
{
	const struct drop_refusal	*e;

	for (e = table; e->code != NULL; e++) {
		if (strcmp(e->code, code))
			continue;
		if (e->field != NULL)
			drop_detail(ctx, e->field, e->detail);
		return (drop_error(ctx, e->status, e->error, e->message));
	}

	return (drop_fail_internal(ctx, code));
}

/* A reply not sent (the request ended first) is freed. */
void
drop_idem_cleanup(struct drop_ctx *ctx)
{
	struct drop_idem	*im = ctx->data;

	json_decref(im->reply);
	im->reply = NULL;
}
