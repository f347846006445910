/*
 * test_matrix.c -- the plan of `dnsdrill matrix`: --vary arguments parsed
 * into axes (with every refusal and its message) and the combinations
 * enumerated in order, first axis slowest, with their run labels; and the
 * relative path from a --from matrix's folder to each run's.  Nothing is
 * run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/matrix.h"
#include "lib/err.h"

static void
test_axes(void **state)
{
	struct matrix m = { 0 };
	struct dd_err err = { "" };

	(void)state;
	assert_int_equal(matrix_add_axis(&m, "ttl=1,5,30", &err), 0);
	assert_int_equal(m.naxes, 1);
	assert_int_equal(m.total, 3);
	assert_string_equal(m.axes[0].key, "ttl");
	assert_int_equal(m.axes[0].n, 3);
	assert_string_equal(m.axes[0].values[2], "30");
	/* empty values between commas are dropped */
	assert_int_equal(matrix_add_axis(&m, "profile=,unbound,,bind,", &err), 0);
	assert_int_equal(m.axes[1].n, 2);
	assert_string_equal(m.axes[1].values[1], "bind");
	assert_int_equal(m.total, 6);
	matrix_fini(&m);
	assert_int_equal(m.naxes, 0);
	matrix_fini(&m);     /* twice is fine */
}

static void
test_axis_errors(void **state)
{
	struct matrix m = { 0 };
	struct dd_err err = { "" };
	char arg[256];

	(void)state;
	static const char *const bad[][2] = {
		{ "ttl", "--vary 'ttl': expected key=v1,v2,... (at most 8)" },
		{ "=1,2", "--vary '=1,2': expected key=v1,v2,... (at most 8)" },
		{ "ttl=", "--vary 'ttl=': expected key=v1,v2,... (at most 8)" },
		{ "ttl=,,", "--vary ttl: no values" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(matrix_add_axis(&m, bad[i][0], &err), DD_EINVAL);
		assert_string_equal(err.msg, bad[i][1]);
		matrix_fini(&m);
	}
	/* 16 values at most */
	snprintf(arg, sizeof(arg), "k=");
	for (int i = 0; i < 17; i++)
		snprintf(arg + strlen(arg), sizeof(arg) - strlen(arg), "%s%d", i ? "," : "", i);
	assert_int_equal(matrix_add_axis(&m, arg, &err), DD_EINVAL);
	assert_string_equal(err.msg, "--vary k: at most 16 values");
	matrix_fini(&m);
	/* 8 axes at most */
	for (int i = 0; i < MATRIX_MAX_AXES; i++) {
		snprintf(arg, sizeof(arg), "k%d=a,b", i);
		assert_int_equal(matrix_add_axis(&m, arg, &err), 0);
	}
	assert_int_equal(m.total, 256);
	assert_int_equal(matrix_add_axis(&m, "k9=a", &err), DD_EINVAL);
	assert_string_equal(err.msg, "--vary 'k9=a': expected key=v1,v2,... (at most 8)");
	matrix_fini(&m);
}

static void
test_combos(void **state)
{
	struct matrix m = { 0 };
	struct dd_err err = { "" };
	static const char *const want[6][3] = {
		{ "a=1", "b=x", "a-1_b-x" }, { "a=1", "b=y", "a-1_b-y" }, { "a=1", "b=z", "a-1_b-z" },
		{ "a=2", "b=x", "a-2_b-x" }, { "a=2", "b=y", "a-2_b-y" }, { "a=2", "b=z", "a-2_b-z" },
	};

	(void)state;
	assert_int_equal(matrix_add_axis(&m, "a=1,2", &err), 0);
	assert_int_equal(matrix_add_axis(&m, "b=x,y,z", &err), 0);
	assert_int_equal(m.total, 6);
	for (size_t i = 0; i < m.total; i++) {
		char *kv[MATRIX_MAX_AXES] = { 0 };
		char label[64];
		assert_int_equal(matrix_combo(&m, i, kv, label, sizeof(label)), 0);
		assert_string_equal(kv[0], want[i][0]);
		assert_string_equal(kv[1], want[i][1]);
		assert_string_equal(label, want[i][2]);
		free(kv[0]);
		free(kv[1]);
	}
	/* a short label buffer truncates, never overflows */
	{
		char *kv[MATRIX_MAX_AXES] = { 0 };
		char label[6];
		assert_int_equal(matrix_combo(&m, 5, kv, label, sizeof(label)), 0);
		assert_string_equal(label, "a-2_b");
		free(kv[0]);
		free(kv[1]);
	}
	matrix_fini(&m);
}

static void
test_relpath(void **state)
{
	static const char *const cases[][3] = {
		{ "/w/out", "/w/runs/pass", "../runs/pass" },
		{ "/w/a/b/out", "/w/runs/fail #2", "../../../runs/fail #2" },
		{ "/w/out", "/w/out/a-1", "a-1" },
		{ "/w/out", "/w/out", "." },
		{ "/w/ab", "/w/a", "../a" },        /* a prefix, not a parent */
		{ "/w/a", "/w/ab/x", "../ab/x" },
		{ "/", "/x/y", "x/y" },
		{ "/x/y", "/", "../.." },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(matrix_relpath(cases[i][0], cases[i][1], buf,
		    sizeof(buf)), 0);
		assert_string_equal(buf, cases[i][2]);
	}
	assert_int_equal(matrix_relpath("w/out", "/w/x", buf, sizeof(buf)),
	    DD_EINVAL);
	/* too small: refused, never cut */
	assert_int_equal(matrix_relpath("/w/out", "/w/runs/pass", buf, 8),
	    DD_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_axes),
		cmocka_unit_test(test_axis_errors),
		cmocka_unit_test(test_combos),
		cmocka_unit_test(test_relpath),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
