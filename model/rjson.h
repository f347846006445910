/*
 * rjson.h -- what the JSON writers share: result.json's (model/), and
 * repeat.json's and the PR summary's (reports/): building values, and
 * integers above INT64_MAX.  Seeds are 0..2^64-1 and jansson's
 * integers are long long, so in a jansson tree such a number is a "big"
 * string: a NUL, then its decimal digits.  No string of a result can be
 * one (they are C strings); the writer prints the digits bare, and the
 * reader turns every integer literal jansson would refuse into that form
 * before parsing.
 */
#ifndef DD_MODEL_RJSON_H
#define DD_MODEL_RJSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* The digits of a big integer, or NULL when v is anything else. */
const char *rjson_big_digits(const json_t *v);

/* A finite number, else null (JSON has no NaN or infinity). */
json_t *rjson_num(double v);
/* A C string as a JSON string, invalid UTF-8 replaced; NULL is null.
 * NULL when out of memory. */
json_t *rjson_text(const char *s);
/* obj[key] = v, taking v; false when obj or v is NULL (out of memory) or
 * the set failed.  key must be valid UTF-8. */
bool rjson_put(json_t *obj, const char *key, json_t *v);
/* Append v to arr, taking v; false when arr or v is NULL or it failed. */
bool rjson_push(json_t *arr, json_t *v);
/* A seed (0..2^64-1): a number up to 2^63 - 1 (jansson's integers are
 * signed), a string of its digits above, as repeat.json writes it. */
json_t *rjson_seed(uint64_t seed);

#endif
