/*
 * utf8.h -- decoding one UTF-8 character at a time, for the writers that
 * must emit valid UTF-8 (JSON, XML) from text the SUT produced (any bytes).
 */
#ifndef DD_LIB_UTF8_H
#define DD_LIB_UTF8_H

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

#endif
