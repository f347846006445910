#include "lib/buf.h"
#include "lib/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
reserve(struct dd_buf *b, size_t n)
{
	if (b->off > 0 && b->off == b->len) {
		b->off = b->len = 0;
	}
	/* a request that cannot fit in size_t is out of memory, not a wrap */
	if (n > SIZE_MAX / 2 - b->len) {
		b->oom = 1;
		return DD_ENOMEM;
	}
	if (b->len + n <= b->cap)
		return 0;
	if (b->off > 0) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->len + n <= b->cap)
			return 0;
	}
	size_t nc = b->cap ? b->cap : 256;
	while (nc < b->len + n)
		nc *= 2;
	uint8_t *nd = realloc(b->data, nc);
	if (nd == NULL) {
		b->oom = 1;
		return DD_ENOMEM;
	}
	b->data = nd;
	b->cap = nc;
	return 0;
}

int
dd_buf_append(struct dd_buf *b, const void *p, size_t n)
{
	if (n == 0)   /* data may still be NULL: no pointer arithmetic on it */
		return 0;
	if (reserve(b, n) < 0)
		return DD_ENOMEM;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
dd_buf_printf(struct dd_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(b, (size_t)n + 1) < 0)
		return DD_ENOMEM;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
dd_buf_consume(struct dd_buf *b, size_t n)
{
	b->off += n;
	if (b->off >= b->len)
		b->off = b->len = 0;
}

void
dd_buf_reset(struct dd_buf *b)
{
	b->off = b->len = 0;
	b->oom = 0;
}

void
dd_buf_free(struct dd_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	memset(b, 0, sizeof(*b));
}
