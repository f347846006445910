/*
 * sc_lex.h -- a small tokenizer for scenario source (Lua 5.4), enough to
 * find what a scenario states literally without running it: names, string
 * literals (short strings with every escape decoded, long strings
 * [[ ]] / [==[ ]==]), numbers and punctuation, with comments (-- and
 * --[[ ]]) skipped and each token's line counted as Lua counts it.
 *
 * `dnsdrill check` uses it to find the literal rules given to inject();
 * the scenario itself is always run by Lua, never by this.
 *
 * Ownership: the lexer borrows the source (which must outlive it) and owns
 * the decoded text of the current string token; sc_lex_fini() frees it.
 */
#ifndef DD_HARNESS_SC_LEX_H
#define DD_HARNESS_SC_LEX_H

#include <stddef.h>

#include "lib/buf.h"

enum sc_lex_kind {
	SC_LEX_EOF = 0,
	SC_LEX_NAME,      /* identifier or keyword */
	SC_LEX_STRING,    /* text is the decoded value */
	SC_LEX_NUMBER,
	SC_LEX_OP,        /* punctuation: one character, or "..", "...", "::" */
	SC_LEX_ERROR,     /* an unfinished string or comment: scanning stops */
};

struct sc_lex_tok {
	enum sc_lex_kind kind;
	int line;            /* where the token starts (1-based) */
	const char *text;    /* NAME/NUMBER/OP: into the source; STRING: decoded,
	                      * valid until the next sc_lex_next() */
	size_t len;          /* bytes of text (a string may hold NULs) */
};

struct sc_lex {
	const char *p, *end;
	int line;
	struct dd_buf str;   /* the current string's decoded bytes */
};

void sc_lex_init(struct sc_lex *lx, const char *src, size_t len);
void sc_lex_fini(struct sc_lex *lx);

/* The next token; returns its kind (SC_LEX_EOF at the end, for ever). */
enum sc_lex_kind sc_lex_next(struct sc_lex *lx, struct sc_lex_tok *tok);

/*
 * Every call inject(STRING, STRING) whose second argument is one string
 * literal followed by ')': cb gets the line of the name inject and the two
 * decoded strings (NUL-terminated).  A second argument built at run time
 * ("..." .. x, a variable, a call) is not reported; neither is a field or
 * method of that name (t.inject, t:inject).  A non-zero return from cb
 * stops the scan and is returned; otherwise 0, or DD_EINVAL when the source
 * is not tokenizable (an unfinished string or comment).
 */
typedef int (*sc_lex_inject_cb)(void *arg, int line, const char *dns, const char *rule);
int sc_lex_injects(const char *src, size_t len, sc_lex_inject_cb cb, void *arg);

#endif
