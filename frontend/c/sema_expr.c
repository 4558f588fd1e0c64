/* Expression typing: lvalue conversion and decay, integer promotions and
 * the usual arithmetic conversions made explicit as E_CONV nodes, the
 * operators' constraints with clang's diagnostics, assignment-like
 * conversions, casts, member access (through anonymous members), indexing
 * and calls. */
#include "frontend/c/cparse_internal.h"

#include <inttypes.h>
#include <string.h>

struct cexpr *cs_new_expr(struct cparser *p, enum cexpr_op op, struct ctype *t, struct srcloc loc)
{
	struct cexpr *e = CP_NEW(p, struct cexpr);
	e->op = (uint8_t)op;
	e->type = t;
	e->loc = loc;
	return e;
}

struct cexpr *cs_error_expr(struct cparser *p, struct srcloc loc)
{
	return cs_new_expr(p, E_ERROR, p->tu->error_type, loc);
}

static bool is_err(const struct cexpr *e)
{
	return e->type->kind == TY_ERROR;
}

/* The value v as type t holds it: truncated, then sign- or zero-extended. */
static uint64_t normalize(uint64_t v, const struct ctype *t)
{
	if (t->kind == TY_BOOL)
		return v != 0;
	unsigned bits = ctype_int_bits(t);
	if (bits >= 64)
		return v;
	uint64_t mask = (1ull << bits) - 1;
	v &= mask;
	if (ctype_is_signed(t) && (v >> (bits - 1)) & 1)
		v |= ~mask;
	return v;
}

struct cexpr *cs_int(struct cparser *p, uint64_t v, struct ctype *t, struct srcloc loc)
{
	struct cexpr *e = cs_new_expr(p, E_INT, t, loc);
	e->u.ival = normalize(v, t);
	e->flags |= EF_CONST;
	return e;
}

struct cexpr *cs_conv(struct cparser *p, struct cexpr *e, struct ctype *t, enum ccast_kind ck)
{
	if (e->type == t && ck == CK_NOOP)
		return e;
	struct cexpr *c = cs_new_expr(p, E_CONV, t, e->loc);
	c->ck = (uint8_t)ck;
	c->u.bin.a = e;
	if (e->flags & EF_PRESERVE)
		c->flags |= EF_PRESERVE;
	return c;
}

bool cs_is_lvalue(const struct cexpr *e)
{
	return (e->flags & EF_LVALUE) != 0;
}

struct cexpr *cs_rvalue(struct cparser *p, struct cexpr *e)
{
	struct ctype *t = e->type;
	switch (t->kind) {
	case TY_ERROR:
		return e;
	case TY_ARRAY:
		return cs_conv(p, e, ctype_ptr(p->tu, t->u.arr.elem), CK_ARRAY_DECAY);
	case TY_FUNC:
		return cs_conv(p, e, ctype_ptr(p->tu, t), CK_FUNC_DECAY);
	default:
		if (!(e->flags & EF_LVALUE))
			return e;
		struct cexpr *c = cs_conv(p, e, ctype_unqual(t), CK_LVAL);
		if (c == e) /* same type: still a load */
			c = cs_new_expr(p, E_CONV, t, e->loc), c->ck = CK_LVAL, c->u.bin.a = e;
		return c;
	}
}

/* Integer kind of a promoted operand (C11 6.3.1.1). */
static struct ctype *promoted_type(struct cparser *p, const struct cexpr *e)
{
	struct ctype *t = e->type;
	if (!ctype_is_integer(t))
		return ctype_unqual(t);
	const struct cexpr *m = e; /* the bit-field under its load */
	if (m->op == E_CONV && m->ck == CK_LVAL)
		m = m->u.bin.a;
	if (m->flags & EF_BITFIELD) {
		unsigned w = m->u.m.member->bit_width;
		enum ctype_kind k = ctype_int_kind(t);
		if (k <= TY_UINT || w < 32 || (w == 32 && ctype_is_signed(t)))
			if (w < 32 || (w == 32 && ctype_is_signed(t)))
				return p->tu->ty[TY_INT];
		if (w == 32 && k <= TY_UINT)
			return p->tu->ty[TY_UINT];
	}
	enum ctype_kind k = ctype_int_kind(t);
	if (k < TY_INT)
		return p->tu->ty[TY_INT];
	if (t->kind == TY_ENUM)
		return p->tu->ty[k];
	return ctype_unqual(t);
}

struct cexpr *cs_convert_to(struct cparser *p, struct cexpr *e, struct ctype *t)
{
	struct ctype *s = e->type;
	if (is_err(e) || t->kind == TY_ERROR)
		return e;
	enum ccast_kind ck = CK_NOOP;
	if (t->kind == TY_VOID) {
		ck = CK_TO_VOID;
	} else if (t->kind == TY_BOOL) {
		if (s->kind == TY_BOOL)
			ck = CK_NOOP;
		else
			ck = CK_TO_BOOL;
	} else if (ctype_is_integer(t)) {
		if (ctype_is_integer(s))
			ck = ctype_int_kind(s) == ctype_int_kind(t) ? CK_NOOP : CK_INT;
		else if (s->kind == TY_PTR)
			ck = CK_PTR_TO_INT;
		else if (ctype_is_floating(s))
			ck = CK_FLOAT_TO_INT;
	} else if (ctype_is_floating(t)) {
		if (ctype_is_integer(s))
			ck = CK_INT_TO_FLOAT;
		else if (ctype_is_floating(s))
			ck = s->kind == t->kind ? CK_NOOP : CK_FLOAT;
	} else if (t->kind == TY_PTR) {
		if (ctype_is_integer(s))
			ck = cs_is_null_const(e) ? CK_NULL : CK_INT_TO_PTR;
	}
	if (e->op == E_INT && ctype_is_integer(t) && ctype_is_integer(s)) {
		struct cexpr *c = cs_int(p, e->u.ival, t, e->loc);
		c->flags |= e->flags & EF_PAREN;
		return c;
	}
	if (ck == CK_NOOP && e->type->canon == t->canon && e->type->quals == t->quals)
		return e->type == t ? e : cs_conv(p, e, t, CK_NOOP);
	return cs_conv(p, e, t, ck);
}

struct cexpr *cs_promote(struct cparser *p, struct cexpr *e)
{
	e = cs_rvalue(p, e);
	if (!ctype_is_integer(e->type))
		return e;
	return cs_convert_to(p, e, promoted_type(p, e));
}

/* The usual arithmetic conversions on promoted types. */
struct ctype *cs_arith_type(struct cparser *p, struct ctype *a, struct ctype *b)
{
	if (a->kind == TY_ERROR || b->kind == TY_ERROR)
		return p->tu->error_type;
	if (ctype_is_floating(a) || ctype_is_floating(b)) {
		int ka = ctype_is_floating(a) ? a->kind : 0, kb = ctype_is_floating(b) ? b->kind : 0;
		return p->tu->ty[ka > kb ? ka : kb];
	}
	enum ctype_kind ka = ctype_int_kind(a), kb = ctype_int_kind(b);
	if (ka == kb)
		return p->tu->ty[ka];
	bool sa = ctype_is_signed(p->tu->ty[ka]), sb = ctype_is_signed(p->tu->ty[kb]);
	int ra = ctype_rank(p->tu->ty[ka]), rb = ctype_rank(p->tu->ty[kb]);
	if (sa == sb)
		return p->tu->ty[ra >= rb ? ka : kb];
	enum ctype_kind u = sa ? kb : ka, s = sa ? ka : kb;
	int ru = sa ? rb : ra, rs = sa ? ra : rb;
	if (ru >= rs)
		return p->tu->ty[u];
	if (ctype_size(p->tu->ty[s]) > ctype_size(p->tu->ty[u]))
		return p->tu->ty[s];
	return p->tu->ty[s + 1]; /* the unsigned kind follows its signed one in ctypes.def */
}

/* Promotes both operands and converts them to their common type. */
static struct ctype *usual_arith(struct cparser *p, struct cexpr **a, struct cexpr **b)
{
	*a = cs_promote(p, *a);
	*b = cs_promote(p, *b);
	struct ctype *t = cs_arith_type(p, (*a)->type, (*b)->type);
	*a = cs_convert_to(p, *a, t);
	*b = cs_convert_to(p, *b, t);
	return t;
}

struct cexpr *cs_cond(struct cparser *p, struct cexpr *e, const char *what)
{
	e = cs_rvalue(p, e);
	if (!is_err(e) && !ctype_is_scalar(e->type)) {
		cp_error(p, e->loc, "%s %s is not a scalar type", what ? what : "value",
			 cp_type(p, e->type));
		return cs_error_expr(p, e->loc);
	}
	return e;
}

bool cs_is_null_const(struct cexpr *e)
{
	while (e->op == E_CONV || e->op == E_CAST) {
		if (e->type->kind == TY_PTR) {
			struct ctype *pt = e->type->u.pointee;
			if (pt->kind != TY_VOID || pt->quals)
				return false;
		} else if (!ctype_is_integer(e->type)) {
			return false;
		}
		if (e->ck == CK_LVAL)
			return false;
		e = e->u.bin.a;
	}
	int64_t v;
	return ctype_is_integer(e->type) && ceval_int(e, &v) && v == 0;
}

/* ---- assignment-like conversions ---- */

static const char *conv_text(struct cparser *p, enum conv_ctx ctx, const struct ctype *dst,
			     const struct ctype *src)
{
	const char *d = cp_type(p, dst), *s = cp_type(p, src);
	switch (ctx) {
	case CV_ASSIGN:
		return arena_printf(p->a, "assigning to %s from %s", d, s);
	case CV_INIT:
		return arena_printf(p->a, "initializing %s with an expression of type %s", d, s);
	case CV_ARG:
		return arena_printf(p->a, "passing %s to parameter of type %s", s, d);
	default:
		return arena_printf(p->a, "returning %s from a function with result type %s", s, d);
	}
}

static bool int_sign_variants(const struct ctype *a, const struct ctype *b)
{
	if (!ctype_is_integer(a) || !ctype_is_integer(b))
		return false;
	return ctype_int_bits(a) == ctype_int_bits(b) && ctype_is_signed(a) != ctype_is_signed(b);
}

static void check_ptr_assign(struct cparser *p, const struct ctype *dst, const struct ctype *src,
			     enum conv_ctx ctx, struct srcloc loc)
{
	const struct ctype *dp = dst->u.pointee, *sp = src->u.pointee;
	bool dvoid = dp->kind == TY_VOID, svoid = sp->kind == TY_VOID;
	if (!dvoid && !svoid && !ctype_compatible(dp, sp, true)) {
		const char *text = conv_text(p, ctx, dst, src);
		if (dp->kind == TY_FUNC || sp->kind == TY_FUNC)
			cp_warn(p, CW_INCOMPATIBLE_FUNCTION_POINTER_TYPES, loc,
				"incompatible function pointer types %s", text);
		else if (int_sign_variants(ctype_unqual((struct ctype *)dp->canon),
					   ctype_unqual((struct ctype *)sp->canon)))
			cp_warn(p, CW_POINTER_SIGN, loc,
				"%s converts between pointers to integer types with different sign",
				text);
		else
			cp_warn(p, CW_INCOMPATIBLE_POINTER_TYPES, loc, "incompatible pointer types %s",
				text);
		return;
	}
	unsigned lost = sp->quals & ~dp->quals & (CQ_CONST | CQ_VOLATILE | CQ_RESTRICT);
	if (lost)
		cp_warn(p, CW_DISCARDS_QUALIFIERS, loc, "%s discards qualifiers",
			conv_text(p, ctx, dst, src));
}

struct cexpr *cs_assign_conv(struct cparser *p, struct cexpr *e, struct ctype *t,
			     enum conv_ctx ctx, struct srcloc loc)
{
	e = cs_rvalue(p, e);
	if (is_err(e) || t->kind == TY_ERROR)
		return e;
	struct ctype *tt = ctype_unqual(t), *s = e->type;
	if (ctype_is_arith(tt) && ctype_is_arith(s)) {
		struct cexpr *c = cs_convert_to(p, e, tt);
		if (ctype_is_integer(tt) && ctype_is_integer(s) && tt->kind != TY_BOOL &&
		    ctype_int_bits(tt) < ctype_int_bits(s)) {
			int64_t v;
			unsigned bits = ctype_int_bits(tt);
			/* clang's rule, roughly: the value fits neither the signed
			 * nor the unsigned range of the target's width */
			if (ceval_int(e, &v) && !(v >= -(1ll << (bits - 1)) && v < (1ll << (bits - 1))) &&
			    !(v >= 0 && (uint64_t)v < (1ull << bits)))
				cp_warn(p, CW_CONSTANT_CONVERSION, e->loc,
					"implicit conversion from %s to %s changes value from %" PRId64
					" to %" PRId64,
					cp_type(p, s), cp_type(p, tt), v,
					(int64_t)normalize((uint64_t)v, tt));
		}
		return c;
	}
	if (tt->kind == TY_BOOL && s->kind == TY_PTR)
		return cs_convert_to(p, e, tt);
	if (ctype_is_record(tt)) {
		if (ctype_compatible(tt, s, true))
			return cs_convert_to(p, e, tt);
		if (tt->kind == TY_UNION && (tt->u.rec->flags & CRF_TRANSPARENT) && ctx == CV_ARG) {
			for (uint32_t i = 0; i < tt->u.rec->nmembers; i++) {
				struct ctype *mt = tt->u.rec->members[i].type;
				if (ctype_compatible(mt, s, true) ||
				    (mt->kind == TY_PTR && (s->kind == TY_PTR || cs_is_null_const(e)))) {
					struct cexpr *c = cs_conv(p, cs_convert_to(p, e, mt), tt, CK_TO_UNION);
					return c;
				}
			}
		}
	} else if (tt->kind == TY_PTR) {
		if (cs_is_null_const(e))
			return cs_conv(p, e, tt, CK_NULL);
		if (s->kind == TY_PTR) {
			check_ptr_assign(p, tt, s, ctx, loc);
			return cs_convert_to(p, e, tt);
		}
		if (ctype_is_integer(s)) {
			cp_warn(p, CW_INT_CONVERSION, loc, "incompatible integer to pointer conversion %s",
				conv_text(p, ctx, tt, s));
			return cs_conv(p, e, tt, CK_INT_TO_PTR);
		}
	} else if (ctype_is_integer(tt) && s->kind == TY_PTR) {
		cp_warn(p, CW_INT_CONVERSION, loc, "incompatible pointer to integer conversion %s",
			conv_text(p, ctx, tt, s));
		return cs_conv(p, e, tt, CK_PTR_TO_INT);
	}
	if (tt->kind == TY_VOID && ctx == CV_RETURN)
		return e;
	switch (ctx) {
	case CV_ASSIGN:
		cp_error(p, loc, "assigning to %s from incompatible type %s", cp_type(p, tt),
			 cp_type(p, s));
		break;
	case CV_INIT:
		cp_error(p, loc, "initializing %s with an expression of incompatible type %s",
			 cp_type(p, tt), cp_type(p, s));
		break;
	case CV_ARG:
		cp_error(p, loc, "passing %s to parameter of incompatible type %s", cp_type(p, s),
			 cp_type(p, tt));
		break;
	case CV_RETURN:
		cp_error(p, loc, "returning %s from a function with incompatible result type %s",
			 cp_type(p, s), cp_type(p, tt));
		break;
	}
	return cs_error_expr(p, e->loc);
}

/* ---- lvalues ---- */

static struct cdecl *base_decl(const struct cexpr *e)
{
	while (e->op == E_MEMBER && !(e->flags & EF_ARROW))
		e = e->u.m.base;
	return e->op == E_DECL ? e->u.decl : NULL;
}

bool cs_check_modifiable(struct cparser *p, struct cexpr *e, struct srcloc loc)
{
	if (is_err(e))
		return false;
	if (!cs_is_lvalue(e)) {
		cp_error(p, loc, "expression is not assignable");
		return false;
	}
	struct ctype *t = e->type;
	if (t->kind == TY_ARRAY) {
		cp_error(p, loc, "array type %s is not assignable", cp_type(p, t));
		return false;
	}
	if (t->quals & CQ_CONST) {
		struct cdecl *d = e->op == E_DECL ? e->u.decl : NULL;
		if (d) {
			cp_error(p, loc, "cannot assign to variable '%s' with const-qualified type %s",
				 d->name ? d->name->name : "", cp_type(p, t));
			if (!(d->flags & (CDF_FROM_BTF | CDF_BUILTIN)))
				cp_note(p, d->loc, "variable '%s' declared const here",
					d->name ? d->name->name : "");
		}
		else if (e->op == E_MEMBER && e->u.m.member->name && (e->u.m.member->type->quals & CQ_CONST))
			cp_error(p, loc, "cannot assign to non-static data member '%s' with "
					 "const-qualified type %s",
				 e->u.m.member->name->name, cp_type(p, e->u.m.member->type));
		else
			cp_error(p, loc, "read-only variable is not assignable");
		return false;
	}
	if (ctype_is_record(t)) {
		struct crecord *r = t->u.rec;
		for (uint32_t i = 0; i < r->nmembers; i++)
			if (r->members[i].type->quals & CQ_CONST) {
				struct cdecl *d = base_decl(e);
				cp_error(p, loc, "cannot assign to %s with const-qualified data member "
						 "'%s'",
					 d ? arena_printf(p->a, "variable '%s'", d->name->name)
					   : "lvalue",
					 r->members[i].name ? r->members[i].name->name : "");
				return false;
			}
	}
	if (!ctype_is_complete(t) && t->kind != TY_ERROR) {
		cp_error(p, loc, "incomplete type %s is not assignable", cp_type(p, t));
		return false;
	}
	return true;
}

/* ---- references ---- */

struct cexpr *cs_declref(struct cparser *p, struct cdecl *d, struct srcloc loc)
{
	struct cexpr *e = cs_new_expr(p, E_DECL, d->type, loc);
	e->u.decl = d;
	if (!p->in_sizeof)
		d->flags |= CDF_USED;
	if (d->kind == CD_VAR)
		e->flags |= EF_LVALUE;
	else if (d->kind == CD_ENUMCONST)
		e->flags |= EF_CONST;
	return e;
}

/* ---- unary operators ---- */

static bool pointee_complete(struct cparser *p, struct ctype *pt, struct srcloc loc, bool arith)
{
	struct ctype *t = pt->u.pointee;
	if (t->kind == TY_VOID || t->kind == TY_FUNC) {
		cp_warn(p, CW_POINTER_ARITH, loc, "arithmetic on%s pointer%s to %s is a GNU extension",
			arith ? " a" : " a", "", t->kind == TY_VOID ? "void" : "a function type");
		return true;
	}
	if (!ctype_is_complete(t) && t->kind != TY_ERROR) {
		cp_error(p, loc, "arithmetic on a pointer to an incomplete type %s", cp_type(p, t));
		return false;
	}
	return true;
}

struct cexpr *cs_unary(struct cparser *p, enum cexpr_op op, struct cexpr *a, struct srcloc loc)
{
	if (is_err(a))
		return a;
	struct cexpr *e;
	switch (op) {
	case E_ADDR: {
		if (a->type->kind == TY_FUNC && a->op == E_DECL) {
			e = cs_new_expr(p, E_ADDR, ctype_ptr(p->tu, a->type), loc);
			e->u.bin.a = a;
			return e;
		}
		if (!cs_is_lvalue(a)) {
			cp_error(p, loc, "cannot take the address of an rvalue of type %s",
				 cp_type(p, a->type));
			return cs_error_expr(p, loc);
		}
		if (a->flags & EF_BITFIELD) {
			cp_error(p, loc, "address of bit-field requested");
			return cs_error_expr(p, loc);
		}
		if (a->op == E_DECL && a->u.decl->storage == CSC_REGISTER) {
			cp_error(p, loc, "address of register variable requested");
			return cs_error_expr(p, loc);
		}
		struct cdecl *d = base_decl(a);
		if (d)
			d->flags |= CDF_ADDR_TAKEN;
		e = cs_new_expr(p, E_ADDR, ctype_ptr(p->tu, a->type), loc);
		e->u.bin.a = a;
		e->flags |= a->flags & EF_PRESERVE;
		return e;
	}
	case E_DEREF: {
		a = cs_rvalue(p, a);
		if (a->type->kind != TY_PTR) {
			cp_error(p, loc, "indirection requires pointer operand (%s invalid)",
				 cp_type(p, a->type));
			return cs_error_expr(p, loc);
		}
		struct ctype *t = a->type->u.pointee;
		e = cs_new_expr(p, E_DEREF, t, loc);
		e->u.bin.a = a;
		if (t->kind != TY_VOID && t->kind != TY_FUNC)
			e->flags |= EF_LVALUE;
		e->flags |= a->flags & EF_PRESERVE;
		return e;
	}
	case E_NEG:
	case E_BITNOT: {
		a = cs_promote(p, a);
		bool ok = op == E_NEG ? ctype_is_arith(a->type) : ctype_is_integer(a->type);
		if (!ok) {
			cp_error(p, loc, "invalid argument type %s to unary expression",
				 cp_type(p, a->type));
			return cs_error_expr(p, loc);
		}
		if (a->op == E_INT) {
			uint64_t v = op == E_NEG ? (uint64_t)0 - a->u.ival : ~a->u.ival;
			return cs_int(p, v, a->type, loc);
		}
		e = cs_new_expr(p, op, a->type, loc);
		e->u.bin.a = a;
		return e;
	}
	case E_LOGNOT:
		a = cs_cond(p, a, "invalid argument type");
		if (is_err(a))
			return a;
		e = cs_new_expr(p, E_LOGNOT, p->tu->ty[TY_INT], loc);
		e->u.bin.a = a;
		return e;
	case E_PREINC:
	case E_PREDEC:
	case E_POSTINC:
	case E_POSTDEC: {
		if (!ctype_is_scalar(a->type)) {
			cp_error(p, loc, "cannot %s value of type %s",
				 op == E_PREINC || op == E_POSTINC ? "increment" : "decrement",
				 cp_type(p, a->type));
			return cs_error_expr(p, loc);
		}
		if (!cs_check_modifiable(p, a, loc))
			return cs_error_expr(p, loc);
		if (a->type->kind == TY_PTR && !pointee_complete(p, a->type, loc, true))
			return cs_error_expr(p, loc);
		e = cs_new_expr(p, op, ctype_unqual(a->type), loc);
		e->u.bin.a = a;
		return e;
	}
	default:
		W_ICE("cs_unary: op %d", op);
	}
}

/* ---- binary operators ---- */

static bool is_shift(enum cexpr_op op)
{
	return op == E_SHL || op == E_SHR || op == E_SHL_ASSIGN || op == E_SHR_ASSIGN;
}

static void check_shift(struct cparser *p, struct cexpr *a, struct cexpr *b)
{
	int64_t v;
	if (!ceval_int(b, &v))
		return;
	if (ctype_is_signed(b->type) && v < 0)
		cp_warn(p, CW_SHIFT_COUNT_NEGATIVE, b->loc, "shift count is negative");
	else if ((uint64_t)v >= ctype_int_bits(a->type))
		cp_warn(p, CW_SHIFT_COUNT_OVERFLOW, b->loc, "shift count >= width of type");
}

static void check_div(struct cparser *p, enum cexpr_op op, struct cexpr *b)
{
	int64_t v;
	if (ctype_is_integer(b->type) && ceval_int(b, &v) && v == 0)
		cp_warn(p, CW_DIVISION_BY_ZERO, b->loc, "%s by zero is undefined",
			op == E_DIV || op == E_DIV_ASSIGN ? "division" : "remainder");
}

static struct cexpr *bin(struct cparser *p, enum cexpr_op op, struct ctype *t, struct cexpr *a,
			 struct cexpr *b, struct srcloc loc)
{
	struct cexpr *e = cs_new_expr(p, op, t, loc);
	e->u.bin.a = a;
	e->u.bin.b = b;
	return e;
}

/* `a op b` in the type of the usual arithmetic conversions (a separate
 * step: the operands change before the node is made). */
static struct cexpr *arith_bin(struct cparser *p, enum cexpr_op op, struct cexpr *a,
			       struct cexpr *b, struct srcloc loc)
{
	struct ctype *t = usual_arith(p, &a, &b);
	return bin(p, op, t, a, b, loc);
}

static struct cexpr *invalid_operands(struct cparser *p, struct cexpr *a, struct cexpr *b,
				      struct srcloc loc)
{
	cp_error(p, loc, "invalid operands to binary expression (%s and %s)", cp_type(p, a->type),
		 cp_type(p, b->type));
	return cs_error_expr(p, loc);
}

static struct cexpr *pointer_compare(struct cparser *p, enum cexpr_op op, struct cexpr *a,
				     struct cexpr *b, struct srcloc loc)
{
	struct ctype *ta = a->type, *tb = b->type;
	if (ta->kind == TY_PTR && tb->kind == TY_PTR) {
		struct ctype *pa = ta->u.pointee, *pb = tb->u.pointee;
		if (!ctype_compatible(pa, pb, true) && pa->kind != TY_VOID && pb->kind != TY_VOID)
			cp_warn(p, CW_COMPARE_DISTINCT_POINTER_TYPES, loc,
				"comparison of distinct pointer types (%s and %s)", cp_type(p, ta),
				cp_type(p, tb));
		b = cs_convert_to(p, b, ta);
	} else if (ta->kind == TY_PTR) {
		if (!cs_is_null_const(b))
			cp_warn(p, CW_POINTER_INTEGER_COMPARE, loc,
				"comparison between pointer and integer (%s and %s)", cp_type(p, ta),
				cp_type(p, tb));
		b = cs_conv(p, b, ta, cs_is_null_const(b) ? CK_NULL : CK_INT_TO_PTR);
	} else {
		if (!cs_is_null_const(a))
			cp_warn(p, CW_POINTER_INTEGER_COMPARE, loc,
				"comparison between pointer and integer (%s and %s)", cp_type(p, ta),
				cp_type(p, tb));
		a = cs_conv(p, a, tb, cs_is_null_const(a) ? CK_NULL : CK_INT_TO_PTR);
	}
	return bin(p, op, p->tu->ty[TY_INT], a, b, loc);
}

static struct cexpr *compound_assign(struct cparser *p, enum cexpr_op op, struct cexpr *a,
				     struct cexpr *b, struct srcloc loc)
{
	if (!cs_check_modifiable(p, a, loc))
		return cs_error_expr(p, loc);
	b = cs_rvalue(p, b);
	if (is_err(b))
		return b;
	enum cexpr_op arith = (enum cexpr_op)(op - E_MUL_ASSIGN + E_MUL);
	struct ctype *ta = a->type;
	struct cexpr *e;
	if ((op == E_ADD_ASSIGN || op == E_SUB_ASSIGN) && ta->kind == TY_PTR) {
		if (!ctype_is_integer(b->type))
			return invalid_operands(p, a, b, loc);
		if (!pointee_complete(p, ta, loc, true))
			return cs_error_expr(p, loc);
		e = bin(p, op, ctype_unqual(ta), a, b, loc);
		e->u.bin.comp = ctype_unqual(ta);
		return e;
	}
	bool ints = arith == E_MOD || arith == E_SHL || arith == E_SHR || arith == E_BITAND ||
		    arith == E_BITXOR || arith == E_BITOR;
	bool ok = ints ? ctype_is_integer(ta) && ctype_is_integer(b->type)
		       : ctype_is_arith(ta) && ctype_is_arith(b->type);
	if (!ok)
		return invalid_operands(p, a, b, loc);
	struct ctype *comp;
	struct cexpr tmp = *a;
	tmp.flags &= ~EF_LVALUE;
	struct ctype *pa = promoted_type(p, &tmp);
	if (is_shift(op)) {
		b = cs_promote(p, b);
		comp = pa;
		check_shift(p, &(struct cexpr){ .type = pa }, b);
	} else {
		b = cs_promote(p, b);
		comp = cs_arith_type(p, pa, b->type);
		b = cs_convert_to(p, b, comp);
		if (op == E_DIV_ASSIGN || op == E_MOD_ASSIGN)
			check_div(p, op, b);
	}
	e = bin(p, op, ctype_unqual(ta), a, b, loc);
	e->u.bin.comp = comp;
	return e;
}

struct cexpr *cs_binary(struct cparser *p, enum cexpr_op op, struct cexpr *a, struct cexpr *b,
			struct srcloc loc)
{
	if (is_err(a) || is_err(b))
		return is_err(a) ? a : b;
	if (op == E_ASSIGN) {
		if (!cs_check_modifiable(p, a, loc))
			return cs_error_expr(p, loc);
		b = cs_assign_conv(p, b, a->type, CV_ASSIGN, loc);
		return bin(p, E_ASSIGN, ctype_unqual(a->type), a, b, loc);
	}
	if (op != E_ASSIGN && cexpr_is_assign(op))
		return compound_assign(p, op, a, b, loc);
	if (op == E_COMMA) {
		a = cs_rvalue(p, a);
		b = cs_rvalue(p, b);
		return bin(p, E_COMMA, b->type, a, b, loc);
	}
	if (op == E_LOGAND || op == E_LOGOR) {
		a = cs_cond(p, a, NULL);
		b = cs_cond(p, b, NULL);
		if (is_err(a) || is_err(b))
			return is_err(a) ? a : b;
		return bin(p, op, p->tu->ty[TY_INT], a, b, loc);
	}
	a = cs_rvalue(p, a);
	b = cs_rvalue(p, b);
	if (is_err(a) || is_err(b))
		return is_err(a) ? a : b;
	struct ctype *ta = a->type, *tb = b->type;
	switch (op) {
	case E_MUL:
	case E_DIV:
		if (!ctype_is_arith(ta) || !ctype_is_arith(tb))
			return invalid_operands(p, a, b, loc);
		if (op == E_DIV)
			check_div(p, op, b);
		return arith_bin(p, op, a, b, loc);
	case E_MOD:
	case E_BITAND:
	case E_BITXOR:
	case E_BITOR:
		if (!ctype_is_integer(ta) || !ctype_is_integer(tb))
			return invalid_operands(p, a, b, loc);
		if (op == E_MOD)
			check_div(p, op, b);
		return arith_bin(p, op, a, b, loc);
	case E_SHL:
	case E_SHR:
		if (!ctype_is_integer(ta) || !ctype_is_integer(tb))
			return invalid_operands(p, a, b, loc);
		a = cs_promote(p, a);
		b = cs_promote(p, b);
		check_shift(p, a, b);
		return bin(p, op, a->type, a, b, loc);
	case E_ADD:
		if (ctype_is_arith(ta) && ctype_is_arith(tb))
			return arith_bin(p, op, a, b, loc);
		if (ctype_is_integer(ta) && tb->kind == TY_PTR) {
			struct cexpr *t = a;
			a = b;
			b = t;
		} else if (!(ta->kind == TY_PTR && ctype_is_integer(tb))) {
			return invalid_operands(p, a, b, loc);
		}
		if (!pointee_complete(p, a->type, loc, true))
			return cs_error_expr(p, loc);
		return bin(p, E_PTRADD, a->type, a, b, loc);
	case E_SUB:
		if (ctype_is_arith(ta) && ctype_is_arith(tb))
			return arith_bin(p, op, a, b, loc);
		if (ta->kind == TY_PTR && ctype_is_integer(tb)) {
			if (!pointee_complete(p, ta, loc, true))
				return cs_error_expr(p, loc);
			return bin(p, E_PTRSUB, ta, a, b, loc);
		}
		if (ta->kind == TY_PTR && tb->kind == TY_PTR) {
			if (!ctype_compatible(ta->u.pointee, tb->u.pointee, true)) {
				cp_error(p, loc, "%s and %s are not pointers to compatible types",
					 cp_type(p, ta), cp_type(p, tb));
				return cs_error_expr(p, loc);
			}
			if (!pointee_complete(p, ta, loc, true))
				return cs_error_expr(p, loc);
			return bin(p, E_PTRDIFF, p->tu->ptrdiff_type, a, b, loc);
		}
		return invalid_operands(p, a, b, loc);
	case E_LT:
	case E_GT:
	case E_LE:
	case E_GE:
	case E_EQ:
	case E_NE:
		if (ctype_is_arith(ta) && ctype_is_arith(tb)) {
			usual_arith(p, &a, &b);
			return bin(p, op, p->tu->ty[TY_INT], a, b, loc);
		}
		if ((ta->kind == TY_PTR && (tb->kind == TY_PTR || ctype_is_integer(tb))) ||
		    (tb->kind == TY_PTR && ctype_is_integer(ta)))
			return pointer_compare(p, op, a, b, loc);
		return invalid_operands(p, a, b, loc);
	default:
		W_ICE("cs_binary: op %d", op);
	}
}

/* ---- conditional ---- */

struct cexpr *cs_cond_expr(struct cparser *p, struct cexpr *c, struct cexpr *a, struct cexpr *b,
			   struct srcloc loc)
{
	c = cs_cond(p, c, NULL);
	struct cexpr *av = a ? cs_rvalue(p, a) : c;
	b = cs_rvalue(p, b);
	if (is_err(c) || is_err(av) || is_err(b))
		return is_err(c) ? c : is_err(av) ? av : b;
	struct ctype *ta = av->type, *tb = b->type, *t;
	if (ctype_is_arith(ta) && ctype_is_arith(tb)) {
		t = usual_arith(p, &av, &b);
	} else if (ta->kind == TY_VOID || tb->kind == TY_VOID) {
		t = p->tu->ty[TY_VOID];
	} else if (ctype_is_record(ta) && ctype_compatible(ta, tb, true)) {
		t = ctype_unqual(ta);
	} else if (ta->kind == TY_PTR && tb->kind == TY_PTR) {
		struct ctype *pa = ta->u.pointee, *pb = tb->u.pointee;
		unsigned q = pa->quals | pb->quals;
		if (cs_is_null_const(b)) {
			t = ta;
		} else if (cs_is_null_const(av)) {
			t = tb;
		} else if (pa->kind == TY_VOID || pb->kind == TY_VOID) {
			t = ctype_ptr(p->tu, ctype_qual(p->tu, p->tu->ty[TY_VOID], q));
		} else if (ctype_compatible(pa, pb, true)) {
			t = ctype_ptr(p->tu, ctype_qual(p->tu, ctype_unqual(pa), q));
		} else {
			cp_warn(p, CW_INCOMPATIBLE_POINTER_TYPES, loc,
				"pointer type mismatch (%s and %s)", cp_type(p, ta), cp_type(p, tb));
			t = ctype_ptr(p->tu, p->tu->ty[TY_VOID]);
		}
		av = cs_convert_to(p, av, t);
		b = cs_convert_to(p, b, t);
	} else if (ta->kind == TY_PTR && ctype_is_integer(tb)) {
		if (!cs_is_null_const(b))
			cp_warn(p, CW_INT_CONVERSION, loc,
				"pointer/integer type mismatch in conditional expression (%s and %s)",
				cp_type(p, ta), cp_type(p, tb));
		t = ta;
		b = cs_conv(p, b, t, cs_is_null_const(b) ? CK_NULL : CK_INT_TO_PTR);
	} else if (tb->kind == TY_PTR && ctype_is_integer(ta)) {
		if (!cs_is_null_const(av))
			cp_warn(p, CW_INT_CONVERSION, loc,
				"pointer/integer type mismatch in conditional expression (%s and %s)",
				cp_type(p, ta), cp_type(p, tb));
		t = tb;
		av = cs_conv(p, av, t, cs_is_null_const(av) ? CK_NULL : CK_INT_TO_PTR);
	} else {
		cp_error(p, loc, "incompatible operand types (%s and %s)", cp_type(p, ta),
			 cp_type(p, tb));
		return cs_error_expr(p, loc);
	}
	struct cexpr *e = cs_new_expr(p, E_COND, t, loc);
	e->u.cond.c = c;
	e->u.cond.a = a ? av : NULL;
	if (!a && av != c) /* GNU ?: with a converted condition value */
		e->u.cond.a = av;
	e->u.cond.b = b;
	return e;
}

/* ---- casts ---- */

struct cexpr *cs_cast(struct cparser *p, struct ctype *t, struct cexpr *e, struct srcloc loc)
{
	if (is_err(e) || t->kind == TY_ERROR)
		return is_err(e) ? e : cs_error_expr(p, loc);
	struct cexpr *r;
	if (t->kind == TY_VOID) {
		r = cs_new_expr(p, E_CAST, t, loc);
		r->ck = CK_TO_VOID;
		r->u.bin.a = e->type->kind == TY_ARRAY || e->type->kind == TY_FUNC ? cs_rvalue(p, e) : e;
		return r;
	}
	e = cs_rvalue(p, e);
	struct ctype *s = e->type, *tu = ctype_unqual(t);
	if (ctype_is_record(tu)) {
		if (tu->kind == TY_UNION) {
			struct crecord *rec = tu->u.rec;
			crecord_complete(rec);
			for (uint32_t i = 0; rec->flags & CRF_COMPLETE && i < rec->nmembers; i++)
				if (ctype_compatible(rec->members[i].type, s, true)) {
					r = cs_new_expr(p, E_CAST, tu, loc);
					r->ck = CK_TO_UNION;
					r->u.bin.a = e;
					return r;
				}
		}
		if (ctype_compatible(tu, s, true)) {
			cp_warn(p, CW_GNU, loc, "ISO C forbids casting nonscalar type %s to the same type",
				cp_type(p, s));
			r = cs_new_expr(p, E_CAST, tu, loc);
			r->ck = CK_NOOP;
			r->u.bin.a = e;
			return r;
		}
		cp_error(p, loc, "used type %s where arithmetic or pointer type is required",
			 cp_type(p, t));
		return cs_error_expr(p, loc);
	}
	if (!ctype_is_scalar(tu)) {
		cp_error(p, loc, "used type %s where arithmetic or pointer type is required",
			 cp_type(p, t));
		return cs_error_expr(p, loc);
	}
	if (!ctype_is_scalar(s)) {
		cp_error(p, loc, "operand of type %s where arithmetic or pointer type is required",
			 cp_type(p, s));
		return cs_error_expr(p, loc);
	}
	if ((tu->kind == TY_PTR && ctype_is_floating(s)) ||
	    (s->kind == TY_PTR && ctype_is_floating(tu))) {
		cp_error(p, loc, "%s of type %s cannot be cast to %s",
			 s->kind == TY_PTR ? "pointer" : "operand", cp_type(p, s),
			 tu->kind == TY_PTR ? "a pointer type" : cp_type(p, tu));
		return cs_error_expr(p, loc);
	}
	if (s->kind == TY_PTR && ctype_is_integer(tu) && ctype_size(tu) < 8 && tu->kind != TY_BOOL)
		cp_warn(p, CW_INT_TO_POINTER_CAST, loc, "cast to smaller integer type %s from %s",
			cp_type(p, tu), cp_type(p, s));
	struct cexpr *c = cs_convert_to(p, e, tu);
	if (c->op == E_INT && e->op == E_INT) {
		c->type = t;
		return c;
	}
	r = cs_new_expr(p, E_CAST, tu, loc);
	r->ck = c->op == E_CONV ? c->ck : CK_NOOP;
	r->u.bin.a = e;
	r->flags |= e->flags & EF_PRESERVE;
	return r;
}

/* ---- member access, indexing ---- */

struct cexpr *cs_member(struct cparser *p, struct cexpr *base, struct pp_ident *name, bool arrow,
			struct srcloc loc, struct srcloc name_loc)
{
	if (is_err(base))
		return base;
	struct ctype *rt;
	if (arrow) {
		base = cs_rvalue(p, base);
		if (base->type->kind != TY_PTR) {
			if (ctype_is_record(base->type)) {
				cp_error(p, loc, "member reference type %s is not a pointer; did you "
						 "mean to use '.'?",
					 cp_type(p, base->type));
				arrow = false;
				rt = base->type;
				goto found_type;
			}
			cp_error(p, loc, "member reference type %s is not a pointer",
				 cp_type(p, base->type));
			return cs_error_expr(p, loc);
		}
		rt = base->type->u.pointee;
	} else {
		rt = base->type;
		if (rt->kind == TY_PTR && ctype_is_record(rt->u.pointee)) {
			cp_error(p, loc, "member reference type %s is a pointer; did you mean to use "
					 "'->'?",
				 cp_type(p, rt));
			base = cs_rvalue(p, base);
			arrow = true;
			rt = rt->u.pointee;
		}
	}
found_type:
	if (!ctype_is_record(rt)) {
		cp_error(p, loc, "member reference base type %s is not a structure or union",
			 cp_type(p, rt));
		return cs_error_expr(p, loc);
	}
	struct crecord *r = rt->u.rec;
	crecord_complete(r);
	if (!(r->flags & CRF_COMPLETE)) {
		cp_error(p, loc, "incomplete definition of type %s", cp_type(p, rt));
		cp_note_incomplete(p, rt);
		return cs_error_expr(p, loc);
	}
	struct cmember *path[16];
	uint32_t npath = 0;
	struct cmember *m = crecord_find(r, name, path, &npath, ARRAY_LEN(path));
	if (!m) {
		cp_error(p, name_loc, "no member named '%s' in %s", name->name, cp_type(p, rt));
		return cs_error_expr(p, name_loc);
	}
	if (npath > ARRAY_LEN(path)) {
		cp_error(p, name_loc, "member '%s' is nested too deeply in anonymous members",
			 name->name);
		return cs_error_expr(p, name_loc);
	}
	unsigned quals = rt->quals;
	bool lvalue = arrow || cs_is_lvalue(base);
	struct cexpr *e = base;
	for (uint32_t i = 0; i < npath; i++) {
		struct cmember *hop = path[i];
		struct ctype *t = quals ? ctype_qual(p->tu, hop->type, quals) : hop->type;
		struct cexpr *me = cs_new_expr(p, E_MEMBER, t, i + 1 == npath ? name_loc : loc);
		me->u.m.base = e;
		me->u.m.member = hop;
		if (i == 0 && arrow)
			me->flags |= EF_ARROW;
		if (lvalue)
			me->flags |= EF_LVALUE;
		if (hop->flags & CMF_BITFIELD)
			me->flags |= EF_BITFIELD;
		me->flags |= e->flags & EF_PRESERVE;
		quals = t->quals;
		e = me;
	}
	return e;
}

struct cexpr *cs_index(struct cparser *p, struct cexpr *a, struct cexpr *b, struct srcloc loc,
		       struct srcloc bracket)
{
	if (is_err(a) || is_err(b))
		return is_err(a) ? a : b;
	struct ctype *arr_type = a->type->kind == TY_ARRAY ? a->type : NULL;
	a = cs_rvalue(p, a);
	b = cs_rvalue(p, b);
	if (ctype_is_integer(a->type) && b->type->kind == TY_PTR) {
		struct cexpr *t = a;
		a = b;
		b = t;
		arr_type = NULL;
	}
	if (a->type->kind != TY_PTR) {
		cp_error(p, bracket, "subscripted value is not an array, pointer, or vector");
		return cs_error_expr(p, loc);
	}
	if (!ctype_is_integer(b->type)) {
		cp_error(p, b->loc, "array subscript is not an integer");
		return cs_error_expr(p, loc);
	}
	struct ctype *t = a->type->u.pointee;
	if (t->kind == TY_FUNC || (!ctype_is_complete(t) && t->kind != TY_ERROR)) {
		cp_error(p, loc, "subscript of pointer to %s type %s",
			 t->kind == TY_FUNC ? "function" : "incomplete", cp_type(p, t));
		return cs_error_expr(p, loc);
	}
	int64_t iv;
	if (arr_type && arr_type->u.arr.len > 1 && !(arr_type->flags & CTF_INCOMPLETE) &&
	    a->op == E_CONV && a->u.bin.a->op == E_DECL && ceval_int(b, &iv) &&
	    (iv < 0 || (uint64_t)iv >= arr_type->u.arr.len))
		cp_warn(p, CW_ARRAY_BOUNDS, b->loc,
			"array index %" PRId64 " is %s the array (that has type %s)", iv,
			iv < 0 ? "before the beginning of" : "past the end of", cp_type(p, arr_type));
	struct cexpr *e = bin(p, E_INDEX, t, a, b, loc);
	e->flags |= EF_LVALUE | (a->flags & EF_PRESERVE);
	return e;
}

/* ---- calls ---- */

/* Default argument promotions for variadic and unprototyped arguments. */
static struct cexpr *default_promote(struct cparser *p, struct cexpr *e)
{
	e = cs_promote(p, e);
	if (e->type->kind == TY_FLOAT)
		e = cs_convert_to(p, e, p->tu->ty[TY_DOUBLE]);
	return e;
}

struct cexpr *cs_call(struct cparser *p, struct cexpr *fn, struct cexpr **args, uint32_t n,
		      struct srcloc lparen, struct srcloc rparen,
		      struct srcloc loc)
{
	if (is_err(fn))
		return fn;
	struct cdecl *callee = fn->op == E_DECL ? fn->u.decl : NULL;
	if (callee && (callee->flags & CDF_BUILTIN) && callee->builtin &&
	    strncmp(callee->name->name, "__builtin_", 10) == 0)
		return cs_builtin_call(p, (enum cbuiltin)callee->builtin, args, n, loc);
	if (callee && (callee->flags & CDF_BUILTIN) && callee->builtin &&
	    (!strncmp(callee->name->name, "__sync_", 7) || !strncmp(callee->name->name, "__atomic_", 9) ||
	     !strncmp(callee->name->name, "__c11_", 6)))
		return cs_builtin_call(p, (enum cbuiltin)callee->builtin, args, n, loc);
	fn = cs_rvalue(p, fn);
	struct ctype *ft = fn->type;
	if (ft->kind != TY_PTR || ft->u.pointee->kind != TY_FUNC) {
		cp_error(p, lparen, "called object type %s is not a function or function pointer",
			 cp_type(p, ft));
		return cs_error_expr(p, loc);
	}
	ft = ft->u.pointee;
	const struct cfunc *f = ft->u.fn;
	bool proto = !(ft->flags & CTF_NOPROTO);
	if (proto) {
		bool variadic = ft->flags & CTF_VARIADIC;
		if (n < f->nparams || (n > f->nparams && !variadic)) {
			cp_error(p, n < f->nparams ? rparen : args[f->nparams]->loc,
				 "too %s arguments to function call, expected %s%u, have %u",
				 n < f->nparams ? "few" : "many",
				 variadic ? "at least " : "", f->nparams, n);
			if (callee && !(callee->flags & CDF_FROM_BTF))
				cp_note(p, callee->loc, "'%s' declared here", callee->name->name);
			return cs_error_expr(p, loc);
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		if (proto && i < f->nparams) {
			uint32_t before = p->diag->errors + p->diag->warnings;
			args[i] = cs_assign_conv(p, args[i], f->params[i].type, CV_ARG, args[i]->loc);
			const struct cparam *pa = &f->params[i];
			if (p->diag->errors + p->diag->warnings != before && pa->loc.line &&
			    !(callee && (callee->flags & (CDF_FROM_BTF | CDF_BUILTIN)))) {
				if (pa->name)
					cp_note(p, pa->loc, "passing argument to parameter '%s' here",
						pa->name->name);
				else
					cp_note(p, pa->loc, "passing argument to parameter here");
			}
		} else {
			args[i] = default_promote(p, args[i]);
		}
	}
	struct ctype *rt = ctype_unqual(f->ret);
	if (rt->kind != TY_VOID && !ctype_is_complete(rt) && rt->kind != TY_ERROR) {
		cp_error(p, loc, "calling function with incomplete return type %s", cp_type(p, rt));
		return cs_error_expr(p, loc);
	}
	struct cexpr *e = cs_new_expr(p, E_CALL, rt, loc);
	e->u.call.fn = fn;
	e->u.call.args = cp_dup(p, args, n * sizeof(*args));
	e->u.call.nargs = n;
	return e;
}

/* ---- sizeof, _Alignof ---- */

struct cexpr *cs_sizeof_type(struct cparser *p, struct ctype *t, bool is_align, struct srcloc loc)
{
	const char *op = is_align ? "alignof" : "sizeof";
	if (t->kind == TY_ERROR)
		return cs_error_expr(p, loc);
	if (t->kind == TY_FUNC || t->kind == TY_VOID) {
		cp_warn(p, CW_POINTER_ARITH, loc, "invalid application of '%s' to a%s type",
			op, t->kind == TY_VOID ? " void" : " function");
		return cs_int(p, 1, p->tu->size_type, loc);
	}
	if (t->kind == TY_ARRAY && (t->flags & CTF_VLA) && !is_align) {
		cp_error(p, loc, "sizeof of a variable length array is not supported for the BPF "
				 "target");
		return cs_error_expr(p, loc);
	}
	if (!ctype_is_complete(t) && !(is_align && t->kind == TY_ARRAY)) {
		cp_error(p, loc, "invalid application of '%s' to an incomplete type %s", op,
			 cp_type(p, t));
		cp_note_incomplete(p, t);
		return cs_error_expr(p, loc);
	}
	return cs_int(p, is_align ? ctype_align(t) : ctype_size(t), p->tu->size_type, loc);
}

struct cexpr *cs_sizeof_expr(struct cparser *p, struct cexpr *e, bool is_align, struct srcloc loc)
{
	if (is_err(e))
		return e;
	if (e->flags & EF_BITFIELD) {
		cp_error(p, loc, "invalid application of '%s' to bit-field",
			 is_align ? "alignof" : "sizeof");
		return cs_error_expr(p, loc);
	}
	if (is_align) {
		uint32_t al = ctype_align(e->type);
		if (e->op == E_DECL && e->u.decl->attrs && e->u.decl->attrs->align > al)
			al = e->u.decl->attrs->align;
		if (e->op == E_MEMBER && e->u.m.member->align_attr > al)
			al = e->u.m.member->align_attr;
		return cs_int(p, al, p->tu->size_type, loc);
	}
	return cs_sizeof_type(p, e->type, false, loc);
}
