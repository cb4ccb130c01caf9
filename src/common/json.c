/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Strict JSON reader and bounded writer (json.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"

/* ---------------- reader ---------------- */

struct parser {
	struct json_doc *d;
	const char *s;
	size_t len, pos;
	unsigned depth;
	int err;
};

static int fail(struct parser *p, const char *why)
{
	if (!p->err) {
		p->err = -EINVAL;
		p->d->err = why;
		p->d->err_at = (unsigned)p->pos;
	}
	return -1;
}

static int too_big(struct parser *p, const char *why)
{
	if (!p->err) {
		p->err = -E2BIG;
		p->d->err = why;
		p->d->err_at = (unsigned)p->pos;
	}
	return -1;
}

static void ws(struct parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int hex4(const char *s, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned x;

		if (c >= '0' && c <= '9')
			x = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x = (unsigned)(c - 'A' + 10);
		else
			return -1;
		*v = *v << 4 | x;
	}
	return 0;
}

/* One code point of a string body at s[*i] (before end): the escape or
 * UTF-8 sequence decoded into *cp.  0, or a message. */
static const char *next_cp(const char *s, size_t end, size_t *i, uint32_t *cp)
{
	unsigned char c = (unsigned char)s[*i];

	if (c < 0x20)
		return "control character in a string";
	if (c == '\\') {
		if (*i + 1 >= end)
			return "bad escape";
		c = (unsigned char)s[*i + 1];
		*i += 2;
		switch (c) {
		case '"': *cp = '"'; return NULL;
		case '\\': *cp = '\\'; return NULL;
		case '/': *cp = '/'; return NULL;
		case 'b': *cp = '\b'; return NULL;
		case 'f': *cp = '\f'; return NULL;
		case 'n': *cp = '\n'; return NULL;
		case 'r': *cp = '\r'; return NULL;
		case 't': *cp = '\t'; return NULL;
		case 'u': {
			uint32_t hi, lo;

			if (*i + 4 > end || hex4(s + *i, &hi))
				return "bad \\u escape";
			*i += 4;
			if (hi >= 0xdc00 && hi <= 0xdfff)
				return "lone low surrogate";
			if (hi >= 0xd800 && hi <= 0xdbff) {
				if (*i + 6 > end || s[*i] != '\\' || s[*i + 1] != 'u' ||
				    hex4(s + *i + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return "unpaired surrogate";
				*i += 6;
				hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
			}
			*cp = hi;
			return NULL;
		}
		default:
			return "bad escape";
		}
	}
	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return NULL;
	}
	{
		unsigned n;
		uint32_t v, min;

		if (c >= 0xc2 && c <= 0xdf)
			n = 1, v = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, v = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, v = c & 0x07, min = 0x10000;
		else
			return "invalid UTF-8";
		if (*i + 1 + n > end)
			return "invalid UTF-8";
		for (unsigned k = 1; k <= n; k++) {
			unsigned char t = (unsigned char)s[*i + k];

			if ((t & 0xc0) != 0x80)
				return "invalid UTF-8";
			v = v << 6 | (t & 0x3f);
		}
		if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return "invalid UTF-8";
		*i += 1 + n;
		*cp = v;
		return NULL;
	}
}

static int add_tok(struct parser *p, uint8_t type, size_t start)
{
	struct json_doc *d = p->d;

	if (d->n >= d->max)
		return too_big(p, "too many values");
	d->tok[d->n] = (struct json_tok){ .type = type, .start = (uint32_t)start };
	return (int)d->n++;
}

static int value(struct parser *p);

static int string(struct parser *p, uint8_t type)
{
	size_t i = p->pos + 1;
	int t;

	if (p->pos >= p->len || p->s[p->pos] != '"')
		return fail(p, "expected a string");
	t = add_tok(p, type, i);
	if (t < 0)
		return -1;
	while (i < p->len && p->s[i] != '"') {
		uint32_t cp;
		const char *why = next_cp(p->s, p->len, &i, &cp);

		if (why) {
			p->pos = i;
			return fail(p, why);
		}
	}
	if (i >= p->len) {
		p->pos = i;
		return fail(p, "unterminated string");
	}
	p->d->tok[t].len = (uint32_t)(i - p->d->tok[t].start);
	p->d->tok[t].skip = p->d->n;
	p->pos = i + 1;
	return t;
}

static bool digit(struct parser *p)
{
	return p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9';
}

static int number(struct parser *p)
{
	size_t start = p->pos;
	int t;

	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	if (!digit(p))
		return fail(p, "bad number");
	if (p->s[p->pos] == '0') {
		p->pos++;
		if (digit(p))
			return fail(p, "leading zero in a number");
	} else {
		while (digit(p))
			p->pos++;
	}
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (!digit(p))
			return fail(p, "bad number");
		while (digit(p))
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (!digit(p))
			return fail(p, "bad number");
		while (digit(p))
			p->pos++;
	}
	t = add_tok(p, JSON_NUM, start);
	if (t < 0)
		return -1;
	p->d->tok[t].len = (uint32_t)(p->pos - start);
	p->d->tok[t].skip = p->d->n;
	return t;
}

static int word(struct parser *p, const char *w, uint8_t type)
{
	size_t n = strlen(w);
	int t;

	if (p->len - p->pos < n || memcmp(p->s + p->pos, w, n))
		return fail(p, "unexpected character");
	t = add_tok(p, type, p->pos);
	if (t < 0)
		return -1;
	p->d->tok[t].len = (uint32_t)n;
	p->d->tok[t].skip = p->d->n;
	p->pos += n;
	return t;
}

/* Two string tokens decode to the same text. */
static bool str_tok_eq(const struct json_doc *d, const struct json_tok *a,
		       const struct json_tok *b)
{
	size_t i = a->start, j = b->start, ie = a->start + a->len, je = b->start + b->len;

	if (a->len == b->len && !memcmp(d->text + a->start, d->text + b->start, a->len))
		return true;
	while (i < ie && j < je) {
		uint32_t x, y;

		if (next_cp(d->text, ie, &i, &x) || next_cp(d->text, je, &j, &y) || x != y)
			return false;
	}
	return i == ie && j == je;
}

static int container(struct parser *p, bool obj)
{
	char close = obj ? '}' : ']';
	int t = add_tok(p, obj ? JSON_OBJ : JSON_ARR, p->pos);
	uint32_t count = 0;

	if (t < 0)
		return -1;
	if (++p->depth > JSON_MAX_DEPTH)
		return too_big(p, "nested too deep");
	p->pos++;
	ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		goto done;
	}
	for (;;) {
		ws(p);
		if (obj) {
			int k = string(p, JSON_STR);

			if (k < 0)
				return -1;
			/* no key twice */
			for (unsigned c = (unsigned)t + 1; c < (unsigned)k; ) {
				if (str_tok_eq(p->d, &p->d->tok[c], &p->d->tok[k])) {
					p->pos = p->d->tok[k].start;
					return fail(p, "duplicate key");
				}
				c = p->d->tok[c + 1].skip;   /* the value after key c */
			}
			ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return fail(p, "expected ':'");
			p->pos++;
			ws(p);
		}
		if (value(p) < 0)
			return -1;
		count++;
		ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			break;
		}
		return fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
done:
	p->depth--;
	p->d->tok[t].count = count;
	p->d->tok[t].len = (uint32_t)(p->pos - p->d->tok[t].start);
	p->d->tok[t].skip = p->d->n;
	return t;
}

static int value(struct parser *p)
{
	if (p->pos >= p->len)
		return fail(p, "unexpected end");
	switch (p->s[p->pos]) {
	case '{': return container(p, true);
	case '[': return container(p, false);
	case '"': return string(p, JSON_STR);
	case 't': return word(p, "true", JSON_BOOL);
	case 'f': return word(p, "false", JSON_BOOL);
	case 'n': return word(p, "null", JSON_NULL);
	default:  return number(p);
	}
}

int json_parse(struct json_doc *d, const char *s, size_t len,
	       struct json_tok *tok, unsigned max)
{
	struct parser p = { .d = d, .s = s, .len = len };

	*d = (struct json_doc){ .text = s, .tok = tok, .max = max };
	if (len > UINT32_MAX / 2) {
		d->err = "too long";
		return -E2BIG;
	}
	ws(&p);
	if (value(&p) >= 0) {
		ws(&p);
		if (p.pos != len)
			fail(&p, "text after the value");
	}
	return p.err;
}

int json_child(const struct json_doc *d, unsigned t, unsigned i)
{
	unsigned c = t + 1;
	bool obj;

	if (t >= d->n || (d->tok[t].type != JSON_OBJ && d->tok[t].type != JSON_ARR) ||
	    i >= d->tok[t].count)
		return -1;
	obj = d->tok[t].type == JSON_OBJ;
	while (i--)
		c = obj ? d->tok[c + 1].skip : d->tok[c].skip;
	return (int)c;
}

int json_get(const struct json_doc *d, unsigned o, const char *key)
{
	if (o >= d->n || d->tok[o].type != JSON_OBJ)
		return -1;
	for (unsigned i = 0, c = o + 1; i < d->tok[o].count; i++, c = d->tok[c + 1].skip)
		if (json_str_eq(d, c, key))
			return (int)c + 1;
	return -1;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int json_str(const struct json_doc *d, unsigned t, char *out, size_t cap)
{
	const struct json_tok *k;
	size_t i, end, n = 0;

	if (t >= d->n || d->tok[t].type != JSON_STR || !cap)
		return -EINVAL;
	k = &d->tok[t];
	for (i = k->start, end = k->start + k->len; i < end; ) {
		uint32_t cp;
		char u[4];
		size_t m;

		if (next_cp(d->text, end, &i, &cp) || !cp)
			return -EINVAL;
		m = put_utf8(u, cp);
		if (n + m >= cap)
			return -E2BIG;
		memcpy(out + n, u, m);
		n += m;
	}
	out[n] = 0;
	return (int)n;
}

bool json_str_eq(const struct json_doc *d, unsigned t, const char *s)
{
	const struct json_tok *k;
	size_t i, end, j = 0, n = strlen(s);

	if (t >= d->n || d->tok[t].type != JSON_STR)
		return false;
	k = &d->tok[t];
	if (k->len == n && !memcmp(d->text + k->start, s, n) && !memchr(s, '\\', n))
		return true;
	for (i = k->start, end = k->start + k->len; i < end; ) {
		uint32_t cp;
		char u[4];
		size_t m;

		if (next_cp(d->text, end, &i, &cp))
			return false;
		m = put_utf8(u, cp);
		if (j + m > n || memcmp(s + j, u, m))
			return false;
		j += m;
	}
	return j == n;
}

int json_fixed(const struct json_doc *d, unsigned t, unsigned digits,
	       int64_t min, int64_t max, int64_t *v)
{
	const struct json_tok *k;
	const char *s, *e;
	bool neg = false, frac = false;
	unsigned fd = 0;
	uint64_t acc = 0, lim;

	if (t >= d->n || d->tok[t].type != JSON_NUM || digits > 18)
		return -EINVAL;
	k = &d->tok[t];
	s = d->text + k->start;
	e = s + k->len;
	if (*s == '-') {
		neg = true;
		s++;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; s < e; s++) {
		if (*s == '.') {
			frac = true;
			continue;
		}
		if (*s == 'e' || *s == 'E')
			return -EINVAL;
		if (frac && fd == digits) {
			if (*s != '0')
				return -EINVAL;   /* finer than the unit */
			continue;
		}
		if (acc > (lim - (unsigned)(*s - '0')) / 10)
			return -ERANGE;
		acc = acc * 10 + (unsigned)(*s - '0');
		if (frac)
			fd++;
	}
	for (; fd < digits; fd++) {
		if (acc > lim / 10)
			return -ERANGE;
		acc *= 10;
	}
	if (neg) {
		int64_t x = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;

		if (x < min)
			return -ERANGE;
		*v = x;
	} else {
		if (acc > (uint64_t)max)
			return -ERANGE;
		*v = (int64_t)acc;
		if (*v < min)
			return -ERANGE;
	}
	return 0;
}

int json_int(const struct json_doc *d, unsigned t, int64_t min, int64_t max, int64_t *v)
{
	if (t >= d->n || d->tok[t].type != JSON_NUM ||
	    memchr(d->text + d->tok[t].start, '.', d->tok[t].len))
		return -EINVAL;
	return json_fixed(d, t, 0, min, max, v);
}

/* ---------------- writer ---------------- */

void jw_init(struct json_w *w, char *buf, size_t cap)
{
	*w = (struct json_w){ .buf = buf, .cap = cap, .first = 1 };
	if (cap)
		buf[0] = 0;
	else
		w->overflow = true;
}

static void put(struct json_w *w, const char *s, size_t n)
{
	if (w->overflow || w->cap - w->len <= n) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

static void puts_(struct json_w *w, const char *s)
{
	put(w, s, strlen(s));
}

/* A string, escaped; bytes that are not valid UTF-8 become U+FFFD, so the
 * output is valid JSON whatever a string came from (a line name, a path). */
static void quoted(struct json_w *w, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	size_t run = 0, i = 0;

	put(w, "\"", 1);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		char e[7];
		uint32_t cp;
		size_t j = i;

		if (c >= 0x80) {
			if (c != '\\' && !next_cp(s, n, &j, &cp)) {
				i = j;
				continue;
			}
			put(w, s + run, i - run);
			put(w, "\xef\xbf\xbd", 3);
			run = ++i;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
			i++;
			continue;
		}
		put(w, s + run, i - run);
		run = ++i;
		if (c == '"' || c == '\\') {
			e[0] = '\\';
			e[1] = (char)c;
			put(w, e, 2);
		} else if (c == '\n') {
			put(w, "\\n", 2);
		} else {
			memcpy(e, "\\u00", 4);
			e[4] = hexd[c >> 4];
			e[5] = hexd[c & 15];
			put(w, e, 6);
		}
	}
	put(w, s + run, n - run);
	put(w, "\"", 1);
}

static void sep(struct json_w *w, const char *key)
{
	if (w->first & (1u << w->depth))
		w->first &= ~(1u << w->depth);
	else
		put(w, ",", 1);
	if (key) {
		quoted(w, key, strlen(key));
		put(w, ":", 1);
	}
}

static void open_(struct json_w *w, const char *key, const char *c)
{
	sep(w, key);
	put(w, c, 1);
	if (w->depth + 1 >= 32) {
		w->overflow = true;
		return;
	}
	w->depth++;
	w->first |= 1u << w->depth;
	if (*c == '[')
		w->arr |= 1u << w->depth;
	else
		w->arr &= ~(1u << w->depth);
}

void jw_obj(struct json_w *w, const char *key)
{
	open_(w, key, "{");
}

void jw_arr(struct json_w *w, const char *key)
{
	open_(w, key, "[");
}

void jw_end(struct json_w *w)
{
	if (!w->depth) {
		w->overflow = true;
		return;
	}
	put(w, w->arr & (1u << w->depth) ? "]" : "}", 1);
	w->depth--;
}

void jw_strn(struct json_w *w, const char *key, const char *s, size_t n)
{
	sep(w, key);
	quoted(w, s, n);
}

void jw_str(struct json_w *w, const char *key, const char *s)
{
	jw_strn(w, key, s, strlen(s));
}

void jw_int(struct json_w *w, const char *key, int64_t v)
{
	char b[24];

	sep(w, key);
	snprintf(b, sizeof(b), "%lld", (long long)v);
	puts_(w, b);
}

void jw_uint(struct json_w *w, const char *key, uint64_t v)
{
	char b[24];

	sep(w, key);
	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	puts_(w, b);
}

void jw_fixed(struct json_w *w, const char *key, int64_t v, unsigned digits)
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, p = 1;
	char b[48], f[24];
	unsigned n = digits;

	for (unsigned i = 0; i < digits && i < 18; i++)
		p *= 10;
	sep(w, key);
	if (!digits) {
		snprintf(b, sizeof(b), "%s%llu", v < 0 ? "-" : "", (unsigned long long)a);
		puts_(w, b);
		return;
	}
	snprintf(f, sizeof(f), "%0*llu", (int)digits, (unsigned long long)(a % p));
	while (n > 0 && f[n - 1] == '0')
		f[--n] = 0;
	snprintf(b, sizeof(b), "%s%llu%s%s", v < 0 ? "-" : "", (unsigned long long)(a / p),
		 n ? "." : "", f);
	puts_(w, b);
}

void jw_bool(struct json_w *w, const char *key, bool v)
{
	sep(w, key);
	puts_(w, v ? "true" : "false");
}

void jw_null(struct json_w *w, const char *key)
{
	sep(w, key);
	puts_(w, "null");
}

void jw_hex(struct json_w *w, const char *key, const uint8_t *p, size_t n)
{
	static const char hexd[] = "0123456789abcdef";

	sep(w, key);
	put(w, "\"", 1);
	for (size_t i = 0; i < n && !w->overflow; i++) {
		char e[2] = { hexd[p[i] >> 4], hexd[p[i] & 15] };

		put(w, e, 2);
	}
	put(w, "\"", 1);
}

void jw_raw(struct json_w *w, const char *key, const char *text, size_t n)
{
	sep(w, key);
	put(w, text, n);
}

const char *jw_text(struct json_w *w)
{
	return w->overflow ? NULL : w->buf;
}
