/*
 * run_check.c -- what `dnsdrill check` (and `dnsdrill run`, before it
 * builds anything) can tell about a loaded scenario beyond its syntax:
 * warnings about probe timeouts shorter than the stub resolver they stand
 * in for.
 *
 * Warnings go to stderr and never change the exit status.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness/resolvconf.h"
#include "harness/run_internal.h"

/* This machine's /etc/resolv.conf (what a host without resolv = sees), or
 * NULL when it cannot be read.  The caller frees it. */
static char *
machine_resolv_conf(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen("/etc/resolv.conf", "r"), *mem;
	char chunk[4096];
	size_t n;

	if (f == NULL || (mem = open_memstream(&buf, &len)) == NULL) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && len < 65536)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	if (fclose(mem) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void
fmt_us(char *buf, size_t len, uint64_t us)
{
	if (us % 1000000 == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(us / 1000000));
	else
		snprintf(buf, len, "%llums", (unsigned long long)(us / 1000));
}

int
run_check_probe_timeouts(struct run *r, FILE *f)
{
	char *machine = NULL;
	bool machine_read = false;
	int warned = 0;

	for (size_t i = 0; i < r->sc->n_probes; i++) {
		const struct sc_probe *p = &r->sc->probes[i];
		const struct sc_host *h = scenario_host(r->sc, p->host);
		const char *text, *whose;
		int timeout, attempts;
		char t[32];

		if (p->kind != SC_PROBE_DNS && p->kind != SC_PROBE_EXEC)
			continue;
		if (h != NULL && h->resolv != NULL) {
			text = h->resolv;
			whose = "its resolv.conf";
		} else {
			if (!machine_read) {
				machine = machine_resolv_conf();
				machine_read = true;
			}
			text = machine;
			whose = "this machine's /etc/resolv.conf, which the host sees";
		}
		resolvconf_stub_wait(text, &timeout, &attempts);
		if (p->timeout_us >= (uint64_t)timeout * (uint64_t)attempts * 1000000u)
			continue;
		fmt_us(t, sizeof(t), p->timeout_us);
		fprintf(f, "dnsdrill: warning: %s:%d: probe '%s': timeout %s%s is shorter than "
		    "the stub resolver on host '%s' may wait (timeout %ds x attempts %d = %ds, "
		    "from %s): a lookup that takes longer but succeeds counts as a failure\n",
		    r->sc->file, p->line, p->name, t, p->timeout_given ? "" : " (the default)",
		    p->host, timeout, attempts, timeout * attempts, whose);
		warned++;
	}
	free(machine);
	return warned;
}
