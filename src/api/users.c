/*
 * GET /api/users/me: the caller with their bank accounts and the total of
 * the NOK ones.
 */

#include <stdlib.h>
#include <string.h>

#include "api.h"

static int	me_start(struct drop_ctx *);
static int	me_done(struct drop_ctx *);

static const struct drop_method me_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH, .start = me_start },
	{ .method = 0 }
};

static const struct drop_route me_route = {
	.name = "users.me",
	.methods = me_methods,
};

static const char	sql_me[] =
    "SELECT u.*, " DROP_ACCOUNT_COLUMNS("b.") " "
    "FROM user_view u LEFT JOIN bank_accounts b ON b.user_id = u.id "
    "AND b.deleted_at IS NULL WHERE u.id = $1 ORDER BY b.created_at, b.id";

DROP_ROUTE(api_users_me, me_route);
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
		json_array_append_new(accounts, drop_account_json(ctx, row));
	}
	json_object_set_new(user, "totalBalance", drop_json_money(total));
	json_object_set_new(user, "bankAccounts", accounts);

	return (drop_reply(ctx, 200, user));
}
