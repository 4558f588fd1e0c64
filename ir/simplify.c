/* Pass `simplify`: control-flow graph clean-up — branches whose arms agree
 * become jumps, jumps through empty blocks go straight to their target, and
 * a block that is the only successor of its only predecessor is merged into
 * it, and blocks that return the same constant are shared. Check terminators
 * (chkpkt, chknull) are kept: they carry the facts the verifier needs. */
#include "ir/pass.h"

#include <stdlib.h>
#include <string.h>

/* Replaces block references `from` by `to` in the phis of block b. */
static void rename_phi_pred(struct ir_func *f, uint32_t b, uint32_t from, uint32_t to)
{
	vec_foreach(&f->blocks.data[b]->ins, in)
	{
		if (in->op != IR_PHI)
			break;
		for (unsigned k = 0; k + 1 < in->nargs; k += 2)
			if (ir_ref_idx(in->args[k]) == from)
				in->args[k] = IR_REF(REF_BLK, to);
	}
}

/* The value phi `in` takes from predecessor p (IR_NOREF if none). */
static ir_ref phi_value(const struct ir_ins *in, uint32_t p)
{
	for (unsigned k = 0; k + 1 < in->nargs; k += 2)
		if (ir_ref_idx(in->args[k]) == p)
			return in->args[k + 1];
	return IR_NOREF;
}

/* Whether the edge b -> s is the success edge of a check: the edge whose
 * target the verifier's facts (bounds, non-NULL) hold in, as verify_bpf.c
 * finds them. The failure edge carries nothing and may go anywhere. */
static bool guards_edge(const struct ir_func *f, uint32_t b, uint32_t s)
{
	const struct ir_ins *t = ir_block_term(f, b);
	if (!t)
		return false;
	if (t->op == IR_CHKNULL)
		return ir_ref_idx(t->args[1]) == s;
	if (t->op == IR_CHKPKT)
		return ir_ref_idx(t->args[3]) == s;
	if ((t->op != IR_BR_EQ && t->op != IR_BR_NE) || ir_ref_kind(t->args[0]) != REF_TMP ||
	    f->tmps.data[ir_ref_idx(t->args[0])].ty.cls != IR_PTR)
		return false;
	/* br.ne %p, 0, @nonnull, @null / br.eq %p, 0, @null, @nonnull; a
	 * comparison of two pointers keeps both arms */
	if (ir_ref_kind(t->args[1]) == REF_CON && ir_con_val(f, t->args[1]) == 0)
		return ir_ref_idx(t->args[t->op == IR_BR_NE ? 2 : 3]) == s;
	return true;
}

static bool has_phis(const struct ir_block *b)
{
	return b->ins.len && b->ins.data[0].op == IR_PHI;
}

/* br c, @t, @t and friends: both arms go to the same block. */
static bool same_arms(struct ir_func *f)
{
	bool changed = false;
	for (uint32_t b = 0; b < f->blocks.len; b++) {
		struct ir_ins *t = ir_block_term(f, b);
		if (!t || (t->op != IR_BR && !(ir_op_is(t->op, OP_CMP) && ir_op_is(t->op, OP_TERM))))
			continue;
		uint32_t s[2];
		if (ir_succs(t, s) != 2 || s[0] != s[1])
			continue;
		t->op = IR_JMP;
		t->args[0] = IR_REF(REF_BLK, s[0]);
		t->nargs = 1;
		changed = true;
	}
	return changed;
}

/* @e: jmp @t (nothing else): send e's predecessors to t directly. */
static bool thread_empty(struct ir_func *f)
{
	bool changed = false;
	ir_cfg_build(f);
	for (uint32_t e = 1; e < f->blocks.len; e++) {
		struct ir_block *eb = f->blocks.data[e];
		if (eb->ins.len != 1 || eb->ins.data[0].op != IR_JMP || eb->rpo == UINT32_MAX)
			continue;
		uint32_t t = ir_ref_idx(eb->ins.data[0].args[0]);
		if (t == e)
			continue;
		struct ir_block *tb = f->blocks.data[t];
		/* a predecessor that already reaches t would need two phi entries */
		bool clash = false;
		vec_foreach(&eb->preds, p) vec_foreach(&tb->preds, q) clash |= *p == *q;
		if (clash && has_phis(tb))
			continue;
		/* e is the block a check guards: t may take its place only if t
		 * too is reached from e alone */
		bool guards = false;
		vec_foreach(&eb->preds, p) guards |= guards_edge(f, *p, e);
		if (guards && tb->preds.len > 1)
			continue;
		for (uint32_t i = 0; i < eb->preds.len; i++) {
			uint32_t p = eb->preds.data[i];
			struct ir_ins *pt = ir_block_term(f, p);
			for (unsigned a = ir_term_first_block(pt); a < pt->nargs; a++)
				if (ir_ref_idx(pt->args[a]) == e)
					pt->args[a] = IR_REF(REF_BLK, t);
		}
		/* t's phis: the value that came through e now comes from each of e's preds */
		vec_foreach(&tb->ins, in)
		{
			if (in->op != IR_PHI)
				break;
			ir_ref v = phi_value(in, e);
			unsigned n = in->nargs - 2u + 2u * eb->preds.len;
			ir_ref *args = arena_alloc(&f->arena, sizeof(ir_ref) * n);
			unsigned k = 0;
			for (unsigned j = 0; j + 1 < in->nargs; j += 2) {
				if (ir_ref_idx(in->args[j]) == e)
					continue;
				args[k++] = in->args[j];
				args[k++] = in->args[j + 1];
			}
			vec_foreach(&eb->preds, p)
			{
				args[k++] = IR_REF(REF_BLK, *p);
				args[k++] = v;
			}
			in->args = args;
			in->nargs = (uint16_t)k;
		}
		eb->ins.len = 0;
		/* e is now unreachable: keep it well-formed (and out of t's
		 * predecessors) until dce removes it */
		ir_ref self[] = { IR_REF(REF_BLK, e) };
		ir_emit(f, e, IR_JMP, VT_VOID, 0, self, 1);
		ir_cfg_build(f);
		changed = true;
	}
	return changed;
}

/* p: ...; jmp @b, where p is b's only predecessor: b's body joins p. */
static bool merge_chains(struct ir_func *f)
{
	bool changed = false;
	ir_cfg_build(f);
	for (uint32_t p = 0; p < f->blocks.len; p++) {
		struct ir_block *pb = f->blocks.data[p];
		struct ir_ins *t = ir_block_term(f, p);
		if (!t || t->op != IR_JMP || pb->rpo == UINT32_MAX)
			continue;
		uint32_t b = ir_ref_idx(t->args[0]);
		struct ir_block *bb = f->blocks.data[b];
		if (b == 0 || b == p || bb->preds.len != 1)
			continue;
		pb->ins.len--; /* the jmp */
		vec_foreach(&bb->ins, in)
		{
			if (in->op == IR_PHI) {
				/* one predecessor: the phi is its value */
				in->op = IR_COPY;
				in->args[0] = phi_value(in, p);
				in->nargs = 1;
			}
			vec_push(&pb->ins, *in);
		}
		/* b's successors now come from p */
		struct ir_ins *nt = ir_block_term(f, p);
		uint32_t s[2];
		unsigned ns = nt ? ir_succs(nt, s) : 0;
		for (unsigned i = 0; i < ns; i++)
			rename_phi_pred(f, s[i], b, p);
		bb->ins.len = 0;
		ir_ref self[] = { IR_REF(REF_BLK, b) };
		ir_emit(f, b, IR_JMP, VT_VOID, 0, self, 1);
		ir_cfg_build(f);
		changed = true;
		p--; /* p may merge again with its new successor */
	}
	return changed;
}

/* The constant a block returns when a `ret` is all it holds. */
static bool const_ret(const struct ir_func *f, uint32_t b, int64_t *val)
{
	const struct ir_block *bb = f->blocks.data[b];
	if (b == 0 || bb->rpo == UINT32_MAX || bb->ins.len != 1 || bb->ins.data[0].op != IR_RET)
		return false;
	const struct ir_ins *r = &bb->ins.data[0];
	if (r->nargs && ir_ref_kind(r->args[0]) != REF_CON)
		return false;
	*val = r->nargs ? ir_con_val(f, r->args[0]) : INT64_MIN;
	return true;
}

/* Blocks that only return the same constant become one: the predecessors
 * of the later ones jump to the first (one exit sequence instead of one per
 * path; a conditional branch reaches it without a jump). */
static bool merge_returns(struct ir_func *f)
{
	bool changed = false;
	ir_cfg_build(f);
	for (uint32_t b = 1; b < f->blocks.len; b++) {
		int64_t vb, vc;
		if (!const_ret(f, b, &vb))
			continue;
		for (uint32_t c = b + 1; c < f->blocks.len; c++) {
			if (!const_ret(f, c, &vc) || vc != vb)
				continue;
			struct ir_block *cb = f->blocks.data[c];
			vec_foreach(&cb->preds, p)
			{
				struct ir_ins *pt = ir_block_term(f, *p);
				for (unsigned a = ir_term_first_block(pt); a < pt->nargs; a++)
					if (ir_ref_idx(pt->args[a]) == c)
						pt->args[a] = IR_REF(REF_BLK, b);
			}
			cb->ins.len = 0;
			ir_ref self[] = { IR_REF(REF_BLK, c) };
			ir_emit(f, c, IR_JMP, VT_VOID, 0, self, 1);
			ir_cfg_build(f);
			changed = true;
		}
	}
	return changed;
}

bool ir_pass_simplify(struct ir_func *f)
{
	bool any = false;
	for (bool changed = true; changed;) {
		changed = same_arms(f);
		changed |= thread_empty(f);
		changed |= merge_chains(f);
		changed |= merge_returns(f);
		any |= changed;
	}
	f->cfg_valid = false;
	return any;
}
