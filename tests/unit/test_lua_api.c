/*
 * test_lua_api.c -- the scenario language on virtual time: declarations
 * filling struct scenario, every kind of load error (with FILE:LINE and the
 * offending term), parameters and --set, the sandbox, and the timeline
 * scheduler driven with hand-picked now_ms values against recording ops.
 * No network, no root, no sleeping (except the one watchdog test, which
 * burns ~5 s of CPU on purpose).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "harness/lua_api.h"
#include "harness/scenario.h"

#define BUILD_DIR "/opt/dd/build"

static char tmpdir[64];

/* ------------------------------------------------------------------ */
/* recording ops */

struct rec {
	char log[64][200];
	int n;
	uint64_t now;        /* the time the test is stepping at */
	uint64_t next_id;
	bool fail_inject;
	long watch_n;        /* seen("w") */
	int probe_last;      /* probe_ok("p") */
	unsigned stats_token;    /* the last stats() request's */
};

static void
rec_add(struct rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
rec_add(struct rec *r, const char *fmt, ...)
{
	char tmp[180];
	va_list ap;

	assert_true(r->n < 64);
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	snprintf(r->log[r->n++], sizeof(r->log[0]), "%llu %s", (unsigned long long)r->now, tmp);
}

static void
op_phase(void *arg, const char *name)
{
	rec_add(arg, "phase %s", name);
}

static void
op_mark(void *arg, const char *text)
{
	rec_add(arg, "mark %s", text);
}

static int
op_inject(void *arg, const char *dns, const char *rule, uint64_t *id, struct dd_err *err)
{
	struct rec *r = arg;
	if (r->fail_inject) {
		dd_err_set(err, "faultd said no: bad rule '%s'", rule);
		return DD_EINVAL;
	}
	*id = ++r->next_id;
	rec_add(r, "inject %s %s -> %llu", dns, rule, (unsigned long long)*id);
	return 0;
}

static int
op_zone(void *arg, const char *dns, const char *line, const char *where,
    struct dd_err *err)
{
	(void)err;
	rec_add(arg, "zone %s [%s] %s", dns, where, line);
	return 0;
}

static int
op_clear(void *arg, const char *dns, uint64_t id, struct dd_err *err)
{
	(void)err;
	rec_add(arg, "clear %s %llu", dns, (unsigned long long)id);
	return 0;
}

static int
op_proc(void *arg, const char *name, const char *what, struct dd_err *err)
{
	(void)err;
	rec_add(arg, "%s %s", what, name);
	return 0;
}

static long
op_watch_count(void *arg, const char *watch)
{
	struct rec *r = arg;
	return strcmp(watch, "w") == 0 ? r->watch_n : -1;
}

static int
op_probe_last(void *arg, const char *probe)
{
	struct rec *r = arg;
	return strcmp(probe, "p") == 0 ? r->probe_last : -1;
}

static int
op_stats(void *arg, const char *dns, unsigned token, struct dd_err *err)
{
	struct rec *r = arg;

	(void)err;
	r->stats_token = token;
	rec_add(r, "stats %s", dns);
	return 0;
}

/* ------------------------------------------------------------------ */
/* fixture */

struct fx {
	struct scenario *sc;
	struct sc_lua *S;
	struct dd_err err;
	struct rec rec;
	uint64_t next;
	uint64_t budget;     /* sc_lua_set_budget() before loading, when not 0 */
};

static void
fx_clear(struct fx *f)
{
	sc_lua_free(f->S);
	scenario_free(f->sc);
	f->S = NULL;
	f->sc = NULL;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	f->rec.probe_last = -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	fx_clear(f);
	free(f);
	return 0;
}

static void
write_file(const char *rel, const char *text, char *path, size_t len)
{
	FILE *fp;

	snprintf(path, len, "%s/%s", tmpdir, rel);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Load text (as tmpdir/rel) with --set pairs ("k=v", NULL-terminated) and
 * seed; seed_set says whether the seed came from the command line. */
static int
load_full(struct fx *f, const char *rel, const char *text, const char *const *sets,
    uint64_t seed, bool seed_set)
{
	static const struct sc_ops ops = {
		.phase = op_phase, .mark = op_mark, .inject = op_inject, .clear = op_clear,
		.proc = op_proc, .watch_count = op_watch_count, .probe_last = op_probe_last,
		.stats = op_stats, .zone = op_zone,
	};
	struct sc_ops o = ops;
	char path[256];

	fx_clear(f);
	memset(&f->err, 0, sizeof(f->err));
	write_file(rel, text, path, sizeof(path));
	f->sc = scenario_new(path);
	assert_non_null(f->sc);
	for (const char *const *s = sets; s && *s; s++) {
		const char *eq = strchr(*s, '=');
		struct sc_kv *kv = sc_push(&f->sc->sets, &f->sc->n_sets, sizeof(*kv));
		assert_non_null(eq);
		assert_non_null(kv);
		kv->key = strndup(*s, (size_t)(eq - *s));
		kv->value = strdup(eq + 1);
	}
	f->sc->set_used = calloc(f->sc->n_sets + 1, sizeof(bool));
	assert_non_null(f->sc->set_used);
	f->sc->seed = seed;
	f->sc->seed_set = seed_set;
	f->S = sc_lua_new(f->sc, seed, BUILD_DIR);
	assert_non_null(f->S);
	o.arg = &f->rec;
	sc_lua_set_ops(f->S, &o);
	if (f->budget != 0)
		sc_lua_set_budget(f->S, f->budget);
	return sc_lua_load(f->S, &f->err);
}

static int
load_sets(struct fx *f, const char *text, const char *const *sets)
{
	return load_full(f, "drill.lua", text, sets, 1, true);
}

static int
load(struct fx *f, const char *text)
{
	return load_sets(f, text, NULL);
}

static void
load_ok(struct fx *f, const char *text)
{
	int rc = load(f, text);
	if (rc != 0)
		print_error("unexpected load error: %s\n", f->err.msg);
	assert_int_equal(rc, 0);
}

/* The message has "drill.lua:LINE:" (line > 0) and every needle. */
static void
assert_msg(const char *msg, int line, const char *const *needles)
{
	char where[32];

	if (line > 0) {
		snprintf(where, sizeof(where), "drill.lua:%d:", line);
		if (strstr(msg, where) == NULL) {
			print_error("'%s' not in: %s\n", where, msg);
			fail();
		}
		/* the path is the one the scenario was given as */
		if (strstr(msg, tmpdir) == NULL) {
			print_error("'%s' not in: %s\n", tmpdir, msg);
			fail();
		}
	}
	for (const char *const *n = needles; *n; n++)
		if (strstr(msg, *n) == NULL) {
			print_error("'%s' not in: %s\n", *n, msg);
			fail();
		}
}

#define NEEDLES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void
load_err_sets(struct fx *f, const char *text, const char *const *sets, int line,
    const char *const *needles)
{
	int rc = load_sets(f, text, sets);
	if (rc != DD_EINVAL)
		print_error("expected DD_EINVAL for:\n%s\n", text);
	assert_int_equal(rc, DD_EINVAL);
	assert_msg(f->err.msg, line, needles);
}

static void
load_err(struct fx *f, const char *text, int line, const char *const *needles)
{
	load_err_sets(f, text, NULL, line, needles);
}

/* Timeline driving. */
static void
tl_start(struct fx *f, uint64_t now)
{
	f->rec.now = now;
	assert_int_equal(sc_lua_timeline_start(f->S, now, &f->err), 0);
}

static int
step(struct fx *f, uint64_t now)
{
	int rc;
	f->rec.now = now;
	f->next = 0;
	rc = sc_lua_timeline_step(f->S, now, &f->next, &f->err);
	if (rc < 0)
		return rc;
	return rc;
}

static void
step_expect(struct fx *f, uint64_t now, int rc, uint64_t next)
{
	int got = step(f, now);
	if (got != rc)
		print_error("step(%llu) = %d: %s\n", (unsigned long long)now, got,
		    got < 0 ? f->err.msg : "");
	assert_int_equal(got, rc);
	if (rc >= 0)
		assert_int_equal(f->next, next);
}

static void
assert_log(const struct rec *r, const char *const *want)
{
	int n = 0;
	for (const char *const *w = want; *w; w++, n++) {
		if (n >= r->n) {
			print_error("log has %d entries; missing '%s'\n", r->n, *w);
			fail();
		}
		if (strcmp(r->log[n], *w) != 0) {
			print_error("log[%d] = '%s', want '%s'\n", n, r->log[n], *w);
			fail();
		}
	}
	if (r->n != n) {
		print_error("log has %d entries, want %d (extra: '%s')\n", r->n, n, r->log[n]);
		fail();
	}
}

#define LOG(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define EMPTY_LOG ((const char *const[]){ NULL })

/* ------------------------------------------------------------------ */
/* declarations */

static const char FULL[] =
"scenario {\n"                                                      /* 1 */
"  name = \"full\", description = \"all of it\",\n"
"  speed = 4, max_duration = \"90s\", seed = 42,\n"
"}\n"
"local who = param(\"who\", { default = \"a\", choices = { \"a\", \"b\" }, doc = \"which\" })\n"
"local n = param(\"n\", { default = 3, min = 0, max = 10 })\n"
"local flag = param(\"flag\", { default = false })\n"
"host \"r\" {\n"                                                    /* 8 */
"  forward = true, resolv = \"nameserver 198.18.0.1\\n\",\n"
"  hosts = \"198.18.0.1 gw\\n\", intercept = \"198.18.0.53:53\",\n"
"  routes = { { to = \"default\", via = \"198.18.0.1\" },\n"
"             { to = \"198.18.2.0/24\", via = \"198.18.0.2\", dev = \"lan0\" } },\n"
"  lo = { \"198.18.9.1/32\", \"fd00::9/128\" },\n"
"}\n"
"host(\"c\", { resolv = { \"198.18.0.53\", \"198.18.0.54\" }, lo = \"198.18.9.2/32\" })\n" /* 15 */
"host \"a\" {}\n"
"lan \"lan0\" { r = \"198.18.0.1/24\", c = \"198.18.0.10/24\",\n"   /* 17 */
"  a = { \"198.18.0.53/24\", \"fd00::53/64\" } }\n"
"link(\"l1\", { r = \"198.18.4.1/30\", a = \"198.18.4.2/30\" })\n"
"dns \"auth\" {\n"                                                  /* 20 */
"  host = \"a\", listen = { \"198.18.0.53:53\", \"[fd00::53]:53\" },\n"
"  zones = { \"zones/example.zone\", \"other.zone\" },\n"
"  zone = { \"$ORIGIN a.\\n\", \"$ORIGIN b.\\n\" },\n"
"  upstreams = \"198.18.0.99:53\", rules = { \"name=x action=drop\" },\n"
"  upstream_timeout = \"500ms\",\n"
"}\n"
"dns(\"auth2\", { host = \"a\", listen = \"198.18.0.54:53\", zone = \"z\" })\n" /* 27 */
"process \"app\" {\n"                                               /* 28 */
"  host = \"c\", cmd = { bin \"dd-app\", \"--conf\", path \"app.conf\", 5 },\n"
"  env = { FOO = \"bar\" }, cwd = \"/tmp\", autostart = false,\n"
"  ready = { tcp = \"198.18.0.10:8080\" }, ready_timeout = \"3s\",\n"
"}\n"
"process \"unb\" { host = \"c\", cmd = { \"unbound\", \"-d\" }, ready = { log = \"start(ed)?\" } }\n"
"process \"p3\" { host = \"a\", cmd = \"sleeper\", ready = { delay = \"1.5s\" } }\n"
"process \"p4\" { host = \"a\", cmd = { \"web\" }, ready = { http = \"http://198.18.0.53/\" } }\n"
"probe \"www\" {\n"                                                 /* 36 */
"  host = \"c\", every = \"100ms\", timeout = \"400ms\",\n"
"  dns = { name = \"www.example.com\", type = \"AAAA\", server = \"198.18.0.53\",\n"
"          tcp = true, rcode = \"NXDOMAIN\", answer = \"fd00::1\", empty = true },\n"
"}\n"
"probe \"web\" { host = \"c\", http = { url = \"http://198.18.0.10:8080/h\", status = 204, body = \"ok$\" } }\n"
"probe \"web2\" { host = \"c\", http = \"http://198.18.0.10/\", every = 0.25 }\n"
"probe \"port\" { host = \"c\", tcp = \"198.18.0.10:22\" }\n"
"probe \"chk\" { host = \"c\", exec = { \"getent\", \"ahostsv4\", \"x\" }, exit = 3 }\n"
"probe \"anyrc\" { host = \"c\", dns = { name = \"x.\", server = \"198.18.0.53:5353\", rcode = \"any\" } }\n"
"watch \"fo\" { process = \"app\", match = \"fail(ed)? over\", stream = \"stderr\" }\n" /* 46 */
"watch \"w2\" { process = \"auth\", match = \"x\" }\n"
"watch \"w3\" { process = \"unb\", match = \"y\", stream = \"stdout\" }\n"
"capture \"cap\" { host = \"a\", sut = \"198.18.2.10\" }\n"
"capture \"cap2\" { host = \"c\", iface = \"lan0\" }\n"
"score {\n"
"  detection = { { watch = \"fo\" }, { probe = \"www\", ok = false } },\n"
"  service = \"www\",\n"
"  primary = { probe = \"web\", ok = true, text = \"200\" },\n"
"  primary_lost = \"fo\",\n"
"  stable = \"750ms\", amplification = \"cap\",\n"
"}\n"
"expect \"failover_s < 3\"\n"
"expect { \"availability >= 50%\", \"recovery_s <= 500ms\" }\n"
"timeline(function() end)\n";

static void
test_decl_full(void **state)
{
	struct fx *f = *state;
	struct scenario *sc;
	char want[256];

	load_ok(f, FULL);
	sc = f->sc;
	/* scenario {} */
	assert_string_equal(sc->name, "full");
	assert_string_equal(sc->description, "all of it");
	assert_true(sc->speed == 4.0);
	assert_int_equal(sc->max_duration_us, 90000000);
	assert_int_equal(sc->seed, 1);          /* --seed (seed_set) wins over seed = 42 */
	assert_true(sc->has_timeline);

	/* param */
	assert_int_equal(sc->n_params, 3);
	assert_string_equal(sc->params[0].name, "who");
	assert_string_equal(sc->params[0].value, "a");
	assert_string_equal(sc->params[0].doc, "which");
	assert_false(sc->params[0].from_cli);
	assert_string_equal(sc->params[1].value, "3");
	assert_null(sc->params[1].doc);
	assert_string_equal(sc->params[2].value, "false");
	/* what `dnsdrill check` shows of them */
	assert_string_equal(sc->params[0].def, "a");
	assert_string_equal(sc->params[0].allowed, "one of a, b");
	assert_string_equal(sc->params[1].def, "3");
	assert_string_equal(sc->params[1].allowed, "0..10");
	assert_string_equal(sc->params[2].def, "false");
	assert_null(sc->params[2].allowed);

	/* hosts */
	assert_int_equal(sc->n_hosts, 3);
	struct sc_host *r = scenario_host(sc, "r");
	assert_non_null(r);
	assert_int_equal(r->line, 8);
	assert_true(r->forward);
	assert_string_equal(r->resolv, "nameserver 198.18.0.1\n");
	assert_string_equal(r->hosts, "198.18.0.1 gw\n");
	assert_string_equal(r->intercept, "198.18.0.53:53");
	assert_int_equal(r->n_routes, 2);
	assert_string_equal(r->routes[0].dst, "default");
	assert_string_equal(r->routes[0].via, "198.18.0.1");
	assert_null(r->routes[0].dev);
	assert_string_equal(r->routes[1].dst, "198.18.2.0/24");
	assert_string_equal(r->routes[1].via, "198.18.0.2");
	assert_string_equal(r->routes[1].dev, "lan0");
	assert_int_equal(r->n_lo_addrs, 2);
	assert_string_equal(r->lo_addrs[0], "198.18.9.1/32");
	assert_string_equal(r->lo_addrs[1], "fd00::9/128");
	struct sc_host *c = scenario_host(sc, "c");
	assert_non_null(c);
	assert_int_equal(c->line, 15);
	assert_false(c->forward);
	/* a list becomes nameserver lines and nothing else: no options the
	 * user did not state */
	assert_non_null(c->resolv);
	assert_string_equal(c->resolv, "nameserver 198.18.0.53\nnameserver 198.18.0.54\n");
	assert_null(c->hosts);
	assert_null(c->intercept);
	assert_int_equal(c->n_routes, 0);
	assert_int_equal(c->n_lo_addrs, 1);
	assert_string_equal(c->lo_addrs[0], "198.18.9.2/32");
	struct sc_host *a = scenario_host(sc, "a");
	assert_non_null(a);
	assert_null(a->resolv);

	/* lan and link: members sorted by host name */
	assert_int_equal(sc->n_nets, 2);
	struct sc_net *lan = &sc->nets[0];
	assert_string_equal(lan->name, "lan0");
	assert_false(lan->is_link);
	assert_int_equal(lan->line, 17);
	assert_int_equal(lan->n_members, 3);
	assert_string_equal(lan->members[0].host, "a");
	assert_int_equal(lan->members[0].n_addrs, 2);
	assert_string_equal(lan->members[0].addrs[0], "198.18.0.53/24");
	assert_string_equal(lan->members[0].addrs[1], "fd00::53/64");
	assert_string_equal(lan->members[1].host, "c");
	assert_string_equal(lan->members[1].addrs[0], "198.18.0.10/24");
	assert_string_equal(lan->members[2].host, "r");
	assert_int_equal(lan->members[2].n_addrs, 1);
	struct sc_net *l1 = &sc->nets[1];
	assert_string_equal(l1->name, "l1");
	assert_true(l1->is_link);
	assert_int_equal(l1->n_members, 2);
	assert_string_equal(l1->members[0].host, "a");
	assert_string_equal(l1->members[0].addrs[0], "198.18.4.2/30");
	assert_string_equal(l1->members[1].host, "r");

	/* dns */
	assert_int_equal(sc->n_dns, 2);
	struct sc_dns *d = scenario_dns(sc, "auth");
	assert_non_null(d);
	assert_int_equal(d->line, 20);
	assert_string_equal(d->host, "a");
	assert_int_equal(d->n_listen, 2);
	assert_string_equal(d->listen[1], "[fd00::53]:53");
	assert_int_equal(d->n_zone_files, 2);
	snprintf(want, sizeof(want), "%s/zones/example.zone", tmpdir);
	assert_string_equal(d->zone_files[0], want);
	snprintf(want, sizeof(want), "%s/other.zone", tmpdir);
	assert_string_equal(d->zone_files[1], want);
	assert_int_equal(d->n_zone_texts, 2);
	assert_string_equal(d->zone_texts[1], "$ORIGIN b.\n");
	assert_int_equal(d->n_upstreams, 1);
	assert_string_equal(d->upstreams[0], "198.18.0.99:53");
	assert_int_equal(d->n_rules, 1);
	assert_string_equal(d->rules[0], "name=x action=drop");
	assert_string_equal(d->upstream_timeout, "500ms");
	d = scenario_dns(sc, "auth2");
	assert_non_null(d);
	assert_int_equal(d->line, 27);
	assert_int_equal(d->n_listen, 1);
	assert_int_equal(d->n_zone_files, 0);
	assert_int_equal(d->n_zone_texts, 1);
	assert_string_equal(d->zone_texts[0], "z");
	assert_null(d->upstream_timeout);

	/* processes */
	assert_int_equal(sc->n_procs, 4);
	struct sc_process *p = scenario_proc(sc, "app");
	assert_non_null(p);
	assert_int_equal(p->line, 28);
	assert_string_equal(p->host, "c");
	assert_int_equal(p->argc, 4);
	assert_string_equal(p->argv[0], BUILD_DIR "/dd-app");
	assert_string_equal(p->argv[1], "--conf");
	snprintf(want, sizeof(want), "%s/app.conf", tmpdir);
	assert_string_equal(p->argv[2], want);
	assert_string_equal(p->argv[3], "5");
	assert_int_equal(p->n_env, 1);
	assert_string_equal(p->env[0], "FOO=bar");
	assert_string_equal(p->cwd, "/tmp");
	assert_false(p->autostart);
	assert_int_equal(p->ready, READY_TCP);
	assert_string_equal(p->ready_arg, "198.18.0.10:8080");
	assert_int_equal(p->ready_timeout_us, 3000000);
	p = scenario_proc(sc, "unb");
	assert_true(p->autostart);
	assert_int_equal(p->ready, READY_LOG);
	assert_string_equal(p->ready_arg, "start(ed)?");
	assert_int_equal(p->ready_timeout_us, 10000000);
	assert_null(p->cwd);
	assert_int_equal(p->n_env, 0);
	p = scenario_proc(sc, "p3");
	assert_int_equal(p->argc, 1);
	assert_string_equal(p->argv[0], "sleeper");
	assert_int_equal(p->ready, READY_DELAY);
	assert_int_equal(p->ready_delay_us, 1500000);
	p = scenario_proc(sc, "p4");
	assert_int_equal(p->ready, READY_HTTP);
	assert_string_equal(p->ready_arg, "http://198.18.0.53/");

	/* probes */
	assert_int_equal(sc->n_probes, 6);
	struct sc_probe *pr = &sc->probes[0];
	assert_string_equal(pr->name, "www");
	assert_int_equal(pr->line, 36);
	assert_string_equal(pr->host, "c");
	assert_int_equal(pr->kind, SC_PROBE_DNS);
	assert_int_equal(pr->interval_us, 100000);
	assert_int_equal(pr->timeout_us, 400000);
	assert_string_equal(pr->qname, "www.example.com");
	assert_int_equal(pr->qtype, 28);
	assert_string_equal(pr->server, "198.18.0.53");
	assert_true(pr->use_tcp);
	assert_int_equal(pr->expect_rcode, 3);
	assert_string_equal(pr->expect_answer, "fd00::1");
	assert_true(pr->expect_empty);
	pr = &sc->probes[1];
	assert_int_equal(pr->kind, SC_PROBE_HTTP);
	assert_string_equal(pr->url, "http://198.18.0.10:8080/h");
	assert_int_equal(pr->expect_status, 204);
	assert_string_equal(pr->body_match, "ok$");
	assert_int_equal(pr->interval_us, 500000);   /* defaults */
	assert_int_equal(pr->timeout_us, 1000000);
	pr = &sc->probes[2];
	assert_int_equal(pr->kind, SC_PROBE_HTTP);
	assert_string_equal(pr->url, "http://198.18.0.10/");
	assert_int_equal(pr->expect_status, 200);
	assert_null(pr->body_match);
	assert_int_equal(pr->interval_us, 250000);   /* a number is seconds */
	pr = &sc->probes[3];
	assert_int_equal(pr->kind, SC_PROBE_TCP);
	assert_string_equal(pr->addr, "198.18.0.10:22");
	pr = &sc->probes[4];
	assert_int_equal(pr->kind, SC_PROBE_EXEC);
	assert_int_equal(pr->argc, 3);
	assert_string_equal(pr->argv[0], "getent");
	assert_string_equal(pr->argv[2], "x");
	/* exec needs the NULL after the last argument (the probe reads up to it) */
	assert_null(pr->argv[pr->argc]);
	assert_int_equal(pr->expect_exit, 3);
	pr = &sc->probes[5];
	assert_int_equal(pr->kind, SC_PROBE_DNS);
	assert_int_equal(pr->qtype, 1);
	assert_int_equal(pr->expect_rcode, -1);
	assert_false(pr->use_tcp);
	assert_false(pr->expect_empty);
	assert_null(pr->expect_answer);

	/* watches */
	assert_int_equal(sc->n_watches, 3);
	assert_string_equal(sc->watches[0].name, "fo");
	assert_string_equal(sc->watches[0].process, "app");
	assert_string_equal(sc->watches[0].regex, "fail(ed)? over");
	assert_int_equal(sc->watches[0].stream, 2);
	assert_int_equal(sc->watches[0].line, 46);
	assert_string_equal(sc->watches[1].process, "auth");   /* a dns server's log */
	assert_int_equal(sc->watches[1].stream, 3);
	assert_int_equal(sc->watches[2].stream, 1);

	/* captures */
	assert_int_equal(sc->n_caps, 2);
	assert_string_equal(sc->caps[0].host, "a");
	assert_string_equal(sc->caps[0].iface, "any");
	assert_string_equal(sc->caps[0].count_from, "198.18.2.10");
	assert_string_equal(sc->caps[1].iface, "lan0");
	assert_null(sc->caps[1].count_from);

	/* score */
	assert_int_equal(sc->n_detect, 2);
	assert_true(sc->detect[0].set);
	assert_int_equal(sc->detect[0].kind, ELOG_WATCH);
	assert_string_equal(sc->detect[0].source, "fo");
	assert_int_equal(sc->detect[1].kind, ELOG_PROBE);
	assert_string_equal(sc->detect[1].source, "www");
	assert_int_equal(sc->detect[1].outcome, SCORE_FAIL);
	assert_true(sc->service.set);
	assert_int_equal(sc->service.kind, ELOG_PROBE);
	assert_string_equal(sc->service.source, "www");
	assert_int_equal(sc->primary.kind, ELOG_PROBE);
	assert_int_equal(sc->primary.outcome, SCORE_OK);
	assert_string_equal(sc->primary.text, "200");
	assert_true(sc->primary_lost.set);
	assert_int_equal(sc->primary_lost.kind, ELOG_WATCH);     /* a bare name is a watch */
	assert_string_equal(sc->primary_lost.source, "fo");
	assert_int_equal(sc->stable_ms, 750);
	assert_true(sc->rate.set);
	assert_int_equal(sc->rate.kind, ELOG_RATE);
	assert_string_equal(sc->rate.source, "cap");

	/* expect */
	assert_int_equal(sc->n_expect, 3);
	assert_int_equal(sc->expect[0].metric, SCORE_FAILOVER);
	assert_int_equal(sc->expect[0].op, SCORE_LT);
	assert_true(sc->expect[0].bound == 3.0);
	assert_int_equal(sc->expect[1].metric, SCORE_AVAILABILITY);
	assert_int_equal(sc->expect[1].op, SCORE_GE);
	assert_true(fabs(sc->expect[1].bound - 0.5) < 1e-9);
	assert_int_equal(sc->expect[2].metric, SCORE_RECOVERY);
	assert_int_equal(sc->expect[2].op, SCORE_LE);
	assert_true(fabs(sc->expect[2].bound - 0.5) < 1e-9);

	/* score_defs point into the scenario */
	struct score_match det[2];
	struct score_defs defs;
	scenario_score_defs(sc, det, &defs);
	assert_int_equal(defs.n_detect, 2);
	assert_string_equal(defs.detect[1].source, "www");
	assert_int_equal(defs.stable_ms, 750);
	assert_int_equal(defs.n_expect, 3);
	assert_true(defs.rate.set);
}

/* host "x" {} and host("x", {}) are the same declaration. */
/* resolv = { servers = {...}, options = {...} }: exactly what was said */
static void
test_decl_resolv_options(void **state)
{
	struct fx *f = *state;

	load_ok(f, "host \"h\" { resolv = { servers = { \"198.18.0.53\", \"fd00::53\" },\n"
	    "  options = { timeout = 1, attempts = 2, rotate = true, ndots = 3 } } }\n"
	    "host \"g\" { resolv = { \"198.18.0.54\", options = { attempts = 1, use_vc = true,\n"
	    "  single_request = true, edns0 = false } } }\n"
	    "host \"k\" { resolv = { servers = { \"198.18.0.55\" } } }\n"
	    "timeline(function() end)\n");
	assert_string_equal(scenario_host(f->sc, "h")->resolv,
	    "nameserver 198.18.0.53\nnameserver fd00::53\n"
	    "options timeout:1 attempts:2 ndots:3 rotate retrans:1000 retry:2\n");
	assert_string_equal(scenario_host(f->sc, "g")->resolv,
	    "nameserver 198.18.0.54\noptions attempts:1 single-request use-vc retry:1\n");
	assert_string_equal(scenario_host(f->sc, "k")->resolv, "nameserver 198.18.0.55\n");
}

static void
test_err_resolv(void **state)
{
	struct fx *f = *state;

	load_err(f, "host \"h\" { resolv = { servers = { \"198.18.0.53\" },\n"
	    "  options = { timout = 1 } } }\n", 1,
	    NEEDLES("host 'h': resolv: options: unknown field 'timout'",
	        "timeout, attempts, ndots, rotate"));
	load_err(f, "host \"h\" { resolv = { servers = { \"198.18.0.53\" }, options = { timeout = 0 } } }\n",
	    1, NEEDLES("host 'h': resolv: options: timeout = 0: glibc takes 1 to 30 seconds"));
	load_err(f, "host \"h\" { resolv = { servers = { \"198.18.0.53\" }, options = { attempts = 9 } } }\n",
	    1, NEEDLES("attempts = 9: glibc takes 1 to 5"));
	load_err(f, "host \"h\" { resolv = { servers = { \"198.18.0.53\" }, options = { ndots = 16 } } }\n",
	    1, NEEDLES("ndots = 16: glibc takes 0 to 15"));
	load_err(f, "host \"h\" { resolv = { servers = { \"198.18.0.53\" }, options = { timeout = \"1s\" } } }\n",
	    1, NEEDLES("options: timeout must be an integer"));
	load_err(f, "host \"h\" { resolv = { servers = { \"dns.example\" } } }\n", 1,
	    NEEDLES("host 'h': resolv: nameserver 'dns.example' is not an IPv4 or IPv6 address"));
	load_err(f, "host \"h\" { resolv = { \"198.18.0.1\", servers = { \"198.18.0.53\" } } }\n", 1,
	    NEEDLES("give the nameservers once"));
	load_err(f, "host \"h\" { resolv = {} }\n", 1, NEEDLES("host 'h': resolv: no nameserver given"));
	load_err(f, "host \"h\" { resolv = { serv = {} } }\n", 1,
	    NEEDLES("host 'h': resolv: unknown field 'serv' (known: servers, options)"));
	load_err(f, "host \"h\" { resolv = { 53 } }\n", 1,
	    NEEDLES("nameserver 1 must be an address string, not number"));
}

/* score { amplification = ... }: a string names the capture behind
 * query_amplification (as before), a list names every link scored, the
 * first also behind query_amplification; a named capture without sut
 * counts every query it sees, others count nothing new. */
static void
test_decl_amplification_links(void **state)
{
	static const char head[] =
	    "host \"a\" {}\nhost \"r\" {}\n"
	    "capture \"app\" { host = \"a\", sut = \"198.18.2.10\" }\n"
	    "capture \"auth\" { host = \"r\", iface = \"up0\" }\n"
	    "capture \"other\" { host = \"r\" }\n";
	struct fx *f = *state;
	char text[1024];
	struct score_match det[1];
	struct score_defs defs;

	snprintf(text, sizeof(text), "%sscore { amplification = { \"auth\", \"app\" } }\n"
	    "timeline(function() end)\n", head);
	load_ok(f, text);
	assert_int_equal(f->sc->n_amp_links, 2);
	assert_string_equal(f->sc->amp_links[0], "auth");
	assert_string_equal(f->sc->amp_links[1], "app");
	assert_string_equal(f->sc->rate.source, "auth");
	assert_false(f->sc->caps[0].count_all);     /* counts its sut */
	assert_true(f->sc->caps[1].count_all);
	assert_false(f->sc->caps[2].count_all);
	scenario_score_defs(f->sc, det, &defs);
	assert_int_equal(defs.n_amp_links, 2);
	assert_string_equal(defs.amp_links[1], "app");

	snprintf(text, sizeof(text), "%sscore { amplification = \"auth\" }\n"
	    "timeline(function() end)\n", head);
	load_ok(f, text);
	assert_int_equal(f->sc->n_amp_links, 0);
	assert_string_equal(f->sc->rate.source, "auth");
	assert_true(f->sc->caps[1].count_all);

	snprintf(text, sizeof(text), "%sscore { amplification = { \"auth\", 3 } }\n"
	    "timeline(function() end)\n", head);
	assert_int_equal(load(f, text), DD_EINVAL);
	assert_msg(f->err.msg, 6, NEEDLES("score: amplification = '3' must name a capture"));
	snprintf(text, sizeof(text), "%sscore { amplification = { \"auth\", {} } }\n"
	    "timeline(function() end)\n", head);
	assert_int_equal(load(f, text), DD_EINVAL);
	assert_msg(f->err.msg, 6, NEEDLES("amplification[2] must be a string"));
}

static void
test_decl_call_forms(void **state)
{
	struct fx *f = *state;

	load_ok(f,
	    "host \"x\" { forward = true }\n"
	    "host(\"y\", { forward = true })\n"
	    "local mk = host \"z\"\n"          /* the curried form is a function */
	    "mk { forward = true }\n"
	    "timeline(function() end)\n");
	assert_int_equal(f->sc->n_hosts, 3);
	for (size_t i = 0; i < 3; i++)
		assert_true(f->sc->hosts[i].forward);
	assert_string_equal(f->sc->hosts[0].name, "x");
	assert_string_equal(f->sc->hosts[1].name, "y");
	assert_string_equal(f->sc->hosts[2].name, "z");
	assert_int_equal(f->sc->hosts[1].line, 2);
	assert_int_equal(f->sc->hosts[2].line, 4);
}

static void
test_decl_defaults(void **state)
{
	struct fx *f = *state;

	load_ok(f, "host \"h\" {}\ntimeline(function() end)\n");
	assert_string_equal(f->sc->name, "drill");   /* the file name without .lua */
	assert_null(f->sc->description);
	assert_true(f->sc->speed == 1.0);
	assert_int_equal(f->sc->max_duration_us, 3600ull * 1000000u);
	assert_int_equal(f->sc->stable_ms, 2000);
	assert_int_equal(f->sc->n_expect, 0);
	assert_false(f->sc->service.set);
	assert_false(f->sc->rate.set);
	char want[128];
	snprintf(want, sizeof(want), "%s", tmpdir);
	assert_string_equal(f->sc->dir, want);
}

/* scenario{} may be called again (e.g. once parameters are known): each
 * call sets only the fields it names. */
static void
test_decl_scenario_twice(void **state)
{
	struct fx *f = *state;

	load_ok(f, "scenario { name = \"n\", description = \"d\" }\n"
	    "scenario { duration = \"90s\" }\n"
	    "host \"h\" {}\ntimeline(function() end)\n");
	assert_string_equal(f->sc->name, "n");
	assert_string_equal(f->sc->description, "d");
	assert_int_equal(f->sc->duration_us, 90ull * 1000000u);
}

/* Zone files and path() resolve against the scenario's folder; bin()
 * against the build dir. */
static void
test_decl_paths(void **state)
{
	struct fx *f = *state;
	char sub[128], want[256];

	snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	assert_true(mkdir(sub, 0700) == 0 || access(sub, F_OK) == 0);
	assert_int_equal(load_full(f, "sub/s.lua",
	    "host \"h\" {}\n"
	    "dns \"d\" { host = \"h\", listen = \"198.18.0.1:53\", zones = \"z/a.zone\" }\n"
	    "process \"p\" { host = \"h\", cmd = { bin \"faultd\", path \"conf/u.conf\", path \"../sub/x\" } }\n"
	    "timeline(function() end)\n", NULL, 1, true), 0);
	snprintf(want, sizeof(want), "%s/sub/z/a.zone", tmpdir);
	assert_string_equal(f->sc->dns[0].zone_files[0], want);
	assert_string_equal(f->sc->procs[0].argv[0], BUILD_DIR "/faultd");
	snprintf(want, sizeof(want), "%s/sub/conf/u.conf", tmpdir);
	assert_string_equal(f->sc->procs[0].argv[1], want);
	snprintf(want, sizeof(want), "%s/sub/../sub/x", tmpdir);
	assert_string_equal(f->sc->procs[0].argv[2], want);
	assert_string_equal(f->sc->name, "s");

	/* a relative scenario path still gives an absolute folder */
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(sub), 0);
	struct scenario *rel = scenario_new("s.lua");
	assert_int_equal(chdir(cwd), 0);
	assert_non_null(rel);
	assert_string_equal(rel->dir, sub);
	scenario_free(rel);

	load_err(f, "host \"h\" {}\nlocal x = bin \"../x\"\ntimeline(function() end)\n", 2,
	    NEEDLES("bin: give a program name, not a path ('../x')"));
}

/* Issue 10, bug 9: the files a scenario names stay inside its folder:
 * "..", absolute paths and symlinks that lead out are refused with the
 * declaration's file:line and the path. */
static void
test_decl_paths_confined(void **state)
{
	struct fx *f = *state;
	char link[160];

	load_err(f, "host \"h\" {}\n"
	    "dns \"d\" { host = \"h\", listen = \"198.18.0.1:53\",\n"
	    "  zones = { \"ok.zone\", \"../../../../etc/passwd\" } }\n"
	    "timeline(function() end)\n", 2,
	    NEEDLES("dns 'd'", "'../../../../etc/passwd' is outside the scenario's folder"));
	load_err(f, "host \"h\" {}\n"
	    "dns \"d\" { host = \"h\", listen = \"198.18.0.1:53\", zones = \"/etc/passwd\" }\n"
	    "timeline(function() end)\n", 2,
	    NEEDLES("'/etc/passwd' is an absolute path"));
	load_err(f, "host \"h\" {}\n"
	    "process \"p\" { host = \"h\",\n"
	    "  cmd = { \"x\", path \"conf/../../x.conf\" } }\n"
	    "timeline(function() end)\n", 3,
	    NEEDLES("path: 'conf/../../x.conf' is outside the scenario's folder"));
	load_err(f, "host \"h\" {}\nlocal x = path \"/etc/shadow\"\ntimeline(function() end)\n",
	    2, NEEDLES("path: '/etc/shadow' is an absolute path"));

	/* a symlink inside the folder that leads out of it */
	snprintf(link, sizeof(link), "%s/out", tmpdir);
	unlink(link);
	assert_int_equal(symlink("/etc", link), 0);
	load_err(f, "host \"h\" {}\n"
	    "dns \"d\" { host = \"h\", listen = \"198.18.0.1:53\", zones = \"out/passwd\" }\n"
	    "timeline(function() end)\n", 2,
	    NEEDLES("'out/passwd' is outside the scenario's folder"));
	load_err(f, "host \"h\" {}\nlocal x = path \"out/nothing/here\"\ntimeline(function() end)\n",
	    2, NEEDLES("'out/nothing/here' is outside"));
	unlink(link);

	/* what stays inside still loads, "." included */
	load_ok(f, "host \"h\" {}\n"
	    "process \"p\" { host = \"h\", cmd = \"x\", cwd = path \".\" }\n"
	    "dns \"d\" { host = \"h\", listen = \"198.18.0.1:53\", zones = \"zones/b.zone\" }\n"
	    "timeline(function() end)\n");
}

/* The other matcher kinds, and a single detection matcher. */
static void
test_decl_matchers(void **state)
{
	struct fx *f = *state;

	load_ok(f,
	    "host \"h\" {}\n"
	    "process \"app\" { host = \"h\", cmd = \"x\" }\n"
	    "score { detection = { exit = \"app\" }, primary = { mark = \"home\" },\n"
	    "        primary_lost = { phase = \"fault\", text = \"t\" } }\n"
	    "timeline(function() end)\n");
	assert_int_equal(f->sc->n_detect, 1);
	assert_int_equal(f->sc->detect[0].kind, ELOG_PROC_EXIT);
	assert_string_equal(f->sc->detect[0].source, "app");
	assert_int_equal(f->sc->primary.kind, ELOG_MARK);
	assert_null(f->sc->primary.source);
	assert_string_equal(f->sc->primary.text, "home");
	assert_int_equal(f->sc->primary_lost.kind, ELOG_PHASE_START);
	assert_string_equal(f->sc->primary_lost.source, "fault");
	assert_string_equal(f->sc->primary_lost.text, "t");

	load_ok(f,
	    "host \"h\" {}\n"
	    "process \"app\" { host = \"h\", cmd = \"x\" }\n"
	    "score { detection = { start = \"app\" } }\n"
	    "timeline(function() end)\n");
	assert_int_equal(f->sc->detect[0].kind, ELOG_PROC_START);
	assert_string_equal(f->sc->detect[0].source, "app");
	assert_int_equal(f->sc->detect[0].outcome, SCORE_ANY);
}

/* score{}: a service of several probes, failover from the SUT's own line,
 * latency probes named or by default every dns and exec probe, and
 * expectations on a probe's own figures; names are checked once every
 * declaration is in, at the line that used them. */
static void
test_decl_score_lists(void **state)
{
	struct fx *f = *state;
	struct score_match det[1];
	struct score_defs defs;
	static const char HEAD[] =
	    "host \"h\" {}\n"
	    "process \"app\" { host = \"h\", cmd = \"x\" }\n"
	    "watch \"fo\" { process = \"app\", match = \"event=failover\" }\n"
	    "probe \"www\" { host = \"h\", dns = { name = \"www.x.\", server = \"198.18.0.1\" } }\n"
	    "probe \"api\" { host = \"h\", exec = { \"getent\", \"hosts\", \"api.x\" } }\n"
	    "probe \"web\" { host = \"h\", http = \"http://198.18.0.1/\" }\n";
	char text[2048];

	(void)state;
	snprintf(text, sizeof(text), "%s"
	    "score { service = { \"www\", \"api\", \"web\" }, failover = \"fo\" }\n"
	    "expect { \"availability.api > 0.9\", \"latency_p99_ms < 500\" }\n"
	    "timeline(function() end)\n", HEAD);
	load_ok(f, text);
	assert_int_equal(f->sc->n_services, 3);
	assert_string_equal(f->sc->services[2].source, "web");
	assert_string_equal(f->sc->service.source, "www"); /* the first */
	assert_int_equal(f->sc->failover.kind, ELOG_WATCH);
	assert_string_equal(f->sc->failover.source, "fo");
	/* by default every dns and exec probe: not the http one */
	assert_false(f->sc->latency_set);
	assert_int_equal(f->sc->n_latency, 2);
	assert_string_equal(f->sc->latency[0].source, "www");
	assert_string_equal(f->sc->latency[1].source, "api");
	assert_string_equal(f->sc->expect[0].probe, "api");
	assert_int_equal(f->sc->expect_line[1], 8);
	scenario_score_defs(f->sc, det, &defs);
	assert_int_equal(defs.n_services, 3);
	assert_string_equal(defs.services[1].source, "api");
	assert_int_equal(defs.services[1].kind, ELOG_PROBE);
	assert_int_equal(defs.n_latency, 2);
	assert_string_equal(defs.latency[1].source, "api");
	assert_true(defs.failover.set);
	assert_string_equal(defs.failover.source, "fo");

	/* named latency probes; a lone service stays a list of one */
	snprintf(text, sizeof(text), "%s"
	    "score { service = \"web\", latency = \"web\", failover = { probe = \"api\" } }\n"
	    "timeline(function() end)\n", HEAD);
	load_ok(f, text);
	assert_true(f->sc->latency_set);
	assert_int_equal(f->sc->n_latency, 1);
	assert_string_equal(f->sc->latency[0].source, "web");
	assert_int_equal(f->sc->n_services, 1);
	assert_int_equal(f->sc->failover.kind, ELOG_PROBE);
	scenario_score_defs(f->sc, det, &defs);
	assert_int_equal(defs.n_services, 1);
	assert_string_equal(defs.latency[0].source, "web");

	/* latency = {}: no latency probes at all */
	snprintf(text, sizeof(text), "%sscore { latency = {} }\ntimeline(function() end)\n",
	    HEAD);
	load_ok(f, text);
	assert_true(f->sc->latency_set);
	assert_int_equal(f->sc->n_latency, 0);

#define BAD(decl, line, ...) do {                                            \
	snprintf(text, sizeof(text), "%s%s\ntimeline(function() end)\n", HEAD, decl); \
	load_err(f, text, line, NEEDLES(__VA_ARGS__));                         \
} while (0)
	BAD("score { service = { \"www\", \"nope\" } }", 7,
	    "score: service: no probe named 'nope'");
	BAD("score { latency = { \"nope\" } }", 7, "score: latency: no probe named 'nope'");
	BAD("score { failover = { watch = \"nope\" } }", 7, "score: failover: no watch named 'nope'");
	BAD("score { failover = { probe = \"nope\" } }", 7, "score: failover: no probe named 'nope'");
	BAD("score { service = 3 }", 7, "score: service must name a probe, or list probes");
	BAD("score { service = {} }", 7, "score: service must name a probe, or list probes");
	BAD("score { latency = true }", 7, "score: latency must name a probe, or list probes");
	BAD("\nexpect \"availability.nope >= 1\"", 8,
	    "expect 'availability.nope >= 1': no probe named 'nope'");
	BAD("expect \"detection_s.www < 1\"", 7, "detection_s has no value per probe");
#undef BAD
}

/* ------------------------------------------------------------------ */
/* load errors */

static void
test_err_syntax(void **state)
{
	struct fx *f = *state;

	load_err(f, "host \"h\" {}\nlocal x = = 1\n", 2, NEEDLES("unexpected symbol near '='"));
	load_err(f, "host \"h\" {\n", 2, NEEDLES("expected"));
}

static void
test_err_unknown_field(void **state)
{
	struct fx *f = *state;

	load_err(f, "host \"client\" { resolve = {} }\n", 1,
	    NEEDLES("host 'client': unknown field 'resolve' "
	        "(known: forward, resolv, hosts, intercept, routes, lo)"));
	load_err(f, "scenario { nmae = \"x\" }\n", 1,
	    NEEDLES("scenario: unknown field 'nmae'", "known: name, description, speed"));
	load_err(f, "host \"h\" {}\n\nprobe \"p\" { host = \"h\", dns = { nmae = \"x\" } }\n", 3,
	    NEEDLES("probe 'p': dns: unknown field 'nmae'", "known: name, type, server"));
	load_err(f, "host \"h\" { routes = { { to = \"default\", gw = \"x\" } } }\n", 1,
	    NEEDLES("host 'h': routes[1]: unknown field 'gw' (known: to, via, dev)"));
	load_err(f, "host \"h\" {}\nprocess \"p\" { host = \"h\", cmd = \"x\", ready = { port = 1 } }\n", 2,
	    NEEDLES("process 'p': ready: unknown field 'port'", "tcp, http, log, delay"));
	load_err(f, "local x = param(\"x\", { default = 1, maximum = 3 })\n", 1,
	    NEEDLES("param 'x': unknown field 'maximum'"));
	load_err(f, "score { servce = \"x\" }\n", 1, NEEDLES("score: unknown field 'servce'"));
	load_err(f, "host \"h\" {}\ncapture \"c\" { host = \"h\", if = \"x\" }\n", 2,
	    NEEDLES("expected"));   /* 'if' is a keyword: a syntax error */
	load_err(f, "host \"h\" {}\ncapture \"c\" { host = \"h\", interface = \"x\" }\n", 2,
	    NEEDLES("capture 'c': unknown field 'interface' (known: host, iface, sut)"));
	load_err(f, "host \"h\" { \"positional\" }\n", 1,
	    NEEDLES("host 'h': unexpected number key"));
}

static void
test_err_wrong_type(void **state)
{
	struct fx *f = *state;

	/* a string where the declaration's table belongs */
	load_err(f, "host \"h\" {}\nhost \"x\" \"y\"\n", 2, NEEDLES("table expected, got string"));
	load_err(f, "host \"h\" {}\nhost(\"x\", \"y\")\n", 2, NEEDLES("table expected, got string"));
	load_err(f, "host(42, {})\n", 1, NEEDLES("host: give a name first"));
	load_err(f, "host \"h\" { routes = \"default\" }\n", 1,
	    NEEDLES("host 'h': routes must be a list"));
	load_err(f, "host \"h\" {}\nprocess \"p\" { host = \"h\", cmd = \"x\", env = \"A=1\" }\n", 2,
	    NEEDLES("process 'p': env must be a table"));
	load_err(f, "host \"h\" { hosts = {} }\n", 1,
	    NEEDLES("host 'h': field 'hosts' must be a string, not table"));
	/* a number where a boolean belongs */
	load_err(f, "host \"h\" { forward = 1 }\n", 1,
	    NEEDLES("host 'h': field 'forward' must be true or false, not number"));
	load_err(f, "host \"h\"{}\nprocess \"p\" { host = \"h\", cmd = \"x\", autostart = \"no\" }\n", 2,
	    NEEDLES("process 'p': field 'autostart' must be true or false, not string"));
	load_err(f, "host \"h\" {}\nprobe \"p\" { host = \"h\", every = true, tcp = \"1.2.3.4:1\" }\n", 2,
	    NEEDLES("probe 'p': every must be a duration", "not 'true'"));
	load_err(f, "host \"h\" {}\nprobe \"p\" { host = \"h\", every = \"soon\", tcp = \"1.2.3.4:1\" }\n", 2,
	    NEEDLES("probe 'p': every must be a duration", "not 'soon'"));
	/* a duration string needs its unit ("2" is neither 2 s nor 2 ms) */
	load_err(f, "host \"h\" {}\nprobe \"p\" { host = \"h\", every = \"2\", tcp = \"1.2.3.4:1\" }\n", 2,
	    NEEDLES("probe 'p': every must be a duration", "not '2'"));
	load_err(f, "scenario { max_duration = \"\" }\n", 1, NEEDLES("max_duration must be a duration"));
	load_err(f, "scenario { speed = \"fast\" }\n", 1, NEEDLES("scenario: speed must be a number > 0"));
	load_err(f, "scenario { seed = -1 }\n", 1, NEEDLES("seed must be a non-negative integer"));
	load_err(f, "host \"h\" {}\nlan \"l\" { h = 5 }\n", 2,
	    NEEDLES("lan 'l': h = must be an address"));
	load_err(f, "host \"h\" {}\nlink \"l\" { h = \"198.18.0.1/30\" }\n", 2,
	    NEEDLES("link 'l': a link joins exactly two hosts"));
	load_err(f, "host \"bad name\" {}\n", 1, NEEDLES("host name 'bad name'"));
	load_err(f, "host \"h\" {}\nprobe \"p\" { host = \"h\" }\n", 2,
	    NEEDLES("probe 'p': give exactly one of dns=, http=, tcp=, exec="));
	load_err(f, "host \"h\" {}\nprobe \"p\" { host = \"h\", tcp = \"a:1\", exec = \"x\" }\n", 2,
	    NEEDLES("give exactly one of"));
	load_err(f, "host \"h\" {}\nprobe \"p\" { host = \"h\", dns = { name = \"x\", server = \"s\", type = \"BOGUS\" } }\n",
	    2, NEEDLES("probe 'p': dns: unknown type 'BOGUS'"));
	load_err(f, "host \"h\" {}\nprobe \"p\" { host = \"h\", dns = { name = \"x\", server = \"s\", rcode = \"OOPS\" } }\n",
	    2, NEEDLES("probe 'p': dns: unknown rcode 'OOPS'"));
	load_err(f, "host \"h\" {}\nprobe \"p\" { host = \"h\", http = \"ftp://x/\" }\n", 2,
	    NEEDLES("probe 'p': http: url must start with http://"));
	load_err(f, "host \"h\" {}\ncapture \"c\" { host = \"h\", sut = \"nonsense\" }\n", 2,
	    NEEDLES("capture 'c': sut = 'nonsense' is not an address or prefix"));
	load_err(f, "host \"h\" {}\ndns \"d\" { host = \"h\" }\n", 2,
	    NEEDLES("dns 'd': needs listen"));
	load_err(f, "host \"h\" {}\nprocess \"p\" { host = \"h\" }\n", 2,
	    NEEDLES("process 'p': needs cmd"));
	load_err(f, "host \"h\" {}\nprobe \"p\" { host = \"h\", exec = {} }\n", 2,
	    NEEDLES("probe 'p': exec = { \"program\", \"arg\", ... } names no program"));
}

static void
test_err_duplicates(void **state)
{
	struct fx *f = *state;

	load_err(f, "host \"h\" {}\nhost \"h\" {}\n", 2, NEEDLES("host 'h': declared twice"));
	load_err(f, "host \"h\" {}\ndns \"d\" { host = \"h\", listen = \"1.2.3.4:53\" }\n"
	    "dns \"d\" { host = \"h\", listen = \"1.2.3.4:53\" }\n", 3, NEEDLES("dns 'd': declared twice"));
	load_err(f, "host \"h\" {}\nprocess \"p\" { host = \"h\", cmd = \"x\" }\n"
	    "process \"p\" { host = \"h\", cmd = \"x\" }\n", 3, NEEDLES("process 'p': declared twice"));
	load_err(f, "host \"h\" {}\nprobe \"p\" { host = \"h\", tcp = \"a:1\" }\n"
	    "probe \"p\" { host = \"h\", tcp = \"a:1\" }\n", 3, NEEDLES("probe 'p': declared twice"));
	load_err(f, "host \"h\" {}\nprocess \"p\" { host = \"h\", cmd = \"x\" }\n"
	    "watch \"w\" { process = \"p\", match = \"x\" }\nwatch \"w\" { process = \"p\", match = \"x\" }\n",
	    4, NEEDLES("watch 'w': declared twice"));
	load_err(f, "host \"h\" {}\ncapture \"c\" { host = \"h\" }\ncapture \"c\" { host = \"h\" }\n", 3,
	    NEEDLES("capture 'c': declared twice"));
	load_err(f, "host \"h\" {}\nhost \"g\" {}\nlan \"n\" { h = \"198.18.0.1/24\" }\n"
	    "link \"n\" { h = \"198.18.1.1/30\", g = \"198.18.1.2/30\" }\n", 4,
	    NEEDLES("link 'n': a lan or link of that name exists"));
	load_err(f, "local a = param(\"a\", { default = 1 })\nlocal b = param(\"a\", { default = 2 })\n", 2,
	    NEEDLES("param 'a': declared twice"));
	load_err(f, "host \"h\" {}\ntimeline(function() end)\ntimeline(function() end)\n", 3,
	    NEEDLES("timeline: declared twice"));
	load_err(f, "host \"h\" {}\ndns \"x\" { host = \"h\", listen = \"1.2.3.4:53\" }\n"
	    "process \"x\" { host = \"h\", cmd = \"x\" }\ntimeline(function() end)\n", 3,
	    NEEDLES("process 'x': a dns server has that name"));
}

static void
test_err_unknown_refs(void **state)
{
	struct fx *f = *state;
	static const char TL[] = "timeline(function() end)\n";
	char text[512];

#define REF(decl, line, ...) do {                                          \
	snprintf(text, sizeof(text), "host \"h\" {}\n\n%s\n%s", decl, TL);  \
	load_err(f, text, line, NEEDLES(__VA_ARGS__));                       \
} while (0)
	REF("process \"p\" { host = \"nope\", cmd = \"x\" }", 3, "process 'p': unknown host 'nope'");
	REF("dns \"d\" { host = \"nope\", listen = \"1.2.3.4:53\" }", 3, "dns 'd': unknown host 'nope'");
	REF("probe \"p\" { host = \"nope\", tcp = \"a:1\" }", 3, "probe 'p': unknown host 'nope'");
	REF("lan \"l\" { h = \"198.18.0.1/24\", nope = \"198.18.0.2/24\" }", 3,
	    "lan 'l': unknown host 'nope'");
	REF("link \"l\" { h = \"198.18.0.1/30\", nope = \"198.18.0.2/30\" }", 3,
	    "link 'l': unknown host 'nope'");
	REF("capture \"c\" { host = \"nope\" }", 3, "capture 'c': unknown host 'nope'");
	REF("watch \"w\" { process = \"nope\", match = \"x\" }", 3, "watch 'w': unknown process 'nope'");
	/* score names watches and probes that exist (at the score's line) */
	REF("score { detection = { watch = \"nope\" } }", 3, "score: no watch named 'nope'");
	REF("score { detection = \"nope\" }", 3, "score: no watch named 'nope'");
	REF("score { service = \"nope\" }", 3, "score: no probe named 'nope'");
	REF("score { primary = { probe = \"nope\" } }", 3, "score: no probe named 'nope'");
	REF("score { primary_lost = { exit = \"nope\" } }", 3, "score: no process named 'nope'");
	REF("score { amplification = \"nope\" }", 3,
	    "score: amplification = 'nope' must name a capture");
	REF("score { amplification = { \"nope\" } }", 3,
	    "score: amplification = 'nope' must name a capture");
#undef REF
}

/* A second score {} was taken, overwriting the first's matchers (their
 * strings leaked) and adding to its service list: it is refused, naming
 * the first. */
static void
test_err_score_twice(void **state)
{
	struct fx *f = *state;

	load_err(f, "host \"h\" {}\nprobe \"www\" { host = \"h\", tcp = \"198.18.0.1:80\" }\n"
	    "score { service = \"www\", primary = { mark = \"back\" } }\n"
	    "score { service = \"www\", primary = { mark = \"again\" } }\n"
	    "timeline(function() end)\n", 4,
	    NEEDLES("score {} is declared twice (the first at line 3)"));
	/* also when the first one failed half way, inside a pcall */
	load_err(f, "host \"h\" {}\n"
	    "assert(not pcall(score, { primary = { mark = \"x\" }, stable = \"soon\" }))\n"
	    "score { primary = { mark = \"y\" } }\ntimeline(function() end)\n", 3,
	    NEEDLES("score {} is declared twice"));
}

/* A list with a non-string in it is refused before any of it is copied:
 * score's probe list was a local array that leaked when the error jumped
 * out half way (fuzz_scenario; LeakSanitizer in the SANITIZE build is
 * what fails without the fix) */
static void
test_err_strlist_half_built(void **state)
{
	struct fx *f = *state;

	load_err(f, "host \"h\" {}\nprobe \"www\" { host = \"h\", tcp = \"198.18.0.1:80\" }\n"
	    "score { service = { \"www\", \"www\" < \"x\" } }\n"
	    "timeline(function() end)\n", 3,
	    NEEDLES("service[2] must be a string, not boolean"));
	load_err(f, "host \"h\" {}\nprocess \"p\" { host = \"h\", cmd = { \"a\", \"b\", {} } }\n"
	    "timeline(function() end)\n", 2,
	    NEEDLES("cmd[3] must be a string, not table"));
}

static void
test_err_regex_and_expect(void **state)
{
	struct fx *f = *state;

	load_err(f, "host \"h\" {}\nprocess \"p\" { host = \"h\", cmd = \"x\" }\n"
	    "watch \"w\" { process = \"p\", match = \"(unclosed\" }\n", 3,
	    NEEDLES("watch 'w': match = '(unclosed' is not a valid regular expression"));
	load_err(f, "host \"h\" {}\nprocess \"p\" { host = \"h\", cmd = \"x\", ready = { log = \"[\" } }\n", 2,
	    NEEDLES("ready: log = '[' is not a valid regular expression"));
	load_err(f, "host \"h\" {}\nprobe \"p\" { host = \"h\", http = { url = \"http://a/\", body = \"a{1\" } }\n",
	    2, NEEDLES("http: body = 'a{1' is not a valid regular expression"));
	/* glibc would unroll these to 65,536 copies (42 MB, and twice that
	 * for each + more): refused before regcomp() sees them */
	load_err(f, "host \"h\" {}\nprocess \"p\" { host = \"h\", cmd = \"x\" }\n"
	    "watch \"w\" { process = \"p\", match = \"^tick [0-9]++++++++++++++++$\" }\n", 3,
	    NEEDLES("watch 'w': match = '^tick [0-9]++++++++++++++++$' repeats too much"));
	load_err(f, "host \"h\" {}\nprocess \"p\" { host = \"h\", cmd = \"x\", "
	    "ready = { log = \"((a{40}){40}){40}\" } }\n", 2,
	    NEEDLES("ready: log = '((a{40}){40}){40}' repeats too much"));
	load_err(f, "host \"h\" {}\nprobe \"p\" { host = \"h\", http = { url = \"http://a/\", "
	    "body = \"(x+)+(y+)+(z+)+.{1,999}{1,9}\" } }\n", 2,
	    NEEDLES("http: body = '(x+)+(y+)+(z+)+.{1,999}{1,9}' repeats too much"));
	load_err(f, "host \"h\" {}\nprocess \"p\" { host = \"h\", cmd = \"x\" }\n"
	    "watch \"w\" { process = \"p\", match = \"x\", stream = \"stdin\" }\n", 3,
	    NEEDLES("watch 'w': stream must be stdout, stderr or both"));
	load_err(f, "host \"h\" {}\n\nexpect \"latency_s < 3\"\n", 3, NEEDLES("expect:", "latency_s"));
	load_err(f, "host \"h\" {}\nexpect { \"failover_s < 3\", \"failover_s ~ 3\" }\n", 2,
	    NEEDLES("expect:", "failover_s ~ 3"));
	load_err(f, "host \"h\" {}\nexpect { \"failover_s < 3\", 7 }\n", 2,
	    NEEDLES("expect: item 2 must be a string"));
}

static void
test_err_params(void **state)
{
	struct fx *f = *state;
	static const char P[] =
	    "host \"h\" {}\n"
	    "local fault = param(\"fault\", { default = \"empty\", choices = { \"empty\", \"nxdomain\" } })\n"
	    "local n = param(\"n\", { default = 5, min = 1, max = 10 })\n"
	    "local b = param(\"b\", { default = false })\n"
	    "timeline(function() end)\n";

	load_err(f, "local x = param(\"x\", {})\n", 1, NEEDLES("param 'x': needs a default"));
	load_err(f, "local x = param(\"x\", { default = {} })\n", 1, NEEDLES("param 'x': needs a default"));
	load_err(f, "local x = param(\"x\", { default = -1, min = 0 })\n", 1,
	    NEEDLES("default x=-1: below the minimum 0"));
	load_err(f, "local x = param(\"x\", { default = \"c\", choices = { \"a\", \"b\" } })\n", 1,
	    NEEDLES("default x=c: not one of a, b"));
	load_err_sets(f, P, NEEDLES("fault=bogus"), 2,
	    NEEDLES("--set fault=bogus: not one of empty, nxdomain"));
	load_err_sets(f, P, NEEDLES("n=0"), 3, NEEDLES("--set n=0: below the minimum 1"));
	load_err_sets(f, P, NEEDLES("n=11"), 3, NEEDLES("--set n=11: above the maximum 10"));
	load_err_sets(f, P, NEEDLES("n=ten"), 3, NEEDLES("--set n=ten: must be a number"));
	load_err_sets(f, P, NEEDLES("b=maybe"), 4, NEEDLES("--set b=maybe: must be true or false"));
	/* an unknown key names the scenario's parameters */
	load_err_sets(f, P, NEEDLES("nn=3"), 0,
	    NEEDLES("--set nn=3:", "drill.lua has no parameter 'nn'", "(parameters: fault, n, b)"));
	load_err_sets(f, "host \"h\" {}\ntimeline(function() end)\n", NEEDLES("x=1"), 0,
	    NEEDLES("--set x=1:", "(parameters: none)"));
	load_err_sets(f, P, NEEDLES("speed=0"), 0, NEEDLES("--set speed=0: must be a number > 0"));
	load_err_sets(f, P, NEEDLES("speed=fast"), 0, NEEDLES("--set speed=fast"));
}

static void
test_err_strict_globals(void **state)
{
	struct fx *f = *state;

	load_err(f, "host \"h\" {}\nlocal x = undefined_thing\n", 2,
	    NEEDLES("'undefined_thing' is not defined"));
	load_err(f, "host \"h\" {}\nhots \"x\" {}\n", 2, NEEDLES("'hots' is not defined"));
	load_err(f, "host \"h\" {}\nnewglobal = 1\n", 2,
	    NEEDLES("assignment to undeclared global 'newglobal' (use local)"));
	/* the same inside the timeline */
	load_ok(f, "host \"h\" {}\ntimeline(function()\n  x = 1\nend)\n");
	tl_start(f, 0);
	assert_int_equal(step(f, 0), DD_EINVAL);
	assert_msg(f->err.msg, 3, NEEDLES("assignment to undeclared global 'x'"));
}

static void
test_err_sandbox(void **state)
{
	struct fx *f = *state;
	static const char *const absent[] = { "io", "os", "require", "load", "dofile",
		"loadfile", "collectgarbage", "package", "debug", "loadstring" };
	char text[256];

	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		snprintf(text, sizeof(text), "host \"h\" {}\nlocal x = %s\n", absent[i]);
		load_err(f, text, 2, NEEDLES("is not defined", absent[i]));
	}
	/* what is there */
	load_ok(f,
	    "host \"h\" {}\n"
	    "assert(rawget(_G, \"io\") == nil and rawget(_G, \"os\") == nil)\n"
	    "assert(type(string.format) == 'function' and type(table.concat) == 'function')\n"
	    "assert(type(math.floor) == 'function' and type(utf8.char) == 'function')\n"
	    "assert(type(coroutine.wrap) == 'function' and type(pcall) == 'function')\n"
	    "assert(math.randomseed == nil)\n"
	    "timeline(function() end)\n");
	/* binary chunks are refused: the file is loaded as text only */
	assert_int_equal(load(f, "\x1bLua"), DD_EINVAL);
}

static void
test_err_phase_misuse(void **state)
{
	struct fx *f = *state;
	static const char *const tl_fns[] = { "sleep \"1s\"", "at \"1s\"", "phase \"x\"",
		"mark \"x\"", "inject(\"d\", \"x\")", "clear \"d\"", "start \"p\"", "stop \"p\"",
		"kill \"p\"", "after(\"1s\", function() end)",
		"wait_until(function() return true end, \"1s\")" };
	char text[256];

	/* a timeline function called at the top level */
	for (size_t i = 0; i < sizeof(tl_fns) / sizeof(tl_fns[0]); i++) {
		snprintf(text, sizeof(text), "host \"h\" {}\n%s\ntimeline(function() end)\n", tl_fns[i]);
		load_err(f, text, 2, NEEDLES("works only inside timeline(function() ... end)"));
	}
	/* a declaration called inside the timeline */
	static const char *const decls[] = { "host \"x\" {}", "host(\"x\", {})",
		"lan \"l\" { h = \"198.18.0.1/24\" }", "scenario { name = \"x\" }",
		"param(\"x\", { default = 1 })", "score {}", "expect \"failover_s < 1\"",
		"timeline(function() end)", "probe \"q\" { host = \"h\", tcp = \"a:1\" }" };
	for (size_t i = 0; i < sizeof(decls) / sizeof(decls[0]); i++) {
		snprintf(text, sizeof(text), "host \"h\" {}\ntimeline(function()\n  sleep \"1s\"\n  %s\nend)\n",
		    decls[i]);
		load_ok(f, text);
		tl_start(f, 0);
		step_expect(f, 0, 0, 1000);
		assert_int_equal(step(f, 1000), DD_EINVAL);
		assert_msg(f->err.msg, 4, NEEDLES("declares the scenario: call it at the top level"));
	}
	/* missing timeline; no hosts */
	load_err(f, "host \"h\" {}\n", 1, NEEDLES("no timeline(function() ... end) declared"));
	load_err(f, "timeline(function() end)\n", 1, NEEDLES("no hosts declared"));
	load_err(f, "host \"h\" {}\ntimeline(\"later\")\n", 2, NEEDLES("function expected"));
}

/* ------------------------------------------------------------------ */
/* parameters */

static void
test_param_set_types(void **state)
{
	struct fx *f = *state;
	static const char P[] =
	    "host \"h\" {}\n"
	    "local n = param(\"n\", { default = 5, min = 1, max = 10 })\n"
	    "local r = param(\"r\", { default = 0.5 })\n"
	    "local s = param(\"s\", { default = \"empty\", choices = { \"empty\", \"nxdomain\" } })\n"
	    "local b = param(\"b\", { default = false, doc = \"a flag\" })\n"
	    "local c = param(\"c\", { default = 2, choices = { 2, 4 } })\n"
	    "assert(math.type(n) == WANT_N_TYPE, 'n type ' .. math.type(n))\n"
	    "assert(n == WANT_N, 'n value ' .. tostring(n))\n"
	    "assert(math.type(r) == 'float', 'r type')\n"
	    "assert(type(s) == 'string' and type(b) == 'boolean', 's/b type')\n"
	    "assert(b == WANT_B, 'b value')\n"
	    "assert(c == 4 and math.type(c) == 'integer', 'c')\n"
	    "timeline(function() end)\n";
	char text[1200];

	struct {
		const char *set_n, *want_n, *want_type, *set_b, *want_b;
	} cases[] = {
		{ "n=7", "7", "'integer'", "b=yes", "true" },
		{ "n=7.0", "7", "'integer'", "b=no", "false" },
		{ "n=2.5", "2.5", "'float'", "b=on", "true" },
		{ "n=10", "10", "'integer'", "b=off", "false" },
		{ "n=1", "1", "'integer'", "b=1", "true" },
		{ "n=3", "3", "'integer'", "b=0", "false" },
		{ "n=4", "4", "'integer'", "b=TRUE", "true" },
		{ "n=4", "4", "'integer'", "b=False", "false" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char prelude[200];
		snprintf(prelude, sizeof(prelude), "local WANT_N_TYPE, WANT_N, WANT_B = %s, %s, %s\n",
		    cases[i].want_type, cases[i].want_n, cases[i].want_b);
		snprintf(text, sizeof(text), "%s%s", prelude, P);
		const char *sets[] = { cases[i].set_n, "r=2", "s=nxdomain", cases[i].set_b, "c=4", NULL };
		int rc = load_sets(f, text, sets);
		if (rc != 0)
			print_error("case %zu: %s\n", i, f->err.msg);
		assert_int_equal(rc, 0);
		assert_int_equal(f->sc->n_params, 5);
		for (size_t k = 0; k < 5; k++)
			assert_true(f->sc->params[k].from_cli);
		assert_string_equal(f->sc->params[3].value, cases[i].want_b);
		assert_string_equal(f->sc->params[3].doc, "a flag");
		/* the default stays the default whatever --set gave */
		assert_string_equal(f->sc->params[3].def, "false");
		assert_string_equal(f->sc->params[2].value, "nxdomain");
		assert_string_equal(f->sc->params[1].value, "2.0");
		for (size_t k = 0; k < f->sc->n_sets; k++)
			assert_true(f->sc->set_used[k]);
	}
	/* a number too large for an integer stays a float */
	snprintf(text, sizeof(text), "local n = param(\"n\", { default = 1 })\n"
	    "assert(math.type(n) == 'float' and n == 1e300)\nhost \"h\" {}\ntimeline(function() end)\n");
	assert_int_equal(load_sets(f, text, NEEDLES("n=1e300")), 0);
	/* without --set: defaults, not from the command line */
	snprintf(text, sizeof(text), "local WANT_N_TYPE, WANT_N, WANT_B = 'integer', 5, false\n%s", P);
	const char *sets[] = { "c=4", NULL };
	assert_int_equal(load_sets(f, text, sets), 0);
	assert_string_equal(f->sc->params[0].value, "5");
	assert_false(f->sc->params[0].from_cli);
	assert_string_equal(f->sc->params[3].value, "false");
	assert_true(f->sc->params[4].from_cli);
}

static void
test_param_speed(void **state)
{
	struct fx *f = *state;
	static const char S10[] = "host \"h\" {}\ntimeline(function() end)\n";
	static const char S3[] = "scenario { speed = 3 }\nhost \"h\" {}\ntimeline(function() end)\n";

	assert_int_equal(load_sets(f, S10, NEEDLES("speed=10")), 0);
	assert_true(f->sc->speed == 10.0);
	assert_int_equal(load_sets(f, S3, NULL), 0);
	assert_true(f->sc->speed == 3.0);
	/* --set wins over the file whatever the order */
	assert_int_equal(load_sets(f, S3, NEEDLES("speed=2.5")), 0);
	assert_true(f->sc->speed == 2.5);
}

/* speed() gives declarations the speed in force: 1 by default, the file's,
 * or --set speed=N's (which wins) */
static void
test_speed_fn(void **state)
{
	struct fx *f = *state;
	static const char S1[] =
	    "host (string.format(\"h%d\", math.floor(speed() * 10))) {}\ntimeline(function() end)\n";
	static const char S3[] = "scenario { speed = 3 }\n"
	    "host (string.format(\"h%d\", math.floor(speed() * 10))) {}\ntimeline(function() end)\n";

	assert_int_equal(load_sets(f, S1, NULL), 0);
	assert_string_equal(f->sc->hosts[0].name, "h10");
	assert_int_equal(load_sets(f, S3, NULL), 0);
	assert_string_equal(f->sc->hosts[0].name, "h30");
	assert_int_equal(load_sets(f, S3, NEEDLES("speed=2.5")), 0);
	assert_string_equal(f->sc->hosts[0].name, "h25");
}

static void
test_param_seed(void **state)
{
	struct fx *f = *state;
	static const char S[] = "scenario { seed = 42 }\nhost \"h\" {}\ntimeline(function() end)\n";

	assert_int_equal(load_full(f, "drill.lua", S, NULL, 7, false), 0);
	assert_int_equal(f->sc->seed, 42);
	assert_true(f->sc->seed_set);
	assert_int_equal(load_full(f, "drill.lua", S, NULL, 7, true), 0);
	assert_int_equal(f->sc->seed, 7);
}

/* ------------------------------------------------------------------ */
/* timeline */

static const char DECLS[] =
"host \"h\" {}\n"                                                           /* 1 */
"dns \"auth\" { host = \"h\", listen = \"198.18.0.53:53\" }\n"
"process \"app\" { host = \"h\", cmd = \"app\" }\n"
"watch \"w\" { process = \"app\", match = \"x\" }\n"
"probe \"p\" { host = \"h\", tcp = \"198.18.0.1:1\" }\n";                   /* 5 */

static void
load_tl(struct fx *f, const char *const *sets, const char *body)
{
	char text[4096];
	int rc;

	snprintf(text, sizeof(text), "%stimeline(function()\n%send)\n", DECLS, body);
	rc = load_sets(f, text, sets);
	if (rc != 0)
		print_error("load: %s\n", f->err.msg);
	assert_int_equal(rc, 0);
}
/* The body's first line is line 7 of the file. */

static void
test_tl_actions(void **state)
{
	struct fx *f = *state;

	load_tl(f, NULL,
	    "  phase \"baseline\"\n"
	    "  mark \"hello\"\n"
	    "  local id = inject(\"auth\", \"name=www.example.com action=empty\")\n"
	    "  local id2 = inject(\"auth\", \"name=x action=drop\")\n"
	    "  mark(\"ids \" .. id .. \" \" .. id2 .. \" \" .. math.type(id))\n"
	    "  clear(\"auth\", id)\n"
	    "  clear \"auth\"\n"
	    "  stop \"app\"\n"
	    "  start \"app\"\n"
	    "  kill \"app\"\n"
	    "  phase \"end\"\n");
	tl_start(f, 0);
	step_expect(f, 0, 1, UINT64_MAX);
	assert_log(&f->rec, LOG(
	    "0 phase baseline",
	    "0 mark hello",
	    "0 inject auth name=www.example.com action=empty -> 1",
	    "0 inject auth name=x action=drop -> 2",
	    "0 mark ids 1 2 integer",
	    "0 clear auth 1",
	    "0 clear auth 0",
	    "0 stop app",
	    "0 start app",
	    "0 kill app",
	    "0 phase end"));
	/* stepping a finished timeline keeps saying so */
	step_expect(f, 100, 1, UINT64_MAX);
	assert_int_equal(f->rec.n, 11);
}

/* stats() waits for faultd's answer (only its own coroutine: an after()
 * runs meanwhile), then returns the reading as a table; a failed reading
 * raises an error at the call; a stale answer changes nothing. */
static void
test_tl_stats(void **state)
{
	struct fx *f = *state;
	static const struct elog_count counters[] = { { "queries", 40 }, { "drops", 3 } };
	static const struct elog_count actions[] = { { "pass", 30 }, { "servfail", 10 } };
	static const struct elog_rule_hits rules[] = { { 7, 10, "action=servfail" } };
	static const struct elog_count clients[] = { { "198.18.0.10", 39 } };
	const struct elog_stats st = { .t_ms = 1234, .dns = "auth", .why = ELOG_STATS_TIMELINE,
		.counters = counters, .n_counters = 2, .actions = actions, .n_actions = 2,
		.rules = rules, .n_rules = 1, .clients = clients, .n_clients = 1,
		.clients_other = 1 };
	unsigned token;

	load_tl(f, NULL,
	    "  after(\"50ms\", function() mark \"meanwhile\" end)\n"
	    "  local s = stats \"auth\"\n"
	    "  mark(string.format(\"%s %s %d q=%d d=%d sf=%d rule %d:%d %s c=%d o=%d\", s.dns, s.why,\n"
	    "    s.t_ms, s.queries, s.drops, s.actions.servfail, s.rules[1].id, s.rules[1].hits,\n"
	    "    s.rules[1].rule, s.clients[\"198.18.0.10\"], s.clients_other))\n"
	    "  local t = stats(\"auth\")\n"
	    "  mark \"not reached\"\n");
	tl_start(f, 0);
	step_expect(f, 0, 0, 50);
	token = f->rec.stats_token;
	step_expect(f, 60, 0, UINT64_MAX);          /* still waiting */
	sc_lua_stats_done(f->S, token + 7, &st, NULL);   /* unknown: ignored */
	step_expect(f, 70, 0, UINT64_MAX);
	sc_lua_stats_done(f->S, token, &st, NULL);
	sc_lua_stats_done(f->S, token, NULL, "late");     /* answered already */
	step_expect(f, 80, 0, UINT64_MAX);
	assert_log(&f->rec, LOG(
	    "0 stats auth",
	    "60 mark meanwhile",
	    "80 mark auth timeline 1234 q=40 d=3 sf=10 rule 7:10 action=servfail c=39 o=1",
	    "80 stats auth"));
	sc_lua_stats_done(f->S, f->rec.stats_token, NULL, "faultd did not answer: timeout");
	assert_int_equal(step(f, 90), DD_EINVAL);
	assert_msg(f->err.msg, 12, NEEDLES("stats auth: faultd did not answer: timeout"));
	assert_int_equal(f->rec.n, 4);
}

/* stats() only inside the timeline's own code, for a known server. */
static void
test_tl_stats_misuse(void **state)
{
	struct fx *f = *state;

	load_tl(f, NULL, "  local s = stats \"nope\"\n");
	tl_start(f, 0);
	assert_int_equal(step(f, 0), DD_EINVAL);
	assert_msg(f->err.msg, 7, NEEDLES("stats: no dns server 'nope'"));
	load_tl(f, NULL, "  wait_until(function() return stats(\"auth\") end, 1)\n");
	tl_start(f, 0);
	assert_int_equal(step(f, 0), DD_EINVAL);
	assert_msg(f->err.msg, 0, NEEDLES("stats: call it from the timeline's own code"));
	assert_int_equal(load(f, "host \"h\" {}\n"
	    "dns \"auth\" { host = \"h\", listen = \"198.18.0.53:53\" }\n"
	    "local s = stats \"auth\"\ntimeline(function() end)\n"), DD_EINVAL);
	assert_msg(f->err.msg, 3, NEEDLES("stats() works only inside timeline"));
}

static void
test_tl_unknown_targets(void **state)
{
	struct fx *f = *state;
	static const struct { const char *call, *msg; } cases[] = {
		{ "inject(\"nope\", \"x\")", "inject: no dns server 'nope'" },
		{ "clear \"nope\"", "clear: no dns server 'nope'" },
		{ "start \"nope\"", "start: no process 'nope'" },
		{ "stop \"auth\"", "stop: no process 'auth'" },
		{ "kill \"nope\"", "kill: no process 'nope'" },
		{ "local n = seen \"nope\"", "seen: no watch 'nope'" },
		{ "local n = probe_ok \"nope\"", "probe_ok: no probe 'nope'" },
	};
	char body[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "  mark \"a\"\n  %s\n", cases[i].call);
		load_tl(f, NULL, body);
		f->rec.n = 0;
		tl_start(f, 0);
		assert_int_equal(step(f, 0), DD_EINVAL);
		assert_msg(f->err.msg, 8, NEEDLES(cases[i].msg));
	}
}

static void
test_tl_sleep(void **state)
{
	struct fx *f = *state;

	/* the timeline starts at 1000: times are relative to "now", not zero */
	load_tl(f, NULL, "  phase \"a\"\n  sleep \"2s\"\n  phase \"b\"\n  sleep(0.5)\n  mark \"c\"\n"
	    "  sleep \"0s\"\n  mark \"d\"\n");
	tl_start(f, 1000);
	step_expect(f, 1000, 0, 3000);
	assert_log(&f->rec, LOG("1000 phase a"));
	step_expect(f, 1500, 0, 3000);
	step_expect(f, 2999, 0, 3000);
	assert_int_equal(f->rec.n, 1);
	step_expect(f, 3000, 0, 3500);
	step_expect(f, 3499, 0, 3500);
	step_expect(f, 3500, 1, UINT64_MAX);
	assert_log(&f->rec, LOG("1000 phase a", "3000 phase b", "3500 mark c", "3500 mark d"));
}

static void
test_tl_speed(void **state)
{
	struct fx *f = *state;
	static const char BODY[] = "  sleep \"10s\"\n  mark \"x\"\n  sleep \"1.5m\"\n  mark \"y\"\n";
	char text[2048];

	/* scenario { speed = 10 }: sleep "10s" lasts 1000 ms */
	snprintf(text, sizeof(text), "scenario { speed = 10 }\n%stimeline(function()\n%send)\n",
	    DECLS, BODY);
	assert_int_equal(load(f, text), 0);
	tl_start(f, 0);
	step_expect(f, 0, 0, 1000);
	step_expect(f, 999, 0, 1000);
	step_expect(f, 1000, 0, 10000);
	step_expect(f, 10000, 1, UINT64_MAX);
	assert_log(&f->rec, LOG("1000 mark x", "10000 mark y"));

	/* --set speed=10 does the same on a speed-1 scenario */
	f->rec.n = 0;
	load_tl(f, NEEDLES("speed=10"), BODY);
	tl_start(f, 0);
	step_expect(f, 0, 0, 1000);
	step_expect(f, 1000, 0, 10000);

	/* and wins over scenario { speed = 2 } */
	f->rec.n = 0;
	snprintf(text, sizeof(text), "scenario { speed = 2 }\n%stimeline(function()\n%send)\n",
	    DECLS, BODY);
	assert_int_equal(load_sets(f, text, NEEDLES("speed=10")), 0);
	tl_start(f, 0);
	step_expect(f, 0, 0, 1000);

	/* speed below 1 stretches */
	load_tl(f, NEEDLES("speed=0.5"), BODY);
	tl_start(f, 0);
	step_expect(f, 0, 0, 20000);
}

static void
test_tl_at(void **state)
{
	struct fx *f = *state;

	/* at() is relative to the timeline's start (7000 here), and scaled */
	load_tl(f, NEEDLES("speed=2"),
	    "  sleep \"2s\"\n"
	    "  mark(\"t=\" .. now())\n"
	    "  at \"10s\"\n"
	    "  mark(\"t=\" .. now())\n"
	    "  at \"1s\"\n"                   /* already past: no wait */
	    "  mark(\"late\")\n");
	tl_start(f, 7000);
	step_expect(f, 7000, 0, 8000);
	step_expect(f, 8000, 0, 12000);
	step_expect(f, 11999, 0, 12000);
	step_expect(f, 12000, 1, UINT64_MAX);
	assert_log(&f->rec, LOG("8000 mark t=1.0", "12000 mark t=5.0", "12000 mark late"));
}

static void
test_tl_concurrent(void **state)
{
	struct fx *f = *state;

	load_tl(f, NULL,
	    "  at(\"3s\", function() mark \"at3\"; sleep \"2s\"; mark \"at5\" end)\n"
	    "  after(\"1s\", function() mark \"after1\" end)\n"
	    "  mark \"main0\"\n"
	    "  sleep \"4s\"\n"
	    "  mark \"main4\"\n"
	    "  after(\"0.5s\", function() mark \"after4.5\"; sleep \"10s\"; mark \"never\" end)\n"
	    "  sleep \"2s\"\n"
	    "  mark \"main6\"\n");
	tl_start(f, 0);
	step_expect(f, 0, 0, 1000);
	assert_log(&f->rec, LOG("0 mark main0"));
	step_expect(f, 1000, 0, 3000);
	step_expect(f, 2000, 0, 3000);
	step_expect(f, 3000, 0, 4000);
	step_expect(f, 4000, 0, 4500);
	step_expect(f, 4500, 0, 5000);
	step_expect(f, 5000, 0, 6000);
	/* the main timeline returning ends the run, helpers or not */
	step_expect(f, 6000, 1, 14500);
	assert_log(&f->rec, LOG("0 mark main0", "1000 mark after1", "3000 mark at3",
	    "4000 mark main4", "4500 mark after4.5", "5000 mark at5", "6000 mark main6"));

	/* one late step runs everything that is due, in time order per coroutine */
	f->rec.n = 0;
	load_tl(f, NULL,
	    "  after(\"1s\", function() mark \"a\" end)\n"
	    "  sleep \"2s\"\n"
	    "  mark \"b\"\n");
	tl_start(f, 0);
	step_expect(f, 0, 0, 1000);
	step_expect(f, 5000, 1, UINT64_MAX);
	assert_log(&f->rec, LOG("5000 mark a", "5000 mark b"));
}

static void
test_tl_wait_until(void **state)
{
	struct fx *f = *state;

	/* the condition turns true: true, at once */
	load_tl(f, NEEDLES("speed=10"),
	    "  local ok = wait_until(function() return seen \"w\" >= 2 end, \"3s\")\n"
	    "  mark(tostring(ok) .. \" \" .. now())\n");
	f->rec.watch_n = 0;
	tl_start(f, 0);
	step_expect(f, 0, 0, 3000);               /* the deadline is real time: not scaled */
	assert_int_equal(sc_lua_waiting(f->S), 1);
	f->rec.watch_n = 1;
	step_expect(f, 500, 0, 3000);
	assert_int_equal(f->rec.n, 0);
	f->rec.watch_n = 2;
	step_expect(f, 800, 1, UINT64_MAX);
	assert_int_equal(sc_lua_waiting(f->S), 0);
	assert_log(&f->rec, LOG("800 mark true 0.8"));

	/* it never does: false at the deadline, not before */
	f->rec.n = 0;
	f->rec.watch_n = 0;
	load_tl(f, NEEDLES("speed=10"),
	    "  local ok = wait_until(function() return probe_ok \"p\" == true end, \"3s\")\n"
	    "  mark(tostring(ok) .. \" \" .. now())\n");
	f->rec.probe_last = 0;
	tl_start(f, 100);
	step_expect(f, 100, 0, 3100);
	step_expect(f, 3099, 0, 3100);
	assert_int_equal(f->rec.n, 0);
	step_expect(f, 3100, 1, UINT64_MAX);
	assert_log(&f->rec, LOG("3100 mark false 3.0"));

	/* probe_ok: nil before the first result, then the result */
	f->rec.n = 0;
	load_tl(f, NULL,
	    "  mark(tostring(probe_ok \"p\"))\n"
	    "  sleep \"1s\"\n"
	    "  mark(tostring(probe_ok \"p\"))\n"
	    "  sleep \"1s\"\n"
	    "  mark(tostring(probe_ok \"p\") .. \" \" .. seen \"w\")\n");
	f->rec.probe_last = -1;
	f->rec.watch_n = 3;
	tl_start(f, 0);
	step_expect(f, 0, 0, 1000);
	f->rec.probe_last = 0;
	step_expect(f, 1000, 0, 2000);
	f->rec.probe_last = 1;
	step_expect(f, 2000, 1, UINT64_MAX);
	assert_log(&f->rec, LOG("0 mark nil", "1000 mark false", "2000 mark true 3"));

	/* a condition that is true at once still yields once, then goes on */
	f->rec.n = 0;
	load_tl(f, NULL,
	    "  after(\"1s\", function() local ok = wait_until(function() return true end, \"1s\");"
	    " mark(tostring(ok)) end)\n"
	    "  sleep \"5s\"\n");
	tl_start(f, 0);
	step_expect(f, 0, 0, 1000);
	step_expect(f, 1000, 0, 5000);
	assert_log(&f->rec, LOG("1000 mark true"));
}

static void
test_tl_errors(void **state)
{
	struct fx *f = *state;

	/* a runtime error: FILE:LINE and a traceback */
	load_tl(f, NULL, "  sleep \"1s\"\n  local t = nil\n  mark(t.field)\n");
	tl_start(f, 0);
	step_expect(f, 0, 0, 1000);
	assert_int_equal(step(f, 1000), DD_EINVAL);
	assert_msg(f->err.msg, 9, NEEDLES("attempt to index a nil value", "traceback"));

	/* an error in a helper started with after() */
	load_tl(f, NULL, "  after(\"1s\", function()\n    error(\"boom\")\n  end)\n  sleep \"5s\"\n");
	tl_start(f, 0);
	step_expect(f, 0, 0, 1000);
	assert_int_equal(step(f, 1000), DD_EINVAL);
	assert_msg(f->err.msg, 8, NEEDLES("boom"));

	/* an error inside a wait_until condition */
	load_tl(f, NULL, "  wait_until(function()\n    return nil < 1\n  end, \"1s\")\n");
	tl_start(f, 0);
	assert_int_equal(step(f, 0), DD_EINVAL);
	assert_msg(f->err.msg, 8, NEEDLES("attempt to compare"));

	/* bad arguments */
	load_tl(f, NULL, "  sleep \"forever\"\n");
	tl_start(f, 0);
	assert_int_equal(step(f, 0), DD_EINVAL);
	assert_msg(f->err.msg, 7, NEEDLES("sleep: the argument must be a duration", "'forever'"));

	/* sleep inside a condition (no coroutine of ours to suspend) */
	load_tl(f, NULL, "  wait_until(function() sleep \"1s\" return true end, \"1s\")\n");
	tl_start(f, 0);
	assert_int_equal(step(f, 0), DD_EINVAL);
	assert_msg(f->err.msg, 7, NEEDLES("not from a condition"));

	/* an ops callback that fails raises a Lua error with its message */
	load_tl(f, NULL, "  mark \"a\"\n  inject(\"auth\", \"action=drop\")\n  mark \"b\"\n");
	f->rec.fail_inject = true;
	tl_start(f, 0);
	assert_int_equal(step(f, 0), DD_EINVAL);
	assert_msg(f->err.msg, 8, NEEDLES("inject auth: faultd said no: bad rule 'action=drop'"));
	assert_log(&f->rec, LOG("0 mark a"));
	/* ... which the scenario can catch */
	f->rec.n = 0;
	load_tl(f, NULL,
	    "  local ok, e = pcall(inject, \"auth\", \"action=drop\")\n"
	    "  mark(tostring(ok) .. \": \" .. e)\n");
	f->rec.fail_inject = true;
	tl_start(f, 0);
	step_expect(f, 0, 1, UINT64_MAX);
	assert_int_equal(f->rec.n, 1);
	assert_non_null(strstr(f->rec.log[0], "0 mark false: "));
	assert_non_null(strstr(f->rec.log[0], "faultd said no"));
}

/* A rule the timeline builds at run time is checked with faultd's parser
 * before the runner is asked to send it: a bad one is an error at the
 * timeline's line naming the bad term, and inject never reaches the ops. */
static void
test_tl_rule_checked(void **state)
{
	struct fx *f = *state;

	load_tl(f, NULL,
	    "  local verb = \"expl\" .. \"ode\"\n"
	    "  inject(\"auth\", \"name=x action=drop\")\n"
	    "  sleep \"1s\"\n"
	    "  inject(\"auth\", \"name=x action=\" .. verb)\n"
	    "  mark \"not reached\"\n");
	tl_start(f, 0);
	step_expect(f, 0, 0, 1000);
	assert_int_equal(step(f, 1000), DD_EINVAL);
	assert_msg(f->err.msg, 10, NEEDLES("inject auth: rule \"name=x action=explode\"",
	    "action=explode: unknown action"));
	assert_log(&f->rec, LOG("0 inject auth name=x action=drop -> 1"));

	/* every kind of bad term, and a rule of two lines */
	static const char *const bad[][2] = {
		{ "\"\"", "empty rule" },
		{ "\"name=x nmae=y\"", "unknown key 'nmae'" },
		{ "\"prob=\" .. 2", "prob=2: must be a number from 0 to 1" },
		{ "\"action=drop\\nname=x\"", "a rule is one line" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[256];
		f->rec.n = 0;
		snprintf(body, sizeof(body), "  inject(\"auth\", %s)\n", bad[i][0]);
		load_tl(f, NULL, body);
		tl_start(f, 0);
		assert_int_equal(step(f, 0), DD_EINVAL);
		assert_msg(f->err.msg, 7, NEEDLES("inject auth: rule \"", bad[i][1]));
		assert_int_equal(f->rec.n, 0);
	}
}

/* The live zone changes: each becomes one control line for the runner,
 * carrying the call's file:line; what can be checked here is, at the
 * timeline's line, and never reaches the runner. */
static void
test_tl_zone_changes(void **state)
{
	struct fx *f = *state;

	load_tl(f, NULL,
	    "  record_del(\"auth\", \"www.example.com.\", \"A\")\n"
	    "  record_del(\"auth\", \"www.example.com\", \"A\", \"198.18.1.2\")\n"
	    "  record_add(\"auth\", \"www.example.com. 30 IN A 198.18.1.2\\nwww.example.com. 30 IN TXT \\\"a\\\\b\\\"\")\n"
	    "  ttl_set(\"auth\", \"www.example.com.\", \"*\", 5)\n"
	    "  zone_ttl(\"auth\", \"example.com.\", 60)\n"
	    "  zone_empty(\"auth\", \"example.com.\")\n"
	    "  zone_reset(\"auth\", \"example.com.\")\n"
	    "  zone_ns(\"auth\", \"example.com.\", { \"ns1.example.net.\", \"ns2.example.net.\" })\n"
	    "  delegation_del(\"auth\", \"sub.example.com.\")\n"
	    "  delegation_set(\"auth\", \"sub.example.com.\", \"ns.sub.example.com.\")\n"
	    "  zone_set(\"auth\", \"example.com.\", \"a\\nb\")\n");
	tl_start(f, 0);
	step_expect(f, 0, 1, UINT64_MAX);
	assert_int_equal(f->rec.n, 11);
	assert_non_null(strstr(f->rec.log[0], "drill.lua:7: record_del(auth)] record del www.example.com. A"));
	assert_non_null(strstr(f->rec.log[1], "] record del www.example.com A 198.18.1.2"));
	assert_non_null(strstr(f->rec.log[2], "] record add www.example.com. 30 IN A 198.18.1.2\\nwww.example.com. 30 IN TXT \"a\\\\b\""));
	assert_non_null(strstr(f->rec.log[3], "] record ttl www.example.com. * 5"));
	assert_non_null(strstr(f->rec.log[4], "] zone ttl example.com. 60"));
	assert_non_null(strstr(f->rec.log[5], "] zone empty example.com."));
	assert_non_null(strstr(f->rec.log[6], "] zone reset example.com."));
	assert_non_null(strstr(f->rec.log[7], "] zone ns example.com. ns1.example.net. ns2.example.net."));
	assert_non_null(strstr(f->rec.log[8], "] delegation del sub.example.com."));
	assert_non_null(strstr(f->rec.log[9], "] delegation set sub.example.com. ns.sub.example.com."));
	assert_non_null(strstr(f->rec.log[10], "] zone set example.com. a\\nb"));

	static const char *const bad[][2] = {
		{ "record_del(\"nope\", \"x.\")", "record_del: no dns server 'nope'" },
		{ "record_del(\"auth\", \"a..b\")", "record_del: name 'a..b' is not a domain name" },
		{ "record_del(\"auth\", \"x.\", \"AX\")", "record_del: unknown record type 'AX'" },
		{ "record_del(\"auth\", \"x.\", nil, \"1.2.3.4\")", "record data needs a type" },
		{ "ttl_set(\"auth\", \"x.\", \"A\", -1)", "ttl_set: TTL -1 is outside 0..2147483647" },
		{ "ttl_set(\"auth\", \"x.\", \"A\", 1.5)", "ttl_set: the TTL must be an integer" },
		{ "record_add(\"auth\", \"x.example.com. 30 IN A 1.2.3\")", "record_add: line 1 of the records:" },
		{ "record_add(\"auth\", \"x.example.com. 30 IN A 1.2.3.4\\nwww 30 IN A 1.2.3.4\")", "line 2 of the records: the owner name must be absolute" },
		{ "zone_ns(\"auth\", \"example.com.\", {})", "zone_ns: give 1 to 16 name server names" },
		{ "delegation_set(\"auth\", \"s.example.com.\", \"bad name\")", "name server 1 is not a domain name" },
		{ "zone_set(\"auth\", \"example.com.\", string.rep(\"x\", 9000))", "over its limit of 8190" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[256];
		f->rec.n = 0;
		snprintf(body, sizeof(body), "  %s\n", bad[i][0]);
		load_tl(f, NULL, body);
		tl_start(f, 0);
		assert_int_equal(step(f, 0), DD_EINVAL);
		assert_msg(f->err.msg, 7, NEEDLES(bad[i][1]));
		assert_int_equal(f->rec.n, 0);
	}
}

/* A bare coroutine.yield() in the timeline is not a way to sleep: it must
 * not spin the scheduler forever. */
static void
test_tl_bare_yield(void **state)
{
	struct fx *f = *state;

	load_tl(f, NULL, "  mark \"a\"\n  coroutine.yield()\n  mark \"b\"\n");
	tl_start(f, 0);
	assert_int_equal(step(f, 0), DD_EINVAL);
	assert_msg(f->err.msg, 8, NEEDLES("coroutine.yield() in the timeline: wait with sleep()"));
	assert_log(&f->rec, LOG("0 mark a"));

	/* the scenario's own coroutines work as in plain Lua */
	f->rec.n = 0;
	load_tl(f, NULL,
	    "  local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)\n"
	    "  mark(gen() .. gen() .. gen())\n"
	    "  sleep \"1s\"\n"
	    "  mark \"done\"\n");
	tl_start(f, 0);
	step_expect(f, 0, 0, 1000);
	step_expect(f, 1000, 1, UINT64_MAX);
	assert_log(&f->rec, LOG("0 mark 123", "1000 mark done"));
	/* ... but sleep() inside one is refused */
	load_tl(f, NULL, "  coroutine.wrap(function() sleep \"1s\" end)()\n");
	tl_start(f, 0);
	assert_int_equal(step(f, 0), DD_EINVAL);
	assert_msg(f->err.msg, 7, NEEDLES("sleep/at/wait_until"));
}

static void
draw(struct fx *f, uint64_t seed, const char *pre, char *out, size_t len)
{
	static const char BODY[] =
	    "  local t = {}\n"
	    "  for i = 1, 8 do\n"
	    "    local a, b, c, d = rand(), rand(100), rand(5, 7), math.random(1, 1000000)\n"
	    "    assert(a >= 0 and a < 1 and b >= 1 and b <= 100 and c >= 5 and c <= 7)\n"
	    "    assert(math.type(b) == 'integer' and math.type(d) == 'integer')\n"
	    "    t[#t + 1] = string.format('%.6f/%d/%d/%d', a, b, c, d)\n"
	    "  end\n"
	    "  mark(table.concat(t, ' ') .. ' ' .. TOP)\n";
	char text[4096];

	snprintf(text, sizeof(text), "%s%slocal TOP = rand(1000000)\ntimeline(function()\n%send)\n",
	    pre, DECLS, BODY);
	f->rec.n = 0;
	assert_int_equal(load_full(f, "drill.lua", text, NULL, seed, pre[0] == '\0'), 0);
	tl_start(f, 0);
	step_expect(f, 0, 1, UINT64_MAX);
	assert_int_equal(f->rec.n, 1);
	snprintf(out, len, "%s", f->rec.log[0]);
}

static void
test_tl_rand(void **state)
{
	struct fx *f = *state;
	char a[200], b[200], c[200], d[200];

	draw(f, 1234, "", a, sizeof(a));
	draw(f, 1234, "", b, sizeof(b));
	draw(f, 1235, "", c, sizeof(c));
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	/* scenario { seed = N } seeds when no --seed was given */
	draw(f, 99, "scenario { seed = 1234 }\n", d, sizeof(d));
	assert_string_equal(a, d);

	load_tl(f, NULL, "  local x = rand(5, 4)\n");
	tl_start(f, 0);
	assert_int_equal(step(f, 0), DD_EINVAL);
	assert_msg(f->err.msg, 7, NEEDLES("interval is empty"));
}

static void
test_watchdog(void **state)
{
	struct fx *f = *state;
	struct timespec t0, t1;

	if (getenv("DD_SKIP_SLOW")) {
		skip();
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* `while true do end`, wrapped in a pcall that would swallow an
	 * ordinary error and loop again: the watchdog's error must escape */
	load_err(f, "host \"h\" {}\nwhile true do pcall(function() while true do end end) end\n", 0,
	    NEEDLES("ran for more than 5 s without yielding (an endless loop?)"));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(s >= 4.9 && s < 15);
	assert_non_null(strstr(f->err.msg, "drill.lua:2:"));
}

/* A timeline step whose coroutines never really wait (sleep "0s" in a
 * loop) is stopped the same way, with the place. */
static void
test_watchdog_step(void **state)
{
	struct fx *f = *state;

	if (getenv("DD_SKIP_SLOW")) {
		skip();
		return;
	}
	load_tl(f, NULL, "  mark \"a\"\n  while true do sleep \"0s\" end\n");
	tl_start(f, 0);
	assert_int_equal(step(f, 0), DD_EINVAL);
	assert_msg(f->err.msg, 8, NEEDLES("without yielding (an endless loop?)"));
	assert_log(&f->rec, LOG("0 mark a"));
}

/* An instruction budget stops the same loop at once, whatever the clock
 * says, and the same way every time (the fuzzer's loads); code under the
 * budget runs as before, and each timeline step gets the whole budget. */
static void
test_budget(void **state)
{
	struct fx *f = *state;
	struct timespec t0, t1;

	f->budget = 1000000;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	load_err(f, "host \"h\" {}\nwhile true do pcall(function() while true do end end) end\n", 0,
	    NEEDLES("ran for more than 1000000 instructions without yielding (an endless loop?)"));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_non_null(strstr(f->err.msg, "drill.lua:2:"));
	/* far below the clock's 5 s, even under sanitizers on a busy machine */
	assert_true(t1.tv_sec - t0.tv_sec < 4);
	load_ok(f, "host \"h\" {}\nlocal n = 0\nfor i = 1, 10000 do n = n + i end\n"
	    "timeline(function() end)\n");
	/* a step of 20,000 iterations, twice: the count restarts per step */
	f->budget = 300000;
	load_tl(f, NULL, "  for k = 1, 2 do\n    for i = 1, 20000 do end\n    sleep \"1s\"\n  end\n"
	    "  mark \"done\"\n");
	tl_start(f, 0);
	assert_int_equal(step(f, 0), 0);
	assert_int_equal(step(f, 1000), 0);
	assert_int_equal(step(f, 2000), 1);
	assert_log(&f->rec, LOG("2000 mark done"));
	load_tl(f, NULL, "  while true do sleep \"0s\" end\n");
	tl_start(f, 0);
	assert_int_equal(step(f, 0), DD_EINVAL);
	assert_msg(f->err.msg, 7, NEEDLES("instructions without yielding"));
}

static void
rm_tree(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decl_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decl_amplification_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decl_call_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decl_resolv_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_resolv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decl_scenario_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decl_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decl_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decl_paths_confined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decl_matchers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decl_score_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_unknown_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_wrong_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_unknown_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_regex_and_expect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_score_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_strlist_half_built, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_strict_globals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_sandbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_phase_misuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_param_set_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_param_speed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_speed_fn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_param_seed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_unknown_targets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_sleep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_speed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_at, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_wait_until, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_rule_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_bare_yield, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_rand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_stats_misuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tl_zone_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
	};
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dd_lua_XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* scenario dirs are made absolute with realpath(): compare alike */
	char real[PATH_MAX];
	if (realpath(tmpdir, real) != NULL && strlen(real) < sizeof(tmpdir))
		snprintf(tmpdir, sizeof(tmpdir), "%s", real);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rm_tree();
	return rc;
}
