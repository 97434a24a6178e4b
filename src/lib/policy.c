/*
 * Money policy: the one table of payment types (amount range, fee,
 * delivery promise) and the one table of payout corridors (country,
 * currency, EEA). Payments, disclosure, receipts, rates, validators and
 * the merchant dashboard all read these; nothing else states a fee.
 */

#include <stdio.h>
#include <string.h>

#include "lib.h"

static const struct drop_policy policies[] = {
	{ "remittance",	10000,	5000000,	50,	0.5,
	    "1-2 business days",	2,	"2-4 business days",	4,	1 },
	{ "qr_payment",	100,	10000000,	100,	1.0,
	    "Instant",			0,	"Instant",		0,	0 },
	{ NULL,		0,	0,		0,	0,
	    NULL,			0,	NULL,			0,	0 }
};

static const struct drop_corridor corridors[] = {
	{ "RS",	"RSD",	0 },
	{ "BA",	"BAM",	0 },
	{ "PL",	"PLN",	1 },
	{ "PK",	"PKR",	0 },
	{ "TR",	"TRY",	0 },
	{ NULL,	NULL,	0 }
};

const struct drop_policy *
drop_policy(const char *type)
{
	const struct drop_policy	*p;

	for (p = policies; type != NULL && p->type != NULL; p++) {
		if (!strcmp(p->type, type))
			return (p);
	}

	return (NULL);
}

/* The payment type at index i of the table, or NULL past its end. */
const struct drop_policy *
drop_policy_at(int i)
{
	if (i < 0 || i >= (int)(sizeof(policies) / sizeof(policies[0])) - 1)
		return (NULL);
	return (&policies[i]);
}

/* 1 when ore is a payable amount of this type. */
int
drop_policy_amount_ok(const struct drop_policy *p, int64_t ore)
{
	return (ore >= p->min && ore <= p->max);
}

/* The fee charged for amount, in øre (half-up). */
int64_t
drop_policy_fee(const struct drop_policy *p, int64_t amount)
{
	return (drop_fee(amount, p->fee_bp));
}

/* The fee as a fraction (0.005), for display only. */
double
drop_policy_fee_fraction(const struct drop_policy *p)
{
	return ((double)p->fee_bp / 10000.0);
}

const struct drop_corridor *
drop_corridor(const char *country)
{
	const struct drop_corridor	*c;

	for (c = corridors; country != NULL && c->country != NULL; c++) {
		if (!strcmp(c->country, country))
			return (c);
	}

	return (NULL);
}

/* The corridor at index i of the table, or NULL past its end. */
const struct drop_corridor *
drop_corridor_at(int i)
{
	if (i < 0 || i >= (int)(sizeof(corridors) / sizeof(corridors[0])) - 1)
		return (NULL);
	return (&corridors[i]);
}

/* Delivery text and business days for a payment to country. */
const char *
drop_policy_delivery(const struct drop_policy *p, const char *country,
    int *days)
{
	const struct drop_corridor	*c;
	int				 eea;

	c = drop_corridor(country);
	eea = c != NULL && c->eea;
	if (days != NULL)
		*days = eea ? p->days_eea : p->days_other;

	return (eea ? p->delivery_eea : p->delivery_other);
}

/*
 * The corridors' countries joined by sep ("RS, BA, ..."), or with
 * eea_only the EEA ones as a SQL array literal body; -1 if out is short.
 */
int
drop_corridor_list(char *out, size_t outlen, const char *sep, int eea_only)
{
	const struct drop_corridor	*c;
	size_t				 off;
	int				 n;

	if (outlen == 0)
		return (-1);
	out[0] = '\0';
	for (off = 0, c = corridors; c->country != NULL; c++) {
		if (eea_only && !c->eea)
			continue;
		n = snprintf(out + off, outlen - off, "%s%s",
		    off > 0 ? sep : "", c->country);
		if (n < 0 || (size_t)n >= outlen - off)
			return (-1);
		off += (size_t)n;
	}

	return (0);
}
