/*
 * authority.c -- how many queries reached the authority, in words: the
 * count over the fault with its rate, the baseline's rate, and how many
 * times the baseline the fault's rate was.  The line and the matrix cell
 * share one way of writing the ratio so the two never disagree.
 */
#include "reports/authority.h"

#include <math.h>
#include <stdio.h>

char *
authority_fmt_ratio(double ratio, char *buf, size_t len)
{
	if (!isfinite(ratio))
		snprintf(buf, len, "x?");
	else if (ratio < 10)
		snprintf(buf, len, "x%.1f", ratio);
	else
		snprintf(buf, len, "x%.0f", ratio);
	return buf;
}

char *
authority_fmt_line(const struct result_authority *a, char *buf, size_t len)
{
	char ratio[32];
	double q, b;
	int n;

	if (len == 0)
		return buf;
	if (a == NULL) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (!a->queries.has) {
		snprintf(buf, len, "- (%s)", a->queries.note != NULL ?
		    a->queries.note : "not computable");
		return buf;
	}
	if (result_authority_qps(a, false, &q))
		n = snprintf(buf, len, "%.0f over the fault (%.1f/s)",
		    a->queries.value, q);
	else
		n = snprintf(buf, len, "%.0f over the fault", a->queries.value);
	if (n < 0 || (size_t)n >= len)
		return buf;
	if (!result_authority_qps(a, true, &b))
		snprintf(buf + n, len - (size_t)n, ", baseline - (%s)",
		    a->baseline.note != NULL ? a->baseline.note : "not known");
	else if (a->ratio.has)
		snprintf(buf + n, len - (size_t)n, ", baseline %.1f/s (%s)", b,
		    authority_fmt_ratio(a->ratio.value, ratio, sizeof(ratio)));
	else
		snprintf(buf + n, len - (size_t)n, ", baseline %.1f/s (ratio not known: %s)",
		    b, a->ratio.note != NULL ? a->ratio.note : "not known");
	return buf;
}

char *
authority_fmt_cell(const struct result_authority *a, char *buf, size_t len)
{
	char ratio[32];

	if (len == 0)
		return buf;
	if (a == NULL || !a->queries.has)
		snprintf(buf, len, "-");
	else if (a->ratio.has)
		snprintf(buf, len, "%.0f (%s)", a->queries.value,
		    authority_fmt_ratio(a->ratio.value, ratio, sizeof(ratio)));
	else
		snprintf(buf, len, "%.0f", a->queries.value);
	return buf;
}
