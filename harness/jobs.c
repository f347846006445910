/*
 * jobs.c -- see jobs.h.  The parent's loop: start tasks while a slot is
 * free, then poll the children's pipes and a signalfd (SIGCHLD, and the
 * signals that stop everything); a child that has ended is reaped with
 * waitpid on its own pid (never -1: the caller may have children of its
 * own), its pipes drained, and the done callback told.  Nothing here knows
 * what a run is.
 */
#include "harness/jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"

unsigned
jobs_auto(long ncpu)
{
	long n = (ncpu < 1 ? 1 : ncpu) * 4;

	return n > JOBS_MAX ? JOBS_MAX : (unsigned)n;
}

int
jobs_parse(const char *arg, long ncpu, unsigned *out, struct dd_err *err)
{
	uint64_t n;

	if (strcmp(arg, "auto") == 0) {
		*out = jobs_auto(ncpu);
		return 0;
	}
	if (dd_parse_u64(arg, &n) < 0 || n > JOBS_MAX) {
		dd_err_set(err, "--jobs '%s': expected a count from 1 to %d, or 0 or auto "
		    "(4 per CPU)", arg, JOBS_MAX);
		return DD_EINVAL;
	}
	*out = n == 0 ? jobs_auto(ncpu) : (unsigned)n;
	return 0;
}

char *
jobs_reason(const struct jobs_task *t, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (t->state != JOBS_DONE)
		snprintf(buf, len, "not started");
	else if (t->signo != 0)
		snprintf(buf, len, "killed by signal %d (%s)", t->signo, strsignal(t->signo));
	else if (t->code < 0 || t->code > 3)
		snprintf(buf, len, "exited with status %d", t->code);
	return buf;
}

/* One line out, label first, in one write so lines never mix. */
static void
put_line(struct jobs_task *t, const char *s, size_t n, FILE *f)
{
	size_t k = n;

	while (k > 0 && (s[k - 1] == '\r'))
		k--;
	fprintf(f, "[%s] %.*s\n", t->label ? t->label : "?", (int)k, s);
	fflush(f);
	if (k > 0)
		snprintf(t->last, sizeof(t->last), "%.*s", (int)k, s);
}

void
jobs_feed(struct jobs_task *t, const char *buf, size_t n, FILE *f)
{
	if (n == 0) {
		if (t->nline > 0)
			put_line(t, t->line, t->nline, f);
		t->nline = 0;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			put_line(t, t->line, t->nline, f);
			t->nline = 0;
			continue;
		}
		if (t->nline == sizeof(t->line)) {
			/* a very long line: out in pieces */
			put_line(t, t->line, t->nline, f);
			t->nline = 0;
		}
		t->line[t->nline++] = buf[i];
	}
}

void
jobs_fini(struct jobs *j)
{
	for (size_t i = 0; j->t != NULL && i < j->n; i++) {
		free(j->t[i].data);
		j->t[i].data = NULL;
		j->t[i].ndata = 0;
	}
}

/* ---------------- the parent's loop ---------------- */

struct pool {
	struct jobs *j;
	FILE *log;
	int sigfd;
	sigset_t old;           /* the caller's mask, for the children */
	unsigned running;
	size_t next;            /* the next task to start */
	bool stop;              /* start no more */
};

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* In the child: everything of the parent's loop closed, output into the
 * pipe, the task run, its status the exit status. */
static void
child(struct pool *p, size_t i, int out_w, int data_w)
{
	struct jobs *j = p->j;
	sigset_t mask;
	int rc;

	close(p->sigfd);
	for (size_t k = 0; k < j->n; k++) {
		if (j->t[k].state == JOBS_RUNNING) {
			close_fd(&j->t[k].out);
			close_fd(&j->t[k].dfd);
		}
	}
	/* SIGCHLD back as the caller had it; SIGINT/TERM/HUP stay blocked
	 * until the run reads them from its own signalfd */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(sigismember(&p->old, SIGCHLD) ? SIG_BLOCK : SIG_UNBLOCK, &mask, NULL);
	if (dup2(out_w, 1) < 0 || dup2(out_w, 2) < 0)
		_exit(3);
	close(out_w);
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IOLBF, 0);
	rc = j->run(j->arg, i, data_w);
	fflush(NULL);
	close(data_w);
	_exit(rc);
}

static int
start(struct pool *p, size_t i, struct dd_err *err)
{
	struct jobs_task *t = &p->j->t[i];
	int outp[2] = { -1, -1 }, datp[2] = { -1, -1 };
	pid_t pid;

	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(datp, O_CLOEXEC) < 0) {
		dd_err_set(err, "jobs: pipe for '%s': %s", t->label, strerror(errno));
		goto fail;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		dd_err_set(err, "jobs: fork for '%s': %s", t->label, strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		close(outp[0]);
		close(datp[0]);
		child(p, i, outp[1], datp[1]);
	}
	close(outp[1]);
	close(datp[1]);
	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	fcntl(datp[0], F_SETFL, O_NONBLOCK);
	t->pid = pid;
	t->out = outp[0];
	t->dfd = datp[0];
	t->state = JOBS_RUNNING;
	t->code = -1;
	t->t0_us = dd_now_us();
	p->running++;
	if (p->running > p->j->peak)
		p->j->peak = p->running;
	return 0;
fail:
	for (int k = 0; k < 2; k++) {
		close_fd(&outp[k]);
		close_fd(&datp[k]);
	}
	return DD_EIO;
}

/* Read what *fd has now into buf; 0 at EOF or an error (then *fd is
 * closed), -1 when nothing more is there yet, else the byte count. */
static ssize_t
read_some(int *fd, char *buf, size_t len)
{
	ssize_t n;

	if (*fd < 0)
		return 0;
	while ((n = read(*fd, buf, len)) < 0 && errno == EINTR)
		;
	if (n > 0)
		return n;
	if (n < 0 && errno == EAGAIN)
		return -1;
	close_fd(fd);
	return 0;
}

/* Read what is there; EOF closes the pipe. */
static void
drain(struct pool *p, struct jobs_task *t)
{
	char buf[4096];
	ssize_t n;

	while ((n = read_some(&t->out, buf, sizeof(buf))) > 0)
		jobs_feed(t, buf, (size_t)n, p->log);
	while ((n = read_some(&t->dfd, buf, sizeof(buf))) > 0) {
		char *d = realloc(t->data, t->ndata + (size_t)n + 1);
		if (d == NULL)
			continue;   /* the result is lost; the row will say so */
		memcpy(d + t->ndata, buf, (size_t)n);
		t->data = d;
		t->ndata += (size_t)n;
		t->data[t->ndata] = '\0';
	}
}

/* Pass a stopping signal on to every child still running. */
static void
forward(struct pool *p, int signo)
{
	for (size_t i = 0; i < p->j->n; i++)
		if (p->j->t[i].state == JOBS_RUNNING)
			kill(p->j->t[i].pid, signo);
}

/* Reap the children that have ended. */
static void
reap(struct pool *p)
{
	struct jobs *j = p->j;

	for (size_t i = 0; i < j->n; i++) {
		struct jobs_task *t = &j->t[i];
		int st;
		pid_t w;

		if (t->state != JOBS_RUNNING)
			continue;
		while ((w = waitpid(t->pid, &st, WNOHANG)) < 0 && errno == EINTR)
			;
		if (w == 0)
			continue;
		/* everything it wrote before it ended is in the pipes; a
		 * leftover writer (a grandchild) must not keep us waiting */
		drain(p, t);
		jobs_feed(t, NULL, 0, p->log);
		close_fd(&t->out);
		close_fd(&t->dfd);
		t->state = JOBS_DONE;
		t->secs = (double)(dd_now_us() - t->t0_us) / 1e6;
		if (w < 0) {
			t->code = -1;
		} else if (WIFSIGNALED(st)) {
			t->signo = WTERMSIG(st);
		} else {
			t->code = WEXITSTATUS(st);
		}
		p->running--;
		if (j->done != NULL) {
			enum jobs_next nx = j->done(j->arg, i, t);
			if (nx != JOBS_GO_ON)
				p->stop = true;
			if (nx == JOBS_STOP_ALL)
				forward(p, SIGINT);
		}
	}
}

static void
on_signals(struct pool *p)
{
	struct signalfd_siginfo si;

	while (read(p->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if ((int)si.ssi_signo == SIGCHLD)
			continue;
		if (!p->j->interrupted)
			p->j->signo = (int)si.ssi_signo;
		p->j->interrupted = true;
		p->stop = true;
		forward(p, (int)si.ssi_signo);
	}
}

int
jobs_run(struct jobs *j, struct dd_err *err)
{
	struct pool p = { .j = j, .log = j->log ? j->log : stderr, .sigfd = -1 };
	struct pollfd *pf;
	sigset_t mask;
	int rc = 0;

	j->interrupted = false;
	j->signo = 0;
	j->peak = 0;
	for (size_t i = 0; i < j->n; i++) {
		j->t[i].state = JOBS_WAITING;
		j->t[i].out = j->t[i].dfd = -1;
		j->t[i].code = -1;
	}
	if (j->max < 1)
		j->max = 1;
	pf = calloc(2 * (size_t)j->max + 1, sizeof(*pf));
	if (pf == NULL) {
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	/* the stopping signals stay blocked afterwards, as a run leaves
	 * them (run.c); SIGCHLD goes back as it was */
	sigprocmask(SIG_BLOCK, &mask, &p.old);
	p.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (p.sigfd < 0) {
		dd_err_set(err, "jobs: signalfd: %s", strerror(errno));
		rc = DD_EIO;
		goto out;
	}
	for (;;) {
		size_t npf = 0;

		while (!p.stop && p.running < j->max && p.next < j->n) {
			if ((rc = start(&p, p.next, err)) < 0) {
				p.stop = true;
				break;
			}
			p.next++;
		}
		if (p.running == 0)
			break;
		pf[npf++] = (struct pollfd){ .fd = p.sigfd, .events = POLLIN };
		for (size_t i = 0; i < j->n && npf < 2 * (size_t)j->max + 1; i++) {
			struct jobs_task *t = &j->t[i];
			if (t->state != JOBS_RUNNING)
				continue;
			if (t->out >= 0)
				pf[npf++] = (struct pollfd){ .fd = t->out, .events = POLLIN };
			if (t->dfd >= 0)
				pf[npf++] = (struct pollfd){ .fd = t->dfd, .events = POLLIN };
		}
		/* a second's timeout: a lost SIGCHLD costs at most that */
		if (poll(pf, npf, 1000) < 0 && errno != EINTR) {
			dd_err_set(err, "jobs: poll: %s", strerror(errno));
			rc = DD_EIO;
			forward(&p, SIGTERM);
			while (p.running > 0) {
				usleep(100000);
				reap(&p);
			}
			break;
		}
		on_signals(&p);
		for (size_t i = 0; i < j->n; i++)
			if (j->t[i].state == JOBS_RUNNING)
				drain(&p, &j->t[i]);
		reap(&p);
	}
out:
	if (p.sigfd >= 0) {
		on_signals(&p);
		close(p.sigfd);
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	if (!sigismember(&p.old, SIGCHLD))
		sigprocmask(SIG_UNBLOCK, &mask, NULL);
	free(pf);
	return rc;
}
