/*
 * The sandbox bank: deterministic balances per account number, and
 * accounts that refuse payments, for tests and demos.
 *
 * balance  = 1 000.00 NOK + (digits 5-10 of the account number) øre × 100
 *            (so 1 000.00 .. 1 000 999.99 NOK), except:
 * 0000xxxxxxx  accounts hold 0.00 NOK
 * 6666xxxxxxx  accounts refuse every payment (PISP rejection)
 * 7777xxxxxxx  accounts cannot be reached (AISP/PISP unavailable)
 */

#include <stdio.h>
#include <string.h>

#include "bank.h"

static int	sandbox_link(const char *, const char *, int64_t *);
static int	sandbox_balance(const char *, int64_t *);
static int	sandbox_pay(const char *, int64_t, const char *, char *, size_t);

const struct drop_bank drop_bank_sandbox = {
	"sandbox", sandbox_link, sandbox_balance, sandbox_pay
};

const struct drop_bank	*drop_bank = &drop_bank_sandbox;

static int
sandbox_balance(const char *account, int64_t *balance)
{
	int64_t		n;
	int		i;

	if (strlen(account) != 11)
		return (DROP_BANK_REJECTED);
	if (!strncmp(account, "7777", 4))
		return (DROP_BANK_UNAVAILABLE);
	if (!strncmp(account, "0000", 4)) {
		*balance = 0;
		return (DROP_BANK_OK);
	}
	for (i = 4, n = 0; i < 10; i++)
		n = n * 10 + (account[i] - '0');
	*balance = 100000 + n * 100;

	return (DROP_BANK_OK);
}

static int
sandbox_link(const char *bank_name, const char *account, int64_t *balance)
{
	(void)bank_name;
	return (sandbox_balance(account, balance));
}

static int
sandbox_pay(const char *from, int64_t amount, const char *reference,
    char *bank_ref, size_t bank_ref_len)
{
	int	len;

	if (amount <= 0 || !strncmp(from, "6666", 4))
		return (DROP_BANK_REJECTED);
	if (!strncmp(from, "7777", 4))
		return (DROP_BANK_UNAVAILABLE);
	len = snprintf(bank_ref, bank_ref_len, "SBX-%s", reference);
	if (len < 0 || (size_t)len >= bank_ref_len)
		return (DROP_BANK_REJECTED);

	return (DROP_BANK_OK);
}
