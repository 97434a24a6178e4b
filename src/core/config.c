/*
 * The module's configuration: read once in the parent, before the workers
 * fork, from the environment and secret files; defaults match the var/
 * layout of `make run`, so `kodev run` works too.
 */

#include <sys/stat.h>

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
#define DEFAULT_ADMIN_FILE	"var/secrets/admin_token"
#define DEFAULT_PUBLIC_URL	"https://127.0.0.1:8443"

struct drop_config	drop_cfg;

static int	read_secret(const char *, const char *, const char *,
		    unsigned char *, size_t, size_t *);
static int	env_int(const char *, int, int, int);
static void	build_conninfo(void);
static void	public_url(void);

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
	if ((fd = open(path, O_RDONLY)) == -1)
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

static void
build_conninfo(void)
{
	const char	*host, *port, *db, *user;
	char		 sockdir[PATH_MAX];
	int		 len;

	if ((host = getenv("DROP_PG_HOST")) == NULL)
		host = DEFAULT_PG_HOST;
	if ((port = getenv("DROP_PG_PORT")) == NULL)
		port = DEFAULT_PG_PORT;
	if ((db = getenv("DROP_PG_DB")) == NULL)
		db = "drop";
	if ((user = getenv("DROP_PG_USER")) == NULL)
		user = "drop";
	if (host[0] != '/' && strchr(host, '/') != NULL) {
		if (realpath(host, sockdir) == NULL)
			fatal("socket directory %s: %s", host, errno_s);
		host = sockdir;
	}
	if (strpbrk(host, " '\\") || strpbrk(port, " '\\") ||
	    strpbrk(db, " '\\") || strpbrk(user, " '\\"))
		fatal("database settings must not contain spaces or quotes");
	len = snprintf(drop_cfg.conninfo, sizeof(drop_cfg.conninfo),
	    "host=%s port=%s dbname=%s user=%s gssencmode=disable "
	    "sslmode=disable connect_timeout=2 application_name=drop "
	    "options='-c statement_timeout=1500 "
	    "-c client_connection_check_interval=1000 "
	    "-c plan_cache_mode=force_generic_plan'", host, port, db, user);
	if (len < 0 || (size_t)len >= sizeof(drop_cfg.conninfo))
		fatal("database settings too long");
}

/* Parent, before fork: the configuration every worker inherits. */
void
drop_config_load(void)
{
	const char	*v;
	size_t		 len;

	drop_cfg.started = time(NULL);
	build_conninfo();

	if (read_secret("DROP_JWT_SECRET", "DROP_JWT_SECRET_FILE",
	    DEFAULT_JWT_FILE, drop_cfg.jwt_secret, sizeof(drop_cfg.jwt_secret),
	    &drop_cfg.jwt_secret_len) != 0 || drop_cfg.jwt_secret_len < 32)
		fatal("DROP_JWT_SECRET (or _FILE) of at least 32 bytes needed");
	if (read_secret("DROP_ADMIN_TOKEN", "DROP_ADMIN_TOKEN_FILE",
	    DEFAULT_ADMIN_FILE, (unsigned char *)drop_cfg.admin_token,
	    sizeof(drop_cfg.admin_token), &len) != 0 || len < 16)
		fatal("DROP_ADMIN_TOKEN (or _FILE) of at least 16 bytes needed");
	drop_cfg.admin_token_len = len;

	drop_cfg.bcrypt_cost = env_int("DROP_BCRYPT_COST", 12, 4, 15);
	if (drop_cfg.bcrypt_cost < 12)
		kore_log(LOG_WARNING, "bcrypt cost %d is below 12: tests only",
		    drop_cfg.bcrypt_cost);
	if ((v = getenv("DROP_TRUSTED_PROXIES")) != NULL)
		(void)kore_strlcpy(drop_cfg.trusted_proxies, v,
		    sizeof(drop_cfg.trusted_proxies));
	public_url();
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
