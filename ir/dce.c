/* Pass `dce`: removes blocks unreachable from the entry, and instructions
 * whose results are unused and that have no effect (pure operations and
 * non-volatile loads). */
#include "ir/pass.h"

#include <stdlib.h>
#include <string.h>

static bool removable(const struct ir_ins *in)
{
	if (!in->dst || ir_op_is(in->op, OP_TERM))
		return false;
	if (ir_op_is(in->op, OP_PURE))
		return true;
	/* a load has no effect the program can observe (the kernel proves it safe) */
	return ir_op_is(in->op, OP_LOAD) && !ir_op_is(in->op, OP_ATOMIC | OP_STORE) &&
	       !(in->flags & INS_VOLATILE);
}

/* Deletes blocks for which keep[] is false, renumbering block references and
 * dropping phi operands that came from deleted blocks. */
static void remove_blocks(struct ir_func *f, const bool *keep)
{
	uint32_t n = f->blocks.len, k = 0;
	uint32_t *newidx = xmalloc(sizeof(uint32_t) * n);
	for (uint32_t b = 0; b < n; b++) {
		if (keep[b]) {
			newidx[b] = k;
			f->blocks.data[k++] = f->blocks.data[b];
		} else {
			newidx[b] = UINT32_MAX;
			vec_free(&f->blocks.data[b]->ins);
			vec_free(&f->blocks.data[b]->preds);
		}
	}
	f->blocks.len = k;
	vec_foreach(&f->blocks, bp)
	{
		vec_foreach(&(*bp)->ins, in)
		{
			unsigned out = 0;
			for (unsigned a = 0; a < in->nargs; a++) {
				ir_ref r = in->args[a];
				if (ir_ref_kind(r) == REF_BLK) {
					uint32_t nb = newidx[ir_ref_idx(r)];
					if (nb == UINT32_MAX && in->op == IR_PHI) {
						a++; /* drop the pair */
						continue;
					}
					W_ASSERT(nb != UINT32_MAX);
					r = IR_REF(REF_BLK, nb);
				}
				in->args[out++] = r;
			}
			in->nargs = (uint16_t)out;
		}
	}
	free(newidx);
	f->cfg_valid = false;
}

static bool remove_unreachable(struct ir_func *f)
{
	ir_cfg_build(f);
	bool *keep = xmalloc(f->blocks.len);
	bool any = false;
	for (uint32_t b = 0; b < f->blocks.len; b++) {
		keep[b] = f->blocks.data[b]->rpo != UINT32_MAX;
		any |= !keep[b];
	}
	if (any)
		remove_blocks(f, keep);
	free(keep);
	return any;
}

static bool remove_dead(struct ir_func *f)
{
	uint32_t *uses = xmalloc(sizeof(uint32_t) * f->tmps.len);
	bool any = false, changed;
	ir_use_counts(f, uses);
	do {
		changed = false;
		vec_foreach(&f->blocks, bp)
		{
			struct ir_block *blk = *bp;
			uint32_t out = 0;
			for (uint32_t i = 0; i < blk->ins.len; i++) {
				struct ir_ins *in = &blk->ins.data[i];
				if (removable(in) && uses[in->dst] == 0) {
					for (unsigned a = 0; a < in->nargs; a++)
						if (ir_ref_kind(in->args[a]) == REF_TMP)
							uses[ir_ref_idx(in->args[a])]--;
					changed = true;
					continue;
				}
				blk->ins.data[out++] = *in;
			}
			blk->ins.len = out;
		}
		any |= changed;
	} while (changed);
	free(uses);
	return any;
}

bool ir_pass_dce(struct ir_func *f)
{
	bool a = remove_unreachable(f);
	bool b = remove_dead(f);
	return a || b;
}
