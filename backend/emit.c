/* Emission: block layout, branch resolution (fall-throughs, inverted
 * conditions), expansion of pseudo-instructions, encoding, and the records of
 * relocations, CO-RE accesses and source lines. */
#include "backend/backend.h"
#include "backend/mir.h"

#include <stdlib.h>
#include <string.h>

struct emitter {
	struct mfunc *mf;
	struct bk_func *out;
	uint32_t *layout, nlayout; /* blocks in output order */
	uint32_t *start;           /* per block: its first slot */
	struct ir_loc last_loc;
};

/* Output order: creation order, each split-edge block right after the
 * block it leaves from (so its copies fall through from the branch). */
static void layout_blocks(struct emitter *e)
{
	struct mfunc *mf = e->mf;
	uint32_t n = mf->blocks.len;
	e->layout = xmalloc(sizeof(uint32_t) * n);
	uint32_t *from = xmalloc(sizeof(uint32_t) * n);
	for (uint32_t b = 0; b < n; b++)
		from[b] = UINT32_MAX;
	for (uint32_t b = 0; b < n; b++)
		vec_foreach(&mf->blocks.data[b].ins, m) if ((m->kind == MI_JA || m->kind == MI_JCC) &&
							    mf->blocks.data[m->target].ir_block == UINT32_MAX &&
							    from[m->target] == UINT32_MAX) from[m->target] = b;
	for (uint32_t b = 0; b < n; b++) {
		if (mf->blocks.data[b].ir_block == UINT32_MAX && from[b] != UINT32_MAX)
			continue;
		e->layout[e->nlayout++] = b;
		for (uint32_t s = 0; s < n; s++)
			if (from[s] == b)
				e->layout[e->nlayout++] = s;
	}
	for (uint32_t i = 0; i < e->nlayout; i++)
		mf->blocks.data[e->layout[i]].order = i;
	free(from);
}

static uint8_t invert_jmp(uint8_t op, uint8_t cpu)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	case BPF_JGT: return BPF_JLE;
	case BPF_JGE: return BPF_JLT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSGE: return BPF_JSLT;
	case BPF_JSLT: return BPF_JSGE;
	case BPF_JSLE: return BPF_JSGT;
	default: return 0; /* jset has no inverse */
	}
	(void)cpu;
}

static bool cpu_has_jmp(uint8_t op, uint8_t cpu)
{
	return cpu >= 2 || (op != BPF_JLT && op != BPF_JLE && op != BPF_JSLT && op != BPF_JSLE);
}

/* Removes jumps to the next block and inverts a conditional jump to the
 * next block when the inverse exists. */
static void resolve_fallthrough(struct emitter *e)
{
	struct mfunc *mf = e->mf;
	for (uint32_t i = 0; i < e->nlayout; i++) {
		struct mblock *b = &mf->blocks.data[e->layout[i]];
		uint32_t next = i + 1 < e->nlayout ? e->layout[i + 1] : UINT32_MAX;
		if (!b->ins.len)
			continue;
		struct mi *last = &vec_last(&b->ins);
		if (last->kind != MI_JA)
			continue;
		if (last->target == next) {
			b->ins.len--;
			continue;
		}
		if (b->ins.len >= 2) {
			struct mi *jcc = &b->ins.data[b->ins.len - 2];
			uint8_t inv = jcc->kind == MI_JCC ? invert_jmp(jcc->op, mf->cpu) : 0;
			if (jcc->kind == MI_JCC && jcc->target == next && inv && cpu_has_jmp(inv, mf->cpu)) {
				jcc->op = inv;
				jcc->target = last->target;
				b->ins.len--;
			}
		}
	}
}

/* Type ids and enumerator values are loaded with ld_imm64, as clang does:
 * an enumerator may need 64 bits, and libbpf patches both forms. */
static bool core_wide(uint8_t kind)
{
	return kind == BPF_CORE_TYPE_ID_LOCAL || kind == BPF_CORE_TYPE_ID_TARGET ||
	       kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_ENUMVAL_VALUE;
}

static unsigned mi_slots(const struct mi *m)
{
	switch (m->kind) {
	case MI_LDIMM64: return 2;
	case MI_FRAMEADDR: return 2;
	case MI_SETCC: return 3;
	case MI_CORE: return core_wide(m->op) ? 2 : 1;
	case MI_JCC: return !(m->flags & MF_LONG) ? 1 : invert_jmp(m->op, 4) ? 2 : 3;
	case MI_SELECT: return m->dst == m->src ? 2 : 3;
	default: return 1;
	}
}

static void put(struct emitter *e, struct bpf_insn in, const struct mi *m)
{
	struct ir_loc l = m->loc;
	if (l.file && (l.file != e->last_loc.file || l.line != e->last_loc.line || l.col != e->last_loc.col)) {
		struct bk_line line = { e->out->insns.len, l };
		vec_push(&e->out->lines, line);
		e->last_loc = l;
	}
	vec_push(&e->out->insns, in);
}

static void reloc(struct emitter *e, enum bk_reloc_kind kind, uint32_t sym)
{
	struct bk_reloc r = { e->out->insns.len, (uint8_t)kind, sym };
	vec_push(&e->out->relocs, r);
}

static int16_t jump_off(struct emitter *e, uint32_t from_slot, uint32_t target_block)
{
	int64_t off = (int64_t)e->start[target_block] - (int64_t)(from_slot + 1);
	if (off < INT16_MIN || off > INT16_MAX)
		W_ICE("branch offset %lld out of range", (long long)off);
	return (int16_t)off;
}

static void encode(struct emitter *e, const struct mi *m)
{
	struct mfunc *mf = e->mf;
	struct bpf_insn two[2];
	bool w64 = m->size == 8;
	bool imm = m->flags & MF_IMM;
	int32_t off = m->off;
	if (m->flags & MF_FRAME)
		off += mf->slots.data[m->slot].offset;
	uint32_t here = e->out->insns.len;
	if ((m->kind == MI_LDX || m->kind == MI_STX || m->kind == MI_ST) && m->reloc) {
		/* a CO-RE field offset folded into the access: libbpf patches off */
		const struct mcore *c = &mf->core.data[m->reloc - 1];
		vec_push(&e->out->core, ((struct bk_core){ here, c->type, c->access, c->kind }));
	}
	switch (m->kind) {
	case MI_ALU:
		if (m->op == BPF_MOV)
			put(e, imm ? insn_mov_imm(w64, (uint8_t)m->dst, (int32_t)m->imm)
				   : insn_mov_reg(w64, (uint8_t)m->dst, (uint8_t)m->src), m);
		else if ((m->flags & MF_SIGNED) && m->op == BPF_DIV)
			put(e, imm ? insn_sdiv_imm(w64, (uint8_t)m->dst, (int32_t)m->imm)
				   : insn_sdiv_reg(w64, (uint8_t)m->dst, (uint8_t)m->src), m);
		else if ((m->flags & MF_SIGNED) && m->op == BPF_MOD)
			put(e, imm ? insn_smod_imm(w64, (uint8_t)m->dst, (int32_t)m->imm)
				   : insn_smod_reg(w64, (uint8_t)m->dst, (uint8_t)m->src), m);
		else
			put(e, imm ? insn_alu_imm(w64, m->op, (uint8_t)m->dst, (int32_t)m->imm)
				   : insn_alu_reg(w64, m->op, (uint8_t)m->dst, (uint8_t)m->src), m);
		return;
	case MI_NEG:
		put(e, insn_neg(w64, (uint8_t)m->dst), m);
		return;
	case MI_MOVSX:
		put(e, insn_movsx(w64, (uint8_t)m->dst, (uint8_t)m->src, (unsigned)m->imm), m);
		return;
	case MI_END:
		put(e, m->op == MI_BSWAP ? insn_bswap((uint8_t)m->dst, (unsigned)m->imm)
		       : m->op == BPF_TO_BE ? insn_to_be((uint8_t)m->dst, (unsigned)m->imm)
					    : insn_to_le((uint8_t)m->dst, (unsigned)m->imm), m);
		return;
	case MI_LDX:
		put(e, (m->flags & MF_SIGNED) ? insn_ldsx(m->size, (uint8_t)m->dst, (uint8_t)m->src, (int16_t)off)
					      : insn_ldx(m->size, (uint8_t)m->dst, (uint8_t)m->src, (int16_t)off), m);
		return;
	case MI_STX:
		put(e, insn_stx(m->size, (uint8_t)m->dst, (uint8_t)m->src, (int16_t)off), m);
		return;
	case MI_ST:
		put(e, insn_st(m->size, (uint8_t)m->dst, (int16_t)off, (int32_t)m->imm), m);
		return;
	case MI_ATOMIC:
		put(e, insn_atomic(m->size, (int32_t)m->imm, (uint8_t)m->dst, (uint8_t)m->src, (int16_t)off), m);
		return;
	case MI_LDACQ:
		put(e, insn_load_acquire(m->size, (uint8_t)m->dst, (uint8_t)m->src, (int16_t)off), m);
		return;
	case MI_STREL:
		put(e, insn_store_release(m->size, (uint8_t)m->dst, (uint8_t)m->src, (int16_t)off), m);
		return;
	case MI_LDIMM64:
		if (m->sym) {
			const struct ir_sym *s = ir_sym(mf->ir->mod, m->sym);
			enum bk_reloc_kind k = s->kind == IR_SYM_MAP	? BK_MAP
					       : s->kind == IR_SYM_FUNC ? BK_FUNC
					       : s->kind == IR_SYM_EXTERN && s->ext.kind == IR_EXT_KSYM ? BK_KSYM
													: BK_GLOBAL;
			reloc(e, k, m->sym);
			if (k == BK_FUNC)
				insn_ld_pseudo(two, (uint8_t)m->dst, BPF_PSEUDO_FUNC, 0, 0);
			else
				insn_ld_imm64(two, (uint8_t)m->dst, 0);
		} else {
			insn_ld_imm64(two, (uint8_t)m->dst, (uint64_t)m->imm);
		}
		put(e, two[0], m);
		put(e, two[1], m);
		return;
	case MI_FRAMEADDR: {
		int32_t o = mf->slots.data[m->slot].offset + m->off;
		put(e, insn_mov_reg(true, (uint8_t)m->dst, INSN_R10), m);
		put(e, insn_alu_imm(true, BPF_ADD, (uint8_t)m->dst, o), m);
		return;
	}
	case MI_CALL:
		if (!m->sym) {
			put(e, insn_call_helper((int32_t)m->imm), m);
		} else if (ir_sym(mf->ir->mod, m->sym)->kind == IR_SYM_FUNC) {
			reloc(e, BK_CALL, m->sym);
			put(e, insn_call_pseudo(-1), m);
		} else {
			reloc(e, BK_KFUNC, m->sym);
			put(e, insn_call_kfunc(-1, 0), m);
		}
		return;
	case MI_LDPKT:
		put(e, (m->flags & MF_IMM) ? insn_ld_abs(m->size, (int32_t)m->imm)
					   : insn_ld_ind(m->size, (uint8_t)m->src, (int32_t)m->imm), m);
		return;
	case MI_EXIT:
		put(e, insn_exit(), m);
		return;
	case MI_JA:
		if (m->flags & MF_LONG)
			put(e, insn_gotol((int32_t)(e->start[m->target] - (here + 1))), m);
		else
			put(e, insn_ja(jump_off(e, here, m->target)), m);
		return;
	case MI_JCC: {
		if (m->flags & MF_LONG) {
			/* if !cond skip the gotol; without an inverse (jset): if cond
			 * reach the gotol, else jump over it */
			uint8_t inv = invert_jmp(m->op, 4);
			uint8_t op = inv ? inv : m->op;
			put(e, imm ? insn_jmp_imm(m->size == 4, op, (uint8_t)m->dst, (int32_t)m->imm, 1)
				   : insn_jmp_reg(m->size == 4, op, (uint8_t)m->dst, (uint8_t)m->src, 1), m);
			if (!inv)
				put(e, insn_ja(1), m);
			uint32_t at = e->out->insns.len;
			put(e, insn_gotol((int32_t)(e->start[m->target] - (at + 1))), m);
			return;
		}
		int16_t jo = jump_off(e, here, m->target);
		put(e, imm ? insn_jmp_imm(m->size == 4, m->op, (uint8_t)m->dst, (int32_t)m->imm, jo)
			   : insn_jmp_reg(m->size == 4, m->op, (uint8_t)m->dst, (uint8_t)m->src, jo), m);
		return;
	}
	case MI_SETCC: {
		bool inv = m->flags & MF_INVERT;
		put(e, insn_mov_imm(false, (uint8_t)m->dst, inv ? 0 : 1), m);
		put(e, imm ? insn_jmp_imm(m->size == 4, m->op, (uint8_t)m->a, (int32_t)m->imm, 1)
			   : insn_jmp_reg(m->size == 4, m->op, (uint8_t)m->a, (uint8_t)m->src, 1), m);
		put(e, insn_mov_imm(false, (uint8_t)m->dst, inv ? 1 : 0), m);
		return;
	}
	case MI_SELECT:
		if (m->dst != m->src)
			put(e, insn_mov_reg(true, (uint8_t)m->dst, (uint8_t)m->src), m);
		put(e, insn_jmp_imm(false, BPF_JNE, (uint8_t)m->a, 0, 1), m);
		put(e, (m->flags & MF_IMMB) ? insn_mov_imm(w64, (uint8_t)m->dst, (int32_t)m->imm)
					    : insn_mov_reg(true, (uint8_t)m->dst, (uint8_t)m->b), m);
		return;
	case MI_COPY:
		put(e, insn_mov_reg(true, (uint8_t)m->dst, (uint8_t)m->src), m);
		return;
	case MI_CORE: {
		const struct mcore *c = &mf->core.data[m->reloc];
		struct bk_core rec = { here, c->type, c->access, c->kind };
		vec_push(&e->out->core, rec);
		if (core_wide(c->kind)) {
			insn_ld_imm64(two, (uint8_t)m->dst, (uint64_t)m->imm);
			put(e, two[0], m);
			put(e, two[1], m);
		} else {
			put(e, insn_mov_imm(true, (uint8_t)m->dst, (int32_t)m->imm), m);
		}
		return;
	}
	}
	W_ICE("cannot encode machine instruction kind %u", m->kind);
}

/* Block start slots, with the sizes jumps have now; returns the total. */
static uint32_t place_blocks(struct emitter *e)
{
	uint32_t slot = 0;
	for (uint32_t i = 0; i < e->nlayout; i++) {
		e->start[e->layout[i]] = slot;
		vec_foreach(&e->mf->blocks.data[e->layout[i]].ins, m) slot += mi_slots(m);
	}
	return slot;
}

/* Jumps whose target is beyond a 16-bit offset become long (gotol, v4);
 * making one long moves others, so this runs until nothing changes.
 * Returns the first jump that had to become long, or NULL. */
static const struct mi *widen_jumps(struct emitter *e)
{
	const struct mi *first = NULL;
	for (bool changed = true; changed;) {
		changed = false;
		place_blocks(e);
		for (uint32_t i = 0; i < e->nlayout; i++) {
			uint32_t here = e->start[e->layout[i]];
			vec_foreach(&e->mf->blocks.data[e->layout[i]].ins, m)
			{
				if ((m->kind == MI_JA || m->kind == MI_JCC) && !(m->flags & MF_LONG)) {
					int64_t off = (int64_t)e->start[m->target] - (int64_t)(here + 1);
					if (off < INT16_MIN || off > INT16_MAX) {
						m->flags |= MF_LONG;
						changed = true;
						first = first ? first : m;
					}
				}
				here += mi_slots(m);
			}
		}
	}
	return first;
}

int bk_emit(struct mfunc *mf, struct bk_func *out)
{
	struct emitter e = { .mf = mf, .out = out };
	layout_blocks(&e);
	resolve_fallthrough(&e);
	e.start = xcalloc(mf->blocks.len, sizeof(uint32_t));
	const struct mi *far = widen_jumps(&e);
	uint32_t slot = place_blocks(&e);
	if (far && mf->cpu < 4) {
		const struct ir_func *f = mf->ir;
		const struct ir_sym *sym = ir_sym(f->mod, f->sym);
		diag_error(mf->diag, (struct srcloc){ f->mod->text_file, sym->pos, 1 },
			   "$%s is too long for BPF jumps: a branch must reach over more than 32767 "
			   "instructions, which needs -mcpu=v4 (gotol)", sym->name);
		diag_hint(mf->diag, "compile for v4, or move code into subprograms (func) it calls");
		mf->errors++;
		free(e.layout);
		free(e.start);
		return -1;
	}
	for (uint32_t i = 0; i < e.nlayout; i++)
		vec_foreach(&mf->blocks.data[e.layout[i]].ins, m) encode(&e, m);
	W_ASSERT(out->insns.len == slot);
	out->stack_size = mf->stack_size;
	free(e.layout);
	free(e.start);
	return 0;
}
