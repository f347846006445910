/*
 * junit.c -- junit.xml for CI: <testsuites> holding one <testsuite> named
 * after the scenario, one <testcase> per expectation, a <failure> for each
 * that failed.  The shape is the one Jenkins, GitLab, GitHub test reporters
 * and Azure all read (attributes name/tests/failures/errors/skipped/time).
 *
 * Text is escaped for XML 1.0, which cannot carry most C0 control
 * characters at all, not even as references: those, and invalid UTF-8,
 * become U+FFFD.
 */
#include "model/result.h"
#include "lib/utf8.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static bool
xml_char_ok(uint32_t cp)
{
	return cp == 0x9 || cp == 0xA || cp == 0xD ||
	    (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
	    (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* attr: inside a "..." attribute, where newlines and tabs must be
 * references to survive attribute-value normalisation. */
static void
xml_escape(FILE *f, const char *s, bool attr)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);

		if (!xml_char_ok(cp) || (cp == UTF8_REPLACEMENT && n == 1)) {
			fputs("\xEF\xBF\xBD", f);
		} else {
			switch (cp) {
			case '&': fputs("&amp;", f); break;
			case '<': fputs("&lt;", f); break;
			case '>': fputs("&gt;", f); break;
			case '"': fputs(attr ? "&quot;" : "\"", f); break;
			case '\'': fputs(attr ? "&apos;" : "'", f); break;
			case '\n': fputs(attr ? "&#10;" : "\n", f); break;
			case '\r': fputs("&#13;", f); break;
			case '\t': fputs(attr ? "&#9;" : "\t", f); break;
			default: fwrite(p + i, 1, n, f); break;
			}
		}
		i += n;
	}
}

static void
property(FILE *f, const char *prefix, const char *name, const char *value)
{
	fputs("      <property name=\"", f);
	xml_escape(f, prefix, true);
	xml_escape(f, name, true);
	fputs("\" value=\"", f);
	xml_escape(f, value, true);
	fputs("\"/>\n", f);
}

static void
seconds_attr(FILE *f, uint64_t ms)
{
	fprintf(f, "%" PRIu64 ".%03u", ms / 1000, (unsigned)(ms % 1000));
}

int
result_junit_write(const struct result *r, FILE *f)
{
	size_t failures = 0;
	char seed[32];

	if (r == NULL || f == NULL)
		return DD_EINVAL;
	for (size_t i = 0; i < r->n_expect; i++)
		if (!r->expect[i].pass)
			failures++;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"dnsdrill\" tests=\"%zu\" "
	    "failures=\"%zu\" errors=\"0\" time=\"", r->n_expect, failures);
	seconds_attr(f, r->duration_ms);
	fputs("\">\n  <testsuite name=\"", f);
	xml_escape(f, r->scenario, true);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
	    "skipped=\"0\" time=\"", r->n_expect, failures);
	seconds_attr(f, r->duration_ms);
	fputc('"', f);
	if (r->started != NULL) {
		fputs(" timestamp=\"", f);
		xml_escape(f, r->started, true);
		fputc('"', f);
	}
	fputs(">\n", f);

	fputs("    <properties>\n", f);
	property(f, "", "verdict", result_verdict(r));
	if (r->has_seed) {
		snprintf(seed, sizeof(seed), "%" PRIu64, r->seed);
		property(f, "", "seed", seed);
	}
	if (r->description != NULL)
		property(f, "", "description", r->description);
	for (size_t i = 0; i < r->n_params; i++)
		property(f, "param.", r->params[i].key, r->params[i].value);
	for (size_t i = 0; i < r->n_versions; i++)
		property(f, "version.", r->versions[i].key,
		    r->versions[i].value);
	fputs("    </properties>\n", f);

	for (size_t i = 0; i < r->n_expect; i++) {
		const struct result_expect *e = &r->expect[i];

		fputs("    <testcase classname=\"dnsdrill.", f);
		xml_escape(f, r->scenario, true);
		fputs("\" name=\"", f);
		xml_escape(f, e->metric, true);
		fputc(' ', f);
		xml_escape(f, e->bound, true);
		fputs("\" time=\"0\"", f);
		if (e->pass) {
			fputs("/>\n", f);
			continue;
		}
		fputs(">\n      <failure type=\"expectation\" message=\"", f);
		xml_escape(f, e->message, true);
		fputs("\">", f);
		xml_escape(f, e->message, false);
		fputs("</failure>\n    </testcase>\n", f);
	}

	/* The text summary, for CI pages that show a suite's output. */
	fputs("    <system-out>", f);
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);

		if (mem != NULL) {
			result_text_write(r, mem);
			fclose(mem);
			xml_escape(f, buf, false);
		}
		free(buf);
	}
	fputs("</system-out>\n  </testsuite>\n</testsuites>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return DD_EIO;
	return 0;
}
