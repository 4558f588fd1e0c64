/* The DSL's function builder: blocks and instructions with source locations,
 * stack slots in the entry block, and SSA construction for Lisp variables
 * on the fly (Braun et al., "Simple and Efficient Construction of SSA Form"):
 * unsealed blocks get placeholder phis, trivial phis are removed at the end. */
#include "frontend/lisp/dsl_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

ir_vt dt_vt(struct dtype t)
{
	switch (t.kind) {
	case DT_INT:
		return t.size == 8 ? VT_I64 : VT_I32;
	case DT_PTR:
		return IR_VT(IR_PTR, t.region);
	default:
		return VT_VOID;
	}
}

ir_ref fb_con(struct fb *fb, int64_t v)
{
	return ir_con(fb->f, v);
}

ir_ref fb_blkref(uint32_t b)
{
	return IR_REF(REF_BLK, b);
}

void fb_set_loc(struct fb *fb, struct srcloc loc)
{
	if (loc.file)
		fb->loc = loc;
}

static struct ir_loc iloc(struct fb *fb)
{
	struct ir_loc l = { 0 };
	struct srcmgr *sm = fb->d->diag->sm;
	struct src_file *sf = srcmgr_file(sm, fb->loc.file);
	if (!sf || !fb->loc.line)
		return l;
	l.file = ir_file(fb->f->mod, sf->path);
	l.line = fb->loc.line;
	l.col = fb->loc.col;
	return l;
}

/* ---- names ---------------------------------------------------------------- */

static const char *unique_name(struct fb *fb, const char *base)
{
	char buf[64];
	size_t n = 0;
	for (const char *s = base; *s && n < 40; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			c = '_';
		buf[n++] = c;
	}
	if (!n || (buf[0] >= '0' && buf[0] <= '9'))
		buf[n++] = 'v';
	buf[n] = 0;
	for (unsigned k = 0;; k++) {
		const char *cand = k ? arena_printf(&fb->f->arena, "%s.%u", buf, k)
				     : arena_strdup(&fb->f->arena, buf);
		bool taken = false;
		for (uint32_t t = 1; t < fb->f->tmps.len && !taken; t++)
			taken = !strcmp(fb->f->tmps.data[t].name, cand);
		for (uint32_t b = 0; b < fb->f->blocks.len && !taken; b++)
			taken = !strcmp(fb->f->blocks.data[b]->name, cand);
		if (!taken)
			return cand;
	}
}

void fb_name_tmp(struct fb *fb, ir_ref r, const char *lisp_name)
{
	if (ir_ref_kind(r) != REF_TMP || !lisp_name)
		return;
	struct ir_tmp *t = &fb->f->tmps.data[ir_ref_idx(r)];
	if (t->name[0] < '0' || t->name[0] > '9')
		return; /* already named */
	if (fb->f->tmps.len > 4000)
		return; /* keep naming linear-ish on huge functions */
	t->name = unique_name(fb, lisp_name);
}

/* ---- blocks and instructions ------------------------------------------------ */

uint32_t fb_block(struct fb *fb, const char *hint)
{
	uint32_t b = ir_block_new(
		fb->f, hint ? arena_printf(&fb->f->arena, "%s.%u", hint, fb->f->blocks.len) : NULL);
	struct fblock fbk = { 0 };
	vec_push(&fb->blocks, fbk);
	W_ASSERT(fb->blocks.len == fb->f->blocks.len);
	return b;
}

void fb_edge(struct fb *fb, uint32_t from, uint32_t to)
{
	W_ASSERT(!fb->blocks.data[to].sealed);
	vec_push(&fb->blocks.data[to].preds, from);
}

ir_ref fb_emit(struct fb *fb, unsigned op, ir_vt vt, const ir_ref *args, unsigned n)
{
	if (fb->cur == FB_NONE)
		return vt.cls == IR_VOID ? IR_NOREF : fb_con(fb, 0);
	uint32_t dst = vt.cls != IR_VOID ? ir_tmp_new(fb->f, NULL, vt) : 0;
	struct ir_ins *in = ir_emit(fb->f, fb->cur, op, vt, dst, args, n);
	in->loc = iloc(fb);
	return dst ? ir_tmp_ref(dst) : IR_NOREF;
}

void fb_emit0(struct fb *fb, unsigned op, const ir_ref *args, unsigned n)
{
	fb_emit(fb, op, VT_VOID, args, n);
}

/* A terminator with block operands t (and f), recording the edges. */
void fb_term(struct fb *fb, unsigned op, const ir_ref *args, unsigned n, uint32_t t, uint32_t f)
{
	if (fb->cur == FB_NONE)
		return;
	ir_ref all[8];
	W_ASSERT(n + 2 <= 8);
	if (n)
		memcpy(all, args, n * sizeof(ir_ref));
	unsigned k = n;
	if (t != FB_NONE)
		all[k++] = fb_blkref(t);
	if (f != FB_NONE)
		all[k++] = fb_blkref(f);
	struct ir_ins *in = ir_emit(fb->f, fb->cur, op, VT_VOID, 0, all, k);
	in->loc = iloc(fb);
	if (t != FB_NONE)
		fb_edge(fb, fb->cur, t);
	if (f != FB_NONE && f != t)
		fb_edge(fb, fb->cur, f);
	fb->cur = FB_NONE;
}

void fb_jmp(struct fb *fb, uint32_t to)
{
	fb_term(fb, IR_JMP, NULL, 0, to, FB_NONE);
}

void fb_br(struct fb *fb, unsigned op, ir_ref a, ir_ref b, uint32_t t, uint32_t f)
{
	if (t == f) {
		fb_jmp(fb, t);
		return;
	}
	ir_ref args[2] = { a, b };
	fb_term(fb, op, args, op == IR_BR || op == IR_CHKNULL ? 1 : 2, t, f);
}

ir_ref fb_alloca(struct fb *fb, uint32_t size, uint32_t align, const char *what)
{
	if (!size)
		size = 1;
	ir_ref args[2] = { fb_con(fb, size), fb_con(fb, align) };
	uint32_t dst = ir_tmp_new(fb->f, NULL, VT_PTR(STACK));
	struct ir_ins *in = ir_emit(fb->f, 0, IR_ALLOCA, VT_PTR(STACK), dst, args, 2);
	in->loc = iloc(fb);
	struct falloca a = { size, what, fb->loc };
	vec_push(&fb->allocas, a);
	return ir_tmp_ref(dst);
}

/* ---- (var, block) -> definition ------------------------------------------------ */

static uint64_t defkey(uint32_t var, uint32_t blk)
{
	return (uint64_t)var << 32 | blk;
}

static bool def_get(struct fb *fb, uint32_t var, uint32_t blk, struct dval *out)
{
	uint64_t k = defkey(var, blk);
	uintptr_t i;
	if (!hmap_get(&fb->defs, (const char *)&k, sizeof(k), &i))
		return false;
	*out = fb->defvals.data[i];
	return true;
}

static void def_put(struct fb *fb, uint32_t var, uint32_t blk, struct dval v)
{
	uint64_t k = defkey(var, blk);
	uintptr_t i;
	if (hmap_get(&fb->defs, (const char *)&k, sizeof(k), &i)) {
		fb->defvals.data[i] = v;
		return;
	}
	char *key = xmalloc(sizeof(k));
	memcpy(key, &k, sizeof(k));
	vec_push(&fb->defkeys, key);
	vec_push(&fb->defvals, v);
	hmap_put(&fb->defs, key, sizeof(k), fb->defvals.len - 1);
}

/* ---- variables ----------------------------------------------------------------- */

uint32_t fb_var_new(struct fb *fb, lv sym, struct dtype t)
{
	struct fvar v = { .sym = sym, .t = t, .depth = fb->depth };
	vec_push(&fb->vars, v);
	vec_push(&fb->scope, fb->vars.len - 1);
	return fb->vars.len - 1;
}

int64_t fb_var_find(struct fb *fb, lv sym)
{
	for (uint32_t i = fb->scope.len; i > 0; i--)
		if (fb->vars.data[fb->scope.data[i - 1]].sym == sym)
			return fb->scope.data[i - 1];
	if (!fb->outer || sym == LISP_NIL)
		return -1;
	/* a bpf_loop callback reaches the enclosing function's variables through
	 * its context: slot i at offset 8 * i */
	for (uint32_t i = 0; i < fb->mirrors.len; i++)
		if (fb->vars.data[fb->mirrors.data[i]].sym == sym)
			return fb->mirrors.data[i];
	int64_t ov = fb_var_find(fb->outer, sym);
	if (ov < 0)
		return -1;
	struct fvar v = { .sym = sym,
			  .t = fb->outer->vars.data[ov].t,
			  .mem = true,
			  .addr = fb->cbctx,
			  .mem_off = 8 * (int64_t)fb->captured.len };
	vec_push(&fb->vars, v);
	vec_push(&fb->captured, (uint32_t)ov);
	vec_push(&fb->mirrors, fb->vars.len - 1);
	return fb->vars.len - 1;
}

void fb_scope_push(struct fb *fb)
{
	fb->depth++;
}

void fb_scope_pop(struct fb *fb)
{
	while (fb->scope.len && fb->vars.data[vec_last(&fb->scope)].depth >= fb->depth)
		fb->scope.len--;
	fb->depth--;
}

static uint32_t phi_new(struct fb *fb, uint32_t blk, uint32_t var)
{
	ir_vt vt = dt_vt(fb->vars.data[var].t);
	uint32_t t = ir_tmp_new(fb->f, NULL, vt);
	struct ir_block *b = fb->f->blocks.data[blk];
	struct ir_ins in = { .op = IR_PHI, .ty = vt, .dst = t };
	vec_push(&b->ins, in);
	/* phis go first: rotate the new one into place after the existing phis */
	uint32_t pos = 0;
	while (pos < b->ins.len - 1 && b->ins.data[pos].op == IR_PHI)
		pos++;
	memmove(&b->ins.data[pos + 1], &b->ins.data[pos],
		(b->ins.len - 1 - pos) * sizeof(struct ir_ins));
	b->ins.data[pos] = in;
	b->ins.data[pos].loc = iloc(fb);
	lv name = fb->vars.data[var].sym;
	if (lisp_symbolp(name) && name != LISP_NIL)
		fb_name_tmp(fb, ir_tmp_ref(t), lisp_symbol_name(name));
	return t;
}

static struct dval read_var(struct fb *fb, uint32_t var, uint32_t blk);

static void phi_fill(struct fb *fb, uint32_t blk, uint32_t var, uint32_t phi)
{
	struct fblock *fbk = &fb->blocks.data[blk];
	uint32_t n = fbk->preds.len;
	ir_ref *args = arena_newn(&fb->f->arena, ir_ref, 2 * n);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t p = fb->blocks.data[blk].preds.data[i];
		struct dval v = read_var(fb, var, p);
		args[2 * i] = fb_blkref(p);
		if (v.is_const || !v.ref) {
			int64_t c = v.poison ? 0 : v.cval;
			args[2 * i + 1] = fb_con(fb, dt_vt(fb->vars.data[var].t).cls == IR_I32
							     ? (int64_t)(uint32_t)c
							     : c);
		} else {
			args[2 * i + 1] = v.ref;
		}
	}
	struct ir_block *b = fb->f->blocks.data[blk];
	for (uint32_t i = 0; i < b->ins.len && b->ins.data[i].op == IR_PHI; i++)
		if (b->ins.data[i].dst == phi) {
			b->ins.data[i].args = args;
			b->ins.data[i].nargs = (uint16_t)(2 * n);
			return;
		}
	W_ICE("phi %%%u not found", phi);
}

static struct dval read_var(struct fb *fb, uint32_t var, uint32_t blk)
{
	struct dval v;
	if (def_get(fb, var, blk, &v))
		return v;
	struct fblock *fbk = &fb->blocks.data[blk];
	struct dtype t = fb->vars.data[var].t;
	if (!fbk->sealed) {
		uint32_t phi = phi_new(fb, blk, var);
		vec_push(&fb->blocks.data[blk].incomplete, (uint64_t)var << 32 | phi);
		v = dv_tmp(ir_tmp_ref(phi), t);
	} else if (fbk->preds.len == 1) {
		v = read_var(fb, var, fbk->preds.data[0]);
	} else if (fbk->preds.len == 0) {
		/* only the entry block, or unreachable code */
		v = dv_const(0);
		v.t = t;
		if (t.kind == DT_PTR)
			v.poison = true;
	} else {
		uint32_t phi = phi_new(fb, blk, var);
		v = dv_tmp(ir_tmp_ref(phi), t);
		def_put(fb, var, blk, v);
		phi_fill(fb, blk, var, phi);
	}
	def_put(fb, var, blk, v);
	return v;
}

void fb_var_write(struct fb *fb, uint32_t var, struct dval v)
{
	if (fb->cur == FB_NONE)
		return;
	v.swap = 0;
	def_put(fb, var, fb->cur, v);
}

struct dval fb_var_read(struct fb *fb, uint32_t var)
{
	if (fb->cur == FB_NONE)
		return dv_poison();
	return read_var(fb, var, fb->cur);
}

void fb_seal(struct fb *fb, uint32_t b)
{
	struct fblock *fbk = &fb->blocks.data[b];
	if (fbk->sealed)
		return;
	fbk->sealed = true;
	for (uint32_t i = 0; i < fb->blocks.data[b].incomplete.len; i++) {
		uint64_t e = fb->blocks.data[b].incomplete.data[i];
		phi_fill(fb, b, (uint32_t)(e >> 32), (uint32_t)e);
	}
	vec_free(&fb->blocks.data[b].incomplete);
}

/* ---- finishing ------------------------------------------------------------------- */

/* A variable read before any write: 0 for an integer; a pointer keeps its
 * phi (the verifier reports the read). */
static ir_ref undef_int_zero(void *ctx, ir_vt ty)
{
	return ty.cls == IR_PTR ? IR_NOREF : fb_con(ctx, 0);
}

void fb_finish(struct fb *fb)
{
	for (uint32_t b = 0; b < fb->blocks.len; b++)
		fb_seal(fb, b);
	/* the entry block holds the allocas and falls into the body */
	ir_ref to = fb_blkref(fb->body);
	ir_emit(fb->f, 0, IR_JMP, VT_VOID, 0, &to, 1)->loc = iloc(fb);
	ir_remove_trivial_phis(fb->f, undef_int_zero, fb);
	/* blocks left without a terminator are unreachable: close them */
	for (uint32_t b = 0; b < fb->f->blocks.len; b++)
		if (!ir_block_term(fb->f, b))
			ir_emit(fb->f, b, IR_UNREACHABLE, VT_VOID, 0, NULL, 0);
	ir_layout_rpo(fb->f);
}

void fb_init(struct fb *fb, struct dsl *d, struct ir_func *f)
{
	memset(fb, 0, sizeof(*fb));
	fb->d = d;
	fb->f = f;
	uint32_t entry = fb_block(fb, NULL);
	fb->blocks.data[entry].sealed = true;
	fb->body = fb_block(fb, "body");
	fb_edge(fb, entry, fb->body);
	fb->blocks.data[fb->body].sealed = true;
	fb->cur = fb->body;
}

void fb_free(struct fb *fb)
{
	vec_foreach (&fb->blocks, b) {
		vec_free(&b->preds);
		vec_free(&b->incomplete);
	}
	vec_free(&fb->blocks);
	vec_free(&fb->vars);
	vec_free(&fb->scope);
	hmap_free(&fb->defs);
	vec_foreach (&fb->defkeys, k)
		free(*k);
	vec_free(&fb->defkeys);
	vec_free(&fb->defvals);
	vec_free(&fb->allocas);
	vec_free(&fb->captured);
	vec_free(&fb->mirrors);
}

/* ---- errors ---------------------------------------------------------------------- */

struct dval fb_error(struct fb *fb, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vreport(fb->d->diag, DIAG_ERROR, loc.file ? loc : fb->loc, fmt, ap);
	va_end(ap);
	fb->errors++;
	fb->d->errors++;
	return dv_poison();
}
