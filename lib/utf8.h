/*
 * utf8.h -- reading UTF-8 one character at a time, for the writers that
 * must emit valid UTF-8 (JSON, HTML, XML) from text the SUT produced (any
 * bytes).
 */
#ifndef DD_LIB_UTF8_H
#define DD_LIB_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xFFFDu

/*
 * Decode the character at s (len > 0 bytes available).  Returns the number
 * of bytes it takes (1..4) and sets *cp.  An invalid, overlong, truncated or
 * surrogate sequence yields *cp = UTF8_REPLACEMENT and consumes one byte, so
 * decoding always advances.
 */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Encode cp (<= 0x10FFFF) into out (4 bytes room); returns bytes used. */
size_t utf8_encode(uint32_t cp, unsigned char out[4]);

/* true when s[0..len) is all valid UTF-8 (RFC 3629). */
bool utf8_valid(const char *s, size_t len);

/*
 * A copy of s[0..len) in which each byte that does not start a valid
 * character (as utf8_decode() reads it) is replaced by U+FFFD.  The copy is
 * NUL-terminated, its length (without the NUL) in *out_len when out_len is
 * not NULL.  The caller frees it.  NULL when out of memory.
 */
char *utf8_dup_valid(const char *s, size_t len, size_t *out_len);

#endif
