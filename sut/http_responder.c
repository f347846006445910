/*
 * http_responder.c -- dd-http-responder, the regional endpoints' stand-in.
 *
 * Answers every GET or HEAD on any path with {"region":"NAME"} (or another
 * status when told), one request per connection, HTTP/1.0.  The scenarios
 * run one per region so the client's requests show which region served
 * them.  All the socket work is httpd.c on the event loop.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/util.h"

#include "sut/httpd.h"

#define MAX_LISTEN 16

struct responder {
	const char *name;
	int status;
	bool log;
	uint64_t t_start;
	uint64_t served;
};

static void
on_request(void *arg, const struct dd_sockaddr *peer, const char *method,
    const char *path, struct http_reply *rep)
{
	struct responder *r = arg;
	int n;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		rep->status = 405;
		n = snprintf(rep->body, sizeof(rep->body), "{\"error\":\"method\"}\n");
	} else if (r->status == 200) {
		n = snprintf(rep->body, sizeof(rep->body), "{\"region\":\"%s\"}\n", r->name);
	} else {
		rep->status = r->status;
		n = snprintf(rep->body, sizeof(rep->body),
		    "{\"region\":\"%s\",\"status\":%d}\n", r->name, r->status);
	}
	rep->body_len = n > 0 ? (size_t)n : 0;
	r->served++;
	if (r->log) {
		char a[80];
		uint64_t t = dd_now_us() - r->t_start;
		printf("ts=%llu.%03llu event=http peer=%s method=%s path=%s status=%d\n",
		    (unsigned long long)(t / 1000000u), (unsigned long long)(t / 1000u % 1000u),
		    dd_sockaddr_str(peer, a, sizeof(a)), method, path, rep->status);
	}
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: dd-http-responder --listen ADDR:PORT [--listen ...] [options]\n"
	    "\n"
	    "A tiny HTTP/1.0 server for the regional endpoints: every GET answers\n"
	    "{\"region\":\"NAME\"} and closes the connection.\n"
	    "\n"
	    "  --listen ADDR:PORT   listen here (repeatable; [::1]:8080 for IPv6)\n"
	    "  --name TEXT          region name put in every body (default \"local\")\n"
	    "  --status N           answer with status N instead of 200\n"
	    "  --log                one line per request on stdout\n"
	    "  --help, --version\n"
	    "\n"
	    "SIGTERM or SIGINT: exit 0.  See dd-http-responder(1).\n");
}

static void
on_signal(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		ev_loop_stop(loop);
}

static bool
name_ok(const char *s)
{
	if (strlen(s) > 200)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '"' || *s == '\\' || *s == 0x7f)
			return false;
	return true;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "name", required_argument, NULL, 'n' },
		{ "status", required_argument, NULL, 's' },
		{ "log", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct responder r = { .name = "local", .status = 200 };
	struct dd_sockaddr listen_on[MAX_LISTEN];
	struct ev_loop *loop;
	struct httpd *s;
	sigset_t mask;
	uint64_t v;
	int nlisten = 0, ch, sfd, rc;

	log_init("dd-http-responder", LOG_LVL_INFO);
	setvbuf(stdout, NULL, _IOLBF, 0);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (nlisten >= MAX_LISTEN) {
				fprintf(stderr, "dd-http-responder: at most %d --listen\n", MAX_LISTEN);
				return 2;
			}
			if (dd_sockaddr_parse(optarg, -1, &listen_on[nlisten]) < 0) {
				fprintf(stderr, "dd-http-responder: bad --listen '%s' "
				    "(ADDR:PORT or [V6]:PORT)\n", optarg);
				return 2;
			}
			nlisten++;
			break;
		case 'n':
			if (!name_ok(optarg)) {
				fprintf(stderr, "dd-http-responder: bad --name (no quotes, "
				    "backslashes or control characters)\n");
				return 2;
			}
			r.name = optarg;
			break;
		case 's':
			if (dd_parse_u64(optarg, &v) < 0 || v < 100 || v > 599) {
				fprintf(stderr, "dd-http-responder: bad --status '%s' (100-599)\n", optarg);
				return 2;
			}
			r.status = (int)v;
			break;
		case 'L':
			r.log = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("dd-http-responder %s\n", DNSDRILL_VERSION);
			return 0;
		default:
			fprintf(stderr, "dd-http-responder: bad option %s\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || nlisten == 0) {
		fprintf(stderr, "dd-http-responder: %s\n", nlisten == 0 ?
		    "--listen ADDR:PORT is required" : "unexpected argument");
		return 2;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	r.t_start = dd_now_us();
	loop = ev_loop_new();
	if (loop == NULL)
		fatal("event loop");
	s = httpd_new(loop, on_request, &r);
	if (s == NULL)
		fatalx("out of memory");
	for (int i = 0; i < nlisten; i++) {
		char a[80];
		rc = httpd_listen(s, &listen_on[i]);
		if (rc < 0) {
			fprintf(stderr, "dd-http-responder: listen %s: %s\n",
			    dd_sockaddr_str(&listen_on[i], a, sizeof(a)), strerror(-rc));
			httpd_free(s);
			ev_loop_free(loop);
			return 1;
		}
	}
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || ev_io_add(loop, sfd, EV_READ, on_signal, NULL) < 0)
		fatal("signalfd");
	if (r.log) {
		char a[80];
		printf("ts=0.000 event=start name=%s status=%d listen=%s listeners=%d\n",
		    r.name, r.status, dd_sockaddr_str(&listen_on[0], a, sizeof(a)), nlisten);
	}
	rc = ev_loop_run(loop);
	if (r.log)
		printf("event=stop served=%llu\n", (unsigned long long)r.served);
	ev_io_del(loop, sfd);
	close(sfd);
	httpd_free(s);
	ev_loop_free(loop);
	return rc < 0 ? 1 : 0;
}
