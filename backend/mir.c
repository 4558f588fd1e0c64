/* Machine IR bookkeeping: registers, blocks, slots, the registers each
 * instruction reads and writes, liveness, and a printer for dumps. */
#include "backend/mir.h"

#include <stdlib.h>
#include <string.h>

uint32_t mir_vreg(struct mfunc *mf, unsigned width)
{
	vec_push(&mf->vwidth, (uint8_t)width);
	return mf->nregs++;
}

uint32_t mir_block(struct mfunc *mf, uint32_t ir_block)
{
	struct mblock b = { .ir_block = ir_block };
	vec_push(&mf->blocks, b);
	return mf->blocks.len - 1;
}

struct mi *mir_emit(struct mfunc *mf, uint32_t b, struct mi m)
{
	vec_push(&mf->blocks.data[b].ins, m);
	return &vec_last(&mf->blocks.data[b].ins);
}

uint32_t mir_slot(struct mfunc *mf, enum frame_kind kind, uint32_t size, uint32_t align)
{
	struct frame_slot s = { .kind = (uint8_t)kind, .size = size, .align = align ? align : 1 };
	vec_push(&mf->slots, s);
	return mf->slots.len - 1;
}

bool mi_is_term(const struct mi *m)
{
	return m->kind == MI_JA || m->kind == MI_JCC || m->kind == MI_EXIT;
}

static bool base_reg_used(const struct mi *m)
{
	return !(m->flags & MF_FRAME);
}

unsigned mi_uses(const struct mi *m, uint32_t *out)
{
	unsigned n = 0;
	bool imm = m->flags & MF_IMM;
	switch (m->kind) {
	case MI_ALU:
		if (m->op != BPF_MOV)
			out[n++] = m->dst;
		if (!imm)
			out[n++] = m->src;
		break;
	case MI_NEG:
	case MI_END:
		out[n++] = m->dst;
		break;
	case MI_MOVSX:
	case MI_COPY:
		out[n++] = m->src;
		break;
	case MI_LDX:
	case MI_LDACQ:
		if (base_reg_used(m))
			out[n++] = m->src;
		break;
	case MI_STX:
	case MI_STREL:
		if (base_reg_used(m))
			out[n++] = m->dst;
		out[n++] = m->src;
		break;
	case MI_ST:
		if (base_reg_used(m))
			out[n++] = m->dst;
		break;
	case MI_ATOMIC:
		if (base_reg_used(m))
			out[n++] = m->dst;
		out[n++] = m->src;
		if (m->imm == BPF_CMPXCHG)
			out[n++] = INSN_R0;
		break;
	case MI_CALL:
		for (unsigned i = 0; i < m->size; i++)
			out[n++] = INSN_R1 + i;
		break;
	case MI_EXIT:
		out[n++] = INSN_R0;
		break;
	case MI_LDPKT:
		out[n++] = INSN_R6;
		if (!imm)
			out[n++] = m->src;
		break;
	case MI_JCC:
		out[n++] = m->dst;
		if (!imm)
			out[n++] = m->src;
		break;
	case MI_SETCC:
		out[n++] = m->a;
		if (!imm)
			out[n++] = m->src;
		break;
	case MI_SELECT:
		out[n++] = m->a;
		out[n++] = m->src;
		if (!(m->flags & MF_IMMB))
			out[n++] = m->b;
		break;
	default:
		break;
	}
	return n;
}

unsigned mi_defs(const struct mi *m, uint32_t *out)
{
	unsigned n = 0;
	switch (m->kind) {
	case MI_ALU:
	case MI_NEG:
	case MI_END:
	case MI_MOVSX:
	case MI_LDX:
	case MI_LDACQ:
	case MI_LDIMM64:
	case MI_FRAMEADDR:
	case MI_SETCC:
	case MI_SELECT:
	case MI_COPY:
	case MI_CORE:
		out[n++] = m->dst;
		break;
	case MI_ATOMIC:
		if (m->imm == BPF_CMPXCHG)
			out[n++] = INSN_R0;
		else if (m->imm & BPF_FETCH || m->imm == BPF_XCHG)
			out[n++] = m->src;
		break;
	case MI_CALL:
	case MI_LDPKT:
		for (unsigned r = INSN_R0; r <= INSN_R5; r++)
			out[n++] = r;
		break;
	default:
		break;
	}
	return n;
}

/* ---- liveness ----------------------------------------------------------------- */

static inline void bset(uint64_t *s, uint32_t r) { s[r / 64] |= 1ull << (r % 64); }
static inline void bclr(uint64_t *s, uint32_t r) { s[r / 64] &= ~(1ull << (r % 64)); }

/* The successors of a block, from its terminators. */
static void block_succs(struct mblock *b)
{
	b->nsucc = 0;
	for (uint32_t i = 0; i < b->ins.len; i++) {
		const struct mi *m = &b->ins.data[i];
		if ((m->kind == MI_JA || m->kind == MI_JCC) && b->nsucc < 2)
			b->succ[b->nsucc++] = m->target;
	}
}

void mir_liveness(struct mfunc *mf)
{
	uint32_t words = (mf->nregs + 63) / 64;
	vec_foreach(&mf->blocks, b)
	{
		free(b->livein);
		free(b->liveout);
		b->livein = xcalloc(words, sizeof(uint64_t));
		b->liveout = xcalloc(words, sizeof(uint64_t));
		block_succs(b);
	}
	uint64_t *use = xcalloc((size_t)words * mf->blocks.len, sizeof(uint64_t));
	uint64_t *def = xcalloc((size_t)words * mf->blocks.len, sizeof(uint64_t));
	uint32_t regs[8];
	for (uint32_t bi = 0; bi < mf->blocks.len; bi++) {
		struct mblock *b = &mf->blocks.data[bi];
		uint64_t *u = use + (size_t)bi * words, *d = def + (size_t)bi * words;
		for (uint32_t i = b->ins.len; i-- > 0;) {
			const struct mi *m = &b->ins.data[i];
			unsigned n = mi_defs(m, regs);
			for (unsigned k = 0; k < n; k++) {
				bset(d, regs[k]);
				bclr(u, regs[k]);
			}
			n = mi_uses(m, regs);
			for (unsigned k = 0; k < n; k++)
				bset(u, regs[k]);
		}
	}
	for (bool changed = true; changed;) {
		changed = false;
		for (uint32_t bi = mf->blocks.len; bi-- > 0;) {
			struct mblock *b = &mf->blocks.data[bi];
			for (unsigned s = 0; s < b->nsucc; s++) {
				const uint64_t *in = mf->blocks.data[b->succ[s]].livein;
				for (uint32_t w = 0; w < words; w++)
					b->liveout[w] |= in[w];
			}
			const uint64_t *u = use + (size_t)bi * words, *d = def + (size_t)bi * words;
			for (uint32_t w = 0; w < words; w++) {
				uint64_t in = u[w] | (b->liveout[w] & ~d[w]);
				if (in != b->livein[w]) {
					b->livein[w] = in;
					changed = true;
				}
			}
		}
	}
	free(use);
	free(def);
}

/* ---- printing ------------------------------------------------------------------- */

static void reg(struct buf *out, uint32_t r)
{
	if (r < MIR_VREG0)
		buf_printf(out, "r%u", r);
	else
		buf_printf(out, "v%u", r - MIR_VREG0);
}

static const char *const kind_name[] = {
	[MI_ALU] = "alu", [MI_NEG] = "neg", [MI_MOVSX] = "movsx", [MI_END] = "end", [MI_LDX] = "ldx",
	[MI_STX] = "stx", [MI_ST] = "st", [MI_ATOMIC] = "atomic", [MI_LDACQ] = "ldacq",
	[MI_STREL] = "strel", [MI_LDIMM64] = "ldimm64", [MI_FRAMEADDR] = "frameaddr",
	[MI_CALL] = "call", [MI_EXIT] = "exit", [MI_JA] = "ja", [MI_JCC] = "jcc", [MI_SETCC] = "setcc",
	[MI_SELECT] = "select", [MI_COPY] = "copy", [MI_CORE] = "core", [MI_LDPKT] = "ldpkt",
};

void mir_print(const struct mfunc *mf, struct buf *out)
{
	for (uint32_t bi = 0; bi < mf->blocks.len; bi++) {
		const struct mblock *b = &mf->blocks.data[bi];
		buf_printf(out, "m%u:\n", bi);
		vec_foreach(&b->ins, m)
		{
			buf_printf(out, "\t%s op=%u size=%u ", kind_name[m->kind], m->op, m->size);
			uint32_t regs[8];
			unsigned n = mi_defs(m, regs);
			buf_puts(out, "defs=");
			for (unsigned k = 0; k < n; k++) {
				reg(out, regs[k]);
				buf_putc(out, ' ');
			}
			n = mi_uses(m, regs);
			buf_puts(out, "uses=");
			for (unsigned k = 0; k < n; k++) {
				reg(out, regs[k]);
				buf_putc(out, ' ');
			}
			buf_printf(out, "off=%d imm=%lld", m->off, (long long)m->imm);
			if (m->kind == MI_JA || m->kind == MI_JCC)
				buf_printf(out, " -> m%u", m->target);
			buf_putc(out, '\n');
		}
	}
}

void mir_free(struct mfunc *mf)
{
	vec_foreach(&mf->blocks, b)
	{
		vec_free(&b->ins);
		vec_free(&b->preds);
		free(b->livein);
		free(b->liveout);
	}
	vec_free(&mf->blocks);
	vec_free(&mf->vwidth);
	vec_free(&mf->slots);
	vec_free(&mf->core);
}
