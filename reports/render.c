/*
 * render.c -- reading a run's result.json back, and `dnsdrill report DIR`:
 * rebuild report.html from it, through the same atomic writer a run uses
 * (artifacts.c), so a failed render keeps the old page.
 */
#include "reports/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A result.json larger than this is not one dnsdrill wrote. */
#define RENDER_MAX_INPUT (512u * 1024 * 1024)

static int
read_all(const char *path, char **out, size_t *lenp, struct dd_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *g;
	size_t len = 0, cap = 0, n;
	int rc;

	if (f == NULL) {
		rc = -errno;
		dd_err_set(err, "%s: %s", path, strerror(errno));
		return rc;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 64 * 1024;
			if (cap > RENDER_MAX_INPUT) {
				dd_err_set(err, "%s: larger than %u MiB", path,
				    RENDER_MAX_INPUT >> 20);
				rc = DD_EINVAL;
				goto fail;
			}
			if ((g = realloc(buf, cap + 1)) == NULL) {
				dd_err_set(err, "%s: out of memory", path);
				rc = DD_ENOMEM;
				goto fail;
			}
			buf = g;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		dd_err_set(err, "%s: read error", path);
		rc = DD_EIO;
		goto fail;
	}
	fclose(f);
	buf[len] = '\0';
	*out = buf;
	*lenp = len;
	return 0;
fail:
	fclose(f);
	free(buf);
	return rc;
}

int
report_read_file(const char *path, struct result **out, struct dd_err *err)
{
	struct dd_err jerr = { "" };
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (out == NULL)
		return DD_EINVAL;
	*out = NULL;
	if (path == NULL) {
		dd_err_set(err, "report: no result.json given");
		return DD_EINVAL;
	}
	if ((rc = read_all(path, &text, &len, err)) != 0)
		return rc;
	if ((rc = result_json_read(text, len, out, &jerr)) != 0)
		dd_err_set(err, "%s: %s", path, jerr.msg);
	free(text);
	return rc;
}

int
report_render_dir(const char *dir, struct dd_err *err)
{
	char *json_path = NULL, *html_path = NULL;
	struct result *r = NULL;
	int rc;

	if (dir == NULL || dir[0] == '\0') {
		dd_err_set(err, "report: no directory given");
		return DD_EINVAL;
	}
	if (asprintf(&json_path, "%s/result.json", dir) < 0)
		json_path = NULL;
	if (asprintf(&html_path, "%s/report.html", dir) < 0)
		html_path = NULL;
	if (json_path == NULL || html_path == NULL) {
		dd_err_set(err, "report: out of memory");
		rc = DD_ENOMEM;
	} else if ((rc = report_read_file(json_path, &r, err)) == 0) {
		rc = report_write_file(html_path, report_html_write, r, err);
	}
	result_free(r);
	free(json_path);
	free(html_path);
	return rc;
}
