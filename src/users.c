/*
 * GET /api/users/me and the user object every auth answer shares.
 */

#include <stdlib.h>
#include <string.h>

#include "drop.h"

int	api_users_me(struct http_request *);

static int	me_start(struct drop_ctx *);
static int	me_done(struct drop_ctx *);
static void	set_text(json_t *, const char *, const char *);

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

/* A column as a JSON string, or null. */
static void
set_text(json_t *obj, const char *key, const char *value)
{
	json_object_set_new(obj, key,
	    value == NULL ? json_null() : json_string(value));
}

/* The user in row as the contract names it for register, login or me. */
json_t *
drop_user_json(struct drop_ctx *ctx, int row, int kind)
{
	json_t		*u;

	u = json_object();
	set_text(u, "id", drop_col(ctx, row, "id"));
	set_text(u, "email", drop_col(ctx, row, "email"));
	set_text(u, "firstName", drop_col(ctx, row, "first_name"));
	set_text(u, "lastName", drop_col(ctx, row, "last_name"));
	if (kind == DROP_USER_ME)
		set_text(u, "phone", drop_col(ctx, row, "phone"));
	if (kind != DROP_USER_LOGIN)
		set_text(u, "dateOfBirth", drop_col(ctx, row, "date_of_birth"));
	set_text(u, "kycStatus", drop_col(ctx, row, "kyc_status"));
	set_text(u, "role", drop_col(ctx, row, "role"));
	if (kind != DROP_USER_LOGIN)
		set_text(u, "createdAt", drop_col(ctx, row, "created_at"));

	return (u);
}

static int
me_start(struct drop_ctx *ctx)
{
	const char	*params[1];

	params[0] = ctx->sess.user_id;
	return (drop_sql(ctx, sql_me, 1, params, me_done));
}

static int
me_done(struct drop_ctx *ctx)
{
	json_t		*user, *accounts, *ba;
	const char	*currency, *balance;
	int64_t		 total, ore;
	int		 row, rows;

	if (ctx->db_failed)
		return (drop_sql_failed(ctx));
	if ((rows = drop_rows(ctx)) < 1)
		return (drop_error(ctx, 401, "unauthorized",
		    "Session expired or revoked"));

	user = drop_user_json(ctx, 0, DROP_USER_ME);
	accounts = json_array();
	total = 0;
	for (row = 0; row < rows; row++) {
		if (drop_col_null(ctx, row, "ba_id"))
			continue;
		balance = drop_col(ctx, row, "balance");
		ore = balance != NULL ? strtoll(balance, NULL, 10) : 0;
		currency = drop_col(ctx, row, "currency");
		if (currency != NULL && !strcmp(currency, "NOK"))
			total += ore;
		ba = json_object();
		set_text(ba, "id", drop_col(ctx, row, "ba_id"));
		set_text(ba, "bankName", drop_col(ctx, row, "bank_name"));
		set_text(ba, "accountNumber",
		    drop_col(ctx, row, "account_number"));
		json_object_set_new(ba, "balance", drop_json_money(ore));
		set_text(ba, "currency", currency);
		json_object_set_new(ba, "isPrimary",
		    json_boolean(drop_col_bool(ctx, row, "is_primary")));
		set_text(ba, "balanceUpdatedAt", drop_col(ctx, row, "ba_updated"));
		json_array_append_new(accounts, ba);
	}
	json_object_set_new(user, "totalBalance", drop_json_money(total));
	json_object_set_new(user, "bankAccounts", accounts);

	return (drop_reply(ctx, 200, user));
}
