/*
 * scenario.c -- life cycle of the scenario model, and the translation of its
 * declared matchers into scoring definitions.
 */
#include "harness/scenario.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"

char *
sc_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

void *
sc_push(void *arr_ptr, size_t *n, size_t elem)
{
	void **arr = arr_ptr;
	char *nv = realloc(*arr, (*n + 1) * elem);

	if (nv == NULL)
		return NULL;
	memset(nv + *n * elem, 0, elem);
	*arr = nv;
	return nv + (*n)++ * elem;
}

struct scenario *
scenario_new(const char *file)
{
	struct scenario *sc = calloc(1, sizeof(*sc));
	char *copy;

	if (sc == NULL)
		return NULL;
	sc->file = sc_strdup(file);
	copy = sc_strdup(file);
	if (sc->file == NULL || copy == NULL) {
		free(copy);
		scenario_free(sc);
		return NULL;
	}
	/* absolute, so path() stays right whatever a process's cwd is */
	{
		char real[PATH_MAX];
		const char *d = dirname(copy);
		sc->dir = sc_strdup(realpath(d, real) ? real : d);
	}
	free(copy);
	sc->speed = 1.0;
	sc->max_duration_us = 3600ull * 1000000u;
	sc->stable_ms = 2000;
	return sc;
}

static void
free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
free_match(struct sc_match *m)
{
	free(m->source);
	free(m->text);
}

void
scenario_free(struct scenario *sc)
{
	if (sc == NULL)
		return;
	free(sc->file);
	free(sc->dir);
	free(sc->name);
	free(sc->description);
	free(sc->incident_start);
	for (size_t i = 0; i < sc->n_hosts; i++) {
		struct sc_host *h = &sc->hosts[i];
		free(h->name);
		free(h->resolv);
		free(h->hosts);
		free(h->intercept);
		free_strv(h->lo_addrs, h->n_lo_addrs);
		for (size_t j = 0; j < h->n_routes; j++) {
			free(h->routes[j].dst);
			free(h->routes[j].via);
			free(h->routes[j].dev);
		}
		free(h->routes);
	}
	free(sc->hosts);
	for (size_t i = 0; i < sc->n_nets; i++) {
		struct sc_net *n = &sc->nets[i];
		free(n->name);
		for (size_t j = 0; j < n->n_members; j++) {
			free(n->members[j].host);
			free_strv(n->members[j].addrs, n->members[j].n_addrs);
		}
		free(n->members);
	}
	free(sc->nets);
	for (size_t i = 0; i < sc->n_dns; i++) {
		struct sc_dns *d = &sc->dns[i];
		free(d->name);
		free(d->host);
		if (d->remote != NULL) {
			free(d->remote->control);
			free(d->remote->addr);
			free(d->remote->ca);
			free(d->remote->cert);
			free(d->remote->key);
			free(d->remote->server_name);
			free(d->remote);
		}
		free_strv(d->listen, d->n_listen);
		free_strv(d->zone_files, d->n_zone_files);
		free_strv(d->zone_texts, d->n_zone_texts);
		free_strv(d->upstreams, d->n_upstreams);
		free_strv(d->rules, d->n_rules);
		free(d->upstream_timeout);
		free(d->cap_overflow);
		for (size_t j = 0; j < d->n_sign; j++)
			free(d->sign[j].zone);
		free(d->sign);
	}
	free(sc->dns);
	for (size_t i = 0; i < sc->n_keysets; i++) {
		struct sc_keyset *k = &sc->keysets[i];
		free(k->zone);
		free(k->ds);
		for (size_t j = 0; j < 2; j++) {
			free(k->key[j].base);
			if (k->key[j].private_text != NULL)
				explicit_bzero(k->key[j].private_text, strlen(k->key[j].private_text));
			free(k->key[j].private_text);
			free(k->key[j].dnskey);
		}
	}
	free(sc->keysets);
	for (size_t i = 0; i < sc->n_procs; i++) {
		struct sc_process *p = &sc->procs[i];
		free(p->name);
		free(p->host);
		free_strv(p->argv, p->argc);
		free_strv(p->env, p->n_env);
		free(p->cwd);
		free(p->user);
		free(p->group);
		free(p->ready_arg);
		for (size_t j = 0; j < p->n_timers; j++) {
			free(p->timers[j].name);
			free(p->timers[j].note);
		}
		free(p->timers);
		for (size_t k = 0; k < p->n_files; k++) {
			free(p->files[k].key);
			free(p->files[k].value);
		}
		free(p->files);
		free_strv(p->version_argv, p->version_argc);
	}
	free(sc->procs);
	for (size_t i = 0; i < sc->n_probes; i++) {
		struct sc_probe *p = &sc->probes[i];
		free(p->name);
		free(p->host);
		free(p->qname);
		free(p->server);
		free(p->expect_answer);
		free(p->url);
		free(p->body_match);
		free(p->addr);
		free_strv(p->argv, p->argc);
	}
	free(sc->probes);
	for (size_t i = 0; i < sc->n_watches; i++) {
		free(sc->watches[i].name);
		free(sc->watches[i].process);
		free(sc->watches[i].regex);
	}
	free(sc->watches);
	for (size_t i = 0; i < sc->n_caps; i++) {
		free(sc->caps[i].name);
		free(sc->caps[i].host);
		free(sc->caps[i].iface);
		free(sc->caps[i].count_from);
	}
	free(sc->caps);
	for (size_t i = 0; i < sc->n_params; i++) {
		free(sc->params[i].name);
		free(sc->params[i].value);
		free(sc->params[i].doc);
		free(sc->params[i].def);
		free(sc->params[i].allowed);
	}
	free(sc->params);
	for (size_t i = 0; i < sc->n_detect; i++)
		free_match(&sc->detect[i]);
	free(sc->detect);
	free_match(&sc->service);
	free_match(&sc->primary);
	free_match(&sc->primary_lost);
	free_match(&sc->fault_start);
	free_match(&sc->fault_stop);
	free_match(&sc->rate);
	free(sc->expect);
	for (size_t i = 0; i < sc->n_services; i++)
		free_match(&sc->services[i]);
	free(sc->services);
	free_match(&sc->failover);
	for (size_t i = 0; i < sc->n_latency; i++)
		free_match(&sc->latency[i]);
	free(sc->latency);
	free(sc->expect_line);
	free(sc->score_m);
	for (size_t i = 0; i < sc->n_sets; i++) {
		free(sc->sets[i].key);
		free(sc->sets[i].value);
	}
	free(sc->sets);
	free(sc->set_used);
	for (size_t i = 0; i < sc->n_amp_links; i++)
		free(sc->amp_links[i]);
	free(sc->amp_links);
	free(sc);
}

struct sc_host *
scenario_host(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->n_hosts; i++)
		if (strcmp(sc->hosts[i].name, name) == 0)
			return &sc->hosts[i];
	return NULL;
}

struct sc_process *
scenario_proc(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->n_procs; i++)
		if (strcmp(sc->procs[i].name, name) == 0)
			return &sc->procs[i];
	return NULL;
}

char *
scenario_scratch_expand(const struct scenario *sc, const char *self, const char *out,
    const char *text, struct dd_err *err)
{
	struct dd_buf b;
	const char *p = text, *q;

	memset(&b, 0, sizeof(b));
	while ((q = strstr(p, SC_SCRATCH_OPEN)) != NULL) {
		const char *after = q + strlen(SC_SCRATCH_OPEN), *name = self, *end;
		char other[64];

		if (strncmp(after, "}}", 2) == 0) {
			end = after + 2;
		} else if (*after == ':' && (end = strstr(after, "}}")) != NULL &&
		    (size_t)(end - after - 1) < sizeof(other)) {
			memcpy(other, after + 1, (size_t)(end - after - 1));
			other[end - after - 1] = '\0';
			if (scenario_proc(sc, other) == NULL) {
				dd_err_set(err, "scratch(\"%s\"): no process named '%s'", other, other);
				dd_buf_free(&b);
				return NULL;
			}
			name = scenario_proc(sc, other)->name;
			end += 2;
		} else {
			/* not a placeholder: keep the text as it is */
			end = after;
			name = NULL;
		}
		if (dd_buf_append(&b, p, (size_t)(q - p)) < 0 ||
		    (name != NULL && dd_buf_printf(&b, "%s/scratch/%s", out, name) < 0) ||
		    (name == NULL && dd_buf_append(&b, q, (size_t)(end - q)) < 0))
			goto oom;
		p = end;
	}
	if (dd_buf_append(&b, p, strlen(p) + 1) < 0)
		goto oom;
	return (char *)b.data;
oom:
	dd_err_set(err, "out of memory");
	dd_buf_free(&b);
	return NULL;
}

struct sc_dns *
scenario_dns(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->n_dns; i++)
		if (strcmp(sc->dns[i].name, name) == 0)
			return &sc->dns[i];
	return NULL;
}

static void
to_ev_match(const struct sc_match *in, struct score_match *out)
{
	memset(out, 0, sizeof(*out));
	if (!in->set)
		return;
	out->set = true;
	out->kind = in->kind;
	out->source = in->source;
	out->text = in->text;
	out->outcome = in->outcome;
}

int
scenario_score_prepare(struct scenario *sc)
{
	struct score_match *m;

	if (!sc->latency_set) {
		for (size_t i = 0; i < sc->n_latency; i++)
			free_match(&sc->latency[i]);
		free(sc->latency);
		sc->latency = NULL;
		sc->n_latency = 0;
		for (size_t i = 0; i < sc->n_probes; i++) {
			struct sc_match *l;

			if (sc->probes[i].kind != SC_PROBE_DNS &&
			    sc->probes[i].kind != SC_PROBE_EXEC)
				continue;
			if ((l = sc_push(&sc->latency, &sc->n_latency,
			    sizeof(*l))) == NULL)
				return DD_ENOMEM;
			l->set = true;
			l->kind = ELOG_PROBE;
			if ((l->source = sc_strdup(sc->probes[i].name)) == NULL)
				return DD_ENOMEM;
		}
	}
	m = calloc(sc->n_services + sc->n_latency + 1, sizeof(*m));
	if (m == NULL)
		return DD_ENOMEM;
	for (size_t i = 0; i < sc->n_services; i++)
		to_ev_match(&sc->services[i], &m[i]);
	for (size_t i = 0; i < sc->n_latency; i++)
		to_ev_match(&sc->latency[i], &m[sc->n_services + i]);
	free(sc->score_m);
	sc->score_m = m;
	return 0;
}

void
scenario_score_defs(const struct scenario *sc, struct score_match *detect,
    struct score_defs *defs)
{
	memset(defs, 0, sizeof(*defs));
	for (size_t i = 0; i < sc->n_detect; i++)
		to_ev_match(&sc->detect[i], &detect[i]);
	defs->detect = detect;
	defs->n_detect = sc->n_detect;
	to_ev_match(&sc->service, &defs->service);
	to_ev_match(&sc->primary, &defs->primary);
	to_ev_match(&sc->primary_lost, &defs->primary_lost);
	to_ev_match(&sc->fault_start, &defs->fault_start);
	to_ev_match(&sc->fault_stop, &defs->fault_end);
	to_ev_match(&sc->rate, &defs->rate);
	defs->stable_ms = sc->stable_ms;
	defs->speed = sc->speed;
	defs->expect = sc->expect;
	defs->n_expect = sc->n_expect;
	to_ev_match(&sc->failover, &defs->failover);
	if (sc->score_m != NULL) {
		defs->services = sc->score_m;
		defs->n_services = sc->n_services;
		defs->latency = sc->score_m + sc->n_services;
		defs->n_latency = sc->n_latency;
	}
	defs->amp_links = (const char *const *)sc->amp_links;
	defs->n_amp_links = sc->n_amp_links;
}
