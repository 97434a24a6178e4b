/*
 * Card-issuer interface. The shipped issuer is a deterministic sandbox; a
 * real issuing partner implements the same calls (and must do its network
 * I/O off the event loop, in a task). Drop keeps only what an issuer
 * returns here: a token, the last four digits, expiry and brand; never a
 * full card number or CVV (PCI DSS 3.3/3.4).
 */

#ifndef DROP_ISSUER_H
#define DROP_ISSUER_H

#include <stddef.h>

#define DROP_ISSUER_OK		0
#define DROP_ISSUER_REJECTED	1	/* the issuer said no */
#define DROP_ISSUER_UNAVAILABLE	2	/* no answer */

#define DROP_CARD_TOKEN_LEN	48
#define DROP_CARD_VALID_YEARS	3

struct drop_issued_card {
	char		token[DROP_CARD_TOKEN_LEN];
	char		last4[5];
	char		brand[16];
	int		expiry_month;
	int		expiry_year;
};

struct drop_issuer {
	const char	*name;
	/* Issues a card for card_id in the month given (year, 1-12). */
	int		(*issue)(const char *card_id, int physical, int year,
			    int month, struct drop_issued_card *card);
	/* Blocks (frozen 1) or unblocks (0) a card. */
	int		(*freeze)(const char *token, int frozen);
	int		(*cancel)(const char *token);
	int		(*order_physical)(const char *token,
			    const char *address);
	/* The issuer keeps the PIN (the sandbox checks it and keeps none). */
	int		(*set_pin)(const char *token, const char *pin);
};

extern const struct drop_issuer	drop_issuer_sandbox;
extern const struct drop_issuer	*drop_issuer;

#endif
