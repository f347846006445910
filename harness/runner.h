/*
 * runner.h -- `dnsdrill run` and `dnsdrill check`: load a scenario and
 * check every rule it states, build its network, start faultd and the SUT,
 * play the timeline, probe, watch, capture, score, write the results, tear
 * everything down.  The phases live in harness/run*.c (run_internal.h).
 *
 * The runner owns time: every event gets its timestamp here (ms since the
 * run started, monotonic clock), and the timeline is resumed from the event
 * loop.  Teardown happens on every path: normal end, scenario error,
 * environment error, SIGINT and SIGTERM.
 */
#ifndef DD_HARNESS_RUNNER_H
#define DD_HARNESS_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes (DESIGN.md). */
enum {
	RUN_PASS = 0,
	RUN_FAIL = 1,      /* an expectation failed */
	RUN_USAGE = 2,     /* scenario or usage error */
	RUN_ENV = 3,       /* environment: privilege, missing binary, start failure */
};

struct run_opts {
	const char *scenario;
	const char *out_dir;          /* NULL: dnsdrill-out/NAME-TIMESTAMP */
	const char *const *sets;      /* "key=value" */
	size_t n_sets;
	bool seed_set;
	uint64_t seed;
	const char *junit;            /* extra copy of junit.xml, or NULL */
	bool quiet;
	bool check_only;              /* load and validate, build nothing */
	bool no_summary;              /* write files only (matrix runs) */
	const char *build_dir;        /* where faultd and bin() programs are */
	bool force;                   /* --force: empty a non-empty out_dir first */
	unsigned lua_mem_mib;         /* --lua-mem: the Lua state's memory; 0 default */
	bool sets_if_declared;        /* a --set key the scenario does not declare
	                                 is left out, not an error (a matrix over
	                                 several scenarios) */
	bool *sets_declared;          /* or NULL: n_sets flags, each set true when
	                                 the scenario declares that key (a matrix
	                                 over several scenarios finds a key none
	                                 declares) */
	uint64_t *seed_out;           /* or NULL: gets the run's seed once the
	                                 scenario is loaded (--seed, its `seed`,
	                                 else the random one), check_only too */
};

/* Returns one of the exit codes above. */
int runner_main(const struct run_opts *o);

/* Did a run of this process end because of a signal (SIGINT, SIGTERM,
 * SIGHUP)?  A command running several stops at the first that did. */
bool runner_interrupted(void);

#endif
