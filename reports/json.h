/*
 * json.h -- a small JSON writer (streaming, to a FILE *) and reader (whole
 * document into a tree), enough for result.json and reading it back.
 *
 * Writer.  struct jw tracks nesting and commas; calls that break the
 * grammar (a value where a key is due, unbalanced ends, nesting deeper than
 * JW_MAX_DEPTH) are recorded and reported by jw_finish(), so callers write
 * straight-line code and check once.  Strings are written as valid UTF-8:
 * invalid bytes become U+FFFD; control characters, '"' and '\' are escaped,
 * and so are U+2028/U+2029 and the '/' of "</" so the output can be pasted
 * into an HTML <script> block unchanged.  Numbers that are not finite are
 * written as null.  Numbers are formatted in the C locale's style (the
 * writer assumes LC_NUMERIC is "C", the default).
 *
 * Reader.  json_parse() takes RFC 8259 JSON (strict: no trailing commas,
 * comments, NaN or leading zeros; strings must be valid UTF-8) and returns a
 * tree the caller frees with jv_free() (NULL-safe).  Strings are NUL
 * terminated copies (len excludes the NUL; \u0000 is kept inside).
 * Integer literals that fit a uint64_t are also kept exactly in u64.
 */
#ifndef DD_REPORTS_JSON_H
#define DD_REPORTS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"

#define JW_MAX_DEPTH 32

struct jw {
	FILE *f;
	int depth;
	bool pretty;
	bool bad;              /* grammar misuse seen */
	bool after_key;        /* a key was written, its value is due */
	bool done;             /* the top-level value is complete */
	bool first[JW_MAX_DEPTH];
	bool is_obj[JW_MAX_DEPTH];
	bool compact[JW_MAX_DEPTH]; /* this container on one line */
};

/* pretty: two-space indentation, one member per line, except containers
 * opened with the *_compact variants, which stay on one line. */
void jw_init(struct jw *w, FILE *f, bool pretty);
void jw_obj_begin(struct jw *w);
void jw_obj_begin_compact(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_begin_compact(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s); /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t len);
void jw_num(struct jw *w, double v);
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Returns 0; DD_EINVAL when the calls did not make one complete value;
 * DD_EIO when the stream reported an error. */
int jw_finish(struct jw *w);

/* Write s as a JSON string literal (quotes included) to f. */
void json_write_string(FILE *f, const char *s, size_t len);
/* Shortest "%.15g"/"%.17g" rendering of a finite v that reads back equal. */
void json_format_number(char *buf, size_t len, double v);

enum jv_type {
	JV_NULL = 0,
	JV_BOOL,
	JV_NUM,
	JV_STR,
	JV_ARR,
	JV_OBJ,
};

struct jv {
	enum jv_type type;
	bool b;        /* JV_BOOL */
	double num;    /* JV_NUM */
	bool is_u64;   /* JV_NUM written as an integer in 0..UINT64_MAX */
	uint64_t u64;
	char *str;     /* JV_STR */
	size_t len;
	struct jv *items; /* JV_ARR elements, JV_OBJ member values */
	char **keys;      /* JV_OBJ member names, parallel to items */
	size_t n;
};

/*
 * Parse len bytes of text.  Returns 0 and *out, DD_ENOMEM, or DD_EINVAL
 * with "line L, column C: what" in err.
 */
int json_parse(const char *text, size_t len, struct jv **out,
    struct dd_err *err);
void jv_free(struct jv *v);

/* Lookups; NULL when v is NULL, not the right type, or has no such
 * member (the first of duplicate keys wins). */
const struct jv *jv_get(const struct jv *obj, const char *key);
const struct jv *jv_at(const struct jv *arr, size_t i);
/* The string, or NULL when v is not a string. */
const char *jv_string(const struct jv *v);
/* true and *out when v is a number / a bool. */
bool jv_number(const struct jv *v, double *out);
bool jv_boolean(const struct jv *v, bool *out);

#endif
