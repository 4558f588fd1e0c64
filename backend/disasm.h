/* BPF disassembler in exactly the syntax and layout of `llvm-objdump-19 -d`:
 * one instruction, or a whole executable section with symbol labels, branch
 * target annotations and inline relocations (`-r`). */
#ifndef WHISTLER_BACKEND_DISASM_H
#define WHISTLER_BACKEND_DISASM_H

#include "backend/insn.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum disasm_flags {
	/* Decode 32-bit loads, stores and atomics with wN registers, as
	 * llvm-objdump does with --mattr=+alu32 or --mcpu=v3/v4. Without it,
	 * llvm decodes them with rN names and knows only the 32-bit atomic add
	 * (it prints a 32-bit fetch-add as `lock ... +=`); we do the same. */
	DISASM_ALU32 = 1 << 0,
	DISASM_NO_RAW = 1 << 1,	   /* --no-show-raw-insn */
	DISASM_NO_RELOCS = 1 << 2, /* listings: leave out the relocation lines (no -r) */
	/* Decimal immediates and offsets, as llvm-objdump --no-print-imm-hex
	 * (and clang -S) print them; `<sym+0x..>` annotations stay hex. */
	DISASM_DECIMAL = 1 << 3,
};

struct disasm_result {
	unsigned size;	 /* bytes consumed: 8, 16 for ld_imm64; 0 = undecodable fragment (< 8 bytes,
			    or a ld_imm64 cut short) */
	bool valid;	 /* false: llvm prints <unknown> */
	bool has_target; /* pc-relative branch: target is its byte address */
	uint64_t target;
};

/* Decodes the instruction at bytes[0..len), located at byte address addr,
 * and appends its text (without leading tab, raw bytes or `<sym>` target
 * annotation; `<unknown>` if invalid) to out. */
struct disasm_result disasm_decode(const void *bytes, size_t len, uint64_t addr, unsigned flags,
				   struct buf *out);

/* The same for slot idx of an instruction array; returns slots consumed (1
 * or 2). Targets are not annotated. */
unsigned disasm_insn(const struct bpf_insn *insns, size_t nslots, size_t idx, unsigned flags,
		     struct buf *out);

/* One line per instruction, "%8u:\t<text>\n" with `<+N>`-less output: a
 * quick listing for dumps and error messages. */
void disasm_insns(const struct bpf_insn *insns, size_t nslots, unsigned flags, struct buf *out);

/* A symbol defined in the section being listed. Symbols with empty names and
 * STT_SECTION/STT_FILE ones are ignored, as llvm-objdump does. */
struct disasm_sym {
	uint64_t addr; /* byte offset in the section */
	const char *name;
	uint8_t type; /* STT_* */
};

/* A relocation applying to the section: "TYPE\tVALUE" as llvm-objdump shows. */
struct disasm_reloc {
	uint64_t offset;
	const char *type;  /* "R_BPF_64_64" */
	const char *value; /* symbol or section name, "*ABS*", "+0x..." addend */
};

/* A line llvm-objdump -r prints under the instruction at `offset` before its
 * relocations: "CO-RE <kind> [id] type::path (access)". */
struct disasm_note {
	uint64_t offset;
	const char *text;
};

struct disasm_section {
	const char *name;
	const uint8_t *data;
	size_t size;
	const struct disasm_sym *syms; /* any order */
	size_t nsyms;
	const struct disasm_reloc *relocs; /* any order */
	size_t nrelocs;
	const struct disasm_note *notes; /* sorted by offset; one per instruction is shown */
	size_t nnotes;
};

/* Appends "\nDisassembly of section NAME:\n" and the listing, line for line
 * as llvm-objdump -d [-r] prints it: labels (one per address: the
 * alphabetically last non-data symbol), <sym+0xoff> branch annotations,
 * "\t\t..." for skipped runs of zero bytes, STT_OBJECT chunks as hex data. */
void disasm_section(const struct disasm_section *sec, unsigned flags, struct buf *out);

struct wbtf;
/* Appends the description of a CO-RE relocation (its root type, access
 * string and kind, resolved in btf) as llvm-objdump prints it, "CO-RE" first. */
void disasm_core_describe(const struct wbtf *btf, uint32_t type_id, const char *access, uint32_t kind,
			  struct buf *out);

#endif
