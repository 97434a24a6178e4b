/*
 * What route modules (src/api/) share: the JSON shapes of transactions
 * (tx_json.c) and of users and bank accounts (user_json.c). A route module
 * calls these and the core, never another route module.
 */

#ifndef DROP_API_H
#define DROP_API_H

#include "drop.h"

/* tx_json.c */
json_t	*drop_tx_remit_created(struct drop_ctx *, int);
json_t	*drop_tx_qr_created(struct drop_ctx *, int);
json_t	*drop_tx_detail(struct drop_ctx *, int);
json_t	*drop_tx_list_item(struct drop_ctx *, int);
json_t	*drop_tx_receipt(struct drop_ctx *, int);

/* user_json.c */
#define DROP_USER_REGISTER	0
#define DROP_USER_LOGIN		1
#define DROP_USER_ME		2

json_t	*drop_user_json(struct drop_ctx *, int, int);
json_t	*drop_account_json(struct drop_ctx *, int);

#endif
