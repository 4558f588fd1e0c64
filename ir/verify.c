/* The IR verifier, part 1: structure (blocks, terminators, phis), operand
 * kinds, SSA (single definitions that dominate their uses) and value types.
 * The BPF rules are in verify_bpf.c. */
#include "ir/verify.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void vfy_error(struct vfy *v, const struct ir_ins *in, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct srcloc loc = in ? ir_ins_srcloc(v->f, in)
			       : (struct srcloc){ v->f->mod->text_file, ir_sym(v->f->mod, v->f->sym)->pos, 1 };
	diag_vreport(v->d, DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
	v->errors++;
}

bool vfy_rule(struct vfy *v, const struct ir_ins *in, const char *fmt, ...)
{
	enum ir_rule_level lvl = v->f->mod->kernel_rules;
	if (lvl == IR_RULES_OFF)
		return false;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (lvl == IR_RULES_ERROR) {
		vfy_error(v, in, "%s", msg);
	} else {
		struct srcloc loc = ir_ins_srcloc(v->f, in);
		diag_warning(v->d, loc, "%s [-Wbpf-verifier]", msg);
	}
	return true;
}

const char *vfy_name(struct vfy *v, ir_ref r)
{
	switch (ir_ref_kind(r)) {
	case REF_TMP:
		return arena_printf(&v->scratch, "%%%s", v->f->tmps.data[ir_ref_idx(r)].name);
	case REF_CON:
		return arena_printf(&v->scratch, "%lld", (long long)ir_con_val(v->f, r));
	case REF_SYM:
		return arena_printf(&v->scratch, "$%s", ir_sym(v->f->mod, ir_ref_idx(r))->name);
	default:
		return "operand";
	}
}

/* The type of a value operand; constants are integers of any width. */
ir_vt vfy_type(struct vfy *v, ir_ref r)
{
	switch (ir_ref_kind(r)) {
	case REF_TMP:
		return v->f->tmps.data[ir_ref_idx(r)].ty;
	case REF_CON:
		return VT_I64;
	case REF_SYM: {
		const struct ir_sym *s = ir_sym(v->f->mod, ir_ref_idx(r));
		switch (s->kind) {
		case IR_SYM_MAP: return VT_PTR(MAP);
		case IR_SYM_GLOBAL: return VT_PTR(GLOBAL);
		case IR_SYM_FUNC: return VT_PTR(FUNC);
		default:
			/* an extern function is only called */
			return s->ext.kind == IR_EXT_KSYM  ? VT_PTR(BTF)
			       : s->ext.kind == IR_EXT_FUNC ? VT_VOID
							    : VT_PTR(GLOBAL);
		}
	}
	}
	return VT_VOID;
}

static bool is_value_ref(ir_ref r)
{
	unsigned k = ir_ref_kind(r);
	return k == REF_TMP || k == REF_CON || k == REF_SYM;
}

static const char *class_name(ir_vt t)
{
	static const char *const names[] = { "void", "i32", "i64", "a pointer" };
	return names[t.cls];
}

/* An integer operand of an op whose width is `cls`: temps must have that
 * width, constants must fit in it. */
static void check_int_operand(struct vfy *v, const struct ir_ins *in, ir_ref r, unsigned cls)
{
	if (ir_ref_kind(r) == REF_CON) {
		int64_t c = ir_con_val(v->f, r);
		if (cls == IR_I32 && (c < INT32_MIN || c > (int64_t)UINT32_MAX))
			vfy_error(v, in, "constant %lld does not fit in i32", (long long)c);
		return;
	}
	ir_vt t = vfy_type(v, r);
	if (t.cls != cls)
		vfy_error(v, in, "%s: expected %s operand %s, found %s", ir_ops[in->op].name,
			  cls == IR_I32 ? "an i32" : "an i64", vfy_name(v, r), class_name(t));
}

static void check_operand_kinds(struct vfy *v, const struct ir_ins *in)
{
	const struct ir_opinfo *oi = &ir_ops[in->op];
	unsigned a = 0;
	bool ok = true;
	for (const char *s = oi->sig + 1; *s && ok; s++) {
		switch (*s) {
		case '*':
			for (; a < in->nargs; a++)
				ok &= is_value_ref(in->args[a]);
			break;
		case 'p':
			for (; a + 1 < in->nargs; a += 2)
				ok &= ir_ref_kind(in->args[a]) == REF_BLK && is_value_ref(in->args[a + 1]);
			ok &= a == in->nargs;
			break;
		case 'o':
			if (a < in->nargs)
				ok &= is_value_ref(in->args[a++]);
			break;
		default:
			if (a >= in->nargs) {
				ok = false;
				break;
			}
			ir_ref r = in->args[a++];
			unsigned k = ir_ref_kind(r);
			ok &= *s == 'v'   ? is_value_ref(r)
			      : *s == 'i' ? k == REF_CON
			      : *s == 't' ? k == REF_TYP
			      : *s == 's' ? k == REF_STR
			      : *s == 'b' ? k == REF_BLK && ir_ref_idx(r) < v->f->blocks.len
			      : *s == 'c' ? k == REF_HLP || k == REF_SYM
					  : false;
		}
	}
	if (!ok || a != in->nargs)
		vfy_error(v, in, "'%s' has malformed operands", oi->name);
	bool has_result = oi->sig[0] != '-';
	if (!has_result && in->dst)
		vfy_error(v, in, "'%s' does not produce a value", oi->name);
	if (has_result && !in->dst && !(oi->props & OP_CALL))
		vfy_error(v, in, "'%s' must name its result", oi->name);
}

static void check_structure(struct vfy *v)
{
	struct ir_func *f = v->f;
	for (uint32_t b = 0; b < f->blocks.len; b++) {
		struct ir_block *blk = f->blocks.data[b];
		if (!blk->ins.len) {
			diag_error(v->d, (struct srcloc){ f->mod->text_file, blk->pos, 1 },
				   "block @%s is empty: it needs a terminator", blk->name);
			v->errors++;
			continue;
		}
		bool phis = true;
		for (uint32_t i = 0; i < blk->ins.len; i++) {
			struct ir_ins *in = &blk->ins.data[i];
			if (in->op >= IR_NOPS) {
				vfy_error(v, in, "invalid opcode %u", in->op);
				continue;
			}
			check_operand_kinds(v, in);
			bool last = i + 1 == blk->ins.len;
			if (ir_op_is(in->op, OP_TERM) && !last)
				vfy_error(v, in, "terminator '%s' in the middle of block @%s",
					  ir_ops[in->op].name, blk->name);
			if (last && !ir_op_is(in->op, OP_TERM))
				vfy_error(v, in, "block @%s does not end with a terminator (ret, jmp, br, ...)",
					  blk->name);
			if (in->op == IR_PHI && !phis)
				vfy_error(v, in, "phi after a non-phi instruction in @%s", blk->name);
			phis &= in->op == IR_PHI;
		}
	}
}

/* ---- SSA ------------------------------------------------------------------- */

static void check_ssa(struct vfy *v)
{
	struct ir_func *f = v->f;
	uint32_t nt = f->tmps.len;
	uint32_t *ndefs = xcalloc(nt, sizeof(uint32_t));
	vec_foreach(&f->params, p) ndefs[*p]++;
	for (uint32_t b = 0; b < f->blocks.len; b++)
		vec_foreach(&f->blocks.data[b]->ins, in) if (in->dst)
		{
			if (in->dst >= nt)
				vfy_error(v, in, "result is not a valid temp");
			else if (++ndefs[in->dst] == 2)
				vfy_error(v, in, "value %%%s is defined more than once",
					  f->tmps.data[in->dst].name);
			else if (!ir_vt_eq(in->ty, f->tmps.data[in->dst].ty))
				vfy_error(v, in, "result type differs from the type of %%%s",
					  f->tmps.data[in->dst].name);
		}

	for (uint32_t b = 0; b < f->blocks.len; b++) {
		struct ir_block *blk = f->blocks.data[b];
		if (blk->rpo == UINT32_MAX)
			continue; /* unreachable code is not checked for dominance */
		for (uint32_t i = 0; i < blk->ins.len; i++) {
			struct ir_ins *in = &blk->ins.data[i];
			for (unsigned a = 0; a < in->nargs; a++) {
				ir_ref r = in->args[a];
				if (ir_ref_kind(r) != REF_TMP)
					continue;
				uint32_t t = ir_ref_idx(r);
				if (t == 0 || t >= nt || !ndefs[t]) {
					vfy_error(v, in, "use of undefined value %s", vfy_name(v, r));
					continue;
				}
				struct ir_defsite d = v->defs[t];
				/* a phi's operand is used at the end of the incoming block */
				uint32_t ub = in->op == IR_PHI ? ir_ref_idx(in->args[a - 1]) : b;
				if (f->blocks.data[ub]->rpo == UINT32_MAX)
					continue;
				uint32_t ui = in->op == IR_PHI ? UINT32_MAX : i;
				bool ok;
				if (d.idx == UINT32_MAX) /* parameter */
					ok = true;
				else if (d.blk == ub)
					ok = d.idx < ui;
				else
					ok = ir_dominates(f, d.blk, ub);
				if (!ok)
					vfy_error(v, in, "value %s is used where its definition does not dominate",
						  vfy_name(v, r));
			}
		}
	}
	free(ndefs);
}

static void check_phi(struct vfy *v, uint32_t b, const struct ir_ins *in)
{
	struct ir_block *blk = v->f->blocks.data[b];
	unsigned n = in->nargs / 2;
	/* every reachable predecessor exactly once; unreachable ones may be named */
	vec_foreach(&blk->preds, p)
	{
		if (v->f->blocks.data[*p]->rpo == UINT32_MAX)
			continue;
		unsigned seen = 0;
		for (unsigned k = 0; k < n; k++)
			seen += ir_ref_idx(in->args[2 * k]) == *p;
		if (!seen)
			vfy_error(v, in, "phi has no value for predecessor @%s", v->f->blocks.data[*p]->name);
		else if (seen > 1)
			vfy_error(v, in, "phi names predecessor @%s %u times", v->f->blocks.data[*p]->name, seen);
	}
	for (unsigned k = 0; k < n; k++) {
		uint32_t from = ir_ref_idx(in->args[2 * k]);
		bool found = false;
		vec_foreach(&blk->preds, p) found |= *p == from;
		if (!found)
			vfy_error(v, in, "phi names @%s, which is not a predecessor of @%s",
				  v->f->blocks.data[from]->name, blk->name);
		ir_ref val = in->args[2 * k + 1];
		ir_vt t = vfy_type(v, val);
		if (ir_ref_kind(val) == REF_CON ? !ir_vt_int(in->ty) : !ir_vt_eq(t, in->ty))
			vfy_error(v, in, "phi operand %s does not have the phi's type", vfy_name(v, val));
	}
}

/* ---- types ------------------------------------------------------------------- */

static void check_arith(struct vfy *v, const struct ir_ins *in)
{
	ir_vt a = vfy_type(v, in->args[0]);
	ir_vt b = in->nargs > 1 ? vfy_type(v, in->args[1]) : a;
	bool acon = ir_ref_kind(in->args[0]) == REF_CON;
	bool bcon = in->nargs > 1 && ir_ref_kind(in->args[1]) == REF_CON;
	if (a.cls == IR_PTR || (b.cls == IR_PTR && !bcon)) {
		/* pointer arithmetic: ptr + int, ptr - int, ptr - ptr */
		if (in->op == IR_SUB && a.cls == IR_PTR && b.cls == IR_PTR && !bcon) {
			if (in->ty.cls != IR_I64)
				vfy_error(v, in, "the difference of two pointers is an i64");
			return;
		}
		if ((in->op != IR_ADD && in->op != IR_SUB) || a.cls != IR_PTR) {
			vfy_error(v, in, "'%s' on a pointer: only ptr + int and ptr - int are allowed "
				  "(pointer first)", ir_ops[in->op].name);
			return;
		}
		if (!bcon && !ir_vt_int(b))
			vfy_error(v, in, "pointer offset must be an integer");
		if (in->ty.cls != IR_PTR)
			vfy_error(v, in, "pointer arithmetic yields a pointer");
		vfy_check_ptr_arith(v, in);
		return;
	}
	if (!ir_vt_int(in->ty)) {
		vfy_error(v, in, "'%s' yields an integer", ir_ops[in->op].name);
		return;
	}
	if (!acon)
		check_int_operand(v, in, in->args[0], in->ty.cls);
	if (in->nargs > 1)
		check_int_operand(v, in, in->args[1], in->ty.cls);
}

static void check_compare(struct vfy *v, const struct ir_ins *in, ir_ref x, ir_ref y)
{
	ir_vt a = vfy_type(v, x), b = vfy_type(v, y);
	bool xc = ir_ref_kind(x) == REF_CON, yc = ir_ref_kind(y) == REF_CON;
	if (a.cls == IR_PTR || b.cls == IR_PTR) {
		if ((a.cls == IR_PTR || xc) && (b.cls == IR_PTR || yc))
			return;
		vfy_error(v, in, "comparison of a pointer with an integer value (only with constants)");
		return;
	}
	if (xc && yc)
		return;
	unsigned cls = xc ? b.cls : a.cls;
	if (!xc)
		check_int_operand(v, in, x, cls);
	if (!yc)
		check_int_operand(v, in, y, cls);
}

static void check_conversion(struct vfy *v, const struct ir_ins *in)
{
	ir_vt a = vfy_type(v, in->args[0]);
	bool con = ir_ref_kind(in->args[0]) == REF_CON;
	switch (in->op) {
	case IR_ZEXT:
		if (!con && a.cls != IR_I32)
			vfy_error(v, in, "zext takes an i32");
		if (in->ty.cls != IR_I64)
			vfy_error(v, in, "zext yields an i64");
		break;
	case IR_TRUNC:
		if (!con && a.cls != IR_I64 && a.cls != IR_PTR)
			vfy_error(v, in, "trunc takes an i64");
		if (in->ty.cls != IR_I32)
			vfy_error(v, in, "trunc yields an i32");
		break;
	default:
		if (!con && !ir_vt_int(a))
			vfy_error(v, in, "'%s' takes an integer", ir_ops[in->op].name);
		if (!ir_vt_int(in->ty))
			vfy_error(v, in, "'%s' yields an integer", ir_ops[in->op].name);
		else if (ir_ops[in->op].param == 8 && in->ty.cls != IR_I64)
			vfy_error(v, in, "'%s' yields an i64", ir_ops[in->op].name);
		else if (in->op == IR_SEXT32 && in->ty.cls != IR_I64)
			vfy_error(v, in, "sext32 yields an i64");
	}
}

static void check_memory(struct vfy *v, const struct ir_ins *in)
{
	const struct ir_opinfo *oi = &ir_ops[in->op];
	ir_vt base = vfy_type(v, in->args[0]);
	if (base.cls != IR_PTR) {
		vfy_error(v, in, "'%s' through %s, which is not a pointer", oi->name,
			  vfy_name(v, in->args[0]));
		return;
	}
	int64_t off = in->nargs > 1 && ir_ref_kind(in->args[1]) == REF_CON ? ir_con_val(v->f, in->args[1]) : 0;
	if (in->op != IR_MEMCPY && in->op != IR_MEMSET && (off < INT16_MIN || off > INT16_MAX))
		vfy_error(v, in, "memory offset %lld does not fit in 16 bits", (long long)off);
	unsigned size = (unsigned)oi->param;
	if (in->op == IR_MEMCPY || in->op == IR_MEMSET) {
		int64_t n = ir_con_val(v->f, in->args[2]);
		if (n <= 0 || n > 65536)
			vfy_error(v, in, "'%s' size must be 1 to 65536 bytes", oi->name);
		if (in->op == IR_MEMCPY && vfy_type(v, in->args[1]).cls != IR_PTR)
			vfy_error(v, in, "memcpy source %s is not a pointer", vfy_name(v, in->args[1]));
		if (in->op == IR_MEMSET && ir_ref_kind(in->args[1]) != REF_CON &&
		    !ir_vt_int(vfy_type(v, in->args[1])))
			vfy_error(v, in, "memset value must be an integer");
		vfy_check_access(v, in);
		return;
	}
	if (oi->props & (OP_STORE | OP_ATOMIC)) {
		if ((oi->props & OP_LOAD) && !(oi->props & OP_STORE)) {
			/* load-acquire */
		} else {
			ir_ref val = in->args[2];
			ir_vt t = vfy_type(v, val);
			if (t.cls == IR_PTR && (size != 8 || (oi->props & OP_ATOMIC)))
				vfy_error(v, in, "'%s' of a pointer: only 8-byte plain stores can hold one",
					  oi->name);
			else if (t.cls != IR_PTR && ir_ref_kind(val) != REF_CON && !ir_vt_int(t))
				vfy_error(v, in, "'%s' value must be an integer or pointer", oi->name);
			if (in->op == IR_CMPXCHG_U32 || in->op == IR_CMPXCHG_U64) {
				ir_vt n = vfy_type(v, in->args[3]);
				if (ir_ref_kind(in->args[3]) != REF_CON && !ir_vt_int(n))
					vfy_error(v, in, "cmpxchg new value must be an integer");
			}
		}
	}
	if (in->dst) {
		if (in->ty.cls == IR_PTR && size != 8 && !(base.region == RG_CTX || base.region == RG_ANY))
			vfy_error(v, in, "a %u-byte load cannot produce a pointer", size);
		if ((oi->props & OP_SIGNED) && in->ty.cls == IR_I32 && size == 4) {
			/* sign-extending a 32-bit load into i32 is a plain load */
		}
		if (size == 8 && in->ty.cls == IR_I32)
			vfy_error(v, in, "an 8-byte load yields an i64 or a pointer, not an i32");
	}
	vfy_check_access(v, in);
}

static void check_call(struct vfy *v, const struct ir_ins *in)
{
	ir_ref callee = in->args[0];
	unsigned nargs = in->nargs - 1u;
	if (nargs > 5)
		vfy_error(v, in, "a BPF call takes at most 5 arguments, not %u", nargs);
	for (unsigned a = 1; a < in->nargs; a++) {
		ir_ref r = in->args[a];
		if (ir_ref_kind(r) != REF_CON && vfy_type(v, r).cls == IR_VOID)
			vfy_error(v, in, "invalid argument %s", vfy_name(v, r));
	}
	if (ir_ref_kind(callee) == REF_HLP) {
		vfy_check_helper_call(v, in);
		return;
	}
	const struct ir_sym *s = ir_sym(v->f->mod, ir_ref_idx(callee));
	if (s->kind == IR_SYM_FUNC) {
		const struct ir_func *g = s->fn;
		if (g->is_prog) {
			vfy_error(v, in, "cannot call program $%s; use tailcall", s->name);
			return;
		}
		if (nargs != g->params.len) {
			vfy_error(v, in, "$%s takes %u arguments, %u given", s->name, g->params.len, nargs);
			return;
		}
		for (unsigned a = 0; a < nargs; a++) {
			ir_vt want = g->tmps.data[g->params.data[a]].ty;
			ir_ref r = in->args[a + 1];
			ir_vt got = vfy_type(v, r);
			bool ok = ir_ref_kind(r) == REF_CON ? want.cls != IR_PTR || ir_con_val(v->f, r) == 0
							    : got.cls == want.cls;
			if (!ok)
				vfy_error(v, in, "argument %u of $%s: expected %s, found %s", a + 1,
					  s->name, class_name(want), class_name(got));
		}
		if (in->dst && g->ret.cls == IR_VOID)
			vfy_error(v, in, "$%s returns nothing", s->name);
		else if (in->dst && in->ty.cls != g->ret.cls)
			vfy_error(v, in, "$%s returns %s", s->name, class_name(g->ret));
		return;
	}
	if (s->kind != IR_SYM_EXTERN || (s->ext.kind != IR_EXT_KFUNC && s->ext.kind != IR_EXT_FUNC))
		vfy_error(v, in, "$%s is not a function, extern function or kfunc", s->name);
}

static void check_types(struct vfy *v, uint32_t b, const struct ir_ins *in)
{
	const struct ir_opinfo *oi = &ir_ops[in->op];
	struct ir_func *f = v->f;
	char rk = oi->sig[0];
	if (in->dst) {
		if (rk == 'I' && !ir_vt_int(in->ty))
			vfy_error(v, in, "'%s' yields an integer (i32 or i64)", oi->name);
		if (rk == 'P' && in->ty.cls != IR_PTR)
			vfy_error(v, in, "'%s' yields a pointer", oi->name);
	}
	if (oi->props & (OP_BIN | OP_UN)) {
		if (in->op >= IR_ZEXT && in->op <= IR_LE64)
			check_conversion(v, in);
		else
			check_arith(v, in);
		return;
	}
	if ((oi->props & OP_CMP) && !(oi->props & OP_TERM)) {
		check_compare(v, in, in->args[0], in->args[1]);
		return;
	}
	if (oi->props & (OP_LOAD | OP_STORE | OP_ATOMIC)) {
		check_memory(v, in);
		return;
	}
	switch (in->op) {
	case IR_COPY: {
		ir_vt t = vfy_type(v, in->args[0]);
		bool con = ir_ref_kind(in->args[0]) == REF_CON;
		if (con ? !ir_vt_int(in->ty) : !ir_vt_eq(t, in->ty))
			vfy_error(v, in, "copy of %s must keep its type", vfy_name(v, in->args[0]));
		if (con)
			check_int_operand(v, in, in->args[0], in->ty.cls);
		break;
	}
	case IR_CAST: {
		ir_vt t = vfy_type(v, in->args[0]);
		bool con = ir_ref_kind(in->args[0]) == REF_CON;
		if (in->ty.cls != IR_PTR && in->ty.cls != IR_I64)
			vfy_error(v, in, "cast yields an i64 or a pointer");
		else if (!con && t.cls != IR_PTR && t.cls != IR_I64)
			vfy_error(v, in, "cast takes an i64 or a pointer, not %s", vfy_name(v, in->args[0]));
		else if (!con && t.cls == IR_I64 && in->ty.cls == IR_I64)
			vfy_error(v, in, "cast of an i64 to an i64: use copy");
		break;
	}
	case IR_SELECT:
		for (unsigned a = 1; a < 3; a++) {
			ir_ref r = in->args[a];
			if (ir_ref_kind(r) == REF_CON ? in->ty.cls == IR_PTR && ir_con_val(f, r)
						      : !ir_vt_eq(vfy_type(v, r), in->ty))
				vfy_error(v, in, "select operand %s does not have the result's type",
					  vfy_name(v, r));
		}
		break;
	case IR_ALLOCA: {
		int64_t size = ir_con_val(f, in->args[0]), align = ir_con_val(f, in->args[1]);
		if (size <= 0)
			vfy_error(v, in, "alloca size must be positive");
		if (align <= 0 || align > 8 || (align & (align - 1)))
			vfy_error(v, in, "alloca alignment must be 1, 2, 4 or 8");
		if (!ir_vt_eq(in->ty, VT_PTR(STACK)))
			vfy_error(v, in, "alloca yields a ptr.stack");
		break;
	}
	case IR_CALL:
		check_call(v, in);
		break;
	case IR_TAILCALL: {
		ir_vt c = vfy_type(v, in->args[0]), m = vfy_type(v, in->args[1]);
		if (c.cls != IR_PTR || (c.region != RG_CTX && c.region != RG_ANY))
			vfy_error(v, in, "tailcall needs the program's context as first operand");
		if (ir_ref_kind(in->args[1]) != REF_SYM || m.region != RG_MAP ||
		    ir_sym(f->mod, ir_ref_idx(in->args[1]))->map.type != IR_MAP_prog_array)
			vfy_error(v, in, "tailcall needs a prog_array map");
		break;
	}
	case IR_LDPKT_U8:
	case IR_LDPKT_U16:
	case IR_LDPKT_U32: {
		ir_vt c = vfy_type(v, in->args[0]);
		if (c.cls != IR_PTR || c.region != RG_CTX)
			vfy_error(v, in, "%s needs the program's context as first operand", ir_ops[in->op].name);
		if (ir_ref_kind(in->args[1]) == REF_CON)
			check_int_operand(v, in, in->args[1], IR_I64);
		else if (!ir_vt_int(vfy_type(v, in->args[1])))
			vfy_error(v, in, "%s: the packet offset %s is not an integer", ir_ops[in->op].name,
				  vfy_name(v, in->args[1]));
		break;
	}
	case IR_PHI:
		check_phi(v, b, in);
		break;
	case IR_RET:
		if (in->nargs && f->ret.cls == IR_VOID)
			vfy_error(v, in, "ret with a value in a function returning void");
		else if (!in->nargs && f->ret.cls != IR_VOID)
			vfy_error(v, in, "ret needs a value of type %s", class_name(f->ret));
		else if (in->nargs && ir_ref_kind(in->args[0]) == REF_CON) {
			if (f->ret.cls == IR_PTR)
				vfy_error(v, in, "returning a constant from a function returning a pointer");
			else
				check_int_operand(v, in, in->args[0], f->ret.cls);
		} else if (in->nargs && vfy_type(v, in->args[0]).cls != f->ret.cls)
			vfy_error(v, in, "ret %s: the function returns %s", vfy_name(v, in->args[0]),
				  class_name(f->ret));
		break;
	case IR_BR: {
		ir_ref c = in->args[0];
		if (ir_ref_kind(c) != REF_CON && !ir_vt_int(vfy_type(v, c)) &&
		    vfy_type(v, c).cls != IR_PTR)
			vfy_error(v, in, "br condition must be an integer");
		break;
	}
	case IR_CHKPKT: {
		ir_vt p = vfy_type(v, in->args[0]), n = vfy_type(v, in->args[1]),
		      e = vfy_type(v, in->args[2]);
		if (p.cls != IR_PTR)
			vfy_error(v, in, "chkpkt checks a packet pointer, not %s", vfy_name(v, in->args[0]));
		if (ir_ref_kind(in->args[1]) != REF_CON && !ir_vt_int(n))
			vfy_error(v, in, "chkpkt length must be an integer");
		if (e.cls != IR_PTR)
			vfy_error(v, in, "chkpkt's third operand is the end of the packet (ptr.pkt_end)");
		break;
	}
	case IR_CHKNULL:
		if (vfy_type(v, in->args[0]).cls != IR_PTR)
			vfy_error(v, in, "chknull checks a pointer, not %s", vfy_name(v, in->args[0]));
		break;
	default:
		if ((oi->props & OP_CMP) && (oi->props & OP_TERM))
			check_compare(v, in, in->args[0], in->args[1]);
	}
}

unsigned ir_verify_func(struct ir_func *f, struct diag *d)
{
	struct vfy v = { .f = f, .d = d ? d : f->mod->diag };
	W_ASSERT(v.d);
	if (!f->blocks.len) {
		vfy_error(&v, NULL, "function $%s has no blocks", ir_sym(f->mod, f->sym)->name);
		return v.errors;
	}
	check_structure(&v);
	if (v.errors)
		return v.errors;
	ir_cfg_build(f);
	v.defs = xmalloc(sizeof(*v.defs) * f->tmps.len);
	ir_defsites(f, v.defs);
	check_ssa(&v);
	if (!v.errors) {
		for (uint32_t b = 0; b < f->blocks.len; b++) {
			v.blk = b;
			vec_foreach(&f->blocks.data[b]->ins, in) check_types(&v, b, in);
		}
		vfy_check_bpf(&v);
	}
	free(v.defs);
	free(v.facts);
	arena_free(&v.scratch);
	return v.errors;
}

static unsigned check_types_table(struct ir_module *m, struct diag *d)
{
	unsigned errors = 0;
	for (uint32_t t = IRT_NBUILTIN; t < m->types.len; t++) {
		const struct ir_type *ty = ir_type(m, t);
		struct srcloc loc = { m->text_file, ty->pos, 1 };
		if (ty->kind == IRT_STRUCT || ty->kind == IRT_UNION) {
			for (uint32_t i = 0; i < ty->nmembers; i++) {
				const struct ir_member *mb = &ty->members[i];
				if (mb->pos)
					loc.line = mb->pos;
				uint32_t end = mb->bits ? mb->bit_off + mb->bits
							: mb->bit_off + 8 * ir_type_size(m, mb->type);
				if (end > 8 * ty->size) {
					diag_error(d, loc, "member \"%s\" of :%s ends at byte %u, past its size %u",
						   mb->name, ty->label, (end + 7) / 8, ty->size);
					errors++;
				}
			}
		}
		if (ty->kind == IRT_INT && ty->size != 1 && ty->size != 2 && ty->size != 4 &&
		    ty->size != 8 && ty->size != 16) {
			diag_error(d, loc, "integer type :%s must be 1, 2, 4, 8 or 16 bytes", ty->label);
			errors++;
		}
		if ((ty->kind == IRT_TYPEDEF || ty->kind == IRT_TYPETAG) && !ty->name[0]) {
			diag_error(d, loc, "%s :%s needs a name", ty->kind == IRT_TYPEDEF ? "typedef" : "typetag",
				   ty->label);
			errors++;
		}
	}
	return errors;
}

/* Addresses in a global's bytes: 8-byte slots inside it, in order, each
 * naming something with an address (a function, global, map or extern). */
static unsigned check_data_relocs(struct ir_module *m, struct diag *d, const struct ir_sym *s,
				  struct srcloc loc)
{
	const struct ir_global *g = &s->global;
	uint32_t size = ir_type_size(m, g->type);
	unsigned errors = 0;
	for (uint32_t k = 0; k < g->nrelocs; k++) {
		const struct ir_data_reloc *r = &g->relocs[k];
		const struct ir_sym *t = r->sym < m->syms.len ? ir_sym(m, r->sym) : NULL;
		bool ok = t && (t->kind == IR_SYM_FUNC || t->kind == IR_SYM_GLOBAL ||
				(t->kind == IR_SYM_MAP && !t->map.is_template) ||
				(t->kind == IR_SYM_EXTERN &&
				 (t->ext.kind == IR_EXT_VAR || t->ext.kind == IR_EXT_FUNC)));
		if (!ok) {
			diag_error(d, loc, "relocs of $%s: $%s has no address to put in data", s->name,
				   t ? t->name : "?");
			errors++;
		}
		if ((uint64_t)r->off + 8 > size || (k && r->off < g->relocs[k - 1].off + 8)) {
			diag_error(d, loc,
				   "relocs of $%s: an address at offset %u does not fit (8 bytes each, "
				   "in order, inside the %u bytes of the type)",
				   s->name, r->off, size);
			errors++;
		}
	}
	return errors;
}

static unsigned check_symbols(struct ir_module *m, struct diag *d)
{
	unsigned errors = 0;
	for (uint32_t i = 1; i < m->syms.len; i++) {
		struct ir_sym *s = ir_sym(m, i);
		struct srcloc loc = { m->text_file, s->pos, 1 };
		if (s->kind == IR_SYM_MAP) {
			const struct ir_map *mp = &s->map;
			unsigned props = ir_maptypes[mp->type].props;
			if ((props & MT_KEY) && !mp->key) {
				diag_error(d, loc, "map $%s of type %s needs a key type", s->name,
					   ir_maptypes[mp->type].name);
				errors++;
			}
			if ((props & MT_VALUE) && !mp->value) {
				diag_error(d, loc, "map $%s of type %s needs a value type", s->name,
					   ir_maptypes[mp->type].name);
				errors++;
			}
			if (mp->inner && ir_sym(m, mp->inner)->kind != IR_SYM_MAP) {
				diag_error(d, loc, "inner=$%s is not a map", ir_sym(m, mp->inner)->name);
				errors++;
			}
			if (mp->inner && !(props & MT_OF_MAPS)) {
				diag_error(d, loc, "only array_of_maps and hash_of_maps have an inner map");
				errors++;
			}
			for (uint32_t k = 0; k < mp->ninit; k++) {
				const struct ir_sym *e = ir_sym(m, mp->init[k].sym);
				bool ok = mp->type == IR_MAP_prog_array ? e->kind == IR_SYM_FUNC && e->fn->is_prog
					  : (props & MT_OF_MAPS)     ? e->kind == IR_SYM_MAP
								     : false;
				if (!ok || mp->init[k].index >= mp->max_entries) {
					diag_error(d, loc, "init entry %u: $%s is not a valid element of map $%s",
						   mp->init[k].index, e->name, s->name);
					errors++;
				}
			}
			if (mp->def && (ir_type(m, ir_type_strip(m, mp->def))->kind != IRT_STRUCT ||
					!ir_type_size(m, mp->def))) {
				diag_error(d, loc, "def= of map $%s is not a struct with a size", s->name);
				errors++;
			}
			if (mp->is_extern && (mp->ninit || mp->is_template)) {
				diag_error(d, loc, "extern map $%s is defined in another object: it has no "
						   "init entries and is no template", s->name);
				errors++;
			}
		} else if (s->kind == IR_SYM_GLOBAL) {
			if (!ir_type_size(m, s->global.type)) {
				diag_error(d, loc, "global $%s has a type without a size", s->name);
				errors++;
			}
			errors += check_data_relocs(m, d, s, loc);
		} else if (s->kind == IR_SYM_EXTERN && s->ext.section && s->ext.kind != IR_EXT_VAR) {
			diag_error(d, loc, "only an extern var is declared in a section");
			errors++;
		}
		bool local = (s->kind == IR_SYM_GLOBAL && s->global.linkage == IR_STATIC) ||
			     (s->kind == IR_SYM_FUNC && !s->fn->is_prog && s->fn->linkage == IR_STATIC &&
			      !s->hidden);
		if (s->weak && local) {
			diag_error(d, loc, "$%s is static: only a global symbol can be weak", s->name);
			errors++;
		}
		if (s->hidden && s->kind == IR_SYM_GLOBAL && s->global.linkage == IR_STATIC) {
			diag_error(d, loc, "$%s is static: only a global symbol can be hidden", s->name);
			errors++;
		}
	}
	return errors;
}

unsigned ir_verify_module(struct ir_module *m, struct diag *d)
{
	if (!d)
		d = m->diag;
	unsigned errors = check_types_table(m, d) + check_symbols(m, d);
	for (uint32_t i = 1; i < m->syms.len && !d->limit_reached; i++)
		if (ir_sym(m, i)->kind == IR_SYM_FUNC)
			errors += ir_verify_func(ir_sym(m, i)->fn, d);
	return errors;
}
