/*
 * rjson.c -- see rjson.h.
 */
#include "model/rjson.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utf8.h"

const char *
rjson_big_digits(const json_t *v)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n < 2 || s[0] != '\0')
		return NULL;
	for (size_t i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return NULL;
	return s + 1;
}

json_t *
rjson_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *
rjson_text(const char *s)
{
	size_t len, n;
	char *clean;
	json_t *v;

	if (s == NULL)
		return json_null();
	len = strlen(s);
	if (utf8_valid(s, len))
		return json_stringn_nocheck(s, len);
	if ((clean = utf8_dup_valid(s, len, &n)) == NULL)
		return NULL;
	v = json_stringn_nocheck(clean, n);
	free(clean);
	return v;
}

bool
rjson_put(json_t *obj, const char *key, json_t *v)
{
	if (obj == NULL || v == NULL) {
		json_decref(v);
		return false;
	}
	return json_object_set_new(obj, key, v) == 0;
}

bool
rjson_push(json_t *arr, json_t *v)
{
	if (arr == NULL || v == NULL) {
		json_decref(v);
		return false;
	}
	return json_array_append_new(arr, v) == 0;
}

json_t *
rjson_seed(uint64_t seed)
{
	char buf[24];

	if (seed <= (uint64_t)INT64_MAX)
		return json_integer((json_int_t)seed);
	snprintf(buf, sizeof(buf), "%" PRIu64, seed);
	return json_string(buf);
}
