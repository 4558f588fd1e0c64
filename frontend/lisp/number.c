/* Numeric builtins: generic arithmetic over integers (fixnum/bignum) and
 * double floats, division with CL's rounding functions, comparisons, bit
 * operations and byte specifiers.  Ratios are reported, not produced. */
#include "frontend/lisp/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool lisp_floatp(lv v)
{
	return lisp_is(v, LISP_FLOAT);
}

double lisp_float_value(lv v)
{
	return ((struct lisp_float *)v)->d;
}

bool lisp_numberp(lv v)
{
	return lisp_integerp(v) || lisp_floatp(v);
}

lv lisp_make_float(struct lisp_ctx *ctx, double d)
{
	struct lisp_float *f = lisp_alloc(ctx, LISP_FLOAT, sizeof(*f));
	f->d = d;
	return (lv)f;
}

static lv num(struct lisp_ctx *ctx, lv v)
{
	if (!lisp_numberp(v))
		lisp_type_error(ctx, v, "number");
	return v;
}

lv lisp_check_int(struct lisp_ctx *ctx, lv v)
{
	if (!lisp_integerp(v))
		lisp_type_error(ctx, v, "integer");
	return v;
}

int64_t lisp_check_fixnum(struct lisp_ctx *ctx, lv v, int64_t lo, int64_t hi)
{
	int64_t x;
	if (!lisp_integerp(v) || !lisp_int_to_i64(v, &x) || x < lo || x > hi) {
		char *t = xasprintf("(integer %lld %lld)", (long long)lo, (long long)hi);
		lv type = lisp_read_string(ctx, t);
		free(t);
		lisp_signal_error(ctx,
				  lisp_make_condition_v(ctx, ctx->s.type_error,
							lisp_list(ctx, 4, ctx->s.k_datum, v,
								  ctx->s.k_expected_type, type)));
	}
	return x;
}

static double dbl(lv v)
{
	return lisp_floatp(v) ? lisp_float_value(v) : lisp_int_to_double(v);
}

static lv check_float(struct lisp_ctx *ctx, double d)
{
	if (isnan(d) || isinf(d))
		lisp_error_type(ctx, ctx->s.arithmetic_error,
				"floating-point overflow or invalid operation");
	return lisp_make_float(ctx, d);
}

lv lisp_num_add(struct lisp_ctx *ctx, lv a, lv b)
{
	if (lisp_integerp(a) && lisp_integerp(b))
		return lisp_int_add(ctx, a, b);
	return check_float(ctx, dbl(num(ctx, a)) + dbl(num(ctx, b)));
}

lv lisp_num_sub(struct lisp_ctx *ctx, lv a, lv b)
{
	if (lisp_integerp(a) && lisp_integerp(b))
		return lisp_int_sub(ctx, a, b);
	return check_float(ctx, dbl(num(ctx, a)) - dbl(num(ctx, b)));
}

lv lisp_num_mul(struct lisp_ctx *ctx, lv a, lv b)
{
	if (lisp_integerp(a) && lisp_integerp(b))
		return lisp_int_mul(ctx, a, b);
	return check_float(ctx, dbl(num(ctx, a)) * dbl(num(ctx, b)));
}

int lisp_num_cmp(struct lisp_ctx *ctx, lv a, lv b)
{
	if (lisp_integerp(a) && lisp_integerp(b))
		return lisp_int_cmp(a, b);
	double x = dbl(num(ctx, a)), y = dbl(num(ctx, b));
	return x < y ? -1 : x > y;
}

bool lisp_num_equal(lv a, lv b)
{
	if (lisp_integerp(a) && lisp_integerp(b))
		return lisp_int_cmp(a, b) == 0;
	return dbl(a) == dbl(b);
}

static lv num_div(struct lisp_ctx *ctx, lv a, lv b)
{
	if (lisp_integerp(a) && lisp_integerp(b)) {
		lv q, r;
		lisp_int_divmod(ctx, a, b, &q, &r);
		if (lisp_int_sign(r) != 0) {
			struct buf t = { 0 };
			lisp_int_print(ctx, &t, a, 10);
			buf_putc(&t, '/');
			lisp_int_print(ctx, &t, b, 10);
			char *s = buf_steal(&t);
			lv msg = lisp_make_cstring(ctx, s);
			free(s);
			lisp_error_type(ctx, ctx->s.arithmetic_error,
					"the quotient %s is a ratio, and ratios are not supported "
					"(use FLOOR or TRUNCATE for integer division, or a float)",
					lisp_str(msg));
		}
		return q;
	}
	double y = dbl(num(ctx, b));
	if (y == 0)
		lisp_error_type(ctx, ctx->s.division_by_zero, "division by zero");
	return check_float(ctx, dbl(num(ctx, a)) / y);
}

/* ---- arithmetic builtins ---- */

BUILTIN(b_add)
{
	lv r = lisp_fixnum(0);
	for (int i = 0; i < argc; i++)
		r = lisp_num_add(ctx, r, argv[i]);
	return argc == 1 ? num(ctx, argv[0]) : r;
}

BUILTIN(b_mul)
{
	lv r = lisp_fixnum(1);
	for (int i = 0; i < argc; i++)
		r = lisp_num_mul(ctx, r, argv[i]);
	return argc == 1 ? num(ctx, argv[0]) : r;
}

BUILTIN(b_sub)
{
	if (argc == 1)
		return lisp_num_sub(ctx, lisp_fixnum(0), argv[0]);
	lv r = argv[0];
	for (int i = 1; i < argc; i++)
		r = lisp_num_sub(ctx, r, argv[i]);
	return r;
}

BUILTIN(b_div)
{
	if (argc == 1)
		return num_div(ctx, lisp_fixnum(1), argv[0]);
	lv r = argv[0];
	for (int i = 1; i < argc; i++)
		r = num_div(ctx, r, argv[i]);
	return r;
}

BUILTIN(b_1plus)
{
	return lisp_num_add(ctx, argv[0], lisp_fixnum(1));
}

BUILTIN(b_1minus)
{
	return lisp_num_sub(ctx, argv[0], lisp_fixnum(1));
}

BUILTIN(b_abs)
{
	if (lisp_floatp(argv[0]))
		return lisp_make_float(ctx, fabs(lisp_float_value(argv[0])));
	lv a = lisp_check_int(ctx, argv[0]);
	return lisp_int_sign(a) < 0 ? lisp_int_neg(ctx, a) : a;
}

BUILTIN(b_signum)
{
	if (lisp_floatp(argv[0])) {
		double d = lisp_float_value(argv[0]);
		return lisp_make_float(ctx, d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0);
	}
	return lisp_fixnum(lisp_int_sign(lisp_check_int(ctx, argv[0])));
}

/* kind: 0 floor, 1 ceiling, 2 truncate, 3 round */
static lv divide(struct lisp_ctx *ctx, int kind, int argc, lv *argv)
{
	lv a = num(ctx, argv[0]), b = argc > 1 ? num(ctx, argv[1]) : lisp_fixnum(1);
	lv q, r;
	if (lisp_integerp(a) && lisp_integerp(b)) {
		lisp_int_divmod(ctx, a, b, &q, &r);
		int rs = lisp_int_sign(r), bs = lisp_int_sign(b);
		bool adj_down = false, adj_up = false;
		if (rs != 0) {
			if (kind == 0)
				adj_down = rs != bs;
			else if (kind == 1)
				adj_up = rs == bs;
			else if (kind == 3) {
				/* nearest, ties to even: compare 2|r| with |b| */
				lv r2 = lisp_int_ash(ctx, rs < 0 ? lisp_int_neg(ctx, r) : r, 1);
				int c = lisp_int_cmp(r2, bs < 0 ? lisp_int_neg(ctx, b) : b);
				bool away = c > 0 || (c == 0 && lisp_int_logbitp(q, 0));
				if (away) {
					adj_down = rs != bs;
					adj_up = rs == bs;
				}
			}
		}
		if (adj_down) {
			q = lisp_int_sub(ctx, q, lisp_fixnum(1));
			r = lisp_int_add(ctx, r, b);
		} else if (adj_up) {
			q = lisp_int_add(ctx, q, lisp_fixnum(1));
			r = lisp_int_sub(ctx, r, b);
		}
	} else {
		double x = dbl(a), y = dbl(b);
		if (y == 0)
			lisp_error_type(ctx, ctx->s.division_by_zero, "division by zero");
		double d = x / y, f;
		switch (kind) {
		case 0:
			f = floor(d);
			break;
		case 1:
			f = ceil(d);
			break;
		case 2:
			f = trunc(d);
			break;
		default:
			f = nearbyint(d);
			break;
		}
		q = lisp_int_from_double(ctx, f);
		r = check_float(ctx, x - f * y);
	}
	ctx->mv_n = 2;
	ctx->mv[0] = q;
	ctx->mv[1] = r;
	return q;
}

BUILTIN(b_floor)
{
	return divide(ctx, 0, argc, argv);
}
BUILTIN(b_ceiling)
{
	return divide(ctx, 1, argc, argv);
}
BUILTIN(b_truncate)
{
	return divide(ctx, 2, argc, argv);
}
BUILTIN(b_round)
{
	return divide(ctx, 3, argc, argv);
}

BUILTIN(b_mod)
{
	divide(ctx, 0, argc, argv);
	ctx->mv_n = 1;
	return ctx->mv[1];
}

BUILTIN(b_rem)
{
	divide(ctx, 2, argc, argv);
	ctx->mv_n = 1;
	return ctx->mv[1];
}

static lv minmax(struct lisp_ctx *ctx, int argc, lv *argv, int sign)
{
	lv best = num(ctx, argv[0]);
	for (int i = 1; i < argc; i++)
		if (lisp_num_cmp(ctx, argv[i], best) * sign > 0)
			best = argv[i];
	return best;
}

BUILTIN(b_max)
{
	return minmax(ctx, argc, argv, 1);
}
BUILTIN(b_min)
{
	return minmax(ctx, argc, argv, -1);
}

static lv int_gcd(struct lisp_ctx *ctx, lv a, lv b)
{
	if (lisp_int_sign(a) < 0)
		a = lisp_int_neg(ctx, a);
	if (lisp_int_sign(b) < 0)
		b = lisp_int_neg(ctx, b);
	while (lisp_int_sign(b) != 0) {
		lv r;
		lisp_tick(ctx);
		lisp_int_divmod(ctx, a, b, NULL, &r);
		a = b;
		b = r;
	}
	return a;
}

BUILTIN(b_gcd)
{
	lv g = lisp_fixnum(0);
	for (int i = 0; i < argc; i++)
		g = int_gcd(ctx, g, lisp_check_int(ctx, argv[i]));
	return g;
}

BUILTIN(b_lcm)
{
	lv l = lisp_fixnum(1);
	for (int i = 0; i < argc; i++) {
		lv x = lisp_check_int(ctx, argv[i]);
		if (lisp_int_sign(x) == 0)
			return lisp_fixnum(0);
		lv g = int_gcd(ctx, l, x), q;
		lisp_int_divmod(ctx, lisp_int_mul(ctx, l, x), g, &q, NULL);
		l = lisp_int_sign(q) < 0 ? lisp_int_neg(ctx, q) : q;
	}
	return l;
}

BUILTIN(b_expt)
{
	lv base = num(ctx, argv[0]), power = num(ctx, argv[1]);
	if (lisp_integerp(base) && lisp_integerp(power)) {
		if (lisp_int_sign(power) < 0) {
			if (lisp_int_cmp(base, lisp_fixnum(1)) == 0)
				return base;
			if (lisp_int_cmp(base, lisp_fixnum(-1)) == 0)
				return lisp_int_logbitp(power, 0) ? base : lisp_fixnum(1);
			lisp_error_type(
				ctx, ctx->s.arithmetic_error,
				"EXPT with a negative integer power gives a ratio, and ratios "
				"are not supported");
		}
		uint64_t e;
		if (!lisp_int_to_u64(power, &e) ||
		    (e > LISP_MAX_BIGNUM_BITS && lisp_int_length(base) > 1))
			lisp_error_type(ctx, ctx->s.arithmetic_error,
					"integer too large (the limit is %u bits)",
					LISP_MAX_BIGNUM_BITS);
		lv r = lisp_fixnum(1);
		while (e) {
			lisp_tick(ctx);
			if (e & 1)
				r = lisp_int_mul(ctx, r, base);
			e >>= 1;
			if (e)
				base = lisp_int_mul(ctx, base, base);
		}
		return r;
	}
	return check_float(ctx, pow(dbl(base), dbl(power)));
}

BUILTIN(b_sqrt)
{
	double d = dbl(num(ctx, argv[0]));
	if (d < 0)
		lisp_error_type(ctx, ctx->s.arithmetic_error,
				"the square root of a negative number is complex, and complex "
				"numbers are not supported");
	return lisp_make_float(ctx, sqrt(d));
}

BUILTIN(b_isqrt)
{
	lv n = lisp_check_int(ctx, argv[0]);
	if (lisp_int_sign(n) < 0)
		lisp_type_error(ctx, n, "unsigned-byte");
	if (lisp_int_sign(n) == 0)
		return n;
	lv x = lisp_int_ash(ctx, lisp_fixnum(1), (int64_t)(lisp_int_length(n) + 1) / 2 + 1);
	for (;;) {
		lv q;
		lisp_tick(ctx);
		lisp_int_divmod(ctx, n, x, &q, NULL);
		lv y = lisp_int_ash(ctx, lisp_int_add(ctx, x, q), -1);
		if (lisp_int_cmp(y, x) >= 0)
			return x;
		x = y;
	}
}

BUILTIN(b_float)
{
	return lisp_make_float(ctx, dbl(num(ctx, argv[0])));
}

BUILTIN(b_random)
{
	uint64_t *s = &ctx->rng;
	lv lim = num(ctx, argv[0]);
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	if (lisp_floatp(lim))
		return lisp_make_float(ctx, (double)(*s >> 11) / 9007199254740992.0 *
						    lisp_float_value(lim));
	if (lisp_int_sign(lim) <= 0)
		lisp_type_error(ctx, lim, "(integer 1)");
	lv r;
	lisp_int_divmod(ctx, lisp_make_uint(ctx, *s >> 1), lim, NULL, &r);
	return r;
}

/* ---- comparisons and predicates ---- */

static lv compare(struct lisp_ctx *ctx, int argc, lv *argv, bool (*ok)(int))
{
	num(ctx, argv[0]);
	for (int i = 0; i + 1 < argc; i++)
		if (!ok(lisp_num_cmp(ctx, argv[i], argv[i + 1])))
			return LISP_NIL;
	return ctx->t;
}

static bool c_eq(int c)
{
	return c == 0;
}
static bool c_lt(int c)
{
	return c < 0;
}
static bool c_gt(int c)
{
	return c > 0;
}
static bool c_le(int c)
{
	return c <= 0;
}
static bool c_ge(int c)
{
	return c >= 0;
}
BUILTIN(b_numeq)
{
	return compare(ctx, argc, argv, c_eq);
}
BUILTIN(b_lt)
{
	return compare(ctx, argc, argv, c_lt);
}
BUILTIN(b_gt)
{
	return compare(ctx, argc, argv, c_gt);
}
BUILTIN(b_le)
{
	return compare(ctx, argc, argv, c_le);
}
BUILTIN(b_ge)
{
	return compare(ctx, argc, argv, c_ge);
}

BUILTIN(b_numne)
{
	for (int i = 0; i < argc; i++)
		for (int j = i + 1; j < argc; j++)
			if (lisp_num_cmp(ctx, argv[i], argv[j]) == 0)
				return LISP_NIL;
	return ctx->t;
}

BUILTIN(b_zerop)
{
	return lisp_bool(ctx, lisp_num_cmp(ctx, argv[0], lisp_fixnum(0)) == 0);
}
BUILTIN(b_plusp)
{
	return lisp_bool(ctx, lisp_num_cmp(ctx, argv[0], lisp_fixnum(0)) > 0);
}
BUILTIN(b_minusp)
{
	return lisp_bool(ctx, lisp_num_cmp(ctx, argv[0], lisp_fixnum(0)) < 0);
}
BUILTIN(b_evenp)
{
	return lisp_bool(ctx, !lisp_int_logbitp(lisp_check_int(ctx, argv[0]), 0));
}
BUILTIN(b_oddp)
{
	return lisp_bool(ctx, lisp_int_logbitp(lisp_check_int(ctx, argv[0]), 0));
}
BUILTIN(b_numberp)
{
	return lisp_bool(ctx, lisp_numberp(argv[0]));
}
BUILTIN(b_integerp)
{
	return lisp_bool(ctx, lisp_integerp(argv[0]));
}
BUILTIN(b_floatp)
{
	return lisp_bool(ctx, lisp_floatp(argv[0]));
}

/* ---- bits ---- */

static lv logop(struct lisp_ctx *ctx, int op, int argc, lv *argv, lv init)
{
	lv r = init;
	for (int i = 0; i < argc; i++)
		r = lisp_int_logop(ctx, op, r, lisp_check_int(ctx, argv[i]));
	return r;
}

BUILTIN(b_logand)
{
	return logop(ctx, 0, argc, argv, lisp_fixnum(-1));
}
BUILTIN(b_logior)
{
	return logop(ctx, 1, argc, argv, lisp_fixnum(0));
}
BUILTIN(b_logxor)
{
	return logop(ctx, 2, argc, argv, lisp_fixnum(0));
}
BUILTIN(b_lognot)
{
	return lisp_int_lognot(ctx, lisp_check_int(ctx, argv[0]));
}

BUILTIN(b_logandc2)
{
	return lisp_int_logop(ctx, 0, lisp_check_int(ctx, argv[0]),
			      lisp_int_lognot(ctx, lisp_check_int(ctx, argv[1])));
}

BUILTIN(b_logtest)
{
	lv r = lisp_int_logop(ctx, 0, lisp_check_int(ctx, argv[0]), lisp_check_int(ctx, argv[1]));
	return lisp_bool(ctx, lisp_int_sign(r) != 0);
}

BUILTIN(b_ash)
{
	lv n = lisp_check_int(ctx, argv[0]);
	int64_t s;
	if (!lisp_int_to_i64(lisp_check_int(ctx, argv[1]), &s))
		s = lisp_int_sign(argv[1]) < 0 ? INT64_MIN / 2 : INT64_MAX / 2;
	if (s < -(int64_t)LISP_MAX_BIGNUM_BITS * 4)
		s = -(int64_t)LISP_MAX_BIGNUM_BITS * 4;
	return lisp_int_ash(ctx, n, s);
}

BUILTIN(b_integer_length)
{
	return lisp_make_uint(ctx, lisp_int_length(lisp_check_int(ctx, argv[0])));
}

BUILTIN(b_logcount)
{
	return lisp_make_uint(ctx, lisp_int_logcount(lisp_check_int(ctx, argv[0])));
}

BUILTIN(b_logbitp)
{
	uint64_t bit;
	lisp_check_int(ctx, argv[1]);
	if (!lisp_int_to_u64(lisp_check_int(ctx, argv[0]), &bit))
		lisp_type_error(ctx, argv[0], "unsigned-byte");
	return lisp_bool(ctx, lisp_int_logbitp(argv[1], bit));
}

/* A byte specifier is (size . position), as in SBCL. */
BUILTIN(b_byte)
{
	lisp_check_fixnum(ctx, argv[0], 0, LISP_MAX_BIGNUM_BITS);
	lisp_check_fixnum(ctx, argv[1], 0, LISP_MAX_BIGNUM_BITS);
	return lisp_cons(ctx, argv[0], argv[1]);
}

static void bytespec(struct lisp_ctx *ctx, lv spec, int64_t *size, int64_t *pos)
{
	if (!lisp_consp(spec) || !lisp_fixnump(lisp_car(spec)) || !lisp_fixnump(lisp_cdr(spec)))
		lisp_type_error(ctx, spec, "cons");
	*size = lisp_check_fixnum(ctx, lisp_car(spec), 0, LISP_MAX_BIGNUM_BITS);
	*pos = lisp_check_fixnum(ctx, lisp_cdr(spec), 0, LISP_MAX_BIGNUM_BITS);
}

static lv mask(struct lisp_ctx *ctx, int64_t size)
{
	return lisp_int_sub(ctx, lisp_int_ash(ctx, lisp_fixnum(1), size), lisp_fixnum(1));
}

BUILTIN(b_byte_size)
{
	return lisp_car(argv[0]);
}
BUILTIN(b_byte_position)
{
	return lisp_cdr(argv[0]);
}

BUILTIN(b_ldb)
{
	int64_t size, pos;
	bytespec(ctx, argv[0], &size, &pos);
	lv n = lisp_int_ash(ctx, lisp_check_int(ctx, argv[1]), -pos);
	return lisp_int_logop(ctx, 0, n, mask(ctx, size));
}

BUILTIN(b_ldb_test)
{
	return lisp_bool(ctx, lisp_int_sign(b_ldb(ctx, argc, argv, data)) != 0);
}

BUILTIN(b_dpb)
{
	int64_t size, pos;
	bytespec(ctx, argv[1], &size, &pos);
	lv m = lisp_int_ash(ctx, mask(ctx, size), pos);
	lv keep = lisp_int_logop(ctx, 0, lisp_check_int(ctx, argv[2]), lisp_int_lognot(ctx, m));
	lv put = lisp_int_logop(ctx, 0, lisp_int_ash(ctx, lisp_check_int(ctx, argv[0]), pos), m);
	return lisp_int_logop(ctx, 1, keep, put);
}

BUILTIN(b_mask_field)
{
	int64_t size, pos;
	bytespec(ctx, argv[0], &size, &pos);
	lv m = lisp_int_ash(ctx, mask(ctx, size), pos);
	return lisp_int_logop(ctx, 0, lisp_check_int(ctx, argv[1]), m);
}

/* ---- printing floats ---- */

/* Shortest digits that read back as d, laid out the way SBCL prints floats:
 * 1.5, 0.001, 1.0e7, 1.2345e-5. */
void lisp_print_float(struct buf *out, double d)
{
	if (isnan(d)) {
		buf_puts(out, "#<NaN>");
		return;
	}
	if (isinf(d)) {
		buf_puts(out, d > 0 ? "#.SB-EXT:DOUBLE-FLOAT-POSITIVE-INFINITY"
				    : "#.SB-EXT:DOUBLE-FLOAT-NEGATIVE-INFINITY");
		return;
	}
	if (d == 0) {
		buf_puts(out, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	char tmp[64];
	int prec;
	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* tmp: [-]D.DDDDe[+-]XX */
	char digits[32];
	int nd = 0;
	const char *p = tmp;
	bool neg = *p == '-';
	if (neg)
		p++;
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	int exp = atoi(p + 1); /* value = 0.D1D2... * 10^(exp+1) */
	if (neg)
		buf_putc(out, '-');
	double a = fabs(d);
	if (a >= 1e-3 && a < 1e7) {
		int point = exp + 1; /* digits before the point */
		if (point <= 0) {
			buf_puts(out, "0.");
			for (int i = 0; i < -point; i++)
				buf_putc(out, '0');
			buf_append(out, digits, (size_t)nd);
		} else {
			for (int i = 0; i < point; i++)
				buf_putc(out, i < nd ? digits[i] : '0');
			buf_putc(out, '.');
			if (point >= nd)
				buf_putc(out, '0');
			else
				buf_append(out, digits + point, (size_t)(nd - point));
		}
	} else {
		buf_putc(out, digits[0]);
		buf_putc(out, '.');
		if (nd > 1)
			buf_append(out, digits + 1, (size_t)(nd - 1));
		else
			buf_putc(out, '0');
		buf_printf(out, "e%d", exp);
	}
}

static const struct lisp_builtin_def defs[] = {
	{ "+", b_add, 0, -1 },
	{ "-", b_sub, 1, -1 },
	{ "*", b_mul, 0, -1 },
	{ "/", b_div, 1, -1 },
	{ "1+", b_1plus, 1, 1 },
	{ "1-", b_1minus, 1, 1 },
	{ "abs", b_abs, 1, 1 },
	{ "signum", b_signum, 1, 1 },
	{ "floor", b_floor, 1, 2 },
	{ "ceiling", b_ceiling, 1, 2 },
	{ "truncate", b_truncate, 1, 2 },
	{ "round", b_round, 1, 2 },
	{ "mod", b_mod, 2, 2 },
	{ "rem", b_rem, 2, 2 },
	{ "max", b_max, 1, -1 },
	{ "min", b_min, 1, -1 },
	{ "gcd", b_gcd, 0, -1 },
	{ "lcm", b_lcm, 0, -1 },
	{ "expt", b_expt, 2, 2 },
	{ "sqrt", b_sqrt, 1, 1 },
	{ "isqrt", b_isqrt, 1, 1 },
	{ "float", b_float, 1, 2 },
	{ "random", b_random, 1, 2 },
	{ "=", b_numeq, 1, -1 },
	{ "/=", b_numne, 1, -1 },
	{ "<", b_lt, 1, -1 },
	{ ">", b_gt, 1, -1 },
	{ "<=", b_le, 1, -1 },
	{ ">=", b_ge, 1, -1 },
	{ "zerop", b_zerop, 1, 1 },
	{ "plusp", b_plusp, 1, 1 },
	{ "minusp", b_minusp, 1, 1 },
	{ "evenp", b_evenp, 1, 1 },
	{ "oddp", b_oddp, 1, 1 },
	{ "numberp", b_numberp, 1, 1 },
	{ "realp", b_numberp, 1, 1 },
	{ "integerp", b_integerp, 1, 1 },
	{ "rationalp", b_integerp, 1, 1 },
	{ "floatp", b_floatp, 1, 1 },
	{ "logand", b_logand, 0, -1 },
	{ "logior", b_logior, 0, -1 },
	{ "logxor", b_logxor, 0, -1 },
	{ "lognot", b_lognot, 1, 1 },
	{ "logandc2", b_logandc2, 2, 2 },
	{ "logtest", b_logtest, 2, 2 },
	{ "ash", b_ash, 2, 2 },
	{ "integer-length", b_integer_length, 1, 1 },
	{ "logcount", b_logcount, 1, 1 },
	{ "logbitp", b_logbitp, 2, 2 },
	{ "byte", b_byte, 2, 2 },
	{ "byte-size", b_byte_size, 1, 1 },
	{ "byte-position", b_byte_position, 1, 1 },
	{ "ldb", b_ldb, 2, 2 },
	{ "ldb-test", b_ldb_test, 2, 2 },
	{ "dpb", b_dpb, 3, 3 },
	{ "mask-field", b_mask_field, 2, 2 },
};

void lisp_init_numbers(struct lisp_ctx *ctx)
{
	lisp_register_builtins(ctx, defs, ARRAY_LEN(defs));
}
