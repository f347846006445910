/*
 * probe_tcp.c -- the TCP probe kind: ok when a connect to the address
 * completes before the deadline ("connected"), failed with the connect
 * error otherwise ("connect refused", "connect: No route to host").
 */
#include "harness/probe_kind.h"

static int
tcp_prepare(struct probe *pr, struct dd_err *err)
{
	const struct probe_spec *s = &pr->spec;

	if (!probe_sa_ok(&s->addr) || probe_sa_port(&s->addr) == 0) {
		dd_err_set(err, "probe '%s': tcp probe needs an address with a port",
		    s->name);
		return DD_EINVAL;
	}
	pr->target = s->addr;
	return 0;
}

static void
tcp_release(struct probe *pr)
{
	(void)pr;   /* nothing derived */
}

static void
tcp_connected(struct probe_attempt *a)
{
	probe_attempt_done(a, true, "connected");
}

static void
tcp_start(struct probe_attempt *a)
{
	probe_stream_open(a, tcp_connected, NULL);
}

const struct probe_ops probe_tcp_ops = {
	.name = "tcp",
	.attempt_size = sizeof(struct probe_attempt),
	.prepare = tcp_prepare,
	.release = tcp_release,
	.start = tcp_start,
};
