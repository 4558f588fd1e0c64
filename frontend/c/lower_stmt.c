/* C statements as IR control flow: blocks and their scopes (stack slots
 * reused after a block ends), local variables in SSA or in memory when
 * their address is taken, if/while/do/for (constant conditions lower only
 * the branch taken), switch as compare chains, labels and goto, break,
 * continue and return (inside an inlined function: a jump to its end). */
#include "frontend/c/lower_internal.h"

#include <string.h>

/* ---- which locals live in memory ------------------------------------------------------ */

static struct cdecl *base_decl(struct cexpr *e)
{
	for (;;) {
		switch (e->op) {
		case E_DECL:
			return e->u.decl;
		case E_MEMBER:
			if (e->flags & EF_ARROW)
				return NULL;
			e = e->u.m.base;
			break;
		case E_CONV:
		case E_CAST:
			if (e->ck != CK_NOOP && e->ck != CK_ARRAY_DECAY && e->ck != CK_LVAL)
				return NULL;
			e = e->u.bin.a;
			break;
		case E_INDEX:
			/* a[i] where a is an array: its decay */
			e = e->u.bin.a;
			break;
		default:
			return NULL;
		}
	}
}

static void scan_expr(struct lf *lf, struct cexpr *e);
static void scan_stmt(struct lf *lf, struct cstmt *s);

static void scan_init(struct lf *lf, struct cinit *in)
{
	if (!in)
		return;
	if (in->kind == CI_EXPR) {
		scan_expr(lf, in->u.expr);
		return;
	}
	for (uint32_t i = 0; i < in->u.list.n; i++)
		scan_init(lf, in->u.list.elems[i].init);
}

static void mark(struct lf *lf, struct cexpr *e)
{
	struct cdecl *d = base_decl(e);
	if (d && d->kind == CD_VAR)
		pmap_put(&lf->addr_taken, pkey(d), 1);
}

static void scan_expr(struct lf *lf, struct cexpr *e)
{
	if (!e)
		return;
	switch (e->op) {
	case E_ADDR:
		mark(lf, e->u.bin.a);
		scan_expr(lf, e->u.bin.a);
		return;
	case E_CONV:
	case E_CAST:
		if (e->ck == CK_ARRAY_DECAY)
			mark(lf, e->u.bin.a);
		scan_expr(lf, e->u.bin.a);
		return;
	case E_MEMBER:
		scan_expr(lf, e->u.m.base);
		return;
	case E_COND:
		scan_expr(lf, e->u.cond.c);
		scan_expr(lf, e->u.cond.a);
		scan_expr(lf, e->u.cond.b);
		return;
	case E_CALL:
		scan_expr(lf, e->u.call.fn);
		for (uint32_t i = 0; i < e->u.call.nargs; i++)
			scan_expr(lf, e->u.call.args[i]);
		return;
	case E_BUILTIN:
		for (uint32_t i = 0; i < e->u.bi.nargs; i++)
			scan_expr(lf, e->u.bi.args[i]);
		return;
	case E_COMPOUND_LIT:
		scan_init(lf, e->u.lit.obj->u.var.init);
		return;
	case E_STMT_EXPR:
		scan_stmt(lf, e->u.stmt);
		return;
	case E_VA_ARG:
		scan_expr(lf, e->u.va.ap);
		return;
	case E_INT:
	case E_FLOAT:
	case E_STRING:
	case E_DECL:
	case E_ERROR:
		return;
	default:
		scan_expr(lf, e->u.bin.a);
		if (cexpr_is_binary(e->op))
			scan_expr(lf, e->u.bin.b);
		return;
	}
}

static void scan_stmt(struct lf *lf, struct cstmt *s)
{
	if (!s)
		return;
	switch (s->kind) {
	case S_COMPOUND:
		for (uint32_t i = 0; i < s->u.block.n; i++)
			scan_stmt(lf, s->u.block.items[i]);
		break;
	case S_EXPR:
	case S_RETURN:
		scan_expr(lf, s->u.expr);
		break;
	case S_DECL:
		for (uint32_t i = 0; i < s->u.decl.n; i++)
			if (s->u.decl.decls[i]->kind == CD_VAR)
				scan_init(lf, s->u.decl.decls[i]->u.var.init);
		break;
	case S_IF:
		scan_expr(lf, s->u.if_.cond);
		scan_stmt(lf, s->u.if_.then);
		scan_stmt(lf, s->u.if_.els);
		break;
	case S_WHILE:
	case S_DO:
	case S_FOR:
		scan_stmt(lf, s->u.loop.init);
		scan_expr(lf, s->u.loop.cond);
		scan_expr(lf, s->u.loop.step);
		scan_stmt(lf, s->u.loop.body);
		break;
	case S_SWITCH:
		scan_expr(lf, s->u.sw.cond);
		scan_stmt(lf, s->u.sw.body);
		break;
	case S_CASE:
	case S_DEFAULT:
		scan_stmt(lf, s->u.case_.body);
		break;
	case S_LABEL:
		scan_stmt(lf, s->u.label.body);
		break;
	case S_ASM:
		for (uint32_t i = 0; i < s->u.asm_->noutputs; i++) {
			const char *c = s->u.asm_->outputs[i].constraint;
			if (c && strchr(c, 'm'))
				mark(lf, s->u.asm_->outputs[i].expr);
			scan_expr(lf, s->u.asm_->outputs[i].expr);
		}
		for (uint32_t i = 0; i < s->u.asm_->ninputs; i++) {
			const char *c = s->u.asm_->inputs[i].constraint;
			if (c && strchr(c, 'm'))
				mark(lf, s->u.asm_->inputs[i].expr);
			scan_expr(lf, s->u.asm_->inputs[i].expr);
		}
		break;
	default:
		break;
	}
}

/* ---- locals ------------------------------------------------------------------------------ */

static bool in_memory(struct lf *lf, struct cdecl *d)
{
	return lt_is_aggregate(d->type) || pmap_get(&lf->addr_taken, pkey(d), NULL);
}

void ls_local(struct lf *lf, struct cdecl *d)
{
	if (d->kind != CD_VAR || d->storage == CSC_STATIC || d->storage == CSC_EXTERN ||
	    (d->flags & CDF_LOCAL_STATIC))
		return;
	struct ctype *t = d->type;
	if (t->flags & CTF_VLA) {
		lf_unsupported(lf, d->loc, "variable-length arrays");
		return;
	}
	if (!lt_is_aggregate(t) && !lt_is_scalar(t)) {
		lf_unsupported(lf, d->loc,
			       ctype_is_floating(t) ? "floating-point variables"
						    : "a variable of this type");
		return;
	}
	if (ctype_size(t) > 512) {
		lf_error(lf, d->loc, "local variable '%s' takes %llu bytes; the BPF stack has 512",
			 lw_name(d), (unsigned long long)ctype_size(t));
		return;
	}
	lf_set_loc(lf, d->loc);
	bool mem = in_memory(lf, d);
	uint32_t var = lf_var_new(lf, d, t, mem);
	struct cinit *init = d->u.var.init;
	if (mem) {
		if (init)
			lx_init_mem(lf, lf->vars.data[var].addr, 0, init, t, false);
	} else if (init) {
		while (init->kind == CI_LIST && init->u.list.n == 1)
			init = init->u.list.elems[0].init;
		ir_ref v = init->kind == CI_EXPR ? lx_rvalue(lf, init->u.expr)
						 : lf_con(lf, 0, lt_vt(t));
		ls_keep_ctx(lf, var, v);
		lf_var_write(lf, var, v);
	}
	/* bound after the initializer: int x = x + 1 reads nothing useful either way */
	lf_var_bind(lf, d, var);
	vec_push(&lf->scope, var);
}

/* A pointer variable that starts as the program's context stays typed as
 * the context: accesses through it must remain ctx + constant. */
void ls_keep_ctx(struct lf *lf, uint32_t var, ir_ref v)
{
	struct lvar *lv = &lf->vars.data[var];
	if (!lv->mem && lv->vt.cls == IR_PTR && ir_ref_kind(v) == REF_TMP &&
	    lf_vt(lf, v, VT_PTR(ANY)).region == RG_CTX)
		lv->vt = VT_PTR(CTX);
}

/* Ends the scope of the variables declared since `mark`. */
void ls_scope_end(struct lf *lf, uint32_t mark)
{
	while (lf->scope.len > mark) {
		uint32_t var = vec_pop(&lf->scope);
		struct lvar *v = &lf->vars.data[var];
		lf_slot_release(lf, v->slot);
		if (v->decl)
			lf_var_unbind(lf, v->decl);
	}
}

/* ---- control flow ------------------------------------------------------------------------- */

/* Whether a statement can be entered other than from its start (labels,
 * and cases of the switch being lowered). */
bool ls_has_entry(struct cstmt *s, bool cases)
{
	if (!s)
		return false;
	switch (s->kind) {
	case S_LABEL:
		return true;
	case S_CASE:
	case S_DEFAULT:
		return cases || ls_has_entry(s->u.case_.body, cases);
	case S_COMPOUND:
		for (uint32_t i = 0; i < s->u.block.n; i++)
			if (ls_has_entry(s->u.block.items[i], cases))
				return true;
		return false;
	case S_IF:
		return ls_has_entry(s->u.if_.then, cases) || ls_has_entry(s->u.if_.els, cases);
	case S_WHILE:
	case S_DO:
	case S_FOR:
		return ls_has_entry(s->u.loop.body, cases);
	case S_SWITCH:
		return ls_has_entry(s->u.sw.body, false);
	default:
		return false;
	}
}

static uint32_t label_block(struct lf *lf, struct clabel *l)
{
	uintptr_t v;
	if (pmap_get(&lf->labels, pkey(l), &v))
		return (uint32_t)v - 1;
	uint32_t b = lf_block(lf);
	pmap_put(&lf->labels, pkey(l), b + 1);
	if (lf->inl)
		vec_push(&lf->inl->labels, l);
	return b;
}

static const struct ltarget *find_target(struct lf *lf, const struct cstmt *s)
{
	for (uint32_t i = lf->targets.len; i > 0; i--)
		if (lf->targets.data[i - 1].stmt == s)
			return &lf->targets.data[i - 1];
	return NULL;
}

void ls_push_target(struct lf *lf, const struct cstmt *s, uint32_t brk, uint32_t cont)
{
	struct ltarget t = { s, brk, cont };
	vec_push(&lf->targets, t);
}

static void stmt_if(struct lf *lf, struct cstmt *s)
{
	int64_t c;
	if (ceval_int(s->u.if_.cond, &c)) {
		struct cstmt *taken = c ? s->u.if_.then : s->u.if_.els;
		struct cstmt *other = c ? s->u.if_.els : s->u.if_.then;
		if (!ls_has_entry(other, true)) {
			ls_stmt(lf, taken);
			return;
		}
	}
	uint32_t bt = lf_block(lf), join = lf_block(lf);
	uint32_t bf = s->u.if_.els ? lf_block(lf) : join;
	lx_cond(lf, s->u.if_.cond, bt, bf);
	lf_seal(lf, bt);
	lf_set_block(lf, bt);
	ls_stmt(lf, s->u.if_.then);
	lf_jmp(lf, join);
	if (s->u.if_.els) {
		lf_seal(lf, bf);
		lf_set_block(lf, bf);
		ls_stmt(lf, s->u.if_.els);
		lf_jmp(lf, join);
	}
	lf_seal(lf, join);
	lf_set_block(lf, join);
}

static void stmt_switch(struct lf *lf, struct cstmt *s)
{
	struct cexpr *c = s->u.sw.cond;
	ir_ref v = lx_rvalue(lf, c);
	ir_vt vt = lt_vt(c->type);
	uint32_t exit = lf_block(lf);
	uint32_t deflt = exit;
	uint32_t *blocks = xmalloc(sizeof(uint32_t) * (s->u.sw.ncases + 1));
	for (uint32_t i = 0; i < s->u.sw.ncases; i++) {
		struct cstmt *cs = s->u.sw.cases[i];
		blocks[i] = lf_block(lf);
		pmap_put(&lf->cases, pkey(cs), blocks[i] + 1);
		if (cs->kind == S_DEFAULT)
			deflt = blocks[i];
	}
	/* the dispatch: a compare chain in source order */
	bool known = lf_is_con(v);
	int64_t kv = known ? lf_con_val(lf, v) : 0;
	if (vt.cls == IR_I32 && known)
		kv = ctype_is_signed(c->type) ? (int32_t)kv : (int64_t)(uint32_t)kv;
	for (uint32_t i = 0; i < s->u.sw.ncases && lf_live(lf); i++) {
		struct cstmt *cs = s->u.sw.cases[i];
		if (cs->kind != S_CASE)
			continue;
		int64_t lo = cs->u.case_.lo, hi = cs->u.case_.hi;
		if (known) {
			if (kv >= lo && kv <= hi)
				lf_jmp(lf, blocks[i]);
			continue;
		}
		uint32_t next = lf_block(lf);
		if (lo == hi) {
			lf_br(lf, IR_BR_EQ, v, lf_con(lf, lo, vt), blocks[i], next);
		} else {
			ir_ref d = lf_op2(lf, IR_SUB, vt, v, lf_con(lf, lo, vt));
			lf_br(lf, IR_BR_ULE, d, lf_con(lf, hi - lo, vt), blocks[i], next);
		}
		lf_seal(lf, next);
		lf_set_block(lf, next);
	}
	lf_jmp(lf, deflt);
	ls_push_target(lf, s, exit, LB_NONE);
	ls_stmt(lf, s->u.sw.body);
	lf->targets.len--;
	lf_jmp(lf, exit);
	for (uint32_t i = 0; i < s->u.sw.ncases; i++) {
		lf_seal(lf, blocks[i]);
		pmap_put(&lf->cases, pkey(s->u.sw.cases[i]), 0);
	}
	free(blocks);
	lf_seal(lf, exit);
	lf_set_block(lf, exit);
}

static void stmt_return(struct lf *lf, struct cstmt *s)
{
	struct cexpr *e = s->u.expr;
	if (lf->inl) {
		ir_ref v = e ? lx_rvalue(lf, e) : IR_NOREF;
		if (lf->inl->ret_var != LB_NONE && e)
			lf_var_write(lf, lf->inl->ret_var, v);
		lf_jmp(lf, lf->inl->ret_blk);
		return;
	}
	if (!e || ctype_is_void(e->type)) {
		if (e)
			lx_discard(lf, e);
		lf_ret(lf, lf->f->ret.cls == IR_VOID
				   ? IR_NOREF
				   : lf_coerce(lf, lf_con(lf, 0, lf->f->ret), lf->f->ret));
		return;
	}
	if (lt_is_aggregate(e->type)) {
		lf_unsupported(lf, e->loc, "returning a struct or union");
		return;
	}
	ir_ref v = lx_rvalue(lf, e);
	if (lf->f->ret.cls == IR_VOID) {
		lf_ret(lf, IR_NOREF);
		return;
	}
	if (lf_vt(lf, v, lf->f->ret).cls != lf->f->ret.cls)
		v = lx_convert(lf, v, e->type, lf->decl->type->u.fn->ret);
	lf_ret(lf, lf_coerce(lf, v, lf->f->ret));
}

void ls_stmt(struct lf *lf, struct cstmt *s)
{
	if (!s || lf->L->d->limit_reached)
		return;
	if (!lf_live(lf) && !ls_has_entry(s, true))
		return;
	lf_set_loc(lf, s->loc);
	switch (s->kind) {
	case S_NULL:
		break;
	case S_COMPOUND: {
		uint32_t mark = lf->scope.len;
		for (uint32_t i = 0; i < s->u.block.n; i++)
			ls_stmt(lf, s->u.block.items[i]);
		ls_scope_end(lf, mark);
		break;
	}
	case S_EXPR:
		lx_discard(lf, s->u.expr);
		break;
	case S_DECL:
		for (uint32_t i = 0; i < s->u.decl.n; i++)
			ls_local(lf, s->u.decl.decls[i]);
		break;
	case S_IF:
		stmt_if(lf, s);
		break;
	case S_WHILE:
	case S_DO:
	case S_FOR:
		ls_loop(lf, s);
		break;
	case S_SWITCH:
		stmt_switch(lf, s);
		break;
	case S_CASE:
	case S_DEFAULT: {
		uintptr_t b;
		if (!pmap_get(&lf->cases, pkey(s), &b)) {
			lf_error(lf, s->loc, "internal: case outside its switch");
			break;
		}
		lf_jmp(lf, (uint32_t)b - 1);
		lf_set_block(lf, (uint32_t)b - 1);
		ls_stmt(lf, s->u.case_.body);
		break;
	}
	case S_LABEL: {
		uint32_t b = label_block(lf, s->u.label.label);
		lf_jmp(lf, b);
		lf_set_block(lf, b);
		ls_stmt(lf, s->u.label.body);
		break;
	}
	case S_GOTO:
		lf_jmp(lf, label_block(lf, s->u.target));
		break;
	case S_BREAK:
	case S_CONTINUE: {
		const struct ltarget *t = find_target(lf, s->u.jump.target);
		uint32_t to = t ? (s->kind == S_BREAK ? t->brk : t->cont) : LB_NONE;
		if (to == LB_NONE) {
			lf_error(lf, s->loc, "internal: %s without its loop",
				 s->kind == S_BREAK ? "break" : "continue");
			break;
		}
		lf_jmp(lf, to);
		break;
	}
	case S_RETURN:
		stmt_return(lf, s);
		break;
	case S_ASM:
		ls_asm(lf, s->u.asm_);
		break;
	}
}

ir_ref ls_stmt_expr(struct lf *lf, struct cstmt *s, struct cexpr **last)
{
	*last = NULL;
	if (s->kind != S_COMPOUND || !s->u.block.n) {
		ls_stmt(lf, s);
		return IR_NOREF;
	}
	uint32_t mark = lf->scope.len;
	uint32_t n = s->u.block.n;
	for (uint32_t i = 0; i + 1 < n; i++)
		ls_stmt(lf, s->u.block.items[i]);
	struct cstmt *tail = s->u.block.items[n - 1];
	ir_ref v = IR_NOREF;
	bool keep = false;
	if (tail->kind == S_EXPR && tail->u.expr) {
		*last = tail->u.expr;
		lf_set_loc(lf, tail->loc);
		if (ctype_is_void(tail->u.expr->type)) {
			lx_discard(lf, tail->u.expr);
		} else {
			v = lx_rvalue(lf, tail->u.expr);
			keep = lt_is_aggregate(tail->u.expr->type);
		}
	} else {
		ls_stmt(lf, tail);
	}
	/* an aggregate value is read from its slot after the expression: keep it */
	if (!keep)
		ls_scope_end(lf, mark);
	else
		lf->scope.len = mark;
	return v;
}

void ls_function(struct lf *lf, struct cdecl *fn)
{
	scan_stmt(lf, fn->u.fn.body);
	bool is_prog = lf->f->is_prog;
	for (uint32_t i = 0, k = 0; i < fn->u.fn.nparams && k < lf->f->params.len; i++) {
		struct cdecl *p = fn->u.fn.params[i];
		if (!is_prog && !lc_param_passed(lf->L, fn, i))
			continue; /* never read */
		uint32_t ptmp = lf->f->params.data[k++];
		ir_ref pv = ir_tmp_ref(ptmp);
		bool mem = in_memory(lf, p);
		if (lt_is_aggregate(p->type)) {
			lf_var_bind(lf, p, lf_var_at(lf, p, p->type, pv));
			continue;
		}
		if (!lt_is_scalar(p->type)) {
			lf_unsupported(lf, p->loc, "a parameter of this type");
			return;
		}
		uint32_t var = lf_var_new(lf, p, p->type, mem);
		if (lt_vt(p->type).cls == IR_I32 && lf->f->tmps.data[ptmp].ty.cls == IR_I64)
			pv = lf_op1(lf, IR_TRUNC, VT_I32, pv);
		if (mem) {
			struct lval lv = { .kind = LV_MEM,
					   .base = lf->vars.data[var].addr,
					   .type = p->type };
			lx_store(lf, &lv, pv);
		} else {
			ir_vt pt = lf->f->tmps.data[ptmp].ty;
			if (pt.cls == IR_PTR && pt.region == RG_CTX)
				lf->vars.data[var].vt = pt;
			lf_var_write(lf, var, pv);
		}
		lf_var_bind(lf, p, var);
	}
	ls_stmt(lf, fn->u.fn.body);
	if (lf_live(lf)) {
		lf_set_loc(lf, fn->u.fn.body->u.block.end);
		lf_ret(lf, lf->f->ret.cls == IR_VOID
				   ? IR_NOREF
				   : lf_coerce(lf, lf_con(lf, 0, lf->f->ret), lf->f->ret));
	}
}

/* ---- inlined calls
 * ------------------------------------------------------------------------------- */

ir_ref ls_inline(struct lf *lf, struct cdecl *fn, const ir_ref *args, uint32_t nargs,
		 struct srcloc loc)
{
	struct ctype *ret = fn->type->u.fn->ret;
	ir_vt rvt = lt_vt(ret);
	if (!ctype_is_void(ret) && rvt.cls == IR_VOID) {
		lf_unsupported(lf, loc,
			       "calling a function that returns a struct, union or floating value");
		return IR_NOREF;
	}
	struct linline in = { .fn = fn, .up = lf->inl };
	in.ret_blk = lf_block(lf);
	in.ret_var = ctype_is_void(ret) ? LB_NONE : lf_ssa_var(lf, rvt);
	scan_stmt(lf, fn->u.fn.body);
	uint32_t mark = lf->scope.len;
	for (uint32_t i = 0; i < fn->u.fn.nparams && i < nargs; i++) {
		struct cdecl *p = fn->u.fn.params[i];
		if (!lt_is_scalar(p->type) && !lt_is_aggregate(p->type)) {
			lf_unsupported(lf, p->loc, "a parameter of this type");
			return IR_NOREF;
		}
		uint32_t var = lf_var_new(lf, p, p->type, in_memory(lf, p));
		if (lt_is_aggregate(p->type)) {
			lx_memcpy(lf, lf->vars.data[var].addr, args[i], ctype_size(p->type));
		} else if (lf->vars.data[var].mem) {
			struct lval lv = { .kind = LV_MEM,
					   .base = lf->vars.data[var].addr,
					   .type = p->type };
			lx_store(lf, &lv, args[i]);
		} else {
			ls_keep_ctx(lf, var, args[i]);
			lf_var_write(lf, var, args[i]);
		}
		lf_var_bind(lf, p, var);
		vec_push(&lf->scope, var);
	}
	lf->inl = &in;
	lf->depth++;
	struct srcloc saved = lf->loc;
	ls_stmt(lf, fn->u.fn.body);
	lf_jmp(lf, in.ret_blk);
	lf->loc = saved;
	lf->depth--;
	lf->inl = in.up;
	ls_scope_end(lf, mark);
	/* the instance's labels are done: another call gets new blocks */
	vec_foreach (&in.labels, l) {
		uintptr_t b;
		if (pmap_get(&lf->labels, pkey(*l), &b))
			lf_seal(lf, (uint32_t)b - 1);
		pmap_put(&lf->labels, pkey(*l), 0);
	}
	vec_free(&in.labels);
	lf_seal(lf, in.ret_blk);
	lf_set_block(lf, in.ret_blk);
	return in.ret_var == LB_NONE ? IR_NOREF : lf_var_read(lf, in.ret_var);
}
