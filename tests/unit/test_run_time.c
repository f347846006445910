/*
 * test_run_time.c -- time in the scenario language and the runner's list
 * of distortions: scenario { start = }, a process's timers = {...} (and
 * their load errors), what run_time_forecast() foresees at a speed (rule
 * ttl=/negttl= at the floor, probes as the observer, stub resolver timers,
 * declared timers out of proportion, processes nobody described), nothing
 * at speed 1, what run_time_observed() takes from faultd's counters, and
 * `dnsdrill check`'s warnings.  No network, no root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/lua_api.h"
#include "harness/run_time.h"
#include "harness/scenario.h"
#include "model/elog.h"

static char tmpdir[64];
static struct scenario *SC;
static struct sc_lua *S;
static struct dd_err E;

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_run_time.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static void
unload(void)
{
	sc_lua_free(S);
	scenario_free(SC);
	S = NULL;
	SC = NULL;
}

static int
teardown(void **state)
{
	char path[128];

	(void)state;
	unload();
	snprintf(path, sizeof(path), "%s/drill.lua", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

/* Load text (and an empty timeline) as tmpdir/drill.lua, with speed as --set speed= (NULL: the
 * file's).  Returns sc_lua_load's code. */
static int
load(const char *text, const char *speed)
{
	char path[128];
	FILE *f;

	unload();
	snprintf(path, sizeof(path), "%s/drill.lua", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fputs("\ntimeline(function() end)\n", f);
	fclose(f);
	SC = scenario_new(path);
	assert_non_null(SC);
	if (speed != NULL) {
		struct sc_kv *kv = sc_push(&SC->sets, &SC->n_sets, sizeof(*kv));
		assert_non_null(kv);
		kv->key = strdup("speed");
		kv->value = strdup(speed);
	}
	SC->set_used = calloc(SC->n_sets + 1, sizeof(bool));
	S = sc_lua_new(SC, 1, "/opt/dd/build");
	assert_non_null(S);
	memset(&E, 0, sizeof(E));
	return sc_lua_load(S, &E);
}

static void
load_ok(const char *text, const char *speed)
{
	if (load(text, speed) != 0)
		fail_msg("load: %s", E.msg);
}

#define NET \
	"host 'client' { resolv = { servers = { '198.18.0.53' }, options = { timeout = 1, attempts = 2 } } }\n" \
	"host 'auth' {}\n" \
	"lan 'lan0' { client = '198.18.0.10/24', auth = '198.18.0.53/24' }\n" \
	"dns 'auth' { host = 'auth', listen = '198.18.0.53:53', rules = {\n" \
	"  'name=a.example action=empty negttl=5', 'name=b.example ttl=600',\n" \
	"  'name=c.example action=nxdomain negttl=30' } }\n" \
	"probe 'www' { host = 'client', every = '200ms', dns = { name = 'www.example', server = '198.18.0.53' } }\n"

static const char DRILL[] =
    "scenario { name = 'x', speed = 360, start = '2025-10-20T05:48:00Z' }\n" NET
    "process 'resolver' { host = 'auth', cmd = { '/bin/true' }, timers = {\n"
    "  { name = 'infra-host-ttl', incident = '15m', real = '2s', note = 'shortened' },\n"
    "  { name = 'servfail-ttl', incident = '30s', real = '30s' },\n"
    "  { name = 'cache-max-ttl', incident = '1h' },\n"
    "  { name = 'prefetch', incident = '360s', real = '1s' },\n"
    "  { name = 'servfail-cache', incident = 0, real = 0 } } }\n"
    "process 'app' { host = 'client', cmd = { '/bin/true' } }\n"
    "process 'quiet' { host = 'client', cmd = { '/bin/true' }, timers = {} }\n";

static const struct timescale_distortion *
find(const struct timescale_list *l, const char *what)
{
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->v[i].what, what) != NULL)
			return &l->v[i];
	return NULL;
}

static void
test_declarations(void **state)
{
	(void)state;
	load_ok(DRILL, NULL);
	assert_string_equal(SC->incident_start, "2025-10-20T05:48:00Z");
	struct sc_process *p = scenario_proc(SC, "resolver");
	assert_non_null(p);
	assert_true(p->timers_set);
	assert_int_equal(p->n_timers, 5);
	assert_string_equal(p->timers[0].name, "infra-host-ttl");
	assert_int_equal(p->timers[0].incident_us, 900000000);
	assert_true(p->timers[0].has_real);
	assert_int_equal(p->timers[0].real_us, 2000000);
	assert_string_equal(p->timers[0].note, "shortened");
	assert_false(p->timers[2].has_real);
	assert_false(scenario_proc(SC, "app")->timers_set);
	assert_true(scenario_proc(SC, "quiet")->timers_set);

	load_ok("scenario { start = '05:48' }\nhost 'h' {}", NULL);
	assert_string_equal(SC->incident_start, "05:48");
	load_ok("scenario { name = 'y' }\nhost 'h' {}", NULL);
	assert_null(SC->incident_start);
}

static void
test_declaration_errors(void **state)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{ "scenario { start = 'at dawn' }", "scenario: start must be the incident's wall time" },
		{ "scenario { start = 548 }", "not '548'" },
		{ "host 'h' {}\nprocess 'p' { host = 'h', cmd = { 'x' }, timers = 'fast' }",
		  "timers must be a list" },
		{ "host 'h' {}\nprocess 'p' { host = 'h', cmd = { 'x' }, timers = { 'x' } }",
		  "timers[1]: must be a table" },
		{ "host 'h' {}\nprocess 'p' { host = 'h', cmd = { 'x' }, timers = { { incident = '1s' } } }",
		  "timers[1]: needs name =" },
		{ "host 'h' {}\nprocess 'p' { host = 'h', cmd = { 'x' }, timers = { { name = 't' } } }",
		  "timers[1]: needs incident =" },
		{ "host 'h' {}\nprocess 'p' { host = 'h', cmd = { 'x' }, timers = { { name = 't', incident = '1s', real = '2' } } }",
		  "real must be a duration" },
		{ "host 'h' {}\nprocess 'p' { host = 'h', cmd = { 'x' }, timers = { { name = 't', incident = '1s', scaled = true } } }",
		  "timers[1]: unknown field" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (load(bad[i].text, NULL) != DD_EINVAL)
			fail_msg("accepted: %s", bad[i].text);
		if (strstr(E.msg, bad[i].needle) == NULL || strstr(E.msg, "drill.lua:") == NULL)
			fail_msg("'%s' not in: %s", bad[i].needle, E.msg);
	}
}

static void
test_forecast(void **state)
{
	struct timescale_list l = { 0 };
	const struct timescale_distortion *d;

	(void)state;
	load_ok(DRILL, NULL);
	assert_int_equal(run_time_forecast(SC, false, &l), 0);
	/* negttl=5 at 360: 14 ms, the floor; negttl=30: 83 ms, the floor;
	 * ttl=600: 2 s, in proportion */
	d = find(&l, "dns auth: rule 'name=a.example action=empty negttl=5': negttl=5");
	assert_non_null(d);
	assert_int_equal(d->kind, TIMESCALE_FLOOR);
	assert_true(d->incident_s == 5 && d->real_s == 1);
	assert_non_null(find(&l, "negttl=30"));
	assert_null(find(&l, "ttl=600"));
	assert_null(find(&l, "any TTL under"));      /* the hint is check's */
	/* declared timers: 15m as 2s is partial (x0.8); 30s as 30s unscaled;
	 * no real: in proportion; 360s as 1s: in proportion */
	d = find(&l, "process resolver: infra-host-ttl");
	assert_non_null(d);
	assert_int_equal(d->kind, TIMESCALE_PARTIAL);
	assert_true(d->incident_s == 900 && d->real_s == 2);
	assert_string_equal(d->note, "shortened");
	d = find(&l, "process resolver: servfail-ttl");
	assert_non_null(d);
	assert_int_equal(d->kind, TIMESCALE_UNSCALED);
	assert_null(find(&l, "cache-max-ttl"));
	assert_null(find(&l, "prefetch"));
	assert_null(find(&l, "servfail-cache"));    /* 0 is 0 at any speed */
	/* nobody described app's timers; quiet said it has none */
	d = find(&l, "timers inside processes");
	assert_non_null(d);
	assert_int_equal(d->kind, TIMESCALE_UNKNOWN);
	assert_string_equal(d->what, "timers inside processes app");
	assert_non_null(strstr(d->note, "not scaled unless a profile scales them"));
	/* the stub resolver and the probe */
	d = find(&l, "host client: stub resolver timeout:1 attempts:2");
	assert_non_null(d);
	assert_int_equal(d->kind, TIMESCALE_UNSCALED);
	d = find(&l, "probe www: every 200ms");
	assert_non_null(d);
	assert_int_equal(d->kind, TIMESCALE_OBSERVER);
	assert_true(d->real_s == 0.2);
	assert_non_null(strstr(d->note, "1m12s"));
	timescale_list_free(&l);

	/* with the hint, for check */
	assert_int_equal(run_time_forecast(SC, true, &l), 0);
	assert_non_null(find(&l, "dns auth: any TTL under 6m00s"));
	timescale_list_free(&l);

	/* speed 1: nothing is out of proportion */
	load_ok(DRILL, "1");
	assert_int_equal(run_time_forecast(SC, true, &l), 0);
	assert_int_equal(l.n, 0);
	/* speed 60: negttl=5 and 30 still floored, ttl=600 is 10 s */
	load_ok(DRILL, "60");
	assert_int_equal(run_time_forecast(SC, false, &l), 0);
	assert_non_null(find(&l, "negttl=5"));
	assert_non_null(find(&l, "negttl=30"));
	assert_null(find(&l, "ttl=600"));
	timescale_list_free(&l);
}

/* faultd's last counters say what it floored. */
static void
test_observed(void **state)
{
	struct elog *log = elog_new();
	struct timescale_list l = { 0 };
	struct elog_count c1[] = { { "queries", 10 }, { "ttl_floored", 0 } };
	struct elog_count c2[] = { { "queries", 20 }, { "ttl_floored", 6 },
	    { "ttl_floored_min", 5 }, { "ttl_floored_max", 30 } };
	struct elog_stats s = { .t_ms = 100, .dns = "auth", .why = ELOG_STATS_INJECT,
	    .counters = c1, .n_counters = 2 };

	(void)state;
	load_ok(DRILL, NULL);
	assert_non_null(log);
	assert_int_equal(elog_add_stats(log, &s), 0);
	assert_int_equal(run_time_observed(SC, log, &l), 0);
	assert_int_equal(l.n, 0);
	s.t_ms = 900;
	s.why = ELOG_STATS_END;
	s.counters = c2;
	s.n_counters = 4;
	assert_int_equal(elog_add_stats(log, &s), 0);
	assert_int_equal(run_time_observed(SC, log, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].what, "dns auth: 6 TTLs served at the 1 s floor (5..30 s)");
	assert_int_equal(l.v[0].kind, TIMESCALE_FLOOR);
	assert_true(l.v[0].incident_s == 5 && l.v[0].real_s == 1);
	assert_string_equal(l.v[0].note, "the shortest, 5 s, would be 14ms in proportion");
	timescale_list_free(&l);
	elog_free(log);
}

static void
test_warn(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	(void)state;
	load_ok(DRILL, NULL);
	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	assert_true(run_time_warn(SC, mem) >= 6);
	fclose(mem);
	assert_non_null(strstr(buf, "dnsdrill: warning: time: dns auth: rule "
	    "'name=a.example action=empty negttl=5': negttl=5: 5s in the incident lasts 1s = "
	    "6m00s of the incident (x72)"));
	assert_non_null(strstr(buf, "dnsdrill: note: time: probe www: every 200ms"));
	assert_non_null(strstr(buf, "dnsdrill: at speed 360, 1 real second is 6m00s"));
	free(buf);

	load_ok(DRILL, "1");
	buf = NULL;
	mem = open_memstream(&buf, &len);
	assert_int_equal(run_time_warn(SC, mem), 0);
	fclose(mem);
	assert_string_equal(buf, "");
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_declarations),
		cmocka_unit_test(test_declaration_errors),
		cmocka_unit_test(test_forecast),
		cmocka_unit_test(test_observed),
		cmocka_unit_test(test_warn),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
