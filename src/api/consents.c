/*
 * Consents (§11): the current state of each type, and grants and
 * withdrawals with the client address (trusted proxies respected) and
 * their times; every change also kept as history (drop_consent_set).
 */

#include <string.h>

#include "drop.h"

struct consent_state {
	char		id[DROP_ID_LEN];
	char		ip[64];
};

static int	list_start(struct drop_ctx *);
static int	list_done(struct drop_ctx *);
static int	set_start(struct drop_ctx *);
static int	set_done(struct drop_ctx *);

static const struct drop_field set_fields[] = {
	{ "consentType",	DROP_T_STRING,	1 },
	{ "granted",		DROP_T_BOOL,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH, .start = list_start },
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_BODY,
	    .fields = set_fields, .start = set_start },
	{ .method = 0 }
};

static const struct drop_route route = {
	.name = "consents",
	.methods = methods,
	.datalen = sizeof(struct consent_state),
};

static const char	sql_list[] =
    "SELECT id, consent_type, granted, iso(granted_at) AS granted_at, "
    "iso(withdrawn_at) AS withdrawn_at, ip_address FROM consents "
    "WHERE user_id = $1 ORDER BY consent_type";

static const char	sql_set[] =
    "SELECT * FROM drop_consent_set($1, $2, $3, $4::boolean, $5)";

DROP_ROUTE(api_consents, route);
static const struct drop_colmap consent_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "consent_type",	"consent_type",		DROP_COL_TEXT },
	{ "granted",		"granted",		DROP_COL_BOOL },
	{ "granted_at",		"granted_at",		DROP_COL_TEXT },
	{ "withdrawn_at",	"withdrawn_at",		DROP_COL_TEXT },
	{ "ip_address",		"ip_address",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static int
list_start(struct drop_ctx *ctx)
{
	return (drop_user_query(ctx, sql_list, list_done));
}

static int
list_done(struct drop_ctx *ctx)
{
	return (drop_reply_rows(ctx, consent_map, NULL, 16));
}

static int
set_start(struct drop_ctx *ctx)
{
	struct consent_state	*st = ctx->data;
	const char		*params[5];

	if (drop_id_new("con_", st->id, sizeof(st->id)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	drop_client_addr(ctx, st->ip, sizeof(st->ip));
	params[0] = ctx->sess.user_id;
	params[1] = st->id;
	params[2] = drop_text(ctx, "consentType");
	params[3] = json_is_true(drop_field(ctx, "granted")) ? "true" : "false";
	params[4] = st->ip;

	return (drop_sql(ctx, sql_set, 5, params, set_done));
}

/* 201 when this call created the consent, 200 when it changed it. */
static int
set_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "consent: no row"));

	return (drop_reply(ctx, drop_col_bool(ctx, 0, "created") ? 201 : 200,
	    drop_row_json(ctx, 0, consent_map, NULL)));
}
