/*
 * json.c -- JSON writer and reader.  See json.h for the contract.  The
 * reader is recursive descent with a depth limit, so hostile input cannot
 * exhaust the stack.
 */
#include "reports/json.h"

#include "lib/utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Writer */

void
json_format_number(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
}

void
json_write_string(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	putc('"', f);
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);

		switch (cp) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '/':
			/* "</script>" must not end an embedding script block. */
			if (i > 0 && p[i - 1] == '<')
				fputs("\\/", f);
			else
				putc('/', f);
			break;
		case 0x2028: fputs("\\u2028", f); break;
		case 0x2029: fputs("\\u2029", f); break;
		default:
			if (cp < 0x20 || cp == 0x7F) {
				fprintf(f, "\\u%04x", (unsigned)cp);
			} else if (cp == UTF8_REPLACEMENT && n == 1) {
				fputs("\xEF\xBF\xBD", f); /* invalid byte */
			} else {
				fwrite(p + i, 1, n, f);
			}
			break;
		}
		i += n;
	}
	putc('"', f);
}

void
jw_init(struct jw *w, FILE *f, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->pretty = pretty;
}

static bool
in_compact(const struct jw *w)
{
	for (int d = 0; d < w->depth; d++)
		if (w->compact[d])
			return true;
	return false;
}

static void
newline(struct jw *w)
{
	if (!w->pretty || in_compact(w))
		return;
	putc('\n', w->f);
	for (int d = 0; d < w->depth; d++)
		fputs("  ", w->f);
}

/* Before any value: commas, indentation, grammar checks. */
static bool
pre_value(struct jw *w)
{
	if (w->bad || w->f == NULL)
		return false;
	if (w->depth == 0) {
		if (w->done) {
			w->bad = true;
			return false;
		}
		return true;
	}
	if (w->is_obj[w->depth - 1]) {
		if (!w->after_key) {
			w->bad = true;
			return false;
		}
		w->after_key = false;
		return true;
	}
	if (!w->first[w->depth - 1]) {
		putc(',', w->f);
		if (in_compact(w))
			putc(' ', w->f);
	}
	w->first[w->depth - 1] = false;
	newline(w);
	return true;
}

static void
post_value(struct jw *w)
{
	if (w->depth == 0)
		w->done = true;
}

void
jw_key(struct jw *w, const char *key)
{
	if (w->bad || w->f == NULL)
		return;
	if (w->depth == 0 || !w->is_obj[w->depth - 1] || w->after_key ||
	    key == NULL) {
		w->bad = true;
		return;
	}
	if (!w->first[w->depth - 1]) {
		putc(',', w->f);
		if (in_compact(w))
			putc(' ', w->f);
	}
	w->first[w->depth - 1] = false;
	newline(w);
	json_write_string(w->f, key, strlen(key));
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_key = true;
}

static void
begin(struct jw *w, bool obj, bool compact)
{
	if (!pre_value(w))
		return;
	if (w->depth == JW_MAX_DEPTH) {
		w->bad = true;
		return;
	}
	putc(obj ? '{' : '[', w->f);
	w->is_obj[w->depth] = obj;
	w->first[w->depth] = true;
	w->compact[w->depth] = compact;
	w->depth++;
}

static void
end(struct jw *w, bool obj)
{
	bool empty, compact;

	if (w->bad || w->f == NULL)
		return;
	if (w->depth == 0 || w->is_obj[w->depth - 1] != obj || w->after_key) {
		w->bad = true;
		return;
	}
	empty = w->first[w->depth - 1];
	w->depth--;
	compact = w->compact[w->depth];
	w->compact[w->depth] = false;
	if (!empty && !compact)
		newline(w);
	putc(obj ? '}' : ']', w->f);
	post_value(w);
}

void jw_obj_begin(struct jw *w) { begin(w, true, false); }
void jw_obj_begin_compact(struct jw *w) { begin(w, true, true); }
void jw_obj_end(struct jw *w) { end(w, true); }
void jw_arr_begin(struct jw *w) { begin(w, false, false); }
void jw_arr_begin_compact(struct jw *w) { begin(w, false, true); }
void jw_arr_end(struct jw *w) { end(w, false); }

void
jw_strn(struct jw *w, const char *s, size_t len)
{
	if (!pre_value(w))
		return;
	if (s == NULL)
		fputs("null", w->f);
	else
		json_write_string(w->f, s, len);
	post_value(w);
}

void
jw_str(struct jw *w, const char *s)
{
	jw_strn(w, s, s ? strlen(s) : 0);
}

void
jw_num(struct jw *w, double v)
{
	char buf[32];

	if (!pre_value(w))
		return;
	if (!isfinite(v)) {
		fputs("null", w->f);
	} else {
		json_format_number(buf, sizeof(buf), v);
		fputs(buf, w->f);
	}
	post_value(w);
}

void
jw_int(struct jw *w, int64_t v)
{
	if (!pre_value(w))
		return;
	fprintf(w->f, "%" PRId64, v);
	post_value(w);
}

void
jw_uint(struct jw *w, uint64_t v)
{
	if (!pre_value(w))
		return;
	fprintf(w->f, "%" PRIu64, v);
	post_value(w);
}

void
jw_bool(struct jw *w, bool v)
{
	if (!pre_value(w))
		return;
	fputs(v ? "true" : "false", w->f);
	post_value(w);
}

void
jw_null(struct jw *w)
{
	if (!pre_value(w))
		return;
	fputs("null", w->f);
	post_value(w);
}

int
jw_finish(struct jw *w)
{
	if (w->f == NULL || w->bad || w->depth != 0 || !w->done)
		return DD_EINVAL;
	if (w->pretty)
		putc('\n', w->f);
	if (fflush(w->f) != 0 || ferror(w->f))
		return DD_EIO;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reader */

#define JR_MAX_DEPTH 128

struct jr {
	const char *s;
	size_t len, pos;
	struct dd_err *err;
	int rc;
};

static void jr_fail(struct jr *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
jr_fail(struct jr *r, const char *fmt, ...)
{
	char what[256];
	size_t line = 1, col = 1;
	va_list ap;

	if (r->rc != 0)
		return;
	r->rc = DD_EINVAL;
	for (size_t i = 0; i < r->pos && i < r->len; i++) {
		if (r->s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	dd_err_set(r->err, "line %zu, column %zu: %s", line, col, what);
}

static void
skip_ws(struct jr *r)
{
	while (r->pos < r->len && (r->s[r->pos] == ' ' ||
	    r->s[r->pos] == '\t' || r->s[r->pos] == '\n' ||
	    r->s[r->pos] == '\r'))
		r->pos++;
}

static int
peek(const struct jr *r)
{
	return r->pos < r->len ? (unsigned char)r->s[r->pos] : -1;
}

static void
jv_clear(struct jv *v)
{
	if (v == NULL)
		return;
	free(v->str);
	for (size_t i = 0; i < v->n; i++) {
		jv_clear(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	memset(v, 0, sizeof(*v));
}

void
jv_free(struct jv *v)
{
	jv_clear(v);
	free(v);
}

/* Growable byte buffer for string decoding. */
struct buf {
	char *p;
	size_t n, cap;
};

static bool
buf_put(struct buf *b, const void *data, size_t n)
{
	if (b->cap - b->n < n + 1) {
		size_t cap = b->cap ? b->cap : 32;
		char *np;

		while (cap - b->n < n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (np == NULL)
			return false;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, data, n);
	b->n += n;
	b->p[b->n] = '\0';
	return true;
}

static int
hex4(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* At the opening quote; on success *out is a malloc'd string. */
static char *
parse_string(struct jr *r, size_t *out_len)
{
	struct buf b = { NULL, 0, 0 };

	r->pos++; /* '"' */
	if (!buf_put(&b, "", 0))
		goto nomem;
	for (;;) {
		unsigned char c;

		if (r->pos >= r->len) {
			jr_fail(r, "unterminated string");
			goto fail;
		}
		c = (unsigned char)r->s[r->pos];
		if (c == '"') {
			r->pos++;
			break;
		}
		if (c < 0x20) {
			jr_fail(r, "control character in string");
			goto fail;
		}
		if (c == '\\') {
			uint32_t cp;
			unsigned char enc[4];
			char ch;

			if (r->pos + 1 >= r->len) {
				jr_fail(r, "unterminated string");
				goto fail;
			}
			ch = r->s[r->pos + 1];
			r->pos += 2;
			switch (ch) {
			case '"': cp = '"'; break;
			case '\\': cp = '\\'; break;
			case '/': cp = '/'; break;
			case 'b': cp = '\b'; break;
			case 'f': cp = '\f'; break;
			case 'n': cp = '\n'; break;
			case 'r': cp = '\r'; break;
			case 't': cp = '\t'; break;
			case 'u':
				if (r->len - r->pos < 4 ||
				    hex4(r->s + r->pos, &cp) != 0) {
					jr_fail(r, "bad \\u escape");
					goto fail;
				}
				r->pos += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					uint32_t lo;

					if (r->len - r->pos >= 6 &&
					    r->s[r->pos] == '\\' &&
					    r->s[r->pos + 1] == 'u' &&
					    hex4(r->s + r->pos + 2, &lo) == 0 &&
					    lo >= 0xDC00 && lo <= 0xDFFF) {
						cp = 0x10000 + ((cp - 0xD800) << 10) +
						    (lo - 0xDC00);
						r->pos += 6;
					} else {
						cp = UTF8_REPLACEMENT;
					}
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					cp = UTF8_REPLACEMENT;
				}
				break;
			default:
				r->pos -= 1;
				jr_fail(r, "bad escape '\\%c'", ch);
				goto fail;
			}
			if (!buf_put(&b, enc, utf8_encode(cp, enc)))
				goto nomem;
			continue;
		}
		{
			uint32_t cp;
			size_t n = utf8_decode((const unsigned char *)r->s +
			    r->pos, r->len - r->pos, &cp);

			if (cp == UTF8_REPLACEMENT && n == 1) {
				jr_fail(r, "invalid UTF-8 in string");
				goto fail;
			}
			if (!buf_put(&b, r->s + r->pos, n))
				goto nomem;
			r->pos += n;
		}
	}
	*out_len = b.n;
	return b.p;
nomem:
	if (r->rc == 0)
		r->rc = DD_ENOMEM;
fail:
	free(b.p);
	return NULL;
}

static void
parse_number(struct jr *r, struct jv *v)
{
	size_t start = r->pos;
	bool integer = true;
	char buf[64];
	size_t n;

	if (peek(r) == '-')
		r->pos++;
	if (peek(r) == '0') {
		r->pos++;
	} else if (peek(r) >= '1' && peek(r) <= '9') {
		while (peek(r) >= '0' && peek(r) <= '9')
			r->pos++;
	} else {
		jr_fail(r, "bad number");
		return;
	}
	if (peek(r) == '.') {
		integer = false;
		r->pos++;
		if (!(peek(r) >= '0' && peek(r) <= '9')) {
			jr_fail(r, "bad number: digits expected after '.'");
			return;
		}
		while (peek(r) >= '0' && peek(r) <= '9')
			r->pos++;
	}
	if (peek(r) == 'e' || peek(r) == 'E') {
		integer = false;
		r->pos++;
		if (peek(r) == '+' || peek(r) == '-')
			r->pos++;
		if (!(peek(r) >= '0' && peek(r) <= '9')) {
			jr_fail(r, "bad number: digits expected in exponent");
			return;
		}
		while (peek(r) >= '0' && peek(r) <= '9')
			r->pos++;
	}
	n = r->pos - start;
	if (n >= sizeof(buf)) {
		r->pos = start;
		jr_fail(r, "number too long");
		return;
	}
	memcpy(buf, r->s + start, n);
	buf[n] = '\0';
	v->type = JV_NUM;
	v->num = strtod(buf, NULL);
	if (integer && buf[0] != '-') {
		char *end;
		unsigned long long u;

		errno = 0;
		u = strtoull(buf, &end, 10);
		if (errno == 0 && *end == '\0') {
			v->is_u64 = true;
			v->u64 = (uint64_t)u;
		}
	}
}

static bool
literal(struct jr *r, const char *word)
{
	size_t n = strlen(word);

	if (r->len - r->pos >= n && memcmp(r->s + r->pos, word, n) == 0) {
		r->pos += n;
		return true;
	}
	return false;
}

static void parse_value(struct jr *r, struct jv *v, int depth);

/* Append a zeroed slot to v->items (and v->keys for objects). */
static struct jv *
push_item(struct jr *r, struct jv *v, size_t *cap, char *key)
{
	if (v->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct jv *items = realloc(v->items, ncap * sizeof(*items));

		if (items == NULL)
			goto nomem;
		v->items = items;
		if (v->type == JV_OBJ) {
			char **keys = realloc(v->keys, ncap * sizeof(*keys));

			if (keys == NULL)
				goto nomem;
			v->keys = keys;
		}
		*cap = ncap;
	}
	memset(&v->items[v->n], 0, sizeof(v->items[0]));
	if (v->type == JV_OBJ)
		v->keys[v->n] = key;
	return &v->items[v->n++];
nomem:
	free(key);
	if (r->rc == 0)
		r->rc = DD_ENOMEM;
	return NULL;
}

static void
parse_array(struct jr *r, struct jv *v, int depth)
{
	size_t cap = 0;

	v->type = JV_ARR;
	r->pos++; /* '[' */
	skip_ws(r);
	if (peek(r) == ']') {
		r->pos++;
		return;
	}
	for (;;) {
		struct jv *item = push_item(r, v, &cap, NULL);

		if (item == NULL)
			return;
		parse_value(r, item, depth + 1);
		if (r->rc != 0)
			return;
		skip_ws(r);
		if (peek(r) == ',') {
			r->pos++;
			continue;
		}
		if (peek(r) == ']') {
			r->pos++;
			return;
		}
		jr_fail(r, "expected ',' or ']' in array");
		return;
	}
}

static void
parse_object(struct jr *r, struct jv *v, int depth)
{
	size_t cap = 0;

	v->type = JV_OBJ;
	r->pos++; /* '{' */
	skip_ws(r);
	if (peek(r) == '}') {
		r->pos++;
		return;
	}
	for (;;) {
		char *key;
		size_t klen;
		struct jv *item;

		skip_ws(r);
		if (peek(r) != '"') {
			jr_fail(r, "expected a member name in quotes");
			return;
		}
		key = parse_string(r, &klen);
		if (key == NULL)
			return;
		skip_ws(r);
		if (peek(r) != ':') {
			free(key);
			jr_fail(r, "expected ':' after member name");
			return;
		}
		r->pos++;
		item = push_item(r, v, &cap, key);
		if (item == NULL)
			return;
		parse_value(r, item, depth + 1);
		if (r->rc != 0)
			return;
		skip_ws(r);
		if (peek(r) == ',') {
			r->pos++;
			continue;
		}
		if (peek(r) == '}') {
			r->pos++;
			return;
		}
		jr_fail(r, "expected ',' or '}' in object");
		return;
	}
}

static void
parse_value(struct jr *r, struct jv *v, int depth)
{
	int c;

	if (depth > JR_MAX_DEPTH) {
		jr_fail(r, "nested deeper than %d", JR_MAX_DEPTH);
		return;
	}
	skip_ws(r);
	c = peek(r);
	switch (c) {
	case '{':
		parse_object(r, v, depth);
		break;
	case '[':
		parse_array(r, v, depth);
		break;
	case '"':
		v->str = parse_string(r, &v->len);
		if (v->str != NULL)
			v->type = JV_STR;
		break;
	case 't':
	case 'f':
	case 'n':
		if (literal(r, "true")) {
			v->type = JV_BOOL;
			v->b = true;
		} else if (literal(r, "false")) {
			v->type = JV_BOOL;
		} else if (literal(r, "null")) {
			v->type = JV_NULL;
		} else {
			jr_fail(r, "unexpected word");
		}
		break;
	case -1:
		jr_fail(r, "unexpected end of input");
		break;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			parse_number(r, v);
		else
			jr_fail(r, "unexpected character '%c'", c);
		break;
	}
}

int
json_parse(const char *text, size_t len, struct jv **out,
    struct dd_err *err)
{
	struct jr r = { text, len, 0, err, 0 };
	struct jv *v;

	*out = NULL;
	if (text == NULL) {
		dd_err_set(err, "no input");
		return DD_EINVAL;
	}
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return DD_ENOMEM;
	parse_value(&r, v, 0);
	if (r.rc == 0) {
		skip_ws(&r);
		if (r.pos != r.len)
			jr_fail(&r, "trailing data after the value");
	}
	if (r.rc != 0) {
		if (r.rc == DD_ENOMEM)
			dd_err_set(err, "out of memory");
		jv_free(v);
		return r.rc;
	}
	*out = v;
	return 0;
}

const struct jv *
jv_get(const struct jv *obj, const char *key)
{
	if (obj == NULL || obj->type != JV_OBJ || key == NULL)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

const struct jv *
jv_at(const struct jv *arr, size_t i)
{
	if (arr == NULL || arr->type != JV_ARR || i >= arr->n)
		return NULL;
	return &arr->items[i];
}

const char *
jv_string(const struct jv *v)
{
	return v != NULL && v->type == JV_STR ? v->str : NULL;
}

bool
jv_number(const struct jv *v, double *out)
{
	if (v == NULL || v->type != JV_NUM)
		return false;
	*out = v->num;
	return true;
}

bool
jv_boolean(const struct jv *v, bool *out)
{
	if (v == NULL || v->type != JV_BOOL)
		return false;
	*out = v->b;
	return true;
}
