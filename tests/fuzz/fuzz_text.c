/*
 * The text rules every field goes through (drop_sanitize, UTF-8,
 * e-mail, names, phone, dates, account numbers, card numbers, masks,
 * webhook URLs, national identity numbers): no crash, no write past a buffer, sanitized text is
 * valid UTF-8 without HTML, and an accepted webhook URL is https:// (or
 * plain HTTP where loopback is allowed) with no user part.
 */

#include <time.h>

#include "fuzz.h"
#include "lib.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, clean[1024], out[128];
	size_t		 len;
	int		 y, m, d;

	s = fuzz_text(data, size, &len);
	if (drop_sanitize(s, clean, sizeof(clean)) == 0) {
		FUZZ_CHECK(strlen(clean) < sizeof(clean));
		FUZZ_CHECK(drop_utf8_valid(clean, strlen(clean)));
	}
	if (drop_utf8_valid(s, len))
		(void)drop_utf8_len(s);
	(void)drop_utf8_cut(s, 10, out, sizeof(out));
	(void)drop_has_html(s);
	(void)drop_valid_email(s);
	(void)drop_valid_password(s);
	(void)drop_valid_name(s, 100);
	(void)drop_valid_phone(s);
	if (drop_valid_date(s, &y, &m, &d))
		FUZZ_CHECK(m >= 1 && m <= 12 && d >= 1 &&
		    d <= drop_month_days(y, m));
	(void)drop_valid_adult(s, (time_t)1800000000);
	(void)drop_mod11_valid(s, out, sizeof(out));
	if (drop_fnr_valid(s, &d, &m, &y))
		FUZZ_CHECK(strlen(s) == 11 && d >= 1 && d <= 31 && m >= 1 &&
		    m <= 12 && y >= 0 && y <= 99);
	(void)drop_has_card_number(s);
	(void)drop_valid_pin(s);
	(void)drop_card_mask(s, out, sizeof(out));
	(void)drop_mask_account(s, out, sizeof(out));
	(void)drop_short_name(s, s, out, sizeof(out));
	if (drop_webhook_url_check(s, 0) == 0) {
		/* A NUL ends the text a C caller sees: judge that, not size. */
		FUZZ_CHECK(strncmp(s, "https://", 8) == 0 &&
		    strlen(s) <= DROP_WEBHOOK_URL_MAX);
		FUZZ_CHECK(strcspn(s + 8, "/?") <= strcspn(s + 8, "@"));
	}
	if (drop_webhook_url_check(s, 1) == 0)
		FUZZ_CHECK(strncmp(s, "https://", 8) == 0 ||
		    strncmp(s, "http://", 7) == 0);
	(void)drop_id_any_valid(s);
	(void)drop_reqid_valid(s);
	free(s);

	return (0);
}
