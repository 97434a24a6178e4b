/*
 * Drop backend: pure logic with no Kore dependency (unit-tested with Check).
 */

#ifndef DROP_PURE_H
#define DROP_PURE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DROP_ID_LEN		32	/* "tx_rem_" + 16 hex + NUL fits */
#define DROP_ID_HEX		16
#define DROP_REQID_MAX		128
#define DROP_JWT_MAX		1024
#define DROP_TOKEN_TTL		86400
#define DROP_CSRF_LEN		43	/* 32 random bytes, base64url */

/* ids.c */
int	drop_id_new(const char *, char *, size_t);
int	drop_id_valid(const char *, const char *);
int	drop_reqid_valid(const char *);
int	drop_random_token(char *, size_t);
int	drop_ct_equal(const char *, const char *);

/* text.c */
int	drop_utf8_valid(const char *, size_t);
size_t	drop_utf8_len(const char *);
int	drop_sanitize(const char *, char *, size_t);
int	drop_has_html(const char *);
int	drop_valid_email(const char *);
int	drop_valid_password(const char *);
int	drop_valid_name(const char *, size_t);
int	drop_valid_phone(const char *);
int	drop_valid_date(const char *, int *, int *, int *);
int	drop_valid_adult(const char *, time_t);
void	drop_oslo_date(time_t, int *, int *, int *);

/* money.c */
int	drop_money_from_double(double, int64_t *);
int	drop_money_format(int64_t, char *, size_t);
int	drop_money_parse(const char *, int64_t *);
int64_t	drop_fee(int64_t, int);
int	drop_mod11_valid(const char *, char *, size_t);
int	drop_mask_account(const char *, char *, size_t);

/* jwt.c */
struct drop_claims {
	char		sub[DROP_ID_LEN];
	char		jti[DROP_ID_LEN];
	char		role[16];
	long		iat;
	long		exp;
};

int	drop_jwt_sign(const unsigned char *, size_t, const struct drop_claims *,
	    char *, size_t);
int	drop_jwt_verify(const unsigned char *, size_t, const char *, time_t,
	    struct drop_claims *);

/* sqlstate.c: how a query ended (the database pool's outcomes). */
#define DROP_DBQ_OK		0
#define DROP_DBQ_UNAVAILABLE	1	/* no usable answer: 503 */
#define DROP_DBQ_FAILED		2	/* the server refused it: 500 */

int	drop_sqlstate_outcome(const char *);
int	drop_sqlstate_lost(const char *);

/* cursor.c: list positions for cursor pagination. */
#define DROP_CURSOR_MAX		96	/* hex text, NUL included */

int	drop_cursor_encode(int64_t, const char *, char *, size_t);
int	drop_cursor_decode(const char *, int64_t *, char *, size_t);
int	drop_cursor_id_valid(const char *);

/* cookie.c */
int	drop_cookie_format(char *, size_t, const char *, const char *, int,
	    int);
int	drop_bearer(const char *, const char **);

#endif
