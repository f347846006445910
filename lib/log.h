/*
 * log.h -- one line per event on stderr, with a level filter.
 *
 * log_warn() appends strerror(errno); log_warnx() does not.  fatal() and
 * fatalx() log and exit(1).  Every message is prefixed with the program name
 * set by log_init() and the level.
 */
#ifndef DD_LOG_H
#define DD_LOG_H

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN = 1,
	LOG_LVL_INFO = 2,
	LOG_LVL_DEBUG = 3,
};

#define DD_PRINTF(f, a) __attribute__((format(printf, f, a)))

void log_init(const char *progname, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse "error", "warn", "info", "debug"; returns -1 when unknown. */
int log_level_parse(const char *s);

void log_debug(const char *fmt, ...) DD_PRINTF(1, 2);
void log_info(const char *fmt, ...) DD_PRINTF(1, 2);
void log_warn(const char *fmt, ...) DD_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) DD_PRINTF(1, 2);
void log_error(const char *fmt, ...) DD_PRINTF(1, 2);
void fatal(const char *fmt, ...) DD_PRINTF(1, 2) __attribute__((noreturn));
void fatalx(const char *fmt, ...) DD_PRINTF(1, 2) __attribute__((noreturn));

#endif
