/* BPF instruction constructors, queries and the well-formedness validator.
 * Constructors assert on impossible arguments (a backend bug); the validator
 * reports what the kernel would reject in bytes that came from elsewhere. */
#include "backend/insn.h"

#include "util/util.h"

#include <stdlib.h>

uint8_t insn_size_code(unsigned bytes)
{
	switch (bytes) {
	case 1:
		return BPF_B;
	case 2:
		return BPF_H;
	case 4:
		return BPF_W;
	case 8:
		return BPF_DW;
	}
	W_ICE("bad access size %u", bytes);
}

unsigned insn_size_bytes(uint8_t code)
{
	static const unsigned bytes[4] = { 4, 2, 1, 8 }; /* W H B DW */
	return bytes[BPF_SIZE(code) >> 3];
}

struct bpf_insn insn_raw(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	W_ASSERT(dst < 16 && src < 16);
	return (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm
	};
}

static uint8_t alu_class(bool alu64)
{
	return alu64 ? BPF_ALU64 : BPF_ALU;
}

static void check_alu_op(uint8_t op)
{
	W_ASSERT((op & 0x0f) == 0 && op != BPF_NEG && op != BPF_END && op <= BPF_ARSH);
}

struct bpf_insn insn_alu_reg(bool alu64, uint8_t op, uint8_t dst, uint8_t src)
{
	check_alu_op(op);
	return insn_raw(alu_class(alu64) | op | BPF_X, dst, src, 0, 0);
}

struct bpf_insn insn_alu_imm(bool alu64, uint8_t op, uint8_t dst, int32_t imm)
{
	check_alu_op(op);
	return insn_raw(alu_class(alu64) | op | BPF_K, dst, 0, 0, imm);
}

struct bpf_insn insn_mov_reg(bool alu64, uint8_t dst, uint8_t src)
{
	return insn_alu_reg(alu64, BPF_MOV, dst, src);
}

struct bpf_insn insn_mov_imm(bool alu64, uint8_t dst, int32_t imm)
{
	return insn_alu_imm(alu64, BPF_MOV, dst, imm);
}

struct bpf_insn insn_sdiv_reg(bool alu64, uint8_t dst, uint8_t src)
{
	return insn_raw(alu_class(alu64) | BPF_DIV | BPF_X, dst, src, INSN_OFF_SIGNED, 0);
}

struct bpf_insn insn_sdiv_imm(bool alu64, uint8_t dst, int32_t imm)
{
	return insn_raw(alu_class(alu64) | BPF_DIV | BPF_K, dst, 0, INSN_OFF_SIGNED, imm);
}

struct bpf_insn insn_smod_reg(bool alu64, uint8_t dst, uint8_t src)
{
	return insn_raw(alu_class(alu64) | BPF_MOD | BPF_X, dst, src, INSN_OFF_SIGNED, 0);
}

struct bpf_insn insn_smod_imm(bool alu64, uint8_t dst, int32_t imm)
{
	return insn_raw(alu_class(alu64) | BPF_MOD | BPF_K, dst, 0, INSN_OFF_SIGNED, imm);
}

struct bpf_insn insn_movsx(bool alu64, uint8_t dst, uint8_t src, unsigned bits)
{
	W_ASSERT(bits == 8 || bits == 16 || (bits == 32 && alu64));
	return insn_raw(alu_class(alu64) | BPF_MOV | BPF_X, dst, src, (int16_t)bits, 0);
}

struct bpf_insn insn_neg(bool alu64, uint8_t dst)
{
	return insn_raw(alu_class(alu64) | BPF_NEG | BPF_K, dst, 0, 0, 0);
}

static struct bpf_insn endian(uint8_t code, uint8_t dst, unsigned bits)
{
	W_ASSERT(bits == 16 || bits == 32 || bits == 64);
	return insn_raw(code, dst, 0, 0, (int32_t)bits);
}

struct bpf_insn insn_to_le(uint8_t dst, unsigned bits)
{
	return endian(BPF_ALU | BPF_END | BPF_TO_LE, dst, bits);
}

struct bpf_insn insn_to_be(uint8_t dst, unsigned bits)
{
	return endian(BPF_ALU | BPF_END | BPF_TO_BE, dst, bits);
}

struct bpf_insn insn_bswap(uint8_t dst, unsigned bits)
{
	return endian(BPF_ALU64 | BPF_END | BPF_TO_LE, dst, bits);
}

struct bpf_insn insn_addr_space_cast(uint8_t dst, uint8_t src, uint16_t dst_as, uint16_t src_as)
{
	return insn_raw(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, INSN_OFF_ADDR_SPACE_CAST,
			(int32_t)((uint32_t)dst_as << 16 | src_as));
}

static void check_jmp_op(uint8_t op)
{
	W_ASSERT((op & 0x0f) == 0 && op != BPF_JA && op != BPF_CALL && op != BPF_EXIT &&
		 op != BPF_JCOND && op != 0xf0);
}

struct bpf_insn insn_jmp_reg(bool jmp32, uint8_t op, uint8_t dst, uint8_t src, int16_t off)
{
	check_jmp_op(op);
	return insn_raw((jmp32 ? BPF_JMP32 : BPF_JMP) | op | BPF_X, dst, src, off, 0);
}

struct bpf_insn insn_jmp_imm(bool jmp32, uint8_t op, uint8_t dst, int32_t imm, int16_t off)
{
	check_jmp_op(op);
	return insn_raw((jmp32 ? BPF_JMP32 : BPF_JMP) | op | BPF_K, dst, 0, off, imm);
}

struct bpf_insn insn_ja(int16_t off)
{
	return insn_raw(BPF_JMP | BPF_JA, 0, 0, off, 0);
}

struct bpf_insn insn_gotol(int32_t off)
{
	return insn_raw(BPF_JMP32 | BPF_JA, 0, 0, 0, off);
}

struct bpf_insn insn_may_goto(int16_t off)
{
	return insn_raw(BPF_JMP | BPF_JCOND, 0, 0, off, 0);
}

struct bpf_insn insn_call_helper(int32_t helper_id)
{
	return insn_raw(BPF_JMP | BPF_CALL, 0, 0, 0, helper_id);
}

struct bpf_insn insn_call_pseudo(int32_t rel)
{
	return insn_raw(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel);
}

struct bpf_insn insn_call_kfunc(int32_t btf_id, int16_t btf_fd_idx)
{
	return insn_raw(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, btf_fd_idx, btf_id);
}

struct bpf_insn insn_callx(uint8_t reg)
{
	/* llvm encodes the register in dst_reg */
	return insn_raw(BPF_JMP | BPF_CALL | BPF_X, reg, 0, 0, 0);
}

struct bpf_insn insn_exit(void)
{
	return insn_raw(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

void insn_ld_pseudo(struct bpf_insn out[2], uint8_t dst, uint8_t src, int32_t imm0, int32_t imm1)
{
	out[0] = insn_raw(BPF_LD | BPF_IMM | BPF_DW, dst, src, 0, imm0);
	out[1] = insn_raw(0, 0, 0, 0, imm1);
}

void insn_ld_imm64(struct bpf_insn out[2], uint8_t dst, uint64_t imm)
{
	insn_ld_pseudo(out, dst, 0, (int32_t)(uint32_t)imm, (int32_t)(uint32_t)(imm >> 32));
}

void insn_ld_map_fd(struct bpf_insn out[2], uint8_t dst, int32_t map_fd)
{
	insn_ld_pseudo(out, dst, BPF_PSEUDO_MAP_FD, map_fd, 0);
}

void insn_ld_map_value(struct bpf_insn out[2], uint8_t dst, int32_t map_fd, int32_t off)
{
	insn_ld_pseudo(out, dst, BPF_PSEUDO_MAP_VALUE, map_fd, off);
}

void insn_ld_map_idx(struct bpf_insn out[2], uint8_t dst, int32_t map_idx)
{
	insn_ld_pseudo(out, dst, BPF_PSEUDO_MAP_IDX, map_idx, 0);
}

void insn_ld_map_idx_value(struct bpf_insn out[2], uint8_t dst, int32_t map_idx, int32_t off)
{
	insn_ld_pseudo(out, dst, BPF_PSEUDO_MAP_IDX_VALUE, map_idx, off);
}

void insn_ld_btf_id(struct bpf_insn out[2], uint8_t dst, int32_t btf_id, int32_t btf_fd)
{
	insn_ld_pseudo(out, dst, BPF_PSEUDO_BTF_ID, btf_id, btf_fd);
}

void insn_ld_func(struct bpf_insn out[2], uint8_t dst, int32_t rel)
{
	insn_ld_pseudo(out, dst, BPF_PSEUDO_FUNC, rel, 0);
}

uint64_t insn_ld_imm64_value(const struct bpf_insn insn[2])
{
	return (uint64_t)(uint32_t)insn[1].imm << 32 | (uint32_t)insn[0].imm;
}

struct bpf_insn insn_ld_abs(unsigned size, int32_t imm)
{
	W_ASSERT(size != 8);
	return insn_raw(BPF_LD | BPF_ABS | insn_size_code(size), 0, 0, 0, imm);
}

struct bpf_insn insn_ld_ind(unsigned size, uint8_t src, int32_t imm)
{
	W_ASSERT(size != 8);
	return insn_raw(BPF_LD | BPF_IND | insn_size_code(size), 0, src, 0, imm);
}

struct bpf_insn insn_ldx(unsigned size, uint8_t dst, uint8_t src, int16_t off)
{
	return insn_raw(BPF_LDX | BPF_MEM | insn_size_code(size), dst, src, off, 0);
}

struct bpf_insn insn_ldsx(unsigned size, uint8_t dst, uint8_t src, int16_t off)
{
	W_ASSERT(size != 8);
	return insn_raw(BPF_LDX | BPF_MEMSX | insn_size_code(size), dst, src, off, 0);
}

struct bpf_insn insn_stx(unsigned size, uint8_t dst, uint8_t src, int16_t off)
{
	return insn_raw(BPF_STX | BPF_MEM | insn_size_code(size), dst, src, off, 0);
}

struct bpf_insn insn_st(unsigned size, uint8_t dst, int16_t off, int32_t imm)
{
	return insn_raw(BPF_ST | BPF_MEM | insn_size_code(size), dst, 0, off, imm);
}

static bool atomic_rmw_op(int32_t op)
{
	switch (op & ~BPF_FETCH) {
	case BPF_ADD:
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		return true;
	}
	return op == BPF_XCHG || op == BPF_CMPXCHG;
}

struct bpf_insn insn_atomic(unsigned size, int32_t op, uint8_t dst, uint8_t src, int16_t off)
{
	W_ASSERT((size == 4 || size == 8) && atomic_rmw_op(op));
	return insn_raw(BPF_STX | BPF_ATOMIC | insn_size_code(size), dst, src, off, op);
}

struct bpf_insn insn_load_acquire(unsigned size, uint8_t dst, uint8_t src, int16_t off)
{
	return insn_raw(BPF_STX | BPF_ATOMIC | insn_size_code(size), dst, src, off, BPF_LOAD_ACQ);
}

struct bpf_insn insn_store_release(unsigned size, uint8_t dst, uint8_t src, int16_t off)
{
	return insn_raw(BPF_STX | BPF_ATOMIC | insn_size_code(size), dst, src, off, BPF_STORE_REL);
}

/* ---- queries ---- */

bool insn_is_ld_imm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

unsigned insn_slots(const struct bpf_insn *insn)
{
	return insn_is_ld_imm64(insn) ? 2 : 1;
}

size_t insn_count(const struct bpf_insn *insns, size_t nslots)
{
	size_t n = 0;
	for (size_t i = 0; i < nslots; i += insn_slots(&insns[i]))
		n++;
	return n;
}

size_t insn_count_slots(const struct bpf_insn *insns, size_t nslots, size_t n)
{
	size_t i = 0;
	while (n-- && i < nslots)
		i += insn_slots(&insns[i]);
	return MIN(i, nslots);
}

bool insn_is_exit(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_EXIT);
}

bool insn_is_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) || insn->code == (BPF_JMP | BPF_CALL | BPF_X);
}

bool insn_is_pseudo_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL;
}

bool insn_is_cond_jump(const struct bpf_insn *insn)
{
	uint8_t cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return false;
	if (op == BPF_JCOND)
		return cls == BPF_JMP;
	return op != BPF_JA && op != BPF_CALL && op != BPF_EXIT && op != 0xf0;
}

bool insn_is_jump(const struct bpf_insn *insn)
{
	uint8_t cls = BPF_CLASS(insn->code);
	if ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_OP(insn->code) == BPF_JA)
		return BPF_SRC(insn->code) == BPF_K;
	return insn_is_cond_jump(insn);
}

static bool is_gotol(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP32 | BPF_JA);
}

static bool is_pseudo_func(const struct bpf_insn *insn)
{
	return insn_is_ld_imm64(insn) && insn->src_reg == BPF_PSEUDO_FUNC;
}

bool insn_rel_target(const struct bpf_insn *insn, int64_t *rel)
{
	if (is_gotol(insn) || insn_is_pseudo_call(insn) || is_pseudo_func(insn))
		*rel = insn->imm;
	else if (insn_is_jump(insn))
		*rel = insn->off;
	else
		return false;
	return true;
}

bool insn_set_rel_target(struct bpf_insn *insn, int64_t rel)
{
	if (is_gotol(insn) || insn_is_pseudo_call(insn) || is_pseudo_func(insn)) {
		if (rel < INT32_MIN || rel > INT32_MAX)
			return false;
		insn->imm = (int32_t)rel;
		return true;
	}
	if (!insn_is_jump(insn) || rel < INT16_MIN || rel > INT16_MAX)
		return false;
	insn->off = (int16_t)rel;
	return true;
}

/* ---- validation ---- */

static const char *check_regs(const struct bpf_insn *insn, bool writes_dst)
{
	if (insn->dst_reg >= INSN_NREGS)
		return "dst_reg is not a register (r0-r10)";
	if (insn->src_reg >= INSN_NREGS)
		return "src_reg is not a register (r0-r10)";
	if (writes_dst && insn->dst_reg == INSN_R10)
		return "r10 (frame pointer) is read-only";
	return NULL;
}

static const char *check_alu(const struct bpf_insn *insn)
{
	bool alu64 = BPF_CLASS(insn->code) == BPF_ALU64, reg = BPF_SRC(insn->code) == BPF_X;
	uint8_t op = BPF_OP(insn->code);

	switch (op) {
	case BPF_END:
		if (alu64 && reg)
			return "BPF_ALU64|BPF_END must use BPF_TO_LE (bswap)";
		if (insn->src_reg || insn->off)
			return "byte swap uses reserved fields";
		if (insn->imm != 16 && insn->imm != 32 && insn->imm != 64)
			return "byte swap width must be 16, 32 or 64";
		return check_regs(insn, true);
	case BPF_NEG:
		if (reg || insn->src_reg || insn->off || insn->imm)
			return "neg uses reserved fields";
		return check_regs(insn, true);
	case BPF_MOV:
		if (!reg) {
			if (insn->src_reg || insn->off)
				return "mov uses reserved fields";
		} else if (alu64 && insn->off == INSN_OFF_ADDR_SPACE_CAST) {
			if (insn->imm != 1 && insn->imm != 1 << 16)
				return "addr_space_cast converts only between address spaces 0 and 1";
		} else {
			if (insn->imm)
				return "mov uses reserved fields";
			if (insn->off != 0 && insn->off != 8 && insn->off != 16 &&
			    !(alu64 && insn->off == 32))
				return "movsx width must be 8, 16 or 32 (32 only in alu64)";
		}
		return check_regs(insn, true);
	case 0xe0:
	case 0xf0:
		return "unknown ALU opcode";
	}
	bool signed_ok = op == BPF_DIV || op == BPF_MOD;
	if (insn->off != 0 && !(signed_ok && insn->off == INSN_OFF_SIGNED))
		return "ALU instruction uses reserved off field";
	if (reg) {
		if (insn->imm)
			return "ALU register form uses reserved imm field";
	} else {
		if (insn->src_reg)
			return "ALU immediate form uses reserved src_reg field";
		if (signed_ok && insn->imm == 0)
			return "division by zero";
		if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) &&
		    (insn->imm < 0 || insn->imm >= (alu64 ? 64 : 32)))
			return "shift amount out of range";
	}
	return check_regs(insn, true);
}

static const char *check_jmp(const struct bpf_insn *insn)
{
	bool jmp32 = BPF_CLASS(insn->code) == BPF_JMP32, reg = BPF_SRC(insn->code) == BPF_X;
	uint8_t op = BPF_OP(insn->code);

	switch (op) {
	case BPF_JA:
		if (reg)
			return "ja must use BPF_K";
		if (insn->dst_reg || insn->src_reg || (jmp32 ? insn->off : insn->imm))
			return "ja uses reserved fields";
		return NULL;
	case BPF_CALL:
		if (jmp32)
			return "call is not a JMP32 instruction";
		if (reg)
			return "callx is not supported by the kernel";
		if (insn->dst_reg)
			return "call uses reserved dst_reg";
		if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL)
			return insn->off < 0 ? "kfunc call with negative fd_array index" : NULL;
		if (insn->src_reg != 0 && insn->src_reg != BPF_PSEUDO_CALL)
			return "unknown call kind in src_reg";
		return insn->off ? "call uses reserved off field" : NULL;
	case BPF_EXIT:
		if (jmp32 || reg)
			return "exit must be BPF_JMP|BPF_EXIT";
		if (insn->dst_reg || insn->src_reg || insn->imm) /* the kernel ignores off */
			return "exit uses reserved fields";
		return NULL;
	case BPF_JCOND:
		if (jmp32 || reg)
			return "may_goto must be BPF_JMP|BPF_JCOND|BPF_K";
		if (insn->src_reg)
			return "unknown BPF_JCOND condition";
		if (insn->dst_reg || insn->imm)
			return "may_goto uses reserved fields";
		if (insn->off == 0)
			return "may_goto with offset 0";
		return NULL;
	case 0xf0:
		return "unknown jump opcode";
	}
	if (reg ? insn->imm != 0 : insn->src_reg != 0)
		return "conditional jump uses reserved fields";
	return check_regs(insn, false);
}

static const char *check_ld(const struct bpf_insn *insn, size_t avail)
{
	uint8_t mode = BPF_MODE(insn->code);

	if (mode == BPF_IMM) {
		if (BPF_SIZE(insn->code) != BPF_DW)
			return "BPF_LD|BPF_IMM must be BPF_DW (ld_imm64)";
		if (avail < 2)
			return "ld_imm64 is missing its second slot";
		const struct bpf_insn *hi = insn + 1;
		if (insn->off || hi->code || hi->dst_reg || hi->src_reg || hi->off)
			return "ld_imm64 uses reserved fields";
		switch (insn->src_reg) {
		case 0:
		case BPF_PSEUDO_MAP_VALUE:
		case BPF_PSEUDO_MAP_IDX_VALUE:
		case BPF_PSEUDO_BTF_ID:
		case BPF_PSEUDO_FUNC:
			break;
		case BPF_PSEUDO_MAP_FD:
		case BPF_PSEUDO_MAP_IDX:
			if (hi->imm)
				return "ld_imm64 of a map uses the second slot's imm";
			break;
		default:
			return "unknown ld_imm64 pseudo kind in src_reg";
		}
		return check_regs(insn, true);
	}
	if (mode != BPF_ABS && mode != BPF_IND)
		return "unknown BPF_LD mode";
	if (BPF_SIZE(insn->code) == BPF_DW)
		return "packet loads (BPF_ABS/BPF_IND) cannot be BPF_DW";
	if (insn->dst_reg || insn->off || (mode == BPF_ABS && insn->src_reg))
		return "BPF_LD_[ABS|IND] uses reserved fields";
	return check_regs(insn, false);
}

static const char *check_atomic(const struct bpf_insn *insn)
{
	unsigned size = insn_size_bytes(insn->code);
	switch (insn->imm) {
	case BPF_LOAD_ACQ:
		return check_regs(insn, true);
	case BPF_STORE_REL:
		return check_regs(insn, false);
	}
	if (!atomic_rmw_op(insn->imm))
		return "unknown atomic operation in imm";
	if (size != 4 && size != 8)
		return "atomic read-modify-write must be 32 or 64 bits";
	if ((insn->imm & BPF_FETCH) && insn->imm != BPF_CMPXCHG && insn->src_reg == INSN_R10)
		return "r10 (frame pointer) is read-only";
	return check_regs(insn, false);
}

const char *insn_check(const struct bpf_insn *insn, size_t avail)
{
	if (avail == 0)
		return "no instruction";
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return check_alu(insn);
	case BPF_JMP:
	case BPF_JMP32:
		return check_jmp(insn);
	case BPF_LD:
		return check_ld(insn, avail);
	case BPF_LDX:
		if (BPF_MODE(insn->code) == BPF_MEMSX) {
			if (BPF_SIZE(insn->code) == BPF_DW)
				return "sign-extending load cannot be BPF_DW";
		} else if (BPF_MODE(insn->code) != BPF_MEM) {
			return "unknown BPF_LDX mode";
		}
		if (insn->imm)
			return "BPF_LDX uses reserved imm field";
		return check_regs(insn, true);
	case BPF_ST:
		if (BPF_MODE(insn->code) != BPF_MEM)
			return "unknown BPF_ST mode";
		if (insn->src_reg)
			return "BPF_ST uses reserved src_reg field";
		return check_regs(insn, false);
	case BPF_STX:
		if (BPF_MODE(insn->code) == BPF_ATOMIC)
			return check_atomic(insn);
		if (BPF_MODE(insn->code) != BPF_MEM)
			return "unknown BPF_STX mode";
		if (insn->imm)
			return "BPF_STX uses reserved imm field";
		return check_regs(insn, false);
	}
	return NULL; /* unreachable: 3-bit class */
}

long insn_check_prog(const struct bpf_insn *insns, size_t nslots, const char **why)
{
	bool *starts = xcalloc(nslots + 1, 1); /* jumps may only land on these */
	long bad = -1;
	size_t i;
	for (i = 0; i < nslots && bad < 0; i += insn_slots(&insns[i])) {
		starts[i] = true;
		const char *msg = insn_check(&insns[i], nslots - i);
		if (msg) {
			*why = msg;
			bad = (long)i;
		}
	}
	for (i = 0; i < nslots && bad < 0; i += insn_slots(&insns[i])) {
		int64_t rel;
		if (!insn_rel_target(&insns[i], &rel))
			continue;
		int64_t t = (int64_t)i + 1 + rel;
		if (t < 0 || t >= (int64_t)nslots) {
			*why = "jump or call target out of range";
			bad = (long)i;
		} else if (!starts[t]) {
			*why = "jump into the middle of a ld_imm64";
			bad = (long)i;
		}
	}
	free(starts);
	return bad;
}
