/*
 * test_netns_journal.c -- the undo journal: line format, write-ahead and
 * replay, build steps and their hook, idempotence, process stopping, the
 * signal handlers, cleanup of dead runs versus live ones, and freeing a
 * topology (which leaves its journal alone).  Uses a temporary run root and
 * plain files and processes, so it needs no privilege.
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

#include "netns/journal.h"
#include "netns/netns.h"
#include "netns/topo.h"

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
	char line[NN_JR_PATH_MAX + 64];

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

	/* a host's private /tmp: an absolute, dotless path as well */
	a.kind = NN_JR_MOUNT;
	a.pid = 0;
	a.start = 0;
	snprintf(a.arg, sizeof(a.arg), "/run/dnsdrill/abc/tmp-client");
	nn_jr_format(&a, line, sizeof(line));
	assert_string_equal(line, "mount 0 0 /run/dnsdrill/abc/tmp-client\n");
	assert_int_equal(nn_jr_parse(line, &b), 0);
	assert_int_equal(b.kind, NN_JR_MOUNT);
	assert_int_equal(nn_jr_parse("mount 0 0 relative\n", &b), DD_EINVAL);
	assert_int_equal(nn_jr_parse("mount 0 0 /run/../etc\n", &b), DD_EINVAL);

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

/* The test hook of nn_jr_step: remembers what it saw, refuses one step. */
struct hook_log {
	int calls, refuse_at;
	int steps[8];
	char what[8][NN_JR_PATH_MAX + 16];
};

static int
log_hook(void *arg, int step, const char *what)
{
	struct hook_log *h = arg;

	if (h->calls < 8) {
		h->steps[h->calls] = step;
		snprintf(h->what[h->calls], sizeof(h->what[0]), "%s", what);
	}
	h->calls++;
	return step == h->refuse_at;
}

/* Steps are journaled in order and replayed backwards: a directory holding
 * what was made after it is only empty (and removable) once its contents
 * are gone, so a forward replay would leave the outer ones behind. */
static void
test_step_replay_order(void **state)
{
	struct hook_log hl = { 0, 0, { 0 }, { "" } };
	struct nn_jr j;
	struct dd_err e = { "" };
	char d1[256], d2[300], f[340], path[300], *line = NULL;
	size_t cap = 0;
	FILE *fp;

	snprintf(d1, sizeof(d1), "%s/outer", root);
	snprintf(d2, sizeof(d2), "%s/inner", d1);
	snprintf(f, sizeof(f), "%s/file", d2);
	nn_jr_init(&j);
	nn_jr_set_hook(&j, log_hook, &hl);
	assert_int_equal(nn_jr_open(&j, root, "order", &e), 0);
	assert_int_equal(nn_jr_step(&j, NN_JR_DIR, d1, &e), 0);
	assert_int_equal(mkdir(d1, 0755), 0);
	assert_int_equal(nn_jr_step(&j, NN_JR_DIR, d2, &e), 0);
	assert_int_equal(mkdir(d2, 0755), 0);
	assert_int_equal(nn_jr_step(&j, NN_JR_FILE, f, &e), 0);
	touch(f);

	/* the hook saw each step, numbered from 1, as "KIND ARG" */
	assert_int_equal(hl.calls, 3);
	assert_int_equal(hl.steps[0], 1);
	assert_int_equal(hl.steps[2], 3);
	snprintf(path, sizeof(path), "dir %s", d1);
	assert_string_equal(hl.what[0], path);
	snprintf(path, sizeof(path), "file %s", f);
	assert_string_equal(hl.what[2], path);

	/* the file lists them after the owner, in the order taken */
	snprintf(path, sizeof(path), "%s/order/journal", root);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_true(getline(&line, &cap, fp) > 0);
	assert_non_null(strstr(line, "owner "));
	assert_true(getline(&line, &cap, fp) > 0);
	assert_non_null(strstr(line, d1));
	assert_null(strstr(line, "inner"));
	assert_true(getline(&line, &cap, fp) > 0);
	assert_non_null(strstr(line, "inner"));
	assert_null(strstr(line, "file"));
	assert_true(getline(&line, &cap, fp) > 0);
	assert_non_null(strstr(line, "file 0 0 "));
	free(line);
	fclose(fp);

	assert_int_equal(nn_jr_undo(&j), 0);
	assert_false(exists(f));
	assert_false(exists(d2));
	assert_false(exists(d1));
	nn_jr_free(&j);
}

/* A refused step is not journaled and nothing may be made for it; the
 * count goes on; a closed journal refuses with a message. */
static void
test_step_refused(void **state)
{
	struct hook_log hl = { 0, 2, { 0 }, { "" } };
	struct nn_jr j, closed;
	struct dd_err e = { "" };
	char a[256], b[256];
	int n;

	snprintf(a, sizeof(a), "%s/a", root);
	snprintf(b, sizeof(b), "%s/b", root);
	nn_jr_init(&closed);
	assert_int_equal(nn_jr_step(&closed, NN_JR_FILE, a, &e), DD_EINVAL);
	assert_non_null(strstr(e.msg, "/journal: "));
	assert_int_equal((int)closed.n, 0);
	nn_jr_init(&j);
	nn_jr_set_hook(&j, log_hook, &hl);
	assert_int_equal(nn_jr_open(&j, root, "refuse", &e), 0);
	assert_int_equal(nn_jr_step(&j, NN_JR_FILE, a, &e), 0);
	n = (int)j.n;
	assert_int_equal(nn_jr_step(&j, NN_JR_FILE, b, &e), DD_EIO);
	assert_non_null(strstr(e.msg, "injected failure at step 2 (file "));
	assert_int_equal((int)j.n, n);
	assert_int_equal(nn_jr_step(&j, NN_JR_FILE, b, &e), 0);
	assert_int_equal(j.step, 3);
	assert_int_equal((int)j.n, n + 1);
	nn_jr_undo(&j);
	nn_jr_free(&j);
}

/* An entry disowned right after its step (the object was there before
 * us) is left alone by undo. */
static void
test_disown_last(void **state)
{
	struct nn_jr j;
	struct dd_err e = { "" };
	char mine[256], theirs[256];

	snprintf(mine, sizeof(mine), "%s/mine", root);
	snprintf(theirs, sizeof(theirs), "%s/theirs", root);
	touch(theirs);
	nn_jr_init(&j);
	nn_jr_disown_last(&j);  /* nothing yet: no-op */
	assert_int_equal(nn_jr_open(&j, root, "disown", &e), 0);
	assert_int_equal(nn_jr_step(&j, NN_JR_FILE, mine, &e), 0);
	touch(mine);
	assert_int_equal(nn_jr_step(&j, NN_JR_FILE, theirs, &e), 0);
	nn_jr_disown_last(&j);
	assert_int_equal(nn_jr_undo(&j), 0);
	assert_false(exists(mine));
	assert_true(exists(theirs));
	nn_jr_free(&j);
}

/* SIGTERM with handlers installed: every journal still registered is
 * undone and the process dies by the signal; a journal freed before is no
 * longer touched. */
static void
test_signal_undoes_caught(void **state)
{
	char kept[256], undone[256];
	int status;
	pid_t pid;

	snprintf(kept, sizeof(kept), "%s/kept", root);
	snprintf(undone, sizeof(undone), "%s/undone", root);
	touch(kept);
	touch(undone);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct nn_jr gone, live;
		struct dd_err e = { "" };

		nn_jr_init(&gone);
		nn_jr_init(&live);
		if (nn_jr_open(&gone, root, "gone", &e) < 0 ||
		    nn_jr_add(&gone, NN_JR_FILE, kept, 0, 0) < 0 ||
		    nn_jr_catch_signals(&gone) < 0)
			_exit(10);
		/* its memory stays readable, so a handler that still knew it
		 * would replay it and remove its run directory */
		nn_jr_free(&gone);
		if (nn_jr_open(&live, root, "live", &e) < 0 ||
		    nn_jr_add(&live, NN_JR_FILE, undone, 0, 0) < 0 ||
		    nn_jr_catch_signals(&live) < 0 || nn_jr_catch_signals(&live) < 0)
			_exit(11);
		raise(SIGTERM);
		_exit(12);  /* not reached */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_false(exists(undone));
	assert_true(exists(kept));
	/* the freed run stays for cleanup; the undone one is gone whole */
	snprintf(undone, sizeof(undone), "%s/live", root);
	assert_false(exists(undone));
	snprintf(kept, sizeof(kept), "%s/gone/journal", root);
	assert_true(exists(kept));
}

/* Freeing a topology frees memory only: what its build made and its
 * journal stay (its lock goes), so cleanup can still remove them; tearing
 * down is the caller's explicit act. */
static void
test_topo_free_keeps_journal(void **state)
{
	struct netns_topo *t = netns_topo_new("tf");
	char made[256], path[300], *text;
	struct dd_err e = { "" };
	int removed = -1;
	FILE *f;

	assert_non_null(t);
	snprintf(made, sizeof(made), "%s/made-by-build", root);
	assert_int_equal(netns_set_run_root(t, root), 0);
	/* what netns_build() does first, without needing privilege */
	assert_int_equal(nn_jr_open(&t->jr, t->root, t->run_id, &t->err), 0);
	t->built = true;
	assert_int_equal(nn_jr_step(&t->jr, NN_JR_FILE, made, &t->err), 0);
	touch(made);
	assert_int_equal(netns_catch_signals(t), 0);
	netns_topo_free(t);

	assert_true(exists(made));
	snprintf(path, sizeof(path), "%s/tf/journal", root);
	f = fopen(path, "r");
	assert_non_null(f);
	text = calloc(1, 4096);
	assert_non_null(text);
	assert_true(fread(text, 1, 4095, f) > 0);
	fclose(f);
	assert_non_null(strstr(text, "owner "));
	assert_non_null(strstr(text, made));
	free(text);

	/* no lock held any more: a dead run to cleanup */
	assert_int_equal(netns_cleanup(root, &removed, &e), 0);
	assert_int_equal(removed, 1);
	assert_false(exists(made));
	assert_false(exists(path));
}

/* The explicit way: teardown undoes, once; free after it has nothing left
 * to leave behind. */
static void
test_teardown_then_free(void **state)
{
	struct netns_topo *t = netns_topo_new("td");
	char made[256], dir[256];
	int removed = -1;

	assert_non_null(t);
	snprintf(made, sizeof(made), "%s/made-by-build", root);
	snprintf(dir, sizeof(dir), "%s/td", root);
	assert_int_equal(netns_teardown(t), 0);  /* not built: nothing to do */
	assert_int_equal(netns_set_run_root(t, root), 0);
	assert_int_equal(nn_jr_open(&t->jr, t->root, t->run_id, &t->err), 0);
	t->built = true;
	assert_int_equal(nn_jr_step(&t->jr, NN_JR_FILE, made, &t->err), 0);
	touch(made);
	assert_int_equal(netns_teardown(t), 0);
	assert_false(exists(made));
	assert_false(exists(dir));
	touch(made);  /* someone else's now: a second teardown leaves it */
	assert_int_equal(netns_teardown(t), 0);
	assert_true(exists(made));
	netns_topo_free(t);
	assert_int_equal(netns_cleanup(root, &removed, NULL), 0);
	assert_int_equal(removed, 0);
	assert_true(exists(made));
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
		cmocka_unit_test_setup_teardown(test_step_replay_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_step_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disown_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_undoes_caught, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topo_free_keeps_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_teardown_then_free, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
