/*
 * matrix_from.c -- `dnsdrill matrix --from DIR...`: the comparison table
 * of runs that already exist, nothing run.  Each DIR is a run's folder
 * (it holds result.json) or a folder of run folders (an earlier matrix's
 * output), taken in natural order (ttl-5 before ttl-30).  The table goes
 * into --out like a live matrix's, each row linking to its run's report
 * by a path relative to --out, so the folders can be moved or published
 * together.  --out is never a folder that holds one of the runs: --force
 * would empty it.
 */
#include "harness/matrix.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/outdir.h"
#include "harness/runner.h"
#include "model/result.h"
#include "reports/report.h"

int
matrix_relpath(const char *from, const char *to, char *out, size_t len)
{
	size_t common = 0, i, n = 0;
	int w;

	if (from[0] != '/' || to[0] != '/')
		return DD_EINVAL;
	/* the longest common prefix ending at a component boundary */
	for (i = 0; from[i] != '\0' && from[i] == to[i]; i++)
		if (from[i] == '/')
			common = i;
	if ((from[i] == '\0' || from[i] == '/') &&
	    (to[i] == '\0' || to[i] == '/'))
		common = i;
	if (len == 0)
		return DD_EINVAL;
	out[0] = '\0';
	/* one ".." per component of from past the common part */
	for (const char *s = from + common; *s != '\0'; s++) {
		if (*s == '/' && s[1] != '\0' && s[1] != '/') {
			w = snprintf(out + n, len - n, "%s..", n ? "/" : "");
			if (w < 0 || (size_t)w >= len - n)
				return DD_EINVAL;
			n += (size_t)w;
		}
	}
	{
		const char *rest = to + common;

		while (*rest == '/')
			rest++;
		if (*rest != '\0') {
			w = snprintf(out + n, len - n, "%s%s", n ? "/" : "", rest);
			if (w < 0 || (size_t)w >= len - n)
				return DD_EINVAL;
			n += (size_t)w;
		}
	}
	if (n == 0 && snprintf(out, len, ".") >= (int)len)
		return DD_EINVAL;
	return 0;
}

/* The runs found, in order: the folder as the user spelled it (the row's
 * name) and what its result.json says. */
struct from_runs {
	char **dir;
	struct result **res;
	size_t n, cap;
};

static bool
has_result(const char *dir)
{
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/result.json", dir);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Add dir (its trailing slashes dropped) to the list. */
static int
add_run(struct from_runs *fr, const char *dir)
{
	size_t len = strlen(dir);

	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (fr->n == fr->cap) {
		size_t cap = fr->cap ? 2 * fr->cap : 16;
		char **d = realloc(fr->dir, cap * sizeof(*d));

		if (d == NULL)
			return DD_ENOMEM;
		fr->dir = d;
		fr->cap = cap;
	}
	if ((fr->dir[fr->n] = strndup(dir, len)) == NULL)
		return DD_ENOMEM;
	fr->n++;
	return 0;
}

static int
only_dirs(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* DIR itself when it holds result.json, else each folder in it that does.
 * 0, or the exit status (message printed). */
static int
find_runs(struct from_runs *fr, const char *dir)
{
	struct dirent **ents = NULL;
	size_t before = fr->n;
	int n, rc = 0;

	if (has_result(dir))
		return add_run(fr, dir) == 0 ? 0 : RUN_ENV;
	n = scandir(dir, &ents, only_dirs, versionsort);
	if (n < 0) {
		fprintf(stderr, "dnsdrill matrix: --from %s: %s\n", dir, strerror(errno));
		return RUN_USAGE;
	}
	for (int i = 0; i < n; i++) {
		char sub[PATH_MAX + 256];
		struct stat st;

		snprintf(sub, sizeof(sub), "%s/%s", dir, ents[i]->d_name);
		if (rc == 0 && stat(sub, &st) == 0 && S_ISDIR(st.st_mode) && has_result(sub) &&
		    add_run(fr, sub) != 0)
			rc = RUN_ENV;
		free(ents[i]);
	}
	free(ents);
	if (rc == 0 && fr->n == before) {
		fprintf(stderr, "dnsdrill matrix: --from %s: no result.json in it or in "
		    "the folders in it\n", dir);
		rc = RUN_USAGE;
	}
	return rc;
}

/* Is path (canonical) dir itself or inside it? */
static bool
is_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* out ready for the table: not holding any of the runs, new or empty
 * (emptied with force), or a new default one.  0 or the exit status. */
static int
prepare_out(const struct from_runs *fr, char *out, size_t len, bool force)
{
	struct dd_err err;
	int rc;

	if (out[0] != '\0') {
		char real[PATH_MAX], run[PATH_MAX];

		if (realpath(out, real) != NULL) {
			for (size_t i = 0; i < fr->n; i++) {
				if (realpath(fr->dir[i], run) != NULL && is_within(run, real)) {
					fprintf(stderr, "dnsdrill matrix: --out %s holds the run %s: "
					    "choose another folder\n", out, fr->dir[i]);
					return RUN_USAGE;
				}
			}
		}
		rc = outdir_prepare(out, force, &err);
	} else {
		char ts[32], base[64];
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
		snprintf(base, sizeof(base), "dnsdrill-out/matrix-%s", ts);
		rc = outdir_create_new(base, out, len, &err);
	}
	if (rc < 0) {
		fprintf(stderr, "dnsdrill matrix: %s\n", err.msg);
		return rc == DD_EINVAL ? RUN_USAGE : RUN_ENV;
	}
	return 0;
}

/* Each run's folder relative to out (canonical paths both); a run with no
 * report.html is named on stderr, its link would not open. */
static int
relative_dirs(const struct from_runs *fr, const char *out, char **rel)
{
	char real_out[PATH_MAX], run[PATH_MAX], buf[PATH_MAX * 2];

	if (realpath(out, real_out) == NULL) {
		fprintf(stderr, "dnsdrill matrix: %s: %s\n", out, strerror(errno));
		return RUN_ENV;
	}
	for (size_t i = 0; i < fr->n; i++) {
		char html[PATH_MAX + 16];

		if (realpath(fr->dir[i], run) == NULL ||
		    matrix_relpath(real_out, run, buf, sizeof(buf)) != 0 ||
		    (rel[i] = strdup(buf)) == NULL) {
			fprintf(stderr, "dnsdrill matrix: %s: cannot name it from %s\n",
			    fr->dir[i], out);
			return RUN_ENV;
		}
		snprintf(html, sizeof(html), "%s/report.html", fr->dir[i]);
		if (access(html, R_OK) != 0)
			fprintf(stderr, "dnsdrill matrix: %s has no report.html (`dnsdrill "
			    "report %s` writes one); its link will not open\n", fr->dir[i],
			    fr->dir[i]);
	}
	return 0;
}

int
matrix_from_main(char *const *dirs, size_t ndirs, char *out, size_t out_len, bool force,
    bool quiet)
{
	struct from_runs fr = { 0 };
	char **rel = NULL;
	struct dd_err err = { "" };
	bool any_fail = false, any_error = false;
	int code = 0;

	for (size_t i = 0; i < ndirs && code == 0; i++)
		code = find_runs(&fr, dirs[i]);
	if (code != 0)
		goto out;
	if ((fr.res = calloc(fr.n, sizeof(*fr.res))) == NULL ||
	    (rel = calloc(fr.n, sizeof(*rel))) == NULL) {
		code = RUN_ENV;
		goto out;
	}
	for (size_t i = 0; i < fr.n; i++) {
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/result.json", fr.dir[i]);
		if (report_read_file(path, &fr.res[i], &err) < 0) {
			fprintf(stderr, "dnsdrill matrix: %s\n", err.msg);
			code = RUN_USAGE;
			goto out;
		}
		any_error |= fr.res[i]->error != NULL;
		any_fail |= !fr.res[i]->pass;
	}
	if ((code = prepare_out(&fr, out, out_len, force)) != 0 ||
	    (code = relative_dirs(&fr, out, rel)) != 0)
		goto out;
	if (report_write_matrix_dirs(out, fr.res, fr.n, (const char *const *)fr.dir,
	    (const char *const *)rel, &err) < 0) {
		fprintf(stderr, "dnsdrill matrix: %s\n", err.msg);
		code = RUN_ENV;
		goto out;
	}
	/* On the terminal the folders as the user named them are the rows. */
	report_matrix_text_write_dirs(fr.res, fr.n, (const char *const *)fr.dir, NULL, stdout);
	if (!quiet)
		printf("matrix: %s/matrix.txt, %s/matrix.html (%zu runs, none run now)\n", out,
		    out, fr.n);
	code = any_error ? RUN_ENV : any_fail ? RUN_FAIL : 0;
out:
	for (size_t i = 0; i < fr.n; i++) {
		free(fr.dir[i]);
		if (fr.res != NULL)
			result_free(fr.res[i]);
		if (rel != NULL)
			free(rel[i]);
	}
	free(fr.dir);
	free(fr.res);
	free(rel);
	return code;
}
