/*
 * Open Banking provider interface (AISP + PISP). The shipped provider is a
 * deterministic sandbox; a real one implements the same three calls (and
 * must do its network I/O off the event loop, in a task).
 */

#ifndef DROP_BANK_H
#define DROP_BANK_H

#include <stddef.h>
#include <stdint.h>

#define DROP_BANK_OK		0
#define DROP_BANK_REJECTED	1	/* the bank said no */
#define DROP_BANK_UNAVAILABLE	2	/* no answer */

struct drop_bank {
	const char	*name;
	/* Links an account; its current balance in øre. */
	int		(*link)(const char *bank_name, const char *account,
			    int64_t *balance);
	/* Reads the current balance in øre. */
	int		(*read_balance)(const char *account, int64_t *balance);
	/* Initiates a payment; the bank's reference. */
	int		(*initiate_payment)(const char *from_account,
			    int64_t amount, const char *reference, char *bank_ref,
			    size_t bank_ref_len);
};

extern const struct drop_bank	drop_bank_sandbox;
extern const struct drop_bank	*drop_bank;

#endif
