/*
 * topo.c -- the topology model: recording hosts, links, segments,
 * addresses and routes, and validating the whole before anything is built.
 * No system calls beyond memory here (freeing closes what a build left
 * open, nothing more), so all of it is unit-tested.  It calls only the
 * journal: building and tearing down live above, in build.c.
 */
#include "netns/topo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define GROW(arr, n, cap) grow((void **)&(arr), &(cap), (n), sizeof(*(arr)))

static int
grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 8;
	p = realloc(*arr, nc * size);
	if (p == NULL)
		return DD_ENOMEM;
	memset((char *)p + *cap * size, 0, (nc - *cap) * size);
	*arr = p;
	*cap = nc;
	return 0;
}

bool
nn_name_ok(const char *s, size_t max)
{
	size_t n;

	if (s == NULL || *s == '\0')
		return false;
	for (n = 0; s[n] != '\0'; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return n <= max;
}

/* The kernel's dev_valid_name(), plus our refusal of "lo" which every
 * namespace already has. */
bool
nn_ifname_ok(const char *s)
{
	size_t n;

	if (s == NULL || *s == '\0' || strlen(s) > NETNS_IFNAME_MAX)
		return false;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (n = 0; s[n] != '\0'; n++)
		if (s[n] == '/' || s[n] == ':' || s[n] == ' ' ||
		    s[n] == '\t' || s[n] == '\n' || s[n] == '%')
			return false;
	return true;
}

int
nn_prefix_parse(const char *s, bool need_len, struct nn_prefix *p)
{
	struct dd_cidr c;

	memset(p, 0, sizeof(*p));
	if (dd_prefix_parse(s, need_len, &c) < 0)
		return DD_EINVAL;
	p->family = c.family;
	memcpy(p->addr, c.addr, sizeof(p->addr));
	p->len = c.prefix;
	return 0;
}

/* The whole prefix (not just its first address) must lie in 198.18.0.0/15
 * or fd00::/8. */
bool
nn_prefix_allowed(const struct nn_prefix *p)
{
	static const uint8_t v4[4] = { 198, 18, 0, 0 };
	static const uint8_t v6[16] = { 0xfd };

	if (p->family == AF_INET)
		return p->len >= 15 && dd_bits_equal(p->addr, v4, 15);
	if (p->family == AF_INET6)
		return p->len >= 8 && dd_bits_equal(p->addr, v6, 8);
	return false;
}

char *
nn_prefix_str(const struct nn_prefix *p, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (p->family == 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	inet_ntop(p->family, p->addr, ip, sizeof(ip));
	snprintf(buf, len, "%s/%u", ip, p->len);
	return buf;
}

static int
fail(struct netns_topo *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct netns_topo *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err.msg, sizeof(t->err.msg), fmt, ap);
	va_end(ap);
	return DD_EINVAL;
}

static bool
run_id_ok(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9')))
			return false;
	return n >= 1 && n <= NETNS_RUNID_MAX;
}

void
nn_random_run_id(char *out, size_t n)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[16];
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		/* very early boot: pid and clock are unique enough here */
		uint64_t x = (uint64_t)getpid() * 2654435761u ^ (uint64_t)time(NULL);
		for (i = 0; i < sizeof(r); i++, x >>= 3)
			r[i] = (unsigned char)(x * 31 + i);
	}
	for (i = 0; i + 1 < n && i < 6; i++)
		out[i] = al[r[i] % (sizeof(al) - 1)];
	out[i] = '\0';
}

struct netns_topo *
netns_topo_new(const char *run_id)
{
	struct netns_topo *t;

	if (run_id != NULL && !run_id_ok(run_id))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	if (run_id != NULL) {
		snprintf(t->run_id, sizeof(t->run_id), "%s", run_id);
		t->run_id_given = true;
	} else {
		nn_random_run_id(t->run_id, sizeof(t->run_id));
	}
	snprintf(t->root, sizeof(t->root), "%s", NN_JR_DEFAULT_ROOT);
	snprintf(t->etc, sizeof(t->etc), "%s", nn_etc_default());
	nn_jr_init(&t->jr);
	return t;
}

void
netns_topo_free(struct netns_topo *t)
{
	size_t i;

	if (t == NULL)
		return;
	/* memory and fds only: tearing down is netns_teardown()'s job, and
	 * a run left standing keeps its journal for netns_cleanup() */
	nn_jr_free(&t->jr);
	for (i = 0; i < t->nhosts; i++) {
		if (t->hosts[i].fd >= 0)
			close(t->hosts[i].fd);
		free(t->hosts[i].resolv);
		free(t->hosts[i].hosts);
	}
	for (i = 0; i < t->nkeep; i++)
		free(t->keep[i]);
	free(t->hosts);
	free(t->links);
	free(t->addrs);
	free(t->routes);
	free(t);
}

int
netns_keep(struct netns_topo *t, const char *dir)
{
	char real[PATH_MAX];

	if (t == NULL || dir == NULL)
		return DD_EINVAL;
	if (realpath(dir, real) == NULL)
		return fail(t, "keep '%s': %s", dir, strerror(errno));
	if (strlen(real) >= NN_PATH_MAX)
		return fail(t, "keep '%s': path too long", dir);
	if (t->nkeep >= NETNS_KEEP_MAX)
		return fail(t, "keep '%s': more than %d folders", dir, NETNS_KEEP_MAX);
	for (size_t i = 0; i < t->nkeep; i++)
		if (strcmp(t->keep[i], real) == 0)
			return 0;
	if ((t->keep[t->nkeep] = strdup(real)) == NULL)
		return DD_ENOMEM;
	t->nkeep++;
	return 0;
}

int
netns_set_run_root(struct netns_topo *t, const char *dir)
{
	if (t == NULL || dir == NULL || t->built)
		return DD_EINVAL;
	if (dir[0] != '/' || strlen(dir) >= sizeof(t->root))
		return fail(t, "run root '%s': must be an absolute path under %zu characters",
		    dir, sizeof(t->root));
	snprintf(t->root, sizeof(t->root), "%s", dir);
	return 0;
}

static bool etc_rootless;

const char *
nn_etc_default(void)
{
	return etc_rootless ? NN_ETC_DIR_ROOTLESS : NN_ETC_DIR;
}

void
nn_etc_default_rootless(void)
{
	etc_rootless = true;
}

int
netns_set_etc_root(struct netns_topo *t, const char *dir)
{
	if (t == NULL || dir == NULL || t->built)
		return DD_EINVAL;
	if (dir[0] != '/' || strlen(dir) >= sizeof(t->etc))
		return fail(t, "etc root '%s': must be an absolute path under %zu characters",
		    dir, sizeof(t->etc));
	snprintf(t->etc, sizeof(t->etc), "%s", dir);
	return 0;
}

const char *
netns_etc_root(const struct netns_topo *t)
{
	return t == NULL ? NULL : t->etc;
}

void
netns_set_kill_grace(struct netns_topo *t, unsigned ms)
{
	if (t != NULL)
		t->jr.grace_ms = ms;
}

const char *
netns_errmsg(const struct netns_topo *t)
{
	return t == NULL ? "no topology" : t->err.msg;
}

const char *
netns_run_id(const struct netns_topo *t)
{
	return t == NULL ? NULL : t->run_id;
}

void
netns_set_step_hook(struct netns_topo *t, netns_step_hook fn, void *arg)
{
	if (t == NULL)
		return;
	nn_jr_set_hook(&t->jr, fn, arg);
}

struct nn_host *
nn_host_find(const struct netns_topo *t, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < t->nhosts; i++)
		if (strcmp(t->hosts[i].name, name) == 0)
			return &t->hosts[i];
	return NULL;
}

/* Common entry checks for the description calls. */
static int
describing(struct netns_topo *t)
{
	if (t == NULL)
		return DD_EINVAL;
	if (t->built)
		return fail(t, "topology %s is already built; describe before netns_build()",
		    t->run_id);
	t->validated = false;
	return 0;
}

static int
add_node(struct netns_topo *t, const char *name, bool segment)
{
	const char *what = segment ? "segment" : "host";
	struct nn_host *h;
	int rc;

	if ((rc = describing(t)) < 0)
		return rc;
	if (!nn_name_ok(name, NETNS_NAME_MAX))
		return fail(t, "%s '%s': names are 1..%d characters of A-Z a-z 0-9 _ -",
		    what, name ? name : "(null)", NETNS_NAME_MAX);
	if (GROW(t->hosts, t->nhosts, t->caphosts) < 0)
		return DD_ENOMEM;
	h = &t->hosts[t->nhosts++];
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->nsname, sizeof(h->nsname), "dd-%s-%s", t->run_id, name);
	h->segment = segment;
	h->fd = -1;
	return 0;
}

int
netns_host_add(struct netns_topo *t, const char *name)
{
	return add_node(t, name, false);
}

int
netns_segment_add(struct netns_topo *t, const char *name)
{
	return add_node(t, name, true);
}

/* For per-host settings: the host must already be described. */
static struct nn_host *
host_for_setting(struct netns_topo *t, const char *host, const char *what)
{
	struct nn_host *h = nn_host_find(t, host);

	if (h == NULL || h->segment) {
		fail(t, "host '%s': %s for an unknown host", host ? host : "(null)", what);
		return NULL;
	}
	return h;
}

int
netns_host_forward(struct netns_topo *t, const char *host, bool on)
{
	struct nn_host *h;
	int rc;

	if ((rc = describing(t)) < 0)
		return rc;
	if ((h = host_for_setting(t, host, "forwarding")) == NULL)
		return DD_EINVAL;
	h->forward = on;
	return 0;
}

static int
set_text(struct netns_topo *t, const char *host, const char *text, bool resolv)
{
	const char *what = resolv ? "resolv.conf" : "hosts file";
	struct nn_host *h;
	char *copy, **slot;
	int rc;

	if ((rc = describing(t)) < 0)
		return rc;
	if ((h = host_for_setting(t, host, what)) == NULL)
		return DD_EINVAL;
	if (text == NULL || strlen(text) > NETNS_TEXT_MAX)
		return fail(t, "host '%s': %s missing or longer than %d bytes", host,
		    what, NETNS_TEXT_MAX);
	if ((copy = strdup(text)) == NULL)
		return DD_ENOMEM;
	slot = resolv ? &h->resolv : &h->hosts;
	free(*slot);
	*slot = copy;
	return 0;
}

int
netns_host_resolv_conf(struct netns_topo *t, const char *host, const char *text)
{
	return set_text(t, host, text, true);
}

int
netns_host_hosts(struct netns_topo *t, const char *host, const char *text)
{
	return set_text(t, host, text, false);
}

int
netns_host_intercept_dns(struct netns_topo *t, const char *host, const char *target)
{
	struct dd_sockaddr sa;
	struct nn_prefix p;
	struct nn_host *h;
	char ip[INET6_ADDRSTRLEN];
	int rc, i;

	if ((rc = describing(t)) < 0)
		return rc;
	if ((h = host_for_setting(t, host, "DNS interception")) == NULL)
		return DD_EINVAL;
	if (target == NULL || dd_sockaddr_parse(target, 53, &sa) < 0)
		return fail(t, "host '%s': interception target '%s' is not ADDR[:PORT]",
		    host, target ? target : "(null)");
	dd_sockaddr_ip_str(&sa, ip, sizeof(ip));
	if (nn_prefix_parse(ip, false, &p) < 0 || !nn_prefix_allowed(&p))
		return fail(t, "host '%s': interception target %s is outside "
		    "198.18.0.0/15 and fd00::/8", host, ip);
	for (i = 0; i < h->nicpt; i++)
		if (h->icpt[i].u.sa.sa_family == sa.u.sa.sa_family)
			return fail(t, "host '%s': a second %s interception target (%s)",
			    host, p.family == AF_INET ? "IPv4" : "IPv6", target);
	h->icpt[h->nicpt++] = sa;
	return 0;
}

static int
add_link(struct netns_topo *t, const char *a, const char *ifa, const char *b,
    const char *ifb, bool attach)
{
	struct nn_link *l;
	const char *bad;
	int rc;

	if ((rc = describing(t)) < 0)
		return rc;
	if (!nn_name_ok(a, NETNS_NAME_MAX) || !nn_name_ok(b, NETNS_NAME_MAX))
		return fail(t, "link %s - %s: bad host or segment name",
		    a ? a : "(null)", b ? b : "(null)");
	bad = (ifa != NULL && !nn_ifname_ok(ifa)) ? ifa :
	    (ifb != NULL && !nn_ifname_ok(ifb)) ? ifb : NULL;
	if (bad != NULL)
		return fail(t, "link %s - %s: interface name '%s' is not valid "
		    "(1..%d characters, no '/', ':' or spaces)", a, b, bad,
		    NETNS_IFNAME_MAX);
	if (GROW(t->links, t->nlinks, t->caplinks) < 0)
		return DD_ENOMEM;
	l = &t->links[t->nlinks++];
	memset(l, 0, sizeof(*l));
	snprintf(l->a, sizeof(l->a), "%s", a);
	snprintf(l->b, sizeof(l->b), "%s", b);
	/* default names: the other side, cut to what the kernel takes */
	snprintf(l->ifa, sizeof(l->ifa), "%.*s", NETNS_IFNAME_MAX, ifa ? ifa : b);
	if (ifb != NULL)
		snprintf(l->ifb, sizeof(l->ifb), "%s", ifb);
	else if (!attach)
		snprintf(l->ifb, sizeof(l->ifb), "%.*s", NETNS_IFNAME_MAX, a);
	l->attach = attach;
	l->ha = l->hb = -1;
	return 0;
}

int
netns_link_add(struct netns_topo *t, const char *host_a, const char *ifname_a,
    const char *host_b, const char *ifname_b)
{
	return add_link(t, host_a, ifname_a, host_b, ifname_b, false);
}

int
netns_segment_attach(struct netns_topo *t, const char *segment,
    const char *host, const char *ifname)
{
	/* stored host-side first: a = host, b = segment; the bridge port's
	 * name is chosen at validation */
	return add_link(t, host, ifname, segment, NULL, true);
}

int
netns_addr_add(struct netns_topo *t, const char *host, const char *ifname,
    const char *addr)
{
	struct nn_addr *a;
	struct nn_prefix p;
	char buf[64];
	int rc;

	if ((rc = describing(t)) < 0)
		return rc;
	if (!nn_name_ok(host, NETNS_NAME_MAX))
		return fail(t, "address %s: bad host name '%s'", addr ? addr : "(null)",
		    host ? host : "(null)");
	if (ifname == NULL || (!nn_ifname_ok(ifname) && strcmp(ifname, "lo") != 0))
		return fail(t, "host '%s': address %s: interface name '%s' is not valid "
		    "(1..%d characters)", host, addr ? addr : "(null)",
		    ifname ? ifname : "(null)", NETNS_IFNAME_MAX);
	if (nn_prefix_parse(addr, false, &p) < 0)
		return fail(t, "host '%s' %s: '%s' is not an address[/prefix]",
		    host, ifname, addr ? addr : "(null)");
	if (!nn_prefix_allowed(&p))
		return fail(t, "host '%s' %s: address %s is outside 198.18.0.0/15 and "
		    "fd00::/8", host, ifname, nn_prefix_str(&p, buf, sizeof(buf)));
	if (GROW(t->addrs, t->naddrs, t->capaddrs) < 0)
		return DD_ENOMEM;
	a = &t->addrs[t->naddrs++];
	memset(a, 0, sizeof(*a));
	snprintf(a->host, sizeof(a->host), "%s", host);
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	nn_prefix_str(&p, a->text, sizeof(a->text));
	a->p = p;
	a->h = -1;
	return 0;
}

int
netns_route_add(struct netns_topo *t, const char *host, const char *dst,
    const char *via, const char *dev)
{
	struct nn_route r;
	char buf[64];
	int rc;

	if ((rc = describing(t)) < 0)
		return rc;
	memset(&r, 0, sizeof(r));
	r.h = -1;
	snprintf(r.text, sizeof(r.text), "%s via %s dev %s", dst ? dst : "(null)",
	    via ? via : "-", dev ? dev : "-");
	if (!nn_name_ok(host, NETNS_NAME_MAX))
		return fail(t, "route %s: bad host name '%s'", r.text, host ? host : "(null)");
	if (via == NULL && dev == NULL)
		return fail(t, "host '%s': route %s needs a gateway or a device", host, r.text);
	if (via != NULL) {
		if (nn_prefix_parse(via, false, &r.via) < 0 ||
		    r.via.len != (r.via.family == AF_INET ? 32u : 128u))
			return fail(t, "host '%s': route %s: gateway '%s' is not an address",
			    host, r.text, via);
		if (!nn_prefix_allowed(&r.via))
			return fail(t, "host '%s': route %s: gateway %s is outside "
			    "198.18.0.0/15 and fd00::/8", host, r.text, via);
	}
	if (dst != NULL && (strcmp(dst, "default") == 0 || strcmp(dst, "default6") == 0)) {
		r.dst.family = strcmp(dst, "default6") == 0 ? AF_INET6 :
		    r.via.family ? r.via.family : AF_INET;
		r.dst.len = 0;
	} else {
		if (nn_prefix_parse(dst, false, &r.dst) < 0)
			return fail(t, "host '%s': route %s: destination is not 'default' "
			    "or a prefix", host, r.text);
		if (!nn_prefix_allowed(&r.dst))
			return fail(t, "host '%s': route %s: destination %s is outside "
			    "198.18.0.0/15 and fd00::/8", host, r.text,
			    nn_prefix_str(&r.dst, buf, sizeof(buf)));
	}
	if (r.via.family != 0 && r.via.family != r.dst.family)
		return fail(t, "host '%s': route %s mixes IPv4 and IPv6", host, r.text);
	if (dev != NULL && !nn_ifname_ok(dev))
		return fail(t, "host '%s': route %s: bad device name", host, r.text);
	snprintf(r.host, sizeof(r.host), "%s", host);
	if (dev != NULL)
		snprintf(r.dev, sizeof(r.dev), "%s", dev);
	if (GROW(t->routes, t->nroutes, t->caproutes) < 0)
		return DD_ENOMEM;
	t->routes[t->nroutes++] = r;
	return 0;
}

/*
 * Validation
 */

static int
node_index(const struct netns_topo *t, const char *name)
{
	const struct nn_host *h = nn_host_find(t, name);

	return h == NULL ? -1 : (int)(h - t->hosts);
}

/* Is ifname an interface of host h (after the links were resolved)? */
int
nn_ifindex_of(const struct netns_topo *t, int h, const char *ifname)
{
	size_t i;

	if (strcmp(ifname, "lo") == 0)
		return 1;
	for (i = 0; i < t->nlinks; i++) {
		const struct nn_link *l = &t->links[i];
		if (l->ha == h && strcmp(l->ifa, ifname) == 0)
			return l->ixa ? l->ixa : -2;
		if (l->hb == h && strcmp(l->ifb, ifname) == 0)
			return l->ixb ? l->ixb : -2;
	}
	return 0;
}

static int
check_links(struct netns_topo *t)
{
	size_t i, j;

	for (i = 0; i < t->nlinks; i++) {
		struct nn_link *l = &t->links[i];
		const char *kind = l->attach ? "attachment" : "link";

		l->ha = node_index(t, l->a);
		l->hb = node_index(t, l->b);
		if (l->ha < 0)
			return fail(t, "%s %s - %s: unknown host '%s'", kind, l->a, l->b, l->a);
		if (l->hb < 0)
			return fail(t, "%s %s - %s: unknown %s '%s'", kind, l->a, l->b,
			    l->attach ? "segment" : "host", l->b);
		if (t->hosts[l->ha].segment)
			return fail(t, "%s %s - %s: '%s' is a segment; attach hosts to "
			    "segments instead", kind, l->a, l->b, l->a);
		if (l->attach != t->hosts[l->hb].segment)
			return fail(t, "%s %s - %s: '%s' is %s", kind, l->a, l->b, l->b,
			    l->attach ? "a host, not a segment" :
			    "a segment; use an attachment");
		if (l->ha == l->hb)
			return fail(t, "link %s - %s: both ends in the same host", l->a, l->b);
		if (l->attach) {
			/* bridge ports are numbered per segment */
			struct nn_host *seg = &t->hosts[l->hb];
			snprintf(l->ifb, sizeof(l->ifb), "p%d", seg->nports++);
		}
	}
	/* interface names unique per host */
	for (i = 0; i < t->nlinks; i++) {
		const struct nn_link *l = &t->links[i];
		for (j = 0; j < i; j++) {
			const struct nn_link *m = &t->links[j];
			const char *dup = NULL, *host = NULL;
			if ((m->ha == l->ha && strcmp(m->ifa, l->ifa) == 0) ||
			    (m->hb == l->ha && strcmp(m->ifb, l->ifa) == 0))
				dup = l->ifa, host = l->a;
			else if ((m->ha == l->hb && strcmp(m->ifa, l->ifb) == 0) ||
			    (m->hb == l->hb && strcmp(m->ifb, l->ifb) == 0))
				dup = l->ifb, host = l->b;
			if (dup != NULL)
				return fail(t, "link %s - %s: host '%s' already has an "
				    "interface '%s' (from link %s - %s); name the ends",
				    l->a, l->b, host, dup, m->a, m->b);
		}
	}
	return 0;
}

static int
check_addrs(struct netns_topo *t)
{
	size_t i, j;

	for (i = 0; i < t->naddrs; i++) {
		struct nn_addr *a = &t->addrs[i];

		a->h = node_index(t, a->host);
		if (a->h < 0 || t->hosts[a->h].segment)
			return fail(t, "address %s: unknown host '%s'", a->text, a->host);
		if (nn_ifindex_of(t, a->h, a->ifname) == 0)
			return fail(t, "host '%s': address %s on unknown interface '%s'",
			    a->host, a->text, a->ifname);
		for (j = 0; j < i; j++) {
			const struct nn_addr *b = &t->addrs[j];
			size_t n = a->p.family == AF_INET ? 4 : 16;
			if (b->p.family == a->p.family && memcmp(b->p.addr, a->p.addr, n) == 0)
				return fail(t, "host '%s' %s: duplicate address %s (already on "
				    "host '%s' %s)", a->host, a->ifname, a->text, b->host,
				    b->ifname);
		}
	}
	return 0;
}

static int
check_routes(struct netns_topo *t)
{
	size_t i;

	for (i = 0; i < t->nroutes; i++) {
		struct nn_route *r = &t->routes[i];

		r->h = node_index(t, r->host);
		if (r->h < 0 || t->hosts[r->h].segment)
			return fail(t, "route %s: unknown host '%s'", r->text, r->host);
		if (r->dev[0] != '\0' && nn_ifindex_of(t, r->h, r->dev) == 0)
			return fail(t, "host '%s': route %s: unknown interface '%s'",
			    r->host, r->text, r->dev);
	}
	return 0;
}

int
netns_validate(struct netns_topo *t)
{
	size_t i, j;
	int rc;

	if (t == NULL)
		return DD_EINVAL;
	if (t->validated)
		return 0;
	t->err.msg[0] = '\0';
	if (t->nhosts == 0)
		return fail(t, "topology has no hosts");
	for (i = 0; i < t->nhosts; i++) {
		t->hosts[i].nports = 0;
		for (j = 0; j < i; j++)
			if (strcmp(t->hosts[i].name, t->hosts[j].name) == 0)
				return fail(t, "%s '%s' is described twice",
				    t->hosts[i].segment ? "segment" : "host",
				    t->hosts[i].name);
	}
	if ((rc = check_links(t)) < 0 || (rc = check_addrs(t)) < 0 ||
	    (rc = check_routes(t)) < 0)
		return rc;
	t->validated = true;
	return 0;
}

const char *
netns_nsname(const struct netns_topo *t, const char *host)
{
	const struct nn_host *h;

	if (t == NULL || (h = nn_host_find(t, host)) == NULL)
		return NULL;
	return h->nsname;
}

int
netns_host_fd(const struct netns_topo *t, const char *host)
{
	const struct nn_host *h;

	if (t == NULL || (h = nn_host_find(t, host)) == NULL)
		return -1;
	return h->fd;
}
