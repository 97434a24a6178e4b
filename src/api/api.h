/*
 * What route modules (src/api/) share: the JSON shapes of transactions
 * (tx_json.c) and of users and bank accounts (user_json.c). A route module
 * calls these and the core, never another route module.
 */

#ifndef DROP_API_H
#define DROP_API_H

#include "drop.h"

/* Refusals the payment and disclosure routes share. */
#define DROP_MSG_OWN_SHOP	"you cannot pay your own shop"
#define DROP_MSG_NO_CORRIDOR	"no exchange rate for the recipient's " \
    "currency (unsupported corridor)"

/* The answer to a payment or a read from an account whose consent ran out. */
#define DROP_MSG_CONSENT_EXPIRED \
    "The bank's consent for this account has expired; renew it"

/* tx_json.c */
json_t	*drop_tx_remit_created(struct drop_ctx *, int);
json_t	*drop_tx_qr_created(struct drop_ctx *, int);
json_t	*drop_tx_detail(struct drop_ctx *, int);
json_t	*drop_tx_list_item(struct drop_ctx *, int);
json_t	*drop_tx_receipt(struct drop_ctx *, int);
json_t	*drop_disclosure_json(const struct drop_policy *, int64_t, json_t *,
	    json_t *, const char *, const char *);

/* user_json.c */
#define DROP_USER_REGISTER	0
#define DROP_USER_LOGIN		1
#define DROP_USER_ME		2

json_t	*drop_user_json(struct drop_ctx *, int, int);
json_t	*drop_account_json(struct drop_ctx *, int);

/* The columns drop_account_json reads, of bank_accounts as alias t. */
#define DROP_ACCOUNT_COLUMNS(t) \
    t "id AS ba_id, " t "bank_name, " t "account_number, " t "balance, " \
    t "currency, " t "is_primary, iso(" t "balance_updated_at) AS ba_updated, " \
    t "status AS ba_status, iso(" t "consent_expires_at) AS " \
    "ba_consent_expires, " t "consent_sca_url AS ba_sca_url, iso(" t \
    "consent_sca_expires_at) AS ba_sca_expires"

#endif
