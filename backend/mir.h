/* The backend's machine IR: BPF instructions over virtual registers, in
 * blocks, between instruction selection and encoding. Registers 0..10 are
 * R0..R10; virtual registers start at MIR_VREG0. */
#ifndef WHISTLER_BACKEND_MIR_H
#define WHISTLER_BACKEND_MIR_H

#include "backend/insn.h"
#include "ir/ir.h"

#define MIR_VREG0 16
#define MIR_NOREG UINT32_MAX

enum mi_kind {
	MI_ALU,       /* dst op= src|imm (op: BPF_ADD ... BPF_ARSH, BPF_MOV), size 4 or 8 */
	MI_NEG,       /* dst = -dst */
	MI_MOVSX,     /* dst = (s<imm>)src, v4 */
	MI_END,       /* byte order: op BPF_TO_LE / BPF_TO_BE, or MI_BSWAP; imm = bits */
	MI_LDX,       /* dst = *(size *)(src + off); MF_SIGNED: ldsx */
	MI_STX,       /* *(size *)(dst + off) = src */
	MI_ST,        /* *(size *)(dst + off) = imm */
	MI_ATOMIC,    /* imm = BPF_ADD|BPF_FETCH ...; *(size *)(dst + off), src */
	MI_LDACQ,     /* dst = load_acquire(*(size *)(src + off)) */
	MI_STREL,     /* store_release(*(size *)(dst + off), src) */
	MI_LDIMM64,   /* dst = imm (two slots); with a relocation when sym != 0 */
	MI_FRAMEADDR, /* dst = r10 + frame offset of slot + off */
	MI_CALL,      /* helper (imm) or subprogram/kfunc (sym); size = number of arguments */
	MI_EXIT,
	MI_JA,        /* goto target */
	MI_JCC,       /* if dst op src|imm goto target (size 4: jmp32) */
	MI_SETCC,     /* dst = (src1 op src|imm) ? 1 : 0; src1 in `a` */
	MI_SELECT,    /* dst = a ? src : imm-or-reg b */
	MI_COPY,      /* dst = src, a register copy the allocator may coalesce */
	MI_CORE,      /* dst = imm, the local value of CO-RE relocation `reloc` (op: its kind) */
	MI_LDPKT,     /* R0 = packet bytes at imm (MF_IMM: ld_abs) or src + imm (ld_ind), size
		       * 1/2/4; reads the context in R6 and clobbers R1-R5 like a call */
};

/* Not a kernel opcode: the v4 unconditional byte swap, in MI_END's op. */
#define MI_BSWAP 0xff

enum mi_flag {
	MF_IMM = 1 << 0,      /* the second operand is `imm`, not `src` */
	MF_SIGNED = 1 << 1,   /* ldsx; sdiv/smod (v4) */
	MF_VOLATILE = 1 << 2, /* keep as written */
	MF_FRAME = 1 << 3,    /* the base register is R10 and off is relative to frame slot `slot` */
	MF_IMMB = 1 << 4,     /* MI_SELECT: `b` is imm */
	MF_SPILL = 1 << 5,    /* spill code: never spilled again */
	MF_INVERT = 1 << 6,   /* MI_SETCC: the condition was inverted; the result is its negation */
	MF_LONG = 1 << 7,     /* MI_JA/MI_JCC: the target is beyond 16 bits of offset (gotol) */
};

enum mi_sym_kind { MS_NONE, MS_MAP, MS_GLOBAL, MS_KSYM, MS_FUNC, MS_KFUNC };

struct mi {
	uint8_t kind; /* enum mi_kind */
	uint8_t op;
	uint8_t size;
	uint8_t flags;
	uint32_t dst, src;
	uint32_t a;      /* MI_SETCC / MI_SELECT: the extra register operand */
	uint32_t b;      /* MI_SELECT: the register taken when `a` is zero (unless MF_IMMB) */
	int32_t off;
	uint32_t slot;   /* frame slot (MF_FRAME, MI_FRAMEADDR) */
	int64_t imm;     /* also MI_SELECT's immediate b */
	uint32_t target; /* jumps: block */
	uint32_t sym;    /* IR module symbol (MI_LDIMM64, MI_CALL), 0 if none */
	uint32_t reloc;  /* MI_CORE: index into mfunc.core; MI_LDX/STX/ST: index + 1 (0: none) */
	struct ir_loc loc;
};

struct mblock {
	VEC(struct mi) ins;
	VEC(uint32_t) preds;
	uint32_t succ[2];
	uint8_t nsucc;
	uint32_t ir_block; /* the IR block it comes from, UINT32_MAX for split edges */
	uint64_t *livein, *liveout; /* bitsets over registers */
	uint32_t order;             /* position in the final layout */
};

/* A CO-RE relocation of an instruction. */
struct mcore {
	uint32_t type; /* IR type */
	const char *access;
	uint8_t kind; /* enum bpf_core_relo_kind */
};

enum frame_kind { FS_ALLOCA, FS_SPILL };
struct frame_slot {
	uint8_t kind;
	uint32_t size, align;
	int32_t offset; /* from R10, negative; set by frame layout */
	uint32_t vreg;  /* FS_SPILL: the spilled register */
};

struct mfunc {
	struct ir_func *ir;
	VEC(struct mblock) blocks; /* blocks.data[0] is the entry */
	uint32_t nregs;            /* registers in use: MIR_VREG0 + virtual ones */
	VEC(uint8_t) vwidth;       /* per register: 4 if it only holds i32 values, else 8 */
	VEC(struct frame_slot) slots; /* slot 0 is unused */
	VEC(struct mcore) core;
	uint32_t stack_size;
	uint32_t stack_limit; /* 0: the kernel's 512 bytes */
	uint8_t cpu;
	struct diag *diag;
	unsigned errors;
};

uint32_t mir_vreg(struct mfunc *mf, unsigned width);
uint32_t mir_block(struct mfunc *mf, uint32_t ir_block);
struct mi *mir_emit(struct mfunc *mf, uint32_t b, struct mi m);
uint32_t mir_slot(struct mfunc *mf, enum frame_kind kind, uint32_t size, uint32_t align);

/* Registers read and written by an instruction (up to 6 each); calls and
 * packet loads also write R1-R5 (clobbers). Returns the counts. */
unsigned mi_uses(const struct mi *m, uint32_t *out);
unsigned mi_defs(const struct mi *m, uint32_t *out);
bool mi_is_term(const struct mi *m);

void mir_print(const struct mfunc *mf, struct buf *out);
void mir_free(struct mfunc *mf);

/* The backend's passes, in order. */
int isel_func(struct mfunc *mf, struct ir_func *f, struct diag *d);
void mir_liveness(struct mfunc *mf);
int rega_func(struct mfunc *mf);
int frame_layout(struct mfunc *mf);
void peep_func(struct mfunc *mf);
struct bk_func;
/* Returns -1 (reported to mf->diag) if a branch cannot reach its target. */
int bk_emit(struct mfunc *mf, struct bk_func *out);

#endif
