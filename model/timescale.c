/*
 * timescale.c -- the list of what a compressed run could not keep in
 * proportion, and the incident clock's formatting.  Pure: seconds in,
 * text out; no clock is read (the start of an incident is parsed with
 * timegm, a calendar computation).
 */
#include "model/timescale.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kind_names[TIMESCALE_KIND_COUNT] = {
	"floor", "unscaled", "partial", "observer", "unknown",
};

const char *
timescale_kind_name(enum timescale_kind k)
{
	return (unsigned)k < TIMESCALE_KIND_COUNT ? kind_names[k] : "?";
}

int
timescale_kind_parse(const char *name, enum timescale_kind *out)
{
	for (int k = 0; name != NULL && k < TIMESCALE_KIND_COUNT; k++)
		if (strcmp(name, kind_names[k]) == 0) {
			*out = (enum timescale_kind)k;
			return 0;
		}
	return DD_EINVAL;
}

static char *
dup_or_null(const char *s, bool *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = true;
	return d;
}

int
timescale_add_distortion(struct timescale_list *l, enum timescale_kind kind,
    const char *what, double incident_s, double real_s, const char *note)
{
	struct timescale_distortion *d;
	bool oom = false;

	if (l == NULL || what == NULL || (unsigned)kind >= TIMESCALE_KIND_COUNT)
		return DD_EINVAL;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].what, what) == 0)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		void *p = realloc(l->v, cap * sizeof(*l->v));

		if (p == NULL)
			return DD_ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	d = &l->v[l->n];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->what = dup_or_null(what, &oom);
	d->note = dup_or_null(note, &oom);
	if (oom) {
		free(d->what);
		free(d->note);
		return DD_ENOMEM;
	}
	/* !(x >= 0) is true for NaN too */
	d->has_incident = incident_s >= 0;
	d->incident_s = d->has_incident ? incident_s : 0;
	d->has_real = real_s >= 0;
	d->real_s = d->has_real ? real_s : 0;
	l->n++;
	return 0;
}

void
timescale_list_free(struct timescale_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].what);
		free(l->v[i].note);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

char *
timescale_fmt_duration(double s, char *buf, size_t cap)
{
	if (!(s >= 0) || s > 1e15) {
		snprintf(buf, cap, "?");
		return buf;
	}
	if (s < 1.0) {
		snprintf(buf, cap, "%.0fms", s * 1000.0);
	} else if (s < 10.0) {
		snprintf(buf, cap, "%.3gs", s);
	} else if (s < 60.0) {
		snprintf(buf, cap, "%.0fs", s);
	} else {
		uint64_t t = (uint64_t)(s + 0.5);

		if (t < 3600)
			snprintf(buf, cap, "%llum%02llus", (unsigned long long)(t / 60),
			    (unsigned long long)(t % 60));
		else if (t < 86400)
			snprintf(buf, cap, "%lluh%02llum", (unsigned long long)(t / 3600),
			    (unsigned long long)(t % 3600 / 60));
		else
			snprintf(buf, cap, "%llud%02lluh", (unsigned long long)(t / 86400),
			    (unsigned long long)(t % 86400 / 3600));
	}
	return buf;
}

char *
timescale_fmt_distortion(const struct timescale_distortion *d, double speed,
    char *buf, size_t cap)
{
	char a[32], b[32], c[32];
	double sp = speed > 0 ? speed : 1.0;
	int n;

	if (d->has_incident && d->has_real) {
		double as = d->real_s * sp;

		n = snprintf(buf, cap, "%s: %s in the incident lasts %s = %s of the incident",
		    d->what, timescale_fmt_duration(d->incident_s, a, sizeof(a)),
		    timescale_fmt_duration(d->real_s, b, sizeof(b)),
		    timescale_fmt_duration(as, c, sizeof(c)));
		if (n >= 0 && (size_t)n < cap && d->incident_s > 0)
			n += snprintf(buf + n, cap - (size_t)n, " (x%.3g)", as / d->incident_s);
	} else if (d->has_real) {
		n = snprintf(buf, cap, "%s: %s = %s of the incident", d->what,
		    timescale_fmt_duration(d->real_s, b, sizeof(b)),
		    timescale_fmt_duration(d->real_s * sp, c, sizeof(c)));
	} else {
		n = snprintf(buf, cap, "%s", d->what);
	}
	if (d->note != NULL && n >= 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, "; %s", d->note);
	return buf;
}

/* "HH:MM" or "HH:MM:SS" at s (exactly, to the end); seconds since midnight. */
static int
parse_tod(const char *s, int64_t *out)
{
	int h, m, sec = 0, n = 0;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || n != 5)
		return DD_EINVAL;
	if (s[n] == ':') {
		int k = 0;

		if (sscanf(s + n + 1, "%2d%n", &sec, &k) != 1 || k != 2)
			return DD_EINVAL;
		n += 3;
	}
	if (s[n] == 'Z')
		n++;
	if (s[n] != '\0' || h > 23 || m > 59 || sec > 60 || h < 0 || m < 0 || sec < 0)
		return DD_EINVAL;
	*out = (int64_t)h * 3600 + m * 60 + sec;
	return 0;
}

int
timescale_parse_start(const char *text, int64_t *epoch_s, bool *time_only)
{
	int y, mo, d, n = 0;
	int64_t tod;
	struct tm tm;

	if (text == NULL)
		return DD_EINVAL;
	if (parse_tod(text, &tod) == 0) {
		*epoch_s = tod;
		*time_only = true;
		return 0;
	}
	if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
	    (text[10] != 'T' && text[10] != ' ') ||
	    y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    parse_tod(text + 11, &tod) < 0)
		return DD_EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	*epoch_s = (int64_t)timegm(&tm) + tod;
	*time_only = false;
	return 0;
}

char *
timescale_fmt_clock(const char *start, double real_s, double speed, bool full,
    char *buf, size_t cap)
{
	double inc = real_s * (speed > 0 ? speed : 1.0);
	int64_t t0;
	bool tod;

	if (!(inc >= -1e12 && inc <= 1e12))
		inc = 0;
	if (start != NULL && timescale_parse_start(start, &t0, &tod) == 0) {
		time_t t = (time_t)(t0 + (int64_t)floor(inc));
		struct tm tm;

		gmtime_r(&t, &tm);
		if (full && !tod)
			strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
		else
			strftime(buf, cap, "%H:%M:%S", &tm);
		return buf;
	}
	{
		/* before the incident's start (the network being built): "-" */
		char sign = inc < 0 ? '-' : '+';
		uint64_t s = (uint64_t)floor(fabs(inc));

		if (s < 3600)
			snprintf(buf, cap, "%c%llum%02llus", sign, (unsigned long long)(s / 60),
			    (unsigned long long)(s % 60));
		else
			snprintf(buf, cap, "%c%lluh%02llum%02llus", sign,
			    (unsigned long long)(s / 3600),
			    (unsigned long long)(s % 3600 / 60),
			    (unsigned long long)(s % 60));
	}
	return buf;
}
