/*
 * capture.h -- packet capture on a test host's interface: evidence for the
 * report (a pcap file) and the DNS query count behind query amplification.
 *
 * A capture is a libpcap handle opened *inside* the host's namespace (the
 * packet socket stays there for good), in immediate, non-blocking mode, with
 * the BPF filter "udp port 53 or tcp port 53" (more ports with
 * capture_set_ports()).  The caller puts capture_fd() on its event loop and
 * calls capture_dispatch() when it is readable; dispatch reads what is
 * queued, appends it to the pcap file, flushes the file, and counts.
 * Packets are kept up to 4096 bytes (whole packets on 1500-byte links;
 * longer ones, e.g. 64 KiB TCP segments on lo, are cut in the file but
 * still counted); the kernel buffer (8 MiB) holds ~2000 packets between
 * two dispatches, and capture_drops() says when that was not enough.
 *
 * Counting.  A packet counts as one DNS query when it is IPv4 or IPv6, its
 * source address lies in count_src, and it is UDP to a DNS port with QR=0 in
 * the DNS header, or TCP to a DNS port whose payload starts a length-prefixed
 * DNS message with QR=0 (each such message in the segment counts; a query
 * split so that its header is not in one segment is not counted).  On "lo"
 * each packet is seen once (libpcap drops the outgoing copy).  On "any" of a
 * host that forwards, a query crossing two of its interfaces is seen twice:
 * capture on one interface to count forwarded traffic.
 *
 * Ownership: the capture owns its pcap handle, dumper and fd; the caller
 * only borrows the fd (ev_io_del() it before capture_close()).
 * capture_close(NULL) is a no-op; capture_close() flushes and closes the
 * file.  Not thread-safe; use from the loop's thread.
 */
#ifndef DD_HARNESS_CAPTURE_H
#define DD_HARNESS_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct netns_topo;
struct capture;

/*
 * Start capturing on ifname ("any" allowed) inside host (topo and host both
 * set), or in the caller's namespace (host NULL).  pcap_path NULL: count
 * only, write no file.  count_src: a CIDR or bare address ("198.18.1.0/24",
 * "fd00::5"), "any" to count queries from every source (IPv4 and IPv6),
 * or NULL to count nothing.  Returns NULL with a message in err
 * ("capture on client/eth0: ...") when the interface does not exist, the
 * process lacks CAP_NET_RAW, or the file cannot be created.
 */
struct capture *capture_open(struct netns_topo *topo, const char *host,
    const char *ifname, const char *pcap_path, const char *count_src,
    struct dd_err *err);

/* Capture and count DNS on these ports instead of 53 (1..16 ports; include
 * 53 yourself if wanted).  Replaces the filter at once.  0, DD_EINVAL. */
int capture_set_ports(struct capture *c, const uint16_t *ports, size_t n,
    struct dd_err *err);

/* Readable when packets wait; for the caller's event loop. */
int capture_fd(const struct capture *c);

/* Read what is queued (never blocks), dump, flush, count.  Returns the
 * number of packets handled, or DD_EIO after a capture error (logged). */
int capture_dispatch(struct capture *c);

/* Queries counted so far. */
uint64_t capture_queries(const struct capture *c);

/* Packets handled so far (all that passed the filter) and the kernel's drop
 * count (pcap_stats ps_drop; 0 when unknown). */
uint64_t capture_packets(const struct capture *c);
uint64_t capture_drops(const struct capture *c);

void capture_close(struct capture *c);

#endif
