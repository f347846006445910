/*
 * err.h -- the one error convention: functions return 0 (or a count) on
 * success and a negative code on failure.  Codes below DD_EBASE are negated
 * errno values; the dnsdrill codes sit above them.  dd_strerror() names both.
 *
 * Functions that reject user input also fill a struct dd_err with a message
 * naming the input and the place ("rules.txt:3: unknown key 'nmae'").
 */
#ifndef DD_ERR_H
#define DD_ERR_H

#include <stddef.h>

enum {
	DD_OK = 0,
	DD_EBASE = 10000,
	DD_EINVAL = -(DD_EBASE + 1),   /* bad input: see the message */
	DD_ENOMEM = -(DD_EBASE + 2),
	DD_EFORMERR = -(DD_EBASE + 3), /* malformed DNS message, header readable */
	DD_EMALFORMED = -(DD_EBASE + 4), /* malformed, header not even readable */
	DD_ENOSPACE = -(DD_EBASE + 5), /* output buffer too small */
	DD_ENOTFOUND = -(DD_EBASE + 6),
	DD_EIO = -(DD_EBASE + 7),
	DD_EPERM = -(DD_EBASE + 8),
};

const char *dd_strerror(int code);

/* A message for people. */
struct dd_err {
	char msg[512];
};

void dd_err_set(struct dd_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
