/*
 * buf.h -- a growable byte buffer (for replies queued on sockets and text
 * built up by control commands).  dd_buf_free() is NULL-safe.
 */
#ifndef DD_BUF_H
#define DD_BUF_H

#include <stddef.h>
#include <stdint.h>

struct dd_buf {
	uint8_t *data;
	size_t len, cap;
	size_t off;          /* consumed prefix (for write queues) */
	int oom;             /* set once an append failed */
};

int dd_buf_append(struct dd_buf *b, const void *p, size_t n);
int dd_buf_printf(struct dd_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void dd_buf_consume(struct dd_buf *b, size_t n);
void dd_buf_reset(struct dd_buf *b);
void dd_buf_free(struct dd_buf *b);

#endif
