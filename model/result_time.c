/*
 * result_time.c -- a result's time: the incident's start on its own clock,
 * the run's speed, and what could not be kept in proportion
 * (model/timescale.h).
 */
#include "model/result.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

int
result_set_incident_start(struct result *r, const char *start)
{
	char *copy = NULL;

	if (r == NULL)
		return DD_EINVAL;
	if (start != NULL && (copy = strdup(start)) == NULL)
		return DD_ENOMEM;
	free(r->incident_start);
	r->incident_start = copy;
	return 0;
}

void
result_mark_time(struct result *r)
{
	if (r != NULL)
		r->has_time = true;
}

int
result_add_distortion(struct result *r, enum timescale_kind kind,
    const char *what, double incident_s, double real_s, const char *note)
{
	int rc;

	if (r == NULL)
		return DD_EINVAL;
	rc = timescale_add_distortion(&r->distortions, kind, what, incident_s,
	    real_s, note);
	if (rc == 0)
		r->has_time = true;
	return rc;
}

double
result_speed(const struct result *r)
{
	double d;

	for (size_t i = 0; r != NULL && i < r->n_params; i++)
		if (strcmp(r->params[i].key, "speed") == 0 &&
		    dd_parse_double(r->params[i].value, &d) == 0 && d > 0)
			return d;
	return 1.0;
}

bool
result_metric_is_incident_time(enum score_metric m)
{
	return m == SCORE_DETECTION || m == SCORE_FAILOVER || m == SCORE_RECOVERY;
}

void
result_set_incident_t0(struct result *r, uint64_t t0_ms)
{
	if (r != NULL)
		r->incident_t0_ms = t0_ms;
}

bool
result_time_scaled(const struct result *r)
{
	return r != NULL && r->has_time &&
	    (result_speed(r) != 1.0 || r->incident_start != NULL);
}

char *
result_incident_clock(const struct result *r, uint64_t t_ms, bool full,
    char *buf, size_t cap)
{
	double real_s = ((double)t_ms - (double)r->incident_t0_ms) / 1000.0;

	return timescale_fmt_clock(r->incident_start, real_s, result_speed(r), full,
	    buf, cap);
}
