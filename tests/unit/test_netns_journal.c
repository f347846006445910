/*
 * test_netns_journal.c -- the undo journal: line format, write-ahead and
 * replay, idempotence, process stopping, and cleanup of dead runs versus
 * live ones.  Uses a temporary run root and plain files and processes, so
 * it needs no privilege.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns/internal.h"

static char root[128];

static int
setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/dd-jr-test-XXXXXX");
	return mkdtemp(root) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void
touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);

	assert_true(fd >= 0);
	close(fd);
}

static void
test_format_parse(void **state)
{
	struct nn_jr_entry a, b;
	char line[NN_PATH_MAX + 64];

	memset(&a, 0, sizeof(a));
	a.kind = NN_JR_NETNS;
	snprintf(a.arg, sizeof(a.arg), "/run/netns/dd-abc-client");
	assert_true(nn_jr_format(&a, line, sizeof(line)) > 0);
	assert_string_equal(line, "netns 0 0 /run/netns/dd-abc-client\n");
	assert_int_equal(nn_jr_parse(line, &b), 0);
	assert_int_equal(b.kind, NN_JR_NETNS);
	assert_string_equal(b.arg, a.arg);

	a.kind = NN_JR_PROC;
	a.pid = 4242;
	a.start = 123456789ULL;
	snprintf(a.arg, sizeof(a.arg), "dd-abc-client");
	assert_true(nn_jr_format(&a, line, sizeof(line)) > 0);
	assert_int_equal(nn_jr_parse(line, &b), 0);
	assert_int_equal(b.pid, 4242);
	assert_true(b.start == 123456789ULL);

	/* paths with spaces survive; an empty argument is "-" */
	a.kind = NN_JR_FILE;
	snprintf(a.arg, sizeof(a.arg), "/tmp/a b");
	nn_jr_format(&a, line, sizeof(line));
	assert_int_equal(nn_jr_parse(line, &b), 0);
	assert_string_equal(b.arg, "/tmp/a b");
	a.kind = NN_JR_OWNER;
	a.arg[0] = '\0';
	nn_jr_format(&a, line, sizeof(line));
	assert_int_equal(nn_jr_parse(line, &b), 0);
	assert_string_equal(b.arg, "");

	/* refused */
	assert_int_equal(nn_jr_parse("bogus 0 0 /x\n", &b), DD_EINVAL);
	assert_int_equal(nn_jr_parse("file 0 0 relative/path\n", &b), DD_EINVAL);
	assert_int_equal(nn_jr_parse("dir 0 0 /run/../etc\n", &b), DD_EINVAL);
	assert_int_equal(nn_jr_parse("file 0\n", &b), DD_EINVAL);
	assert_int_equal(nn_jr_parse("file -3 0 /x\n", &b), DD_EINVAL);
	assert_int_equal(nn_jr_parse("", &b), DD_EINVAL);
	assert_int_equal(nn_jr_parse(NULL, &b), DD_EINVAL);
	a.kind = 99;
	assert_int_equal(nn_jr_format(&a, line, sizeof(line)), DD_EINVAL);
	a.kind = NN_JR_FILE;
	snprintf(a.arg, sizeof(a.arg), "/a\nb");
	assert_int_equal(nn_jr_format(&a, line, sizeof(line)), DD_EINVAL);
	snprintf(a.arg, sizeof(a.arg), "/abc");
	assert_int_equal(nn_jr_format(&a, line, 8), DD_ENOSPACE);
}

static void
test_write_ahead_and_undo(void **state)
{
	struct nn_jr j;
	struct dd_err e = { "" };
	char dir[256], file[256], path[300], *text = NULL;
	size_t cap = 0;
	FILE *f;

	nn_jr_init(&j);
	assert_int_equal(nn_jr_open(&j, root, "run1", &e), 0);
	snprintf(dir, sizeof(dir), "%s/made-dir", root);
	snprintf(file, sizeof(file), "%s/made-dir/file", root);
	assert_int_equal(nn_jr_add(&j, NN_JR_DIR, dir, 0, 0), 0);
	mkdir(dir, 0755);
	assert_int_equal(nn_jr_add(&j, NN_JR_FILE, file, 0, 0), 0);
	touch(file);
	/* journaled but never created (as after a crash): harmless */
	assert_int_equal(nn_jr_add(&j, NN_JR_FILE, "/tmp/dd-jr-never-created", 0, 0), 0);

	/* the file has every entry, in order, before undo */
	snprintf(path, sizeof(path), "%s/run1/journal", root);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(getline(&text, &cap, f) > 0);
	assert_non_null(strstr(text, "owner"));
	assert_true(getline(&text, &cap, f) > 0);
	assert_non_null(strstr(text, "dir 0 0 "));
	assert_true(getline(&text, &cap, f) > 0);
	assert_non_null(strstr(text, "file 0 0 "));
	free(text);
	fclose(f);

	assert_int_equal(nn_jr_undo(&j), 0);
	assert_false(exists(file));
	assert_false(exists(dir));
	snprintf(path, sizeof(path), "%s/run1", root);
	assert_false(exists(path));
	/* again: nothing to do, no error */
	assert_int_equal(nn_jr_undo(&j), 0);
	nn_jr_free(&j);
	nn_jr_free(NULL);
}

static void
test_run_id_taken(void **state)
{
	struct nn_jr a, b;
	struct dd_err e = { "" };

	nn_jr_init(&a);
	nn_jr_init(&b);
	assert_int_equal(nn_jr_open(&a, root, "same", &e), 0);
	assert_int_equal(nn_jr_open(&b, root, "same", &e), -EEXIST);
	assert_non_null(strstr(e.msg, "already exists"));
	nn_jr_undo(&a);
	nn_jr_free(&a);
	nn_jr_free(&b);
}

static void
test_dir_shared_not_removed(void **state)
{
	struct nn_jr j;
	struct dd_err e = { "" };
	char dir[256], other[300];

	/* a shared parent holding another run's file stays */
	nn_jr_init(&j);
	assert_int_equal(nn_jr_open(&j, root, "run2", &e), 0);
	snprintf(dir, sizeof(dir), "%s/shared", root);
	snprintf(other, sizeof(other), "%s/shared/other-run", root);
	assert_int_equal(nn_jr_add(&j, NN_JR_DIR, dir, 0, 0), 0);
	mkdir(dir, 0755);
	touch(other);
	assert_int_equal(nn_jr_undo(&j), 0);
	assert_true(exists(other));
	nn_jr_free(&j);
}

static pid_t
start_sleeper(bool ignore_term)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);
		if (ignore_term)
			signal(SIGTERM, SIG_IGN);
		execlp("sleep", "sleep", "60", (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	/* wait until it is sleep (start time is fixed from fork on anyway) */
	for (int i = 0; i < 200 && nn_jr_proc_start(pid) == 0; i++)
		usleep(5000);
	return pid;
}

static void
test_undo_stops_processes(void **state)
{
	struct nn_jr j;
	struct dd_err e = { "" };
	pid_t p1, p2;

	nn_jr_init(&j);
	j.grace_ms = 300;
	assert_int_equal(nn_jr_open(&j, root, "run3", &e), 0);
	p1 = start_sleeper(false);
	p2 = start_sleeper(true);  /* needs the SIGKILL */
	assert_true(nn_jr_proc_start(p1) > 0);
	assert_int_equal(nn_jr_add(&j, NN_JR_PROC, "dd-run3-h", p1, nn_jr_proc_start(p1)), 0);
	assert_int_equal(nn_jr_add(&j, NN_JR_PROC, "dd-run3-h", p2, nn_jr_proc_start(p2)), 0);
	/* a stale entry: a pid with a start time that does not match must
	 * never be signalled */
	assert_int_equal(nn_jr_add(&j, NN_JR_PROC, "dd-run3-h", getpid(), 1), 0);
	assert_int_equal(nn_jr_undo(&j), 0);
	/* reaped by undo: no such child any more */
	assert_int_equal(waitpid(p1, NULL, WNOHANG), -1);
	assert_int_equal(waitpid(p2, NULL, WNOHANG), -1);
	assert_int_equal(nn_jr_proc_start(p1), 0);
	nn_jr_free(&j);
}

static void
test_proc_start(void **state)
{
	assert_true(nn_jr_proc_start(getpid()) > 0);
	assert_int_equal(nn_jr_proc_start(0), 0);
	assert_int_equal(nn_jr_proc_start(-1), 0);
}

static void
test_load_torn_journal(void **state)
{
	struct nn_jr j;
	struct dd_err e = { "" };
	char dir[256], path[300], a[300], b[300];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/dead1", root);
	mkdir(dir, 0700);
	snprintf(a, sizeof(a), "%s/a", root);
	snprintf(b, sizeof(b), "%s/b", root);
	touch(a);
	touch(b);
	snprintf(path, sizeof(path), "%s/journal", dir);
	f = fopen(path, "w");
	fprintf(f, "owner 1 1 -\nfile 0 0 %s\ngarbage line\nfile 0 0 %s", a, b);  /* torn */
	fclose(f);
	nn_jr_init(&j);
	assert_int_equal(nn_jr_load(&j, dir, &e), DD_EINVAL);
	assert_non_null(strstr(e.msg, ":3: unreadable"));
	assert_int_equal((int)j.n, 2);  /* owner + first file; torn line dropped */
	assert_int_equal(nn_jr_undo(&j), 0);
	assert_false(exists(a));
	assert_true(exists(b));  /* never journaled completely */
	assert_false(exists(dir));
	nn_jr_free(&j);
	unlink(b);
}

/* A dead run (lock free) is cleaned; a live one (lock held) is not. */
static void
test_cleanup_dead_not_live(void **state)
{
	struct nn_jr live;
	struct dd_err e = { "" };
	char dead_dir[256], path[300], fa[300], fb[300];
	int removed = -1;
	FILE *f;

	snprintf(fa, sizeof(fa), "%s/dead-file", root);
	snprintf(fb, sizeof(fb), "%s/live-file", root);
	touch(fa);
	touch(fb);

	/* dead: a journal and an unlocked lock file */
	snprintf(dead_dir, sizeof(dead_dir), "%s/deadrun", root);
	mkdir(dead_dir, 0700);
	snprintf(path, sizeof(path), "%s/lock", dead_dir);
	touch(path);
	snprintf(path, sizeof(path), "%s/journal", dead_dir);
	f = fopen(path, "w");
	fprintf(f, "owner 999999 1 -\nfile 0 0 %s\n", fa);
	fclose(f);

	/* live: opened by us, lock held */
	nn_jr_init(&live);
	assert_int_equal(nn_jr_open(&live, root, "liverun", &e), 0);
	assert_int_equal(nn_jr_add(&live, NN_JR_FILE, fb, 0, 0), 0);

	assert_int_equal(netns_cleanup(root, &removed, &e), 0);
	assert_int_equal(removed, 1);
	assert_false(exists(fa));
	assert_false(exists(dead_dir));
	assert_true(exists(fb));
	snprintf(path, sizeof(path), "%s/liverun/journal", root);
	assert_true(exists(path));

	/* once its owner lets go, it is cleaned too */
	close(live.lockfd);
	live.lockfd = -1;
	assert_int_equal(netns_cleanup(root, &removed, &e), 0);
	assert_int_equal(removed, 1);
	assert_false(exists(fb));
	nn_jr_free(&live);

	/* nothing left, and a missing root is not an error */
	assert_int_equal(netns_cleanup(root, &removed, &e), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(netns_cleanup("/tmp/dd-jr-no-such-root", &removed, &e), 0);
	assert_int_equal(removed, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test_setup_teardown(test_write_ahead_and_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_id_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_shared_not_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undo_stops_processes, setup, teardown),
		cmocka_unit_test(test_proc_start),
		cmocka_unit_test_setup_teardown(test_load_torn_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cleanup_dead_not_live, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
