/* Control-flow analyses over a function: predecessors, reverse post-order,
 * dominators (Cooper, Harvey and Kennedy's iterative algorithm), definition
 * sites and use counts of temps. */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

static void postorder(struct ir_func *f, uint32_t b, bool *seen, uint32_t *order, uint32_t *n)
{
	/* explicit stack: functions can have thousands of blocks */
	struct frame {
		uint32_t blk, next;
	} *stack = xmalloc(sizeof(*stack) * (f->blocks.len + 1));
	uint32_t sp = 0;
	stack[sp++] = (struct frame){ b, 0 };
	seen[b] = true;
	while (sp) {
		struct frame *fr = &stack[sp - 1];
		struct ir_ins *t = ir_block_term(f, fr->blk);
		uint32_t succ[2];
		unsigned ns = t ? ir_succs(t, succ) : 0;
		if (fr->next < ns) {
			uint32_t s = succ[fr->next++];
			if (s < f->blocks.len && !seen[s]) {
				seen[s] = true;
				stack[sp++] = (struct frame){ s, 0 };
			}
			continue;
		}
		order[(*n)++] = fr->blk;
		sp--;
	}
	free(stack);
}

static uint32_t intersect(struct ir_func *f, uint32_t a, uint32_t b)
{
	while (a != b) {
		while (f->blocks.data[a]->rpo > f->blocks.data[b]->rpo)
			a = f->blocks.data[a]->idom;
		while (f->blocks.data[b]->rpo > f->blocks.data[a]->rpo)
			b = f->blocks.data[b]->idom;
	}
	return a;
}

void ir_cfg_build(struct ir_func *f)
{
	uint32_t nb = f->blocks.len;
	if (!nb)
		return;
	vec_foreach(&f->blocks, bp)
	{
		(*bp)->preds.len = 0;
		(*bp)->rpo = UINT32_MAX;
		(*bp)->idom = UINT32_MAX;
		(*bp)->domdepth = 0;
	}
	for (uint32_t b = 0; b < nb; b++) {
		struct ir_ins *t = ir_block_term(f, b);
		uint32_t succ[2];
		unsigned ns = t ? ir_succs(t, succ) : 0;
		for (unsigned i = 0; i < ns; i++) {
			if (succ[i] >= nb)
				continue;
			/* a conditional branch to the same block twice is one edge */
			if (i == 1 && succ[1] == succ[0])
				continue;
			vec_push(&f->blocks.data[succ[i]]->preds, b);
		}
	}
	bool *seen = xcalloc(nb, 1);
	uint32_t *order = xmalloc(sizeof(uint32_t) * nb), n = 0;
	postorder(f, 0, seen, order, &n);
	for (uint32_t i = 0; i < n; i++)
		f->blocks.data[order[n - 1 - i]]->rpo = i;

	struct ir_block *entry = f->blocks.data[0];
	entry->idom = 0;
	for (bool changed = true; changed;) {
		changed = false;
		for (uint32_t i = n - 1; i-- > 0;) { /* reverse post-order, skipping the entry */
			uint32_t b = order[i];
			struct ir_block *blk = f->blocks.data[b];
			uint32_t idom = UINT32_MAX;
			vec_foreach(&blk->preds, p)
			{
				if (f->blocks.data[*p]->idom == UINT32_MAX)
					continue;
				idom = idom == UINT32_MAX ? *p : intersect(f, *p, idom);
			}
			if (idom != blk->idom) {
				blk->idom = idom;
				changed = true;
			}
		}
	}
	for (uint32_t i = n; i-- > 0;) {
		uint32_t b = order[i];
		if (b != 0)
			f->blocks.data[b]->domdepth = f->blocks.data[f->blocks.data[b]->idom]->domdepth + 1;
	}
	free(seen);
	free(order);
	f->cfg_valid = true;
}

bool ir_dominates(const struct ir_func *f, uint32_t a, uint32_t b)
{
	const struct ir_block *ba = f->blocks.data[a];
	if (ba->rpo == UINT32_MAX || f->blocks.data[b]->rpo == UINT32_MAX)
		return false;
	while (f->blocks.data[b]->domdepth > ba->domdepth)
		b = f->blocks.data[b]->idom;
	return a == b;
}

uint32_t ir_rpo(const struct ir_func *f, uint32_t *out)
{
	uint32_t n = 0;
	for (uint32_t b = 0; b < f->blocks.len; b++)
		if (f->blocks.data[b]->rpo != UINT32_MAX) {
			out[f->blocks.data[b]->rpo] = b;
			n++;
		}
	return n;
}

void ir_defsites(const struct ir_func *f, struct ir_defsite *out)
{
	for (uint32_t t = 0; t < f->tmps.len; t++)
		out[t] = (struct ir_defsite){ UINT32_MAX, UINT32_MAX };
	vec_foreach(&f->params, p) out[*p] = (struct ir_defsite){ 0, UINT32_MAX };
	for (uint32_t b = 0; b < f->blocks.len; b++) {
		struct ir_block *blk = f->blocks.data[b];
		for (uint32_t i = 0; i < blk->ins.len; i++)
			if (blk->ins.data[i].dst)
				out[blk->ins.data[i].dst] = (struct ir_defsite){ b, i };
	}
}

void ir_use_counts(const struct ir_func *f, uint32_t *out)
{
	memset(out, 0, sizeof(uint32_t) * f->tmps.len);
	vec_foreach(&f->blocks, bp)
	{
		vec_foreach(&(*bp)->ins, in)
		{
			for (unsigned a = 0; a < in->nargs; a++)
				if (ir_ref_kind(in->args[a]) == REF_TMP)
					out[ir_ref_idx(in->args[a])]++;
		}
	}
}
