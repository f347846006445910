/*
 * fuzz_control.c -- faultd's control protocol without sockets: the input
 * as the bytes a client sends, cut into lines by ctl_session_feed() and run
 * by ctl_exec() against a rule set of a few rules (stats and reload hooks
 * faked); or, with the first byte odd, as the bytes faultd sends, cut into
 * replies by the client's reader (ctl_reader).
 *
 * Input: byte 0: bit 0 picks the side, the rest is the size of the pieces
 * the bytes arrive in (1 to 128), as reads from a socket would cut them.
 *
 * Checked (abort() when not so): the server's output is whole lines, no
 * NUL byte in it, and the client's reader cuts it into exactly as many
 * replies as it has status lines, with nothing left over; `stats json`
 * afterwards (with whatever rules the input added) is valid JSON to
 * jansson, as the harness reads it; the reader never hands out more bytes
 * than it was given.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultd/ctl.h"
#include "faultd/rule.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "tests/fuzz/fuzzlib.h"

static const char *const RULES[] = {
	"name=www.example.com type=A action=servfail",
	"name=*.example.org action=drop",
	"client=198.18.0.0/15 prob=0.5 action=answer:198.18.0.1,fd00::1 ttl=5",
};

static void
fake_stats(void *arg, struct ctl_stats *st)
{
	(void)arg;
	ctl_stats_add(st, "queries", 7);
	ctl_stats_add(st, "drops", 2);
	st->actions[ACT_SERVFAIL] = 3;
	snprintf(st->clients[0].addr, sizeof(st->clients[0].addr), "198.18.1.10");
	st->clients[0].queries = 5;
	snprintf(st->clients[1].addr, sizeof(st->clients[1].addr), "fd00::10");
	st->clients[1].queries = 2;
	st->n_clients = 2;
	st->clients_other = 1;
}

static int reload_calls;

static int
fake_reload(void *arg, struct dd_err *err)
{
	(void)arg;
	/* every other reload fails, as a bad rules file would */
	if (reload_calls++ % 2) {
		dd_err_set(err, "rules.conf:3: unknown key 'colour'");
		return DD_EINVAL;
	}
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_control", LOG_LVL_ERROR);
	return 0;
}

static size_t
count_status_lines(const uint8_t *p, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n;) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t len = (size_t)(nl - (p + i));

		if ((len >= 2 && memcmp(p + i, "OK", 2) == 0 && (len == 2 || p[i + 2] == ' ')) ||
		    (len >= 4 && memcmp(p + i, "ERR ", 4) == 0))
			count++;
		i += len + 1;
	}
	return count;
}

/* Feed bytes to a client's reader piece by piece; the replies it cuts. */
static size_t
read_replies(const uint8_t *p, size_t n, size_t piece, bool whole)
{
	struct ctl_reader rd = { 0 };
	struct ctl_reply rep;
	size_t replies = 0;
	int rc;

	for (size_t off = 0; off < n; off += piece) {
		size_t k = n - off < piece ? n - off : piece;

		FUZZ_CHECK(ctl_reader_feed(&rd, p + off, k) == 0, "reader feed");
		while ((rc = ctl_reader_next(&rd, &rep)) == 1) {
			FUZZ_CHECK(rep.text != NULL && rep.data != NULL, "reply without text");
			FUZZ_CHECK(rep.data_len <= n, "reply of %zu bytes from %zu", rep.data_len, n);
			FUZZ_CHECK(strlen(rep.text) <= n, "status text past the input");
			replies++;
		}
		FUZZ_CHECK(rc == 0, "reader: %d", rc);
	}
	if (whole)
		FUZZ_CHECK(!ctl_reader_pending(&rd), "bytes left after the last status line");
	ctl_reader_free(&rd);
	return replies;
}

static void
server_side(const uint8_t *data, size_t size, size_t piece)
{
	struct ruleset *rs = ruleset_new();
	struct ctl_session *s = calloc(1, sizeof(*s));
	struct dd_buf out = { 0 };
	struct ctl_target t;

	if (rs == NULL || s == NULL)
		abort();
	for (size_t i = 0; i < sizeof(RULES) / sizeof(RULES[0]); i++) {
		struct rule *r;
		struct dd_err err;
		if (rule_parse(RULES[i], &r, &err) != 0 || ruleset_add(rs, r, false) != 0)
			abort();
	}
	reload_calls = 0;
	t = (struct ctl_target){ .rules = rs, .stats = fake_stats, .reload = fake_reload };
	for (size_t off = 0; off < size; off += piece) {
		size_t k = size - off < piece ? size - off : piece;
		if (ctl_session_feed(s, &t, data + off, k, &out) == CTL_SESSION_CLOSE)
			break;
	}
	FUZZ_CHECK(!out.oom, "out of memory");

	size_t olen = out.len - out.off;
	const uint8_t *o;

	if (olen > 0) {
		o = out.data + out.off;
		FUZZ_CHECK(o[olen - 1] == '\n', "output ends mid-line");
		FUZZ_CHECK(memchr(o, '\0', olen) == NULL, "a NUL byte in the output");
		/* output can be far larger than input (rule list after many
		 * rule adds): at most ~256 pieces of it, to keep the pace */
		size_t opiece = piece < olen / 256 ? olen / 256 : piece;
		FUZZ_CHECK(read_replies(o, olen, opiece, true) == count_status_lines(o, olen),
		    "the reader cut a different number of replies");
	}

	/* the counters as the harness reads them, with the rules the input left */
	dd_buf_reset(&out);
	ctl_exec(&t, "stats json", &out);
	FUZZ_CHECK(!out.oom, "out of memory");
	o = out.data + out.off;
	olen = out.len - out.off;
	const uint8_t *nl = memchr(o, '\n', olen);
	FUZZ_CHECK(nl != NULL, "stats json: no data line");
	json_error_t jerr;
	json_t *j = json_loadb((const char *)o, (size_t)(nl - o), 0, &jerr);
	FUZZ_CHECK(j != NULL && json_is_object(j), "stats json is not JSON: %s: %.*s", jerr.text,
	    (int)(nl - o), (const char *)o);
	json_decref(j);

	dd_buf_free(&out);
	free(s);
	ruleset_free(rs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t piece;

	if (size < 1)
		return 0;
	piece = (size_t)(data[0] >> 1) + 1;
	if (data[0] & 1)
		(void)read_replies(data + 1, size - 1, piece, false);
	else
		server_side(data + 1, size - 1, piece);
	return 0;
}
