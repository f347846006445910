/*
 * rulecheck.c -- see rulecheck.h.  The parser is faultd's (rule_parse);
 * this file only finds the rules and says where they are.  A rule built
 * by the timeline at run time cannot be found by reading the source; the
 * inject() binding checks those through rulecheck_rule().
 */
#include "harness/rulecheck.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "faultd/rule.h"
#include "harness/sc_lex.h"
#include "lib/buf.h"

/* The rule as shown in messages: line breaks written as \n, \r. */
static void
shown(const char *text, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = text; *p && o + 3 < len; p++) {
		if (*p == '\n' || *p == '\r') {
			out[o++] = '\\';
			out[o++] = *p == '\n' ? 'n' : 'r';
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

int
rulecheck_rule(const char *text, struct dd_err *err)
{
	struct rule *r = NULL;
	struct dd_err e;
	char show[256];
	int rc;

	shown(text, show, sizeof(show));
	if (strpbrk(text, "\r\n") != NULL) {
		dd_err_set(err, "rule \"%s\": a rule is one line", show);
		return DD_EINVAL;
	}
	if ((rc = rule_parse(text, &r, &e)) < 0) {
		dd_err_set(err, "rule \"%s\": %s", show, e.msg);
		return rc;
	}
	rule_free(r);
	return 0;
}

static int
read_all(const char *path, struct dd_buf *b, struct dd_err *err)
{
	FILE *f = fopen(path, "r");
	char chunk[8192];
	size_t n;
	int bad;

	if (f == NULL) {
		dd_err_set(err, "%s: %s", path, strerror(errno));
		return DD_EIO;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		dd_buf_append(b, chunk, n);
	bad = ferror(f);
	fclose(f);
	if (bad || b->oom) {
		dd_err_set(err, "%s: %s", path, bad ? "read error" : "out of memory");
		return bad ? DD_EIO : DD_ENOMEM;
	}
	return 0;
}

/* Where the literal text is: the first string literal equal to it at or
 * after line from, else anywhere, else from itself. */
static int
literal_line(const struct dd_buf *src, const char *text, int from)
{
	struct sc_lex lx;
	struct sc_lex_tok t;
	int first = 0, at = 0;
	size_t len = strlen(text);

	sc_lex_init(&lx, (const char *)src->data, src->len);
	while (at == 0) {
		enum sc_lex_kind k = sc_lex_next(&lx, &t);
		if (k == SC_LEX_EOF || k == SC_LEX_ERROR)
			break;
		if (k != SC_LEX_STRING || t.len != len || memcmp(t.text, text, len) != 0)
			continue;
		if (first == 0)
			first = t.line;
		if (t.line >= from)
			at = t.line;
	}
	sc_lex_fini(&lx);
	return at ? at : first ? first : from;
}

struct inject_check {
	const char *file;
	struct dd_err *err;
	int rc;              /* the bad rule's code */
};

static int
check_inject(void *arg, int line, const char *dns, const char *rule)
{
	struct inject_check *c = arg;
	struct dd_err e;
	int rc;

	if ((rc = rulecheck_rule(rule, &e)) < 0) {
		dd_err_set(c->err, "%s:%d: inject %s: %s", c->file, line, dns, e.msg);
		c->rc = rc;
	}
	return rc;
}

int
rulecheck_scenario(const struct scenario *sc, struct dd_err *err)
{
	struct inject_check c = { .file = sc->file, .err = err };
	struct dd_buf src = { 0 };
	struct dd_err e;
	int rc;

	if ((rc = read_all(sc->file, &src, err)) < 0)
		goto out;
	for (size_t i = 0; i < sc->n_dns; i++) {
		const struct sc_dns *d = &sc->dns[i];
		for (size_t k = 0; k < d->n_rules; k++) {
			if ((rc = rulecheck_rule(d->rules[k], &e)) < 0) {
				dd_err_set(err, "%s:%d: dns '%s': %s", sc->file,
				    literal_line(&src, d->rules[k], d->line), d->name, e.msg);
				goto out;
			}
		}
	}
	sc_lex_injects((const char *)src.data, src.len, check_inject, &c);
	/* a source that does not tokenize is Lua's to refuse (it loaded, so
	 * that cannot happen); only a bad rule fails here */
	rc = c.rc;
out:
	dd_buf_free(&src);
	return rc;
}
