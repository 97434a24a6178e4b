/*
 * What a client sends to prove who it is and where it is in a list:
 * tokens (drop_jwt_verify, drop_bearer), merchant API keys (drop_apikey_id)
 * and cursors (drop_cursor_decode). No input is accepted as a token signed
 * with the key (that would be a forgery), a key accepted names a valid id
 * made of its own characters, and every cursor accepted is one
 * drop_cursor_encode makes. A value sealed at rest (drop_unseal) opens
 * for no text but the sealer's.
 */

#include "fuzz.h"
#include "lib.h"

#define FUZZ_KEY	"fuzz-jwt-key-of-thirty-two-bytes"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct drop_claims	 claims;
	const char		*token;
	unsigned char		 key[DROP_SEAL_KEYLEN];
	char			*s, id[64], again[DROP_CURSOR_MAX];
	char			 plain[DROP_SEAL_MAX + 1];
	int64_t			 us;
	size_t			 len;

	s = fuzz_text(data, size, &len);
	memset(&claims, 0, sizeof(claims));
	FUZZ_CHECK(drop_jwt_verify((const unsigned char *)FUZZ_KEY,
	    strlen(FUZZ_KEY), s, 1800000000, &claims) != 0);
	if (drop_bearer(s, &token))
		FUZZ_CHECK(token >= s && token <= s + len);
	if (drop_apikey_id(s, id, sizeof(id)) == 0) {
		FUZZ_CHECK(strlen(s) == DROP_APIKEY_LEN &&
		    drop_id_valid("key_", id));
		FUZZ_CHECK(memcmp(id + 4, s + 3, DROP_ID_HEX) == 0);
	}
	if (drop_cursor_decode(s, &us, id, sizeof(id)) == 0) {
		FUZZ_CHECK(drop_cursor_encode(us, id, again,
		    sizeof(again)) == 0);
		FUZZ_CHECK(drop_cursor_decode(again, &us, id, sizeof(id)) == 0);
	}
	FUZZ_CHECK(drop_seal_key((const unsigned char *)FUZZ_KEY,
	    strlen(FUZZ_KEY), key) == 0);
	FUZZ_CHECK(drop_unseal(key, "national_id", s, plain,
	    sizeof(plain)) != 0);
	free(s);

	return (0);
}
