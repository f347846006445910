/*
 * dist.h -- the spread of one metric over repeated runs: count, min,
 * median, p90, max, for `dnsdrill run --repeat N` and `matrix --repeat N`.
 * Pure: numbers in, numbers out.
 *
 * Each run contributes one sample: an observed value, a lower bound (the
 * run ended before the metric was seen: "recovery_s > 32.1"), or nothing
 * (not observed for a reason that gives no bound).  Missing samples are
 * counted and left out.  A lower bound enters the order at its bound; a
 * statistic is then itself only a lower bound ("at_least") when a censored
 * sample sits at or below the highest rank the statistic reads, since that
 * sample's true value could be larger and move the statistic up.  Above
 * those ranks a censored sample cannot change it, and the statistic is
 * exact.
 *
 * Quantiles interpolate linearly between closest ranks (Hyndman and Fan's
 * definition 7, the default of R and numpy): for n sorted samples x[0..n),
 * q(p) = x[j] + (h - j) * (x[j+1] - x[j]) with h = (n - 1) * p, j = floor(h).
 * The median is q(0.5), p90 is q(0.9).
 */
#ifndef DD_MODEL_DIST_H
#define DD_MODEL_DIST_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

/* One run's sample. */
struct dist_sample {
	bool has;      /* false: not observed, no bound */
	bool censored; /* v is a lower bound, not the value */
	double v;
};

/* One statistic: a value, exact or a lower bound; absent with no samples. */
struct dist_stat {
	bool has;
	bool at_least;
	double v;
};

enum dist_which {
	DIST_MIN = 0,
	DIST_MEDIAN,
	DIST_P90,
	DIST_MAX,
	DIST_WHICH_COUNT
};

struct dist {
	size_t n;         /* samples with a value or a bound */
	size_t n_missing; /* samples with neither */
	size_t n_censored;
	struct dist_stat stat[DIST_WHICH_COUNT];
};

/*
 * The spread of samples[0..n).  Returns 0, or DD_ENOMEM (out is zeroed).
 * Non-finite values count as missing.
 */
int dist_of(const struct dist_sample *samples, size_t n, struct dist *out);

/* "min", "median", "p90", "max"; "?" out of range.  dist_which_parse()
 * returns 0 or DD_EINVAL. */
const char *dist_which_name(enum dist_which w);
int dist_which_parse(const char *name, enum dist_which *out);

#endif
