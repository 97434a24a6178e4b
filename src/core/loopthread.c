/*
 * A worker thread that reports to the event loop through a pipe (the bank
 * client's and the database connects'): the pipe, its read event and the
 * thread, or the worker stops. The thread writes a byte when it has news;
 * handle drains the pipe and takes it.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "drop.h"

void
drop_loopthread_start(struct drop_loopthread *lt, const char *what, int type,
    void (*handle)(void *, int), void *(*run)(void *))
{
	if (pipe2(lt->pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		fatal("%s: pipe: %s", what, errno_s);
	if (pthread_mutex_init(&lt->lock, NULL) != 0)
		fatal("%s: mutex", what);
	lt->evt.type = type;
	lt->evt.handle = handle;
	kore_platform_event_level_read(lt->pipe[0], &lt->evt);
	if (pthread_create(&lt->thread, NULL, run, NULL) != 0)
		fatal("%s: thread: %s", what, errno_s);
}

/* Thread: news for the event loop (a full pipe already has some). */
void
drop_loopthread_notify(struct drop_loopthread *lt)
{
	char	one = 1;

	while (write(lt->pipe[1], &one, 1) == -1 && errno == EINTR)
		;
}

/* Event loop: the pipe read empty before the news is taken. */
void
drop_loopthread_drain(struct drop_loopthread *lt)
{
	char	buf[64];

	while (read(lt->pipe[0], buf, sizeof(buf)) > 0)
		;
}
