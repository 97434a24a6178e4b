/*
 * What Drop relies on inside Kore 4.1 beyond its documented API, all of
 * it in kore41.c: a Kore upgrade breaks here, in one known place, and the
 * start-up check refuses any Kore that is not 4.1.
 */

#ifndef DROP_KORE41_H
#define DROP_KORE41_H

#include <kore/kore.h>
#include <kore/pgsql.h>
#include <kore/http.h>

/* The Kore release this module was written against. */
#define KORE41_VERSION		"4.1."

void	kore41_check_version(void);
int	kore41_pgsql_guard(const char *);
void	kore41_pgsql_adopt(const char *, PGconn *);
struct pgsql_conn *kore41_pgsql_take_free(const char *);
void	kore41_pgsql_detach(struct pgsql_conn *, int);
void	kore41_pgsql_free(struct pgsql_conn *);
void	kore41_pgsql_flush_tombstone(void);
void	kore41_pgsql_sent(struct kore_pgsql *, PGconn *);
int	kore41_pgsql_scheduled(struct kore_pgsql *);
void	kore41_pgsql_unschedule(struct kore_pgsql *);
int	kore41_pgsql_readable(struct kore_pgsql *);
/* kore41_delete_body(): what became of a DELETE's body. */
#define KORE41_BODY_DONE	0	/* none, or all of it in req->http_body */
#define KORE41_BODY_WAIT	1	/* reading: sleep until woken */
#define KORE41_BODY_TOO_LARGE	2
#define KORE41_BODY_BAD		3	/* bad Content-Length, or gone */

int	kore41_delete_body(struct http_request *, size_t);
int	kore41_delete_body_pending(struct http_request *);
int	kore41_validators_each(int (*)(struct kore_validator *, void *),
	    void *);

#endif
