/*
 * rjson.h -- what result.json's writer and reader share (private to
 * model/): integers above INT64_MAX.  Seeds are 0..2^64-1 and jansson's
 * integers are long long, so in a jansson tree such a number is a "big"
 * string: a NUL, then its decimal digits.  No string of a result can be
 * one (they are C strings); the writer prints the digits bare, and the
 * reader turns every integer literal jansson would refuse into that form
 * before parsing.
 */
#ifndef DD_MODEL_RJSON_H
#define DD_MODEL_RJSON_H

#include <jansson.h>

/* The digits of a big integer, or NULL when v is anything else. */
const char *rjson_big_digits(const json_t *v);

#endif
