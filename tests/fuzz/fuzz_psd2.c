/*
 * A bank's answers, its statements' next-page links and its callbacks
 * (drop_psd2_parse, drop_psd2_transactions_next, drop_psd2_event,
 * drop_psd2_signed): hostile bytes from the network never crash Drop, and
 * what is read stays within its fields. The first byte picks the call and
 * the HTTP status.
 */

#include "fuzz.h"
#include "lib.h"
#include "bank.h"

#define FUZZ_SECRET	"fuzz-callback-secret"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long	 statuses[] = { 200, 201, 204, 400, 401, 403,
				    404, 409, 429, 500, 503 };
	struct drop_bank_call_args args = { .request_id =
				    "0b8f1c2e-3d4a-4b5c-8d6e-7f8091a2b3c4",
				    .consent_id = "con-1" };
	struct drop_bank_request req;
	struct drop_bank_answer	 ans;
	struct drop_bank_event	 ev;
	char			*s;
	size_t			 len;
	int			 op;
	long			 http;

	if (size < 1)
		return (0);
	op = 1 + data[0] % DROP_BANK_TRANSACTIONS;
	http = statuses[(data[0] / 8) % (sizeof(statuses) / sizeof(statuses[0]))];
	s = fuzz_text(data + 1, size - 1, &len);
	memset(&ans, 0, sizeof(ans));
	(void)drop_psd2_parse(op, http, s, len, (data[0] & 1) ? "12345678903" :
	    NULL, &ans);
	FUZZ_CHECK(memchr(ans.error, '\0', sizeof(ans.error)) != NULL);
	FUZZ_CHECK(memchr(ans.status, '\0', sizeof(ans.status)) != NULL);
	FUZZ_CHECK(memchr(ans.id, '\0', sizeof(ans.id)) != NULL);
	/* A next-page link is taken only as a plain transactions path. */
	if (drop_psd2_transactions_next(&args, s, &req) == 0) {
		FUZZ_CHECK(strncmp(req.path, "/v1/accounts/", 13) == 0);
		FUZZ_CHECK(strpbrk(req.path, "\r\n ") == NULL &&
		    strstr(req.path, "..") == NULL);
	}
	memset(&ev, 0, sizeof(ev));
	if (drop_psd2_event(s, len, 1800000000, 300, &ev) == 0) {
		FUZZ_CHECK(drop_psd2_id_valid(ev.payment_id));
		FUZZ_CHECK(memchr(ev.status, '\0', sizeof(ev.status)) != NULL);
	}
	/* No signature over these bytes is valid but the secret's own. */
	FUZZ_CHECK(drop_psd2_signed((const unsigned char *)FUZZ_SECRET,
	    strlen(FUZZ_SECRET), s, len, s) != 1);
	free(s);

	return (0);
}
