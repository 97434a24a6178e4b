/*
 * What the request says: the JSON body checked against the route's field
 * table (types, required fields, sanitized text) and kore.conf's
 * validators, declared query arguments, ids in the path, money fields.
 */

#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "drop.h"
#include "pipeline.h"

static int	field_index(struct drop_ctx *, const char *);
static const char *validator_message(const char *);

/* Every validator has a message (confcheck.c); the fallback is a guard. */
static const char *
validator_message(const char *validator)
{
	const char	*msg;

	msg = drop_validator_message(validator);
	return (msg != NULL ? msg : "is invalid");
}

/* JSON object with every required field present and of the right type. */
int
drop_body_parse(struct drop_ctx *ctx)
{
	const struct drop_field	*f;
	json_error_t		 err;
	json_t			*v;
	struct kore_buf		*b;
	char			 clean[16384];	/* 2000 4-byte characters */
	int			 i, ok;

	b = ctx->req->http_body;
	if (b == NULL || ctx->req->http_body_length == 0) {
		drop_detail(ctx, "body", "A JSON object is required");
		return (0);
	}
	ctx->body = json_loadb((const char *)b->data, ctx->req->http_body_length,
	    JSON_REJECT_DUPLICATES, &err);
	if (ctx->body == NULL || !json_is_object(ctx->body)) {
		drop_detail(ctx, "body", "Malformed JSON");
		return (0);
	}

	ok = 1;
	for (i = 0, f = ctx->method->fields; f != NULL && f->name != NULL &&
	    i < DROP_FIELDS_MAX; f++, i++) {
		v = json_object_get(ctx->body, f->name);
		if (v == NULL || json_is_null(v)) {
			if (f->required) {
				drop_detail(ctx, f->name, "is required");
				ok = 0;
			}
			continue;
		}
		if (((f->type == DROP_T_STRING || f->type == DROP_T_SECRET) &&
		    !json_is_string(v)) ||
		    (f->type == DROP_T_NUMBER && !json_is_number(v)) ||
		    (f->type == DROP_T_BOOL && !json_is_boolean(v)) ||
		    (f->type == DROP_T_ARRAY && !json_is_array(v))) {
			drop_detail(ctx, f->name, "has the wrong type");
			ok = 0;
			continue;
		}
		if (f->type == DROP_T_SECRET) {
			ctx->text[i] = kore_strdup(json_string_value(v));
			continue;
		}
		if (f->type != DROP_T_STRING)
			continue;
		if (json_string_length(v) >= sizeof(clean) ||
		    drop_sanitize(json_string_value(v), clean,
		    sizeof(clean)) != 0) {
			drop_detail(ctx, f->name, "is too long");
			continue;
		}
		ctx->text[i] = kore_strdup(clean);
	}

	return (ok);
}

/*
 * Wipes what a request with a secret field (a password, a PIN) kept of it
 * before the memory is freed: Drop's copy, jansson's string and the raw
 * body Kore read. Other copies (TLS buffers) are OpenSSL's and Kore's.
 */
void
drop_body_wipe(struct drop_ctx *ctx)
{
	const struct drop_field	*f;
	struct kore_buf		*b;
	json_t			*v;
	int			 i, secret;

	if (ctx->method == NULL)
		return;
	secret = 0;
	for (i = 0, f = ctx->method->fields; f != NULL && f->name != NULL &&
	    i < DROP_FIELDS_MAX; f++, i++) {
		if (f->type != DROP_T_SECRET)
			continue;
		secret = 1;
		if (ctx->text[i] != NULL)
			explicit_bzero(ctx->text[i], strlen(ctx->text[i]));
		if (ctx->body != NULL &&
		    (v = json_object_get(ctx->body, f->name)) != NULL &&
		    json_is_string(v))
			/* jansson's own buffer, about to be freed by it */
			explicit_bzero((char *)(uintptr_t)json_string_value(v),
			    json_string_length(v));
	}
	b = ctx->req != NULL ? ctx->req->http_body : NULL;
	if (secret && b != NULL && b->data != NULL)
		explicit_bzero(b->data, b->length);
}

/* Runs every validator kore.conf declares for this route and method. */
void
drop_body_validate(struct drop_ctx *ctx)
{
	struct kore_handler_params	*p;
	int				 i;

	if (ctx->req->hdlr == NULL)
		return;
	TAILQ_FOREACH(p, &ctx->req->hdlr->params, list) {
		if (!(p->method & ctx->req->method))
			continue;
		if ((i = field_index(ctx, p->name)) < 0 || ctx->text[i] == NULL)
			continue;
		if (!kore_validator_check(ctx->req, p->validator,
		    ctx->text[i]))
			drop_detail(ctx, p->name,
			    validator_message(p->validator->name));
	}
}

static int
field_index(struct drop_ctx *ctx, const char *name)
{
	const struct drop_field	*f;
	int			 i;

	for (i = 0, f = ctx->method->fields; f != NULL && f->name != NULL &&
	    i < DROP_FIELDS_MAX; f++, i++) {
		if (!strcmp(f->name, name))
			return (i);
	}

	return (-1);
}

/* The sanitized text of a declared string field, or NULL. */
const char *
drop_text(struct drop_ctx *ctx, const char *name)
{
	int		i;

	if ((i = field_index(ctx, name)) < 0)
		return (NULL);
	return (ctx->text[i]);
}

json_t *
drop_field(struct drop_ctx *ctx, const char *name)
{
	json_t		*v;

	if (ctx->body == NULL)
		return (NULL);
	v = json_object_get(ctx->body, name);
	return (json_is_null(v) ? NULL : v);
}

/*
 * A body array of 1 to all of known (NULL-ended) strings, each at most
 * once, as a SQL array literal in out ("{a,b}"); 0, or -1 and a detail
 * for name (too_few_or_many, or not_known for a stranger or a repeat).
 */
int
drop_field_set(struct drop_ctx *ctx, const char *name,
    const char *const *known, const char *too_few_or_many,
    const char *not_known, char *out, size_t outlen)
{
	json_t		*list, *v;
	const char	*s;
	size_t		 i, n, off, all;
	unsigned int	 seen;
	int		 k, w;

	for (all = 0; known[all] != NULL; all++)
		;
	list = drop_field(ctx, name);
	n = json_array_size(list);
	if (n < 1 || n > all || all > 8 * sizeof(seen)) {
		drop_detail(ctx, name, too_few_or_many);
		return (-1);
	}
	seen = 0;
	off = 0;
	out[0] = '\0';
	json_array_foreach(list, i, v) {
		s = json_is_string(v) ? json_string_value(v) : "";
		for (k = 0; known[k] != NULL && strcmp(known[k], s); k++)
			;
		if (known[k] == NULL || (seen & (1U << k))) {
			drop_detail(ctx, name, not_known);
			return (-1);
		}
		seen |= 1U << k;
		w = snprintf(out + off, outlen - off, "%s%s", i == 0 ? "{" : ",",
		    known[k]);
		if (w < 0 || (size_t)w >= outlen - off)
			fatalx("drop_field_set: %s does not fit", name);
		off += (size_t)w;
	}
	if (off + 2 > outlen)
		fatalx("drop_field_set: %s does not fit", name);
	out[off] = '}';
	out[off + 1] = '\0';

	return (0);
}

/* A query argument that passed its validator, or NULL: a list's filter. */
const char *
drop_query_opt(struct drop_ctx *ctx, const char *name)
{
	const char	*v;

	return (drop_query_arg(ctx, name, &v) == 1 ? v : NULL);
}

/*
 * A query argument that passed its kore.conf validator: 1 with *out set,
 * 0 when absent, -1 when present but invalid.
 */
int
drop_query_arg(struct drop_ctx *ctx, const char *name, const char **out)
{
	char		*value;
	const char	*qs, *p;
	size_t		 nlen;

	if (!ctx->qs_populated) {
		http_populate_get(ctx->req);
		ctx->qs_populated = 1;
	}
	if (http_argument_get_string(ctx->req, name, &value)) {
		*out = value;
		return (1);
	}
	if ((qs = ctx->req->query_string) == NULL)
		return (0);
	nlen = strlen(name);
	for (p = qs; p != NULL && *p != '\0'; p = strchr(p, '&')) {
		if (*p == '&')
			p++;
		if (!strncmp(p, name, nlen) && (p[nlen] == '=' ||
		    p[nlen] == '&' || p[nlen] == '\0'))
			return (-1);
	}

	return (0);
}

/* Path segment n (0 = first after the leading slash) as an id; 0 if bad. */
int
drop_path_id(struct drop_ctx *ctx, int n, const char *prefix, char *out,
    size_t outlen)
{
	const char	*p, *end;
	size_t		 len;

	p = ctx->req->path;
	for (; n >= 0 && p != NULL; n--)
		p = (p = strchr(p, '/')) == NULL ? NULL : p + 1;
	if (p == NULL)
		return (0);
	end = strchr(p, '/');
	len = end == NULL ? strlen(p) : (size_t)(end - p);
	if (len >= outlen)
		return (0);
	memcpy(out, p, len);
	out[len] = '\0';

	return (drop_id_valid(prefix, out));
}

/* 0 when ore is within [min, max]; else a detail for name and -1. */
int
drop_money_range(struct drop_ctx *ctx, const char *name, int64_t ore,
    int64_t min, int64_t max)
{
	char		 lo[32], hi[32], msg[128];

	if (ore >= min && ore <= max)
		return (0);
	(void)drop_money_format(min, lo, sizeof(lo));
	(void)drop_money_format(max, hi, sizeof(hi));
	(void)snprintf(msg, sizeof(msg), "must be from %s to %s", lo, hi);
	drop_detail(ctx, name, msg);

	return (-1);
}

/*
 * A money field of the body in øre, within [min, max]; adds a detail and
 * returns -1 when it has more than two decimals or is out of range.
 */
int
drop_money_field(struct drop_ctx *ctx, const char *name, int64_t min,
    int64_t max, int64_t *ore)
{
	struct kore_buf	*b;
	json_t		*v;
	char		 text[64];

	if ((v = drop_field(ctx, name)) == NULL || !json_is_number(v))
		return (-1);
	/* The digits the client wrote, not the double jansson made of them. */
	b = ctx->req->http_body;
	if (b == NULL || drop_json_raw_member((const char *)b->data,
	    ctx->req->http_body_length, name, text, sizeof(text)) != 0 ||
	    drop_money_parse(text, ore) != 0) {
		drop_detail(ctx, name, "must have at most 2 decimals");
		return (-1);
	}

	return (drop_money_range(ctx, name, *ore, min, max));
}

/* The validator kore.conf names for a query argument, or NULL. */
static const char *
query_validator(struct drop_ctx *ctx, const char *name)
{
	struct kore_handler_params	*p;

	if (ctx->req->hdlr == NULL)
		return (NULL);
	TAILQ_FOREACH(p, &ctx->req->hdlr->params, list) {
		if ((p->flags & KORE_PARAMS_QUERY_STRING) &&
		    (p->method & HTTP_METHOD_GET) && !strcmp(p->name, name))
			return (p->validator->name);
	}

	return (NULL);
}

/* A detail for each declared query argument its validator refused. */
void
drop_query_validate(struct drop_ctx *ctx)
{
	const char *const	*name;
	const char		*v, *validator;

	for (name = ctx->method->query; name != NULL && *name != NULL;
	    name++) {
		if (drop_query_arg(ctx, *name, &v) != -1)
			continue;
		validator = query_validator(ctx, *name);
		drop_detail(ctx, *name, validator != NULL ?
		    validator_message(validator) : "is invalid");
	}
}

/*
 * A text field, when given, of min to max characters (after sanitizing);
 * else a detail "must be min-max characters".
 */
void
drop_text_length(struct drop_ctx *ctx, const char *name, size_t min,
    size_t max)
{
	const char	*v;
	size_t		 n;
	char		 msg[64];

	if ((v = drop_text(ctx, name)) == NULL)
		return;
	n = drop_utf8_len(v);
	if (n >= min && n <= max)
		return;
	if (min > 0)
		(void)snprintf(msg, sizeof(msg), "must be %zu-%zu characters",
		    min, max);
	else
		(void)snprintf(msg, sizeof(msg), "must be at most %zu "
		    "characters", max);
	drop_detail(ctx, name, msg);
}
