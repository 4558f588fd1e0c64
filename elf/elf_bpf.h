/* ELF constants of BPF objects that <elf.h> lacks: the relocation types
 * LLVM emits (numbers as in LLVM's ELFRelocs/BPF.def and the kernel docs). */
#ifndef WHISTLER_ELF_ELF_BPF_H
#define WHISTLER_ELF_ELF_BPF_H

#include <elf.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef R_BPF_NONE
#define R_BPF_NONE 0
#endif
#ifndef R_BPF_64_64
#define R_BPF_64_64 1 /* ld_imm64 of a map or global: the two imm fields */
#endif
#ifndef R_BPF_64_ABS64
#define R_BPF_64_ABS64 2 /* 64-bit data word */
#endif
#ifndef R_BPF_64_ABS32
#define R_BPF_64_ABS32 3 /* 32-bit data word (DWARF) */
#endif
#ifndef R_BPF_64_NODYLD32
#define R_BPF_64_NODYLD32 4 /* 32-bit word the loader ignores (.BTF, .BTF.ext) */
#endif
#ifndef R_BPF_64_32
#define R_BPF_64_32 10 /* call imm: BPF-to-BPF and kfunc calls */
#endif

#include <stdint.h>

/* Bytes a relocation of this type patches from its offset (R_BPF_64_64
 * covers both slots of a ld_imm64); 0 for an unknown type. R_BPF_NONE
 * patches nothing but must still point into the section. */
static inline uint64_t elf_bpf_reloc_width(uint32_t type)
{
	switch (type) {
	case R_BPF_NONE:
		return 1;
	case R_BPF_64_64:
		return 16;
	case R_BPF_64_32:
	case R_BPF_64_ABS64:
		return 8;
	case R_BPF_64_ABS32:
	case R_BPF_64_NODYLD32:
		return 4;
	}
	return 0;
}

#endif
