/* Tidying a freshly lowered function for the verifier (the C frontend runs
 * these on every function it lowers; each is also a pass of its own).
 * loadcse: redundant loads are removed as clang's GVN removes them, because the
 * kernel tracks facts per register: skb->data loaded again after a bounds
 * check is a new packet pointer it knows nothing about, and a map value's
 * field loaded again after a range check is unbounded again.  A load is
 * replaced by an earlier one of the same address when that one dominates
 * it and nothing on any path between may write the memory (a store or an
 * atomic to an object that may alias it, a helper given a pointer to it
 * or writing maps, any subprogram or kfunc call).  foldaddr: constant
 * address offsets move into the accesses.  phithread: branches on a phi
 * whose operand is a constant go straight to their target.  tidy: masks a
 * narrow load already applies go, and returns of the same constant merge. */
#include "ir/pass.h"

#include <stdlib.h>
#include <string.h>

/* What a pointer is known to point into. */
enum root_kind { RK_OTHER, RK_ALLOCA, RK_SYM, RK_CTX, RK_LOOKUP };

struct root {
	uint8_t kind;
	ir_ref ref; /* the root value (temp or symbol) */
};

struct lcse {
	struct ir_func *f;
	struct ir_defsite *defs;
	bool *clobber_any; /* per block: has a call that writes any memory */
	uint32_t *mark, *queue, stamp;
};

static struct root root_of(struct lcse *c, ir_ref r)
{
	for (unsigned guard = 0; guard < 64; guard++) {
		if (ir_ref_kind(r) == REF_SYM)
			return (struct root){ RK_SYM, r };
		if (ir_ref_kind(r) != REF_TMP)
			return (struct root){ RK_OTHER, r };
		struct ir_defsite d = c->defs[ir_ref_idx(r)];
		if (d.blk == UINT32_MAX)
			return (struct root){ RK_OTHER, r };
		if (d.idx == UINT32_MAX) {
			bool ctx = c->f->tmps.data[ir_ref_idx(r)].ty.region == RG_CTX;
			return (struct root){ ctx ? RK_CTX : RK_OTHER, r };
		}
		const struct ir_ins *in = &c->f->blocks.data[d.blk]->ins.data[d.idx];
		if (in->op == IR_ALLOCA)
			return (struct root){ RK_ALLOCA, r };
		if (in->op == IR_CALL && ir_ref_kind(in->args[0]) == REF_HLP) {
			enum ir_hret k = ir_helper_by_id((int)ir_ref_idx(in->args[0]))->ret;
			if (k == HR_MAPVAL || k == HR_MAPVAL_OR_NULL)
				return (struct root){ RK_LOOKUP, r };
		}
		if (in->op == IR_COPY || in->op == IR_CAST || in->op == IR_ADD ||
		    in->op == IR_SUB) {
			if (in->nargs < 1 ||
			    (in->op != IR_COPY && in->op != IR_CAST && in->ty.cls != IR_PTR))
				return (struct root){ RK_OTHER, r };
			r = in->args[0];
			continue;
		}
		return (struct root){ RK_OTHER, r };
	}
	return (struct root){ RK_OTHER, r };
}

static bool may_alias(struct root a, struct root b)
{
	if (a.kind == RK_OTHER || b.kind == RK_OTHER)
		return true;
	if (a.kind != b.kind)
		return false;
	if (a.kind == RK_LOOKUP)
		return true; /* two lookups may find the same value */
	return a.ref == b.ref;
}

/* Helpers that write no memory but what their pointer arguments point to. */
static bool helper_writes_maps(int id)
{
	const struct ir_helper *h = ir_helper_by_id(id);
	if (!h)
		return true;
	static const char *const writers[] = {
		"map_update_elem",   "map_delete_elem",	 "map_push_elem",  "map_pop_elem",
		"spin_lock",	     "spin_unlock",	 "sk_storage_get", "task_storage_get",
		"inode_storage_get", "cgrp_storage_get", "loop",	   "for_each_map_elem",
		"timer_init",	     "timer_start",	 "timer_cancel",   "tail_call",
		"ringbuf_submit",    "ringbuf_discard"
	};
	for (size_t i = 0; i < ARRAY_LEN(writers); i++)
		if (!strcmp(h->name, writers[i]))
			return true;
	return false;
}

/* Whether instruction `in` may change the memory a load through `r` reads. */
static bool clobbers(struct lcse *c, const struct ir_ins *in, struct root r)
{
	const struct ir_opinfo *oi = &ir_ops[in->op];
	if (in->op == IR_CALL) {
		if (ir_ref_kind(in->args[0]) != REF_HLP)
			return true;
		int id = (int)ir_ref_idx(in->args[0]);
		if (helper_writes_maps(id) &&
		    (r.kind == RK_LOOKUP || r.kind == RK_SYM || r.kind == RK_OTHER))
			return true;
		for (unsigned a = 1; a < in->nargs; a++) {
			ir_ref x = in->args[a];
			if (ir_ref_kind(x) == REF_CON)
				continue;
			struct root ar = root_of(c, x);
			if (ar.kind == RK_SYM &&
			    ir_sym(c->f->mod, ir_ref_idx(ar.ref))->kind == IR_SYM_MAP)
				continue; /* a map itself */
			if (may_alias(ar, r))
				return true;
		}
		return false;
	}
	if (in->op == IR_TAILCALL)
		return true;
	if ((oi->props & (OP_STORE | OP_ATOMIC)) &&
	    !(in->op >= IR_LOAD_ACQ_U8 && in->op <= IR_LOAD_ACQ_U64))
		return may_alias(root_of(c, in->args[0]), r);
	return false;
}

static bool is_plain_load(const struct ir_ins *in)
{
	return ir_op_is(in->op, OP_LOAD) && !ir_op_is(in->op, OP_STORE | OP_ATOMIC) && in->dst &&
	       !(in->flags & INS_VOLATILE) && in->nargs == 2 &&
	       ir_ref_kind(in->args[1]) == REF_CON &&
	       (ir_ref_kind(in->args[0]) == REF_TMP || ir_ref_kind(in->args[0]) == REF_SYM);
}

static bool block_clean(struct lcse *c, uint32_t blk, uint32_t from, uint32_t to, struct root r)
{
	const struct ir_block *b = c->f->blocks.data[blk];
	for (uint32_t i = from; i < to && i < b->ins.len; i++)
		if (clobbers(c, &b->ins.data[i], r))
			return false;
	return true;
}

/* Every block on a path from d to b (both excluded) leaves the memory alone. */
static bool paths_clean(struct lcse *c, uint32_t d, uint32_t b, struct root r)
{
	struct ir_func *f = c->f;
	uint32_t fwd = ++c->stamp, n = 0, head = 0, succ[2];
	unsigned ns = ir_succs(ir_block_term(f, d), succ);
	for (unsigned k = 0; k < ns; k++)
		if (c->mark[succ[k]] != fwd && succ[k] != d) {
			c->mark[succ[k]] = fwd;
			c->queue[n++] = succ[k];
		}
	while (head < n) {
		uint32_t x = c->queue[head++];
		if (x == b)
			continue;
		ns = ir_succs(ir_block_term(f, x), succ);
		for (unsigned k = 0; k < ns; k++)
			if (c->mark[succ[k]] != fwd && succ[k] != d) {
				c->mark[succ[k]] = fwd;
				c->queue[n++] = succ[k];
			}
	}
	if (c->mark[b] != fwd)
		return false;
	uint32_t bwd = ++c->stamp;
	n = head = 0;
	c->queue[n++] = b;
	c->mark[b] = bwd;
	bool back = false;
	while (head < n) {
		uint32_t x = c->queue[head++];
		vec_foreach (&f->blocks.data[x]->preds, p) {
			if (*p == d)
				continue;
			if (*p == b) {
				back = true; /* a loop through b: b's own code runs in between */
				continue;
			}
			if (c->mark[*p] != fwd)
				continue;
			if (!block_clean(c, *p, 0, UINT32_MAX, r))
				return false;
			c->mark[*p] = bwd;
			c->queue[n++] = *p;
		}
	}
	return !back || block_clean(c, b, 0, UINT32_MAX, r);
}

bool ir_pass_loadcse(struct ir_func *f)
{
	if (f->blocks.len > 4096)
		return false;
	bool changed = false;
	struct lcse c = { .f = f };
	ir_cfg_build(f);
	c.defs = xmalloc(sizeof(*c.defs) * f->tmps.len);
	ir_defsites(f, c.defs);
	uint32_t nb = f->blocks.len;
	c.mark = xcalloc(nb, sizeof(uint32_t));
	c.queue = xmalloc(sizeof(uint32_t) * (nb + 1));
	struct site {
		uint32_t blk, idx;
		uint64_t key;
	};
	VEC(struct site) loads = { 0 };
	for (uint32_t b = 0; b < nb; b++)
		for (uint32_t i = 0; i < f->blocks.data[b]->ins.len; i++) {
			const struct ir_ins *in = &f->blocks.data[b]->ins.data[i];
			if (!is_plain_load(in))
				continue;
			uint64_t key = (uint64_t)in->args[0] * 1000003u ^
				       (uint64_t)ir_con_val(f, in->args[1]) * 31u ^ in->op;
			vec_push(&loads, ((struct site){ b, i, key }));
		}
	unsigned budget = 200000; /* pair checks: huge functions keep their loads */
	for (uint32_t j = 0; j < loads.len && budget; j++) {
		struct ir_ins *l2 = &f->blocks.data[loads.data[j].blk]->ins.data[loads.data[j].idx];
		for (uint32_t k = 0; k < loads.len && budget; k++) {
			if (k == j || loads.data[k].key != loads.data[j].key)
				continue;
			budget--;
			const struct ir_ins *l1 =
				&f->blocks.data[loads.data[k].blk]->ins.data[loads.data[k].idx];
			if (!is_plain_load(l1) || l1->op != l2->op || l1->args[0] != l2->args[0] ||
			    !ir_vt_eq(l1->ty, l2->ty) ||
			    ir_con_val(f, l1->args[1]) != ir_con_val(f, l2->args[1]))
				continue;
			uint32_t d = loads.data[k].blk, b = loads.data[j].blk;
			struct root r = root_of(&c, l2->args[0]);
			bool ok;
			if (d == b)
				ok = loads.data[k].idx < loads.data[j].idx &&
				     block_clean(&c, b, loads.data[k].idx + 1, loads.data[j].idx,
						 r);
			else
				ok = ir_dominates(f, d, b) &&
				     block_clean(&c, d, loads.data[k].idx + 1,
						 f->blocks.data[d]->ins.len, r) &&
				     block_clean(&c, b, 0, loads.data[j].idx, r) &&
				     paths_clean(&c, d, b, r);
			if (!ok)
				continue;
			/* l2 becomes a copy of l1, which fold propagates */
			l2->op = IR_COPY;
			l2->args[0] = ir_tmp_ref(l1->dst);
			l2->nargs = 1;
			l2->flags = 0;
			changed = true;
			break;
		}
	}
	vec_free(&loads);
	free(c.defs);
	free(c.mark);
	free(c.queue);
	free(c.clobber_any);
	return changed;
}

/* load/store (add p, C), off  ->  load/store p, off + C: the kernel wants
 * context and socket fields as base + constant, and it saves the add. */
bool ir_pass_foldaddr(struct ir_func *f)
{
	bool changed = false;
	struct ir_defsite *defs = xmalloc(sizeof(*defs) * f->tmps.len);
	ir_defsites(f, defs);
	for (uint32_t b = 0; b < f->blocks.len; b++)
		vec_foreach (&f->blocks.data[b]->ins, in) {
			const struct ir_opinfo *oi = &ir_ops[in->op];
			if (!(oi->props & (OP_LOAD | OP_STORE | OP_ATOMIC)) ||
			    in->op == IR_MEMCPY || in->op == IR_MEMSET)
				continue;
			for (unsigned guard = 0; guard < 16 && ir_ref_kind(in->args[0]) == REF_TMP;
			     guard++) {
				struct ir_defsite d = defs[ir_ref_idx(in->args[0])];
				if (d.blk == UINT32_MAX || d.idx == UINT32_MAX)
					break;
				const struct ir_ins *a = &f->blocks.data[d.blk]->ins.data[d.idx];
				if ((a->op != IR_ADD && a->op != IR_SUB) || a->ty.cls != IR_PTR ||
				    ir_ref_kind(a->args[1]) != REF_CON ||
				    ir_ref_kind(a->args[0]) != REF_TMP)
					break;
				int64_t c = ir_con_val(f, a->args[1]);
				int64_t off =
					ir_con_val(f, in->args[1]) + (a->op == IR_ADD ? c : -c);
				/* atomics need their offset aligned; every access a 16-bit one */
				if (off < INT16_MIN || off + 8 > INT16_MAX ||
				    ((oi->props & OP_ATOMIC) && off % oi->param))
					break;
				/* the base keeps its region (a stack slot stays one) */
				ir_vt bt = f->tmps.data[ir_ref_idx(a->args[0])].ty;
				if (bt.cls != IR_PTR || (ir_regions[bt.region].props & RG_NULLABLE))
					break;
				in->args[0] = a->args[0];
				in->args[1] = ir_con(f, off);
				changed = true;
			}
		}
	free(defs);
	return changed;
}

/* ---- jump threading over constant phis ------------------------------------------------ */

/* The successor a branch takes for a constant first operand, or UINT32_MAX. */
static uint32_t taken(const struct ir_func *f, const struct ir_ins *t, int64_t v)
{
	uint32_t succ[2];
	if (ir_succs(t, succ) != 2)
		return UINT32_MAX;
	if (t->op == IR_BR)
		return v ? succ[0] : succ[1];
	if (!ir_op_is(t->op, OP_CMP) || t->op == IR_BR_SET || ir_ref_kind(t->args[1]) != REF_CON)
		return UINT32_MAX;
	/* the comparison's width is that of the phi */
	uint32_t p = ir_ref_idx(t->args[0]);
	unsigned cls = f->tmps.data[p].ty.cls == IR_I32 ? IR_I32 : IR_I64;
	return ir_eval_cc((enum ir_cc)ir_ops[t->op].param, cls, v, ir_con_val(f, t->args[1]))
		       ? succ[0]
		       : succ[1];
}

/* The operand of a phi for the edge from `from`, or IR_NOREF. */
static ir_ref phi_arg(const struct ir_ins *phi, uint32_t from)
{
	for (unsigned k = 0; k + 1 < phi->nargs; k += 2)
		if (ir_ref_idx(phi->args[k]) == from)
			return phi->args[k + 1];
	return IR_NOREF;
}

/* Whether the only uses of B's phis are B's terminator and the phis of B's
 * successors (their operands for the edge from B). */
static bool phis_local(const struct ir_func *f, uint32_t b)
{
	const struct ir_block *blk = f->blocks.data[b];
	for (uint32_t x = 0; x < f->blocks.len; x++) {
		const struct ir_block *xb = f->blocks.data[x];
		for (uint32_t i = 0; i < xb->ins.len; i++) {
			const struct ir_ins *in = &xb->ins.data[i];
			if (x == b && i + 1 == xb->ins.len)
				continue; /* the terminator */
			for (unsigned a = 0; a < in->nargs; a++) {
				ir_ref r = in->args[a];
				if (ir_ref_kind(r) != REF_TMP)
					continue;
				bool mine = false;
				for (uint32_t j = 0;
				     j + 1 < blk->ins.len && blk->ins.data[j].op == IR_PHI; j++)
					mine |= blk->ins.data[j].dst == ir_ref_idx(r);
				if (!mine)
					continue;
				/* a successor's phi operand for the edge from b is fine */
				if (in->op == IR_PHI && x != b && a % 2 == 1 &&
				    ir_ref_idx(in->args[a - 1]) == b)
					continue;
				return false;
			}
		}
	}
	return true;
}

static void add_phi_operand(struct ir_func *f, struct ir_ins *phi, uint32_t from, ir_ref v)
{
	ir_ref *args = arena_alloc(&f->arena, sizeof(ir_ref) * (phi->nargs + 2u));
	memcpy(args, phi->args, sizeof(ir_ref) * phi->nargs);
	args[phi->nargs] = IR_REF(REF_BLK, from);
	args[phi->nargs + 1] = v;
	phi->args = args;
	phi->nargs = (uint16_t)(phi->nargs + 2);
}

static void drop_phi_operand(struct ir_ins *phi, uint32_t from)
{
	for (unsigned k = 0; k + 1 < phi->nargs;) {
		if (ir_ref_idx(phi->args[k]) == from) {
			memmove(&phi->args[k], &phi->args[k + 2],
				sizeof(ir_ref) * (phi->nargs - k - 2u));
			phi->nargs = (uint16_t)(phi->nargs - 2);
		} else {
			k += 2;
		}
	}
}

/* A block that only tests a phi (an inlined function's result, an `a && b`)
 * is skipped by the predecessors that bring it a constant: they jump where
 * the test would have gone. */
bool ir_pass_phithread(struct ir_func *f)
{
	ir_cfg_build(f);
	bool changed = false, any = false;
	for (uint32_t b = 1; b < f->blocks.len; b++) {
		struct ir_block *blk = f->blocks.data[b];
		struct ir_ins *t = ir_block_term(f, b);
		if (!t || (t->op != IR_BR && !ir_op_is(t->op, OP_CMP)) ||
		    ir_ref_kind(t->args[0]) != REF_TMP)
			continue;
		uint32_t p = ir_ref_idx(t->args[0]);
		const struct ir_ins *pphi = NULL;
		bool only_phis = true;
		for (uint32_t i = 0; i + 1 < blk->ins.len; i++) {
			only_phis &= blk->ins.data[i].op == IR_PHI;
			if (blk->ins.data[i].dst == p)
				pphi = &blk->ins.data[i];
		}
		if (!only_phis || !pphi || !phis_local(f, b))
			continue;
		uint32_t np = blk->preds.len;
		uint32_t *preds = xmalloc(sizeof(uint32_t) * (np + 1));
		memcpy(preds, blk->preds.data, sizeof(uint32_t) * np);
		for (uint32_t k = 0; k < np; k++) {
			uint32_t from = preds[k];
			struct ir_ins *pt = ir_block_term(f, from);
			ir_ref v = phi_arg(pphi, from);
			if (!pt || pt->op != IR_JMP || ir_ref_kind(v) != REF_CON)
				continue;
			uint32_t to = taken(f, t, ir_con_val(f, v));
			if (to == UINT32_MAX || to == b)
				continue;
			/* the target's phis get the values they had through b */
			struct ir_block *tb = f->blocks.data[to];
			bool ok = true;
			for (uint32_t i = 0; i < tb->ins.len && tb->ins.data[i].op == IR_PHI && ok;
			     i++)
				ok = phi_arg(&tb->ins.data[i], from) == IR_NOREF;
			if (!ok)
				continue; /* from already reaches `to` another way */
			for (uint32_t i = 0; i < tb->ins.len && tb->ins.data[i].op == IR_PHI; i++) {
				struct ir_ins *tp = &tb->ins.data[i];
				ir_ref through = phi_arg(tp, b);
				for (uint32_t j = 0;
				     j + 1 < blk->ins.len && blk->ins.data[j].op == IR_PHI; j++)
					if (ir_ref_kind(through) == REF_TMP &&
					    blk->ins.data[j].dst == ir_ref_idx(through))
						through = phi_arg(&blk->ins.data[j], from);
				add_phi_operand(f, tp, from, through);
			}
			for (uint32_t j = 0; j + 1 < blk->ins.len && blk->ins.data[j].op == IR_PHI;
			     j++)
				drop_phi_operand(&blk->ins.data[j], from);
			pt->args[0] = IR_REF(REF_BLK, to);
			changed = true;
		}
		free(preds);
		if (changed) {
			f->cfg_valid = false;
			ir_cfg_build(f);
			any = true;
			changed = false;
		}
	}
	return any;
}

/* ---- small clean-ups ------------------------------------------------------------------ */

/* and (load.uN p), mask covering N bytes: the load already zero-extends. */
static void drop_masks(struct ir_func *f, const struct ir_defsite *defs)
{
	for (uint32_t b = 0; b < f->blocks.len; b++)
		vec_foreach (&f->blocks.data[b]->ins, in) {
			if (in->op != IR_AND || ir_ref_kind(in->args[0]) != REF_TMP ||
			    ir_ref_kind(in->args[1]) != REF_CON)
				continue;
			struct ir_defsite d = defs[ir_ref_idx(in->args[0])];
			if (d.blk == UINT32_MAX || d.idx == UINT32_MAX)
				continue;
			const struct ir_ins *l = &f->blocks.data[d.blk]->ins.data[d.idx];
			unsigned n = l->op == IR_LOAD_U8    ? 1
				     : l->op == IR_LOAD_U16 ? 2
				     : l->op == IR_LOAD_U32 ? 4
							    : 0;
			uint64_t m = (uint64_t)ir_con_val(f, in->args[1]);
			if (!n || !ir_vt_eq(l->ty, in->ty) || ((1ull << (8 * n)) - 1) & ~m)
				continue;
			in->op = IR_COPY;
			in->nargs = 1;
		}
}

/* Blocks that only return the same constant become one (clang shares its
 * exits too). */
static bool merge_returns(struct ir_func *f)
{
	bool changed = false;
	for (uint32_t b = 1; b < f->blocks.len; b++) {
		struct ir_block *x = f->blocks.data[b];
		if (x->ins.len != 1 || x->ins.data[0].op != IR_RET || x->ins.data[0].nargs != 1 ||
		    ir_ref_kind(x->ins.data[0].args[0]) != REF_CON)
			continue;
		int64_t v = ir_con_val(f, x->ins.data[0].args[0]);
		for (uint32_t c = b + 1; c < f->blocks.len; c++) {
			struct ir_block *y = f->blocks.data[c];
			if (y->ins.len != 1 || y->ins.data[0].op != IR_RET ||
			    y->ins.data[0].nargs != 1 ||
			    ir_ref_kind(y->ins.data[0].args[0]) != REF_CON ||
			    ir_con_val(f, y->ins.data[0].args[0]) != v)
				continue;
			/* everything that jumps to c jumps to b */
			for (uint32_t k = 0; k < f->blocks.len; k++) {
				struct ir_ins *t = ir_block_term(f, k);
				if (!t)
					continue;
				for (unsigned a = ir_term_first_block(t); a < t->nargs; a++)
					if (ir_ref_idx(t->args[a]) == c) {
						t->args[a] = IR_REF(REF_BLK, b);
						changed = true;
					}
				/* a branch whose arms are now the same block is a jump */
				uint32_t succ[2];
				if (ir_succs(t, succ) == 2 && succ[0] == succ[1] &&
				    t->op != IR_CHKPKT && t->op != IR_CHKNULL) {
					t->op = IR_JMP;
					t->args[0] = IR_REF(REF_BLK, succ[0]);
					t->nargs = 1;
				}
			}
		}
	}
	if (changed)
		f->cfg_valid = false;
	return changed;
}

bool ir_pass_tidy(struct ir_func *f)
{
	struct ir_defsite *defs = xmalloc(sizeof(*defs) * f->tmps.len);
	ir_defsites(f, defs);
	drop_masks(f, defs);
	free(defs);
	return merge_returns(f);
}
