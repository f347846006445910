/*
 * run_scratch.c -- what a declared process gets besides its command: its
 * scratch folder OUT/scratch/NAME (created before every start, mode 0700,
 * owned by the process's user = when given), the files = { ... } written
 * into it before every start, the scratch() placeholders expanded in its
 * cmd, env, cwd and files, and its version = { ... } command, run once in
 * its host before the first start with a bound of RUN_VERSION_TIMEOUT_MS,
 * whose answer goes to result.json `versions`.
 *
 * Everything here happens in the run's output folder, which processes see
 * even when it lies under /tmp or /run (netns_keep, run_build.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/proc.h"
#include "harness/run_internal.h"
#include "lib/util.h"
#include "netns/netns.h"

char *
run_scratch_expand(struct run *r, const struct sc_process *d, const char *text)
{
	struct dd_err e;
	char *x = scenario_scratch_expand(r->sc, d->name, r->out, text, &e);

	if (x == NULL)
		run_fail(r, e.msg[0] && strstr(e.msg, "memory") ? DD_ENOMEM : DD_EINVAL,
		    "%s:%d: process '%s': %s", r->sc->file, d->line, d->name, e.msg);
	return x;
}

void
run_scratch_dir(const struct run *r, const struct sc_process *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s/scratch/%s", r->out, d->name);
}

/* Write text to dir/name through a new file and a rename (never through a
 * link left there), owned by ids when given. */
static int
write_one(struct run *r, const struct sc_process *d, const char *dir, const char *name,
    const char *text, const struct proc_ids *ids)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	size_t len = strlen(text);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.dd-tmp", dir, name);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len ||
	    (ids != NULL && fchown(fd, ids->uid, ids->gid) < 0) || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return run_fail(r, DD_EIO, "process '%s': files: %s: %s", d->name, path,
		    strerror(e));
	}
	return 0;
}

int
run_scratch_prepare(struct run *r, const struct sc_process *d)
{
	char dir[PATH_MAX];
	struct proc_ids ids;
	struct dd_err e;
	int rc;

	snprintf(dir, sizeof(dir), "%s/scratch", r->out);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return run_fail(r, DD_EIO, "%s: %s", dir, strerror(errno));
	run_scratch_dir(r, d, dir, sizeof(dir));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return run_fail(r, DD_EIO, "process '%s': scratch folder %s: %s", d->name, dir,
		    strerror(errno));
	if (d->user != NULL) {
		if (proc_ids_lookup(d->user, d->group, &ids, &e) < 0)
			return run_fail(r, DD_EINVAL, "process '%s': %s", d->name, e.msg);
		if (chown(dir, ids.uid, ids.gid) < 0)
			return run_fail(r, DD_EIO, "process '%s': chown %s: %s", d->name, dir,
			    strerror(errno));
	}
	for (size_t i = 0; i < d->n_files; i++) {
		char *text = run_scratch_expand(r, d, d->files[i].value);
		if (text == NULL)
			return r->rc;
		rc = write_one(r, d, dir, d->files[i].key, text, d->user ? &ids : NULL);
		free(text);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The version in out (the command's output): the first line that looks
 * like one (digits.digits), else the first line; trimmed, at most len. */
static void
pick_version(const char *out, char *buf, size_t len)
{
	regex_t re;
	const char *first = NULL, *pick = NULL;

	buf[0] = '\0';
	if (regcomp(&re, "[0-9]+\\.[0-9]+", REG_EXTENDED | REG_NOSUB) != 0)
		return;
	for (const char *p = out; *p && pick == NULL;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), p);
		size_t k = strspn(line, " \t");
		if (line[k] != '\0') {
			if (first == NULL)
				first = p + k;
			if (regexec(&re, line, 0, NULL, 0) == 0)
				pick = p + k;
		}
		p = nl ? nl + 1 : p + n;
	}
	regfree(&re);
	if (pick == NULL)
		pick = first;
	if (pick == NULL)
		return;
	size_t n = strcspn(pick, "\n");
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), pick);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
}

/* Record d's version (or why there is none) in r->versions. */
static int
set_version(struct run *r, const struct sc_process *d, const char *v)
{
	struct sc_kv *kv = sc_push(&r->versions, &r->n_versions, sizeof(*kv));

	if (kv == NULL || (kv->key = sc_strdup(d->name)) == NULL ||
	    (kv->value = sc_strdup(v)) == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	run_say(r, "version of %s: %s", d->name, v);
	return 0;
}

int
run_scratch_version(struct run *r, const struct sc_process *d)
{
	char path[PATH_MAX], v[RUN_VERSION_MAX], why[sizeof(((struct dd_err *)0)->msg) + 16];
	struct dd_err e = { "" };
	char **argv;
	pid_t pid;
	int rc, status = 0;
	bool done = false;

	if (d->version_argc == 0)
		return 0;
	argv = calloc(d->version_argc + 1, sizeof(char *));
	if (argv == NULL)
		return run_fail(r, DD_ENOMEM, "out of memory");
	for (size_t i = 0; i < d->version_argc; i++)
		if ((argv[i] = run_scratch_expand(r, d, d->version_argv[i])) == NULL) {
			for (size_t k = 0; k < i; k++)
				free(argv[k]);
			free(argv);
			return r->rc;
		}
	snprintf(path, sizeof(path), "%s/%s.version", r->out, d->name);
	struct netns_spawn_opts o = { .argv = (const char *const *)argv, .stdout_path = path,
		.stderr_path = path };
	rc = proc_spawn(r->topo, d->host, &o, &pid, &e);
	for (size_t i = 0; i < d->version_argc; i++)
		free(argv[i]);
	free(argv);
	if (rc < 0) {
		/* informational: the run goes on, the result says why */
		snprintf(why, sizeof(why), "unknown (%s)", e.msg);
		return set_version(r, d, why);
	}
	for (unsigned waited = 0; waited < RUN_VERSION_TIMEOUT_MS; waited += 10) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR)) {
			done = w == pid;
			break;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (!done) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		snprintf(why, sizeof(why), "unknown (%s did not answer in %u s)", d->version_argv[0],
		    RUN_VERSION_TIMEOUT_MS / 1000);
		return set_version(r, d, why);
	}
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = fopen(path, "r");
	if (f != NULL) {
		text = calloc(1, 65536);
		if (text != NULL)
			tlen = fread(text, 1, 65535, f);
		fclose(f);
	}
	(void)tlen;
	pick_version(text ? text : "", v, sizeof(v));
	free(text);
	if (v[0] == '\0')
		snprintf(v, sizeof(v), "unknown (%s printed nothing, status %d)", d->version_argv[0],
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return set_version(r, d, v);
}
