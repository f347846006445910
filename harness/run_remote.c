/*
 * run_remote.c -- a faultd the run did not start (dns { remote = {...} }).
 *
 * Everything the timeline does with a faultd goes through run_fault.c as
 * for one dnsdrill started: inject(), clear(), live zone changes, stats
 * readings.  What differs is the beginning and the end, here:
 *
 *   - start: the control client on the transport the declaration names
 *     (remote_client(): a unix socket or tls://HOST:PORT with a client
 *     certificate), a ping that must be answered,
 *     its version (result.json `versions`) and the ids of the rules it has
 *     already (they are not ours to touch);
 *   - end, on every way out (the skeleton's shutdown runs on errors and
 *     signals too): the remote is left as the run found it -- the rules
 *     the run added deleted, the zones its changes touched read again
 *     from their files -- and never stopped.
 *
 * The requests at start and end are waited for by pumping the run's loop,
 * each bounded by its own timeout, so a remote that went away costs
 * seconds, not a hang.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultd/ctl.h"
#include "harness/run_internal.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/util.h"

#define REMOTE_CTL_TIMEOUT_US 3000000
#define REMOTE_IDS_MAX 4096

/* ---------------- the transport ---------------- */

/* The one place that chooses how the control channel is reached: a unix
 * socket, or TCP with TLS and a client certificate (faultd --control-tls;
 * the files were checked at `check`, the client reads them again here). */
static struct ctl_client *
remote_client(struct ev_loop *loop, const struct sc_remote *rm, struct dd_err *err)
{
	struct ctl_tls_opts o = { .addr = rm->addr, .ca_file = rm->ca,
		.cert_file = rm->cert, .key_file = rm->key, .server_name = rm->server_name };
	char host[256];
	const char *colon;

	if (!rm->tls)
		return ctl_client_new(loop, rm->control, err);
	/* name = "..." or else HOST: faultd's certificate must carry it (a
	 * DNS name, or an IP address in its IP entries) */
	if (o.server_name == NULL && (colon = strrchr(rm->addr, ':')) != NULL) {
		const char *h = rm->addr;
		size_t n = (size_t)(colon - h);
		if (*h == '[' && n >= 2 && h[n - 1] == ']') {
			h++;
			n -= 2;
		}
		if (n > 0 && n < sizeof(host)) {
			memcpy(host, h, n);
			host[n] = '\0';
			o.server_name = host;
		}
	}
	return ctl_client_new_tls(loop, &o, err);
}

/* ---------------- one request, waited for ---------------- */

struct remote_reply {
	bool done;
	int rc;
	char *status, *data;
	char errmsg[300];
};

static void
on_reply(void *arg, int rc, const char *status, const char *data, size_t data_len,
    const char *errmsg)
{
	struct remote_reply *q = arg;

	(void)data_len;
	q->done = true;
	q->rc = rc;
	q->status = status ? strdup(status) : NULL;
	q->data = data ? strdup(data) : NULL;
	snprintf(q->errmsg, sizeof(q->errmsg), "%s", errmsg ? errmsg : dd_strerror(rc));
}

/* Send line and pump the loop until faultd answers (or the request's own
 * timer says it did not).  Returns the reply's rc; q is the caller's to
 * release with reply_free. */
static int
call(struct run *r, struct run_proc *rp, const char *line, uint64_t timeout_us,
    struct remote_reply *q)
{
	int rc;

	memset(q, 0, sizeof(*q));
	if ((rc = ctl_client_send(rp->ctl, line, timeout_us, on_reply, q)) < 0) {
		snprintf(q->errmsg, sizeof(q->errmsg), "%s", dd_strerror(rc));
		return q->rc = rc;
	}
	while (!q->done)
		ev_loop_once(r->loop, 20000);
	return q->rc;
}

static void
reply_free(struct remote_reply *q)
{
	free(q->status);
	free(q->data);
	q->status = q->data = NULL;
}

/* ---------------- start ---------------- */

/* The ids in a `rule list` answer ("ID<TAB>HITS<TAB>RULE" lines). */
static void
list_ids(const char *data, unsigned long long **ids, size_t *n)
{
	*n = 0;
	for (const char *p = data; p != NULL && *p != '\0';) {
		char *end;
		unsigned long long id = strtoull(p, &end, 10);
		unsigned long long *g;

		if (end != p && *n < REMOTE_IDS_MAX &&
		    (g = realloc(*ids, (*n + 1) * sizeof(*g))) != NULL) {
			*ids = g;
			g[(*n)++] = id;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
}

int
run_remote_add(struct run *r, struct sc_dns *d)
{
	struct run_proc *rp = &r->procs[r->nprocs++];
	const struct sc_remote *rm = d->remote;
	struct remote_reply q;
	struct sc_kv *kv;
	struct dd_err e;
	uint64_t deadline = dd_now_us() + RUN_REMOTE_PING_MS * 1000ull;
	char version[160];

	memset(rp, 0, sizeof(*rp));
	rp->r = r;
	rp->dns = d;
	rp->remote = true;
	snprintf(rp->sock, sizeof(rp->sock), "%s", rm->control);
	if ((rp->rem = calloc(1, sizeof(*rp->rem))) == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	if ((rp->ctl = remote_client(r->loop, rm, &e)) == NULL)
		return run_fail(r, rm->tls ? DD_EIO : DD_EINVAL, "%s:%d: dns '%s': %s", r->sc->file,
		    d->line, d->name, e.msg);
	/* reachable: a ping answered (sent again while it fails, as for a
	 * faultd starting up, until the deadline) */
	for (;;) {
		if (call(r, rp, "ping", 500000, &q) == 0)
			break;
		reply_free(&q);
		if (r->stop || dd_now_us() >= deadline)
			return run_fail(r, DD_EIO, "dns '%s': the remote faultd at %s does not answer: "
			    "%s", d->name, rm->control, q.errmsg);
		ev_loop_once(r->loop, 100000);
	}
	reply_free(&q);
	rp->ready = true;
	/* its version: faultd's control channel answers `version` from
	 * version 0.2 on; an older one says so */
	if (call(r, rp, "version", REMOTE_CTL_TIMEOUT_US, &q) == 0 && q.status && q.status[0])
		snprintf(version, sizeof(version), "%s", q.status);
	else
		snprintf(version, sizeof(version), "unknown (remote faultd at %s: %s)",
		    rm->control, q.rc == DD_EINVAL ? "no version command" : q.errmsg);
	reply_free(&q);
	if ((kv = sc_push(&r->versions, &r->n_versions, sizeof(*kv))) == NULL ||
	    (kv->key = strdup(d->name)) == NULL || (kv->value = strdup(version)) == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	/* what it holds already is not ours */
	if (call(r, rp, "rule list", REMOTE_CTL_TIMEOUT_US, &q) != 0) {
		reply_free(&q);
		return run_fail(r, DD_EIO, "dns '%s': remote faultd at %s: rule list: %s", d->name,
		    rm->control, q.errmsg);
	}
	list_ids(q.data, &rp->rem->before, &rp->rem->n_before);
	reply_free(&q);
	run_say(r, "dns %s: remote faultd at %s (%s, %zu rules of its own)", d->name,
	    rm->control, version, rp->rem->n_before);
	return 0;
}

/* ---------------- end ---------------- */

static bool
was_there(const struct run_remote *m, unsigned long long id)
{
	for (size_t i = 0; i < m->n_before; i++)
		if (m->before[i] == id)
			return true;
	return false;
}

static bool
ours_by_text(const struct run_remote *m, const char *text, size_t len)
{
	for (size_t i = 0; i < m->n_sent; i++)
		if (strlen(m->sent[i]) == len && strncmp(m->sent[i], text, len) == 0)
			return true;
	return false;
}

/* Delete the run's rules still on rp's faultd; returns how many are left. */
static size_t
restore_rules(struct run *r, struct run_proc *rp, char *left, size_t left_len)
{
	struct run_remote *m = rp->rem;
	struct remote_reply q;
	size_t n_left = 0, used = 0;

	left[0] = '\0';
	if (call(r, rp, "rule list", REMOTE_CTL_TIMEOUT_US, &q) != 0) {
		snprintf(left, left_len, "rule list: %s", q.errmsg);
		reply_free(&q);
		return m->n_sent > 0 ? 1 : 0;
	}
	for (const char *p = q.data; p != NULL && *p != '\0';) {
		const char *eol = strchr(p, '\n'), *t1 = strchr(p, '\t'), *t2;
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		unsigned long long id = strtoull(p, NULL, 10);
		bool mine = false;

		t2 = t1 && t1 < p + len ? strchr(t1 + 1, '\t') : NULL;
		mine = run_fault_is_ours(rp, id);
		if (!mine && t2 != NULL && t2 < p + len && !was_there(m, id))
			mine = ours_by_text(m, t2 + 1, (size_t)(p + len - t2 - 1));
		if (mine) {
			struct remote_reply d;
			char line[48];

			snprintf(line, sizeof(line), "rule del %llu", id);
			if (call(r, rp, line, REMOTE_CTL_TIMEOUT_US, &d) != 0) {
				n_left++;
				if (used < left_len)
					used += (size_t)snprintf(left + used, left_len - used, "%s%llu (%s)",
					    n_left > 1 ? ", " : "", id, d.errmsg);
			} else {
				run_say(r, "dns %s: removed rule %llu the run added", rp->dns->name, id);
			}
			reply_free(&d);
		}
		p = eol ? eol + 1 : NULL;
	}
	reply_free(&q);
	return n_left;
}

/* `zone reset` for every zone a change touched. */
static void
restore_zones(struct run *r, struct run_proc *rp)
{
	struct run_remote *m = rp->rem;

	for (size_t i = 0; i < m->n_zones; i++) {
		char origin[300], line[340];
		struct remote_reply q;

		snprintf(origin, sizeof(origin), "%s", m->zones[i].name);
		if (m->zones[i].find) {
			/* the closest enclosing zone faultd serves */
			const char *s = origin;
			bool found = false;

			while (!found && s != NULL && *s != '\0') {
				snprintf(line, sizeof(line), "zone show %s", s);
				found = call(r, rp, line, REMOTE_CTL_TIMEOUT_US, &q) == 0;
				reply_free(&q);
				if (!found) {
					s = strchr(s, '.');
					s = s ? s + 1 : NULL;
				}
			}
			if (!found)
				continue;
			memmove(origin, s, strlen(s) + 1);
		}
		snprintf(line, sizeof(line), "zone reset %s", origin);
		if (call(r, rp, line, REMOTE_CTL_TIMEOUT_US, &q) == 0)
			run_say(r, "dns %s: %s", rp->dns->name, q.status ? q.status : line);
		else
			run_fail(r, DD_EIO, "dns '%s': remote faultd at %s: zone %s not reset: %s",
			    rp->dns->name, rp->sock, origin, q.errmsg);
		reply_free(&q);
	}
}

void
run_remote_restore(struct run *r)
{
	for (size_t i = 0; i < r->nprocs; i++) {
		struct run_proc *rp = &r->procs[i];
		char left[600];
		size_t n;

		if (!rp->remote || rp->ctl == NULL || !rp->ready)
			continue;
		/* answers still on the way first: an add's id, a deletion */
		run_fault_settle(r, rp);
		if ((n = restore_rules(r, rp, left, sizeof(left))) > 0)
			run_fail(r, DD_EIO, "dns '%s': remote faultd at %s: %zu rule%s the run added "
			    "could not be removed: %s", rp->dns->name, rp->sock, n, n == 1 ? "" : "s",
			    left);
		restore_zones(r, rp);
	}
}

void
run_remote_free(struct run_proc *rp)
{
	struct run_remote *m = rp->rem;

	if (m == NULL)
		return;
	free(m->before);
	for (size_t i = 0; i < m->n_sent; i++)
		free(m->sent[i]);
	free(m->sent);
	for (size_t i = 0; i < m->n_zones; i++)
		free(m->zones[i].name);
	free(m);
	rp->rem = NULL;
}
