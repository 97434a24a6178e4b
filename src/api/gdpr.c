/*
 * The account under GDPR (§11): export of everything Drop holds about the
 * caller (built by drop_export in SQL, recorded), and erasure after the
 * account's password again (soft delete, sessions revoked, cookies
 * cleared, recorded; kept for the AML retention, see docs/decisions.md).
 */

#include <stdlib.h>
#include <string.h>

#include "drop.h"

/* Newest transactions and notifications in one export (flat memory). */
#define EXPORT_ROWS_MAX		"10000"
#define EXPORT_TIMEOUT_MS	10000	/* a rare, long read: more than 2 s */

#define RETENTION_NOTE	"Data retained for 5 years per AML requirements"

struct account_state {
	char		dar[DROP_ID_LEN];
	char		noti[DROP_ID_LEN];
};

static int	export_start(struct drop_ctx *);
static int	export_done(struct drop_ctx *);
static void	export_unseal(struct drop_ctx *, json_t *);
static int	erase_check(struct drop_ctx *);
static int	erase_start(struct drop_ctx *);
static int	erase_verified(struct drop_ctx *);
static int	erase_done(struct drop_ctx *);

/* The erasure's re-authentication: the account's current password. */
static const struct drop_field erase_fields[] = {
	{ "password",		DROP_T_SECRET,	0 },
	{ NULL, 0, 0 }
};

static const struct drop_method export_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH,
	    .start = export_start },
	{ .method = 0 }
};
static const struct drop_method account_methods[] = {
	{ .method = HTTP_METHOD_DELETE, .flags = DROP_AUTH | DROP_BODY_OPT |
	    DROP_RL_AUTH, .fields = erase_fields, .check = erase_check,
	    .start = erase_start },
	{ .method = 0 }
};

static const struct drop_route export_route = {
	.name = "user.export",
	.methods = export_methods,
	.datalen = sizeof(struct account_state),
};
static const struct drop_route account_route = {
	.name = "user.account",
	.methods = account_methods,
	.datalen = sizeof(struct account_state),
};

static const char	sql_export[] =
    "SELECT drop_export($1, $2, $3::int) AS doc, iso(now()) AS at";

static const char	sql_erase[] =
    "SELECT drop_erase($1, $2, $3) AS erased";

DROP_ROUTE(api_data_export, export_route);
DROP_ROUTE(api_account, account_route);
static int
export_start(struct drop_ctx *ctx)
{
	struct account_state	*st = ctx->data;
	const char		*params[3];

	if (drop_id_new("dar_", st->dar, sizeof(st->dar)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	params[0] = ctx->sess.user_id;
	params[1] = st->dar;
	params[2] = EXPORT_ROWS_MAX;
	ctx->sql_timeout = EXPORT_TIMEOUT_MS;

	return (drop_sql(ctx, sql_export, 3, params, export_done));
}

/* The document is built in SQL: its sealed identity numbers, opened. */
static void
export_unseal(struct drop_ctx *ctx, json_t *doc)
{
	json_t		*list, *kyc, *id;
	size_t		 i;

	list = json_object_get(doc, "kycSubmissions");
	json_array_foreach(list, i, kyc) {
		id = json_object_get(kyc, "national_id");
		if (json_is_string(id))
			json_object_set_new(kyc, "national_id",
			    drop_json_unsealed(ctx, "national_id",
			    json_string_value(id)));
	}
}

/* { "data": {...}, "exportedAt": "..." }, as a file to save. */
static int
export_done(struct drop_ctx *ctx)
{
	json_t		*obj, *doc;
	json_error_t	 err;
	const char	*text;

	if (drop_rows(ctx) != 1 || (text = drop_col(ctx, 0, "doc")) == NULL ||
	    (doc = json_loads(text, 0, &err)) == NULL)
		return (drop_fail_internal(ctx, "export document unreadable"));
	export_unseal(ctx, doc);
	obj = json_object();
	json_object_set_new(obj, "data", doc);
	json_object_set_new(obj, "exportedAt",
	    json_string(drop_col(ctx, 0, "at")));
	http_response_header(ctx->req, "content-disposition",
	    "attachment; filename=\"drop-data-export.json\"");

	return (drop_reply_obj(ctx, 200, obj));
}

/* No password at all is 400 (contract §11); a wrong type is a detail. */
static int
erase_check(struct drop_ctx *ctx)
{
	if (json_object_get(ctx->body, "password") != NULL)
		return (0);
	(void)drop_error(ctx, 400, "bad_request",
	    "Your password is required to delete the account");

	return (DROP_STEP_DONE);
}

static int
erase_start(struct drop_ctx *ctx)
{
	return (drop_reauth(ctx, "password", erase_verified));
}

/* The password matched (core/passwd.c): the account goes. */
static int
erase_verified(struct drop_ctx *ctx)
{
	struct account_state	*st = ctx->data;
	const char		*params[3];

	if (drop_id_new("dar_", st->dar, sizeof(st->dar)) != 0 ||
	    drop_id_new("noti_", st->noti, sizeof(st->noti)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	params[0] = ctx->sess.user_id;
	params[1] = st->dar;
	params[2] = st->noti;

	return (drop_sql(ctx, sql_erase, 3, params, erase_done));
}

static int
erase_done(struct drop_ctx *ctx)
{
	json_t		*obj;

	if (drop_rows(ctx) != 1 || !drop_col_bool(ctx, 0, "erased"))
		return (drop_error(ctx, 401, "unauthorized",
		    "Session expired or revoked"));
	drop_session_clear_cookies(ctx);
	obj = json_object();
	json_object_set_new(obj, "message",
	    json_string("Account scheduled for deletion"));
	json_object_set_new(obj, "retentionNote", json_string(RETENTION_NOTE));

	return (drop_reply_obj(ctx, 200, obj));
}
