/* The BPF backend: compiles IR functions to BPF instructions with the
 * relocations, CO-RE records and line information the object writer needs. */
#ifndef WHISTLER_BACKEND_H
#define WHISTLER_BACKEND_H

#include "backend/insn.h"
#include "ir/ir.h"

struct bk_options {
	uint8_t cpu;          /* 1..4; 0: the module's target */
	uint32_t stack_limit; /* 0: 512 */
	struct buf *dump_mir; /* when set, the machine IR after allocation is printed here */
};

/* What an instruction refers to, resolved when the object is written. */
enum bk_reloc_kind {
	BK_MAP,    /* ld_imm64 of a map */
	BK_GLOBAL, /* ld_imm64 of a global variable (or a kconfig extern) */
	BK_KSYM,   /* ld_imm64 of a kernel symbol */
	BK_FUNC,   /* ld_imm64 of a subprogram's address (callbacks) */
	BK_CALL,   /* BPF-to-BPF call */
	BK_KFUNC,  /* kfunc call */
};

struct bk_reloc {
	uint32_t insn; /* slot index in the function */
	uint8_t kind;  /* enum bk_reloc_kind */
	uint32_t sym;  /* IR module symbol */
};

/* ir_loc.file of an instruction that has no source location of its own:
 * it is located by its line in the IR text (as docs/ir.md says). */
#define BK_LOC_IR_TEXT UINT32_MAX

struct bk_line {
	uint32_t insn;
	struct ir_loc loc; /* file: index into the module's files, or BK_LOC_IR_TEXT */
};

struct bk_core {
	uint32_t insn;
	uint32_t type; /* IR type */
	const char *access;
	uint8_t kind; /* BPF_CORE_* */
};

struct bk_func {
	struct ir_func *ir;
	VEC(struct bpf_insn) insns;
	VEC(struct bk_reloc) relocs;
	VEC(struct bk_line) lines;
	VEC(struct bk_core) core;
	uint32_t stack_size;
};

/* Compiles one function. Errors (stack too large, features the CPU lacks)
 * are reported to d; returns 0 or -1. */
int bk_compile_func(struct ir_func *f, const struct bk_options *opts, struct bk_func *out,
		    struct diag *d);
void bk_func_free(struct bk_func *bf);

/* The local value of a CO-RE relocation computed from the module's own
 * types (the loader relocates it against the kernel). Type ids are not
 * known here: they come from the BTF writer. Returns false if the access
 * string does not fit the type. */
bool bk_core_local_value(const struct ir_module *m, uint32_t type, const char *access,
			 unsigned kind, int64_t *out);
/* Whether a load or store of `size` bytes may carry the field offset
 * relocation of `access` in its own offset: libbpf patches those only for a
 * whole integer, enum or pointer field of that size. */
bool bk_core_access_patchable(const struct ir_module *m, uint32_t type, const char *access,
			      unsigned size);

#endif
