/*
 * sc_regex.h -- the regular expressions a scenario gives (watch match=,
 * a process's ready = { log = }, an http probe's body=), checked when the
 * scenario loads.
 *
 * glibc's regcomp() copies a sub-expression once per repetition it must
 * unroll ("x+" is "xx*", "x{3,5}" five copies), so a nested or stacked
 * repetition ("[0-9]++++...", "((a{99}){99}){99}") grows exponentially:
 * gigabytes of memory and minutes before it fails or returns.  Such an
 * expression is refused before regcomp() sees it.
 */
#ifndef DD_HARNESS_SC_REGEX_H
#define DD_HARNESS_SC_REGEX_H

#include "lib/err.h"

/* How many copies of its atoms an expression may unroll to. */
#define SC_REGEX_MAX_SIZE 4096

/*
 * 0 when re is a POSIX extended regular expression that compiles
 * (REG_EXTENDED | REG_NOSUB) and unrolls to at most SC_REGEX_MAX_SIZE
 * atoms; otherwise DD_EINVAL with the reason in err ("is not a valid
 * regular expression", "repeats too much: ..."), re not quoted.
 */
int sc_regex_check(const char *re, struct dd_err *err);

#endif
