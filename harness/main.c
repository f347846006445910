/*
 * main.c -- the dnsdrill command line: run, check, matrix (matrix.c),
 * report, list, cleanup.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/jobs.h"
#include "harness/matrix.h"
#include "harness/repeat.h"
#include "harness/rootless.h"
#include "harness/runner.h"
#include "harness/summary.h"
#include "model/result.h"
#include "reports/report.h"
#include "lib/log.h"
#include "netns/netns.h"
#include "lib/util.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: dnsdrill COMMAND [options]\n"
	    "\n"
	    "Replay a DNS incident against a system under test, in sealed network\n"
	    "namespaces, and score its detection, failover and recovery.\n"
	    "\n"
	    "commands:\n"
	    "  run SCENARIO.lua [--out DIR [--force]] [--set key=value]... [--seed N]\n"
	    "                   [--junit FILE] [--quiet] [--repeat N [--jobs N]]\n"
	    "                   build, run, score, report, tear down\n"
	    "  check SCENARIO.lua [--set key=value]...\n"
	    "                   load and validate the scenario, look for its programs,\n"
	    "                   list its parameters; build nothing\n"
	    "  matrix SCENARIO.lua --vary key=v1,v2 [--vary ...] [--set key=value]...\n"
	    "                   [--out DIR] [--seed N] [--repeat N] [--jobs N]\n"
	    "                   one run per combination, one comparison table\n"
	    "  report DIR|FILE  render DIR/report.html again from DIR/result.json\n"
	    "  report --format markdown|summary-json DIR\n"
	    "                   a pull-request summary of a run, repeat or matrix\n"
	    "  list [DIR]       scenarios under DIR (default: the scenario library)\n"
	    "  cleanup          remove what crashed runs left behind\n"
	    "\n"
	    "  --rootless, --no-rootless  (any command) run, matrix, check and cleanup\n"
	    "                   as an unprivileged user, in user namespaces of their own:\n"
	    "                   the default when not root (doc/rootless.md)\n"
	    "\n"
	    "exit status: 0 pass, 1 an expectation failed, 2 scenario or usage error,\n"
	    "3 environment error (privilege, missing program, start-up failure, interrupted)\n"
	    "\n"
	    "`dnsdrill COMMAND --help` for more; the scenario language is in\n"
	    "doc/scenario-api.md and dnsdrill(1).\n");
}

static void
run_usage(FILE *f, const char *cmd)
{
	if (strcmp(cmd, "run") == 0)
		fprintf(f,
		    "usage: dnsdrill run SCENARIO.lua [options]\n"
		    "\n"
		    "  --out DIR          results here (default a new dnsdrill-out/NAME-TIME);\n"
		    "                     DIR must be new or empty\n"
		    "  --force            empty a non-empty --out DIR first\n"
		    "  --set key=value    a scenario parameter (repeatable); speed=N compresses time\n"
		    "  --seed N           the run's seed (recorded in the result; default the\n"
		    "                     scenario's seed, else a random one); see below\n"
		    "  --junit FILE       also write the JUnit XML here\n"
		    "  --quiet            only the summary\n"
		    "  --lua-mem MiB      memory for the scenario's Lua code (default 256)\n"
		    "  --repeat N         run it N times, seeds S..S+N-1 (S the seed), into\n"
		    "                     DIR/run-1..run-N, then the group's DIR/repeat.json,\n"
		    "                     DIR/junit.xml and DIR/report.html: each metric's\n"
		    "                     min/median/p90/max;\n"
		    "                     expect \"p90(failover_s) < 3\" gates on a statistic,\n"
		    "                     a plain expectation must hold in every run\n"
		    "  --jobs N           with --repeat: N runs side by side, each in its own\n"
		    "                     process and sealed network (default 1: one after\n"
		    "                     another; 0 or auto: 4 per CPU); the seeds and the\n"
		    "                     group are the same; output lines start with [run-K]\n"
		    "\n"
		    "Writes DIR/result.json, DIR/junit.xml, DIR/*.pcap and each process's\n"
		    "output (DIR/NAME.stdout, DIR/NAME.stderr).  As root it builds in the\n"
	    "machine's namespaces; as a user (or with --rootless) inside user, mount,\n"
	    "network and PID namespaces of its own that end with it (doc/rootless.md;\n"
	    "--no-rootless to refuse).\n"
		    "\n"
		    "SIGINT, SIGTERM or SIGHUP stops the run: everything is torn down and\n"
		    "result.json says verdict \"error\" (exit 3).  When the scenario's code is\n"
		    "stuck in one library call for a second after the signal, dnsdrill kills\n"
		    "the run's processes and removes its network without it and exits 3 at\n"
		    "once, writing no result files.\n"
		    "\n"
		    "The seed drives faultd's prob= and jitter= choices and the scenario's\n"
		    "rand()/math.random.  It does not make real resolvers' choices (which\n"
		    "server they ask, query ids, ports), the kernel's scheduling or real\n"
		    "processes' timing repeatable: a repeated seed replays dnsdrill's choices,\n"
		    "not the run.\n");
	else if (strcmp(cmd, "check") == 0)
		fprintf(f, "usage: dnsdrill check SCENARIO.lua [--set key=value]... [--lua-mem MiB]\n"
		    "Load and validate the scenario and its network, look for the programs it\n"
		    "runs (exit 3 when one is missing), warn about probe timeouts shorter than\n"
		    "the stub resolver's, and list its parameters with their defaults and\n"
		    "docs.  Builds nothing, needs no root.\n");
	else if (strcmp(cmd, "matrix") == 0)
		matrix_usage(f);
	else if (strcmp(cmd, "report") == 0)
		fprintf(f, "usage: dnsdrill report [--format html|markdown|summary-json] "
		    "DIR | FILE\n"
		    "html (the default): render DIR/report.html again from\n"
		    "DIR/result.json (or from the result file given, into report.html\n"
		    "beside it).\n"
		    "markdown, summary-json: print a summary for a pull-request comment\n"
		    "or a bot on stdout: the verdict, params, each expectation with what\n"
		    "was observed, the metrics and those not observed, the probes and\n"
		    "queries at the authority.  DIR is a run's folder, a `run --repeat`\n"
		    "folder (its gates, spread and runs) or a matrix folder (one row per\n"
		    "run).  Exit 0 whatever the verdict; 2 when DIR holds no result.\n");
	else if (strcmp(cmd, "list") == 0)
		fprintf(f, "usage: dnsdrill list [DIR]\nScenarios under DIR with their descriptions.\n");
	else if (strcmp(cmd, "cleanup") == 0)
		fprintf(f, "usage: dnsdrill cleanup\n"
		    "Remove namespaces, links, mounts, files and processes left by runs\n"
		    "whose dnsdrill is gone.  Live runs are left alone.  As a user (rootless)\n"
		    "there is nothing to remove: a rootless run leaves nothing behind.\n");
}

/* Where the project's programs are: beside this binary. */
static void
self_dir(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(buf, len, ".");
		return;
	}
	exe[n] = '\0';
	snprintf(buf, len, "%s", dirname(exe));
}

/* Where faultd and bin() programs are: $DNSDRILL_BUILD, else beside us. */
static const char *
build_dir(char *buf, size_t len)
{
	const char *env = getenv("DNSDRILL_BUILD");

	if (env != NULL)
		return env;
	self_dir(buf, len);
	return buf;
}

static int
cmd_run(int argc, char **argv, bool check_only)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "set", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "junit", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "force", no_argument, NULL, 'f' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "lua-mem", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = { .check_only = check_only };
	uint64_t repeat = 0;
	unsigned jobs = 1;
	bool jobs_given = false;
	struct dd_err jerr;
	const char **sets = calloc((size_t)argc + 1, sizeof(char *));
	char build[PATH_MAX];
	int opt, rc;

	if (sets == NULL)
		return RUN_ENV;
	o.build_dir = build_dir(build, sizeof(build));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': o.out_dir = optarg; break;
		case 's': sets[o.n_sets++] = optarg; break;
		case 'S':
			if (dd_parse_u64(optarg, &o.seed) < 0) {
				fprintf(stderr, "dnsdrill: --seed '%s': not a number\n", optarg);
				free(sets);
				return RUN_USAGE;
			}
			o.seed_set = true;
			break;
		case 'j': o.junit = optarg; break;
		case 'M': {
			uint64_t mib;
			if (dd_parse_u64(optarg, &mib) < 0 || mib < 1 || mib > 65536) {
				fprintf(stderr, "dnsdrill %s: --lua-mem '%s': expected MiB from 1 "
				    "to 65536\n", argv[0], optarg);
				free(sets);
				return RUN_USAGE;
			}
			o.lua_mem_mib = (unsigned)mib;
			break;
		}
		case 'q': o.quiet = true; break;
		case 'f': o.force = true; break;
		case 'R':
			if (check_only || dd_parse_u64(optarg, &repeat) < 0 ||
			    repeat < 1 || repeat > REPEAT_MAX_RUNS) {
				fprintf(stderr, "dnsdrill %s: --repeat '%s': %s "
				    "%d\n", argv[0], optarg, check_only ?
				    "only for run, not check; up to" :
				    "expected a count from 1 to", REPEAT_MAX_RUNS);
				free(sets);
				return RUN_USAGE;
			}
			break;
		case 'J':
			if (check_only || jobs_parse(optarg, sysconf(_SC_NPROCESSORS_ONLN), &jobs,
			    &jerr) < 0) {
				fprintf(stderr, "dnsdrill %s: %s\n", argv[0], check_only ?
				    "--jobs: only for run --repeat, not check" : jerr.msg);
				free(sets);
				return RUN_USAGE;
			}
			jobs_given = true;
			break;
		case 'h':
			run_usage(stdout, argv[0]);
			free(sets);
			return 0;
		default:
			run_usage(stderr, argv[0]);
			free(sets);
			return RUN_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "dnsdrill %s: give exactly one scenario file\n", argv[0]);
		run_usage(stderr, argv[0]);
		free(sets);
		return RUN_USAGE;
	}
	o.scenario = argv[optind];
	o.sets = sets;
	if (repeat > 0 && o.junit != NULL) {
		fprintf(stderr, "dnsdrill run: --junit with --repeat: the group's "
		    "JUnit XML is DIR/junit.xml\n");
		free(sets);
		return RUN_USAGE;
	}
	if (jobs_given && repeat == 0) {
		fprintf(stderr, "dnsdrill run: --jobs runs the runs of --repeat side by side; "
		    "it needs --repeat N\n");
		free(sets);
		return RUN_USAGE;
	}
	rc = repeat > 0 ? repeat_main(&o, (unsigned)repeat, jobs) : runner_main(&o);
	free(sets);
	return rc;
}

/* The first "-- " comment line, or description = "..." */
static void
describe(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512];

	snprintf(out, len, "-");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "description");
		if (p && (p = strchr(p, '"')) != NULL) {
			char *e = strchr(p + 1, '"');
			if (e) {
				*e = '\0';
				snprintf(out, len, "%s", p + 1);
				break;
			}
		}
		if (strncmp(line, "-- ", 3) == 0 && strcmp(out, "-") == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, len, "%s", line + 3);
		}
	}
	fclose(f);
}

struct list_entry {
	char path[PATH_MAX];
	char desc[256];
};

struct list {
	struct list_entry *e;
	size_t n, cap;
};

/* The scenarios under dir (to depth 3, lib/ folders skipped) into l. */
static void
list_dir(const char *dir, int depth, struct list *l)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat st;
		if (e->d_name[0] == '.' || strcmp(e->d_name, "lib") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 3) {
			list_dir(path, depth + 1, l);
			continue;
		}
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".lua") != 0)
			continue;
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 32;
			struct list_entry *grown = realloc(l->e, cap * sizeof(*grown));
			if (grown == NULL)
				break;
			l->e = grown;
			l->cap = cap;
		}
		snprintf(l->e[l->n].path, sizeof(l->e[l->n].path), "%s", path);
		describe(path, l->e[l->n].desc, sizeof(l->e[l->n].desc));
		l->n++;
	}
	closedir(d);
}

static int
by_path(const void *a, const void *b)
{
	return strcmp(((const struct list_entry *)a)->path, ((const struct list_entry *)b)->path);
}

static int
cmd_list(int argc, char **argv)
{
	char dir[PATH_MAX];
	struct list l = { 0 };
	int w = 0;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		run_usage(stdout, "list");
		return 0;
	}
	if (argc > 1) {
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	} else {
		/* beside the build (a checkout) or the installed library */
		char self[PATH_MAX];
		self_dir(self, sizeof(self));
		snprintf(dir, sizeof(dir), "%s/../scenarios", self);
		if (access(dir, R_OK) < 0)
			snprintf(dir, sizeof(dir), "%s/../share/dnsdrill/scenarios", self);
	}
	if (access(dir, R_OK) < 0) {
		fprintf(stderr, "dnsdrill list: %s: %s\n", dir, strerror(errno));
		return RUN_USAGE;
	}
	{
		char real[PATH_MAX];
		if (realpath(dir, real) != NULL)
			snprintf(dir, sizeof(dir), "%s", real);
	}
	list_dir(dir, 0, &l);
	if (l.n == 0)
		fprintf(stderr, "dnsdrill list: no scenarios under %s\n", dir);
	/* sorted by path, descriptions in one column */
	qsort(l.e, l.n, sizeof(*l.e), by_path);
	for (size_t i = 0; i < l.n; i++)
		if ((int)strlen(l.e[i].path) > w)
			w = (int)strlen(l.e[i].path);
	for (size_t i = 0; i < l.n; i++)
		printf("%-*s  %s\n", w, l.e[i].path, l.e[i].desc);
	free(l.e);
	return 0;
}

static int
cmd_matrix(int argc, char **argv)
{
	char build[PATH_MAX];

	return matrix_main(argc, argv, build_dir(build, sizeof(build)));
}

/* `dnsdrill report FILE`: FILE is a result.json (of any name); its
 * report.html goes beside it. */
static int
report_file(const char *path, char *html, size_t len, struct dd_err *err)
{
	char dir[PATH_MAX];
	struct result *res = NULL;
	int rc;

	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(html, len, "%s/report.html", dirname(dir));
	if ((rc = report_read_file(path, &res, err)) < 0)
		return rc;
	rc = report_write_file(html, report_html_write, res, err);
	result_free(res);
	return rc;
}

static int
cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dd_err err = { "" };
	char html[PATH_MAX + 16];
	const char *format = "html", *path;
	enum summary_format fmt;
	struct stat st;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'F': format = optarg; break;
		case 'h':
			run_usage(stdout, "report");
			return 0;
		default:
			run_usage(stderr, "report");
			return RUN_USAGE;
		}
	}
	if (optind != argc - 1) {
		run_usage(stderr, "report");
		return RUN_USAGE;
	}
	path = argv[optind];
	/* markdown and summary-json: harness/summary.c */
	if (strcmp(format, "html") != 0) {
		if (summary_format_parse(format, &fmt) < 0) {
			fprintf(stderr, "dnsdrill report: --format '%s': expected "
			    "html, markdown or summary-json\n", format);
			return RUN_USAGE;
		}
		return summary_main(path, fmt, stdout);
	}
	/* a run's folder, or its result.json itself */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		rc = report_file(path, html, sizeof(html), &err);
	} else {
		snprintf(html, sizeof(html), "%s/report.html", path);
		rc = report_render_dir(path, &err);
	}
	if (rc < 0) {
		fprintf(stderr, "dnsdrill report: %s\n", err.msg);
		return RUN_USAGE;
	}
	printf("report: %s\n", html);
	return 0;
}

static int
cmd_cleanup(int argc, char **argv)
{
	struct dd_err err = { "" };
	int removed = 0;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		run_usage(stdout, "cleanup");
		return 0;
	}
	if (rootless_active())
		return rootless_cleanup();
	if (netns_check_privilege(&err) < 0) {
		fprintf(stderr, "dnsdrill cleanup: %s\n", err.msg);
		return RUN_ENV;
	}
	if (netns_cleanup(NULL, &removed, &err) < 0) {
		fprintf(stderr, "dnsdrill cleanup: %s\n", err.msg);
		return RUN_ENV;
	}
	printf("cleanup: removed %d abandoned run%s\n", removed, removed == 1 ? "" : "s");
	return 0;
}

int
main(int argc, char **argv)
{
	log_init("dnsdrill", LOG_LVL_INFO);
	if (argc < 2) {
		usage(stderr);
		return RUN_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("dnsdrill %s\n", DNSDRILL_VERSION);
		return 0;
	}
	int rc = rootless_setup(&argc, argv);
	if (rc != 0)
		return rc;
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1, false);
	if (!strcmp(argv[1], "check"))
		return cmd_run(argc - 1, argv + 1, true);
	if (!strcmp(argv[1], "matrix"))
		return cmd_matrix(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "cleanup"))
		return cmd_cleanup(argc - 1, argv + 1);
	fprintf(stderr, "dnsdrill: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return RUN_USAGE;
}
