/*
 * Rate limits per client IP, one count for all workers: a small table in
 * shared memory mapped by the parent before the workers fork. A key lives
 * in one bucket of RL_PROBE slots; buckets are guarded by RL_LOCKS robust,
 * process-shared mutexes, so a worker waiting for one sleeps instead of
 * spinning, and a worker killed while holding one does not block the rest.
 */

#include <sys/mman.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "drop.h"

#define RL_SLOTS	8192
#define RL_PROBE	16
#define RL_WINDOW	60
#define RL_KEYLEN	17	/* group byte + 16 address bytes */
#define RL_BUCKETS	(RL_SLOTS / RL_PROBE)
#define RL_LOCKS	64

struct rl_slot {
	unsigned char	key[RL_KEYLEN];
	u_int32_t	window;
	u_int32_t	count;
};

struct rl_table {
	pthread_mutex_t	locks[RL_LOCKS];
	struct rl_slot	slots[RL_SLOTS];
};

static struct rl_table	*rl;

static u_int32_t	rl_hash(const unsigned char *);
static void		rl_lock(pthread_mutex_t *);
static int		rl_limit(int);
static int		ip_trusted(const unsigned char *, size_t);
static int		ip_parse(const char *, unsigned char *, size_t *);

int
drop_ratelimit_setup(void)
{
	pthread_mutexattr_t	attr;
	int			i, ok;

	rl = mmap(NULL, sizeof(*rl), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rl == MAP_FAILED) {
		rl = NULL;
		return (-1);
	}
	memset(rl, 0, sizeof(*rl));
	if (pthread_mutexattr_init(&attr) != 0)
		return (-1);
	ok = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) == 0 &&
	    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) == 0;
	for (i = 0; ok && i < RL_LOCKS; i++)
		ok = pthread_mutex_init(&rl->locks[i], &attr) == 0;
	(void)pthread_mutexattr_destroy(&attr);

	return (ok ? 0 : -1);
}

/* The counts stay valid if a holder died: each update is one store. */
static void
rl_lock(pthread_mutex_t *m)
{
	if (pthread_mutex_lock(m) == EOWNERDEAD)
		(void)pthread_mutex_consistent(m);
}

static int
rl_limit(int group)
{
	switch (group) {
	case DROP_RL_AUTH:
	case DROP_RL_PAY:
		return (10);
	case DROP_RL_RATES:
		return (120);
	default:
		return (0);
	}
}

/* FNV-1a over the key. */
static u_int32_t
rl_hash(const unsigned char *key)
{
	u_int32_t	h;
	int		i;

	h = 2166136261u;
	for (i = 0; i < RL_KEYLEN; i++) {
		h ^= key[i];
		h *= 16777619u;
	}

	return (h);
}

/* 1 when allowed; 0 with *retry_after seconds when over the limit. */
int
drop_ratelimit_hit(int group, const unsigned char *ip, size_t iplen,
    int *retry_after)
{
	struct rl_slot	*slot, *victim;
	unsigned char	 key[RL_KEYLEN];
	u_int32_t	 window, h;
	time_t		 now;
	int		 i, allowed, limit;

	if (rl == NULL || iplen > RL_KEYLEN - 1)
		return (1);
	limit = rl_limit(group);
	memset(key, 0, sizeof(key));
	key[0] = (unsigned char)(group >> 4);
	memcpy(key + 1, ip, iplen);
	now = time(NULL);
	window = (u_int32_t)(now / RL_WINDOW);
	h = rl_hash(key) % RL_BUCKETS;

	rl_lock(&rl->locks[h % RL_LOCKS]);
	victim = NULL;
	for (i = 0; i < RL_PROBE; i++) {
		slot = &rl->slots[h * RL_PROBE + i];
		if (!memcmp(slot->key, key, sizeof(key)))
			break;
		if (victim == NULL && slot->window != window)
			victim = slot;
		slot = NULL;
	}
	if (slot == NULL) {
		slot = victim != NULL ? victim : &rl->slots[h * RL_PROBE];
		memcpy(slot->key, key, sizeof(key));
		slot->window = window;
		slot->count = 0;
	}
	if (slot->window != window) {
		slot->window = window;
		slot->count = 0;
	}
	allowed = slot->count < (u_int32_t)limit;
	if (allowed)
		slot->count++;
	(void)pthread_mutex_unlock(&rl->locks[h % RL_LOCKS]);

	*retry_after = RL_WINDOW - (int)(now % RL_WINDOW);

	return (allowed);
}

static int
ip_parse(const char *text, unsigned char *out, size_t *outlen)
{
	struct in_addr		v4;
	struct in6_addr		v6;

	if (inet_pton(AF_INET, text, &v4) == 1) {
		memcpy(out, &v4, 4);
		*outlen = 4;
		return (0);
	}
	if (inet_pton(AF_INET6, text, &v6) == 1) {
		memcpy(out, &v6, 16);
		*outlen = 16;
		return (0);
	}

	return (-1);
}

/* Is this peer one of DROP_TRUSTED_PROXIES (comma-separated addresses)? */
static int
ip_trusted(const unsigned char *ip, size_t iplen)
{
	char		 list[sizeof(drop_cfg.trusted_proxies)], *p, *next;
	unsigned char	 addr[16];
	size_t		 alen;

	(void)kore_strlcpy(list, drop_cfg.trusted_proxies, sizeof(list));
	for (p = list; p != NULL && *p != '\0'; p = next) {
		if ((next = strchr(p, ',')) != NULL)
			*next++ = '\0';
		while (*p == ' ')
			p++;
		if (ip_parse(p, addr, &alen) == 0 && alen == iplen &&
		    !memcmp(addr, ip, iplen))
			return (1);
	}

	return (0);
}

/*
 * The client address: the peer, or from a trusted proxy the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy.
 */
int
drop_client_ip(struct http_request *req, unsigned char *ip, size_t *iplen,
    char *text, size_t textlen)
{
	struct connection	*c = req->owner;
	const char		*xff;
	char			 hops[512], *p, *comma;
	unsigned char		 hop[16];
	size_t			 hoplen;
	int			 n;

	if (c->family == AF_INET) {
		memcpy(ip, &c->addr.ipv4.sin_addr, 4);
		*iplen = 4;
	} else if (c->family == AF_INET6) {
		memcpy(ip, &c->addr.ipv6.sin6_addr, 16);
		*iplen = 16;
	} else {
		return (-1);
	}

	if (ip_trusted(ip, *iplen) &&
	    http_request_header(req, "x-forwarded-for", &xff) &&
	    strlen(xff) < sizeof(hops)) {
		(void)kore_strlcpy(hops, xff, sizeof(hops));
		for (n = 0; n < 32; n++) {
			comma = strrchr(hops, ',');
			p = comma == NULL ? hops : comma + 1;
			while (*p == ' ')
				p++;
			if (ip_parse(p, hop, &hoplen) != 0)
				break;
			memcpy(ip, hop, hoplen);
			*iplen = hoplen;
			if (!ip_trusted(hop, hoplen) || comma == NULL)
				break;
			*comma = '\0';
		}
	}

	if (inet_ntop(*iplen == 4 ? AF_INET : AF_INET6, ip, text,
	    (socklen_t)textlen) == NULL)
		return (-1);

	return (0);
}
