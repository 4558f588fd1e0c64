/* Fuzz target: the ELF reader on arbitrary bytes; whatever it accepts is
 * walked completely, disassembled as `whistler objdump` would, and rebuilt
 * through the writer and read back. */
#include "backend/disasm.h"
#include "elf/elfr.h"
#include "elf/elfw.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void disassemble(const struct elfr *r, const struct elfr_section *sec)
{
	size_t nsyms = elfr_symbol_count(r), n = 0;
	struct disasm_sym *syms = xcalloc(nsyms + 1, sizeof(*syms));
	for (size_t i = 1; i < nsyms; i++) {
		const struct elfr_symbol *s = elfr_symbol(r, i);
		if (s->shndx == sec->index)
			syms[n++] = (struct disasm_sym){ s->value, s->name, s->type };
	}
	const struct elfr_reloc *rels;
	size_t nrels = elfr_relocs(r, sec->index, &rels);
	struct disasm_reloc *dr = xcalloc(nrels + 1, sizeof(*dr));
	for (size_t i = 0; i < nrels; i++) {
		const struct elfr_symbol *s = elfr_symbol(r, rels[i].sym);
		dr[i] = (struct disasm_reloc){ rels[i].offset, elfr_reloc_type_name(rels[i].type),
					       s->name };
	}
	/* the listing is linear in the size: 4 KiB cover every path and keep
	 * the fuzzer fast on big seeds (the cut itself is one more edge case) */
	size_t size = (size_t)MIN(sec->size, (uint64_t)4096);
	struct disasm_section ds = { sec->name, sec->data, size, syms, n, dr, nrels };
	struct buf out = { 0 };
	disasm_section(&ds, DISASM_ALU32, &out);
	buf_free(&out);
	free(dr);
	free(syms);
}

/* Copies what the reader saw into a writer; the result must parse. */
static void rebuild(const struct elfr *r)
{
	struct elfw *w = elfw_new();
	size_t nsecs = elfr_section_count(r), nsyms = elfr_symbol_count(r);
	elfw_sec *smap = xcalloc(nsecs + 1, sizeof(*smap));
	elfw_sym *ymap = xcalloc(nsyms + 1, sizeof(*ymap));
	for (size_t i = 1; i < nsecs; i++) {
		const struct elfr_section *s = elfr_section(r, i);
		uint64_t align = s->align && !(s->align & (s->align - 1)) ? s->align : 1;
		if (align > 4096)
			align = 4096;
		if (s->type == SHT_NOBITS)
			smap[i] = elfw_add_section(w, s->name, s->type, s->flags, align, NULL,
						   s->size);
		else
			smap[i] = elfw_add_section(w, s->name, s->type, s->flags, align, s->data,
						   s->size);
	}
	for (size_t i = 1; i < nsyms; i++) {
		const struct elfr_symbol *s = elfr_symbol(r, i);
		elfw_sec sec = s->shndx == SHN_ABS	? ELFW_ABS
			       : s->shndx == SHN_COMMON ? ELFW_COMMON
			       : s->shndx		? smap[s->shndx]
							: ELFW_UNDEF;
		if (sec < ELFW_COMMON)
			continue; /* a section the writer refused */
		struct elfw_symbol ws = { s->name, sec,	    s->value,	  s->size,
					  s->bind, s->type, s->visibility };
		ymap[i] = elfw_add_symbol(w, &ws);
	}
	for (size_t i = 1; i < nsecs; i++) {
		const struct elfr_reloc *rel;
		size_t n = elfr_relocs(r, i, &rel);
		for (size_t k = 0; k < n && smap[i] > 0; k++)
			if (ymap[rel[k].sym] > 0)
				elfw_add_reloc(w, smap[i], rel[k].offset, ymap[rel[k].sym],
					       rel[k].type);
	}
	struct buf out = { 0 };
	if (elfw_finish(w, &out) == 0) {
		struct elfr *again;
		char err[256];
		if (elfr_open(out.data, out.len, &again, err, sizeof(err)))
			W_ICE("rebuilt object does not parse: %s", err);
		elfr_close(again);
	}
	buf_free(&out);
	free(smap);
	free(ymap);
	elfw_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elfr *r;
	char err[256];
	if (elfr_open(data, size, &r, err, sizeof(err))) {
		W_ASSERT(err[0]);
		return 0;
	}
	uint64_t sum = 0;
	for (size_t i = 0; i < elfr_section_count(r); i++) {
		const struct elfr_section *s = elfr_section(r, i);
		sum += strlen(s->name);
		if (s->data && s->size)
			sum += s->data[0] + s->data[s->size - 1];
		if ((s->flags & SHF_EXECINSTR) && s->data && s->size)
			disassemble(r, s);
		const struct elfr_reloc *rel;
		size_t n = elfr_relocs(r, i, &rel);
		for (size_t k = 0; k < n; k++)
			sum += elfr_symbol(r, rel[k].sym)->value + rel[k].offset;
	}
	for (size_t i = 0; i < elfr_symbol_count(r); i++)
		sum += strlen(elfr_symbol(r, i)->name);
	(void)sum;
	if (size < (1 << 16))
		rebuild(r);
	elfr_close(r);
	return 0;
}
