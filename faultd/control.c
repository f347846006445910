/*
 * control.c -- faultd's live control socket.
 *
 * Protocol: one command per line; the reply is zero or more data lines and
 * then one status line, "OK" (optionally followed by text) or "ERR message".
 *
 *   rule add RULE        append; data line: the new rule's id
 *   rule insert RULE     put first (checked before every other rule)
 *   rule del ID
 *   rule list            data lines: "ID<TAB>HITS<TAB>RULE"
 *   clear                remove every rule
 *   stats [json]         counters
 *   reload               as SIGHUP
 *   ping
 *
 * A change applies to the next packet: commands run on the event loop
 * between packets, never concurrently with one.
 */
#include "faultd/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"

#define CTL_LINE_MAX 8192

struct ctl_conn {
	struct faultd *d;
	struct ctl_conn *next;
	int fd;
	size_t rlen;
	char rbuf[CTL_LINE_MAX];
	struct dd_buf w;
	bool closing;
};

static void
stats_text(struct faultd *d, struct dd_buf *out, bool json)
{
	const struct engine_stats *s = &d->eng.stats;
	const struct upstream_stats *u = d->up ? upstream_get_stats(d->up) : NULL;
	const struct rule *const *rules;
	size_t n = ruleset_list(d->eng.rules, &rules);
	struct { const char *k; uint64_t v; } kv[] = {
		{ "queries", s->queries }, { "queries_udp", s->queries_udp },
		{ "queries_tcp", s->queries_tcp }, { "replies", s->replies },
		{ "drops", s->drops }, { "malformed", s->malformed },
		{ "formerr_sent", s->formerr_sent }, { "authoritative", s->authoritative },
		{ "forwarded", s->forwarded }, { "refused_no_zone", s->refused_no_zone },
		{ "upstream_timeouts", u ? u->timeouts : 0 },
		{ "upstream_failures", u ? u->failures : 0 },
		{ "upstream_tcp_retries", u ? u->tcp_retries : 0 },
		{ "upstream_servfail", s->upstream_servfail },
		{ "tcp_connections", d->nconns }, { "delayed_pending", d->delayed_pending },
		{ "rules", n },
	};

	if (json) {
		dd_buf_printf(out, "{");
		for (size_t i = 0; i < DD_ARRAY_LEN(kv); i++)
			dd_buf_printf(out, "\"%s\":%llu,", kv[i].k, (unsigned long long)kv[i].v);
		dd_buf_printf(out, "\"actions\":{");
		for (int a = 0; a < ACT__COUNT; a++)
			dd_buf_printf(out, "%s\"%s\":%llu", a ? "," : "", fault_action_name(a),
			    (unsigned long long)s->actions[a]);
		dd_buf_printf(out, "},\"rule_hits\":[");
		for (size_t i = 0; i < n; i++)
			dd_buf_printf(out, "%s{\"id\":%llu,\"hits\":%llu}", i ? "," : "",
			    (unsigned long long)rules[i]->id, (unsigned long long)rules[i]->hits);
		dd_buf_printf(out, "]}\n");
		return;
	}
	for (size_t i = 0; i < DD_ARRAY_LEN(kv); i++)
		dd_buf_printf(out, "%-22s %llu\n", kv[i].k, (unsigned long long)kv[i].v);
	for (int a = 0; a < ACT__COUNT; a++)
		dd_buf_printf(out, "action.%-15s %llu\n", fault_action_name(a),
		    (unsigned long long)s->actions[a]);
	for (size_t i = 0; i < n; i++)
		dd_buf_printf(out, "rule.%-17llu %llu\n", (unsigned long long)rules[i]->id,
		    (unsigned long long)rules[i]->hits);
}

void
control_exec(struct faultd *d, const char *line, struct dd_buf *out)
{
	char cmd[32] = "", sub[32] = "";
	const char *rest;
	int n = 0;

	while (*line == ' ' || *line == '\t')
		line++;
	sscanf(line, "%31s%n", cmd, &n);
	rest = line + n;
	while (*rest == ' ' || *rest == '\t')
		rest++;

	if (strcmp(cmd, "ping") == 0) {
		dd_buf_printf(out, "OK pong\n");
	} else if (strcmp(cmd, "rule") == 0) {
		n = 0;
		sscanf(rest, "%31s%n", sub, &n);
		rest += n;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (strcmp(sub, "add") == 0 || strcmp(sub, "insert") == 0) {
			struct rule *r;
			struct dd_err e;
			if (rule_parse(rest, &r, &e) < 0) {
				dd_buf_printf(out, "ERR %s\n", e.msg);
				return;
			}
			r->origin = RULE_FROM_CONTROL;
			if (ruleset_add(d->eng.rules, r, sub[0] == 'i') < 0) {
				dd_buf_printf(out, "ERR out of memory\n");
				return;
			}
			log_info("control: rule %llu added: %s", (unsigned long long)r->id, r->text);
			dd_buf_printf(out, "%llu\nOK\n", (unsigned long long)r->id);
		} else if (strcmp(sub, "del") == 0) {
			uint64_t id;
			if (dd_parse_u64(rest, &id) < 0) {
				dd_buf_printf(out, "ERR rule del: '%s' is not a rule id\n", rest);
				return;
			}
			if (ruleset_del(d->eng.rules, id) < 0) {
				dd_buf_printf(out, "ERR rule del: no rule %llu\n", (unsigned long long)id);
				return;
			}
			log_info("control: rule %llu deleted", (unsigned long long)id);
			dd_buf_printf(out, "OK\n");
		} else if (strcmp(sub, "list") == 0) {
			const struct rule *const *rules;
			size_t k = ruleset_list(d->eng.rules, &rules);
			for (size_t i = 0; i < k; i++)
				dd_buf_printf(out, "%llu\t%llu\t%s\n", (unsigned long long)rules[i]->id,
				    (unsigned long long)rules[i]->hits, rules[i]->text);
			dd_buf_printf(out, "OK\n");
		} else {
			dd_buf_printf(out, "ERR rule: unknown subcommand '%s' (add, insert, del, list)\n", sub);
		}
	} else if (strcmp(cmd, "clear") == 0) {
		ruleset_clear(d->eng.rules, -1);
		log_info("control: all rules cleared");
		dd_buf_printf(out, "OK\n");
	} else if (strcmp(cmd, "stats") == 0) {
		stats_text(d, out, strcmp(rest, "json") == 0);
		dd_buf_printf(out, "OK\n");
	} else if (strcmp(cmd, "reload") == 0) {
		struct dd_err e;
		if (faultd_reload(d, &e) < 0) {
			log_warnx("reload refused: %s", e.msg);
			dd_buf_printf(out, "ERR %s\n", e.msg);
		} else {
			log_info("reloaded rules and zones");
			dd_buf_printf(out, "OK\n");
		}
	} else {
		dd_buf_printf(out, "ERR unknown command '%s' (rule, clear, stats, reload, ping)\n", cmd);
	}
}

static void
ctl_free(struct ctl_conn *c)
{
	struct faultd *d = c->d;
	struct ctl_conn **pp;

	for (pp = &d->ctls; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ev_io_del(d->loop, c->fd);
	close(c->fd);
	dd_buf_free(&c->w);
	free(c);
}

static void
ctl_flush(struct ctl_conn *c)
{
	while (c->w.len > c->w.off) {
		ssize_t n = send(c->fd, c->w.data + c->w.off, c->w.len - c->w.off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN)
				break;
			ctl_free(c);
			return;
		}
		dd_buf_consume(&c->w, (size_t)n);
	}
	if (c->w.len == c->w.off && c->closing) {
		ctl_free(c);
		return;
	}
	ev_io_mod(c->d->loop, c->fd, (c->closing ? 0 : EV_READ) |
	    (c->w.len > c->w.off ? EV_WRITE : 0));
}

static void
on_ctl(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct ctl_conn *c = arg;
	ssize_t n;

	(void)loop;
	if (events & EV_WRITE) {
		struct faultd *d = c->d;
		bool alive = false;
		ctl_flush(c);
		for (struct ctl_conn *x = d->ctls; x; x = x->next)
			if (x == c)
				alive = true;
		if (!alive)
			return;
	}
	if (!(events & EV_READ) || c->closing)
		return;
	n = recv(fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen - 1, MSG_DONTWAIT);
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		c->closing = true;
		ctl_flush(c);
		return;
	}
	c->rlen += (size_t)n;
	c->rbuf[c->rlen] = '\0';
	char *start = c->rbuf, *nl;
	while ((nl = memchr(start, '\n', c->rlen - (size_t)(start - c->rbuf))) != NULL) {
		*nl = '\0';
		if (nl > start && nl[-1] == '\r')
			nl[-1] = '\0';
		if (*start != '\0')
			control_exec(c->d, start, &c->w);
		start = nl + 1;
	}
	c->rlen -= (size_t)(start - c->rbuf);
	memmove(c->rbuf, start, c->rlen);
	if (c->rlen >= sizeof(c->rbuf) - 1) {
		dd_buf_printf(&c->w, "ERR command longer than %d bytes\n", CTL_LINE_MAX - 2);
		c->closing = true;
	}
	ctl_flush(c);
}

static void
on_ctl_accept(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	struct faultd *d = arg;

	(void)loop;
	(void)events;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_conn *c;
		if (cfd < 0)
			return;
		c = calloc(1, sizeof(*c));
		if (c == NULL || ev_io_add(d->loop, cfd, EV_READ, on_ctl, c) < 0) {
			free(c);
			close(cfd);
			continue;
		}
		c->d = d;
		c->fd = cfd;
		c->next = d->ctls;
		d->ctls = c;
	}
}

int
control_open(struct faultd *d, const char *path, struct dd_err *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		dd_err_set(err, "--control %s: path longer than %zu bytes", path,
		    sizeof(sun.sun_path) - 1);
		return DD_EINVAL;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* a stale socket from a dead faultd is in the way: only remove a socket */
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	old = umask(0077);   /* mode 0600 from the start: no window */
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || chmod(path, 0600) < 0 || listen(fd, 16) < 0)
		goto fail;
	if (ev_io_add(d->loop, fd, EV_READ, on_ctl_accept, d) < 0)
		goto fail;
	d->ctl_fd = fd;
	return 0;
fail:
	dd_err_set(err, "--control %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return DD_EIO;
}

void
control_close(struct faultd *d)
{
	while (d->ctls != NULL)
		ctl_free(d->ctls);
	if (d->ctl_fd >= 0) {
		ev_io_del(d->loop, d->ctl_fd);
		close(d->ctl_fd);
		d->ctl_fd = -1;
		if (d->cfg && d->cfg->control)
			unlink(d->cfg->control);
	}
}
