/* CO-RE in C: member and array accesses inside __builtin_preserve_access_index
 * or on records with the preserve_access_index attribute become a
 * relocated byte offset (clang's access strings: "0:2:1" is the first
 * object's third member's second member, array indexes included), and the
 * field, type, enum and type-id builtins become the IR's CO-RE values. */
#include "frontend/c/lower_internal.h"

#include <string.h>

static struct ctype *strip_quals(struct ctype *t)
{
	while (t->sugar == CS_QUAL || (t->sugar == CS_NONE && t->quals && t->base))
		t = t->base;
	return t;
}

static struct ctype *strip_all(struct ctype *t)
{
	for (unsigned guard = 0; guard < 256 && (t->sugar != CS_NONE || (t->quals && t->base));
	     guard++)
		t = t->base;
	return t;
}

/* The record a member expression accesses. */
static struct crecord *member_record(struct cexpr *e)
{
	struct ctype *bt = e->u.m.base->type;
	if (e->flags & EF_ARROW)
		bt = bt->kind == TY_PTR ? bt->u.pointee : bt;
	bt = strip_all(bt);
	return ctype_is_record(bt) ? bt->u.rec : NULL;
}

/* Inside __builtin_preserve_access_index, or (with -g: without BTF clang
 * reads them at fixed offsets) on a record with the attribute. */
bool lr_is_core(struct lf *lf, struct cexpr *e)
{
	if (e->flags & EF_PRESERVE)
		return true;
	if (e->op == E_MEMBER) {
		struct crecord *r = member_record(e);
		return r && (r->flags & CRF_PRESERVE_ACCESS) && lf->L->o->debug;
	}
	if (e->op == E_INDEX) {
		/* an array member of a relocated record */
		struct cexpr *a = e->u.bin.a;
		if ((a->op == E_CONV || a->op == E_CAST) && a->ck == CK_ARRAY_DECAY &&
		    a->u.bin.a->op == E_MEMBER)
			return lr_is_core(lf, a->u.bin.a);
	}
	return false;
}

/* A relocatable access path: the object at base, of type root, then the
 * indexes of the access string. */
struct corepath {
	ir_ref base;
	struct ctype *root; /* the type base points to */
	struct ctype *cur;  /* the type the path has reached */
	uint32_t idx[64];
	uint32_t n;
	bool bad;
	int64_t local; /* the offset the path has in the local types */
};

static void path_reset(struct corepath *cp, ir_ref base, struct ctype *root, uint32_t first)
{
	cp->base = base;
	cp->root = root;
	cp->cur = root;
	cp->idx[0] = first;
	cp->n = 1;
	cp->local = (int64_t)first * (int64_t)ctype_size(root);
}

static uint32_t ir_member_index(struct cmember *m, struct crecord *r)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < r->nmembers && &r->members[i] != m; i++)
		if (!((r->members[i].flags & CMF_BITFIELD) && !r->members[i].name))
			k++;
	return k;
}

static ir_ref finish_path(struct lf *lf, struct corepath *cp);

static bool const_index(struct cexpr *e, int64_t *v)
{
	return ceval_int(e, v);
}

/* Builds the path of lvalue e; with nobase, pointers are not evaluated. */
static void core_path(struct lf *lf, struct cexpr *e, struct corepath *cp, bool nobase)
{
	switch (e->op) {
	case E_MEMBER: {
		struct crecord *r = member_record(e);
		if (!r) {
			cp->bad = true;
			return;
		}
		if (e->flags & EF_ARROW) {
			ir_ref b = nobase ? IR_NOREF : lx_rvalue(lf, e->u.m.base);
			path_reset(cp, b, e->u.m.base->type->u.pointee, 0);
		} else {
			core_path(lf, e->u.m.base, cp, nobase);
		}
		if (cp->bad)
			return;
		if (cp->n == ARRAY_LEN(cp->idx)) {
			cp->bad = true;
			return;
		}
		cp->idx[cp->n++] = ir_member_index(e->u.m.member, r);
		crecord_layout(r);
		cp->local += (int64_t)(e->u.m.member->bit_offset / 8);
		cp->cur = e->type;
		return;
	}
	case E_INDEX: {
		struct cexpr *a = e->u.bin.a, *b = e->u.bin.b;
		int64_t k;
		bool decay = (a->op == E_CONV || a->op == E_CAST) && a->ck == CK_ARRAY_DECAY;
		if (decay && const_index(b, &k)) {
			core_path(lf, a->u.bin.a, cp, nobase);
			if (cp->bad || cp->n == ARRAY_LEN(cp->idx)) {
				cp->bad = true;
				return;
			}
			cp->idx[cp->n++] = (uint32_t)k;
			cp->local += k * (int64_t)ctype_size(e->type);
			cp->cur = e->type;
			return;
		}
		if (decay) {
			/* a variable index: the array's address is relocated, the element found by
			 * arithmetic */
			core_path(lf, a->u.bin.a, cp, nobase);
			if (cp->bad)
				return;
			ir_ref arr = nobase ? IR_NOREF : finish_path(lf, cp);
			ir_ref i = lx_rvalue(lf, b);
			ir_ref p = IR_NOREF;
			if (!nobase) {
				i = lx_convert(lf, i, b->type, lf->L->tu->ty[TY_LONG]);
				uint64_t es = ctype_size(e->type);
				ir_ref off = lf_op2(lf, IR_MUL, VT_I64, i,
						    lf_con(lf, (int64_t)es, VT_I64));
				ir_ref args[2] = { lf_coerce(lf, arr, VT_PTR(ANY)), off };
				p = lf_emit(lf, IR_ADD, VT_PTR(ANY), args, 2);
			}
			path_reset(cp, p, e->type, 0);
			return;
		}
		ir_ref base = nobase ? IR_NOREF : lx_rvalue(lf, a);
		if (const_index(b, &k)) {
			path_reset(cp, base, a->type->u.pointee, (uint32_t)k);
			return;
		}
		ir_ref p = IR_NOREF;
		if (!nobase) {
			ir_ref i =
				lx_convert(lf, lx_rvalue(lf, b), b->type, lf->L->tu->ty[TY_LONG]);
			ir_ref off = lf_op2(lf, IR_MUL, VT_I64, i,
					    lf_con(lf, (int64_t)ctype_size(e->type), VT_I64));
			ir_ref args[2] = { lf_coerce(lf, base, VT_PTR(ANY)), off };
			p = lf_emit(lf, IR_ADD, VT_PTR(ANY), args, 2);
		}
		path_reset(cp, p, e->type, 0);
		return;
	}
	case E_DEREF: {
		ir_ref b = nobase ? IR_NOREF : lx_rvalue(lf, e->u.bin.a);
		path_reset(cp, b, e->type, 0);
		return;
	}
	case E_CONV:
	case E_CAST:
		if (e->ck == CK_NOOP || e->ck == CK_LVAL) {
			core_path(lf, e->u.bin.a, cp, nobase);
			return;
		}
		/* fall through */
	default: {
		ir_ref b = IR_NOREF;
		if (!nobase) {
			struct lval lv = lx_lvalue(lf, e);
			b = lx_addr_of(lf, &lv);
		}
		path_reset(cp, b, e->type, 0);
		return;
	}
	}
}

static const char *access_string(struct lf *lf, const struct corepath *cp)
{
	struct buf b = { 0 };
	for (uint32_t i = 0; i < cp->n; i++)
		buf_printf(&b, i ? ":%u" : "%u", cp->idx[i]);
	const char *s = arena_strdup(&lf->f->arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}

static ir_ref core_value(struct lf *lf, unsigned op, uint32_t type, const char *access)
{
	/* the relocation's record and its types live in .BTF/.BTF.ext */
	if (!lf->L->o->debug)
		lf_error(lf, (struct srcloc){ 0 },
			 "a CO-RE relocation (BPF_CORE_READ, __builtin_preserve_*, "
			 "__builtin_btf_type_id) needs BTF: compile with -g");
	ir_ref args[2] = { IR_REF(REF_TYP, type), IR_REF(REF_STR, ir_str(lf->f->mod, access)) };
	return lf_emit(lf, op, VT_I64, args, 2);
}

/* Whether an access through p reaches the program's context: the kernel
 * rewrites context accesses itself and needs them as ctx + constant, so
 * they are not relocated (their layouts are the kernel's ABI). */
static bool is_ctx(struct lf *lf, ir_ref p)
{
	return p != IR_NOREF && lf_vt(lf, p, VT_PTR(ANY)).region == RG_CTX;
}

/* The relocated address the path designates. */
static ir_ref finish_path(struct lf *lf, struct corepath *cp)
{
	struct ctype *root = strip_all(cp->root);
	if (is_ctx(lf, cp->base))
		return lx_ptr_add(lf, cp->base, cp->local);
	if (cp->n == 1 || !(ctype_is_record(root) || root->kind == TY_ARRAY)) {
		/* no member access: plain pointer arithmetic */
		return lx_ptr_add(lf, cp->base,
				  (int64_t)cp->idx[0] * (int64_t)ctype_size(cp->root));
	}
	uint32_t type = lt_full(lf->L, root);
	ir_ref off = core_value(lf, IR_CORE_FIELD_OFF, type, access_string(lf, cp));
	ir_ref base = lf_coerce(lf, cp->base, VT_PTR(ANY));
	ir_vt vt = lf_vt(lf, base, VT_PTR(ANY));
	if (vt.region != RG_STACK && vt.region != RG_BTF && vt.region != RG_MAPVAL &&
	    vt.region != RG_MEM)
		vt = VT_PTR(ANY);
	ir_ref args[2] = { base, off };
	return lf_emit(lf, IR_ADD, vt, args, 2);
}

struct lval lr_lvalue(struct lf *lf, struct cexpr *e)
{
	struct corepath cp = { 0 };
	core_path(lf, e, &cp, false);
	struct lval lv = { .kind = LV_NONE, .type = e->type };
	if (cp.bad) {
		lf_unsupported(lf, e->loc, "this CO-RE relocatable access");
		return lv;
	}
	lv.kind = LV_MEM;
	lv.vol = (e->type->quals & CQ_VOLATILE) != 0;
	if (e->op == E_MEMBER && (e->u.m.member->flags & CMF_BITFIELD)) {
		/* a bit-field: the relocated offset is that of the unit of the
		 * field's type holding it (libbpf's byte offset for bit-fields),
		 * the shifts within the unit are the local ones, as clang does */
		struct cmember *m = e->u.m.member;
		unsigned unit = (unsigned)ctype_size(e->type);
		uint64_t unit_off = m->bit_offset / 8 / unit * unit;
		if (!unit || unit > 8 || m->bit_offset + m->bit_width > (unit_off + unit) * 8) {
			lf_unsupported(
				lf, e->loc,
				"this CO-RE relocatable bit-field (it straddles its type's unit)");
			lv.kind = LV_NONE;
			return lv;
		}
		lv.unit = (uint8_t)unit;
		lv.bits = (uint8_t)m->bit_width;
		lv.bit_off = (uint8_t)(m->bit_offset - unit_off * 8);
		if (is_ctx(lf, cp.base)) {
			lv.base = cp.base;
			lv.off = cp.local - (int64_t)(m->bit_offset / 8) + (int64_t)unit_off;
			return lv;
		}
		lv.base = finish_path(lf, &cp);
		return lv;
	}
	if (is_ctx(lf, cp.base)) {
		lv.base = cp.base;
		lv.off = cp.local;
		return lv;
	}
	lv.base = finish_path(lf, &cp);
	return lv;
}

/* ---- the builtins ------------------------------------------------------------------------- */

static struct cexpr *strip_parens_conv(struct cexpr *e)
{
	while ((e->op == E_CONV || e->op == E_CAST) && (e->ck == CK_NOOP || e->ck == CK_LVAL))
		e = e->u.bin.a;
	return e;
}

ir_ref lr_field_info(struct lf *lf, struct cexpr *e)
{
	int64_t kind = 0;
	ceval_int(e->u.bi.args[1], &kind);
	static const unsigned ops[] = { IR_CORE_FIELD_OFF,    IR_CORE_FIELD_SIZE,
					IR_CORE_FIELD_EXISTS, IR_CORE_FIELD_SIGNED,
					IR_CORE_FIELD_LSHIFT, IR_CORE_FIELD_RSHIFT };
	if (kind < 0 || kind >= (int64_t)ARRAY_LEN(ops)) {
		lf_error(lf, e->loc, "__builtin_preserve_field_info: unknown kind %lld",
			 (long long)kind);
		return lf_con(lf, 0, VT_I32);
	}
	struct cexpr *f = strip_parens_conv(e->u.bi.args[0]);
	struct corepath cp = { 0 };
	core_path(lf, f, &cp, true);
	struct ctype *root = strip_all(cp.root);
	if (cp.bad || cp.n < 2 || !ctype_is_record(root)) {
		lf_error(
			lf, e->loc,
			"__builtin_preserve_field_info: argument 1 is not a field of a struct or union");
		return lf_con(lf, 0, VT_I32);
	}
	ir_ref v = core_value(lf, ops[kind], lt_full(lf->L, root), access_string(lf, &cp));
	return lf_op1(lf, IR_TRUNC, VT_I32, v);
}

ir_ref lr_type_info(struct lf *lf, struct cexpr *e)
{
	int64_t kind = 0;
	ceval_int(e->u.bi.args[1], &kind);
	static const unsigned ops[] = { IR_CORE_TYPE_EXISTS, IR_CORE_TYPE_SIZE,
					IR_CORE_TYPE_MATCHES };
	if (kind < 0 || kind >= (int64_t)ARRAY_LEN(ops)) {
		lf_error(lf, e->loc, "__builtin_preserve_type_info: unknown kind %lld",
			 (long long)kind);
		return lf_con(lf, 0, VT_I32);
	}
	uint32_t t = lt_full(lf->L, strip_quals(e->u.bi.targ));
	return lf_op1(lf, IR_TRUNC, VT_I32, core_value(lf, ops[kind], t, "0"));
}

ir_ref lr_enum_value(struct lf *lf, struct cexpr *e)
{
	int64_t kind = 0;
	ceval_int(e->u.bi.args[1], &kind);
	if (kind != 0 && kind != 1) {
		lf_error(lf, e->loc, "__builtin_preserve_enum_value: unknown kind %lld",
			 (long long)kind);
		return lf_con(lf, 0, VT_I64);
	}
	struct cexpr *a = e->u.bi.args[0]; /* *(enum E *)ENUMERATOR */
	struct ctype *et = a->u.bin.a->type->u.pointee;
	struct cexpr *c = a->u.bin.a->u.bin.a;
	while (c->op == E_CONV || c->op == E_CAST)
		c = c->u.bin.a;
	struct cdecl *ec = c->u.decl;
	struct cenum *en = strip_all(et)->u.en;
	uint32_t idx = 0;
	while (idx < en->nconsts && en->consts[idx] != ec)
		idx++;
	if (idx == en->nconsts) {
		lf_error(lf, e->loc,
			 "__builtin_preserve_enum_value: '%s' is not an enumerator of the enum",
			 lw_name(ec));
		return lf_con(lf, 0, VT_I64);
	}
	char access[16];
	snprintf(access, sizeof(access), "%u", idx);
	uint32_t t = lt_full(lf->L, strip_quals(et));
	return core_value(lf, kind ? IR_CORE_ENUM_VALUE : IR_CORE_ENUM_EXISTS, t, access);
}

ir_ref lr_btf_type_id(struct lf *lf, struct cexpr *e)
{
	int64_t kind = 0;
	ceval_int(e->u.bi.args[1], &kind);
	uint32_t t = lt_full(lf->L, strip_quals(e->u.bi.targ));
	return core_value(lf, kind ? IR_CORE_TYPE_ID_TARGET : IR_CORE_TYPE_ID_LOCAL, t, "0");
}
