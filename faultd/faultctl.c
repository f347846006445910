/*
 * faultctl.c -- talk to a running faultd over its control socket.
 *
 *   faultctl --control PATH rule add 'RULE'
 *   faultctl --control PATH rule del ID | rule list | clear | stats [--json]
 *
 * Exit: 0 done, 1 faultd refused the command (its message on stderr),
 * 2 usage, 3 cannot reach faultd.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/buf.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: faultctl --control PATH COMMAND\n"
	    "\n"
	    "Change a running faultd's rules and read its counters.\n"
	    "\n"
	    "commands:\n"
	    "  rule add 'RULE'      append a rule; prints its id\n"
	    "  rule insert 'RULE'   put a rule first; prints its id\n"
	    "  rule del ID          remove a rule\n"
	    "  rule list            list rules: id, hits, rule\n"
	    "  clear                remove every rule\n"
	    "  stats [--json]       counters: queries, replies, drops, malformed,\n"
	    "                       per action and per rule\n"
	    "  reload               re-read rules and zone files (as SIGHUP)\n"
	    "  ping\n"
	    "\n"
	    "options:\n"
	    "  --control PATH       faultd's control socket (or $FAULTD_CONTROL)\n"
	    "  --timeout SECONDS    give up after this long (default 5)\n"
	    "  --help, --version\n"
	    "\n"
	    "example: faultctl --control /run/faultd.sock rule add 'name=www.example.com action=servfail'\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "control", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("FAULTD_CONTROL");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct dd_buf cmd = { 0 }, in = { 0 };
	int opt, fd, timeout_ms = 5000, json = 0, rc = 1;

	while ((opt = getopt_long(argc, argv, "+c:t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 't': timeout_ms = (int)(atof(optarg) * 1000); break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("faultctl %s\n", DNSDRILL_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (path == NULL) {
		fprintf(stderr, "faultctl: give --control PATH (faultd's --control socket)\n");
		return 2;
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	/* the rest of the command line is the command; a trailing --json on
	 * stats asks for JSON */
	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
			continue;
		}
		if (strchr(argv[i], '\n') != NULL) {
			fprintf(stderr, "faultctl: newline in argument '%s'\n", argv[i]);
			return 2;
		}
		dd_buf_printf(&cmd, "%s%s", cmd.len ? " " : "", argv[i]);
	}
	if (json)
		dd_buf_printf(&cmd, " json");
	dd_buf_printf(&cmd, "\n");
	{
		const char *c0 = argv[optind];
		if (strcmp(c0, "rule") && strcmp(c0, "clear") && strcmp(c0, "stats") &&
		    strcmp(c0, "reload") && strcmp(c0, "ping")) {
			fprintf(stderr, "faultctl: unknown command '%s' (see --help)\n", c0);
			dd_buf_free(&cmd);
			return 2;
		}
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "faultctl: %s: path too long\n", path);
		dd_buf_free(&cmd);
		return 2;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "faultctl: cannot reach faultd at %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		dd_buf_free(&cmd);
		return 3;
	}
	if (write(fd, cmd.data, cmd.len) != (ssize_t)cmd.len) {
		fprintf(stderr, "faultctl: write to %s: %s\n", path, strerror(errno));
		close(fd);
		dd_buf_free(&cmd);
		return 3;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char b[4096];
		ssize_t n;
		if (poll(&p, 1, timeout_ms) <= 0) {
			fprintf(stderr, "faultctl: no answer from faultd within %d ms\n", timeout_ms);
			close(fd);
			dd_buf_free(&cmd);
			dd_buf_free(&in);
			return 3;
		}
		n = read(fd, b, sizeof(b));
		if (n <= 0)
			break;
		dd_buf_append(&in, b, (size_t)n);
	}
	close(fd);
	dd_buf_append(&in, "", 1);
	/* print data lines; the status line decides the exit code */
	char *s = (char *)in.data, *line;
	char *save = NULL;
	rc = 3;
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "OK", 2) == 0 && (line[2] == '\0' || line[2] == ' ')) {
			if (line[2] == ' ')
				printf("%s\n", line + 3);
			rc = 0;
		} else if (strncmp(line, "ERR ", 4) == 0) {
			fprintf(stderr, "faultctl: %s\n", line + 4);
			rc = 1;
		} else {
			printf("%s\n", line);
		}
	}
	if (rc == 3)
		fprintf(stderr, "faultctl: faultd closed the connection without an answer\n");
	dd_buf_free(&cmd);
	dd_buf_free(&in);
	return rc;
}
