/*
 * run_check.c -- what `dnsdrill check` (and `dnsdrill run`, before it
 * builds anything) can tell about a loaded scenario beyond its syntax: the
 * programs it runs are there (exit 3 as a run would), warnings about probe
 * timeouts shorter than the stub resolver they stand in for, and its
 * parameters for people.
 *
 * Warnings go to stderr and never change the exit status.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/proc.h"
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
		const struct sc_host *h = p->host ? scenario_host(r->sc, p->host) : NULL;
		const char *text, *whose;
		struct resolvconf_wait w;
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
			whose = p->host ? "this machine's /etc/resolv.conf, which the host sees" :
			    "this machine's /etc/resolv.conf (no topology: the real one)";
		}
		resolvconf_stub_worst(text, &w);
		if (p->timeout_us >= (uint64_t)w.glibc_s * 1000000u)
			continue;
		fmt_us(t, sizeof(t), p->timeout_us);
		fprintf(f, "dnsdrill: warning: %s:%d: probe '%s': timeout %s%s is shorter than "
		    "the stub resolver %s '%s' may wait (glibc: timeout %ds x attempts %d%s "
		    "= %ds; c-ares, doubling its timeout each round: %lds; from %s): a lookup "
		    "that takes longer but succeeds counts as a failure\n",
		    r->sc->file, p->line, p->name, t, p->timeout_given ? "" : " (the default)",
		    p->host ? "on host" : "of", p->host ? p->host : "this machine", w.timeout_s, w.attempts, w.servers > 1 ? " over its servers" : "",
		    w.glibc_s, w.cares_s, whose);
		warned++;
	}
	free(machine);
	return warned;
}

int
run_check_programs(struct run *r)
{
	struct dd_err err;
	int rc;

	for (size_t i = 0; i < r->sc->n_procs; i++) {
		const struct sc_process *p = &r->sc->procs[i];
		if ((rc = proc_check_exec(p->argv[0], &err)) < 0)
			return run_fail(r, rc, "%s:%d: process '%s': cannot run %s", r->sc->file,
			    p->line, p->name, err.msg);
	}
	for (size_t i = 0; i < r->sc->n_probes; i++) {
		const struct sc_probe *p = &r->sc->probes[i];
		if (p->kind == SC_PROBE_EXEC && (rc = proc_check_exec(p->argv[0], &err)) < 0)
			return run_fail(r, rc, "%s:%d: probe '%s': cannot run %s", r->sc->file,
			    p->line, p->name, err.msg);
	}
	bool starts_faultd = false;
	for (size_t i = 0; i < r->sc->n_dns; i++)
		starts_faultd = starts_faultd || r->sc->dns[i].remote == NULL;
	if (starts_faultd) {
		char fd_path[PATH_MAX];
		const char *faultd = getenv("DNSDRILL_FAULTD");
		snprintf(fd_path, sizeof(fd_path), "%s/faultd", r->o->build_dir);
		if ((rc = proc_check_exec(faultd ? faultd : fd_path, &err)) < 0)
			return run_fail(r, rc, "faultd not found: %s (build it with make)", err.msg);
	}
	return 0;
}

void
run_check_print_params(struct run *r, FILE *f)
{
	const struct scenario *sc = r->sc;
	int w = (int)strlen("speed");

	for (size_t i = 0; i < sc->n_params; i++)
		if ((int)strlen(sc->params[i].name) > w)
			w = (int)strlen(sc->params[i].name);
	fprintf(f, "parameters (dnsdrill run %s --set NAME=VALUE):\n", sc->file);
	for (size_t i = 0; i < sc->n_params; i++) {
		const struct sc_param *p = &sc->params[i];
		fprintf(f, "  %-*s  default %s", w, p->name, p->def ? p->def : "?");
		if (p->from_cli)
			fprintf(f, ", set to %s", p->value);
		if (p->allowed)
			fprintf(f, "; %s", p->allowed);
		fputc('\n', f);
		if (p->doc)
			fprintf(f, "  %-*s  %s\n", w, "", p->doc);
	}
	fprintf(f, "  %-*s  %g: incident seconds per real second (scenario { speed }; "
	    "--set speed=N overrides)\n", w, "speed", sc->speed);
}
