/*
 * test_rulecheck.c -- finding and checking the rules a scenario states,
 * without running it: the Lua tokenizer (strings and their escapes, long
 * strings, comments, line counting), the literal inject() scanner, and
 * rulecheck's messages with file:line and faultd's own reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/rulecheck.h"
#include "harness/scenario.h"
#include "harness/sc_lex.h"
#include "lib/err.h"

/* ---------------- the tokenizer ---------------- */

struct want {
	enum sc_lex_kind kind;
	int line;
	const char *text;
	size_t len;
};

/* A wanted token; the length from the literal, so it may hold a NUL. */
#define T(kind, line, lit) { (kind), (line), (lit), sizeof(lit) - 1 }

static void
expect_tokens(const char *src, const struct want *w, size_t n)
{
	struct sc_lex lx;
	struct sc_lex_tok t;

	sc_lex_init(&lx, src, strlen(src));
	for (size_t i = 0; i < n; i++) {
		size_t len = w[i].len;
		enum sc_lex_kind k = sc_lex_next(&lx, &t);
		if (k != w[i].kind || t.line != w[i].line || t.len != len ||
		    memcmp(t.text, w[i].text, len) != 0)
			print_error("token %zu: got kind %d line %d '%.*s', want kind %d line %d '%s'\n",
			    i, (int)k, t.line, (int)t.len, t.text ? t.text : "", (int)w[i].kind,
			    w[i].line, w[i].text);
		assert_int_equal(k, w[i].kind);
		assert_int_equal(t.line, w[i].line);
		assert_int_equal(t.len, len);
		assert_memory_equal(t.text, w[i].text, len);
	}
	assert_int_equal(sc_lex_next(&lx, &t), SC_LEX_EOF);
	assert_int_equal(sc_lex_next(&lx, &t), SC_LEX_EOF);
	sc_lex_fini(&lx);
}

static void
test_lex_tokens(void **state)
{
	(void)state;
	static const struct want w[] = {
		T(SC_LEX_NAME, 1, "local"), T(SC_LEX_NAME, 1, "x_1"), T(SC_LEX_OP, 1, "="),
		T(SC_LEX_NUMBER, 1, "0x1fp-2"), T(SC_LEX_OP, 1, ".."), T(SC_LEX_NUMBER, 1, "3.5e+2"),
		T(SC_LEX_OP, 2, "..."), T(SC_LEX_OP, 2, "::"), T(SC_LEX_NAME, 2, "t"),
		T(SC_LEX_OP, 2, ":"), T(SC_LEX_NAME, 2, "f"), T(SC_LEX_OP, 2, "["),
		T(SC_LEX_NUMBER, 2, ".5"), T(SC_LEX_OP, 2, "]"), T(SC_LEX_OP, 2, "-"),
		T(SC_LEX_NUMBER, 2, "1"),
	};
	expect_tokens("local x_1 = 0x1fp-2 .. 3.5e+2\n... :: t:f[.5] - 1", w, sizeof(w) / sizeof(w[0]));
}

static void
test_lex_strings(void **state)
{
	(void)state;
	static const struct want w[] = {
		T(SC_LEX_STRING, 1, "a\"b'c\\d\ne\t"),
		T(SC_LEX_STRING, 1, "ABC\xc3\xa9!"),
		T(SC_LEX_STRING, 1, "xy"),                     /* \z eats the newline */
		T(SC_LEX_NAME, 4, "after"),
		T(SC_LEX_STRING, 4, "one\ntwo"),               /* backslash-newline */
		T(SC_LEX_STRING, 6, "nul\0in"),
	};
	expect_tokens("\"a\\\"b'c\\\\d\\ne\\t\" 'ABC\\u{E9}\\33' \"x\\z\n   y\"\n\nafter 'one\\\ntwo'\n"
	    "'nul\\0in'", w, sizeof(w) / sizeof(w[0]));
	/* decimal escapes take at most three digits */
	static const struct want w2[] = { T(SC_LEX_STRING, 1, "A1") };
	expect_tokens("'\\0651'", w2, 1);
}

static void
test_lex_long_and_comments(void **state)
{
	(void)state;
	static const struct want w[] = {
		/* the newline right after [[ is not part of the string */
		T(SC_LEX_STRING, 1, "line1\nline2 \"q\" \\n"),
		T(SC_LEX_STRING, 3, "has ]] and ]=] inside"),
		T(SC_LEX_NAME, 11, "code"),
		T(SC_LEX_OP, 11, "["), T(SC_LEX_OP, 11, "="),
	};
	expect_tokens("[[\nline1\nline2 \"q\" \\n]] [==[has ]] and ]=] inside]==]\n"
	    "-- a comment inject(\"a\", \"b\")\n"
	    "--[[ a long\ncomment ]] --[=[ another ]] still\n]=]\n"
	    "--[ not long\n"
	    "\r\n\n\r"                           /* two lines: \r\n and \n\r */
	    "code [ =", w, sizeof(w) / sizeof(w[0]));

	/* a first line starting with '#' is skipped, as luaL_loadfile does */
	static const struct want w2[] = { T(SC_LEX_NAME, 2, "x") };
	expect_tokens("#!/usr/bin/env dnsdrill inject(\"a\", \"b\")\nx", w2, 1);

	/* unfinished strings and comments are errors */
	static const char *const bad[] = { "'abc", "\"a\nb\"", "[[ never", "--[[ never", "'\\q'",
		"'\\x4'", "'\\u{110'", "'\\300'" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sc_lex lx;
		struct sc_lex_tok t;
		sc_lex_init(&lx, bad[i], strlen(bad[i]));
		assert_int_equal(sc_lex_next(&lx, &t), SC_LEX_ERROR);
		sc_lex_fini(&lx);
	}
}

/* ---------------- the inject() scanner ---------------- */

struct found {
	int n;
	int line[16];
	char dns[16][32], rule[16][128];
	int stop_at;         /* return non-zero on this call (1-based), 0: never */
};

static int
on_inject(void *arg, int line, const char *dns, const char *rule)
{
	struct found *f = arg;

	assert_true(f->n < 16);
	f->line[f->n] = line;
	snprintf(f->dns[f->n], sizeof(f->dns[0]), "%s", dns);
	snprintf(f->rule[f->n], sizeof(f->rule[0]), "%s", rule);
	f->n++;
	return f->n == f->stop_at ? 42 : 0;
}

static const char SRC[] =
"timeline(function()\n"                                              /* 1 */
"  inject(\"auth\", \"name=a action=empty\")\n"                       /* 2 */
"  inject(\"auth\", \"name=b \" .. verb)\n"                           /* 3: built */
"  -- inject(\"auth\", \"name=c action=explode\")\n"                  /* 4: comment */
"  --[[ inject(\"auth\", \"name=d\")\n"                               /* 5 */
"  ]] local s = [==[ inject(\"auth\", \"name=e\") ]==]\n"             /* 6: string */
"  local id = inject ( 'resolver' ,\n"                                /* 7 */
"     [[name=f action=drop]] )\n"                                     /* 8 */
"  t.inject(\"auth\", \"name=g\") t:inject(\"auth\", \"name=h\")\n"    /* 9 */
"  inject(\"auth\", rule)  inject(\"auth\", \"x\", \"y\")\n"          /* 10 */
"  inject \"auth\"  inject(dns, \"name=i\")\n"                        /* 11 */
"  inject(\"auth\", \"name=j \\u{41}\\\"q\\\"\")\n"                   /* 12 */
"  inject(\"auth\", \"name=k\"):foo()  inject(\"auth\", (\"name=l\"))\n" /* 13 */
"  f(inject(\"r2\", 'name=m'))\n"                                     /* 14 */
"end)\n";

static void
test_scan_injects(void **state)
{
	struct found f = { 0 };

	(void)state;
	assert_int_equal(sc_lex_injects(SRC, strlen(SRC), on_inject, &f), 0);
	assert_int_equal(f.n, 5);
	/* a plain literal, with its line */
	assert_int_equal(f.line[0], 2);
	assert_string_equal(f.dns[0], "auth");
	assert_string_equal(f.rule[0], "name=a action=empty");
	/* the concatenation (3), the comments (4, 5), the long string (6) are
	 * skipped; a call over two lines counts at the name, long strings and
	 * single quotes are literals too */
	assert_int_equal(f.line[1], 7);
	assert_string_equal(f.dns[1], "resolver");
	assert_string_equal(f.rule[1], "name=f action=drop");
	/* fields and methods (9), variables, three arguments, one argument and
	 * a non-literal first argument (10, 11) are not inject(DNS, RULE) */
	assert_int_equal(f.line[2], 12);
	assert_string_equal(f.rule[2], "name=j A\"q\"");
	/* a call whose result is used is still a call */
	assert_int_equal(f.line[3], 13);
	assert_string_equal(f.rule[3], "name=k");
	assert_int_equal(f.line[4], 14);
	assert_string_equal(f.dns[4], "r2");
	assert_string_equal(f.rule[4], "name=m");

	/* the callback can stop the scan */
	memset(&f, 0, sizeof(f));
	f.stop_at = 2;
	assert_int_equal(sc_lex_injects(SRC, strlen(SRC), on_inject, &f), 42);
	assert_int_equal(f.n, 2);

	/* an unfinished string: DD_EINVAL, after what came before it */
	memset(&f, 0, sizeof(f));
	static const char bad[] = "inject(\"a\", \"action=drop\")\ninject(\"a\", \"oops)\n";
	assert_int_equal(sc_lex_injects(bad, strlen(bad), on_inject, &f), DD_EINVAL);
	assert_int_equal(f.n, 1);

	/* nothing to find */
	memset(&f, 0, sizeof(f));
	assert_int_equal(sc_lex_injects("", 0, on_inject, &f), 0);
	assert_int_equal(f.n, 0);
}

/* ---------------- rulecheck ---------------- */

static void
test_rule(void **state)
{
	struct dd_err err = { "" };

	(void)state;
	assert_int_equal(rulecheck_rule("name=*.example.com type=A action=empty negttl=5", &err), 0);
	assert_int_equal(rulecheck_rule("client=198.18.1.0/24 delay=250ms jitter=50ms", &err), 0);
	assert_int_equal(rulecheck_rule("name=x action=explode", &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "rule \"name=x action=explode\": "));
	assert_non_null(strstr(err.msg, "action=explode: unknown action"));
	assert_int_equal(rulecheck_rule("", &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "empty rule"));
	assert_int_equal(rulecheck_rule("action=drop delay=1s", &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "cannot be delayed"));
	/* one line: the control protocol would split it */
	assert_int_equal(rulecheck_rule("name=x\naction=drop", &err), DD_EINVAL);
	assert_string_equal(err.msg, "rule \"name=x\\naction=drop\": a rule is one line");
}

static char tmpdir[64];

static int
group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dd_rulecheck_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A scenario file with text, and one dns server "auth" declared at
 * dns_line holding rules (NULL-terminated). */
static struct scenario *
scenario_with(const char *text, int dns_line, const char *const *rules)
{
	char path[128];
	FILE *f;
	struct scenario *sc;
	struct sc_dns *d;

	snprintf(path, sizeof(path), "%s/drill.lua", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	sc = scenario_new(path);
	assert_non_null(sc);
	d = sc_push(&sc->dns, &sc->n_dns, sizeof(*d));
	assert_non_null(d);
	d->name = sc_strdup("auth");
	d->line = dns_line;
	for (const char *const *r = rules; *r; r++) {
		char **slot = sc_push(&d->rules, &d->n_rules, sizeof(char *));
		assert_non_null(slot);
		*slot = sc_strdup(*r);
	}
	return sc;
}

static void
expect_where(const char *msg, int line, const char *rest)
{
	char want[256];

	snprintf(want, sizeof(want), "%s/drill.lua:%d: %s", tmpdir, line, rest);
	if (strncmp(msg, want, strlen(want)) != 0)
		print_error("got '%s'\nwant '%s...'\n", msg, want);
	assert_int_equal(strncmp(msg, want, strlen(want)), 0);
}

static const char SCEN[] =
"local verb = \"explode\"\n"                                  /* 1 */
"dns \"auth\" {\n"                                            /* 2 */
"  host = \"h\", listen = { \"198.18.0.1:53\" },\n"           /* 3 */
"  rules = {\n"                                               /* 4 */
"    \"action=empty\",\n"                                     /* 5 */
"    \"name=x action=explode\",\n"                            /* 6 */
"  },\n"                                                      /* 7 */
"}\n"                                                         /* 8 */
"timeline(function()\n"                                       /* 9 */
"  inject(\"auth\", \"name=y action=\" .. verb)\n"            /* 10 */
"  -- inject(\"auth\", \"name=z action=explode\")\n"          /* 11 */
"  inject(\"auth\",\n"                                        /* 12 */
"    \"name=z tll=5\")\n"                                     /* 13 */
"end)\n";

static void
test_scenario(void **state)
{
	struct scenario *sc;
	struct dd_err err = { "" };

	(void)state;
	/* a dns server's bad rule, at the line of its literal */
	sc = scenario_with(SCEN, 2, (const char *const[]){ "action=empty", "name=x action=explode",
	    NULL });
	assert_int_equal(rulecheck_scenario(sc, &err), DD_EINVAL);
	expect_where(err.msg, 6, "dns 'auth': rule \"name=x action=explode\": action=explode: unknown action");
	scenario_free(sc);

	/* a rule not written literally: the declaration's line */
	sc = scenario_with(SCEN, 2, (const char *const[]){ "name=q action=nope", NULL });
	assert_int_equal(rulecheck_scenario(sc, &err), DD_EINVAL);
	expect_where(err.msg, 2, "dns 'auth': rule \"name=q action=nope\": action=nope");
	scenario_free(sc);

	/* good dns rules: the literal inject() is next, at its call's line;
	 * the built one (10) and the commented one (11) are not looked at */
	sc = scenario_with(SCEN, 2, (const char *const[]){ "action=empty", NULL });
	assert_int_equal(rulecheck_scenario(sc, &err), DD_EINVAL);
	expect_where(err.msg, 12, "inject auth: rule \"name=z tll=5\": unknown key 'tll'");
	scenario_free(sc);

	/* all good */
	sc = scenario_with("timeline(function()\n  inject(\"auth\", \"name=z ttl=5\")\nend)\n", 1,
	    (const char *const[]){ "action=empty", NULL });
	assert_int_equal(rulecheck_scenario(sc, &err), 0);
	scenario_free(sc);

	/* the file gone: an I/O error naming it */
	sc = scenario_new("/nonexistent/dd-rulecheck.lua");
	assert_non_null(sc);
	assert_int_equal(rulecheck_scenario(sc, &err), DD_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/dd-rulecheck.lua"));
	scenario_free(sc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lex_tokens),
		cmocka_unit_test(test_lex_strings),
		cmocka_unit_test(test_lex_long_and_comments),
		cmocka_unit_test(test_scan_injects),
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_scenario),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
