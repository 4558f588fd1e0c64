/* (asm ...): BPF instructions written by hand, in llvm-objdump's syntax or as
 * encoded (OPCODE DST SRC OFF IMM) lists.  Registers r0-r9 are the form's own
 * (the compiler allocates them), bound to Lisp values with :in and copied
 * out with :out; each instruction becomes the IR operation it encodes, so
 * the usual checks and the optimizer still apply.  Jumps, exit and r10 are
 * not accepted: control flow and stack addresses stay in Lisp. */
#include "frontend/lisp/dsl_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum { A_MOV, A_ALU, A_NEG, A_END, A_LDX, A_STX, A_ST, A_ATOMIC, A_CALL, A_LDIMM };

struct ainsn {
	int kind;
	bool alu32;
	unsigned op;  /* IR op for ALU, END and atomics */
	int dst, src; /* registers, src -1 for an immediate */
	int64_t imm;
	int16_t off;
	unsigned size; /* memory access size */
	const struct ir_helper *helper;
};

struct asmstate {
	struct fb *fb;
	struct dval regs[10];
	bool set[10];
	struct srcloc loc;
};

/* ---- the text syntax --------------------------------------------------------- */

struct lex {
	const char *s;
};

static void skip(struct lex *l)
{
	while (*l->s == ' ' || *l->s == '\t')
		l->s++;
}

static bool eat(struct lex *l, const char *t)
{
	skip(l);
	size_t n = strlen(t);
	if (strncmp(l->s, t, n))
		return false;
	l->s += n;
	return true;
}

static int reg(struct lex *l, bool *w)
{
	skip(l);
	if ((l->s[0] == 'r' || l->s[0] == 'w') && isdigit((unsigned char)l->s[1])) {
		char *e;
		long r = strtol(l->s + 1, &e, 10);
		if (r < 0 || r > 10)
			return -2;
		if (w)
			*w = l->s[0] == 'w';
		l->s = e;
		return (int)r;
	}
	return -1;
}

static bool number(struct lex *l, int64_t *v)
{
	skip(l);
	bool neg = false;
	if (*l->s == '-') {
		neg = true;
		l->s++;
		skip(l);
	}
	if (!isdigit((unsigned char)*l->s))
		return false;
	char *e;
	uint64_t u = strtoull(l->s, &e, 0);
	l->s = e;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return true;
}

/* The IR op of "+=" etc. plus one (IR_ADD is 0), or 0. */
static unsigned alu_op1(const char *s, size_t *len)
{
	static const struct {
		const char *t;
		unsigned op;
	} ops[] = { { "s>>=", IR_ASHR }, { "<<=", IR_SHL }, { ">>=", IR_LSHR }, { "+=", IR_ADD },
		    { "-=", IR_SUB },	 { "*=", IR_MUL },  { "/=", IR_UDIV },	{ "%=", IR_UREM },
		    { "&=", IR_AND },	 { "|=", IR_OR },   { "^=", IR_XOR } };
	for (size_t i = 0; i < ARRAY_LEN(ops); i++)
		if (!strncmp(s, ops[i].t, strlen(ops[i].t))) {
			*len = strlen(ops[i].t);
			return ops[i].op + 1;
		}
	return 0;
}

static unsigned mem_size(struct lex *l)
{
	static const char *const t[] = { "u8", "u16", "u32", "u64" };
	for (unsigned i = 0; i < 4; i++) {
		char buf[16];
		snprintf(buf, sizeof(buf), "*(%s *)", t[i]);
		if (eat(l, buf))
			return 1u << i;
		snprintf(buf, sizeof(buf), "(%s *)", t[i]);
		if (eat(l, buf))
			return 1u << i;
	}
	return 0;
}

/* "(rN + OFF)" */
static bool address(struct lex *l, int *r, int16_t *off)
{
	if (!eat(l, "("))
		return false;
	*r = reg(l, NULL);
	int64_t o = 0;
	skip(l);
	if (*l->s == '+' || *l->s == '-') {
		bool neg = *l->s == '-';
		l->s++;
		if (!number(l, &o))
			return false;
		if (neg)
			o = -o;
	}
	*off = (int16_t)o;
	return *r >= 0 && eat(l, ")") && o >= INT16_MIN && o <= INT16_MAX;
}

static bool parse_text(const char *s, struct ainsn *in, const char **err)
{
	struct lex l = { s };
	memset(in, 0, sizeof(*in));
	in->src = -1;
	*err = "unrecognized instruction";
	skip(&l);
	if (!strncmp(l.s, "exit", 4) || !strncmp(l.s, "goto", 4) || !strncmp(l.s, "if ", 3) ||
	    !strncmp(l.s, "gotol", 5)) {
		*err = "jumps and exit are not accepted in asm: write control flow in Lisp";
		return false;
	}
	if (eat(&l, "call")) {
		int64_t id;
		in->kind = A_CALL;
		skip(&l);
		if (number(&l, &id)) {
			in->helper = ir_helper_by_id((int)id);
		} else {
			const char *b = l.s;
			while (isalnum((unsigned char)*l.s) || *l.s == '_')
				l.s++;
			const char *n = b;
			if (!strncmp(n, "bpf_", 4))
				n += 4;
			in->helper = ir_helper_by_name(n, (size_t)(l.s - n));
		}
		*err = "call of an unknown helper";
		return in->helper != NULL;
	}
	if (eat(&l, "lock")) {
		in->kind = A_ATOMIC;
		in->size = mem_size(&l);
		size_t n;
		skip(&l);
		if (!in->size || !address(&l, &in->dst, &in->off))
			return false;
		skip(&l);
		unsigned o1 = alu_op1(l.s, &n);
		in->op = o1 ? o1 - 1 : 0;
		if (!o1 ||
		    (in->op != IR_ADD && in->op != IR_AND && in->op != IR_OR && in->op != IR_XOR))
			return false;
		l.s += n;
		in->src = reg(&l, NULL);
		return in->src >= 0 && (in->size == 4 || in->size == 8);
	}
	unsigned size = mem_size(&l);
	if (size) {
		/* *(uN *)(rD + off) = rS | imm */
		in->size = size;
		if (!address(&l, &in->dst, &in->off) || !eat(&l, "="))
			return false;
		in->src = reg(&l, NULL);
		in->kind = in->src >= 0 ? A_STX : A_ST;
		return in->src >= 0 || number(&l, &in->imm);
	}
	bool w;
	int d = reg(&l, &w);
	if (d < 0)
		return false;
	in->dst = d;
	in->alu32 = w;
	skip(&l);
	size_t n;
	unsigned op1 = alu_op1(l.s, &n);
	if (op1) {
		l.s += n;
		in->kind = A_ALU;
		in->op = op1 - 1;
		in->src = reg(&l, NULL);
		return in->src >= 0 || number(&l, &in->imm);
	}
	if (!eat(&l, "="))
		return false;
	skip(&l);
	if ((in->size = mem_size(&l))) {
		in->kind = A_LDX;
		return address(&l, &in->src, &in->off);
	}
	static const struct {
		const char *t;
		unsigned op;
	} ends[] = {
		{ "be16", IR_BE16 },	   { "be32", IR_BE32 },	      { "be64", IR_BE64 },
		{ "le16", IR_LE16 },	   { "le32", IR_LE32 },	      { "le64", IR_LE64 },
		{ "bswap16", IR_BSWAP16 }, { "bswap32", IR_BSWAP32 }, { "bswap64", IR_BSWAP64 }
	};
	for (size_t i = 0; i < ARRAY_LEN(ends); i++)
		if (eat(&l, ends[i].t)) {
			in->kind = A_END;
			in->op = ends[i].op;
			return reg(&l, NULL) == d;
		}
	if (eat(&l, "-")) {
		in->kind = A_NEG;
		return reg(&l, NULL) == d;
	}
	in->kind = A_MOV;
	in->src = reg(&l, NULL);
	if (in->src >= 0)
		return true;
	if (!number(&l, &in->imm))
		return false;
	if (eat(&l, "ll"))
		in->kind = A_LDIMM;
	return true;
}

/* ---- the encoded form ----------------------------------------------------------- */

static bool decode(const int64_t f[5], struct ainsn *in, const char **err)
{
	unsigned code = (unsigned)f[0] & 0xff, cls = code & 7;
	memset(in, 0, sizeof(*in));
	in->dst = (int)f[1];
	in->src = (int)f[2];
	in->off = (int16_t)f[3];
	in->imm = (int32_t)f[4];
	*err = "instruction not accepted in asm";
	if (f[1] < 0 || f[1] > 10 || f[2] < 0 || f[2] > 10)
		return !(*err = "registers are 0 to 10");
	static const unsigned alu[16] = { IR_ADD,  IR_SUB,  IR_MUL, IR_UDIV, IR_OR,  IR_AND,
					  IR_SHL,  IR_LSHR, 0,	    IR_UREM, IR_XOR, 0,
					  IR_ASHR, 0,	    0,	    0 };
	static const unsigned sizes[4] = { 4, 2, 1, 8 };
	switch (cls) {
	case 4:	  /* ALU */
	case 7: { /* ALU64 */
		unsigned o = code >> 4;
		in->alu32 = cls == 4;
		if (!(code & 8))
			in->src = -1;
		if (o == 0xb)
			in->kind = A_MOV;
		else if (o == 0x8)
			in->kind = A_NEG;
		else if (o == 0xd) {
			in->kind = A_END;
			in->op = in->imm == 16 ? IR_BE16 : in->imm == 32 ? IR_BE32 : IR_BE64;
			if (!(code & 8))
				in->op = in->imm == 16	 ? IR_LE16
					 : in->imm == 32 ? IR_LE32
							 : IR_LE64;
			if (cls == 7)
				in->op = in->imm == 16	 ? IR_BSWAP16
					 : in->imm == 32 ? IR_BSWAP32
							 : IR_BSWAP64;
		} else if (o == 0 || alu[o]) {
			in->kind = A_ALU;
			in->op = alu[o];
		} else
			return false;
		return true;
	}
	case 1: /* LDX */
		if ((code & 0xe0) != 0x60)
			return false;
		in->kind = A_LDX;
		in->size = sizes[(code >> 3) & 3];
		return true;
	case 2: /* ST */
	case 3: /* STX */
		in->size = sizes[(code >> 3) & 3];
		if ((code & 0xe0) == 0x60) {
			in->kind = cls == 3 ? A_STX : A_ST;
			if (cls == 2)
				in->src = -1;
			return true;
		}
		if ((code & 0xe0) == 0xc0 && cls == 3) {
			in->kind = A_ATOMIC;
			if (in->imm != 0 && in->imm != 0x50 && in->imm != 0x40 && in->imm != 0xa0)
				return false;
			in->op = in->imm == 0	   ? IR_ADD
				 : in->imm == 0x50 ? IR_AND
				 : in->imm == 0x40 ? IR_OR
						   : IR_XOR;
			return in->size == 4 || in->size == 8;
		}
		return false;
	case 5: /* JMP */
		if (code == 0x85 && f[2] == 0) {
			in->kind = A_CALL;
			in->helper = ir_helper_by_id((int)f[4]);
			*err = "call of an unknown helper id";
			return in->helper != NULL;
		}
		*err = "jumps and exit are not accepted in asm: write control flow in Lisp";
		return false;
	default:
		return false;
	}
}

/* ---- lowering -------------------------------------------------------------------- */

static bool get(struct asmstate *st, int r, struct dval *out)
{
	if (r == 10) {
		fb_error(
			st->fb, st->loc,
			"r10 (the frame pointer) is not available in asm: use stack-addr or struct-alloc");
		return false;
	}
	if (r < 0 || r > 9 || !st->set[r]) {
		fb_error(st->fb, st->loc,
			 "r%d is read before it is set; bind it with :in ((r%d VALUE))", r, r);
		return false;
	}
	*out = st->regs[r];
	return true;
}

static void put(struct asmstate *st, int r, struct dval v)
{
	st->regs[r] = v;
	st->set[r] = true;
}

static bool emit(struct asmstate *st, const struct ainsn *in)
{
	struct fb *fb = st->fb;
	struct dval a, b;
	if (in->dst == 10 && in->kind != A_STX && in->kind != A_ST && in->kind != A_ATOMIC) {
		fb_error(fb, st->loc, "r10 cannot be written");
		return false;
	}
	switch (in->kind) {
	case A_MOV:
	case A_LDIMM:
		if (in->src >= 0) {
			if (!get(st, in->src, &b))
				return false;
		} else {
			b = dv_const(in->imm);
		}
		if (in->alu32)
			b = dv_convert(fb, b, DT_U32, st->loc, "asm");
		put(st, in->dst, b);
		return true;
	case A_ALU:
		if (!get(st, in->dst, &a))
			return false;
		if (in->src >= 0) {
			if (!get(st, in->src, &b))
				return false;
		} else {
			b = dv_const(in->imm);
		}
		if (in->alu32) {
			a = dv_convert(fb, a, DT_U32, st->loc, "asm");
			if (!b.is_const)
				b = dv_convert(fb, b, DT_U32, st->loc, "asm");
			else
				b.cval = (uint32_t)b.cval;
			ir_ref args[2] = { dv_op(fb, a, IR_I32), dv_op(fb, b, IR_I32) };
			put(st, in->dst, dv_tmp(fb_emit(fb, in->op, VT_I32, args, 2), DT_U32));
			return true;
		}
		put(st, in->dst, lower_binop(fb, in->op, a, b, st->loc));
		return !st->regs[in->dst].poison;
	case A_NEG:
		if (!get(st, in->dst, &a))
			return false;
		put(st, in->dst, lower_binop(fb, IR_SUB, dv_const(0), a, st->loc));
		return true;
	case A_END: {
		if (!get(st, in->dst, &a))
			return false;
		ir_ref s = dv_op(fb, a, IR_I64);
		put(st, in->dst, dv_tmp(fb_emit(fb, in->op, VT_I64, &s, 1), DT_U64));
		return true;
	}
	case A_LDX: {
		if (!get(st, in->src, &b))
			return false;
		struct dval v = mem_load(fb, dt_int(in->size, false), b, in->off, st->loc);
		put(st, in->dst, v.poison ? v : dv_convert(fb, v, DT_U64, st->loc, "asm"));
		return !v.poison;
	}
	case A_STX:
	case A_ST:
		if (!get(st, in->dst, &a))
			return false;
		if (in->kind == A_STX) {
			if (!get(st, in->src, &b))
				return false;
		} else {
			b = dv_const(in->imm);
		}
		mem_store(fb, in->size, a, in->off, b, st->loc);
		return true;
	case A_ATOMIC: {
		if (!get(st, in->dst, &a) || !get(st, in->src, &b))
			return false;
		unsigned op = in->op == IR_ADD	 ? IR_ATOMIC_ADD_U32
			      : in->op == IR_AND ? IR_ATOMIC_AND_U32
			      : in->op == IR_OR	 ? IR_ATOMIC_OR_U32
						 : IR_ATOMIC_XOR_U32;
		if (in->size == 8)
			op++;
		mem_check_atomic_align(fb, a, in->off, in->size, st->loc);
		ir_ref args[3] = { a.ref, fb_con(fb, in->off),
				   dv_op(fb, b, in->size == 8 ? IR_I64 : IR_I32) };
		if (!dv_is_ptr(a)) {
			fb_error(fb, st->loc,
				 "atomic operation through r%d, which holds no pointer", in->dst);
			return false;
		}
		fb_emit0(fb, op, args, 3);
		return true;
	}
	case A_CALL: {
		const struct ir_helper *h = in->helper;
		ir_ref args[6] = { IR_REF(REF_HLP, h->id) };
		unsigned n = h->max_args;
		for (unsigned i = 0; i < n; i++) {
			if (i >= h->min_args && !st->set[i + 1])
				break;
			struct dval v;
			if (!get(st, (int)i + 1, &v))
				return false;
			args[1 + i] = dv_is_ptr(v) || v.map ? v.ref : dv_op(fb, v, IR_I64);
			n = i + 1;
		}
		if (!h->max_args)
			n = 0;
		ir_vt vt = ir_helper_ret_vt(h);
		struct dtype t = vt.cls == IR_PTR ? dt_ptr(vt.region, 0) : DT_U64;
		ir_ref r = fb_emit(fb, IR_CALL, vt, args, n + 1);
		for (int i = 1; i <= 5; i++)
			st->set[i] = false;
		put(st, 0, dv_tmp(r, t));
		return true;
	}
	}
	return false;
}

static int reg_name(lv sym)
{
	if (!lisp_symbolp(sym) || sym == LISP_NIL)
		return -1;
	const char *n = lisp_symbol_name(sym);
	if ((n[0] != 'R' && n[0] != 'r') || !isdigit((unsigned char)n[1]) ||
	    (n[2] && (n[2] != '0' || n[1] != '1' || n[3])))
		return -1;
	return atoi(n + 1);
}

struct dval asm_lower(struct fb *fb, lv form, struct srcloc loc, int want)
{
	struct asmstate st = { .fb = fb, .loc = loc };
	lv outs = LISP_NIL;
	lv args = lisp_cdr(form);
	/* (asm OPCODE DST SRC OFF IMM): one encoded instruction */
	if (form_len(args) == 5 && lisp_integerp(lisp_car(args))) {
		int64_t f[5];
		size_t i = 0;
		for (lv l = args; lisp_consp(l); l = lisp_cdr(l), i++) {
			struct dval v = lower(fb, lisp_car(l), form_nth_loc(fb, form, i + 1, loc),
					      WANT_VALUE);
			if (!v.is_const)
				return v.poison
					       ? v
					       : fb_error(
							 fb, loc,
							 "the fields of an encoded asm instruction are constants");
			f[i] = v.cval;
		}
		args = lisp_cons(
			fb->d->ctx,
			lisp_list(fb->d->ctx, 5, lisp_make_int(fb->d->ctx, f[0]),
				  lisp_make_int(fb->d->ctx, f[1]), lisp_make_int(fb->d->ctx, f[2]),
				  lisp_make_int(fb->d->ctx, f[3]), lisp_make_int(fb->d->ctx, f[4])),
			LISP_NIL);
	}
	size_t k = 1;
	for (lv l = args; lisp_consp(l); l = lisp_cdr(l), k++) {
		lv x = lisp_car(l);
		struct srcloc xl = form_nth_loc(fb, form, k, loc);
		st.loc = xl;
		bool clause =
			lisp_consp(x) && (sym_is(lisp_car(x), "IN") || sym_is(lisp_car(x), "OUT"));
		if (sym_is(x, "IN") || sym_is(x, "OUT") || clause) {
			/* :in ((r1 v) ...) or (:in ((r1 v) ...)) */
			bool in = sym_is(clause ? lisp_car(x) : x, "IN");
			lv bindings;
			if (clause) {
				bindings = lisp_cadr(x);
			} else {
				l = lisp_cdr(l);
				k++;
				bindings = lisp_car(l);
			}
			for (lv b = bindings; lisp_consp(b); b = lisp_cdr(b)) {
				lv pair = lisp_car(b);
				int r = reg_name(lisp_car(pair));
				if (r < 0 || r > 9 || form_len(pair) != 2) {
					fb_error(fb, xl,
						 "asm :%s takes ((rN %s) ...) with N from 0 to 9",
						 in ? "in" : "out", in ? "VALUE" : "VARIABLE");
					return dv_poison();
				}
				if (in)
					put(&st, r, lower(fb, lisp_cadr(pair), xl, WANT_VALUE));
			}
			if (!in)
				outs = bindings;
			if (!lisp_consp(l))
				break;
			continue;
		}
		struct ainsn ins;
		const char *err = NULL;
		bool ok;
		if (lisp_stringp(x)) {
			ok = parse_text(lisp_string_data(x, NULL), &ins, &err);
		} else if (lisp_consp(x) && form_len(x) == 5) {
			int64_t f[5];
			size_t i = 0;
			ok = true;
			for (lv e = x; lisp_consp(e); e = lisp_cdr(e), i++)
				ok &= dsl_const_eval(fb->d, lisp_car(e), &f[i]);
			ok = ok && decode(f, &ins, &err);
			if (!err)
				err = "the fields of an encoded instruction are constants";
		} else {
			ok = false;
			err = "an instruction is a string like \"r0 += r1\" or (OPCODE DST SRC OFF IMM)";
		}
		if (!ok) {
			fb_error(fb, xl, "asm: %s", err);
			dsl_hint(
				fb->d,
				"accepted: rD = rS|IMM, rD OP= rS|IMM (+ - * / %% & | ^ << >> s>>), wD for 32 bits, "
				"rD = -rD, rD = be16|be32|be64|le16|bswap16... rD, rD = *(uN *)(rS + OFF), "
				"*(uN *)(rD + OFF) = rS|IMM, lock *(u64 *)(rD + OFF) += rS, call N|NAME");
			return dv_poison();
		}
		if (!emit(&st, &ins))
			return dv_poison();
	}
	for (lv b = outs; lisp_consp(b); b = lisp_cdr(b)) {
		lv pair = lisp_car(b);
		int r = reg_name(lisp_car(pair));
		struct dval v;
		if (!get(&st, r, &v))
			return dv_poison();
		lower_setf_place(fb, lisp_cadr(pair), loc, v, loc);
	}
	return st.set[0] ? st.regs[0] : dv_const(0);
}

struct dval dsl_p_asm(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_asm(struct fb *fb, lv form, struct srcloc loc, int want)
{
	return asm_lower(fb, form, loc, want);
}
