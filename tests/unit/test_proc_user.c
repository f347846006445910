/*
 * test_proc_user.c -- `user =` and `group =` on process declarations: the
 * declaration checks (the user and group must exist on this machine, group
 * needs user, both are strings; errors carry FILE:LINE) and the lookup the
 * runner does before dropping privileges (proc_ids_lookup).  No network; no
 * process is started (tests/integration/dnsdrill_user.sh runs one).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "harness/lua_api.h"
#include "harness/proc.h"
#include "harness/scenario.h"

static char tmpdir[64];

struct fx {
	struct scenario *sc;
	struct sc_lua *S;
	struct dd_err err;
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

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dd-test-user.XXXXXX");
	if (f == NULL || mkdtemp(tmpdir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char path[128];

	fx_clear(f);
	free(f);
	snprintf(path, sizeof(path), "%s/drill.lua", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

/* Load the declarations in text (as tmpdir/drill.lua). */
static int
load(struct fx *f, const char *text)
{
	char path[128];
	FILE *fp;

	fx_clear(f);
	memset(&f->err, 0, sizeof(f->err));
	snprintf(path, sizeof(path), "%s/drill.lua", tmpdir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fputs("timeline(function() end)\n", fp);
	fclose(fp);
	f->sc = scenario_new(path);
	assert_non_null(f->sc);
	f->sc->set_used = calloc(1, sizeof(bool));
	assert_non_null(f->sc->set_used);
	f->S = sc_lua_new(f->sc, 1, "/opt/dd/build");
	assert_non_null(f->S);
	return sc_lua_load(f->S, &f->err);
}

static void
load_err(struct fx *f, const char *text, const char *where, const char *needle)
{
	int rc = load(f, text);

	if (rc != DD_EINVAL || strstr(f->err.msg, where) == NULL ||
	    strstr(f->err.msg, needle) == NULL)
		print_error("rc %d, message: %s\n(want '%s' and '%s')\n", rc, f->err.msg,
		    where, needle);
	assert_int_equal(rc, DD_EINVAL);
	assert_non_null(strstr(f->err.msg, where));
	assert_non_null(strstr(f->err.msg, needle));
}

#define HEAD "host \"h\" {}\n"

static void
test_user_declared(void **state)
{
	struct fx *f = *state;
	const struct group *g = getgrgid(0);
	char text[256];
	struct sc_process *p;

	assert_non_null(g);
	snprintf(text, sizeof(text), HEAD
	    "process \"a\" { host = \"h\", cmd = \"x\", user = \"nobody\" }\n"
	    "process \"b\" { host = \"h\", cmd = \"x\", user = \"nobody\", group = \"%s\" }\n"
	    "process \"c\" { host = \"h\", cmd = \"x\" }\n", g->gr_name);
	assert_int_equal(load(f, text), 0);
	p = scenario_proc(f->sc, "a");
	assert_non_null(p);
	assert_string_equal(p->user, "nobody");
	assert_null(p->group);
	p = scenario_proc(f->sc, "b");
	assert_string_equal(p->user, "nobody");
	assert_string_equal(p->group, g->gr_name);
	p = scenario_proc(f->sc, "c");
	assert_null(p->user);      /* no drop: runs as dnsdrill does */
	assert_null(p->group);
}

static void
test_user_errors(void **state)
{
	struct fx *f = *state;

	load_err(f, HEAD "process \"a\" { host = \"h\", cmd = \"x\",\n"
	    "  user = \"dd-no-such-user\" }\n", "drill.lua:2:",
	    "process 'a': user 'dd-no-such-user': no such user on this machine");
	load_err(f, HEAD "\nprocess \"a\" { host = \"h\", cmd = \"x\", user = \"nobody\", "
	    "group = \"dd-no-such-group\" }\n", "drill.lua:3:",
	    "group 'dd-no-such-group': no such group on this machine");
	load_err(f, HEAD "process \"a\" { host = \"h\", cmd = \"x\", group = \"root\" }\n",
	    "drill.lua:2:", "group = \"root\" needs user");
	load_err(f, HEAD "process \"a\" { host = \"h\", cmd = \"x\", user = { \"nobody\" } }\n",
	    "drill.lua:2:", "user");
	load_err(f, HEAD "process \"a\" { host = \"h\", cmd = \"x\", usr = \"nobody\" }\n",
	    "drill.lua:2:", "unknown field 'usr'");
}

static void
test_ids_lookup(void **state)
{
	const struct passwd *pw = getpwnam("nobody");
	const struct group *g = getgrgid(0);
	struct proc_ids ids;
	struct dd_err e = { "" };
	bool has_gid = false;

	(void)state;
	assert_non_null(pw);
	assert_non_null(g);
	assert_int_equal(proc_ids_lookup("nobody", NULL, &ids, &e), 0);
	assert_int_equal(ids.uid, pw->pw_uid);
	assert_int_equal(ids.gid, pw->pw_gid);
	/* the supplementary groups include the chosen group, as initgroups */
	for (size_t i = 0; i < ids.ngroups; i++)
		has_gid |= ids.groups[i] == ids.gid;
	assert_true(has_gid);
	assert_int_equal(proc_ids_lookup("nobody", g->gr_name, &ids, &e), 0);
	assert_int_equal(ids.uid, pw->pw_uid);
	assert_int_equal(ids.gid, 0);
	assert_int_equal(proc_ids_lookup("dd-no-such-user", NULL, &ids, &e), DD_EINVAL);
	assert_non_null(strstr(e.msg, "user 'dd-no-such-user': no such user"));
	assert_int_equal(proc_ids_lookup("root", "dd-no-such-group", &ids, &e), DD_EINVAL);
	assert_non_null(strstr(e.msg, "group 'dd-no-such-group': no such group"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_user_declared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_errors, setup, teardown),
		cmocka_unit_test(test_ids_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
