/*
 * Identity checks (issue 20, contract §12): a user submits what a
 * Norwegian identity check needs (POST /api/kyc; screened against the
 * sanctions list at once); compliance works the queue (GET
 * /internal/kyc) and decides (POST /internal/kyc/{id}/decision, with a
 * reason; a case near a sanctioned name needs a second operator); the
 * admin's direct switch (POST /internal/users/{id}/kyc) stays, audited.
 * The rules are in sql/functions/018_kyc.sql.
 */

#include <string.h>

#include "drop.h"

struct kyc_state {
	char		id[DROP_ID_LEN];
	char		user_id[DROP_ID_LEN];
	const char	*decision;
	char		national_id[DROP_SEAL_TEXT_MAX];	/* sealed */
	char		birth[7];	/* its first six digits, DDMMYY */
};

static int	submit_check(struct drop_ctx *);
static int	submit_start(struct drop_ctx *);
static int	submit_done(struct drop_ctx *);
static int	submit_reply(struct drop_ctx *);
static int	queue_filter(struct drop_ctx *, const char **, const char **);
static int	decide_check(struct drop_ctx *);
static int	decide_start(struct drop_ctx *);
static int	decide_done(struct drop_ctx *);
static int	decide_reply(struct drop_ctx *);
static int	switch_start(struct drop_ctx *);
static int	switch_done(struct drop_ctx *);

static const struct drop_field submit_fields[] = {
	{ "legalName",		DROP_T_STRING,	1 },
	{ "address",		DROP_T_STRING,	1 },
	{ "nationalId",		DROP_T_SECRET,	1 },
	{ "purpose",		DROP_T_STRING,	1 },
	{ "purposeDetail",	DROP_T_STRING,	0 },
	{ NULL, 0, 0 }
};

static const struct drop_field decide_fields[] = {
	{ "decision",		DROP_T_STRING,	1 },
	{ "reason",		DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_field switch_fields[] = {
	{ "status",		DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};

#define CASE_COLUMNS \
    "k.id, k.user_id, k.legal_name, k.address, k.national_id, k.purpose, " \
    "k.purpose_detail, k.status, k.sanctions_entry, k.sanctions_name, " \
    "round(k.sanctions_score::numeric, 2)::text AS score, " \
    "k.first_approver, k.decided_by, k.reason, iso(k.decided_at) AS " \
    "decided, iso(k.created_at) AS created"

static const struct drop_colmap case_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "userId",		"user_id",		DROP_COL_TEXT },
	{ "legalName",		"legal_name",		DROP_COL_TEXT },
	{ "address",		"address",		DROP_COL_TEXT },
	{ "nationalId",		"national_id",		DROP_COL_SEALED },
	{ "purpose",		"purpose",		DROP_COL_TEXT },
	{ "purposeDetail",	"purpose_detail",	DROP_COL_TEXT },
	{ "status",		"status",		DROP_COL_TEXT },
	{ "sanctionsEntry",	"sanctions_entry",	DROP_COL_TEXT },
	{ "sanctionsName",	"sanctions_name",	DROP_COL_TEXT },
	{ "sanctionsScore",	"score",		DROP_COL_RATE },
	{ "firstApprover",	"first_approver",	DROP_COL_TEXT },
	{ "decidedBy",		"decided_by",		DROP_COL_TEXT },
	{ "reason",		"reason",		DROP_COL_TEXT },
	{ "decidedAt",		"decided",		DROP_COL_TEXT },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/* $1 (the operator) is no filter; $6 a status or NULL. */
#define QUEUE_WHERE \
    "$1::text IS NOT NULL AND ($6::text IS NULL OR k.status = $6)"

static const struct drop_list queue_list = {
	.def_limit = 20,
	.max_limit = 100,
	.sql = DROP_PAGE_SQL("page AS (SELECT " CASE_COLUMNS ", k.created_at "
	    "FROM kyc_submissions k WHERE " QUEUE_WHERE " AND "
	    DROP_PAGE_AFTER("k.") ")", "SELECT count(*) FROM kyc_submissions "
	    "k WHERE " QUEUE_WHERE, "", ""),
	.filter = queue_filter,
	.map = case_map,
};

static const char *const queue_query[] = { "status", NULL };

static const struct drop_method submit_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_BODY,
	    .fields = submit_fields, .check = submit_check,
	    .start = submit_start },
	{ .method = 0 }
};
static const struct drop_method queue_methods[] = {
	{ .method = HTTP_METHOD_GET, .ops = DROP_OPS_AUDIT,
	    .query = queue_query, .list = &queue_list },
	{ .method = 0 }
};
static const struct drop_method decide_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY, .ops = DROP_OPS_AUDIT,
	    .fields = decide_fields, .check = decide_check,
	    .start = decide_start },
	{ .method = 0 }
};
static const struct drop_method switch_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_BODY, .ops = DROP_OP_ADMIN,
	    .fields = switch_fields, .start = switch_start },
	{ .method = 0 }
};

static const struct drop_route submit_route = {
	.name = "kyc",
	.methods = submit_methods,
	.datalen = sizeof(struct kyc_state),
};
static const struct drop_route queue_route = {
	.name = "internal.kyc",
	.methods = queue_methods,
};
static const struct drop_route decide_route = {
	.name = "internal.kyc.decision",
	.methods = decide_methods,
	.datalen = sizeof(struct kyc_state),
};
static const struct drop_route switch_route = {
	.name = "internal.user.kyc",
	.methods = switch_methods,
	.datalen = sizeof(struct kyc_state),
};

static const char	sql_submit[] =
    "SELECT drop_kyc_submit($1, $2, $3, $4, $5, $6, $7, $8) AS result";
static const char	sql_decide[] =
    "SELECT drop_kyc_decide($1, $2, $3, $4, $5) AS result";
static const char	sql_case[] =
    "SELECT " CASE_COLUMNS " FROM kyc_submissions k WHERE k.id = $1";

/* The admin's switch, audited in the same statement as the change. */
static const char	sql_switch[] =
    "WITH old AS (SELECT id, kyc_status FROM users WHERE id = $1 "
    "AND deleted_at IS NULL FOR UPDATE), "
    "upd AS (UPDATE users u SET kyc_status = $2, updated_at = now() "
    "FROM old WHERE u.id = old.id RETURNING u.id, u.kyc_status), "
    "aud AS (INSERT INTO audit_log (actor, action, entity, entity_id, "
    "before, after, request_id) SELECT $4, 'user.kyc', 'user', upd.id, "
    "jsonb_build_object('kycStatus', old.kyc_status), "
    "jsonb_build_object('kycStatus', upd.kyc_status), $3 FROM upd, old) "
    "SELECT id, kyc_status FROM upd";

DROP_ROUTE(api_kyc, submit_route);
DROP_ROUTE(internal_kyc, queue_route);
DROP_ROUTE(internal_kyc_decision, decide_route);
DROP_ROUTE(internal_user_kyc, switch_route);

/* Lengths in characters, after sanitizing. */
static int
submit_check(struct drop_ctx *ctx)
{
	drop_text_length(ctx, "address", 1, 300);
	drop_text_length(ctx, "purposeDetail", 0, 500);

	return (0);
}

static int
submit_start(struct drop_ctx *ctx)
{
	struct kyc_state	*st = ctx->data;
	const char		*params[8], *fnr;

	/* kore.conf's v_national_id let through 11 digits only. */
	fnr = drop_text(ctx, "nationalId");
	if (fnr == NULL || strlen(fnr) != 11)
		return (drop_fail_internal(ctx, "national id unchecked"));
	if (drop_id_new("kyc_", st->id, sizeof(st->id)) != 0 ||
	    drop_seal_text("national_id", fnr, st->national_id,
	    sizeof(st->national_id)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	memcpy(st->birth, fnr, 6);
	st->birth[6] = '\0';
	params[0] = ctx->sess.user_id;
	params[1] = st->id;
	params[2] = drop_text(ctx, "legalName");
	params[3] = drop_text(ctx, "address");
	params[4] = st->birth;
	params[5] = st->national_id;
	params[6] = drop_text(ctx, "purpose");
	params[7] = drop_text(ctx, "purposeDetail");

	return (drop_sql(ctx, sql_submit, 8, params, submit_done));
}

static int
submit_done(struct drop_ctx *ctx)
{
	const char	*result;

	result = drop_rows(ctx) == 1 ? drop_col(ctx, 0, "result") : NULL;
	if (result == NULL)
		return (drop_error(ctx, 401, "unauthorized",
		    "Session expired or revoked"));
	if (!strcmp(result, "open"))
		return (drop_error(ctx, 409, "conflict",
		    "Your identity check is already being reviewed"));
	if (!strcmp(result, "approved"))
		return (drop_error(ctx, 409, "conflict",
		    "Your identity is already verified"));
	if (!strcmp(result, "dob_mismatch")) {
		drop_detail(ctx, "nationalId",
		    "does not match your date of birth");
		return (drop_fail_details(ctx, 422, "Validation failed"));
	}

	return (submit_reply(ctx));
}

/* What the user sent comes back without the identity number. */
static int
submit_reply(struct drop_ctx *ctx)
{
	struct kyc_state	*st = ctx->data;
	json_t			*data;

	data = json_object();
	json_object_set_new(data, "id", json_string(st->id));
	json_object_set_new(data, "status", json_string("in_review"));
	json_object_set_new(data, "legalName",
	    json_string(drop_text(ctx, "legalName")));
	json_object_set_new(data, "purpose",
	    json_string(drop_text(ctx, "purpose")));

	return (drop_reply(ctx, 201, data));
}

static int
queue_filter(struct drop_ctx *ctx, const char **params, const char **sql)
{
	(void)sql;
	params[0] = drop_query_opt(ctx, "status");

	return (1);
}

static int
decide_check(struct drop_ctx *ctx)
{
	drop_text_length(ctx, "reason", 1, 1000);

	return (0);
}

static int
decide_start(struct drop_ctx *ctx)
{
	struct kyc_state	*st = ctx->data;
	const char		*params[5];

	if (!drop_path_id(ctx, 2, "kyc_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found",
		    "Identity check not found"));
	st->decision = drop_text(ctx, "decision");
	params[0] = st->id;
	params[1] = ctx->sess.operator_id;
	params[2] = st->decision;
	params[3] = drop_text(ctx, "reason");
	params[4] = ctx->reqid;

	return (drop_sql(ctx, sql_decide, 5, params, decide_done));
}

static int
decide_done(struct drop_ctx *ctx)
{
	struct kyc_state	*st = ctx->data;
	const char		*result, *params[1];

	result = drop_rows(ctx) == 1 ? drop_col(ctx, 0, "result") : NULL;
	if (result == NULL)
		return (drop_fail_internal(ctx, "kyc decision: no result"));
	if (!strcmp(result, "not_found"))
		return (drop_error(ctx, 404, "not_found",
		    "Identity check not found"));
	if (!strcmp(result, "conflict"))
		return (drop_error(ctx, 409, "conflict",
		    "This identity check is decided already"));
	if (!strcmp(result, "same_operator"))
		return (drop_error(ctx, 409, "conflict", "A near sanctions match "
		    "needs a second operator's approval, not yours again"));
	params[0] = st->id;

	return (drop_sql(ctx, sql_case, 1, params, decide_reply));
}

/* The case as it now is; 202 while it waits for a second approval. */
static int
decide_reply(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "kyc case reload: no row"));

	return (drop_reply(ctx, strcmp(drop_col(ctx, 0, "status"),
	    "in_review") ? 200 : 202, drop_row_json(ctx, 0, case_map, NULL)));
}

static int
switch_start(struct drop_ctx *ctx)
{
	struct kyc_state	*st = ctx->data;
	const char		*params[4];

	if (!drop_path_id(ctx, 2, "usr_", st->user_id, sizeof(st->user_id)))
		return (drop_error(ctx, 404, "not_found", "User not found"));
	params[0] = st->user_id;
	params[1] = drop_text(ctx, "status");
	params[2] = ctx->reqid;
	params[3] = ctx->sess.operator_id;

	return (drop_sql(ctx, sql_switch, 4, params, switch_done));
}

static int
switch_done(struct drop_ctx *ctx)
{
	json_t		*data;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "User not found"));
	data = json_object();
	json_object_set_new(data, "id", json_string(drop_col(ctx, 0, "id")));
	json_object_set_new(data, "kycStatus",
	    json_string(drop_col(ctx, 0, "kyc_status")));

	return (drop_reply(ctx, 200, data));
}
