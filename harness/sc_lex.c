/*
 * sc_lex.c -- see sc_lex.h.  It follows Lua 5.4's own lexer (llex.c) where
 * that matters for finding literals: what opens a comment or a long
 * bracket, which escapes a short string decodes, and which newlines count
 * ("\r\n" and "\n\r" are one line, as in Lua), so the lines it reports are
 * the lines Lua reports.  It does not check what Lua would reject: the
 * scenario has loaded before anyone scans it.
 */
#include "harness/sc_lex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_xdigit(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
xvalue(int c)
{
	return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

static int
peek(const struct sc_lex *lx, size_t ahead)
{
	return lx->p + ahead < lx->end ? (unsigned char)lx->p[ahead] : -1;
}

static int
is_newline(int c)
{
	return c == '\n' || c == '\r';
}

/* At a newline: step over it ("\r\n" and "\n\r" being one) and count it. */
static void
newline(struct sc_lex *lx)
{
	int c = peek(lx, 0);

	lx->p++;
	if (is_newline(peek(lx, 0)) && peek(lx, 0) != c)
		lx->p++;
	lx->line++;
}

void
sc_lex_init(struct sc_lex *lx, const char *src, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->p = src;
	lx->end = src + len;
	lx->line = 1;
	/* like luaL_loadfile: a UTF-8 BOM, then a first line starting with
	 * '#', are skipped */
	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
		lx->p += 3;
	if (peek(lx, 0) == '#')
		while (lx->p < lx->end && !is_newline(peek(lx, 0)))
			lx->p++;
}

void
sc_lex_fini(struct sc_lex *lx)
{
	dd_buf_free(&lx->str);
}

/* At '[': the level of a long bracket "[==[" (0 for "[["), or -1 when this
 * '[' opens none.  Consumes nothing. */
static int
long_level(const struct sc_lex *lx)
{
	size_t n = 1;

	while (peek(lx, n) == '=')
		n++;
	return peek(lx, n) == '[' ? (int)n - 1 : -1;
}

/* After the opening bracket of the given level: read up to the matching
 * close, keeping the text in lx->str when keep.  0, or DD_EINVAL if
 * unfinished. */
static int
read_long(struct sc_lex *lx, int level, int keep)
{
	lx->p += (size_t)level + 2;
	if (is_newline(peek(lx, 0)))
		newline(lx);   /* a newline right after the opening is dropped */
	for (;;) {
		int c = peek(lx, 0);
		if (c < 0)
			return DD_EINVAL;
		if (c == ']') {
			int n = 1;
			while (peek(lx, (size_t)n) == '=')
				n++;
			if (n - 1 == level && peek(lx, (size_t)n) == ']') {
				lx->p += (size_t)n + 1;
				return 0;
			}
		}
		if (is_newline(c)) {
			newline(lx);
			if (keep)
				dd_buf_append(&lx->str, "\n", 1);
			continue;
		}
		if (keep)
			dd_buf_append(&lx->str, lx->p, 1);
		lx->p++;
	}
}

/* UTF-8 for \u{XXX}: up to 2^31 as Lua allows (six bytes at most). */
static void
put_utf8(struct dd_buf *b, uint32_t x)
{
	uint8_t out[8];
	int n = 0;

	if (x < 0x80) {
		out[n++] = (uint8_t)x;
	} else {
		uint8_t tmp[8];
		int k = 0;
		uint32_t mfb = 0x3f;   /* the most a first byte can hold */
		do {
			tmp[k++] = (uint8_t)(0x80 | (x & 0x3f));
			x >>= 6;
			mfb >>= 1;
		} while (x > mfb);
		out[n++] = (uint8_t)((~mfb << 1) | x);
		while (k > 0)
			out[n++] = tmp[--k];
	}
	dd_buf_append(b, out, (size_t)n);
}

/* One escape after '\' (lx->p at the character after it).  0 or DD_EINVAL. */
static int
read_escape(struct sc_lex *lx)
{
	static const char from[] = "abfnrtv\\\"'", to[] = "\a\b\f\n\r\t\v\\\"'";
	int c = peek(lx, 0);
	const char *hit;

	if (c < 0)
		return DD_EINVAL;
	if (is_newline(c)) {
		newline(lx);
		dd_buf_append(&lx->str, "\n", 1);
		return 0;
	}
	if (c != 0 && (hit = strchr(from, c)) != NULL) {
		dd_buf_append(&lx->str, &to[hit - from], 1);
		lx->p++;
		return 0;
	}
	if (c == 'x') {
		if (!is_xdigit(peek(lx, 1)) || !is_xdigit(peek(lx, 2)))
			return DD_EINVAL;
		uint8_t v = (uint8_t)(xvalue(peek(lx, 1)) * 16 + xvalue(peek(lx, 2)));
		dd_buf_append(&lx->str, &v, 1);
		lx->p += 3;
		return 0;
	}
	if (c == 'u') {
		uint32_t v = 0;
		size_t i = 2;
		if (peek(lx, 1) != '{' || !is_xdigit(peek(lx, 2)))
			return DD_EINVAL;
		for (; is_xdigit(peek(lx, i)); i++) {
			if (v >= 0x8000000u)
				return DD_EINVAL;
			v = v * 16 + (uint32_t)xvalue(peek(lx, i));
		}
		if (peek(lx, i) != '}')
			return DD_EINVAL;
		put_utf8(&lx->str, v);
		lx->p += i + 1;
		return 0;
	}
	if (c == 'z') {
		lx->p++;
		for (;;) {
			c = peek(lx, 0);
			if (is_newline(c))
				newline(lx);
			else if (c == ' ' || c == '\t' || c == '\f' || c == '\v')
				lx->p++;
			else
				return 0;
		}
	}
	if (is_digit(c)) {
		int v = 0, i = 0;
		for (; i < 3 && is_digit(peek(lx, (size_t)i)); i++)
			v = v * 10 + peek(lx, (size_t)i) - '0';
		if (v > 255)
			return DD_EINVAL;
		uint8_t b = (uint8_t)v;
		dd_buf_append(&lx->str, &b, 1);
		lx->p += i;
		return 0;
	}
	return DD_EINVAL;
}

/* A short string; lx->p at its opening quote.  0 or DD_EINVAL. */
static int
read_short(struct sc_lex *lx)
{
	int q = peek(lx, 0);

	lx->p++;
	for (;;) {
		int c = peek(lx, 0);
		if (c < 0 || is_newline(c))
			return DD_EINVAL;
		lx->p++;
		if (c == q)
			return 0;
		if (c == '\\') {
			if (read_escape(lx) < 0)
				return DD_EINVAL;
			continue;
		}
		dd_buf_append(&lx->str, lx->p - 1, 1);
	}
}

static void
read_number(struct sc_lex *lx)
{
	const char *expo = "Ee";

	if (peek(lx, 0) == '0' && (peek(lx, 1) == 'x' || peek(lx, 1) == 'X')) {
		expo = "Pp";
		lx->p += 2;
	}
	for (;;) {
		int c = peek(lx, 0);
		if (c > 0 && strchr(expo, c)) {
			lx->p++;
			if (peek(lx, 0) == '+' || peek(lx, 0) == '-')
				lx->p++;
		} else if (is_xdigit(c) || c == '.') {
			lx->p++;
		} else {
			return;
		}
	}
}

/* Skip blanks and comments.  0, or DD_EINVAL inside an unfinished long comment. */
static int
skip_space(struct sc_lex *lx)
{
	for (;;) {
		int c = peek(lx, 0);
		if (is_newline(c)) {
			newline(lx);
		} else if (c == ' ' || c == '\t' || c == '\f' || c == '\v') {
			lx->p++;
		} else if (c == '-' && peek(lx, 1) == '-') {
			int level;
			lx->p += 2;
			if (peek(lx, 0) == '[' && (level = long_level(lx)) >= 0) {
				if (read_long(lx, level, 0) < 0)
					return DD_EINVAL;
				continue;
			}
			while (lx->p < lx->end && !is_newline(peek(lx, 0)))
				lx->p++;
		} else {
			return 0;
		}
	}
}

enum sc_lex_kind
sc_lex_next(struct sc_lex *lx, struct sc_lex_tok *tok)
{
	const char *start;
	int c, level;

	memset(tok, 0, sizeof(*tok));
	dd_buf_reset(&lx->str);
	if (skip_space(lx) < 0) {
		tok->line = lx->line;
		return tok->kind = SC_LEX_ERROR;
	}
	tok->line = lx->line;
	start = lx->p;
	c = peek(lx, 0);
	if (c < 0) {
		tok->kind = SC_LEX_EOF;
	} else if (is_alpha(c)) {
		while (is_alpha(peek(lx, 0)) || is_digit(peek(lx, 0)))
			lx->p++;
		tok->kind = SC_LEX_NAME;
	} else if (is_digit(c) || (c == '.' && is_digit(peek(lx, 1)))) {
		read_number(lx);
		tok->kind = SC_LEX_NUMBER;
	} else if (c == '"' || c == '\'' || (c == '[' && (level = long_level(lx)) >= 0)) {
		int rc = c == '[' ? read_long(lx, level, 1) : read_short(lx);
		if (rc < 0 || lx->str.oom)
			return tok->kind = SC_LEX_ERROR;
		dd_buf_append(&lx->str, "", 1);   /* NUL-terminate for callers */
		if (lx->str.oom)
			return tok->kind = SC_LEX_ERROR;
		tok->kind = SC_LEX_STRING;
		tok->text = (const char *)lx->str.data;
		tok->len = lx->str.len - 1;
		return tok->kind;
	} else if (c == '.' && peek(lx, 1) == '.') {
		lx->p += peek(lx, 2) == '.' ? 3 : 2;
		tok->kind = SC_LEX_OP;
	} else if (c == ':' && peek(lx, 1) == ':') {
		lx->p += 2;
		tok->kind = SC_LEX_OP;
	} else {
		lx->p++;
		tok->kind = SC_LEX_OP;
	}
	tok->text = start;
	tok->len = (size_t)(lx->p - start);
	return tok->kind;
}

static int
is_op(const struct sc_lex_tok *t, const char *op)
{
	return t->kind == SC_LEX_OP && t->len == strlen(op) && memcmp(t->text, op, t->len) == 0;
}

int
sc_lex_injects(const char *src, size_t len, sc_lex_inject_cb cb, void *arg)
{
	struct sc_lex lx;
	struct sc_lex_tok t, prev = { .kind = SC_LEX_EOF };
	struct dd_buf dns = { 0 };
	char *rule = NULL;
	int state = 0, line = 0, rc = 0;

	/*
	 * state: 0 looking for the name, 1 after `inject`, 2 after `(`,
	 * 3 after the first string, 4 after `,`, 5 after the second string.
	 * A string token's text lives only until the next token: both
	 * arguments are copied.
	 */
	sc_lex_init(&lx, src, len);
	while (rc == 0 && sc_lex_next(&lx, &t) != SC_LEX_EOF) {
		if (t.kind == SC_LEX_ERROR) {
			rc = DD_EINVAL;
			break;
		}
		switch (state) {
		case 1: state = is_op(&t, "(") ? 2 : 0; break;
		case 2:
			state = 0;
			if (t.kind == SC_LEX_STRING) {
				dd_buf_reset(&dns);
				dd_buf_append(&dns, t.text, t.len + 1);
				state = dns.oom ? 0 : 3;
			}
			break;
		case 3: state = is_op(&t, ",") ? 4 : 0; break;
		case 4:
			state = 0;
			if (t.kind == SC_LEX_STRING) {
				free(rule);
				rule = malloc(t.len + 1);
				if (rule != NULL) {
					memcpy(rule, t.text, t.len + 1);
					state = 5;
				}
			}
			break;
		case 5:
			state = 0;
			if (is_op(&t, ")"))
				rc = cb(arg, line, (const char *)dns.data, rule);
			break;
		}
		/* `inject` (not t.inject or t:inject) starts a match, even one
		 * that broke off another */
		if (state == 0 && t.kind == SC_LEX_NAME && t.len == 6 &&
		    memcmp(t.text, "inject", 6) == 0 && !is_op(&prev, ".") && !is_op(&prev, ":")) {
			state = 1;
			line = t.line;
		}
		prev = t;
		if (prev.kind == SC_LEX_STRING)
			prev.text = NULL;   /* lx.str changes on the next token */
	}
	free(rule);
	dd_buf_free(&dns);
	sc_lex_fini(&lx);
	return rc;
}
