/*
 * it_netns.c -- driver for the netns integration tests and benchmark.
 *
 *   it_netns validate SPEC
 *   it_netns up SPEC [OPTS] [ACTION...] build, run actions, write the run id
 *                                       to --ready, hold until SIGINT/SIGTERM
 *                                       (whose handler tears down)
 *   it_netns check SPEC [OPTS] ACTION...  build, run actions, tear down
 *   it_netns cleanup [--root DIR]       netns_cleanup(): dead runs only
 *   it_netns bench SPEC N [--root DIR]  build+teardown N times, print ms
 *   it_netns serve ADDR:PORT            UDP+TCP echo server (spawned in hosts)
 *
 * OPTS: --run-id ID  --root DIR  --ready FILE  --fail-at STEP  --hang-at STEP
 *       --grace MS  --out-dir DIR  --trace (print each build step)
 * ACTIONs (each prints "ok - ..." or "not ok - ..."):
 *   echo HOST ADDR:PORT       spawn `it_netns serve` in HOST, its log in
 *                             OUT_DIR/echo-HOST-PORT.log (--out-dir, /tmp)
 *   udp HOST ADDR:PORT        from inside HOST, a datagram must come back
 *   tcp HOST ADDR:PORT        from inside HOST, a TCP echo must come back
 *   noudp HOST ADDR:PORT      ... and here nothing may come back
 *   sh HOST OUT CMD           run `sh -c CMD` in HOST, output to OUT, exit 0
 *   badexec HOST              spawning a missing program must fail cleanly
 *
 * Only test addresses (198.18.0.0/15, fd00::/8) inside the sealed topology
 * are ever sent to; the library refuses anything else at description.
 */
#include "lib/addr.h"
#include "lib/err.h"
#include "netns/netns.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct opts {
	const char *run_id, *root, *ready, *out_dir;
	int fail_at, hang_at;
	int grace_ms;
	bool trace;
};

static int failures;

static void
report(bool good, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
report(bool good, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", good ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!good)
		failures++;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			char *p = realloc(buf, cap = len + 8192);
			if (p == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f;

	if (path == NULL || (f = fopen(path, "w")) == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static int
step_hook(void *arg, int step, const char *what)
{
	const struct opts *o = arg;

	if (o->trace)
		fprintf(stderr, "step %d %s\n", step, what);
	if (o->fail_at > 0 && step == o->fail_at) {
		fprintf(stderr, "it_netns: injecting failure at step %d (%s)\n", step, what);
		return 1;
	}
	if (o->hang_at > 0 && step == o->hang_at) {
		char msg[256];
		snprintf(msg, sizeof(msg), "hanging at step %d (%s)\n", step, what);
		write_file(o->ready, msg);
		for (;;)
			pause();  /* until SIGKILL */
	}
	return 0;
}

static struct netns_topo *
load(const char *spec, const struct opts *o)
{
	struct netns_topo *t = netns_topo_new(o->run_id);
	char *text;

	if (t == NULL) {
		fprintf(stderr, "it_netns: bad run id or out of memory\n");
		return NULL;
	}
	if ((text = slurp(spec)) == NULL) {
		fprintf(stderr, "it_netns: %s: %s\n", spec, strerror(errno));
		netns_topo_free(t);
		return NULL;
	}
	if (netns_topo_parse(t, text, spec) < 0 ||
	    (o->root != NULL && netns_set_run_root(t, o->root) < 0)) {
		fprintf(stderr, "it_netns: %s\n", netns_errmsg(t));
		free(text);
		netns_topo_free(t);
		return NULL;
	}
	free(text);
	/* the actions spawn this driver in the hosts: its folder (a build
	 * under /tmp, say) must stay visible in their private /tmp */
	{
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		char *slash;

		if (n > 0) {
			self[n] = '\0';
			if ((slash = strrchr(self, '/')) != NULL && slash != self) {
				*slash = '\0';
				if (netns_keep(t, self) < 0)
					fprintf(stderr, "it_netns: %s\n", netns_errmsg(t));
			}
		}
	}
	if (o->grace_ms >= 0)
		netns_set_kill_grace(t, (unsigned)o->grace_ms);
	netns_set_step_hook(t, step_hook, (void *)(uintptr_t)o);
	return t;
}

static int
build(struct netns_topo *t)
{
	int rc = netns_build(t);

	if (rc < 0) {
		fprintf(stderr, "it_netns: build failed: %s\n", netns_errmsg(t));
		return rc == DD_EPERM ? 3 : 1;
	}
	return 0;
}

/*
 * Echo server, spawned inside hosts
 */

static int
serve(const char *addr)
{
	struct dd_sockaddr sa;
	struct pollfd pf[2];
	char buf[2048], peer[80];
	int one = 1;

	if (dd_sockaddr_parse(addr, -1, &sa) < 0) {
		fprintf(stderr, "serve: bad address %s\n", addr);
		return 2;
	}
	pf[0].fd = socket(sa.u.sa.sa_family, SOCK_DGRAM, 0);
	pf[1].fd = socket(sa.u.sa.sa_family, SOCK_STREAM, 0);
	setsockopt(pf[1].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(pf[0].fd, &sa.u.sa, sa.len) < 0 || bind(pf[1].fd, &sa.u.sa, sa.len) < 0 ||
	    listen(pf[1].fd, 16) < 0) {
		fprintf(stderr, "serve %s: %s\n", addr, strerror(errno));
		return 1;
	}
	printf("listening %s\n", addr);
	fflush(stdout);
	pf[0].events = pf[1].events = POLLIN;
	for (;;) {
		struct dd_sockaddr from;
		ssize_t n;

		if (poll(pf, 2, -1) < 0)
			continue;
		from.len = sizeof(from.u);
		if (pf[0].revents & POLLIN) {
			n = recvfrom(pf[0].fd, buf, sizeof(buf), 0, &from.u.sa, &from.len);
			if (n > 0) {
				sendto(pf[0].fd, buf, (size_t)n, 0, &from.u.sa, from.len);
				printf("udp from %s\n", dd_sockaddr_str(&from, peer, sizeof(peer)));
				fflush(stdout);
			}
		}
		if (pf[1].revents & POLLIN) {
			int c = accept(pf[1].fd, &from.u.sa, &from.len);
			if (c >= 0) {
				struct pollfd cp = { c, POLLIN, 0 };
				if (poll(&cp, 1, 5000) > 0 && (n = read(c, buf, sizeof(buf))) > 0 &&
				    write(c, buf, (size_t)n) == n) {
					printf("tcp from %s\n",
					    dd_sockaddr_str(&from, peer, sizeof(peer)));
					fflush(stdout);
				}
				close(c);
			}
		}
	}
}

/*
 * Actions
 */

/* Send a datagram from inside host, wait for the echo: up to 40 tries of
 * 250 ms, since the echo server may still be starting. */
static bool
udp_roundtrip(struct netns_topo *t, const char *host, const char *addr, int tries)
{
	struct dd_sockaddr sa;
	char msg[64], buf[128];
	bool good = false;
	int fd;

	if (dd_sockaddr_parse(addr, -1, &sa) < 0)
		return false;
	if ((fd = netns_socket(t, host, sa.u.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		fprintf(stderr, "udp: %s\n", netns_errmsg(t));
		return false;
	}
	snprintf(msg, sizeof(msg), "dnsdrill-%ld-%llu", (long)getpid(),
	    (unsigned long long)dd_now_us());
	if (connect(fd, &sa.u.sa, sa.len) < 0) {
		close(fd);
		return false;
	}
	for (int i = 0; i < tries && !good; i++) {
		struct pollfd pf = { fd, POLLIN, 0 };
		ssize_t n;
		if (send(fd, msg, strlen(msg), 0) < 0) {
			/* ECONNREFUSED from an earlier try: server not up yet */
			poll(NULL, 0, 250);
			continue;
		}
		if (poll(&pf, 1, 250) > 0 && (n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
			buf[n] = '\0';
			good = strcmp(buf, msg) == 0;
		}
	}
	close(fd);
	return good;
}

static bool
tcp_roundtrip(struct netns_topo *t, const char *host, const char *addr)
{
	struct dd_sockaddr sa;
	char msg[64], buf[128];

	if (dd_sockaddr_parse(addr, -1, &sa) < 0)
		return false;
	snprintf(msg, sizeof(msg), "dnsdrill-tcp-%ld", (long)getpid());
	for (int i = 0; i < 40; i++) {
		int fd = netns_socket(t, host, sa.u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct pollfd pf = { fd, POLLIN, 0 };
		ssize_t n;
		if (fd < 0)
			return false;
		if (connect(fd, &sa.u.sa, sa.len) < 0) {
			close(fd);
			poll(NULL, 0, 250);
			continue;
		}
		if (write(fd, msg, strlen(msg)) == (ssize_t)strlen(msg) && poll(&pf, 1, 5000) > 0 &&
		    (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
			buf[n] = '\0';
			close(fd);
			return strcmp(buf, msg) == 0;
		}
		close(fd);
		return false;
	}
	return false;
}

static int
wait_exit(pid_t pid, int timeout_ms)
{
	int status;

	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		poll(NULL, 0, 10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static int
run_actions(struct netns_topo *t, const struct opts *o, int argc, char **argv)
{
	static char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return 1;
	self[n] = '\0';
	for (int i = 0; i < argc;) {
		const char *a = argv[i];
		int need = strcmp(a, "sh") == 0 ? 3 : strcmp(a, "badexec") == 0 ? 1 : 2;

		if (i + need >= argc) {
			report(false, "action '%s' needs %d arguments", a, need);
			return 1;
		}
		const char *host = argv[i + 1];
		if (strcmp(a, "echo") == 0) {
			char log[4200];
			const char *args[] = { self, "serve", argv[i + 2], NULL };
			struct netns_spawn_opts so = { .argv = args };
			pid_t pid;
			const char *port = strrchr(argv[i + 2], ':');
			snprintf(log, sizeof(log), "%s/echo-%s-%s.log",
			    o->out_dir ? o->out_dir : "/tmp", host, port ? port + 1 : "0");
			so.stdout_path = so.stderr_path = log;
			int rc = netns_spawn(t, host, &so, &pid);
			report(rc == 0, "echo server started in %s on %s%s%s", host, argv[i + 2],
			    rc ? ": " : "", rc ? netns_errmsg(t) : "");
		} else if (strcmp(a, "udp") == 0) {
			report(udp_roundtrip(t, host, argv[i + 2], 40),
			    "UDP datagram from %s to %s comes back", host, argv[i + 2]);
		} else if (strcmp(a, "noudp") == 0) {
			report(!udp_roundtrip(t, host, argv[i + 2], 4),
			    "no UDP reply from %s to %s", host, argv[i + 2]);
		} else if (strcmp(a, "tcp") == 0) {
			report(tcp_roundtrip(t, host, argv[i + 2]),
			    "TCP echo from %s to %s comes back", host, argv[i + 2]);
		} else if (strcmp(a, "sh") == 0) {
			const char *args[] = { "sh", "-c", argv[i + 3], NULL };
			struct netns_spawn_opts so = { .argv = args, .stdout_path = argv[i + 2],
				.stderr_path = argv[i + 2], .cwd = "/" };
			pid_t pid;
			int rc = netns_spawn(t, host, &so, &pid);
			if (rc == 0)
				rc = wait_exit(pid, 20000);
			report(rc == 0, "in %s: sh -c '%s' (exit %d)", host, argv[i + 3], rc);
		} else if (strcmp(a, "badexec") == 0) {
			const char *args[] = { "/nonexistent/dnsdrill-no-such-program", NULL };
			struct netns_spawn_opts so = { .argv = args };
			pid_t pid = 0;
			int rc = netns_spawn(t, host, &so, &pid);
			report(rc < 0 && strstr(netns_errmsg(t), "no-such-program") != NULL,
			    "spawning a missing program in %s fails: %s", host, netns_errmsg(t));
		} else {
			report(false, "unknown action '%s'", a);
			return 1;
		}
		i += need + 1;
	}
	return 0;
}

static int
parse_opts(int argc, char **argv, int first, struct opts *o, int *rest)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->grace_ms = -1;
	for (i = first; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(k, "--trace") == 0) {
			o->trace = true;
			i--;
			continue;
		}
		if (v == NULL)
			return -1;
		if (strcmp(k, "--run-id") == 0)
			o->run_id = v;
		else if (strcmp(k, "--root") == 0)
			o->root = v;
		else if (strcmp(k, "--ready") == 0)
			o->ready = v;
		else if (strcmp(k, "--out-dir") == 0)
			o->out_dir = v;
		else if (strcmp(k, "--fail-at") == 0)
			o->fail_at = atoi(v);
		else if (strcmp(k, "--hang-at") == 0)
			o->hang_at = atoi(v);
		else if (strcmp(k, "--grace") == 0)
			o->grace_ms = atoi(v);
		else
			return -1;
	}
	*rest = i;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
bench(const char *spec, int n, const struct opts *o)
{
	double *ms = calloc((size_t)n, sizeof(double)), sum = 0;

	if (ms == NULL || n < 1)
		return 2;
	for (int i = 0; i < n; i++) {
		struct netns_topo *t = load(spec, o);
		uint64_t t0, t1, t2;
		int rc;

		if (t == NULL)
			return 2;
		t0 = dd_now_us();
		if ((rc = build(t)) != 0) {
			netns_topo_free(t);
			return rc;
		}
		t1 = dd_now_us();
		netns_teardown(t);
		t2 = dd_now_us();
		netns_topo_free(t);
		ms[i] = (double)(t2 - t0) / 1000.0;
		sum += ms[i];
		printf("iteration %d build_ms %.2f teardown_ms %.2f total_ms %.2f\n", i + 1,
		    (double)(t1 - t0) / 1000.0, (double)(t2 - t1) / 1000.0, ms[i]);
	}
	qsort(ms, (size_t)n, sizeof(double), cmp_double);
	printf("median_ms %.2f\nmin_ms %.2f\nmax_ms %.2f\nmean_ms %.2f\n",
	    n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2, ms[0], ms[n - 1], sum / n);
	free(ms);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: it_netns validate|up|check|cleanup|bench|serve ... "
	    "(see tests/integration/it_netns.c)\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct netns_topo *t;
	struct opts o;
	int rest, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "serve") == 0 && argc == 3)
		return serve(argv[2]);
	if (strcmp(argv[1], "cleanup") == 0) {
		struct dd_err e = { "" };
		int removed;
		if (parse_opts(argc, argv, 2, &o, &rest) < 0)
			return usage();
		rc = netns_cleanup(o.root, &removed, &e);
		printf("cleaned %d run%s\n", removed, removed == 1 ? "" : "s");
		if (rc < 0)
			fprintf(stderr, "it_netns: cleanup: %s\n", e.msg);
		return rc < 0 ? 1 : 0;
	}
	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "bench") == 0) {
		/* bench SPEC N [opts] */
		if (argc < 4 || parse_opts(argc, argv, 4, &o, &rest) < 0)
			return usage();
		return bench(argv[2], atoi(argv[3]), &o);
	}
	if (parse_opts(argc, argv, 3, &o, &rest) < 0)
		return usage();
	if ((t = load(argv[2], &o)) == NULL)
		return 2;
	if (strcmp(argv[1], "validate") == 0) {
		rc = netns_validate(t);
		printf("%s\n", rc == 0 ? "valid" : netns_errmsg(t));
		netns_topo_free(t);
		return rc == 0 ? 0 : 2;
	}
	if (strcmp(argv[1], "up") == 0) {
		sigset_t none;
		netns_catch_signals(t);
		if ((rc = build(t)) != 0) {
			netns_topo_free(t);
			return rc;
		}
		run_actions(t, &o, argc - rest, argv + rest);
		write_file(o.ready, netns_run_id(t));
		sigemptyset(&none);
		for (;;)
			sigsuspend(&none);  /* the handler tears down and dies */
	}
	if (strcmp(argv[1], "check") == 0) {
		netns_catch_signals(t);
		if ((rc = build(t)) != 0) {
			netns_topo_free(t);
			return rc;
		}
		write_file(o.ready, netns_run_id(t));
		run_actions(t, &o, argc - rest, argv + rest);
		rc = netns_teardown(t);
		report(rc == 0, "teardown of run %s", netns_run_id(t));
		netns_topo_free(t);
		return failures ? 1 : 0;
	}
	netns_topo_free(t);
	return usage();
}
