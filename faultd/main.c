/*
 * main.c -- faultd: parse the settings, open everything, run the loop.
 * SIGHUP re-reads rules and zones; SIGINT/SIGTERM stop cleanly.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "faultd/config.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "faultd/daemon.h"

static void
on_signal(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct faultd *d = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			struct dd_err e;
			int rc;

			faultd_lock(d);
			rc = faultd_reload(d, &e);
			faultd_unlock(d);
			if (rc < 0)
				log_warnx("SIGHUP: reload refused, old rules and zones kept: %s", e.msg);
			else
				log_info("SIGHUP: rules and zones reloaded (%zu rules)",
				    ruleset_count(d->eng.rules));
		} else {
			log_info("signal %u: shutting down", si.ssi_signo);
			ev_loop_stop(loop);
		}
	}
}

int
main(int argc, char **argv)
{
	struct faultd_config cfg;
	struct faultd d;
	struct ev_loop *loop;
	struct dd_err err = { "" };
	sigset_t mask;
	int sfd, rc;

	log_init("faultd", LOG_LVL_INFO);
	rc = faultd_config_parse(&cfg, argc, argv, &err);
	if (rc == CFG_EXIT_OK)
		return 0;
	if (rc != CFG_OK) {
		fprintf(stderr, "faultd: %s\n", err.msg);
		faultd_config_free(&cfg);
		return 2;
	}
	log_set_level(cfg.log_level);

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	loop = ev_loop_new();
	if (loop == NULL)
		fatal("event loop");
	if (faultd_open(&d, &cfg, loop, &err) < 0) {
		fprintf(stderr, "faultd: %s\n", err.msg);
		ev_loop_free(loop);
		faultd_config_free(&cfg);
		return 1;
	}
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || ev_io_add(loop, sfd, EV_READ, on_signal, &d) < 0)
		fatal("signalfd");

	{
		char a[80];
		log_info("ready: %zu listen address(es), first %s; %zu zone(s), %zu upstream(s), %zu rule(s)",
		    cfg.nlisten, dd_sockaddr_str(&cfg.listen[0], a, sizeof(a)),
		    d.eng.zones ? zoneset_count(d.eng.zones) : 0, cfg.nupstreams,
		    ruleset_count(d.eng.rules));
		if (cfg.control_tls)
			log_info("control-tls: listening on %s (TLS, client certificates from %s)",
			    dd_sockaddr_str(&cfg.control_tls_addr, a, sizeof(a)), cfg.tls_ca);
		if (cfg.metrics)
			log_info("metrics: http://%s/metrics",
			    dd_sockaddr_str(&cfg.metrics_addr, a, sizeof(a)));
	}
	rc = ev_loop_run(loop);
	ev_io_del(loop, sfd);
	close(sfd);
	faultd_close(&d);
	ev_loop_free(loop);
	faultd_config_free(&cfg);
	return rc < 0 ? 1 : 0;
}
