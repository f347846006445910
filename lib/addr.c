/*
 * addr.c -- parsing and printing of addresses, ports and prefixes.
 */
#include "lib/addr.h"
#include "lib/err.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
parse_port(const char *s, int *port)
{
	char *end;
	long v;

	if (*s == '\0')
		return DD_EINVAL;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > 65535)
		return DD_EINVAL;
	*port = (int)v;
	return 0;
}

int
dd_sockaddr_parse(const char *s, int default_port, struct dd_sockaddr *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *p, *portstr = NULL;
	size_t hl;
	int port = default_port;

	if (s == NULL || out == NULL)
		return DD_EINVAL;
	memset(out, 0, sizeof(*out));
	if (s[0] == '[') {
		p = strchr(s, ']');
		if (p == NULL)
			return DD_EINVAL;
		hl = (size_t)(p - s - 1);
		if (hl >= sizeof(host))
			return DD_EINVAL;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (p[1] == ':')
			portstr = p + 2;
		else if (p[1] != '\0')
			return DD_EINVAL;
	} else {
		p = strrchr(s, ':');
		if (p != NULL && strchr(s, ':') != p) {
			/* bare IPv6 without brackets: no port */
			p = NULL;
		}
		hl = p ? (size_t)(p - s) : strlen(s);
		if (hl >= sizeof(host))
			return DD_EINVAL;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (p)
			portstr = p + 1;
	}
	if (portstr != NULL && parse_port(portstr, &port) < 0)
		return DD_EINVAL;
	if (port < 0)
		return DD_EINVAL;
	if (inet_pton(AF_INET, host, &out->u.sin.sin_addr) == 1) {
		out->u.sin.sin_family = AF_INET;
		out->u.sin.sin_port = htons((uint16_t)port);
		out->len = sizeof(struct sockaddr_in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &out->u.sin6.sin6_addr) == 1) {
		out->u.sin6.sin6_family = AF_INET6;
		out->u.sin6.sin6_port = htons((uint16_t)port);
		out->len = sizeof(struct sockaddr_in6);
		return 0;
	}
	return DD_EINVAL;
}

char *
dd_sockaddr_ip_str(const struct dd_sockaddr *a, char *buf, size_t len)
{
	if (a->u.sa.sa_family == AF_INET)
		inet_ntop(AF_INET, &a->u.sin.sin_addr, buf, (socklen_t)len);
	else if (a->u.sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &a->u.sin6.sin6_addr, buf, (socklen_t)len);
	else
		snprintf(buf, len, "?");
	return buf;
}

char *
dd_sockaddr_str(const struct dd_sockaddr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	dd_sockaddr_ip_str(a, ip, sizeof(ip));
	if (a->u.sa.sa_family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, ntohs(a->u.sin6.sin6_port));
	else
		snprintf(buf, len, "%s:%u", ip, ntohs(a->u.sin.sin_port));
	return buf;
}

bool
dd_sockaddr_equal(const struct dd_sockaddr *a, const struct dd_sockaddr *b)
{
	if (a->u.sa.sa_family != b->u.sa.sa_family)
		return false;
	if (a->u.sa.sa_family == AF_INET)
		return a->u.sin.sin_port == b->u.sin.sin_port &&
		    a->u.sin.sin_addr.s_addr == b->u.sin.sin_addr.s_addr;
	if (a->u.sa.sa_family == AF_INET6)
		return a->u.sin6.sin6_port == b->u.sin6.sin6_port &&
		    memcmp(&a->u.sin6.sin6_addr, &b->u.sin6.sin6_addr, 16) == 0;
	return false;
}

int
dd_prefix_parse(const char *s, bool need_len, struct dd_cidr *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash;
	size_t hl;
	unsigned maxp;
	long pfx;

	if (s == NULL || out == NULL)
		return DD_EINVAL;
	memset(out, 0, sizeof(*out));
	slash = strchr(s, '/');
	hl = slash ? (size_t)(slash - s) : strlen(s);
	if (hl == 0 || hl >= sizeof(host))
		return DD_EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, out->addr) == 1) {
		out->family = AF_INET;
		maxp = 32;
	} else if (inet_pton(AF_INET6, host, out->addr) == 1) {
		out->family = AF_INET6;
		maxp = 128;
	} else {
		return DD_EINVAL;
	}
	if (slash) {
		char *end;
		if (slash[1] < '0' || slash[1] > '9')
			return DD_EINVAL;
		pfx = strtol(slash + 1, &end, 10);
		if (*end != '\0' || pfx < 0 || pfx > (long)maxp)
			return DD_EINVAL;
	} else if (need_len) {
		return DD_EINVAL;
	} else {
		pfx = (long)maxp;
	}
	out->prefix = (unsigned)pfx;
	return 0;
}

int
dd_cidr_parse(const char *s, struct dd_cidr *out)
{
	unsigned maxp;
	int rc = dd_prefix_parse(s, false, out);

	if (rc < 0)
		return rc;
	/* zero the host bits so matching is a plain compare */
	maxp = out->family == AF_INET ? 32 : 128;
	for (unsigned bit = out->prefix; bit < maxp; bit++)
		out->addr[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	return 0;
}

bool
dd_bits_equal(const uint8_t *a, const uint8_t *net, unsigned bits)
{
	unsigned full = bits / 8, rem = bits % 8;

	if (memcmp(a, net, full) != 0)
		return false;
	if (rem == 0)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8 - rem));
	return (a[full] & mask) == (net[full] & mask);
}

bool
dd_cidr_match(const struct dd_cidr *c, const struct sockaddr *sa)
{
	if (c == NULL || sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		if (c->family != AF_INET)
			return false;
		return dd_bits_equal((const uint8_t *)&s4->sin_addr, c->addr, c->prefix);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		const uint8_t *a = (const uint8_t *)&s6->sin6_addr;
		if (c->family == AF_INET6)
			return dd_bits_equal(a, c->addr, c->prefix);
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			return dd_bits_equal(a + 12, c->addr, c->prefix);
	}
	return false;
}

char *
dd_cidr_str(const struct dd_cidr *c, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(c->family, c->addr, ip, sizeof(ip));
	snprintf(buf, len, "%s/%u", ip, c->prefix);
	return buf;
}
