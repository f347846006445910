/*
 * config.c -- command line and config file for faultd.
 */
#include "faultd/config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "faultd/rule.h"
#include "lib/util.h"

void
faultd_usage(FILE *out)
{
	fprintf(out,
	    "usage: faultd [options]\n"
	    "\n"
	    "A fault-injecting DNS server: authoritative for the zones it is given,\n"
	    "forwarding everything else to its upstreams, misbehaving as its rules say.\n"
	    "\n"
	    "  --listen ADDR:PORT      listen on UDP and TCP (repeatable; [::1]:5300 for IPv6)\n"
	    "  --zone FILE             serve a zone file (repeatable)\n"
	    "  --upstream ADDR:PORT    forward other queries here (repeatable, tried in order)\n"
	    "  --rule 'RULE'           a fault rule (repeatable; first match wins)\n"
	    "  --rules FILE            rules, one per line ('#' comments); re-read on SIGHUP\n"
	    "  --control PATH          unix control socket for faultctl (mode 0600)\n"
	    "  --control-idle DUR      close control connections idle this long (default 60s)\n"
	    "  --control-tls ADDR:PORT the control protocol over TCP with TLS (1.2+): only\n"
	    "                          clients with a certificate --tls-ca signed (full\n"
	    "                          control of the answers: bind a management network)\n"
	    "  --tls-cert FILE         faultd's certificate (PEM chain) for --control-tls\n"
	    "  --tls-key FILE          its private key (PEM)\n"
	    "  --tls-ca FILE           CA certificate(s) (PEM) client certificates must chain to\n"
	    "  --metrics ADDR:PORT     Prometheus text metrics: HTTP GET /metrics (no auth)\n"
	    "  --seed N                seed for prob= and jitter= (default 1)\n"
	    "  --upstream-timeout DUR  per-upstream timeout before the next (default 1500ms)\n"
	    "  --tcp-idle DUR          close idle TCP connections after (default 10s)\n"
	    "  --max-tcp N             concurrent TCP connections (default 1024; lowered\n"
	    "                          under the open-file limit, ulimit -n)\n"
	    "  --max-tcp-output SIZE   unwritten TCP answers held for all clients together\n"
	    "                          (default 16M; k, M, G suffixes)\n"
	    "  --time-scale S          serve every TTL divided by S (rounded, floor 1s;\n"
	    "                          default 1): an incident compressed S times\n"
	    "  --capacity QPS          answer at most QPS queries a second, in order; up to\n"
	    "                          --queue N (default 100) wait, delayed; the rest get\n"
	    "                          --overflow drop (default), servfail or refused\n"
	    "  --sign ORIGIN[:KEY,...] sign the zone ORIGIN (DNSSEC): with ldns-keygen keys\n"
	    "                          (base names), or a KSK+ZSK made now (ECDSAP256SHA256)\n"
	    "  --nsec3                 deny with NSEC3 (no salt, 0 iterations) not NSEC\n"
	    "  --ds-out FILE           write the signed zones' DS records to FILE\n"
	    "  --workers N             N threads serve DNS on the same addresses (SO_REUSEPORT),\n"
	    "                          sharing rules, zones and counters (default 1)\n"
	    "  --config FILE           read these settings from FILE ('listen 127.0.0.1:53')\n"
	    "  --log-level LEVEL       error, warn, info (default) or debug\n"
	    "  --help, --version\n"
	    "\n"
	    "Rule terms: name= type= client= transport= prob= action= delay= jitter=\n"
	    "ttl= negttl= soa=no capacity= queue= overflow= dnssec=.  Actions: pass empty nxdomain servfail refused formerr\n"
	    "drop truncate answer:IP[,IP...].  Example:\n"
	    "  faultd --listen 127.0.0.1:5300 --zone example.com.zone \\\n"
	    "         --rule 'name=www.example.com type=A action=empty negttl=5'\n"
	    "See faultd(1).\n");
}

enum {
	OPT_LISTEN = 256, OPT_ZONE, OPT_UPSTREAM, OPT_RULE, OPT_RULES, OPT_CONTROL,
	OPT_SEED, OPT_UPTIMEOUT, OPT_TCPIDLE, OPT_MAXTCP, OPT_MAXTCPOUT, OPT_CONFIG, OPT_LOGLEVEL,
	OPT_HELP, OPT_VERSION,
	OPT_CTLIDLE, OPT_TIMESCALE, OPT_CAPACITY, OPT_QUEUE, OPT_OVERFLOW,
	OPT_SIGN, OPT_NSEC3, OPT_DSOUT, OPT_WORKERS,
	OPT_CTLTLS, OPT_TLSCERT, OPT_TLSKEY, OPT_TLSCA, OPT_METRICS,
};

static const struct option longopts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "zone", required_argument, NULL, OPT_ZONE },
	{ "upstream", required_argument, NULL, OPT_UPSTREAM },
	{ "rule", required_argument, NULL, OPT_RULE },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "control-idle", required_argument, NULL, OPT_CTLIDLE },
	{ "control-tls", required_argument, NULL, OPT_CTLTLS },
	{ "tls-cert", required_argument, NULL, OPT_TLSCERT },
	{ "tls-key", required_argument, NULL, OPT_TLSKEY },
	{ "tls-ca", required_argument, NULL, OPT_TLSCA },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "upstream-timeout", required_argument, NULL, OPT_UPTIMEOUT },
	{ "tcp-idle", required_argument, NULL, OPT_TCPIDLE },
	{ "max-tcp", required_argument, NULL, OPT_MAXTCP },
	{ "max-tcp-output", required_argument, NULL, OPT_MAXTCPOUT },
	{ "time-scale", required_argument, NULL, OPT_TIMESCALE },
	{ "capacity", required_argument, NULL, OPT_CAPACITY },
	{ "queue", required_argument, NULL, OPT_QUEUE },
	{ "overflow", required_argument, NULL, OPT_OVERFLOW },
	{ "sign", required_argument, NULL, OPT_SIGN },
	{ "nsec3", no_argument, NULL, OPT_NSEC3 },
	{ "ds-out", required_argument, NULL, OPT_DSOUT },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "log-level", required_argument, NULL, OPT_LOGLEVEL },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* "16M", "512k", "1G" or bytes (powers of 1024); 0 or DD_EINVAL. */
static int
parse_size(const char *s, uint64_t *out)
{
	char num[32];
	size_t n = strlen(s);
	unsigned shift = 0;

	if (n == 0 || n >= sizeof(num))
		return DD_EINVAL;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	}
	if (shift > 0)
		num[n - 1] = '\0';
	if (dd_parse_u64(num, out) < 0 || *out > (UINT64_C(1) << 40) >> shift)
		return DD_EINVAL;
	*out <<= shift;
	return 0;
}

/* Apply one setting; `where` names it for messages ("--listen" or
 * "faultd.conf:3"). */
static int
apply(struct faultd_config *c, int opt, const char *v, const char *where,
    struct dd_err *err)
{
	uint64_t u;
	int lvl;

	if (opt == OPT_NSEC3) {
		c->nsec3 = true;
		return CFG_OK;
	}
	/* as a config file does ("'zone' needs a value"): an empty path would
	 * only fail later, when opened, as an error of the run (exit 1) */
	if (v == NULL || *v == '\0') {
		dd_err_set(err, "%s: needs a value", where);
		return CFG_USAGE;
	}
	switch (opt) {
	case OPT_LISTEN:
		if (c->nlisten == CFG_MAX) {
			dd_err_set(err, "%s: at most %d listen addresses", where, CFG_MAX);
			return CFG_USAGE;
		}
		if (dd_sockaddr_parse(v, 53, &c->listen[c->nlisten]) < 0) {
			dd_err_set(err, "%s: '%s' is not ADDR:PORT (e.g. 127.0.0.1:5300 or [::1]:5300)",
			    where, v);
			return CFG_USAGE;
		}
		c->nlisten++;
		return CFG_OK;
	case OPT_ZONE:
		if (c->nzones == CFG_MAX) {
			dd_err_set(err, "%s: at most %d zones", where, CFG_MAX);
			return CFG_USAGE;
		}
		c->zones[c->nzones++] = v;
		return CFG_OK;
	case OPT_UPSTREAM:
		if (c->nupstreams == CFG_MAX) {
			dd_err_set(err, "%s: at most %d upstreams", where, CFG_MAX);
			return CFG_USAGE;
		}
		if (dd_sockaddr_parse(v, 53, &c->upstreams[c->nupstreams]) < 0) {
			dd_err_set(err, "%s: '%s' is not ADDR:PORT", where, v);
			return CFG_USAGE;
		}
		c->nupstreams++;
		return CFG_OK;
	case OPT_RULE: {
		struct rule *r;
		struct dd_err e;

		if (c->nrules == DD_ARRAY_LEN(c->rules)) {
			dd_err_set(err, "%s: too many rules on the command line; use --rules FILE", where);
			return CFG_USAGE;
		}
		/* a bad --rule is a bad command line (exit 2), so check it here
		 * rather than when faultd_open() builds the rule set (exit 1) */
		if (rule_parse(v, &r, &e) < 0) {
			/* "--rule 'R': why" on the command line, "FILE:LINE: rule
			 * 'R': why" from a config file */
			if (strncmp(where, "--", 2) == 0)
				dd_err_set(err, "%s '%s': %s", where, v, e.msg);
			else
				dd_err_set(err, "%s: rule '%s': %s", where, v, e.msg);
			return CFG_USAGE;
		}
		rule_free(r);
		c->rules[c->nrules++] = v;
		return CFG_OK;
	}
	case OPT_RULES:
		c->rules_file = v;
		return CFG_OK;
	case OPT_SIGN:
		if (c->nsign == CFG_MAX) {
			dd_err_set(err, "%s: at most %d signed zones", where, CFG_MAX);
			return CFG_USAGE;
		}
		c->sign[c->nsign++] = v;
		return CFG_OK;
	case OPT_DSOUT:
		c->ds_out = v;
		return CFG_OK;
	case OPT_CONTROL:
		c->control = v;
		return CFG_OK;
	case OPT_CTLTLS:
	case OPT_METRICS: {
		struct dd_sockaddr *a = opt == OPT_CTLTLS ? &c->control_tls_addr :
		    &c->metrics_addr;

		if (dd_sockaddr_parse(v, -1, a) < 0) {
			dd_err_set(err, "%s: '%s' is not ADDR:PORT (e.g. 198.18.0.1:8053 or "
			    "[fd00::1]:8053)", where, v);
			return CFG_USAGE;
		}
		if (opt == OPT_CTLTLS)
			c->control_tls = true;
		else
			c->metrics = true;
		return CFG_OK;
	}
	case OPT_TLSCERT:
		c->tls_cert = v;
		return CFG_OK;
	case OPT_TLSKEY:
		c->tls_key = v;
		return CFG_OK;
	case OPT_TLSCA:
		c->tls_ca = v;
		return CFG_OK;
	case OPT_SEED:
		if (dd_parse_u64(v, &c->seed) < 0) {
			dd_err_set(err, "%s: '%s' is not a number", where, v);
			return CFG_USAGE;
		}
		return CFG_OK;
	case OPT_UPTIMEOUT:
	case OPT_TCPIDLE:
	case OPT_CTLIDLE:
		if (dd_duration_parse(v, &u) < 0 || u == 0) {
			dd_err_set(err, "%s: '%s' is not a duration ('1500ms', '10s')", where, v);
			return CFG_USAGE;
		}
		if (opt == OPT_UPTIMEOUT)
			c->upstream_timeout_us = u;
		else if (opt == OPT_CTLIDLE)
			c->control_idle_us = u;
		else
			c->tcp_idle_us = u;
		return CFG_OK;
	case OPT_WORKERS:
		if (dd_parse_u64(v, &u) < 0 || u == 0 || u > CFG_WORKERS_MAX) {
			dd_err_set(err, "%s: '%s' must be 1..%d", where, v, CFG_WORKERS_MAX);
			return CFG_USAGE;
		}
		c->workers = (unsigned)u;
		return CFG_OK;
	case OPT_MAXTCP:
		if (dd_parse_u64(v, &u) < 0 || u == 0 || u > 65536) {
			dd_err_set(err, "%s: '%s' must be 1..65536", where, v);
			return CFG_USAGE;
		}
		c->max_tcp = (unsigned)u;
		return CFG_OK;
	case OPT_MAXTCPOUT:
		/* at least what one connection may hold (server.c's bound) */
		if (parse_size(v, &u) < 0 || u < (256u << 10) || u > SIZE_MAX / 2) {
			dd_err_set(err, "%s: '%s' must be a size from 256k up ('16M', '512k')", where, v);
			return CFG_USAGE;
		}
		c->tcp_out_max = (size_t)u;
		return CFG_OK;
	case OPT_TIMESCALE: {
		char *end;
		double d;

		errno = 0;
		d = strtod(v, &end);
		if (end == v || *end != '\0' || errno != 0 || !(d > 0.0) || d > 1e9) {
			dd_err_set(err, "%s: '%s' must be a number > 0 (incident seconds per real second)",
			    where, v);
			return CFG_USAGE;
		}
		c->time_scale = d;
		return CFG_OK;
	}
	case OPT_CAPACITY:
		if (dd_parse_double(v, &c->capacity_qps) < 0 || !(c->capacity_qps > 0) ||
		    c->capacity_qps > CAPACITY_QPS_MAX) {
			dd_err_set(err, "%s: '%s' must be queries per second, more than 0 and at "
			    "most %.0f", where, v, CAPACITY_QPS_MAX);
			return CFG_USAGE;
		}
		return CFG_OK;
	case OPT_QUEUE:
		if (dd_parse_u64(v, &u) < 0 || u > CAPACITY_QUEUE_MAX) {
			dd_err_set(err, "%s: '%s' must be a number of queries from 0 to %u", where,
			    v, CAPACITY_QUEUE_MAX);
			return CFG_USAGE;
		}
		c->capacity_queue = (uint32_t)u;
		c->capacity_queue_set = true;
		return CFG_OK;
	case OPT_OVERFLOW:
		if (capacity_overflow_parse(v, &c->capacity_overflow) < 0) {
			dd_err_set(err, "%s: '%s' must be drop, servfail or refused", where, v);
			return CFG_USAGE;
		}
		c->capacity_overflow_set = true;
		return CFG_OK;
	case OPT_LOGLEVEL:
		lvl = log_level_parse(v);
		if (lvl < 0) {
			dd_err_set(err, "%s: '%s' is not error, warn, info or debug", where, v);
			return CFG_USAGE;
		}
		c->log_level = lvl;
		return CFG_OK;
	}
	dd_err_set(err, "%s: not allowed here", where);
	return CFG_USAGE;
}

static int
read_config(struct faultd_config *c, const char *path, struct dd_err *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = CFG_OK;

	if (f == NULL) {
		dd_err_set(err, "--config: %s: %s", path, strerror(errno));
		return CFG_USAGE;
	}
	ssize_t got;

	while (rc == CFG_OK && (got = getline(&line, &cap, f)) >= 0) {
		char *s = line, *key, *val, *end, where[512];
		const struct option *o;

		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		/* a NUL would end the value early ("rule action=drop\0 name=x") */
		if (memchr(line, '\0', (size_t)got) != NULL) {
			dd_err_set(err, "%s: the line contains a NUL byte", where);
			rc = CFG_USAGE;
			break;
		}
		s[strcspn(s, "\r\n")] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' || *s == '\0')
			continue;
		key = s;
		s += strcspn(s, " \t=");
		if (*s != '\0')
			*s++ = '\0';
		while (*s == ' ' || *s == '\t' || *s == '=')
			s++;
		val = s;
		end = val + strlen(val);
		while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*val == '\'' || *val == '"') {
			if (end > val + 1 && end[-1] == *val) {
				end[-1] = '\0';
				val++;
			}
		}
		for (o = longopts; o->name != NULL; o++)
			if (strcmp(o->name, key) == 0)
				break;
		if (o->name == NULL || o->val == OPT_CONFIG || o->has_arg == no_argument) {
			dd_err_set(err, "%s: unknown setting '%s'", where, key);
			rc = CFG_USAGE;
			break;
		}
		if (*val == '\0') {
			dd_err_set(err, "%s: '%s' needs a value", where, key);
			rc = CFG_USAGE;
			break;
		}
		if (c->nowned == DD_ARRAY_LEN(c->owned)) {
			dd_err_set(err, "%s: config file too long", where);
			rc = CFG_USAGE;
			break;
		}
		char *copy = strdup(val);
		if (copy == NULL) {
			rc = CFG_USAGE;
			break;
		}
		c->owned[c->nowned++] = copy;
		rc = apply(c, o->val, copy, where, err);
	}
	free(line);
	fclose(f);
	return rc;
}

int
faultd_config_parse(struct faultd_config *c, int argc, char **argv,
    struct dd_err *err)
{
	int opt, rc;

	memset(c, 0, sizeof(*c));
	c->seed = 1;
	c->log_level = LOG_LVL_INFO;
	c->upstream_timeout_us = 1500000;
	c->tcp_idle_us = 10000000;
	c->control_idle_us = 60000000;
	c->max_tcp = 1024;
	c->workers = 1;
	c->tcp_out_max = 16u << 20;
	c->time_scale = 1.0;
	optind = 0;    /* 0, not 1: glibc then also resets its own state (a second parse) */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char where[64];
		switch (opt) {
		case 'h':
		case OPT_HELP:
			faultd_usage(stdout);
			return CFG_EXIT_OK;
		case OPT_VERSION:
			printf("faultd %s\n", DNSDRILL_VERSION);
			return CFG_EXIT_OK;
		case OPT_CONFIG:
			rc = read_config(c, optarg, err);
			if (rc != CFG_OK)
				return rc;
			break;
		case '?':
			/* a long option without its value comes back as its val */
			for (const struct option *o = longopts; o->name; o++)
				if (optopt != 0 && o->val == optopt) {
					dd_err_set(err, "option '--%s' needs a value (see --help)", o->name);
					return CFG_USAGE;
				}
			if (optopt > 0 && optopt < 256)
				dd_err_set(err, "option '-%c' is unknown or needs a value (see --help)", optopt);
			else
				dd_err_set(err, "option '%s' is unknown or needs a value (see --help)",
				    argv[optind - 1]);
			return CFG_USAGE;
		default:
			for (const struct option *o = longopts; o->name; o++)
				if (o->val == opt)
					snprintf(where, sizeof(where), "--%s", o->name);
			rc = apply(c, opt, optarg, where, err);
			if (rc != CFG_OK)
				return rc;
		}
	}
	if (optind < argc) {
		dd_err_set(err, "unexpected argument '%s' (see --help)", argv[optind]);
		return CFG_USAGE;
	}
	if (c->nlisten == 0) {
		dd_err_set(err, "nothing to listen on: give --listen ADDR:PORT");
		return CFG_USAGE;
	}
	if ((c->capacity_queue_set || c->capacity_overflow_set) && c->capacity_qps == 0) {
		dd_err_set(err, "%s: only with --capacity QPS",
		    c->capacity_queue_set ? "--queue" : "--overflow");
		return CFG_USAGE;
	}
	if ((c->nsec3 || c->ds_out != NULL) && c->nsign == 0) {
		dd_err_set(err, "%s: only with --sign ORIGIN", c->nsec3 ? "--nsec3" : "--ds-out");
		return CFG_USAGE;
	}
	if (c->control_tls && (c->tls_cert == NULL || c->tls_key == NULL ||
	    c->tls_ca == NULL)) {
		dd_err_set(err, "--control-tls: needs %s (the server's certificate, its key, "
		    "and the CA that signs client certificates)",
		    c->tls_cert == NULL ? "--tls-cert FILE" : c->tls_key == NULL ?
		    "--tls-key FILE" : "--tls-ca FILE");
		return CFG_USAGE;
	}
	if (!c->control_tls && (c->tls_cert != NULL || c->tls_key != NULL ||
	    c->tls_ca != NULL)) {
		dd_err_set(err, "%s: only with --control-tls ADDR:PORT",
		    c->tls_cert != NULL ? "--tls-cert" : c->tls_key != NULL ? "--tls-key" :
		    "--tls-ca");
		return CFG_USAGE;
	}
	/* each worker binds the addresses itself: port 0 would give each
	 * its own port */
	for (size_t i = 0; c->workers > 1 && i < c->nlisten; i++) {
		char a[80];
		const struct dd_sockaddr *l = &c->listen[i];
		if ((l->u.sa.sa_family == AF_INET6 ? l->u.sin6.sin6_port : l->u.sin.sin_port) == 0) {
			dd_err_set(err, "--workers %u: --listen %s needs a port other than 0",
			    c->workers, dd_sockaddr_str(&c->listen[i], a, sizeof(a)));
			return CFG_USAGE;
		}
	}
	if (!c->capacity_queue_set)
		c->capacity_queue = CAPACITY_QUEUE_DEFAULT;
	return CFG_OK;
}

void
faultd_config_free(struct faultd_config *c)
{
	for (size_t i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	c->nowned = 0;
}
