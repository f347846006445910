/*
 * artifacts.c -- putting a run's files on disk: result.json, junit.xml,
 * report.html, and junit.xml again where --junit asks.  The one place
 * reports/ creates files, and the one way it does: a new temporary file
 * beside the target, written, flushed to disk, renamed over the target.  A
 * reader (a CI job, a browser) never sees half a file; a failure keeps the
 * earlier file; and nothing planted in the directory is followed: the
 * temporary file is created with O_EXCL|O_NOFOLLOW, and a target that is a
 * symbolic link is refused (were one planted after the check, rename()
 * would replace the link, not write through it).
 */
#include "reports/report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Tries at a free temporary name before giving up. */
#define TMP_TRIES 100

/* Create "DIR/.BASE.PID.N.tmp" beside path, N the first free one.  Returns
 * the open descriptor and *tmp (the caller frees it), or a negative errno
 * or DD_ENOMEM. */
static int
open_temp(const char *path, char **tmp)
{
	static unsigned serial;
	const char *slash = strrchr(path, '/');
	int dlen = slash != NULL ? (int)(slash - path + 1) : 0;
	const char *base = path + dlen;

	for (int i = 0; i < TMP_TRIES; i++) {
		int fd;

		if (asprintf(tmp, "%.*s.%s.%ld.%u.tmp", dlen, path, base,
		    (long)getpid(), serial++) < 0) {
			*tmp = NULL;
			return DD_ENOMEM;
		}
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0666);
		if (fd >= 0)
			return fd;
		free(*tmp);
		*tmp = NULL;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* Is path something we may replace: absent, or a regular file? */
static int
check_target(const char *path, struct dd_err *err)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		dd_err_set(err, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (S_ISLNK(st.st_mode)) {
		dd_err_set(err, "%s: a symbolic link; not written through or "
		    "replaced", path);
		return DD_EINVAL;
	}
	if (!S_ISREG(st.st_mode)) {
		dd_err_set(err, "%s: not a regular file", path);
		return DD_EINVAL;
	}
	return 0;
}

/* What goes into one file: a single-result writer, or the matrix. */
struct emit {
	report_writer one;
	const struct result *r;
	struct result *const *runs;
	const char *const *labels;
	const char *const *dirs;
	size_t n;
	int (*many)(struct result *const *, size_t, const char *const *,
	    const char *const *, FILE *);
	/* or a group of repeated runs */
	int (*repeat)(const struct report_repeat *, FILE *);
	const struct report_repeat *rp;
};

static int
emit(const struct emit *e, FILE *f)
{
	if (e->repeat != NULL)
		return e->repeat(e->rp, f);
	return e->one != NULL ? e->one(e->r, f) : e->many(e->runs, e->n, e->labels, e->dirs, f);
}

/* The one way a file of a run reaches the disk: checked target, temporary
 * file beside it, written, flushed, renamed. */
static int
write_atomic(const char *path, const struct emit *e, struct dd_err *err)
{
	char *tmp = NULL;
	FILE *f;
	int fd, rc;

	if ((rc = check_target(path, err)) != 0)
		return rc;
	if ((fd = open_temp(path, &tmp)) < 0) {
		dd_err_set(err, "%s: cannot create a temporary file beside it: "
		    "%s", path, dd_strerror(fd));
		return fd;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		close(fd);
		dd_err_set(err, "%s: %s", path, strerror(-rc));
		goto fail;
	}
	rc = emit(e, f);
	if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0)) {
		rc = -errno;
		dd_err_set(err, "%s: %s", path, strerror(-rc));
	} else if (rc != 0) {
		dd_err_set(err, "%s: %s", path, rc == DD_EIO ? "write error" :
		    dd_strerror(rc));
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -errno;
		dd_err_set(err, "%s: %s", path, strerror(-rc));
	}
	if (rc != 0)
		goto fail;
	if (rename(tmp, path) != 0) {
		rc = -errno;
		dd_err_set(err, "%s: %s", path, strerror(-rc));
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return rc;
}

int
report_write_file(const char *path, report_writer writer,
    const struct result *r, struct dd_err *err)
{
	struct emit e = { .one = writer, .r = r };

	if (path == NULL || path[0] == '\0' || writer == NULL || r == NULL) {
		dd_err_set(err, "report: no file or result to write");
		return DD_EINVAL;
	}
	return write_atomic(path, &e, err);
}

/* DIR/NAME from em; 0 or the failure, err naming the file. */
static int
write_in(const char *dir, const char *name, const struct emit *em, struct dd_err *err)
{
	char *path;
	int rc;

	if (asprintf(&path, "%s/%s", dir, name) < 0) {
		dd_err_set(err, "%s/%s: out of memory", dir, name);
		return DD_ENOMEM;
	}
	rc = write_atomic(path, em, err);
	free(path);
	return rc;
}

/* Of several files, every one is attempted and the first failure kept. */
static void
keep_first(int frc, const struct dd_err *e, int *rc, struct dd_err *first)
{
	if (frc != 0 && *rc == 0) {
		*rc = frc;
		*first = *e;
	}
}

int
report_write_matrix_dirs(const char *dir, struct result *const *runs,
    size_t n, const char *const *labels, const char *const *dirs,
    struct dd_err *err)
{
	static const struct {
		const char *name;
		int (*fn)(struct result *const *, size_t, const char *const *,
		    const char *const *, FILE *);
	} files[] = {
		{ "matrix.txt", report_matrix_text_write_dirs },
		{ "matrix.html", report_matrix_html_write_dirs },
	};
	struct dd_err first = { "" }, e = { "" };
	int rc = 0;

	if (dir == NULL || dir[0] == '\0' || (n > 0 && runs == NULL)) {
		dd_err_set(err, "report: no directory or runs to write");
		return DD_EINVAL;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct emit em = { .many = files[i].fn, .runs = runs, .n = n,
		    .labels = labels, .dirs = dirs };

		keep_first(write_in(dir, files[i].name, &em, &e), &e, &rc, &first);
	}
	if (rc != 0)
		dd_err_set(err, "%s", first.msg);
	return rc;
}

int
report_write_matrix(const char *dir, struct result *const *runs, size_t n,
    const char *const *labels, struct dd_err *err)
{
	if (n > 0 && labels == NULL) {
		dd_err_set(err, "report: no directory or runs to write");
		return DD_EINVAL;
	}
	return report_write_matrix_dirs(dir, runs, n, labels, labels, err);
}

int
report_write_repeat(const char *dir, const struct report_repeat *rp,
    struct dd_err *err)
{
	static const struct {
		const char *name;
		int (*fn)(const struct report_repeat *, FILE *);
	} files[] = {
		{ "repeat.json", report_repeat_json_write },
		{ "junit.xml", report_repeat_junit_write },
		{ "report.html", report_repeat_html_write },
	};
	struct dd_err first = { "" }, e = { "" };
	int rc = 0;

	if (dir == NULL || dir[0] == '\0' || rp == NULL || rp->group == NULL) {
		dd_err_set(err, "report: no directory or group to write");
		return DD_EINVAL;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct emit em = { .repeat = files[i].fn, .rp = rp };

		keep_first(write_in(dir, files[i].name, &em, &e), &e, &rc, &first);
	}
	if (rc != 0)
		dd_err_set(err, "%s", first.msg);
	return rc;
}

/*
 * --junit PATH is the user's own choice of place, and may name a stream
 * (/dev/stdout, a pipe a CI step reads): a device or FIFO cannot be
 * replaced by a rename, so it is written straight through; anything else
 * goes the safe way.
 */
static int
write_extra(const char *path, const struct result *res, struct dd_err *err)
{
	struct stat st;
	FILE *f;
	int rc;

	if (stat(path, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
		return report_write_file(path, report_junit_write, res, err);
	if ((f = fopen(path, "w")) == NULL) {
		rc = -errno;
		dd_err_set(err, "%s: %s", path, strerror(errno));
		return rc;
	}
	rc = report_junit_write(res, f);
	if (fclose(f) != 0 && rc == 0)
		rc = DD_EIO;
	if (rc != 0)
		dd_err_set(err, "%s: write error", path);
	return rc;
}

int
report_write_run(const char *dir, const struct result *res,
    const char *extra_junit_path, struct dd_err *err)
{
	static const struct {
		const char *name;
		report_writer writer;
	} files[] = {
		{ "result.json", result_json_write },
		{ "junit.xml", report_junit_write },
		{ "report.html", report_html_write },
	};
	struct dd_err first = { "" }, e = { "" };
	int rc = 0;

	if (dir == NULL || dir[0] == '\0' || res == NULL) {
		dd_err_set(err, "report: no directory or result to write");
		return DD_EINVAL;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct emit em = { .one = files[i].writer, .r = res };

		keep_first(write_in(dir, files[i].name, &em, &e), &e, &rc, &first);
	}
	if (extra_junit_path != NULL)
		keep_first(write_extra(extra_junit_path, res, &e), &e, &rc, &first);
	if (rc != 0)
		dd_err_set(err, "%s", first.msg);
	return rc;
}
