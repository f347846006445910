/*
 * proc.c -- see proc.h.  Each of a process's stdout and stderr is a pipe
 * whose reading end sits on the event loop: bytes are read as they arrive,
 * appended to the process's file (NAME.stdout / NAME.stderr in the run's
 * folder, kept as before) and cut into lines, each handed on with the time
 * it was read.  The pipes are made large (1 MiB when the system allows) so
 * a burst of output does not stall the child while the loop is busy; the
 * loop runs for the whole life of a run's processes.
 */
#include "harness/proc.h"
#include "harness/rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/evloop.h"
#include "lib/log.h"
#include "netns/netns.h"
#include "lib/util.h"

#define LINE_MAX_BYTES 4096
#define PIPE_BYTES (1 << 20)

struct stream {
	struct proc *owner;
	int idx;                 /* 0 stdout, 1 stderr */
	char *path;
	int file;                /* the output file, appended to; -1 before the first start */
	int rfd;                 /* the pipe's reading end, on the loop; -1 when closed */
	char buf[LINE_MAX_BYTES];
	size_t len;
};

struct proc {
	struct ev_loop *loop;
	struct netns_topo *topo;
	char *name, *host, *cwd;
	char *user, *group;          /* NULL: no privilege drop */
	char **argv, **envp;
	pid_t pid;
	int pidfd;
	bool running, stopping;
	struct stream out[2];
	proc_line_cb on_line;
	proc_exit_cb on_exit;
	void *arg;
};

static char **
dup_vec(const char *const *v)
{
	size_t n = 0;
	char **r;
	if (v == NULL)
		return NULL;
	while (v[n])
		n++;
	r = calloc(n + 1, sizeof(*r));
	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		r[i] = strdup(v[i]);
	return r;
}

static void
free_vec(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

struct proc *
proc_new(struct ev_loop *loop, struct netns_topo *topo, const struct proc_spec *s,
    proc_line_cb on_line, proc_exit_cb on_exit, void *arg)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->loop = loop;
	p->topo = topo;
	p->pid = -1;
	p->pidfd = -1;
	p->name = strdup(s->name);
	p->host = s->host ? strdup(s->host) : NULL;
	p->cwd = s->cwd ? strdup(s->cwd) : NULL;
	p->user = s->user ? strdup(s->user) : NULL;
	p->group = s->group ? strdup(s->group) : NULL;
	p->argv = dup_vec(s->argv);
	p->envp = dup_vec(s->envp);
	p->on_line = on_line;
	p->on_exit = on_exit;
	p->arg = arg;
	for (int i = 0; i < 2; i++) {
		p->out[i].owner = p;
		p->out[i].idx = i;
		p->out[i].file = -1;
		p->out[i].rfd = -1;
		if (asprintf(&p->out[i].path, "%s/%s.%s", s->out_dir, s->name,
		    i ? "stderr" : "stdout") < 0)
			p->out[i].path = NULL;
	}
	if (!p->name || (s->host && !p->host) || !p->argv || !p->out[0].path || !p->out[1].path ||
	    (s->user && !p->user) || (s->group && !p->group)) {
		proc_free(p);
		return NULL;
	}
	return p;
}

static void
emit_lines(struct proc *p, int i, bool flush, uint64_t t_us)
{
	struct stream *s = &p->out[i];
	size_t start = 0;

	for (size_t k = 0; k < s->len; k++) {
		if (s->buf[k] != '\n')
			continue;
		s->buf[k] = '\0';
		if (k > start && s->buf[k - 1] == '\r')
			s->buf[k - 1] = '\0';
		if (p->on_line)
			p->on_line(p->arg, p, i + 1, s->buf + start, t_us);
		start = k + 1;
	}
	if (start > 0) {
		memmove(s->buf, s->buf + start, s->len - start);
		s->len -= start;
	}
	/* an overlong line, or the last line at exit: pass it as it is */
	if (s->len == sizeof(s->buf) - 1 || (flush && s->len > 0)) {
		s->buf[s->len] = '\0';
		if (p->on_line)
			p->on_line(p->arg, p, i + 1, s->buf, t_us);
		s->len = 0;
	}
}

/* Append n bytes to the stream's file (a failure is reported once, the
 * lines still go on to the watches). */
static void
to_file(struct stream *s, const char *b, size_t n)
{
	while (n > 0 && s->file >= 0) {
		ssize_t w = write(s->file, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_warn("%s", s->path);
			close(s->file);
			s->file = -1;
			return;
		}
		b += w;
		n -= (size_t)w;
	}
}

static void
close_pipe(struct stream *s)
{
	if (s->rfd < 0)
		return;
	ev_io_del(s->owner->loop, s->rfd);
	close(s->rfd);
	s->rfd = -1;
}

/*
 * Read what the pipe holds now, into the file and (when emit) the line
 * callback, each read stamped with the monotonic time it returned.  At the
 * end of the output (every writer gone) the last partial line is passed on
 * and the pipe closed.
 */
static void
drain(struct stream *s, bool emit)
{
	struct proc *p = s->owner;

	while (s->rfd >= 0) {
		ssize_t n = read(s->rfd, s->buf + s->len, sizeof(s->buf) - 1 - s->len);
		uint64_t t = dd_now_us();

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			if (emit)
				emit_lines(p, s->idx, true, t);
			s->len = 0;
			close_pipe(s);
			return;
		}
		to_file(s, s->buf + s->len, (size_t)n);
		s->len += (size_t)n;
		if (emit)
			emit_lines(p, s->idx, false, t);
		else
			s->len = 0;
	}
}

static void
on_output(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	drain(arg, true);
}

void
proc_poll_output(struct proc *p)
{
	for (int i = 0; i < 2; i++)
		drain(&p->out[i], true);
}

static void
reap(struct proc *p)
{
	int status = 0, code = -1, sig = 0;

	if (p->pid <= 0)
		return;
	if (waitpid(p->pid, &status, WNOHANG) <= 0)
		return;
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		sig = WTERMSIG(status);
	p->running = false;
	p->pid = -1;
	if (p->pidfd >= 0) {
		ev_io_del(p->loop, p->pidfd);
		close(p->pidfd);
		p->pidfd = -1;
	}
	/* the last words: read what is left before telling anyone (a
	 * child that outlives it may still write: its pipe stays open) */
	proc_poll_output(p);
	for (int i = 0; i < 2; i++)
		emit_lines(p, i, true, dd_now_us());
	if (p->on_exit)
		p->on_exit(p->arg, p, code, sig);
}

static void
on_pidfd(struct ev_loop *loop, int fd, unsigned events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	reap(arg);
}

/* The pipe of stream s for a new start: its file created at the first
 * start (a new file: nothing already at that path, a planted link
 * included, is opened) and kept open after, a fresh pipe on the loop.
 * Returns the writing end for the child, or -1 with err set. */
static int
open_stream(struct proc *p, struct stream *s, struct dd_err *err)
{
	int fds[2];

	if (s->file < 0 && (s->file = dd_open_new(s->path, 0644)) < 0) {
		dd_err_set(err, "process '%s': %s: %s", p->name, s->path, strerror(-s->file));
		s->file = -1;
		return -1;
	}
	/* what is left of an earlier life (a grandchild's pipe) ends here */
	drain(s, true);
	close_pipe(s);
	s->len = 0;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		dd_err_set(err, "process '%s': pipe: %s", p->name, strerror(errno));
		return -1;
	}
	(void)fcntl(fds[0], F_SETPIPE_SZ, PIPE_BYTES);   /* best effort */
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0 ||
	    ev_io_add(p->loop, fds[0], EV_READ, on_output, s) < 0) {
		dd_err_set(err, "process '%s': pipe: %s", p->name, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	s->rfd = fds[0];
	return fds[1];
}

int
proc_start(struct proc *p, struct dd_err *err)
{
	struct netns_spawn_opts o = {
		.argv = (const char *const *)p->argv,
		.envp = (const char *const *)p->envp,
		.cwd = p->cwd,
	};
	int w[2] = { -1, -1 };
	struct proc_ids ids;
	pid_t pid;
	int rc;

	if (p->user != NULL) {
		/* looked up again at each start: check time was another moment */
		if (proc_ids_lookup(p->user, p->group, &ids, err) < 0) {
			char why[sizeof(err->msg)];
			snprintf(why, sizeof(why), "%s", err->msg);
			dd_err_set(err, "process '%s': %s", p->name, why);
			return DD_EINVAL;
		}
		o.set_ids = true;
		o.uid = ids.uid;
		o.gid = ids.gid;
		o.groups = ids.groups;
		o.ngroups = ids.ngroups;
	}
	for (int i = 0; i < 2; i++)
		if ((w[i] = open_stream(p, &p->out[i], err)) < 0)
			goto fail;
	o.stdout_fd = w[0];
	o.stderr_fd = w[1];
	rc = proc_spawn(p->topo, p->host, &o, &pid, err);
	close(w[0]);
	close(w[1]);
	w[0] = w[1] = -1;
	if (rc < 0) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		dd_err_set(err, "process '%s': %s", p->name, why);
		goto fail;
	}
	p->pid = pid;
	p->running = true;
	p->stopping = false;
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p->pidfd < 0 || ev_io_add(p->loop, p->pidfd, EV_READ, on_pidfd, p) < 0) {
		dd_err_set(err, "process '%s': pidfd: %s", p->name, strerror(errno));
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		p->running = false;
		p->pid = -1;
		goto fail;
	}
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (w[i] >= 0)
			close(w[i]);
		close_pipe(&p->out[i]);
	}
	return DD_EIO;
}

int
proc_signal(struct proc *p, int sig)
{
	if (!p->running || p->pid <= 0)
		return DD_ENOTFOUND;
	p->stopping = true;
	/* the whole process group: netns_spawn makes the child a group leader */
	if (kill(-p->pid, sig) < 0 && kill(p->pid, sig) < 0)
		return -errno;
	return 0;
}

bool
proc_running(const struct proc *p)
{
	return p->running;
}

bool
proc_stopping(const struct proc *p)
{
	return p->stopping;
}

pid_t
proc_pid(const struct proc *p)
{
	return p->pid;
}

const char *
proc_name(const struct proc *p)
{
	return p->name;
}

void
proc_tail(const struct proc *p, char *buf, size_t len, int nlines)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 1; i >= 0 && o + 1 < len; i--) {
		char tail[2048];
		FILE *f = fopen(p->out[i].path, "r");
		long size;
		size_t n;
		if (f == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		fseek(f, size > (long)sizeof(tail) - 1 ? size - (long)sizeof(tail) + 1 : 0, SEEK_SET);
		n = fread(tail, 1, sizeof(tail) - 1, f);
		fclose(f);
		tail[n] = '\0';
		/* keep the last nlines lines */
		char *start = tail + n;
		int seen = 0;
		while (start > tail) {
			if (start[-1] == '\n' && start != tail + n && ++seen > nlines)
				break;
			start--;
		}
		if (*start == '\0')
			continue;
		o += (size_t)snprintf(buf + o, len - o, "  [%s %s]\n", p->name, i ? "stderr" : "stdout");
		for (char *line = start; *line && o + 1 < len;) {
			char *nl = strchr(line, '\n');
			size_t l = nl ? (size_t)(nl - line) : strlen(line);
			o += (size_t)snprintf(buf + o, len - o, "  | %.*s\n", (int)l, line);
			line += l + (nl ? 1 : 0);
		}
	}
}

void
proc_stop_wait(struct proc *p, unsigned grace_ms)
{
	uint64_t deadline;

	if (!p->running)
		return;
	proc_signal(p, SIGTERM);
	deadline = dd_now_ms() + grace_ms;
	while (p->running && dd_now_ms() < deadline)
		ev_loop_once(p->loop, 20000);
	if (p->running) {
		proc_signal(p, SIGKILL);
		if (p->pid > 0) {
			int st;
			waitpid(p->pid, &st, 0);
		}
		reap(p);
		p->running = false;
	}
}

void
proc_free(struct proc *p)
{
	if (p == NULL)
		return;
	if (p->running && p->pid > 0) {
		kill(-p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	if (p->pidfd >= 0) {
		ev_io_del(p->loop, p->pidfd);
		close(p->pidfd);
	}
	for (int i = 0; i < 2; i++) {
		/* what is still in the pipe goes to the file, not to anyone */
		drain(&p->out[i], false);
		close_pipe(&p->out[i]);
		if (p->out[i].file >= 0)
			close(p->out[i].file);
		free(p->out[i].path);
	}
	free(p->name);
	free(p->host);
	free(p->cwd);
	free(p->user);
	free(p->group);
	free_vec(p->argv);
	free_vec(p->envp);
	free(p);
}

int
proc_ids_lookup(const char *user, const char *group, struct proc_ids *ids,
    struct dd_err *err)
{
	const struct passwd *pw = getpwnam(user);
	const struct group *gr;
	int n = PROC_MAX_GROUPS;

	if (pw == NULL) {
		dd_err_set(err, "user '%s': no such user on this machine", user);
		return DD_EINVAL;
	}
	ids->uid = pw->pw_uid;
	ids->gid = pw->pw_gid;
	if (rootless_active() && ids->uid != 0) {
		dd_err_set(err, "user '%s': a rootless run maps only root (uid 0 inside); "
		    "leave `user` out when rootless() (doc/rootless.md)", user);
		return DD_EINVAL;
	}
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			dd_err_set(err, "group '%s': no such group on this machine", group);
			return DD_EINVAL;
		}
		ids->gid = gr->gr_gid;
	}
	if (getgrouplist(user, ids->gid, ids->groups, &n) < 0) {
		dd_err_set(err, "user '%s': in more than %d groups", user, PROC_MAX_GROUPS);
		return DD_EINVAL;
	}
	ids->ngroups = (size_t)n;
	return 0;
}

int
proc_check_exec(const char *argv0, struct dd_err *err)
{
	if (strchr(argv0, '/') != NULL) {
		if (access(argv0, X_OK) == 0)
			return 0;
		dd_err_set(err, "%s: %s", argv0, strerror(errno));
		return DD_ENOTFOUND;
	}
	const char *path = getenv("PATH");
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	char *copy = strdup(path), *save = NULL;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char full[PATH_MAX];
		snprintf(full, sizeof(full), "%s/%s", d, argv0);
		if (access(full, X_OK) == 0) {
			free(copy);
			return 0;
		}
	}
	free(copy);
	dd_err_set(err, "%s: not found in PATH", argv0);
	return DD_ENOTFOUND;
}
