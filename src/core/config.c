/*
 * The module's configuration: read once in the parent, before the workers
 * fork, from the environment and secret files; defaults match the var/
 * layout of `make run`, so `kodev run` works too.
 */

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drop.h"

#define DEFAULT_PG_HOST		"var/pg/run"
#define DEFAULT_PG_PORT		"55432"
#define DEFAULT_JWT_FILE	"var/secrets/jwt_secret"
#define DEFAULT_DATA_KEY_FILE	"var/secrets/data_key"
#define DEFAULT_PUBLIC_URL	"https://127.0.0.1:8443"
#define DEFAULT_BANK_SECRET	"var/secrets/bank_callback_secret"
#define DEFAULT_CA_BUNDLE	"/etc/ssl/certs/ca-certificates.crt"
#define DEFAULT_COLLECTION	"99990000013"
#define DEFAULT_COLLECTION_NAME	"Drop Payout Partner AS"
#define BANK_CA_MAX		(1024 * 1024)
#define PG_HOSTS_MAX		4	/* primary and standbys libpq tries */

struct drop_config	drop_cfg;

static int	read_secret(const char *, const char *, const char *,
		    unsigned char *, size_t, size_t *);
static int	env_int(const char *, int, int, int);
static void	data_key(void);
static void	pg_hosts(const char *, char *, size_t);
static void	build_conninfo(void);
static void	public_url(void);
static void	bank_config(void);
static void	bank_resolve(void);
static void	webhook_config(void);
static void	bank_ca(const char *);
static void	env_copy(const char *, const char *, char *, size_t);
static void	smtp_config(void);

/* A secret from NAME or from the file named by NAME_FILE. */
static int
read_secret(const char *name, const char *file_env, const char *def_file,
    unsigned char *out, size_t outlen, size_t *len)
{
	const char	*v, *path;
	ssize_t		 n;
	int		 fd;

	if ((v = getenv(name)) != NULL && *v != '\0') {
		if (strlen(v) >= outlen)
			return (-1);
		memcpy(out, v, strlen(v) + 1);
		*len = strlen(v);
		return (0);
	}
	if ((path = getenv(file_env)) == NULL)
		path = def_file;
	if (path == NULL || (fd = open(path, O_RDONLY)) == -1)
		return (-1);
	n = read(fd, out, outlen - 1);
	close(fd);
	if (n <= 0)
		return (-1);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		n--;
	out[n] = '\0';
	*len = (size_t)n;

	return (0);
}

/* The key of the columns sealed at rest (src/lib/seal.c). */
static void
data_key(void)
{
	unsigned char	secret[256];
	size_t		len;

	if (read_secret("DROP_DATA_KEY", "DROP_DATA_KEY_FILE",
	    DEFAULT_DATA_KEY_FILE, secret, sizeof(secret), &len) != 0 ||
	    len < 32)
		fatal("DROP_DATA_KEY (or _FILE) of at least 32 bytes needed");
	if (drop_seal_key(secret, len, drop_cfg.data_key) != 0)
		fatal("DROP_DATA_KEY: no key derived");
	explicit_bzero(secret, sizeof(secret));
}

static int
env_int(const char *name, int def, int min, int max)
{
	const char	*v;
	int		 err, n;

	if ((v = getenv(name)) == NULL || *v == '\0')
		return (def);
	n = kore_strtonum(v, 10, min, max, &err);
	if (err != KORE_RESULT_OK)
		fatal("%s must be a number from %d to %d", name, min, max);

	return (n);
}

/*
 * DROP_PG_HOST may list hosts (and DROP_PG_PORT ports) by comma, for
 * libpq's multi-host failover; a relative socket directory in the list
 * becomes absolute (the workers do not start where the parent did).
 */
static void
pg_hosts(const char *list, char *out, size_t outlen)
{
	const char	*p, *end;
	char		 one[PATH_MAX], abs[PATH_MAX];
	size_t		 len, used;
	int		 n, hosts;

	used = 0;
	out[0] = '\0';
	for (p = list, hosts = 0; *p != '\0'; p = *end ? end + 1 : end) {
		if (++hosts > PG_HOSTS_MAX)
			fatal("DROP_PG_HOST: at most %d hosts", PG_HOSTS_MAX);
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		if ((len = (size_t)(end - p)) == 0 || len >= sizeof(one))
			fatal("DROP_PG_HOST: an empty or overlong host");
		memcpy(one, p, len);
		one[len] = '\0';
		if (one[0] != '/' && strchr(one, '/') != NULL) {
			if (realpath(one, abs) == NULL)
				fatal("socket directory %s: %s", one, errno_s);
			memcpy(one, abs, strlen(abs) + 1);
		}
		n = snprintf(out + used, outlen - used, "%s%s",
		    used ? "," : "", one);
		if (n < 0 || (size_t)n >= outlen - used)
			fatal("DROP_PG_HOST too long");
		used += (size_t)n;
	}
}

/*
 * target_session_attrs: with a standby in the list, only the primary
 * takes a connection, and after a failover the promoted standby does.
 * Keepalives and tcp_user_timeout bound a TCP peer that vanished.
 */
static void
build_conninfo(void)
{
	const char	*host, *port, *db, *user;
	char		 hosts[PG_HOSTS_MAX * 128];
	int		 len;

	if ((host = getenv("DROP_PG_HOST")) == NULL)
		host = DEFAULT_PG_HOST;
	if ((port = getenv("DROP_PG_PORT")) == NULL)
		port = DEFAULT_PG_PORT;
	if ((db = getenv("DROP_PG_DB")) == NULL)
		db = "drop";
	if ((user = getenv("DROP_PG_USER")) == NULL)
		user = "drop";
	if (strpbrk(host, " '\\") || strpbrk(port, " '\\") ||
	    strpbrk(db, " '\\") || strpbrk(user, " '\\"))
		fatal("database settings must not contain spaces or quotes");
	pg_hosts(host, hosts, sizeof(hosts));
	len = snprintf(drop_cfg.conninfo, sizeof(drop_cfg.conninfo),
	    "host=%s port=%s dbname=%s user=%s gssencmode=disable "
	    "sslmode=disable connect_timeout=2 application_name=drop "
	    "target_session_attrs=read-write keepalives_idle=5 "
	    "keepalives_interval=2 keepalives_count=2 tcp_user_timeout=9000 "
	    "options='-c statement_timeout=1500 "
	    "-c client_connection_check_interval=1000 "
	    "-c plan_cache_mode=force_generic_plan'", hosts, port, db, user);
	if (len < 0 || (size_t)len >= sizeof(drop_cfg.conninfo))
		fatal("database settings too long");
}

/* Parent, before fork: the configuration every worker inherits. */
void
drop_config_load(void)
{
	const char	*v;

	drop_cfg.started = time(NULL);
	build_conninfo();

	if (read_secret("DROP_JWT_SECRET", "DROP_JWT_SECRET_FILE",
	    DEFAULT_JWT_FILE, drop_cfg.jwt_secret, sizeof(drop_cfg.jwt_secret),
	    &drop_cfg.jwt_secret_len) != 0 || drop_cfg.jwt_secret_len < 32)
		fatal("DROP_JWT_SECRET (or _FILE) of at least 32 bytes needed");
	data_key();

	drop_cfg.bcrypt_cost = env_int("DROP_BCRYPT_COST", 12, 4, 15);
	/* Hashes a worker holds at once: 16 at cost 12 on 2 threads ~2 s. */
	drop_cfg.passwd_queue = env_int("DROP_PASSWD_QUEUE", 16, 1, 1024);
	/* Clients counted at once (tests fill a small table on purpose). */
	drop_cfg.ratelimit_slots = env_int("DROP_RATELIMIT_SLOTS", 16384, 32,
	    1048576) / 16 * 16;
	/* Load harnesses pay from few users faster than any person would. */
	drop_cfg.pay_per_user = env_int("DROP_RATELIMIT_PAY_PER_USER", 30, 1,
	    1000000);
	if (drop_cfg.bcrypt_cost < 12)
		kore_log(LOG_WARNING, "bcrypt cost %d is below 12: tests only",
		    drop_cfg.bcrypt_cost);
	if ((v = getenv("DROP_TRUSTED_PROXIES")) != NULL)
		(void)kore_strlcpy(drop_cfg.trusted_proxies, v,
		    sizeof(drop_cfg.trusted_proxies));
	public_url();
	bank_config();
	webhook_config();
	smtp_config();
}

/*
 * The SMTP relay e-mail goes to: its URL, the sender, a login, and TLS
 * (STARTTLS is required on smtp:// except to a relay on loopback).
 */
static void
smtp_config(void)
{
	const char	*v, *lt, *gt;
	size_t		 len;

	env_copy("DROP_SMTP_URL", "", drop_cfg.smtp_url,
	    sizeof(drop_cfg.smtp_url));
	env_copy("DROP_SMTP_FROM", "Drop <no-reply@drop.example>",
	    drop_cfg.smtp_from, sizeof(drop_cfg.smtp_from));
	env_copy("DROP_SMTP_USER", "", drop_cfg.smtp_user,
	    sizeof(drop_cfg.smtp_user));
	if (read_secret("DROP_SMTP_PASSWORD", "DROP_SMTP_PASSWORD_FILE", NULL,
	    (unsigned char *)drop_cfg.smtp_password,
	    sizeof(drop_cfg.smtp_password), &len) != 0)
		drop_cfg.smtp_password[0] = '\0';
	drop_cfg.smtp_timeout_ms = env_int("DROP_SMTP_TIMEOUT_MS", 10000, 500,
	    60000);
	drop_cfg.smtp_backoff_ms = env_int("DROP_SMTP_BACKOFF_MS", 30000, 100,
	    3600000);
	if (strpbrk(drop_cfg.smtp_from, "\r\n") != NULL ||
	    (lt = strchr(drop_cfg.smtp_from, '<')) == NULL ||
	    (gt = strchr(lt, '>')) == NULL || gt[1] != '\0' ||
	    (size_t)(gt - lt + 1) >= sizeof(drop_cfg.smtp_sender))
		fatal("DROP_SMTP_FROM must look like Drop <no-reply@drop.example>");
	memcpy(drop_cfg.smtp_sender, lt, (size_t)(gt - lt + 1));
	drop_cfg.smtp_sender[gt - lt + 1] = '\0';
	if (drop_cfg.smtp_url[0] == '\0')
		return;
	if (strncmp(drop_cfg.smtp_url, "smtp://", 7) &&
	    strncmp(drop_cfg.smtp_url, "smtps://", 8))
		fatal("DROP_SMTP_URL must be smtp://host:port or smtps://");
	v = getenv("DROP_SMTP_STARTTLS");
	drop_cfg.smtp_starttls = v != NULL ? strcmp(v, "no") != 0 :
	    strncmp(drop_cfg.smtp_url, "smtp://127.0.0.1", 16) &&
	    strncmp(drop_cfg.smtp_url, "smtp://localhost", 16);
}

/*
 * Merchants' webhooks: back-off, per-attempt timeout, how long a delivery
 * is tried; loopback endpoints (plain HTTP too) only where a test or
 * development stack says so, never in production.
 */
static void
webhook_config(void)
{
	const char	*v;

	drop_cfg.webhook_backoff_ms = env_int("DROP_WEBHOOK_BACKOFF_MS", 30000,
	    100, 3600000);
	drop_cfg.webhook_timeout_ms = env_int("DROP_WEBHOOK_TIMEOUT_MS", 10000,
	    500, 30000);
	drop_cfg.webhook_giveup_s = env_int("DROP_WEBHOOK_GIVEUP_S", 86400, 10,
	    7 * 86400);
	v = getenv("DROP_WEBHOOK_ALLOW_LOOPBACK");
	drop_cfg.webhook_loopback = v != NULL && !strcmp(v, "yes");
	if (drop_cfg.webhook_loopback)
		kore_log(LOG_WARNING, "webhooks may call loopback addresses: "
		    "tests and development only");
}

/*
 * Where people reach the web client (shop QR codes link to its pay page):
 * an http(s) origin with no path, no space and no quote.
 */
static void
public_url(void)
{
	const char	*v, *host;
	size_t		 len;

	if ((v = getenv("DROP_PUBLIC_URL")) == NULL || *v == '\0')
		v = DEFAULT_PUBLIC_URL;
	len = strlen(v);
	host = !strncmp(v, "https://", 8) ? v + 8 :
	    !strncmp(v, "http://", 7) ? v + 7 : NULL;
	if (len >= sizeof(drop_cfg.public_url) || host == NULL ||
	    *host == '\0' || strpbrk(host, " \t'\"<>\\#?/") != NULL)
		fatal("DROP_PUBLIC_URL must be an http(s) origin such as "
		    "https://drop.example (no path, no trailing slash)");
	memcpy(drop_cfg.public_url, v, len + 1);
}

/* NAME (or def) into out; too long is fatal. */
static void
env_copy(const char *name, const char *def, char *out, size_t outlen)
{
	const char	*v;

	if ((v = getenv(name)) == NULL || *v == '\0')
		v = def;
	if (strlen(v) >= outlen)
		fatal("%s is too long", name);
	memcpy(out, v, strlen(v) + 1);
}

/*
 * The bank: its URL, the certificates to trust (read here, because a
 * worker may not open files), the callback secret, the payout partner's
 * collection account, and how long an unanswered payment is retried.
 */
static void
bank_config(void)
{
	size_t		len;

	env_copy("DROP_BANK_URL", "", drop_cfg.bank_url,
	    sizeof(drop_cfg.bank_url));
	if (drop_cfg.bank_url[0] == '\0') {
		kore_log(LOG_WARNING, "DROP_BANK_URL is not set: no payment "
		    "or balance reaches a bank");
		return;
	}
	if ((strncmp(drop_cfg.bank_url, "https://", 8) &&
	    strncmp(drop_cfg.bank_url, "http://", 7)) ||
	    strpbrk(drop_cfg.bank_url, " \t\r\n'\"") != NULL ||
	    drop_cfg.bank_url[strlen(drop_cfg.bank_url) - 1] == '/')
		fatal("DROP_BANK_URL must be an http(s) URL without a "
		    "trailing slash");
	/* Plain HTTP only to a mock on this machine, never to a bank. */
	if (!strncmp(drop_cfg.bank_url, "http://", 7) &&
	    strncmp(drop_cfg.bank_url + 7, "127.0.0.1:", 10) &&
	    strncmp(drop_cfg.bank_url + 7, "localhost:", 10))
		fatal("DROP_BANK_URL: plain http:// only to 127.0.0.1 or "
		    "localhost; a bank is reached over https://");
	bank_resolve();
	bank_ca(getenv("DROP_BANK_CA_FILE"));
	env_copy("DROP_BANK_TOKEN", "", drop_cfg.bank_token,
	    sizeof(drop_cfg.bank_token));
	if (read_secret("DROP_BANK_CALLBACK_SECRET",
	    "DROP_BANK_CALLBACK_SECRET_FILE", DEFAULT_BANK_SECRET,
	    drop_cfg.bank_secret, sizeof(drop_cfg.bank_secret), &len) != 0 ||
	    len < 16)
		fatal("DROP_BANK_CALLBACK_SECRET (or _FILE) of at least 16 "
		    "bytes needed with DROP_BANK_URL");
	drop_cfg.bank_secret_len = len;
	env_copy("DROP_COLLECTION_ACCOUNT", DEFAULT_COLLECTION,
	    drop_cfg.collection_account, sizeof(drop_cfg.collection_account));
	if (strlen(drop_cfg.collection_account) != 11 ||
	    strspn(drop_cfg.collection_account, "0123456789") != 11)
		fatal("DROP_COLLECTION_ACCOUNT must be 11 digits (a bban)");
	env_copy("DROP_COLLECTION_NAME", DEFAULT_COLLECTION_NAME,
	    drop_cfg.collection_name, sizeof(drop_cfg.collection_name));
	env_copy("DROP_PSU_IP_FALLBACK", "127.0.0.1", drop_cfg.psu_ip_fallback,
	    sizeof(drop_cfg.psu_ip_fallback));
	drop_cfg.bank_giveup_s = env_int("DROP_BANK_GIVEUP_S", 900, 5, 86400);
}

/* A host name in DROP_BANK_URL, resolved once here and pinned for curl. */
static void
bank_resolve(void)
{
	struct addrinfo	 hints, *res;
	char		 host[256], addr[64], port[8];
	const char	*p, *end, *colon;
	size_t		 len;
	int		 n;

	p = strstr(drop_cfg.bank_url, "://") + 3;
	end = p + strcspn(p, "/");
	colon = memchr(p, ':', (size_t)(end - p));
	len = (size_t)((colon != NULL ? colon : end) - p);
	if (len == 0 || len >= sizeof(host) || *p == '[')
		return;
	memcpy(host, p, len);
	host[len] = '\0';
	if (colon != NULL && (size_t)(end - colon - 1) < sizeof(port)) {
		memcpy(port, colon + 1, (size_t)(end - colon - 1));
		port[end - colon - 1] = '\0';
	} else {
		(void)kore_strlcpy(port, strncmp(drop_cfg.bank_url, "https", 5) ?
		    "80" : "443", sizeof(port));
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(host, NULL, &hints, &res) == 0) {
		freeaddrinfo(res);
		return;
	}
	hints.ai_flags = 0;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL)
		fatal("DROP_BANK_URL: cannot resolve %s", host);
	if (getnameinfo(res->ai_addr, res->ai_addrlen, addr, sizeof(addr),
	    NULL, 0, NI_NUMERICHOST) != 0) {
		freeaddrinfo(res);
		fatal("DROP_BANK_URL: no address for %s", host);
	}
	freeaddrinfo(res);
	n = snprintf(drop_cfg.bank_resolve, sizeof(drop_cfg.bank_resolve),
	    "%s:%s:%s", host, port, addr);
	if (n < 0 || (size_t)n >= sizeof(drop_cfg.bank_resolve))
		fatal("DROP_BANK_URL: host name too long");
}

/* The certificates a bank's TLS must chain to: a file, or the system's. */
static void
bank_ca(const char *path)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	if (path == NULL || *path == '\0')
		path = DEFAULT_CA_BUNDLE;
	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1 ||
	    st.st_size <= 0 || st.st_size > BANK_CA_MAX)
		fatal("DROP_BANK_CA_FILE %s cannot be read", path);
	drop_cfg.bank_ca = kore_malloc((size_t)st.st_size);
	n = read(fd, drop_cfg.bank_ca, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size)
		fatal("DROP_BANK_CA_FILE %s: short read", path);
	drop_cfg.bank_ca_len = (size_t)n;
}
