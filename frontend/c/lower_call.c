/* Calls in C: BPF helpers through bpf_helper_defs.h's pointer variables,
 * kfuncs (__ksym externs), BPF-to-BPF subprograms, functions of another
 * object (static linking), functions inlined at the call (always_inline,
 * and static functions at -O1 and above), and library functions the
 * compiler provides (memcpy, memset, memcmp). */
#include "frontend/c/lower_internal.h"

#include <string.h>

/* The function expression of a call without its decays and no-ops. */
static struct cexpr *callee_expr(struct cexpr *e)
{
	while ((e->op == E_CONV || e->op == E_CAST) &&
	       (e->ck == CK_FUNC_DECAY || e->ck == CK_NOOP || e->ck == CK_LVAL))
		e = e->u.bin.a;
	while (e->op == E_DEREF && e->u.bin.a->type->kind == TY_PTR &&
	       e->u.bin.a->type->u.pointee->kind == TY_FUNC)
		e = callee_expr(e->u.bin.a);
	return e;
}

/* An argument's value in the form a call passes it: structs and unions by
 * the address of a copy (subprograms), or of the value (inlined calls copy). */
static ir_ref arg_value(struct lf *lf, struct cexpr *a, bool by_ref)
{
	if (lt_is_aggregate(a->type)) {
		if (!by_ref) {
			lf_unsupported(lf, a->loc,
				       "passing a struct or union by value to a helper or kfunc");
			return lf_con(lf, 0, VT_I64);
		}
		return lx_rvalue(lf, a);
	}
	if (ctype_is_floating(a->type)) {
		lf_unsupported(lf, a->loc, "floating-point arguments");
		return lf_con(lf, 0, VT_I64);
	}
	return lx_rvalue(lf, a);
}

/* The C result of a call made with IR type `got`. */
static ir_ref result(struct lf *lf, ir_ref r, ir_vt got, struct ctype *t)
{
	ir_vt want = lt_vt(t);
	if (want.cls == IR_VOID || r == IR_NOREF)
		return r;
	if (got.cls == IR_I64 && want.cls == IR_I32)
		return lx_convert(lf, r, lf->L->tu->ty[TY_ULLONG], t);
	if (got.cls == IR_I64 && want.cls == IR_PTR)
		return lf_emit(lf, IR_CAST, VT_PTR(ANY), &r, 1);
	if (got.cls == IR_PTR && want.cls != IR_PTR)
		return lx_convert(lf, lf_emit(lf, IR_CAST, VT_I64, &r, 1), lf->L->tu->ty[TY_ULLONG],
				  t);
	return r;
}

static ir_ref helper_call(struct lf *lf, int id, struct cexpr *e)
{
	const struct ir_helper *h = ir_helper_by_id(id);
	if (!h) {
		lf_error(lf, e->loc, "BPF helper %d is not known to this compiler", id);
		return lf_con(lf, 0, VT_I64);
	}
	uint32_t n = e->u.call.nargs;
	if (n > 5) {
		lf_error(lf, e->loc, "bpf_%s takes at most 5 arguments, %u given", h->name, n);
		return lf_con(lf, 0, VT_I64);
	}
	ir_ref args[6];
	args[0] = IR_REF(REF_HLP, (uint32_t)id);
	for (uint32_t i = 0; i < n; i++) {
		struct cexpr *a = e->u.call.args[i];
		args[i + 1] = arg_value(lf, a, false);
		/* a NULL where a pointer goes (an optional context, socket or
		 * callback context) is a pointer, not a number */
		if (a->type->kind == TY_PTR && lf_is_con(args[i + 1]) &&
		    !lf_con_val(lf, args[i + 1]) && h->args[i] != HA_MEM && h->args[i] != HA_UNINIT)
			args[i + 1] = lf_null(lf);
	}
	struct ctype *rt = e->type;
	ir_vt vt = VT_VOID;
	if (!ctype_is_void(rt))
		vt = h->ret == HR_INT || h->ret == HR_VOID ? VT_I64 : VT_PTR(ANY);
	ir_ref r = lf_emit(lf, IR_CALL, vt, args, n + 1);
	return result(lf, r, vt, rt);
}

static ir_ref sym_call(struct lf *lf, uint32_t sym, struct cexpr *e, ir_vt rvt, const ir_vt *params,
		       uint32_t np, bool by_ref, struct cdecl *fn)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < e->u.call.nargs; i++)
		n += !fn || lc_param_passed(lf->L, fn, i);
	if (n > 5) {
		lf_error(lf, e->loc, "a BPF call passes at most 5 arguments, not %u", n);
		return lf_con(lf, 0, VT_I64);
	}
	ir_ref args[6];
	args[0] = IR_REF(REF_SYM, sym);
	for (uint32_t i = 0, k = 0; k < n; i++) {
		struct cexpr *a = e->u.call.args[i];
		if (fn && !lc_param_passed(lf->L, fn, i)) {
			lx_discard(lf, a); /* a parameter the callee never reads */
			continue;
		}
		uint32_t j = k++;
		args[j + 1] = arg_value(lf, a, by_ref);
		if (by_ref && lt_is_aggregate(a->type)) {
			uint32_t var = lf_var_new(lf, NULL, a->type, true);
			vec_push(&lf->scope,
				 var); /* the copy lives until the enclosing block ends */
			lx_memcpy(lf, lf->vars.data[var].addr, args[j + 1], ctype_size(a->type));
			args[j + 1] = lf->vars.data[var].addr;
		}
		if (i < np && params[i].cls == IR_PTR)
			args[j + 1] = lf_coerce(lf, args[j + 1], params[i]);
		else if (i < np && params[i].cls == IR_I64 &&
			 lf_vt(lf, args[j + 1], VT_I64).cls == IR_I32)
			args[j + 1] = lf_op1(lf, IR_ZEXT, VT_I64, args[j + 1]);
	}
	return lf_emit(lf, IR_CALL, rvt, args, n + 1);
}

/* A call of symbol s as of a global subprogram fn; a 32-bit result taken
 * as 64 bits and narrowed when `widen` (another compiler's callee may
 * leave the upper half undefined). */
static ir_ref fn_call(struct lf *lf, uint32_t s, struct cdecl *fn, struct cexpr *e, bool widen)
{
	struct ctype *rt = fn->type->u.fn->ret;
	ir_vt rvt = ctype_is_void(rt) ? VT_VOID : lt_vt(rt);
	if (!ctype_is_void(rt) && rvt.cls == IR_VOID) {
		lf_unsupported(lf, e->loc,
			       "calling a function that returns a struct, union or floating value");
		return lf_con(lf, 0, VT_I64);
	}
	ir_vt params[32];
	struct cfunc *cf = fn->type->u.fn;
	for (uint32_t i = 0; i < cf->nparams && i < 32; i++)
		params[i] = lc_param_vt(fn, cf->params[i].type);
	ir_vt got = widen && rvt.cls == IR_I32 ? VT_I64 : rvt;
	ir_ref r = sym_call(lf, s, e, got, params, MIN(cf->nparams, 32u), true, fn);
	return widen ? result(lf, r, got, rt) : r;
}

static ir_ref subprog_call(struct lf *lf, struct cdecl *fn, struct cexpr *e)
{
	uint32_t s = lc_subprog_sym(lf->L, fn, e->loc);
	return s ? fn_call(lf, s, fn, e, false) : lf_con(lf, 0, VT_I64);
}

/* A call of kfunc symbol s; the call's type is its result's. */
static ir_ref kfunc_call(struct lf *lf, uint32_t s, struct cexpr *e)
{
	if (!s)
		return lf_con(lf, 0, VT_I64);
	struct ctype *rt = e->type;
	ir_vt rvt = ctype_is_void(rt) ? VT_VOID : lt_vt(rt);
	if (!ctype_is_void(rt) && rvt.cls == IR_VOID) {
		lf_unsupported(lf, e->loc,
			       "a kfunc that returns a struct, union or floating value");
		return lf_con(lf, 0, VT_I64);
	}
	ir_vt params[5] = { 0 };
	return sym_call(lf, s, e, rvt, params, 0, false, NULL);
}

/* bpf_legacy.h's load_byte/half/word, asm("llvm.bpf.load.*"): LLVM's
 * legacy packet loads (BPF_LD_ABS/BPF_LD_IND) of the context's packet. */
static ir_ref llvm_intrinsic(struct lf *lf, struct cdecl *fn, const char *label, struct cexpr *e)
{
	static const struct {
		const char *name;
		unsigned op;
	} loads[] = {
		{ "llvm.bpf.load.byte", IR_LDPKT_U8 },
		{ "llvm.bpf.load.half", IR_LDPKT_U16 },
		{ "llvm.bpf.load.word", IR_LDPKT_U32 },
	};
	size_t i = 0;
	while (i < ARRAY_LEN(loads) && strcmp(loads[i].name, label))
		i++;
	if (i == ARRAY_LEN(loads) || e->u.call.nargs != 2) {
		lf_error(lf, e->loc, "'%s' is LLVM's intrinsic %s, which has no BPF meaning here",
			 lw_name(fn), label);
		return lf_con(lf, 0, VT_I64);
	}
	ir_ref args[2] = { lf_coerce(lf, lx_rvalue(lf, e->u.call.args[0]), VT_PTR(CTX)),
			   lx_rvalue(lf, e->u.call.args[1]) };
	if (lf_vt(lf, args[1], VT_I64).cls == IR_I32)
		args[1] = lf_op1(lf, IR_ZEXT, VT_I64, args[1]);
	ir_ref r = lf_emit(lf, loads[i].op, VT_I64, args, 2);
	return result(lf, r, VT_I64, e->type);
}

/* A function another object defines: called as a global subprogram is
 * (bpftool gen object links the objects before they are loaded). */
static ir_ref extern_call(struct lf *lf, struct cdecl *fn, struct cexpr *e)
{
	const char *label = fn->attrs ? fn->attrs->asm_label : NULL;
	if (label && !strncmp(label, "llvm.", 5))
		return llvm_intrinsic(lf, fn, label, e);
	uint32_t s = ld_extern_sym(lf->L, fn);
	return s ? fn_call(lf, s, fn, e, true) : lf_con(lf, 0, VT_I64);
}

static ir_ref inline_call(struct lf *lf, struct cdecl *fn, struct cexpr *e)
{
	struct lfninfo *fi = lc_info(lf->L, fn);
	uint32_t n = e->u.call.nargs;
	ir_ref args[16];
	if (n > ARRAY_LEN(args) || n != fn->u.fn.nparams) {
		lf_unsupported(lf, e->loc, "inlining a call with this many arguments");
		return lf_con(lf, 0, VT_I64);
	}
	for (uint32_t i = 0; i < n; i++)
		args[i] = arg_value(lf, e->u.call.args[i], true);
	fi->expanding = true;
	ir_ref r = ls_inline(lf, fn, args, n, e->loc);
	fi->expanding = false;
	return r;
}

static const struct ir_ins *def_of(struct lf *lf, uint32_t tmp)
{
	for (uint32_t b = 0; b < lf->f->blocks.len; b++)
		vec_foreach (&lf->f->blocks.data[b]->ins, in)
			if (in->dst == tmp)
				return in;
	return NULL;
}

/* The symbol value v always is, through casts, copies and phis (SSA
 * construction makes phis of one value at joins); IR_NOREF if unknown,
 * `busy` for a phi on the path (a loop back to it adds no value). */
static ir_ref sym_value(struct lf *lf, ir_ref v, uint32_t *path, unsigned depth)
{
	const ir_ref busy = IR_REF(REF_NONE, 1);
	if (ir_ref_kind(v) == REF_SYM)
		return v;
	if (ir_ref_kind(v) != REF_TMP || depth >= 64)
		return IR_NOREF;
	for (unsigned i = 0; i < depth; i++)
		if (path[i] == ir_ref_idx(v))
			return busy;
	const struct ir_ins *def = def_of(lf, ir_ref_idx(v));
	if (!def || (def->op != IR_CAST && def->op != IR_COPY && def->op != IR_PHI))
		return IR_NOREF;
	path[depth] = ir_ref_idx(v);
	if (def->op != IR_PHI)
		return sym_value(lf, def->args[0], path, depth + 1);
	ir_ref one = busy;
	for (unsigned a = 1; a < def->nargs && one != IR_NOREF; a += 2) {
		ir_ref r = sym_value(lf, def->args[a], path, depth + 1);
		if (r == IR_NOREF || (r != busy && one != busy && r != one))
			one = IR_NOREF;
		else if (r != busy)
			one = r;
	}
	return one;
}

/* The kfunc a function pointer holds when its value is known here (a
 * parameter of an inlined function given a kfunc), or 0. */
static uint32_t known_callee(struct lf *lf, struct cexpr *fn)
{
	if (fn->op == E_DECL && fn->u.decl->kind != CD_VAR)
		return 0;
	uint32_t path[64];
	ir_ref v = sym_value(lf, lx_rvalue(lf, fn), path, 0);
	if (ir_ref_kind(v) != REF_SYM)
		return 0;
	const struct ir_sym *sym = ir_sym(lf->f->mod, ir_ref_idx(v));
	return sym->kind == IR_SYM_EXTERN && sym->ext.kind == IR_EXT_KFUNC ? ir_ref_idx(v) : 0;
}

/* Library functions clang expands inline for BPF. */
static int library_builtin(const struct cdecl *d)
{
	static const struct {
		const char *name;
		int id;
	} libs[] = {
		{ "memcpy", CB_MEMCPY },
		{ "memset", CB_MEMSET },
		{ "memmove", CB_MEMMOVE },
		{ "memcmp", CB_MEMCMP },
	};
	for (size_t i = 0; i < ARRAY_LEN(libs); i++)
		if (!strcmp(lw_name(d), libs[i].name))
			return libs[i].id;
	return CB_NONE;
}

ir_ref lc_call(struct lf *lf, struct cexpr *e)
{
	struct cexpr *fe = callee_expr(e->u.call.fn);
	if (fe->op == E_DECL) {
		struct cdecl *d = fe->u.decl;
		int id;
		if (d->kind == CD_VAR && ld_helper_id(lf->L, d, &id))
			return helper_call(lf, id, e);
		if (d->kind == CD_FUNC) {
			if (d->u.fn.body) {
				struct lfninfo *fi = lc_info(lf->L, d);
				/* a global function is still inlined at its calls, as clang
				 * does, unless noinline: its own copy stays for others */
				bool inl = fi->kind == LF_INLINE ||
					   (fi->kind == LF_SUBPROG && d->linkage == CL_EXTERNAL &&
					    lc_inlinable(lf->L, d));
				if (inl && !fi->expanding && lf->depth < 64)
					return inline_call(lf, d, e);
				return subprog_call(lf, d, e);
			}
			const char *sec = d->attrs ? d->attrs->section : NULL;
			if (sec && !strcmp(sec, ".ksyms"))
				return kfunc_call(lf, ld_extern_sym(lf->L, d), e);
			int lib = library_builtin(d);
			if (lib != CB_NONE) {
				struct cexpr be = *e;
				be.op = E_BUILTIN;
				be.u.bi.id = (uint16_t)lib;
				be.u.bi.args = e->u.call.args;
				be.u.bi.nargs = e->u.call.nargs;
				be.u.bi.targ = NULL;
				return lb_builtin(lf, &be);
			}
			return extern_call(lf, d, e);
		}
	}
	/* ((long (*)(...))N)(...): a helper by number */
	struct cconst c;
	if (ceval_const(e->u.call.fn, &c) && c.kind == CC_INT && c.ival > 0)
		return helper_call(lf, (int)c.ival, e);
	/* a pointer whose value inlining made known: a kfunc */
	uint32_t s = known_callee(lf, e->u.call.fn);
	if (s)
		return kfunc_call(lf, s, e);
	lf_unsupported(lf, e->loc, "calls through function pointers");
	return lf_con(lf, 0, VT_I64);
}
