/*
 * html_time.h -- time in report.html: the incident's clock beside the
 * run's (the speed, the timeline's start and the fault window on the
 * incident's clock), the metrics that are durations of the incident in
 * both, and what the run could not keep in proportion (result.json's
 * time_distortions).  Private to reports/; html.c places it.
 */
#ifndef DD_REPORTS_HTML_TIME_H
#define DD_REPORTS_HTML_TIME_H

#include <stdio.h>

#include "model/result.h"

/* Writes the section, or nothing when the incident's clock is the run's
 * (result_time_scaled() false). */
void html_time_write(FILE *f, const struct result *r);

#endif /* DD_REPORTS_HTML_TIME_H */
