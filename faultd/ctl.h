/*
 * ctl.h -- faultd's control protocol, both sides, in one library (as Knot's
 * libknot/control serves knotc and knotd).  faultd serves it (control.c
 * moves the bytes), faultctl and the dnsdrill harness speak it.
 *
 * The wire: a unix stream socket, or TCP with TLS and client certificates
 * (faultd --control-tls; ctl_client_new_tls); the client writes one command per line;
 * for every line faultd writes zero or more data lines and then exactly one
 * status line, "OK", "OK text" or "ERR message".  Replies come in the order
 * of the commands, so a client may send several commands before reading.
 * Empty lines get no reply; a trailing CR is ignored; a command longer than
 * CTL_LINE_MAX - 2 bytes gets "ERR command longer than ... bytes" and the
 * connection is closed.
 *
 *   rule add RULE        append; data line: the new rule's id
 *   rule insert RULE     put first (checked before every other rule)
 *   rule del ID
 *   rule list            data lines: "ID<TAB>HITS<TAB>RULE"
 *   clear                remove every rule
 *   stats [json]         counters, one per line, or one JSON line
 *                        (faultctl(1) lists the members)
 *   reload               re-read rules and zone files, as SIGHUP
 *   ping                 "OK pong"
 *   zone ..., record ..., delegation ...
 *                        live changes to the zones faultd serves
 *                        (faultd/zone_edit.h, faultctl(1)); zone texts
 *                        travel on the one line escaped (ctl_text_escape)
 *
 * Three parts, no sockets in the first two:
 *   - the server's handler: ctl_exec() runs one line against a ctl_target
 *     (the running rule set plus two hooks into the daemon) and appends the
 *     reply; ctl_session_feed() cuts a connection's byte stream into lines.
 *   - the client's reply reader: bytes in, (data, status) replies out.
 *   - the clients: an asynchronous one on lib/evloop (ctl_client_*), and a
 *     blocking one-shot request (ctl_request) built on it for faultctl.
 *
 * This library needs only faultd/rule.c and lib/; it never pulls in the
 * engine or the sockets of faultd (see faultd/module.mk, LIBFAULTCTL).
 */
#ifndef FAULTD_CTL_H
#define FAULTD_CTL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultd/rule.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/evloop.h"

/* Longest command line including its '\n' (and room for a NUL). */
#define CTL_LINE_MAX 8192

/* Transport codes a client may see besides 0, DD_EINVAL (faultd said ERR)
 * and DD_EIO (cannot reach faultd, or it hung up): negated errno values,
 * as lib/err.h allows, so dd_strerror() names them. */
#define CTL_ETIMEDOUT (-ETIMEDOUT)   /* no reply within the request's timeout */
#define CTL_ECANCELED (-ECANCELED)   /* the client was freed first */

/* ------------------------------------------------------------------ */
/* Server side                                                          */
/* ------------------------------------------------------------------ */

/* Counters for `stats`, named and in output order.  The daemon fills it;
 * names are static strings. */
#define CTL_STATS_MAX 32
/* Client addresses `stats` names one by one; the rest are summed. */
#define CTL_CLIENTS_MAX 16

struct ctl_stats {
	struct ctl_stat {
		const char *name;
		uint64_t value;
		bool gauge;           /* a level (goes down too), not a count */
	} v[CTL_STATS_MAX];
	size_t n;
	uint64_t actions[ACT__COUNT];     /* queries decided per action */
	/* Queries per client address ("198.18.0.10", "fd00::10"), most
	 * first, and from every address not listed. */
	struct ctl_client_stat {
		char addr[48];
		uint64_t queries;
	} clients[CTL_CLIENTS_MAX];
	size_t n_clients;
	uint64_t clients_other;
};

/* Append one counter (dropped silently past CTL_STATS_MAX). */
void ctl_stats_add(struct ctl_stats *st, const char *name, uint64_t value);
/* The same for a level that can go down (open connections, a maximum):
 * the metrics endpoint calls it a gauge, not a counter. */
void ctl_stats_gauge(struct ctl_stats *st, const char *name, uint64_t value);

/*
 * What the handler works on: the running rule set, changed in place (a
 * change applies to the next packet because commands run on the event loop
 * between packets), and two hooks into the daemon.  Borrowed: the owner
 * keeps everything alive while the handler may run.
 */
struct ctl_target {
	struct ruleset *rules;
	/* Fill st (zeroed by the caller) with the daemon's counters; ctl_exec
	 * adds "rules" itself. */
	void (*stats)(void *arg, struct ctl_stats *st);
	/* Re-read rules and zones; on error keep the old data, fill err and
	 * return a negative code. */
	int (*reload)(void *arg, struct dd_err *err);
	/* A live change to the zones (commands zone, record, delegation):
	 * cmd is the first word, args the rest of the line.  Data lines for
	 * the reply go to data; on success msg (msglen bytes) says what
	 * changed and 0 is returned; on error err says why (the old data
	 * kept) and a negative code is returned.  NULL: no zones here. */
	int (*zone)(void *arg, const char *cmd, const char *args,
	    struct dd_buf *data, char *msg, size_t msglen, struct dd_err *err);
	/* Taken around every command (faultd --workers: the engine's lock,
	 * since other threads serve queries from the same rules, zones and
	 * counters); NULL: none. */
	void (*lock)(void *arg);
	void (*unlock)(void *arg);
	void *arg;
};

/*
 * Multi-line text (a zone) on one command line: '\\' becomes "\\\\",
 * newline "\\n", tab "\\t", CR "\\r"; appended to out.  ctl_text_unescape
 * undoes it into a malloc'd NUL-terminated copy (*len bytes before the
 * NUL); any other escape, or a lone backslash at the end, is DD_EINVAL
 * naming its offset.
 */
void ctl_text_escape(const char *s, size_t n, struct dd_buf *out);
int ctl_text_unescape(const char *s, char **out, size_t *len, struct dd_err *err);

/* Run one command line (without its '\n') against t; append the reply
 * (data lines, then "OK ..." or "ERR ...", each ending in '\n') to out. */
void ctl_exec(const struct ctl_target *t, const char *line, struct dd_buf *out);

/* One connection's unfinished input: lines received and not yet run
 * (complete ones wait here while the connection's replies are unread). */
struct ctl_session {
	size_t len;
	size_t scanned;         /* leading bytes of buf known to hold no '\n' */
	uint64_t lines;         /* complete lines run so far (blank ones too) */
	char buf[CTL_LINE_MAX];
};

#define CTL_SESSION_CLOSE 1
#define CTL_SESSION_FULL  2

/*
 * Feed bytes a client sent: every complete non-blank line runs through
 * ctl_exec, replies appended to out in order, with no bound on out.
 * Returns 0, or CTL_SESSION_CLOSE when a line was too long: the error reply
 * is in out, the rest of the input is ignored and the connection should
 * close once out is written.  (ctl_session_push + ctl_session_run with
 * bounds is what a server uses.)
 */
int ctl_session_feed(struct ctl_session *s, const struct ctl_target *t,
    const void *data, size_t len, struct dd_buf *out);

/* Bytes s can take now (0 while its buffer is full of lines waiting to run,
 * or of one overlong line). */
size_t ctl_session_room(const struct ctl_session *s);
/* Copy at most ctl_session_room(s) bytes of data into s; returns how many
 * were taken.  Nothing runs. */
size_t ctl_session_push(struct ctl_session *s, const void *data, size_t len);

/*
 * Run the complete lines held in s, in order, as long as out holds at most
 * out_max unwritten bytes (out->len - out->off) before each line: a client
 * that does not read its replies stops being served rather than growing
 * out.  A reply longer than reply_max is not sent; "ERR reply of N bytes is
 * over the limit of M bytes" takes its place (so out never holds more than
 * out_max + reply_max + a line).  Returns
 *   0                  every complete line ran; s holds at most an
 *                      unfinished one
 *   CTL_SESSION_FULL   stopped with lines waiting: call again once out
 *                      has drained to out_max or less
 *   CTL_SESSION_CLOSE  a line was too long (as ctl_session_feed).
 */
int ctl_session_run(struct ctl_session *s, const struct ctl_target *t,
    struct dd_buf *out, size_t out_max, size_t reply_max);

/* ------------------------------------------------------------------ */
/* Client side: reading replies                                         */
/* ------------------------------------------------------------------ */

/* Largest reply a client accepts (data lines and status). */
#define CTL_REPLY_MAX (64u << 20)

/* Accumulates bytes from faultd and cuts them into replies. */
struct ctl_reader {
	struct dd_buf in;
	size_t scan;            /* bytes of in (after in.off) known to be data lines */
	size_t seen;            /* bytes after those known to hold no '\n' yet */
	size_t done;            /* bytes of the reply last handed out */
};

/* One reply.  Pointers into the reader's buffer: valid until the next
 * ctl_reader_feed/ctl_reader_next/ctl_reader_reset. */
struct ctl_reply {
	bool ok;                /* "OK" (else "ERR") */
	const char *text;       /* after "OK " / "ERR " ("" for a bare OK), NUL-terminated */
	const char *data;       /* data lines, each ending '\n', NUL-terminated */
	size_t data_len;
};

/* Append received bytes.  0 or DD_ENOMEM. */
int ctl_reader_feed(struct ctl_reader *r, const void *p, size_t n);
/* 1 with the next complete reply in out (the one before is dropped), 0 when
 * more bytes are needed, DD_EIO when the reply passed CTL_REPLY_MAX. */
int ctl_reader_next(struct ctl_reader *r, struct ctl_reply *out);
/* True when bytes of an unfinished reply are buffered. */
bool ctl_reader_pending(const struct ctl_reader *r);
void ctl_reader_reset(struct ctl_reader *r);   /* forget buffered bytes */
void ctl_reader_free(struct ctl_reader *r);    /* NULL-safe */

/* ------------------------------------------------------------------ */
/* Client side: the asynchronous client                                 */
/* ------------------------------------------------------------------ */

/*
 * Speaks to one faultd over one connection on the caller's event loop and
 * never blocks it.  The connection is opened (non-blocking) by the first
 * request and kept for the ones after; requests are written in the order
 * sent and answered in that order (FIFO), one callback each.  When the
 * connection fails or faultd hangs up, every request waiting on it fails
 * with DD_EIO and the next request connects afresh: a caller waiting for
 * faultd to come up just sends "ping" again until rc is 0.  Except: a
 * request faultd cannot have read (not written whole, or cut off by
 * faultd closing with it unread, as when it closes a connection idle for
 * its --control-idle time just as the request goes out) is sent again,
 * once, on a fresh connection; so a client may stay connected and quiet
 * for as long as it likes.
 */
struct ctl_client;

/*
 * The one callback per request, always from the event loop (never from
 * inside ctl_client_send), exactly once:
 *   rc 0            faultd said OK: status is the text after "OK" ("" when
 *                   bare); data/data_len its data lines (each ending '\n',
 *                   NUL-terminated, "" when none); errmsg NULL.
 *   rc DD_EINVAL    faultd said ERR: errmsg is its message; data as above;
 *                   status NULL.
 *   rc DD_EIO       transport: cannot connect ("cannot reach faultd at PATH:
 *                   ..."), write failed, faultd hung up, or garbage;
 *   rc CTL_ETIMEDOUT  no reply within the request's timeout;
 *   rc CTL_ECANCELED  ctl_client_free() ran first;
 *                   for these three errmsg says what happened, status and
 *                   data are NULL, data_len 0.
 * Strings are valid only during the call.  The callback may send further
 * requests and may free the client.
 */
typedef void (*ctl_reply_cb)(void *arg, int rc, const char *status,
    const char *data, size_t data_len, const char *errmsg);

/* A client for the socket at sock_path (copied).  Does not connect yet.
 * NULL with err set when the path does not fit a unix socket address
 * (or on ENOMEM). */
struct ctl_client *ctl_client_new(struct ev_loop *loop, const char *sock_path,
    struct dd_err *err);

/*
 * The TLS transport (faultd --control-tls): the same protocol over TCP,
 * TLS 1.2 or later, each side's certificate verified against ca_file.
 * Strings are borrowed for the call (copied where kept).
 */
struct ctl_tls_opts {
	const char *addr;         /* "HOST:PORT" or "[V6]:PORT" */
	const char *ca_file;      /* PEM: the CA(s) that sign faultd's certificate */
	const char *cert_file;    /* PEM: this client's certificate (chain) */
	const char *key_file;     /* PEM: its private key */
	const char *server_name;  /* NULL: no name check beyond the CA; else the
	                           * name (or IP) faultd's certificate must carry;
	                           * also sent as SNI */
};

/*
 * A client of the faultd at tls->addr over TLS; the same semantics as
 * ctl_client_new (no connection yet; FIFO; reconnects; a request faultd
 * cannot have read is sent again once).  The address is looked up here
 * (a host name through getaddrinfo, which may block: create clients
 * before the timeline), the files read and checked here: NULL with err
 * naming the option or file (a missing or unreadable file, a key that
 * does not match its certificate, a CA file without certificates).  A
 * failed handshake (faultd's certificate not signed by ca_file or not
 * named server_name, faultd refusing ours) fails the requests waiting on
 * it with DD_EIO and a message saying so, without a second attempt.
 */
struct ctl_client *ctl_client_new_tls(struct ev_loop *loop,
    const struct ctl_tls_opts *tls, struct dd_err *err);

/*
 * Queue one command line (no '\n'; copied) with its own timeout, counted
 * from now (0: CTL_DEFAULT_TIMEOUT_US).  Returns 0 and cb will be called
 * exactly once, or DD_EINVAL (newline in line, NULL cb, client being freed)
 * or DD_ENOMEM, and cb will not be called.
 *
 * A request that timed out may still reach faultd and take effect; its
 * late reply is read and dropped so later replies stay matched.  One that
 * timed out before any byte of it was written is never sent.
 */
int ctl_client_send(struct ctl_client *c, const char *line, uint64_t timeout_us,
    ctl_reply_cb cb, void *arg);

/* Requests not yet answered (including ones still being connected). */
size_t ctl_client_pending(const struct ctl_client *c);

/* NULL-safe.  Every pending callback is called with CTL_ECANCELED before
 * this returns (or, when called from inside a callback, before the
 * outermost callback returns); the socket is closed.  Free a client before
 * its event loop: the loop owns the client's timers. */
void ctl_client_free(struct ctl_client *c);

#define CTL_DEFAULT_TIMEOUT_US 5000000u

/* ------------------------------------------------------------------ */
/* Client side: one blocking request (faultctl)                         */
/* ------------------------------------------------------------------ */

/* The reply of ctl_request; owned, free with ctl_result_free. */
struct ctl_result {
	char *status;           /* text after "OK" ("" when bare); NULL unless OK */
	char *data;             /* data lines, NUL-terminated; NULL on transport errors */
	size_t data_len;
};

/*
 * Send line to the faultd at sock_path and wait (on a private event loop)
 * up to timeout_us for its reply.  Returns as the callback's rc: 0 OK,
 * DD_EINVAL with faultd's ERR message in err, DD_EIO / CTL_ETIMEDOUT with
 * err saying what happened; -ENAMETOOLONG when the path is too long.  res
 * is filled as far as there is a reply (data also on ERR).
 */
int ctl_request(const char *sock_path, const char *line, uint64_t timeout_us,
    struct ctl_result *res, struct dd_err *err);
/* ctl_request over TLS (ctl_client_new_tls); bad options or files are
 * DD_EINVAL with err naming them, before anything is sent. */
int ctl_request_tls(const struct ctl_tls_opts *tls, const char *line,
    uint64_t timeout_us, struct ctl_result *res, struct dd_err *err);
void ctl_result_free(struct ctl_result *res);   /* NULL-safe; frees the members */

#endif
