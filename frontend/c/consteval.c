/* Constant evaluation over the typed AST: integer constant expressions (C11
 * 6.6, for array sizes, bit-field widths, enumerators, case labels, static
 * assertions) and, more permissively, the values of static initializers:
 * integers, floats, and addresses of objects, functions and strings plus an
 * offset — GNU's folding (offsetof through a null pointer, const variables)
 * included. */
#include "frontend/c/ast.h"

#include <string.h>

struct eval {
	bool ice; /* integer constant expression rules only */
	int depth;
};

static bool eval(struct eval *ev, const struct cexpr *e, struct cconst *out);

static uint64_t normalize(uint64_t v, const struct ctype *t)
{
	if (t->kind == TY_BOOL)
		return v != 0;
	if (t->kind == TY_PTR)
		return v;
	unsigned bits = ctype_int_bits(t);
	if (bits >= 64)
		return v;
	uint64_t mask = (1ull << bits) - 1;
	v &= mask;
	if (ctype_is_signed(t) && (v >> (bits - 1)) & 1)
		v |= ~mask;
	return v;
}

static bool set_int(struct cconst *out, uint64_t v, const struct ctype *t)
{
	memset(out, 0, sizeof(*out));
	out->kind = CC_INT;
	out->ival = (int64_t)normalize(v, t);
	return true;
}

static bool as_float(const struct cconst *c, const struct ctype *t, double *f)
{
	if (c->kind == CC_FLOAT) {
		*f = c->fval;
		return true;
	}
	if (c->kind == CC_INT) {
		*f = ctype_is_signed(t) ? (double)c->ival : (double)(uint64_t)c->ival;
		return true;
	}
	return false;
}

/* The address an lvalue designates (static storage only). */
static bool eval_addr(struct eval *ev, const struct cexpr *e, struct cconst *out)
{
	switch (e->op) {
	case E_DECL: {
		struct cdecl *d = e->u.decl;
		if (d->kind == CD_FUNC ||
		    (d->kind == CD_VAR && ((d->flags & (CDF_FILE_SCOPE | CDF_LOCAL_STATIC)) ||
					   d->storage == CSC_EXTERN))) {
			memset(out, 0, sizeof(*out));
			out->kind = CC_ADDR;
			out->decl = d;
			return true;
		}
		return false;
	}
	case E_STRING:
		memset(out, 0, sizeof(*out));
		out->kind = CC_STRING_ADDR;
		out->str = e->u.str;
		return true;
	case E_COMPOUND_LIT: {
		struct cdecl *d = e->u.lit.obj;
		if (!(d->flags & CDF_FILE_SCOPE))
			return false;
		memset(out, 0, sizeof(*out));
		out->kind = CC_ADDR;
		out->decl = d;
		return true;
	}
	case E_MEMBER: {
		const struct cmember *m = e->u.m.member;
		if (m->flags & CMF_BITFIELD)
			return false;
		bool ok = (e->flags & EF_ARROW) ? eval(ev, e->u.m.base, out)
						: eval_addr(ev, e->u.m.base, out);
		if (!ok || (out->kind != CC_ADDR && out->kind != CC_STRING_ADDR && out->kind != CC_INT))
			return false;
		struct ctype *rt = (e->flags & EF_ARROW) ? e->u.m.base->type->u.pointee
							 : e->u.m.base->type;
		crecord_layout(rt->u.rec);
		out->ival += (int64_t)(m->bit_offset / 8);
		return true;
	}
	case E_INDEX: {
		struct cconst idx;
		if (!eval(ev, e->u.bin.a, out) || !eval(ev, e->u.bin.b, &idx) || idx.kind != CC_INT)
			return false;
		if (out->kind != CC_ADDR && out->kind != CC_STRING_ADDR && out->kind != CC_INT)
			return false;
		out->ival += idx.ival * (int64_t)ctype_size(e->type);
		return true;
	}
	case E_DEREF:
		return eval(ev, e->u.bin.a, out);
	default:
		return false;
	}
}

static bool eval_builtin(struct eval *ev, const struct cexpr *e, struct cconst *out)
{
	struct cconst a;
	switch (e->u.bi.id) {
	case CB_EXPECT:
	case CB_EXPECT_WITH_PROBABILITY:
		return e->u.bi.nargs && eval(ev, e->u.bi.args[0], out) && out->kind == CC_INT;
	case CB_BSWAP16:
	case CB_BSWAP32:
	case CB_BSWAP64: {
		if (!e->u.bi.nargs || !eval(ev, e->u.bi.args[0], &a) || a.kind != CC_INT)
			return false;
		unsigned n = e->u.bi.id == CB_BSWAP16 ? 2 : e->u.bi.id == CB_BSWAP32 ? 4 : 8;
		uint64_t v = (uint64_t)a.ival, r = 0;
		for (unsigned i = 0; i < n; i++)
			r = (r << 8) | ((v >> (8 * i)) & 0xff);
		return set_int(out, r, e->type);
	}
	case CB_CLZ:
	case CB_CLZL:
	case CB_CLZLL:
	case CB_CTZ:
	case CB_CTZL:
	case CB_CTZLL:
	case CB_POPCOUNT:
	case CB_POPCOUNTL:
	case CB_POPCOUNTLL: {
		if (!e->u.bi.nargs || !eval(ev, e->u.bi.args[0], &a) || a.kind != CC_INT)
			return false;
		unsigned bits = ctype_int_bits(e->u.bi.args[0]->type);
		uint64_t v = (uint64_t)a.ival;
		if (bits < 64)
			v &= (1ull << bits) - 1;
		uint16_t id = e->u.bi.id;
		if (id == CB_POPCOUNT || id == CB_POPCOUNTL || id == CB_POPCOUNTLL)
			return set_int(out, (uint64_t)__builtin_popcountll(v), e->type);
		if (!v)
			return false; /* undefined for 0 */
		if (id == CB_CLZ || id == CB_CLZL || id == CB_CLZLL)
			return set_int(out, (uint64_t)(__builtin_clzll(v) - (64 - (int)bits)), e->type);
		return set_int(out, (uint64_t)__builtin_ctzll(v), e->type);
	}
	case CB_ABS:
	case CB_LABS:
	case CB_LLABS:
		if (!e->u.bi.nargs || !eval(ev, e->u.bi.args[0], &a) || a.kind != CC_INT)
			return false;
		return set_int(out, (uint64_t)(a.ival < 0 ? -a.ival : a.ival), e->type);
	default:
		return false;
	}
}

static bool eval_binary(struct eval *ev, const struct cexpr *e, struct cconst *out)
{
	struct cconst a, b;
	enum cexpr_op op = e->op;
	if (op == E_LOGAND || op == E_LOGOR) {
		if (!eval(ev, e->u.bin.a, &a))
			return false;
		bool av = a.kind == CC_INT ? a.ival != 0 : a.kind == CC_FLOAT ? a.fval != 0 : true;
		if (op == E_LOGAND ? !av : av)
			return set_int(out, av, e->type);
		if (!eval(ev, e->u.bin.b, &b))
			return false;
		bool bv = b.kind == CC_INT ? b.ival != 0 : b.kind == CC_FLOAT ? b.fval != 0 : true;
		return set_int(out, bv, e->type);
	}
	if (op == E_COMMA)
		return !ev->ice && eval(ev, e->u.bin.a, &a) && eval(ev, e->u.bin.b, out);
	if (!eval(ev, e->u.bin.a, &a) || !eval(ev, e->u.bin.b, &b))
		return false;
	const struct ctype *ot = e->u.bin.a->type; /* the operands' common type */
	if (op == E_PTRADD || op == E_PTRSUB) {
		if (b.kind != CC_INT || a.kind == CC_FLOAT)
			return false;
		int64_t sz = (int64_t)ctype_size(e->type->u.pointee);
		if (!sz)
			sz = 1;
		*out = a;
		out->ival += (op == E_PTRADD ? 1 : -1) * b.ival * sz;
		return true;
	}
	if (op == E_PTRDIFF) {
		if (a.kind != b.kind || a.decl != b.decl || a.str != b.str)
			return false;
		int64_t sz = (int64_t)ctype_size(ot->u.pointee);
		return set_int(out, (uint64_t)((a.ival - b.ival) / (sz ? sz : 1)), e->type);
	}
	if (a.kind == CC_FLOAT || b.kind == CC_FLOAT) {
		double x, y;
		if (!as_float(&a, ot, &x) || !as_float(&b, e->u.bin.b->type, &y))
			return false;
		switch (op) {
		case E_MUL: out->fval = x * y; break;
		case E_DIV: out->fval = x / y; break;
		case E_ADD: out->fval = x + y; break;
		case E_SUB: out->fval = x - y; break;
		case E_LT: return set_int(out, x < y, e->type);
		case E_GT: return set_int(out, x > y, e->type);
		case E_LE: return set_int(out, x <= y, e->type);
		case E_GE: return set_int(out, x >= y, e->type);
		case E_EQ: return set_int(out, x == y, e->type);
		case E_NE: return set_int(out, x != y, e->type);
		default: return false;
		}
		out->kind = CC_FLOAT;
		return !ev->ice;
	}
	if (a.kind != CC_INT || b.kind != CC_INT) {
		/* address comparisons with null */
		if ((op == E_EQ || op == E_NE) && !ev->ice) {
			bool an = a.kind == CC_INT && a.ival == 0, bn = b.kind == CC_INT && b.ival == 0;
			if ((an && b.kind == CC_ADDR) || (bn && a.kind == CC_ADDR))
				return set_int(out, op == E_NE, e->type);
		}
		return false;
	}
	uint64_t x = (uint64_t)a.ival, y = (uint64_t)b.ival, r;
	bool sgn = ctype_is_signed(ot);
	switch (op) {
	case E_MUL: r = x * y; break;
	case E_DIV:
	case E_MOD:
		if (!y)
			return false;
		if (sgn && (int64_t)y == -1)
			r = op == E_DIV ? (uint64_t)0 - x : 0;
		else if (sgn)
			r = op == E_DIV ? (uint64_t)((int64_t)x / (int64_t)y)
					: (uint64_t)((int64_t)x % (int64_t)y);
		else
			r = op == E_DIV ? x / y : x % y;
		break;
	case E_ADD: r = x + y; break;
	case E_SUB: r = x - y; break;
	case E_SHL:
		if (y >= 64)
			return false;
		r = x << y;
		break;
	case E_SHR:
		if (y >= 64)
			return false;
		r = sgn ? (uint64_t)((int64_t)x >> y) : x >> y;
		break;
	case E_BITAND: r = x & y; break;
	case E_BITXOR: r = x ^ y; break;
	case E_BITOR: r = x | y; break;
	case E_LT: r = sgn ? (int64_t)x < (int64_t)y : x < y; break;
	case E_GT: r = sgn ? (int64_t)x > (int64_t)y : x > y; break;
	case E_LE: r = sgn ? (int64_t)x <= (int64_t)y : x <= y; break;
	case E_GE: r = sgn ? (int64_t)x >= (int64_t)y : x >= y; break;
	case E_EQ: r = x == y; break;
	case E_NE: r = x != y; break;
	default:
		return false;
	}
	return set_int(out, r, e->type);
}

static bool eval_conv(struct eval *ev, const struct cexpr *e, struct cconst *out)
{
	const struct cexpr *a = e->u.bin.a;
	const struct ctype *t = e->type;
	switch (e->ck) {
	case CK_ARRAY_DECAY:
	case CK_FUNC_DECAY:
		return !ev->ice && eval_addr(ev, a, out);
	case CK_LVAL: {
		/* GNU folding: a const-qualified scalar with a constant initializer */
		if (ev->ice || (a->op != E_DECL && a->op != E_COMPOUND_LIT))
			return false;
		/* a scalar compound literal: (int){ 4 } */
		struct cdecl *d = a->op == E_DECL ? a->u.decl : a->u.lit.obj;
		if (a->op == E_COMPOUND_LIT && d->u.var.init && d->u.var.init->kind == CI_EXPR &&
		    ctype_is_scalar(d->type) && ev->depth <= 32)
			return eval(ev, d->u.var.init->u.expr, out);
		if (d->kind != CD_VAR || !(d->type->quals & CQ_CONST) || !d->u.var.init ||
		    d->u.var.init->kind != CI_EXPR || !ctype_is_scalar(d->type) || ev->depth > 32)
			return false;
		return eval(ev, d->u.var.init->u.expr, out);
	}
	case CK_TO_VOID:
	case CK_TO_UNION:
	case CK_RECORD:
		return false;
	default:
		break;
	}
	if (!eval(ev, a, out))
		return false;
	if (ctype_is_integer(t)) {
		if (out->kind == CC_FLOAT) {
			double f = out->fval;
			if (t->kind == TY_BOOL)
				return set_int(out, f != 0, t);
			if (f != f || f >= 18446744073709551616.0 || f <= -9223372036854775809.0)
				return false;
			uint64_t v = f < 0 ? (uint64_t)(int64_t)f : (uint64_t)f;
			return set_int(out, v, t);
		}
		if (out->kind != CC_INT) {
			/* an address as an integer: only when it is really a number
			 * (offsetof through a null pointer), GNU folding */
			if (ev->ice || ctype_size(t) < 8)
				return false;
			if (t->kind == TY_BOOL)
				return false;
			return out->kind == CC_ADDR || out->kind == CC_STRING_ADDR;
		}
		if (ev->ice && a->type->kind == TY_PTR)
			return false;
		return set_int(out, (uint64_t)out->ival, t);
	}
	if (ctype_is_floating(t)) {
		double f;
		if (!as_float(out, a->type, &f))
			return false;
		out->kind = CC_FLOAT;
		out->fval = t->kind == TY_FLOAT ? (double)(float)f : f;
		return true;
	}
	if (t->kind == TY_PTR)
		return !ev->ice || out->kind == CC_INT;
	return true;
}

static bool eval(struct eval *ev, const struct cexpr *e, struct cconst *out)
{
	if (++ev->depth > 4000) {
		ev->depth--;
		return false;
	}
	bool ok = false;
	switch (e->op) {
	case E_INT:
		ok = set_int(out, e->u.ival, e->type);
		break;
	case E_FLOAT:
		memset(out, 0, sizeof(*out));
		out->kind = CC_FLOAT;
		out->fval = e->u.fval;
		ok = true;
		break;
	case E_DECL:
		if (e->u.decl->kind == CD_ENUMCONST)
			ok = set_int(out, (uint64_t)e->u.decl->u.ec.value, e->type);
		break;
	case E_CONV:
	case E_CAST:
		ok = eval_conv(ev, e, out);
		break;
	case E_ADDR:
		ok = !ev->ice && eval_addr(ev, e->u.bin.a, out);
		break;
	case E_NEG:
	case E_BITNOT:
	case E_LOGNOT:
		if (!eval(ev, e->u.bin.a, out))
			break;
		if (out->kind == CC_FLOAT) {
			if (e->op == E_NEG) {
				out->fval = -out->fval;
				ok = !ev->ice;
			} else if (e->op == E_LOGNOT) {
				ok = set_int(out, out->fval == 0, e->type);
			}
			break;
		}
		if (out->kind != CC_INT) {
			if (e->op == E_LOGNOT && !ev->ice && out->kind == CC_ADDR)
				ok = set_int(out, 0, e->type);
			break;
		}
		ok = set_int(out,
			     e->op == E_NEG      ? (uint64_t)0 - (uint64_t)out->ival
			     : e->op == E_BITNOT ? ~(uint64_t)out->ival
						 : (uint64_t)(out->ival == 0),
			     e->type);
		break;
	case E_COND: {
		struct cconst c;
		if (!eval(ev, e->u.cond.c, &c))
			break;
		bool cv = c.kind == CC_INT ? c.ival != 0 : c.kind == CC_FLOAT ? c.fval != 0 : true;
		if (cv)
			ok = e->u.cond.a ? eval(ev, e->u.cond.a, out) : (*out = c, true);
		else
			ok = eval(ev, e->u.cond.b, out);
		break;
	}
	case E_BUILTIN:
		ok = eval_builtin(ev, e, out);
		break;
	case E_MEMBER:
	case E_INDEX:
	case E_DEREF:
	case E_STRING:
	case E_COMPOUND_LIT:
		break; /* lvalues: only through & or decay */
	default:
		if (e->op >= E_MUL && e->op <= E_COMMA)
			ok = eval_binary(ev, e, out);
		else if (e->op >= E_PTRADD && e->op <= E_PTRDIFF)
			ok = !ev->ice && eval_binary(ev, e, out);
		break;
	}
	ev->depth--;
	return ok;
}

bool ceval_int(const struct cexpr *e, int64_t *v)
{
	if (!ctype_is_integer(e->type))
		return false;
	struct eval ev = { .ice = true };
	struct cconst c;
	if (!eval(&ev, e, &c) || c.kind != CC_INT)
		return false;
	*v = c.ival;
	return true;
}

bool ceval_const(const struct cexpr *e, struct cconst *out)
{
	struct eval ev = { .ice = false };
	return eval(&ev, e, out);
}
