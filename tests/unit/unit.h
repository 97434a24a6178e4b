#ifndef DROP_UNIT_H
#define DROP_UNIT_H

#include <check.h>

Suite	*suite_ids(void);
Suite	*suite_text(void);
Suite	*suite_money(void);
Suite	*suite_jwt(void);
Suite	*suite_cookie(void);
Suite	*suite_bank(void);
Suite	*suite_sqlstate(void);
Suite	*suite_cursor(void);
Suite	*suite_policy(void);
Suite	*suite_ratewin(void);
Suite	*suite_csv(void);
Suite	*suite_mail(void);
Suite	*suite_fnr(void);
Suite	*suite_seal(void);
Suite	*suite_jsonraw(void);
Suite	*suite_webhook(void);

#endif
