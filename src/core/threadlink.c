/*
 * The link between a worker's helper thread (database connects, password
 * hashes) and its event loop: a queue's mutex and condition, and a pipe
 * whose read end the event loop watches.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "drop.h"

/* what names the thread in a fatal message; type is the event's own. */
void
drop_thread_link(struct drop_thread_link *tl, const char *what, int type,
    void (*handle)(void *, int))
{
	if (pipe2(tl->pipe, O_CLOEXEC) == -1 ||
	    fcntl(tl->pipe[0], F_SETFL, O_NONBLOCK) == -1)
		fatal("%s: pipe: %s", what, errno_s);
	if (pthread_mutex_init(&tl->lock, NULL) != 0 ||
	    pthread_cond_init(&tl->wake, NULL) != 0)
		fatal("%s: mutex", what);
	tl->evt.type = type;
	tl->evt.handle = handle;
	kore_platform_event_level_read(tl->pipe[0], &tl->evt);
}
