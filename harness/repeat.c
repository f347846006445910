/*
 * repeat.c -- see repeat.h.  The runs go through runner_main() one after
 * another, each into its own folder with its own seed; each run's
 * result.json is read back, and the group (model/repeat.h) is made of
 * those results alone, so what repeat.json says is what the runs wrote.
 */
#include "harness/repeat.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/jobs.h"
#include "harness/outdir.h"
#include "model/repeat.h"
#include "reports/report.h"

/* dir/run-K/result.json read back, or NULL (the message printed). */
static struct result *
read_run(const char *dir)
{
	char path[PATH_MAX + 32];
	struct result *res = NULL;
	struct dd_err err = { "" };

	snprintf(path, sizeof(path), "%s/result.json", dir);
	if (report_read_file(path, &res, &err) < 0) {
		fprintf(stderr, "dnsdrill: %s\n", err.msg);
		return NULL;
	}
	return res;
}

struct group_runs {
	struct result **res;
	char **dirs;       /* "run-1", relative to the group's folder */
	uint64_t *seeds;
	size_t n;          /* runs made */
	int code;          /* the first erring run's exit status, or 0 */
	bool any_fail;
};

static void
group_runs_free(struct group_runs *gr, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		if (gr->res)
			result_free(gr->res[k]);
		if (gr->dirs)
			free(gr->dirs[k]);
	}
	free(gr->res);
	free(gr->dirs);
	free(gr->seeds);
}

/* Run k's options: its folder (sub, len bytes) and seed; run 1 without
 * --seed picks its seed as a lone run would, the others follow the one it
 * recorded (seed0). */
static int
run_opts_of(const struct run_opts *o, unsigned k, uint64_t seed0, const char *dir,
    struct group_runs *gr, struct run_opts *ok, char *sub, size_t len)
{
	*ok = *o;
	if (gr->dirs[k] == NULL && asprintf(&gr->dirs[k], "run-%u", k + 1) < 0) {
		gr->dirs[k] = NULL;
		return RUN_ENV;
	}
	snprintf(sub, len, "%s/%s", dir, gr->dirs[k]);
	ok->out_dir = sub;
	ok->force = false;
	ok->junit = NULL;
	ok->quiet = true;
	ok->no_summary = true;
	ok->seed_out = NULL;
	ok->seed_set = o->seed_set || k > 0;
	ok->seed = k > 0 ? seed0 + k : o->seed;
	return 0;
}

/* Run k has ended with exit status rc: its result read back, its line.
 * Returns the status it counts as (RUN_ENV when it left no result). */
static int
run_ended(struct group_runs *gr, unsigned k, unsigned n, const char *sub, uint64_t seed,
    int rc)
{
	gr->res[k] = read_run(sub);
	if (gr->res[k] != NULL && gr->res[k]->has_seed)
		gr->seeds[k] = gr->res[k]->seed;
	else
		gr->seeds[k] = seed;
	fprintf(stderr, "dnsdrill: run %u/%u (seed %" PRIu64 "): %s\n",
	    k + 1, n, gr->seeds[k], gr->res[k] != NULL ?
	    result_verdict(gr->res[k]) : "error, no result");
	/* a run that left no result cannot be counted: an error */
	if (rc != RUN_USAGE && gr->res[k] == NULL)
		rc = RUN_ENV;
	return rc;
}

/* The runs, in turn; stops at the first that ends in error. */
static int
make_runs(const struct run_opts *o, unsigned n, const char *dir,
    struct group_runs *gr)
{
	for (unsigned k = 0; k < n; k++) {
		struct run_opts ok;
		char sub[PATH_MAX];
		int rc;

		if (run_opts_of(o, k, gr->seeds[0], dir, gr, &ok, sub, sizeof(sub)) != 0)
			return RUN_ENV;
		rc = runner_main(&ok);
		gr->n = k + 1;
		rc = run_ended(gr, k, n, sub, ok.seed, rc);
		if (rc == RUN_USAGE || rc == RUN_ENV || runner_interrupted()) {
			gr->code = rc == RUN_USAGE ? rc : RUN_ENV;
			return 0;
		}
		gr->any_fail |= rc == RUN_FAIL;
	}
	return 0;
}

/* --jobs: the runs side by side (harness/jobs.h), each in its own process. */
struct group_jobs {
	const struct run_opts *o;
	unsigned n;
	uint64_t seed0;
	const char *dir;
	struct group_runs *gr;
	int *rcs;                /* each run's status as it counts */
	bool stopped;            /* a run ended in error: no more start */
};

static int
group_job(void *arg, size_t i, int data_fd)
{
	struct group_jobs *g = arg;
	struct run_opts ok;
	char sub[PATH_MAX];

	(void)data_fd;
	if (run_opts_of(g->o, (unsigned)i, g->seed0, g->dir, g->gr, &ok, sub,
	    sizeof(sub)) != 0)
		return RUN_ENV;
	return runner_main(&ok);
}

static enum jobs_next
group_job_done(void *arg, size_t i, struct jobs_task *t)
{
	struct group_jobs *g = arg;
	char sub[PATH_MAX], why[300];
	unsigned k = (unsigned)i;
	int rc = t->code;

	snprintf(sub, sizeof(sub), "%s/%s", g->dir, t->label);
	if (jobs_reason(t, why, sizeof(why))[0] != '\0') {
		fprintf(stderr, "dnsdrill: run %u/%u: its process %s\n", k + 1, g->n, why);
		rc = RUN_ENV;
	}
	g->rcs[k] = run_ended(g->gr, k, g->n, sub, g->seed0 + k, rc);
	if (g->rcs[k] == RUN_USAGE || g->rcs[k] == RUN_ENV) {
		/* as one after another: no run starts after one in error */
		g->stopped = true;
		return JOBS_NO_MORE;
	}
	return JOBS_GO_ON;
}

/*
 * The group as make_runs would have it: runs 1..K, K the first run (by
 * number) that ended in error or was never started; later runs that did
 * run are left out of the group (their folders stay).  A signal makes the
 * group's status RUN_ENV.
 */
static int
make_runs_jobs(const struct run_opts *o, unsigned n, unsigned jobs, const char *dir,
    struct group_runs *gr)
{
	struct group_jobs g = { .o = o, .n = n, .dir = dir, .gr = gr };
	struct jobs j = { 0 };
	struct dd_err err = { "" };
	int rc;

	g.seed0 = o->seed;
	if (!o->seed_set) {
		/* run 1's seed, chosen now as it would choose it, so every run
		 * can start at once */
		struct run_opts chk = *o;

		chk.check_only = true;
		chk.quiet = true;
		chk.seed_out = &g.seed0;
		if ((rc = runner_main(&chk)) != 0) {
			gr->code = rc;
			return 0;
		}
	}
	/* the runs' folder names are the labels of their output lines */
	for (unsigned k = 0; k < n; k++)
		if (asprintf(&gr->dirs[k], "run-%u", k + 1) < 0) {
			gr->dirs[k] = NULL;
			return RUN_ENV;
		}
	g.rcs = calloc(n, sizeof(*g.rcs));
	j.t = calloc(n, sizeof(*j.t));
	if (g.rcs == NULL || j.t == NULL) {
		free(g.rcs);
		free(j.t);
		return RUN_ENV;
	}
	for (unsigned k = 0; k < n; k++)
		j.t[k].label = gr->dirs[k];
	j.n = n;
	j.max = jobs < n ? jobs : n;
	j.run = group_job;
	j.done = group_job_done;
	j.arg = &g;
	{
		struct run_opts seeded = *o;

		seeded.seed_set = true;
		seeded.seed = g.seed0;
		g.o = &seeded;
		rc = jobs_run(&j, &err);
	}
	if (rc < 0)
		fprintf(stderr, "dnsdrill: %s\n", err.msg);
	for (unsigned k = 0; k < n; k++) {
		if (j.t[k].state != JOBS_DONE) {
			gr->code = RUN_ENV;
			break;
		}
		gr->n = k + 1;
		if (g.rcs[k] == RUN_USAGE || g.rcs[k] == RUN_ENV) {
			gr->code = g.rcs[k];
			break;
		}
		gr->any_fail |= g.rcs[k] == RUN_FAIL;
	}
	if (j.interrupted || rc < 0)
		gr->code = gr->code == RUN_USAGE ? RUN_USAGE : RUN_ENV;
	/* runs past the group's end are not part of it */
	for (size_t k = gr->n; k < n; k++) {
		result_free(gr->res[k]);
		gr->res[k] = NULL;
	}
	jobs_fini(&j);
	free(j.t);
	free(g.rcs);
	return 0;
}

int
repeat_run(const struct run_opts *o, unsigned n, unsigned jobs, const char *dir,
    bool summary, struct result **median)
{
	struct group_runs gr = { 0 };
	struct repeat_group g = { 0 };
	struct report_repeat rp;
	struct dd_err err = { "" };
	int code;

	if (median != NULL)
		*median = NULL;
	gr.res = calloc(n, sizeof(*gr.res));
	gr.dirs = calloc(n, sizeof(*gr.dirs));
	gr.seeds = calloc(n, sizeof(*gr.seeds));
	if (gr.res == NULL || gr.dirs == NULL || gr.seeds == NULL ||
	    (jobs > 1 && n > 1 ? make_runs_jobs(o, n, jobs, dir, &gr) :
	    make_runs(o, n, dir, &gr)) != 0) {
		code = RUN_ENV;
		goto out;
	}
	/* a scenario error stops before anything is worth a summary */
	if (gr.code == RUN_USAGE && gr.n == 1 && gr.res[0] == NULL) {
		code = RUN_USAGE;
		goto out;
	}
	if (repeat_group_of((const struct result *const *)gr.res, gr.n, &g,
	    &err) < 0) {
		fprintf(stderr, "dnsdrill: %s\n", err.msg);
		code = RUN_ENV;
		goto out;
	}
	rp.group = &g;
	rp.dirs = (const char *const *)gr.dirs;
	rp.seeds = gr.seeds;
	if (report_write_repeat(dir, &rp, &err) < 0) {
		fprintf(stderr, "dnsdrill: cannot write the group's results: %s\n",
		    err.msg);
		if (gr.code == 0)
			gr.code = RUN_ENV;
	}
	if (summary) {
		report_repeat_text_write(&rp, stdout);
		printf("results: %s/repeat.json, %s/junit.xml\nreport:  "
		    "%s/report.html\n", dir, dir, dir);
	}
	if (median != NULL)
		*median = repeat_median_result(&g);
	code = gr.code != 0 ? gr.code : g.pass ? RUN_PASS : RUN_FAIL;
out:
	repeat_group_fini(&g);
	group_runs_free(&gr, n);
	return code;
}

int
repeat_main(const struct run_opts *o, unsigned n, unsigned jobs)
{
	struct run_opts chk = *o;
	char dir[PATH_MAX];
	struct dd_err err = { "" };
	int rc;

	/* a scenario error shows before any folder is made */
	chk.check_only = true;
	chk.quiet = true;
	if ((rc = runner_main(&chk)) != 0)
		return rc;
	if (o->out_dir != NULL) {
		snprintf(dir, sizeof(dir), "%s", o->out_dir);
		rc = outdir_prepare(dir, o->force, &err);
	} else {
		char ts[32], base[PATH_MAX];
		const char *b = strrchr(o->scenario, '/');
		const char *name = b != NULL ? b + 1 : o->scenario;
		size_t len = strlen(name);
		time_t t = time(NULL);
		struct tm tm;

		if (len > 4 && strcmp(name + len - 4, ".lua") == 0)
			len -= 4;
		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
		snprintf(base, sizeof(base), "dnsdrill-out/%.*s-repeat-%s",
		    (int)len, name, ts);
		rc = outdir_create_new(base, dir, sizeof(dir), &err);
	}
	if (rc < 0) {
		fprintf(stderr, "dnsdrill run: %s\n", err.msg);
		return rc == DD_EINVAL ? RUN_USAGE : RUN_ENV;
	}
	return repeat_run(o, n, jobs, dir, true, NULL);
}
