/*
 * config.h -- faultd's settings, from the command line and/or a config file
 * (--config FILE: one "key value" per line, the long option names without
 * dashes, '#' comments).  Errors name the option or FILE:LINE.
 */
#ifndef FAULTD_CONFIG_H
#define FAULTD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/addr.h"
#include "lib/err.h"
#include "faultd/capacity.h"

#define CFG_MAX 64

struct faultd_config {
	struct dd_sockaddr listen[CFG_MAX];
	size_t nlisten;
	const char *zones[CFG_MAX];
	size_t nzones;
	struct dd_sockaddr upstreams[CFG_MAX];
	size_t nupstreams;
	const char *rules[4096];         /* --rule texts, in order */
	size_t nrules;
	const char *rules_file;
	const char *control;
	uint64_t control_idle_us;        /* close quiet control connections */
	bool control_tls;                /* --control-tls ADDR:PORT given */
	struct dd_sockaddr control_tls_addr;
	const char *tls_cert, *tls_key, *tls_ca;   /* --tls-cert, --tls-key, --tls-ca */
	bool metrics;                    /* --metrics ADDR:PORT given */
	struct dd_sockaddr metrics_addr;
	uint64_t seed;
	int log_level;
	uint64_t upstream_timeout_us;
	uint64_t tcp_idle_us;
	unsigned max_tcp;
	size_t tcp_out_max;              /* bytes of unwritten TCP answers, all clients */
	double time_scale;               /* --time-scale: TTLs divided by it (1) */
	double capacity_qps;             /* --capacity; 0: none */
	uint32_t capacity_queue;         /* --queue (CAPACITY_QUEUE_DEFAULT) */
	bool capacity_queue_set, capacity_overflow_set;
	enum capacity_overflow capacity_overflow;  /* --overflow (drop) */
	const char *sign[CFG_MAX];       /* --sign ORIGIN[:KEY,...] (zone_sign.h) */
	size_t nsign;
	bool nsec3;                      /* --nsec3 */
	const char *ds_out;              /* --ds-out FILE */
	unsigned workers;                /* --workers: event-loop threads (1) */
	char *owned[8192];               /* strings from a config file */
	size_t nowned;
};

#define CFG_WORKERS_MAX 64

enum { CFG_OK = 0, CFG_EXIT_OK = 1, CFG_USAGE = 2 };

/* Parse argv.  Returns CFG_OK, CFG_EXIT_OK (--help/--version printed) or
 * CFG_USAGE with err set. */
int faultd_config_parse(struct faultd_config *c, int argc, char **argv,
    struct dd_err *err);
void faultd_config_free(struct faultd_config *c);
void faultd_usage(FILE *out);

#endif
