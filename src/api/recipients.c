/*
 * Recipients (§7): list (masked accounts), add, soft delete. A deleted
 * recipient stays readable inside past transactions (they keep a copy of
 * name and country).
 */

#include <stdlib.h>
#include <string.h>

#include "drop.h"

struct recipient_state {
	char		id[DROP_ID_LEN];
	char		bank_name[801];
	const char	*currency;
};

static json_t	*recipient_json(struct drop_ctx *, int);
static int	add_check(struct drop_ctx *);
static int	add_start(struct drop_ctx *);
static int	add_done(struct drop_ctx *);
static int	delete_start(struct drop_ctx *);
static int	delete_done(struct drop_ctx *);

static const struct drop_field add_fields[] = {
	{ "name",		DROP_T_STRING,	1 },
	{ "country",		DROP_T_STRING,	1 },
	{ "currency",		DROP_T_STRING,	0 },
	{ "bankAccount",	DROP_T_STRING,	1 },
	{ "bankName",		DROP_T_STRING,	0 },
	{ NULL, 0, 0 }
};

#define RECIPIENT_COLUMNS \
    "id, name, country, currency, bank_account, bank_name, " \
    "iso(created_at) AS created"

static const struct drop_list recipients_list = {
	.def_limit = 20,
	.max_limit = 50,
	.sql = DROP_PAGE_SQL("page AS (SELECT " RECIPIENT_COLUMNS ", "
	    "created_at FROM recipients WHERE user_id = $1 AND "
	    "deleted_at IS NULL AND " DROP_PAGE_AFTER("") ")",
	    "SELECT count(*) FROM recipients WHERE user_id = $1 AND "
	    "deleted_at IS NULL", "", ""),
	.row_json = recipient_json
};

static const struct drop_method recipients_methods[] = {
	DROP_LIST_GET(DROP_AUTH, NULL, recipients_list),
	{ .method = HTTP_METHOD_POST, .flags = DROP_AUTH | DROP_BODY,
	    .fields = add_fields, .check = add_check, .start = add_start },
	{ .method = 0 }
};

static const struct drop_method recipient_methods[] = {
	{ .method = HTTP_METHOD_DELETE, .flags = DROP_AUTH,
	    .start = delete_start },
	{ .method = 0 }
};

static const struct drop_route recipients_route = {
	.name = "recipients",
	.methods = recipients_methods,
	.datalen = sizeof(struct recipient_state),
};
static const struct drop_route recipient_route = {
	.name = "recipient",
	.methods = recipient_methods,
	.datalen = sizeof(struct recipient_state),
};

static const char	sql_add[] =
    "INSERT INTO recipients (id, user_id, name, country, currency, "
    "bank_account, bank_name) VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "RETURNING " RECIPIENT_COLUMNS;

static const char	sql_delete[] =
    "UPDATE recipients SET deleted_at = now() WHERE id = $1 "
    "AND user_id = $2 AND deleted_at IS NULL RETURNING id";

DROP_ROUTE(api_recipients, recipients_route);
DROP_ROUTE(api_recipient, recipient_route);
static const struct drop_colmap recipient_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "name",		"name",			DROP_COL_TEXT },
	{ "country",		"country",		DROP_COL_TEXT },
	{ "currency",		"currency",		DROP_COL_TEXT },
	{ "bankName",		"bank_name",		DROP_COL_TEXT },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/* The recipient with only the last four characters of its account. */
static json_t *
recipient_json(struct drop_ctx *ctx, int row)
{
	json_t		*r;
	char		 masked[16];
	const char	*account;

	account = drop_col(ctx, row, "bank_account");
	if (account == NULL || drop_mask_account(account, masked,
	    sizeof(masked)) != 0)
		(void)kore_strlcpy(masked, "*****", sizeof(masked));
	r = drop_row_json(ctx, row, recipient_map, NULL);
	json_object_set_new(r, "bankAccount", json_string(masked));

	return (r);
}

/* The currency must be the country's; bankName is cut to 200 characters. */
static int
add_check(struct drop_ctx *ctx)
{
	struct recipient_state	*st = ctx->data;
	const struct drop_corridor *corridor;
	const char		*currency, *bank_name;

	currency = drop_text(ctx, "currency");
	corridor = drop_corridor(drop_text(ctx, "country"));
	st->currency = corridor != NULL ? corridor->currency : NULL;
	if (st->currency != NULL && currency != NULL &&
	    strcmp(currency, st->currency))
		drop_detail(ctx, "currency",
		    "must be the currency of the recipient's country");

	if ((bank_name = drop_text(ctx, "bankName")) != NULL &&
	    drop_utf8_cut(bank_name, 200, st->bank_name,
	    sizeof(st->bank_name)) != 0)
		drop_detail(ctx, "bankName", "is too long");

	return (0);
}

static int
add_start(struct drop_ctx *ctx)
{
	struct recipient_state	*st = ctx->data;
	const char		*params[7];

	if (drop_id_new("rcp_", st->id, sizeof(st->id)) != 0)
		return (drop_fail_internal(ctx, "no randomness"));
	params[0] = st->id;
	params[1] = ctx->sess.user_id;
	params[2] = drop_text(ctx, "name");
	params[3] = drop_text(ctx, "country");
	params[4] = st->currency;
	params[5] = drop_text(ctx, "bankAccount");
	params[6] = drop_text(ctx, "bankName") != NULL ? st->bank_name : NULL;

	return (drop_sql(ctx, sql_add, 7, params, add_done));
}

static int
add_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_fail_internal(ctx, "recipient insert returned no row"));

	return (drop_reply(ctx, 201, recipient_json(ctx, 0)));
}

static int
delete_start(struct drop_ctx *ctx)
{
	struct recipient_state	*st = ctx->data;
	const char		*params[2];

	if (!drop_path_id(ctx, 2, "rcp_", st->id, sizeof(st->id)))
		return (drop_error(ctx, 404, "not_found", "Recipient not found"));
	params[0] = st->id;
	params[1] = ctx->sess.user_id;

	return (drop_sql(ctx, sql_delete, 2, params, delete_done));
}

static int
delete_done(struct drop_ctx *ctx)
{
	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "Recipient not found"));

	return (drop_reply_obj(ctx, 204, NULL));
}
