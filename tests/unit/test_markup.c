/*
 * test_markup.c -- the one escaper for HTML and XML (reports/markup.c):
 * each dialect's references, what each language cannot carry replaced by
 * U+FFFD, invalid UTF-8, cutting at a character count, NULL safety, and
 * times as seconds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/markup.h"

#define FFFD "\xEF\xBF\xBD"

static char *
put(const char *s, size_t max, enum markup_lang lang)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	markup_put_n(mem, s, max, lang);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

static void
expect(const char *s, enum markup_lang lang, const char *want)
{
	char *got = put(s, 0, lang);

	if (strcmp(got, want) != 0)
		fail_msg("lang %d: '%s' -> '%s', want '%s'", (int)lang, s, got,
		    want);
	free(got);
}

/* The characters markup gives meaning to, per dialect. */
static void
test_references(void **state)
{
	static const char in[] = "<a href='x'>&\"\t\n\r</a>";

	(void)state;
	expect(in, MARKUP_HTML,
	    "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\t\n\r&lt;/a&gt;");
	expect(in, MARKUP_XML,
	    "&lt;a href='x'&gt;&amp;\"\t\n&#13;&lt;/a&gt;");
	expect(in, MARKUP_XML_ATTR,
	    "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&#9;&#10;&#13;&lt;/a&gt;");
	/* nothing to escape: the bytes as they are, multi-byte included */
	expect("plain caf\xc3\xa9 \xf0\x9f\x92\xa5", MARKUP_HTML,
	    "plain caf\xc3\xa9 \xf0\x9f\x92\xa5");
	expect("plain caf\xc3\xa9 \xf0\x9f\x92\xa5", MARKUP_XML_ATTR,
	    "plain caf\xc3\xa9 \xf0\x9f\x92\xa5");
}

/* What a language cannot carry, and invalid UTF-8, become U+FFFD, one per
 * bad byte. */
static void
test_replacement(void **state)
{
	(void)state;
	/* C0 control, DEL, C1 control (U+0085): HTML replaces all three;
	 * XML 1.0 cannot carry the C0 one but can the others */
	expect("a\x01" "b\x7f" "c\xc2\x85" "d", MARKUP_HTML,
	    "a" FFFD "b" FFFD "c" FFFD "d");
	expect("a\x01" "b\x7f" "c\xc2\x85" "d", MARKUP_XML,
	    "a" FFFD "b\x7f" "c\xc2\x85" "d");
	/* U+FFFE and U+FFFF are not XML characters */
	expect("\xef\xbf\xbe\xef\xbf\xbf", MARKUP_XML_ATTR, FFFD FFFD);
	expect("\xef\xbf\xbe", MARKUP_HTML, "\xef\xbf\xbe");
	/* invalid UTF-8: a stray byte, an overlong, a cut character */
	expect("x\xff" "y\xc0\xaf" "z\xe2\x82", MARKUP_HTML,
	    "x" FFFD "y" FFFD FFFD "z" FFFD FFFD);
	expect("x\xff" "y\xc0\xaf" "z\xe2\x82", MARKUP_XML,
	    "x" FFFD "y" FFFD FFFD "z" FFFD FFFD);
	/* an encoded U+FFFD is just a character */
	expect(FFFD, MARKUP_XML, FFFD);
}

/* At most max characters (not bytes), then an ellipsis. */
static void
test_cut(void **state)
{
	char *got;

	(void)state;
	got = put("\xc3\xa9\xc3\xa9<\xc3\xa9", 3, MARKUP_HTML);
	assert_string_equal(got, "\xc3\xa9\xc3\xa9&lt;\xe2\x80\xa6");
	free(got);
	got = put("abc", 3, MARKUP_HTML);
	assert_string_equal(got, "abc");
	free(got);
	got = put("a\xff" "bc", 2, MARKUP_HTML);
	assert_string_equal(got, "a" FFFD "\xe2\x80\xa6");
	free(got);
}

static void
test_null_and_secs(void **state)
{
	char *got, buf[32];

	(void)state;
	got = put(NULL, 0, MARKUP_HTML);
	assert_string_equal(got, "");
	free(got);
	got = put("x", 0, MARKUP_LANG_COUNT);
	assert_string_equal(got, "");
	free(got);
	markup_put(NULL, "x", MARKUP_HTML); /* no stream: nothing */

	markup_secs(buf, sizeof(buf), 12345, " s");
	assert_string_equal(buf, "12.345 s");
	markup_secs(buf, sizeof(buf), 7, "");
	assert_string_equal(buf, "0.007");
	markup_secs(buf, sizeof(buf), UINT64_MAX, NULL);
	assert_string_equal(buf, "18446744073709551.615");
}

static char *
md(const char *s, size_t max, bool cell, bool block)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	assert_non_null(mem);
	if (block)
		markup_md_block(mem, s, max);
	else
		markup_md_code(mem, s, max, cell);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

static void
expect_md(const char *s, size_t max, bool cell, bool block, const char *want)
{
	char *got = md(s, max, cell, block);

	if (strcmp(got, want) != 0)
		fail_msg("md '%s' -> '%s', want '%s'", s, got, want);
	free(got);
}

/* Markdown: a code span with a fence longer than any backtick run,
 * padded when the text starts or ends with one, on one line, '|' escaped
 * in a cell; a fenced block longer than any fence inside. */
static void
test_markdown(void **state)
{
	(void)state;
	expect_md("plain", 0, false, false, "`plain`");
	expect_md("a`b", 0, false, false, "``a`b``");
	expect_md("`x", 0, false, false, "`` `x ``");
	expect_md("x``", 0, false, false, "``` x`` ```");
	expect_md("a|b", 0, true, false, "`a\\|b`");
	expect_md("a|b", 0, false, false, "`a|b`");
	expect_md("l1\nl2\tx\r", 0, true, false, "`l1 l2 x `");
	expect_md("[x](http://e) <b>", 0, false, false, "`[x](http://e) <b>`");
	expect_md("bad\xff\x01", 0, false, false, "`bad" FFFD FFFD "`");
	expect_md("abcdef", 3, false, false, "`abc\xE2\x80\xA6`");
	expect_md(NULL, 0, false, false, "-");
	expect_md("", 0, true, false, "-");
	expect_md("one\n```\ntwo", 0, false, true, "````text\none\n```\ntwo\n````\n");
	expect_md("x\n", 0, false, true, "```text\nx\n```\n");
	expect_md("abcdef", 2, false, true, "```text\nab\n\xE2\x80\xA6\n```\n");
	markup_md_code(NULL, "x", 0, false);
	markup_md_block(NULL, "x", 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_replacement),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_null_and_secs),
		cmocka_unit_test(test_markdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
