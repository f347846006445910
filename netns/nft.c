/*
 * nft.c -- DNS interception: every UDP and TCP packet to port 53 that
 * leaves a host is DNATed to the given target, so a SUT with a hard-coded
 * resolver address still meets faultd.
 *
 * The rules sit in an nftables nat table inside the host's own namespace,
 * on the output hook (locally generated traffic; loopback excluded, since
 * it never leaves the host).  One table per family rather than one inet
 * table, so kernels without inet-family NAT (before 5.2) work too.  We run
 * the `nft` binary inside the namespace with the ruleset on stdin; a ruleset
 * is applied atomically, so there is nothing to undo but the namespace.
 */
#include "netns/nft.h"

#include "lib/addr.h"
#include "lib/err.h"
#include "netns/journal.h"
#include "netns/topo.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int
nn_nft_ruleset(const struct nn_host *h, char *buf, size_t len)
{
	size_t off = 0;
	int i, n;

	if (h->nicpt == 0)
		return DD_EINVAL;
	buf[0] = '\0';
	for (i = 0; i < h->nicpt; i++) {
		const struct dd_sockaddr *sa = &h->icpt[i];
		bool v6 = sa->u.sa.sa_family == AF_INET6;
		char to[INET6_ADDRSTRLEN + 16];

		dd_sockaddr_str(sa, to, sizeof(to));
		n = snprintf(buf + off, len - off,
		    "table %s dnsdrill {\n"
		    "\tchain intercept {\n"
		    "\t\ttype nat hook output priority -100; policy accept;\n"
		    "\t\toifname != \"lo\" udp dport 53 dnat to %s\n"
		    "\t\toifname != \"lo\" tcp dport 53 dnat to %s\n"
		    "\t}\n"
		    "}\n", v6 ? "ip6" : "ip", to, to);
		if (n < 0 || (size_t)n >= len - off)
			return DD_ENOSPACE;
		off += (size_t)n;
	}
	return (int)off;
}

static void
child_reset_signals(void)
{
	sigset_t none;

	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);  /* EINVAL for KILL/STOP/RT internals: fine */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int
nn_nft_apply(struct nn_jr *j, struct nn_host *h, struct dd_err *e)
{
	static const char *const paths[] = { "nft", "/usr/sbin/nft", "/sbin/nft" };
	static char a0[] = "nft", a1[] = "-f", a2[] = "-";
	char *argv[] = { a0, a1, a2, NULL };
	char rules[1024], errbuf[512];
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, status, rc, len;
	sigset_t all, old;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	if ((len = nn_nft_ruleset(h, rules, sizeof(rules))) < 0)
		return len;
	if ((rc = nn_jr_step(j, NN_JR_NFT, h->nsname, e)) < 0)
		return rc;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		rc = -errno;
		goto done;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		child_reset_signals();
		if (setns(h->fd, CLONE_NEWNET) < 0)
			_exit(126);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			execvp(paths[i], argv);
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		rc = -errno;
		goto done;
	}
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	/* the ruleset is far below the pipe buffer: no deadlock */
	if (write(in[1], rules, (size_t)len) != len)
		rc = -EIO;
	close(in[1]);
	in[1] = -1;
	while (got + 1 < sizeof(errbuf) &&
	    (r = read(out[0], errbuf + got, sizeof(errbuf) - 1 - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		got += (size_t)r;
	}
	errbuf[got] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errbuf[strcspn(errbuf, "\n")] = '\0';
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			dd_err_set(e, "host '%s': DNS interception needs the nft "
			    "program (Debian package nftables)", h->name);
		else
			dd_err_set(e, "host '%s': nft refused the interception "
			    "rules: %s", h->name, errbuf[0] ? errbuf : "no message");
		rc = DD_EIO;
	}
done:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return rc;
}
