/* Inline assembly in C: the BPF instructions of a template (in clang's BPF
 * syntax, operands %0, %[name] substituted) become the IR operations they
 * encode, on registers of the statement's own; "r" operands bring values
 * in, "i" operands constants, "=r"/"+r" outputs are stored back.  An empty
 * template is an optimisation barrier (barrier(), barrier_var(x)).  Moves,
 * ALU operations, byte swaps, loads, stores and helper calls are accepted;
 * jumps, exit and r10 are not (control flow and the frame stay in C). */
#include "frontend/c/lower_internal.h"

#include <ctype.h>
#include <string.h>

#define NREG (10 + 30) /* r0-r9, then one per operand */

struct asmst {
	struct lf *lf;
	struct casm *a;
	ir_ref reg[NREG];
	bool set[NREG];
	int64_t con[NREG]; /* "i" operands' values */
	bool is_con[NREG];
	const char *p; /* cursor in the template */
	bool bad;
};

static bool blank(const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != ';')
			return false;
	return true;
}

static void asm_error(struct asmst *st, const char *fmt, const char *what)
{
	if (st->bad)
		return;
	st->bad = true;
	lf_error(st->lf, st->a->loc, fmt, what);
}

static void skip_ws(struct asmst *st)
{
	while (*st->p == ' ' || *st->p == '\t')
		st->p++;
}

static bool eat(struct asmst *st, const char *s)
{
	skip_ws(st);
	size_t n = strlen(s);
	if (strncmp(st->p, s, n))
		return false;
	st->p += n;
	return true;
}

/* The operand index of %N or %[name] (outputs first, as GCC numbers them). */
static int operand(struct asmst *st)
{
	skip_ws(st);
	if (*st->p != '%')
		return -1;
	const char *q = st->p + 1;
	uint32_t nops = st->a->noutputs + st->a->ninputs;
	if (*q == '[') {
		const char *e = strchr(q, ']');
		if (!e)
			return -1;
		for (uint32_t i = 0; i < nops; i++) {
			const char *name = i < st->a->noutputs
						   ? st->a->outputs[i].name
						   : st->a->inputs[i - st->a->noutputs].name;
			if (name && strlen(name) == (size_t)(e - q - 1) &&
			    !strncmp(name, q + 1, (size_t)(e - q - 1))) {
				st->p = e + 1;
				return (int)i;
			}
		}
		return -1;
	}
	if (isdigit((unsigned char)*q)) {
		int n = 0;
		while (isdigit((unsigned char)*q))
			n = n * 10 + (*q++ - '0');
		st->p = q;
		return n < (int)nops ? n : -1;
	}
	return -1;
}

static const struct casm_operand *op_at(struct casm *a, int i)
{
	return i < (int)a->noutputs ? &a->outputs[i] : &a->inputs[i - (int)a->noutputs];
}

/* A register: rN, wN or an "r" operand; *w32 tells the w form. */
static int reg(struct asmst *st, bool *w32)
{
	skip_ws(st);
	*w32 = false;
	const char *save = st->p;
	int op = operand(st);
	if (op >= 0) {
		const char *c = op_at(st->a, op)->constraint;
		if (!strchr(c, 'r')) {
			st->p = save;
			return -1;
		}
		return 10 + op;
	}
	if ((*st->p == 'r' || *st->p == 'w') && isdigit((unsigned char)st->p[1]) &&
	    !isalnum((unsigned char)st->p[2])) {
		*w32 = *st->p == 'w';
		int r = st->p[1] - '0';
		st->p += 2;
		if (r == 10 || r > 9)
			return -2;
		return r;
	}
	return -1;
}

static bool imm(struct asmst *st, int64_t *v)
{
	skip_ws(st);
	const char *save = st->p;
	int op = operand(st);
	if (op >= 0) {
		if (!st->is_con[10 + op]) {
			st->p = save;
			return false;
		}
		*v = st->con[10 + op];
		return true;
	}
	char *e;
	long long x = strtoll(st->p, &e, 0);
	if (e == st->p)
		return false;
	st->p = e;
	*v = x;
	return true;
}

static ir_ref get(struct asmst *st, int r, bool w32)
{
	if (!st->set[r]) {
		asm_error(st, "inline assembly reads %s before setting it", "a register");
		return lf_con(st->lf, 0, VT_I64);
	}
	ir_ref v = st->reg[r];
	struct lf *lf = st->lf;
	ir_vt t = lf_vt(lf, v, VT_I64);
	if (w32) {
		if (t.cls == IR_I32)
			return v;
		if (lf_is_con(v))
			return lf_con(lf, lf_con_val(lf, v), VT_I32);
		return lf_op1(lf, IR_TRUNC, VT_I32, v);
	}
	if (t.cls == IR_I32)
		return lf_op1(lf, IR_ZEXT, VT_I64, v);
	return v;
}

static void put(struct asmst *st, int r, ir_ref v)
{
	st->reg[r] = v;
	st->set[r] = true;
}

static unsigned size_of(struct asmst *st)
{
	if (eat(st, "u8"))
		return 1;
	if (eat(st, "u16"))
		return 2;
	if (eat(st, "u32"))
		return 4;
	if (eat(st, "u64"))
		return 8;
	return 0;
}

/* "*(uN *)(rX + OFF)" after the '*' */
static bool memref(struct asmst *st, unsigned *size, int *base, int64_t *off)
{
	bool w;
	if (!eat(st, "(") || !(*size = size_of(st)) || !eat(st, "*") || !eat(st, ")") ||
	    !eat(st, "("))
		return false;
	*base = reg(st, &w);
	if (*base < 0)
		return false;
	*off = 0;
	skip_ws(st);
	if (*st->p == '+' || *st->p == '-') {
		bool neg = *st->p == '-';
		st->p++;
		if (!imm(st, off))
			return false;
		if (neg)
			*off = -*off;
	}
	return eat(st, ")");
}

static const struct {
	const char *text;
	unsigned op;
} alu_ops[] = {
	{ "+=", IR_ADD },  { "-=", IR_SUB },	{ "*=", IR_MUL },   { "/=", IR_UDIV },
	{ "%=", IR_UREM }, { "&=", IR_AND },	{ "|=", IR_OR },    { "^=", IR_XOR },
	{ "<<=", IR_SHL }, { "s>>=", IR_ASHR }, { ">>=", IR_LSHR },
};

static void alu(struct asmst *st, int d, bool w32, unsigned op)
{
	struct lf *lf = st->lf;
	bool sw;
	int64_t k;
	ir_ref x = get(st, d, w32), y;
	int s = reg(st, &sw);
	if (s >= 0)
		y = get(st, s, w32);
	else if (imm(st, &k))
		y = lf_con(lf, k, w32 ? VT_I32 : VT_I64);
	else
		return asm_error(st, "inline assembly: '%s' is not an operand", st->p);
	ir_vt vt = w32 ? VT_I32 : VT_I64;
	ir_vt xt = lf_vt(lf, x, vt), yt = lf_vt(lf, y, vt);
	if (xt.cls == IR_PTR && (op == IR_ADD || op == IR_SUB) && yt.cls != IR_PTR) {
		put(st, d, lf_op2(lf, op, VT_PTR(ANY), x, y));
		return;
	}
	if (xt.cls == IR_PTR)
		x = lf_emit(lf, IR_CAST, VT_I64, &x, 1);
	if (yt.cls == IR_PTR)
		y = lf_emit(lf, IR_CAST, VT_I64, &y, 1);
	put(st, d, lf_op2(lf, op, vt, x, y));
}

static void call(struct asmst *st)
{
	int64_t id;
	if (!imm(st, &id))
		return asm_error(st, "inline assembly: %s",
				 "only helper calls by number (call N) are supported");
	const struct ir_helper *h = ir_helper_by_id((int)id);
	if (!h)
		return asm_error(st, "inline assembly calls unknown helper %s", "");
	ir_ref args[6] = { IR_REF(REF_HLP, (uint32_t)id) };
	unsigned n = 0;
	while (n < h->max_args && st->set[1 + n]) {
		args[n + 1] = st->reg[1 + n];
		n++;
	}
	ir_vt vt = h->ret == HR_INT || h->ret == HR_VOID ? VT_I64 : VT_PTR(ANY);
	ir_ref r = lf_emit(st->lf, IR_CALL, vt, args, n + 1);
	for (int i = 1; i <= 5; i++)
		st->set[i] = false; /* clobbered */
	put(st, 0, r);
}

static void insn(struct asmst *st)
{
	struct lf *lf = st->lf;
	bool w32, sw;
	skip_ws(st);
	if (eat(st, "call")) {
		call(st);
		return;
	}
	if (*st->p == '*') {
		/* *(uN *)(rX + OFF) = rY | IMM */
		st->p++;
		unsigned size;
		int base;
		int64_t off, k;
		if (!memref(st, &size, &base, &off) || !eat(st, "="))
			return asm_error(st, "inline assembly: cannot read the store at '%s'",
					 st->p);
		ir_ref v;
		int s = reg(st, &sw);
		if (s >= 0)
			v = get(st, s, size < 8);
		else if (imm(st, &k))
			v = lf_con(lf, k, size < 8 ? VT_I32 : VT_I64);
		else
			return asm_error(st, "inline assembly: '%s' is not an operand", st->p);
		ir_ref args[3] = { lf_coerce(lf, get(st, base, false), VT_PTR(ANY)),
				   lf_con(lf, off, VT_I64), v };
		lf_emit0(lf, ir_store_op(size), args, 3);
		return;
	}
	int d = reg(st, &w32);
	if (d == -2)
		return asm_error(st, "inline assembly uses %s", "r10 (the frame pointer)");
	if (d < 0)
		return asm_error(st, "inline assembly: '%s' is not supported yet", st->p);
	ir_vt vt = w32 ? VT_I32 : VT_I64;
	for (size_t i = 0; i < ARRAY_LEN(alu_ops); i++)
		if (eat(st, alu_ops[i].text)) {
			alu(st, d, w32, alu_ops[i].op);
			return;
		}
	if (!eat(st, "="))
		return asm_error(st, "inline assembly: '%s' is not supported yet", st->p);
	skip_ws(st);
	if (*st->p == '*') {
		st->p++;
		unsigned size;
		int base;
		int64_t off;
		if (!memref(st, &size, &base, &off))
			return asm_error(st, "inline assembly: cannot read the load at '%s'",
					 st->p);
		ir_ref args[2] = { lf_coerce(lf, get(st, base, false), VT_PTR(ANY)),
				   lf_con(lf, off, VT_I64) };
		put(st, d, lf_emit(lf, ir_load_op(size, false), size == 8 ? VT_I64 : vt, args, 2));
		return;
	}
	if (eat(st, "-")) {
		int s = reg(st, &sw);
		if (s != d)
			return asm_error(st, "inline assembly: '%s' is not supported yet", st->p);
		put(st, d, lf_op1(lf, IR_NEG, vt, get(st, d, w32)));
		return;
	}
	static const struct {
		const char *name;
		unsigned op;
	} swaps[] = { { "be16", IR_BE16 },	 { "be32", IR_BE32 },
		      { "be64", IR_BE64 },	 { "le16", IR_LE16 },
		      { "le32", IR_LE32 },	 { "le64", IR_LE64 },
		      { "bswap16", IR_BSWAP16 }, { "bswap32", IR_BSWAP32 },
		      { "bswap64", IR_BSWAP64 } };
	for (size_t i = 0; i < ARRAY_LEN(swaps); i++)
		if (eat(st, swaps[i].name)) {
			int s = reg(st, &sw);
			if (s < 0)
				return asm_error(st, "inline assembly: '%s' is not a register",
						 st->p);
			put(st, d, lf_op1(lf, swaps[i].op, VT_I64, get(st, s, false)));
			return;
		}
	int64_t k;
	int s = reg(st, &sw);
	if (s >= 0) {
		put(st, d, get(st, s, w32));
	} else if (imm(st, &k)) {
		eat(st, "ll");
		put(st, d, lf_con(lf, k, vt));
	} else {
		return asm_error(st, "inline assembly: '%s' is not an operand", st->p);
	}
}

void ls_asm(struct lf *lf, struct casm *a)
{
	if (blank(a->text, a->len) && !a->is_goto) {
		/* "+r"(x) outputs keep x; inputs are evaluated for their effects */
		for (uint32_t i = 0; i < a->ninputs; i++)
			lx_discard(lf, a->inputs[i].expr);
		return;
	}
	if (a->is_goto) {
		lf_unsupported(lf, a->loc, "asm goto");
		return;
	}
	if (a->noutputs + a->ninputs > NREG - 10) {
		lf_unsupported(lf, a->loc, "inline assembly with this many operands");
		return;
	}
	struct asmst st = { .lf = lf, .a = a };
	/* inputs ("r": registers; "+r" outputs start with the lvalue's value) */
	struct lval outs[30];
	for (uint32_t i = 0; i < a->noutputs; i++) {
		const struct casm_operand *o = &a->outputs[i];
		if (!strchr(o->constraint, 'r')) {
			lf_unsupported(
				lf, a->loc,
				"inline assembly outputs other than registers (\"=r\", \"+r\")");
			return;
		}
		outs[i] = lx_lvalue(lf, o->expr);
		if (strchr(o->constraint, '+'))
			put(&st, 10 + (int)i, lx_load(lf, &outs[i]));
	}
	for (uint32_t i = 0; i < a->ninputs; i++) {
		const struct casm_operand *o = &a->inputs[i];
		int k = 10 + (int)(a->noutputs + i);
		if (strchr(o->constraint, 'r')) {
			put(&st, k, lx_rvalue(lf, o->expr));
		} else if (strchr(o->constraint, 'i') || strchr(o->constraint, 'n')) {
			/* after inlining, an argument may be the constant "i" wants */
			ir_ref v = lx_rvalue(lf, o->expr);
			if (!lf_is_con(v)) {
				lf_error(lf, a->loc,
					 "inline assembly operand %u (\"%s\") is not a constant",
					 k - 10, o->constraint);
				return;
			}
			st.con[k] = lf_con_val(lf, v);
			st.is_con[k] = true;
		} else {
			lf_unsupported(lf, a->loc,
				       "inline assembly operands other than \"r\" and \"i\"");
			return;
		}
	}
	char *text = arena_strdup(&lf->f->arena, a->text);
	for (char *line = text; line && *line && !st.bad;) {
		char *end = line + strcspn(line, "\n;");
		char saved = *end;
		*end = 0;
		st.p = line;
		skip_ws(&st);
		if (*st.p) {
			if (!strncmp(st.p, "goto", 4) || !strncmp(st.p, "if ", 3) ||
			    !strncmp(st.p, "exit", 4) || !strncmp(st.p, "gotol", 5) ||
			    !strncmp(st.p, "may_goto", 8)) {
				lf_unsupported(lf, a->loc,
					       "control flow (jumps, exit) in inline assembly");
				return;
			}
			insn(&st);
			skip_ws(&st);
			if (!st.bad && *st.p)
				asm_error(&st, "inline assembly: unexpected '%s'", st.p);
		}
		*end = saved;
		line = saved ? end + 1 : NULL;
	}
	if (st.bad)
		return;
	for (uint32_t i = 0; i < a->noutputs; i++) {
		struct ctype *t = a->outputs[i].expr->type;
		ir_ref v = st.reg[10 + i];
		ir_vt have = lf_vt(lf, v, VT_I64), want = lt_vt(t);
		if (want.cls == IR_PTR && have.cls != IR_PTR)
			v = lf_emit(lf, IR_CAST, VT_PTR(ANY), &v, 1);
		else if (want.cls != IR_PTR && have.cls == IR_PTR)
			v = lf_emit(lf, IR_CAST, VT_I64, &v, 1), have = VT_I64;
		if (want.cls == IR_I32 && have.cls == IR_I64)
			v = lf_op1(lf, IR_TRUNC, VT_I32, v);
		else if (want.cls == IR_I64 && have.cls == IR_I32)
			v = lf_op1(lf, IR_ZEXT, VT_I64, v);
		lx_store(lf, &outs[i], v);
	}
}
