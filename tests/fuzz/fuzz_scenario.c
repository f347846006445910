/*
 * fuzz_scenario.c -- libFuzzer target: a scenario's declarations, the way
 * `dnsdrill check` loads them (harness/run.c, load()), and nothing more.
 *
 * The input is the Lua source.  It is written to SCRATCH/drill.lua (the
 * loader reads a file: zones and path() resolve beside it; SCRATCH is on
 * /dev/shm when there is one, as rewriting a file on disk for every input
 * was a third of the time), loaded in the
 * sandbox (sc_lua_new, sc_lua_load: its top level runs, declarations fill
 * struct scenario), and when that succeeds every rule it states is
 * checked (rulecheck_scenario, which also tokenizes the source with
 * sc_lex).  The timeline is never started: no process, namespace, socket
 * or faultd.  No ops are set, so a timeline function reached at load time
 * fails as it would in a run.
 *
 * Deterministic: a fixed seed, and an instruction budget (sc_lua_set_budget)
 * rather than the 5 s clock stops loops, so an endless loop costs a few
 * milliseconds and ends the same way on every machine.  The Lua state's
 * memory is capped (sc_lua_set_mem_limit, FUZZ_LUA_MEM), so a growing
 * table is a Lua "not enough memory" error, not a libFuzzer out-of-memory
 * report.
 *
 * A loaded scenario is also checked for what the loader promises: a name,
 * and every declared thing named.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/lua_api.h"
#include "harness/rulecheck.h"
#include "harness/scenario.h"
#include "lib/err.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_LUA_BUDGET 500000u           /* VM instructions per load */
#define FUZZ_LUA_MEM ((size_t)64 << 20)   /* bytes the Lua state may hold */

static char scratch[64];
static char file[96];

static void
cleanup(void)
{
	unlink(file);
	rmdir(scratch);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(scratch, sizeof(scratch), "/dev/shm/fuzz_scenario.XXXXXX");
	if (mkdtemp(scratch) == NULL) {
		snprintf(scratch, sizeof(scratch), "/tmp/fuzz_scenario.XXXXXX");
		if (mkdtemp(scratch) == NULL)
			abort();
	}
	snprintf(file, sizeof(file), "%s/drill.lua", scratch);
	atexit(cleanup);
	/* print() and the loader's notes go nowhere */
	log_set_level(LOG_LVL_ERROR);
	return 0;
}

static void
check_names(const struct scenario *sc)
{
	if (sc->name == NULL)
		abort();
	for (size_t i = 0; i < sc->n_hosts; i++)
		if (sc->hosts[i].name == NULL)
			abort();
	for (size_t i = 0; i < sc->n_dns; i++)
		if (sc->dns[i].name == NULL || sc->dns[i].host == NULL)
			abort();
	for (size_t i = 0; i < sc->n_probes; i++)
		if (sc->probes[i].name == NULL || sc->probes[i].host == NULL)
			abort();
	for (size_t i = 0; i < sc->n_procs; i++)
		if (sc->procs[i].name == NULL || sc->procs[i].argc == 0 ||
		    sc->procs[i].argv[0] == NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario *sc = NULL;
	struct sc_lua *S = NULL;
	struct dd_err err = { { 0 } };
	FILE *f;
	int rc;

	if (file[0] == '\0')   /* a driver that does not call LLVMFuzzerInitialize */
		LLVMFuzzerInitialize(NULL, NULL);
	f = fopen(file, "w");
	if (f == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();

	sc = scenario_new(file);
	if (sc == NULL || (sc->set_used = calloc(1, sizeof(bool))) == NULL)
		goto out;
	sc->seed = 1;
	sc->seed_set = true;
	if ((S = sc_lua_new(sc, sc->seed, "/nonexistent/build")) == NULL)
		goto out;
	sc_lua_set_mem_limit(S, FUZZ_LUA_MEM);
	sc_lua_set_budget(S, FUZZ_LUA_BUDGET);
	rc = sc_lua_load(S, &err);
	if (rc == 0)
		rc = rulecheck_scenario(sc, &err);
	if (rc == 0)
		check_names(sc);
	else if (rc != DD_EINVAL && rc != DD_ENOMEM)
		abort();    /* DD_EIO: the file we just wrote is gone */
	else if (err.msg[0] == '\0')
		abort();    /* an error nobody can act on */
out:
	sc_lua_free(S);
	scenario_free(sc);
	return 0;
}
