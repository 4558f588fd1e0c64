/* Pass `cse`: common subexpression elimination of pure operations over the
 * dominator tree — a computation that an earlier, dominating one already
 * produced is replaced by that one's value. Loads are left alone (memory may
 * change between them); CO-RE values are kept distinct per instruction, since
 * each carries its own relocation. */
#include "ir/pass.h"

#include <stdlib.h>
#include <string.h>

struct avail {
	uint32_t block; /* where the available value was computed */
	const struct ir_ins *in;
	uint32_t prev; /* the previous entry with the same key, UINT32_MAX if none */
};

struct cse {
	struct ir_func *f;
	struct hmap table; /* key: op, type and operands; value: index into avail */
	VEC(struct avail) avail;
	VEC(char *) keys;
	ir_ref *repl; /* per temp */
	bool changed;
};

static bool eligible(const struct ir_ins *in)
{
	return in->dst && ir_op_is(in->op, OP_PURE) && !ir_op_is(in->op, OP_CORE) && in->op != IR_PHI &&
	       in->op != IR_ALLOCA && in->op != IR_COPY;
}

static char *key_of(const struct ir_ins *in)
{
	ir_ref a[3] = { 0 };
	for (unsigned i = 0; i < in->nargs && i < 3; i++)
		a[i] = in->args[i];
	/* commutative operations: one order */
	if (ir_op_is(in->op, OP_COMM) && in->nargs == 2 && a[0] > a[1]) {
		ir_ref t = a[0];
		a[0] = a[1];
		a[1] = t;
	}
	return xasprintf("%u/%u/%u/%u/%x/%x/%x", in->op, in->ty.cls, in->ty.region, in->nargs, a[0], a[1], a[2]);
}

/* Constants are per-function pool entries: make equal values equal refs. */
static void canon_consts(struct ir_func *f, struct ir_ins *in)
{
	for (unsigned i = 0; i < in->nargs; i++)
		if (ir_ref_kind(in->args[i]) == REF_CON) {
			int64_t v = ir_con_val(f, in->args[i]);
			for (uint32_t k = 0; k < f->cons.len; k++)
				if (f->cons.data[k] == v && f->con_hex.data[k] == f->con_hex.data[ir_ref_idx(in->args[i])]) {
					in->args[i] = IR_REF(REF_CON, k);
					break;
				}
		}
}

static void substitute(struct cse *s, struct ir_ins *in)
{
	for (unsigned i = 0; i < in->nargs; i++) {
		ir_ref r = in->args[i];
		if (ir_ref_kind(r) == REF_TMP && s->repl[ir_ref_idx(r)]) {
			in->args[i] = s->repl[ir_ref_idx(r)];
			s->changed = true;
		}
	}
}

bool ir_pass_cse(struct ir_func *f)
{
	struct cse s = { .f = f };
	s.repl = xcalloc(f->tmps.len, sizeof(ir_ref));
	ir_cfg_build(f);
	uint32_t *order = xmalloc(sizeof(uint32_t) * f->blocks.len);
	uint32_t n = ir_rpo(f, order);
	/* reverse post-order visits dominators first; an available value is used
	 * only where its block dominates the use */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t b = order[i];
		vec_foreach(&f->blocks.data[b]->ins, in)
		{
			substitute(&s, in);
			if (!eligible(in))
				continue;
			canon_consts(f, in);
			char *key = key_of(in);
			uintptr_t idx;
			uint32_t prev = UINT32_MAX;
			bool found = false;
			if (hmap_gets(&s.table, key, &idx)) {
				prev = (uint32_t)idx;
				/* the most recent entry for this key that dominates us */
				for (uint32_t k = prev; k != UINT32_MAX && !found; k = s.avail.data[k].prev) {
					const struct avail *av = &s.avail.data[k];
					if (ir_dominates(f, av->block, b)) {
						s.repl[in->dst] = ir_tmp_ref(av->in->dst);
						s.changed = found = true;
					}
				}
			}
			if (found) {
				free(key);
				continue;
			}
			struct avail av = { b, in, prev };
			vec_push(&s.avail, av);
			bool inserted;
			uintptr_t *slot = hmap_slot(&s.table, key, strlen(key), 0, &inserted);
			*slot = s.avail.len - 1;
			if (inserted)
				vec_push(&s.keys, key);
			else
				free(key);
		}
	}
	/* uses in blocks visited before their definitions' replacements (phis) */
	if (s.changed)
		for (uint32_t b = 0; b < f->blocks.len; b++)
			vec_foreach(&f->blocks.data[b]->ins, in) substitute(&s, in);
	vec_foreach(&s.keys, k) free(*k);
	vec_free(&s.keys);
	vec_free(&s.avail);
	hmap_free(&s.table);
	free(s.repl);
	free(order);
	return s.changed;
}
