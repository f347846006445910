/*
 * authority.h -- queries at the authority (result.h, struct
 * result_authority) as the writers show them: one line for a run's
 * summary and report, one short cell for the matrix.  Private to
 * reports/.  A result without the figure (a result.json written before it
 * was recorded) and a figure not computable both show as a dash; the line
 * says why when the result says.
 */
#ifndef DD_REPORTS_AUTHORITY_H
#define DD_REPORTS_AUTHORITY_H

#include <stddef.h>

#include "model/result.h"

/* "330 over the fault (47.1/s), baseline 10.0/s (x4.7)"; "- (why)" when
 * not computable; "-" for a NULL a.  Returns buf (always terminated). */
char *authority_fmt_line(const struct result_authority *a, char *buf,
    size_t len);

/* The matrix cell: "330 (x4.7)", "330" without a ratio, "-" for a NULL a
 * or no count.  Returns buf (always terminated). */
char *authority_fmt_cell(const struct result_authority *a, char *buf,
    size_t len);

/* "x4.7", "x12", "x103": the ratio as the line and cell write it. */
char *authority_fmt_ratio(double ratio, char *buf, size_t len);

#endif /* DD_REPORTS_AUTHORITY_H */
