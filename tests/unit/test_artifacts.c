/*
 * test_artifacts.c -- a run's files on disk (reports/artifacts.c,
 * reports/render.c): every artefact written whole through a temporary file
 * and a rename (an old file is replaced, never rewritten in place, and a
 * failed write keeps it), nothing planted in the directory followed, errors
 * naming the file, and result.json read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "lib/err.h"
#include "model/result.h"
#include "reports/report.h"

/* A small result: two events, one expectation. */
static struct result *
make_result(void)
{
	struct result *r = result_new("artifacts <test>");
	struct score_value metric[SCORE_METRIC_COUNT] = { { 0 } };
	struct score_result s = { 0 };
	struct score_check check;
	struct score_expect ex;

	assert_non_null(r);
	assert_int_equal(score_expect_parse("failover_s < 3", &ex, NULL), 0);
	metric[SCORE_FAILOVER].has = true;
	metric[SCORE_FAILOVER].v = 1.5;
	score_check(&ex, metric, &check);
	memcpy(s.metric, metric, sizeof(metric));
	s.checks = &check;
	s.n_checks = 1;
	s.pass = check.pass;
	assert_int_equal(result_set_score(r, &s), 0);
	assert_int_equal(elog_mark(r->events, 10, "m", "</script>"), 0);
	assert_int_equal(elog_probe(r->events, 20, "p", true, 1.25, "ok"), 0);
	result_set_seed(r, 9);
	return r;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, n;
	FILE *mem;
	char chunk[4096];

	if (f == NULL)
		return NULL;
	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	fclose(mem);
	return buf;
}

static char *
render(report_writer w, const struct result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	assert_int_equal(w(r, mem), 0);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Names in dir, sorted, joined with spaces. */
static char *
listing(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 &&
		    strcmp(names[i]->d_name, "..") != 0)
			fprintf(mem, "%s%s", len > 0 ? " " : "",
			    names[i]->d_name);
		fflush(mem);
		free(names[i]);
	}
	free(names);
	fclose(mem);
	return buf;
}

static void
rm_rf(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void
check_file(const char *dir, const char *name, const char *want)
{
	char path[256], *got;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	got = slurp(path);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/*
 * Symbolic links planted where the temporary files will be created are
 * neither followed nor disturbed.  First in the list: the temporary names
 * count up from 0 in each process, and the links planted cover the first
 * ones.
 */
static void
test_planted_temp_links(void **state)
{
	char dir[] = "/tmp/dd-test-art-XXXXXX", victim[64], path[256];
	struct result *r = make_result();
	struct dd_err err = { "" };
	char *want, *got;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(victim, sizeof(victim), "%s-victim", dir);
	write_text(victim, "untouched");
	for (int i = 0; i < 40; i++) {
		snprintf(path, sizeof(path), "%s/.result.json.%ld.%d.tmp", dir,
		    (long)getpid(), i);
		assert_int_equal(symlink(victim, path), 0);
	}
	snprintf(path, sizeof(path), "%s/result.json", dir);
	assert_int_equal(report_write_file(path, result_json_write, r, &err),
	    0);
	got = slurp(victim);
	assert_string_equal(got, "untouched");
	free(got);
	want = render(result_json_write, r);
	check_file(dir, "result.json", want);
	free(want);
	for (int i = 0; i < 40; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/.result.json.%ld.%d.tmp", dir,
		    (long)getpid(), i);
		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISLNK(st.st_mode));
	}
	rm_rf(dir);
	unlink(victim);
	result_free(r);
}

/* Every artefact, whole, and nothing else left in the directory. */
static void
test_write_run(void **state)
{
	char dir[] = "/tmp/dd-test-art-XXXXXX", extra[128], *want, *names;
	struct result *r = make_result();
	struct dd_err err = { "" };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(extra, sizeof(extra), "%s/ci", dir);
	assert_int_equal(mkdir(extra, 0755), 0);
	snprintf(extra, sizeof(extra), "%s/ci/TEST-dnsdrill.xml", dir);
	if (report_write_run(dir, r, extra, &err) != 0)
		fail_msg("%s", err.msg);

	want = render(result_json_write, r);
	check_file(dir, "result.json", want);
	free(want);
	want = render(report_junit_write, r);
	check_file(dir, "junit.xml", want);
	check_file(dir, "ci/TEST-dnsdrill.xml", want);
	free(want);
	want = render(report_html_write, r);
	check_file(dir, "report.html", want);
	free(want);
	names = listing(dir);
	assert_string_equal(names, "ci junit.xml report.html result.json");
	free(names);

	/* without the extra path */
	rm_rf(dir);
	assert_non_null(mkdtemp(strcpy(dir, "/tmp/dd-test-art-XXXXXX")));
	assert_int_equal(report_write_run(dir, r, NULL, &err), 0);
	names = listing(dir);
	assert_string_equal(names, "junit.xml report.html result.json");
	free(names);
	rm_rf(dir);
	result_free(r);
}

/* --junit naming a stream (a FIFO, as /dev/stdout may be) is written
 * straight through: a stream cannot be renamed over. */
static void
test_extra_junit_stream(void **state)
{
	char dir[] = "/tmp/dd-test-art-XXXXXX", fifo[128];
	struct result *r = make_result();
	struct dd_err err = { "" };
	char *want, *got = NULL;
	size_t cap = 0, len = 0;
	pid_t pid;
	int st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/pipe", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	want = render(report_junit_write, r);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the reader: copy the FIFO to DIR/read */
		char out[160], buf[4096];
		ssize_t n;
		FILE *in, *o;

		snprintf(out, sizeof(out), "%s/read", dir);
		in = fopen(fifo, "r");
		o = fopen(out, "w");
		if (in == NULL || o == NULL)
			_exit(1);
		while ((n = (ssize_t)fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, (size_t)n, o);
		_exit(fclose(o) == 0 ? 0 : 1);
	}
	if (report_write_run(dir, r, fifo, &err) != 0) {
		kill(pid, SIGKILL);    /* the reader still waits for a writer */
		waitpid(pid, &st, 0);
		fail_msg("%s", err.msg);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	{
		char path[160];
		FILE *f;

		snprintf(path, sizeof(path), "%s/read", dir);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_true(getdelim(&got, &cap, '\0', f) > 0);
		len = strlen(got);
		fclose(f);
	}
	assert_int_equal(len, strlen(want));
	assert_string_equal(got, want);
	free(got);
	free(want);
	rm_rf(dir);
	result_free(r);
}

/* The matrix's two files go the same way: whole, beside nothing else, and a
 * planted link is refused with the file named. */
static void
test_write_matrix(void **state)
{
	char dir[] = "/tmp/dd-test-art-XXXXXX", path[128], *names;
	struct result *r = make_result();
	struct result *runs[1] = { r };
	const char *labels[1] = { "fault=empty" };
	struct dd_err err = { "" };
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	(void)state;
	assert_non_null(mkdtemp(dir));
	if (report_write_matrix(dir, runs, 1, labels, &err) != 0)
		fail_msg("%s", err.msg);
	mem = open_memstream(&buf, &len);
	assert_int_equal(report_matrix_text_write(runs, 1, labels, mem), 0);
	fclose(mem);
	check_file(dir, "matrix.txt", buf);
	free(buf);
	buf = NULL;
	mem = open_memstream(&buf, &len);
	assert_int_equal(report_matrix_html_write(runs, 1, labels, mem), 0);
	fclose(mem);
	check_file(dir, "matrix.html", buf);
	free(buf);
	names = listing(dir);
	assert_string_equal(names, "matrix.html matrix.txt");
	free(names);

	/* a planted link where matrix.html goes */
	snprintf(path, sizeof(path), "%s/matrix.html", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/tmp/dd-test-art-elsewhere", path), 0);
	assert_int_not_equal(report_write_matrix(dir, runs, 1, labels, &err), 0);
	assert_non_null(strstr(err.msg, "matrix.html"));
	rm_rf(dir);
	result_free(r);
}

/* An old file is replaced by a new one (a hard link to the old one keeps
 * the old bytes: nothing was rewritten in place). */
static void
test_replaces_not_rewrites(void **state)
{
	char dir[] = "/tmp/dd-test-art-XXXXXX", path[256], keep[256];
	struct result *r = make_result();
	struct dd_err err = { "" };
	struct stat before, after;
	char *got;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.html", dir);
	snprintf(keep, sizeof(keep), "%s/old.html", dir);
	write_text(path, "old page");
	assert_int_equal(link(path, keep), 0);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(report_write_file(path, report_html_write, r, &err),
	    0);
	assert_int_equal(stat(path, &after), 0);
	assert_true(before.st_ino != after.st_ino);
	got = slurp(keep);
	assert_string_equal(got, "old page");
	free(got);
	got = slurp(path);
	assert_non_null(strstr(got, "<!DOCTYPE html>"));
	free(got);
	rm_rf(dir);
	result_free(r);
}

/* A symbolic link, or a directory, where an artefact goes: refused, named,
 * the link's target untouched, the other artefacts still written. */
static void
test_planted_target(void **state)
{
	char dir[] = "/tmp/dd-test-art-XXXXXX", victim[64], path[256];
	struct result *r = make_result();
	struct dd_err err = { "" };
	struct stat st;
	char *got, *names;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(victim, sizeof(victim), "%s-victim", dir);
	write_text(victim, "untouched");
	snprintf(path, sizeof(path), "%s/report.html", dir);
	assert_int_equal(symlink(victim, path), 0);
	snprintf(path, sizeof(path), "%s/junit.xml", dir);
	assert_int_equal(mkdir(path, 0755), 0);

	assert_int_equal(report_write_run(dir, r, NULL, &err), DD_EINVAL);
	/* the first failure is named: junit.xml comes before report.html */
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "not a regular file"));

	snprintf(path, sizeof(path), "%s/report.html", dir);
	assert_int_equal(report_write_file(path, report_html_write, r, &err),
	    DD_EINVAL);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "symbolic link"));
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	got = slurp(victim);
	assert_string_equal(got, "untouched");
	free(got);
	names = listing(dir);
	assert_string_equal(names, "junit.xml report.html result.json");
	free(names);
	rm_rf(dir);
	unlink(victim);
	result_free(r);
}

static int
failing_writer(const struct result *r, FILE *f)
{
	(void)r;
	fputs("half a pa", f);
	return DD_EIO;
}

/* A writer that fails, and a directory that is not there: named, the old
 * file kept, no temporary file left. */
static void
test_write_errors(void **state)
{
	char dir[] = "/tmp/dd-test-art-XXXXXX", path[256], *got, *names;
	struct result *r = make_result();
	struct dd_err err = { "" };
	int rc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.html", dir);
	write_text(path, "old page");
	assert_int_equal(report_write_file(path, failing_writer, r, &err),
	    DD_EIO);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "write error"));
	got = slurp(path);
	assert_string_equal(got, "old page");
	free(got);
	names = listing(dir);
	assert_string_equal(names, "report.html");
	free(names);

	snprintf(path, sizeof(path), "%s/gone/result.json", dir);
	rc = report_write_file(path, result_json_write, r, &err);
	assert_int_equal(rc, -ENOENT);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "No such file"));
	snprintf(path, sizeof(path), "%s/gone", dir);
	assert_int_equal(report_write_run(path, r, NULL, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/gone/result.json"));

	assert_int_equal(report_write_file(NULL, result_json_write, r, &err),
	    DD_EINVAL);
	assert_int_equal(report_write_file(path, NULL, r, &err), DD_EINVAL);
	assert_int_equal(report_write_file(path, result_json_write, NULL,
	    &err), DD_EINVAL);
	assert_int_equal(report_write_run(NULL, r, NULL, &err), DD_EINVAL);
	assert_int_equal(report_write_run(dir, NULL, NULL, &err), DD_EINVAL);
	rm_rf(dir);
	result_free(r);
}

/* result.json back in: the same result, or an error naming the file. */
static void
test_read_file(void **state)
{
	char dir[] = "/tmp/dd-test-art-XXXXXX", path[256];
	struct result *r = make_result(), *back = (struct result *)1;
	struct dd_err err = { "" };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/result.json", dir);
	assert_int_equal(report_read_file(path, &back, &err), -ENOENT);
	assert_null(back);
	assert_non_null(strstr(err.msg, path));

	assert_int_equal(report_write_file(path, result_json_write, r, &err),
	    0);
	assert_int_equal(report_read_file(path, &back, &err), 0);
	assert_string_equal(back->scenario, "artifacts <test>");
	assert_true(back->seed == 9);
	assert_int_equal(back->n_expect, 1);
	assert_int_equal(back->expect[0].metric, SCORE_FAILOVER);
	assert_string_equal(back->events->ev[0].text, "</script>");
	result_free(back);

	write_text(path, "{\"scenario\": \"x\",\n \"verdict\": nope}");
	assert_int_equal(report_read_file(path, &back, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, ": line 2, column "));
	assert_int_equal(report_read_file(NULL, &back, &err), DD_EINVAL);
	rm_rf(dir);
	result_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planted_temp_links),
		cmocka_unit_test(test_write_run),
		cmocka_unit_test(test_extra_junit_stream),
		cmocka_unit_test(test_write_matrix),
		cmocka_unit_test(test_replaces_not_rewrites),
		cmocka_unit_test(test_planted_target),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
