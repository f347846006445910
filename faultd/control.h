/*
 * control.h -- faultd's control socket: a unix stream socket (mode 0600)
 * whose connections speak the control protocol (faultd/ctl.h).  This part
 * moves bytes only; what a command does is ctl_exec's, run against the
 * ctl_target the daemon hands in.  It knows nothing of the DNS sockets.
 */
#ifndef FAULTD_CONTROL_H
#define FAULTD_CONTROL_H

#include "faultd/ctl.h"
#include "lib/err.h"
#include "lib/evloop.h"

struct control;

/*
 * Listen on path (a stale socket left there by a dead faultd is replaced;
 * any other file is not).  target is borrowed and must outlive the control
 * socket.  On error returns a negative code with err naming the path
 * ("--control PATH: ...").
 */
int control_open(struct control **out, struct ev_loop *loop, const char *path,
    const struct ctl_target *target, struct dd_err *err);
/* Close every connection and the socket, and remove the socket file.
 * NULL-safe. */
void control_close(struct control *ctl);

#endif
