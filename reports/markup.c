/*
 * markup.c -- escaping run data for HTML and XML, and seconds for people.
 * One loop for every dialect: decode a character (invalid bytes count as
 * one each), replace it when the language cannot carry it, else write its
 * reference from the table or the character itself.
 */
#include "reports/markup.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "lib/utf8.h"

#define REPLACEMENT "\xEF\xBF\xBD"

/* The references, by dialect (MARKUP_HTML, MARKUP_XML, MARKUP_XML_ATTR);
 * NULL: the character is written as is. */
static const struct {
	char c;
	const char *ref[MARKUP_LANG_COUNT];
} refs[] = {
	{ '&', { "&amp;", "&amp;", "&amp;" } },
	{ '<', { "&lt;", "&lt;", "&lt;" } },
	{ '>', { "&gt;", "&gt;", "&gt;" } },
	{ '"', { "&quot;", NULL, "&quot;" } },
	{ '\'', { "&#39;", NULL, "&apos;" } },
	{ '\n', { NULL, NULL, "&#10;" } },
	{ '\t', { NULL, NULL, "&#9;" } },
	{ '\r', { NULL, "&#13;", "&#13;" } },
};

static bool
can_carry(uint32_t cp, enum markup_lang lang)
{
	if (cp == '\t' || cp == '\n' || cp == '\r')
		return true;
	if (lang == MARKUP_HTML)
		return cp >= 0x20 && !(cp >= 0x7F && cp <= 0x9F);
	/* XML 1.0's Char production (utf8_decode never yields surrogates) */
	return (cp >= 0x20 && cp <= 0xFFFD) || cp >= 0x10000;
}

static const char *
ref_of(uint32_t cp, enum markup_lang lang)
{
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		if ((uint32_t)(unsigned char)refs[i].c == cp)
			return refs[i].ref[lang];
	return NULL;
}

void
markup_put_n(FILE *f, const char *s, size_t max, enum markup_lang lang)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i = 0, chars = 0;

	if (f == NULL || s == NULL || (unsigned)lang >= MARKUP_LANG_COUNT)
		return;
	len = strlen(s);
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);
		const char *ref;

		if (max != 0 && chars == max) {
			fputs("\xE2\x80\xA6", f);
			return;
		}
		if ((n == 1 && cp == UTF8_REPLACEMENT) || !can_carry(cp, lang))
			fputs(REPLACEMENT, f);
		else if (cp < 0x80 && (ref = ref_of(cp, lang)) != NULL)
			fputs(ref, f);
		else
			fwrite(p + i, 1, n, f);
		i += n;
		chars++;
	}
}

void
markup_put(FILE *f, const char *s, enum markup_lang lang)
{
	markup_put_n(f, s, 0, lang);
}

void
markup_secs(char *buf, size_t len, uint64_t ms, const char *unit)
{
	snprintf(buf, len, "%" PRIu64 ".%03u%s", ms / 1000,
	    (unsigned)(ms % 1000), unit != NULL ? unit : "");
}

/* ------------------------------------------------------------------ */
/* Markdown (markup.h): code spans and fenced blocks */

/* The longest run of backticks in s. */
static size_t
md_longest_ticks(const char *s)
{
	size_t best = 0, run = 0;

	for (; *s != '\0'; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static void
md_fence(FILE *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputc('`', f);
}

/* Write s's characters (at most max; 0: all), each that markdown or a
 * table cannot carry replaced: in a span (block false) every control
 * character and line break becomes a space or U+FFFD, '|' "\|" in a cell;
 * in a block line breaks and tabs stay.  Returns whether s was cut. */
static bool
md_chars(FILE *f, const char *s, size_t max, bool block, bool cell,
    int *last)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, chars = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);

		if (max != 0 && chars == max)
			return true;
		*last = 0;
		if (cp == '\t' || cp == '\n' || cp == '\r')
			fputc(*last = block && cp != '\r' ? (int)cp : ' ', f);
		else if ((n == 1 && cp == UTF8_REPLACEMENT) || cp < 0x20 ||
		    (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)
			fputs(REPLACEMENT, f);
		else if (cp == '|' && cell)
			fputs("\\|", f);
		else
			fwrite(p + i, 1, n, f);
		i += n;
		chars++;
	}
	return false;
}

void
markup_md_code(FILE *f, const char *s, size_t max, bool cell)
{
	size_t ticks;
	bool pad;
	int last;

	if (f == NULL)
		return;
	if (s == NULL || s[0] == '\0') {
		fputc('-', f);
		return;
	}
	ticks = md_longest_ticks(s) + 1;
	/* a span that begins or ends with a backtick or a space needs one
	 * space of padding inside the fence (one each side is stripped) */
	pad = s[0] == '`' || s[strlen(s) - 1] == '`' || s[0] == ' ' ||
	    s[strlen(s) - 1] == ' ';
	md_fence(f, ticks);
	if (pad)
		fputc(' ', f);
	if (md_chars(f, s, max, false, cell, &last))
		fputs("\xE2\x80\xA6", f);
	if (pad)
		fputc(' ', f);
	md_fence(f, ticks);
}

void
markup_md_block(FILE *f, const char *s, size_t max)
{
	size_t ticks;
	bool cut;
	int last = '\n';

	if (f == NULL || s == NULL)
		return;
	ticks = md_longest_ticks(s) + 1;
	if (ticks < 3)
		ticks = 3;
	md_fence(f, ticks);
	/* "text": no info string a renderer could take as a language that
	 * runs anything */
	fputs("text\n", f);
	cut = md_chars(f, s, max, true, false, &last);
	if (last != '\n')
		fputc('\n', f);
	if (cut)
		fputs("\xE2\x80\xA6\n", f);
	md_fence(f, ticks);
	fputc('\n', f);
}
