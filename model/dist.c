/*
 * dist.c -- see dist.h.  The samples are sorted by value (a lower bound by
 * its bound); for each statistic the highest rank it reads decides whether
 * a censored sample could still move it.
 */
#include "model/dist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[DIST_WHICH_COUNT] = {
	[DIST_MIN] = "min",
	[DIST_MEDIAN] = "median",
	[DIST_P90] = "p90",
	[DIST_MAX] = "max",
};

static const double quantile[DIST_WHICH_COUNT] = {
	[DIST_MIN] = 0.0,
	[DIST_MEDIAN] = 0.5,
	[DIST_P90] = 0.9,
	[DIST_MAX] = 1.0,
};

static int
by_value(const void *a, const void *b)
{
	const struct dist_sample *x = a, *y = b;

	if (x->v < y->v)
		return -1;
	if (x->v > y->v)
		return 1;
	/* equal: an exact value before a bound, so a tie reads the exact one */
	return (int)x->censored - (int)y->censored;
}

int
dist_of(const struct dist_sample *samples, size_t n, struct dist *out)
{
	struct dist_sample *s;
	size_t m = 0, first_censored;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return 0;
	if ((s = calloc(n, sizeof(*s))) == NULL)
		return DD_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!samples[i].has || !isfinite(samples[i].v)) {
			out->n_missing++;
			continue;
		}
		s[m++] = samples[i];
		if (samples[i].censored)
			out->n_censored++;
	}
	out->n = m;
	if (m == 0) {
		free(s);
		return 0;
	}
	qsort(s, m, sizeof(*s), by_value);
	first_censored = m;
	for (size_t i = 0; i < m; i++) {
		if (s[i].censored) {
			first_censored = i;
			break;
		}
	}
	for (int w = 0; w < DIST_WHICH_COUNT; w++) {
		double h = (double)(m - 1) * quantile[w];
		size_t j = (size_t)floor(h);
		size_t top = j;
		double v = s[j].v;

		if (j + 1 < m && h > (double)j) {
			v += (h - (double)j) * (s[j + 1].v - s[j].v);
			top = j + 1;
		}
		out->stat[w].has = true;
		out->stat[w].v = v;
		out->stat[w].at_least = first_censored <= top;
	}
	free(s);
	return 0;
}

const char *
dist_which_name(enum dist_which w)
{
	return (unsigned)w < DIST_WHICH_COUNT ? names[w] : "?";
}

int
dist_which_parse(const char *name, enum dist_which *out)
{
	for (int w = 0; w < DIST_WHICH_COUNT; w++) {
		if (name != NULL && strcmp(name, names[w]) == 0) {
			*out = (enum dist_which)w;
			return 0;
		}
	}
	return DD_EINVAL;
}
