/* Pass `fold`: constant folding with BPF semantics, copy propagation,
 * algebraic identities, and folding of branches, selects and phis whose
 * outcome is known. CO-RE values are relocated by the loader, so they are
 * never treated as constants. */
#include "ir/pass.h"

#include <stdlib.h>
#include <string.h>

struct fold {
	struct ir_func *f;
	ir_ref *repl; /* per temp: the value every use may be replaced by, or 0 */
	struct ir_defsite *defs;
	bool changed;
};

/* The value a reference stands for after replacements. */
static ir_ref resolve(struct fold *s, ir_ref r)
{
	for (unsigned guard = 0; guard < 64 && ir_ref_kind(r) == REF_TMP && s->repl[ir_ref_idx(r)];
	     guard++)
		r = s->repl[ir_ref_idx(r)];
	return r;
}

static bool const_of(struct fold *s, ir_ref r, int64_t *v)
{
	r = resolve(s, r);
	if (ir_ref_kind(r) != REF_CON)
		return false;
	*v = ir_con_val(s->f, r);
	return true;
}

/* The width at which a comparison of a and b happens. */
static unsigned cmp_class(struct fold *s, ir_ref a, ir_ref b)
{
	if (ir_ref_kind(a) == REF_TMP)
		return s->f->tmps.data[ir_ref_idx(a)].ty.cls;
	if (ir_ref_kind(b) == REF_TMP)
		return s->f->tmps.data[ir_ref_idx(b)].ty.cls;
	return IR_I64;
}

static void replace(struct fold *s, struct ir_ins *in, ir_ref by)
{
	if (in->dst && !s->repl[in->dst] && by != ir_tmp_ref(in->dst)) {
		s->repl[in->dst] = by;
		s->changed = true;
	}
}

static void set_const(struct fold *s, struct ir_ins *in, int64_t v)
{
	if (in->ty.cls == IR_I32)
		v = (int64_t)(uint32_t)v;
	replace(s, in, ir_con(s->f, v));
}

static void fold_swapped_compare(struct fold *s, struct ir_ins *in);

/* x op c identities; returns true if the result is known. */
static bool identity(struct fold *s, struct ir_ins *in)
{
	int64_t c;
	if (in->nargs != 2 || !ir_vt_int(in->ty) || !const_of(s, in->args[1], &c))
		return false;
	int64_t ones = in->ty.cls == IR_I32 ? (int64_t)UINT32_MAX : -1;
	switch (in->op) {
	case IR_ADD: case IR_SUB: case IR_OR: case IR_XOR:
	case IR_SHL: case IR_LSHR: case IR_ASHR:
		if (c != 0)
			return false;
		replace(s, in, in->args[0]);
		return true;
	case IR_MUL: case IR_UDIV: case IR_SDIV:
		if (c == 1)
			replace(s, in, in->args[0]);
		else if (c == 0 && in->op == IR_MUL)
			set_const(s, in, 0);
		else
			return false;
		return true;
	case IR_AND:
		if (c == 0)
			set_const(s, in, 0);
		else if (c == ones)
			replace(s, in, in->args[0]);
		else
			return false;
		return true;
	}
	return false;
}

/* A phi whose incoming values are all the same (ignoring itself) is that value. */
static void fold_phi(struct fold *s, struct ir_ins *in)
{
	ir_ref same = IR_NOREF;
	int64_t a, b;
	for (unsigned k = 1; k < in->nargs; k += 2) {
		ir_ref v = resolve(s, in->args[k]);
		if (v == ir_tmp_ref(in->dst))
			continue;
		if (same == IR_NOREF)
			same = v;
		else if (same != v && !(const_of(s, same, &a) && const_of(s, v, &b) && a == b))
			return;
	}
	if (same != IR_NOREF)
		replace(s, in, same);
}

/* cmp_cls: the width of a comparison's operands, taken before they were
 * rewritten (two constants no longer say whether they are i32 or i64). */
static void fold_ins(struct fold *s, struct ir_ins *in, unsigned cmp_cls)
{
	const struct ir_opinfo *oi = &ir_ops[in->op];
	int64_t a, b = 0, r;
	if (!in->dst || s->repl[in->dst])
		return;
	if (in->op == IR_COPY) {
		replace(s, in, resolve(s, in->args[0]));
		return;
	}
	if (in->op == IR_PHI) {
		fold_phi(s, in);
		return;
	}
	if (in->ty.cls == IR_PTR)
		return;
	if ((oi->props & OP_COMM) && in->nargs == 2 && ir_ref_kind(in->args[0]) == REF_CON &&
	    ir_ref_kind(in->args[1]) != REF_CON) {
		/* constants go on the right, where BPF instructions take immediates */
		ir_ref t = in->args[0];
		in->args[0] = in->args[1];
		in->args[1] = t;
		s->changed = true;
	}
	if ((oi->props & (OP_BIN | OP_UN | OP_CMP)) && !(oi->props & OP_TERM)) {
		bool ca = const_of(s, in->args[0], &a);
		bool cb = in->nargs < 2 || const_of(s, in->args[1], &b);
		if (!ca && cb && (oi->props & OP_CMP))
			fold_swapped_compare(s, in);
		if (ca && cb) {
			unsigned cls = (oi->props & OP_CMP) ? cmp_cls
				       : in->op == IR_ZEXT || in->op == IR_TRUNC ? IR_I64
										  : in->ty.cls;
			if (ir_eval(in->op, cls, a, b, &r)) {
				set_const(s, in, r);
				return;
			}
		}
		if (oi->props & OP_BIN)
			identity(s, in);
		return;
	}
	if (in->op == IR_SELECT && const_of(s, in->args[0], &a))
		replace(s, in, resolve(s, in->args[a ? 1 : 2]));
}

static const struct ir_ins *def_of(struct fold *s, ir_ref r)
{
	if (ir_ref_kind(r) != REF_TMP)
		return NULL;
	struct ir_defsite d = s->defs[ir_ref_idx(r)];
	if (d.blk == UINT32_MAX || d.idx == UINT32_MAX || d.blk >= s->f->blocks.len ||
	    d.idx >= s->f->blocks.data[d.blk]->ins.len)
		return NULL;
	const struct ir_ins *in = &s->f->blocks.data[d.blk]->ins.data[d.idx];
	return in->dst == ir_ref_idx(r) ? in : NULL;
}

/* Bits of `r` that may be set, from how it was made (64: unknown). */
static unsigned width_bits(struct fold *s, ir_ref r)
{
	const struct ir_ins *d = def_of(s, r);
	if (!d)
		return 64;
	switch (d->op) {
	case IR_LOAD_U8: return 8;
	case IR_LOAD_U16: return 16;
	case IR_LOAD_U32: return 32;
	default: return d->ty.cls == IR_I32 ? 32 : 64;
	}
}

/* A byte swap compared for equality with a constant: compare the unswapped
 * value with the swapped constant instead (network-order fields against
 * host-order constants), when the swapped value had no bits above the swap. */
static void fold_swapped_compare(struct fold *s, struct ir_ins *in)
{
	enum ir_cc cc = (enum ir_cc)ir_ops[in->op].param;
	int64_t c;
	if (!ir_op_is(in->op, OP_CMP) || (cc != CC_EQ && cc != CC_NE) || !const_of(s, in->args[1], &c))
		return;
	const struct ir_ins *sw = def_of(s, in->args[0]);
	if (!sw)
		return;
	unsigned bits;
	switch (sw->op) {
	case IR_BE16: case IR_BSWAP16: bits = 16; break;
	case IR_BE32: case IR_BSWAP32: bits = 32; break;
	default: return;
	}
	if (width_bits(s, sw->args[0]) > bits || (uint64_t)c >> bits)
		return;
	int64_t swapped;
	ir_eval(bits == 16 ? IR_BSWAP16 : IR_BSWAP32, IR_I64, c, 0, &swapped);
	in->args[0] = sw->args[0];
	in->args[1] = ir_con_hex(s->f, swapped);
	s->changed = true;
}

/* Drops the phi operands of block `to` that come from `from`. */
static void remove_phi_edge(struct ir_func *f, uint32_t from, uint32_t to)
{
	vec_foreach(&f->blocks.data[to]->ins, in)
	{
		if (in->op != IR_PHI)
			break;
		for (unsigned k = 0; k + 1 < in->nargs;) {
			if (ir_ref_idx(in->args[k]) == from) {
				memmove(&in->args[k], &in->args[k + 2], sizeof(ir_ref) * (in->nargs - k - 2));
				in->nargs -= 2;
			} else {
				k += 2;
			}
		}
	}
}

static void fold_branch(struct fold *s, uint32_t b, struct ir_ins *t, unsigned cmp_cls)
{
	int64_t x, y;
	int taken = -1;
	if (ir_op_is(t->op, OP_CMP) && !const_of(s, t->args[0], &x))
		fold_swapped_compare(s, t);
	if (t->op == IR_BR && const_of(s, t->args[0], &x))
		taken = x ? 0 : 1;
	else if (ir_op_is(t->op, OP_CMP) && const_of(s, t->args[0], &x) && const_of(s, t->args[1], &y))
		taken = ir_eval_cc((enum ir_cc)ir_ops[t->op].param, cmp_cls, x, y) ? 0 : 1;
	if (taken < 0)
		return;
	unsigned first = ir_term_first_block(t);
	ir_ref target = t->args[first + (unsigned)taken];
	ir_ref other = t->args[first + 1 - (unsigned)taken];
	if (other != target)
		remove_phi_edge(s->f, b, ir_ref_idx(other));
	t->op = IR_JMP;
	t->nargs = 1;
	t->args[0] = target;
	s->f->cfg_valid = false;
	s->changed = true;
}

/* Rewrites value operands through the replacements. The base pointer of a
 * memory access is replaced only by another temp (never by a constant). */
static void substitute(struct fold *s, struct ir_ins *in)
{
	const char *sig = ir_ops[in->op].sig + 1;
	unsigned a = 0;
	for (const char *p = sig; *p && a < in->nargs; p++) {
		bool values = *p == '*' || *p == 'p';
		bool value = *p == 'v' || *p == 'o';
		for (; a < in->nargs; a++) {
			ir_ref r = in->args[a];
			if ((values || value) && ir_ref_kind(r) == REF_TMP) {
				ir_ref n = resolve(s, r);
				bool is_base = a == 0 && ir_op_is(in->op, OP_LOAD | OP_STORE | OP_ATOMIC);
				if (n != r && !(is_base && ir_ref_kind(n) != REF_TMP)) {
					in->args[a] = n;
					s->changed = true;
				}
			}
			if (!values) {
				a++;
				break;
			}
		}
	}
}

bool ir_pass_fold(struct ir_func *f)
{
	struct fold s = { .f = f };
	s.repl = xcalloc(f->tmps.len, sizeof(ir_ref));
	s.defs = xmalloc(sizeof(*s.defs) * f->tmps.len);
	ir_defsites(f, s.defs);
	bool any = false;
	do {
		s.changed = false;
		for (uint32_t b = 0; b < f->blocks.len; b++) {
			struct ir_block *blk = f->blocks.data[b];
			unsigned term_cls = IR_I64;
			for (uint32_t i = 0; i < blk->ins.len; i++) {
				struct ir_ins *in = &blk->ins.data[i];
				unsigned cls = ir_op_is(in->op, OP_CMP) ? cmp_class(&s, in->args[0], in->args[1])
									: IR_I64;
				substitute(&s, in);
				fold_ins(&s, in, cls);
				if (ir_op_is(in->op, OP_TERM))
					term_cls = cls;
			}
			struct ir_ins *t = ir_block_term(f, b);
			if (t)
				fold_branch(&s, b, t, term_cls);
		}
		any |= s.changed;
	} while (s.changed);
	free(s.repl);
	free(s.defs);
	return any;
}
