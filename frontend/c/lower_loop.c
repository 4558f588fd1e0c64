/* C loops as IR control flow, and the full unrolling of counted loops:
 * for (i = A; i OP B; i += C) whose trip count is known, unrolled when the
 * body is small (as clang's -O2 does: the verifier then sees constant
 * indexes into the stack or the context) or when #pragma unroll asks. */
#include "frontend/c/lower_internal.h"

#include <string.h>

/* ---- counted loops -------------------------------------------------------------- */

struct counted {
	struct cdecl *var;
	uint32_t vnum; /* its SSA variable */
	unsigned bits; /* the variable's width */
	bool var_signed;
	enum cexpr_op cmp; /* var CMP bound, after swapping a reversed condition */
	int64_t bound;
	bool cmp_signed;   /* the comparison's signedness */
	unsigned cmp_bits; /* and width */
	int64_t step;
};

static struct cdecl *var_of(struct cexpr *e)
{
	while ((e->op == E_CONV || e->op == E_CAST) &&
	       (e->ck == CK_LVAL || e->ck == CK_INT || e->ck == CK_NOOP))
		e = e->u.bin.a;
	return e->op == E_DECL && e->u.decl->kind == CD_VAR ? e->u.decl : NULL;
}

/* Whether an expression may change the counter f->ctx: assignments,
 * increments, its address taken (calls of inlined functions are looked into
 * through their arguments only: the counter is a local whose address is not
 * taken), va_arg. */
static bool writes_counter(struct cfind *f, struct cexpr *e)
{
	switch (e->op) {
	case E_PREINC:
	case E_PREDEC:
	case E_POSTINC:
	case E_POSTDEC:
	case E_ADDR:
		return var_of(e->u.bin.a) == f->ctx;
	case E_VA_ARG:
		return true;
	default:
		return cexpr_is_assign(e->op) && var_of(e->u.bin.a) == f->ctx;
	}
}

/* A label in the body: a goto may enter it, so it is not a counted loop. */
static bool is_label(struct cfind *f, struct cstmt *s)
{
	(void)f;
	return s->kind == S_LABEL;
}

/* A size estimate of a statement (expression and statement nodes). */
static unsigned expr_size(struct cexpr *e, unsigned depth);
static unsigned stmt_size(struct cstmt *s, unsigned depth);

unsigned ls_stmt_size(struct cstmt *s)
{
	return stmt_size(s, 0);
}

static unsigned stmt_size(struct cstmt *s, unsigned depth)
{
	if (!s || depth > 8)
		return 0;
	unsigned n = 1;
	switch (s->kind) {
	case S_COMPOUND:
		for (uint32_t i = 0; i < s->u.block.n; i++)
			n += stmt_size(s->u.block.items[i], depth);
		break;
	case S_EXPR:
	case S_RETURN:
		n += expr_size(s->u.expr, depth);
		break;
	case S_DECL:
		for (uint32_t i = 0; i < s->u.decl.n; i++)
			if (s->u.decl.decls[i]->kind == CD_VAR && s->u.decl.decls[i]->u.var.init &&
			    s->u.decl.decls[i]->u.var.init->kind == CI_EXPR)
				n += expr_size(s->u.decl.decls[i]->u.var.init->u.expr, depth);
		break;
	case S_IF:
		n += expr_size(s->u.if_.cond, depth) + stmt_size(s->u.if_.then, depth) +
		     stmt_size(s->u.if_.els, depth);
		break;
	case S_WHILE:
	case S_DO:
	case S_FOR:
		/* an inner loop may be unrolled too */
		n += 4 * (stmt_size(s->u.loop.init, depth) + expr_size(s->u.loop.cond, depth) +
			  expr_size(s->u.loop.step, depth) + stmt_size(s->u.loop.body, depth));
		break;
	case S_SWITCH:
		n += expr_size(s->u.sw.cond, depth) + stmt_size(s->u.sw.body, depth);
		break;
	case S_CASE:
	case S_DEFAULT:
		n += stmt_size(s->u.case_.body, depth);
		break;
	case S_LABEL:
		n += stmt_size(s->u.label.body, depth);
		break;
	default:
		break;
	}
	return n;
}

static unsigned expr_size(struct cexpr *e, unsigned depth)
{
	if (!e)
		return 0;
	switch (e->op) {
	case E_INT:
	case E_DECL:
	case E_STRING:
	case E_FLOAT:
	case E_ERROR:
		return 0;
	case E_CONV:
	case E_CAST:
		return (e->ck == CK_LVAL ? 1 : 0) + expr_size(e->u.bin.a, depth);
	case E_MEMBER:
		return expr_size(e->u.m.base, depth);
	case E_COND:
		return 2 + expr_size(e->u.cond.c, depth) + expr_size(e->u.cond.a, depth) +
		       expr_size(e->u.cond.b, depth);
	case E_CALL: {
		unsigned n = 6;
		for (uint32_t i = 0; i < e->u.call.nargs; i++)
			n += expr_size(e->u.call.args[i], depth);
		struct cexpr *f = e->u.call.fn;
		while (f->op == E_CONV || f->op == E_CAST)
			f = f->u.bin.a;
		if (f->op == E_DECL && f->u.decl->kind == CD_FUNC && f->u.decl->u.fn.body)
			n += stmt_size(f->u.decl->u.fn.body, depth + 1);
		return n;
	}
	case E_BUILTIN: {
		unsigned n = 2;
		for (uint32_t i = 0; i < e->u.bi.nargs; i++)
			n += expr_size(e->u.bi.args[i], depth);
		return n;
	}
	case E_STMT_EXPR:
		return stmt_size(e->u.stmt, depth);
	case E_COMPOUND_LIT:
		return 4;
	case E_VA_ARG:
		return 1;
	default: {
		unsigned n = 1 + expr_size(e->u.bin.a, depth);
		if (cexpr_is_binary(e->op))
			n += expr_size(e->u.bin.b, depth);
		return n;
	}
	}
}

static int64_t wrap(int64_t v, unsigned bits, bool sign)
{
	if (bits >= 64)
		return v;
	uint64_t m = (1ull << bits) - 1, u = (uint64_t)v & m;
	if (sign && (u >> (bits - 1)))
		u |= ~m;
	return (int64_t)u;
}

static bool holds(const struct counted *c, int64_t v)
{
	int64_t x = wrap(v, c->cmp_bits, c->cmp_signed),
		y = wrap(c->bound, c->cmp_bits, c->cmp_signed);
	uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
	if (c->cmp_bits < 64 && !c->cmp_signed) {
		ux &= (1ull << c->cmp_bits) - 1;
		uy &= (1ull << c->cmp_bits) - 1;
	}
	switch (c->cmp) {
	case E_LT:
		return c->cmp_signed ? x < y : ux < uy;
	case E_LE:
		return c->cmp_signed ? x <= y : ux <= uy;
	case E_GT:
		return c->cmp_signed ? x > y : ux > uy;
	case E_GE:
		return c->cmp_signed ? x >= y : ux >= uy;
	case E_NE:
		return ux != uy;
	default:
		return false;
	}
}

static enum cexpr_op swap_cmp(enum cexpr_op op)
{
	switch (op) {
	case E_LT:
		return E_GT;
	case E_GT:
		return E_LT;
	case E_LE:
		return E_GE;
	case E_GE:
		return E_LE;
	default:
		return op;
	}
}

/* Recognises a counted loop; *trips gets the trip count (at most `limit`). */
static bool counted_loop(struct lf *lf, struct cstmt *s, struct counted *c, uint32_t limit,
			 uint32_t *trips)
{
	memset(c, 0, sizeof(*c));
	struct cexpr *step = s->u.loop.step, *cond = s->u.loop.cond;
	if (!step || !cond)
		return false;
	/* the step: i++, i--, ++i, --i, i += C, i -= C */
	switch (step->op) {
	case E_PREINC:
	case E_POSTINC:
	case E_PREDEC:
	case E_POSTDEC:
		c->var = var_of(step->u.bin.a);
		c->step = step->op == E_PREINC || step->op == E_POSTINC ? 1 : -1;
		break;
	case E_ADD_ASSIGN:
	case E_SUB_ASSIGN: {
		int64_t k;
		if (!ceval_int(step->u.bin.b, &k))
			return false;
		c->var = var_of(step->u.bin.a);
		c->step = step->op == E_ADD_ASSIGN ? k : -k;
		break;
	}
	default:
		return false;
	}
	if (!c->var || !c->step || !ctype_is_integer(c->var->type) ||
	    !lf_var_find(lf, c->var, &c->vnum) || lf->vars.data[c->vnum].mem)
		return false;
	c->bits = ctype_size(c->var->type) * 8;
	c->var_signed = ctype_is_signed(c->var->type);
	/* the condition: i CMP N or N CMP i */
	if (cond->op < E_LT || cond->op > E_NE || cond->op == E_EQ)
		return false;
	struct cexpr *a = cond->u.bin.a, *b = cond->u.bin.b;
	c->cmp = (enum cexpr_op)cond->op;
	if (var_of(b) == c->var && var_of(a) != c->var) {
		struct cexpr *t = a;
		a = b;
		b = t;
		c->cmp = swap_cmp(c->cmp);
	}
	if (var_of(a) != c->var || !ceval_int(b, &c->bound))
		return false;
	c->cmp_signed = ctype_is_signed(a->type);
	c->cmp_bits = ctype_size(a->type) * 8;
	/* the body leaves i alone */
	struct cfind w = { .expr = writes_counter, .stmt = is_label, .ctx = c->var };
	if (cfind_stmt(&w, s->u.loop.body) || cfind_expr(&w, cond))
		return false;
	/* the start value is known now */
	ir_ref v0 = lf_var_read(lf, c->vnum);
	if (!lf_is_con(v0))
		return false;
	int64_t v = wrap(lf_con_val(lf, v0), c->bits, c->var_signed);
	uint32_t n = 0;
	while (n <= limit && holds(c, wrap(v, c->bits, c->var_signed))) {
		v = wrap(v + c->step, c->bits, c->var_signed);
		n++;
	}
	if (n > limit)
		return false;
	*trips = n;
	return true;
}

/* Emits the body `trips` times; break leaves, continue goes to the step. */
static void unroll(struct lf *lf, struct cstmt *s, uint32_t trips)
{
	uint32_t exit = lf_block(lf);
	for (uint32_t k = 0; k < trips && lf_live(lf); k++) {
		uint32_t next = lf_block(lf);
		ls_push_target(lf, s, exit, next);
		ls_stmt(lf, s->u.loop.body);
		lf->targets.len--;
		lf_jmp(lf, next);
		lf_seal(lf, next);
		lf_set_block(lf, next);
		lx_discard(lf, s->u.loop.step);
	}
	lf_jmp(lf, exit);
	lf_seal(lf, exit);
	lf_set_block(lf, exit);
}

static bool try_unroll(struct lf *lf, struct cstmt *s)
{
	const struct cloop_hint *h = &s->u.loop.hint;
	if (s->kind != S_FOR || h->unroll == CU_DISABLE || lf->L->o->opt_level == 0 ||
	    ls_has_entry(s->u.loop.body, true))
		return false;
	bool asked = h->unroll == CU_FULL || h->unroll == CU_ENABLE;
	uint32_t limit = asked ? 4096 : h->unroll == CU_COUNT ? h->count : 64;
	struct counted c;
	uint32_t trips;
	if (!counted_loop(lf, s, &c, limit, &trips))
		return false;
	if (!asked && h->unroll != CU_COUNT) {
		/* clang's -O2 full unrolling: small bodies, a bounded total */
		unsigned size = stmt_size(s->u.loop.body, 0) + 2;
		if ((uint64_t)size * trips > 600)
			return false;
	}
	unroll(lf, s, trips);
	return true;
}

/* ---- loops -------------------------------------------------------------------------- */

void ls_loop(struct lf *lf, struct cstmt *s)
{
	uint32_t mark = lf->scope.len;
	if (s->kind == S_FOR && s->u.loop.init)
		ls_stmt(lf, s->u.loop.init);
	struct cexpr *cond = s->u.loop.cond;
	int64_t cv = 1;
	if (cond && ceval_int(cond, &cv) && !cv && s->kind != S_DO &&
	    !ls_has_entry(s->u.loop.body, true)) {
		ls_scope_end(lf, mark);
		return; /* while (0) */
	}
	if (try_unroll(lf, s)) {
		ls_scope_end(lf, mark);
		return;
	}
	uint32_t exit;
	if (s->kind == S_DO) {
		uint32_t body = lf_block(lf), cont = lf_block(lf);
		exit = lf_block(lf);
		lf_jmp(lf, body);
		lf_set_block(lf, body);
		ls_push_target(lf, s, exit, cont);
		ls_stmt(lf, s->u.loop.body);
		lf->targets.len--;
		lf_jmp(lf, cont);
		lf_seal(lf, cont);
		lf_set_block(lf, cont);
		if (cond)
			lx_cond(lf, cond, body, exit);
		else
			lf_jmp(lf, body);
		lf_seal(lf, body);
	} else {
		uint32_t head = lf_block(lf), body = lf_block(lf);
		exit = lf_block(lf);
		uint32_t cont = s->kind == S_FOR && s->u.loop.step ? lf_block(lf) : head;
		lf_jmp(lf, head);
		lf_set_block(lf, head);
		if (cond)
			lx_cond(lf, cond, body, exit);
		else
			lf_jmp(lf, body);
		lf_seal(lf, body);
		lf_set_block(lf, body);
		ls_push_target(lf, s, exit, cont);
		ls_stmt(lf, s->u.loop.body);
		lf->targets.len--;
		lf_jmp(lf, cont);
		if (cont != head) {
			lf_seal(lf, cont);
			lf_set_block(lf, cont);
			lx_discard(lf, s->u.loop.step);
			lf_jmp(lf, head);
		}
		lf_seal(lf, head);
	}
	lf_seal(lf, exit);
	lf_set_block(lf, exit);
	ls_scope_end(lf, mark);
}
