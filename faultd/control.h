/*
 * control.h -- faultd's control socket: a unix stream socket (mode 0600),
 * and optionally a TCP listener with TLS and client certificates, whose
 * connections speak the control protocol (faultd/ctl.h).  This part
 * moves bytes only; what a command does is ctl_exec's, run against the
 * ctl_target the daemon hands in.  It knows nothing of the DNS sockets.
 */
#ifndef FAULTD_CONTROL_H
#define FAULTD_CONTROL_H

#include "faultd/ctl.h"
#include "lib/addr.h"
#include "lib/err.h"
#include "lib/evloop.h"

struct control;

/* A connection's unwritten replies above which its further commands wait
 * (and its socket is not read) until they drain. */
#define CONTROL_OUT_LOW (64u << 10)
/* The longest reply sent; a longer one is replaced by an ERR.  `stats
 * json` with 10,000 rules of 114 bytes each and every counter at its
 * maximum is 1.6 MB, `rule list` 1.4 MB. */
#define CONTROL_REPLY_MAX (4u << 20)
/* Close a connection after this long without running a command or having
 * a reply byte taken (--control-idle). */
#define CONTROL_IDLE_DEFAULT_US (60u * 1000000u)

/*
 * Listen on path (a stale socket left there by a dead faultd is replaced;
 * any other file is not).  target is borrowed and must outlive the control
 * socket.  idle_us is the idle time after which a connection is closed
 * (0: CONTROL_IDLE_DEFAULT_US).  On error returns a negative code with err
 * naming the path ("--control PATH: ...").
 */
int control_open(struct control **out, struct ev_loop *loop, const char *path,
    const struct ctl_target *target, uint64_t idle_us, struct dd_err *err);
/* Open TLS control connections at once (CONTROL_TLS_CONNS_MAX); more
 * are closed as they come, logged. */
#define CONTROL_TLS_CONNS_MAX 32

/* --control-tls ADDR:PORT with --tls-cert, --tls-key, --tls-ca (borrowed
 * for the call). */
struct control_tls_conf {
	struct dd_sockaddr addr;
	const char *cert_file, *key_file, *ca_file;
};

/*
 * Listen on TCP at conf->addr for TLS control connections (TLS 1.2 or
 * later; the client's certificate required and verified against ca_file;
 * a client without one is refused and logged with its address).  Then the
 * same protocol, limits and idle time as the unix socket.  On error a
 * negative code with err naming the option and the file: a missing or
 * unreadable file, a key that does not match the certificate, a CA file
 * without a certificate are DD_EINVAL; a bind failure DD_EIO.
 */
int control_open_tls(struct control **out, struct ev_loop *loop,
    const struct control_tls_conf *conf, const struct ctl_target *target,
    uint64_t idle_us, struct dd_err *err);
/* Close every connection and the socket, and remove the socket file.
 * NULL-safe. */
void control_close(struct control *ctl);
/* How often idle connections are looked for: a quarter of the idle time,
 * within 10 ms .. 1 s (so one is closed within idle_us + that). */
uint64_t control_sweep_period(uint64_t idle_us);

#endif
