/*
 * test_outdir.c -- a run's output folder: new or empty, a non-empty one
 * refused naming it and --force, --force emptying only what is inside
 * (symbolic links removed, never followed: what they point to stays), and
 * a default folder always a new one; a folder others could plant links in
 * (not ours, writable by group or others, itself a link) refused; the run's
 * files created new, never through a link planted at their path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/outdir.h"
#include "lib/util.h"

static char top[64];

static void
path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", top, rel);
}

static void
put_file(const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	path(p, sizeof(p), rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static bool
exists(const char *rel)
{
	char p[256];
	struct stat st;

	path(p, sizeof(p), rel);
	return lstat(p, &st) == 0;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/dd-test-outdir-XXXXXX");
	return mkdtemp(top) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_new_and_empty(void **state)
{
	struct dd_err err = { "" };
	char p[256];

	(void)state;
	path(p, sizeof(p), "a/b/run");
	assert_int_equal(outdir_prepare(p, false, &err), 0);
	assert_true(exists("a/b/run"));
	/* an empty one is fine as it is, twice */
	assert_int_equal(outdir_prepare(p, false, &err), 0);
	/* a file where the folder should be */
	put_file("file", "x");
	path(p, sizeof(p), "file");
	assert_int_equal(outdir_prepare(p, true, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "not a directory"));
	assert_true(exists("file"));
}

static void
test_refused_then_forced(void **state)
{
	struct dd_err err = { "" };
	char p[256], target[256], msg[512];

	(void)state;
	path(p, sizeof(p), "out");
	assert_int_equal(mkdir(p, 0755), 0);
	path(p, sizeof(p), "out/sub");
	assert_int_equal(mkdir(p, 0755), 0);
	path(p, sizeof(p), "out/sub/deeper");
	assert_int_equal(mkdir(p, 0755), 0);
	path(p, sizeof(p), "outside");
	assert_int_equal(mkdir(p, 0755), 0);
	put_file("outside/keep", "mine");
	put_file("precious", "mine too");
	put_file("out/old.pcap", "old run");
	put_file("out/sub/deeper/x.log", "old");
	put_file("out/.hidden", "old");
	path(target, sizeof(target), "outside");
	path(p, sizeof(p), "out/link-dir");
	assert_int_equal(symlink(target, p), 0);
	path(target, sizeof(target), "precious");
	path(p, sizeof(p), "out/sub/link-file");
	assert_int_equal(symlink(target, p), 0);
	path(p, sizeof(p), "out/dangling");
	assert_int_equal(symlink("/nonexistent/x", p), 0);

	path(p, sizeof(p), "out");
	assert_int_equal(outdir_prepare(p, false, &err), DD_EINVAL);
	snprintf(msg, sizeof(msg), "--out %s: the directory is not empty", p);
	assert_non_null(strstr(err.msg, msg));
	assert_non_null(strstr(err.msg, "--force"));
	assert_true(exists("out/old.pcap"));   /* refused: nothing touched */

	assert_int_equal(outdir_prepare(p, true, &err), 0);
	assert_true(exists("out"));
	assert_false(exists("out/old.pcap"));
	assert_false(exists("out/sub"));
	assert_false(exists("out/.hidden"));
	assert_false(exists("out/link-dir"));
	assert_false(exists("out/dangling"));
	/* what the links pointed at is untouched */
	assert_true(exists("outside/keep"));
	assert_true(exists("precious"));
	assert_int_equal(outdir_prepare(p, false, &err), 0);   /* empty now */
}

static void
test_create_new(void **state)
{
	struct dd_err err = { "" };
	char base[256], got[256], want[300];

	(void)state;
	path(base, sizeof(base), "dnsdrill-out/x-20260101-000000");
	assert_int_equal(outdir_create_new(base, got, sizeof(got), &err), 0);
	assert_string_equal(got, base);
	assert_int_equal(outdir_create_new(base, got, sizeof(got), &err), 0);
	snprintf(want, sizeof(want), "%s-2", base);
	assert_string_equal(got, want);
	assert_int_equal(outdir_create_new(base, got, sizeof(got), &err), 0);
	snprintf(want, sizeof(want), "%s-3", base);
	assert_string_equal(got, want);
	assert_int_equal(outdir_create_new(base, got, 8, &err), DD_EINVAL);
	assert_int_equal(outdir_empty(base, &err), 0);
	put_file("plain", "x");
	path(base, sizeof(base), "plain");
	assert_int_equal(outdir_empty(base, &err), DD_EINVAL);
}

/* --out names a folder another user could write in: refused, naming why */
static void
test_not_ours_refused(void **state)
{
	struct dd_err err = { "" };
	char dir[256], link[256];

	(void)state;
	path(dir, sizeof(dir), "shared");
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(outdir_prepare(dir, false, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "writable by everyone (mode 1777)"));
	assert_non_null(strstr(err.msg, dir));
	assert_int_equal(chmod(dir, 0775), 0);
	assert_int_equal(outdir_prepare(dir, true, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "writable by its group"));
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(outdir_prepare(dir, false, &err), 0);
	/* a link to a folder of ours is refused too: --force would empty
	 * whatever it points at */
	path(link, sizeof(link), "link");
	assert_int_equal(symlink(dir, link), 0);
	assert_int_equal(outdir_prepare(link, true, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "is a symbolic link"));
	if (geteuid() == 0) {
		assert_int_equal(chown(dir, 4242, 4242), 0);
		assert_int_equal(outdir_prepare(dir, false, &err), DD_EINVAL);
		assert_non_null(strstr(err.msg, "owned by uid 4242"));
	}
	/* a new folder made by us passes */
	path(dir, sizeof(dir), "fresh/run");
	assert_int_equal(outdir_prepare(dir, false, &err), 0);
}

/* the run's files are new files: a link planted at the path is neither
 * followed nor replaced, and what it points at stays as it was */
static void
test_open_new(void **state)
{
	char victim[256], at[256], dangling[256], fresh[256], buf[16] = "";
	FILE *f;
	int fd;

	(void)state;
	put_file("victim", "precious");
	path(victim, sizeof(victim), "victim");
	path(at, sizeof(at), "junit.xml");
	assert_int_equal(symlink(victim, at), 0);
	assert_int_equal(dd_open_new(at, 0644), -EEXIST);
	path(dangling, sizeof(dangling), "auth.stdout");
	path(fresh, sizeof(fresh), "created-through-link");
	assert_int_equal(symlink(fresh, dangling), 0);
	assert_int_equal(dd_open_new(dangling, 0644), -EEXIST);
	assert_false(exists("created-through-link"));
	f = fopen(victim, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "precious");
	fd = dd_open_new(fresh, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(dd_open_new(fresh, 0644), -EEXIST);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_and_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_then_forced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ours_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_new, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
