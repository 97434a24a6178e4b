/*
 * Module life cycle: the start-up check of kore.conf, the configuration
 * and what all workers share (parent, before fork), the database, cache
 * and TLS hooks in each worker, and the seccomp additions libpq needs.
 */

#include <stdio.h>
#include <unistd.h>

#include <kore/seccomp.h>

#include "drop.h"

int	init(int);
void	kore_parent_configure(int, char **);
void	kore_worker_configure(void);
void	kore_worker_teardown(void);

/*
 * libpq stats files when it connects; the rest is its socket I/O, and
 * shutdown to give up a connection at once. Task threads start with clone3
 * and rseq (glibc 2.36) and hash at nice 10 (setpriority);
 * gettid and sched_getaffinity are for ASan; pipe2 wakes the loop from
 * the bank thread.
 */
KORE_SECCOMP_FILTER("drop",
	KORE_SYSCALL_ALLOW(clone3),
	KORE_SYSCALL_ALLOW(rseq),
	KORE_SYSCALL_ALLOW(gettid),
	KORE_SYSCALL_ALLOW(sched_getaffinity),
	KORE_SYSCALL_ALLOW(newfstatat),
	KORE_SYSCALL_ALLOW(uname),
	KORE_SYSCALL_ALLOW(getuid),
	KORE_SYSCALL_ALLOW(geteuid),
	KORE_SYSCALL_ALLOW(poll),
	KORE_SYSCALL_ALLOW(ppoll),
	KORE_SYSCALL_ALLOW(getsockname),
	KORE_SYSCALL_ALLOW(getpeername),
	KORE_SYSCALL_ALLOW(sendto),
	KORE_SYSCALL_ALLOW(recvfrom),
	KORE_SYSCALL_ALLOW(getrandom),
	KORE_SYSCALL_ALLOW(shutdown),
	KORE_SYSCALL_ALLOW(setpriority),
	KORE_SYSCALL_ALLOW(pipe2),
);

/* Parent: everything that needs files or must be shared by all workers. */
void
kore_parent_configure(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	/* One log line, one write: none repeats in a forked worker or dies
	 * with a killed one in a buffer. */
	(void)fflush(stdout);
	(void)setvbuf(stdout, NULL, _IOLBF, BUFSIZ);
	drop_crash_preload();
	drop_confcheck();
	drop_config_load();
	if (drop_passwd_dummy(drop_cfg.dummy_hash, sizeof(drop_cfg.dummy_hash),
	    drop_cfg.bcrypt_cost) != 0)
		fatal("cannot compute the dummy password hash");
	if (drop_ratelimit_setup() != 0)
		fatal("cannot map the rate-limit table");
	if (drop_tls_load_keys() != 0)
		fatal("cannot load TLS private keys");
}

/* Worker, before its event loop: the crash log and the TLS key hook. */
void
kore_worker_configure(void)
{
	drop_crash_setup();
	drop_tls_worker_hook();
}

/*
 * Worker exit: connections closed without waiting on the server, then
 * _exit(), because exit() runs library destructors while our threads
 * may hold their locks (seen: freelocale in libp11-kit, under ASan).
 */
void
kore_worker_teardown(void)
{
	drop_bank_teardown();
	drop_db_teardown();
	kore_msg_send(KORE_MSG_PARENT, KORE_MSG_SHUTDOWN, NULL, 0);
	(void)fflush(NULL);
	_exit(0);
}

/* Worker, after privileges are dropped: the database, the bank. */
int
init(int state)
{
	if (state == KORE_MODULE_UNLOAD)
		return (KORE_RESULT_OK);
	drop_db_setup();
	drop_passwd_setup();
	drop_cache_start();
	drop_bank_setup();
	drop_outbox_start();
	drop_reconcile_start();
	drop_webhooks_start();
	drop_mailer_start();
	drop_purge_start();
	drop_reseal_start();

	return (KORE_RESULT_OK);
}
