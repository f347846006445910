/*
 * rjson.c -- see rjson.h.
 */
#include "model/rjson.h"

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
