/*
 * faultctl.c -- talk to a running faultd over its control socket.
 *
 *   faultctl --control PATH rule add 'RULE'
 *   faultctl --control PATH rule del ID | rule list | clear | stats [--json]
 *   faultctl --control PATH zone set ORIGIN FILE|- | zone empty ORIGIN | ...
 *   faultctl --connect HOST:PORT --tls-cert C --tls-key K --tls-ca CA COMMAND
 *
 * Texts (zone set, record add) are read from a file or stdin ("-") and
 * sent escaped on the one command line (ctl_text_escape).
 * Exit: 0 done, 1 faultd refused the command (its message on stderr),
 * 2 usage, 3 cannot reach faultd.  The protocol is faultd/ctl.h's; this
 * file only turns the command line into one request and prints the reply.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultd/ctl.h"
#include "faultd/ctl_tls.h"
#include "lib/buf.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: faultctl --control PATH COMMAND\n"
	    "       faultctl --connect HOST:PORT --tls-cert FILE --tls-key FILE --tls-ca FILE\n"
	    "                [--tls-name NAME] COMMAND\n"
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
	    "  version              faultd's version (\"faultd 0.1.0\")\n"
	    "\n"
	    "live changes to the zones (each applies to the next query):\n"
	    "  zone set ORIGIN FILE|-         replace the zone with a zone file's text\n"
	    "  zone reset ORIGIN              read the zone's own file again\n"
	    "  zone empty ORIGIN              keep only the apex SOA and NS\n"
	    "  zone ttl ORIGIN TTL            every record of the zone gets TTL\n"
	    "  zone ns ORIGIN NAME...         the apex NS set becomes NAME...\n"
	    "  zone show ORIGIN               print the zone as it is served\n"
	    "  record add FILE|-              add records (zone-file lines, absolute names)\n"
	    "  record add -r 'RECORD'         add one record given on the command line\n"
	    "  record del NAME [TYPE [DATA]]  delete records at NAME\n"
	    "  record ttl NAME TYPE|* TTL     change an RRset's TTL\n"
	    "  delegation del CHILD           a registry hold: the parent answers\n"
	    "                                 NXDOMAIN for CHILD and below\n"
	    "  delegation set CHILD NAME...   the parent's NS set for CHILD\n"
	    "\n"
	    "options:\n"
	    "  --control PATH       faultd's control socket (or $FAULTD_CONTROL)\n"
	    "  --connect HOST:PORT  faultd's TLS control channel (its --control-tls)\n"
	    "  --tls-cert FILE      this client's certificate (PEM), signed by a CA\n"
	    "                       faultd's --tls-ca trusts\n"
	    "  --tls-key FILE       its private key (PEM)\n"
	    "  --tls-ca FILE        the CA that signs faultd's certificate (PEM)\n"
	    "  --tls-name NAME      faultd's certificate must carry NAME (DNS name or\n"
	    "                       IP; default: any certificate the CA signed)\n"
	    "  --timeout SECONDS    give up after this long (default 5)\n"
	    "  --help, --version\n"
	    "\n"
	    "example: faultctl --control /run/faultd.sock rule add 'name=www.example.com action=servfail'\n");
}

/* All of fp into out; 0 or -1. */
static int
slurp(FILE *fp, struct dd_buf *out)
{
	char b[4096];
	size_t n;

	while ((n = fread(b, 1, sizeof(b), fp)) > 0)
		dd_buf_append(out, b, n);
	return ferror(fp) ? -1 : 0;
}

/*
 * "zone set ORIGIN FILE|-" and "record add FILE|-|-r RECORD" into cmd.
 * Returns 0 (cmd filled, or left empty for any other command), or 2 for a
 * usage error (said on stderr).
 */
static int
text_command(int argc, char **argv, struct dd_buf *cmd)
{
	struct dd_buf text = { 0 };
	const char *src;
	int rc = 0;

	if (argc >= 2 && strcmp(argv[0], "zone") == 0 && strcmp(argv[1], "set") == 0) {
		if (argc != 4) {
			fprintf(stderr, "faultctl: zone set ORIGIN FILE (or - for stdin)\n");
			return 2;
		}
		dd_buf_printf(cmd, "zone set %s ", argv[2]);
		src = argv[3];
	} else if (argc >= 2 && strcmp(argv[0], "record") == 0 &&
	    strcmp(argv[1], "add") == 0) {
		if (argc == 4 && strcmp(argv[2], "-r") == 0) {
			dd_buf_printf(cmd, "record add ");
			ctl_text_escape(argv[3], strlen(argv[3]), cmd);
			return 0;
		}
		if (argc != 3) {
			fprintf(stderr, "faultctl: record add FILE, record add - (stdin) "
			    "or record add -r 'RECORD'\n");
			return 2;
		}
		dd_buf_printf(cmd, "record add ");
		src = argv[2];
	} else {
		return 0;
	}
	if (strcmp(src, "-") == 0) {
		rc = slurp(stdin, &text);
	} else {
		FILE *fp = fopen(src, "rb");
		if (fp == NULL) {
			fprintf(stderr, "faultctl: %s: %s\n", src, strerror(errno));
			dd_buf_free(&text);
			return 2;
		}
		rc = slurp(fp, &text);
		fclose(fp);
	}
	if (rc < 0) {
		fprintf(stderr, "faultctl: cannot read %s\n", src);
		dd_buf_free(&text);
		return 2;
	}
	ctl_text_escape((const char *)text.data, text.len, cmd);
	dd_buf_free(&text);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "control", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "connect", required_argument, NULL, 'C' },
		{ "tls-cert", required_argument, NULL, 'E' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "tls-ca", required_argument, NULL, 'A' },
		{ "tls-name", required_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("FAULTD_CONTROL");
	struct ctl_tls_opts tls = { 0 };
	struct dd_buf cmd = { 0 };
	struct ctl_result res;
	struct dd_err err = { "" };
	int opt, timeout_ms = 5000, json = 0, rc;

	while ((opt = getopt_long(argc, argv, "+c:t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'C': tls.addr = optarg; break;
		case 'E': tls.cert_file = optarg; break;
		case 'K': tls.key_file = optarg; break;
		case 'A': tls.ca_file = optarg; break;
		case 'N': tls.server_name = optarg; break;
		case 't': timeout_ms = (int)(atof(optarg) * 1000); break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("faultctl %s\n", DNSDRILL_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (tls.addr == NULL && (tls.cert_file || tls.key_file || tls.ca_file ||
	    tls.server_name)) {
		fprintf(stderr, "faultctl: --tls-cert, --tls-key, --tls-ca and --tls-name "
		    "go with --connect HOST:PORT\n");
		return 2;
	}
	if (tls.addr != NULL) {
		struct dd_err e;

		if (ctl_tls_opts_check(&tls, &e) < 0) {
			fprintf(stderr, "faultctl: %s (give --connect HOST:PORT --tls-cert FILE "
			    "--tls-key FILE --tls-ca FILE)\n", e.msg);
			return 2;
		}
		path = NULL;    /* --connect wins over $FAULTD_CONTROL */
	} else if (path == NULL) {
		fprintf(stderr, "faultctl: give --control PATH (faultd's --control socket) or "
		    "--connect HOST:PORT with --tls-cert, --tls-key, --tls-ca\n");
		return 2;
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	/* zone set ORIGIN FILE|- and record add FILE|-|-r RECORD: the text
	 * goes escaped */
	if ((rc = text_command(argc - optind, argv + optind, &cmd)) != 0) {
		dd_buf_free(&cmd);
		return rc;
	}
	/* the rest of the command line is the command; a trailing --json on
	 * stats asks for JSON */
	for (int i = cmd.len ? argc : optind; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
			continue;
		}
		if (strchr(argv[i], '\n') != NULL) {
			fprintf(stderr, "faultctl: newline in argument '%s'\n", argv[i]);
			dd_buf_free(&cmd);
			return 2;
		}
		dd_buf_printf(&cmd, "%s%s", cmd.len ? " " : "", argv[i]);
	}
	if (json)
		dd_buf_printf(&cmd, " json");
	{
		const char *c0 = argv[optind];
		if (strcmp(c0, "rule") && strcmp(c0, "clear") && strcmp(c0, "stats") &&
		    strcmp(c0, "reload") && strcmp(c0, "ping") && strcmp(c0, "version") &&
		    strcmp(c0, "zone") &&
		    strcmp(c0, "record") && strcmp(c0, "delegation")) {
			fprintf(stderr, "faultctl: unknown command '%s' (see --help)\n", c0);
			dd_buf_free(&cmd);
			return 2;
		}
	}
	dd_buf_append(&cmd, "", 1);
	if (cmd.oom) {
		fprintf(stderr, "faultctl: out of memory\n");
		dd_buf_free(&cmd);
		return 3;
	}
	if (timeout_ms <= 0)
		timeout_ms = 1;

	if (tls.addr != NULL) {
		rc = ctl_request_tls(&tls, (const char *)cmd.data, (uint64_t)timeout_ms * 1000,
		    &res, &err);
		if (rc == DD_EINVAL && res.data == NULL && res.status == NULL) {
			/* refused before anything was sent: a file or the address */
			fprintf(stderr, "faultctl: %s\n", err.msg);
			dd_buf_free(&cmd);
			return 2;
		}
	} else {
		rc = ctl_request(path, (const char *)cmd.data, (uint64_t)timeout_ms * 1000,
		    &res, &err);
	}
	dd_buf_free(&cmd);
	/* data lines to stdout, also before an ERR; the status decides the
	 * exit code */
	if (res.data != NULL)
		fwrite(res.data, 1, res.data_len, stdout);
	switch (rc) {
	case 0:
		if (res.status[0] != '\0')
			printf("%s\n", res.status);
		break;
	case DD_EINVAL:
		fprintf(stderr, "faultctl: %s\n", err.msg);
		rc = 1;
		break;
	case -ENAMETOOLONG:
		fprintf(stderr, "faultctl: %s: path too long\n", path);
		rc = 2;
		break;
	default:
		fprintf(stderr, "faultctl: %s\n", err.msg);
		rc = 3;
		break;
	}
	ctl_result_free(&res);
	return rc;
}
