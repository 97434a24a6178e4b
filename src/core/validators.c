/*
 * Function validators named in kore.conf, and the message each failure
 * puts into an error's details (the start-up check refuses a validator
 * without one).
 */

#include <string.h>

#include "drop.h"

int	v_email(struct http_request *, char *);
int	v_password(struct http_request *, char *);
int	v_name(struct http_request *, char *);
int	v_phone(struct http_request *, char *);
int	v_date(struct http_request *, char *);
int	v_adult(struct http_request *, char *);
int	v_bank_name(struct http_request *, char *);
int	v_account_no(struct http_request *, char *);
int	v_any_text(struct http_request *, char *);
int	v_legal_name(struct http_request *, char *);
int	v_national_id(struct http_request *, char *);
int	v_country(struct http_request *, char *);
int	v_business_name(struct http_request *, char *);
int	v_card_address(struct http_request *, char *);
int	v_pin(struct http_request *, char *);

struct validator_message {
	const char	*validator;
	const char	*message;
};

static const struct validator_message messages[] = {
	{ "v_email",	"must be a valid email address of at most 254 characters" },
	{ "v_password",	"must be 8-128 characters with at least one letter and one digit" },
	{ "v_name",	"must be 1-100 characters with at least one letter and no HTML" },
	{ "v_phone",	"must be + followed by 8-15 digits" },
	{ "v_date",	"must be a real date written YYYY-MM-DD" },
	{ "v_adult",	"you must be at least 18 years old" },
	{ "v_kyc",	"must be approved or rejected" },
	{ "v_page",	"must be an integer of at least 1" },
	{ "v_cursor",	"is not a valid cursor" },
	{ "v_bank_name", "must be 1-100 characters with no HTML" },
	{ "v_account_no", "must be a Norwegian account number (dddd.dd.ddddd or 11 digits) with a valid check digit" },
	{ "v_currency",	"must be a three-letter currency code" },
	{ "v_amount",	"must be an amount in kroner, such as 1005.50" },
	{ "v_iban",	"must be 5-34 letters, digits or spaces" },
	{ "v_any_text",	"must be valid text" },
	{ "v_tx_type",	"must be remittance or qr_payment" },
	{ "v_tx_status", "must be pending_authorisation, processing, completed or failed" },
	{ "v_settle",	"must be completed or failed" },
	{ "v_business_name", "must be 1-200 characters with at least one letter and no HTML" },
	{ "v_org_number", "must be exactly 9 digits" },
	{ "v_period",	"must be today, week or month" },
	{ "v_card_type", "must be virtual or physical" },
	{ "v_card_status", "must be active or frozen" },
	{ "v_card_address", "must be 10-300 characters with no HTML and no card number" },
	{ "v_pin",	"must be exactly 4 digits" },
	{ "v_limit_type", "must be daily, weekly, monthly or transaction" },
	{ "v_settings_currency", "must be one of EUR, USD, GBP, BAM, CHF, PLN, NOK, RSD, TRY, PKR" },
	{ "v_language",	"must be one of nb, en, bs, sq" },
	{ "v_consent_type", "must be terms, privacy, marketing, cookies_analytics or cookies_marketing" },
	{ "v_complaint_category", "must be transaction, service, fees, privacy, technical or other" },
	{ "v_actor",	"must be an actor: an id, install or cli:<name>" },
	{ "v_entity",	"must be 1-32 lowercase letters or _" },
	{ "v_entity_id", "must be 1-64 letters, digits or ._:-" },
	{ "v_complaint_status", "must be received, in_review, resolved or rejected" },
	{ "v_complaint_answer", "must be resolved or rejected" },
	{ "v_true",	"must be true (or left out)" },
	{ "v_month",	"must be a month, YYYY-MM" },
	{ "v_legal_name", "must be 1-200 characters with at least one letter and no HTML" },
	{ "v_national_id", "must be an 11-digit Norwegian national identity number with valid check digits" },
	{ "v_purpose",	"must be family_support, savings, education, gifts, business or other" },
	{ "v_kyc_decision", "must be approve or reject" },
	{ "v_review_decision", "must be release or reject" },
	{ "v_kyc_status", "must be in_review, approved or rejected" },
	{ NULL,		NULL }
};

/* A validator's failure message; NULL if none (refused at start-up). */
const char *
drop_validator_message(const char *validator)
{
	const struct validator_message	*m;
	static char			 country[96];

	/* The payout countries are those of the corridor table (policy.c). */
	if (!strcmp(validator, "v_country")) {
		(void)kore_strlcpy(country, "must be one of ", sizeof(country));
		if (drop_corridor_list(country + 15, sizeof(country) - 15,
		    ", ", 0) != 0)
			return ("is not a supported country");
		return (country);
	}
	for (m = messages; m->validator != NULL; m++) {
		if (!strcmp(m->validator, validator))
			return (m->message);
	}

	return (NULL);
}

static int
result(int ok)
{
	return (ok ? KORE_RESULT_OK : KORE_RESULT_ERROR);
}

int
v_email(struct http_request *req, char *data)
{
	(void)req;
	return (result(drop_valid_email(data)));
}

int
v_password(struct http_request *req, char *data)
{
	(void)req;
	return (result(drop_valid_password(data)));
}

int
v_name(struct http_request *req, char *data)
{
	(void)req;
	return (result(drop_valid_name(data, 100)));
}

int
v_legal_name(struct http_request *req, char *data)
{
	(void)req;
	return (result(drop_valid_name(data, 200)));
}

/* A Norwegian national identity number: both MOD11 check digits. */
int
v_national_id(struct http_request *req, char *data)
{
	int	d, m, y;

	(void)req;
	return (result(drop_fnr_valid(data, &d, &m, &y)));
}

int
v_phone(struct http_request *req, char *data)
{
	(void)req;
	return (result(drop_valid_phone(data)));
}

int
v_date(struct http_request *req, char *data)
{
	int	y, m, d;

	(void)req;
	return (result(drop_valid_date(data, &y, &m, &d)));
}

/* Only judges real dates; v_date reports the others. */
int
v_adult(struct http_request *req, char *data)
{
	int	y, m, d;

	(void)req;
	if (!drop_valid_date(data, &y, &m, &d))
		return (KORE_RESULT_OK);
	return (result(drop_valid_adult(data, time(NULL))));
}

int
v_bank_name(struct http_request *req, char *data)
{
	size_t	n;

	(void)req;
	n = drop_utf8_len(data);
	return (result(n >= 1 && n <= 100 && !drop_has_html(data)));
}

/* A Norwegian account number, either form, with its MOD11 check digit. */
int
v_account_no(struct http_request *req, char *data)
{
	char	digits[12];

	(void)req;
	return (result(drop_mod11_valid(data, digits, sizeof(digits))));
}

/* Free text: already sanitized; nothing more to refuse. */
int
v_any_text(struct http_request *req, char *data)
{
	(void)req;
	(void)data;
	return (KORE_RESULT_OK);
}

int
v_country(struct http_request *req, char *data)
{
	(void)req;
	return (result(drop_corridor(data) != NULL));
}

int
v_business_name(struct http_request *req, char *data)
{
	(void)req;
	return (result(drop_valid_name(data, 200)));
}

/* A shipping address: 10-300 characters, no HTML, no card number. */
int
v_card_address(struct http_request *req, char *data)
{
	size_t	n;

	(void)req;
	n = drop_utf8_len(data);
	return (result(n >= 10 && n <= 300 && !drop_has_html(data) &&
	    !drop_has_card_number(data)));
}

int
v_pin(struct http_request *req, char *data)
{
	(void)req;
	return (result(drop_valid_pin(data)));
}
