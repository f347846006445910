/*
 * probe_jitter.c -- how closely the prober keeps its schedule, and what it
 * costs.  Runs one TCP probe at RATE attempts per second for SECONDS against
 * a listener on loopback (served from the same event loop), records each
 * tick's lateness against its grid time through the scheduling hook, and
 * prints median / p99 / max lateness, the latencies the prober measured
 * (connect times on loopback, on the real clock) and the process's CPU
 * time.
 *
 *   probe_jitter [--rate N] [--seconds S]      (defaults 20 and 10)
 *
 * Traffic stays on 127.0.0.1; the count is bounded (rate * seconds).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/evloop.h"
#include "harness/probe.h"
#include "lib/util.h"

struct bench {
	uint64_t *late;
	size_t n, cap;
	uint64_t ok, fail;
	double *lat;               /* measured latencies, ms */
	size_t nlat;
};

static void
on_sched(void *arg, const char *name, uint64_t due_us, uint64_t fired_us, bool started)
{
	struct bench *b = arg;

	(void)name;
	(void)started;
	if (b->n < b->cap)
		b->late[b->n++] = fired_us > due_us ? fired_us - due_us : 0;
}

static void
on_result(void *arg, const char *name, bool ok, double latency_ms, uint64_t start_us,
    const char *detail)
{
	struct bench *b = arg;

	(void)name;
	(void)start_us;
	(void)detail;
	if (b->nlat < b->cap)
		b->lat[b->nlat++] = latency_ms;
	if (ok)
		b->ok++;
	else
		b->fail++;
}

static void
on_accept(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

	(void)loop;
	(void)events;
	(void)arg;
	if (c >= 0)
		close(c);
}

static void
on_end(struct ev_loop *loop, void *arg)
{
	(void)arg;
	ev_loop_stop(loop);
}

/* The platform's own timer noise: the same grid with bare event-loop timers
 * and no probing, so the prober's share of the lateness can be told apart. */
struct bare {
	struct ev_loop *loop;
	uint64_t start, interval;
	size_t k, n;
	uint64_t *late;
};

static void
on_bare(struct ev_loop *loop, void *arg)
{
	struct bare *b = arg;
	uint64_t due = b->start + b->k * b->interval, now = dd_now_us();

	b->late[b->k] = now > due ? now - due : 0;
	if (++b->k == b->n) {
		ev_loop_stop(loop);
		return;
	}
	due += b->interval;
	now = dd_now_us();
	ev_timer_add(loop, due > now ? due - now : 0, on_bare, b);
}

static int cmp_u64(const void *a, const void *b);

static void
baseline(unsigned rate, unsigned seconds)
{
	struct bare b = { 0 };
	b.loop = ev_loop_new();
	b.interval = 1000000u / rate;
	b.n = (size_t)rate * seconds;
	b.late = calloc(b.n, sizeof(*b.late));
	if (b.loop == NULL || b.late == NULL)
		return;
	b.start = dd_now_us() + b.interval;
	ev_timer_add(b.loop, b.interval, on_bare, &b);
	ev_loop_run(b.loop);
	qsort(b.late, b.n, sizeof(*b.late), cmp_u64);
	printf("baseline (bare timers, same grid) lateness ms: median %.3f  p99 %.3f  max %.3f\n",
	    (double)b.late[b.n / 2] / 1000.0, (double)b.late[(b.n * 99) / 100] / 1000.0,
	    (double)b.late[b.n - 1] / 1000.0);
	ev_loop_free(b.loop);
	free(b.late);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double
tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
	unsigned rate = 20, seconds = 10;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	struct probe_spec s = { .name = "jitter", .kind = PROBE_TCP };
	struct bench b = { 0 };
	struct probe_stats st;
	struct rusage ru;
	struct dd_err err;
	struct ev_loop *loop;
	struct prober *p;
	double cpu;
	uint64_t t0;
	int lfd;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc)
			rate = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = (unsigned)atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: probe_jitter [--rate N] [--seconds S]\n");
			return 2;
		}
	}
	if (rate == 0 || rate > 1000 || seconds == 0 || seconds > 600) {
		fprintf(stderr, "probe_jitter: rate 1..1000, seconds 1..600\n");
		return 2;
	}
	loop = ev_loop_new();
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (loop == NULL || lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(lfd, 64) < 0 || getsockname(lfd, (struct sockaddr *)&a, &al) < 0) {
		perror("probe_jitter: listener");
		return 1;
	}
	ev_io_add(loop, lfd, EV_READ, on_accept, NULL);
	s.addr.u.sin = a;
	s.addr.len = sizeof(a);
	s.interval_us = 1000000u / rate;
	s.timeout_us = s.interval_us;
	b.cap = (size_t)rate * seconds + 16;
	b.late = calloc(b.cap, sizeof(*b.late));
	b.lat = calloc(b.cap, sizeof(*b.lat));
	p = prober_new(loop, NULL, on_result, &b);
	if (b.late == NULL || b.lat == NULL || p == NULL || prober_add(p, &s, &err) < 0) {
		fprintf(stderr, "probe_jitter: setup failed\n");
		return 1;
	}
	prober_set_sched_hook(p, on_sched, &b);
	t0 = dd_now_us();
	prober_start(p);
	/* stop half an interval after the last tick due inside the window */
	ev_timer_add(loop, (uint64_t)seconds * 1000000u - s.interval_us / 2, on_end, NULL);
	ev_loop_run(loop);
	prober_stop(p);
	prober_stats(p, "jitter", &st);
	getrusage(RUSAGE_SELF, &ru);
	cpu = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);

	qsort(b.late, b.n, sizeof(*b.late), cmp_u64);
	printf("probe_jitter: %zu ticks at %u/s for %u s (tcp to 127.0.0.1:%u), "
	    "wall %.2f s\n", b.n, rate, seconds, ntohs(a.sin_port),
	    (double)(dd_now_us() - t0) / 1e6);
	if (b.n > 0)
		printf("lateness ms: median %.3f  p99 %.3f  max %.3f\n",
		    (double)b.late[b.n / 2] / 1000.0,
		    (double)b.late[(b.n * 99) / 100 < b.n ? (b.n * 99) / 100 : b.n - 1] / 1000.0,
		    (double)b.late[b.n - 1] / 1000.0);
	qsort(b.lat, b.nlat, sizeof(*b.lat), cmp_double);
	if (b.nlat > 0)
		printf("measured latency ms: median %.3f  p99 %.3f  max %.3f\n",
		    b.lat[b.nlat / 2],
		    b.lat[(b.nlat * 99) / 100 < b.nlat ? (b.nlat * 99) / 100 : b.nlat - 1],
		    b.lat[b.nlat - 1]);
	printf("results: sent %llu ok %llu fail %llu skipped %llu\n",
	    (unsigned long long)st.sent, (unsigned long long)b.ok,
	    (unsigned long long)b.fail, (unsigned long long)st.skipped);
	printf("cpu: user %.3f s sys %.3f s (%.2f%% of one core)\n",
	    tv_s(ru.ru_utime), tv_s(ru.ru_stime), 100.0 * cpu / (double)seconds);
	baseline(rate, seconds);
	prober_free(p);
	ev_io_del(loop, lfd);
	close(lfd);
	ev_loop_free(loop);
	free(b.late);
	free(b.lat);
	return b.fail == 0 && st.skipped == 0 ? 0 : 1;
}
