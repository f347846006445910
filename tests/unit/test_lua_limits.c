/*
 * test_lua_limits.c -- what bounds a scenario's work inside one call into
 * Lua's C library (harness/lua_limits.c, issue 10 bug 7): the memory cap
 * (a string.rep loop fails with a message naming the scenario, and the
 * process's peak RSS stays near the cap), string.rep and table.move
 * bounds, pattern searches refused over their worst-case budget while
 * ordinary ones work, __gc refused, and sc_lua_interrupt() stopping a loop
 * a pcall() tries to survive.  No network, no root, no timing claims.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/lua_api.h"
#include "harness/scenario.h"
#include "lib/err.h"

static char tmpdir[64];

struct fx {
	struct scenario *sc;
	struct sc_lua *S;
	struct dd_err err;
	char path[PATH_MAX];
};

/* A scenario: one host, a timeline of TL, the top level TOP. */
static int
load(struct fx *f, const char *top, const char *tl)
{
	FILE *fp;

	snprintf(f->path, sizeof(f->path), "%s/s.lua", tmpdir);
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fprintf(fp, "host \"a\" {}\n%s\ntimeline(function()\n%s\nend)\n", top, tl);
	fclose(fp);
	f->sc = scenario_new(f->path);
	assert_non_null(f->sc);
	f->sc->set_used = calloc(1, sizeof(bool));
	f->S = sc_lua_new(f->sc, 1, "/nonexistent");
	assert_non_null(f->S);
	memset(&f->err, 0, sizeof(f->err));
	return sc_lua_load(f->S, &f->err);
}

/* Forget the last load (before the next one in the same test). */
static void
reset(struct fx *f)
{
	sc_lua_free(f->S);
	scenario_free(f->sc);
	f->S = NULL;
	f->sc = NULL;
}

/* Start the timeline and step it at 0 ms; the step's result. */
static int
step(struct fx *f)
{
	uint64_t next;
	assert_int_equal(sc_lua_timeline_start(f->S, 0, &f->err), 0);
	return sc_lua_timeline_step(f->S, 0, &next, &f->err);
}

static int
setup(void **state)
{
	*state = calloc(1, sizeof(struct fx));
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	reset(f);
	free(f);
	return 0;
}

static void
assert_has(const char *msg, const char *needle)
{
	if (strstr(msg, needle) == NULL)
		fail_msg("'%s' not in '%s'", needle, msg);
}

/* The process's peak resident set, in MiB (VmHWM). */
static long
peak_rss_mib(void)
{
	char line[256];
	long kb = -1;
	FILE *fp = fopen("/proc/self/status", "r");

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(fp);
	return kb < 0 ? -1 : kb / 1024;
}

/* The default cap: a loop keeping 1 MiB strings fails near 256 MiB with a
 * message naming the scenario, and the process never grew much past it.
 * (Runs first: the peak is the process's.) */
static void
test_mem_default_cap(void **state)
{
	struct fx *f = *state;
	int rc = load(f, "local t = {}\n"
	    "for i = 1, 100000 do t[i] = string.rep('x', 1 << 20) .. i end", "");

	assert_int_equal(rc, DD_EINVAL);
	assert_has(f->err.msg, f->path);
	assert_has(f->err.msg, "needed more than 256 MiB of memory");
	assert_has(f->err.msg, "--lua-mem");
	long peak = peak_rss_mib(), most = 256 + 128;
#if defined(__SANITIZE_ADDRESS__)
	most = 4 * 256;   /* ASan keeps freed memory in quarantine, adds redzones */
#endif
	assert_true(peak > 0);
	if (peak > most)
		fail_msg("peak RSS %ld MiB for a 256 MiB cap", peak);
}

/* In the timeline: the coroutine's stack still names the line. */
static void
test_mem_timeline_line(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, "", "  local s = 'xx'\n  while true do s = s .. s end"), 0);
	sc_lua_set_mem_limit(f->S, (size_t)16 << 20);
	assert_int_equal(step(f), DD_EINVAL);
	assert_has(f->err.msg, "s.lua:5: the scenario needed more than 16 MiB of memory");
}

/* pcall() may catch the error, the cap still holds; once the data is
 * dropped the scenario goes on. */
static void
test_mem_recover(void **state)
{
	struct fx *f = *state;
	int rc = load(f, "local ok = pcall(function() local t = {}\n"
	    "  for i = 1, 1e6 do t[i] = string.rep('y', 1 << 20) .. i end end)\n"
	    "assert(not ok)\n"
	    "local small = string.rep('z', 1000)\n"
	    "assert(#small == 1000)", "");
	assert_int_equal(rc, 0);
}

static void
test_rep_bound(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, "local s = string.rep('ab', 9 << 20)", ""), DD_EINVAL);
	assert_has(f->err.msg, "s.lua:2: string.rep: the result would be over 16 MiB");
	reset(f);
	/* the method form is the same function; the separator counts */
	assert_int_equal(load(f, "local s = ('a'):rep(8 << 20, 'bb')", ""), DD_EINVAL);
	assert_has(f->err.msg, "string.rep: the result would be over 16 MiB");
	reset(f);
	assert_int_equal(load(f, "assert(#string.rep('ab', 1 << 20, ',') == 3 * (1 << 20) - 1)\n"
	    "assert(string.rep('x', 0) == '' and string.rep('x', -1) == '')", ""), 0);
	/* an empty string with an empty separator is "" at once, however
	 * many times: the library's loop would run 4 << 40 times in C, where
	 * the watchdog cannot stop it (fuzzing found it; this test hangs
	 * without the wrapper's early return) */
	reset(f);
	assert_int_equal(load(f, "assert(string.rep('', 4 << 40) == '')\n"
	    "assert(('').rep('', 1 << 62, '') == '')\n"
	    "assert(string.rep('', 3, ',') == ',,')", ""), 0);
}

static void
test_move_bound(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, "table.move({}, 1, 1e12, 1)", ""), DD_EINVAL);
	assert_has(f->err.msg, "s.lua:2: table.move: more elements than");
	reset(f);
	assert_int_equal(load(f, "local t = table.move({1, 2, 3}, 1, 3, 2, {})\n"
	    "assert(t[2] == 1 and t[4] == 3)", ""), 0);
}

static void
test_pattern_bomb(void **state)
{
	struct fx *f = *state;

	/* the audit's bomb, in the timeline */
	assert_int_equal(load(f, "",
	    "  string.find(string.rep('a', 30000), '.-.-.-.-.-.-.-b')"), 0);
	assert_int_equal(step(f), DD_EINVAL);
	assert_has(f->err.msg, "s.lua:4: string.find: pattern '.-.-.-.-.-.-.-b' on a "
	    "subject of 30000 bytes could take");
	reset(f);
	/* match, gmatch, gsub and the method form too */
	static const char *const bombs[] = {
		"string.match(string.rep('a', 5000), '(.*)(.*)(.*)b')",
		"for _ in string.gmatch(string.rep('a', 5000), 'a*a*a*b') do end",
		"string.gsub(string.rep('a', 5000), '%s*.-.-x', '')",
		"local _ = (string.rep('a', 5000)):find('(a+)%1%1c')",
		"string.find(string.rep('a', 1 << 23), string.rep('a', 1 << 22) .. 'b', 1, true)",
	};
	for (size_t i = 0; i < sizeof(bombs) / sizeof(bombs[0]); i++) {
		if (load(f, bombs[i], "") != DD_EINVAL)
			fail_msg("not refused: %s", bombs[i]);
		assert_has(f->err.msg, "a scenario's searches are limited");
		reset(f);
	}
	/* what scenarios do stays possible */
	assert_int_equal(load(f,
	    "local n = 0\n"
	    "for e in string.gmatch('a;b;c', '[^;]+') do n = n + 1 end\n"
	    "assert(n == 3)\n"
	    "assert(('www.example.com'):match('^([^.]+)%.(.*)$') == 'www')\n"
	    "local line = string.rep('x', 2000) .. ' key=value'\n"
	    "assert(line:match('key=(%w+)') == 'value')\n"
	    "assert(line:find(' key=', 1, true) == 2001)\n"
	    "assert(select(2, string.gsub(string.rep('a b ', 1000), '%s+', ' ')) == 2000)\n"
	    "assert(string.find(string.rep('a', 1000), 'a-b') == nil)", ""), 0);
}

static void
test_gc_refused(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f,
	    "setmetatable({}, { __gc = function() while true do end end })", ""), DD_EINVAL);
	assert_has(f->err.msg, "s.lua:2: setmetatable: __gc is not available in scenarios");
	reset(f);
	/* other metatables work, and errors still name the function */
	assert_int_equal(load(f,
	    "local t = setmetatable({}, { __index = function() return 7 end })\n"
	    "assert(t.x == 7)\n"
	    "local ok, e = pcall(setmetatable, 1, {})\n"
	    "assert(not ok and e:find(\"bad argument #1 to 'setmetatable'\", 1, true))", ""), 0);
}

/* sc_lua_interrupt(): the next hook fails, a pcall() around the loop does
 * not swallow it, the step says -EINTR. */
static void
test_interrupt(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, "", "  while true do pcall(function() while true do end end) end"), 0);
	assert_false(sc_lua_seize(f->S));    /* the runner has the state */
	sc_lua_interrupt(f->S);
	assert_int_equal(step(f), -EINTR);
	assert_has(f->err.msg, "interrupted");
	assert_false(sc_lua_seize(f->S));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mem_default_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_timeline_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_recover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rep_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pattern_bomb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt, setup, teardown),
	};
	char cmd[128];
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dd_lualim_XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return rc;
}
