/*
 * event.c -- the event log.  Strings live in a chunked arena owned by the
 * log, so events can be moved (insertion of a late event) without copying
 * strings and the whole log is freed in a few calls.
 */
#include "harness/event.h"

#include "err.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 8192

struct ev_arena {
	struct ev_arena *next;
	size_t used, cap;
	char data[];
};

static const char *const kind_names[EV_KIND_COUNT] = {
	[EV_PHASE_START] = "phase_start",
	[EV_PHASE_END] = "phase_end",
	[EV_FAULT_INJECT] = "fault_inject",
	[EV_FAULT_CLEAR] = "fault_clear",
	[EV_PROBE] = "probe",
	[EV_WATCH] = "watch",
	[EV_PROC_START] = "proc_start",
	[EV_PROC_EXIT] = "proc_exit",
	[EV_MARK] = "mark",
	[EV_RATE] = "rate",
};

const char *
ev_kind_name(enum ev_kind kind)
{
	if ((unsigned)kind >= EV_KIND_COUNT)
		return "?";
	return kind_names[kind];
}

int
ev_kind_parse(const char *name, enum ev_kind *out)
{
	if (name == NULL)
		return DD_EINVAL;
	for (int k = 0; k < EV_KIND_COUNT; k++) {
		if (strcmp(name, kind_names[k]) == 0) {
			*out = (enum ev_kind)k;
			return 0;
		}
	}
	return DD_EINVAL;
}

struct ev_log *
ev_log_new(void)
{
	return calloc(1, sizeof(struct ev_log));
}

void
ev_log_free(struct ev_log *log)
{
	struct ev_arena *a, *next;

	if (log == NULL)
		return;
	for (a = log->arena; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	free(log->ev);
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

static const char *
arena_strdup(struct ev_log *log, const char *s, size_t max)
{
	size_t n;
	char *p;
	struct ev_arena *a = log->arena;

	if (s == NULL || *s == '\0')
		return "";
	n = cut_len(s, max);
	if (a == NULL || a->cap - a->used < n + 1) {
		size_t cap = n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK;

		a = malloc(sizeof(*a) + cap);
		if (a == NULL)
			return NULL;
		a->used = 0;
		a->cap = cap;
		a->next = log->arena;
		log->arena = a;
	}
	p = a->data + a->used;
	memcpy(p, s, n);
	p[n] = '\0';
	a->used += n + 1;
	return p;
}

int
ev_log_add(struct ev_log *log, const struct ev *e)
{
	struct ev copy;
	size_t pos;

	if (log == NULL || e == NULL || (unsigned)e->kind >= EV_KIND_COUNT)
		return DD_EINVAL;
	if (log->n == log->cap) {
		size_t cap = log->cap ? log->cap * 2 : 64;
		struct ev *grown = realloc(log->ev, cap * sizeof(*grown));

		if (grown == NULL)
			return DD_ENOMEM;
		log->ev = grown;
		log->cap = cap;
	}
	copy = *e;
	/* Strings left in the arena on a later failure are harmless: freed
	 * with the log. */
	copy.source = arena_strdup(log, e->source, EV_SOURCE_MAX);
	copy.text = arena_strdup(log, e->text, EV_TEXT_MAX);
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
add_simple(struct ev_log *log, uint64_t t_ms, enum ev_kind kind,
    const char *source, const char *text)
{
	struct ev e;

	memset(&e, 0, sizeof(e));
	e.t_ms = t_ms;
	e.kind = kind;
	e.source = source;
	e.text = text;
	return ev_log_add(log, &e);
}

int
ev_log_phase(struct ev_log *log, uint64_t t_ms, bool start, const char *name)
{
	return add_simple(log, t_ms, start ? EV_PHASE_START : EV_PHASE_END,
	    name, NULL);
}

int
ev_log_fault(struct ev_log *log, uint64_t t_ms, bool inject,
    const char *target, const char *text)
{
	return add_simple(log, t_ms, inject ? EV_FAULT_INJECT : EV_FAULT_CLEAR,
	    target, text);
}

int
ev_log_probe(struct ev_log *log, uint64_t t_ms, const char *probe, bool ok,
    double latency_ms, const char *detail)
{
	struct ev e;

	memset(&e, 0, sizeof(e));
	e.t_ms = t_ms;
	e.kind = EV_PROBE;
	e.source = probe;
	e.text = detail;
	e.u.probe.ok = ok;
	e.u.probe.latency_ms = latency_ms;
	return ev_log_add(log, &e);
}

int
ev_log_watch(struct ev_log *log, uint64_t t_ms, const char *watch,
    const char *line)
{
	return add_simple(log, t_ms, EV_WATCH, watch, line);
}

int
ev_log_proc_start(struct ev_log *log, uint64_t t_ms, const char *name,
    const char *cmdline)
{
	return add_simple(log, t_ms, EV_PROC_START, name, cmdline);
}

int
ev_log_proc_exit(struct ev_log *log, uint64_t t_ms, const char *name,
    int code, int signal)
{
	struct ev e;

	memset(&e, 0, sizeof(e));
	e.t_ms = t_ms;
	e.kind = EV_PROC_EXIT;
	e.source = name;
	e.u.exit.code = code;
	e.u.exit.signal = signal;
	return ev_log_add(log, &e);
}

int
ev_log_mark(struct ev_log *log, uint64_t t_ms, const char *source,
    const char *text)
{
	return add_simple(log, t_ms, EV_MARK, source, text);
}

int
ev_log_rate(struct ev_log *log, uint64_t t_ms, const char *link, double qps,
    uint64_t window_ms)
{
	struct ev e;

	memset(&e, 0, sizeof(e));
	e.t_ms = t_ms;
	e.kind = EV_RATE;
	e.source = link;
	e.u.rate.qps = qps;
	e.u.rate.window_ms = window_ms;
	return ev_log_add(log, &e);
}

uint64_t
ev_log_last_ms(const struct ev_log *log)
{
	if (log == NULL || log->n == 0)
		return 0;
	return log->ev[log->n - 1].t_ms;
}
