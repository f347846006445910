/*
 * test_ctl.c -- the control protocol without sockets: every command of the
 * server-side handler (ctl_exec) with its exact reply, bad commands and bad
 * rules (the offending term named, the running set untouched), the
 * server's line framing (several lines per read, lines split across reads,
 * CR LF, blank lines, the longest accepted line and one byte more), and the
 * client's reply reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultd/ctl.h"
#include "lib/log.h"

/* ---------------- a target: a real rule set, fake daemon hooks ---------------- */

static struct ruleset *RS;
static struct ctl_target T;
static int reload_rc, reload_calls;
static struct dd_buf OUT;

static void
fake_stats(void *arg, struct ctl_stats *st)
{
	assert_ptr_equal(arg, &RS);
	ctl_stats_add(st, "queries", 7);
	ctl_stats_add(st, "drops", 2);
	st->actions[ACT_SERVFAIL] = 3;
}

static int
fake_reload(void *arg, struct dd_err *err)
{
	assert_ptr_equal(arg, &RS);
	reload_calls++;
	if (reload_rc < 0)
		dd_err_set(err, "rules.conf:3: unknown key 'colour'");
	return reload_rc;
}

static int
setup(void **state)
{
	(void)state;
	log_init("test_ctl", LOG_LVL_ERROR);
	RS = ruleset_new();
	assert_non_null(RS);
	T = (struct ctl_target){ .rules = RS, .stats = fake_stats,
		.reload = fake_reload, .arg = &RS };
	reload_rc = reload_calls = 0;
	dd_buf_reset(&OUT);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ruleset_free(RS);
	RS = NULL;
	dd_buf_free(&OUT);
	return 0;
}

/* Run one line; the reply as a NUL-terminated string. */
static const char *
run(const char *line)
{
	dd_buf_reset(&OUT);
	ctl_exec(&T, line, &OUT);
	dd_buf_append(&OUT, "", 1);
	assert_false(OUT.oom);
	return (const char *)OUT.data;
}

/* rule add; returns the id it printed */
static unsigned long long
add(const char *rule)
{
	char line[512];
	unsigned long long id;
	char ok[8];

	snprintf(line, sizeof(line), "rule add %s", rule);
	const char *r = run(line);
	if (sscanf(r, "%llu\n%7s", &id, ok) != 2 || strcmp(ok, "OK") != 0)
		fail_msg("rule add '%s' -> '%s'", rule, r);
	return id;
}

/* Make rule matching bump hits: one query for name through the set. */
static void
query(const char *name)
{
	struct dns_query q;
	struct dd_rng rng;
	int n;

	memset(&q, 0, sizeof(q));
	n = dns_name_from_str(name, q.qname, sizeof(q.qname));
	assert_true(n > 0);
	q.qname_len = (uint8_t)n;
	q.qtype = 1;
	q.qclass = 1;
	dd_rng_seed(&rng, 1);
	ruleset_match(RS, &q, NULL, TRANSPORT_UDP, &rng);
}

/* ---------------- commands ---------------- */

static void
test_ping(void **state)
{
	(void)state;
	assert_string_equal(run("ping"), "OK pong\n");
	assert_string_equal(run("  \tping"), "OK pong\n");
}

static void
test_rule_add(void **state)
{
	const struct rule *const *v;

	(void)state;
	assert_string_equal(run("rule add name=www.example.test action=servfail"), "1\nOK\n");
	assert_string_equal(run("rule   add   action=drop   prob=0.5"), "2\nOK\n");
	assert_int_equal(ruleset_list(RS, &v), 2);
	assert_int_equal(v[0]->id, 1);
	assert_int_equal(v[0]->origin, RULE_FROM_CONTROL);
	assert_string_equal(v[0]->text, "name=www.example.test action=servfail");
	assert_int_equal(v[1]->id, 2);
}

static void
test_rule_insert_goes_first(void **state)
{
	const struct rule *const *v;

	(void)state;
	add("name=a.test action=refused");
	assert_string_equal(run("rule insert name=a.test action=nxdomain"), "2\nOK\n");
	assert_int_equal(ruleset_list(RS, &v), 2);
	assert_int_equal(v[0]->id, 2);
	assert_int_equal(v[1]->id, 1);
}

static void
test_rule_list(void **state)
{
	(void)state;
	assert_string_equal(run("rule list"), "OK\n");
	add("name=www.example.test action=servfail");
	add("action=refused");
	query("www.example.test");
	query("www.example.test");
	query("other.test");
	assert_string_equal(run("rule list"),
	    "1\t2\tname=www.example.test action=servfail\n"
	    "2\t1\taction=refused\n"
	    "OK\n");
}

static void
test_rule_del(void **state)
{
	(void)state;
	add("name=a.test action=drop");
	add("name=b.test action=drop");
	assert_string_equal(run("rule del 1"), "OK\n");
	assert_int_equal(ruleset_count(RS), 1);
	assert_string_equal(run("rule del 1"), "ERR rule del: no rule 1\n");
	assert_string_equal(run("rule del abc"), "ERR rule del: 'abc' is not a rule id\n");
	assert_string_equal(run("rule del"), "ERR rule del: '' is not a rule id\n");
	assert_string_equal(run("rule del -2"), "ERR rule del: '-2' is not a rule id\n");
	assert_int_equal(ruleset_count(RS), 1);
	assert_string_equal(run("rule list"), "2\t0\tname=b.test action=drop\nOK\n");
}

static void
test_clear(void **state)
{
	(void)state;
	add("name=a.test action=drop");
	add("action=servfail");
	assert_string_equal(run("clear"), "OK\n");
	assert_int_equal(ruleset_count(RS), 0);
	assert_string_equal(run("rule list"), "OK\n");
	/* ids go on after a clear: an old id never names a new rule */
	assert_int_equal(add("action=drop"), 3);
}

static void
test_stats_text(void **state)
{
	(void)state;
	add("name=www.example.test action=servfail");
	query("www.example.test");
	assert_string_equal(run("stats"),
	    "queries                7\n"
	    "drops                  2\n"
	    "rules                  1\n"
	    "action.pass            0\n"
	    "action.empty           0\n"
	    "action.nxdomain        0\n"
	    "action.servfail        3\n"
	    "action.refused         0\n"
	    "action.formerr         0\n"
	    "action.drop            0\n"
	    "action.truncate        0\n"
	    "action.answer          0\n"
	    "rule.1                 1\n"
	    "OK\n");
}

static void
test_stats_json(void **state)
{
	(void)state;
	add("name=www.example.test action=servfail");
	add("action=drop");
	query("www.example.test");
	assert_string_equal(run("stats json"),
	    "{\"queries\":7,\"drops\":2,\"rules\":2,\"actions\":{\"pass\":0,\"empty\":0,"
	    "\"nxdomain\":0,\"servfail\":3,\"refused\":0,\"formerr\":0,\"drop\":0,"
	    "\"truncate\":0,\"answer\":0},\"rule_hits\":[{\"id\":1,\"hits\":1,"
	    "\"rule\":\"name=www.example.test action=servfail\"},"
	    "{\"id\":2,\"hits\":0,\"rule\":\"action=drop\"}],\"clients\":[],"
	    "\"clients_other\":0}\n"
	    "OK\n");
}

static void
test_stats_without_hook(void **state)
{
	(void)state;
	T.stats = NULL;
	assert_string_equal(run("stats json"),
	    "{\"rules\":0,\"actions\":{\"pass\":0,\"empty\":0,\"nxdomain\":0,"
	    "\"servfail\":0,\"refused\":0,\"formerr\":0,\"drop\":0,\"truncate\":0,"
	    "\"answer\":0},\"rule_hits\":[],\"clients\":[],\"clients_other\":0}\nOK\n");
}

static void
clients_stats(void *arg, struct ctl_stats *st)
{
	(void)arg;
	ctl_stats_add(st, "queries", 12);
	snprintf(st->clients[0].addr, sizeof(st->clients[0].addr), "198.18.0.10");
	st->clients[0].queries = 9;
	snprintf(st->clients[1].addr, sizeof(st->clients[1].addr), "fd00::10");
	st->clients[1].queries = 2;
	st->n_clients = 2;
	st->clients_other = 1;
}

/* Per-client counters, in both forms; a rule text with a quote and a
 * backslash stays valid JSON. */
static void
test_stats_clients(void **state)
{
	struct rule *r;
	struct dd_err e;

	(void)state;
	T.stats = clients_stats;
	assert_int_equal(rule_parse("action=drop", &r, &e), 0);
	free(r->text);
	r->text = strdup("name=\"x\\y\" action=drop");
	assert_int_equal(ruleset_add(RS, r, false), 0);
	assert_string_equal(run("stats json"),
	    "{\"queries\":12,\"rules\":1,\"actions\":{\"pass\":0,\"empty\":0,\"nxdomain\":0,"
	    "\"servfail\":0,\"refused\":0,\"formerr\":0,\"drop\":0,\"truncate\":0,"
	    "\"answer\":0},\"rule_hits\":[{\"id\":1,\"hits\":0,"
	    "\"rule\":\"name=\\\"x\\\\y\\\" action=drop\"}],"
	    "\"clients\":[{\"addr\":\"198.18.0.10\",\"queries\":9},"
	    "{\"addr\":\"fd00::10\",\"queries\":2}],\"clients_other\":1}\nOK\n");
	assert_true(strstr(run("stats"),
	    "client.198.18.0.10     9\n"
	    "client.fd00::10        2\n"
	    "client.other           1\n"
	    "OK\n") != NULL);
}

static void
test_stats_add_bounded(void **state)
{
	struct ctl_stats st;

	(void)state;
	memset(&st, 0, sizeof(st));
	for (int i = 0; i < CTL_STATS_MAX + 5; i++)
		ctl_stats_add(&st, "x", (uint64_t)i);
	assert_int_equal(st.n, CTL_STATS_MAX);
	assert_int_equal(st.v[CTL_STATS_MAX - 1].value, CTL_STATS_MAX - 1);
}

static void
test_reload(void **state)
{
	(void)state;
	assert_string_equal(run("reload"), "OK\n");
	assert_int_equal(reload_calls, 1);
	reload_rc = DD_EINVAL;
	assert_string_equal(run("reload"), "ERR rules.conf:3: unknown key 'colour'\n");
	assert_int_equal(reload_calls, 2);
	T.reload = NULL;
	assert_string_equal(run("reload"), "ERR reload is not available here\n");
}

static void
test_bad_commands(void **state)
{
	(void)state;
	assert_string_equal(run("frobnicate"),
	    "ERR unknown command 'frobnicate' (rule, clear, stats, reload, zone, record, delegation, ping)\n");
	assert_string_equal(run("PING"),
	    "ERR unknown command 'PING' (rule, clear, stats, reload, zone, record, delegation, ping)\n");
	assert_string_equal(run("rule frob x"),
	    "ERR rule: unknown subcommand 'frob' (add, insert, del, list)\n");
	assert_string_equal(run("rule"),
	    "ERR rule: unknown subcommand '' (add, insert, del, list)\n");
	/* a very long word is cut in the message, never overflowing */
	char line[200];
	memset(line, 'z', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	const char *r = run(line);
	assert_true(strncmp(r, "ERR unknown command 'zzz", 24) == 0);
	assert_true(strlen(r) < 120);
}

static void
test_bad_rules_name_the_term(void **state)
{
	static const struct { const char *rule, *term; } bad[] = {
		{ "name=www.example.test action=explode", "explode" },
		{ "name=www.example.test colour=red", "colour" },
		{ "name=www.example.test delay=soon", "delay" },
		{ "name=www.example.test prob=2", "prob" },
		{ "name=www.example.test client=300.1.2.3/8", "client" },
		{ "action=answer:not-an-ip", "not-an-ip" },
		{ "name=www.example.test type=NOSUCHTYPE", "type" },
		{ "name=www.example.test transport=carrier-pigeon", "transport" },
		{ "", "" },
	};

	(void)state;
	add("name=keep.test action=drop");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[256];
		snprintf(line, sizeof(line), "rule add %s", bad[i].rule);
		const char *r = run(line);
		if (strncmp(r, "ERR ", 4) != 0 || strstr(r, bad[i].term) == NULL ||
		    strchr(r, '\n') != r + strlen(r) - 1)
			fail_msg("'%s' -> '%s' (want ERR naming '%s')", bad[i].rule, r, bad[i].term);
		snprintf(line, sizeof(line), "rule insert %s", bad[i].rule);
		assert_true(strncmp(run(line), "ERR ", 4) == 0);
	}
	/* refused whole: the set is as it was */
	assert_string_equal(run("rule list"), "1\t0\tname=keep.test action=drop\nOK\n");
	assert_int_equal(add("action=drop"), 2);
}

/* ---------------- the server's framing ---------------- */

static int
feed(struct ctl_session *s, const char *data, size_t len)
{
	return ctl_session_feed(s, &T, data, len, &OUT);
}

static const char *
out_str(void)
{
	dd_buf_append(&OUT, "", 1);
	OUT.len--;      /* keep the NUL out of the content */
	return (const char *)OUT.data;
}

static void
test_session_lines(void **state)
{
	static struct ctl_session s;
	const char *in = "ping\r\n\n  \nrule add action=drop\nrule list\nping";

	(void)state;
	memset(&s, 0, sizeof(s));
	dd_buf_reset(&OUT);
	assert_int_equal(feed(&s, in, strlen(in)), 0);
	/* an empty line gets no reply, a line of blanks is an unknown command */
	const char *want = "OK pong\n"
	    "ERR unknown command '' (rule, clear, stats, reload, zone, record, delegation, ping)\n"
	    "1\nOK\n1\t0\taction=drop\nOK\n";
	assert_string_equal(out_str(), want);
	/* the unfinished "ping" waits for its newline */
	assert_int_equal(feed(&s, "\n", 1), 0);
	char want2[256];
	snprintf(want2, sizeof(want2), "%sOK pong\n", want);
	assert_string_equal(out_str(), want2);
}

/* A NUL inside a line is refused, not taken as the end of the command. */
static void
test_session_nul_refused(void **state)
{
	static struct ctl_session s;
	static const char in[] = "rule add action=drop\0 name=www.example.com\n"
	    "rule list\n";

	(void)state;
	memset(&s, 0, sizeof(s));
	dd_buf_reset(&OUT);
	assert_int_equal(feed(&s, in, sizeof(in) - 1), 0);
	assert_string_equal(out_str(), "ERR command contains a NUL byte\nOK\n");
}

static void
test_session_byte_by_byte(void **state)
{
	static struct ctl_session s;
	const char *in = "rule add name=x.test action=servfail\nping\n";

	(void)state;
	memset(&s, 0, sizeof(s));
	dd_buf_reset(&OUT);
	for (size_t i = 0; i < strlen(in); i++)
		assert_int_equal(feed(&s, in + i, 1), 0);
	assert_string_equal(out_str(), "1\nOK\nOK pong\n");
}

static void
test_session_longest_line(void **state)
{
	static struct ctl_session s;
	static char line[CTL_LINE_MAX + 16];
	size_t max = CTL_LINE_MAX - 2;       /* bytes before the '\n' */

	(void)state;
	/* "ping" padded with blanks to the longest accepted line */
	memset(&s, 0, sizeof(s));
	dd_buf_reset(&OUT);
	memset(line, ' ', max);
	memcpy(line, "ping", 4);
	line[max] = '\n';
	assert_int_equal(feed(&s, line, max + 1), 0);
	assert_string_equal(out_str(), "OK pong\n");

	/* one byte more: refused, and the connection is to close */
	memset(&s, 0, sizeof(s));
	dd_buf_reset(&OUT);
	memset(line, ' ', max + 1);
	memcpy(line, "ping", 4);
	line[max + 1] = '\n';
	assert_int_equal(feed(&s, line, max + 2), CTL_SESSION_CLOSE);
	assert_string_equal(out_str(), "ERR command longer than 8190 bytes\n");
}

static void
test_session_overlong_after_good_lines(void **state)
{
	static struct ctl_session s;
	static char in[20000];
	size_t n;

	(void)state;
	memset(&s, 0, sizeof(s));
	dd_buf_reset(&OUT);
	n = (size_t)snprintf(in, sizeof(in), "ping\nrule add action=drop\n");
	memset(in + n, 'x', 12000);
	n += 12000;
	in[n++] = '\n';
	n += (size_t)snprintf(in + n, sizeof(in) - n, "clear\n");
	assert_int_equal(feed(&s, in, n), CTL_SESSION_CLOSE);
	/* the lines before it were answered; nothing after it ran */
	assert_string_equal(out_str(), "OK pong\n1\nOK\nERR command longer than 8190 bytes\n");
	assert_int_equal(ruleset_count(RS), 1);
}

/* Push all of in (running lines as room runs out) with the bounds given;
 * returns the last ctl_session_run result. */
static int
push_run(struct ctl_session *s, const char *in, size_t len, size_t out_max,
    size_t reply_max)
{
	int rc = 0;

	while (len > 0) {
		size_t n = ctl_session_push(s, in, len);

		in += n;
		len -= n;
		rc = ctl_session_run(s, &T, &OUT, out_max, reply_max);
		if (rc != 0)
			return rc;
	}
	return rc;
}

/* Replies nobody reads: once out holds more than out_max unwritten bytes
 * no further line runs; lines wait in the session (which then takes no
 * more bytes) and run, in order, as out drains. */
static void
test_session_backpressure(void **state)
{
	static struct ctl_session s;
	char in[8191];
	size_t n = 0;
	int rc;

	(void)state;
	memset(&s, 0, sizeof(s));
	dd_buf_reset(&OUT);
	/* 200 rule adds of 34 bytes fit the session's 8 kB */
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "rule add name=r%d.test action=drop\n", i % 10);
	assert_int_equal(n, 200 * 34);
	assert_int_equal(ctl_session_push(&s, in, n), n);
	rc = ctl_session_run(&s, &T, &OUT, 20, SIZE_MAX);
	/* "1\nOK\n" is 5 bytes: the fifth line takes out past 20 */
	assert_int_equal(rc, CTL_SESSION_FULL);
	assert_int_equal(s.lines, 5);
	assert_int_equal(ruleset_count(RS), 5);
	assert_string_equal(out_str(), "1\nOK\n2\nOK\n3\nOK\n4\nOK\n5\nOK\n");
	/* still full: nothing runs */
	assert_int_equal(ctl_session_run(&s, &T, &OUT, 20, SIZE_MAX), CTL_SESSION_FULL);
	assert_int_equal(s.lines, 5);
	/* the client reads 10 bytes: 15, then 20 are <= 20, so two more lines
	 * run and out is at 25 */
	dd_buf_consume(&OUT, 10);
	assert_int_equal(ctl_session_run(&s, &T, &OUT, 20, SIZE_MAX), CTL_SESSION_FULL);
	assert_int_equal(s.lines, 7);
	assert_int_equal(OUT.len - OUT.off, 25);
	/* it reads everything each time: all of it runs, in order */
	while ((rc = ctl_session_run(&s, &T, &OUT, 20, SIZE_MAX)) == CTL_SESSION_FULL)
		dd_buf_consume(&OUT, OUT.len - OUT.off);
	assert_int_equal(rc, 0);
	assert_int_equal(s.lines, 200);
	assert_int_equal(s.len, 0);
	assert_int_equal(ruleset_count(RS), 200);
	assert_true(OUT.len - OUT.off <= 20 + 8);
	/* the last reply is the 200th rule's id */
	out_str();
	assert_non_null(strstr((const char *)OUT.data + OUT.off, "200\nOK\n"));
}

/* A session whose buffer is full of complete lines waiting to run is not
 * "a line too long", and takes no more bytes until they ran. */
static void
test_session_full_of_waiting_lines(void **state)
{
	static struct ctl_session s;
	static char in[CTL_LINE_MAX];
	size_t n = 0;

	(void)state;
	memset(&s, 0, sizeof(s));
	dd_buf_reset(&OUT);
	while (n + 5 <= sizeof(in) - 1)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "ping\n");
	memset(in + n, '\n', sizeof(in) - 1 - n);      /* blank lines to the brim */
	n = sizeof(in) - 1;
	assert_int_equal(ctl_session_push(&s, in, n), n);
	assert_int_equal(ctl_session_room(&s), 0);
	assert_int_equal(ctl_session_push(&s, "ping\n", 5), 0);
	assert_int_equal(ctl_session_run(&s, &T, &OUT, 0, SIZE_MAX), CTL_SESSION_FULL);
	assert_string_equal(out_str(), "OK pong\n");
	assert_int_equal(ctl_session_room(&s), 5);
	dd_buf_reset(&OUT);
	assert_int_equal(ctl_session_run(&s, &T, &OUT, SIZE_MAX, SIZE_MAX), 0);
	assert_int_equal(ctl_session_room(&s), sizeof(s.buf) - 1);
	assert_int_equal(s.lines, n / 5 + (n % 5));
}

/* A reply longer than reply_max is taken back whole and an ERR sent in its
 * place; the connection goes on. */
static void
test_session_reply_max(void **state)
{
	static struct ctl_session s;
	const char *in = "rule add name=a.test action=drop\n"
	    "rule add name=b.test action=drop\n"
	    "rule list\nping\n";
	const char *want = "1\nOK\n2\nOK\n"
	    "ERR reply of 59 bytes is over the limit of 40 bytes\n"
	    "OK pong\n";

	(void)state;
	memset(&s, 0, sizeof(s));
	dd_buf_reset(&OUT);
	/* "1\t0\tname=a.test action=drop\n" is 28 bytes, "OK\n" 3 more */
	assert_int_equal(push_run(&s, in, strlen(in), SIZE_MAX, 40), 0);
	assert_string_equal(out_str(), want);
	assert_int_equal(ruleset_count(RS), 2);
	/* at 59 it fits */
	memset(&s, 0, sizeof(s));
	dd_buf_reset(&OUT);
	assert_int_equal(push_run(&s, "rule list\n", 10, SIZE_MAX, 59), 0);
	assert_int_equal(OUT.len, 59);
}

/* The bound holds against a pipelining client: out never holds more than
 * out_max + one reply, however many lines were sent. */
static void
test_session_bounded_by_out_max(void **state)
{
	static struct ctl_session s;
	static char in[6 * 1000 + 1];
	size_t n = 0, peak = 0;
	int rc;

	(void)state;
	memset(&s, 0, sizeof(s));
	dd_buf_reset(&OUT);
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "stats\n");
	/* nobody reads: feed until the session takes no more */
	for (size_t off = 0; off < n;) {
		size_t k = ctl_session_push(&s, in + off, n - off);

		off += k;
		rc = ctl_session_run(&s, &T, &OUT, 4096, SIZE_MAX);
		if (OUT.len - OUT.off > peak)
			peak = OUT.len - OUT.off;
		if (k == 0)
			break;
	}
	assert_int_equal(rc, CTL_SESSION_FULL);
	assert_true(s.lines < 1000);
	assert_true(peak <= 4096 + 1024);
	assert_true(peak > 4096);
}

/* ---------------- the client's reply reader ---------------- */

static void
test_reader_replies(void **state)
{
	struct ctl_reader r = { 0 };
	struct ctl_reply rep;
	const char *in = "1\nOK\nOK pong\n1\t0\ta\n2\t5\tb\nOK\nERR no rule 9\nOK";

	(void)state;
	/* byte by byte: a reply appears only when its status line is whole */
	size_t i = 0, got = 0;
	const char *want_text[] = { "", "pong", "", "no rule 9" };
	const char *want_data[] = { "1\n", "", "1\t0\ta\n2\t5\tb\n", "" };
	const bool want_ok[] = { true, true, true, false };
	for (; i < strlen(in); i++) {
		assert_int_equal(ctl_reader_feed(&r, in + i, 1), 0);
		int rc;
		while ((rc = ctl_reader_next(&r, &rep)) == 1) {
			assert_true(got < 4);
			assert_int_equal(rep.ok, want_ok[got]);
			assert_string_equal(rep.text, want_text[got]);
			assert_string_equal(rep.data, want_data[got]);
			assert_int_equal(rep.data_len, strlen(want_data[got]));
			got++;
		}
		assert_int_equal(rc, 0);
	}
	assert_int_equal(got, 4);
	/* "OK" without its newline is not a reply yet */
	assert_true(ctl_reader_pending(&r));
	assert_int_equal(ctl_reader_feed(&r, "\n", 1), 0);
	assert_int_equal(ctl_reader_next(&r, &rep), 1);
	assert_true(rep.ok);
	assert_string_equal(rep.text, "");
	assert_false(ctl_reader_pending(&r));
	assert_int_equal(ctl_reader_next(&r, &rep), 0);
	ctl_reader_free(&r);
	ctl_reader_free(NULL);
}

static void
test_reader_status_lines_only(void **state)
{
	struct ctl_reader r = { 0 };
	struct ctl_reply rep;
	/* "OKAY", "ERR" without text and "ERROR" are data, not status */
	const char *in = "OKAY\nERR\nERROR x\nOK done\n";

	(void)state;
	assert_int_equal(ctl_reader_feed(&r, in, strlen(in)), 0);
	assert_int_equal(ctl_reader_next(&r, &rep), 1);
	assert_true(rep.ok);
	assert_string_equal(rep.text, "done");
	assert_string_equal(rep.data, "OKAY\nERR\nERROR x\n");
	/* reset forgets a half-read reply */
	assert_int_equal(ctl_reader_feed(&r, "1\nO", 3), 0);
	assert_true(ctl_reader_pending(&r));
	ctl_reader_reset(&r);
	assert_false(ctl_reader_pending(&r));
	assert_int_equal(ctl_reader_feed(&r, "OK\n", 3), 0);
	assert_int_equal(ctl_reader_next(&r, &rep), 1);
	assert_string_equal(rep.data, "");
	ctl_reader_free(&r);
}

static void
test_reader_many_in_one_read(void **state)
{
	struct ctl_reader r = { 0 };
	struct ctl_reply rep;
	struct dd_buf in = { 0 };
	int n = 0;

	(void)state;
	for (int i = 0; i < 1000; i++)
		dd_buf_printf(&in, "%d\nOK\n", i);
	assert_int_equal(ctl_reader_feed(&r, in.data, in.len), 0);
	while (ctl_reader_next(&r, &rep) == 1) {
		assert_int_equal(atoi(rep.data), n);
		n++;
	}
	assert_int_equal(n, 1000);
	dd_buf_free(&in);
	ctl_reader_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_insert_goes_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_without_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_clients, setup, teardown),
		cmocka_unit_test(test_stats_add_bounded),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rules_name_the_term, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_nul_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_byte_by_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_longest_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_overlong_after_good_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_backpressure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_full_of_waiting_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_reply_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_bounded_by_out_max, setup, teardown),
		cmocka_unit_test(test_reader_replies),
		cmocka_unit_test(test_reader_status_lines_only),
		cmocka_unit_test(test_reader_many_in_one_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
