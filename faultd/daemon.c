/*
 * daemon.c -- faultd's lifecycle: open, reload, close.  It is the one place
 * that knows every part; the parts know only what they are handed (the DNS
 * sockets an engine and an upstream, the control socket a ctl_target).
 */
#include "faultd/daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultd/zone_edit.h"
#include "lib/util.h"

/* Parse rule texts from the command line and the rules file into rs. */
static int
load_rules(const struct faultd_config *cfg, struct ruleset *rs, struct dd_err *err)
{
	for (size_t i = 0; i < cfg->nrules; i++) {
		struct rule *r;
		struct dd_err e;
		if (rule_parse(cfg->rules[i], &r, &e) < 0) {
			dd_err_set(err, "--rule '%s': %s", cfg->rules[i], e.msg);
			return DD_EINVAL;
		}
		r->origin = RULE_FROM_CLI;
		if (ruleset_add(rs, r, false) < 0)
			return DD_ENOMEM;
	}
	if (cfg->rules_file != NULL) {
		struct rule **v;
		size_t n;
		int rc = rules_load_file(cfg->rules_file, &v, &n, err);
		if (rc < 0)
			return rc;
		rc = ruleset_replace_origin(rs, RULE_FROM_FILE, v, n);
		free(v);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The busiest client addresses into st, as text. */
static void
clients_stats(const struct engine *e, struct ctl_stats *st)
{
	const struct engine_client *top[CTL_CLIENTS_MAX];
	size_t n = engine_clients_top(e, top, CTL_CLIENTS_MAX, &st->clients_other);

	for (size_t i = 0; i < n; i++) {
		if (inet_ntop(top[i]->family, top[i]->addr, st->clients[i].addr,
		    sizeof(st->clients[i].addr)) == NULL)
			snprintf(st->clients[i].addr, sizeof(st->clients[i].addr), "?");
		st->clients[i].queries = top[i]->queries;
	}
	st->n_clients = n;
}

/* ctl_target.stats: the counters `faultctl stats` shows, in its order. */
static void
daemon_stats(void *arg, struct ctl_stats *st)
{
	const struct faultd *d = arg;
	const struct engine_stats *s = &d->eng.stats;
	struct workers_sum w = { 0 };
	const struct upstream_stats *u = &w.up;

	/* the main thread's own, plus what the workers published */
	if (d->up != NULL)
		w.up = *upstream_get_stats(d->up);
	workers_add(d->workers, &w);

	ctl_stats_add(st, "queries", s->queries);
	ctl_stats_add(st, "queries_udp", s->queries_udp);
	ctl_stats_add(st, "queries_tcp", s->queries_tcp);
	ctl_stats_add(st, "replies", s->replies);
	ctl_stats_add(st, "drops", s->drops);
	ctl_stats_add(st, "malformed", s->malformed);
	ctl_stats_add(st, "formerr_sent", s->formerr_sent);
	ctl_stats_add(st, "authoritative", s->authoritative);
	ctl_stats_add(st, "forwarded", s->forwarded);
	ctl_stats_add(st, "refused_no_zone", s->refused_no_zone);
	ctl_stats_add(st, "upstream_timeouts", u->timeouts);
	ctl_stats_add(st, "upstream_failures", u->failures);
	ctl_stats_add(st, "upstream_tcp_retries", u->tcp_retries);
	ctl_stats_add(st, "upstream_servfail", s->upstream_servfail);
	ctl_stats_gauge(st, "tcp_connections",
	    (d->srv ? server_tcp_connections(d->srv) : 0) + w.tcp_connections);
	ctl_stats_gauge(st, "delayed_pending",
	    (d->srv ? server_delayed_pending(d->srv) : 0) + w.delayed_pending);
	ctl_stats_add(st, "ttl_floored", s->ttl_floored);
	ctl_stats_gauge(st, "ttl_floored_min", s->ttl_floored_min);
	ctl_stats_gauge(st, "ttl_floored_max", s->ttl_floored_max);
	ctl_stats_add(st, "capacity_queued", s->capacity_queued);
	ctl_stats_add(st, "capacity_overflow", s->capacity_overflow);
	ctl_stats_gauge(st, "capacity_wait_max_us", s->capacity_wait_max_us);
	ctl_stats_gauge(st, "workers", d->cfg->workers);
	memcpy(st->actions, s->actions, sizeof(st->actions));
	clients_stats(&d->eng, st);
}

void
faultd_lock(struct faultd *d)
{
	if (d->locking)
		pthread_mutex_lock(&d->lock);
}

void
faultd_unlock(struct faultd *d)
{
	if (d->locking)
		pthread_mutex_unlock(&d->lock);
}

static void
target_lock(void *arg)
{
	faultd_lock(arg);
}

static void
target_unlock(void *arg)
{
	faultd_unlock(arg);
}

/* --sign: the keys (loaded or made once, kept for reloads); --ds-out. */
static int
sign_open(struct faultd *d, const struct faultd_config *cfg, struct dd_err *err)
{
	int rc;

	if (cfg->nsign == 0)
		return 0;
	if ((d->sign = zsign_conf_new()) == NULL) {
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	zsign_conf_set_nsec3(d->sign, cfg->nsec3);
	for (size_t i = 0; i < cfg->nsign; i++)
		if ((rc = zsign_conf_add(d->sign, cfg->sign[i], err)) < 0)
			return rc;
	return 0;
}

/* Every --sign origin must be a zone we serve; then the DS records. */
static int
sign_check(const struct faultd *d, const struct zoneset *zs, struct dd_err *err)
{
	const struct faultd_config *cfg = d->cfg;
	char nb[DNS_MAX_NAME * 4 + 1];

	for (size_t i = 0; d->sign != NULL && i < zsign_conf_count(d->sign); i++) {
		const uint8_t *o = zsign_conf_origin(d->sign, i);
		const struct zone *z = zoneset_find(zs, o);
		if (z == NULL || dns_name_len(zone_origin(z)) != dns_name_len(o)) {
			dd_err_set(err, "--sign %s: no --zone file has the origin %s",
			    cfg->sign[i], dns_name_to_str(o, nb, sizeof(nb)));
			return DD_EINVAL;
		}
	}
	if (d->sign != NULL && cfg->ds_out != NULL) {
		FILE *f = fopen(cfg->ds_out, "w");
		int rc;
		if (f == NULL) {
			dd_err_set(err, "--ds-out %s: %s", cfg->ds_out, strerror(errno));
			return DD_EIO;
		}
		rc = zsign_conf_write_ds(d->sign, f);
		if (fclose(f) != 0 || rc < 0) {
			dd_err_set(err, "--ds-out %s: cannot write", cfg->ds_out);
			return DD_EIO;
		}
	}
	return 0;
}

static int
daemon_reload(void *arg, struct dd_err *err)
{
	return faultd_reload(arg, err);
}

/* ctl_target.zone: a live change to the running zones, between packets. */
static int
daemon_zone(void *arg, const char *cmd, const char *args, struct dd_buf *data,
    char *msg, size_t msglen, struct dd_err *err)
{
	struct faultd *d = arg;

	return zone_edit_cmd(d->eng.zones, cmd, args, data, msg, msglen, err);
}

int
faultd_open(struct faultd *d, const struct faultd_config *cfg,
    struct ev_loop *loop, struct dd_err *err)
{
	struct ruleset *rs = NULL;
	struct zoneset *zs = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->loop = loop;
	if (cfg->workers > 1) {
		if ((rc = pthread_mutex_init(&d->lock, NULL)) != 0) {
			dd_err_set(err, "--workers: %s", strerror(rc));
			return DD_EIO;
		}
		d->locking = true;
	}
	rs = ruleset_new();
	if (rs == NULL) {
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	rc = load_rules(cfg, rs, err);
	if (rc < 0) {
		ruleset_free(rs);
		return rc;
	}
	if ((rc = sign_open(d, cfg, err)) < 0) {
		ruleset_free(rs);
		zsign_conf_free(d->sign);
		d->sign = NULL;
		return rc;
	}
	if (cfg->nzones > 0) {
		rc = zoneset_load_signed(&zs, cfg->zones, cfg->nzones, d->sign, err);
		if (rc == 0)
			rc = sign_check(d, zs, err);
		if (rc < 0) {
			zoneset_free(zs);
			ruleset_free(rs);
			zsign_conf_free(d->sign);
			d->sign = NULL;
			return rc;
		}
	} else if (d->sign != NULL) {
		dd_err_set(err, "--sign %s: no --zone file to sign", cfg->sign[0]);
		ruleset_free(rs);
		zsign_conf_free(d->sign);
		d->sign = NULL;
		return DD_EINVAL;
	}
	engine_init(&d->eng, rs, zs, cfg->nupstreams > 0, cfg->seed);
	engine_set_time_scale(&d->eng, cfg->time_scale);
	if (cfg->capacity_qps > 0)
		(void)engine_set_capacity(&d->eng, cfg->capacity_qps, cfg->capacity_queue,
		    cfg->capacity_overflow);
	if (cfg->nupstreams > 0) {
		d->up = upstream_new(loop, cfg->upstreams, cfg->nupstreams,
		    cfg->upstream_timeout_us);
		if (d->up == NULL) {
			dd_err_set(err, "cannot open upstream sockets: %s", strerror(errno));
			rc = DD_EIO;
			goto fail;
		}
	}
	if (d->locking && (rc = server_addrs_free(cfg, err)) < 0)
		goto fail;
	if ((rc = server_open(&d->srv, loop, cfg, &d->eng, d->up,
	    d->locking ? &d->lock : NULL, err)) < 0)
		goto fail;
	if (cfg->workers > 1 &&
	    (rc = workers_start(&d->workers, cfg, &d->eng, &d->lock, cfg->workers - 1, err)) < 0)
		goto fail;
	d->target = (struct ctl_target){
		.rules = d->eng.rules,
		.stats = daemon_stats,
		.reload = daemon_reload,
		.zone = daemon_zone,
		.lock = target_lock,
		.unlock = target_unlock,
		.arg = d,
	};
	if (cfg->control != NULL &&
	    (rc = control_open(&d->ctl, loop, cfg->control, &d->target,
	    cfg->control_idle_us, err)) < 0)
		goto fail;
	if (cfg->control_tls) {
		struct control_tls_conf tc = {
			.addr = cfg->control_tls_addr,
			.cert_file = cfg->tls_cert,
			.key_file = cfg->tls_key,
			.ca_file = cfg->tls_ca,
		};
		if ((rc = control_open_tls(&d->ctl_tls, loop, &tc, &d->target,
		    cfg->control_idle_us, err)) < 0)
			goto fail;
	}
	if (cfg->metrics &&
	    (rc = metrics_open(&d->metrics, loop, &cfg->metrics_addr, &d->target, err)) < 0)
		goto fail;
	return 0;
fail:
	faultd_close(d);
	return rc;
}

void
faultd_close(struct faultd *d)
{
	metrics_close(d->metrics);
	d->metrics = NULL;
	control_close(d->ctl_tls);
	d->ctl_tls = NULL;
	control_close(d->ctl);
	d->ctl = NULL;
	/* the other threads first: they use the engine below */
	workers_stop(d->workers);
	d->workers = NULL;
	server_close(d->srv);
	d->srv = NULL;
	upstream_free(d->up);
	d->up = NULL;
	engine_fini(&d->eng);
	zsign_conf_free(d->sign);    /* after the zones that use its keys */
	d->sign = NULL;
	if (d->locking) {
		pthread_mutex_destroy(&d->lock);
		d->locking = false;
	}
}

int
faultd_reload(struct faultd *d, struct dd_err *err)
{
	const struct faultd_config *cfg = d->cfg;
	struct zoneset *zs = NULL;
	struct rule **v = NULL;
	size_t n = 0;
	int rc;

	/* parse everything first; swap only when all of it is good */
	if (cfg->rules_file != NULL) {
		rc = rules_load_file(cfg->rules_file, &v, &n, err);
		if (rc < 0)
			return rc;
	}
	if (cfg->nzones > 0) {
		rc = zoneset_load_signed(&zs, cfg->zones, cfg->nzones, d->sign, err);
		if (rc == 0)
			rc = sign_check(d, zs, err);
		if (rc < 0) {
			zoneset_free(zs);
			rules_free_array(v, n);
			return rc;
		}
		zoneset_free(d->eng.zones);
		d->eng.zones = zs;
	}
	if (cfg->rules_file != NULL) {
		rc = ruleset_replace_origin(d->eng.rules, RULE_FROM_FILE, v, n);
		free(v);
		if (rc < 0) {
			dd_err_set(err, "out of memory");
			return rc;
		}
	}
	return 0;
}
