/* Arithmetic, comparisons and tests in the DSL: unsigned by default, 64-bit
 * unless both operands are narrower and the operation cannot overflow,
 * signed when both operands are signed (or with s< s<= s> s>=); pointer
 * arithmetic; byte swaps folded into comparisons with constants; tests
 * lowered to conditional branches, packet bounds and null checks. */
#include "frontend/lisp/dsl_internal.h"

#include <string.h>

static bool fits32(int64_t c, bool sign)
{
	return sign ? c >= INT32_MIN && c <= INT32_MAX : c >= 0 && c <= (int64_t)UINT32_MAX;
}

static unsigned width_of(struct dval v)
{
	return v.is_const ? 0 : v.t.size;
}

static bool shift_op(unsigned op)
{
	return op == IR_SHL || op == IR_LSHR || op == IR_ASHR;
}

struct dval lower_binop(struct fb *fb, unsigned op, struct dval a, struct dval b, struct srcloc loc)
{
	if (a.poison || b.poison)
		return dv_poison();
	if (a.t.kind == DT_VOID || b.t.kind == DT_VOID)
		return fb_error(fb, loc, "an operand of %s has no value", ir_ops[op].name);
	if (a.map || b.map)
		return fb_error(fb, loc, "a map is not a number");
	if (a.is_const && b.is_const) {
		int64_t r;
		if (shift_op(op) && (b.cval < 0 || b.cval > 63))
			return fb_error(fb, loc, "shift by %lld: the count must be 0 to 63",
					(long long)b.cval);
		if (!ir_eval(op, IR_I64, a.cval, b.cval, &r))
			return fb_error(fb, loc, "cannot compute %s at compile time",
					ir_ops[op].name);
		return dv_const(r);
	}
	/* pointers */
	if (dv_is_ptr(a) || dv_is_ptr(b)) {
		if (op == IR_ADD && dv_is_ptr(b) && !dv_is_ptr(a)) {
			struct dval t = a;
			a = b;
			b = t;
		}
		if (op == IR_SUB && dv_is_ptr(a) && dv_is_ptr(b)) {
			ir_ref args[2] = { a.ref, b.ref };
			return dv_tmp(fb_emit(fb, IR_SUB, VT_I64, args, 2), DT_U64);
		}
		if ((op != IR_ADD && op != IR_SUB) || dv_is_ptr(b))
			return fb_error(
				fb, loc,
				"'%s' on a pointer: only pointer + integer and pointer - integer",
				ir_ops[op].name);
		if (a.t.region == RG_CTX) {
			fb_error(fb, loc, "arithmetic on the context pointer");
			dsl_hint(fb->d,
				 "read context fields with (ctx FIELD) or (ctx-load TYPE OFFSET)");
			return dv_poison();
		}
		if (a.t.region == RG_PKT_END) {
			fb_error(fb, loc, "arithmetic on the end-of-packet pointer");
			dsl_hint(fb->d, "compare (+ data N) with data-end instead");
			return dv_poison();
		}
		if (b.is_const && b.cval == 0)
			return a;
		ir_ref args[2] = { a.ref, dv_op(fb, b, IR_I64) };
		if (b.is_const && op == IR_SUB)
			args[1] = fb_con(fb, -b.cval);
		/* after its null check a maybe-NULL pointer is a plain one (the IR
		 * verifier reports arithmetic before the check) */
		struct dtype rt = a.t;
		rt.region = (uint8_t)ir_region_nonnull(a.t.region);
		rt.sid = 0;
		struct dval r = dv_tmp(fb_emit(fb, IR_ADD, dt_vt(rt), args, 2), rt);
		if (b.is_const) {
			r.pbase = a.pbase ? a.pbase : a.ref;
			r.poff = (a.pbase ? a.poff : 0) + (op == IR_SUB ? -b.cval : b.cval);
		}
		return r;
	}
	/* integers */
	bool sign =
		(a.is_const || a.t.sign) && (b.is_const || b.t.sign) && !(a.is_const && b.is_const);
	if (shift_op(op) && b.is_const) {
		unsigned w = a.t.size == 8 || op == IR_SHL || b.cval >= 32 ? 64 : 32;
		if (b.cval < 0 || b.cval >= w) {
			fb_error(fb, loc,
				 "shift by %lld is out of range for a %u-bit value (0 to %u)",
				 (long long)b.cval, w, w - 1);
			dsl_hint(fb->d,
				 "the BPF verifier rejects shifts by the register width or more");
			return dv_poison();
		}
		unsigned cls = w == 64 ? IR_I64 : IR_I32;
		struct dtype t;
		if (op == IR_SHL)
			t = dt_int(8, a.t.sign);
		else if (op == IR_LSHR)
			t = w == 64 ? DT_U64 : dt_int(a.t.sign ? 4 : a.t.size, false);
		else
			t = dt_int(w == 64 ? 8 : 4, true);
		ir_ref args[2] = { dv_op(fb, a, cls), fb_con(fb, b.cval) };
		return dv_tmp(fb_emit(fb, op, cls == IR_I64 ? VT_I64 : VT_I32, args, 2), t);
	}
	unsigned size = 8;
	switch (op) {
	case IR_AND:
	case IR_OR:
	case IR_XOR:
	case IR_UDIV:
	case IR_UREM: {
		size = MAX(width_of(a), width_of(b));
		for (int k = 0; k < 2; k++) {
			struct dval c = k ? b : a;
			if (!c.is_const || fits32(c.cval, false))
				continue;
			if (op == IR_AND && c.cval >= 0)
				continue; /* a mask keeps the other operand's width */
			size = 8;
		}
		break;
	}
	case IR_SHL:
		size = 8;
		break;
	case IR_LSHR:
	case IR_ASHR:
		size = a.is_const ? 8 : a.t.size;
		break;
	default:
		size = 8;
	}
	unsigned cls = size == 8 ? IR_I64 : IR_I32;
	if (op == IR_UDIV && sign)
		op = IR_SDIV;
	if (op == IR_UREM && sign)
		op = IR_SREM;
	if ((op == IR_SDIV || op == IR_SREM || op == IR_ASHR) && cls == IR_I32)
		sign = true;
	ir_ref args[2] = { dv_op(fb, a, cls), dv_op(fb, b, cls) };
	struct dtype t = dt_int(size, sign);
	return dv_tmp(fb_emit(fb, op, cls == IR_I64 ? VT_I64 : VT_I32, args, 2), t);
}

static unsigned arith_op(lv head, bool *unary_neg)
{
	static const struct {
		const char *name;
		unsigned op;
	} ops[] = {
		{ "+", IR_ADD },       { "-", IR_SUB },	    { "*", IR_MUL },
		{ "/", IR_UDIV },      { "MOD", IR_UREM },  { "REM", IR_UREM },
		{ "LOGAND", IR_AND },  { "LOGIOR", IR_OR }, { "LOGXOR", IR_XOR },
		{ "BIT-AND", IR_AND }, { "BIT-OR", IR_OR }, { "BIT-XOR", IR_XOR },
		{ "<<", IR_SHL },      { ">>", IR_LSHR },   { ">>>", IR_ASHR },
	};
	*unary_neg = sym_is(head, "-");
	for (size_t i = 0; i < ARRAY_LEN(ops); i++)
		if (sym_is(head, ops[i].name))
			return ops[i].op;
	return IR_ADD;
}

struct dval dsl_p_arith(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_arith(struct fb *fb, lv form, struct srcloc loc, int want)
{
	bool neg;
	unsigned op = arith_op(lisp_car(form), &neg);
	size_t n = form_len(form) - 1;
	const char *name = dsl_lisp_name(fb->d, lisp_car(form));
	if (n == 0) {
		if (op == IR_ADD || op == IR_OR || op == IR_XOR)
			return dv_const(0);
		if (op == IR_MUL)
			return dv_const(1);
		if (op == IR_AND)
			return dv_const(-1);
		return fb_error(fb, loc, "%s needs arguments", name);
	}
	struct dval acc = lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	if (n == 1) {
		if (neg) {
			if (acc.is_const)
				return dv_const(-acc.cval);
			if (dv_is_ptr(acc))
				return fb_error(fb, loc, "cannot negate a pointer");
			struct dval z = dv_const(0);
			return lower_binop(fb, IR_SUB, z, acc, loc);
		}
		if (op == IR_SHL || op == IR_LSHR || op == IR_ASHR || op == IR_UDIV ||
		    op == IR_UREM)
			return fb_error(fb, loc, "%s takes two arguments", name);
		return acc;
	}
	if ((op == IR_SHL || op == IR_LSHR || op == IR_ASHR || op == IR_UREM) && n != 2)
		return fb_error(fb, loc, "%s takes two arguments", name);
	for (size_t i = 2; i <= n; i++) {
		struct dval b =
			lower(fb, form_nth(form, i), form_nth_loc(fb, form, i, loc), WANT_VALUE);
		acc = lower_binop(fb, op, acc, b, form_nth_loc(fb, form, i, loc));
	}
	return acc;
}

struct dval dsl_p_ash(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_ash(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (form_len(form) != 3)
		return fb_error(fb, loc, "ash takes a value and a shift count");
	struct dval a = lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	struct dval n = lower(fb, lisp_caddr(form), form_nth_loc(fb, form, 2, loc), WANT_VALUE);
	if (!n.is_const)
		return n.poison
			       ? n
			       : fb_error(
					 fb, loc,
					 "ash needs a constant count; use << or >> for a variable one");
	if (n.cval >= 0)
		return lower_binop(fb, IR_SHL, a, n, loc);
	return lower_binop(fb, a.t.sign ? IR_ASHR : IR_LSHR, a, dv_const(-n.cval), loc);
}

struct dval dsl_p_lognot(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_lognot(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (form_len(form) != 2)
		return fb_error(fb, loc, "lognot takes one argument");
	struct dval a = lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	if (a.is_const)
		return dv_const(~a.cval);
	if (dv_is_ptr(a))
		return fb_error(fb, loc, "lognot of a pointer");
	struct dval m = dv_const(a.t.size == 8 ? -1 : (int64_t)0xffffffff);
	struct dval r = lower_binop(fb, IR_XOR, a, m, loc);
	return a.t.size < 4 && !r.poison ? dv_convert(fb, r, a.t, loc, "lognot") : r;
}

struct dval dsl_p_inc1(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_inc1(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (form_len(form) != 2)
		return fb_error(fb, loc, "%s takes one argument",
				dsl_lisp_name(fb->d, lisp_car(form)));
	struct dval a = lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	return lower_binop(fb, sym_is(lisp_car(form), "1+") ? IR_ADD : IR_SUB, a, dv_const(1), loc);
}

struct dval dsl_p_cast(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_cast(struct fb *fb, lv form, struct srcloc loc, int want)
{
	struct dtype t;
	if (form_len(form) != 3 || !dsl_scalar_type(lisp_cadr(form), &t)) {
		fb_error(fb, loc, "cast takes a type and a value: (cast u32 x)");
		dsl_hint(fb->d, "types: u8 u16 u32 u64 i8 i16 i32 i64");
		return dv_poison();
	}
	struct dval v = lower(fb, lisp_caddr(form), form_nth_loc(fb, form, 2, loc), WANT_VALUE);
	if (dv_is_ptr(v) && t.size < 8) {
		fb_error(fb, loc, "(cast %s ...) of a pointer would cut it",
			 dsl_lisp_name(fb->d, lisp_cadr(form)));
		if (v.t.region == RG_BTF || v.t.region == RG_BTF_NULL)
			dsl_hint(fb->d, "this is a kernel object's address (a BTF pointer, as the "
					"kernel types a traced function's struct arguments); "
					"pointers are 64 bits wide");
		else
			dsl_hint(fb->d, "pointers are 64 bits wide");
		return dv_poison();
	}
	return dv_convert(fb, v, t, loc, "cast");
}

static uint64_t bswap(uint64_t v, unsigned bytes)
{
	uint64_t r = 0;
	for (unsigned i = 0; i < bytes; i++)
		r |= ((v >> (8 * i)) & 0xff) << (8 * (bytes - 1 - i));
	return r;
}

struct dval dsl_p_bswap(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_bswap(struct fb *fb, lv form, struct srcloc loc, int want)
{
	const char *n = lisp_symbol_name(lisp_car(form));
	unsigned bytes = strstr(n, "LL") ? 8 : n[strlen(n) - 1] == 'L' ? 4 : 2;
	if (form_len(form) != 2)
		return fb_error(fb, loc, "%s takes one argument",
				dsl_lisp_name(fb->d, lisp_car(form)));
	struct dval v = lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	if (v.poison)
		return v;
	if (dv_is_ptr(v))
		return fb_error(fb, loc, "byte swap of a pointer");
	if (v.is_const) {
		struct dval c = dv_const((int64_t)bswap((uint64_t)v.cval, bytes));
		return c;
	}
	unsigned cls = bytes == 8 ? IR_I64 : (v.t.size == 8 ? IR_I64 : IR_I32);
	ir_ref src = dv_op(fb, v, cls);
	unsigned op = bytes == 2 ? IR_BE16 : bytes == 4 ? IR_BE32 : IR_BE64;
	ir_ref r = fb_emit(fb, op, bytes == 8 ? VT_I64 : VT_I32, &src, 1);
	struct dval out = dv_tmp(r, dt_int(bytes, false));
	if (v.t.size <= bytes) {
		out.swap_src = src;
		out.swap = (uint8_t)bytes;
	}
	return out;
}

/* (log2 x): floor(log2 x), 0 for 0, branch-free. */
struct dval dsl_p_log2(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_log2(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (form_len(form) != 2)
		return fb_error(fb, loc, "log2 takes one argument");
	struct dval v = lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	if (v.poison)
		return v;
	if (dv_is_ptr(v))
		return fb_error(fb, loc, "log2 of a pointer");
	if (v.is_const) {
		uint64_t u = (uint64_t)v.cval;
		int r = 0;
		while (u >>= 1)
			r++;
		return dv_const(r);
	}
	ir_ref x = dv_op(fb, v, IR_I64), r = fb_con(fb, 0);
	static const int steps[] = { 32, 16, 8, 4, 2 };
	for (size_t i = v.t.size == 8 ? 0 : 1; i < ARRAY_LEN(steps); i++) {
		int s = steps[i];
		ir_ref ca[2] = { x, fb_con(fb, (int64_t)((1ULL << s) - 1)) };
		ir_ref c = fb_emit(fb, IR_UGT, VT_I32, ca, 2);
		ir_ref cz = fb_emit(fb, IR_ZEXT, VT_I64, &c, 1);
		int lg = s == 32 ? 5 : s == 16 ? 4 : s == 8 ? 3 : s == 4 ? 2 : 1;
		ir_ref sa[2] = { cz, fb_con(fb, lg) };
		ir_ref sh = fb_emit(fb, IR_SHL, VT_I64, sa, 2);
		ir_ref xa[2] = { x, sh };
		x = fb_emit(fb, IR_LSHR, VT_I64, xa, 2);
		ir_ref ra[2] = { r, sh };
		r = fb_emit(fb, IR_OR, VT_I64, ra, 2);
	}
	ir_ref la[2] = { x, fb_con(fb, 1) };
	ir_ref last = fb_emit(fb, IR_LSHR, VT_I64, la, 2);
	ir_ref ra[2] = { r, last };
	r = fb_emit(fb, IR_OR, VT_I64, ra, 2);
	return dv_tmp(r, DT_U64);
}

/* ---- comparisons ---------------------------------------------------------------- */

static int cmp_cc(lv head)
{
	static const char *const names[] = { "=",  "/=", "<",	"<=", ">",
					     ">=", "S<", "S<=", "S>", "S>=" };
	static const int ccs[] = { CC_EQ,  CC_NE,  CC_ULT, CC_ULE, CC_UGT,
				   CC_UGE, CC_SLT, CC_SLE, CC_SGT, CC_SGE };
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (sym_is(head, names[i]))
			return ccs[i];
	return -1;
}

static int mirror(int cc)
{
	switch (cc) {
	case CC_ULT:
		return CC_UGT;
	case CC_ULE:
		return CC_UGE;
	case CC_UGT:
		return CC_ULT;
	case CC_UGE:
		return CC_ULE;
	case CC_SLT:
		return CC_SGT;
	case CC_SLE:
		return CC_SGE;
	case CC_SGT:
		return CC_SLT;
	case CC_SGE:
		return CC_SLE;
	default:
		return cc;
	}
}

static int to_signed(int cc)
{
	return cc >= CC_ULT && cc <= CC_UGE ? cc + (CC_SLT - CC_ULT) : cc;
}

/* Operands of a comparison: fills ra, rb (constants on the right) and the
 * condition; false after an error. */
static bool cmp_operands(struct fb *fb, struct dval a, struct dval b, int *cc, ir_ref *ra,
			 ir_ref *rb, struct srcloc loc)
{
	if (a.poison || b.poison)
		return false;
	if (a.t.kind == DT_VOID || b.t.kind == DT_VOID) {
		fb_error(fb, loc, "a compared form has no value");
		return false;
	}
	if (a.is_const && !b.is_const) {
		struct dval t = a;
		a = b;
		b = t;
		*cc = mirror(*cc);
	}
	if (dv_is_ptr(a) || dv_is_ptr(b)) {
		if (!(dv_is_ptr(a) && (dv_is_ptr(b) || b.is_const))) {
			fb_error(fb, loc, "comparison of a pointer with an integer value");
			dsl_hint(fb->d,
				 "pointers compare with pointers, or with 0 for a NULL check");
			return false;
		}
		*ra = a.ref;
		*rb = b.is_const ? fb_con(fb, b.cval) : b.ref;
		return true;
	}
	bool eq = *cc == CC_EQ || *cc == CC_NE;
	/* signed types compare signed */
	if (!eq && *cc <= CC_UGE && (a.is_const || a.t.sign) && (b.is_const || b.t.sign))
		*cc = to_signed(*cc);
	bool sign = *cc >= CC_SLT && *cc <= CC_SGE;
	/* (= (ntohs x) C) compares x with the swapped constant */
	if (eq && a.swap && b.is_const &&
	    (uint64_t)b.cval ==
		    ((uint64_t)b.cval & (a.swap == 8 ? ~0ULL : (1ULL << (8 * a.swap)) - 1))) {
		*ra = a.swap_src;
		*rb = fb_con(fb, (int64_t)bswap((uint64_t)b.cval, a.swap));
		if (fb->f->tmps.data[ir_ref_idx(*ra)].ty.cls == IR_I32)
			*rb = fb_con(fb, (int64_t)(uint32_t)bswap((uint64_t)b.cval, a.swap));
		return true;
	}
	if (eq && a.swap && b.swap && a.swap == b.swap) {
		unsigned ca = fb->f->tmps.data[ir_ref_idx(a.swap_src)].ty.cls;
		unsigned cb = fb->f->tmps.data[ir_ref_idx(b.swap_src)].ty.cls;
		if (ca == cb) {
			*ra = a.swap_src;
			*rb = b.swap_src;
			return true;
		}
	}
	bool narrow =
		!a.is_const && a.t.size <= 4 && (b.is_const ? fits32(b.cval, sign) : b.t.size <= 4);
	if (narrow && !b.is_const && a.t.sign != b.t.sign && sign)
		narrow = true;
	unsigned cls = narrow ? IR_I32 : IR_I64;
	*ra = dv_op(fb, a, cls);
	*rb = b.is_const ? fb_con(fb, cls == IR_I32 ? (int64_t)(uint32_t)b.cval : b.cval)
			 : dv_op(fb, b, cls);
	return true;
}

static struct dval cmp_value(struct fb *fb, int cc, struct dval a, struct dval b, struct srcloc loc)
{
	if (a.is_const && b.is_const) {
		bool sign = cc >= CC_SLT;
		return dv_const(ir_eval_cc((enum ir_cc)cc, IR_I64, a.cval, b.cval) ? 1 : 0 * sign);
	}
	ir_ref ra, rb;
	if (!cmp_operands(fb, a, b, &cc, &ra, &rb, loc))
		return dv_poison();
	ir_ref args[2] = { ra, rb };
	return dv_tmp(fb_emit(fb, IR_EQ + (unsigned)cc, VT_I32, args, 2), DT_U32);
}

struct dval dsl_p_cmp(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_cmp(struct fb *fb, lv form, struct srcloc loc, int want)
{
	int cc = cmp_cc(lisp_car(form));
	size_t n = form_len(form) - 1;
	if (n < 2)
		return fb_error(fb, loc, "%s needs two arguments",
				dsl_lisp_name(fb->d, lisp_car(form)));
	if (n == 2) {
		struct dval a =
			lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
		struct dval b =
			lower(fb, lisp_caddr(form), form_nth_loc(fb, form, 2, loc), WANT_VALUE);
		if (a.is_const && b.is_const)
			return dv_const(ir_eval_cc((enum ir_cc)cc, IR_I64, a.cval, b.cval));
		return cmp_value(fb, cc, a, b, loc);
	}
	/* (< a b c): every argument evaluated once, in order, then the
	 * comparisons and-ed together (0 or 1): of neighbours, or for /= of
	 * every pair, as in Common Lisp */
	if (n > 64)
		return fb_error(fb, loc, "%s of more than 64 arguments",
				dsl_lisp_name(fb->d, lisp_car(form)));
	struct dval v[64];
	size_t i = 0;
	bool poison = false;
	for (lv l = lisp_cdr(form); lisp_consp(l) && fb->cur != FB_NONE; l = lisp_cdr(l), i++) {
		v[i] = lower(fb, lisp_car(l), form_nth_loc(fb, form, i + 1, loc), WANT_VALUE);
		poison |= v[i].poison;
	}
	if (poison || fb->cur == FB_NONE)
		return dv_poison();
	struct dval r = dv_const(1);
	for (size_t a = 0; a + 1 < n; a++)
		for (size_t b = a + 1; b < (cc == CC_NE ? n : a + 2); b++)
			r = lower_binop(fb, IR_AND, r, cmp_value(fb, cc, v[a], v[b], loc), loc);
	return r;
}

struct dval dsl_p_minmax(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_minmax(struct fb *fb, lv form, struct srcloc loc, int want)
{
	bool is_min = sym_is(lisp_car(form), "MIN");
	if (form_len(form) < 2)
		return fb_error(fb, loc, "%s needs arguments", is_min ? "min" : "max");
	struct dval acc = lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	for (size_t i = 2; i < form_len(form); i++) {
		struct dval b =
			lower(fb, form_nth(form, i), form_nth_loc(fb, form, i, loc), WANT_VALUE);
		if (acc.poison || b.poison)
			return dv_poison();
		if (dv_is_ptr(acc) || dv_is_ptr(b))
			return fb_error(fb, loc, "%s of pointers", is_min ? "min" : "max");
		if (acc.is_const && b.is_const) {
			bool lt = (uint64_t)acc.cval < (uint64_t)b.cval;
			acc = dv_const(is_min == lt ? acc.cval : b.cval);
			continue;
		}
		int cc = is_min ? CC_ULT : CC_UGT;
		struct dval c = cmp_value(fb, cc, acc, b, loc);
		unsigned cls = (acc.is_const || acc.t.size == 8) || (b.is_const || b.t.size == 8)
				       ? IR_I64
				       : IR_I32;
		struct dtype t =
			cls == IR_I64 ? DT_U64
				      : dt_int(MAX(acc.t.size, b.t.size), acc.t.sign && b.t.sign);
		ir_ref args[3] = { c.ref, dv_op(fb, acc, cls), dv_op(fb, b, cls) };
		acc = dv_tmp(fb_emit(fb, IR_SELECT, cls == IR_I64 ? VT_I64 : VT_I32, args, 3), t);
	}
	return acc;
}

struct dval dsl_p_sizeof(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_sizeof(struct fb *fb, lv form, struct srcloc loc, int want)
{
	lv name = lisp_cadr(form);
	struct dtype t;
	if (dsl_scalar_type(name, &t))
		return dv_const(t.size);
	int32_t sid = lisp_symbolp(name) ? dsl_struct_find(fb->d, dsl_lisp_name(fb->d, name)) : -1;
	if (sid < 0) {
		fb_error(fb, loc, "sizeof: %s is not a struct or scalar type",
			 dsl_text(fb->d, name));
		const char *cands[256];
		size_t n = 0;
		for (uint32_t i = 0; i < fb->d->structs.len && n < 256; i++)
			cands[n++] = fb->d->structs.data[i].name;
		dsl_suggest(fb->d, lisp_symbolp(name) ? dsl_lisp_name(fb->d, name) : "", cands, n,
			    "structs");
		return dv_poison();
	}
	return dv_const(fb->d->structs.data[sid].size);
}

/* ---- tests --------------------------------------------------------------------- */

static bool pkt_region(unsigned r)
{
	return r == RG_PKT || r == RG_PKT_META;
}

/* (> (+ data N) data-end) and friends become a packet bounds check. */
static bool packet_check(struct fb *fb, int cc, struct dval a, struct dval b, uint32_t t,
			 uint32_t f)
{
	if (!dv_is_ptr(a) || !dv_is_ptr(b))
		return false;
	if (pkt_region(b.t.region) && a.t.region == RG_PKT_END) {
		struct dval x = a;
		a = b;
		b = x;
		cc = mirror(cc);
	}
	if (!pkt_region(a.t.region) || b.t.region != RG_PKT_END)
		return false;
	ir_ref base = a.pbase ? a.pbase : a.ref;
	int64_t n = a.pbase ? a.poff : 0;
	uint32_t ok, fail;
	switch (cc) {
	case CC_UGT:
	case CC_SGT:
		ok = f, fail = t;
		break;
	case CC_UGE:
	case CC_SGE:
		ok = f, fail = t, n += 1;
		break;
	case CC_ULE:
	case CC_SLE:
		ok = t, fail = f;
		break;
	case CC_ULT:
	case CC_SLT:
		ok = t, fail = f, n += 1;
		break;
	default:
		return false;
	}
	if (n < 0)
		return false;
	ir_ref args[3] = { base, fb_con(fb, n), b.ref };
	fb_term(fb, IR_CHKPKT, args, 3, ok, fail);
	return true;
}

static void test_value(struct fb *fb, struct dval v, struct srcloc loc, uint32_t t, uint32_t f)
{
	if (fb->cur == FB_NONE)
		return;
	if (v.poison) {
		fb_jmp(fb, t);
		return;
	}
	if (v.is_const || v.t.kind == DT_VOID) {
		fb_jmp(fb, v.is_const && v.cval ? t : f);
		return;
	}
	if (v.map) {
		fb_jmp(fb, t);
		return;
	}
	if (dv_is_ptr(v)) {
		if (ir_regions[v.t.region].props & RG_NULLABLE)
			fb_br(fb, IR_CHKNULL, v.ref, IR_NOREF, t, f);
		else
			fb_br(fb, IR_BR_NE, v.ref, fb_con(fb, 0), t, f);
		return;
	}
	fb_br(fb, IR_BR_NE, dv_op(fb, v, v.t.size == 8 ? IR_I64 : IR_I32), fb_con(fb, 0), t, f);
}

static lv expand_test(struct fb *fb, lv form)
{
	for (int guard = 0; guard < 100 && lisp_consp(form) && lisp_symbolp(lisp_car(form));
	     guard++) {
		lv h = lisp_car(form);
		if (dsl_prim_lookup(fb->d, h) || dsl_acc_lookup(fb->d, h) ||
		    !lisp_macrop(fb->d->ctx, h, LISP_NIL))
			break;
		lv exp;
		bool expanded;
		if (lisp_macroexpand_1(fb->d->ctx, form, LISP_NIL, &exp, &expanded) || !expanded)
			break;
		form = exp;
	}
	return form;
}

void lower_test(struct fb *fb, lv form, struct srcloc loc, uint32_t t, uint32_t f)
{
	if (fb->cur == FB_NONE)
		return;
	form = expand_test(fb, form);
	if (lisp_consp(form)) {
		struct srcloc own = lisp_loc(form);
		if (own.file)
			loc = own;
		fb_set_loc(fb, loc);
	}
	lv h = lisp_car(form);
	if (lisp_consp(form) && lisp_symbolp(h)) {
		size_t n = form_len(form) - 1;
		if ((sym_is(h, "NOT") || sym_is(h, "NULL") || sym_is(h, "ZEROP")) && n == 1) {
			lower_test(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), f, t);
			return;
		}
		bool is_and = sym_is(h, "AND"), is_or = sym_is(h, "OR");
		if (is_and || is_or) {
			if (n == 0) {
				fb_jmp(fb, is_and ? t : f);
				return;
			}
			size_t i = 1;
			for (lv l = lisp_cdr(form); lisp_consp(l); l = lisp_cdr(l), i++) {
				struct srcloc el = form_nth_loc(fb, form, i, loc);
				if (!lisp_consp(lisp_cdr(l))) {
					lower_test(fb, lisp_car(l), el, t, f);
					return;
				}
				uint32_t mid = fb_block(fb, is_and ? "and" : "or");
				lower_test(fb, lisp_car(l), el, is_and ? mid : t, is_and ? f : mid);
				fb_seal(fb, mid);
				fb->cur = fb->blocks.data[mid].preds.len ? mid : FB_NONE;
				if (fb->cur == FB_NONE)
					return;
			}
			return;
		}
		int cc = cmp_cc(h);
		if (cc >= 0 && n == 2 && dsl_prim_lookup(fb->d, h)) {
			struct dval a = lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc),
					      WANT_VALUE);
			struct dval b = lower(fb, lisp_caddr(form), form_nth_loc(fb, form, 2, loc),
					      WANT_VALUE);
			if (fb->cur == FB_NONE)
				return;
			if (a.is_const && b.is_const) {
				fb_jmp(fb,
				       ir_eval_cc((enum ir_cc)cc, IR_I64, a.cval, b.cval) ? t : f);
				return;
			}
			if (packet_check(fb, cc, a, b, t, f))
				return;
			ir_ref ra, rb;
			if (!cmp_operands(fb, a, b, &cc, &ra, &rb, loc)) {
				fb_jmp(fb, t);
				return;
			}
			fb_br(fb, IR_BR_EQ + (unsigned)cc, ra, rb, t, f);
			return;
		}
		if ((sym_is(h, "LOGAND") || sym_is(h, "BIT-AND")) && n == 2 &&
		    dsl_prim_lookup(fb->d, h)) {
			struct dval a = lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc),
					      WANT_VALUE);
			struct dval b = lower(fb, lisp_caddr(form), form_nth_loc(fb, form, 2, loc),
					      WANT_VALUE);
			if (fb->cur == FB_NONE)
				return;
			if (a.is_const && !b.is_const) {
				struct dval x = a;
				a = b;
				b = x;
			}
			if (!a.is_const && b.is_const && !dv_is_ptr(a) && !a.poison) {
				unsigned cls =
					a.t.size == 8 || !fits32(b.cval, false) ? IR_I64 : IR_I32;
				fb_br(fb, IR_BR_SET, dv_op(fb, a, cls),
				      fb_con(fb,
					     cls == IR_I32 ? (int64_t)(uint32_t)b.cval : b.cval),
				      t, f);
				return;
			}
			test_value(fb, lower_binop(fb, IR_AND, a, b, loc), loc, t, f);
			return;
		}
		if (!strncmp(lisp_symbol_name(h), "PARSE-", 6) && dsl_prim_lookup(fb->d, h)) {
			uint32_t fail = f;
			lower_guarded(fb, form, loc, &fail);
			fb_jmp(fb, t);
			return;
		}
	}
	struct dval v = lower(fb, form, loc, WANT_VALUE);
	test_value(fb, v, loc, t, f);
}
