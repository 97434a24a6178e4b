/*
 * The JSON shapes of a user (§4: as registration, login and /users/me
 * show it) and of a bank account (§5), shared by the auth, user and bank
 * account routes.
 */

#include "api.h"

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

/* One account row as the contract names it. */
static const struct drop_colmap account_map[] = {
	{ "id",			"ba_id",		DROP_COL_TEXT },
	{ "bankName",		"bank_name",		DROP_COL_TEXT },
	{ "accountNumber",	"account_number",	DROP_COL_TEXT },
	{ "balance",		"balance",		DROP_COL_MONEY },
	{ "currency",		"currency",		DROP_COL_TEXT },
	{ "isPrimary",		"is_primary",		DROP_COL_BOOL },
	{ "balanceUpdatedAt",	"ba_updated",		DROP_COL_TEXT },
	{ "status",		"ba_status",		DROP_COL_TEXT },
	{ "consentExpiresAt",	"ba_consent_expires",	DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/* An account; while its consent waits for approval, where to give it. */
json_t *
drop_account_json(struct drop_ctx *ctx, int row)
{
	json_t		*a, *auth;

	a = drop_row_json(ctx, row, account_map, NULL);
	if (!drop_col_null(ctx, row, "ba_sca_url")) {
		auth = json_object();
		json_object_set_new(auth, "url",
		    json_string(drop_col(ctx, row, "ba_sca_url")));
		json_object_set_new(auth, "expiresAt", drop_col_null(ctx, row,
		    "ba_sca_expires") ? json_null() : json_string(drop_col(ctx,
		    row, "ba_sca_expires")));
		json_object_set_new(a, "authorisation", auth);
	}

	return (a);
}
