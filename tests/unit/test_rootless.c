/*
 * test_rootless.c -- rootless runs (doc/rootless.md) without entering
 * anything: the one-line message for each way user namespaces can be
 * unavailable (the cause and the fix), the mode chosen from the flags and
 * the uid, the flags taken out of argv, a process's `user` refused in
 * rootless mode (only root is mapped), and the per-host files root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "harness/proc.h"
#include "harness/rootless.h"
#include "netns/netns.h"

static const char *
explain(int e, long max, long clone, long aa)
{
	static char buf[600];
	struct netns_userns_sysctls s = { max, clone, aa };

	netns_userns_explain(e, &s, buf, sizeof(buf));
	assert_null(strchr(buf, '\n'));  /* one line */
	assert_non_null(strstr(buf, "user namespaces are unavailable"));
	assert_non_null(strstr(buf, "run dnsdrill as root"));
	return buf;
}

static void
messages_name_cause_and_fix(void **state)
{
	(void)state;
	assert_non_null(strstr(explain(ENOSPC, 0, -1, -1),
	    "user.max_user_namespaces is 0; set it with `sysctl -w user.max_user_namespaces=15000`"));
	/* the sysctl at 0 explains even a plain EPERM */
	assert_non_null(strstr(explain(EPERM, 0, -1, -1), "user.max_user_namespaces is 0"));
	assert_non_null(strstr(explain(ENOSPC, 7, -1, -1),
	    "the limit user.max_user_namespaces (7) is reached"));
	assert_non_null(strstr(explain(EPERM, 1000, 0, -1),
	    "kernel.unprivileged_userns_clone is 0; set it with `sysctl -w "
	    "kernel.unprivileged_userns_clone=1`"));
	assert_non_null(strstr(explain(EPERM, 1000, 1, 1),
	    "`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`"));
	assert_non_null(strstr(explain(EACCES, 1000, -1, 1), "AppArmor"));
	const char *m = explain(EPERM, 1000, 1, 0);
	assert_non_null(strstr(m, "seccomp"));
	assert_null(strstr(m, "sysctl"));
	assert_non_null(strstr(explain(EINVAL, 1000, -1, -1), "CONFIG_USER_NS"));
	assert_non_null(strstr(explain(EUSERS, 1000, -1, -1), "32 deep"));
	assert_non_null(strstr(explain(ENOMEM, 1000, -1, -1), strerror(ENOMEM)));
}

static void
mode_from_flags_and_uid(void **state)
{
	(void)state;
	assert_true(rootless_choose(-1, 1000));
	assert_false(rootless_choose(-1, 0));
	assert_true(rootless_choose(1, 0));
	assert_false(rootless_choose(0, 1000));
}

static void
flags_leave_argv(void **state)
{
	char a0[] = "dnsdrill", a1[] = "check", a2[] = "--rootless", a3[] = "x.lua",
	    a4[] = "--", a5[] = "--no-rootless";
	char *argv[] = { a0, a1, a2, a3, a4, a5, NULL };
	int argc = 6;

	(void)state;
	/* check only notes the mode; after "--" nothing is a flag */
	assert_int_equal(rootless_setup(&argc, argv), 0);
	assert_int_equal(argc, 5);
	assert_string_equal(argv[2], "x.lua");
	assert_string_equal(argv[3], "--");
	assert_string_equal(argv[4], "--no-rootless");
	assert_null(argv[5]);
	assert_true(rootless_active());

	char b2[] = "--no-rootless";
	char *argv2[] = { a0, a1, b2, a3, NULL };
	argc = 4;
	assert_int_equal(rootless_setup(&argc, argv2), 0);
	assert_int_equal(argc, 3);
	assert_false(rootless_active());

	char c2[] = "--rootless", c3[] = "--no-rootless";
	char *argv3[] = { a0, a1, c2, c3, a3, NULL };
	argc = 5;
	assert_int_equal(rootless_setup(&argc, argv3), 2);

	/* run --help enters nothing */
	char d1[] = "run", d2[] = "--help", d3[] = "--rootless";
	char *argv4[] = { a0, d1, d2, d3, NULL };
	argc = 4;
	assert_int_equal(rootless_setup(&argc, argv4), 0);
	assert_int_equal(argc, 3);
	assert_false(netns_rootless());
}

static void
user_refused_when_rootless(void **state)
{
	char a0[] = "dnsdrill", a1[] = "check", a2[] = "--rootless", b2[] = "--no-rootless";
	char *on[] = { a0, a1, a2, NULL }, *off[] = { a0, a1, b2, NULL };
	struct proc_ids ids;
	struct dd_err err = { "" };
	int argc = 3;

	(void)state;
	assert_int_equal(rootless_setup(&argc, on), 0);
	assert_int_equal(proc_ids_lookup("nobody", NULL, &ids, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "user 'nobody': a rootless run maps only root"));
	assert_int_equal(proc_ids_lookup("root", NULL, &ids, &err), 0);
	argc = 3;
	assert_int_equal(rootless_setup(&argc, off), 0);
	assert_int_equal(proc_ids_lookup("nobody", NULL, &ids, &err), 0);
	assert_int_not_equal(ids.uid, 0);
}

static void
etc_root(void **state)
{
	struct netns_topo *t = netns_topo_new("etc1");

	(void)state;
	assert_non_null(t);
	assert_string_equal(netns_etc_root(t), "/etc/netns");
	assert_int_equal(netns_set_etc_root(t, "relative/dir"), DD_EINVAL);
	assert_non_null(strstr(netns_errmsg(t), "must be an absolute path"));
	assert_int_equal(netns_set_etc_root(t, "/run/elsewhere"), 0);
	assert_string_equal(netns_etc_root(t), "/run/elsewhere");
	netns_topo_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(messages_name_cause_and_fix),
		cmocka_unit_test(mode_from_flags_and_uid),
		cmocka_unit_test(flags_leave_argv),
		cmocka_unit_test(user_refused_when_rootless),
		cmocka_unit_test(etc_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
