/*
 * Function validators named in kore.conf, and the message each failure
 * puts into an error's details.
 */

#include <string.h>

#include "drop.h"

int	v_email(struct http_request *, char *);
int	v_password(struct http_request *, char *);
int	v_name(struct http_request *, char *);
int	v_phone(struct http_request *, char *);
int	v_date(struct http_request *, char *);
int	v_adult(struct http_request *, char *);

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
	{ NULL,		NULL }
};

const char *
drop_validator_message(const char *validator)
{
	const struct validator_message	*m;

	for (m = messages; m->validator != NULL; m++) {
		if (!strcmp(m->validator, validator))
			return (m->message);
	}

	return ("is invalid");
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
