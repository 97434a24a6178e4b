/*
 * Drop's pure logic (src/lib/): no Kore, no database, no network; each
 * section names the file that defines it. Unit-tested with Check, and
 * compiled for the tests where a Kore header cannot be included.
 */

#ifndef DROP_LIB_H
#define DROP_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DROP_ID_LEN		32	/* "tx_rem_" + 16 hex + NUL fits */
#define DROP_ID_HEX		16
#define DROP_REQID_MAX		128
#define DROP_JWT_MAX		1024
#define DROP_TOKEN_TTL		86400
#define DROP_CSRF_LEN		43	/* 32 random bytes, base64url */
#define DROP_APIKEY_LEN		63	/* "dk_" 16 hex "_" and a token */

/* What a merchant's API key may be allowed (api_keys.scopes). */
#define DROP_SCOPE_PAYMENTS_READ	"payments:read"
#define DROP_SCOPE_REFUNDS_WRITE	"refunds:write"
#define DROP_SCOPE_REQUESTS_WRITE	"requests:write"

/* ids.c */
int	drop_id_new(const char *, char *, size_t);
int	drop_id_any_valid(const char *);
int	drop_id_valid(const char *, const char *);
int	drop_reqid_valid(const char *);
int	drop_random_token(char *, size_t);
int	drop_ct_equal(const char *, const char *);
int	drop_uuid4(char *, size_t);
int	drop_apikey_new(char *, size_t, char *, size_t);
int	drop_apikey_id(const char *, char *, size_t);
/* mail.c: one message of the SMTP outbox. */
struct drop_mail {
	const char	*from;		/* "Drop <no-reply@drop.example>" */
	const char	*to;		/* an address */
	const char	*subject;	/* UTF-8 */
	const char	*body;		/* UTF-8 text */
	const char	*msgid;		/* "<id@host>" */
	time_t		 date;
};

int	drop_mail_format(const struct drop_mail *, char *, size_t);

/* fnr.c: a Norwegian national identity number. */
int	drop_fnr_valid(const char *, int *, int *, int *);

/* csv.c */
int	drop_csv_cell(const char *, int, char *, size_t);

int	drop_token_valid(const char *, size_t);
int	drop_secret_id(const char *, const char *, const char *, char *,
	    size_t);
int	drop_sha256_hex(const char *, char *, size_t);

/* webhook.c */
#define DROP_WEBHOOK_SECRET_LEN	70	/* "whsec_" and 64 hex */
#define DROP_WEBHOOK_URL_MAX	500
#define DROP_WEBHOOK_SIG_MAX	96	/* "t=" 20 digits ",v1=" 64 hex */

int	drop_webhook_secret_new(char *, size_t);
int	drop_webhook_sign(const char *, int64_t, const char *, size_t, char *,
	    size_t);
int	drop_addr_callable(int, const unsigned char *, int);
int	drop_webhook_url_check(const char *, int);

/* utf8.c */
int	drop_utf8_next(const unsigned char *, size_t, unsigned int *);
int	drop_utf8_valid(const char *, size_t);
size_t	drop_utf8_len(const char *);
int	drop_utf8_cut(const char *, size_t, char *, size_t);
int	drop_sanitize(const char *, char *, size_t);
int	drop_has_html(const char *);

/* rules.c */
int	drop_valid_email(const char *);
int	drop_valid_password(const char *);
int	drop_valid_name(const char *, size_t);
int	drop_valid_phone(const char *);
int	drop_valid_date(const char *, int *, int *, int *);
int	drop_valid_adult(const char *, time_t);

/* calendar.c */
int	drop_leap_year(int);
int	drop_month_days(int, int);
long	drop_civil_days(int, int, int);
void	drop_oslo_date(time_t, int *, int *, int *);

/* accountno.c */
int	drop_mod11_valid(const char *, char *, size_t);

/* seal.c */
#define DROP_SEAL_KEYLEN	32
#define DROP_SEAL_MAX		128	/* the longest value sealed */
#define DROP_SEAL_TEXT_MAX	316	/* its sealed text, NUL included */

int	drop_seal_key(const unsigned char *, size_t, unsigned char *);
int	drop_sealed(const char *);
size_t	drop_seal_size(size_t);
int	drop_seal(const unsigned char *, const char *, const char *, char *,
	    size_t);
int	drop_unseal(const unsigned char *, const char *, const char *, char *,
	    size_t);

/* ratewin.c */
#define DROP_RATEWIN_SECONDS	61	/* a minute and the second it starts in */
#define DROP_RATEWIN_KEYLEN	10	/* group, kind, address or /64 */

struct drop_ratewin {
	uint32_t	sec;				/* last second counted */
	uint8_t		hits[DROP_RATEWIN_SECONDS];	/* by second % 61 */
};

int	drop_ratewin_hit(struct drop_ratewin *, uint32_t, int, int *);
int	drop_ratewin_idle(const struct drop_ratewin *, uint32_t);
int	drop_ratewin_key(int, const unsigned char *, size_t, unsigned char *);
int	drop_ip_parse(const char *, unsigned char *, size_t *);
int	drop_xff_client(const char *, int,
	    int (*)(const unsigned char *, size_t), unsigned char *, size_t *);

/* jsonraw.c */
int	drop_json_raw_member(const char *, size_t, const char *, char *,
	    size_t);

/* money.c */
int	drop_money_format(int64_t, char *, size_t);
int	drop_money_parse(const char *, int64_t *);
int64_t	drop_fee(int64_t, int);

/* policy.c: the money policy of each payment type, and the corridors. */
struct drop_policy {
	const char	*type;		/* remittance, qr_payment */
	int64_t		 min;		/* øre */
	int64_t		 max;		/* øre */
	int		 fee_bp;	/* basis points of the amount */
	double		 fee_percent;	/* fee_bp / 100, shown to users */
	const char	*delivery_eea;
	int		 days_eea;	/* business days until delivered */
	const char	*delivery_other;
	int		 days_other;
	int		 payer_pays_fee;	/* else the merchant bears it */
};

/* Merchant payouts: the next business day at this time, Europe/Oslo. */
#define DROP_PAYOUT_TIME	"06:00"

/* Reconciliation with the bank: the day before, from this time (Oslo). */
#define DROP_RECONCILE_TIME	"07:00"

struct drop_corridor {
	const char	*country;	/* ISO 3166 alpha-2 */
	const char	*currency;	/* ISO 4217 */
	int		 eea;
};

const struct drop_policy *drop_policy(const char *);
const struct drop_policy *drop_policy_at(int);
int	drop_policy_amount_ok(const struct drop_policy *, int64_t);
int64_t	drop_policy_fee(const struct drop_policy *, int64_t);
double	drop_policy_fee_fraction(const struct drop_policy *);
const char *drop_policy_delivery(const struct drop_policy *, const char *,
	    int *);
const struct drop_corridor *drop_corridor(const char *);
const struct drop_corridor *drop_corridor_at(int);
int	drop_corridor_list(char *, size_t, const char *, int);

/* mask.c: what may be shown of cards and people. */
#define DROP_CARD_MASK_LEN	20	/* "**** **** **** 1234" + NUL */

int	drop_card_mask(const char *, char *, size_t);
int	drop_mask_account(const char *, char *, size_t);
int	drop_short_name(const char *, const char *, char *, size_t);
int	drop_valid_pin(const char *);
int	drop_has_card_number(const char *);

/* qrsvg.c */
char	*drop_qr_svg(const char *, size_t *);

/* jwt.c */
struct drop_claims {
	char		sub[DROP_ID_LEN];
	char		jti[DROP_ID_LEN];
	char		role[16];
	long		iat;
	long		exp;
};

int	drop_jwt_sign(const unsigned char *, size_t, const struct drop_claims *,
	    char *, size_t);
int	drop_jwt_verify(const unsigned char *, size_t, const char *, time_t,
	    struct drop_claims *);

/* sqlstate.c: how a query ended (the database pool's outcomes). */
#define DROP_DBQ_OK		0
#define DROP_DBQ_UNAVAILABLE	1	/* no usable answer: 503 */
#define DROP_DBQ_FAILED		2	/* the server refused it: 500 */

int	drop_sqlstate_outcome(const char *);
int	drop_sqlstate_lost(const char *);

/* cursor.c: list positions for cursor pagination. */
#define DROP_CURSOR_MAX		96	/* hex text, NUL included */

int	drop_cursor_encode(int64_t, const char *, char *, size_t);
int	drop_cursor_decode(const char *, int64_t *, char *, size_t);
int	drop_cursor_id_valid(const char *);

/* cookie.c */
int	drop_cookie_format(char *, size_t, const char *, const char *, int,
	    int);
int	drop_bearer(const char *, const char **);

#endif
