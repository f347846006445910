/*
 * util.h -- small helpers shared by every binary: monotonic time, durations
 * as users write them, a seeded random generator, and new files.
 */
#ifndef DD_UTIL_H
#define DD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Monotonic clock. */
uint64_t dd_now_ms(void);
uint64_t dd_now_us(void);

/* "250ms", "2s", "1.5s", "3m", "100us" -> microseconds.  A bare number is
 * milliseconds.  Returns 0 or DD_EINVAL. */
int dd_duration_parse(const char *s, uint64_t *usec);

/* A TTL for an incident compressed `scale` times (faultd --time-scale,
 * faultd(1)): ttl / scale rounded to the nearest second (half up), 1 when
 * that is under a second (*floored set), 0 stays 0, at most 2^31-1; scale 1
 * or <= 0 changes nothing.  One rule for faultd and dnsdrill's forecasts. */
uint32_t dd_ttl_scale(uint32_t ttl, double scale, bool *floored);

/* xoshiro256** seeded through splitmix64: reproducible for a given seed. */
struct dd_rng {
	uint64_t s[4];
};
void dd_rng_seed(struct dd_rng *r, uint64_t seed);
uint64_t dd_rng_next(struct dd_rng *r);
/* Uniform in [0, 1). */
double dd_rng_double(struct dd_rng *r);

/* Create path as a new file for writing (O_EXCL): an entry already there,
 * a symbolic link included, is never opened or followed (EEXIST, ELOOP).
 * Close-on-exec.  Returns the descriptor or a negative errno. */
int dd_open_new(const char *path, unsigned mode);

/* Strict unsigned/double parsing: whole string, no trailing junk. */
int dd_parse_u64(const char *s, uint64_t *out);
int dd_parse_double(const char *s, double *out);

#endif
