/*
 * matrix.c -- see matrix.h.  The order: parse the plan, check the scenario
 * once (with the first combination) before anything runs, then one run per
 * combination into DIR/LABEL/, each run's result.json read back, and the
 * table over the runs that produced one.  A scenario error in any run
 * stops the matrix; a run that could not complete makes the exit status 3
 * (it is an error row when it wrote a result.json with its reason, else
 * left out of the table); otherwise a failed verdict in any run makes it
 * 1, so a matrix can gate CI.  --from (matrix_from.c) builds the table
 * from runs that exist instead.
 */
#include "harness/matrix.h"

#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness/jobs.h"
#include "harness/outdir.h"
#include "harness/repeat.h"
#include "harness/runner.h"
#include "lib/util.h"
#include "model/result.h"
#include "reports/report.h"

void
matrix_usage(FILE *f)
{
	fprintf(f,
	    "usage: dnsdrill matrix SCENARIO.lua --vary key=v1,v2[,...] [--vary ...] [options]\n"
	    "       dnsdrill matrix SCENARIO.lua SCENARIO.lua... [--vary ...] [options]\n"
	    "       dnsdrill matrix --from DIR... [--out DIR] [--force] [--quiet]\n"
	    "\n"
	    "Runs the scenario once for every combination of the --vary values and\n"
	    "writes one comparison table: DIR/matrix.txt and DIR/matrix.html, with\n"
	    "each run's results in DIR/key-value_key-value/.  With several scenarios\n"
	    "(the whole catalogue: scenarios/*-*/scenario.lua), each runs with every\n"
	    "combination (none needed), its runs in DIR/NAME_key-value/, NAME its\n"
	    "folder; a --set or --vary key a scenario does not declare is left out\n"
	    "for it, e.g. --set resolver=bind9 runs every scenario that has a\n"
	    "resolver parameter with bind9 and the others as they are.\n"
	    "\n"
	    "  --vary key=v1,v2   a parameter and the values to try (repeatable)\n"
	    "  --set key=value    a parameter fixed for every run\n"
	    "  --out DIR          default a new dnsdrill-out/NAME-matrix-TIME; DIR\n"
	    "                     must be new or empty\n"
	    "  --force            empty a non-empty --out DIR first\n"
	    "  --seed N           the same seed for every run\n"
	    "  --repeat N         each combination N times (seeds S..S+N-1, S the seed),\n"
	    "                     its group in DIR/LABEL/ (dnsdrill run --repeat); the\n"
	    "                     table shows each metric's median over the N runs\n"
	    "  --jobs N           run N combinations side by side, each in its own\n"
	    "                     process and sealed network (default 1: one after\n"
	    "                     another; 0 or auto: 4 per CPU, since a run mostly\n"
	    "                     waits); the table is the same, in combination order;\n"
	    "                     each run's output lines start with [LABEL]\n"
	    "  --quiet            only the table\n"
	    "  --from             run nothing: the table of runs that exist, each DIR a\n"
	    "                     run's folder (with result.json) or a folder of them\n"
	    "                     (an earlier matrix); rows link to each run's report\n"
	    "\n"
	    "Exit status: 0 when every run passed, 1 when every run completed and one\n"
	    "or more failed, 2 usage or scenario error, 3 when a run could not complete.\n"
	    "With --from, by the runs' verdicts: 0, 1, or 3 when one is error; 2 when a\n"
	    "DIR holds no result.json.\n");
}

/* ---------------- the plan ---------------- */

int
matrix_add_axis(struct matrix *m, const char *arg, struct dd_err *err)
{
	const char *eq = strchr(arg, '=');
	struct matrix_axis *a;
	char *copy, *save = NULL;

	if (eq == NULL || eq == arg || eq[1] == '\0' || m->naxes == MATRIX_MAX_AXES) {
		dd_err_set(err, "--vary '%s': expected key=v1,v2,... (at most %d)", arg,
		    MATRIX_MAX_AXES);
		return DD_EINVAL;
	}
	a = &m->axes[m->naxes++];
	a->key = strndup(arg, (size_t)(eq - arg));
	copy = strdup(eq + 1);
	if (a->key == NULL || copy == NULL) {
		free(copy);
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (a->n == MATRIX_MAX_VALUES) {
			dd_err_set(err, "--vary %s: at most %d values", a->key, MATRIX_MAX_VALUES);
			free(copy);
			return DD_EINVAL;
		}
		if ((a->values[a->n] = strdup(t)) == NULL) {
			free(copy);
			dd_err_set(err, "out of memory");
			return DD_ENOMEM;
		}
		a->n++;
	}
	free(copy);
	if (a->n == 0) {
		dd_err_set(err, "--vary %s: no values", a->key);
		return DD_EINVAL;
	}
	m->total = (m->total ? m->total : 1) * a->n;
	return 0;
}

int
matrix_combo(const struct matrix *m, size_t i, char **kv, char *label, size_t len)
{
	size_t digit[MATRIX_MAX_AXES], lo = 0;

	/* mixed-radix digits over the axes, the first axis slowest */
	for (size_t k = m->naxes; k-- > 0;) {
		digit[k] = i % m->axes[k].n;
		i /= m->axes[k].n;
	}
	if (len > 0)
		label[0] = '\0';
	for (size_t k = 0; k < m->naxes; k++) {
		const struct matrix_axis *a = &m->axes[k];
		if (asprintf(&kv[k], "%s=%s", a->key, a->values[digit[k]]) < 0) {
			while (k-- > 0) {
				free(kv[k]);
				kv[k] = NULL;
			}
			return DD_ENOMEM;
		}
		if (lo < len)
			lo += (size_t)snprintf(label + lo, len - lo, "%s%s-%s", k ? "_" : "", a->key,
			    a->values[digit[k]]);
	}
	return 0;
}

void
matrix_fini(struct matrix *m)
{
	for (size_t k = 0; k < m->naxes; k++) {
		free(m->axes[k].key);
		for (size_t j = 0; j < m->axes[k].n; j++)
			free(m->axes[k].values[j]);
	}
	memset(m, 0, sizeof(*m));
}

/* ---------------- the command ---------------- */

/* One matrix command: the plan, the options every run shares, the runs. */
struct matrix_cmd {
	struct matrix m;
	struct run_opts base;
	const char **sets;       /* the --set pairs, then one slot per axis */
	size_t nsets;
	char out[PATH_MAX];
	bool force;              /* --force: empty a non-empty --out first */
	bool from;               /* --from: the positional arguments are run folders */
	char **from_dirs;
	size_t n_from;
	struct result **runs;    /* per run; NULL when none was read */
	char **labels;
	unsigned repeat;         /* --repeat N: each combination N times; 0 once */
	/* the scenarios (several: each with every combination, --set and
	 * --vary keys it does not declare left out for it) */
	char **scen;
	size_t nscen;
	size_t ncombo;           /* combinations of the axes (1 without) */
	size_t total;            /* runs: nscen x ncombo */
	unsigned jobs;           /* --jobs: runs side by side; 1 one after another */
	unsigned repeat_jobs;    /* with --repeat, a group's runs side by side */
};

/* --from: the folders, and nothing that only a live matrix takes. */
static int
from_args(struct matrix_cmd *c, int argc, char **argv)
{
	if (c->m.naxes > 0 || c->nsets > 0 || c->base.seed_set) {
		fprintf(stderr, "dnsdrill matrix: --from runs nothing: --vary, --set and "
		    "--seed do not apply\n");
		return RUN_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, "dnsdrill matrix: --from needs at least one run folder\n");
		matrix_usage(stderr);
		return RUN_USAGE;
	}
	c->from_dirs = argv + optind;
	c->n_from = (size_t)(argc - optind);
	return 0;
}

/* The options; 0 to go on, 1 when --help was answered, else the exit
 * status of a usage error (the message printed). */
static int
parse_args(struct matrix_cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vary", required_argument, NULL, 'v' },
		{ "from", no_argument, NULL, 'F' },
		{ "set", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "force", no_argument, NULL, 'f' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dd_err err;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			if ((rc = matrix_add_axis(&c->m, optarg, &err)) < 0) {
				fprintf(stderr, "dnsdrill matrix: %s\n", err.msg);
				return rc == DD_EINVAL ? RUN_USAGE : RUN_ENV;
			}
			break;
		case 'F': c->from = true; break;
		case 's': c->sets[c->nsets++] = optarg; break;
		case 'o': snprintf(c->out, sizeof(c->out), "%s", optarg); break;
		case 'S':
			if (dd_parse_u64(optarg, &c->base.seed) < 0) {
				fprintf(stderr, "dnsdrill matrix: --seed '%s': not a number\n", optarg);
				return RUN_USAGE;
			}
			c->base.seed_set = true;
			break;
		case 'q': c->base.quiet = true; break;
		case 'f': c->force = true; break;
		case 'R': {
			uint64_t n;

			if (dd_parse_u64(optarg, &n) < 0 || n < 1 || n > REPEAT_MAX_RUNS) {
				fprintf(stderr, "dnsdrill matrix: --repeat '%s': expected a "
				    "count from 1 to %d\n", optarg, REPEAT_MAX_RUNS);
				return RUN_USAGE;
			}
			c->repeat = (unsigned)n;
			break;
		}
		case 'j':
			if (jobs_parse(optarg, sysconf(_SC_NPROCESSORS_ONLN), &c->jobs, &err) < 0) {
				fprintf(stderr, "dnsdrill matrix: %s\n", err.msg);
				return RUN_USAGE;
			}
			break;
		case 'h': matrix_usage(stdout); return 1;
		default: matrix_usage(stderr); return RUN_USAGE;
		}
	}
	if (c->from)
		return from_args(c, argc, argv);
	c->nscen = optind < argc ? (size_t)(argc - optind) : 0;
	if (c->nscen == 0 || (c->nscen == 1 && c->m.naxes == 0)) {
		fprintf(stderr, "dnsdrill matrix: give one scenario and at least one --vary, "
		    "or several scenarios\n");
		matrix_usage(stderr);
		return RUN_USAGE;
	}
	c->scen = argv + optind;
	c->ncombo = c->m.total ? c->m.total : 1;
	c->total = c->nscen * c->ncombo;
	if (c->total > MATRIX_MAX_RUNS) {
		fprintf(stderr, "dnsdrill matrix: %zu runs is too many (%d at most)\n",
		    c->total, MATRIX_MAX_RUNS);
		return RUN_USAGE;
	}
	c->base.scenario = c->scen[0];
	/* several scenarios share --set and --vary: each takes the keys it
	 * declares */
	c->base.sets_if_declared = c->nscen > 1;
	return 0;
}

/* A scenario's short name for labels: its folder for .../NAME/scenario.lua,
 * else its file name without .lua. */
static void
scen_name(const char *path, char *out, size_t len)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	if (strcmp(b, "scenario.lua") == 0 && b > path) {
		const char *e = b - 1, *f = e;

		while (f > path && f[-1] != '/')
			f--;
		snprintf(out, len, "%.*s", (int)(e - f), f);
		return;
	}
	n = strlen(b);
	if (n > 4 && strcmp(b + n - 4, ".lua") == 0)
		n -= 4;
	snprintf(out, len, "%.*s", (int)n, b);
}

/* Run i: its scenario into o->scenario, its combination's key=value pairs
 * into kv (naxes of them, the caller frees), its label. */
static int
run_plan(const struct matrix_cmd *c, size_t i, struct run_opts *o, char **kv,
    char *label, size_t len)
{
	size_t s = i / c->ncombo, k = i % c->ncombo;
	char combo[400] = "", name[200];

	if (o != NULL)
		o->scenario = c->scen[s];
	if (c->m.naxes > 0 && matrix_combo(&c->m, k, kv, combo, sizeof(combo)) < 0)
		return DD_ENOMEM;
	if (c->nscen == 1) {
		snprintf(label, len, "%s", combo);
		return 0;
	}
	scen_name(c->scen[s], name, sizeof(name));
	snprintf(label, len, "%s%s%s", name, combo[0] ? "_" : "", combo);
	return 0;
}

/* runner_main with combination i's parameters on top of o (with --repeat,
 * repeat_run into o->out_dir, *median the group's row); label gets its
 * name.  Returns the run's exit status. */
static int
run_combo(struct matrix_cmd *c, struct run_opts *o, size_t i, char *label, size_t len,
    struct result **median)
{
	char *kv[MATRIX_MAX_AXES] = { 0 };
	int rc;

	if (run_plan(c, i, o, kv, label, len) < 0)
		return RUN_ENV;
	for (size_t k = 0; k < c->m.naxes; k++)
		c->sets[c->nsets + k] = kv[k];
	o->sets = c->sets;
	o->n_sets = c->nsets + c->m.naxes;
	if (median != NULL && c->repeat > 0)
		rc = repeat_run(o, c->repeat, c->repeat_jobs ? c->repeat_jobs : 1,
		    o->out_dir, false, median);
	else
		rc = runner_main(o);
	for (size_t k = 0; k < c->m.naxes; k++)
		free(kv[k]);
	return rc;
}

/* Check each scenario once, with the first combination, before any run;
 * with several, a --set or --vary key that none declares is an error (a
 * misspelt key would otherwise change nothing, silently). */
static int
check_first(struct matrix_cmd *c)
{
	size_t nkeys = c->nsets + c->m.naxes;
	bool *declared = calloc(nkeys + 1, sizeof(*declared));
	char label[512];
	int rc = 0;

	if (declared == NULL)
		return RUN_ENV;
	for (size_t s = 0; rc == 0 && s < c->nscen; s++) {
		struct run_opts chk = c->base;

		chk.check_only = true;
		chk.quiet = true;
		chk.sets_declared = declared;
		rc = run_combo(c, &chk, s * c->ncombo, label, sizeof(label), NULL);
	}
	for (size_t i = 0; rc == 0 && c->nscen > 1 && i < nkeys; i++) {
		const char *kv = i < c->nsets ? c->sets[i] : c->m.axes[i - c->nsets].key;
		size_t klen = strcspn(kv, "=");

		if (!declared[i]) {
			fprintf(stderr, "dnsdrill matrix: %s '%.*s': none of the %zu scenarios "
			    "declares that parameter\n", i < c->nsets ? "--set" : "--vary",
			    (int)klen, kv, c->nscen);
			rc = RUN_USAGE;
		}
	}
	free(declared);
	return rc;
}

/* The name of run i alone (it names the run's folder). */
static int
combo_label(const struct matrix_cmd *c, size_t i, char *label, size_t len)
{
	char *kv[MATRIX_MAX_AXES] = { 0 };

	if (run_plan(c, i, NULL, kv, label, len) < 0)
		return DD_ENOMEM;
	for (size_t k = 0; k < c->m.naxes; k++)
		free(kv[k]);
	return 0;
}

/* c->out ready: --out new or empty (emptied with --force), else a new
 * dnsdrill-out/NAME-matrix-TIME.  0 or the exit status (message printed). */
static int
make_out(struct matrix_cmd *c)
{
	struct dd_err err;
	int rc;

	if (c->out[0] != '\0') {
		rc = outdir_prepare(c->out, c->force, &err);
	} else {
		char ts[32], base[PATH_MAX];
		time_t t = time(NULL);
		struct tm tm;
		char name[200];

		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
		if (c->nscen > 1)
			snprintf(name, sizeof(name), "catalogue");
		else
			scen_name(c->base.scenario, name, sizeof(name));
		snprintf(base, sizeof(base), "dnsdrill-out/%s-matrix-%s", name, ts);
		rc = outdir_create_new(base, c->out, sizeof(c->out), &err);
	}
	if (rc < 0) {
		fprintf(stderr, "dnsdrill matrix: %s\n", err.msg);
		return rc == DD_EINVAL ? RUN_USAGE : RUN_ENV;
	}
	return 0;
}

static struct result *
read_result(const char *dir)
{
	char path[PATH_MAX + 600];
	struct result *res = NULL;
	struct dd_err err;

	snprintf(path, sizeof(path), "%s/result.json", dir);
	if (report_read_file(path, &res, &err) < 0) {
		fprintf(stderr, "dnsdrill matrix: %s\n", err.msg);
		return NULL;
	}
	return res;
}

static bool
has_result_json(const char *dir)
{
	char path[PATH_MAX + 600];

	snprintf(path, sizeof(path), "%s/result.json", dir);
	return access(path, R_OK) == 0;
}

/* Every combination in turn.  Returns the matrix's exit status: RUN_USAGE
 * stops at once, RUN_ENV is remembered and the runs go on; when every run
 * completed, RUN_FAIL if any run's verdict failed. */
static int
run_all(struct matrix_cmd *c)
{
	bool any_fail = false;
	int code = 0;

	for (size_t i = 0; i < c->total; i++) {
		char dir[PATH_MAX + 512], label[512];
		struct run_opts o = c->base;

		if (combo_label(c, i, label, sizeof(label)) < 0)
			return RUN_ENV;
		snprintf(dir, sizeof(dir), "%s/%s", c->out, label);
		o.out_dir = dir;
		o.quiet = true;
		o.no_summary = true;
		fprintf(stderr, "dnsdrill matrix: run %zu/%zu: %s\n", i + 1, c->total, label);
		fflush(stdout);
		struct result *median = NULL;
		int rc = run_combo(c, &o, i, label, sizeof(label), &median);
		c->labels[i] = strdup(label);
		if (runner_interrupted()) {
			/* Ctrl-C means the matrix, not just this run: the table
			 * keeps the runs done before it */
			fprintf(stderr, "dnsdrill matrix: interrupted during run %zu/%zu; the table "
			    "has the runs so far\n", i + 1, c->total);
			result_free(median);
			/* the interrupted run's own result.json: verdict error */
			if (has_result_json(dir))
				c->runs[i] = read_result(dir);
			return RUN_ENV;
		}
		if (rc == RUN_USAGE || rc == RUN_ENV) {
			fprintf(stderr, "dnsdrill matrix: run %s could not complete (exit %d)\n", label, rc);
			code = rc;
			result_free(median);
			if (rc == RUN_USAGE)
				return code;
			/* verdict error: its result.json says why */
			if (has_result_json(dir))
				c->runs[i] = read_result(dir);
			continue;
		}
		any_fail |= rc == RUN_FAIL;
		c->runs[i] = c->repeat > 0 ? median : read_result(dir);
	}
	return code == 0 && any_fail ? RUN_FAIL : code;
}

/* ---------------- side by side (--jobs) ---------------- */

/* A row for run i that left no result of its own (its process died, or
 * it ended before writing one): verdict error, with the reason, the
 * combination's parameters and the --set ones, so the table shows it. */
static struct result *
error_row(struct matrix_cmd *c, size_t i, const char *reason)
{
	char name[200], label[512];
	char *kv[MATRIX_MAX_AXES] = { 0 };
	struct run_opts o = c->base;
	struct result *res;

	if (run_plan(c, i, &o, kv, label, sizeof(label)) < 0)
		return NULL;
	scen_name(o.scenario, name, sizeof(name));
	res = result_new(name);
	for (size_t k = 0; res != NULL && k < c->nsets + c->m.naxes; k++) {
		const char *p = k < c->nsets ? c->sets[k] : kv[k - c->nsets];
		const char *eq = strchr(p, '=');
		char key[200];

		if (eq == NULL)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
		(void)result_set_param(res, key, eq + 1);
	}
	if (res != NULL && result_set_error(res, reason) < 0) {
		result_free(res);
		res = NULL;
	}
	for (size_t k = 0; k < c->m.naxes; k++)
		free(kv[k]);
	return res;
}

/* What the parallel matrix learnt so far (the done callback's state). */
struct job_state {
	struct matrix_cmd *c;
	size_t finished;
	bool usage;              /* a run ended with a scenario error */
	bool env;                /* one could not complete */
	bool any_fail;
};

/* In run i's own process: what run_all does for one combination; with
 * --repeat the group's row (its medians) goes back through data_fd as
 * result.json text. */
static int
job_run(void *arg, size_t i, int data_fd)
{
	struct matrix_cmd *c = ((struct job_state *)arg)->c;
	char dir[PATH_MAX + 512], label[512];
	struct run_opts o = c->base;
	struct result *median = NULL;
	int rc;

	if (combo_label(c, i, label, sizeof(label)) < 0)
		return RUN_ENV;
	snprintf(dir, sizeof(dir), "%s/%s", c->out, label);
	o.out_dir = dir;
	o.quiet = true;
	o.no_summary = true;
	rc = run_combo(c, &o, i, label, sizeof(label), &median);
	if (median != NULL) {
		FILE *f = fdopen(dup(data_fd), "w");

		if (f == NULL || result_json_write(median, f) < 0)
			rc = rc == RUN_PASS || rc == RUN_FAIL ? RUN_ENV : rc;
		if (f != NULL)
			fclose(f);
		result_free(median);
	}
	return rc;
}

/* In the parent, run i has ended: its row, as run_all would have it. */
static enum jobs_next
job_done(void *arg, size_t i, struct jobs_task *t)
{
	struct job_state *st = arg;
	struct matrix_cmd *c = st->c;
	char dir[PATH_MAX + 512], why[300], msg[600];
	const char *verdict;

	st->finished++;
	snprintf(dir, sizeof(dir), "%s/%s", c->out, t->label);
	if (jobs_reason(t, why, sizeof(why))[0] != '\0') {
		/* it crashed: an error row with the reason, never a pass */
		snprintf(msg, sizeof(msg), "the run's process %s%s%s", why,
		    t->last[0] ? "; its last words: " : "", t->last);
		c->runs[i] = error_row(c, i, msg);
		st->env = true;
	} else if (t->code == RUN_USAGE) {
		st->usage = true;
	} else if (c->repeat > 0 && t->ndata > 0) {
		struct dd_err err = { "" };

		if (result_json_read(t->data, t->ndata, &c->runs[i], &err) < 0) {
			fprintf(stderr, "dnsdrill matrix: %s: the group's row: %s\n", t->label,
			    err.msg);
			c->runs[i] = error_row(c, i, "the group's row was lost");
			st->env = true;
		}
	} else if (has_result_json(dir)) {
		c->runs[i] = read_result(dir);
	} else {
		snprintf(msg, sizeof(msg), "no result.json (exit %d)%s%s", t->code,
		    t->last[0] ? ": " : "", t->last);
		c->runs[i] = error_row(c, i, msg);
	}
	if (t->code == RUN_ENV)
		st->env = true;
	st->any_fail |= t->code == RUN_FAIL;
	verdict = c->runs[i] != NULL ? result_verdict(c->runs[i]) :
	    t->code == RUN_USAGE ? "scenario error" : "error";
	fprintf(stderr, "dnsdrill matrix: run %zu/%zu done (%zu of %zu): %s: %s, %.1f s\n",
	    i + 1, c->total, st->finished, c->total, t->label, verdict, t->secs);
	/* a scenario error stops the matrix, as run_all does */
	return st->usage ? JOBS_STOP_ALL : JOBS_GO_ON;
}

/* run_all with up to c->jobs runs side by side, each in its own process
 * (harness/jobs.h); the rows land in c->runs by combination, whatever the
 * order the runs end in, so the table is the one run_all would give.
 * With --repeat each combination's runs share its job's share of the
 * slots (repeat_run's own jobs). */
static int
matrix_run_jobs(struct matrix_cmd *c)
{
	struct job_state st = { .c = c };
	struct jobs j = { 0 };
	struct dd_err err = { "" };
	unsigned slots = c->jobs < c->total ? c->jobs : (unsigned)c->total;
	int rc;

	j.t = calloc(c->total, sizeof(*j.t));
	if (j.t == NULL)
		return RUN_ENV;
	for (size_t i = 0; i < c->total; i++) {
		char label[512];

		if (combo_label(c, i, label, sizeof(label)) < 0 ||
		    (c->labels[i] = strdup(label)) == NULL) {
			free(j.t);
			return RUN_ENV;
		}
		j.t[i].label = c->labels[i];
	}
	j.n = c->total;
	j.max = slots;
	j.run = job_run;
	j.done = job_done;
	j.arg = &st;
	/* the runs inside one combination's group share what is left */
	c->repeat_jobs = c->repeat > 0 ? c->jobs / slots : 1;
	fprintf(stderr, "dnsdrill matrix: %zu runs, %u side by side\n", c->total,
	    slots * (c->repeat > 1 ? c->repeat_jobs : 1));
	rc = jobs_run(&j, &err);
	if (rc < 0)
		fprintf(stderr, "dnsdrill matrix: %s\n", err.msg);
	jobs_fini(&j);
	free(j.t);
	if (j.interrupted) {
		fprintf(stderr, "dnsdrill matrix: interrupted by signal %d; the table has the "
		    "runs started so far (%zu of %zu)\n", j.signo, st.finished, c->total);
		return RUN_ENV;
	}
	if (st.usage)
		return RUN_USAGE;
	if (rc < 0 || st.env)
		return RUN_ENV;
	return st.any_fail ? RUN_FAIL : 0;
}

/* The table over the runs that produced a result: files and stdout. */
static void
write_table(struct matrix_cmd *c)
{
	struct result **ok = calloc(c->total, sizeof(*ok));
	const char **okl = calloc(c->total, sizeof(*okl));
	struct dd_err err = { "" };
	size_t n = 0;

	for (size_t i = 0; ok && okl && i < c->total; i++) {
		if (c->runs[i]) {
			ok[n] = c->runs[i];
			okl[n++] = c->labels[i];
		}
	}
	if (report_write_matrix(c->out, ok, n, okl, &err) < 0)
		fprintf(stderr, "dnsdrill matrix: %s\n", err.msg);
	report_matrix_text_write(ok, n, okl, stdout);
	printf("matrix: %s/matrix.txt, %s/matrix.html (%zu of %zu runs)\n", c->out, c->out, n,
	    c->total);
	if (c->repeat > 0)
		printf("matrix: each row is %u runs, each metric their median "
		    "(DIR/LABEL/report.html: the spread)\n", c->repeat);
	free(ok);
	free(okl);
}

static void
cmd_free(struct matrix_cmd *c)
{
	for (size_t i = 0; i < c->total; i++) {
		if (c->runs)
			result_free(c->runs[i]);
		if (c->labels)
			free(c->labels[i]);
	}
	free(c->runs);
	free(c->labels);
	free(c->sets);
	matrix_fini(&c->m);
}

int
matrix_main(int argc, char **argv, const char *build_dir)
{
	struct matrix_cmd c;
	int code;

	memset(&c, 0, sizeof(c));
	c.base.build_dir = build_dir;
	c.jobs = 1;
	c.sets = calloc((size_t)argc + MATRIX_MAX_AXES + 1, sizeof(char *));
	if (c.sets == NULL)
		return RUN_ENV;
	if ((code = parse_args(&c, argc, argv)) != 0) {
		code = code == 1 ? 0 : code;   /* --help */
		goto out;
	}
	if (c.from) {
		code = matrix_from_main(c.from_dirs, c.n_from, c.out, sizeof(c.out), c.force,
		    c.base.quiet);
		goto out;
	}
	if ((code = check_first(&c)) != 0)
		goto out;
	if ((code = make_out(&c)) != 0)
		goto out;
	c.runs = calloc(c.total, sizeof(*c.runs));
	c.labels = calloc(c.total, sizeof(*c.labels));
	if (c.runs == NULL || c.labels == NULL) {
		code = RUN_ENV;
		goto out;
	}
	if (c.jobs > 1 && c.total > 1) {
		code = matrix_run_jobs(&c);
	} else {
		c.repeat_jobs = c.jobs;   /* one combination: its group's runs */
		code = run_all(&c);
	}
	if (code != RUN_USAGE)
		write_table(&c);
out:
	cmd_free(&c);
	return code;
}
