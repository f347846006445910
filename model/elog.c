/*
 * elog.c -- the event log.  Strings live in a chunked arena owned by the
 * log, so events can be moved (insertion of a late event) without copying
 * strings and the whole log is freed in a few calls.
 */
#include "model/elog.h"

#include "lib/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 8192

struct elog_arena {
	struct elog_arena *next;
	size_t used, cap;
	char data[];
};

static const char *const kind_names[ELOG_KIND_COUNT] = {
	[ELOG_PHASE_START] = "phase_start",
	[ELOG_PHASE_END] = "phase_end",
	[ELOG_FAULT_INJECT] = "fault_inject",
	[ELOG_FAULT_CLEAR] = "fault_clear",
	[ELOG_PROBE] = "probe",
	[ELOG_WATCH] = "watch",
	[ELOG_PROC_START] = "proc_start",
	[ELOG_PROC_EXIT] = "proc_exit",
	[ELOG_MARK] = "mark",
	[ELOG_RATE] = "rate",
	[ELOG_ZONE_CHANGE] = "zone_change",
};

static const char *const why_names[ELOG_STATS_WHY_COUNT] = {
	[ELOG_STATS_INJECT] = "inject",
	[ELOG_STATS_CLEAR] = "clear",
	[ELOG_STATS_END] = "end",
	[ELOG_STATS_TIMELINE] = "timeline",
	[ELOG_STATS_START] = "start",
	[ELOG_STATS_PHASE] = "phase",
};

/* The index of name in names[0..n), or -1 (also for NULL). */
static int
name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; name != NULL && i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

const char *
elog_kind_name(enum elog_kind kind)
{
	if ((unsigned)kind >= ELOG_KIND_COUNT)
		return "?";
	return kind_names[kind];
}

int
elog_kind_parse(const char *name, enum elog_kind *out)
{
	int k = name_index(kind_names, ELOG_KIND_COUNT, name);

	if (k < 0)
		return DD_EINVAL;
	*out = (enum elog_kind)k;
	return 0;
}

struct elog *
elog_new(void)
{
	return calloc(1, sizeof(struct elog));
}

void
elog_free(struct elog *log)
{
	struct elog_arena *a, *next;

	if (log == NULL)
		return;
	for (a = log->arena; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	free(log->ev);
	free(log->stats);
	free(log);
}

/* Length of s cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t
cut_len(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	/* Back off over continuation bytes to the lead byte, and drop it too:
	 * the sequence it starts does not fit whole. */
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* n bytes from the arena at an address that is a multiple of align (a
 * power of two); NULL when out of memory. */
static void *
arena_alloc(struct elog *log, size_t n, size_t align)
{
	struct elog_arena *a = log->arena;
	size_t pad = 0;

	if (a != NULL)
		pad = (size_t)(-(uintptr_t)(a->data + a->used)) & (align - 1);
	if (a == NULL || a->cap - a->used < pad || a->cap - a->used - pad < n) {
		size_t cap = n + align > ARENA_CHUNK ? n + align : ARENA_CHUNK;

		a = malloc(sizeof(*a) + cap);
		if (a == NULL)
			return NULL;
		a->used = 0;
		a->cap = cap;
		a->next = log->arena;
		log->arena = a;
		pad = (size_t)(-(uintptr_t)a->data) & (align - 1);
	}
	a->used += pad + n;
	return a->data + a->used - n;
}

static const char *
arena_strdup(struct elog *log, const char *s, size_t max)
{
	size_t n;
	char *p;

	if (s == NULL || *s == '\0')
		return "";
	n = cut_len(s, max);
	if ((p = arena_alloc(log, n + 1, 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
elog_add(struct elog *log, const struct elog_ev *e)
{
	struct elog_ev copy;
	size_t pos;

	if (log == NULL || e == NULL || (unsigned)e->kind >= ELOG_KIND_COUNT)
		return DD_EINVAL;
	if (log->n == log->cap) {
		size_t cap = log->cap ? log->cap * 2 : 64;
		struct elog_ev *grown = realloc(log->ev, cap * sizeof(*grown));

		if (grown == NULL)
			return DD_ENOMEM;
		log->ev = grown;
		log->cap = cap;
	}
	copy = *e;
	/* Strings left in the arena on a later failure are harmless: freed
	 * with the log. */
	copy.source = arena_strdup(log, e->source, ELOG_SOURCE_MAX);
	copy.text = arena_strdup(log, e->text, ELOG_TEXT_MAX);
	if (copy.source == NULL || copy.text == NULL)
		return DD_ENOMEM;

	/* Upper bound: after every event at or before this one's time. */
	pos = log->n;
	if (pos > 0 && log->ev[pos - 1].t_ms > e->t_ms) {
		size_t lo = 0, hi = log->n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (log->ev[mid].t_ms <= e->t_ms)
				lo = mid + 1;
			else
				hi = mid;
		}
		pos = lo;
		memmove(&log->ev[pos + 1], &log->ev[pos],
		    (log->n - pos) * sizeof(*log->ev));
	}
	log->ev[pos] = copy;
	log->n++;
	return 0;
}

static int
add_simple(struct elog *log, uint64_t t_ms, enum elog_kind kind,
    const char *source, const char *text)
{
	struct elog_ev e;

	memset(&e, 0, sizeof(e));
	e.t_ms = t_ms;
	e.kind = kind;
	e.source = source;
	e.text = text;
	return elog_add(log, &e);
}

int
elog_phase(struct elog *log, uint64_t t_ms, bool start, const char *name)
{
	return add_simple(log, t_ms, start ? ELOG_PHASE_START : ELOG_PHASE_END,
	    name, NULL);
}

int
elog_fault(struct elog *log, uint64_t t_ms, bool inject,
    const char *target, const char *text)
{
	return add_simple(log, t_ms, inject ? ELOG_FAULT_INJECT : ELOG_FAULT_CLEAR,
	    target, text);
}

int
elog_probe(struct elog *log, uint64_t t_ms, const char *probe, bool ok,
    double latency_ms, const char *detail)
{
	struct elog_ev e;

	memset(&e, 0, sizeof(e));
	e.t_ms = t_ms;
	e.kind = ELOG_PROBE;
	e.source = probe;
	e.text = detail;
	e.u.probe.ok = ok;
	e.u.probe.latency_ms = latency_ms;
	return elog_add(log, &e);
}

int
elog_probe_at(struct elog *log, uint64_t t_ms, uint64_t start_ms, const char *probe,
    bool ok, double latency_ms, const char *detail)
{
	struct elog_ev e;

	memset(&e, 0, sizeof(e));
	e.t_ms = t_ms;
	e.kind = ELOG_PROBE;
	e.source = probe;
	e.text = detail;
	e.u.probe.ok = ok;
	e.u.probe.latency_ms = latency_ms;
	e.u.probe.has_start = true;
	e.u.probe.start_ms = start_ms;
	return elog_add(log, &e);
}

int
elog_watch(struct elog *log, uint64_t t_ms, const char *watch,
    const char *line)
{
	return add_simple(log, t_ms, ELOG_WATCH, watch, line);
}

int
elog_proc_start(struct elog *log, uint64_t t_ms, const char *name,
    const char *cmdline)
{
	return add_simple(log, t_ms, ELOG_PROC_START, name, cmdline);
}

int
elog_proc_exit(struct elog *log, uint64_t t_ms, const char *name,
    int code, int signal)
{
	struct elog_ev e;

	memset(&e, 0, sizeof(e));
	e.t_ms = t_ms;
	e.kind = ELOG_PROC_EXIT;
	e.source = name;
	e.u.exit.code = code;
	e.u.exit.signal = signal;
	return elog_add(log, &e);
}

int
elog_zone(struct elog *log, uint64_t t_ms, const char *dns, const char *text)
{
	return add_simple(log, t_ms, ELOG_ZONE_CHANGE, dns, text);
}

int
elog_mark(struct elog *log, uint64_t t_ms, const char *source,
    const char *text)
{
	return add_simple(log, t_ms, ELOG_MARK, source, text);
}

int
elog_rate(struct elog *log, uint64_t t_ms, const char *link, double qps,
    uint64_t window_ms)
{
	struct elog_ev e;

	memset(&e, 0, sizeof(e));
	e.t_ms = t_ms;
	e.kind = ELOG_RATE;
	e.source = link;
	e.u.rate.qps = qps;
	e.u.rate.window_ms = window_ms;
	return elog_add(log, &e);
}

uint64_t
elog_last_ms(const struct elog *log)
{
	if (log == NULL || log->n == 0)
		return 0;
	return log->ev[log->n - 1].t_ms;
}

/* ------------------------------------------------------------------ */
/* Readings of faultd's counters */

const char *
elog_stats_why_name(enum elog_stats_why why)
{
	if ((unsigned)why >= ELOG_STATS_WHY_COUNT)
		return "?";
	return why_names[why];
}

int
elog_stats_why_parse(const char *name, enum elog_stats_why *out)
{
	int w = name_index(why_names, ELOG_STATS_WHY_COUNT, name);

	if (w < 0)
		return DD_EINVAL;
	*out = (enum elog_stats_why)w;
	return 0;
}

/* A copy of n counts in the arena (names cut to max); NULL when out of
 * memory.  n == 0 gives a non-NULL pointer nobody reads. */
static const struct elog_count *
copy_counts(struct elog *log, const struct elog_count *v, size_t n, size_t max)
{
	struct elog_count *c = arena_alloc(log, n * sizeof(*c) + 1, _Alignof(struct elog_count));

	for (size_t i = 0; c != NULL && i < n; i++) {
		c[i].value = v[i].value;
		if ((c[i].name = arena_strdup(log, v[i].name, max)) == NULL)
			return NULL;
	}
	return c;
}

int
elog_add_stats(struct elog *log, const struct elog_stats *s)
{
	struct elog_stats copy;
	struct elog_rule_hits *rules;

	if (log == NULL || s == NULL || (unsigned)s->why >= ELOG_STATS_WHY_COUNT ||
	    (s->n_counters && s->counters == NULL) || (s->n_actions && s->actions == NULL) ||
	    (s->n_rules && s->rules == NULL) || (s->n_clients && s->clients == NULL))
		return DD_EINVAL;
	if (log->n_stats == log->cap_stats) {
		size_t cap = log->cap_stats ? log->cap_stats * 2 : 16;
		struct elog_stats *grown = realloc(log->stats, cap * sizeof(*grown));

		if (grown == NULL)
			return DD_ENOMEM;
		log->stats = grown;
		log->cap_stats = cap;
	}
	/* what the arena holds after a failure is freed with the log */
	copy = *s;
	copy.dns = arena_strdup(log, s->dns, ELOG_SOURCE_MAX);
	copy.error = s->error ? arena_strdup(log, s->error, ELOG_TEXT_MAX) : NULL;
	copy.counters = copy_counts(log, s->counters, s->n_counters, ELOG_SOURCE_MAX);
	copy.actions = copy_counts(log, s->actions, s->n_actions, ELOG_SOURCE_MAX);
	copy.clients = copy_counts(log, s->clients, s->n_clients, ELOG_SOURCE_MAX);
	rules = arena_alloc(log, s->n_rules * sizeof(*rules) + 1, _Alignof(struct elog_rule_hits));
	if (copy.dns == NULL || (s->error && copy.error == NULL) || copy.counters == NULL ||
	    copy.actions == NULL || copy.clients == NULL || rules == NULL)
		return DD_ENOMEM;
	for (size_t i = 0; i < s->n_rules; i++) {
		rules[i].id = s->rules[i].id;
		rules[i].hits = s->rules[i].hits;
		if ((rules[i].rule = arena_strdup(log, s->rules[i].rule, ELOG_TEXT_MAX)) == NULL)
			return DD_ENOMEM;
	}
	copy.rules = rules;
	log->stats[log->n_stats++] = copy;
	return 0;
}

const struct elog_stats *
elog_stats_last(const struct elog *log, const char *dns)
{
	for (size_t i = log ? log->n_stats : 0; i-- > 0;)
		if (dns == NULL || strcmp(log->stats[i].dns, dns) == 0)
			return &log->stats[i];
	return NULL;
}
