/* C expressions as IR values: lvalues (SSA variables or memory at
 * base+offset, bit-fields), loads and stores, the usual conversions with
 * i32 values kept normalised to their C type, arithmetic and pointer
 * arithmetic, comparisons, short-circuit operators and ?: as control flow,
 * assignments, increments and initialisers of objects in memory. */
#include "frontend/c/lower_internal.h"

#include <string.h>

static bool is_signed_t(struct ctype *t)
{
	return t->kind != TY_PTR && ctype_is_integer(t) && ctype_is_signed(t);
}

static unsigned bits_of(struct ctype *t)
{
	if (t->kind == TY_BOOL)
		return 1;
	if (t->kind == TY_PTR)
		return 64;
	return ctype_int_bits(t);
}

static uint64_t pointee_size(struct ctype *ptr)
{
	struct ctype *p = ptr->u.pointee;
	uint64_t n = p->kind == TY_FUNC || p->kind == TY_VOID ? 1 : ctype_size(p);
	return n ? n : 1;
}

static void unsupported_float(struct lf *lf, struct cexpr *e)
{
	lf_unsupported(lf, e->loc, "floating-point arithmetic (BPF has no floating point)");
}

/* ---- addresses ------------------------------------------------------------------------- */

ir_ref lx_ptr_add(struct lf *lf, ir_ref p, int64_t off)
{
	if (!off)
		return p;
	if (lf_is_con(p))
		return lf_con(lf, lf_con_val(lf, p) + off, VT_I64);
	ir_vt vt = lf_vt(lf, p, VT_PTR(ANY));
	switch (vt.region) {
	case RG_STACK:
	case RG_PKT:
	case RG_PKT_META:
	case RG_MAPVAL:
	case RG_MEM:
	case RG_BTF:
	case RG_ANY:
		break;
	case RG_CTX:
		/* the address of a context field as a value (for a helper): the
		 * kernel allows ctx + constant, only not a load through it */
		p = lf_emit(lf, IR_CAST, VT_PTR(ANY), &p, 1);
		/* fall through */
	default:
		vt = VT_PTR(ANY);
	}
	return lf_op2(lf, IR_ADD, vt, p, lf_con(lf, off, VT_I64));
}

static ir_ref ptr_add_var(struct lf *lf, ir_ref p, ir_ref idx)
{
	if (lf_is_con(idx))
		return lx_ptr_add(lf, p, lf_con_val(lf, idx));
	if (lf_is_con(p))
		p = lf_coerce(lf, p, VT_PTR(ANY));
	ir_vt vt = lf_vt(lf, p, VT_PTR(ANY));
	if (vt.region == RG_CTX || vt.region == RG_MAP || vt.region == RG_FUNC ||
	    vt.region == RG_PKT_END)
		p = lf_emit(lf, IR_CAST, VT_PTR(ANY), &p, 1);
	if (vt.region != RG_STACK && vt.region != RG_PKT && vt.region != RG_PKT_META &&
	    vt.region != RG_MAPVAL && vt.region != RG_MEM && vt.region != RG_BTF)
		vt = VT_PTR(ANY);
	return lf_op2(lf, IR_ADD, vt, p, idx);
}

ir_ref lx_addr_of(struct lf *lf, const struct lval *lv)
{
	if (lv->kind != LV_MEM) {
		if (lv->kind == LV_VAR)
			lf_error(lf, lf->loc, "internal: address of a register variable");
		return lf_null(lf);
	}
	return lx_ptr_add(lf, lv->base, lv->off);
}

/* Keeps the offset of a memory access within what an instruction encodes. */
static void fit_offset(struct lf *lf, struct lval *lv, unsigned size)
{
	if (lv->off >= INT16_MIN && lv->off + (int64_t)size - 1 <= INT16_MAX)
		return;
	lv->base = lx_ptr_add(lf, lv->base, lv->off);
	lv->off = 0;
}

/* ---- loads and stores ----------------------------------------------------------------------- */

static ir_ref mem_load(struct lf *lf, ir_ref base, int64_t off, unsigned op, ir_vt vt, bool vol)
{
	if (lf_is_con(base))
		base = lf_coerce(lf, base, VT_PTR(ANY));
	ir_ref args[2] = { base, lf_con(lf, off, VT_I64) };
	ir_ref r = lf_emit(lf, op, vt, args, 2);
	if (vol && lf_live(lf))
		vec_last(&lf->f->blocks.data[lf->cur]->ins).flags |= INS_VOLATILE;
	return r;
}

static void mem_store(struct lf *lf, ir_ref base, int64_t off, unsigned size, ir_ref v, bool vol)
{
	if (lf_is_con(base))
		base = lf_coerce(lf, base, VT_PTR(ANY));
	ir_ref args[3] = { base, lf_con(lf, off, VT_I64), v };
	lf_emit0(lf, ir_store_op(size), args, 3);
	if (vol && lf_live(lf))
		vec_last(&lf->f->blocks.data[lf->cur]->ins).flags |= INS_VOLATILE;
}

/* The storage unit a bit-field is loaded and stored through: the smallest
 * aligned 1, 2, 4 or 8 bytes holding all its bits. */
static void bitfield_unit(struct lval *lv, uint64_t bit_offset, unsigned width)
{
	uint64_t byte = bit_offset / 8;
	for (unsigned size = 1; size <= 8; size *= 2) {
		uint64_t start = byte & ~(uint64_t)(size - 1);
		if (bit_offset + width <= (start + size) * 8) {
			lv->off += (int64_t)start;
			lv->bit_off = (uint8_t)(bit_offset - start * 8);
			lv->unit = (uint8_t)size;
			lv->bits = (uint8_t)width;
			return;
		}
	}
	/* a packed field across 8-byte boundaries */
	lv->off += (int64_t)byte;
	lv->bit_off = (uint8_t)(bit_offset % 8);
	lv->unit = 8;
	lv->bits = (uint8_t)width;
}

static ir_ref load_bitfield(struct lf *lf, struct lval lv)
{
	fit_offset(lf, &lv, lv.unit);
	ir_vt uvt = lv.unit == 8 ? VT_I64 : VT_I32;
	unsigned w = lv.unit == 8 ? 64 : 32;
	ir_ref v = mem_load(lf, lv.base, lv.off, ir_load_op(lv.unit, false), uvt, lv.vol);
	bool sign = is_signed_t(lv.type);
	if (sign) {
		unsigned left = w - lv.bit_off - lv.bits;
		if (left)
			v = lf_op2(lf, IR_SHL, uvt, v, lf_con(lf, left, uvt));
		if (w - lv.bits)
			v = lf_op2(lf, IR_ASHR, uvt, v, lf_con(lf, w - lv.bits, uvt));
	} else {
		if (lv.bit_off)
			v = lf_op2(lf, IR_LSHR, uvt, v, lf_con(lf, lv.bit_off, uvt));
		if (lv.bit_off + lv.bits < lv.unit * 8u)
			v = lf_op2(lf, IR_AND, uvt, v,
				   lf_con(lf, (int64_t)((1ull << lv.bits) - 1), uvt));
	}
	ir_vt vt = lt_vt(lv.type);
	if (vt.cls == IR_I32 && uvt.cls == IR_I64)
		v = lf_op1(lf, IR_TRUNC, VT_I32, v);
	else if (vt.cls == IR_I64 && uvt.cls == IR_I32)
		v = lf_op1(lf, sign ? IR_SEXT32 : IR_ZEXT, VT_I64, v);
	return v;
}

static void store_bitfield(struct lf *lf, struct lval lv, ir_ref v)
{
	fit_offset(lf, &lv, lv.unit);
	ir_vt uvt = lv.unit == 8 ? VT_I64 : VT_I32;
	ir_vt vt = lt_vt(lv.type);
	if (uvt.cls == IR_I64 && vt.cls == IR_I32)
		v = lf_op1(lf, IR_ZEXT, VT_I64, v);
	else if (uvt.cls == IR_I32 && vt.cls == IR_I64)
		v = lf_op1(lf, IR_TRUNC, VT_I32, v);
	uint64_t mask = (lv.bits >= 64 ? ~0ull : ((1ull << lv.bits) - 1)) << lv.bit_off;
	uint64_t umask = lv.unit == 8 ? ~0ull : ((1ull << (lv.unit * 8)) - 1);
	ir_ref old = mem_load(lf, lv.base, lv.off, ir_load_op(lv.unit, false), uvt, lv.vol);
	ir_ref keep = lf_op2(lf, IR_AND, uvt, old, lf_con(lf, (int64_t)(~mask & umask), uvt));
	uint64_t vmask = lv.bits >= 64 ? ~0ull : (1ull << lv.bits) - 1;
	ir_ref nv = lf_op2(lf, IR_AND, uvt, v, lf_con(lf, (int64_t)vmask, uvt));
	if (lv.bit_off)
		nv = lf_op2(lf, IR_SHL, uvt, nv, lf_con(lf, lv.bit_off, uvt));
	ir_ref r = lf_op2(lf, IR_OR, uvt, keep, nv);
	mem_store(lf, lv.base, lv.off, lv.unit, r, lv.vol);
}

static ir_ref load_pieces(struct lf *lf, struct lval lv, unsigned size)
{
	unsigned a = lv.align, n = size / a;
	ir_vt vt = size == 8 ? VT_I64 : VT_I32;
	ir_ref v = IR_NOREF;
	fit_offset(lf, &lv, size);
	for (unsigned i = 0; i < n; i++) {
		ir_ref p = mem_load(lf, lv.base, lv.off + (int64_t)(i * a), ir_load_op(a, false), vt,
				    lv.vol);
		if (i)
			p = lf_op2(lf, IR_SHL, vt, p, lf_con(lf, (int64_t)(8 * a * i), vt));
		v = i ? lf_op2(lf, IR_OR, vt, v, p) : p;
	}
	return v;
}

static void store_pieces(struct lf *lf, struct lval lv, unsigned size, ir_ref v)
{
	unsigned a = lv.align, n = size / a;
	ir_vt vt = size == 8 ? VT_I64 : VT_I32;
	fit_offset(lf, &lv, size);
	if (lf_vt(lf, v, vt).cls == IR_PTR)
		v = lf_emit(lf, IR_CAST, VT_I64, &v, 1);
	for (unsigned i = 0; i < n; i++) {
		ir_ref p = i ? lf_op2(lf, IR_LSHR, vt, v, lf_con(lf, (int64_t)(8 * a * i), vt)) : v;
		if (a < 8 && vt.cls == IR_I64)
			p = lf_op1(lf, IR_TRUNC, VT_I32, p);
		mem_store(lf, lv.base, lv.off + (int64_t)(i * a), a, p, lv.vol);
	}
}

ir_ref lx_load(struct lf *lf, const struct lval *lv0)
{
	struct lval lv = *lv0;
	if (lv.kind == LV_VAR)
		return lf_var_read(lf, lv.var);
	if (lv.kind != LV_MEM)
		return lf_con(lf, 0, VT_I64);
	if (lv.bits)
		return load_bitfield(lf, lv);
	ir_vt vt = lt_vt(lv.type);
	if (vt.cls == IR_VOID) {
		lf_error(lf, lf->loc, "internal: load of a non-scalar");
		return lf_con(lf, 0, VT_I64);
	}
	unsigned size = (unsigned)ctype_size(lv.type);
	if (lv.align && lv.align < size && size <= 8) {
		ir_ref v = load_pieces(lf, lv, size);
		if (vt.cls == IR_PTR)
			return lf_emit(lf, IR_CAST, VT_PTR(ANY), &v, 1);
		if (is_signed_t(lv.type) && size < 4)
			v = lf_op1(lf, size == 1 ? IR_SEXT8 : IR_SEXT16, VT_I32, v);
		return v;
	}
	fit_offset(lf, &lv, size);
	bool sign = is_signed_t(lv.type) && size < 4;
	return mem_load(lf, lv.base, lv.off, ir_load_op(size, sign), vt, lv.vol);
}

void lx_store(struct lf *lf, const struct lval *lv0, ir_ref v)
{
	struct lval lv = *lv0;
	if (lv.kind == LV_VAR) {
		lf_var_write(lf, lv.var, v);
		return;
	}
	if (lv.kind != LV_MEM)
		return;
	if (lv.bits) {
		store_bitfield(lf, lv, v);
		return;
	}
	unsigned size = (unsigned)ctype_size(lv.type);
	if (lv.align && lv.align < size && size <= 8) {
		store_pieces(lf, lv, size,
			     lf_is_con(v)
				     ? lf_con(lf, lf_con_val(lf, v), size == 8 ? VT_I64 : VT_I32)
				     : v);
		return;
	}
	fit_offset(lf, &lv, size);
	if (lf_is_con(v) && size < 8)
		v = lf_con(lf, lf_con_val(lf, v), VT_I32);
	mem_store(lf, lv.base, lv.off, size, v, lv.vol);
}

/* ---- conversions -------------------------------------------------------------------------------
 */

static ir_ref to_i64(struct lf *lf, ir_ref v, struct ctype *from)
{
	ir_vt fv = lt_vt(from);
	if (fv.cls == IR_PTR)
		return lf_is_con(v) ? v : lf_emit(lf, IR_CAST, VT_I64, &v, 1);
	if (fv.cls == IR_I64)
		return v;
	return lf_op1(lf, is_signed_t(from) ? IR_SEXT32 : IR_ZEXT, VT_I64, v);
}

ir_ref lx_convert(struct lf *lf, ir_ref v, struct ctype *from, struct ctype *to)
{
	ir_vt fv = lt_vt(from), tv = lt_vt(to);
	if (tv.cls == IR_VOID || fv.cls == IR_VOID)
		return v;
	if (to->kind == TY_BOOL) {
		if (from->kind == TY_BOOL)
			return v;
		if (lf_is_con(v))
			return lf_con(lf, lf_con_val(lf, v) != 0, VT_I32);
		ir_ref args[2] = { v, lf_con(lf, 0, fv.cls == IR_PTR ? VT_I64 : fv) };
		return lf_emit(lf, IR_NE, VT_I32, args, 2);
	}
	if (tv.cls == IR_PTR) {
		if (fv.cls == IR_PTR)
			return v;
		v = to_i64(lf, v, from);
		return lf_is_con(v) ? v : lf_emit(lf, IR_CAST, VT_PTR(ANY), &v, 1);
	}
	unsigned tb = bits_of(to), fb = bits_of(from);
	bool ts = is_signed_t(to), fs = is_signed_t(from);
	if (fv.cls == IR_PTR)
		v = to_i64(lf, v, from), fv = VT_I64, fs = false;
	if (tv.cls == IR_I64)
		return fv.cls == IR_I64 ? v : lf_op1(lf, fs ? IR_SEXT32 : IR_ZEXT, VT_I64, v);
	bool from64 = fv.cls == IR_I64;
	if (from64)
		v = lf_op1(lf, IR_TRUNC, VT_I32, v);
	if (tb >= 32)
		return v;
	bool keeps = !from64 && ((fb < tb && !fs) || (fb <= tb && fs == ts));
	if (keeps)
		return v;
	if (ts)
		return lf_op1(lf, tb == 8 ? IR_SEXT8 : IR_SEXT16, VT_I32, v);
	return lf_op2(lf, IR_AND, VT_I32, v, lf_con(lf, (int64_t)((1u << tb) - 1), VT_I32));
}

/* The operand under integer conversions that keep its value (widening by
 * its own signedness, or zero-extending an unsigned type): converting it
 * directly gives the same result. */
static struct cexpr *strip_widening(struct cexpr *e)
{
	while ((e->op == E_CONV || e->op == E_CAST) && (e->ck == CK_INT || e->ck == CK_NOOP)) {
		struct cexpr *a = e->u.bin.a;
		if (!ctype_is_integer(a->type) || a->type->kind == TY_BOOL)
			break;
		uint64_t na = ctype_size(a->type), ne = ctype_size(e->type);
		bool same_sign = is_signed_t(a->type) == is_signed_t(e->type);
		if (!(na <= ne && same_sign) && !(na < ne && !is_signed_t(a->type)))
			break;
		e = a;
	}
	return e;
}

/* An integer lvalue conversion `e` converted to `to` (a 64-bit integer or a
 * pointer) as one load of the right kind instead of a load and an
 * extension: a packet pointer a context field holds stays a pointer
 * ((void *)(long)ctx->data). */
static bool widening_load(struct lf *lf, struct cexpr *e, struct ctype *to, ir_ref *out)
{
	if (e->op != E_CONV || e->ck != CK_LVAL || !ctype_is_integer(e->type) ||
	    e->type->kind == TY_BOOL || (e->u.bin.a->flags & EF_BITFIELD))
		return false;
	unsigned size = (unsigned)ctype_size(e->type);
	bool sign = is_signed_t(e->type);
	ir_vt tv = lt_vt(to);
	if (tv.cls == IR_PTR ? sign || size < 4 : tv.cls != IR_I64)
		return false;
	struct lval lv = lx_lvalue(lf, e->u.bin.a);
	if (lv.kind != LV_MEM) {
		*out = lx_convert(lf, lx_load(lf, &lv), e->type, to);
		return true;
	}
	fit_offset(lf, &lv, size);
	unsigned op = sign && size == 4 ? IR_LOAD_S32 : ir_load_op(size, sign);
	*out = mem_load(lf, lv.base, lv.off, op, tv, lv.vol);
	return true;
}

static ir_ref conversion(struct lf *lf, struct cexpr *e)
{
	struct cexpr *a = e->u.bin.a;
	ir_ref v;
	switch (e->ck) {
	case CK_LVAL: {
		if (!(a->flags & EF_LVALUE) && a->op != E_DECL)
			return lx_rvalue(lf, a); /* a cast of an rvalue to its own type */
		struct lval lv = lx_lvalue(lf, a);
		if (lt_is_aggregate(e->type) || e->type->kind == TY_FUNC)
			return lx_addr_of(lf, &lv);
		return lx_load(lf, &lv);
	}
	case CK_NOOP:
	case CK_RECORD:
		return lx_rvalue(lf, a);
	case CK_ARRAY_DECAY: {
		struct lval lv = lx_lvalue(lf, a);
		return lx_addr_of(lf, &lv);
	}
	case CK_FUNC_DECAY:
		return lx_rvalue(lf, a);
	case CK_INT:
		if (lt_vt(e->type).cls == IR_I64 && lt_vt(a->type).cls == IR_I32 &&
		    widening_load(lf, strip_widening(e), e->type, &v))
			return v;
		v = lx_rvalue(lf, a);
		return lx_convert(lf, v, a->type, e->type);
	case CK_TO_BOOL:
	case CK_PTR_TO_INT:
		v = lx_rvalue(lf, a);
		return lx_convert(lf, v, a->type, e->type);
	case CK_INT_TO_PTR:
		if (widening_load(lf, strip_widening(a), e->type, &v))
			return v;
		v = lx_rvalue(lf, a);
		return lx_convert(lf, v, a->type, e->type);
	case CK_NULL:
		lx_discard(lf, a);
		return lf_con(lf, 0, VT_I64);
	case CK_TO_VOID:
		lx_discard(lf, a);
		return IR_NOREF;
	case CK_INT_TO_FLOAT:
	case CK_FLOAT_TO_INT:
	case CK_FLOAT:
		unsupported_float(lf, e);
		return lf_con(lf, 0, VT_I64);
	default:
		lf_unsupported(lf, e->loc, "this conversion (a cast to a union)");
		return lf_con(lf, 0, VT_I64);
	}
}

/* ---- arithmetic
 * ----------------------------------------------------------------------------------- */

static int log2_exact(uint64_t v)
{
	if (!v || (v & (v - 1)))
		return -1;
	int k = 0;
	while (v >>= 1)
		k++;
	return k;
}

/* Signed division by 2^k without sdiv: round toward zero. */
static ir_ref sdiv_pow2(struct lf *lf, ir_vt vt, ir_ref x, int k)
{
	unsigned w = vt.cls == IR_I64 ? 64 : 32;
	if (!k)
		return x;
	ir_ref sign = lf_op2(lf, IR_ASHR, vt, x, lf_con(lf, w - 1, vt));
	ir_ref bias = lf_op2(lf, IR_LSHR, vt, sign, lf_con(lf, w - (unsigned)k, vt));
	ir_ref t = lf_op2(lf, IR_ADD, vt, x, bias);
	return lf_op2(lf, IR_ASHR, vt, t, lf_con(lf, k, vt));
}

/* Whether an integer expression's value is never negative (a zero-extended
 * narrower unsigned value, a non-negative constant, a masked value). */
static bool known_nonneg(struct cexpr *e)
{
	int64_t v;
	if (!e)
		return false;
	if (ceval_int(e, &v))
		return v >= 0;
	if (!is_signed_t(e->type))
		return false;
	if ((e->op == E_CONV || e->op == E_CAST) && e->ck == CK_INT) {
		struct ctype *from = e->u.bin.a->type;
		return (!is_signed_t(from) && ctype_size(from) < ctype_size(e->type)) ||
		       known_nonneg(e->u.bin.a);
	}
	if (e->op == E_BITAND)
		return known_nonneg(e->u.bin.a) || known_nonneg(e->u.bin.b);
	if (e->op == E_SHR || e->op == E_DIV || e->op == E_MOD)
		return known_nonneg(e->u.bin.a);
	return false;
}

static ir_ref arith(struct lf *lf, enum cexpr_op op, struct ctype *t, ir_ref a, ir_ref b,
		    struct srcloc loc, struct cexpr *ea)
{
	ir_vt vt = lt_vt(t);
	bool sign = is_signed_t(t);
	/* a signed division or remainder of a value never negative is an unsigned one */
	if ((op == E_DIV || op == E_MOD) && sign && lf_is_con(b) && known_nonneg(ea)) {
		int64_t c = lf_con_val(lf, b);
		if (vt.cls == IR_I32)
			c = (int32_t)c;
		if (c > 0)
			sign = false;
	}
	unsigned irop;
	switch (op) {
	case E_MUL:
		if (lf_is_con(b) && !lf_is_con(a)) {
			/* by a power of two: a shift */
			uint64_t c = (uint64_t)lf_con_val(lf, b);
			if (vt.cls == IR_I32)
				c = (uint32_t)c;
			int k = log2_exact(c);
			if (k > 0)
				return lf_op2(lf, IR_SHL, vt, a, lf_con(lf, k, vt));
		}
		irop = IR_MUL;
		break;
	case E_ADD:
		irop = IR_ADD;
		break;
	case E_SUB:
		irop = IR_SUB;
		break;
	case E_BITAND:
		irop = IR_AND;
		break;
	case E_BITOR:
		irop = IR_OR;
		break;
	case E_BITXOR:
		irop = IR_XOR;
		break;
	case E_DIV:
	case E_MOD:
		if (sign && lf_is_con(b)) {
			int64_t c = lf_con_val(lf, b);
			if (vt.cls == IR_I32)
				c = (int32_t)c;
			int k = c > 0 ? log2_exact((uint64_t)c) : -1;
			if (k >= 0 && !(lf_is_con(a))) {
				ir_ref q = sdiv_pow2(lf, vt, a, k);
				if (op == E_DIV)
					return q;
				ir_ref m = lf_op2(lf, IR_SHL, vt, q, lf_con(lf, k, vt));
				return lf_op2(lf, IR_SUB, vt, a, m);
			}
		}
		if (sign && lf->L->m->cpu < 4 && !(lf_is_con(a) && lf_is_con(b))) {
			lf_error(lf, loc, "signed %s needs -mcpu=v4; use unsigned operands",
				 op == E_DIV ? "division" : "remainder");
			return lf_con(lf, 0, vt);
		}
		if (!sign && lf_is_con(b)) {
			/* by a power of two: a shift or a mask, which the verifier follows */
			uint64_t c = (uint64_t)lf_con_val(lf, b);
			if (vt.cls == IR_I32)
				c = (uint32_t)c;
			int k = log2_exact(c);
			if (k >= 0)
				return op == E_DIV ? lf_op2(lf, IR_LSHR, vt, a, lf_con(lf, k, vt))
						   : lf_op2(lf, IR_AND, vt, a,
							    lf_con(lf, (int64_t)(c - 1), vt));
		}
		irop = op == E_DIV ? (sign ? IR_SDIV : IR_UDIV) : (sign ? IR_SREM : IR_UREM);
		break;
	case E_SHL:
	case E_SHR: {
		irop = op == E_SHL ? IR_SHL : sign ? IR_ASHR : IR_LSHR;
		unsigned w = vt.cls == IR_I64 ? 64 : 32;
		if (lf_is_con(b)) {
			b = lf_con(lf, lf_con_val(lf, b) & (w - 1), vt);
		} else {
			ir_vt bv = lf_vt(lf, b, vt);
			if (bv.cls == IR_I64 && vt.cls == IR_I32)
				b = lf_op1(lf, IR_TRUNC, VT_I32, b);
			else if (bv.cls == IR_I32 && vt.cls == IR_I64)
				b = lf_op1(lf, IR_ZEXT, VT_I64, b);
		}
		break;
	}
	default:
		W_ICE("arith op %u", op);
	}
	return lf_op2(lf, irop, vt, a, b);
}

static bool known_nonneg(struct cexpr *e);

/* p + i * size (i an integer of type it, ie its expression when known). */
static ir_ref ptr_index(struct lf *lf, ir_ref p, ir_ref i, struct ctype *it, uint64_t size,
			bool neg, struct cexpr *ie)
{
	/* an index never negative widens as unsigned: no sign extension to follow */
	bool nonneg = ie && is_signed_t(it) && known_nonneg(ie);
	i = lx_convert(lf, i, it, lf->L->tu->ty[nonneg ? TY_ULONG : TY_LONG]);
	if (lf_is_con(i))
		return lx_ptr_add(lf, p, (neg ? -1 : 1) * lf_con_val(lf, i) * (int64_t)size);
	int k = log2_exact(size);
	if (k > 0)
		i = lf_op2(lf, IR_SHL, VT_I64, i, lf_con(lf, k, VT_I64));
	else if (k < 0)
		i = lf_op2(lf, IR_MUL, VT_I64, i, lf_con(lf, (int64_t)size, VT_I64));
	if (neg)
		i = lf_op1(lf, IR_NEG, VT_I64, i);
	return ptr_add_var(lf, p, i);
}

/* (a - b) / size, exact: shifts and a multiplication by the inverse. */
static ir_ref ptr_diff(struct lf *lf, ir_ref a, ir_ref b, uint64_t size)
{
	if (lf_is_con(a))
		a = lf_coerce(lf, a, VT_PTR(ANY));
	ir_ref d;
	if (lf_is_con(b) && !lf_con_val(lf, b)) {
		d = lf_emit(lf, IR_CAST, VT_I64, &a, 1);
	} else {
		b = lf_coerce(lf, b, VT_PTR(ANY));
		ir_ref args[2] = { a, b };
		d = lf_emit(lf, IR_SUB, VT_I64, args, 2);
	}
	unsigned k = 0;
	while (size > 1 && !(size & 1)) {
		size >>= 1;
		k++;
	}
	if (k)
		d = lf_op2(lf, IR_ASHR, VT_I64, d, lf_con(lf, k, VT_I64));
	if (size > 1) {
		uint64_t inv = size; /* Newton's iteration for the inverse modulo 2^64 */
		for (int i = 0; i < 6; i++)
			inv *= 2 - size * inv;
		d = lf_op2(lf, IR_MUL, VT_I64, d, lf_con(lf, (int64_t)inv, VT_I64));
	}
	return d;
}

static unsigned cmp_op(enum cexpr_op op, bool sign)
{
	switch (op) {
	case E_LT:
		return sign ? IR_SLT : IR_ULT;
	case E_GT:
		return sign ? IR_SGT : IR_UGT;
	case E_LE:
		return sign ? IR_SLE : IR_ULE;
	case E_GE:
		return sign ? IR_SGE : IR_UGE;
	case E_EQ:
		return IR_EQ;
	default:
		return IR_NE;
	}
}

static ir_ref compare(struct lf *lf, struct cexpr *e)
{
	struct cexpr *a = e->u.bin.a, *b = e->u.bin.b;
	ir_ref x = lx_rvalue(lf, a), y = lx_rvalue(lf, b);
	ir_vt vt = lt_vt(a->type);
	unsigned op = cmp_op(e->op, is_signed_t(a->type));
	if (lf_is_con(x) && lf_is_con(y)) {
		int64_t r;
		if (ir_eval(op, vt.cls == IR_PTR ? IR_I64 : vt.cls, lf_con_val(lf, x),
			    lf_con_val(lf, y), &r))
			return lf_con(lf, r, VT_I32);
	}
	ir_ref args[2] = { x, y };
	return lf_emit(lf, op, VT_I32, args, 2);
}

/* ---- lvalues
 * ---------------------------------------------------------------------------------------- */

/* A pointer expression as base + constant offset, so that accesses through
 * &s->f, array decays and p + k keep the offset in the instruction (a
 * context field stays ctx + constant, which the kernel insists on). */
static void ptr_parts(struct lf *lf, struct cexpr *e, ir_ref *base, int64_t *off)
{
	struct cexpr *a = e->u.bin.a;
	switch (e->op) {
	case E_ADDR:
		if (a->op == E_DECL && a->u.decl->kind == CD_FUNC)
			break;
		if (!(a->flags & EF_BITFIELD)) {
			struct lval lv = lx_lvalue(lf, a);
			if (lv.kind == LV_MEM) {
				*base = lv.base;
				*off = lv.off;
				return;
			}
			*base = lf_null(lf);
			*off = 0;
			return;
		}
		break;
	case E_CONV:
	case E_CAST:
		if (e->ck == CK_ARRAY_DECAY) {
			struct lval lv = lx_lvalue(lf, a);
			if (lv.kind == LV_MEM) {
				*base = lv.base;
				*off = lv.off;
				return;
			}
		} else if (e->ck == CK_NOOP && a->type->kind == TY_PTR) {
			ptr_parts(lf, a, base, off);
			return;
		}
		break;
	case E_PTRADD:
	case E_PTRSUB: {
		int64_t k;
		if (!ceval_int(e->u.bin.b, &k))
			break;
		ptr_parts(lf, a, base, off);
		*off += (e->op == E_PTRSUB ? -k : k) * (int64_t)pointee_size(a->type);
		return;
	}
	default:
		break;
	}
	*base = lx_rvalue(lf, e);
	*off = 0;
}

static struct lval mem_lval(ir_ref base, int64_t off, struct ctype *t)
{
	struct lval lv = { .kind = LV_MEM, .base = base, .off = off, .type = t };
	lv.vol = (t->quals & CQ_VOLATILE) != 0;
	return lv;
}

static struct lval decl_lval(struct lf *lf, struct cexpr *e)
{
	struct cdecl *d = e->u.decl;
	uint32_t var;
	if (lf_var_find(lf, d, &var)) {
		struct lvar *v = &lf->vars.data[var];
		if (v->mem)
			return mem_lval(v->addr, 0, e->type);
		struct lval lv = { .kind = LV_VAR, .var = var, .type = e->type };
		return lv;
	}
	if (d->kind == CD_VAR) {
		if (ld_is_map(d)) {
			uint32_t s = ld_map_sym(lf->L, d);
			if (s)
				return mem_lval(IR_REF(REF_SYM, s), 0, e->type);
			return (struct lval){ .kind = LV_NONE, .type = e->type };
		}
		if (!(d->flags & (CDF_FILE_SCOPE | CDF_LOCAL_STATIC)) && d->storage != CSC_EXTERN) {
			/* after an error its declaration was refused (too big, VLA, float):
			 * its uses say nothing new */
			if (!lf->errors)
				lf_error(lf, e->loc, "internal: variable '%s' is not bound", lw_name(d));
			return (struct lval){ .kind = LV_NONE, .type = e->type };
		}
		uint32_t s = ld_var_sym(lf->L, d, e->loc);
		if (!s)
			return (struct lval){ .kind = LV_NONE, .type = e->type };
		return mem_lval(IR_REF(REF_SYM, s), 0, e->type);
	}
	lf_error(lf, e->loc, "'%s' is not an object", lw_name(d));
	return (struct lval){ .kind = LV_NONE, .type = e->type };
}

static struct lval compound_literal(struct lf *lf, struct cexpr *e)
{
	struct cdecl *obj = e->u.lit.obj;
	if (obj->flags & CDF_FILE_SCOPE) {
		uint32_t s = ld_var_sym(lf->L, obj, e->loc);
		return s ? mem_lval(IR_REF(REF_SYM, s), 0, e->type)
			 : (struct lval){ .kind = LV_NONE };
	}
	struct ctype *t = obj->type;
	uint32_t var = lf_var_new(lf, obj, t, true);
	vec_push(&lf->scope, var); /* its slot is free again at the end of the block */
	ir_ref addr = lf->vars.data[var].addr;
	lx_init_mem(lf, addr, 0, obj->u.var.init, t, false);
	return mem_lval(addr, 0, e->type);
}

struct lval lx_lvalue(struct lf *lf, struct cexpr *e)
{
	struct srcloc saved = lf->loc;
	lf_set_loc(lf, e->loc);
	struct lval lv = { .kind = LV_NONE, .type = e->type };
	switch (e->op) {
	case E_DECL:
		lv = decl_lval(lf, e);
		break;
	case E_DEREF: {
		ir_ref p;
		int64_t off;
		ptr_parts(lf, e->u.bin.a, &p, &off);
		lv = mem_lval(p, off, e->type);
		break;
	}
	case E_INDEX: {
		if (lr_is_core(lf, e)) {
			lv = lr_lvalue(lf, e);
			break;
		}
		struct cexpr *a = e->u.bin.a, *b = e->u.bin.b;
		ir_ref p;
		int64_t off;
		ptr_parts(lf, a, &p, &off);
		uint64_t size = pointee_size(a->type);
		ir_ref i = lx_rvalue(lf, b);
		if (lf_is_con(i)) {
			int64_t c =
				lf_con_val(lf, lx_convert(lf, i, b->type, lf->L->tu->ty[TY_LONG]));
			lv = mem_lval(p, off + c * (int64_t)size, e->type);
		} else {
			lv = mem_lval(ptr_index(lf, p, i, b->type, size, false, b), off, e->type);
		}
		break;
	}
	case E_MEMBER: {
		if (lr_is_core(lf, e)) {
			lv = lr_lvalue(lf, e);
			break;
		}
		struct cmember *m = e->u.m.member;
		struct ctype *rt = e->u.m.base->type;
		if ((e->flags & EF_ARROW) && rt->kind == TY_PTR)
			rt = rt->u.pointee;
		if (ctype_is_record(rt))
			crecord_layout(rt->u.rec); /* member offsets are computed on demand */
		if (e->flags & EF_ARROW) {
			ir_ref p;
			int64_t off;
			ptr_parts(lf, e->u.m.base, &p, &off);
			lv = mem_lval(p, off, e->type);
		} else {
			lv = lx_lvalue(lf, e->u.m.base);
			if (lv.kind != LV_MEM) {
				if (lv.kind == LV_VAR)
					lf_error(lf, e->loc,
						 "internal: member of a register value");
				break;
			}
			bool vol = lv.vol;
			uint8_t al = lv.align;
			lv = mem_lval(lv.base, lv.off, e->type);
			lv.vol |= vol;
			lv.align = al;
		}
		uint8_t base_align = lv.align;
		lv.align = 0;
		if (m->flags & CMF_BITFIELD)
			bitfield_unit(&lv, m->bit_offset, m->bit_width);
		else
			lv.off += (int64_t)(m->bit_offset / 8);
		lv.type = e->type;
		if (ctype_is_record(rt)) {
			/* a member of a packed record is aligned only as its offset and the
			 * record allow */
			uint64_t a = base_align ? MIN(base_align, MAX(rt->u.rec->align, 1u))
						: MAX(rt->u.rec->align, 1u);
			uint64_t off = m->bit_offset / 8;
			while (a > 1 && off % a)
				a /= 2;
			if (a < ctype_align(e->type))
				lv.align = (uint8_t)a;
		}
		break;
	}
	case E_COMPOUND_LIT:
		lv = compound_literal(lf, e);
		break;
	case E_STRING: {
		uint32_t off = ld_string(lf->L, e->u.str);
		lv = mem_lval(IR_REF(REF_SYM, lf->L->strsym), off, e->type);
		break;
	}
	case E_CONV:
	case E_CAST:
		if (e->ck == CK_NOOP && (e->u.bin.a->flags & EF_LVALUE)) {
			lv = lx_lvalue(lf, e->u.bin.a);
			lv.type = e->type;
			break;
		}
		/* fall through */
	default:
		if (lt_is_aggregate(e->type)) {
			lv = mem_lval(lx_rvalue(lf, e), 0, e->type);
			break;
		}
		lf_unsupported(lf, e->loc, "this kind of lvalue");
		break;
	}
	lf->loc = saved;
	return lv;
}

/* ---- assignments and increments
 * -------------------------------------------------------------------- */

static ir_ref assign(struct lf *lf, struct cexpr *e)
{
	struct cexpr *a = e->u.bin.a, *b = e->u.bin.b;
	if (lt_is_aggregate(a->type)) {
		ir_ref src = lx_rvalue(lf, b);
		struct lval lv = lx_lvalue(lf, a);
		ir_ref dst = lx_addr_of(lf, &lv);
		lx_memcpy(lf, dst, src, ctype_size(a->type));
		return dst;
	}
	ir_ref v = lx_rvalue(lf, b);
	struct lval lv = lx_lvalue(lf, a);
	lx_store(lf, &lv, v);
	if (lv.bits)
		return lx_convert(lf, v, b->type, a->type);
	return v;
}

static ir_ref compound_assign(struct lf *lf, struct cexpr *e)
{
	struct cexpr *a = e->u.bin.a, *b = e->u.bin.b;
	enum cexpr_op op = (enum cexpr_op)(e->op - E_MUL_ASSIGN + E_MUL);
	struct lval lv = lx_lvalue(lf, a);
	ir_ref old = lx_load(lf, &lv);
	ir_ref r;
	if (a->type->kind == TY_PTR) {
		ir_ref i = lx_rvalue(lf, b);
		r = ptr_index(lf, old, i, b->type, pointee_size(a->type), op == E_SUB, b);
	} else {
		struct ctype *comp = e->u.bin.comp;
		if (ctype_is_floating(comp) || ctype_is_floating(a->type)) {
			unsupported_float(lf, e);
			return old;
		}
		ir_ref x = lx_convert(lf, old, a->type, comp);
		ir_ref y = lx_rvalue(lf, b);
		r = arith(lf, op, comp, x, y, e->loc, NULL);
		r = lx_convert(lf, r, comp, a->type);
	}
	lx_store(lf, &lv, r);
	return r;
}

static ir_ref incdec(struct lf *lf, struct cexpr *e)
{
	struct cexpr *a = e->u.bin.a;
	bool inc = e->op == E_PREINC || e->op == E_POSTINC;
	bool post = e->op == E_POSTINC || e->op == E_POSTDEC;
	struct lval lv = lx_lvalue(lf, a);
	ir_ref old = lx_load(lf, &lv), r;
	if (a->type->kind == TY_PTR) {
		int64_t step = (int64_t)pointee_size(a->type);
		r = lx_ptr_add(lf, lf_coerce(lf, old, VT_PTR(ANY)), inc ? step : -step);
	} else if (ctype_is_floating(a->type)) {
		unsupported_float(lf, e);
		return old;
	} else {
		struct ctype *t = a->type->kind == TY_BOOL || bits_of(a->type) < 32
					  ? lf->L->tu->ty[TY_INT]
					  : a->type;
		ir_vt vt = lt_vt(t);
		ir_ref x = lx_convert(lf, old, a->type, t);
		r = lf_op2(lf, inc ? IR_ADD : IR_SUB, vt, x, lf_con(lf, 1, vt));
		r = lx_convert(lf, r, t, a->type);
	}
	lx_store(lf, &lv, r);
	return post ? old : r;
}

/* ---- control flow in expressions
 * ------------------------------------------------------------------------ */

static bool const_cond(struct cexpr *e, bool *val)
{
	int64_t v;
	if (!ceval_int(e, &v))
		return false;
	*val = v != 0;
	return true;
}

static struct cexpr *strip_bool(struct cexpr *e)
{
	while ((e->op == E_CONV || e->op == E_CAST) && (e->ck == CK_TO_BOOL || e->ck == CK_NOOP) &&
	       lt_is_scalar(e->u.bin.a->type))
		e = e->u.bin.a;
	return e;
}

static unsigned br_op(unsigned cmp)
{
	return cmp - IR_EQ + IR_BR_EQ;
}

void lx_cond(struct lf *lf, struct cexpr *e, uint32_t t, uint32_t f)
{
	bool val;
	struct srcloc saved = lf->loc;
	lf_set_loc(lf, e->loc);
	e = strip_bool(e);
	if (const_cond(e, &val)) {
		lf_jmp(lf, val ? t : f);
		lf->loc = saved;
		return;
	}
	switch (e->op) {
	case E_LOGNOT:
		lx_cond(lf, e->u.bin.a, f, t);
		break;
	case E_LOGAND:
	case E_LOGOR: {
		uint32_t mid = lf_block(lf);
		if (e->op == E_LOGAND)
			lx_cond(lf, e->u.bin.a, mid, f);
		else
			lx_cond(lf, e->u.bin.a, t, mid);
		lf_seal(lf, mid);
		lf_set_block(lf, mid);
		lx_cond(lf, e->u.bin.b, t, f);
		break;
	}
	case E_COMMA:
		lx_discard(lf, e->u.bin.a);
		lx_cond(lf, e->u.bin.b, t, f);
		break;
	case E_LT:
	case E_GT:
	case E_LE:
	case E_GE:
	case E_EQ:
	case E_NE: {
		struct cexpr *a = e->u.bin.a, *b = e->u.bin.b;
		ir_ref x = lx_rvalue(lf, a), y = lx_rvalue(lf, b);
		unsigned op = cmp_op(e->op, is_signed_t(a->type));
		if (lf_is_con(x) && lf_is_con(y)) {
			int64_t r;
			ir_vt vt = lt_vt(a->type);
			ir_eval(op, vt.cls == IR_PTR ? IR_I64 : vt.cls, lf_con_val(lf, x),
				lf_con_val(lf, y), &r);
			lf_jmp(lf, r ? t : f);
			break;
		}
		lf_br(lf, br_op(op), x, y, t, f);
		break;
	}
	default: {
		ir_ref v = lx_rvalue(lf, e);
		if (lf_is_con(v)) {
			lf_jmp(lf, lf_con_val(lf, v) ? t : f);
			break;
		}
		lf_br(lf, IR_BR_NE, v, lf_con(lf, 0, VT_I64), t, f);
		break;
	}
	}
	lf->loc = saved;
}

static ir_ref logical_value(struct lf *lf, struct cexpr *e)
{
	uint32_t bt = lf_block(lf), bf = lf_block(lf), join = lf_block(lf);
	uint32_t var = lf_ssa_var(lf, VT_I32);
	lx_cond(lf, e, bt, bf);
	lf_seal(lf, bt);
	lf_seal(lf, bf);
	lf_set_block(lf, bt);
	lf_var_write(lf, var, lf_con(lf, 1, VT_I32));
	lf_jmp(lf, join);
	lf_set_block(lf, bf);
	lf_var_write(lf, var, lf_con(lf, 0, VT_I32));
	lf_jmp(lf, join);
	lf_seal(lf, join);
	lf_set_block(lf, join);
	return lf_var_read(lf, var);
}

static ir_ref conditional(struct lf *lf, struct cexpr *e)
{
	struct cexpr *c = e->u.cond.c, *a = e->u.cond.a, *b = e->u.cond.b;
	bool val;
	if (a && const_cond(c, &val)) {
		lx_discard(lf, c);
		return lx_rvalue(lf, val ? a : b);
	}
	bool is_void = ctype_is_void(e->type);
	ir_vt vt = lt_is_aggregate(e->type) ? VT_PTR(ANY) : lt_vt(e->type);
	if (!is_void && vt.cls == IR_VOID) {
		unsupported_float(lf, e);
		return lf_con(lf, 0, VT_I64);
	}
	uint32_t var = is_void ? LB_NONE : lf_ssa_var(lf, vt);
	uint32_t bt = lf_block(lf), bf = lf_block(lf), join = lf_block(lf);
	if (!a) {
		/* GNU c ?: b: c's value when it is true */
		ir_ref cv = lx_rvalue(lf, c);
		ir_ref conv = lx_convert(lf, cv, c->type, e->type);
		lf_var_write(lf, var, conv);
		if (lf_is_con(cv))
			lf_jmp(lf, lf_con_val(lf, cv) ? bt : bf);
		else
			lf_br(lf, IR_BR_NE, cv, lf_con(lf, 0, VT_I64), bt, bf);
	} else {
		lx_cond(lf, c, bt, bf);
	}
	lf_seal(lf, bt);
	lf_seal(lf, bf);
	lf_set_block(lf, bt);
	if (a) {
		ir_ref v = lx_rvalue(lf, a);
		if (!is_void)
			lf_var_write(lf, var, v);
	}
	lf_jmp(lf, join);
	lf_set_block(lf, bf);
	ir_ref v = lx_rvalue(lf, b);
	if (!is_void)
		lf_var_write(lf, var, v);
	lf_jmp(lf, join);
	lf_seal(lf, join);
	lf_set_block(lf, join);
	return is_void ? IR_NOREF : lf_var_read(lf, var);
}

/* ---- rvalues
 * ------------------------------------------------------------------------------------------------
 */

static ir_ref function_value(struct lf *lf, struct cexpr *e)
{
	struct cdecl *d = e->u.decl;
	/* a kfunc's address: called through a pointer once inlining makes it
	 * known (test_bpf_nf passes kfuncs to an always_inline function) */
	const char *sec = d->attrs ? d->attrs->section : NULL;
	uint32_t s = !d->u.fn.body && sec && !strcmp(sec, ".ksyms")
			     ? ld_extern_sym(lf->L, d)
			     : lc_subprog_sym(lf->L, d, e->loc);
	return s ? IR_REF(REF_SYM, s) : lf_null(lf);
}

static ir_ref rvalue(struct lf *lf, struct cexpr *e)
{
	switch (e->op) {
	case E_INT:
		return lf_con(lf, (int64_t)e->u.ival,
			      lt_vt(e->type).cls == IR_I32 ? VT_I32 : VT_I64);
	case E_FLOAT:
		unsupported_float(lf, e);
		return lf_con(lf, 0, VT_I64);
	case E_DECL: {
		struct cdecl *d = e->u.decl;
		if (d->kind == CD_ENUMCONST)
			return lf_con(lf, d->u.ec.value, lt_vt(e->type));
		if (d->kind == CD_FUNC)
			return function_value(lf, e);
		struct lval lv = lx_lvalue(lf, e);
		return lt_is_aggregate(e->type) ? lx_addr_of(lf, &lv) : lx_load(lf, &lv);
	}
	case E_STRING:
	case E_MEMBER:
	case E_INDEX:
	case E_DEREF:
	case E_COMPOUND_LIT: {
		struct lval lv = lx_lvalue(lf, e);
		if (lt_is_aggregate(e->type) || e->type->kind == TY_FUNC)
			return lx_addr_of(lf, &lv);
		return lx_load(lf, &lv);
	}
	case E_CAST:
	case E_CONV:
		return conversion(lf, e);
	case E_ADDR: {
		struct cexpr *a = e->u.bin.a;
		if (a->op == E_DECL && a->u.decl->kind == CD_FUNC)
			return function_value(lf, a);
		struct lval lv = lx_lvalue(lf, a);
		return lx_addr_of(lf, &lv);
	}
	case E_NEG: {
		if (ctype_is_floating(e->type)) {
			unsupported_float(lf, e);
			return lf_con(lf, 0, VT_I64);
		}
		ir_ref v = lx_rvalue(lf, e->u.bin.a);
		ir_vt vt = lt_vt(e->type);
		if (lf_is_con(v))
			return lf_con(lf, -lf_con_val(lf, v), vt);
		return lf_op1(lf, IR_NEG, vt, v);
	}
	case E_BITNOT: {
		ir_ref v = lx_rvalue(lf, e->u.bin.a);
		ir_vt vt = lt_vt(e->type);
		return lf_op2(lf, IR_XOR, vt, v, lf_con(lf, -1, vt));
	}
	case E_LOGNOT: {
		struct cexpr *a = e->u.bin.a;
		ir_ref v = lx_rvalue(lf, a);
		ir_vt vt = lt_vt(a->type);
		if (lf_is_con(v))
			return lf_con(lf, !lf_con_val(lf, v), VT_I32);
		ir_ref args[2] = { v, lf_con(lf, 0, vt.cls == IR_PTR ? VT_I64 : vt) };
		return lf_emit(lf, IR_EQ, VT_I32, args, 2);
	}
	case E_PREINC:
	case E_PREDEC:
	case E_POSTINC:
	case E_POSTDEC:
		return incdec(lf, e);
	case E_MUL:
	case E_DIV:
	case E_MOD:
	case E_ADD:
	case E_SUB:
	case E_SHL:
	case E_SHR:
	case E_BITAND:
	case E_BITXOR:
	case E_BITOR: {
		if (ctype_is_floating(e->type)) {
			unsupported_float(lf, e);
			return lf_con(lf, 0, VT_I64);
		}
		ir_ref a = lx_rvalue(lf, e->u.bin.a);
		ir_ref b = lx_rvalue(lf, e->u.bin.b);
		return arith(lf, (enum cexpr_op)e->op, e->type, a, b, e->loc, e->u.bin.a);
	}
	case E_LT:
	case E_GT:
	case E_LE:
	case E_GE:
	case E_EQ:
	case E_NE:
		if (ctype_is_floating(e->u.bin.a->type)) {
			unsupported_float(lf, e);
			return lf_con(lf, 0, VT_I32);
		}
		return compare(lf, e);
	case E_LOGAND:
	case E_LOGOR: {
		bool val;
		if (const_cond(e, &val))
			return lf_con(lf, val, VT_I32);
		return logical_value(lf, e);
	}
	case E_COMMA:
		lx_discard(lf, e->u.bin.a);
		return lx_rvalue(lf, e->u.bin.b);
	case E_ASSIGN:
		return assign(lf, e);
	case E_MUL_ASSIGN:
	case E_DIV_ASSIGN:
	case E_MOD_ASSIGN:
	case E_ADD_ASSIGN:
	case E_SUB_ASSIGN:
	case E_SHL_ASSIGN:
	case E_SHR_ASSIGN:
	case E_AND_ASSIGN:
	case E_XOR_ASSIGN:
	case E_OR_ASSIGN:
		return compound_assign(lf, e);
	case E_PTRADD:
	case E_PTRSUB: {
		ir_ref p = lx_rvalue(lf, e->u.bin.a);
		ir_ref i = lx_rvalue(lf, e->u.bin.b);
		return ptr_index(lf, p, i, e->u.bin.b->type, pointee_size(e->u.bin.a->type),
				 e->op == E_PTRSUB, e->u.bin.b);
	}
	case E_PTRDIFF: {
		ir_ref a = lx_rvalue(lf, e->u.bin.a);
		ir_ref b = lx_rvalue(lf, e->u.bin.b);
		return ptr_diff(lf, a, b, pointee_size(e->u.bin.a->type));
	}
	case E_COND:
		return conditional(lf, e);
	case E_CALL:
		return lc_call(lf, e);
	case E_BUILTIN:
		return lb_builtin(lf, e);
	case E_STMT_EXPR: {
		struct cexpr *last = NULL;
		return ls_stmt_expr(lf, e->u.stmt, &last);
	}
	case E_REAL:
	case E_IMAG:
		lf_unsupported(lf, e->loc, "complex numbers");
		return lf_con(lf, 0, VT_I64);
	case E_VA_ARG:
		lf_unsupported(lf, e->loc, "variadic arguments (va_arg)");
		return lf_con(lf, 0, VT_I64);
	default:
		lf_error(lf, e->loc, "internal: expression '%u' reached the lowering", e->op);
		return lf_con(lf, 0, VT_I64);
	}
}

ir_ref lx_rvalue(struct lf *lf, struct cexpr *e)
{
	struct srcloc saved = lf->loc;
	lf_set_loc(lf, e->loc);
	ir_ref v = rvalue(lf, e);
	lf->loc = saved;
	return v;
}

void lx_discard(struct lf *lf, struct cexpr *e)
{
	if (!e)
		return;
	/* reads without effects need no code (a volatile object's have one) */
	if ((e->op == E_DECL && !(e->type->quals & CQ_VOLATILE)) || e->op == E_INT ||
	    e->op == E_STRING)
		return;
	if ((e->op == E_CONV || e->op == E_CAST) && e->ck == CK_TO_VOID) {
		lx_discard(lf, e->u.bin.a);
		return;
	}
	struct srcloc saved = lf->loc;
	lf_set_loc(lf, e->loc);
	if (!lb_discard_atomic(lf, e))
		(void)rvalue(lf, e);
	lf->loc = saved;
}

/* ---- memory blocks and initializers
 * ------------------------------------------------------------------------ */

/* A copy to or from the context: field by field (the kernel converts each
 * context access on its own, so no block operation may touch it). */
static void ctx_copy(struct lf *lf, ir_ref dst, ir_ref src, uint64_t n)
{
	for (uint64_t off = 0; off < n;) {
		unsigned chunk = n - off >= 8 ? 8 : n - off >= 4 ? 4 : n - off >= 2 ? 2 : 1;
		ir_vt vt = chunk == 8 ? VT_I64 : VT_I32;
		ir_ref v = mem_load(lf, src, (int64_t)off, ir_load_op(chunk, false), vt, false);
		mem_store(lf, dst, (int64_t)off, chunk, v, false);
		off += chunk;
	}
}

void lx_memcpy(struct lf *lf, ir_ref dst, ir_ref src, uint64_t n)
{
	dst = lf_coerce(lf, dst, lf_vt(lf, dst, VT_PTR(ANY)));
	src = lf_coerce(lf, src, lf_vt(lf, src, VT_PTR(ANY)));
	if ((lf_vt(lf, dst, VT_PTR(ANY)).region == RG_CTX ||
	     lf_vt(lf, src, VT_PTR(ANY)).region == RG_CTX) &&
	    n <= 256) {
		ctx_copy(lf, dst, src, n);
		return;
	}
	for (uint64_t done = 0; done < n;) {
		uint64_t chunk = MIN(n - done, 65536u);
		ir_ref args[3] = { lx_ptr_add(lf, dst, (int64_t)done),
				   lx_ptr_add(lf, src, (int64_t)done),
				   lf_con(lf, (int64_t)chunk, VT_I64) };
		if (lf_is_con(args[0]) || lf_is_con(args[1]))
			args[0] = lf_coerce(lf, args[0], VT_PTR(ANY)),
			args[1] = lf_coerce(lf, args[1], VT_PTR(ANY));
		lf_emit0(lf, IR_MEMCPY, args, 3);
		done += chunk;
	}
}

void lx_memset(struct lf *lf, ir_ref dst, ir_ref byte, uint64_t n)
{
	for (uint64_t done = 0; done < n;) {
		uint64_t chunk = MIN(n - done, 65536u);
		ir_ref args[3] = { lf_coerce(lf, lx_ptr_add(lf, dst, (int64_t)done),
					     lf_vt(lf, dst, VT_PTR(ANY))),
				   byte, lf_con(lf, (int64_t)chunk, VT_I64) };
		if (lf_is_con(args[0]))
			args[0] = lf_coerce(lf, args[0], VT_PTR(ANY));
		lf_emit0(lf, IR_MEMSET, args, 3);
		done += chunk;
	}
}

/* Whether an initializer sets every byte of its object (no memset needed). */
static bool covers_all(struct cinit *in, struct ctype *t)
{
	if (!in)
		return false;
	if (in->kind == CI_EXPR) {
		if (in->u.expr->op == E_STRING && t->kind == TY_ARRAY)
			return in->u.expr->u.str->len >= ctype_size(t);
		return true;
	}
	if (t->kind == TY_ARRAY) {
		uint64_t next = 0;
		for (uint32_t i = 0; i < in->u.list.n; i++) {
			struct cinit_elem *el = &in->u.list.elems[i];
			if (el->lo != next || !covers_all(el->init, t->u.arr.elem))
				return false;
			next = el->hi + 1;
		}
		return next == t->u.arr.len && t->u.arr.len;
	}
	if (t->kind == TY_STRUCT) {
		struct crecord *r = t->u.rec;
		uint64_t bits = 0;
		if (in->u.list.n != r->nmembers)
			return false;
		for (uint32_t i = 0; i < in->u.list.n; i++) {
			struct cinit_elem *el = &in->u.list.elems[i];
			if (!el->member || (el->member->flags & CMF_BITFIELD) ||
			    el->member->bit_offset != bits ||
			    !covers_all(el->init, el->member->type))
				return false;
			bits += 8 * ctype_size(el->member->type);
		}
		return bits == 8 * ctype_size(t);
	}
	return false;
}

/* Stores the bytes of a string (padded with zeros to n) as wide constants. */
static void store_bytes(struct lf *lf, ir_ref base, int64_t off, const uint8_t *p, uint64_t len,
			uint64_t n, bool zero, unsigned align)
{
	uint64_t i = 0;
	while (i < n) {
		unsigned chunk = 8;
		while (chunk > 1 && (i + chunk > n || ((uint64_t)off + i) % chunk || chunk > align))
			chunk /= 2;
		uint64_t v = 0;
		for (unsigned k = 0; k < chunk; k++)
			if (i + k < len)
				v |= (uint64_t)p[i + k] << (8 * k);
		if (v || !zero) {
			struct lval lv = { .kind = LV_MEM, .base = base, .off = off + (int64_t)i };
			fit_offset(lf, &lv, chunk);
			mem_store(lf, lv.base, lv.off, chunk,
				  lf_con(lf, (int64_t)v, chunk == 8 ? VT_I64 : VT_I32), false);
		}
		i += chunk;
	}
}

void lx_init_mem(struct lf *lf, ir_ref base, int64_t off, struct cinit *init, struct ctype *t,
		 bool zero)
{
	uint64_t size = ctype_size(t);
	if (!init) {
		if (!zero)
			lx_memset(lf, lx_ptr_add(lf, base, off), lf_con(lf, 0, VT_I64), size);
		return;
	}
	if (ctype_is_record(t))
		crecord_layout(t->u.rec);
	if (!zero && init->kind == CI_LIST && !covers_all(init, t)) {
		lx_memset(lf, lx_ptr_add(lf, base, off), lf_con(lf, 0, VT_I64), size);
		zero = true;
	}
	if (init->kind == CI_EXPR) {
		struct cexpr *e = init->u.expr;
		if (e->op == E_STRING && t->kind == TY_ARRAY) {
			unsigned align = ctype_align(t);
			ir_vt bvt = lf_vt(lf, base, VT_PTR(ANY));
			if (bvt.region == RG_STACK)
				align = 8;
			store_bytes(lf, base, off, e->u.str->bytes, e->u.str->len, size, zero,
				    align);
			return;
		}
		if (lt_is_aggregate(t)) {
			ir_ref src = lx_rvalue(lf, e);
			lx_memcpy(lf, lx_ptr_add(lf, base, off), src, size);
			return;
		}
		ir_ref v = lx_rvalue(lf, e);
		if (zero && lf_is_con(v) && !lf_con_val(lf, v))
			return;
		struct lval lv = mem_lval(base, off, t);
		lv.vol = false;
		lx_store(lf, &lv, v);
		return;
	}
	for (uint32_t i = 0; i < init->u.list.n; i++) {
		struct cinit_elem *el = &init->u.list.elems[i];
		if (el->member) {
			struct cmember *m = el->member;
			if (m->flags & CMF_BITFIELD) {
				ir_ref v = lx_rvalue(lf, el->init->u.expr);
				if (zero && lf_is_con(v) && !lf_con_val(lf, v))
					continue;
				struct lval lv = mem_lval(base, off, m->type);
				bitfield_unit(&lv, m->bit_offset, m->bit_width);
				lx_store(lf, &lv, v);
				continue;
			}
			lx_init_mem(lf, base, off + (int64_t)(m->bit_offset / 8), el->init, m->type,
				    zero);
		} else {
			struct ctype *elem = t->u.arr.elem;
			uint64_t es = ctype_size(elem);
			for (uint64_t k = el->lo; k <= el->hi; k++)
				lx_init_mem(lf, base, off + (int64_t)(k * es), el->init, elem,
					    zero);
		}
	}
}
