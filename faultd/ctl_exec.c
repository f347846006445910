/*
 * ctl_exec.c -- the server side of the control protocol: one command line
 * in, its reply out, run against the rule set and the daemon's two hooks
 * (struct ctl_target).  No socket in sight, so every command is unit-tested
 * as a plain function call (tests/unit/test_ctl.c).
 *
 * A change applies to the next packet: faultd runs commands on its event
 * loop between packets, never concurrently with one.
 */
#include "faultd/ctl.h"

#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"

void
ctl_stats_add(struct ctl_stats *st, const char *name, uint64_t value)
{
	if (st->n < CTL_STATS_MAX)
		st->v[st->n++] = (struct ctl_stat){ name, value, false };
}

void
ctl_stats_gauge(struct ctl_stats *st, const char *name, uint64_t value)
{
	if (st->n < CTL_STATS_MAX)
		st->v[st->n++] = (struct ctl_stat){ name, value, true };
}

/* s as a JSON string (quotes, backslashes and control bytes escaped; the
 * rest is copied, rule texts being the parser's canonical ASCII). */
static void
json_str(struct dd_buf *out, const char *s)
{
	/* runs of plain bytes in one append: a vsnprintf per byte made
	 * `stats json` with many rules cost a printf call per character */
	dd_buf_append(out, "\"", 1);
	while (*s != '\0') {
		size_t run = 0;

		while (s[run] != '\0' && s[run] != '"' && s[run] != '\\' &&
		    (unsigned char)s[run] >= 0x20)
			run++;
		if (run > 0) {
			dd_buf_append(out, s, run);
			s += run;
			continue;
		}
		if (*s == '"' || *s == '\\')
			dd_buf_printf(out, "\\%c", *s);
		else
			dd_buf_printf(out, "\\u%04x", (unsigned char)*s);
		s++;
	}
	dd_buf_append(out, "\"", 1);
}

static void
stats_reply(const struct ctl_target *t, struct dd_buf *out, bool json)
{
	const struct rule *const *rules;
	size_t n = ruleset_list(t->rules, &rules);
	struct ctl_stats st;

	memset(&st, 0, sizeof(st));
	if (t->stats != NULL)
		t->stats(t->arg, &st);
	ctl_stats_gauge(&st, "rules", n);
	if (json) {
		dd_buf_printf(out, "{");
		for (size_t i = 0; i < st.n; i++)
			dd_buf_printf(out, "\"%s\":%llu,", st.v[i].name,
			    (unsigned long long)st.v[i].value);
		dd_buf_printf(out, "\"actions\":{");
		for (int a = 0; a < ACT__COUNT; a++)
			dd_buf_printf(out, "%s\"%s\":%llu", a ? "," : "", rule_action_name(a),
			    (unsigned long long)st.actions[a]);
		dd_buf_printf(out, "},\"rule_hits\":[");
		for (size_t i = 0; i < n; i++) {
			dd_buf_printf(out, "%s{\"id\":%llu,\"hits\":%llu,\"rule\":", i ? "," : "",
			    (unsigned long long)rules[i]->id, (unsigned long long)rules[i]->hits);
			json_str(out, rules[i]->text);
			dd_buf_printf(out, "}");
		}
		dd_buf_printf(out, "],\"clients\":[");
		for (size_t i = 0; i < st.n_clients; i++) {
			dd_buf_printf(out, "%s{\"addr\":", i ? "," : "");
			json_str(out, st.clients[i].addr);
			dd_buf_printf(out, ",\"queries\":%llu}",
			    (unsigned long long)st.clients[i].queries);
		}
		dd_buf_printf(out, "],\"clients_other\":%llu}\n",
		    (unsigned long long)st.clients_other);
		return;
	}
	for (size_t i = 0; i < st.n; i++)
		dd_buf_printf(out, "%-22s %llu\n", st.v[i].name, (unsigned long long)st.v[i].value);
	for (int a = 0; a < ACT__COUNT; a++)
		dd_buf_printf(out, "action.%-15s %llu\n", rule_action_name(a),
		    (unsigned long long)st.actions[a]);
	for (size_t i = 0; i < n; i++)
		dd_buf_printf(out, "rule.%-17llu %llu\n", (unsigned long long)rules[i]->id,
		    (unsigned long long)rules[i]->hits);
	for (size_t i = 0; i < st.n_clients; i++)
		dd_buf_printf(out, "client.%-15s %llu\n", st.clients[i].addr,
		    (unsigned long long)st.clients[i].queries);
	if (st.n_clients > 0 || st.clients_other > 0)
		dd_buf_printf(out, "client.%-15s %llu\n", "other",
		    (unsigned long long)st.clients_other);
}

/* The next space-separated word of *p (at most cap-1 bytes) into w; *p is
 * left at the start of what follows. */
static void
next_word(const char **p, char *w, size_t cap)
{
	const char *s = *p;
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, " \t");
	snprintf(w, cap, "%.*s", (int)n, s);
	s += n;
	while (*s == ' ' || *s == '\t')
		s++;
	*p = s;
}

static void
rule_cmd(const struct ctl_target *t, const char *rest, struct dd_buf *out)
{
	char sub[32];

	next_word(&rest, sub, sizeof(sub));
	if (strcmp(sub, "add") == 0 || strcmp(sub, "insert") == 0) {
		struct rule *r;
		struct dd_err e;

		if (rule_parse(rest, &r, &e) < 0) {
			dd_buf_printf(out, "ERR %s\n", e.msg);
			return;
		}
		r->origin = RULE_FROM_CONTROL;
		if (ruleset_add(t->rules, r, sub[0] == 'i') < 0) {
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
		if (ruleset_del(t->rules, id) < 0) {
			dd_buf_printf(out, "ERR rule del: no rule %llu\n", (unsigned long long)id);
			return;
		}
		log_info("control: rule %llu deleted", (unsigned long long)id);
		dd_buf_printf(out, "OK\n");
	} else if (strcmp(sub, "list") == 0) {
		const struct rule *const *rules;
		size_t k = ruleset_list(t->rules, &rules);

		for (size_t i = 0; i < k; i++)
			dd_buf_printf(out, "%llu\t%llu\t%s\n", (unsigned long long)rules[i]->id,
			    (unsigned long long)rules[i]->hits, rules[i]->text);
		dd_buf_printf(out, "OK\n");
	} else {
		dd_buf_printf(out, "ERR rule: unknown subcommand '%s' (add, insert, del, list)\n", sub);
	}
}

/* zone / record / delegation: handed to the daemon, which owns the zones;
 * data lines (zone show) come before the status. */
static void
zone_cmd(const struct ctl_target *t, const char *cmd, const char *rest,
    struct dd_buf *out)
{
	struct dd_err e = { "" };
	char msg[512] = "";

	if (t->zone == NULL) {
		dd_buf_printf(out, "ERR %s: faultd serves no zones here\n", cmd);
		return;
	}
	if (t->zone(t->arg, cmd, rest, out, msg, sizeof(msg), &e) < 0) {
		log_warnx("control: %s refused: %s", cmd, e.msg);
		dd_buf_printf(out, "ERR %s\n", e.msg);
		return;
	}
	if (msg[0] == '\0') {          /* a look, not a change */
		dd_buf_printf(out, "OK\n");
		return;
	}
	log_info("control: %s", msg);
	dd_buf_printf(out, "OK %s\n", msg);
}

static void
ctl_exec_locked(const struct ctl_target *t, const char *line, struct dd_buf *out)
{
	char cmd[32];
	const char *rest = line;

	next_word(&rest, cmd, sizeof(cmd));
	if (strcmp(cmd, "ping") == 0) {
		dd_buf_printf(out, "OK pong\n");
	} else if (strcmp(cmd, "version") == 0) {
		dd_buf_printf(out, "OK faultd %s\n", DNSDRILL_VERSION);
	} else if (strcmp(cmd, "rule") == 0) {
		rule_cmd(t, rest, out);
	} else if (strcmp(cmd, "clear") == 0) {
		ruleset_clear(t->rules, -1);
		log_info("control: all rules cleared");
		dd_buf_printf(out, "OK\n");
	} else if (strcmp(cmd, "stats") == 0) {
		stats_reply(t, out, strcmp(rest, "json") == 0);
		dd_buf_printf(out, "OK\n");
	} else if (strcmp(cmd, "reload") == 0) {
		struct dd_err e = { "reload is not available here" };

		if (t->reload == NULL || t->reload(t->arg, &e) < 0) {
			log_warnx("reload refused: %s", e.msg);
			dd_buf_printf(out, "ERR %s\n", e.msg);
		} else {
			log_info("reloaded rules and zones");
			dd_buf_printf(out, "OK\n");
		}
	} else if (strcmp(cmd, "zone") == 0 || strcmp(cmd, "record") == 0 ||
	    strcmp(cmd, "delegation") == 0) {
		zone_cmd(t, cmd, rest, out);
	} else {
		dd_buf_printf(out, "ERR unknown command '%s' (rule, clear, stats, reload, "
		    "zone, record, delegation, ping)\n", cmd);
	}
}

void
ctl_exec(const struct ctl_target *t, const char *line, struct dd_buf *out)
{
	if (t->lock != NULL)
		t->lock(t->arg);
	ctl_exec_locked(t, line, out);
	if (t->unlock != NULL)
		t->unlock(t->arg);
}
