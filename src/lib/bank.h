/*
 * The seam between Drop and a bank: the subset of the Berlin Group's
 * NextGenPSD2 XS2A framework (1.3.9) that Drop speaks, as requests to send
 * and answers to read. Pure: src/lib/psd2.c builds and parses them,
 * src/core/bankio.c carries them over HTTPS off the event loop. A real
 * bank differs from the sandbox bank only in DROP_BANK_URL and the
 * credentials; docs/decisions.md, "The bank", has the choices.
 */

#ifndef DROP_BANK_H
#define DROP_BANK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DROP_BANK_PATH_MAX	256
#define DROP_BANK_HEADERS_MAX	12
#define DROP_BANK_HEADER_MAX	600
#define DROP_BANK_ID_MAX	96	/* paymentId, consentId, resourceId */
#define DROP_BANK_URL_MAX	512
#define DROP_UUID_LEN		37	/* 36 characters and the NUL */

/* What Drop asks of a bank. */
#define DROP_BANK_CONSENT		1	/* POST /v1/consents */
#define DROP_BANK_CONSENT_STATUS	2	/* GET .../{consentId}/status */
#define DROP_BANK_CONSENT_DELETE	3	/* DELETE /v1/consents/{id} */
#define DROP_BANK_ACCOUNTS		4	/* GET /v1/accounts */
#define DROP_BANK_BALANCES		5	/* GET .../{account-id}/balances */
#define DROP_BANK_PAY			6	/* POST /v1/payments/{product} */
#define DROP_BANK_PAY_STATUS		7	/* GET .../{paymentId}/status */
#define DROP_BANK_PAY_CANCEL		8	/* DELETE .../{paymentId} */
#define DROP_BANK_TRANSACTIONS		9	/* GET .../transactions */

/* The payment products Drop uses (the definition's enum allows no other). */
#define DROP_PRODUCT_INSTANT	"instant-sepa-credit-transfers"
#define DROP_PRODUCT_CREDIT	"sepa-credit-transfers"

struct drop_bank_request {
	int		 op;
	const char	*method;
	char		 path[DROP_BANK_PATH_MAX];
	char		 headers[DROP_BANK_HEADERS_MAX][DROP_BANK_HEADER_MAX];
	int		 nheaders;
	char		*body;		/* JSON, malloc'd, or NULL */
};

/* What every call carries; NULL members are left out. */
struct drop_bank_call_args {
	const char	*request_id;	/* X-Request-ID, a UUID */
	const char	*psu_ip;	/* PSU-IP-Address, IPv4 */
	const char	*consent_id;	/* Consent-ID */
	const char	*redirect_ok;	/* TPP-Redirect-URI */
	const char	*redirect_nok;	/* TPP-Nok-Redirect-URI */
	const char	*notify_uri;	/* TPP-Notification-URI */
	const char	*token;		/* Authorization: Bearer */
};

struct drop_bank_payment {
	const char	*product;
	const char	*debtor;	/* bban */
	const char	*creditor;	/* bban */
	const char	*creditor_name;
	int64_t		 amount;	/* øre, NOK */
	const char	*remittance;	/* cut to 140 characters */
};

struct drop_bank_answer {
	long		 http;
	int		 ok;		/* 2xx with what the operation needs */
	char		 status[24];	/* transactionStatus or consentStatus */
	char		 id[DROP_BANK_ID_MAX];	/* paymentId or consentId */
	char		 sca_url[DROP_BANK_URL_MAX];
	char		 resource_id[DROP_BANK_ID_MAX];
	int64_t		 balance;	/* øre */
	char		 error[200];	/* the first tppMessage's code */
};

/* A signed callback of the bank (POST /api/bank/events). */
struct drop_bank_event {
	char		 event_id[DROP_BANK_ID_MAX];
	char		 payment_id[DROP_BANK_ID_MAX];
	char		 status[24];
	int64_t		 timestamp;
};

/* psd2.c */
int	drop_psd2_consent(const struct drop_bank_call_args *, const char *,
	    const char *, int, int, struct drop_bank_request *);
int	drop_psd2_consent_status(const struct drop_bank_call_args *,
	    const char *, struct drop_bank_request *);
int	drop_psd2_consent_delete(const struct drop_bank_call_args *,
	    const char *, struct drop_bank_request *);
int	drop_psd2_accounts(const struct drop_bank_call_args *,
	    struct drop_bank_request *);
int	drop_psd2_balances(const struct drop_bank_call_args *, const char *,
	    struct drop_bank_request *);
int	drop_psd2_transactions(const struct drop_bank_call_args *,
	    const char *, const char *, const char *,
	    struct drop_bank_request *);
int	drop_psd2_transactions_next(const struct drop_bank_call_args *,
	    const char *, struct drop_bank_request *);
int	drop_psd2_pay(const struct drop_bank_call_args *,
	    const struct drop_bank_payment *, struct drop_bank_request *);
int	drop_psd2_pay_status(const struct drop_bank_call_args *, const char *,
	    const char *, struct drop_bank_request *);
int	drop_psd2_pay_cancel(const struct drop_bank_call_args *, const char *,
	    const char *, struct drop_bank_request *);
void	drop_psd2_free(struct drop_bank_request *);
int	drop_psd2_parse(int, long, const char *, size_t, const char *,
	    struct drop_bank_answer *);
int	drop_psd2_signed(const unsigned char *, size_t, const char *, size_t,
	    const char *);
int	drop_psd2_event(const char *, size_t, int64_t, int64_t,
	    struct drop_bank_event *);
int	drop_psd2_id_valid(const char *);

#endif
