/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* A small strict JSON reader and a bounded writer, for the control socket
 * (ctl.h).  No allocation: the reader fills a caller's token array, the
 * writer a caller's buffer.
 *
 * The reader takes RFC 8259 JSON and nothing else: no comments, no
 * trailing commas, no leading zeros, no bare words but true/false/null,
 * strings in valid UTF-8 (no overlong forms, no surrogates, no control
 * characters unescaped), \u escapes with surrogate pairs matched, no
 * duplicate key in an object, nothing after the value but white space.
 * Depth and token count are bounded (JSON_MAX_DEPTH, the array given). */
#ifndef VD_JSON_H
#define VD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

/* One value.  An object's children are its keys (JSON_STR) each followed
 * by its value; an array's children are its values.  Children follow
 * their parent in the array; skip is the index just after the subtree. */
struct json_tok {
	uint8_t type;
	uint32_t start, len;   /* the value's text in the input (a string:
				* inside the quotes, undecoded) */
	uint32_t count;        /* children: values of an array, keys of an object */
	uint32_t skip;
};

#define JSON_MAX_DEPTH 16

struct json_doc {
	const char *text;
	struct json_tok *tok;
	unsigned max, n;
	unsigned err_at;       /* byte offset of the error */
	const char *err;       /* what is wrong, or NULL */
};

/* Parse len bytes of s into tok[0..max): tok[0] is the top value.  0, or
 * -EINVAL (malformed: d->err, d->err_at say why and where), -E2BIG (more
 * than max values or deeper than JSON_MAX_DEPTH). */
int json_parse(struct json_doc *d, const char *s, size_t len,
	       struct json_tok *tok, unsigned max);

/* The value of key in object o (a token index), or -1. */
int json_get(const struct json_doc *d, unsigned o, const char *key);
/* The i-th child of an array or (key index) object, or -1; for an object
 * the key, whose value is the next token. */
int json_child(const struct json_doc *d, unsigned t, unsigned i);

/* Decode string t into out (cap bytes, NUL-terminated): its length, or
 * -EINVAL (not a string, or it contains NUL: \u0000), -E2BIG. */
int json_str(const struct json_doc *d, unsigned t, char *out, size_t cap);
/* Whether string t equals s once decoded. */
bool json_str_eq(const struct json_doc *d, unsigned t, const char *s);
/* An integer in [min, max]: no fraction, no exponent.  0, -EINVAL (not an
 * integer) or -ERANGE. */
int json_int(const struct json_doc *d, unsigned t, int64_t min, int64_t max, int64_t *v);
/* A decimal number times 10^digits, exactly: "25.5" with 3 digits is
 * 25500; more fraction digits than that (unless zeros), an exponent or a
 * result outside [min, max] is an error (-EINVAL, -ERANGE). */
int json_fixed(const struct json_doc *d, unsigned t, unsigned digits,
	       int64_t min, int64_t max, int64_t *v);

/* ---- the writer: appends to buf, never beyond cap ---- */
struct json_w {
	char *buf;
	size_t len, cap;
	bool overflow;         /* something did not fit: the text is unusable */
	unsigned depth;
	uint32_t first;        /* bit per level: nothing written at it yet */
	uint32_t arr;          /* bit per level: an array */
};

void jw_init(struct json_w *w, char *buf, size_t cap);
/* key is NULL for a value in an array or at the top. */
void jw_obj(struct json_w *w, const char *key);
void jw_arr(struct json_w *w, const char *key);
void jw_end(struct json_w *w);
void jw_str(struct json_w *w, const char *key, const char *s);
void jw_strn(struct json_w *w, const char *key, const char *s, size_t n);
void jw_int(struct json_w *w, const char *key, int64_t v);
void jw_uint(struct json_w *w, const char *key, uint64_t v);
/* v / 10^digits as a decimal: jw_fixed(w, "t", 25500, 3) is 25.5 */
void jw_fixed(struct json_w *w, const char *key, int64_t v, unsigned digits);
void jw_bool(struct json_w *w, const char *key, bool v);
void jw_null(struct json_w *w, const char *key);
/* n bytes as a string of lowercase hex digits */
void jw_hex(struct json_w *w, const char *key, const uint8_t *p, size_t n);
/* text that is already JSON (a request's id, copied back) */
void jw_raw(struct json_w *w, const char *key, const char *text, size_t n);
/* The text so far, NUL-terminated; NULL if it overflowed. */
const char *jw_text(struct json_w *w);

#endif
