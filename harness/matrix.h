/*
 * matrix.h -- `dnsdrill matrix`: the same scenario run once for every
 * combination of some parameters' values (--vary key=v1,v2), one
 * comparison table over the runs (DIR/matrix.txt, DIR/matrix.html).
 *
 * The plan (axes and their combinations) is plain data, so its parsing
 * and enumeration are tested without running anything; matrix_main() does
 * the runs through runner_main().
 *
 * Ownership: a struct matrix owns its axes' keys and values;
 * matrix_fini() frees them (safe on a zeroed or half-filled matrix).
 */
#ifndef DD_HARNESS_MATRIX_H
#define DD_HARNESS_MATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/err.h"

#define MATRIX_MAX_AXES 8
#define MATRIX_MAX_VALUES 16
#define MATRIX_MAX_RUNS 256

struct matrix_axis {
	char *key;
	char *values[MATRIX_MAX_VALUES];
	size_t n;
};

struct matrix {
	struct matrix_axis axes[MATRIX_MAX_AXES];
	size_t naxes;
	size_t total;        /* combinations: the product of the axes' sizes */
};

/* Add the axis of one --vary argument, "key=v1,v2,...".  0, or DD_EINVAL
 * with a message naming the argument (empty key or values, too many axes
 * or values), or DD_ENOMEM. */
int matrix_add_axis(struct matrix *m, const char *arg, struct dd_err *err);

/*
 * Combination i (0 <= i < total), the first axis varying slowest: kv[k]
 * gets a new "key=value" for axis k (the caller frees each), label the
 * run's name "key-value_key-value".  0 or DD_ENOMEM (nothing left
 * allocated).
 */
int matrix_combo(const struct matrix *m, size_t i, char **kv, char *label, size_t len);

void matrix_fini(struct matrix *m);

/* The help text of `dnsdrill matrix`. */
void matrix_usage(FILE *f);

/* `dnsdrill matrix ARGS` (argv[0] is "matrix"); build_dir is where faultd
 * and bin() programs are.  Returns the exit status: 0 when every run
 * completed (whatever its verdict), 2 usage or scenario error, 3 when a run
 * could not complete. */
int matrix_main(int argc, char **argv, const char *build_dir);

/*
 * `dnsdrill matrix --from DIR...` (harness/matrix_from.c): the table of
 * runs that already exist, nothing run.  Each DIR is a run's folder (with
 * result.json) or a folder of them, taken in natural order.  out (out_len
 * bytes) is the --out folder, or "" for a new dnsdrill-out/matrix-TIME
 * (its name is put there); it must be new or empty (emptied with force)
 * and must not hold any of the runs.  Writes out/matrix.txt and
 * out/matrix.html (rows linking to each run's report.html, relative to
 * out) and the table on stdout.  Returns the exit status: 0 every run
 * passed, 1 one failed, 3 one ended in error, 2 when a DIR holds no
 * result.json or one cannot be read (the message names it) or out is
 * refused.
 */
int matrix_from_main(char *const *dirs, size_t ndirs, char *out, size_t out_len, bool force,
    bool quiet);

/* The relative path from the folder from to to, both absolute and
 * canonical (realpath), into out: "../runs/pass", "." for the same
 * folder.  0, or DD_EINVAL (not absolute, or out too small). */
int matrix_relpath(const char *from, const char *to, char *out, size_t len);

#endif
