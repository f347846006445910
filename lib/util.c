#include "lib/util.h"
#include "lib/err.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t
dd_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t
dd_now_ms(void)
{
	return dd_now_us() / 1000u;
}

int
dd_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return DD_EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return DD_EINVAL;
	*out = (uint64_t)v;
	return 0;
}

int
dd_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return DD_EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return DD_EINVAL;
	*out = v;
	return 0;
}

uint32_t
dd_ttl_scale(uint32_t ttl, double scale, bool *floored)
{
	double v;

	*floored = false;
	if (ttl == 0 || !(scale > 0.0) || scale == 1.0)
		return ttl;
	v = (double)ttl / scale;
	if (v < 1.0) {
		/* the proportion is under a second: DNS has no finer TTL */
		*floored = true;
		return 1;
	}
	v += 0.5;
	/* slowed down (scale < 1): no more than RFC 2181's largest TTL */
	return v >= 2147483647.0 ? 2147483647u : (uint32_t)v;
}

int
dd_duration_parse(const char *s, uint64_t *usec)
{
	char *end;
	double v, mult;

	if (s == NULL || !((*s >= '0' && *s <= '9') || *s == '.'))
		return DD_EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || !isfinite(v) || v < 0)
		return DD_EINVAL;
	if (*end == '\0' || strcmp(end, "ms") == 0)
		mult = 1e3;
	else if (strcmp(end, "s") == 0)
		mult = 1e6;
	else if (strcmp(end, "us") == 0)
		mult = 1;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		mult = 60e6;
	else if (strcmp(end, "h") == 0)
		mult = 3600e6;
	else
		return DD_EINVAL;
	v *= mult;
	if (v > 1e15)
		return DD_EINVAL;
	*usec = (uint64_t)(v + 0.5);
	return 0;
}

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void
dd_rng_seed(struct dd_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
dd_rng_next(struct dd_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
dd_rng_double(struct dd_rng *r)
{
	return (double)(dd_rng_next(r) >> 11) * 0x1.0p-53;
}

int
dd_open_new(const char *path, unsigned mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    (mode_t)mode);

	return fd < 0 ? -errno : fd;
}
