/*
 * Kore 4.1's own TLS with OpenSSL 3: the worker installs a public-only key
 * (see docs/decisions.md), so every handshake fails. The parent reads each
 * TLS domain's private key before fork; each worker puts it on the domain's
 * SSL_CTX right after Kore builds one (at start and on every reload).
 */

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "drop.h"

#define TLS_KEYS_MAX	8

struct tls_key {
	char		 domain[KORE_DOMAINNAME_LEN + 1];
	EVP_PKEY	*pkey;
};

static struct tls_key	tls_keys[TLS_KEYS_MAX];
static int		tls_nkeys;

static void	tls_certificate(struct kore_msg *, const void *);
static void	tls_install_key(struct kore_domain *);

/* Parent, before fork: read every TLS domain's private key. */
int
drop_tls_load_keys(void)
{
	struct kore_server	*srv;
	struct kore_domain	*dom;
	FILE			*fp;
	EVP_PKEY		*pkey;

	LIST_FOREACH(srv, &kore_servers, list) {
		if (!srv->tls)
			continue;
		TAILQ_FOREACH(dom, &srv->domains, list) {
			if (dom->certkey == NULL || tls_nkeys >= TLS_KEYS_MAX)
				continue;
			if ((fp = fopen(dom->certkey, "r")) == NULL) {
				kore_log(LOG_ERR, "tls: cannot open %s",
				    dom->certkey);
				return (-1);
			}
			pkey = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
			fclose(fp);
			if (pkey == NULL) {
				kore_log(LOG_ERR, "tls: no private key in %s",
				    dom->certkey);
				return (-1);
			}
			(void)kore_strlcpy(tls_keys[tls_nkeys].domain,
			    dom->domain, sizeof(tls_keys[0].domain));
			tls_keys[tls_nkeys++].pkey = pkey;
		}
	}

	return (0);
}

/* Worker: take over the certificate message so the key follows it. */
void
drop_tls_worker_hook(void)
{
	if (tls_nkeys == 0)
		return;
	kore_msg_unregister(KORE_MSG_CERTIFICATE);
	if (!kore_msg_register(KORE_MSG_CERTIFICATE, tls_certificate))
		fatal("tls: cannot register certificate handler");
}

/* What Kore's worker does with a certificate, plus the real key. */
static void
tls_certificate(struct kore_msg *msg, const void *data)
{
	struct kore_domain		*dom;
	const struct kore_x509_msg	*x509;

	if (!kore_worker_keymgr_response_verify(msg, data, &dom))
		return;
	x509 = data;
	kore_domain_tlsinit(dom, KORE_PEM_CERT_CHAIN, x509->data,
	    x509->data_len);
	tls_install_key(dom);
}

static void
tls_install_key(struct kore_domain *dom)
{
	int		i;

	if (dom->ssl_ctx == NULL)
		return;
	for (i = 0; i < tls_nkeys; i++) {
		if (strcmp(tls_keys[i].domain, dom->domain))
			continue;
		if (SSL_CTX_use_PrivateKey(dom->ssl_ctx, tls_keys[i].pkey) != 1 ||
		    SSL_CTX_check_private_key(dom->ssl_ctx) != 1) {
			kore_log(LOG_ERR, "tls: key for %s rejected: %s",
			    dom->domain, ERR_error_string(ERR_get_error(),
			    NULL));
		}
		return;
	}
}
