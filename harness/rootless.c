/*
 * rootless.c -- the command line's side of rootless runs
 * (harness/rootless.h): the flags, the default, which commands enter user
 * namespaces, and `cleanup` without root.
 */
#include "harness/rootless.h"
#include "harness/runner.h"
#include "netns/netns.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool active;

bool
rootless_active(void)
{
	return active;
}

bool
rootless_choose(int want, unsigned euid)
{
	return want >= 0 ? want == 1 : euid != 0;
}

int
rootless_setup(int *argc, char **argv)
{
	int want = -1, n = 1;
	bool help = false, ended = false;
	const char *cmd = *argc > 1 ? argv[1] : "";

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		if (i >= 2 && !ended && (!strcmp(a, "--rootless") || !strcmp(a, "--no-rootless"))) {
			int w = !strcmp(a, "--rootless");
			if (want >= 0 && want != w) {
				fprintf(stderr, "dnsdrill %s: --rootless and --no-rootless "
				    "together\n", cmd);
				return RUN_USAGE;
			}
			want = w;
			continue;
		}
		if (!strcmp(a, "--"))
			ended = true;
		if (!ended && (!strcmp(a, "--help") || !strcmp(a, "-h")))
			help = true;
		argv[n++] = argv[i];
	}
	argv[n] = NULL;
	*argc = n;
	active = rootless_choose(want, (unsigned)geteuid());
	if (!active || help || (strcmp(cmd, "run") != 0 && strcmp(cmd, "matrix") != 0))
		return 0;

	struct dd_err err = { "" };
	if (netns_rootless_enter(&err) < 0) {
		fprintf(stderr, "dnsdrill %s: %s\n", cmd, err.msg);
		return RUN_ENV;
	}
	return 0;
}

int
rootless_cleanup(void)
{
	DIR *d = opendir("/run/dnsdrill");
	struct dirent *e;
	int others = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		others += e->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	printf("cleanup: rootless: nothing to remove (a rootless run's namespaces, "
	    "mounts and processes end with it)\n");
	if (others > 0)
		printf("cleanup: %d run folder%s under /run/dnsdrill belong%s to runs "
		    "as root: `sudo dnsdrill cleanup` removes what crashed ones left\n",
		    others, others == 1 ? "" : "s", others == 1 ? "s" : "");
	return 0;
}
