/* BPF instructions: the 8-byte encoding (struct bpf_insn from the UAPI), a
 * constructor for every form the backend emits, queries used by branch
 * fixups and counting, and a validator of the fields the kernel checks. */
#ifndef WHISTLER_BACKEND_INSN_H
#define WHISTLER_BACKEND_INSN_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Encodings newer than the oldest UAPI headers we build against. */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80 /* sign-extending load (cpu v4) */
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0 /* may_goto (src_reg 0) */
#endif
#ifndef BPF_LOAD_ACQ
#define BPF_LOAD_ACQ 0x100 /* atomic imm: load-acquire */
#endif
#ifndef BPF_STORE_REL
#define BPF_STORE_REL 0x110 /* atomic imm: store-release */
#endif
#define INSN_OFF_SIGNED 1	   /* off of BPF_DIV/BPF_MOD: sdiv/smod */
#define INSN_OFF_ADDR_SPACE_CAST 1 /* off of BPF_ALU64|BPF_MOV|BPF_X */

/* Registers. R10 is the read-only frame pointer. */
enum {
	INSN_R0,
	INSN_R1,
	INSN_R2,
	INSN_R3,
	INSN_R4,
	INSN_R5,
	INSN_R6,
	INSN_R7,
	INSN_R8,
	INSN_R9,
	INSN_R10,
	INSN_NREGS
};

/* Access width in bytes (1, 2, 4, 8) <-> BPF_B/BPF_H/BPF_W/BPF_DW. */
uint8_t insn_size_code(unsigned bytes);
unsigned insn_size_bytes(uint8_t code);

struct bpf_insn insn_raw(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm);

/* ALU: op is one of BPF_ADD SUB MUL DIV OR AND LSH RSH MOD XOR MOV ARSH;
 * alu64 selects BPF_ALU64 (rN) over BPF_ALU (wN). */
struct bpf_insn insn_alu_reg(bool alu64, uint8_t op, uint8_t dst, uint8_t src);
struct bpf_insn insn_alu_imm(bool alu64, uint8_t op, uint8_t dst, int32_t imm);
struct bpf_insn insn_mov_reg(bool alu64, uint8_t dst, uint8_t src);
struct bpf_insn insn_mov_imm(bool alu64, uint8_t dst, int32_t imm);
/* cpu v4: signed division and modulo (off = 1). */
struct bpf_insn insn_sdiv_reg(bool alu64, uint8_t dst, uint8_t src);
struct bpf_insn insn_sdiv_imm(bool alu64, uint8_t dst, int32_t imm);
struct bpf_insn insn_smod_reg(bool alu64, uint8_t dst, uint8_t src);
struct bpf_insn insn_smod_imm(bool alu64, uint8_t dst, int32_t imm);
/* cpu v4: dst = (sBITS)src; bits 8, 16 or 32 (32 only with alu64). */
struct bpf_insn insn_movsx(bool alu64, uint8_t dst, uint8_t src, unsigned bits);
struct bpf_insn insn_neg(bool alu64, uint8_t dst);
/* Byte order: to_le/to_be are BPF_ALU|BPF_END; bswap is the v4 BPF_ALU64 form.
 * bits is 16, 32 or 64. */
struct bpf_insn insn_to_le(uint8_t dst, unsigned bits);
struct bpf_insn insn_to_be(uint8_t dst, unsigned bits);
struct bpf_insn insn_bswap(uint8_t dst, unsigned bits);
/* Arena pointers: dst = addr_space_cast(src, dst_as, src_as). */
struct bpf_insn insn_addr_space_cast(uint8_t dst, uint8_t src, uint16_t dst_as, uint16_t src_as);

/* Jumps. op is one of BPF_JEQ JGT JGE JSET JNE JSGT JSGE JLT JLE JSLT JSLE;
 * off counts instructions (slots) from the next one. */
struct bpf_insn insn_jmp_reg(bool jmp32, uint8_t op, uint8_t dst, uint8_t src, int16_t off);
struct bpf_insn insn_jmp_imm(bool jmp32, uint8_t op, uint8_t dst, int32_t imm, int16_t off);
struct bpf_insn insn_ja(int16_t off);
struct bpf_insn insn_gotol(int32_t off); /* v4: BPF_JMP32|BPF_JA, offset in imm */
struct bpf_insn insn_may_goto(int16_t off);
struct bpf_insn insn_call_helper(int32_t helper_id);
/* BPF-to-BPF call: imm is the callee's slot minus (this slot + 1). */
struct bpf_insn insn_call_pseudo(int32_t rel);
/* kfunc: imm is the BTF id, off the index into the fd_array (0: vmlinux). */
struct bpf_insn insn_call_kfunc(int32_t btf_id, int16_t btf_fd_idx);
/* callx: indirect call through a register; llvm prints it, kernels refuse it. */
struct bpf_insn insn_callx(uint8_t reg);
struct bpf_insn insn_exit(void);

/* 64-bit immediate loads: two slots. src is 0 for a plain constant or a
 * BPF_PSEUDO_* kind; imm0/imm1 are the two slots' imm fields. */
void insn_ld_imm64(struct bpf_insn out[2], uint8_t dst, uint64_t imm);
void insn_ld_pseudo(struct bpf_insn out[2], uint8_t dst, uint8_t src, int32_t imm0, int32_t imm1);
void insn_ld_map_fd(struct bpf_insn out[2], uint8_t dst, int32_t map_fd);
void insn_ld_map_value(struct bpf_insn out[2], uint8_t dst, int32_t map_fd, int32_t off);
void insn_ld_map_idx(struct bpf_insn out[2], uint8_t dst, int32_t map_idx);
void insn_ld_map_idx_value(struct bpf_insn out[2], uint8_t dst, int32_t map_idx, int32_t off);
void insn_ld_btf_id(struct bpf_insn out[2], uint8_t dst, int32_t btf_id, int32_t btf_fd);
void insn_ld_func(struct bpf_insn out[2], uint8_t dst, int32_t rel); /* rel as for calls */
uint64_t insn_ld_imm64_value(const struct bpf_insn insn[2]);
/* Legacy packet loads (socket filters): r0 = *(size *)skb[imm] / skb[src + imm]. */
struct bpf_insn insn_ld_abs(unsigned size, int32_t imm);
struct bpf_insn insn_ld_ind(unsigned size, uint8_t src, int32_t imm);

/* Memory; size in bytes. ldx/ldsx: dst = *(src + off); stx: *(dst + off) = src;
 * st: *(dst + off) = imm. ldsx (v4) takes size 1, 2 or 4. */
struct bpf_insn insn_ldx(unsigned size, uint8_t dst, uint8_t src, int16_t off);
struct bpf_insn insn_ldsx(unsigned size, uint8_t dst, uint8_t src, int16_t off);
struct bpf_insn insn_stx(unsigned size, uint8_t dst, uint8_t src, int16_t off);
struct bpf_insn insn_st(unsigned size, uint8_t dst, int16_t off, int32_t imm);

/* Atomics on *(dst + off) with src; size 4 or 8. op: BPF_ADD, BPF_AND,
 * BPF_OR, BPF_XOR (each optionally | BPF_FETCH: src receives the old value),
 * BPF_XCHG, BPF_CMPXCHG (compares with r0, old value into r0). */
struct bpf_insn insn_atomic(unsigned size, int32_t op, uint8_t dst, uint8_t src, int16_t off);
/* dst = load_acquire(*(src + off)); store_release(*(dst + off), src). Any size. */
struct bpf_insn insn_load_acquire(unsigned size, uint8_t dst, uint8_t src, int16_t off);
struct bpf_insn insn_store_release(unsigned size, uint8_t dst, uint8_t src, int16_t off);

/* Queries. */
bool insn_is_ld_imm64(const struct bpf_insn *insn);
unsigned insn_slots(const struct bpf_insn *insn); /* 2 for ld_imm64, else 1 */
/* Logical instructions in nslots slots (a ld_imm64 counts once). */
size_t insn_count(const struct bpf_insn *insns, size_t nslots);
/* Slots taken by the first n logical instructions starting at insns. */
size_t insn_count_slots(const struct bpf_insn *insns, size_t nslots, size_t n);
bool insn_is_exit(const struct bpf_insn *insn);
bool insn_is_call(const struct bpf_insn *insn); /* helper, pseudo, kfunc or callx */
bool insn_is_pseudo_call(const struct bpf_insn *insn);
bool insn_is_cond_jump(const struct bpf_insn *insn); /* incl. may_goto */
bool insn_is_jump(const struct bpf_insn *insn);	     /* cond, ja, gotol, may_goto */
/* Relative target (slots from the next insn) of a jump or pseudo call/func load. */
bool insn_rel_target(const struct bpf_insn *insn, int64_t *rel);
/* Rewrites it; false if it does not fit (off is 16 bits except for gotol/calls). */
bool insn_set_rel_target(struct bpf_insn *insn, int64_t rel);

/* Why the instruction at insn is malformed (NULL if well-formed): the reserved
 * fields, opcodes, sizes and registers the kernel verifier checks before it
 * looks at semantics. avail is the number of slots from insn on. */
const char *insn_check(const struct bpf_insn *insn, size_t avail);
static inline bool insn_valid(const struct bpf_insn *insn, size_t avail)
{
	return insn_check(insn, avail) == NULL;
}
/* Checks every instruction and that jumps land inside the program and not
 * in the middle of a ld_imm64. Returns -1 if fine, else the bad slot index
 * with *why set. */
long insn_check_prog(const struct bpf_insn *insns, size_t nslots, const char **why);

#endif
