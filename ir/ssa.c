/* Finishing touches for frontends that build SSA on the fly (Braun et al.):
 * removing the phis that turned out trivial, and laying blocks out in
 * reverse post-order without the unreachable ones. Shared by the C and Lisp
 * lowerings. */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

static ir_ref resolve(const ir_ref *repl, ir_ref r)
{
	for (unsigned guard = 0; guard < 100000 && ir_ref_kind(r) == REF_TMP && repl[ir_ref_idx(r)];
	     guard++)
		r = repl[ir_ref_idx(r)];
	return r;
}

/* The one value of a phi besides itself, IR_NOREF if it has several, or
 * `self` if it has none. */
static ir_ref sole_value(const struct ir_ins *in, const ir_ref *repl, ir_ref self)
{
	ir_ref same = self;
	for (unsigned k = 1; k < in->nargs; k += 2) {
		ir_ref v = resolve(repl, in->args[k]);
		if (v == self || v == same)
			continue;
		if (same != self)
			return IR_NOREF;
		same = v;
	}
	return same;
}

void ir_remove_trivial_phis(struct ir_func *f, ir_ref (*undef)(void *ctx, ir_vt ty), void *ctx)
{
	ir_ref *repl = xcalloc(f->tmps.len + 1, sizeof(ir_ref));
	for (bool changed = true; changed;) {
		changed = false;
		vec_foreach (&f->blocks, bp)
			for (uint32_t i = 0; i < (*bp)->ins.len && (*bp)->ins.data[i].op == IR_PHI; i++) {
				struct ir_ins *in = &(*bp)->ins.data[i];
				ir_ref self = ir_tmp_ref(in->dst);
				if (repl[in->dst])
					continue;
				ir_ref same = sole_value(in, repl, self);
				if (same == IR_NOREF)
					continue;
				if (same == self && (same = undef(ctx, in->ty)) == IR_NOREF)
					continue;
				/* a pointer keeps its phi unless the value has its exact type
				 * (regions are part of the type) */
				if (in->ty.cls == IR_PTR &&
				    (ir_ref_kind(same) != REF_TMP ||
				     !ir_vt_eq(f->tmps.data[ir_ref_idx(same)].ty, in->ty)))
					continue;
				repl[in->dst] = same;
				changed = true;
			}
	}
	vec_foreach (&f->blocks, bp) {
		struct ir_block *blk = *bp;
		uint32_t w = 0;
		for (uint32_t i = 0; i < blk->ins.len; i++) {
			struct ir_ins in = blk->ins.data[i];
			if (in.op == IR_PHI && repl[in.dst])
				continue;
			for (unsigned k = 0; k < in.nargs; k++)
				in.args[k] = resolve(repl, in.args[k]);
			blk->ins.data[w++] = in;
		}
		blk->ins.len = w;
	}
	free(repl);
}

void ir_layout_rpo(struct ir_func *f)
{
	uint32_t n = f->blocks.len;
	if (!n)
		return;
	ir_cfg_build(f);
	uint32_t *order = xmalloc(sizeof(uint32_t) * n), *newidx = xmalloc(sizeof(uint32_t) * n);
	uint32_t k = ir_rpo(f, order);
	for (uint32_t b = 0; b < n; b++)
		newidx[b] = f->blocks.data[b]->rpo;
	struct ir_block **blocks = xmalloc(sizeof(*blocks) * n);
	for (uint32_t i = 0; i < k; i++)
		blocks[i] = f->blocks.data[order[i]];
	for (uint32_t b = 0; b < n; b++)
		if (newidx[b] == UINT32_MAX) {
			vec_free(&f->blocks.data[b]->ins);
			vec_free(&f->blocks.data[b]->preds);
		}
	memcpy(f->blocks.data, blocks, sizeof(*blocks) * k);
	f->blocks.len = k;
	vec_foreach (&f->blocks, bp)
		vec_foreach (&(*bp)->ins, in) {
			if (in->op != IR_PHI) {
				for (unsigned a = 0; a < in->nargs; a++)
					if (ir_ref_kind(in->args[a]) == REF_BLK)
						in->args[a] = IR_REF(REF_BLK, newidx[ir_ref_idx(in->args[a])]);
				continue;
			}
			/* operands from unreachable predecessors go */
			unsigned o = 0;
			for (unsigned a = 0; a + 1 < in->nargs; a += 2) {
				uint32_t nb = newidx[ir_ref_idx(in->args[a])];
				if (nb == UINT32_MAX)
					continue;
				in->args[o++] = IR_REF(REF_BLK, nb);
				in->args[o++] = in->args[a + 1];
			}
			in->nargs = (uint16_t)o;
		}
	f->cfg_valid = false;
	free(order);
	free(newidx);
	free(blocks);
}
