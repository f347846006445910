/*
 * capture.c -- libpcap on a host's interface, dumped to a file and counted.
 *
 * The handle is created and activated inside the host's namespace (the
 * packet socket binds to the namespace it is created in) and then used from
 * the caller's namespace like any fd.  Counting parses just enough of each
 * packet (link header, IPv4/IPv6 with the common extension headers, UDP/TCP,
 * the DNS flags byte) to tell a query from a reply; it never trusts the
 * packet's lengths beyond caplen.
 */
#include "harness/capture.h"

#include "lib/addr.h"
#include "lib/log.h"
#include "lib/util.h"
#include "netns/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CAP_MAX_PORTS 16
/* The kernel ring is split into frames sized by the snaplen (capped by the
 * MTU), so a 64 KiB snaplen on lo leaves room for only ~32 packets between
 * two dispatches.  4 KiB holds a whole packet on the hosts' veths (MTU
 * 1500) and every DNS header anywhere; with 8 MiB that is ~2000 frames. */
#define CAP_SNAPLEN   4096
#define CAP_BUFFER    (8 * 1024 * 1024)
#define CAP_ROUNDS    64      /* dispatch rounds per call, so a flood
                                 cannot starve the loop */

struct capture {
	pcap_t *pc;
	pcap_dumper_t *dump;
	int fd;
	int dlt;
	bool counting;
	bool any_src;            /* count_src "any": every source counts */
	struct dd_cidr src;
	uint16_t ports[CAP_MAX_PORTS];
	size_t nports;
	uint64_t queries, packets;
	char where[96];          /* "client/eth0" for messages */
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static bool
is_dns_port(const struct capture *c, uint16_t port)
{
	for (size_t i = 0; i < c->nports; i++)
		if (c->ports[i] == port)
			return true;
	return false;
}

/* Queries in a TCP payload: length-prefixed messages with QR=0. */
static unsigned
tcp_queries(const uint8_t *p, size_t len)
{
	unsigned n = 0;

	while (len >= 2 + 3) {
		size_t mlen = get16(p);
		if (mlen < 12)
			break;
		if (!(p[2 + 2] & 0x80))
			n++;
		if (len < 2 + mlen)
			break;
		p += 2 + mlen;
		len -= 2 + mlen;
	}
	return n;
}

/* Transport payload: count queries to a DNS port. */
static unsigned
count_l4(const struct capture *c, int proto, const uint8_t *p, size_t len)
{
	if (proto == IPPROTO_UDP) {
		if (len < 8 + 12 || !is_dns_port(c, get16(p + 2)))
			return 0;
		return (p[8 + 2] & 0x80) ? 0 : 1;
	}
	if (proto == IPPROTO_TCP) {
		size_t off;
		if (len < 20 || !is_dns_port(c, get16(p + 2)))
			return 0;
		off = (size_t)(p[12] >> 4) * 4;
		if (off < 20 || off > len)
			return 0;
		return tcp_queries(p + off, len - off);
	}
	return 0;
}

static unsigned
count_ip(const struct capture *c, const uint8_t *p, size_t len)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} src;

	memset(&src, 0, sizeof(src));
	if (len >= 20 && (p[0] >> 4) == 4) {
		size_t ihl = (size_t)(p[0] & 0xf) * 4;
		size_t tot = get16(p + 2);
		if (ihl < 20 || ihl > len || (get16(p + 6) & 0x1fff) != 0)
			return 0;   /* later fragments carry no header */
		if (tot < len && tot >= ihl)
			len = tot;  /* Ethernet padding */
		src.in.sin_family = AF_INET;
		memcpy(&src.in.sin_addr, p + 12, 4);
		if (!c->any_src && !dd_cidr_match(&c->src, &src.sa))
			return 0;
		return count_l4(c, p[9], p + ihl, len - ihl);
	}
	if (len >= 40 && (p[0] >> 4) == 6) {
		int nh = p[6];
		size_t off = 40;
		src.in6.sin6_family = AF_INET6;
		memcpy(&src.in6.sin6_addr, p + 8, 16);
		if (!c->any_src && !dd_cidr_match(&c->src, &src.sa))
			return 0;
		for (int i = 0; i < 8; i++) {
			if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
			    nh == IPPROTO_DSTOPTS) {
				if (off + 8 > len)
					return 0;
				nh = p[off];
				off += ((size_t)p[off + 1] + 1) * 8;
			} else if (nh == IPPROTO_FRAGMENT) {
				if (off + 8 > len || (get16(p + off + 2) & 0xfff8) != 0)
					return 0;
				nh = p[off];
				off += 8;
			} else {
				break;
			}
		}
		if (off > len)
			return 0;
		return count_l4(c, nh, p + off, len - off);
	}
	return 0;
}

/* Strip the link header; returns the IP packet or NULL. */
static const uint8_t *
link_payload(int dlt, const uint8_t *p, size_t *len)
{
	size_t hl;
	uint16_t proto;

	switch (dlt) {
	case DLT_EN10MB:
		if (*len < 14)
			return NULL;
		proto = get16(p + 12);
		hl = 14;
		if ((proto == 0x8100 || proto == 0x88a8) && *len >= 18) {
			proto = get16(p + 16);
			hl = 18;
		}
		break;
	case DLT_LINUX_SLL:
		if (*len < 16)
			return NULL;
		proto = get16(p + 14);
		hl = 16;
		break;
	case DLT_LINUX_SLL2:
		if (*len < 20)
			return NULL;
		proto = get16(p);
		hl = 20;
		break;
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
		return p;
	case DLT_NULL:
		if (*len < 4)
			return NULL;
		*len -= 4;
		return p + 4;
	default:
		return NULL;
	}
	if (proto != 0x0800 && proto != 0x86dd)
		return NULL;
	*len -= hl;
	return p + hl;
}

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture *c = (struct capture *)user;
	const uint8_t *ip;
	size_t len = h->caplen;

	c->packets++;
	if (c->dump != NULL)
		pcap_dump((u_char *)c->dump, h, bytes);
	if (!c->counting)
		return;
	if ((ip = link_payload(c->dlt, bytes, &len)) != NULL)
		c->queries += count_ip(c, ip, len);
}

static int
apply_filter(struct capture *c, struct dd_err *err)
{
	char filter[CAP_MAX_PORTS * 40];
	struct bpf_program prog;
	size_t o = 0;

	filter[0] = '\0';
	for (size_t i = 0; i < c->nports; i++)
		o += (size_t)snprintf(filter + o, sizeof(filter) - o,
		    "%sudp port %u or tcp port %u", i ? " or " : "",
		    c->ports[i], c->ports[i]);
	if (pcap_compile(c->pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		dd_err_set(err, "capture on %s: filter '%s': %s", c->where, filter,
		    pcap_geterr(c->pc));
		return DD_EINVAL;
	}
	if (pcap_setfilter(c->pc, &prog) < 0) {
		dd_err_set(err, "capture on %s: setfilter: %s", c->where,
		    pcap_geterr(c->pc));
		pcap_freecode(&prog);
		return DD_EIO;
	}
	pcap_freecode(&prog);
	return 0;
}

/* pcap_create + options + activate, in whatever namespace we are in. */
static int
open_handle(struct capture *c, const char *ifname, struct dd_err *err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	int r;

	if ((c->pc = pcap_create(ifname, ebuf)) == NULL) {
		dd_err_set(err, "capture on %s: %s", c->where, ebuf);
		return DD_EIO;
	}
	(void)pcap_set_snaplen(c->pc, CAP_SNAPLEN);
	(void)pcap_set_promisc(c->pc, 0);
	(void)pcap_set_immediate_mode(c->pc, 1);
	(void)pcap_set_buffer_size(c->pc, CAP_BUFFER);
	r = pcap_activate(c->pc);
	if (r < 0) {
		const char *why = r == PCAP_ERROR_NO_SUCH_DEVICE ? "no such interface" :
		    r == PCAP_ERROR_PERM_DENIED ? "permission denied (needs CAP_NET_RAW)" :
		    pcap_statustostr(r);
		dd_err_set(err, "capture on %s: %s (%s)", c->where, why, pcap_geterr(c->pc));
		return r == PCAP_ERROR_PERM_DENIED ? DD_EPERM : DD_EIO;
	}
	if (r > 0)
		log_warnx("capture on %s: %s", c->where, pcap_statustostr(r));
	return 0;
}

struct capture *
capture_open(struct netns_topo *topo, const char *host, const char *ifname,
    const char *pcap_path, const char *count_src, struct dd_err *err)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct capture *c;
	int r;

	if (ifname == NULL || ifname[0] == '\0') {
		dd_err_set(err, "capture: no interface given");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		dd_err_set(err, "capture: out of memory");
		return NULL;
	}
	c->fd = -1;
	snprintf(c->where, sizeof(c->where), "%s/%s", host ? host : "(self)", ifname);
	c->ports[0] = 53;
	c->nports = 1;
	if (count_src != NULL && strcmp(count_src, "any") == 0) {
		c->any_src = c->counting = true;
	} else if (count_src != NULL) {
		if (dd_cidr_parse(count_src, &c->src) < 0) {
			dd_err_set(err, "capture on %s: count source '%s' is not an "
			    "address or CIDR prefix", c->where, count_src);
			goto fail;
		}
		c->counting = true;
	}
	if (host != NULL) {
		struct netns_token tok;
		int lr;
		if (topo == NULL) {
			dd_err_set(err, "capture on %s: host given but there is no topology",
			    c->where);
			goto fail;
		}
		if (netns_enter(topo, host, &tok) < 0) {
			dd_err_set(err, "capture on %s: %s", c->where, netns_errmsg(topo));
			goto fail;
		}
		r = open_handle(c, ifname, err);
		if ((lr = netns_leave(&tok)) < 0) {
			/* stranded in the host: nothing after this is safe */
			fatalx("capture on %s: cannot leave the host's namespace: %s",
			    c->where, dd_strerror(lr));
		}
	} else {
		r = open_handle(c, ifname, err);
	}
	if (r < 0)
		goto fail;
	c->dlt = pcap_datalink(c->pc);
	if (pcap_setnonblock(c->pc, 1, ebuf) < 0) {
		dd_err_set(err, "capture on %s: setnonblock: %s", c->where, ebuf);
		goto fail;
	}
	if (apply_filter(c, err) < 0)
		goto fail;
	if ((c->fd = pcap_get_selectable_fd(c->pc)) < 0) {
		dd_err_set(err, "capture on %s: no selectable fd", c->where);
		goto fail;
	}
	if (pcap_path != NULL) {
		/* a new file (dd_open_new): a link planted there is not followed */
		int fd = dd_open_new(pcap_path, 0644);
		FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;

		if (f == NULL) {
			dd_err_set(err, "capture on %s: %s: %s", c->where, pcap_path,
			    strerror(fd < 0 ? -fd : errno));
			if (fd >= 0)
				close(fd);
			goto fail;
		}
		if ((c->dump = pcap_dump_fopen(c->pc, f)) == NULL) {
			dd_err_set(err, "capture on %s: %s", c->where, pcap_geterr(c->pc));
			fclose(f);
			goto fail;
		}
	}
	return c;
fail:
	capture_close(c);
	return NULL;
}

int
capture_set_ports(struct capture *c, const uint16_t *ports, size_t n,
    struct dd_err *err)
{
	uint16_t old[CAP_MAX_PORTS];
	size_t oldn = c->nports;
	int r;

	if (n == 0 || n > CAP_MAX_PORTS) {
		dd_err_set(err, "capture on %s: 1 to %d ports", c->where, CAP_MAX_PORTS);
		return DD_EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (ports[i] == 0) {
			dd_err_set(err, "capture on %s: port 0", c->where);
			return DD_EINVAL;
		}
	memcpy(old, c->ports, sizeof(old));
	memcpy(c->ports, ports, n * sizeof(*ports));
	c->nports = n;
	if ((r = apply_filter(c, err)) < 0) {
		memcpy(c->ports, old, sizeof(old));
		c->nports = oldn;
	}
	return r;
}

int
capture_fd(const struct capture *c)
{
	return c->fd;
}

int
capture_dispatch(struct capture *c)
{
	int total = 0;

	for (int i = 0; i < CAP_ROUNDS; i++) {
		int n = pcap_dispatch(c->pc, -1, on_packet, (u_char *)c);
		if (n < 0) {
			if (n == PCAP_ERROR_BREAK)
				break;
			log_warnx("capture on %s: %s", c->where, pcap_geterr(c->pc));
			total = DD_EIO;
			break;
		}
		if (n == 0)
			break;
		total += n;
	}
	/* the file is evidence: keep it current even if we crash later */
	if (c->dump != NULL && total != 0)
		(void)pcap_dump_flush(c->dump);
	return total;
}

uint64_t
capture_queries(const struct capture *c)
{
	return c->queries;
}

uint64_t
capture_packets(const struct capture *c)
{
	return c->packets;
}

uint64_t
capture_drops(const struct capture *c)
{
	struct pcap_stat st;

	if (pcap_stats(c->pc, &st) < 0)
		return 0;
	return st.ps_drop;
}

void
capture_close(struct capture *c)
{
	if (c == NULL)
		return;
	if (c->dump != NULL) {
		(void)pcap_dump_flush(c->dump);
		pcap_dump_close(c->dump);
	}
	if (c->pc != NULL)
		pcap_close(c->pc);
	free(c);
}
