/* Instruction selection: IR to machine IR over virtual registers. Constants,
 * stack addresses and symbol addresses are rematerialized at each use rather
 * than kept in registers; stack accesses become r10-relative; phis become
 * copies on their incoming edges. */
#include "backend/backend.h"
#include "backend/mir.h"

#include <stdlib.h>
#include <string.h>

/* How a temp's value is produced without a register of its own:
 * RM_CORE is base + a CO-RE field offset, folded into the offset of every
 * load and store through it (the relocation then patches that offset, as
 * clang emits it — the kernel refuses a context pointer moved by a
 * register); RM_FOLDED is the offset itself, never needed in a register. */
enum remat { RM_NONE, RM_CONST, RM_FRAME, RM_SYM, RM_CORE, RM_FOLDED };

struct isel {
	struct mfunc *mf;
	struct ir_func *f;
	uint32_t *vreg;   /* per temp */
	uint8_t *remat;   /* per temp: enum remat */
	int64_t *rval;    /* RM_CONST: the value; RM_FRAME: offset in the slot; RM_CORE: local offset */
	uint32_t *rslot;  /* RM_FRAME: slot; RM_SYM: symbol; RM_CORE: the base temp */
	const struct ir_ins **core; /* RM_CORE: the relocation's instruction */
	uint32_t *mblock; /* IR block -> machine block */
	uint32_t cur;
	struct ir_loc loc;
	const struct ir_ins *in; /* for diagnostics */
};

static void error(struct isel *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void error(struct isel *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vreport(s->mf->diag, DIAG_ERROR, ir_ins_srcloc(s->f, s->in), fmt, ap);
	va_end(ap);
	s->mf->errors++;
}

static struct mi *emit(struct isel *s, struct mi m)
{
	m.loc = s->loc;
	return mir_emit(s->mf, s->cur, m);
}

static bool fits_imm(int64_t v, unsigned width)
{
	return width == 4 || (v >= INT32_MIN && v <= INT32_MAX);
}

static unsigned width_of(ir_vt t)
{
	return t.cls == IR_I32 ? 4 : 8;
}

/* ---- materializing values -------------------------------------------------- */

static void load_const(struct isel *s, uint32_t dst, int64_t v, unsigned width)
{
	if (width == 4)
		emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_MOV, .size = 4, .flags = MF_IMM, .dst = dst,
				     .imm = (int32_t)(uint32_t)v });
	else if (v >= INT32_MIN && v <= INT32_MAX)
		emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_MOV, .size = 8, .flags = MF_IMM, .dst = dst,
				     .imm = v });
	else if (v >= 0 && v <= UINT32_MAX) /* w = imm zero-extends */
		emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_MOV, .size = 4, .flags = MF_IMM, .dst = dst,
				     .imm = (int32_t)(uint32_t)v });
	else
		emit(s, (struct mi){ .kind = MI_LDIMM64, .dst = dst, .imm = v });
}

static void load_sym(struct isel *s, uint32_t dst, uint32_t sym)
{
	emit(s, (struct mi){ .kind = MI_LDIMM64, .dst = dst, .sym = sym });
}

static void load_frame(struct isel *s, uint32_t dst, uint32_t slot, int64_t off)
{
	emit(s, (struct mi){ .kind = MI_FRAMEADDR, .dst = dst, .slot = slot, .off = (int32_t)off });
}

/* Puts the value of `r` into register dst (which may be physical). */
static void move_to(struct isel *s, uint32_t dst, ir_ref r, unsigned width)
{
	switch (ir_ref_kind(r)) {
	case REF_CON:
		load_const(s, dst, ir_con_val(s->f, r), width);
		return;
	case REF_SYM:
		load_sym(s, dst, ir_ref_idx(r));
		return;
	case REF_TMP: {
		uint32_t t = ir_ref_idx(r);
		switch (s->remat[t]) {
		case RM_CONST: load_const(s, dst, s->rval[t], width); return;
		case RM_FRAME: load_frame(s, dst, s->rslot[t], s->rval[t]); return;
		case RM_SYM: load_sym(s, dst, s->rslot[t]); return;
		default: emit(s, (struct mi){ .kind = MI_COPY, .dst = dst, .src = s->vreg[t] }); return;
		}
	}
	}
	W_ICE("value operand of kind %u", ir_ref_kind(r));
}

/* A register holding `r` (a fresh one for rematerialized values). */
static uint32_t reg_of(struct isel *s, ir_ref r, unsigned width)
{
	if (ir_ref_kind(r) == REF_TMP && s->remat[ir_ref_idx(r)] == RM_NONE)
		return s->vreg[ir_ref_idx(r)];
	uint32_t v = mir_vreg(s->mf, width);
	move_to(s, v, r, width);
	return v;
}

/* The constant value of `r`, if it has one. */
static bool const_of(struct isel *s, ir_ref r, int64_t *v)
{
	if (ir_ref_kind(r) == REF_CON) {
		*v = ir_con_val(s->f, r);
		return true;
	}
	if (ir_ref_kind(r) == REF_TMP && s->remat[ir_ref_idx(r)] == RM_CONST) {
		*v = s->rval[ir_ref_idx(r)];
		return true;
	}
	return false;
}

/* Sets the second operand of m to `r`: an immediate when it fits. */
static void set_src(struct isel *s, struct mi *m, ir_ref r, unsigned width)
{
	int64_t v;
	if (const_of(s, r, &v) && fits_imm(v, width)) {
		m->flags |= MF_IMM;
		m->imm = width == 4 ? (int32_t)(uint32_t)v : v;
	} else {
		m->src = reg_of(s, r, width);
	}
}

/* Fills base and offset of a memory access through `p` at `off`. */
static void set_base(struct isel *s, struct mi *m, ir_ref p, int64_t off, bool base_is_dst)
{
	uint32_t t = ir_ref_kind(p) == REF_TMP ? ir_ref_idx(p) : 0;
	if (t && s->remat[t] == RM_CORE) {
		/* off is 0 (fold_core): the relocation patches the whole offset */
		const struct ir_ins *c = s->core[t];
		vec_push(&s->mf->core, ((struct mcore){ .type = ir_ref_idx(c->args[0]),
							.access = ir_strs(s->f->mod, c->args[1]),
							.kind = BPF_CORE_FIELD_BYTE_OFFSET }));
		m->reloc = s->mf->core.len; /* index + 1 */
		p = ir_tmp_ref(s->rslot[t]);
		off = s->rval[t];
	}
	if (t && s->remat[t] == RM_FRAME) {
		m->flags |= MF_FRAME;
		m->slot = s->rslot[t];
		off += s->rval[t];
		if (base_is_dst)
			m->dst = INSN_R10;
		else
			m->src = INSN_R10;
	} else if (base_is_dst) {
		m->dst = reg_of(s, p, 8);
	} else {
		m->src = reg_of(s, p, 8);
	}
	m->off = (int32_t)off;
}

/* ---- classification of temps ------------------------------------------------ */

/* `p = add base, off` with off a CO-RE field offset used only there, and p
 * used only as the address of loads and stores at offset 0 that libbpf can
 * patch (bk_core_access_patchable): p becomes
 * RM_CORE and off RM_FOLDED.  The base must be in a register (a stack
 * address would add its frame offset to the patched one). */
static void fold_core(struct isel *s)
{
	struct ir_func *f = s->f;
	uint32_t nt = f->tmps.len;
	uint32_t *uses = xcalloc(nt, sizeof(*uses)), *addr = xcalloc(nt, sizeof(*addr));
	uint8_t *size = xcalloc(nt, 1); /* the accesses' size if all agree, else 0xff */
	const struct ir_ins **def = xcalloc(nt, sizeof(*def));
	for (uint32_t b = 0; b < f->blocks.len; b++)
		vec_foreach(&f->blocks.data[b]->ins, in)
		{
			const struct ir_opinfo *oi = &ir_ops[in->op];
			bool access = (oi->props & (OP_LOAD | OP_STORE)) && !(oi->props & OP_ATOMIC) &&
				      in->op != IR_MEMCPY && in->op != IR_MEMSET && in->nargs >= 2 &&
				      ir_ref_kind(in->args[1]) == REF_CON && ir_con_val(f, in->args[1]) == 0;
			if (in->dst)
				def[in->dst] = in;
			for (unsigned k = 0; k < in->nargs; k++)
				if (ir_ref_kind(in->args[k]) == REF_TMP) {
					uint32_t t = ir_ref_idx(in->args[k]);
					uses[t]++;
					if (access && k == 0) {
						addr[t]++;
						size[t] = !size[t] || size[t] == oi->param ? (uint8_t)oi->param : 0xff;
					}
				}
		}
	for (uint32_t p = 1; p < nt; p++) {
		const struct ir_ins *in = def[p];
		if (!in || in->op != IR_ADD || in->ty.cls != IR_PTR || !uses[p] || addr[p] != uses[p] ||
		    s->remat[p] != RM_NONE)
			continue;
		for (unsigned k = 0; k < 2; k++) {
			ir_ref base = in->args[k], off = in->args[1 - k];
			if (ir_ref_kind(base) != REF_TMP || ir_ref_kind(off) != REF_TMP ||
			    s->remat[ir_ref_idx(base)] != RM_NONE)
				continue;
			const struct ir_ins *c = def[ir_ref_idx(off)];
			if (!c || c->op != IR_CORE_FIELD_OFF || uses[ir_ref_idx(off)] != 1)
				continue;
			uint32_t ty = ir_ref_idx(c->args[0]);
			const char *acc = ir_strs(f->mod, c->args[1]);
			int64_t local;
			if (!bk_core_access_patchable(f->mod, ty, acc, size[p]) ||
			    !bk_core_local_value(f->mod, ty, acc, BPF_CORE_FIELD_BYTE_OFFSET, &local) ||
			    local > INT16_MAX)
				continue;
			s->remat[p] = RM_CORE;
			s->rslot[p] = ir_ref_idx(base);
			s->rval[p] = local;
			s->core[p] = c;
			s->remat[ir_ref_idx(off)] = RM_FOLDED;
			break;
		}
	}
	free(def);
	free(size);
	free(addr);
	free(uses);
}

static void classify(struct isel *s)
{
	struct ir_func *f = s->f;
	/* a single forward walk in block order sees definitions before uses for
	 * copies of constants and offsets of allocas (SSA, dominance) in the
	 * common layouts; anything else simply gets a register */
	for (uint32_t b = 0; b < f->blocks.len; b++)
		vec_foreach(&f->blocks.data[b]->ins, in)
		{
			if (!in->dst)
				continue;
			uint32_t d = in->dst;
			int64_t c;
			if (in->op == IR_ALLOCA) {
				s->remat[d] = RM_FRAME;
				s->rslot[d] = mir_slot(s->mf, FS_ALLOCA, (uint32_t)ir_con_val(f, in->args[0]),
						       (uint32_t)ir_con_val(f, in->args[1]));
				s->rval[d] = 0;
			} else if ((in->op == IR_COPY || in->op == IR_CAST) && const_of(s, in->args[0], &c)) {
				s->remat[d] = RM_CONST;
				s->rval[d] = in->ty.cls == IR_I32 ? (int64_t)(uint32_t)c : c;
			} else if ((in->op == IR_COPY || in->op == IR_CAST) && ir_ref_kind(in->args[0]) == REF_SYM) {
				s->remat[d] = RM_SYM;
				s->rslot[d] = ir_ref_idx(in->args[0]);
			} else if ((in->op == IR_COPY || in->op == IR_CAST || in->op == IR_ADD || in->op == IR_SUB) &&
				   ir_ref_kind(in->args[0]) == REF_TMP && s->remat[ir_ref_idx(in->args[0])] == RM_FRAME &&
				   (in->op == IR_COPY || in->op == IR_CAST || const_of(s, in->args[1], &c))) {
				uint32_t src = ir_ref_idx(in->args[0]);
				int64_t delta = in->op == IR_COPY || in->op == IR_CAST ? 0 : in->op == IR_ADD ? c : -c;
				s->remat[d] = RM_FRAME;
				s->rslot[d] = s->rslot[src];
				s->rval[d] = s->rval[src] + delta;
			} else if ((in->op == IR_COPY || in->op == IR_CAST) && ir_ref_kind(in->args[0]) == REF_TMP &&
				   s->remat[ir_ref_idx(in->args[0])] != RM_NONE) {
				uint32_t src = ir_ref_idx(in->args[0]);
				s->remat[d] = s->remat[src];
				s->rslot[d] = s->rslot[src];
				s->rval[d] = s->rval[src];
			}
		}
	fold_core(s);
	for (uint32_t t = 1; t < f->tmps.len; t++)
		if (s->remat[t] == RM_NONE)
			s->vreg[t] = mir_vreg(s->mf, width_of(f->tmps.data[t].ty));
}

/* ---- instructions ------------------------------------------------------------ */

static const uint8_t alu_op[IR_NOPS] = {
	[IR_ADD] = BPF_ADD, [IR_SUB] = BPF_SUB, [IR_MUL] = BPF_MUL, [IR_UDIV] = BPF_DIV,
	[IR_SDIV] = BPF_DIV, [IR_UREM] = BPF_MOD, [IR_SREM] = BPF_MOD, [IR_AND] = BPF_AND,
	[IR_OR] = BPF_OR, [IR_XOR] = BPF_XOR, [IR_SHL] = BPF_LSH, [IR_LSHR] = BPF_RSH,
	[IR_ASHR] = BPF_ARSH,
};

static const uint8_t jmp_op[] = {
	[CC_EQ] = BPF_JEQ, [CC_NE] = BPF_JNE, [CC_ULT] = BPF_JLT, [CC_ULE] = BPF_JLE,
	[CC_UGT] = BPF_JGT, [CC_UGE] = BPF_JGE, [CC_SLT] = BPF_JSLT, [CC_SLE] = BPF_JSLE,
	[CC_SGT] = BPF_JSGT, [CC_SGE] = BPF_JSGE, [CC_SET] = BPF_JSET,
};

static enum ir_cc swap_cc(enum ir_cc cc)
{
	switch (cc) {
	case CC_ULT: return CC_UGT;
	case CC_ULE: return CC_UGE;
	case CC_UGT: return CC_ULT;
	case CC_UGE: return CC_ULE;
	case CC_SLT: return CC_SGT;
	case CC_SLE: return CC_SGE;
	case CC_SGT: return CC_SLT;
	case CC_SGE: return CC_SLE;
	default: return cc;
	}
}

static enum ir_cc invert_cc(enum ir_cc cc)
{
	switch (cc) {
	case CC_EQ: return CC_NE;
	case CC_NE: return CC_EQ;
	case CC_ULT: return CC_UGE;
	case CC_ULE: return CC_UGT;
	case CC_UGT: return CC_ULE;
	case CC_UGE: return CC_ULT;
	case CC_SLT: return CC_SGE;
	case CC_SLE: return CC_SGT;
	case CC_SGT: return CC_SLE;
	case CC_SGE: return CC_SLT;
	default: W_ICE("cannot invert condition %u", cc);
	}
}

static unsigned operand_width(struct isel *s, ir_ref a, ir_ref b)
{
	if (ir_ref_kind(a) == REF_TMP)
		return width_of(s->f->tmps.data[ir_ref_idx(a)].ty);
	if (ir_ref_kind(b) == REF_TMP)
		return width_of(s->f->tmps.data[ir_ref_idx(b)].ty);
	return 8;
}

/* A comparison as a machine instruction (jump or setcc) of a `cc` b: picks
 * jmp32 when the operands are i32 and the CPU has it, handles constants on
 * the left, and the conditions v1 lacks. Returns false if `a` and `b` must
 * be tested with the condition inverted (then *inverted is set). */
static void compare(struct isel *s, struct mi *m, enum ir_cc cc, ir_ref a, ir_ref b, bool *inverted)
{
	int64_t v;
	unsigned width = operand_width(s, a, b);
	*inverted = false;
	if (width == 4 && s->mf->cpu < 3) {
		/* no jmp32: i32 values are zero-extended, so unsigned and equality
		 * tests work at 64 bits; signed ones need the sign extended */
		width = 8;
		if (cc >= CC_SLT && cc <= CC_SGE) {
			uint32_t ra = mir_vreg(s->mf, 8);
			move_to(s, ra, a, 4);
			emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_LSH, .size = 8, .flags = MF_IMM, .dst = ra, .imm = 32 });
			emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_ARSH, .size = 8, .flags = MF_IMM, .dst = ra, .imm = 32 });
			a = IR_NOREF;
			m->dst = ra;
			if (const_of(s, b, &v)) {
				b = ir_con(s->f, (int32_t)(uint32_t)v);
			} else {
				uint32_t rb = mir_vreg(s->mf, 8);
				move_to(s, rb, b, 4);
				emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_LSH, .size = 8, .flags = MF_IMM, .dst = rb, .imm = 32 });
				emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_ARSH, .size = 8, .flags = MF_IMM, .dst = rb, .imm = 32 });
				m->src = rb;
				b = IR_NOREF;
			}
		} else if (const_of(s, b, &v)) {
			b = ir_con(s->f, (int64_t)(uint32_t)v);
		}
	}
	if (a != IR_NOREF && const_of(s, a, &v) && (b == IR_NOREF || !const_of(s, b, &v))) {
		ir_ref t = a;
		a = b;
		b = t;
		cc = swap_cc(cc);
	}
	if (s->mf->cpu < 2 && (cc == CC_ULT || cc == CC_ULE || cc == CC_SLT || cc == CC_SLE)) {
		/* v1 has only >, >= and their signed forms */
		int64_t c;
		if (b != IR_NOREF && const_of(s, b, &c) && fits_imm(c, width)) {
			cc = invert_cc(cc);
			*inverted = true;
		} else if (a != IR_NOREF && b != IR_NOREF) {
			ir_ref t = a;
			a = b;
			b = t;
			cc = swap_cc(cc);
		}
	}
	m->op = jmp_op[cc];
	m->size = (uint8_t)width;
	if (a != IR_NOREF)
		m->dst = reg_of(s, a, width);
	if (b != IR_NOREF)
		set_src(s, m, b, width);
}

static void sign_extend(struct isel *s, uint32_t r, unsigned from_bits, unsigned width)
{
	if (s->mf->cpu >= 4) {
		emit(s, (struct mi){ .kind = MI_MOVSX, .size = (uint8_t)width, .dst = r, .src = r, .imm = from_bits });
		return;
	}
	int32_t sh = (int32_t)(width * 8 - from_bits);
	emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_LSH, .size = (uint8_t)width, .flags = MF_IMM, .dst = r, .imm = sh });
	emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_ARSH, .size = (uint8_t)width, .flags = MF_IMM, .dst = r, .imm = sh });
}

static void sel_binary(struct isel *s, const struct ir_ins *in)
{
	unsigned width = in->ty.cls == IR_I32 ? 4 : 8;
	ir_ref a = in->args[0], b = in->args[1];
	int64_t v;
	if (ir_op_is(in->op, OP_COMM) && const_of(s, a, &v) && !const_of(s, b, &v)) {
		ir_ref t = a;
		a = b;
		b = t;
	}
	bool is_signed = in->op == IR_SDIV || in->op == IR_SREM;
	if (is_signed && s->mf->cpu < 4) {
		error(s, "signed division or remainder needs -mcpu=v4 (target v4)");
		return;
	}
	uint32_t d = s->vreg[in->dst];
	bool is_div = in->op == IR_UDIV || in->op == IR_SDIV, is_rem = in->op == IR_UREM || in->op == IR_SREM;
	if ((is_div || is_rem) && const_of(s, b, &v) && (width == 4 ? (uint32_t)v == 0 : v == 0)) {
		/* the verifier refuses a division by the constant 0: x / 0 == 0, x % 0 == x */
		if (is_div)
			load_const(s, d, 0, width);
		else
			move_to(s, d, a, width);
		return;
	}
	move_to(s, d, a, width);
	struct mi m = { .kind = MI_ALU, .op = alu_op[in->op], .size = (uint8_t)width, .dst = d,
			.flags = is_signed ? MF_SIGNED : 0 };
	set_src(s, &m, b, width);
	emit(s, m);
}

static void sel_unary(struct isel *s, const struct ir_ins *in)
{
	uint32_t d = s->vreg[in->dst];
	unsigned width = in->ty.cls == IR_I32 ? 4 : 8;
	unsigned bits = (unsigned)ir_ops[in->op].param * 8;
	switch (in->op) {
	case IR_NEG:
		move_to(s, d, in->args[0], width);
		emit(s, (struct mi){ .kind = MI_NEG, .size = (uint8_t)width, .dst = d });
		return;
	case IR_ZEXT:
		/* i32 values already have their upper half zero */
		move_to(s, d, in->args[0], 4);
		return;
	case IR_TRUNC: {
		uint32_t r = reg_of(s, in->args[0], 8);
		emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_MOV, .size = 4, .dst = d, .src = r });
		return;
	}
	case IR_SEXT8:
	case IR_SEXT16:
	case IR_SEXT32:
		if (s->mf->cpu >= 4 && !(bits == 32 && width == 4)) {
			uint32_t r = reg_of(s, in->args[0], width);
			emit(s, (struct mi){ .kind = MI_MOVSX, .size = (uint8_t)width, .dst = d, .src = r, .imm = bits });
			return;
		}
		move_to(s, d, in->args[0], width);
		if (!(bits == 32 && width == 4))
			sign_extend(s, d, bits, width);
		return;
	case IR_BSWAP16: case IR_BSWAP32: case IR_BSWAP64:
		move_to(s, d, in->args[0], width);
		/* on a little-endian target, to_be is the same swap */
		emit(s, (struct mi){ .kind = MI_END, .op = s->mf->cpu >= 4 ? MI_BSWAP : BPF_TO_BE, .dst = d, .imm = bits });
		return;
	case IR_BE16: case IR_BE32: case IR_BE64:
		move_to(s, d, in->args[0], width);
		emit(s, (struct mi){ .kind = MI_END, .op = BPF_TO_BE, .dst = d, .imm = bits });
		return;
	case IR_LE16: case IR_LE32: case IR_LE64:
		move_to(s, d, in->args[0], width);
		emit(s, (struct mi){ .kind = MI_END, .op = BPF_TO_LE, .dst = d, .imm = bits });
		return;
	}
	W_ICE("unary op %s", ir_ops[in->op].name);
}

static void sel_load(struct isel *s, const struct ir_ins *in)
{
	const struct ir_opinfo *oi = &ir_ops[in->op];
	unsigned size = (unsigned)oi->param, width = width_of(in->ty);
	bool sx = (oi->props & OP_SIGNED) && !(size == 4 && width == 4);
	uint32_t d = s->vreg[in->dst];
	struct mi m = { .kind = MI_LDX, .size = (uint8_t)size, .dst = d };
	if (in->flags & INS_VOLATILE)
		m.flags |= MF_VOLATILE;
	if (sx && s->mf->cpu >= 4)
		m.flags |= MF_SIGNED;
	set_base(s, &m, in->args[0], ir_con_val(s->f, in->args[1]), false);
	emit(s, m);
	if (sx && s->mf->cpu < 4)
		sign_extend(s, d, size * 8, width);
	else if (sx && width == 4 && size < 4)
		/* ldsx extends to 64 bits; an i32 keeps its upper half zero */
		emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_MOV, .size = 4, .dst = d, .src = d });
}

static void sel_store(struct isel *s, const struct ir_ins *in)
{
	unsigned size = (unsigned)ir_ops[in->op].param;
	int64_t v;
	struct mi m = { .kind = MI_STX, .size = (uint8_t)size };
	if (in->flags & INS_VOLATILE)
		m.flags |= MF_VOLATILE;
	ir_ref val = in->args[2];
	if (const_of(s, val, &v) && (size < 8 ? true : (v >= INT32_MIN && v <= INT32_MAX))) {
		m.kind = MI_ST;
		m.imm = size == 8 ? v : (int32_t)(uint32_t)v;
	} else {
		m.src = reg_of(s, val, size == 8 ? 8 : 4);
	}
	set_base(s, &m, in->args[0], ir_con_val(s->f, in->args[1]), true);
	emit(s, m);
}

/* Alignment known for accesses through a base: stack slots are aligned, and
 * only stack accesses must be (other regions allow unaligned ones). */
static unsigned base_align(struct isel *s, ir_ref p)
{
	uint32_t t = ir_ref_kind(p) == REF_TMP ? ir_ref_idx(p) : 0;
	if (!t || s->remat[t] != RM_FRAME)
		return 8;
	unsigned a = s->mf->slots.data[s->rslot[t]].align;
	int64_t off = s->rval[t];
	while (a > 1 && off % (int64_t)a)
		a /= 2;
	return a;
}

static void sel_memcpy_memset(struct isel *s, const struct ir_ins *in)
{
	int64_t n = ir_con_val(s->f, in->args[2]);
	bool is_set = in->op == IR_MEMSET;
	unsigned align = base_align(s, in->args[0]);
	if (!is_set)
		align = MIN(align, base_align(s, in->args[1]));
	int64_t byte = 0;
	bool const_byte = is_set && const_of(s, in->args[1], &byte);
	uint32_t pattern = MIR_NOREG;
	if (is_set && !const_byte) {
		/* the byte repeated in every position of a register */
		pattern = mir_vreg(s->mf, 8);
		move_to(s, pattern, in->args[1], 8);
		emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_AND, .size = 8, .flags = MF_IMM, .dst = pattern, .imm = 0xff });
		emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_MUL, .size = 8, .flags = MF_IMM, .dst = pattern, .imm = 0x01010101 });
		uint32_t hi = mir_vreg(s->mf, 8);
		emit(s, (struct mi){ .kind = MI_COPY, .dst = hi, .src = pattern });
		emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_LSH, .size = 8, .flags = MF_IMM, .dst = hi, .imm = 32 });
		emit(s, (struct mi){ .kind = MI_ALU, .op = BPF_OR, .size = 8, .dst = pattern, .src = hi });
	}
	for (int64_t off = 0; off < n;) {
		unsigned chunk = 8;
		while (chunk > 1 && (chunk > align || off + chunk > n || off % chunk))
			chunk /= 2;
		if (is_set) {
			struct mi m = { .kind = MI_ST, .size = (uint8_t)chunk };
			uint64_t pat = (uint8_t)byte * 0x0101010101010101ull;
			if (!const_byte) {
				m.kind = MI_STX;
				m.src = pattern;
			} else if (chunk == 8 && pat != 0 && pat != UINT64_MAX) {
				/* one register holds the 8-byte pattern for every chunk */
				if (pattern == MIR_NOREG) {
					pattern = mir_vreg(s->mf, 8);
					load_const(s, pattern, (int64_t)pat, 8);
				}
				m.kind = MI_STX;
				m.src = pattern;
			} else {
				m.imm = chunk == 8 ? (int64_t)pat : (int32_t)(uint32_t)pat;
			}
			set_base(s, &m, in->args[0], off, true);
			emit(s, m);
		} else {
			uint32_t t = mir_vreg(s->mf, 8);
			struct mi ld = { .kind = MI_LDX, .size = (uint8_t)chunk, .dst = t };
			set_base(s, &ld, in->args[1], off, false);
			emit(s, ld);
			struct mi st = { .kind = MI_STX, .size = (uint8_t)chunk, .src = t };
			set_base(s, &st, in->args[0], off, true);
			emit(s, st);
		}
		off += chunk;
	}
}

static void sel_atomic(struct isel *s, const struct ir_ins *in)
{
	unsigned size = (unsigned)ir_ops[in->op].param;
	int32_t op;
	bool fetch = in->dst != 0;
	switch (in->op) {
	case IR_LOAD_ACQ_U8: case IR_LOAD_ACQ_U16: case IR_LOAD_ACQ_U32: case IR_LOAD_ACQ_U64: {
		struct mi m = { .kind = MI_LDACQ, .size = (uint8_t)size, .dst = s->vreg[in->dst] };
		set_base(s, &m, in->args[0], ir_con_val(s->f, in->args[1]), false);
		emit(s, m);
		return;
	}
	case IR_STORE_REL_U8: case IR_STORE_REL_U16: case IR_STORE_REL_U32: case IR_STORE_REL_U64: {
		struct mi m = { .kind = MI_STREL, .size = (uint8_t)size };
		m.src = reg_of(s, in->args[2], size == 8 ? 8 : 4);
		set_base(s, &m, in->args[0], ir_con_val(s->f, in->args[1]), true);
		emit(s, m);
		return;
	}
	case IR_ATOMIC_ADD_U32: case IR_ATOMIC_ADD_U64: case IR_FETCH_ADD_U32: case IR_FETCH_ADD_U64: op = BPF_ADD; break;
	case IR_ATOMIC_AND_U32: case IR_ATOMIC_AND_U64: case IR_FETCH_AND_U32: case IR_FETCH_AND_U64: op = BPF_AND; break;
	case IR_ATOMIC_OR_U32: case IR_ATOMIC_OR_U64: case IR_FETCH_OR_U32: case IR_FETCH_OR_U64: op = BPF_OR; break;
	case IR_ATOMIC_XOR_U32: case IR_ATOMIC_XOR_U64: case IR_FETCH_XOR_U32: case IR_FETCH_XOR_U64: op = BPF_XOR; break;
	case IR_XCHG_U32: case IR_XCHG_U64: op = BPF_XCHG; break;
	case IR_CMPXCHG_U32: case IR_CMPXCHG_U64: op = BPF_CMPXCHG; break;
	default: W_ICE("atomic %s", ir_ops[in->op].name);
	}
	if (fetch && op != BPF_XCHG && op != BPF_CMPXCHG)
		op |= BPF_FETCH;
	if (s->mf->cpu < 3 && op != BPF_ADD) {
		error(s, "'%s' needs -mcpu=v3 (only atomic add without fetch exists before)",
		      ir_ops[in->op].name);
		return;
	}
	struct mi m = { .kind = MI_ATOMIC, .size = (uint8_t)size, .imm = op };
	unsigned w = size == 8 ? 8 : 4;
	if (op == BPF_CMPXCHG) {
		move_to(s, INSN_R0, in->args[2], w);
		m.src = reg_of(s, in->args[3], w);
		set_base(s, &m, in->args[0], ir_con_val(s->f, in->args[1]), true);
		emit(s, m);
		emit(s, (struct mi){ .kind = MI_COPY, .dst = s->vreg[in->dst], .src = INSN_R0 });
		return;
	}
	if (fetch) {
		/* the old value comes back in the source register */
		m.src = s->vreg[in->dst];
		move_to(s, m.src, in->args[2], w);
	} else {
		m.src = reg_of(s, in->args[2], w);
	}
	set_base(s, &m, in->args[0], ir_con_val(s->f, in->args[1]), true);
	emit(s, m);
}

static void sel_call(struct isel *s, const struct ir_ins *in)
{
	unsigned nargs = in->nargs - 1u;
	ir_ref callee = in->args[0];
	for (unsigned i = 0; i < nargs; i++) {
		ir_ref r = in->args[i + 1];
		unsigned w = 8;
		if (ir_ref_kind(r) == REF_TMP)
			w = width_of(s->f->tmps.data[ir_ref_idx(r)].ty);
		move_to(s, INSN_R1 + i, r, w);
	}
	struct mi m = { .kind = MI_CALL, .size = (uint8_t)nargs };
	if (ir_ref_kind(callee) == REF_HLP) {
		m.imm = ir_ref_idx(callee);
	} else {
		m.sym = ir_ref_idx(callee);
		m.imm = -1;
	}
	emit(s, m);
	if (in->dst)
		emit(s, (struct mi){ .kind = MI_COPY, .dst = s->vreg[in->dst], .src = INSN_R0 });
}

static void sel_tailcall(struct isel *s, const struct ir_ins *in)
{
	move_to(s, INSN_R1, in->args[0], 8);
	move_to(s, INSN_R2, in->args[1], 8);
	move_to(s, INSN_R3, in->args[2], 4);
	emit(s, (struct mi){ .kind = MI_CALL, .size = 3, .imm = 12 /* bpf_tail_call */ });
}

/* ld_abs/ld_ind: the context goes in R6, the offset in the instruction
 * when it is a constant that fits, the result comes in R0. */
static void sel_ldpkt(struct isel *s, const struct ir_ins *in)
{
	struct mi m = { .kind = MI_LDPKT, .size = (uint8_t)ir_ops[in->op].param };
	ir_ref off = in->args[1];
	if (ir_ref_kind(off) == REF_CON && ir_con_val(s->f, off) >= 0 &&
	    ir_con_val(s->f, off) <= INT32_MAX) {
		m.flags = MF_IMM;
		m.imm = ir_con_val(s->f, off);
	} else {
		m.src = reg_of(s, off, 8);
	}
	move_to(s, INSN_R6, in->args[0], 8);
	emit(s, m);
	if (in->dst)
		emit(s, (struct mi){ .kind = MI_COPY, .dst = s->vreg[in->dst], .src = INSN_R0 });
}

static void sel_core(struct isel *s, const struct ir_ins *in)
{
	struct mcore c = { .type = ir_ref_idx(in->args[0]), .access = ir_strs(s->f->mod, in->args[1]),
			   .kind = (uint8_t)ir_ops[in->op].param };
	/* type-based relocations carry the access string "0" (libbpf insists) */
	bool type_based = c.kind == BPF_CORE_TYPE_ID_LOCAL || c.kind == BPF_CORE_TYPE_ID_TARGET ||
			  c.kind == BPF_CORE_TYPE_EXISTS || c.kind == BPF_CORE_TYPE_SIZE ||
			  c.kind == BPF_CORE_TYPE_MATCHES;
	if (type_based && !*c.access)
		c.access = "0";
	int64_t local;
	if (!bk_core_local_value(s->f->mod, c.type, c.access, c.kind, &local)) {
		error(s, "CO-RE access string \"%s\" does not fit its type", c.access);
		return;
	}
	vec_push(&s->mf->core, c);
	emit(s, (struct mi){ .kind = MI_CORE, .op = c.kind, .dst = s->vreg[in->dst], .reloc = s->mf->core.len - 1,
			     .imm = local });
}

static void sel_setcc(struct isel *s, const struct ir_ins *in)
{
	struct mi m = { .kind = MI_SETCC };
	bool inverted;
	compare(s, &m, (enum ir_cc)ir_ops[in->op].param, in->args[0], in->args[1], &inverted);
	m.a = m.dst;
	m.dst = s->vreg[in->dst];
	if (inverted)
		m.flags |= MF_INVERT;
	emit(s, m);
}

static void sel_select(struct isel *s, const struct ir_ins *in)
{
	unsigned w = width_of(in->ty);
	struct mi m = { .kind = MI_SELECT, .dst = s->vreg[in->dst], .size = (uint8_t)w };
	m.a = reg_of(s, in->args[0], operand_width(s, in->args[0], in->args[0]));
	m.src = reg_of(s, in->args[1], w);
	int64_t v;
	if (const_of(s, in->args[2], &v) && fits_imm(v, w)) {
		m.flags |= MF_IMMB;
		m.imm = v;
	} else {
		m.b = reg_of(s, in->args[2], w);
	}
	emit(s, m);
}

/* ---- control flow ------------------------------------------------------------ */

static void jump(struct isel *s, uint32_t ir_target)
{
	emit(s, (struct mi){ .kind = MI_JA, .target = s->mblock[ir_target] });
}

static void cond_jump(struct isel *s, struct mi m, uint32_t t, uint32_t f, bool inverted)
{
	m.kind = MI_JCC;
	m.target = s->mblock[inverted ? f : t];
	emit(s, m);
	jump(s, inverted ? t : f);
}

static void sel_term(struct isel *s, const struct ir_ins *in)
{
	uint32_t succ[2];
	ir_succs(in, succ);
	bool inv;
	switch (in->op) {
	case IR_RET:
		if (in->nargs)
			move_to(s, INSN_R0, in->args[0], width_of(s->f->ret));
		emit(s, (struct mi){ .kind = MI_EXIT });
		return;
	case IR_JMP:
		jump(s, succ[0]);
		return;
	case IR_BR: {
		struct mi m = { 0 };
		compare(s, &m, CC_NE, in->args[0], ir_con(s->f, 0), &inv);
		cond_jump(s, m, succ[0], succ[1], inv);
		return;
	}
	case IR_CHKPKT: {
		uint32_t t = mir_vreg(s->mf, 8);
		move_to(s, t, in->args[0], 8);
		struct mi add = { .kind = MI_ALU, .op = BPF_ADD, .size = 8, .dst = t };
		set_src(s, &add, in->args[1], 8);
		emit(s, add);
		struct mi m = { .op = BPF_JGT, .size = 8, .dst = t, .src = reg_of(s, in->args[2], 8) };
		cond_jump(s, m, succ[1], succ[0], false);
		return;
	}
	case IR_CHKNULL: {
		struct mi m = { .op = BPF_JEQ, .size = 8, .flags = MF_IMM, .dst = reg_of(s, in->args[0], 8) };
		cond_jump(s, m, succ[1], succ[0], false);
		return;
	}
	case IR_UNREACHABLE:
		/* the verifier explores what it cannot prove dead: leave it a clean exit */
		load_const(s, INSN_R0, 0, 8);
		emit(s, (struct mi){ .kind = MI_EXIT });
		return;
	default: {
		W_ASSERT(ir_op_is(in->op, OP_CMP));
		struct mi m = { 0 };
		compare(s, &m, (enum ir_cc)ir_ops[in->op].param, in->args[0], in->args[1], &inv);
		cond_jump(s, m, succ[0], succ[1], inv);
	}
	}
}

/* The copies that implement the phis of block `to` on the edge from `from`,
 * emitted at the current position. Parallel semantics: sources are read
 * before any phi of the block is written. */
static void phi_copies(struct isel *s, uint32_t from, uint32_t to)
{
	struct ir_block *blk = s->f->blocks.data[to];
	unsigned n = 0;
	vec_foreach(&blk->ins, in) n += in->op == IR_PHI;
	if (!n)
		return;
	bool direct = true;
	vec_foreach(&blk->ins, in)
	{
		if (in->op != IR_PHI)
			break;
		for (unsigned k = 0; k + 1 < in->nargs; k += 2) {
			if (ir_ref_idx(in->args[k]) != from)
				continue;
			ir_ref src = in->args[k + 1];
			/* a source that is itself a phi of this block: copy through temps */
			if (ir_ref_kind(src) == REF_TMP)
				vec_foreach(&blk->ins, p2) if (p2->op == IR_PHI && p2->dst == ir_ref_idx(src)) direct = false;
		}
	}
	uint32_t *tmp = direct ? NULL : xmalloc(sizeof(uint32_t) * n);
	for (int pass = direct ? 1 : 0; pass < 2; pass++) {
		unsigned i = 0;
		vec_foreach(&blk->ins, in)
		{
			if (in->op != IR_PHI)
				break;
			if (s->remat[in->dst] != RM_NONE) {
				i++;
				continue;
			}
			for (unsigned k = 0; k + 1 < in->nargs; k += 2) {
				if (ir_ref_idx(in->args[k]) != from)
					continue;
				unsigned w = width_of(in->ty);
				if (pass == 0) {
					tmp[i] = mir_vreg(s->mf, w);
					move_to(s, tmp[i], in->args[k + 1], w);
				} else if (direct) {
					move_to(s, s->vreg[in->dst], in->args[k + 1], w);
				} else {
					emit(s, (struct mi){ .kind = MI_COPY, .dst = s->vreg[in->dst], .src = tmp[i] });
				}
			}
			i++;
		}
	}
	free(tmp);
}

static bool has_phis(const struct ir_block *b)
{
	return b->ins.len && b->ins.data[0].op == IR_PHI;
}

static void sel_block(struct isel *s, uint32_t b)
{
	struct ir_block *blk = s->f->blocks.data[b];
	s->cur = s->mblock[b];
	if (b == 0)
		for (uint32_t i = 0; i < s->f->params.len; i++) {
			uint32_t t = s->f->params.data[i];
			if (s->remat[t] == RM_NONE)
				emit(s, (struct mi){ .kind = MI_COPY, .dst = s->vreg[t], .src = INSN_R1 + i });
		}
	for (uint32_t i = 0; i < blk->ins.len; i++) {
		const struct ir_ins *in = &blk->ins.data[i];
		s->in = in;
		s->loc = in->loc;
		if (!s->loc.file && in->pos)
			s->loc = (struct ir_loc){ BK_LOC_IR_TEXT, in->pos, 1 };
		const struct ir_opinfo *oi = &ir_ops[in->op];
		if (in->dst && s->remat[in->dst] != RM_NONE && !(oi->props & (OP_CALL | OP_LOAD | OP_ATOMIC)))
			continue; /* produced again at each use */
		if (oi->props & OP_TERM) {
			uint32_t succ[2];
			unsigned ns = ir_succs(in, succ);
			if (ns == 2 && (has_phis(s->f->blocks.data[succ[0]]) || has_phis(s->f->blocks.data[succ[1]]))) {
				/* critical edges: copies go into blocks of their own */
				uint32_t split[2] = { UINT32_MAX, UINT32_MAX };
				for (unsigned k = 0; k < 2; k++) {
					if (!has_phis(s->f->blocks.data[succ[k]]) || (k && succ[1] == succ[0]))
						continue;
					split[k] = mir_block(s->mf, UINT32_MAX);
					uint32_t saved = s->cur;
					s->cur = split[k];
					phi_copies(s, b, succ[k]);
					jump(s, succ[k]);
					s->cur = saved;
				}
				/* the terminator once, its targets the split blocks */
				for (unsigned k = 0; k < 2; k++)
					if (split[k] != UINT32_MAX)
						s->mblock[succ[k]] = split[k];
				sel_term(s, in);
				/* mblock entries were overwritten; the caller recomputes them */
				return;
			}
			if (ns == 1)
				phi_copies(s, b, succ[0]);
			sel_term(s, in);
			continue;
		}
		if (oi->props & (OP_BIN))
			sel_binary(s, in);
		else if (oi->props & OP_UN)
			sel_unary(s, in);
		else if ((oi->props & OP_CMP))
			sel_setcc(s, in);
		else if (in->op == IR_COPY || in->op == IR_CAST)
			move_to(s, s->vreg[in->dst], in->args[0], width_of(in->ty));
		else if (in->op == IR_SELECT)
			sel_select(s, in);
		else if (in->op == IR_MEMCPY || in->op == IR_MEMSET)
			sel_memcpy_memset(s, in);
		else if (oi->props & OP_ATOMIC)
			sel_atomic(s, in);
		else if (oi->props & OP_LOAD)
			sel_load(s, in);
		else if (oi->props & OP_STORE)
			sel_store(s, in);
		else if (in->op == IR_CALL)
			sel_call(s, in);
		else if (in->op == IR_TAILCALL)
			sel_tailcall(s, in);
		else if (in->op >= IR_LDPKT_U8 && in->op <= IR_LDPKT_U32)
			sel_ldpkt(s, in);
		else if (oi->props & OP_CORE)
			sel_core(s, in);
		else if (in->op == IR_PHI || in->op == IR_ALLOCA)
			continue;
		else
			W_ICE("no selection for %s", oi->name);
	}
}

int isel_func(struct mfunc *mf, struct ir_func *f, struct diag *d)
{
	struct isel s = { .mf = mf, .f = f };
	mf->ir = f;
	mf->diag = d;
	if (!mf->cpu)
		mf->cpu = f->mod->cpu;
	mf->nregs = MIR_VREG0;
	vec_reserve(&mf->vwidth, MIR_VREG0);
	for (unsigned r = 0; r < MIR_VREG0; r++)
		vec_push(&mf->vwidth, 8);
	struct frame_slot none = { 0 };
	vec_push(&mf->slots, none);
	uint32_t nt = f->tmps.len;
	s.vreg = xcalloc(nt, sizeof(uint32_t));
	s.remat = xcalloc(nt, 1);
	s.rval = xcalloc(nt, sizeof(int64_t));
	s.rslot = xcalloc(nt, sizeof(uint32_t));
	s.core = xcalloc(nt, sizeof(*s.core));
	s.mblock = xmalloc(sizeof(uint32_t) * f->blocks.len);
	uint32_t *home = xmalloc(sizeof(uint32_t) * f->blocks.len);
	classify(&s);
	for (uint32_t b = 0; b < f->blocks.len; b++)
		home[b] = mir_block(mf, b);
	ir_cfg_build(f);
	for (uint32_t b = 0; b < f->blocks.len; b++) {
		/* the kernel rejects unreachable instructions: leave such blocks empty */
		if (f->blocks.data[b]->rpo == UINT32_MAX)
			continue;
		memcpy(s.mblock, home, sizeof(uint32_t) * f->blocks.len);
		sel_block(&s, b);
	}
	free(home);
	free(s.vreg);
	free(s.remat);
	free(s.rval);
	free(s.rslot);
	free(s.core);
	free(s.mblock);
	return mf->errors ? -1 : 0;
}
