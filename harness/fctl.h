/*
 * fctl.h -- the harness's side of faultd's control protocol (faultd/control.c):
 * send one command line, read data lines up to the "OK"/"ERR" status line.
 * Local unix socket, a few hundred microseconds; bounded by a timeout.
 */
#ifndef DD_HARNESS_FCTL_H
#define DD_HARNESS_FCTL_H

#include <stdint.h>

#include "lib/buf.h"
#include "lib/err.h"

/* 0 with data lines in out (may be NULL) and the status text after "OK";
 * DD_EINVAL with faultd's "ERR" message in err; DD_EIO when unreachable. */
int fctl_request(const char *sock, const char *line, struct dd_buf *out,
    unsigned timeout_ms, struct dd_err *err);

/* rule add; *id gets the new rule's id. */
int fctl_rule_add(const char *sock, const char *rule, uint64_t *id, struct dd_err *err);
int fctl_rule_del(const char *sock, uint64_t id, struct dd_err *err);

#endif
