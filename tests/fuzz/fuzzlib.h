/*
 * fuzzlib.h -- helpers the fuzz targets share (static inline, so each target
 * stays one .c file): a scratch file for loaders that want a path, a sink
 * stream for writers, and the checks every DNS reply must pass.  A failed check calls abort(), which
 * libFuzzer and the replay driver both report as a crash.
 */
#ifndef TESTS_FUZZ_FUZZLIB_H
#define TESTS_FUZZ_FUZZLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "lib/dnswire.h"

/* ---------------- a file with the input's bytes ---------------- */

/*
 * One scratch file per process: a memfd named through /proc/self/fd (no
 * disk I/O), or a file under /tmp when /proc is not there (removed at
 * exit).  fuzz_file_put() replaces its contents; the path stays the same.
 */
struct fuzz_file {
	int fd;
	char path[64];
};

static char fuzz_file_tmp_[64];

static inline void
fuzz_file_cleanup_(void)
{
	if (fuzz_file_tmp_[0] != '\0')
		unlink(fuzz_file_tmp_);
}

static inline void
fuzz_file_init(struct fuzz_file *f)
{
	f->fd = memfd_create("dnsdrill-fuzz", MFD_CLOEXEC);
	if (f->fd >= 0) {
		snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
		if (access(f->path, R_OK) == 0)
			return;
		close(f->fd);
	}
	snprintf(f->path, sizeof(f->path), "/tmp/dnsdrill-fuzz-XXXXXX");
	f->fd = mkstemp(f->path);
	if (f->fd < 0) {
		perror("fuzz: scratch file");
		abort();
	}
	snprintf(fuzz_file_tmp_, sizeof(fuzz_file_tmp_), "%s", f->path);
	atexit(fuzz_file_cleanup_);
}

static inline void
fuzz_file_put(struct fuzz_file *f, const void *data, size_t size)
{
	const uint8_t *p = data;

	if (ftruncate(f->fd, 0) < 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t n = pwrite(f->fd, p + off, size - off, (off_t)off);
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
}

/* ---------------- a stream that drops what is written ---------------- */

static inline ssize_t
fuzz_sink_write_(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	(void)buf;
	return (ssize_t)size;
}

/*
 * For writers under test whose output is not checked: a FILE * that takes
 * every byte and drops it without a system call (fopencookie).  /dev/null
 * cost a write(2) per 4 KiB buffer, and the report writers emit many times
 * their input.  Lives for the process.
 */
static inline FILE *
fuzz_sink_open(void)
{
	static const cookie_io_functions_t io = { .write = fuzz_sink_write_ };
	FILE *f = fopencookie(NULL, "w", io);

	if (f == NULL) {
		perror("fuzz: sink stream");
		abort();
	}
	return f;
}

/* ---------------- checks on DNS replies ---------------- */

/* Print why, then abort(): the crash report then says what was wrong. */
#define FUZZ_CHECK(cond, ...) do {                                      \
	if (!(cond)) {                                                  \
		fprintf(stderr, "fuzz check failed: %s: ", #cond);      \
		fprintf(stderr, __VA_ARGS__);                           \
		fprintf(stderr, "\n");                                  \
		abort();                                                \
	}                                                               \
} while (0)

/*
 * A reply must be a well-formed DNS message: ldns parses it, QR is set, its
 * ID is id, and its header counts are the records ldns found (one OPT at
 * most, counted in ARCOUNT).  When exact is set the message also ends where
 * its last record does (no trailing bytes: faultd wrote all of it).
 */
static inline void
fuzz_check_reply(const uint8_t *msg, size_t len, uint16_t id, bool exact)
{
	ldns_pkt *p = NULL;
	ldns_status st;

	FUZZ_CHECK(len >= DNS_HDR_LEN, "reply of %zu bytes", len);
	st = ldns_wire2pkt(&p, msg, len);
	FUZZ_CHECK(st == LDNS_STATUS_OK, "ldns: %s (%zu bytes)", ldns_get_errorstr_by_id(st), len);
	FUZZ_CHECK(ldns_pkt_qr(p), "QR clear");
	FUZZ_CHECK(ldns_pkt_id(p) == id, "ID %04x, query's %04x", ldns_pkt_id(p), id);
	FUZZ_CHECK(ldns_rr_list_rr_count(ldns_pkt_question(p)) == dns_get16(msg + 4),
	    "qdcount %u", dns_get16(msg + 4));
	FUZZ_CHECK(ldns_rr_list_rr_count(ldns_pkt_answer(p)) == dns_get16(msg + 6),
	    "ancount %u", dns_get16(msg + 6));
	FUZZ_CHECK(ldns_rr_list_rr_count(ldns_pkt_authority(p)) == dns_get16(msg + 8),
	    "nscount %u", dns_get16(msg + 8));
	FUZZ_CHECK(ldns_rr_list_rr_count(ldns_pkt_additional(p)) +
	    (ldns_pkt_edns(p) ? 1u : 0u) + (ldns_pkt_tsig(p) ? 1u : 0u) == dns_get16(msg + 10),
	    "arcount %u (two OPT records?)", dns_get16(msg + 10));
	ldns_pkt_free(p);
	if (exact) {
		size_t off = DNS_HDR_LEN;
		unsigned total = (unsigned)dns_get16(msg + 6) + dns_get16(msg + 8) +
		    dns_get16(msg + 10);

		for (unsigned i = 0; i < dns_get16(msg + 4); i++) {
			FUZZ_CHECK(dns_read_name(msg, len, &off, NULL, false) >= 0 &&
			    off + 4 <= len, "question %u", i);
			off += 4;
		}
		for (unsigned i = 0; i < total; i++) {
			struct dns_rr_ref rr;
			FUZZ_CHECK(dns_skip_rr(msg, len, &off, &rr) == 0, "record %u", i);
		}
		FUZZ_CHECK(off == len, "%zu trailing bytes", len - off);
	}
}

#endif
