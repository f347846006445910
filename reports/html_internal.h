/*
 * html_internal.h -- what html.c (the page: header, metrics, legend, event
 * log) and html_timeline.c (the SVG timeline) share.  Private to reports/.
 */
#ifndef DD_REPORTS_HTML_INTERNAL_H
#define DD_REPORTS_HTML_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/result.h"

/* Writes s (NULL: nothing) HTML-escaped to f, at most max characters of it
 * (0: all) and then "\xE2\x80\xA6" if cut.  Invalid UTF-8 and control
 * characters become U+FFFD. */
void esc_n(FILE *f, const char *s, size_t max);
#define esc(f, s) esc_n((f), (s), 0)

/* ms as "12.345 s". */
void fmt_s(char *buf, size_t len, uint64_t ms);

/* A run's timeline, laid out and ready to draw.  It borrows r and f. */
struct tl;

/* Lays out r's timeline (rows, phases, time axis) for drawing to f.
 * Returns 0, or DD_ENOMEM with *out NULL; writes nothing. */
int html_timeline_new(struct tl **out, const struct result *r, FILE *f);
/* Writes the timeline as an inline <svg>.  Returns 0 or DD_ENOMEM. */
int html_timeline_draw(struct tl *t);
void html_timeline_free(struct tl *t);  /* NULL-safe */

#endif /* DD_REPORTS_HTML_INTERNAL_H */
