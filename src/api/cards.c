/*
 * Cards (§10), behind the cards flag (and physicalCards, cardPin,
 * spendingLimits for their routes): list, create, detail, freeze, cancel,
 * order physical, set PIN, spending limits. Always scoped to the owner;
 * only the issuer's token, last four digits, expiry and brand are kept,
 * and of a PIN only when it was set (the issuer keeps the PIN).
 */

#include <stdio.h>
#include <string.h>

#include "drop.h"

#define CARDS_LIVE_MAX		10	/* cards a user may hold, not cancelled */
#define CARD_LIMIT_MAX		100000000	/* 1 000 000.00 NOK */

struct card_state {
	char		 id[DROP_ID_LEN];
	char		 token[DROP_CARD_TOKEN_LEN];
	char		 month[8];
	char		 year[8];
	char		 max[8];
	char		 amount[24];
	const char	*physical;
	struct drop_issued_card issued;
	int		(*action)(struct drop_ctx *);
};

static int	list_start(struct drop_ctx *);
static int	list_done(struct drop_ctx *);
static int	create_check(struct drop_ctx *);
static int	create_start(struct drop_ctx *);
static int	card_done(struct drop_ctx *);
static int	created_done(struct drop_ctx *);
static int	status_loaded(struct drop_ctx *);
static int	cancel_loaded(struct drop_ctx *);
static int	physical_loaded(struct drop_ctx *);
static int	pin_loaded(struct drop_ctx *);
static int	pin_done(struct drop_ctx *);
static int	limits_loaded(struct drop_ctx *);
static int	limits_done(struct drop_ctx *);
static int	limit_check(struct drop_ctx *);
static int	limit_loaded(struct drop_ctx *);
static int	limit_done(struct drop_ctx *);
static int	card_loaded(struct drop_ctx *);
static int	card_start(struct drop_ctx *);

static const struct drop_field create_fields[] = {
	{ "type",	DROP_T_STRING,	0 },
	{ "address",	DROP_T_STRING,	0 },
	{ NULL, 0, 0 }
};
static const struct drop_field status_fields[] = {
	{ "status",	DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};
static const struct drop_field physical_fields[] = {
	{ "address",	DROP_T_STRING,	1 },
	{ NULL, 0, 0 }
};
static const struct drop_field pin_fields[] = {
	{ "pin",	DROP_T_SECRET,	1 },
	{ NULL, 0, 0 }
};
static const struct drop_field limit_fields[] = {
	{ "limitType",	DROP_T_STRING,	1 },
	{ "amount",	DROP_T_NUMBER,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method cards_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH, .start = list_start },
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_BODY_OPT,
	    .fields = create_fields, .check = create_check,
	    .start = create_start },
	{ .method = 0 }
};
static const struct drop_method card_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH, .start = card_start },
	{ .method = HTTP_METHOD_PATCH, .flags = DROP_AUTH | DROP_BODY,
	    .fields = status_fields, .start = card_start },
	{ .method = HTTP_METHOD_DELETE, .flags = DROP_AUTH,
	    .start = card_start },
	{ .method = 0 }
};
static const struct drop_method physical_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_BODY,
	    .fields = physical_fields, .start = card_start },
	{ .method = 0 }
};
static const struct drop_method pin_methods[] = {
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_BODY |
	    DROP_RL_PIN, .fields = pin_fields, .start = card_start },
	{ .method = 0 }
};
static const struct drop_method limits_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH, .start = card_start },
	{ .method = HTTP_METHOD_PUT, .flags = DROP_AUTH | DROP_BODY,
	    .fields = limit_fields, .check = limit_check, .start = card_start },
	{ .method = 0 }
};

static const struct drop_route cards_route = {
	.name = "cards",
	.methods = cards_methods,
	.datalen = sizeof(struct card_state),
	.flags = DROP_FLAG_CARDS,
};
static const struct drop_route card_route = {
	.name = "card",
	.methods = card_methods,
	.datalen = sizeof(struct card_state),
	.flags = DROP_FLAG_CARDS,
};
static const struct drop_route physical_route = {
	.name = "card.physical",
	.methods = physical_methods,
	.datalen = sizeof(struct card_state),
	.flags = DROP_FLAG_CARDS | DROP_FLAG_PHYSICAL_CARDS,
};
static const struct drop_route pin_route = {
	.name = "card.pin",
	.methods = pin_methods,
	.datalen = sizeof(struct card_state),
	.flags = DROP_FLAG_CARDS | DROP_FLAG_CARD_PIN,
};
static const struct drop_route limits_route = {
	.name = "card.limits",
	.methods = limits_methods,
	.datalen = sizeof(struct card_state),
	.flags = DROP_FLAG_CARDS | DROP_FLAG_SPENDING_LIMITS,
};

#define CARD_COLUMNS \
    "id, type, status, brand, last4, expiry_month, expiry_year, " \
    "iso(created_at) AS created"

static const char	sql_list[] =
    "SELECT " CARD_COLUMNS " FROM cards WHERE user_id = $1 AND "
    "status <> 'cancelled' ORDER BY created_at DESC, id DESC LIMIT 10";

static const char	sql_create[] =
    "SELECT " CARD_COLUMNS " FROM drop_card_create($1, $2, $3, $4, $5, "
    "$6::int, $7::int, $8, $9, $10::int)";

static const char	sql_load[] =
    "SELECT " CARD_COLUMNS ", issuer_token FROM cards "
    "WHERE id = $1 AND user_id = $2";

/* Changes only a live card of its owner; no row means it was cancelled. */
#define CARD_CHANGE(set, cond) \
    "UPDATE cards SET " set ", updated_at = now() WHERE id = $1 AND " \
    "user_id = $2 AND status <> 'cancelled'" cond " RETURNING " CARD_COLUMNS

static const char	sql_status[] = CARD_CHANGE("status = $3", "");
static const char	sql_cancel[] = CARD_CHANGE("status = 'cancelled'", "");
static const char	sql_physical[] = CARD_CHANGE(
    "type = 'physical', shipping_address = $3", " AND type = 'virtual'");
static const char	sql_pin[] = CARD_CHANGE("pin_set_at = now()", "");

static const char	sql_limits[] =
    "SELECT limit_type, amount, currency FROM card_limits "
    "WHERE card_id = $1 ORDER BY limit_type";

/* Replaces one limit type; answers the whole list as it now stands. */
static const char	sql_limit_put[] =
    "WITH c AS (SELECT id FROM cards WHERE id = $1 AND user_id = $2 AND "
    "status <> 'cancelled' FOR UPDATE), "
    "up AS (INSERT INTO card_limits (card_id, limit_type, amount) "
    "SELECT c.id, $3, $4::bigint FROM c ON CONFLICT (card_id, limit_type) "
    "DO UPDATE SET amount = EXCLUDED.amount, updated_at = now() "
    "RETURNING limit_type, amount, currency) "
    "SELECT l.limit_type, l.amount, l.currency FROM card_limits l, c "
    "WHERE l.card_id = c.id AND l.limit_type <> $3 "
    "UNION ALL SELECT limit_type, amount, currency FROM up ORDER BY 1";

DROP_ROUTE(api_cards, cards_route);
DROP_ROUTE(api_card, card_route);
DROP_ROUTE(api_card_physical, physical_route);
DROP_ROUTE(api_card_pin, pin_route);
DROP_ROUTE(api_card_limits, limits_route);
/* A card as every route shows it: masked, CVV never known. */
static json_t *
card_json(struct drop_ctx *ctx, int row)
{
	json_t		*c;
	char		 masked[DROP_CARD_MASK_LEN];

	if (drop_card_mask(drop_col(ctx, row, "last4"), masked,
	    sizeof(masked)) != 0)
		(void)kore_strlcpy(masked, "**** **** **** ****",
		    sizeof(masked));
	c = json_object();
	json_object_set_new(c, "id", json_string(drop_col(ctx, row, "id")));
	json_object_set_new(c, "type", json_string(drop_col(ctx, row, "type")));
	json_object_set_new(c, "status",
	    json_string(drop_col(ctx, row, "status")));
	json_object_set_new(c, "brand", json_string(drop_col(ctx, row, "brand")));
	json_object_set_new(c, "maskedNumber", json_string(masked));
	json_object_set_new(c, "cvv", json_string("***"));
	json_object_set_new(c, "expiryMonth",
	    json_integer(drop_col_int(ctx, row, "expiry_month")));
	json_object_set_new(c, "expiryYear",
	    json_integer(drop_col_int(ctx, row, "expiry_year")));
	json_object_set_new(c, "createdAt",
	    json_string(drop_col(ctx, row, "created")));

	return (c);
}

static int
list_start(struct drop_ctx *ctx)
{
	return (drop_user_query(ctx, sql_list, list_done));
}

static int
list_done(struct drop_ctx *ctx)
{
	return (drop_reply_rows(ctx, NULL, card_json, CARDS_LIVE_MAX));
}

/* A physical card needs its flag and a shipping address. */
static int
create_check(struct drop_ctx *ctx)
{
	struct card_state	*st = ctx->data;
	const char		*type;

	type = drop_text(ctx, "type");
	st->physical = type != NULL && !strcmp(type, "physical") ?
	    drop_text(ctx, "address") : NULL;
	if (type == NULL || strcmp(type, "physical"))
		return (0);
	if (!drop_flags_on(DROP_FLAG_PHYSICAL_CARDS))
		drop_detail(ctx, "type", "physical cards are not available");
	else if (st->physical == NULL)
		drop_detail(ctx, "address", "is required for a physical card");

	return (0);
}

static int
create_start(struct drop_ctx *ctx)
{
	struct card_state	*st = ctx->data;
	const char		*params[10];
	struct tm		 tm;
	time_t			 now;

	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL ||
	    drop_id_new("card_", st->id, sizeof(st->id)) != 0)
		return (drop_fail_internal(ctx, "no clock or randomness"));
	if (drop_issuer->issue(st->id, st->physical != NULL, tm.tm_year + 1900,
	    tm.tm_mon + 1, &st->issued) != DROP_ISSUER_OK)
		return (drop_error(ctx, 503, "unavailable",
		    "The card issuer is not available; try again later"));
	(void)snprintf(st->month, sizeof(st->month), "%d",
	    st->issued.expiry_month);
	(void)snprintf(st->year, sizeof(st->year), "%d",
	    st->issued.expiry_year);
	(void)snprintf(st->max, sizeof(st->max), "%d", CARDS_LIVE_MAX);
	params[0] = ctx->sess.user_id;
	params[1] = st->id;
	params[2] = st->physical != NULL ? "physical" : "virtual";
	params[3] = st->issued.brand;
	params[4] = st->issued.last4;
	params[5] = st->month;
	params[6] = st->year;
	params[7] = st->issued.token;
	params[8] = st->physical;
	params[9] = st->max;

	return (drop_sql(ctx, sql_create, 10, params, created_done));
}

static int
created_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 409, "conflict",
		    "You already hold the most cards allowed (10)"));

	return (drop_reply(ctx, 201, card_json(ctx, 0)));
}

/* The changed (or loaded) card; no row: it is cancelled, or now is. */
static int
card_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 409, "conflict",
		    "This card cannot be changed"));

	return (drop_reply(ctx, 200, card_json(ctx, 0)));
}

/* What each route and method does once the caller's card is loaded. */
static const struct card_action {
	const struct drop_route	*route;
	int			 method;
	int			(*action)(struct drop_ctx *);
} card_actions[] = {
	{ &card_route,		HTTP_METHOD_GET,	card_done },
	{ &card_route,		HTTP_METHOD_PATCH,	status_loaded },
	{ &card_route,		HTTP_METHOD_DELETE,	cancel_loaded },
	{ &physical_route,	HTTP_METHOD_POST,	physical_loaded },
	{ &pin_route,		HTTP_METHOD_POST,	pin_loaded },
	{ &limits_route,	HTTP_METHOD_GET,	limits_loaded },
	{ &limits_route,	HTTP_METHOD_PUT,	limit_loaded },
	{ NULL,			0,			NULL }
};

/* Loads the caller's card named in the path, then runs its action. */
static int
card_start(struct drop_ctx *ctx)
{
	struct card_state		*st = ctx->data;
	const struct card_action	*a;
	const char			*params[2];

	if (!drop_path_id(ctx, 2, "card_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found", "Card not found"));
	for (a = card_actions; a->route != NULL; a++) {
		if (a->route == ctx->route && a->method == ctx->method->method)
			break;
	}
	if ((st->action = a->action) == NULL)
		return (drop_fail_internal(ctx, "card route without action"));
	params[0] = st->id;
	params[1] = ctx->sess.user_id;

	return (drop_sql(ctx, sql_load, 2, params, card_loaded));
}

/* Another user's card is not found; a cancelled one cannot change. */
static int
card_loaded(struct drop_ctx *ctx)
{
	struct card_state	*st = ctx->data;
	const char		*status;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "Card not found"));
	if (ctx->method->method == HTTP_METHOD_GET)
		return (st->action(ctx));
	status = drop_col(ctx, 0, "status");
	if (status == NULL || !strcmp(status, "cancelled"))
		return (drop_error(ctx, 409, "conflict",
		    "This card is cancelled"));
	(void)kore_strlcpy(st->token, drop_col(ctx, 0, "issuer_token"),
	    sizeof(st->token));

	return (st->action(ctx));
}

/* Runs a change of the loaded card: params $1 id, $2 owner, then value. */
static int
card_change(struct drop_ctx *ctx, const char *sql, const char *value,
    int (*next)(struct drop_ctx *))
{
	struct card_state	*st = ctx->data;
	const char		*params[3];

	params[0] = st->id;
	params[1] = ctx->sess.user_id;
	params[2] = value;

	return (drop_sql(ctx, sql, value != NULL ? 3 : 2, params, next));
}

static int
issuer_failed(struct drop_ctx *ctx)
{
	return (drop_error(ctx, 503, "unavailable",
	    "The card issuer is not available; try again later"));
}

static int
status_loaded(struct drop_ctx *ctx)
{
	struct card_state	*st = ctx->data;
	const char		*status;

	status = drop_text(ctx, "status");
	if (drop_issuer->freeze(st->token, !strcmp(status, "frozen")) !=
	    DROP_ISSUER_OK)
		return (issuer_failed(ctx));

	return (card_change(ctx, sql_status, status, card_done));
}

static int
cancel_loaded(struct drop_ctx *ctx)
{
	struct card_state	*st = ctx->data;

	if (drop_issuer->cancel(st->token) != DROP_ISSUER_OK)
		return (issuer_failed(ctx));

	return (card_change(ctx, sql_cancel, NULL, card_done));
}

static int
physical_loaded(struct drop_ctx *ctx)
{
	struct card_state	*st = ctx->data;
	const char		*type;

	type = drop_col(ctx, 0, "type");
	if (type != NULL && !strcmp(type, "physical"))
		return (drop_error(ctx, 409, "conflict",
		    "This card is already physical"));
	if (drop_issuer->order_physical(st->token,
	    drop_text(ctx, "address")) != DROP_ISSUER_OK)
		return (issuer_failed(ctx));

	return (card_change(ctx, sql_physical, drop_text(ctx, "address"),
	    card_done));
}

/* The issuer takes the PIN; Drop keeps only when it was set. */
static int
pin_loaded(struct drop_ctx *ctx)
{
	struct card_state	*st = ctx->data;

	if (drop_issuer->set_pin(st->token, drop_text(ctx, "pin")) !=
	    DROP_ISSUER_OK)
		return (issuer_failed(ctx));

	return (card_change(ctx, sql_pin, NULL, pin_done));
}

static int
pin_done(struct drop_ctx *ctx)
{
	json_t		*obj;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 409, "conflict", "This card is cancelled"));
	obj = json_object();
	json_object_set_new(obj, "message", json_string("PIN set"));

	return (drop_reply_obj(ctx, 200, obj));
}

static int
limits_loaded(struct drop_ctx *ctx)
{
	struct card_state	*st = ctx->data;
	const char		*params[1];

	params[0] = st->id;
	return (drop_sql(ctx, sql_limits, 1, params, limits_done));
}

static const struct drop_colmap limit_map[] = {
	{ "limitType",		"limit_type",		DROP_COL_TEXT },
	{ "amount",		"amount",		DROP_COL_MONEY },
	{ "currency",		"currency",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static int
limits_done(struct drop_ctx *ctx)
{
	return (drop_reply_rows(ctx, limit_map, NULL, 4));
}

static int
limit_check(struct drop_ctx *ctx)
{
	struct card_state	*st = ctx->data;
	int64_t			 ore;

	if (drop_money_field(ctx, "amount", 1, CARD_LIMIT_MAX, &ore) == 0)
		(void)snprintf(st->amount, sizeof(st->amount), "%lld",
		    (long long)ore);

	return (0);
}

/* The list must hold the limit just written, else the card went away. */
static int
limit_loaded(struct drop_ctx *ctx)
{
	struct card_state	*st = ctx->data;
	const char		*params[4];

	params[0] = st->id;
	params[1] = ctx->sess.user_id;
	params[2] = drop_text(ctx, "limitType");
	params[3] = st->amount;

	return (drop_sql(ctx, sql_limit_put, 4, params, limit_done));
}

static int
limit_done(struct drop_ctx *ctx)
{
	const char	*type;
	int		 row;

	type = drop_text(ctx, "limitType");
	for (row = 0; row < drop_rows(ctx); row++) {
		if (!strcmp(drop_col(ctx, row, "limit_type"), type))
			return (limits_done(ctx));
	}

	return (drop_error(ctx, 409, "conflict", "This card is cancelled"));
}
