/* Reader of relocatable little-endian BPF ELF objects held in memory. The
 * whole object is validated when opened (every offset, size, name, symbol
 * and relocation bounds-checked), so the accessors below cannot fail. */
#ifndef WHISTLER_ELF_ELFR_H
#define WHISTLER_ELF_ELFR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elfr;

struct elfr_section {
	uint32_t index;
	const char *name; /* "" if the object has no section name table */
	uint32_t type;	  /* SHT_* */
	uint64_t flags, addr, offset, size, align, entsize;
	uint32_t link, info;
	const uint8_t *data; /* points into the caller's buffer; NULL for SHT_NOBITS */
};

struct elfr_symbol {
	uint32_t index;
	const char *name;
	uint64_t value, size;
	uint8_t bind, type, visibility; /* STB_*, STT_*, STV_* */
	uint16_t shndx;			/* SHN_UNDEF, SHN_ABS, SHN_COMMON or a section index */
};

struct elfr_reloc {
	uint64_t offset;      /* in the section it applies to */
	uint32_t type;	      /* R_BPF_* */
	uint32_t sym;	      /* symbol index; 0: none */
	int64_t addend;	      /* SHT_RELA only, else 0 */
	uint32_t rel_section; /* index of the SHT_REL/SHT_RELA section it came from */
};

/* Parses data[0..size). data must outlive the reader (names and section data
 * point into it). On error returns -errno (-EINVAL for malformed input,
 * -ENOTSUP for valid ELF that is not a little-endian 64-bit BPF object,
 * -ENOMEM) and writes a message naming what is wrong into err (may be NULL),
 * e.g. "section 5 '.rel.text': offset beyond end of file". */
int elfr_open(const void *data, size_t size, struct elfr **out, char *err, size_t errlen);
void elfr_close(struct elfr *r);

uint16_t elfr_type(const struct elfr *r); /* ET_REL for compiler output */

size_t elfr_section_count(const struct elfr *r); /* including the null section 0 */
const struct elfr_section *elfr_section(const struct elfr *r,
					size_t index); /* NULL if out of range */
const struct elfr_section *elfr_section_by_name(const struct elfr *r, const char *name);

/* The symbol table (NULL if none) and its symbols, index 0 being the null symbol. */
const struct elfr_section *elfr_symtab(const struct elfr *r);
size_t elfr_symbol_count(const struct elfr *r);
const struct elfr_symbol *elfr_symbol(const struct elfr *r, size_t index);
const struct elfr_symbol *elfr_symbol_by_name(const struct elfr *r, const char *name);

/* Relocations applying to section `index` (from every SHT_REL/SHT_RELA
 * section whose sh_info names it), in file order. Returns their number. */
size_t elfr_relocs(const struct elfr *r, size_t index, const struct elfr_reloc **out);

/* "R_BPF_64_64" etc., or NULL for a type this reader rejects. */
const char *elfr_reloc_type_name(uint32_t type);

#endif
