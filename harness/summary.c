/*
 * summary.c -- see summary.h.  What kind of folder PATH is decides the
 * summary: result.json in it (a run), repeat.json (a group of repeated
 * runs), else the folders in it that hold either (a matrix, in natural
 * order as `matrix --from` takes them; a repeat folder stands in the
 * table as its medians, as in a live `matrix --repeat`).
 */
#include "harness/summary.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/runner.h"
#include "model/repeat.h"
#include "model/result.h"
#include "reports/report.h"

/* repeat.json is a few kilobytes per run; refuse what is not one. */
#define SUMMARY_REPEAT_MAX (64u * 1024 * 1024)

int
summary_format_parse(const char *name, enum summary_format *out)
{
	if (name != NULL && strcmp(name, "markdown") == 0)
		*out = SUMMARY_MARKDOWN;
	else if (name != NULL && strcmp(name, "summary-json") == 0)
		*out = SUMMARY_JSON;
	else
		return DD_EINVAL;
	return 0;
}

static bool
is_file(const char *dir, const char *name)
{
	char path[PATH_MAX + 32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* dir/result.json, or NULL with the message printed. */
static struct result *
read_result(const char *dir)
{
	char path[PATH_MAX + 32];
	struct dd_err err = { "" };
	struct result *r = NULL;

	snprintf(path, sizeof(path), "%s/result.json", dir);
	if (report_read_file(path, &r, &err) < 0) {
		fprintf(stderr, "dnsdrill report: %s\n", err.msg);
		return NULL;
	}
	return r;
}

/* A group read back: repeat.json's runs (folder and seed) and each run's
 * result (NULL when it left none). */
struct sum_group {
	struct result **res;
	char **dirs;
	uint64_t *seeds;
	size_t n;
	struct repeat_group g;
	struct report_repeat rp;
};

static void
group_free(struct sum_group *sg)
{
	repeat_group_fini(&sg->g);
	for (size_t k = 0; k < sg->n; k++) {
		result_free(sg->res[k]);
		free(sg->dirs[k]);
	}
	free(sg->res);
	free(sg->dirs);
	free(sg->seeds);
	memset(sg, 0, sizeof(*sg));
}

/* A seed as repeat.json writes it: a number, or a string of digits. */
static bool
seed_of(json_t *v, uint64_t *out)
{
	char *end;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	if (!json_is_string(v) || json_string_value(v)[0] == '\0')
		return false;
	errno = 0;
	*out = strtoull(json_string_value(v), &end, 10);
	return errno == 0 && *end == '\0';
}

/* A run's folder as repeat.json names it: one plain name inside the
 * group's folder, never a path out of it. */
static bool
plain_name(const char *s)
{
	return s[0] != '\0' && strchr(s, '/') == NULL && strcmp(s, ".") != 0 &&
	    strcmp(s, "..") != 0;
}

/* dir/repeat.json and its runs into sg.  0, or the exit status (message
 * printed). */
static int
group_load(const char *dir, struct sum_group *sg)
{
	char path[PATH_MAX + 32], sub[PATH_MAX * 2];
	struct dd_err err = { "" };
	json_error_t jerr;
	json_t *root, *runs;
	struct stat st;
	int rc = 0;

	memset(sg, 0, sizeof(*sg));
	snprintf(path, sizeof(path), "%s/repeat.json", dir);
	if (stat(path, &st) < 0) {
		fprintf(stderr, "dnsdrill report: %s: %s\n", path, strerror(errno));
		return RUN_USAGE;
	}
	if (st.st_size > (off_t)SUMMARY_REPEAT_MAX) {
		fprintf(stderr, "dnsdrill report: %s: too large for a repeat.json\n",
		    path);
		return RUN_USAGE;
	}
	if ((root = json_load_file(path, 0, &jerr)) == NULL) {
		fprintf(stderr, "dnsdrill report: %s: line %d: %s\n", path,
		    jerr.line, jerr.text);
		return RUN_USAGE;
	}
	runs = json_object_get(root, "runs");
	if (!json_is_array(runs) || json_array_size(runs) == 0) {
		fprintf(stderr, "dnsdrill report: %s: no \"runs\": not a "
		    "repeat.json\n", path);
		json_decref(root);
		return RUN_USAGE;
	}
	sg->res = calloc(json_array_size(runs), sizeof(*sg->res));
	sg->dirs = calloc(json_array_size(runs), sizeof(*sg->dirs));
	sg->seeds = calloc(json_array_size(runs), sizeof(*sg->seeds));
	if (sg->res == NULL || sg->dirs == NULL || sg->seeds == NULL)
		rc = RUN_ENV;
	for (size_t k = 0; rc == 0 && k < json_array_size(runs); k++) {
		json_t *run = json_array_get(runs, k);
		const char *d = json_string_value(json_object_get(run, "dir"));

		if (d == NULL || !plain_name(d) ||
		    !seed_of(json_object_get(run, "seed"), &sg->seeds[k])) {
			fprintf(stderr, "dnsdrill report: %s: runs[%zu]: "
			    "expected a folder name and a seed\n", path, k);
			rc = RUN_USAGE;
			break;
		}
		if ((sg->dirs[k] = strdup(d)) == NULL) {
			rc = RUN_ENV;
			break;
		}
		sg->n = k + 1;
		snprintf(sub, sizeof(sub), "%s/%s", dir, d);
		/* a run that erred may have left no result: the group says
		 * error for it, as repeat.json does */
		if (is_file(sub, "result.json") &&
		    (sg->res[k] = read_result(sub)) == NULL)
			rc = RUN_USAGE;
	}
	json_decref(root);
	if (rc == 0 && repeat_group_of((const struct result *const *)sg->res,
	    sg->n, &sg->g, &err) < 0) {
		fprintf(stderr, "dnsdrill report: %s: %s\n", path, err.msg);
		rc = RUN_ENV;
	}
	if (rc != 0) {
		group_free(sg);
		return rc;
	}
	sg->rp.group = &sg->g;
	sg->rp.dirs = (const char *const *)sg->dirs;
	sg->rp.seeds = sg->seeds;
	return 0;
}

static int
code_of(int rc)
{
	return rc == 0 ? 0 : rc == DD_EINVAL ? RUN_USAGE : RUN_ENV;
}

static int
sum_run(struct result *r, enum summary_format fmt, FILE *out)
{
	int rc = fmt == SUMMARY_MARKDOWN ? report_markdown_write(r, out) :
	    report_summary_json_write(r, out);

	result_free(r);
	return code_of(rc);
}

static int
sum_repeat(const char *dir, enum summary_format fmt, FILE *out)
{
	struct sum_group sg;
	int rc;

	if ((rc = group_load(dir, &sg)) != 0)
		return rc;
	rc = fmt == SUMMARY_MARKDOWN ? report_repeat_markdown_write(&sg.rp, out) :
	    report_repeat_summary_json_write(&sg.rp, out);
	group_free(&sg);
	return code_of(rc);
}

static int
only_visible(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Each folder in dir that holds a run or a group, as one row. */
static int
sum_matrix(const char *dir, enum summary_format fmt, FILE *out)
{
	struct dirent **ents = NULL;
	struct result **rows = NULL;
	const char **labels = NULL;
	size_t n = 0;
	int nent, rc = 0;

	nent = scandir(dir, &ents, only_visible, versionsort);
	if (nent < 0) {
		fprintf(stderr, "dnsdrill report: %s: %s\n", dir, strerror(errno));
		return RUN_USAGE;
	}
	rows = calloc((size_t)nent + 1, sizeof(*rows));
	labels = calloc((size_t)nent + 1, sizeof(*labels));
	if (rows == NULL || labels == NULL)
		rc = RUN_ENV;
	for (int i = 0; rc == 0 && i < nent; i++) {
		char sub[PATH_MAX + 256];
		struct stat st;

		snprintf(sub, sizeof(sub), "%s/%s", dir, ents[i]->d_name);
		if (stat(sub, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (is_file(sub, "result.json")) {
			if ((rows[n] = read_result(sub)) == NULL)
				rc = RUN_USAGE;
		} else if (is_file(sub, "repeat.json")) {
			struct sum_group sg;

			if ((rc = group_load(sub, &sg)) == 0) {
				rows[n] = repeat_median_result(&sg.g);
				rc = rows[n] == NULL ? RUN_ENV : 0;
				group_free(&sg);
			}
		} else {
			continue;
		}
		if (rc == 0)
			labels[n++] = ents[i]->d_name;
	}
	if (rc == 0 && n == 0) {
		fprintf(stderr, "dnsdrill report: %s: no result.json or repeat.json "
		    "in it or in the folders in it\n", dir);
		rc = RUN_USAGE;
	}
	if (rc == 0)
		rc = code_of(fmt == SUMMARY_MARKDOWN ?
		    report_matrix_markdown_write(rows, n, labels, out) :
		    report_matrix_summary_json_write(rows, n, labels, out));
	for (size_t k = 0; rows != NULL && k < n + 1; k++)
		result_free(rows[k]);
	for (int i = 0; i < nent; i++)
		free(ents[i]);
	free(ents);
	free(rows);
	free(labels);
	return rc;
}

int
summary_main(const char *path, enum summary_format fmt, FILE *out)
{
	struct dd_err err = { "" };
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "dnsdrill report: %s: %s\n", path, strerror(errno));
		return RUN_USAGE;
	}
	if (S_ISREG(st.st_mode)) {
		char copy[PATH_MAX], *base;
		struct result *r = NULL;

		snprintf(copy, sizeof(copy), "%s", path);
		base = basename(copy);
		if (strcmp(base, "repeat.json") == 0) {
			snprintf(copy, sizeof(copy), "%s", path);
			return sum_repeat(dirname(copy), fmt, out);
		}
		if (report_read_file(path, &r, &err) < 0) {
			fprintf(stderr, "dnsdrill report: %s\n", err.msg);
			return RUN_USAGE;
		}
		return sum_run(r, fmt, out);
	}
	if (is_file(path, "result.json")) {
		struct result *r = read_result(path);

		return r != NULL ? sum_run(r, fmt, out) : RUN_USAGE;
	}
	if (is_file(path, "repeat.json"))
		return sum_repeat(path, fmt, out);
	return sum_matrix(path, fmt, out);
}
