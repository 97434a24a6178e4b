/*
 * Columns sealed at rest (national identity numbers, webhook signing
 * secrets) with the worker's data key (src/lib/seal.c), the column's name
 * the additional data. A value stored before sealing began reads as it
 * is, so old rows stay readable without a rewrite.
 */

#include <string.h>

#include "drop.h"

/* plain sealed for column into out (DROP_SEAL_TEXT_MAX); -1 on error. */
int
drop_seal_text(const char *column, const char *plain, char *out,
    size_t outlen)
{
	return (drop_seal(drop_cfg.data_key, column, plain, out, outlen));
}

/* The value of a stored column into out: opened, or as it was stored. */
int
drop_unseal_text(const char *column, const char *stored, char *out,
    size_t outlen)
{
	if (!drop_sealed(stored))
		return (kore_strlcpy(out, stored, outlen) < outlen ? 0 : -1);

	return (drop_unseal(drop_cfg.data_key, column, stored, out, outlen));
}

/* The same as JSON text; null (and a warning) when it does not open. */
json_t *
drop_json_unsealed(struct drop_ctx *ctx, const char *column,
    const char *stored)
{
	char		 plain[DROP_SEAL_MAX + 1];
	json_t		*j;

	if (stored == NULL)
		return (json_null());
	if (drop_unseal_text(column, stored, plain, sizeof(plain)) != 0) {
		kore_log(LOG_WARNING, "[%s] a sealed %s does not open",
		    ctx->reqid, column);
		return (json_null());
	}
	j = json_string(plain);
	explicit_bzero(plain, sizeof(plain));

	return (j);
}
