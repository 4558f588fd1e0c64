/* Exact integers beyond fixnums: sign-magnitude bignums of 32-bit limbs, with
 * the operations CL integers need (arithmetic, division, two's complement
 * logic and shifts, printing and parsing in any radix). */
#include "frontend/lisp/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIMBS (LISP_MAX_BIGNUM_BITS / 32)

/* A read-only view of any integer as sign and magnitude. */
struct bnv {
	const uint32_t *d;
	uint32_t n;
	bool neg;
	uint32_t tmp[2];
};

static void view(lv a, struct bnv *v)
{
	if (lisp_fixnump(a)) {
		int64_t x = lisp_fixnum_value(a);
		v->neg = x < 0;
		uint64_t m = v->neg ? -(uint64_t)x : (uint64_t)x;
		v->tmp[0] = (uint32_t)m;
		v->tmp[1] = (uint32_t)(m >> 32);
		v->n = v->tmp[1] ? 2 : v->tmp[0] ? 1 : 0;
		v->d = v->tmp;
	} else {
		v->d = BIG(a)->d;
		v->n = a->aux;
		v->neg = a->flags & 1;
	}
}

static struct lisp_bignum *big_new(struct lisp_ctx *ctx, size_t n)
{
	if (n > MAX_LIMBS + 2)
		lisp_error_type(ctx, ctx->s.arithmetic_error,
				"integer too large (the limit is %u bits)", LISP_MAX_BIGNUM_BITS);
	struct lisp_bignum *b = lisp_alloc(ctx, LISP_BIGNUM, sizeof(*b) + n * sizeof(uint32_t));
	b->h.aux = (uint32_t)n;
	return b;
}

/* Trims leading zero limbs; returns a fixnum when the value fits one. */
static lv normalize(struct lisp_ctx *ctx, struct lisp_bignum *b, bool neg)
{
	uint32_t n = b->h.aux;
	while (n && !b->d[n - 1])
		n--;
	if (n <= 2) {
		uint64_t m = n == 0 ? 0 : n == 1 ? b->d[0] : b->d[0] | (uint64_t)b->d[1] << 32;
		if (!neg && m <= (uint64_t)LISP_FIXNUM_MAX)
			return lisp_fixnum((int64_t)m);
		if (neg && m <= (uint64_t)LISP_FIXNUM_MAX + 1)
			return lisp_fixnum(-(int64_t)(m - 1) - 1);
	}
	if (n > MAX_LIMBS)
		lisp_error_type(ctx, ctx->s.arithmetic_error,
				"integer too large (the limit is %u bits)", LISP_MAX_BIGNUM_BITS);
	b->h.aux = n;
	b->h.flags = neg ? 1 : 0;
	return (lv)b;
}

static int mag_cmp(const uint32_t *a, uint32_t an, const uint32_t *b, uint32_t bn)
{
	if (an != bn)
		return an < bn ? -1 : 1;
	for (uint32_t i = an; i-- > 0;)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

static void mag_add(uint32_t *r, const uint32_t *a, uint32_t an, const uint32_t *b, uint32_t bn)
{
	uint64_t c = 0;
	uint32_t n = MAX(an, bn);
	for (uint32_t i = 0; i < n; i++) {
		c += (uint64_t)(i < an ? a[i] : 0) + (i < bn ? b[i] : 0);
		r[i] = (uint32_t)c;
		c >>= 32;
	}
	r[n] = (uint32_t)c;
}

/* r = a - b, a >= b */
static void mag_sub(uint32_t *r, const uint32_t *a, uint32_t an, const uint32_t *b, uint32_t bn)
{
	int64_t borrow = 0;
	for (uint32_t i = 0; i < an; i++) {
		int64_t t = (int64_t)a[i] - (i < bn ? b[i] : 0) - borrow;
		borrow = t < 0;
		r[i] = (uint32_t)t;
	}
}

static lv add_signed(struct lisp_ctx *ctx, struct bnv *a, struct bnv *b)
{
	struct lisp_bignum *r = big_new(ctx, MAX(a->n, b->n) + 1);
	if (a->neg == b->neg) {
		mag_add(r->d, a->d, a->n, b->d, b->n);
		return normalize(ctx, r, a->neg);
	}
	if (mag_cmp(a->d, a->n, b->d, b->n) >= 0) {
		mag_sub(r->d, a->d, a->n, b->d, b->n);
		return normalize(ctx, r, a->neg);
	}
	mag_sub(r->d, b->d, b->n, a->d, a->n);
	return normalize(ctx, r, b->neg);
}

lv lisp_int_add(struct lisp_ctx *ctx, lv a, lv b)
{
	if (lisp_fixnump(a) && lisp_fixnump(b))
		return lisp_int_from_i128(ctx,
					  (__int128)lisp_fixnum_value(a) + lisp_fixnum_value(b));
	struct bnv x, y;
	view(a, &x);
	view(b, &y);
	return add_signed(ctx, &x, &y);
}

lv lisp_int_sub(struct lisp_ctx *ctx, lv a, lv b)
{
	if (lisp_fixnump(a) && lisp_fixnump(b))
		return lisp_int_from_i128(ctx,
					  (__int128)lisp_fixnum_value(a) - lisp_fixnum_value(b));
	struct bnv x, y;
	view(a, &x);
	view(b, &y);
	y.neg = !y.neg;
	return add_signed(ctx, &x, &y);
}

lv lisp_int_neg(struct lisp_ctx *ctx, lv a)
{
	return lisp_int_sub(ctx, lisp_fixnum(0), a);
}

lv lisp_int_mul(struct lisp_ctx *ctx, lv a, lv b)
{
	if (lisp_fixnump(a) && lisp_fixnump(b))
		return lisp_int_from_i128(ctx,
					  (__int128)lisp_fixnum_value(a) * lisp_fixnum_value(b));
	struct bnv x, y;
	view(a, &x);
	view(b, &y);
	struct lisp_bignum *r = big_new(ctx, (size_t)x.n + y.n + 1);
	for (uint32_t i = 0; i < x.n; i++) {
		uint64_t c = 0;
		for (uint32_t j = 0; j < y.n; j++) {
			c += (uint64_t)x.d[i] * y.d[j] + r->d[i + j];
			r->d[i + j] = (uint32_t)c;
			c >>= 32;
		}
		r->d[i + y.n] = (uint32_t)c;
	}
	return normalize(ctx, r, x.neg != y.neg);
}

/* q = u / v, r = u % v (magnitudes, Knuth's algorithm D); v has n >= 1 limbs. */
static void mag_divmod(uint32_t *q, uint32_t *r, const uint32_t *u, uint32_t m, const uint32_t *v,
		       uint32_t n)
{
	if (n == 1) {
		uint64_t rem = 0;
		for (uint32_t i = m; i-- > 0;) {
			uint64_t cur = rem << 32 | u[i];
			q[i] = (uint32_t)(cur / v[0]);
			rem = cur % v[0];
		}
		r[0] = (uint32_t)rem;
		return;
	}
	int s = __builtin_clz(v[n - 1]);
	uint32_t *vn = xcalloc(n, sizeof(uint32_t)), *un = xcalloc(m + 1, sizeof(uint32_t));
	for (uint32_t i = n - 1; i > 0; i--)
		vn[i] = (uint32_t)(((uint64_t)v[i] << s) | ((uint64_t)v[i - 1] >> (32 - s)));
	vn[0] = (uint32_t)((uint64_t)v[0] << s);
	un[m] = (uint32_t)((uint64_t)u[m - 1] >> (32 - s));
	for (uint32_t i = m - 1; i > 0; i--)
		un[i] = (uint32_t)(((uint64_t)u[i] << s) | ((uint64_t)u[i - 1] >> (32 - s)));
	un[0] = (uint32_t)((uint64_t)u[0] << s);
	const uint64_t b = (uint64_t)1 << 32;
	for (int64_t j = (int64_t)m - n; j >= 0; j--) {
		uint64_t num = (uint64_t)un[j + n] << 32 | un[j + n - 1];
		uint64_t qhat = num / vn[n - 1], rhat = num % vn[n - 1];
		while (qhat >= b || qhat * vn[n - 2] > (rhat << 32 | un[j + n - 2])) {
			qhat--;
			rhat += vn[n - 1];
			if (rhat >= b)
				break;
		}
		int64_t k = 0, t;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t p = qhat * vn[i];
			t = (int64_t)un[i + j] - k - (int64_t)(p & 0xffffffffu);
			un[i + j] = (uint32_t)t;
			k = (int64_t)(p >> 32) - (t >> 32);
		}
		t = (int64_t)un[j + n] - k;
		un[j + n] = (uint32_t)t;
		q[j] = (uint32_t)qhat;
		if (t < 0) {
			q[j]--;
			uint64_t c = 0;
			for (uint32_t i = 0; i < n; i++) {
				c += (uint64_t)un[i + j] + vn[i];
				un[i + j] = (uint32_t)c;
				c >>= 32;
			}
			un[j + n] += (uint32_t)c;
		}
	}
	for (uint32_t i = 0; i < n - 1; i++)
		r[i] = (uint32_t)(((uint64_t)un[i] >> s) | ((uint64_t)un[i + 1] << (32 - s)));
	r[n - 1] = un[n - 1] >> s;
	free(vn);
	free(un);
}

void lisp_int_divmod(struct lisp_ctx *ctx, lv a, lv b, lv *q, lv *r)
{
	if (lisp_int_sign(b) == 0)
		lisp_error_type(ctx, ctx->s.division_by_zero, "division by zero");
	if (lisp_fixnump(a) && lisp_fixnump(b)) {
		int64_t x = lisp_fixnum_value(a), y = lisp_fixnum_value(b);
		if (q)
			*q = lisp_int_from_i128(ctx, (__int128)x / y);
		if (r)
			*r = lisp_fixnum(x % y);
		return;
	}
	struct bnv x, y;
	view(a, &x);
	view(b, &y);
	if (mag_cmp(x.d, x.n, y.d, y.n) < 0) {
		if (q)
			*q = lisp_fixnum(0);
		if (r)
			*r = a;
		return;
	}
	struct lisp_bignum *qb = big_new(ctx, x.n);
	struct lisp_bignum *rb = big_new(ctx, y.n);
	mag_divmod(qb->d, rb->d, x.d, x.n, y.d, y.n);
	bool xneg = x.neg, yneg = y.neg;
	if (q)
		*q = normalize(ctx, qb, xneg != yneg);
	if (r)
		*r = normalize(ctx, rb, xneg);
}

int lisp_int_sign(lv a)
{
	if (lisp_fixnump(a)) {
		int64_t x = lisp_fixnum_value(a);
		return x < 0 ? -1 : x > 0;
	}
	return (a->flags & 1) ? -1 : 1;
}

int lisp_int_cmp(lv a, lv b)
{
	if (lisp_fixnump(a) && lisp_fixnump(b)) {
		int64_t x = lisp_fixnum_value(a), y = lisp_fixnum_value(b);
		return x < y ? -1 : x > y;
	}
	struct bnv x, y;
	view(a, &x);
	view(b, &y);
	if (x.neg != y.neg)
		return x.neg ? -1 : 1;
	int c = mag_cmp(x.d, x.n, y.d, y.n);
	return x.neg ? -c : c;
}

/* ---- two's complement operations ---- */

/* Writes `n` limbs of a's two's complement representation (n > a's limbs). */
static void to_twos(const struct bnv *a, uint32_t *out, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		out[i] = i < a->n ? a->d[i] : 0;
	if (a->neg) {
		uint64_t c = 1;
		for (uint32_t i = 0; i < n; i++) {
			c += (uint32_t)~out[i];
			out[i] = (uint32_t)c;
			c >>= 32;
		}
	}
}

static lv from_twos(struct lisp_ctx *ctx, const uint32_t *w, uint32_t n)
{
	bool neg = n && (w[n - 1] >> 31);
	struct lisp_bignum *r = big_new(ctx, n);
	if (neg) {
		uint64_t c = 1;
		for (uint32_t i = 0; i < n; i++) {
			c += (uint32_t)~w[i];
			r->d[i] = (uint32_t)c;
			c >>= 32;
		}
	} else {
		memcpy(r->d, w, n * sizeof(uint32_t));
	}
	return normalize(ctx, r, neg);
}

lv lisp_int_logop(struct lisp_ctx *ctx, int op, lv a, lv b)
{
	if (lisp_fixnump(a) && lisp_fixnump(b)) {
		int64_t x = lisp_fixnum_value(a), y = lisp_fixnum_value(b);
		return lisp_fixnum(op == 0 ? (x & y) : op == 1 ? (x | y) : (x ^ y));
	}
	struct bnv x, y;
	view(a, &x);
	view(b, &y);
	uint32_t n = MAX(x.n, y.n) + 1;
	struct lisp_bignum *r = big_new(ctx, n);
	uint32_t *p = xmalloc(n * 4);
	to_twos(&x, p, n);
	to_twos(&y, r->d, n);
	for (uint32_t i = 0; i < n; i++)
		r->d[i] = op == 0   ? (p[i] & r->d[i])
			  : op == 1 ? (p[i] | r->d[i])
				    : (p[i] ^ r->d[i]);
	free(p);
	return from_twos(ctx, r->d, n);
}

lv lisp_int_lognot(struct lisp_ctx *ctx, lv a)
{
	/* ~a = -a - 1 */
	return lisp_int_sub(ctx, lisp_int_neg(ctx, a), lisp_fixnum(1));
}

lv lisp_int_ash(struct lisp_ctx *ctx, lv a, int64_t shift)
{
	if (lisp_int_sign(a) == 0 || shift == 0)
		return a;
	if (shift > (int64_t)LISP_MAX_BIGNUM_BITS)
		lisp_error_type(ctx, ctx->s.arithmetic_error,
				"integer too large (the limit is %u bits)", LISP_MAX_BIGNUM_BITS);
	if (lisp_fixnump(a) && shift < 0) {
		int64_t x = lisp_fixnum_value(a);
		return lisp_fixnum(shift <= -63 ? (x < 0 ? -1 : 0) : x >> -shift);
	}
	if (lisp_fixnump(a) && shift < 62) {
		int64_t x = lisp_fixnum_value(a);
		if (x < ((int64_t)1 << (62 - shift)) && x > -((int64_t)1 << (62 - shift)))
			return lisp_fixnum((int64_t)((uint64_t)x << shift));
	}
	struct bnv x;
	view(a, &x);
	if (shift > 0) {
		uint32_t limbs = (uint32_t)(shift / 32), bits = (uint32_t)(shift % 32);
		struct lisp_bignum *r = big_new(ctx, (size_t)x.n + limbs + 1);
		view(a, &x);
		for (uint32_t i = 0; i < x.n; i++) {
			uint64_t v = (uint64_t)x.d[i] << bits;
			r->d[i + limbs] |= (uint32_t)v;
			r->d[i + limbs + 1] |= (uint32_t)(v >> 32);
		}
		return normalize(ctx, r, x.neg);
	}
	uint64_t s = (uint64_t)-shift;
	if (s >= (uint64_t)x.n * 32)
		return lisp_fixnum(x.neg ? -1 : 0);
	uint32_t limbs = (uint32_t)(s / 32), bits = (uint32_t)(s % 32);
	bool lost = false;
	for (uint32_t i = 0; i < limbs; i++)
		lost |= x.d[i] != 0;
	if (bits)
		lost |= (x.d[limbs] & ((1u << bits) - 1)) != 0;
	struct lisp_bignum *r = big_new(ctx, x.n - limbs + 1);
	view(a, &x);
	for (uint32_t i = limbs; i < x.n; i++) {
		uint64_t v = (uint64_t)x.d[i] | (i + 1 < x.n ? (uint64_t)x.d[i + 1] << 32 : 0);
		r->d[i - limbs] = (uint32_t)(v >> bits);
	}
	lv res = normalize(ctx, r, x.neg);
	/* floor semantics for negative numbers: round toward -infinity */
	if (x.neg && lost)
		res = lisp_int_sub(ctx, res, lisp_fixnum(1));
	return res;
}

/* The magnitude of a for nonnegative a, of -a-1 (= lognot a) for negative. */
static void nonneg_view(lv a, struct bnv *v, uint32_t **tmp)
{
	view(a, v);
	*tmp = NULL;
	if (!v->neg)
		return;
	uint32_t *t = xmalloc((v->n + 1) * 4);
	static const uint32_t one = 1;
	mag_sub(t, v->d, v->n, &one, 1);
	uint32_t n = v->n;
	while (n && !t[n - 1])
		n--;
	v->d = t;
	v->n = n;
	*tmp = t;
}

uint64_t lisp_int_length(lv a)
{
	struct bnv v;
	uint32_t *tmp;
	nonneg_view(a, &v, &tmp);
	uint64_t r = v.n ? (uint64_t)(v.n - 1) * 32 + (32 - __builtin_clz(v.d[v.n - 1])) : 0;
	free(tmp);
	return r;
}

uint64_t lisp_int_logcount(lv a)
{
	struct bnv v;
	uint32_t *tmp;
	nonneg_view(a, &v, &tmp);
	uint64_t r = 0;
	for (uint32_t i = 0; i < v.n; i++)
		r += (uint64_t)__builtin_popcount(v.d[i]);
	free(tmp);
	return r;
}

bool lisp_int_logbitp(lv a, uint64_t bit)
{
	struct bnv v;
	uint32_t *tmp;
	nonneg_view(a, &v, &tmp);
	bool neg = lisp_int_sign(a) < 0;
	bool b = bit / 32 < v.n && ((v.d[bit / 32] >> (bit % 32)) & 1);
	free(tmp);
	return neg ? !b : b;
}

/* ---- conversions ---- */

lv lisp_int_from_i128(struct lisp_ctx *ctx, __int128 v)
{
	if (v >= LISP_FIXNUM_MIN && v <= LISP_FIXNUM_MAX)
		return lisp_fixnum((int64_t)v);
	bool neg = v < 0;
	unsigned __int128 m = neg ? -(unsigned __int128)v : (unsigned __int128)v;
	struct lisp_bignum *b = big_new(ctx, 4);
	for (int i = 0; i < 4; i++)
		b->d[i] = (uint32_t)(m >> (32 * i));
	return normalize(ctx, b, neg);
}

lv lisp_make_int(struct lisp_ctx *ctx, int64_t n)
{
	return lisp_int_from_i128(ctx, n);
}

lv lisp_make_uint(struct lisp_ctx *ctx, uint64_t n)
{
	return lisp_int_from_i128(ctx, (__int128)n);
}

bool lisp_int_to_i64(lv v, int64_t *out)
{
	if (lisp_fixnump(v)) {
		*out = lisp_fixnum_value(v);
		return true;
	}
	if (!lisp_is(v, LISP_BIGNUM) || v->aux > 2)
		return false;
	uint64_t m = BIG(v)->d[0] | (v->aux > 1 ? (uint64_t)BIG(v)->d[1] << 32 : 0);
	if (v->flags & 1) {
		if (m > (uint64_t)INT64_MAX + 1)
			return false;
		*out = (int64_t)(0 - m);
	} else {
		if (m > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)m;
	}
	return true;
}

bool lisp_int_to_u64(lv v, uint64_t *out)
{
	if (lisp_fixnump(v)) {
		if (lisp_fixnum_value(v) < 0)
			return false;
		*out = (uint64_t)lisp_fixnum_value(v);
		return true;
	}
	if (!lisp_is(v, LISP_BIGNUM) || v->aux > 2 || (v->flags & 1))
		return false;
	*out = BIG(v)->d[0] | (v->aux > 1 ? (uint64_t)BIG(v)->d[1] << 32 : 0);
	return true;
}

uint64_t lisp_int_low64(lv v)
{
	if (lisp_fixnump(v))
		return (uint64_t)lisp_fixnum_value(v);
	if (!lisp_is(v, LISP_BIGNUM))
		return 0;
	uint64_t m = BIG(v)->d[0] | (v->aux > 1 ? (uint64_t)BIG(v)->d[1] << 32 : 0);
	return (v->flags & 1) ? 0 - m : m;
}

double lisp_int_to_double(lv a)
{
	if (lisp_fixnump(a))
		return (double)lisp_fixnum_value(a);
	struct bnv v;
	view(a, &v);
	double d = 0;
	for (uint32_t i = v.n; i-- > 0;)
		d = d * 4294967296.0 + v.d[i];
	return v.neg ? -d : d;
}

lv lisp_int_from_double(struct lisp_ctx *ctx, double d)
{
	if (isnan(d) || isinf(d))
		lisp_error_type(ctx, ctx->s.arithmetic_error, "cannot convert %g to an integer", d);
	d = trunc(d);
	if (fabs(d) < 4e18)
		return lisp_fixnum((int64_t)d);
	int e;
	double f = frexp(fabs(d), &e); /* d = f * 2^e, 0.5 <= f < 1 */
	lv m = lisp_make_uint(ctx, (uint64_t)ldexp(f, 53));
	lv r = lisp_int_ash(ctx, m, e - 53);
	return d < 0 ? lisp_int_neg(ctx, r) : r;
}

/* ---- text ---- */

void lisp_int_print(struct lisp_ctx *ctx, struct buf *out, lv a, unsigned radix)
{
	static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	struct bnv v;
	view(a, &v);
	if (v.neg)
		buf_putc(out, '-');
	if (!v.n) {
		buf_putc(out, '0');
		return;
	}
	/* divide repeatedly by the largest power of radix that fits a limb */
	uint32_t chunk = radix, per = 1;
	while ((uint64_t)chunk * radix <= 0xffffffffu) {
		chunk *= radix;
		per++;
	}
	uint32_t *m = xmalloc(v.n * 4), n = v.n;
	memcpy(m, v.d, n * 4);
	struct buf rev = { 0 };
	while (n) {
		uint64_t rem = 0;
		for (uint32_t i = n; i-- > 0;) {
			uint64_t cur = rem << 32 | m[i];
			m[i] = (uint32_t)(cur / chunk);
			rem = cur % chunk;
		}
		while (n && !m[n - 1])
			n--;
		for (uint32_t k = 0; k < per && (n || rem); k++) {
			buf_putc(&rev, digits[rem % radix]);
			rem /= radix;
		}
	}
	for (size_t i = rev.len; i-- > 0;)
		buf_putc(out, rev.data[i]);
	buf_free(&rev);
	free(m);
}

static int digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

lv lisp_int_parse(struct lisp_ctx *ctx, const char *s, size_t n, unsigned radix, bool neg)
{
	unsigned __int128 acc = 0;
	size_t i = 0;
	for (; i < n; i++) {
		unsigned __int128 next = acc * radix + (unsigned)digit_value(s[i]);
		if (acc > ((unsigned __int128)1 << 120))
			break;
		acc = next;
	}
	if (i == n && acc <= ((unsigned __int128)1 << 126))
		return lisp_int_from_i128(ctx, neg ? -(__int128)acc : (__int128)acc);
	/* long numbers: multiply-add on limbs */
	double bits = (double)n * log2((double)radix);
	if (bits > LISP_MAX_BIGNUM_BITS + 32)
		lisp_error_type(ctx, ctx->s.reader_error,
				"integer too large (the limit is %u bits)", LISP_MAX_BIGNUM_BITS);
	uint32_t cap = (uint32_t)(bits / 32) + 2, len = 0;
	struct lisp_bignum *b = big_new(ctx, cap);
	for (i = 0; i < n; i++) {
		uint64_t c = (uint64_t)digit_value(s[i]);
		for (uint32_t k = 0; k < len; k++) {
			c += (uint64_t)b->d[k] * radix;
			b->d[k] = (uint32_t)c;
			c >>= 32;
		}
		if (c && len < cap)
			b->d[len++] = (uint32_t)c;
	}
	return normalize(ctx, b, neg);
}
