/* Pass `fold`: constant folding with BPF semantics, algebraic identities,
 * and folding of branches, selects and phis whose outcome is known. CO-RE
 * values are relocated by the loader, so they are never treated as constants. */
#include "ir/pass.h"

#include <stdlib.h>
#include <string.h>

struct fold {
	struct ir_func *f;
	bool *known; /* per temp: its value is the constant in val[] */
	int64_t *val;
	bool changed;
};

static bool const_of(struct fold *s, ir_ref r, int64_t *v)
{
	if (ir_ref_kind(r) == REF_CON) {
		*v = ir_con_val(s->f, r);
		return true;
	}
	if (ir_ref_kind(r) == REF_TMP && s->known[ir_ref_idx(r)]) {
		*v = s->val[ir_ref_idx(r)];
		return true;
	}
	return false;
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

static void to_copy(struct fold *s, struct ir_ins *in, ir_ref src)
{
	in->op = IR_COPY;
	in->nargs = 1;
	in->args[0] = src;
	s->changed = true;
}

static void set_const(struct fold *s, struct ir_ins *in, int64_t v)
{
	if (in->ty.cls == IR_I32)
		v = (int64_t)(uint32_t)v;
	to_copy(s, in, ir_con(s->f, v));
	s->known[in->dst] = true;
	s->val[in->dst] = v;
}

/* x op c identities; returns true if `in` was rewritten. */
static bool identity(struct fold *s, struct ir_ins *in)
{
	int64_t c;
	if (in->nargs != 2 || !ir_vt_int(in->ty) || !const_of(s, in->args[1], &c))
		return false;
	int64_t ones = in->ty.cls == IR_I32 ? (int64_t)UINT32_MAX : -1;
	switch (in->op) {
	case IR_ADD: case IR_SUB: case IR_OR: case IR_XOR:
	case IR_SHL: case IR_LSHR: case IR_ASHR:
		if (c == 0) {
			to_copy(s, in, in->args[0]);
			return true;
		}
		break;
	case IR_MUL: case IR_UDIV: case IR_SDIV:
		if (c == 1) {
			to_copy(s, in, in->args[0]);
			return true;
		}
		if (c == 0 && in->op == IR_MUL) {
			set_const(s, in, 0);
			return true;
		}
		break;
	case IR_AND:
		if (c == 0) {
			set_const(s, in, 0);
			return true;
		}
		if (c == ones) {
			to_copy(s, in, in->args[0]);
			return true;
		}
		break;
	}
	return false;
}

static void fold_ins(struct fold *s, struct ir_ins *in)
{
	const struct ir_opinfo *oi = &ir_ops[in->op];
	int64_t a, b, r;
	if (!in->dst || in->ty.cls == IR_PTR)
		return;
	if (in->op == IR_COPY) {
		if (const_of(s, in->args[0], &a) && !s->known[in->dst]) {
			s->known[in->dst] = true;
			s->val[in->dst] = a;
			s->changed = true;
		}
		return;
	}
	if ((oi->props & (OP_BIN | OP_UN | OP_CMP)) && !(oi->props & OP_TERM)) {
		bool ca = const_of(s, in->args[0], &a);
		bool cb = in->nargs < 2 || const_of(s, in->args[1], &b);
		if (ca && cb) {
			unsigned cls = (oi->props & OP_CMP) ? cmp_class(s, in->args[0], in->args[1])
			       : in->op == IR_ZEXT || in->op == IR_TRUNC ? IR_I64
									  : in->ty.cls;
			if (ir_eval(in->op, cls, a, in->nargs > 1 ? b : 0, &r)) {
				set_const(s, in, r);
				return;
			}
		}
		if (oi->props & OP_BIN)
			identity(s, in);
		return;
	}
	if (in->op == IR_SELECT && const_of(s, in->args[0], &a)) {
		to_copy(s, in, in->args[a ? 1 : 2]);
		fold_ins(s, in);
		return;
	}
	if (in->op == IR_PHI) {
		/* all incoming values the same constant */
		int64_t first = 0;
		for (unsigned k = 1; k < in->nargs; k += 2) {
			if (!const_of(s, in->args[k], &a))
				return;
			if (k == 1)
				first = a;
			else if (a != first)
				return;
		}
		set_const(s, in, first);
	}
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

static void fold_branch(struct fold *s, uint32_t b, struct ir_ins *t)
{
	int64_t x, y;
	int taken = -1;
	if (t->op == IR_BR && const_of(s, t->args[0], &x))
		taken = x ? 0 : 1;
	else if (ir_op_is(t->op, OP_CMP) && const_of(s, t->args[0], &x) && const_of(s, t->args[1], &y))
		taken = ir_eval_cc((enum ir_cc)ir_ops[t->op].param, cmp_class(s, t->args[0], t->args[1]),
				   x, y) ? 0 : 1;
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

/* Rewrites operands that are known constants (value operands of integer type only). */
static void substitute(struct fold *s, struct ir_ins *in)
{
	const char *sig = ir_ops[in->op].sig + 1;
	unsigned a = 0;
	for (const char *p = sig; *p && a < in->nargs; p++) {
		if (*p == '*' || *p == 'p') {
			for (; a < in->nargs; a++) {
				ir_ref r = in->args[a];
				int64_t v;
				if (ir_ref_kind(r) == REF_TMP && s->known[ir_ref_idx(r)] && const_of(s, r, &v))
					in->args[a] = ir_con(s->f, v);
			}
			break;
		}
		ir_ref r = in->args[a];
		if ((*p == 'v' || *p == 'o') && ir_ref_kind(r) == REF_TMP && s->known[ir_ref_idx(r)] &&
		    !(ir_ops[in->op].props & (OP_LOAD | OP_STORE | OP_ATOMIC) && a == 0))
			in->args[a] = ir_con(s->f, s->val[ir_ref_idx(r)]);
		a++;
	}
}

bool ir_pass_fold(struct ir_func *f)
{
	struct fold s = { .f = f };
	s.known = xcalloc(f->tmps.len, sizeof(bool));
	s.val = xcalloc(f->tmps.len, sizeof(int64_t));
	bool any = false;
	do {
		s.changed = false;
		for (uint32_t b = 0; b < f->blocks.len; b++) {
			struct ir_block *blk = f->blocks.data[b];
			for (uint32_t i = 0; i < blk->ins.len; i++) {
				struct ir_ins *in = &blk->ins.data[i];
				if (in->op != IR_PHI)
					substitute(&s, in);
				fold_ins(&s, in);
			}
			struct ir_ins *t = ir_block_term(f, b);
			if (t)
				fold_branch(&s, b, t);
		}
		any |= s.changed;
	} while (s.changed);
	/* phi operands last: a phi may use a value defined later in a loop */
	for (uint32_t b = 0; b < f->blocks.len; b++)
		vec_foreach(&f->blocks.data[b]->ins, in) if (in->op == IR_PHI) substitute(&s, in);
	free(s.known);
	free(s.val);
	return any;
}
