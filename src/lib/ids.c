/*
 * Identifiers, request ids, random tokens, merchant API keys and
 * constant-time comparison.
 */

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "lib.h"

static const char	hexdigits[] = "0123456789abcdef";

/* A prefix and 16 lowercase hex characters from the CSPRNG. */
int
drop_id_new(const char *prefix, char *out, size_t outlen)
{
	unsigned char	raw[DROP_ID_HEX / 2];
	size_t		plen, i;

	plen = strlen(prefix);
	if (plen + DROP_ID_HEX + 1 > outlen)
		return (-1);
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return (-1);

	memcpy(out, prefix, plen);
	for (i = 0; i < sizeof(raw); i++) {
		out[plen + i * 2] = hexdigits[raw[i] >> 4];
		out[plen + i * 2 + 1] = hexdigits[raw[i] & 0x0f];
	}
	out[plen + DROP_ID_HEX] = '\0';

	return (0);
}

/* Does s look exactly like an id with this prefix? */
int
drop_id_valid(const char *prefix, const char *s)
{
	size_t		plen, i;

	if (s == NULL)
		return (0);
	plen = strlen(prefix);
	if (strlen(s) != plen + DROP_ID_HEX || strncmp(s, prefix, plen) != 0)
		return (0);
	for (i = plen; i < plen + DROP_ID_HEX; i++) {
		if (strchr(hexdigits, s[i]) == NULL || s[i] == '\0')
			return (0);
	}

	return (1);
}

/* ^[A-Za-z0-9._-]{1,128}$ */
int
drop_reqid_valid(const char *s)
{
	size_t		i;
	char		c;

	if (s == NULL)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= DROP_REQID_MAX)
			return (0);
		c = s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
			continue;
		return (0);
	}

	return (i > 0);
}

/* 32 random bytes as unpadded base64url (43 characters). */
int
drop_random_token(char *out, size_t outlen)
{
	unsigned char	raw[32];
	unsigned char	b64[64];
	int		n, i, j;

	if (outlen < DROP_CSRF_LEN + 1)
		return (-1);
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return (-1);
	n = EVP_EncodeBlock(b64, raw, sizeof(raw));
	for (i = 0, j = 0; i < n && j < DROP_CSRF_LEN; i++) {
		if (b64[i] == '=')
			break;
		out[j++] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	}
	out[j] = '\0';

	return (0);
}

/* Equal strings, in time independent of where they differ. */
int
drop_ct_equal(const char *a, const char *b)
{
	size_t		alen, blen;

	if (a == NULL || b == NULL)
		return (0);
	alen = strlen(a);
	blen = strlen(b);
	if (alen != blen || alen == 0)
		return (0);

	return (CRYPTO_memcmp(a, b, alen) == 0);
}

/* Any Drop id: ^[a-z]+_[a-f0-9]{16}$ (prefix of one word). */
int
drop_id_any_valid(const char *s)
{
	size_t		i, n;

	if (s == NULL)
		return (0);
	for (i = 0; s[i] >= 'a' && s[i] <= 'z'; i++)
		;
	if (i == 0 || s[i] != '_')
		return (0);
	for (i++, n = 0; s[i] != '\0' && strchr(hexdigits, s[i]) != NULL;
	    i++, n++)
		;
	return (s[i] == '\0' && n == DROP_ID_HEX);
}

/* A random (version 4) UUID, lower-case, as X-Request-ID wants it. */
int
drop_uuid4(char *out, size_t outlen)
{
	unsigned char	b[16];
	size_t		i, o;

	if (outlen < 37 || RAND_bytes(b, sizeof(b)) != 1)
		return (-1);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0, o = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hexdigits[b[i] >> 4];
		out[o++] = hexdigits[b[i] & 0x0f];
	}
	out[o] = '\0';

	return (0);
}

/*
 * A merchant API key: "dk_" + the key id's 16 hex characters + "_" + a
 * random token; out gets the whole key and id its id ("key_..."). The
 * id is the prefix that identifies the key; only a hash of the key is
 * kept.
 */
int
drop_apikey_new(char *out, size_t outlen, char *id, size_t idlen)
{
	char		secret[DROP_CSRF_LEN + 1];

	if (outlen < DROP_APIKEY_LEN + 1 ||
	    drop_id_new("key_", id, idlen) != 0 ||
	    drop_random_token(secret, sizeof(secret)) != 0)
		return (-1);
	memcpy(out, "dk_", 3);
	memcpy(out + 3, id + 4, DROP_ID_HEX);
	out[3 + DROP_ID_HEX] = '_';
	memcpy(out + 4 + DROP_ID_HEX, secret, DROP_CSRF_LEN + 1);
	explicit_bzero(secret, sizeof(secret));

	return (0);
}

/* len characters of the base64url alphabet (drop_random_token's), no more. */
int
drop_token_valid(const char *s, size_t len)
{
	size_t		i;
	char		c;

	if (s == NULL || strlen(s) != len)
		return (0);
	for (i = 0; i < len; i++) {
		c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return (0);
	}

	return (1);
}

/*
 * The id in a well-formed credential "<kp><16 hex>_<token>" (kp three
 * characters, the id's prefix ip four: "dk_" and "key_"), else -1.
 */
int
drop_secret_id(const char *key, const char *kp, const char *ip, char *id,
    size_t idlen)
{
	if (key == NULL || strlen(kp) != 3 || strlen(ip) != 4 ||
	    strlen(key) != DROP_APIKEY_LEN || strncmp(key, kp, 3) ||
	    key[3 + DROP_ID_HEX] != '_' || idlen < 4 + DROP_ID_HEX + 1 ||
	    !drop_token_valid(key + 4 + DROP_ID_HEX, DROP_CSRF_LEN))
		return (-1);
	memcpy(id, ip, 4);
	memcpy(id + 4, key + 3, DROP_ID_HEX);
	id[4 + DROP_ID_HEX] = '\0';

	return (drop_id_valid(ip, id) ? 0 : -1);
}

/* The id of a well-formed merchant key ("key_..." in id), else -1. */
int
drop_apikey_id(const char *key, char *id, size_t idlen)
{
	return (drop_secret_id(key, "dk_", "key_", id, idlen));
}

/* SHA-256 of s as 64 lowercase hex characters. */
int
drop_sha256_hex(const char *s, char *out, size_t outlen)
{
	unsigned char	digest[EVP_MAX_MD_SIZE];
	unsigned int	len, i;

	if (outlen < 65 || EVP_Digest(s, strlen(s), digest, &len, EVP_sha256(),
	    NULL) != 1 || len != 32)
		return (-1);
	for (i = 0; i < len; i++) {
		out[i * 2] = hexdigits[digest[i] >> 4];
		out[i * 2 + 1] = hexdigits[digest[i] & 0x0f];
	}
	out[64] = '\0';

	return (0);
}
