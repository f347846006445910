/*
 * html_timeline.h -- the SVG timeline of report.html, for html.c, which
 * writes the page around it.  Private to reports/.  The timeline only
 * reads the result and calls nothing in html.c.
 */
#ifndef DD_REPORTS_HTML_TIMELINE_H
#define DD_REPORTS_HTML_TIMELINE_H

#include <stdio.h>

#include "model/result.h"

/* A run's timeline, laid out and ready to draw.  It borrows r and f. */
struct html_timeline;

/* Lays out r's timeline (rows, phases, time axis) for drawing to f.
 * Returns 0, or DD_ENOMEM with *out NULL; writes nothing. */
int html_timeline_new(struct html_timeline **out, const struct result *r,
    FILE *f);
/* Writes the timeline as an inline <svg>.  Returns 0 or DD_ENOMEM. */
int html_timeline_draw(struct html_timeline *t);
void html_timeline_free(struct html_timeline *t);  /* NULL-safe */

#endif /* DD_REPORTS_HTML_TIMELINE_H */
