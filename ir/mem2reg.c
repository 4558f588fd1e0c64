/* The mem2reg pass: stack slots promoted to SSA values after inlining: a local whose address
 * only reaches loads and stores at constant offsets (a variable passed by
 * pointer to an inlined function, a small struct accessed field by field,
 * a compound literal) is split into its accessed pieces, each an SSA value
 * with phis at the dominance frontiers of its stores (the classic
 * construction of Cytron et al.).  Slots a helper reads, or accessed with
 * overlapping sizes, stay in memory. */
#include "ir/pass.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SLICES 32

struct slice {
	int64_t off;
	unsigned size;
	ir_vt vt;      /* canonical class: i32 (up to 4 bytes), i64 or a pointer */
	uint32_t *phi; /* per block: phi temp for this slice, 0 if none */
	ir_ref *stack; /* renaming stack */
	uint32_t sp;
};

struct promo {
	struct ir_func *f;
	uint32_t alloca_tmp;
	struct slice s[MAX_SLICES];
	unsigned n;
	uint32_t *df, *df_start, *df_len; /* dominance frontiers, flattened */
	VEC(uint32_t) * children;	  /* dominator tree */
	uint32_t null_tmp;		  /* `cast 0` in the entry block, 0 until needed */
	int64_t *delta;			  /* per temp: its offset from the alloca, or NO_ALIAS */
};

#define NO_ALIAS INT64_MIN

/* Pointers derived from alloca a by copies, casts and constant offsets. */
static void aliases(struct promo *p, uint32_t a)
{
	struct ir_func *f = p->f;
	for (uint32_t t = 0; t < f->tmps.len; t++)
		p->delta[t] = NO_ALIAS;
	p->delta[a] = 0;
	bool changed = true;
	for (unsigned guard = 0; changed && guard < 8; guard++) {
		changed = false;
		for (uint32_t b = 0; b < f->blocks.len; b++)
			vec_foreach (&f->blocks.data[b]->ins, in) {
				if (!in->dst || p->delta[in->dst] != NO_ALIAS || !in->nargs ||
				    ir_ref_kind(in->args[0]) != REF_TMP ||
				    p->delta[ir_ref_idx(in->args[0])] == NO_ALIAS)
					continue;
				int64_t d = p->delta[ir_ref_idx(in->args[0])];
				if ((in->op == IR_COPY || in->op == IR_CAST) &&
				    in->ty.cls == IR_PTR)
					p->delta[in->dst] = d;
				else if ((in->op == IR_ADD || in->op == IR_SUB) &&
					 in->ty.cls == IR_PTR &&
					 ir_ref_kind(in->args[1]) == REF_CON)
					p->delta[in->dst] = d + (in->op == IR_ADD ? 1 : -1) *
									ir_con_val(f, in->args[1]);
				else
					continue;
				changed = true;
			}
	}
}

static bool is_alias(struct promo *p, ir_ref r)
{
	return ir_ref_kind(r) == REF_TMP && p->delta[ir_ref_idx(r)] != NO_ALIAS;
}

static int64_t delta_of(struct promo *p, ir_ref r)
{
	return p->delta[ir_ref_idx(r)];
}

static int find_slice(struct promo *p, int64_t off, unsigned size)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->s[i].off == off && p->s[i].size == size)
			return (int)i;
	return -1;
}

static bool overlaps(struct promo *p, int64_t off, unsigned size)
{
	for (unsigned i = 0; i < p->n; i++)
		if (off < p->s[i].off + (int64_t)p->s[i].size &&
		    p->s[i].off < off + (int64_t)size &&
		    !(p->s[i].off == off && p->s[i].size == size))
			return true;
	return false;
}

static bool is_mem_op(unsigned op)
{
	return ir_op_is(op, OP_LOAD | OP_STORE) && !ir_op_is(op, OP_ATOMIC) && op != IR_MEMCPY;
}

/* Collects the slices of alloca `a`; false if it cannot be promoted. */
static bool analyse(struct promo *p, uint32_t a)
{
	struct ir_func *f = p->f;
	p->n = 0;
	aliases(p, a);
	bool has_ptr[MAX_SLICES] = { false }, has_int[MAX_SLICES] = { false };
	for (uint32_t b = 0; b < f->blocks.len; b++)
		vec_foreach (&f->blocks.data[b]->ins, in) {
			for (unsigned k = 0; k < in->nargs; k++) {
				if (!is_alias(p, in->args[k]))
					continue;
				bool derive = k == 0 && in->dst &&
					      is_alias(p, ir_tmp_ref(in->dst)) &&
					      (in->op == IR_COPY || in->op == IR_CAST ||
					       in->op == IR_ADD || in->op == IR_SUB);
				if (derive)
					continue;
				if (in->op == IR_MEMSET) {
					if (k != 0 || ir_ref_kind(in->args[1]) != REF_CON)
						return false;
					continue;
				}
				if (!is_mem_op(in->op) || k != 0)
					return false; /* the address escapes */
				if (ir_op_is(in->op, OP_STORE) && is_alias(p, in->args[2]))
					return false;
				int64_t off = ir_con_val(f, in->args[1]) + delta_of(p, in->args[0]);
				unsigned size = (unsigned)ir_ops[in->op].param;
				if (in->flags & INS_VOLATILE)
					return false;
				int s = find_slice(p, off, size);
				if (s < 0) {
					if (overlaps(p, off, size) || p->n == MAX_SLICES)
						return false;
					s = (int)p->n++;
					memset(&p->s[s], 0, sizeof(p->s[s]));
					p->s[s].off = off;
					p->s[s].size = size;
				}
				ir_vt t = ir_op_is(in->op, OP_STORE)
						  ? (ir_ref_kind(in->args[2]) == REF_TMP
							     ? f->tmps.data[ir_ref_idx(in->args[2])]
								       .ty
							     : VT_I64)
						  : in->ty;
				if (t.cls == IR_PTR)
					has_ptr[s] = true;
				else
					has_int[s] = true;
				/* narrow pieces hold i32 values (masked when stored) */
				if (ir_op_is(in->op, OP_STORE) && size < 4 && t.cls != IR_I32 &&
				    ir_ref_kind(in->args[2]) == REF_TMP)
					return false;
			}
		}
	if (!p->n)
		return false;
	/* memsets must cover whole slices */
	for (uint32_t b = 0; b < f->blocks.len; b++)
		vec_foreach (&f->blocks.data[b]->ins, in) {
			if (in->op != IR_MEMSET || !is_alias(p, in->args[0]))
				continue;
			int64_t lo = delta_of(p, in->args[0]), hi = lo + ir_con_val(f, in->args[2]);
			for (unsigned i = 0; i < p->n; i++) {
				int64_t so = p->s[i].off, se = so + (int64_t)p->s[i].size;
				bool inside = so >= lo && se <= hi, outside = so >= hi || se <= lo;
				if (!inside && !outside)
					return false;
			}
		}
	for (unsigned i = 0; i < p->n; i++) {
		if (has_ptr[i] && (has_int[i] || p->s[i].size != 8))
			return false; /* a pointer and an integer in one piece: leave it */
		p->s[i].vt = has_ptr[i] ? VT_PTR(ANY) : p->s[i].size == 8 ? VT_I64 : VT_I32;
	}
	return true;
}

/* ---- dominance frontiers ---------------------------------------------------------- */

static void frontiers(struct promo *p)
{
	struct ir_func *f = p->f;
	uint32_t n = f->blocks.len;
	VEC(uint32_t) *df = xcalloc(n, sizeof(*df));
	for (uint32_t b = 0; b < n; b++) {
		struct ir_block *blk = f->blocks.data[b];
		if (blk->preds.len < 2 || blk->rpo == UINT32_MAX)
			continue;
		vec_foreach (&blk->preds, pp) {
			uint32_t runner = *pp;
			for (unsigned guard = 0; guard < n && runner != blk->idom &&
						 f->blocks.data[runner]->rpo != UINT32_MAX;
			     guard++) {
				bool have = false;
				vec_foreach (&df[runner], x)
					have |= *x == b;
				if (!have)
					vec_push(&df[runner], b);
				if (runner == f->blocks.data[runner]->idom)
					break;
				runner = f->blocks.data[runner]->idom;
			}
		}
	}
	p->df_start = xmalloc(sizeof(uint32_t) * (n + 1));
	p->df_len = xmalloc(sizeof(uint32_t) * (n + 1));
	uint32_t total = 0;
	for (uint32_t b = 0; b < n; b++)
		total += df[b].len;
	p->df = xmalloc(sizeof(uint32_t) * (total + 1));
	total = 0;
	for (uint32_t b = 0; b < n; b++) {
		p->df_start[b] = total;
		p->df_len[b] = df[b].len;
		for (uint32_t i = 0; i < df[b].len; i++)
			p->df[total++] = df[b].data[i];
		vec_free(&df[b]);
	}
	free(df);
	p->children = xcalloc(n, sizeof(*p->children));
	for (uint32_t b = 1; b < n; b++)
		if (f->blocks.data[b]->rpo != UINT32_MAX && f->blocks.data[b]->idom != b)
			vec_push(&p->children[f->blocks.data[b]->idom], b);
}

/* ---- rewriting -------------------------------------------------------------------- */

static ir_ref undef(struct ir_func *f, ir_vt vt, uint32_t *null_tmp)
{
	if (vt.cls != IR_PTR)
		return ir_con(f, 0);
	if (!*null_tmp) {
		ir_ref zero = ir_con(f, 0);
		*null_tmp = ir_tmp_new(f, NULL, VT_PTR(ANY));
		struct ir_block *e = f->blocks.data[0];
		struct ir_ins in = {
			.op = IR_CAST, .ty = VT_PTR(ANY), .dst = *null_tmp, .nargs = 1
		};
		in.args = arena_memdup(&f->arena, &zero, sizeof(zero));
		vec_push(&e->ins, in);
		/* before the entry's terminator */
		struct ir_ins t = e->ins.data[e->ins.len - 2];
		e->ins.data[e->ins.len - 2] = e->ins.data[e->ins.len - 1];
		e->ins.data[e->ins.len - 1] = t;
	}
	return ir_tmp_ref(*null_tmp);
}

static int64_t mask_of(unsigned size)
{
	return size >= 8 ? -1 : (int64_t)((1ull << (8 * size)) - 1);
}

/* Turns instruction `in` into `dst = op a[, b]` of type vt. */
static void become(struct ir_func *f, struct ir_ins *in, unsigned op, ir_vt vt, uint32_t dst,
		   ir_ref a, ir_ref b)
{
	ir_ref args[2] = { a, b };
	in->op = (uint16_t)op;
	in->ty = vt;
	in->dst = dst;
	in->nargs = (uint16_t)(b == IR_NOREF ? 1 : 2);
	in->args = arena_memdup(&f->arena, args, sizeof(ir_ref) * in->nargs);
	in->flags = 0;
}

static void rename_block(struct promo *p, uint32_t b, uint32_t *nop_count)
{
	struct ir_func *f = p->f;
	struct ir_block *blk = f->blocks.data[b];
	uint32_t saved[MAX_SLICES];
	for (unsigned i = 0; i < p->n; i++) {
		saved[i] = p->s[i].sp;
		if (p->s[i].phi[b])
			p->s[i].stack[p->s[i].sp++] = ir_tmp_ref(p->s[i].phi[b]);
	}
	for (uint32_t i = 0; i < blk->ins.len; i++) {
		struct ir_ins *in = &blk->ins.data[i];
		if (in->op == IR_MEMSET && is_alias(p, in->args[0])) {
			int64_t lo = delta_of(p, in->args[0]), n = lo + ir_con_val(f, in->args[2]);
			uint64_t byte = (uint8_t)ir_con_val(f, in->args[1]);
			for (unsigned k = 0; k < p->n; k++)
				if (p->s[k].off >= lo && p->s[k].off + (int64_t)p->s[k].size <= n) {
					uint64_t pat = byte * 0x0101010101010101ull &
						       (uint64_t)mask_of(p->s[k].size);
					ir_ref v =
						p->s[k].vt.cls == IR_PTR
							? undef(f, VT_PTR(ANY), &p->null_tmp)
							: ir_con(f, p->s[k].vt.cls == IR_I32
									    ? (int64_t)(uint32_t)pat
									    : (int64_t)pat);
					if (p->s[k].vt.cls == IR_PTR && pat)
						return; /* a non-zero pattern in a pointer: not
							   reached (analyse) */
					p->s[k].stack[p->s[k].sp++] = v;
				}
			in->op = IR_NOPS; /* deleted below */
			(*nop_count)++;
			continue;
		}
		if (!is_mem_op(in->op) || in->op == IR_MEMSET || !is_alias(p, in->args[0]))
			continue;
		int s = find_slice(p, ir_con_val(f, in->args[1]) + delta_of(p, in->args[0]),
				   (unsigned)ir_ops[in->op].param);
		struct slice *sl = &p->s[s];
		if (ir_op_is(in->op, OP_STORE)) {
			ir_ref v = in->args[2];
			if (ir_ref_kind(v) == REF_CON) {
				int64_t c = ir_con_val(f, v) & mask_of(sl->size);
				ir_ref cv = sl->vt.cls == IR_PTR
						    ? (c ? IR_NOREF
							 : undef(f, VT_PTR(ANY), &p->null_tmp))
						    : ir_con(f, sl->vt.cls == IR_I32
									? (int64_t)(uint32_t)c
									: c);
				if (cv == IR_NOREF) {
					/* a non-null pointer constant: make it a pointer */
					uint32_t t = ir_tmp_new(f, NULL, VT_PTR(ANY));
					become(f, in, IR_CAST, VT_PTR(ANY), t, ir_con(f, c),
					       IR_NOREF);
					sl->stack[sl->sp++] = ir_tmp_ref(t);
					continue;
				}
				sl->stack[sl->sp++] = cv;
				in->op = IR_NOPS;
				(*nop_count)++;
				continue;
			}
			ir_vt vt = f->tmps.data[ir_ref_idx(v)].ty;
			uint32_t t = ir_tmp_new(f, NULL, sl->vt);
			if (sl->vt.cls == IR_PTR)
				become(f, in, ir_vt_eq(vt, sl->vt) ? IR_COPY : IR_CAST, sl->vt, t,
				       v, IR_NOREF);
			else if (sl->size == 8)
				become(f, in, vt.cls == IR_PTR ? IR_CAST : IR_COPY, VT_I64, t, v,
				       IR_NOREF);
			else if (vt.cls == IR_I64 || vt.cls == IR_PTR)
				become(f, in, IR_TRUNC, VT_I32, t, v,
				       IR_NOREF); /* 4 bytes: the low half */
			else if (sl->size == 4)
				become(f, in, IR_COPY, VT_I32, t, v, IR_NOREF);
			else
				become(f, in, IR_AND, VT_I32, t, v, ir_con(f, mask_of(sl->size)));
			sl->stack[sl->sp++] = ir_tmp_ref(t);
			continue;
		}
		/* a load */
		ir_ref v = sl->sp ? sl->stack[sl->sp - 1] : undef(f, sl->vt, &p->null_tmp);
		unsigned op = in->op;
		bool sign = ir_op_is(op, OP_SIGNED);
		ir_vt rt = in->ty;
		uint32_t dst = in->dst;
		ir_vt vt = ir_ref_kind(v) == REF_TMP ? f->tmps.data[ir_ref_idx(v)].ty : sl->vt;
		/* the piece's value is zero-extended to its class */
		if (sign && sl->size < 4)
			become(f, in, sl->size == 1 ? IR_SEXT8 : IR_SEXT16, rt, dst, v, IR_NOREF);
		else if (sign && sl->size == 4 && rt.cls == IR_I64)
			become(f, in, IR_SEXT32, rt, dst, v, IR_NOREF);
		else if (rt.cls == IR_PTR)
			become(f, in, vt.cls == IR_PTR && ir_vt_eq(vt, rt) ? IR_COPY : IR_CAST, rt,
			       dst, v, IR_NOREF);
		else if (rt.cls == IR_I64 && vt.cls == IR_I32)
			become(f, in, IR_ZEXT, rt, dst, v, IR_NOREF);
		else if (rt.cls == IR_I64 && vt.cls == IR_PTR)
			become(f, in, IR_CAST, rt, dst, v, IR_NOREF);
		else if (rt.cls == IR_I32 && vt.cls != IR_I32 && !(ir_ref_kind(v) == REF_CON))
			become(f, in, IR_TRUNC, rt, dst, v, IR_NOREF);
		else
			become(f, in, IR_COPY, rt, dst,
			       (ir_ref_kind(v) == REF_CON) && rt.cls == IR_I32
				       ? ir_con(f, (int64_t)(uint32_t)ir_con_val(f, v))
				       : v,
			       IR_NOREF);
	}
	/* the phis of the successors */
	const struct ir_ins *t = ir_block_term(f, b);
	uint32_t succ[2];
	unsigned ns = t ? ir_succs(t, succ) : 0;
	for (unsigned k = 0; k < ns; k++) {
		struct ir_block *sb = f->blocks.data[succ[k]];
		for (unsigned i = 0; i < p->n; i++) {
			uint32_t phi = p->s[i].phi[succ[k]];
			if (!phi)
				continue;
			ir_ref v = p->s[i].sp ? p->s[i].stack[p->s[i].sp - 1]
					      : undef(f, p->s[i].vt, &p->null_tmp);
			if (ir_ref_kind(v) == REF_TMP &&
			    !ir_vt_eq(f->tmps.data[ir_ref_idx(v)].ty, p->s[i].vt)) {
				/* the phi's type exactly: a cast at the end of this block */
				uint32_t c = ir_tmp_new(f, NULL, p->s[i].vt);
				struct ir_ins ci = {
					.op = IR_CAST, .ty = p->s[i].vt, .dst = c, .nargs = 1
				};
				if (p->s[i].vt.cls != IR_PTR &&
				    f->tmps.data[ir_ref_idx(v)].ty.cls != IR_PTR)
					ci.op = p->s[i].vt.cls == IR_I32 ? IR_TRUNC : IR_ZEXT;
				ci.args = arena_memdup(&f->arena, &v, sizeof(v));
				vec_push(&blk->ins, ci);
				uint32_t last = blk->ins.len - 1;
				struct ir_ins tmp = blk->ins.data[last];
				blk->ins.data[last] = blk->ins.data[last - 1];
				blk->ins.data[last - 1] = tmp;
				v = ir_tmp_ref(c);
			}
			vec_foreach (&sb->ins, pi)
				if (pi->op == IR_PHI && pi->dst == phi) {
					ir_ref *args = arena_alloc(
						&f->arena, sizeof(ir_ref) * (pi->nargs + 2u));
					if (pi->nargs)
						memcpy(args, pi->args, sizeof(ir_ref) * pi->nargs);
					args[pi->nargs] = IR_REF(REF_BLK, b);
					args[pi->nargs + 1] = v;
					pi->args = args;
					pi->nargs = (uint16_t)(pi->nargs + 2);
				}
		}
	}
	vec_foreach (&p->children[b], c)
		rename_block(p, *c, nop_count);
	for (unsigned i = 0; i < p->n; i++)
		p->s[i].sp = saved[i];
}

static void place_phis(struct promo *p)
{
	struct ir_func *f = p->f;
	uint32_t n = f->blocks.len;
	uint32_t *work = xmalloc(sizeof(uint32_t) * (n + 1));
	bool *on = xmalloc(n);
	for (unsigned i = 0; i < p->n; i++) {
		struct slice *sl = &p->s[i];
		uint32_t nw = 0;
		memset(on, 0, n);
		for (uint32_t b = 0; b < n; b++)
			vec_foreach (&f->blocks.data[b]->ins, in) {
				bool def = (in->op == IR_MEMSET && is_alias(p, in->args[0])) ||
					   (ir_op_is(in->op, OP_STORE) && is_mem_op(in->op) &&
					    in->op != IR_MEMSET && is_alias(p, in->args[0]) &&
					    ir_con_val(f, in->args[1]) + delta_of(p, in->args[0]) ==
						    sl->off &&
					    (unsigned)ir_ops[in->op].param == sl->size);
				if (def && !on[b]) {
					on[b] = true;
					work[nw++] = b;
				}
			}
		while (nw) {
			uint32_t b = work[--nw];
			for (uint32_t k = 0; k < p->df_len[b]; k++) {
				uint32_t y = p->df[p->df_start[b] + k];
				if (sl->phi[y])
					continue;
				uint32_t t = ir_tmp_new(f, NULL, sl->vt);
				sl->phi[y] = t;
				struct ir_block *yb = f->blocks.data[y];
				struct ir_ins phi = { .op = IR_PHI, .ty = sl->vt, .dst = t };
				vec_push(&yb->ins, phi);
				memmove(&yb->ins.data[1], &yb->ins.data[0],
					sizeof(struct ir_ins) * (yb->ins.len - 1));
				yb->ins.data[0] = phi;
				if (!on[y]) {
					on[y] = true;
					work[nw++] = y;
				}
			}
		}
	}
	free(work);
	free(on);
}

static void promote(struct promo *p)
{
	struct ir_func *f = p->f;
	uint32_t n = f->blocks.len;
	for (unsigned i = 0; i < p->n; i++) {
		p->s[i].phi = xcalloc(n, sizeof(uint32_t));
		p->s[i].stack = xmalloc(sizeof(ir_ref) * (f->blocks.len * 4 + 64));
		p->s[i].sp = 0;
	}
	place_phis(p);
	uint32_t nops = 0;
	rename_block(p, 0, &nops);
	/* deleted instructions go */
	for (uint32_t b = 0; b < n && nops; b++) {
		struct ir_block *blk = f->blocks.data[b];
		uint32_t w = 0;
		for (uint32_t i = 0; i < blk->ins.len; i++)
			if (blk->ins.data[i].op != IR_NOPS)
				blk->ins.data[w++] = blk->ins.data[i];
		blk->ins.len = w;
	}
	for (unsigned i = 0; i < p->n; i++) {
		free(p->s[i].phi);
		free(p->s[i].stack);
	}
}

/* Promotes every alloca of f that can be; returns whether any was. */
bool ir_pass_mem2reg(struct ir_func *f)
{
	if (f->blocks.len > 2048)
		return false;
	ir_cfg_build(f);
	struct promo p = { .f = f };
	bool any = false, ready = false;
	p.delta = xmalloc(sizeof(int64_t) * (f->tmps.len + 1));
	VEC(uint32_t) allocas = { 0 };
	vec_foreach (&f->blocks.data[0]->ins, in)
		if (in->op == IR_ALLOCA)
			vec_push(&allocas, in->dst);
	vec_foreach (&allocas, a) {
		/* temps made by earlier promotions are not aliases */
		p.delta = xrealloc(p.delta, sizeof(int64_t) * (f->tmps.len + 1));
		if (!analyse(&p, *a))
			continue;
		if (!ready) {
			frontiers(&p);
			ready = true;
		}
		p.alloca_tmp = *a;
		promote(&p);
		any = true;
	}
	vec_free(&allocas);
	free(p.delta);
	if (ready) {
		free(p.df);
		free(p.df_start);
		free(p.df_len);
		for (uint32_t b = 0; b < f->blocks.len; b++)
			vec_free(&p.children[b]);
		free(p.children);
	}
	return any;
}
