/*
 * render.c -- `dnsdrill report DIR`: rebuild report.html from result.json.
 *
 * The only file I/O in reports/: read one file, write one file.  The page
 * is written to a temporary name beside it and renamed into place, so a
 * reader never sees half a report and a failed render keeps the old one.
 */
#include "model/result.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
report_render_dir(const char *dir, struct dd_err *err)
{
	char *json_path = NULL, *html_path = NULL, *tmp_path = NULL;
	char *text = NULL;
	size_t len = 0;
	struct result *r = NULL;
	struct dd_err jerr = { "" };
	FILE *f = NULL;
	int rc;

	if (dir == NULL || dir[0] == '\0') {
		dd_err_set(err, "report: no directory given");
		return DD_EINVAL;
	}
	if (asprintf(&json_path, "%s/result.json", dir) < 0) {
		json_path = NULL;
		goto nomem;
	}
	if (asprintf(&html_path, "%s/report.html", dir) < 0) {
		html_path = NULL;
		goto nomem;
	}
	if (asprintf(&tmp_path, "%s/.report.html.%ld", dir,
	    (long)getpid()) < 0) {
		tmp_path = NULL;
		goto nomem;
	}

	if ((rc = read_all(json_path, &text, &len, err)) != 0)
		goto out;
	if ((rc = result_json_read(text, len, &r, &jerr)) != 0) {
		dd_err_set(err, "%s: %s", json_path, jerr.msg);
		goto out;
	}

	if ((f = fopen(tmp_path, "w")) == NULL) {
		rc = -errno;
		dd_err_set(err, "%s: %s", html_path, strerror(errno));
		goto out;
	}
	rc = result_html_write(r, f);
	if (fclose(f) != 0 && rc == 0)
		rc = DD_EIO;
	f = NULL;
	if (rc != 0) {
		dd_err_set(err, "%s: %s", html_path, rc == DD_EIO ?
		    "write error" : dd_strerror(rc));
		unlink(tmp_path);
		goto out;
	}
	if (rename(tmp_path, html_path) != 0) {
		rc = -errno;
		dd_err_set(err, "%s: %s", html_path, strerror(errno));
		unlink(tmp_path);
		goto out;
	}
	rc = 0;
	goto out;
nomem:
	dd_err_set(err, "report: out of memory");
	rc = DD_ENOMEM;
out:
	result_free(r);
	free(text);
	free(json_path);
	free(html_path);
	free(tmp_path);
	return rc;
}
