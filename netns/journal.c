/*
 * journal.c -- the undo journal under ROOT/RUNID/ and its replay.
 *
 * Write-ahead: an entry reaches the journal file before the object it names
 * exists, so a crash at any instant leaves a journal that covers everything
 * (undoing an object that was never made is a harmless ENOENT).  The file
 * is not fsync'ed: it guards against the process dying, not the machine,
 * and a reboot takes the namespaces with it.
 *
 * Replay (nn_jr_undo) must work from a SIGINT/SIGTERM handler, so it touches
 * only memory prepared beforehand and async-signal-safe system calls: no
 * stdio, no malloc, no opendir (getdents64 instead).
 *
 * The signal handlers live here too, since what they do is replay journals:
 * a journal registered with nn_jr_catch_signals() is undone on SIGINT or
 * SIGTERM, and forgotten by nn_jr_free().  A signal that lands while any
 * replay runs is held until it ends (one replay at a time: stop_procs()
 * keeps its tables in static memory).
 *
 * Liveness: the owner holds an exclusive flock on ROOT/RUNID/lock (opened
 * close-on-exec, so spawned programs do not inherit it).  The kernel drops
 * the lock when the owner dies, however it dies; netns_cleanup() treats a
 * run whose lock it can take as dead.
 */
#include "netns/journal.h"
#include "netns/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define JR_DEFAULT_GRACE_MS 2000
#define JR_KILL_WAIT_MS 3000
#define JR_MAX_NS 512
#define JR_MAX_VICTIMS 2048
#define JR_YOUNG_S 10  /* a run dir without a lock file this young is being created */
#define JR_MAX_CAUGHT 16

static void forget_signals(const struct nn_jr *j);

static const char *const kind_names[] = {
	[NN_JR_OWNER] = "owner", [NN_JR_DIR] = "dir", [NN_JR_FILE] = "file",
	[NN_JR_NETNS] = "netns", [NN_JR_LINK] = "link", [NN_JR_NFT] = "nft",
	[NN_JR_PROC] = "proc", [NN_JR_MOUNT] = "mount",
};

const char *
nn_jr_kind_name(int kind)
{
	if (kind <= 0 || kind >= (int)(sizeof(kind_names) / sizeof(kind_names[0])))
		return NULL;
	return kind_names[kind];
}

int
nn_jr_format(const struct nn_jr_entry *en, char *buf, size_t len)
{
	const char *k = nn_jr_kind_name(en->kind);
	size_t i;
	int n;

	if (k == NULL)
		return DD_EINVAL;
	for (i = 0; en->arg[i] != '\0'; i++)
		if (en->arg[i] == '\n')
			return DD_EINVAL;
	n = snprintf(buf, len, "%s %ld %llu %s\n", k, (long)en->pid, en->start,
	    en->arg[0] ? en->arg : "-");
	if (n < 0 || (size_t)n >= len)
		return DD_ENOSPACE;
	return n;
}

int
nn_jr_parse(const char *line, struct nn_jr_entry *en)
{
	char kind[16], arg[NN_JR_PATH_MAX + 1];
	long pid;
	unsigned long long start;
	int k, used = 0;

	memset(en, 0, sizeof(*en));
	if (line == NULL || sscanf(line, "%15s %ld %llu %n", kind, &pid, &start, &used) != 3 ||
	    used == 0)
		return DD_EINVAL;
	for (k = 1; nn_jr_kind_name(k) != NULL; k++)
		if (strcmp(kind, nn_jr_kind_name(k)) == 0)
			break;
	if (nn_jr_kind_name(k) == NULL || pid < 0)
		return DD_EINVAL;
	/* the argument is the rest of the line (paths may hold spaces) */
	snprintf(arg, sizeof(arg), "%s", line + used);
	arg[strcspn(arg, "\n")] = '\0';
	if (arg[0] == '\0' || strlen(arg) >= sizeof(en->arg))
		return DD_EINVAL;
	if (strcmp(arg, "-") == 0)
		arg[0] = '\0';
	/* only absolute, dotless paths for the kinds that remove things */
	if ((k == NN_JR_DIR || k == NN_JR_FILE || k == NN_JR_NETNS || k == NN_JR_MOUNT) &&
	    (arg[0] != '/' || strstr(arg, "/..") != NULL))
		return DD_EINVAL;
	en->kind = k;
	en->pid = (pid_t)pid;
	en->start = start;
	memcpy(en->arg, arg, strlen(arg) + 1);
	return 0;
}

void
nn_jr_init(struct nn_jr *j)
{
	memset(j, 0, sizeof(*j));
	j->fd = -1;
	j->lockfd = -1;
	j->grace_ms = JR_DEFAULT_GRACE_MS;
}

void
nn_jr_free(struct nn_jr *j)
{
	if (j == NULL)
		return;
	forget_signals(j);
	if (j->fd >= 0)
		close(j->fd);
	if (j->lockfd >= 0)
		close(j->lockfd);
	j->fd = j->lockfd = -1;
	free(j->ent);
	j->ent = NULL;
	j->n = 0;
	j->cap = 0;
}

/*
 * Async-signal-safe helpers
 */

/* dst = a b c (any may be NULL); false when it does not fit. */
static bool
cat3(char *dst, size_t len, const char *a, const char *b, const char *c)
{
	const char *parts[3] = { a, b, c };
	size_t n = 0;

	for (int i = 0; i < 3; i++) {
		const char *p = parts[i];
		while (p != NULL && *p != '\0') {
			if (n + 1 >= len)
				return false;
			dst[n++] = *p++;
		}
	}
	dst[n] = '\0';
	return true;
}

static void
utoa(unsigned long v, char *buf, size_t len)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && n < sizeof(tmp));
	for (i = 0; i < n && i + 1 < len; i++)
		buf[i] = tmp[n - 1 - i];
	buf[i] = '\0';
}

unsigned long long
nn_jr_proc_start(pid_t pid)
{
	char path[48], num[24], buf[1024];
	unsigned long long v = 0;
	ssize_t r;
	char *p;
	int fd, field;

	if (pid <= 0)
		return 0;
	utoa((unsigned long)pid, num, sizeof(num));
	cat3(path, sizeof(path), "/proc/", num, "/stat");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	/* the command name may hold anything, so count from its last ')' */
	for (p = buf + r; p > buf && *p != ')'; p--)
		;
	if (*p != ')' || p[1] != ' ')
		return 0;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return 0;  /* exited: no longer holds any namespace */
	for (field = 3; field < 22 && *p != '\0'; p++)
		if (*p == ' ')
			field++;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (unsigned long long)(*p++ - '0');
	return v;
}

static unsigned long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

struct victims {
	pid_t pid[JR_MAX_VICTIMS];
	unsigned long long start[JR_MAX_VICTIMS];
	int n;
};

static void
victim_add(struct victims *v, pid_t pid, unsigned long long start)
{
	for (int i = 0; i < v->n; i++)
		if (v->pid[i] == pid)
			return;
	if (v->n < JR_MAX_VICTIMS) {
		v->pid[v->n] = pid;
		v->start[v->n] = start;
		v->n++;
	}
}

struct nsids {
	dev_t dev[JR_MAX_NS];
	ino_t ino[JR_MAX_NS];
	int n;
};

/* Add every process (but us) whose network namespace is one of ns. */
static void
scan_proc(const struct nsids *ns, struct victims *v)
{
	char buf[4096], path[64];
	struct stat st;
	pid_t self = getpid();
	long nread;
	int fd;

	if (ns->n == 0 || (fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	while ((nread = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < nread;) {
			struct dirent64 *d = (struct dirent64 *)(void *)(buf + off);
			const char *name = d->d_name;
			unsigned long pid = 0;
			off += d->d_reclen;
			if (*name < '1' || *name > '9')
				continue;
			for (; *name >= '0' && *name <= '9'; name++)
				pid = pid * 10 + (unsigned long)(*name - '0');
			if (*name != '\0' || (pid_t)pid == self)
				continue;
			if (!cat3(path, sizeof(path), "/proc/", d->d_name, "/ns/net") ||
			    stat(path, &st) < 0)
				continue;
			for (int i = 0; i < ns->n; i++)
				if (st.st_dev == ns->dev[i] && st.st_ino == ns->ino[i]) {
					victim_add(v, (pid_t)pid, nn_jr_proc_start((pid_t)pid));
					break;
				}
		}
	}
	close(fd);
}

/* Still alive?  Reaps our own children on the way. */
static bool
alive(pid_t pid, unsigned long long start)
{
	int status;
	pid_t r = waitpid(pid, &status, WNOHANG);

	if (r == pid)
		return false;
	if (r == 0)
		return true;  /* our child, still running */
	return start != 0 && nn_jr_proc_start(pid) == start;
}

static int
wait_gone(struct victims *v, unsigned ms)
{
	unsigned long long deadline = now_ms() + ms;
	int left;

	for (;;) {
		left = 0;
		for (int i = 0; i < v->n; i++) {
			if (v->pid[i] == 0)
				continue;
			if (alive(v->pid[i], v->start[i]))
				left++;
			else
				v->pid[i] = 0;
		}
		if (left == 0 || now_ms() >= deadline)
			return left;
		nap_ms(5);
	}
}

static void
signal_all(const struct victims *v, int sig)
{
	for (int i = 0; i < v->n; i++)
		if (v->pid[i] != 0)
			kill(v->pid[i], sig);
}

/* Stop spawned process groups and everything else inside the run's
 * namespaces: SIGTERM, grace, SIGKILL. */
static void
stop_procs(struct nn_jr *j)
{
	static struct victims v;  /* too big for a signal handler's stack */
	static struct nsids ns;
	struct stat nsfs, st;
	int n = (int)j->n;

	v.n = 0;
	ns.n = 0;
	if (stat("/proc/self/ns/net", &nsfs) < 0)
		nsfs.st_dev = 0;
	for (int i = n - 1; i >= 0; i--) {
		struct nn_jr_entry *e = &j->ent[i];
		if (e->done)
			continue;
		if (e->kind == NN_JR_PROC && e->start != 0 && nn_jr_proc_start(e->pid) == e->start) {
			kill(-e->pid, SIGTERM);  /* its group: helpers it forked */
			victim_add(&v, e->pid, e->start);
		} else if (e->kind == NN_JR_PROC) {
			/* gone already; reap it if it is our zombie */
			int status;
			waitpid(e->pid, &status, WNOHANG);
		}
		if (e->kind == NN_JR_NETNS && ns.n < JR_MAX_NS && stat(e->arg, &st) == 0 &&
		    st.st_dev == nsfs.st_dev) {
			ns.dev[ns.n] = st.st_dev;
			ns.ino[ns.n] = st.st_ino;
			ns.n++;
		}
	}
	scan_proc(&ns, &v);
	if (v.n == 0)
		goto out;
	signal_all(&v, SIGTERM);
	wait_gone(&v, j->grace_ms);
	/* late forks show up in a second scan; whatever is left gets
	 * SIGKILL, and so does the group of a leader still alive (a group
	 * whose leader is gone is not signalled by id: the id may be reused) */
	scan_proc(&ns, &v);
	for (int i = 0; i < v.n; i++)
		if (v.pid[i] != 0 && getpgid(v.pid[i]) == v.pid[i])
			kill(-v.pid[i], SIGKILL);
	signal_all(&v, SIGKILL);
	wait_gone(&v, JR_KILL_WAIT_MS);
out:
	for (int i = 0; i < n; i++)
		if (j->ent[i].kind == NN_JR_PROC)
			j->ent[i].done = 1;
}

static int
replay(struct nn_jr *j)
{
	char path[NN_JR_PATH_MAX + 16];
	int rc = 0, n = (int)j->n;

	if (n > 0)
		stop_procs(j);
	for (int i = n - 1; i >= 0; i--) {
		struct nn_jr_entry *e = &j->ent[i];
		if (e->done)
			continue;
		switch (e->kind) {
		case NN_JR_FILE:
			if (unlink(e->arg) < 0 && errno != ENOENT && rc == 0)
				rc = -errno;
			break;
		case NN_JR_DIR:
			/* shared parents (/etc/netns) may hold another run's files */
			if (rmdir(e->arg) < 0 && errno != ENOENT && errno != ENOTEMPTY &&
			    errno != EEXIST && errno != EBUSY && rc == 0)
				rc = -errno;
			break;
		case NN_JR_NETNS:
			/* EINVAL: not mounted (the crash came between the
			 * journal entry and the mount) */
			if (umount2(e->arg, MNT_DETACH) < 0 && errno != EINVAL &&
			    errno != ENOENT && rc == 0)
				rc = -errno;
			if (unlink(e->arg) < 0 && errno != ENOENT && rc == 0)
				rc = -errno;
			break;
		case NN_JR_MOUNT:
			/* EINVAL: not mounted (yet); its directory's entry
			 * comes next and removes it */
			if (umount2(e->arg, MNT_DETACH) < 0 && errno != EINVAL &&
			    errno != ENOENT && rc == 0)
				rc = -errno;
			break;
		default:
			/* links and nft rules die with their namespaces; owner
			 * and proc entries need nothing more */
			break;
		}
		e->done = 1;
	}
	if (j->fd >= 0) {
		close(j->fd);
		j->fd = -1;
	}
	if (j->dir[0] != '\0') {
		if (cat3(path, sizeof(path), j->dir, "/journal", NULL))
			unlink(path);
		if (cat3(path, sizeof(path), j->dir, "/lock", NULL))
			unlink(path);
		if (rmdir(j->dir) < 0 && errno != ENOENT && rc == 0)
			rc = -errno;
		j->dir[0] = '\0';
	}
	if (j->lockfd >= 0) {
		close(j->lockfd);
		j->lockfd = -1;
	}
	return rc;
}

/*
 * Signals: undo on SIGINT/SIGTERM, one replay at a time
 */

static struct nn_jr *volatile caught[JR_MAX_CAUGHT];
static volatile sig_atomic_t replaying;     /* replays under way */
static volatile sig_atomic_t deferred_sig;  /* arrived during one */

static void
undo_caught_and_die(int sig)
{
	for (int i = 0; i < JR_MAX_CAUGHT; i++)
		if (caught[i] != NULL)
			nn_jr_undo(caught[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

int
nn_jr_undo(struct nn_jr *j)
{
	int rc, sig;

	if (j == NULL)
		return 0;
	replaying = replaying + 1;
	rc = replay(j);
	replaying = replaying - 1;
	/* a SIGINT/SIGTERM that arrived meanwhile waited for us */
	if (replaying == 0 && (sig = deferred_sig) != 0) {
		deferred_sig = 0;
		undo_caught_and_die(sig);
	}
	return rc;
}

static void
on_signal(int sig)
{
	int saved = errno;

	if (replaying > 0) {
		/* interrupted a replay: let it finish, it re-raises */
		deferred_sig = sig;
		errno = saved;
		return;
	}
	undo_caught_and_die(sig);
	errno = saved;
}

int
nn_jr_catch_signals(struct nn_jr *j)
{
	struct sigaction sa;
	int i, slot = -1;

	if (j == NULL)
		return DD_EINVAL;
	for (i = 0; i < JR_MAX_CAUGHT; i++) {
		if (caught[i] == j)
			return 0;
		if (caught[i] == NULL && slot < 0)
			slot = i;
	}
	if (slot < 0)
		return DD_ENOSPACE;
	caught[slot] = j;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);  /* one handler at a time */
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -errno;
	return 0;
}

static void
forget_signals(const struct nn_jr *j)
{
	for (int i = 0; i < JR_MAX_CAUGHT; i++)
		if (caught[i] == j)
			caught[i] = NULL;
}

/*
 * Writing
 */

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int
nn_jr_add(struct nn_jr *j, int kind, const char *arg, pid_t pid, unsigned long long start)
{
	struct nn_jr_entry en;
	sigset_t block, old;
	char line[NN_JR_PATH_MAX + 64];
	int rc;

	if (j->fd < 0)
		return DD_EINVAL;
	memset(&en, 0, sizeof(en));
	en.kind = kind;
	en.pid = pid;
	en.start = start;
	if (arg != NULL) {
		if (strlen(arg) >= sizeof(en.arg))
			return DD_ENOSPACE;
		memcpy(en.arg, arg, strlen(arg) + 1);
	}
	if ((rc = nn_jr_format(&en, line, sizeof(line))) < 0)
		return rc;
	/* a teardown from a signal handler must see whole entries only */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	if ((size_t)j->n == j->cap) {
		size_t nc = j->cap ? j->cap * 2 : 64;
		struct nn_jr_entry *p = realloc(j->ent, nc * sizeof(*p));
		if (p == NULL) {
			rc = DD_ENOMEM;
			goto out;
		}
		j->ent = p;
		j->cap = nc;
	}
	if ((rc = write_all(j->fd, line, strlen(line))) < 0)
		goto out;
	j->ent[j->n] = en;
	j->n = j->n + 1;
out:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int
nn_jr_step(struct nn_jr *j, int kind, const char *arg, struct dd_err *e)
{
	char what[NN_JR_PATH_MAX + 16];
	int rc;

	j->step++;
	if (j->hook != NULL) {
		snprintf(what, sizeof(what), "%s %s", nn_jr_kind_name(kind), arg);
		if (j->hook(j->hook_arg, j->step, what) != 0) {
			dd_err_set(e, "injected failure at step %d (%s)", j->step, what);
			return DD_EIO;
		}
	}
	if ((rc = nn_jr_add(j, kind, arg, 0, 0)) < 0)
		dd_err_set(e, "%s/journal: %s", j->dir, dd_strerror(rc));
	return rc;
}

void
nn_jr_disown_last(struct nn_jr *j)
{
	if (j->n > 0)
		j->ent[j->n - 1].done = 1;
}

void
nn_jr_set_hook(struct nn_jr *j, nn_jr_hook fn, void *arg)
{
	j->hook = fn;
	j->hook_arg = arg;
}

static int
mkdir_p(char *path, mode_t mode)
{
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int
nn_jr_open(struct nn_jr *j, const char *root, const char *run_id, struct dd_err *e)
{
	char path[NN_JR_PATH_MAX + 16], rootbuf[NN_JR_PATH_MAX];
	int rc;

	snprintf(rootbuf, sizeof(rootbuf), "%s", root);
	if ((rc = mkdir_p(rootbuf, 0755)) < 0) {
		dd_err_set(e, "%s: cannot create the run root: %s", root, strerror(-rc));
		return rc;
	}
	if ((size_t)snprintf(j->dir, sizeof(j->dir), "%s/%s", root, run_id) >= sizeof(j->dir))
		return DD_ENOSPACE;
	if (mkdir(j->dir, 0700) < 0) {
		rc = -errno;
		if (rc != -EEXIST)
			dd_err_set(e, "%s: %s", j->dir, strerror(errno));
		else
			dd_err_set(e, "run %s already exists (%s)", run_id, j->dir);
		j->dir[0] = '\0';
		return rc;
	}
	snprintf(path, sizeof(path), "%s/lock", j->dir);
	j->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->lockfd < 0 || flock(j->lockfd, LOCK_EX | LOCK_NB) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/journal", j->dir);
	j->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd < 0)
		goto fail;
	return nn_jr_add(j, NN_JR_OWNER, "-", getpid(), nn_jr_proc_start(getpid()));
fail:
	rc = -errno;
	dd_err_set(e, "%s: %s", path, strerror(errno));
	nn_jr_undo(j);
	return rc;
}

/*
 * Reading a dead run's journal
 */

int
nn_jr_load(struct nn_jr *j, const char *dir, struct dd_err *e)
{
	char path[NN_JR_PATH_MAX + 16], *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;
	FILE *f;

	if (strlen(dir) >= sizeof(j->dir))
		return DD_ENOSPACE;
	snprintf(j->dir, sizeof(j->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/journal", dir);
	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : -errno;
	while (getline(&line, &cap, f) > 0) {
		struct nn_jr_entry en;
		lineno++;
		if (line[strlen(line) - 1] != '\n')
			break;  /* torn last line: the owner died mid-write */
		if (nn_jr_parse(line, &en) < 0) {
			dd_err_set(e, "%s:%d: unreadable journal line", path, lineno);
			rc = DD_EINVAL;
			continue;  /* undo what we can read */
		}
		if ((size_t)j->n == j->cap) {
			size_t nc = j->cap ? j->cap * 2 : 64;
			struct nn_jr_entry *p = realloc(j->ent, nc * sizeof(*p));
			if (p == NULL) {
				rc = DD_ENOMEM;
				break;
			}
			j->ent = p;
			j->cap = nc;
		}
		j->ent[j->n] = en;
		j->n = j->n + 1;
	}
	free(line);
	fclose(f);
	return rc;
}

int
netns_cleanup(const char *root, int *removed, struct dd_err *err)
{
	char path[NN_JR_PATH_MAX + 16], dir[NN_JR_PATH_MAX];
	struct dirent *d;
	struct dd_err e1;
	int rc = 0, count = 0;
	DIR *dp;

	if (removed != NULL)
		*removed = 0;
	if (root == NULL)
		root = NN_JR_DEFAULT_ROOT;
	if ((dp = opendir(root)) == NULL) {
		if (errno == ENOENT)
			return 0;
		dd_err_set(err, "%s: %s", root, strerror(errno));
		return -errno;
	}
	while ((d = readdir(dp)) != NULL) {
		struct nn_jr j;
		struct stat st;
		int lockfd, r;

		if (d->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", root, d->d_name) >= sizeof(dir) ||
		    lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(path, sizeof(path), "%s/lock", dir);
		lockfd = open(path, O_RDWR | O_CLOEXEC);
		if (lockfd < 0) {
			/* between mkdir and the lock: a run being born */
			if (errno != ENOENT || time(NULL) - st.st_mtime < JR_YOUNG_S)
				continue;
		} else if (flock(lockfd, LOCK_EX | LOCK_NB) < 0) {
			close(lockfd);  /* its owner is alive */
			continue;
		}
		nn_jr_init(&j);
		e1.msg[0] = '\0';
		r = nn_jr_load(&j, dir, &e1);
		j.lockfd = lockfd;
		if (nn_jr_undo(&j) < 0 && r == 0)
			r = DD_EIO;
		if (r < 0 && rc == 0) {
			rc = r;
			if (e1.msg[0] != '\0')
				dd_err_set(err, "%s", e1.msg);
			else
				dd_err_set(err, "%s: cleanup incomplete", dir);
		}
		nn_jr_free(&j);
		count++;
	}
	closedir(dp);
	if (removed != NULL)
		*removed = count;
	return rc;
}
