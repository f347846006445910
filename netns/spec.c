/*
 * spec.c -- a small text format for topologies, one statement per line,
 * for tests, benchmarks and debugging (the harness builds topologies from
 * Lua through the C calls instead).  See doc/netns.md:
 *
 *   host NAME [forward]          segment NAME
 *   link A[:IF] B[:IF]           attach SEGMENT HOST[:IF]
 *   addr HOST IF ADDR[/LEN]      route HOST DST [via GW] [dev IF]
 *   forward HOST                 intercept HOST ADDR[:PORT]
 *   resolv HOST LINE...          hosts HOST LINE...   (repeat to add lines)
 *
 * '#' starts a comment.  Errors read "FILE:LINE: message".
 */
#include "netns/netns.h"
#include "netns/topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXTOK 8

/* Append one line to a host's resolv.conf or hosts text. */
static int
add_line(struct netns_topo *t, const char *host, const char *line, bool resolv)
{
	struct nn_host *h = nn_host_find(t, host);
	const char *old = h == NULL ? NULL : resolv ? h->resolv : h->hosts;
	size_t len = (old ? strlen(old) : 0) + strlen(line) + 2;
	char *text = malloc(len);
	int rc;

	if (text == NULL)
		return DD_ENOMEM;
	snprintf(text, len, "%s%s\n", old ? old : "", line);
	rc = resolv ? netns_host_resolv_conf(t, host, text) : netns_host_hosts(t, host, text);
	free(text);
	return rc;
}

/* "host:if" -> host, if (NULL when absent) */
static char *
split_if(char *s)
{
	char *c = strchr(s, ':');

	if (c == NULL)
		return NULL;
	*c = '\0';
	return c + 1;
}

static int
statement(struct netns_topo *t, char *line)
{
	char *tok[MAXTOK], *rest = NULL, *p = line;
	int n = 0;

	while (n < MAXTOK) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		if (n == 2)
			rest = p;  /* for resolv/hosts: the raw rest */
		tok[n++] = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
	}
	if (n == 0)
		return 0;
	if ((strcmp(tok[0], "resolv") == 0 || strcmp(tok[0], "hosts") == 0) && n >= 2) {
		/* undo the tokenizing of the rest of the line */
		for (char *q = rest; q != NULL && q < p; q++)
			if (*q == '\0')
				*q = ' ';
		return add_line(t, tok[1], rest ? rest : "", tok[0][0] == 'r');
	}
	if (n < MAXTOK)
		p += strspn(p, " \t");
	if (*p != '\0') {
		dd_err_set(&t->err, "too many words");
		return DD_EINVAL;
	}
	if (strcmp(tok[0], "host") == 0 && (n == 2 || n == 3)) {
		int rc = netns_host_add(t, tok[1]);
		if (rc == 0 && n == 3) {
			if (strcmp(tok[2], "forward") != 0)
				goto usage;
			rc = netns_host_forward(t, tok[1], true);
		}
		return rc;
	}
	if (strcmp(tok[0], "segment") == 0 && n == 2)
		return netns_segment_add(t, tok[1]);
	if (strcmp(tok[0], "forward") == 0 && n == 2)
		return netns_host_forward(t, tok[1], true);
	if (strcmp(tok[0], "link") == 0 && n == 3) {
		char *ifa = split_if(tok[1]), *ifb = split_if(tok[2]);
		return netns_link_add(t, tok[1], ifa, tok[2], ifb);
	}
	if (strcmp(tok[0], "attach") == 0 && n == 3) {
		char *ifa = split_if(tok[2]);
		return netns_segment_attach(t, tok[1], tok[2], ifa);
	}
	if (strcmp(tok[0], "addr") == 0 && n == 4)
		return netns_addr_add(t, tok[1], tok[2], tok[3]);
	if (strcmp(tok[0], "intercept") == 0 && n == 3)
		return netns_host_intercept_dns(t, tok[1], tok[2]);
	if (strcmp(tok[0], "route") == 0 && n >= 3) {
		const char *via = NULL, *dev = NULL;
		for (int i = 3; i + 1 < n; i += 2) {
			if (strcmp(tok[i], "via") == 0)
				via = tok[i + 1];
			else if (strcmp(tok[i], "dev") == 0)
				dev = tok[i + 1];
			else
				goto usage;
		}
		if (n % 2 == 0)
			goto usage;
		return netns_route_add(t, tok[1], tok[2], via, dev);
	}
usage:
	dd_err_set(&t->err, "cannot read '%s' statement (see doc/netns.md)", tok[0]);
	return DD_EINVAL;
}

int
netns_topo_parse(struct netns_topo *t, const char *text, const char *fname)
{
	char msg[sizeof(t->err.msg)];
	const char *p = text;
	int lineno = 0, rc;

	if (t == NULL || text == NULL)
		return DD_EINVAL;
	if (fname == NULL)
		fname = "topology";
	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		char *line = strndup(p, len), *hash;

		if (line == NULL)
			return DD_ENOMEM;
		lineno++;
		p += len + (p[len] == '\n');
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		line[strcspn(line, "\r")] = '\0';
		rc = statement(t, line);
		free(line);
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "%s", t->err.msg);
			dd_err_set(&t->err, "%s:%d: %s", fname, lineno, msg);
			return rc;
		}
	}
	return 0;
}
