/*
 * workers.c -- the extra DNS threads of faultd --workers N (workers.h).
 *
 * Why threads and one lock, not processes: rules and zones change live
 * (faultctl, the timeline of a drill) and every answer must follow the
 * change at once, on every socket; counters must add up to what was sent.
 * One engine under a mutex gives that with no copying or messaging.  The
 * engine's work per query is a small part of its cost (the system calls
 * are most of it, bench/faultd_bench.sh), so the workers spend most of
 * their time outside the lock, in their own sockets.
 */
#include "faultd/workers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "faultd/server.h"
#include "lib/evloop.h"
#include "lib/log.h"

struct worker {
	struct workers *ws;
	unsigned idx;            /* 1..n: the main thread is 0 */
	bool running;            /* the thread was created */
	pthread_t th;
	struct ev_loop *loop;
	struct upstream *up;     /* NULL without --upstream */
	struct server *srv;
	int stop_fd;             /* eventfd: written to stop the loop */
	/* published under the lock at the end of every iteration */
	struct upstream_stats up_st;
	uint64_t tcp, delayed;
};

struct workers {
	pthread_mutex_t *lock;
	unsigned n;
	struct worker w[];
};

static void
on_stop(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	uint64_t v;

	(void)events;
	(void)arg;
	(void)!read(fd, &v, sizeof(v));
	ev_loop_stop(loop);
}

/* End of an iteration: what only this thread touches, for stats. */
static void
publish(struct ev_loop *loop, void *arg)
{
	struct worker *w = arg;

	(void)loop;
	pthread_mutex_lock(w->ws->lock);
	if (w->up != NULL)
		w->up_st = *upstream_get_stats(w->up);
	w->tcp = server_tcp_connections(w->srv);
	w->delayed = server_delayed_pending(w->srv);
	pthread_mutex_unlock(w->ws->lock);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int rc = ev_loop_run(w->loop);

	if (rc < 0)
		log_warnx("worker %u: event loop failed: %s", w->idx, strerror(-rc));
	return NULL;
}

static void
worker_close(struct worker *w)
{
	server_close(w->srv);
	w->srv = NULL;
	upstream_free(w->up);
	w->up = NULL;
	if (w->stop_fd >= 0) {
		ev_io_del(w->loop, w->stop_fd);
		close(w->stop_fd);
		w->stop_fd = -1;
	}
	if (w->loop != NULL)
		ev_post_del(w->loop, publish, w);
	ev_loop_free(w->loop);
	w->loop = NULL;
}

static int
worker_open(struct worker *w, const struct faultd_config *cfg, struct engine *eng,
    struct dd_err *err)
{
	struct dd_err e = { "" };
	int rc;

	if ((w->loop = ev_loop_new()) == NULL) {
		dd_err_set(err, "worker %u: cannot make an event loop: %s", w->idx, strerror(errno));
		return DD_EIO;
	}
	if (cfg->nupstreams > 0 &&
	    (w->up = upstream_new(w->loop, cfg->upstreams, cfg->nupstreams,
	    cfg->upstream_timeout_us)) == NULL) {
		dd_err_set(err, "worker %u: cannot open upstream sockets: %s", w->idx, strerror(errno));
		return DD_EIO;
	}
	if ((rc = server_open(&w->srv, w->loop, cfg, eng, w->up, w->ws->lock, &e)) < 0) {
		dd_err_set(err, "worker %u: %s", w->idx, e.msg);
		return rc;
	}
	w->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->stop_fd < 0 || ev_io_add(w->loop, w->stop_fd, EV_READ, on_stop, w) < 0 ||
	    ev_post_add(w->loop, publish, w) < 0) {
		dd_err_set(err, "worker %u: %s", w->idx, strerror(errno));
		return DD_EIO;
	}
	return 0;
}

int
workers_start(struct workers **out, const struct faultd_config *cfg,
    struct engine *eng, pthread_mutex_t *lock, unsigned n, struct dd_err *err)
{
	struct workers *ws;
	int rc;

	*out = NULL;
	ws = calloc(1, sizeof(*ws) + n * sizeof(ws->w[0]));
	if (ws == NULL) {
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	ws->lock = lock;
	ws->n = n;
	for (unsigned i = 0; i < n; i++) {
		ws->w[i].ws = ws;
		ws->w[i].idx = i + 1;
		ws->w[i].stop_fd = -1;
	}
	for (unsigned i = 0; i < n; i++) {
		struct worker *w = &ws->w[i];
		if ((rc = worker_open(w, cfg, eng, err)) < 0)
			goto fail;
		/* signals stay blocked here as in the main thread (its
		 * signalfd takes them), since the mask is inherited */
		if ((rc = pthread_create(&w->th, NULL, worker_main, w)) != 0) {
			dd_err_set(err, "worker %u: cannot start a thread: %s", w->idx, strerror(rc));
			rc = DD_EIO;
			goto fail;
		}
		w->running = true;
	}
	*out = ws;
	return 0;
fail:
	workers_stop(ws);
	return rc;
}

void
workers_stop(struct workers *ws)
{
	if (ws == NULL)
		return;
	for (unsigned i = 0; i < ws->n; i++) {
		struct worker *w = &ws->w[i];
		uint64_t one = 1;

		if (w->running) {
			(void)!write(w->stop_fd, &one, sizeof(one));
			pthread_join(w->th, NULL);
			w->running = false;
		}
		worker_close(w);
	}
	free(ws);
}

void
workers_add(const struct workers *ws, struct workers_sum *sum)
{
	for (unsigned i = 0; ws != NULL && i < ws->n; i++) {
		const struct worker *w = &ws->w[i];
		sum->up.sent += w->up_st.sent;
		sum->up.replies += w->up_st.replies;
		sum->up.timeouts += w->up_st.timeouts;
		sum->up.tcp_retries += w->up_st.tcp_retries;
		sum->up.failures += w->up_st.failures;
		sum->up.mismatched += w->up_st.mismatched;
		sum->tcp_connections += w->tcp;
		sum->delayed_pending += w->delayed;
	}
}
