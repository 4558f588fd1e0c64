/* Writer of relocatable little-endian BPF ELF objects (EM_BPF, ET_REL) into
 * memory, laid out the way clang/LLVM lays them out so objects compare with
 * clang's section for section. Output is deterministic: the same calls give
 * the same bytes. */
#ifndef WHISTLER_ELF_ELFW_H
#define WHISTLER_ELF_ELFW_H

#include "elf/elf_bpf.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elfw;

/* Section and symbol handles. Final ELF indices are only known at
 * elfw_finish (relocation sections and symbol ordering shift them); ask
 * elfw_section_index / elfw_symbol_index afterwards. */
typedef int elfw_sec;
typedef int elfw_sym;

/* Pseudo section handles for symbols. */
enum { ELFW_UNDEF = 0, ELFW_ABS = -1, ELFW_COMMON = -2 };

struct elfw *elfw_new(void);
void elfw_free(struct elfw *w);

/* Message of the last failed call ("" if none). */
const char *elfw_error(const struct elfw *w);

/* Adds a section and returns its handle (> 0) or -errno. type is SHT_PROGBITS,
 * SHT_NOBITS, ...; flags SHF_*; align a power of two (0 = 1). For SHT_NOBITS
 * data must be NULL and size is the memory size; otherwise size bytes are
 * copied from data (NULL: zeros). Names need not be unique. ".strtab",
 * ".symtab" and ".rel"/".rela"-prefixed names are reserved. */
elfw_sec elfw_add_section(struct elfw *w, const char *name, uint32_t type, uint64_t flags,
			  uint64_t align, const void *data, uint64_t size);
/* Appends bytes to a PROGBITS section (after elfw_add_section with size 0,
 * say); returns the offset they landed at or -errno. */
int64_t elfw_append(struct elfw *w, elfw_sec sec, const void *data, size_t len);
/* Overwrites bytes already in a section (e.g. to patch an instruction). */
int elfw_patch(struct elfw *w, elfw_sec sec, uint64_t offset, const void *data, size_t len);
int elfw_set_entsize(struct elfw *w, elfw_sec sec, uint64_t entsize);
uint64_t elfw_section_size(const struct elfw *w, elfw_sec sec);

struct elfw_symbol {
	const char *name;
	elfw_sec section; /* a section handle, ELFW_UNDEF, ELFW_ABS or ELFW_COMMON */
	uint64_t value, size;
	uint8_t bind;	    /* STB_LOCAL, STB_GLOBAL, STB_WEAK */
	uint8_t type;	    /* STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_FILE, ... */
	uint8_t visibility; /* STV_DEFAULT, STV_HIDDEN, ... */
};

/* Adds a symbol; returns its handle (> 0) or -errno. The symbol table is
 * written as clang writes it: the null symbol, then local symbols in the
 * order they were added, then the others in the order they were added
 * (sh_info = first non-local). Add the STT_FILE symbol first, as clang does. */
elfw_sym elfw_add_symbol(struct elfw *w, const struct elfw_symbol *sym);
/* The STT_SECTION symbol of sec, created (in add order) on first request;
 * clang emits one only for sections that relocations refer to. */
elfw_sym elfw_section_symbol(struct elfw *w, elfw_sec sec);

/* Records a relocation of `type` (R_BPF_*) at offset in sec against sym.
 * It goes into the section ".rel<name>" (SHT_REL, no addends), placed right
 * after sec. The offset must lie in the section's current bytes. */
int elfw_add_reloc(struct elfw *w, elfw_sec sec, uint64_t offset, elfw_sym sym, uint32_t type);

/* Lays out and appends the object to out. Returns 0 or -errno. The writer
 * stays usable; finishing twice gives identical bytes. */
int elfw_finish(struct elfw *w, struct buf *out);
/* elfw_finish, then file_write_atomic (temp file + rename; "-" is stdout). */
int elfw_write_file(struct elfw *w, const char *path);

/* Final indices after elfw_finish (0 if unknown). */
uint32_t elfw_section_index(const struct elfw *w, elfw_sec sec);
uint32_t elfw_symbol_index(const struct elfw *w, elfw_sym sym);

#endif
