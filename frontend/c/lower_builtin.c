/* Compiler builtins in C: memory blocks (memcpy, memset, memcmp with
 * constant sizes), byte swaps, hints (expect, assume, constant_p,
 * unreachable), the __sync and __atomic families as BPF atomics, and the
 * CO-RE builtins (handed to lower_core.c). */
#include "frontend/c/lower_internal.h"

#include <string.h>

static bool const_size(struct lf *lf, struct cexpr *e, uint64_t *n, const char *what)
{
	int64_t v;
	if (!ceval_int(e, &v)) {
		ir_ref r = lx_rvalue(lf, e);
		if (!lf_is_con(r)) {
			lf_unsupported(lf, e->loc,
				       arena_printf(&lf->f->arena,
						    "%s with a size that is not a constant", what));
			return false;
		}
		v = lf_con_val(lf, r);
	}
	*n = (uint64_t)v;
	return true;
}

/* memcmp of n bytes: 8-byte chunks compared as big-endian numbers. */
static ir_ref memcmp_expand(struct lf *lf, ir_ref a, ir_ref b, uint64_t n)
{
	uint32_t var = lf_ssa_var(lf, VT_I32);
	uint32_t done = lf_block(lf);
	a = lf_coerce(lf, a, VT_PTR(ANY));
	b = lf_coerce(lf, b, VT_PTR(ANY));
	for (uint64_t off = 0; off < n;) {
		unsigned chunk = n - off >= 8 ? 8 : n - off >= 4 ? 4 : n - off >= 2 ? 2 : 1;
		unsigned lop = ir_load_op(chunk, false);
		ir_vt vt = chunk == 8 ? VT_I64 : VT_I32;
		struct lval la = { .kind = LV_MEM, .base = a, .off = (int64_t)off };
		struct lval lb = { .kind = LV_MEM, .base = b, .off = (int64_t)off };
		ir_ref xa[2] = { lx_addr_of(lf, &la), lf_con(lf, 0, VT_I64) };
		ir_ref xb[2] = { lx_addr_of(lf, &lb), lf_con(lf, 0, VT_I64) };
		ir_ref x = lf_emit(lf, lop, vt, xa, 2), y = lf_emit(lf, lop, vt, xb, 2);
		uint32_t diff = lf_block(lf), next = lf_block(lf);
		lf_br(lf, IR_BR_NE, x, y, diff, next);
		lf_seal(lf, diff);
		lf_set_block(lf, diff);
		if (chunk > 1) {
			unsigned sw = chunk == 8   ? IR_BSWAP64
				      : chunk == 4 ? IR_BSWAP32
						   : IR_BSWAP16;
			x = lf_op1(lf, sw, vt, x);
			y = lf_op1(lf, sw, vt, y);
		}
		ir_ref args[2] = { x, y };
		ir_ref gt = lf_emit(lf, IR_UGT, VT_I32, args, 2);
		/* 1 when greater, -1 when less */
		ir_ref r = lf_op2(lf, IR_SUB, VT_I32,
				  lf_op2(lf, IR_SHL, VT_I32, gt, lf_con(lf, 1, VT_I32)),
				  lf_con(lf, 1, VT_I32));
		lf_var_write(lf, var, r);
		lf_jmp(lf, done);
		lf_seal(lf, next);
		lf_set_block(lf, next);
		off += chunk;
	}
	lf_var_write(lf, var, lf_con(lf, 0, VT_I32));
	lf_jmp(lf, done);
	lf_seal(lf, done);
	lf_set_block(lf, done);
	return lf_var_read(lf, var);
}

/* ---- atomics ------------------------------------------------------------------------ */

enum atomic_kind { AK_ADD, AK_AND, AK_OR, AK_XOR };

static unsigned fetch_op(enum atomic_kind k, bool wide, bool fetch)
{
	static const unsigned ops[4][2][2] = {
		[AK_ADD] = { { IR_ATOMIC_ADD_U32, IR_FETCH_ADD_U32 },
			     { IR_ATOMIC_ADD_U64, IR_FETCH_ADD_U64 } },
		[AK_AND] = { { IR_ATOMIC_AND_U32, IR_FETCH_AND_U32 },
			     { IR_ATOMIC_AND_U64, IR_FETCH_AND_U64 } },
		[AK_OR] = { { IR_ATOMIC_OR_U32, IR_FETCH_OR_U32 },
			    { IR_ATOMIC_OR_U64, IR_FETCH_OR_U64 } },
		[AK_XOR] = { { IR_ATOMIC_XOR_U32, IR_FETCH_XOR_U32 },
			     { IR_ATOMIC_XOR_U64, IR_FETCH_XOR_U64 } },
	};
	return ops[k][wide][fetch];
}

struct atomic_site {
	ir_ref p;	 /* pointer */
	struct ctype *t; /* the object's type */
	ir_vt vt;
	bool wide;
};

static bool atomic_site(struct lf *lf, struct cexpr *e, struct atomic_site *s)
{
	struct cexpr *pe = e->u.bi.args[0];
	struct ctype *pt = pe->type;
	if (pt->kind != TY_PTR)
		return false;
	s->t = pt->u.pointee;
	uint64_t size = ctype_size(s->t);
	if (size != 4 && size != 8) {
		lf_unsupported(
			lf, e->loc,
			arena_printf(&lf->f->arena,
				     "%s on a %llu-byte object (BPF atomics are 4 or 8 bytes)",
				     cbuiltin_name(e->u.bi.id), (unsigned long long)size));
		return false;
	}
	s->wide = size == 8;
	s->vt = s->wide ? VT_I64 : VT_I32;
	s->p = lf_coerce(lf, lx_rvalue(lf, pe), VT_PTR(ANY));
	return true;
}

/* The operand value in the object's width (pointers as 64-bit integers). */
static ir_ref atomic_operand(struct lf *lf, struct atomic_site *s, struct cexpr *v)
{
	ir_ref r = lx_rvalue(lf, v);
	if (s->t->kind == TY_PTR)
		return lx_convert(lf, r, v->type, lf->L->tu->ty[TY_ULONG]);
	return lx_convert(lf, r, v->type, s->t);
}

static ir_ref atomic_rmw(struct lf *lf, struct cexpr *e, enum atomic_kind k, bool negate, bool want,
			 bool post)
{
	struct atomic_site s;
	if (!atomic_site(lf, e, &s))
		return lf_con(lf, 0, VT_I64);
	ir_ref v = atomic_operand(lf, &s, e->u.bi.args[1]);
	if (negate)
		v = lf_is_con(v) ? lf_con(lf, -lf_con_val(lf, v), s.vt)
				 : lf_op1(lf, IR_NEG, s.vt, v);
	ir_ref args[3] = { s.p, lf_con(lf, 0, VT_I64), v };
	if (!want) {
		lf_emit0(lf, fetch_op(k, s.wide, false), args, 3);
		return IR_NOREF;
	}
	ir_ref old = lf_emit(lf, fetch_op(k, s.wide, true), s.vt, args, 3);
	if (!post)
		return old;
	static const unsigned bin[] = {
		[AK_ADD] = IR_ADD, [AK_AND] = IR_AND, [AK_OR] = IR_OR, [AK_XOR] = IR_XOR
	};
	return lf_op2(lf, bin[k], s.vt, old, v);
}

static ir_ref atomic_xchg(struct lf *lf, struct cexpr *e)
{
	struct atomic_site s;
	if (!atomic_site(lf, e, &s))
		return lf_con(lf, 0, VT_I64);
	ir_ref v = atomic_operand(lf, &s, e->u.bi.args[1]);
	ir_ref args[3] = { s.p, lf_con(lf, 0, VT_I64), v };
	ir_ref r = lf_emit(lf, s.wide ? IR_XCHG_U64 : IR_XCHG_U32, s.vt, args, 3);
	return s.t->kind == TY_PTR ? lf_emit(lf, IR_CAST, VT_PTR(ANY), &r, 1) : r;
}

/* cmpxchg: returns the old value; *ok (when asked) whether it swapped. */
static ir_ref atomic_cas(struct lf *lf, struct atomic_site *s, ir_ref expected, ir_ref desired)
{
	ir_ref args[4] = { s->p, lf_con(lf, 0, VT_I64), expected, desired };
	return lf_emit(lf, s->wide ? IR_CMPXCHG_U64 : IR_CMPXCHG_U32, s->vt, args, 4);
}

static ir_ref sync_cas(struct lf *lf, struct cexpr *e, bool boolean)
{
	struct atomic_site s;
	if (!atomic_site(lf, e, &s))
		return lf_con(lf, 0, VT_I64);
	ir_ref expected = atomic_operand(lf, &s, e->u.bi.args[1]);
	ir_ref desired = atomic_operand(lf, &s, e->u.bi.args[2]);
	ir_ref old = atomic_cas(lf, &s, expected, desired);
	if (!boolean)
		return s.t->kind == TY_PTR ? lf_emit(lf, IR_CAST, VT_PTR(ANY), &old, 1) : old;
	ir_ref args[2] = { old, expected };
	return lf_emit(lf, IR_EQ, VT_I32, args, 2);
}

/* __atomic_compare_exchange_n(p, expected_ptr, desired, weak, s, f) */
static ir_ref atomic_cas_n(struct lf *lf, struct cexpr *e, bool by_ptr)
{
	struct atomic_site s;
	if (!atomic_site(lf, e, &s))
		return lf_con(lf, 0, VT_I64);
	ir_ref ep = lf_coerce(lf, lx_rvalue(lf, e->u.bi.args[1]), VT_PTR(ANY));
	struct lval el = { .kind = LV_MEM, .base = ep, .type = s.t };
	ir_ref expected = lx_load(lf, &el);
	if (s.t->kind == TY_PTR)
		expected = lf_emit(lf, IR_CAST, VT_I64, &expected, 1);
	ir_ref desired;
	if (by_ptr) {
		ir_ref dp = lf_coerce(lf, lx_rvalue(lf, e->u.bi.args[2]), VT_PTR(ANY));
		struct lval dl = { .kind = LV_MEM, .base = dp, .type = s.t };
		desired = lx_load(lf, &dl);
		if (s.t->kind == TY_PTR)
			desired = lf_emit(lf, IR_CAST, VT_I64, &desired, 1);
	} else {
		desired = atomic_operand(lf, &s, e->u.bi.args[2]);
	}
	ir_ref old = atomic_cas(lf, &s, expected, desired);
	ir_ref args[2] = { old, expected };
	ir_ref ok = lf_emit(lf, IR_EQ, VT_I32, args, 2);
	/* on failure the current value goes back to *expected */
	uint32_t fail = lf_block(lf), join = lf_block(lf);
	lf_br(lf, IR_BR_NE, old, expected, fail, join);
	lf_seal(lf, fail);
	lf_set_block(lf, fail);
	struct lval st = { .kind = LV_MEM,
			   .base = ep,
			   .type = s.wide ? lf->L->tu->ty[TY_ULONG] : lf->L->tu->ty[TY_UINT] };
	lx_store(lf, &st, old);
	lf_jmp(lf, join);
	lf_seal(lf, join);
	lf_set_block(lf, join);
	return ok;
}

static ir_ref atomic_load(struct lf *lf, struct cexpr *e, bool to_ptr)
{
	ir_ref p = lf_coerce(lf, lx_rvalue(lf, e->u.bi.args[0]), VT_PTR(ANY));
	struct ctype *t = e->u.bi.args[0]->type->u.pointee;
	struct lval lv = { .kind = LV_MEM, .base = p, .type = t, .vol = true };
	if (!lt_is_scalar(t)) {
		lf_unsupported(lf, e->loc, "__atomic_load of a struct");
		return IR_NOREF;
	}
	ir_ref v = lx_load(lf, &lv);
	if (to_ptr) {
		ir_ref d = lf_coerce(lf, lx_rvalue(lf, e->u.bi.args[1]), VT_PTR(ANY));
		struct lval dl = { .kind = LV_MEM, .base = d, .type = t };
		lx_store(lf, &dl, v);
		return IR_NOREF;
	}
	return v;
}

static ir_ref atomic_store(struct lf *lf, struct cexpr *e, bool from_ptr)
{
	ir_ref p = lf_coerce(lf, lx_rvalue(lf, e->u.bi.args[0]), VT_PTR(ANY));
	struct ctype *t = e->u.bi.args[0]->type->u.pointee;
	if (!lt_is_scalar(t)) {
		lf_unsupported(lf, e->loc, "__atomic_store of a struct");
		return IR_NOREF;
	}
	ir_ref v;
	if (from_ptr) {
		ir_ref s = lf_coerce(lf, lx_rvalue(lf, e->u.bi.args[1]), VT_PTR(ANY));
		struct lval sl = { .kind = LV_MEM, .base = s, .type = t };
		v = lx_load(lf, &sl);
	} else {
		v = lx_convert(lf, lx_rvalue(lf, e->u.bi.args[1]), e->u.bi.args[1]->type, t);
	}
	struct lval lv = { .kind = LV_MEM, .base = p, .type = t, .vol = true };
	lx_store(lf, &lv, v);
	return IR_NOREF;
}

/* ---- the builtins ------------------------------------------------------------------------ */

static ir_ref bswap(struct lf *lf, struct cexpr *e, unsigned op)
{
	ir_ref v = lx_rvalue(lf, e->u.bi.args[0]);
	return lf_op1(lf, op, lt_vt(e->type), v);
}

static bool side_effect_free(struct cexpr *e)
{
	if (!e)
		return true;
	/* && || and , are left out too: evaluating them emits branches */
	if (cexpr_is_binary(e->op))
		return !cexpr_is_assign(e->op) && e->op != E_LOGAND && e->op != E_LOGOR &&
		       e->op != E_COMMA && side_effect_free(e->u.bin.a) && side_effect_free(e->u.bin.b);
	switch (e->op) {
	case E_INT:
	case E_DECL:
	case E_STRING:
		return true;
	case E_CONV:
	case E_CAST:
	case E_NEG:
	case E_BITNOT:
	case E_LOGNOT:
	case E_ADDR:
	case E_DEREF:
		return side_effect_free(e->u.bin.a);
	case E_MEMBER:
		return side_effect_free(e->u.m.base);
	default:
		return false;
	}
}

static ir_ref unreachable(struct lf *lf)
{
	lf_emit0(lf, IR_UNREACHABLE, NULL, 0);
	lf->cur = LB_NONE;
	return IR_NOREF;
}

ir_ref lb_builtin(struct lf *lf, struct cexpr *e)
{
	struct cexpr **a = e->u.bi.args;
	uint64_t n;
	switch ((enum cbuiltin)e->u.bi.id) {
	case CB_PRESERVE_ACCESS_INDEX:
		return lx_rvalue(lf, a[0]);
	case CB_PRESERVE_FIELD_INFO:
		return lr_field_info(lf, e);
	case CB_PRESERVE_TYPE_INFO:
		return lr_type_info(lf, e);
	case CB_PRESERVE_ENUM_VALUE:
		return lr_enum_value(lf, e);
	case CB_BTF_TYPE_ID:
		return lr_btf_type_id(lf, e);
	case CB_EXPECT:
	case CB_EXPECT_WITH_PROBABILITY:
	case CB_UNPREDICTABLE:
	case CB_ASSUME_ALIGNED:
	case CB_LAUNDER:
	case CB_NONDETERMINISTIC_VALUE:
		for (uint32_t i = 1; i < e->u.bi.nargs; i++)
			lx_discard(lf, a[i]);
		return lx_rvalue(lf, a[0]);
	case CB_CONSTANT_P: {
		int64_t v;
		if (ceval_int(a[0], &v))
			return lf_con(lf, 1, VT_I32);
		if (!lt_is_scalar(a[0]->type) || !side_effect_free(a[0]))
			return lf_con(lf, 0, VT_I32);
		/* after inlining, an argument may have become a constant */
		return lf_con(lf, lf_is_con(lx_rvalue(lf, a[0])), VT_I32);
	}
	case CB_UNREACHABLE:
	case CB_TRAP:
		return unreachable(lf);
	case CB_DEBUGTRAP:
	case CB_ASSUME:
	case CB_PREFETCH:
	case CB_SYNC_SYNCHRONIZE:
	case CB_ATOMIC_THREAD_FENCE:
	case CB_ATOMIC_SIGNAL_FENCE:
	case CB_C11_ATOMIC_THREAD_FENCE:
		return IR_NOREF;
	case CB_OBJECT_SIZE:
	case CB_DYNAMIC_OBJECT_SIZE: {
		int64_t kind = 0;
		ceval_int(a[1], &kind);
		return lf_con(lf, kind & 2 ? 0 : -1, VT_I64);
	}
	case CB_LINE:
		return lf_con(lf, e->loc.line, VT_I32);
	case CB_COLUMN:
		return lf_con(lf, e->loc.col, VT_I32);
	case CB_MEMCPY:
	case CB_MEMMOVE:
	case CB_MEMCPY_INLINE:
	case CB_LIB_MEMCPY: {
		if (!const_size(lf, a[2], &n, cbuiltin_name(e->u.bi.id)))
			return lf_con(lf, 0, VT_I64);
		ir_ref d = lx_rvalue(lf, a[0]), s = lx_rvalue(lf, a[1]);
		if (n)
			lx_memcpy(lf, d, s, n);
		return d;
	}
	case CB_MEMSET:
	case CB_MEMSET_INLINE:
	case CB_LIB_MEMSET: {
		if (!const_size(lf, a[2], &n, cbuiltin_name(e->u.bi.id)))
			return lf_con(lf, 0, VT_I64);
		ir_ref d = lx_rvalue(lf, a[0]);
		ir_ref v = lx_rvalue(lf, a[1]);
		if (n)
			lx_memset(lf, lf_coerce(lf, d, lf_vt(lf, d, VT_PTR(ANY))), v, n);
		return d;
	}
	case CB_MEMCMP: {
		if (!const_size(lf, a[2], &n, "__builtin_memcmp"))
			return lf_con(lf, 0, VT_I32);
		ir_ref x = lx_rvalue(lf, a[0]), y = lx_rvalue(lf, a[1]);
		return n ? memcmp_expand(lf, x, y, n) : lf_con(lf, 0, VT_I32);
	}
	case CB_BSWAP16:
		return bswap(lf, e, IR_BSWAP16);
	case CB_BSWAP32:
		return bswap(lf, e, IR_BSWAP32);
	case CB_BSWAP64:
		return bswap(lf, e, IR_BSWAP64);
	case CB_ABS:
	case CB_LABS:
	case CB_LLABS: {
		ir_ref v = lx_rvalue(lf, a[0]);
		ir_vt vt = lt_vt(e->type);
		unsigned w = vt.cls == IR_I64 ? 63 : 31;
		ir_ref sign = lf_op2(lf, IR_ASHR, vt, v, lf_con(lf, w, vt));
		return lf_op2(lf, IR_SUB, vt, lf_op2(lf, IR_XOR, vt, v, sign), sign);
	}
	case CB_SYNC_FETCH_AND_ADD:
		return atomic_rmw(lf, e, AK_ADD, false, true, false);
	case CB_SYNC_FETCH_AND_SUB:
		return atomic_rmw(lf, e, AK_ADD, true, true, false);
	case CB_SYNC_FETCH_AND_OR:
		return atomic_rmw(lf, e, AK_OR, false, true, false);
	case CB_SYNC_FETCH_AND_AND:
		return atomic_rmw(lf, e, AK_AND, false, true, false);
	case CB_SYNC_FETCH_AND_XOR:
		return atomic_rmw(lf, e, AK_XOR, false, true, false);
	case CB_SYNC_ADD_AND_FETCH:
		return atomic_rmw(lf, e, AK_ADD, false, true, true);
	case CB_SYNC_SUB_AND_FETCH:
		return atomic_rmw(lf, e, AK_ADD, true, true, true);
	case CB_SYNC_OR_AND_FETCH:
		return atomic_rmw(lf, e, AK_OR, false, true, true);
	case CB_SYNC_AND_AND_FETCH:
		return atomic_rmw(lf, e, AK_AND, false, true, true);
	case CB_SYNC_XOR_AND_FETCH:
		return atomic_rmw(lf, e, AK_XOR, false, true, true);
	case CB_SYNC_LOCK_TEST_AND_SET:
	case CB_SYNC_SWAP:
	case CB_ATOMIC_EXCHANGE_N:
		return atomic_xchg(lf, e);
	case CB_SYNC_VAL_COMPARE_AND_SWAP:
		return sync_cas(lf, e, false);
	case CB_SYNC_BOOL_COMPARE_AND_SWAP:
		return sync_cas(lf, e, true);
	case CB_SYNC_LOCK_RELEASE: {
		ir_ref p = lf_coerce(lf, lx_rvalue(lf, a[0]), VT_PTR(ANY));
		struct lval lv = {
			.kind = LV_MEM, .base = p, .type = a[0]->type->u.pointee, .vol = true
		};
		lx_store(lf, &lv, lf_con(lf, 0, VT_I64));
		return IR_NOREF;
	}
	case CB_ATOMIC_LOAD_N:
	case CB_C11_ATOMIC_LOAD:
	case CB_NONTEMPORAL_LOAD:
		return atomic_load(lf, e, false);
	case CB_ATOMIC_LOAD:
		return atomic_load(lf, e, true);
	case CB_ATOMIC_STORE_N:
	case CB_C11_ATOMIC_STORE:
	case CB_C11_ATOMIC_INIT:
		return atomic_store(lf, e, false);
	case CB_ATOMIC_STORE:
		return atomic_store(lf, e, true);
	case CB_ATOMIC_COMPARE_EXCHANGE_N:
	case CB_C11_ATOMIC_COMPARE_EXCHANGE_STRONG:
	case CB_C11_ATOMIC_COMPARE_EXCHANGE_WEAK:
		return atomic_cas_n(lf, e, false);
	case CB_ATOMIC_COMPARE_EXCHANGE:
		return atomic_cas_n(lf, e, true);
	case CB_ATOMIC_FETCH_ADD:
	case CB_C11_ATOMIC_FETCH_ADD:
		return atomic_rmw(lf, e, AK_ADD, false, true, false);
	case CB_ATOMIC_FETCH_SUB:
		return atomic_rmw(lf, e, AK_ADD, true, true, false);
	case CB_ATOMIC_FETCH_AND:
		return atomic_rmw(lf, e, AK_AND, false, true, false);
	case CB_ATOMIC_FETCH_OR:
		return atomic_rmw(lf, e, AK_OR, false, true, false);
	case CB_ATOMIC_FETCH_XOR:
		return atomic_rmw(lf, e, AK_XOR, false, true, false);
	case CB_ATOMIC_ADD_FETCH:
		return atomic_rmw(lf, e, AK_ADD, false, true, true);
	case CB_ATOMIC_SUB_FETCH:
		return atomic_rmw(lf, e, AK_ADD, true, true, true);
	case CB_ATOMIC_AND_FETCH:
		return atomic_rmw(lf, e, AK_AND, false, true, true);
	case CB_ATOMIC_OR_FETCH:
		return atomic_rmw(lf, e, AK_OR, false, true, true);
	case CB_ATOMIC_XOR_FETCH:
		return atomic_rmw(lf, e, AK_XOR, false, true, true);
	case CB_NONTEMPORAL_STORE: {
		ir_ref p = lf_coerce(lf, lx_rvalue(lf, a[1]), VT_PTR(ANY));
		struct lval lv = { .kind = LV_MEM, .base = p, .type = a[1]->type->u.pointee };
		lx_store(lf, &lv, lx_rvalue(lf, a[0]));
		return IR_NOREF;
	}
	default:
		lf_unsupported(
			lf, e->loc,
			arena_printf(&lf->f->arena, "the builtin %s", cbuiltin_name(e->u.bi.id)));
		return ctype_is_void(e->type)
			       ? IR_NOREF
			       : lf_con(lf, 0, lt_vt(e->type).cls ? lt_vt(e->type) : VT_I64);
	}
}

/* An atomic whose result is unused: the non-fetching instruction. */
bool lb_discard_atomic(struct lf *lf, struct cexpr *e)
{
	if (e->op != E_BUILTIN)
		return false;
	switch ((enum cbuiltin)e->u.bi.id) {
	case CB_SYNC_FETCH_AND_ADD:
	case CB_SYNC_ADD_AND_FETCH:
	case CB_ATOMIC_FETCH_ADD:
	case CB_ATOMIC_ADD_FETCH:
	case CB_C11_ATOMIC_FETCH_ADD:
		atomic_rmw(lf, e, AK_ADD, false, false, false);
		return true;
	case CB_SYNC_FETCH_AND_SUB:
	case CB_SYNC_SUB_AND_FETCH:
	case CB_ATOMIC_FETCH_SUB:
	case CB_ATOMIC_SUB_FETCH:
		atomic_rmw(lf, e, AK_ADD, true, false, false);
		return true;
	case CB_SYNC_FETCH_AND_OR:
	case CB_SYNC_OR_AND_FETCH:
	case CB_ATOMIC_FETCH_OR:
	case CB_ATOMIC_OR_FETCH:
		atomic_rmw(lf, e, AK_OR, false, false, false);
		return true;
	case CB_SYNC_FETCH_AND_AND:
	case CB_SYNC_AND_AND_FETCH:
	case CB_ATOMIC_FETCH_AND:
	case CB_ATOMIC_AND_FETCH:
		atomic_rmw(lf, e, AK_AND, false, false, false);
		return true;
	case CB_SYNC_FETCH_AND_XOR:
	case CB_SYNC_XOR_AND_FETCH:
	case CB_ATOMIC_FETCH_XOR:
	case CB_ATOMIC_XOR_FETCH:
		atomic_rmw(lf, e, AK_XOR, false, false, false);
		return true;
	default:
		return false;
	}
}
