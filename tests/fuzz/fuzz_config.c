/*
 * fuzz_config.c -- faultd's settings (faultd/config.c): the input as a
 * config file (faultd --config FILE), or, with the first byte 0x01, as a
 * command line (arguments separated by NUL bytes, at most 32).
 *
 * Checked (abort() when not so): a refusal says why; a config file with a
 * NUL byte is refused (it would cut a value short); an accepted config has
 * something to listen on and every rule in it parses.  The command-line
 * form never reaches --config (any argument starting "--c" but not
 * "--control" skips the input): the file it named could be /dev/zero.
 * --help and --version print to stdout, which this target points at
 * /dev/null.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultd/config.h"
#include "faultd/rule.h"
#include "lib/log.h"
#include "tests/fuzz/fuzzlib.h"

#define MAX_ARGS 32

static struct fuzz_file F;
static struct faultd_config C;   /* large: ~100 KiB */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_config", LOG_LVL_ERROR);
	fuzz_file_init(&F);
	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
	return 0;
}

static void
check(int rc, const struct dd_err *err)
{
	if (rc == CFG_USAGE) {
		FUZZ_CHECK(err->msg[0] != '\0', "refused without a reason");
		return;
	}
	if (rc == CFG_EXIT_OK)
		return;
	FUZZ_CHECK(rc == CFG_OK, "rc %d", rc);
	FUZZ_CHECK(C.nlisten >= 1 && C.nlisten <= CFG_MAX, "%zu listen addresses", C.nlisten);
	FUZZ_CHECK(C.nzones <= CFG_MAX && C.nupstreams <= CFG_MAX, "counts");
	FUZZ_CHECK(C.max_tcp >= 1 && C.upstream_timeout_us > 0 && C.tcp_idle_us > 0, "limits");
	for (size_t i = 0; i < C.nrules; i++) {
		struct rule *r;
		struct dd_err e;
		FUZZ_CHECK(rule_parse(C.rules[i], &r, &e) == 0, "accepted rule '%s' refused: %s",
		    C.rules[i], e.msg);
		rule_free(r);
	}
	for (size_t i = 0; i < C.nzones; i++)
		FUZZ_CHECK(C.zones[i][0] != '\0', "an empty zone path");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dd_err err = { "" };
	char *argv[MAX_ARGS + 2];
	int argc = 0, rc;

	argv[argc++] = strdup("faultd");
	if (size > 0 && data[0] == 0x01) {
		/* a command line */
		for (size_t off = 1; off < size && argc < MAX_ARGS + 1;) {
			const uint8_t *end = memchr(data + off, '\0', size - off);
			size_t n = end ? (size_t)(end - (data + off)) : size - off;

			argv[argc] = strndup((const char *)data + off, n);
			if (strncmp(argv[argc], "--c", 3) == 0 &&
			    strncmp(argv[argc], "--control", 9) != 0) {
				argc++;
				goto out;
			}
			argc++;
			off += n + 1;
		}
	} else {
		fuzz_file_put(&F, data, size);
		argv[argc++] = strdup("--config");
		argv[argc++] = strdup(F.path);
	}
	argv[argc] = NULL;
	for (int i = 0; i < argc; i++)
		if (argv[i] == NULL)
			abort();
	rc = faultd_config_parse(&C, argc, argv, &err);
	check(rc, &err);
	/* a NUL byte would cut its line's value short: refused */
	FUZZ_CHECK(rc == CFG_USAGE || (size > 0 && data[0] == 0x01) ||
	    memchr(data, '\0', size) == NULL, "a config file with a NUL byte accepted");
	faultd_config_free(&C);
out:
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
