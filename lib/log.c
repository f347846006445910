/*
 * log.c -- stderr logging.  Kept deliberately small: the daemons log one line
 * per event and the harness reads those lines as evidence.
 */
#include "lib/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *log_prog = "dnsdrill";
static enum log_level log_lvl = LOG_LVL_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
log_init(const char *progname, enum log_level level)
{
	if (progname != NULL)
		log_prog = progname;
	log_lvl = level;
}

void
log_set_level(enum log_level level)
{
	log_lvl = level;
}

enum log_level
log_get_level(void)
{
	return log_lvl;
}

int
log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s != NULL && strcasecmp(s, level_names[i]) == 0)
			return i;
	if (s != NULL && strcasecmp(s, "warning") == 0)
		return LOG_LVL_WARN;
	return -1;
}

static void
vlog(enum log_level lvl, int with_errno, const char *fmt, va_list ap)
{
	char msg[1024];
	int saved = errno;

	if (lvl > log_lvl)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno)
		fprintf(stderr, "%s: %s: %s: %s\n", log_prog, level_names[lvl], msg,
		    strerror(saved));
	else
		fprintf(stderr, "%s: %s: %s\n", log_prog, level_names[lvl], msg);
	errno = saved;
}

#define LOGFN(name, lvl, e)                       \
	void name(const char *fmt, ...)           \
	{                                         \
		va_list ap;                       \
		va_start(ap, fmt);                \
		vlog(lvl, e, fmt, ap);            \
		va_end(ap);                       \
	}

LOGFN(log_debug, LOG_LVL_DEBUG, 0)
LOGFN(log_info, LOG_LVL_INFO, 0)
LOGFN(log_warn, LOG_LVL_WARN, 1)
LOGFN(log_warnx, LOG_LVL_WARN, 0)
LOGFN(log_error, LOG_LVL_ERROR, 0)

void
fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
