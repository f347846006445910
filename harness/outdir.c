/*
 * outdir.c -- see outdir.h.  Emptying walks the tree by file descriptor
 * (openat, fstatat, unlinkat), so a name is looked up only inside the
 * directory already opened: a symbolic link met on the way is unlinked as
 * itself (AT_SYMLINK_NOFOLLOW, O_NOFOLLOW), and a directory swapped for a
 * link between the look and the open is not followed either.  A folder
 * named with --out must be one only the user running dnsdrill can write
 * in (check_owned), so nothing can be planted in it during the run.
 */
#include "harness/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p; 0 or -errno. */
static int
mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Remove what is inside the open directory dfd (path names it for
 * messages; dev is the file system not to leave). */
static int
empty_at(int dfd, const char *path, dev_t dev, struct dd_err *err)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int rc = 0;

	if (d == NULL) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		dd_err_set(err, "%s: %s", path, strerror(-rc));
		return rc;
	}
	while (rc == 0 && (errno = 0, e = readdir(d)) != NULL) {
		struct stat st, sub_st;
		char sub_path[PATH_MAX];
		int sub;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub_path, sizeof(sub_path), "%s/%s", path, e->d_name);
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			rc = -errno;
			dd_err_set(err, "%s: %s", sub_path, strerror(errno));
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (unlinkat(dfd, e->d_name, 0) < 0 && errno != ENOENT) {
				rc = -errno;
				dd_err_set(err, "%s: cannot remove: %s", sub_path, strerror(errno));
			}
			continue;
		}
		if (st.st_dev != dev) {
			dd_err_set(err, "%s: another file system is mounted there; not emptied",
			    sub_path);
			rc = DD_EINVAL;
			break;
		}
		sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 || fstat(sub, &sub_st) < 0 || sub_st.st_dev != st.st_dev ||
		    sub_st.st_ino != st.st_ino) {
			/* gone or replaced since we looked: not ours to follow */
			rc = sub < 0 ? -errno : DD_EINVAL;
			dd_err_set(err, "%s: changed while it was being emptied", sub_path);
			if (sub >= 0)
				close(sub);
			break;
		}
		rc = empty_at(sub, sub_path, dev, err);
		close(sub);
		if (rc == 0 && unlinkat(dfd, e->d_name, AT_REMOVEDIR) < 0) {
			rc = -errno;
			dd_err_set(err, "%s: cannot remove: %s", sub_path, strerror(errno));
		}
	}
	if (rc == 0 && errno != 0) {
		rc = -errno;
		dd_err_set(err, "%s: %s", path, strerror(errno));
	}
	closedir(d);
	return rc;
}

int
outdir_empty(const char *dir, struct dd_err *err)
{
	struct stat st;
	int fd, rc;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		dd_err_set(err, "%s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc == -ENOTDIR ? DD_EINVAL : rc;
	}
	rc = empty_at(fd, dir, st.st_dev, err);
	close(fd);
	return rc;
}

/* 1 when dir holds anything, 0 when empty, or -errno. */
static int
has_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			n = 1;
			break;
		}
	closedir(d);
	return n;
}

/* Is the directory dir one only we can write in?  It must not be a link
 * (with --force, whatever it points at would be emptied), must be ours
 * (owned by the effective user), and no one else may create names in it
 * (not writable by group or others, sticky or not): otherwise another
 * user could plant a link where a file of the run will be written, or
 * swap a folder of it, while we run as root.  0 or DD_EINVAL / -errno. */
static int
check_owned(const char *dir, struct dd_err *err)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), rc;

	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		/* replaced by a link or a file since we looked */
		dd_err_set(err, "--out %s: %s", dir, rc == -ELOOP || rc == -ENOTDIR ?
		    "not a directory of ours (replaced while dnsdrill looked)" :
		    strerror(-rc));
		if (rc == -ELOOP || rc == -ENOTDIR)
			rc = DD_EINVAL;
		if (fd >= 0)
			close(fd);
		return rc;
	}
	close(fd);
	if (st.st_uid != geteuid()) {
		dd_err_set(err, "--out %s: owned by uid %u, not by the user running "
		    "dnsdrill (uid %u): its owner could plant links among the run's "
		    "files; give a directory of your own or a new path", dir,
		    (unsigned)st.st_uid, (unsigned)geteuid());
		return DD_EINVAL;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		dd_err_set(err, "--out %s: writable by %s (mode %04o): another user could "
		    "plant links among the run's files; give a directory only you can "
		    "write in (chmod go-w) or a new path", dir,
		    (st.st_mode & S_IWOTH) ? "everyone" : "its group",
		    (unsigned)(st.st_mode & 07777));
		return DD_EINVAL;
	}
	return 0;
}

int
outdir_prepare(const char *dir, bool force, struct dd_err *err)
{
	struct stat st;
	int rc;

	if (lstat(dir, &st) < 0) {
		if (errno != ENOENT) {
			rc = -errno;
			dd_err_set(err, "--out %s: %s", dir, strerror(errno));
			return rc;
		}
		if ((rc = mkdir_p(dir)) < 0) {
			dd_err_set(err, "--out %s: %s", dir, strerror(-rc));
			return rc;
		}
		/* made by us, unless another got there first */
		return check_owned(dir, err);
	}
	if (S_ISLNK(st.st_mode)) {
		dd_err_set(err, "--out %s: is a symbolic link; give the directory it "
		    "points at", dir);
		return DD_EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		dd_err_set(err, "--out %s: not a directory", dir);
		return DD_EINVAL;
	}
	if ((rc = check_owned(dir, err)) < 0)
		return rc;
	if ((rc = has_entries(dir)) < 0) {
		dd_err_set(err, "--out %s: %s", dir, strerror(-rc));
		return rc;
	}
	if (rc == 0)
		return 0;
	if (!force) {
		dd_err_set(err, "--out %s: the directory is not empty (an earlier run's files "
		    "would mix with this one's); give --force to empty it first, or another "
		    "directory", dir);
		return DD_EINVAL;
	}
	return outdir_empty(dir, err);
}

int
outdir_create_new(const char *base, char *out, size_t len, struct dd_err *err)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(base, '/');
	int rc;

	if (slash != NULL && slash != base) {
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - base), base);
		if ((rc = mkdir_p(parent)) < 0) {
			dd_err_set(err, "%s: %s", parent, strerror(-rc));
			return rc;
		}
	}
	for (unsigned i = 1; i < 1000; i++) {
		int n = i == 1 ? snprintf(out, len, "%s", base) :
		    snprintf(out, len, "%s-%u", base, i);
		if (n < 0 || (size_t)n >= len) {
			dd_err_set(err, "%s: name too long", base);
			return DD_EINVAL;
		}
		if (mkdir(out, 0755) == 0)
			return 0;
		if (errno != EEXIST) {
			rc = -errno;
			dd_err_set(err, "%s: %s", out, strerror(errno));
			return rc;
		}
	}
	dd_err_set(err, "%s: 999 folders of that name already", base);
	return DD_EINVAL;
}
