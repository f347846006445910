/*
 * timescale.h -- time that means the same at any speed: what a compressed
 * run could not keep in proportion (its distortions), and the incident
 * clock (real seconds turned into incident time and wall time).
 *
 * A scenario runs speed times faster than the incident it tells
 * (doc/scenario-api.md, "Time").  dnsdrill keeps in proportion what it
 * controls: the timeline, and the TTLs faultd serves (faultd --time-scale).
 * What it cannot is listed as distortions, one entry each:
 *
 *   kind      what it is                         incident_s    real_s
 *   floor     scaled, but a floor was reached    intended      what it lasts
 *             (a TTL of 5 s at speed 360 would   (5)           (1: = 360
 *             be 14 ms: served as 1 s)                         incident s)
 *   unscaled  a timer that runs in real time     intended      what it lasts
 *             (glibc's resolv.conf timeout:1)    (1)           (1)
 *   partial   a profile scaled it, not fully     intended      what it lasts
 *             (infra-host-ttl 15m run as 2s)     (900)         (2)
 *   observer  dnsdrill's own probes: real time   null          the interval
 *             by design; they bound how finely
 *             incident-time metrics are known
 *   unknown   timers dnsdrill cannot see         null          null
 *             (inside a process no profile
 *             describes)
 *
 * In the incident such a thing lasts real_s * speed seconds.  The harness
 * fills a list before a run (`dnsdrill check` prints it) and after it
 * (what faultd reports having floored); resolver profiles add their own
 * timers through timescale_add_distortion() (from C) or the Lua process
 * field `timers` (harness/lua_decl.c).  Pure: no clock is read here.
 *
 * Ownership: a list owns its strings (copied in); timescale_list_free()
 * frees them and leaves an empty list.  A zeroed list is empty.
 */
#ifndef DD_MODEL_TIMESCALE_H
#define DD_MODEL_TIMESCALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum timescale_kind {
	TIMESCALE_FLOOR = 0,
	TIMESCALE_UNSCALED,
	TIMESCALE_PARTIAL,
	TIMESCALE_OBSERVER,
	TIMESCALE_UNKNOWN,
	TIMESCALE_KIND_COUNT
};

struct timescale_distortion {
	enum timescale_kind kind;
	char *what;          /* "dns auth: negttl=5", "host client: resolv.conf
	                        timeout:1"; never NULL */
	bool has_incident;   /* incident_s known */
	double incident_s;   /* what the incident means, seconds */
	bool has_real;       /* real_s known */
	double real_s;       /* how long it lasts in the run, real seconds */
	char *note;          /* for people, or NULL */
};

struct timescale_list {
	struct timescale_distortion *v;
	size_t n, cap;
};

/*
 * Append one distortion.  incident_s and real_s: seconds, or a negative
 * number (or NaN) for "not known".  An entry whose what is already in the
 * list is not added twice (the first stays).  Returns 0, DD_EINVAL (no list
 * or no what, or an unknown kind) or DD_ENOMEM.
 */
int timescale_add_distortion(struct timescale_list *l, enum timescale_kind kind,
    const char *what, double incident_s, double real_s, const char *note);
void timescale_list_free(struct timescale_list *l);

/* "floor", "unscaled", ...; "?" out of range.  parse: 0 or DD_EINVAL. */
const char *timescale_kind_name(enum timescale_kind k);
int timescale_kind_parse(const char *name, enum timescale_kind *out);

/*
 * One distortion for people, on one line, at a run's speed:
 *   "dns auth: rule negttl=5: 5s in the incident lasts 1s = 6m00s of the
 *    incident (x72); NOTE"
 *   "probe www: every 200ms = 1m12s of the incident; NOTE"
 *   "timers inside processes; NOTE"
 * Returns buf (cut to cap).
 */
char *timescale_fmt_distortion(const struct timescale_distortion *d,
    double speed, char *buf, size_t cap);

/*
 * A duration for people, at the precision it deserves: "14ms", "1.5s",
 * "45s", "6m00s", "2h37m", "3d04h".  Negative or NaN: "?".  Returns buf.
 */
char *timescale_fmt_duration(double s, char *buf, size_t cap);

/*
 * Parse an incident's start wall time: "2025-10-20T05:48:00Z",
 * "2025-10-20T05:48Z", "2025-10-20 05:48:00", or a time of day alone
 * ("05:48", "05:48:30": the date then unknown, kept as seconds since
 * midnight UTC).  Always UTC.  *epoch_s: seconds since 1970 (or since
 * midnight when *time_only).  Returns 0 or DD_EINVAL.
 */
int timescale_parse_start(const char *text, int64_t *epoch_s, bool *time_only);

/*
 * The incident clock at real_s seconds into the timeline: real_s * speed
 * incident seconds after the start.  With a start ("05:48"): the wall time
 * "06:48:12" (with the date, "2025-10-20 06:48:12", when full is true and
 * the start has one); without one (start NULL or unparsable): the offset
 * "+1h00m12s".  A negative real_s (before the incident's start) counts
 * back: "05:47:00", "-1m00s".  Returns buf.
 */
char *timescale_fmt_clock(const char *start, double real_s, double speed,
    bool full, char *buf, size_t cap);

#endif
