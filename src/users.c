/*
 * GET /api/users/me and the user object every auth answer shares.
 */

#include <stdlib.h>
#include <string.h>

#include "drop.h"

int	api_users_me(struct http_request *);

static int	me_start(struct drop_ctx *);
static int	me_done(struct drop_ctx *);


static const struct drop_method me_methods[] = {
	{ HTTP_METHOD_GET, DROP_AUTH, NULL, NULL, me_start },
	{ 0, 0, NULL, NULL, NULL }
};

static const struct drop_route me_route = {
	"users.me", me_methods, 0, NULL
};

static const char	sql_me[] =
    "SELECT u.*, b.id AS ba_id, b.bank_name, b.account_number, b.balance, "
    "b.currency, b.is_primary, iso(b.balance_updated_at) AS ba_updated "
    "FROM user_view u LEFT JOIN bank_accounts b ON b.user_id = u.id "
    "WHERE u.id = $1 ORDER BY b.created_at, b.id";

int
api_users_me(struct http_request *req)
{
	return (drop_serve(req, &me_route));
}

static const struct drop_colmap user_head_map[] = {
	{ "id",			"id",			DROP_COL_TEXT },
	{ "email",		"email",		DROP_COL_TEXT },
	{ "firstName",		"first_name",		DROP_COL_TEXT },
	{ "lastName",		"last_name",		DROP_COL_TEXT },
	{ "kycStatus",		"kyc_status",		DROP_COL_TEXT },
	{ "role",		"role",			DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap user_dates_map[] = {
	{ "dateOfBirth",	"date_of_birth",	DROP_COL_TEXT },
	{ "createdAt",		"created_at",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

static const struct drop_colmap user_phone_map[] = {
	{ "phone",		"phone",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/* The user in row as the contract names it for register, login or me. */
json_t *
drop_user_json(struct drop_ctx *ctx, int row, int kind)
{
	json_t		*u;

	u = drop_row_json(ctx, row, user_head_map, NULL);
	if (kind != DROP_USER_LOGIN)
		(void)drop_row_json(ctx, row, user_dates_map, u);
	if (kind == DROP_USER_ME)
		(void)drop_row_json(ctx, row, user_phone_map, u);

	return (u);
}

static int
me_start(struct drop_ctx *ctx)
{
	return (drop_user_query(ctx, sql_me, me_done));
}

static int
me_done(struct drop_ctx *ctx)
{
	json_t		*user, *accounts;
	const char	*currency;
	int64_t		 total;
	int		 row, rows;

	if ((rows = drop_rows(ctx)) < 1)
		return (drop_error(ctx, 401, "unauthorized",
		    "Session expired or revoked"));

	user = drop_user_json(ctx, 0, DROP_USER_ME);
	accounts = json_array();
	total = 0;
	for (row = 0; row < rows; row++) {
		if (drop_col_null(ctx, row, "ba_id"))
			continue;
		currency = drop_col(ctx, row, "currency");
		if (currency != NULL && !strcmp(currency, "NOK"))
			total += drop_col_int(ctx, row, "balance");
		json_array_append_new(accounts,
		    drop_row_json(ctx, row, drop_account_map, NULL));
	}
	json_object_set_new(user, "totalBalance", drop_json_money(total));
	json_object_set_new(user, "bankAccounts", accounts);

	return (drop_reply(ctx, 200, user));
}
