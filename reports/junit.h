/*
 * junit.h -- pieces of a JUnit XML file that a run's writer (junit.c) and
 * a repeat group's (repeat.c) share.  Private to reports/.
 */
#ifndef DD_REPORTS_JUNIT_H
#define DD_REPORTS_JUNIT_H

#include <stdbool.h>
#include <stdio.h>

/* One expectation as a testcase, classname "dnsdrill.SUITE", name "NAME
 * BOUND"; attrs (NULL for none) is written after the name attribute, as
 * is (' time="0"'); a failure carries message. */
void junit_expectation(FILE *f, const char *suite, const char *name, const char *bound,
    const char *attrs, bool pass, const char *message);

/* <system-out> holding what text(arg, ...) writes, escaped. */
void junit_system_out(FILE *f, int (*text)(const void *arg, FILE *out), const void *arg);

#endif
