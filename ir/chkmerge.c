/* Pass `chkmerge`: bounds-check hoisting. Parsers check the packet once per
 * header (14 bytes, then 34, then 54 ...), and every failing check returns
 * the same verdict. When nothing between two checks of the same packet has an
 * effect, and every way out of that stretch returns the failing check's
 * verdict, the first check can demand the larger length at once and the
 * second goes: a short packet ends with the same verdict either way. The
 * merged check covers the same bytes, so the verifier still sees every access
 * guarded. */
#include "ir/pass.h"

#include <stdlib.h>
#include <string.h>

struct chkmerge {
	struct ir_func *f;
	struct ir_defsite *defs;
	bool *in_region;
	uint32_t *stack;
};

/* The value a pointer derives from by constant offsets, and that offset. */
static ir_ref root_of(struct chkmerge *s, ir_ref r, int64_t *delta)
{
	*delta = 0;
	for (unsigned guard = 0; guard < 256 && ir_ref_kind(r) == REF_TMP; guard++) {
		struct ir_defsite d = s->defs[ir_ref_idx(r)];
		if (d.blk == UINT32_MAX || d.idx == UINT32_MAX)
			break;
		const struct ir_ins *in = &s->f->blocks.data[d.blk]->ins.data[d.idx];
		if (in->op == IR_COPY) {
			r = in->args[0];
		} else if ((in->op == IR_ADD || in->op == IR_SUB) && ir_ref_kind(in->args[1]) == REF_CON) {
			int64_t c = ir_con_val(s->f, in->args[1]);
			*delta += in->op == IR_ADD ? c : -c;
			r = in->args[0];
		} else {
			break;
		}
	}
	return r;
}

/* The verdict a block returns when it does nothing else, or false. */
static bool verdict(const struct ir_func *f, uint32_t b, int64_t *v)
{
	const struct ir_block *blk = f->blocks.data[b];
	if (blk->ins.len != 1 || blk->ins.data[0].op != IR_RET || blk->ins.data[0].nargs != 1 ||
	    ir_ref_kind(blk->ins.data[0].args[0]) != REF_CON)
		return false;
	*v = ir_con_val(f, blk->ins.data[0].args[0]);
	return true;
}

static bool has_effect(const struct ir_ins *in)
{
	return ir_op_is(in->op, OP_STORE | OP_ATOMIC | OP_CALL) || (in->flags & INS_VOLATILE);
}

/* Whether the stretch from `start` up to (not into) `stop` has no effect and
 * leaves only to `stop` or to blocks returning `fail`. */
static bool clean_stretch(struct chkmerge *s, uint32_t start, uint32_t stop, int64_t fail)
{
	struct ir_func *f = s->f;
	memset(s->in_region, 0, f->blocks.len);
	uint32_t sp = 0;
	s->stack[sp++] = start;
	s->in_region[start] = true;
	while (sp) {
		uint32_t b = s->stack[--sp];
		const struct ir_block *blk = f->blocks.data[b];
		for (uint32_t i = 0; i < blk->ins.len; i++)
			if (has_effect(&blk->ins.data[i]))
				return false;
		const struct ir_ins *t = ir_block_term(f, b);
		if (!t || t->op == IR_RET || t->op == IR_UNREACHABLE)
			return false; /* another way out */
		uint32_t succ[2];
		unsigned ns = ir_succs(t, succ);
		for (unsigned k = 0; k < ns; k++) {
			uint32_t n = succ[k];
			int64_t v;
			if (n == stop || (verdict(f, n, &v) && v == fail))
				continue;
			/* a loop back into the stretch: give up */
			if (s->in_region[n] || f->blocks.data[n]->rpo <= blk->rpo)
				return false;
			s->in_region[n] = true;
			s->stack[sp++] = n;
		}
	}
	return true;
}

bool ir_pass_chkmerge(struct ir_func *f)
{
	struct chkmerge s = { .f = f };
	bool changed = false;
	ir_cfg_build(f);
	s.defs = xmalloc(sizeof(*s.defs) * f->tmps.len);
	ir_defsites(f, s.defs);
	s.in_region = xmalloc(f->blocks.len);
	s.stack = xmalloc(sizeof(uint32_t) * (f->blocks.len + 1));
	for (uint32_t a = 0; a < f->blocks.len; a++) {
		struct ir_ins *ta = ir_block_term(f, a);
		if (!ta || ta->op != IR_CHKPKT || ir_ref_kind(ta->args[1]) != REF_CON ||
		    f->blocks.data[a]->rpo == UINT32_MAX)
			continue;
		int64_t fail, da, dea;
		uint32_t a_ok = ir_ref_idx(ta->args[3]);
		if (!verdict(f, ir_ref_idx(ta->args[4]), &fail))
			continue;
		ir_ref ra = root_of(&s, ta->args[0], &da), ea = root_of(&s, ta->args[2], &dea);
		/* later checks of the same packet that a_ok dominates */
		for (uint32_t b = 0; b < f->blocks.len; b++) {
			struct ir_ins *tb = ir_block_term(f, b);
			int64_t fb, db, deb;
			if (b == a || !tb || tb->op != IR_CHKPKT || ir_ref_kind(tb->args[1]) != REF_CON ||
			    !ir_dominates(f, a_ok, b) || !verdict(f, ir_ref_idx(tb->args[4]), &fb) || fb != fail)
				continue;
			if (root_of(&s, tb->args[0], &db) != ra || root_of(&s, tb->args[2], &deb) != ea || deb != dea)
				continue;
			if (!clean_stretch(&s, a_ok, b, fail))
				continue;
			int64_t na = ir_con_val(f, ta->args[1]), nb = ir_con_val(f, tb->args[1]);
			int64_t need = MAX(na, db + nb - da);
			ta->args[1] = ir_con(f, need);
			uint32_t b_ok = ir_ref_idx(tb->args[3]);
			tb->op = IR_JMP;
			tb->args[0] = IR_REF(REF_BLK, b_ok);
			tb->nargs = 1;
			changed = true;
			ir_cfg_build(f);
		}
	}
	free(s.defs);
	free(s.in_region);
	free(s.stack);
	f->cfg_valid = false;
	return changed;
}
