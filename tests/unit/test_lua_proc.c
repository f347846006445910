/*
 * test_lua_proc.c -- the framework resolver profiles stand on, at load
 * time: use "name" (the scenario library: names, confinement, once per
 * state, errors with file:line, cycles, the default folder beside the
 * build), a process's files = { ... } and version = { ... }, scratch()
 * placeholders and their expansion (scenario_scratch_expand), and the
 * shipped scenarios/lib/stub.lua.  No network, no root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/lua_api.h"
#include "harness/scenario.h"
#include "lib/err.h"

static char tmpdir[64];
static char libdir[128];

struct fx {
	struct scenario *sc;
	struct sc_lua *S;
	struct dd_err err;
};

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
put_lib(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", libdir, name);
	put(path, text);
}

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
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dd-luaproc-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(libdir, sizeof(libdir), "%s/lib", tmpdir);
	assert_int_equal(mkdir(libdir, 0755), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];
	fx_clear(*state);
	free(*state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* A scenario: a host, a timeline, then body. */
static int
load_lib(struct fx *f, const char *body, const char *lib)
{
	char path[256], text[4096];

	fx_clear(f);
	memset(&f->err, 0, sizeof(f->err));
	snprintf(path, sizeof(path), "%s/drill.lua", tmpdir);
	snprintf(text, sizeof(text), "host \"h\" {}\ntimeline(function() end)\n%s\n", body);
	put(path, text);
	f->sc = scenario_new(path);
	assert_non_null(f->sc);
	f->sc->set_used = calloc(1, sizeof(bool));
	f->S = sc_lua_new(f->sc, 1, "/nonexistent/build");
	assert_non_null(f->S);
	assert_int_equal(sc_lua_set_lib_dir(f->S, lib), 0);
	return sc_lua_load(f->S, &f->err);
}

static int
load(struct fx *f, const char *body)
{
	return load_lib(f, body, libdir);
}

static void
load_ok(struct fx *f, const char *body)
{
	int rc = load(f, body);
	if (rc != 0)
		print_error("unexpected load error: %s\n", f->err.msg);
	assert_int_equal(rc, 0);
}

/* The load fails with DD_EINVAL, "drill.lua:LINE:" (line > 0) and needle. */
static void
load_fails(struct fx *f, const char *body, int line, const char *needle)
{
	char where[32];

	assert_int_equal(load(f, body), DD_EINVAL);
	snprintf(where, sizeof(where), "drill.lua:%d:", line);
	if ((line > 0 && strstr(f->err.msg, where) == NULL) || strstr(f->err.msg, needle) == NULL) {
		print_error("want '%s' and '%s' in: %s\n", line > 0 ? where : "", needle, f->err.msg);
		fail();
	}
}

/* ---------------- use ---------------- */

static void
test_use_returns_and_caches(void **state)
{
	struct fx *f = *state;

	/* the library declares a host: a second run of it would fail as
	 * "declared twice", so once per state is observable */
	put_lib("mylib.lua", "host \"fromlib\" {}\nlocal M = { n = 7 }\n"
	    "function M.double(x) return 2 * x end\nreturn M\n");
	load_ok(f, "local a = use \"mylib\"\nlocal b = use \"mylib\"\n"
	    "assert(rawequal(a, b))\nassert(a.n == 7 and a.double(4) == 8)\n"
	    "host \"h2\" {}\n");
	assert_non_null(scenario_host(f->sc, "fromlib"));
	assert_non_null(scenario_host(f->sc, "h2"));
	/* a chunk that returns nothing gives true */
	put_lib("noret.lua", "local x = 1\n");
	load_ok(f, "assert(use \"noret\" == true)\n");
}

static void
test_use_bad_names(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = { "Stub", "../stub", "a/b", "", "x.lua", "1abc",
		"-x", "lib/../stub", "a b", NULL };
	char body[128];

	for (const char *const *b = bad; *b; b++) {
		snprintf(body, sizeof(body), "\n\nuse \"%s\"\n", *b);
		load_fails(f, body, 5, "library name");
	}
	load_fails(f, "use(42 < 1)\n", 3, "string expected");
}

static void
test_use_missing_and_outside(void **state)
{
	struct fx *f = *state;
	char outside[256], link[256];

	load_fails(f, "use \"nosuch\"\n", 3, "no library");
	assert_non_null(strstr(f->err.msg, "nosuch.lua"));
	/* a symbolic link out of the folder is refused */
	snprintf(outside, sizeof(outside), "%s/outside.lua", tmpdir);
	put(outside, "return 1\n");
	snprintf(link, sizeof(link), "%s/evil.lua", libdir);
	assert_int_equal(symlink(outside, link), 0);
	load_fails(f, "use \"evil\"\n", 3, "leads out of the scenario library");
	/* a folder that is not there */
	assert_int_equal(load_lib(f, "use \"stub\"\n", "/nonexistent/lib"), DD_EINVAL);
	assert_non_null(strstr(f->err.msg, "/nonexistent/lib"));
}

static void
test_use_errors_name_library_line(void **state)
{
	struct fx *f = *state;

	put_lib("boom.lua", "local M = {}\nerror(\"kaboom\")\nreturn M\n");
	assert_int_equal(load(f, "use \"boom\"\n"), DD_EINVAL);
	assert_non_null(strstr(f->err.msg, "boom.lua:2: kaboom"));
	put_lib("syntax.lua", "local M = {\nreturn M\n");
	assert_int_equal(load(f, "use \"syntax\"\n"), DD_EINVAL);
	assert_non_null(strstr(f->err.msg, "syntax.lua:2:"));
	/* same sandbox: strict globals, no io */
	put_lib("glob.lua", "leaked = 1\n");
	assert_int_equal(load(f, "use \"glob\"\n"), DD_EINVAL);
	assert_non_null(strstr(f->err.msg, "glob.lua:1: assignment to undeclared global 'leaked'"));
	put_lib("io.lua", "return io.open(\"/etc/passwd\")\n");
	assert_int_equal(load(f, "use \"io\"\n"), DD_EINVAL);
	assert_non_null(strstr(f->err.msg, "'io' is not defined"));
	/* a cycle */
	put_lib("a.lua", "return use \"b\"\n");
	put_lib("b.lua", "return use \"a\"\n");
	assert_int_equal(load(f, "use \"a\"\n"), DD_EINVAL);
	assert_non_null(strstr(f->err.msg, "a cycle"));
}

static void
test_use_declaration_lines_are_the_scenarios(void **state)
{
	struct fx *f = *state;

	/* a declaration a library makes is placed where the scenario called
	 * it: messages name the scenario's file */
	put_lib("mk.lua", "local M = {}\nfunction M.proc(name, host)\n"
	    "  process(name) { host = host, cmd = { \"true\" } }\nend\nreturn M\n");
	load_fails(f, "local mk = use \"mk\"\n\nmk.proc(\"p\", \"nohost\")\n", 5,
	    "process 'p': unknown host 'nohost'");
	load_ok(f, "local mk = use \"mk\"\nmk.proc(\"p\", \"h\")\n");
	assert_int_equal(scenario_proc(f->sc, "p")->line, 4);
}

static void
mkdirs(const char *path)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static void
test_lib_dir_default(void **state)
{
	char build[256], path[256], want[PATH_MAX], *got;

	(void)state;
	snprintf(build, sizeof(build), "%s/bin", tmpdir);
	mkdirs(build);
	/* installed: PREFIX/bin/../share/dnsdrill/scenarios/lib */
	snprintf(want, sizeof(want), "%s/share/dnsdrill/scenarios/lib", tmpdir);
	mkdirs(want);
	got = sc_lua_lib_dir_default(build);
	assert_string_equal(got, want);
	free(got);
	/* a checkout (BUILD/../scenarios/lib) comes first */
	snprintf(path, sizeof(path), "%s/scenarios/lib", tmpdir);
	mkdirs(path);
	got = sc_lua_lib_dir_default(build);
	assert_string_equal(got, path);
	free(got);
}

static void
test_stub_library(void **state)
{
	struct fx *f = *state;

	/* the shipped library, from the checkout (tests run at its root) */
	assert_int_equal(load_lib(f, "local stub = use \"stub\"\n"
	    "host \"c\" { resolv = stub.resolv { \"198.18.0.53\", \"198.18.0.54\", "
	    "timeout = 1, attempts = 3, rotate = true } }\n"
	    "host \"d\" { resolv = stub.resolv { \"198.18.0.9\" } }\n", "scenarios/lib"), 0);
	const struct sc_host *c = scenario_host(f->sc, "c");
	assert_non_null(c);
	assert_non_null(strstr(c->resolv, "nameserver 198.18.0.53\nnameserver 198.18.0.54\n"));
	assert_non_null(strstr(c->resolv, "timeout:1"));
	assert_non_null(strstr(c->resolv, "attempts:3"));
	assert_non_null(strstr(c->resolv, "rotate"));
	assert_null(strstr(scenario_host(f->sc, "d")->resolv, "options"));
	assert_int_equal(load_lib(f, "local stub = use \"stub\"\n"
	    "host \"c\" { resolv = stub.resolv { \"198.18.0.53\", tiemout = 1 } }\n",
	    "scenarios/lib"), DD_EINVAL);
	assert_non_null(strstr(f->err.msg, "drill.lua:4: stub.resolv: unknown option 'tiemout'"));
}

/* ---------------- files, version, scratch ---------------- */

static void
test_files(void **state)
{
	struct fx *f = *state;

	load_ok(f, "process \"p\" { host = \"h\", cmd = { \"true\" },\n"
	    "  files = { [\"unbound.conf\"] = \"server:\\n\", [\".hidden\"] = \"x\" } }\n");
	const struct sc_process *p = scenario_proc(f->sc, "p");
	assert_int_equal(p->n_files, 2);
	for (size_t i = 0; i < 2; i++) {
		if (strcmp(p->files[i].key, "unbound.conf") == 0)
			assert_string_equal(p->files[i].value, "server:\n");
		else
			assert_string_equal(p->files[i].key, ".hidden");
	}
	static const struct { const char *files, *needle; } bad[] = {
		{ "{ [\"a/b\"] = \"x\" }", "has a '/'" },
		{ "{ [\"..\"] = \"x\" }", "is not a file name" },
		{ "{ [\".\"] = \"x\" }", "is not a file name" },
		{ "{ [\"...\"] = \"x\" }", "is not a file name" },
		{ "{ [\"\"] = \"x\" }", "1 to 255" },
		{ "{ \"x\" }", "keys are file names" },
		{ "{ a = 1 }", "must be a string" },
		{ "{ a = { } }", "must be a string" },
		{ "\"text\"", "files must be a table" },
	};
	char body[256];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "process \"p\" { host = \"h\", cmd = { \"true\" },\n"
		    "  files = %s }\n", bad[i].files);
		load_fails(f, body, 3, bad[i].needle);
	}
}

static void
test_version_field(void **state)
{
	struct fx *f = *state;

	load_ok(f, "process \"p\" { host = \"h\", cmd = { \"true\" }, version = { \"unbound\", \"-V\" } }\n");
	const struct sc_process *p = scenario_proc(f->sc, "p");
	assert_int_equal(p->version_argc, 2);
	assert_string_equal(p->version_argv[0], "unbound");
	assert_string_equal(p->version_argv[1], "-V");
	load_ok(f, "process \"p\" { host = \"h\", cmd = { \"true\" } }\n");
	assert_int_equal(scenario_proc(f->sc, "p")->version_argc, 0);
	load_fails(f, "process \"p\" { host = \"h\", cmd = { \"true\" }, version = \"unbound -V\" }\n",
	    3, "version must be a command");
	load_fails(f, "process \"p\" { host = \"h\", cmd = { \"true\" }, version = {} }\n",
	    3, "names no program");
}

static void
test_scratch_placeholders(void **state)
{
	struct fx *f = *state;
	struct dd_err e;
	char *x;

	load_ok(f, "assert(scratch() == \"" SC_SCRATCH_TOKEN "\")\n"
	    "assert(scratch(\"q\") == \"{{scratch:q}}\")\n"
	    "process \"p\" { host = \"h\", cmd = { \"prog\", \"-c\", scratch() .. \"/p.conf\" },\n"
	    "  files = { [\"p.conf\"] = \"pidfile: \" .. scratch() .. \"/pid\\nother: \" .. scratch(\"q\") } }\n"
	    "process \"q\" { host = \"h\", cmd = { \"true\" } }\n");
	const struct sc_process *p = scenario_proc(f->sc, "p");
	x = scenario_scratch_expand(f->sc, "p", "/out", p->argv[2], &e);
	assert_string_equal(x, "/out/scratch/p/p.conf");
	free(x);
	x = scenario_scratch_expand(f->sc, "p", "/out", p->files[0].value, &e);
	assert_string_equal(x, "pidfile: /out/scratch/p/pid\nother: /out/scratch/q");
	free(x);
	/* text that only looks like it stays */
	x = scenario_scratch_expand(f->sc, "p", "/out", "{{scratchy}} {{scratch", &e);
	assert_string_equal(x, "{{scratchy}} {{scratch");
	free(x);
	assert_null(scenario_scratch_expand(f->sc, "p", "/out", "{{scratch:zz}}", &e));
	assert_non_null(strstr(e.msg, "no process named 'zz'"));
	/* checked at load: a placeholder naming no process */
	load_fails(f, "\nprocess \"p\" { host = \"h\", cmd = { \"cat\", scratch(\"nobody\") .. \"/x\" } }\n",
	    4, "no process named 'nobody'");
	load_fails(f, "local s = scratch(\"a/b\")\n", 3, "not a process name");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_use_returns_and_caches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_use_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_use_missing_and_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_use_errors_name_library_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_use_declaration_lines_are_the_scenarios, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lib_dir_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stub_library, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratch_placeholders, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
