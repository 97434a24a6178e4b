/*
 * Columns sealed at rest: a value (a national identity number, a webhook
 * signing secret) is stored as "s1:" and the hex of a fresh 12-byte
 * nonce, its AES-256-GCM ciphertext and the 16-byte tag. The column's
 * name is the additional data, so a sealed value moved to another
 * column does not open. The key is derived from DROP_DATA_KEY, which
 * the database never holds.
 */

#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "lib.h"

#define SEAL_PREFIX	"s1:"
#define SEAL_PREFIX_LEN	3
#define SEAL_NONCE	12
#define SEAL_TAG	16
#define SEAL_DOMAIN	"drop data key v1"

static int	hex_byte(const char *);

/* The AES key of a secret of any length: SHA-256 over it and a label. */
int
drop_seal_key(const unsigned char *secret, size_t len,
    unsigned char *key)
{
	EVP_MD_CTX	*md;
	unsigned int	 n;
	int		 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return (-1);
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(md, SEAL_DOMAIN, sizeof(SEAL_DOMAIN) - 1) == 1 &&
	    EVP_DigestUpdate(md, secret, len) == 1 &&
	    EVP_DigestFinal_ex(md, key, &n) == 1 && n == DROP_SEAL_KEYLEN;
	EVP_MD_CTX_free(md);

	return (ok ? 0 : -1);
}

/* Whether a stored value is sealed (else it predates sealing). */
int
drop_sealed(const char *text)
{
	return (strncmp(text, SEAL_PREFIX, SEAL_PREFIX_LEN) == 0);
}

/* The text's length, NUL included, for a value of len bytes. */
size_t
drop_seal_size(size_t len)
{
	return (SEAL_PREFIX_LEN + 2 * (SEAL_NONCE + len + SEAL_TAG) + 1);
}

/* plain sealed under key for the column aad into out; -1 on any error. */
int
drop_seal(const unsigned char *key, const char *aad, const char *plain,
    char *out, size_t outlen)
{
	EVP_CIPHER_CTX	*c;
	unsigned char	 raw[SEAL_NONCE + DROP_SEAL_MAX + SEAL_TAG];
	size_t		 len, rawlen, i;
	int		 n, fin, ok;

	len = strlen(plain);
	if (len > DROP_SEAL_MAX || outlen < drop_seal_size(len) ||
	    RAND_bytes(raw, SEAL_NONCE) != 1)
		return (-1);
	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return (-1);
	ok = EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, raw) == 1 &&
	    EVP_EncryptUpdate(c, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_EncryptUpdate(c, raw + SEAL_NONCE, &n,
	    (const unsigned char *)plain, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(c, raw + SEAL_NONCE + n, &fin) == 1 &&
	    (size_t)(n + fin) == len &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SEAL_TAG,
	    raw + SEAL_NONCE + len) == 1;
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		return (-1);
	rawlen = SEAL_NONCE + len + SEAL_TAG;
	memcpy(out, SEAL_PREFIX, SEAL_PREFIX_LEN);
	for (i = 0; i < rawlen; i++) {
		out[SEAL_PREFIX_LEN + 2 * i] = "0123456789abcdef"[raw[i] >> 4];
		out[SEAL_PREFIX_LEN + 2 * i + 1] =
		    "0123456789abcdef"[raw[i] & 15];
	}
	out[SEAL_PREFIX_LEN + 2 * rawlen] = '\0';

	return (0);
}

/* The value of hex digits at s, or -1. */
static int
hex_byte(const char *s)
{
	int	i, v, d;

	v = 0;
	for (i = 0; i < 2; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else
			return (-1);
		v = v * 16 + d;
	}

	return (v);
}

/*
 * The value sealed in text for the column aad into out (NUL-terminated);
 * -1 if text is not a sealed value, was changed, or is another column's.
 */
int
drop_unseal(const unsigned char *key, const char *aad, const char *text,
    char *out, size_t outlen)
{
	EVP_CIPHER_CTX	*c;
	unsigned char	 raw[SEAL_NONCE + DROP_SEAL_MAX + SEAL_TAG];
	size_t		 hexlen, rawlen, len, i;
	int		 n, fin, ok, b;

	if (!drop_sealed(text))
		return (-1);
	hexlen = strnlen(text + SEAL_PREFIX_LEN, 2 * sizeof(raw) + 1);
	if (hexlen % 2 != 0 || hexlen > 2 * sizeof(raw) ||
	    hexlen < 2 * (SEAL_NONCE + SEAL_TAG))
		return (-1);
	rawlen = hexlen / 2;
	for (i = 0; i < rawlen; i++) {
		if ((b = hex_byte(text + SEAL_PREFIX_LEN + 2 * i)) == -1)
			return (-1);
		raw[i] = (unsigned char)b;
	}
	len = rawlen - SEAL_NONCE - SEAL_TAG;
	if (outlen < len + 1 || (c = EVP_CIPHER_CTX_new()) == NULL)
		return (-1);
	ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, raw) == 1 &&
	    EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_DecryptUpdate(c, (unsigned char *)out, &n, raw + SEAL_NONCE,
	    (int)len) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SEAL_TAG,
	    raw + SEAL_NONCE + len) == 1 &&
	    EVP_DecryptFinal_ex(c, (unsigned char *)out + n, &fin) == 1 &&
	    (size_t)(n + fin) == len && memchr(out, '\0', len) == NULL;
	EVP_CIPHER_CTX_free(c);
	if (!ok) {
		explicit_bzero(out, outlen);
		return (-1);
	}
	out[len] = '\0';

	return (0);
}
