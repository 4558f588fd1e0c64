/* The C lowering's function builder: blocks and instructions located in the
 * C source, stack slots (reused once a variable's block ends), and SSA
 * construction for local variables as they are assigned (Braun et al.,
 * "Simple and Efficient Construction of SSA Form"): blocks whose
 * predecessors are not all known get placeholder phis, completed when the
 * block is sealed; trivial phis go at the end. */
#include "frontend/c/lower_internal.h"
#include "ir/pass.h"

#include <stdlib.h>
#include <string.h>

/* ---- pointer maps --------------------------------------------------------------- */

static uint32_t pslot(const struct pmap *m, uint64_t key)
{
	uint32_t mask = m->cap - 1, i = (uint32_t)w_hash_u64(key) & mask;
	while (m->keys[i] && m->keys[i] != key + 1)
		i = (i + 1) & mask;
	return i;
}

bool pmap_get(const struct pmap *m, uint64_t key, uintptr_t *val)
{
	if (!m->cap)
		return false;
	uint32_t i = pslot(m, key);
	if (!m->keys[i] || !m->vals[i])
		return false;
	if (val)
		*val = m->vals[i];
	return true;
}

void pmap_put(struct pmap *m, uint64_t key, uintptr_t val)
{
	if (2 * (m->n + 1) > m->cap) {
		struct pmap old = *m;
		m->cap = old.cap ? old.cap * 2 : 16;
		m->keys = xcalloc(m->cap, sizeof(*m->keys));
		m->vals = xcalloc(m->cap, sizeof(*m->vals));
		m->n = 0;
		for (uint32_t i = 0; i < old.cap; i++)
			if (old.keys[i]) {
				uint32_t j = pslot(m, old.keys[i] - 1);
				m->keys[j] = old.keys[i];
				m->vals[j] = old.vals[i];
				m->n++;
			}
		free(old.keys);
		free(old.vals);
	}
	uint32_t i = pslot(m, key);
	if (!m->keys[i]) {
		m->keys[i] = key + 1;
		m->n++;
	}
	m->vals[i] = val;
}

void pmap_free(struct pmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- errors --------------------------------------------------------------------- */

void lf_error(struct lf *lf, struct srcloc loc, const char *fmt, ...)
{
	if (lf->cur == LB_NONE)
		return; /* unreachable code */
	va_list ap;
	va_start(ap, fmt);
	struct buf b = { 0 };
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	struct ldeferred e = { lf->cur, loc.file ? loc : lf->loc,
			       arena_strdup(&lf->f->arena, buf_cstr(&b)) };
	buf_free(&b);
	vec_push(&lf->deferred, e);
	lf->errors++;
}

static void report(struct lf *lf, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vreport(lf->L->d, DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

unsigned lf_flush_errors(struct lf *lf)
{
	if (!lf->deferred.len)
		return 0;
	/* which blocks the entry reaches (the CFG as built so far) */
	uint32_t n = lf->f->blocks.len, *stack = xmalloc(sizeof(uint32_t) * (n + 1)), sp = 0;
	bool *seen = xcalloc(n, sizeof(bool));
	stack[sp++] = 0;
	seen[0] = true;
	while (sp) {
		uint32_t b = stack[--sp], succ[2];
		const struct ir_ins *t = ir_block_term(lf->f, b);
		unsigned ns = t ? ir_succs(t, succ) : 0;
		if (b == 0 && !t)
			succ[ns++] = 1; /* the entry falls into the body at the end */
		for (unsigned k = 0; k < ns; k++)
			if (!seen[succ[k]]) {
				seen[succ[k]] = true;
				stack[sp++] = succ[k];
			}
	}
	unsigned reported = 0;
	vec_foreach (&lf->deferred, e)
		if (e->block < n && seen[e->block]) {
			report(lf, e->loc, "%s", e->msg);
			reported++;
		}
	lf->L->errors += reported;
	free(stack);
	free(seen);
	vec_free(&lf->deferred);
	lf->errors = reported;
	return reported;
}

void lf_unsupported(struct lf *lf, struct srcloc loc, const char *what)
{
	lf_error(lf, loc, "%s not supported yet", what);
}

/* ---- blocks and instructions ------------------------------------------------------- */

void lf_set_loc(struct lf *lf, struct srcloc loc)
{
	if (loc.file && loc.line)
		lf->loc = loc;
}

struct ir_loc lf_iloc(struct lf *lf)
{
	struct ir_loc l = { 0 };
	struct src_file *sf = srcmgr_file(lf->L->d->sm, lf->loc.file);
	if (!sf || !lf->loc.line)
		return l;
	l.file = ir_file(lf->f->mod, sf->path);
	l.line = lf->loc.line;
	l.col = lf->loc.col;
	return l;
}

uint32_t lf_block(struct lf *lf)
{
	uint32_t b = ir_block_new(lf->f, NULL);
	struct lblock lb = { 0 };
	vec_push(&lf->blocks, lb);
	W_ASSERT(lf->blocks.len == lf->f->blocks.len);
	return b;
}

static void edge(struct lf *lf, uint32_t from, uint32_t to)
{
	W_ASSERT(!lf->blocks.data[to].sealed);
	vec_push(&lf->blocks.data[to].preds, from);
}

void lf_set_block(struct lf *lf, uint32_t b)
{
	/* a sealed block nothing jumps to is unreachable: emit nothing there */
	struct lblock *lb = &lf->blocks.data[b];
	lf->cur = lb->sealed && !lb->preds.len && b != 1 ? LB_NONE : b;
}

bool lf_live(const struct lf *lf)
{
	return lf->cur != LB_NONE;
}

ir_ref lf_con(struct lf *lf, int64_t v, ir_vt vt)
{
	if (vt.cls == IR_I32)
		v = (int64_t)(uint32_t)v;
	return ir_con(lf->f, v);
}

bool lf_is_con(ir_ref r)
{
	return ir_ref_kind(r) == REF_CON;
}

int64_t lf_con_val(struct lf *lf, ir_ref r)
{
	return ir_con_val(lf->f, r);
}

ir_vt lf_vt(struct lf *lf, ir_ref r, ir_vt con_vt)
{
	switch (ir_ref_kind(r)) {
	case REF_TMP:
		return lf->f->tmps.data[ir_ref_idx(r)].ty;
	case REF_SYM: {
		const struct ir_sym *s = ir_sym(lf->f->mod, ir_ref_idx(r));
		switch (s->kind) {
		case IR_SYM_MAP:
			return VT_PTR(MAP);
		case IR_SYM_GLOBAL:
			return VT_PTR(GLOBAL);
		case IR_SYM_FUNC:
			return VT_PTR(FUNC);
		default:
			return s->ext.kind == IR_EXT_KSYM ? VT_PTR(BTF) : VT_PTR(GLOBAL);
		}
	}
	default:
		return con_vt;
	}
}

ir_ref lf_emit(struct lf *lf, unsigned op, ir_vt vt, const ir_ref *args, unsigned n)
{
	if (lf->cur == LB_NONE) {
		if (vt.cls == IR_VOID)
			return IR_NOREF;
		return vt.cls == IR_PTR ? lf_null(lf) : lf_con(lf, 0, vt);
	}
	uint32_t dst = vt.cls != IR_VOID ? ir_tmp_new(lf->f, NULL, vt) : 0;
	struct ir_ins *in = ir_emit(lf->f, lf->cur, op, vt, dst, args, n);
	in->loc = lf_iloc(lf);
	return dst ? ir_tmp_ref(dst) : IR_NOREF;
}

void lf_emit0(struct lf *lf, unsigned op, const ir_ref *args, unsigned n)
{
	lf_emit(lf, op, VT_VOID, args, n);
}

ir_ref lf_op1(struct lf *lf, unsigned op, ir_vt vt, ir_ref a)
{
	int64_t r;
	if (lf_is_con(a) && ir_op_is(op, OP_UN) &&
	    ir_eval(op, op == IR_ZEXT || op == IR_TRUNC ? IR_I64 : vt.cls, lf_con_val(lf, a), 0,
		    &r))
		return lf_con(lf, r, vt);
	return lf_emit(lf, op, vt, &a, 1);
}

ir_ref lf_op2(struct lf *lf, unsigned op, ir_vt vt, ir_ref a, ir_ref b)
{
	int64_t r;
	if (lf_is_con(a) && lf_is_con(b) && ir_op_is(op, OP_BIN | OP_CMP) && vt.cls != IR_PTR) {
		/* comparisons are evaluated at their operands' width, which the
		 * caller passes as vt when it asks for a folded comparison */
		if (ir_eval(op, vt.cls, lf_con_val(lf, a), lf_con_val(lf, b), &r))
			return lf_con(lf, r, ir_op_is(op, OP_CMP) ? VT_I32 : vt);
	}
	ir_ref args[2] = { a, b };
	return lf_emit(lf, op, vt, args, 2);
}

static void term(struct lf *lf, unsigned op, const ir_ref *args, unsigned n, uint32_t t, uint32_t f)
{
	if (lf->cur == LB_NONE)
		return;
	ir_ref all[4];
	unsigned k = n;
	if (n)
		memcpy(all, args, n * sizeof(ir_ref));
	if (t != LB_NONE)
		all[k++] = IR_REF(REF_BLK, t);
	if (f != LB_NONE)
		all[k++] = IR_REF(REF_BLK, f);
	struct ir_ins *in = ir_emit(lf->f, lf->cur, op, VT_VOID, 0, all, k);
	in->loc = lf_iloc(lf);
	if (t != LB_NONE)
		edge(lf, lf->cur, t);
	if (f != LB_NONE && f != t)
		edge(lf, lf->cur, f);
	lf->cur = LB_NONE;
}

void lf_jmp(struct lf *lf, uint32_t to)
{
	term(lf, IR_JMP, NULL, 0, to, LB_NONE);
}

void lf_br(struct lf *lf, unsigned op, ir_ref a, ir_ref b, uint32_t t, uint32_t f)
{
	if (t == f) {
		lf_jmp(lf, t);
		return;
	}
	ir_ref args[2] = { a, b };
	term(lf, op, args, op == IR_BR ? 1 : 2, t, f);
}

void lf_ret(struct lf *lf, ir_ref v)
{
	term(lf, IR_RET, &v, v == IR_NOREF ? 0 : 1, LB_NONE, LB_NONE);
}

ir_ref lf_null(struct lf *lf)
{
	if (!lf->null_tmp) {
		ir_ref zero = ir_con(lf->f, 0);
		lf->null_tmp = ir_tmp_new(lf->f, NULL, VT_PTR(ANY));
		ir_emit(lf->f, 0, IR_CAST, VT_PTR(ANY), lf->null_tmp, &zero, 1);
	}
	return ir_tmp_ref(lf->null_tmp);
}

ir_ref lf_coerce(struct lf *lf, ir_ref v, ir_vt vt)
{
	if (vt.cls != IR_PTR)
		return v;
	if (lf_is_con(v)) {
		if (!lf_con_val(lf, v) && vt.region == RG_ANY)
			return lf_null(lf);
		return lf_emit(lf, IR_CAST, vt, &v, 1);
	}
	ir_vt have = lf_vt(lf, v, VT_I64);
	if (ir_vt_eq(have, vt))
		return v;
	return lf_emit(lf, IR_CAST, vt, &v, 1);
}

/* ---- stack slots ------------------------------------------------------------------- */

ir_ref lf_alloca(struct lf *lf, uint32_t size, uint32_t align, uint32_t *slot)
{
	if (!size)
		size = 1;
	/* the stack is 8-byte granular: a bigger alignment lets wide stores initialise it */
	uint32_t natural = size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
	align = MAX(MIN(align, 8u), natural);
	uint32_t best = LB_NONE;
	for (uint32_t i = 0; i < lf->slots.len; i++) {
		struct lslot *s = &lf->slots.data[i];
		if (s->busy || s->size < size || s->align < align)
			continue;
		if (best == LB_NONE || s->size < lf->slots.data[best].size)
			best = i;
	}
	if (best == LB_NONE) {
		ir_ref args[2] = { ir_con(lf->f, size), ir_con(lf->f, align) };
		uint32_t dst = ir_tmp_new(lf->f, NULL, VT_PTR(STACK));
		struct ir_ins *in = ir_emit(lf->f, 0, IR_ALLOCA, VT_PTR(STACK), dst, args, 2);
		in->loc = lf_iloc(lf);
		struct lslot s = { size, align, ir_tmp_ref(dst), false };
		vec_push(&lf->slots, s);
		best = lf->slots.len - 1;
	}
	lf->slots.data[best].busy = true;
	if (slot)
		*slot = best;
	return lf->slots.data[best].addr;
}

void lf_slot_release(struct lf *lf, uint32_t slot)
{
	if (slot != LB_NONE && slot < lf->slots.len)
		lf->slots.data[slot].busy = false;
}

/* ---- variables ----------------------------------------------------------------------- */

uint32_t lf_var_new(struct lf *lf, struct cdecl *d, struct ctype *t, bool mem)
{
	struct lvar v = { .decl = d, .type = t, .mem = mem, .slot = LB_NONE };
	if (mem)
		v.addr = lf_alloca(lf, (uint32_t)ctype_size(t), ctype_align(t), &v.slot);
	else
		v.vt = lt_vt(t);
	vec_push(&lf->vars, v);
	return lf->vars.len - 1;
}

uint32_t lf_var_at(struct lf *lf, struct cdecl *d, struct ctype *t, ir_ref addr)
{
	struct lvar v = { .decl = d, .type = t, .mem = true, .addr = addr, .slot = LB_NONE };
	vec_push(&lf->vars, v);
	return lf->vars.len - 1;
}

uint32_t lf_ssa_var(struct lf *lf, ir_vt vt)
{
	struct lvar v = { .vt = vt, .slot = LB_NONE };
	vec_push(&lf->vars, v);
	return lf->vars.len - 1;
}

void lf_var_bind(struct lf *lf, struct cdecl *d, uint32_t var)
{
	uintptr_t prev = 0;
	pmap_get(&lf->binds, pkey(d), &prev);
	lf->vars.data[var].prev = (uint32_t)prev;
	pmap_put(&lf->binds, pkey(d), var + 1);
}

void lf_var_unbind(struct lf *lf, struct cdecl *d)
{
	uintptr_t cur = 0;
	if (!pmap_get(&lf->binds, pkey(d), &cur))
		return;
	pmap_put(&lf->binds, pkey(d), lf->vars.data[cur - 1].prev);
}

bool lf_var_find(struct lf *lf, struct cdecl *d, uint32_t *var)
{
	uintptr_t v;
	if (!pmap_get(&lf->binds, pkey(d), &v))
		return false;
	*var = (uint32_t)v - 1;
	return true;
}

static uint64_t defkey(uint32_t var, uint32_t blk)
{
	return (uint64_t)var << 32 | blk;
}

static uint32_t phi_new(struct lf *lf, uint32_t blk, ir_vt vt)
{
	uint32_t t = ir_tmp_new(lf->f, NULL, vt);
	struct ir_block *b = lf->f->blocks.data[blk];
	struct ir_ins in = { .op = IR_PHI, .ty = vt, .dst = t, .loc = lf_iloc(lf) };
	vec_push(&b->ins, in);
	uint32_t pos = 0;
	while (pos < b->ins.len - 1 && b->ins.data[pos].op == IR_PHI)
		pos++;
	memmove(&b->ins.data[pos + 1], &b->ins.data[pos],
		(b->ins.len - 1 - pos) * sizeof(struct ir_ins));
	b->ins.data[pos] = in;
	return t;
}

static ir_ref read_var(struct lf *lf, uint32_t var, uint32_t blk);

static void phi_fill(struct lf *lf, uint32_t blk, uint32_t var, uint32_t phi)
{
	uint32_t n = lf->blocks.data[blk].preds.len;
	ir_ref *args = arena_alloc(&lf->f->arena, sizeof(ir_ref) * 2 * (n ? n : 1));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t p = lf->blocks.data[blk].preds.data[i];
		args[2 * i] = IR_REF(REF_BLK, p);
		args[2 * i + 1] = read_var(lf, var, p);
	}
	struct ir_block *b = lf->f->blocks.data[blk];
	for (uint32_t i = 0; i < b->ins.len && b->ins.data[i].op == IR_PHI; i++)
		if (b->ins.data[i].dst == phi) {
			b->ins.data[i].args = args;
			b->ins.data[i].nargs = (uint16_t)(2 * n);
			return;
		}
	W_ICE("phi %%%u not found", phi);
}

/* The value of an undefined variable: 0 (or NULL, made in the entry block). */
static ir_ref undef_value(struct lf *lf, ir_vt vt)
{
	if (vt.cls != IR_PTR)
		return lf_con(lf, 0, vt);
	ir_ref null = lf_null(lf);
	if (vt.region == RG_ANY)
		return null;
	uint32_t t = ir_tmp_new(lf->f, NULL, vt);
	ir_emit(lf->f, 0, IR_CAST, vt, t, &null, 1);
	return ir_tmp_ref(t);
}

static ir_ref read_var(struct lf *lf, uint32_t var, uint32_t blk)
{
	uintptr_t v;
	ir_vt vt = lf->vars.data[var].vt;
	/* straight-line chains are walked without recursion */
	uint32_t path[64], np = 0, b = blk;
	while (!pmap_get(&lf->defs, defkey(var, b), &v)) {
		struct lblock *lb = &lf->blocks.data[b];
		if (!lb->sealed || lb->preds.len != 1 || np == ARRAY_LEN(path))
			break;
		path[np++] = b;
		b = lb->preds.data[0];
	}
	if (!pmap_get(&lf->defs, defkey(var, b), &v)) {
		struct lblock *lb = &lf->blocks.data[b];
		if (!lb->sealed) {
			uint32_t phi = phi_new(lf, b, vt);
			vec_push(&lf->blocks.data[b].incomplete, (uint64_t)var << 32 | phi);
			v = ir_tmp_ref(phi);
		} else if (lb->preds.len == 0) {
			v = undef_value(lf, vt);
		} else if (lb->preds.len == 1) {
			v = read_var(lf, var, lb->preds.data[0]);
		} else {
			uint32_t phi = phi_new(lf, b, vt);
			pmap_put(&lf->defs, defkey(var, b), ir_tmp_ref(phi));
			phi_fill(lf, b, var, phi);
			v = ir_tmp_ref(phi);
		}
		pmap_put(&lf->defs, defkey(var, b), v);
	}
	for (uint32_t i = 0; i < np; i++)
		pmap_put(&lf->defs, defkey(var, path[i]), v);
	return (ir_ref)v;
}

ir_ref lf_var_read(struct lf *lf, uint32_t var)
{
	ir_vt vt = lf->vars.data[var].vt;
	if (lf->cur == LB_NONE)
		return undef_value(lf, vt);
	return read_var(lf, var, lf->cur);
}

void lf_var_write(struct lf *lf, uint32_t var, ir_ref v)
{
	if (lf->cur == LB_NONE)
		return;
	v = lf_coerce(lf, v, lf->vars.data[var].vt);
	pmap_put(&lf->defs, defkey(var, lf->cur), v);
}

void lf_seal(struct lf *lf, uint32_t b)
{
	struct lblock *lb = &lf->blocks.data[b];
	if (lb->sealed)
		return;
	lb->sealed = true;
	for (uint32_t i = 0; i < lf->blocks.data[b].incomplete.len; i++) {
		uint64_t e = lf->blocks.data[b].incomplete.data[i];
		phi_fill(lf, b, (uint32_t)(e >> 32), (uint32_t)e);
	}
	vec_free(&lf->blocks.data[b].incomplete);
}

/* ---- finishing ------------------------------------------------------------------------- */

/* A variable read before any write: zero, or NULL for a pointer. */
static ir_ref undef_zero(void *ctx, ir_vt ty)
{
	struct lf *lf = ctx;
	return ty.cls == IR_PTR ? lf_null(lf) : lf_con(lf, 0, ty);
}

static void layout(struct lf *lf)
{
	ir_layout_rpo(lf->f);
	ir_remove_trivial_phis(lf->f, undef_zero, lf);
}

void lf_finish(struct lf *lf)
{
	for (uint32_t b = 0; b < lf->blocks.len; b++)
		lf_seal(lf, b);
	ir_ref to = IR_REF(REF_BLK, 1);
	ir_emit(lf->f, 0, IR_JMP, VT_VOID, 0, &to, 1);
	for (uint32_t b = 0; b < lf->f->blocks.len; b++)
		if (!ir_block_term(lf->f, b))
			ir_emit(lf->f, b, IR_UNREACHABLE, VT_VOID, 0, NULL, 0);
	layout(lf);
	/* what the verifier depends on, whatever the -O level (ir/tidy.c) */
	ir_pass_foldaddr(lf->f);
	ir_pass_mem2reg(lf->f);
	ir_pass_loadcse(lf->f);
	bool relayout = ir_pass_phithread(lf->f);
	relayout |= ir_pass_tidy(lf->f);
	if (relayout)
		layout(lf);
}

void lf_init(struct lf *lf, struct lower *L, struct ir_func *f, struct cdecl *decl)
{
	memset(lf, 0, sizeof(*lf));
	lf->L = L;
	lf->f = f;
	lf->decl = decl;
	lf->loc = decl->def_loc;
	uint32_t entry = lf_block(lf);
	lf->blocks.data[entry].sealed = true;
	uint32_t body = lf_block(lf);
	edge(lf, entry, body);
	lf->blocks.data[body].sealed = true;
	lf->cur = body;
}

void lf_free(struct lf *lf)
{
	vec_foreach (&lf->blocks, b) {
		vec_free(&b->preds);
		vec_free(&b->incomplete);
	}
	vec_free(&lf->blocks);
	vec_free(&lf->vars);
	vec_free(&lf->targets);
	vec_free(&lf->slots);
	vec_free(&lf->scope);
	vec_free(&lf->deferred);
	pmap_free(&lf->binds);
	pmap_free(&lf->defs);
	pmap_free(&lf->labels);
	pmap_free(&lf->cases);
	pmap_free(&lf->addr_taken);
}
