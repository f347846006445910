#include "lib/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *
dd_strerror(int code)
{
	switch (code) {
	case DD_OK: return "success";
	case DD_EINVAL: return "invalid input";
	case DD_ENOMEM: return "out of memory";
	case DD_EFORMERR: return "malformed DNS message";
	case DD_EMALFORMED: return "unreadable DNS message";
	case DD_ENOSPACE: return "no space in buffer";
	case DD_ENOTFOUND: return "not found";
	case DD_EIO: return "input/output error";
	case DD_EPERM: return "permission denied";
	default:
		if (code < 0 && code > -DD_EBASE)
			return strerror(-code);
		return "unknown error";
	}
}

void
dd_err_set(struct dd_err *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}
