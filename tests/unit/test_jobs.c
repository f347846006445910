/*
 * test_jobs.c -- the side-by-side pool of `matrix --jobs` and `run --repeat
 * --jobs` (harness/jobs.h), with small tasks instead of runs: never more
 * than max at once, every task's status, data and output collected by
 * index whatever order they end in, output lines whole and labelled, a
 * crash reported as such (never as a status of 0), the done callback
 * stopping the rest, a signal to the parent passed on to the running
 * children and stopping the rest; and --jobs parsing.  No timing claims.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness/jobs.h"
#include "lib/err.h"

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* task i: later tasks end first; writes "data-i", two lines (the second
 * in pieces), exits with i % 3 */
static int
task_plain(void *arg, size_t i, int data_fd)
{
	char buf[32];
	int n;

	(void)arg;
	nap_ms((long)(5 - i % 5) * 20);
	n = snprintf(buf, sizeof(buf), "data-%zu", i);
	if (write(data_fd, buf, (size_t)n) != n)
		return 9;
	printf("hello from %zu\n", i);
	fflush(stdout);
	fprintf(stderr, "part one ");
	fflush(stderr);
	nap_ms(5);
	fprintf(stderr, "part two of %zu\n", i);
	return (int)(i % 3);
}

static char **
labels(size_t n)
{
	char **l = calloc(n, sizeof(*l));

	for (size_t i = 0; i < n; i++)
		assert_true(asprintf(&l[i], "task-%zu", i) > 0);
	return l;
}

static void
free_labels(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void
test_all_collected(void **state)
{
	enum { N = 7 };
	struct jobs_task t[N];
	char **l = labels(N);
	struct jobs j = { 0 };
	struct dd_err err = { "" };
	char *out = NULL;
	size_t outlen = 0;
	FILE *log = open_memstream(&out, &outlen);

	(void)state;
	memset(t, 0, sizeof(t));
	for (size_t i = 0; i < N; i++)
		t[i].label = l[i];
	j.t = t;
	j.n = N;
	j.max = 3;
	j.run = task_plain;
	j.log = log;
	assert_int_equal(jobs_run(&j, &err), 0);
	fclose(log);
	assert_false(j.interrupted);
	assert_true(j.peak >= 1 && j.peak <= 3);
	for (size_t i = 0; i < N; i++) {
		char want[32], line[64];

		assert_int_equal(t[i].state, JOBS_DONE);
		assert_int_equal(t[i].signo, 0);
		assert_int_equal(t[i].code, (int)(i % 3));
		snprintf(want, sizeof(want), "data-%zu", i);
		assert_non_null(t[i].data);
		assert_string_equal(t[i].data, want);
		/* each line whole and labelled, however it was written */
		snprintf(line, sizeof(line), "[task-%zu] hello from %zu\n", i, i);
		assert_non_null(strstr(out, line));
		snprintf(line, sizeof(line), "[task-%zu] part one part two of %zu\n", i, i);
		assert_non_null(strstr(out, line));
		snprintf(line, sizeof(line), "part one part two of %zu", i);
		assert_string_equal(t[i].last, line);
		char why[64];
		assert_string_equal(jobs_reason(&t[i], why, sizeof(why)), "");
	}
	jobs_fini(&j);
	jobs_fini(&j);
	free(out);
	free_labels(l, N);
}

/* task 1 crashes, task 2 exits 42 */
static int
task_crash(void *arg, size_t i, int data_fd)
{
	(void)arg;
	(void)data_fd;
	if (i == 1) {
		fprintf(stderr, "about to fall over\n");
		fflush(stderr);
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	}
	return i == 2 ? 42 : 0;
}

static void
test_crash_is_not_a_pass(void **state)
{
	struct jobs_task t[3];
	char **l = labels(3);
	struct jobs j = { 0 };
	struct dd_err err = { "" };
	char why[128];
	FILE *log = fopen("/dev/null", "w");

	(void)state;
	memset(t, 0, sizeof(t));
	for (size_t i = 0; i < 3; i++)
		t[i].label = l[i];
	j = (struct jobs){ .t = t, .n = 3, .max = 3, .run = task_crash, .log = log };
	assert_int_equal(jobs_run(&j, &err), 0);
	fclose(log);
	assert_int_equal(t[0].code, 0);
	assert_int_equal(t[1].signo, SIGSEGV);
	assert_int_equal(t[1].code, -1);
	assert_string_equal(t[1].last, "about to fall over");
	jobs_reason(&t[1], why, sizeof(why));
	assert_non_null(strstr(why, "killed by signal 11"));
	assert_string_equal(jobs_reason(&t[2], why, sizeof(why)), "exited with status 42");
	jobs_fini(&j);
	free_labels(l, 3);
}

/* the done callback stops the rest after task 0 */
static enum jobs_next
done_stop(void *arg, size_t i, struct jobs_task *t)
{
	size_t *calls = arg;

	(void)t;
	(*calls)++;
	return i == 0 ? JOBS_NO_MORE : JOBS_GO_ON;
}

static int
task_quick(void *arg, size_t i, int data_fd)
{
	(void)arg;
	(void)data_fd;
	return (int)i;
}

static void
test_done_stops(void **state)
{
	struct jobs_task t[5];
	char **l = labels(5);
	size_t calls = 0;
	struct jobs j = { 0 };
	struct dd_err err = { "" };
	char why[64];
	FILE *log = fopen("/dev/null", "w");

	(void)state;
	memset(t, 0, sizeof(t));
	for (size_t i = 0; i < 5; i++)
		t[i].label = l[i];
	j = (struct jobs){ .t = t, .n = 5, .max = 1, .run = task_quick, .done = done_stop,
	    .arg = &calls, .log = log };
	assert_int_equal(jobs_run(&j, &err), 0);
	fclose(log);
	assert_int_equal(calls, 1);
	assert_int_equal(j.peak, 1);
	assert_int_equal(t[0].state, JOBS_DONE);
	for (size_t i = 1; i < 5; i++)
		assert_int_equal(t[i].state, JOBS_WAITING);
	assert_string_equal(jobs_reason(&t[1], why, sizeof(why)), "not started");
	jobs_fini(&j);
	free_labels(l, 5);
}

/* task 0 ends at once and then the parent is signalled; task 1 waits for
 * the SIGINT the parent must pass on (it is blocked in the child, as a
 * run's is until its signalfd reads it) */
static enum jobs_next
done_signal(void *arg, size_t i, struct jobs_task *t)
{
	(void)arg;
	(void)t;
	if (i == 0)
		kill(getpid(), SIGINT);
	return JOBS_GO_ON;
}

static int
task_wait_int(void *arg, size_t i, int data_fd)
{
	sigset_t set;
	struct timespec limit = { 20, 0 };

	(void)arg;
	(void)data_fd;
	if (i == 0)
		return 0;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	return sigtimedwait(&set, NULL, &limit) == SIGINT ? 3 : 7;
}

static void
test_signal_passed_on(void **state)
{
	struct jobs_task t[4];
	char **l = labels(4);
	struct jobs j = { 0 };
	struct dd_err err = { "" };
	FILE *log = fopen("/dev/null", "w");

	(void)state;
	memset(t, 0, sizeof(t));
	for (size_t i = 0; i < 4; i++)
		t[i].label = l[i];
	j = (struct jobs){ .t = t, .n = 4, .max = 2, .run = task_wait_int, .done = done_signal,
	    .log = log };
	assert_int_equal(jobs_run(&j, &err), 0);
	fclose(log);
	assert_true(j.interrupted);
	assert_int_equal(j.signo, SIGINT);
	assert_int_equal(t[0].code, 0);
	/* task 1 was running: it got the signal (3), not its timeout (7);
	 * task 2 may have started in task 0's slot before the signal came */
	assert_int_equal(t[1].code, 3);
	assert_true(t[2].state == JOBS_WAITING || t[2].code == 3);
	assert_int_equal(t[3].state, JOBS_WAITING);
	jobs_fini(&j);
	free_labels(l, 4);
}

static void
test_feed(void **state)
{
	struct jobs_task t = { .label = "a" };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	char big[3000];

	(void)state;
	jobs_feed(&t, "one\ntw", 6, f);
	jobs_feed(&t, "o\r\n\nthree", 9, f);
	jobs_feed(&t, NULL, 0, f);
	memset(big, 'x', sizeof(big));
	jobs_feed(&t, big, sizeof(big), f);
	jobs_feed(&t, "\n", 1, f);
	fclose(f);
	assert_memory_equal(out, "[a] one\n[a] two\n[a] \n[a] three\n[a] xxx", 37);
	assert_int_equal(t.nline, 0);
	/* the long line came out in pieces, no byte lost */
	size_t xs = 0;
	for (size_t i = 0; i < len; i++)
		xs += out[i] == 'x';
	assert_int_equal(xs, sizeof(big));
	free(out);
}

static void
test_parse(void **state)
{
	struct dd_err err = { "" };
	unsigned n = 99;

	(void)state;
	assert_int_equal(jobs_parse("4", 2, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(jobs_parse("1", 2, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(jobs_parse("auto", 2, &n, &err), 0);
	assert_int_equal(n, 8);
	assert_int_equal(jobs_parse("0", 2, &n, &err), 0);
	assert_int_equal(n, 8);
	assert_int_equal(jobs_auto(0), 4);
	assert_int_equal(jobs_auto(1000), JOBS_MAX);
	assert_int_equal(jobs_parse("many", 2, &n, &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "--jobs 'many'"));
	assert_int_equal(jobs_parse("257", 2, &n, &err), DD_EINVAL);
	assert_int_equal(jobs_parse("-1", 2, &n, &err), DD_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_collected),
		cmocka_unit_test(test_crash_is_not_a_pass),
		cmocka_unit_test(test_done_stops),
		cmocka_unit_test(test_signal_passed_on),
		cmocka_unit_test(test_feed),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
