/*
 * addr.h -- socket addresses and CIDR prefixes as users write them.
 *
 *   "127.0.0.1:5300", "[::1]:5300", "198.18.1.0/24", "fd00::/8"
 */
#ifndef DD_ADDR_H
#define DD_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct dd_sockaddr {
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
		struct sockaddr_storage ss;
	} u;
	socklen_t len;
};

struct dd_cidr {
	int family;        /* AF_INET or AF_INET6 */
	uint8_t addr[16];  /* network address, host bits zero */
	unsigned prefix;   /* 0..32 or 0..128 */
};

/* "ADDR:PORT" or "[V6]:PORT"; default_port used when ":PORT" is absent
 * (pass -1 to make the port mandatory).  Returns 0 or DD_EINVAL. */
int dd_sockaddr_parse(const char *s, int default_port, struct dd_sockaddr *out);
/* Writes "1.2.3.4:53" or "[::1]:53"; returns buf. */
char *dd_sockaddr_str(const struct dd_sockaddr *a, char *buf, size_t len);
/* Only the address, no port. */
char *dd_sockaddr_ip_str(const struct dd_sockaddr *a, char *buf, size_t len);
bool dd_sockaddr_equal(const struct dd_sockaddr *a, const struct dd_sockaddr *b);

/* "198.18.0.0/15", "fd00::/8", or a bare address (full-length prefix).
 * Host bits are zeroed: the result is a network. */
int dd_cidr_parse(const char *s, struct dd_cidr *out);
/* The same syntax, host bits kept ("198.18.0.10/24" stays .10): an
 * interface address.  With need_len, "/len" is required. */
int dd_prefix_parse(const char *s, bool need_len, struct dd_cidr *out);
/* Do the first bits bits of a and net agree? */
bool dd_bits_equal(const uint8_t *a, const uint8_t *net, unsigned bits);
/* True when sa's address lies inside c.  A v4-mapped v6 address matches a
 * v4 prefix. */
bool dd_cidr_match(const struct dd_cidr *c, const struct sockaddr *sa);
char *dd_cidr_str(const struct dd_cidr *c, char *buf, size_t len);

#endif
