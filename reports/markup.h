/*
 * markup.h -- what every writer shares to put run data into a page: one
 * escaper for HTML and XML, and times shown as seconds.
 *
 * Run data is any bytes (SUT log lines, scenario names).  The escaper
 * writes valid UTF-8 that cannot break out of element content or a quoted
 * attribute: invalid UTF-8, and characters the language cannot carry,
 * become U+FFFD; markup characters become references.  The dialects differ
 * only where the languages do (see the table in markup.c).
 */
#ifndef DD_REPORTS_MARKUP_H
#define DD_REPORTS_MARKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum markup_lang {
	/* HTML element content or a quoted attribute value: & < > " '
	 * escaped; C0 controls but tab, LF and CR, DEL and C1 controls
	 * replaced. */
	MARKUP_HTML = 0,
	/* XML 1.0 element content: & < > and CR escaped; what XML 1.0 cannot
	 * carry (most C0 controls, U+FFFE, U+FFFF) replaced. */
	MARKUP_XML,
	/* A quoted XML 1.0 attribute value: as MARKUP_XML, and " ' tab and
	 * LF escaped too, so attribute-value normalisation keeps them. */
	MARKUP_XML_ATTR,
	MARKUP_LANG_COUNT
};

/* Write s escaped for lang to f; NULL writes nothing. */
void markup_put(FILE *f, const char *s, enum markup_lang lang);

/* The same for at most max characters of s (0: all of it), followed by
 * "\xE2\x80\xA6" (an ellipsis) when s was cut. */
void markup_put_n(FILE *f, const char *s, size_t max, enum markup_lang lang);

/*
 * Markdown (GitHub-flavoured, for pull-request comments): run data goes
 * into code spans and fenced code blocks, where markdown interprets
 * nothing -- no emphasis, links, autolinks, HTML, mentions or issue
 * references -- so a hostile name can neither inject a link nor break
 * the layout.  What a span still needs: a backtick fence longer than any
 * run of backticks in the text, a space inside it when the text begins or
 * ends with one, no line break (a table row is one line), and in a table
 * cell '|' written "\|" (GFM splits cells before it parses code spans).
 * Invalid UTF-8 and control characters become U+FFFD, tab and line
 * breaks a space.
 */

/* s as one code span, at most max characters (0: all) then an ellipsis;
 * cell: it goes in a table cell.  NULL or "" writes "-". */
void markup_md_code(FILE *f, const char *s, size_t max, bool cell);

/* s as a fenced code block (its own lines), at most max characters (0:
 * all) then an ellipsis line; line breaks kept, a fence longer than any
 * run of backticks in s.  NULL writes nothing. */
void markup_md_block(FILE *f, const char *s, size_t max);

/* ms as seconds with three decimals and unit after them:
 * markup_secs(buf, len, 12345, " s") is "12.345 s". */
void markup_secs(char *buf, size_t len, uint64_t ms, const char *unit);

#endif
