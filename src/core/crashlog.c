/*
 * Where a worker is when it dies or when asked. A fatal signal (SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL) writes the faulting thread's backtrace to
 * Kore's log and then lets the default action end the worker with the
 * same status; SIGUSR2 writes the backtrace of the thread it reaches and
 * lets that thread go on (the test stack sends it to every thread of a
 * worker that will not stop: no ptrace, no core file needed). ASan builds
 * keep ASan's own report of the fatal ones. The handler uses only
 * async-signal-safe calls: write(2) and backtrace_symbols_fd(3).
 */

#include <sys/types.h>

#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "drop.h"

#define CRASH_FRAMES	48
#define CRASH_NUM_LEN	24

static void	crash_handler(int, siginfo_t *, void *);
static void	crash_puts(const char *);
static void	crash_putnum(unsigned long, int);

#if !defined(__SANITIZE_ADDRESS__)
static const int	crash_fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
#endif

/* Parent, before fork: the unwinder (libgcc_s) is loaded while open(2) may run. */
void
drop_crash_preload(void)
{
	void	*frames[2];

	(void)backtrace(frames, 2);
}

/* Worker start: the handlers; a failure only costs the diagnosis. */
void
drop_crash_setup(void)
{
	struct sigaction	sa;
	size_t			i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash_handler;
	(void)sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	if (sigaction(SIGUSR2, &sa, NULL) == -1)
		kore_log(LOG_WARNING, "sigaction(SIGUSR2): %s", errno_s);
#if !defined(__SANITIZE_ADDRESS__)
	/* Once: the return re-runs the fault under the default action. */
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	for (i = 0; i < sizeof(crash_fatal) / sizeof(crash_fatal[0]); i++) {
		if (sigaction(crash_fatal[i], &sa, NULL) == -1)
			kore_log(LOG_WARNING, "sigaction(%d): %s",
			    crash_fatal[i], errno_s);
	}
#else
	(void)i;
#endif
}

static void
crash_handler(int sig, siginfo_t *info, void *uctx)
{
	void	*frames[CRASH_FRAMES];
	int	 n, saved;

	(void)uctx;
	saved = errno;
	crash_puts(sig == SIGUSR2 ? "drop: stack on request: pid " :
	    "drop: fatal signal: pid ");
	crash_putnum((unsigned long)getpid(), 10);
	crash_puts(" tid ");
	crash_putnum((unsigned long)gettid(), 10);
	crash_puts(" signal ");
	crash_putnum((unsigned long)sig, 10);
	if (sig != SIGUSR2) {
		crash_puts(" address 0x");
		crash_putnum((unsigned long)info->si_addr, 16);
	}
	crash_puts("\n");
	n = backtrace(frames, CRASH_FRAMES);
	backtrace_symbols_fd(frames, n, STDOUT_FILENO);
	crash_puts("drop: end of stack\n");
	/* A fault re-runs and ends the worker; a sent signal needs sending. */
	if (sig != SIGUSR2)
		(void)kill(getpid(), sig);
	errno = saved;
}

static void
crash_puts(const char *s)
{
	size_t	len;
	ssize_t	n;

	len = strlen(s);
	while (len > 0) {
		if ((n = write(STDOUT_FILENO, s, len)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			return;
		}
		s += n;
		len -= (size_t)n;
	}
}

/* snprintf is not async-signal-safe: digits by hand. */
static void
crash_putnum(unsigned long v, int base)
{
	char	buf[CRASH_NUM_LEN];
	size_t	i;

	i = sizeof(buf) - 1;
	buf[i] = '\0';
	do {
		buf[--i] = "0123456789abcdef"[v % (unsigned long)base];
		v /= (unsigned long)base;
	} while (v != 0 && i > 0);
	crash_puts(&buf[i]);
}
