/*
 * proc.c -- see proc.h.  Output is read back from the files the child
 * writes, every 50 ms on a loop timer; that keeps the child's stdout a plain
 * file (no pipe to fill up if we fall behind) and costs nothing when idle.
 */
#include "harness/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

struct stream {
	char *path;
	int fd;                  /* reading side; -1 until the file exists */
	char buf[LINE_MAX_BYTES];
	size_t len;
};

struct proc {
	struct ev_loop *loop;
	struct netns_topo *topo;
	char *name, *host, *cwd;
	char **argv, **envp;
	pid_t pid;
	int pidfd;
	bool running, stopping;
	struct stream out[2];
	struct ev_timer *timer;
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
	p->host = strdup(s->host);
	p->cwd = s->cwd ? strdup(s->cwd) : NULL;
	p->argv = dup_vec(s->argv);
	p->envp = dup_vec(s->envp);
	p->on_line = on_line;
	p->on_exit = on_exit;
	p->arg = arg;
	for (int i = 0; i < 2; i++) {
		p->out[i].fd = -1;
		if (asprintf(&p->out[i].path, "%s/%s.%s", s->out_dir, s->name,
		    i ? "stderr" : "stdout") < 0)
			p->out[i].path = NULL;
	}
	if (!p->name || !p->host || !p->argv || !p->out[0].path || !p->out[1].path) {
		proc_free(p);
		return NULL;
	}
	return p;
}

static void
emit_lines(struct proc *p, int i, bool flush)
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
			p->on_line(p->arg, p, i + 1, s->buf + start);
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
			p->on_line(p->arg, p, i + 1, s->buf);
		s->len = 0;
	}
}

void
proc_poll_output(struct proc *p)
{
	for (int i = 0; i < 2; i++) {
		struct stream *s = &p->out[i];
		if (s->fd < 0)
			s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0)
			continue;
		for (;;) {
			ssize_t n = read(s->fd, s->buf + s->len, sizeof(s->buf) - 1 - s->len);
			if (n <= 0)
				break;
			s->len += (size_t)n;
			emit_lines(p, i, false);
		}
	}
}

static void
on_timer(struct ev_loop *loop, void *arg)
{
	struct proc *p = arg;
	p->timer = NULL;
	proc_poll_output(p);
	if (p->running)
		p->timer = ev_timer_add(loop, 50000, on_timer, p);
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
	/* the last words: read what is left before telling anyone */
	proc_poll_output(p);
	for (int i = 0; i < 2; i++)
		emit_lines(p, i, true);
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

int
proc_start(struct proc *p, struct dd_err *err)
{
	struct netns_spawn_opts o = {
		.argv = (const char *const *)p->argv,
		.envp = (const char *const *)p->envp,
		.cwd = p->cwd,
		.stdout_path = p->out[0].path,
		.stderr_path = p->out[1].path,
	};
	pid_t pid;
	int rc;

	rc = netns_spawn(p->topo, p->host, &o, &pid);
	if (rc < 0) {
		dd_err_set(err, "process '%s': %s", p->name, netns_errmsg(p->topo));
		return DD_EIO;
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
		return DD_EIO;
	}
	p->timer = ev_timer_add(p->loop, 50000, on_timer, p);
	return 0;
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
	ev_timer_cancel(p->loop, p->timer);
	for (int i = 0; i < 2; i++) {
		if (p->out[i].fd >= 0)
			close(p->out[i].fd);
		free(p->out[i].path);
	}
	free(p->name);
	free(p->host);
	free(p->cwd);
	free_vec(p->argv);
	free_vec(p->envp);
	free(p);
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
