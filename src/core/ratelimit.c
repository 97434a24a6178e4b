/*
 * Rate limits per client address, one count for all workers: a small
 * table in shared memory mapped by the parent before the workers fork
 * (the per-user limits are the database's, pipeline.c). A key (the
 * client's address or /64; src/lib/ratewin.c) lives in one
 * bucket of RL_PROBE slots, found by a hash seeded at start so clients
 * cannot aim at a bucket; each slot counts a sliding minute. Buckets are
 * guarded by RL_LOCKS robust, process-shared mutexes, so a worker waiting
 * for one sleeps instead of spinning, and a worker killed while holding
 * one does not block the rest. A full bucket never evicts a live count:
 * the login and payment groups then refuse (fail closed), the rate reads
 * are let through.
 */

#include <sys/mman.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <openssl/rand.h>

#include "drop.h"

#define RL_PROBE	16	/* slots per bucket; DROP_RATELIMIT_SLOTS of them */
#define RL_RESERVE	4	/* of them, never taken by a new rate reader */
#define RL_LOCKS	64
#define RL_XFF_HOPS	32

struct rl_slot {
	unsigned char		key[DROP_RATEWIN_KEYLEN];
	struct drop_ratewin	win;
};

struct rl_table {
	pthread_mutex_t	locks[RL_LOCKS];
	u_int32_t	seed;
	u_int32_t	buckets;
	struct rl_slot	slots[];
};

static struct rl_table	*rl;
static u_int32_t	 rl_full_logged;	/* second of the last full-bucket line */

static u_int32_t	rl_hash(const unsigned char *);
static void		rl_lock(pthread_mutex_t *);
static int		rl_limit(int);
static int		rl_count(int, const unsigned char *, int *);
static int		ip_trusted(const unsigned char *, size_t);

int
drop_ratelimit_setup(void)
{
	pthread_mutexattr_t	attr;
	size_t			len;
	u_int32_t		buckets;
	int			i, ok;

	buckets = (u_int32_t)drop_cfg.ratelimit_slots / RL_PROBE;
	len = sizeof(*rl) + (size_t)buckets * RL_PROBE * sizeof(struct rl_slot);
	rl = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rl == MAP_FAILED) {
		rl = NULL;
		return (-1);
	}
	memset(rl, 0, sizeof(*rl));
	rl->buckets = buckets;
	if (RAND_bytes((unsigned char *)&rl->seed, sizeof(rl->seed)) != 1)
		return (-1);
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

/* FNV-1a over the seed and the key. */
static u_int32_t
rl_hash(const unsigned char *key)
{
	u_int32_t	h;
	int		i;

	h = 2166136261u ^ rl->seed;
	for (i = 0; i < DROP_RATEWIN_KEYLEN; i++) {
		h ^= key[i];
		h *= 16777619u;
	}

	return (h);
}

/* One hit for key; 1 when allowed, 0 with *retry_after when not. */
static int
rl_count(int group, const unsigned char *key, int *retry_after)
{
	struct rl_slot	*slot, *idle;
	u_int32_t	 h, now;
	int		 i, allowed, nidle;

	now = (u_int32_t)time(NULL);
	h = rl_hash(key) % rl->buckets;
	rl_lock(&rl->locks[h % RL_LOCKS]);
	idle = NULL;
	nidle = 0;
	for (i = 0; i < RL_PROBE; i++) {
		slot = &rl->slots[h * RL_PROBE + i];
		if (!memcmp(slot->key, key, DROP_RATEWIN_KEYLEN))
			break;
		if (drop_ratewin_idle(&slot->win, now) && nidle++ == 0)
			idle = slot;
		slot = NULL;
	}
	/* Rate reads leave a bucket's last slots to logins and payments. */
	if (slot == NULL && group == DROP_RL_RATES && nidle <= RL_RESERVE)
		idle = NULL;
	if (slot == NULL && idle != NULL) {
		slot = idle;
		memcpy(slot->key, key, DROP_RATEWIN_KEYLEN);
		memset(&slot->win, 0, sizeof(slot->win));
	}
	if (slot != NULL)
		allowed = drop_ratewin_hit(&slot->win, now, rl_limit(group),
		    retry_after);
	else {
		/* Every slot counts someone this minute: none is reset. */
		allowed = group == DROP_RL_RATES;
		*retry_after = DROP_RATEWIN_SECONDS;
	}
	(void)pthread_mutex_unlock(&rl->locks[h % RL_LOCKS]);
	/* One line a second per worker: a flood must not flood the log. */
	if (slot == NULL && now != rl_full_logged) {
		rl_full_logged = now;
		kore_log(LOG_NOTICE, "rate limit bucket full (group %d): %s "
		    "(at most one such line a second)", group,
		    allowed ? "let through" : "refused");
	}

	return (allowed);
}

/* 1 when the client at ip may go on; 0 with *retry_after seconds if not. */
int
drop_ratelimit_hit(int group, const unsigned char *ip, size_t iplen,
    int *retry_after)
{
	unsigned char	key[DROP_RATEWIN_KEYLEN];

	*retry_after = 0;
	if (rl == NULL)
		return (1);
	if (drop_ratewin_key(group, ip, iplen, key) != 0)
		return (group == DROP_RL_RATES);

	return (rl_count(group, key, retry_after));
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
		if (drop_ip_parse(p, addr, &alen) == 0 && alen == iplen &&
		    !memcmp(addr, ip, iplen))
			return (1);
	}

	return (0);
}

/*
 * The client address: the peer, or from a trusted proxy the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy (the header
 * read from its end, whatever its length). -1 when the address cannot
 * be known: no peer address, or a trusted proxy's header that is not a
 * list of addresses.
 */
int
drop_client_ip(struct http_request *req, unsigned char *ip, size_t *iplen,
    char *text, size_t textlen)
{
	struct connection	*c = req->owner;
	const char		*xff;
	unsigned char		 hop[16];
	size_t			 hoplen;

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
	    http_request_header(req, "x-forwarded-for", &xff)) {
		if (drop_xff_client(xff, RL_XFF_HOPS, ip_trusted, hop,
		    &hoplen) != 0)
			return (-1);
		memcpy(ip, hop, hoplen);
		*iplen = hoplen;
	}

	if (inet_ntop(*iplen == 4 ? AF_INET : AF_INET6, ip, text,
	    (socklen_t)textlen) == NULL)
		return (-1);

	return (0);
}
