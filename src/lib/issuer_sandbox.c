/*
 * The sandbox card issuer: deterministic cards per card id, for tests and
 * demos. The card number it makes (a Visa test range, Luhn-valid) exists
 * only inside issue() and is wiped before it returns; Drop gets the last
 * four digits, expiry (DROP_CARD_VALID_YEARS ahead) and a token.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "issuer.h"

static int	sandbox_issue(const char *, int, int, int,
		    struct drop_issued_card *);
static int	sandbox_freeze(const char *, int);
static int	sandbox_cancel(const char *);
static int	sandbox_physical(const char *, const char *);
static int	sandbox_pin(const char *, const char *);

const struct drop_issuer drop_issuer_sandbox = {
	"sandbox", sandbox_issue, sandbox_freeze, sandbox_cancel,
	sandbox_physical, sandbox_pin
};

const struct drop_issuer	*drop_issuer = &drop_issuer_sandbox;

/* The Luhn check digit of the first len digits of pan. */
static int
luhn_digit(const char *pan, size_t len)
{
	size_t		i;
	int		sum, d, dbl;

	for (sum = 0, dbl = 1, i = len; i > 0; i--, dbl = !dbl) {
		d = pan[i - 1] - '0';
		if (dbl && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}

	return ((10 - sum % 10) % 10);
}

static int
sandbox_issue(const char *card_id, int physical, int year, int month,
    struct drop_issued_card *card)
{
	unsigned char	digest[SHA256_DIGEST_LENGTH];
	char		pan[17];
	size_t		i;
	int		len;

	(void)physical;
	if (card_id == NULL || month < 1 || month > 12)
		return (DROP_ISSUER_REJECTED);
	SHA256((const unsigned char *)card_id, strlen(card_id), digest);
	memcpy(pan, "400000", 6);
	for (i = 6; i < 15; i++)
		pan[i] = (char)('0' + digest[i] % 10);
	pan[15] = (char)('0' + luhn_digit(pan, 15));
	pan[16] = '\0';
	memcpy(card->last4, pan + 12, 4);
	card->last4[4] = '\0';
	OPENSSL_cleanse(pan, sizeof(pan));

	len = snprintf(card->token, sizeof(card->token),
	    "tok_sbx_%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x",
	    digest[20], digest[21], digest[22], digest[23], digest[24],
	    digest[25], digest[26], digest[27], digest[28], digest[29],
	    digest[30], digest[31]);
	if (len < 0 || (size_t)len >= sizeof(card->token))
		return (DROP_ISSUER_REJECTED);
	(void)snprintf(card->brand, sizeof(card->brand), "Visa");
	card->expiry_month = month;
	card->expiry_year = year + DROP_CARD_VALID_YEARS;

	return (DROP_ISSUER_OK);
}

static int
sandbox_known(const char *token)
{
	return (token != NULL && !strncmp(token, "tok_sbx_", 8) &&
	    strlen(token) == 32);
}

static int
sandbox_freeze(const char *token, int frozen)
{
	(void)frozen;
	return (sandbox_known(token) ? DROP_ISSUER_OK : DROP_ISSUER_REJECTED);
}

static int
sandbox_cancel(const char *token)
{
	return (sandbox_known(token) ? DROP_ISSUER_OK : DROP_ISSUER_REJECTED);
}

static int
sandbox_physical(const char *token, const char *address)
{
	if (address == NULL || strlen(address) < 10)
		return (DROP_ISSUER_REJECTED);
	return (sandbox_known(token) ? DROP_ISSUER_OK : DROP_ISSUER_REJECTED);
}

static int
sandbox_pin(const char *token, const char *pin)
{
	if (pin == NULL || strlen(pin) != 4)
		return (DROP_ISSUER_REJECTED);
	return (sandbox_known(token) ? DROP_ISSUER_OK : DROP_ISSUER_REJECTED);
}
