/*
 * resolvconf.c -- see resolvconf.h.  The reading side follows glibc's
 * res_init.c: a line "options" then blanks, then space-separated keywords;
 * timeout:N and attempts:N take atoi(N), capped at RES_MAXRETRANS (30) and
 * RES_MAXRETRY (5); a later keyword overrides an earlier one.
 *
 * The writing side states timeout and attempts twice: glibc's timeout:N and
 * attempts:N, and c-ares's older spellings retrans:MS and retry:N.  c-ares
 * until late 2023 (Debian 12 ships 1.18) reads only the latter and would
 * otherwise wait its own 5 s x 4 tries on a host that asked for less;
 * glibc and musl skip options they do not know, and newer c-ares reads
 * both, the same values either way.
 */
#include "harness/resolvconf.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

const char *const resolvconf_option_names[] = { "timeout", "attempts", "ndots", "rotate",
	"edns0", "single_request", "single_request_reopen", "use_vc", "trust_ad", NULL };

static bool
is_addr(const char *s)
{
	unsigned char buf[16];
	char v6[64];
	const char *pct = strchr(s, '%');

	if (inet_pton(AF_INET, s, buf) == 1)
		return true;
	/* fe80::1%eth0: glibc takes a scope after the address */
	if (pct != NULL && (size_t)(pct - s) < sizeof(v6)) {
		memcpy(v6, s, (size_t)(pct - s));
		v6[pct - s] = '\0';
		return pct[1] != '\0' && inet_pton(AF_INET6, v6, buf) == 1;
	}
	return inet_pton(AF_INET6, s, buf) == 1;
}

int
resolvconf_format(const char *const *servers, size_t n,
    const struct resolvconf_opts *o, char **out, struct dd_err *err)
{
	struct dd_buf b = { 0 };
	struct dd_buf opt = { 0 };

	*out = NULL;
	if (n == 0) {
		dd_err_set(err, "no nameserver given");
		return DD_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (servers[i] == NULL || !is_addr(servers[i])) {
			dd_err_set(err, "nameserver '%s' is not an IPv4 or IPv6 address",
			    servers[i] ? servers[i] : "");
			dd_buf_free(&b);
			return DD_EINVAL;
		}
		dd_buf_printf(&b, "nameserver %s\n", servers[i]);
	}
	if (o != NULL) {
		if (o->timeout != RESOLVCONF_UNSET && (o->timeout < 1 || o->timeout > 30)) {
			dd_err_set(err, "options: timeout = %d: glibc takes 1 to 30 seconds", o->timeout);
			goto bad;
		}
		if (o->attempts != RESOLVCONF_UNSET && (o->attempts < 1 || o->attempts > 5)) {
			dd_err_set(err, "options: attempts = %d: glibc takes 1 to 5", o->attempts);
			goto bad;
		}
		if (o->ndots != RESOLVCONF_UNSET && (o->ndots < 0 || o->ndots > 15)) {
			dd_err_set(err, "options: ndots = %d: glibc takes 0 to 15", o->ndots);
			goto bad;
		}
		if (o->timeout != RESOLVCONF_UNSET)
			dd_buf_printf(&opt, " timeout:%d", o->timeout);
		if (o->attempts != RESOLVCONF_UNSET)
			dd_buf_printf(&opt, " attempts:%d", o->attempts);
		if (o->ndots != RESOLVCONF_UNSET)
			dd_buf_printf(&opt, " ndots:%d", o->ndots);
		if (o->rotate)
			dd_buf_printf(&opt, " rotate");
		if (o->edns0)
			dd_buf_printf(&opt, " edns0");
		if (o->single_request)
			dd_buf_printf(&opt, " single-request");
		if (o->single_request_reopen)
			dd_buf_printf(&opt, " single-request-reopen");
		if (o->use_vc)
			dd_buf_printf(&opt, " use-vc");
		if (o->trust_ad)
			dd_buf_printf(&opt, " trust-ad");
		if (o->timeout != RESOLVCONF_UNSET)
			dd_buf_printf(&opt, " retrans:%d", o->timeout * 1000);
		if (o->attempts != RESOLVCONF_UNSET)
			dd_buf_printf(&opt, " retry:%d", o->attempts);
		if (opt.len > 0)
			dd_buf_printf(&b, "options%.*s\n", (int)opt.len, (const char *)opt.data);
	}
	dd_buf_free(&opt);
	if (b.data == NULL || (*out = strndup((const char *)b.data, b.len)) == NULL) {
		dd_buf_free(&b);
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	dd_buf_free(&b);
	return 0;
bad:
	dd_buf_free(&opt);
	dd_buf_free(&b);
	return DD_EINVAL;
}

void
resolvconf_stub_wait(const char *text, int *timeout_s, int *attempts)
{
	*timeout_s = RESOLVCONF_DEFAULT_TIMEOUT;
	*attempts = RESOLVCONF_DEFAULT_ATTEMPTS;
	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > 8 && strncmp(line, "options", 7) == 0 &&
		    (line[7] == ' ' || line[7] == '\t')) {
			for (size_t i = 7; i < len;) {
				while (i < len && (line[i] == ' ' || line[i] == '\t'))
					i++;
				size_t w = i;
				while (i < len && line[i] != ' ' && line[i] != '\t')
					i++;
				if (i - w > 8 && strncmp(line + w, "timeout:", 8) == 0) {
					int v = atoi(line + w + 8);
					*timeout_s = v > 30 ? 30 : v;
				} else if (i - w > 9 && strncmp(line + w, "attempts:", 9) == 0) {
					int v = atoi(line + w + 9);
					*attempts = v > 5 ? 5 : v;
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	if (*timeout_s < 0)
		*timeout_s = 0;
	if (*attempts < 0)
		*attempts = 0;
}

/* "nameserver" lines; what c-ares reads from the options lines: retrans:
 * (ms) and retry: (1.18), else timeout: and attempts: (later versions);
 * -1 where nothing is said.  A later option wins, as in glibc. */
static int
cares_read(const char *text, int *timeout_s, int *tries)
{
	int n = 0, t = -1, a = -1, retrans = -1, retry = -1;

	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > 11 && strncmp(line, "nameserver", 10) == 0 &&
		    (line[10] == ' ' || line[10] == '\t'))
			n++;
		if (len > 8 && strncmp(line, "options", 7) == 0 &&
		    (line[7] == ' ' || line[7] == '\t')) {
			for (size_t i = 7; i < len;) {
				size_t w;

				while (i < len && (line[i] == ' ' || line[i] == '\t'))
					i++;
				w = i;
				while (i < len && line[i] != ' ' && line[i] != '\t')
					i++;
				if (i - w > 8 && strncmp(line + w, "timeout:", 8) == 0)
					t = atoi(line + w + 8);
				else if (i - w > 8 && strncmp(line + w, "retrans:", 8) == 0)
					retrans = (atoi(line + w + 8) + 999) / 1000;
				else if (i - w > 9 && strncmp(line + w, "attempts:", 9) == 0)
					a = atoi(line + w + 9);
				else if (i - w > 6 && strncmp(line + w, "retry:", 6) == 0)
					retry = atoi(line + w + 6);
			}
		}
		line = end ? end + 1 : NULL;
	}
	*timeout_s = retrans > 0 ? retrans : t > 0 ? t : 5;
	*tries = retry > 0 ? retry : a > 0 ? a : 4;
	return n;
}

void
resolvconf_stub_worst(const char *text, struct resolvconf_wait *w)
{
	int n;

	memset(w, 0, sizeof(*w));
	resolvconf_stub_wait(text, &w->timeout_s, &w->attempts);
	n = cares_read(text, &w->cares_timeout_s, &w->cares_tries);
	w->servers = n > 0 ? n : 1;
	/* glibc: MAXNS servers at most */
	n = w->servers > 3 ? 3 : w->servers;
	for (int k = 0; k < n; k++) {
		int s = k == 0 ? w->timeout_s : (w->timeout_s << k) / n;

		w->glibc_s += w->attempts * (s > 0 ? s : 1);
	}
	if (w->cares_tries > 16)
		w->cares_tries = 16;
	for (int t = 0; t < w->cares_tries * w->servers; t++)
		w->cares_s += (long)w->cares_timeout_s << (t / w->servers);
}
