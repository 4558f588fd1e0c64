/* ELF reader: parses and fully validates a BPF object from memory. Our own
 * parser rather than libelf's elf_memory: every field of untrusted input is
 * checked here with messages that name the section, symbol or relocation at
 * fault, nothing is copied, and the code is small enough to fuzz to
 * exhaustion (tests/fuzz/fuzz_elf.c). */
#include "elf/elfr.h"
#include "elf/elf_bpf.h"

#include "util/arena.h"
#include "util/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct elfr {
	struct arena arena;
	const uint8_t *data;
	size_t size;
	uint16_t e_type;
	struct elfr_section *secs;
	size_t nsecs;
	const struct elfr_section *symtab;
	struct elfr_symbol *syms;
	size_t nsyms;
	/* relocations applying to section i: relocs[rel_start[i] .. rel_start[i+1]) */
	struct elfr_reloc *relocs;
	size_t *rel_start;
};

struct ctx {
	struct elfr *r;
	char *err;
	size_t errlen;
};

W_PRINTF(2, 3) static int fail(struct ctx *c, const char *fmt, ...)
{
	if (c->err && c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* "section 5 '.rel.text'" or "section 5" while names are not known yet. */
static const char *sec_desc(struct ctx *c, size_t i, char *buf, size_t len)
{
	const char *name = c->r->secs && i < c->r->nsecs ? c->r->secs[i].name : NULL;
	if (name && *name)
		snprintf(buf, len, "section %zu '%s'", i, name);
	else
		snprintf(buf, len, "section %zu", i);
	return buf;
}

static bool in_file(const struct elfr *r, uint64_t off, uint64_t len)
{
	return off <= r->size && len <= r->size - off;
}

/* A NUL-terminated string at off in the string table section, or NULL. */
static const char *str_at(const struct elfr_section *strtab, uint64_t off)
{
	if (!strtab || !strtab->data || off >= strtab->size)
		return NULL;
	const char *s = (const char *)strtab->data + off;
	if (!memchr(s, 0, (size_t)(strtab->size - off)))
		return NULL;
	return s;
}

static int read_header(struct ctx *c, Elf64_Ehdr *eh)
{
	struct elfr *r = c->r;
	if (r->size < sizeof(*eh))
		return fail(c, "file too small for an ELF header (%zu bytes)", r->size);
	memcpy(eh, r->data, sizeof(*eh));
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return fail(c, "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
		fail(c, "not a 64-bit ELF file (class %u)", eh->e_ident[EI_CLASS]);
		return -ENOTSUP;
	}
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB) {
		fail(c,
		     "big-endian or unknown byte order (%u): only little-endian BPF is supported",
		     eh->e_ident[EI_DATA]);
		return -ENOTSUP;
	}
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return fail(c, "unsupported ELF version %u", eh->e_version);
	if (eh->e_machine != EM_BPF) {
		fail(c, "not a BPF object (e_machine %u)", eh->e_machine);
		return -ENOTSUP;
	}
	if (eh->e_ehsize != sizeof(*eh))
		return fail(c, "bad ELF header size %u", eh->e_ehsize);
	r->e_type = eh->e_type;
	return 0;
}

static int read_sections(struct ctx *c, const Elf64_Ehdr *eh)
{
	struct elfr *r = c->r;
	uint64_t shnum = eh->e_shnum, shstrndx = eh->e_shstrndx;
	Elf64_Shdr sh0;

	if (eh->e_shoff == 0) {
		if (shnum)
			return fail(c, "%lu section headers but no section header offset",
				    (unsigned long)shnum);
		return 0;
	}
	if (eh->e_shentsize != sizeof(Elf64_Shdr))
		return fail(c, "bad section header size %u", eh->e_shentsize);
	if (!in_file(r, eh->e_shoff, sizeof(sh0)))
		return fail(c, "section headers beyond end of file");
	memcpy(&sh0, r->data + eh->e_shoff, sizeof(sh0));
	if (shnum == 0) /* extended numbering: the count lives in section 0 */
		shnum = sh0.sh_size;
	if (shstrndx == SHN_XINDEX)
		shstrndx = sh0.sh_link;
	if (shnum > (r->size - eh->e_shoff) / sizeof(Elf64_Shdr))
		return fail(c, "%lu section headers at offset 0x%lx extend beyond end of file",
			    (unsigned long)shnum, (unsigned long)eh->e_shoff);
	if (shstrndx >= shnum && shstrndx != SHN_UNDEF)
		return fail(c, "section name table index %lu out of range",
			    (unsigned long)shstrndx);

	r->nsecs = (size_t)shnum;
	r->secs = arena_newn(&r->arena, struct elfr_section, r->nsecs);
	for (size_t i = 0; i < r->nsecs; i++) {
		Elf64_Shdr sh;
		memcpy(&sh, r->data + eh->e_shoff + i * sizeof(sh), sizeof(sh));
		struct elfr_section *s = &r->secs[i];
		*s = (struct elfr_section){
			.index = (uint32_t)i,
			.name = "",
			.type = sh.sh_type,
			.flags = sh.sh_flags,
			.addr = sh.sh_addr,
			.offset = sh.sh_offset,
			.size = sh.sh_size,
			.align = sh.sh_addralign,
			.entsize = sh.sh_entsize,
			.link = sh.sh_link,
			.info = sh.sh_info,
		};
		char d[64];
		if (i == 0 || s->type == SHT_NOBITS || s->type == SHT_NULL)
			continue;
		if (!in_file(r, s->offset, s->size)) {
			sec_desc(c, i, d, sizeof(d));
			return fail(c, "%s: %s beyond end of file (offset 0x%lx, size 0x%lx)", d,
				    s->offset > r->size ? "offset" : "data extends",
				    (unsigned long)s->offset, (unsigned long)s->size);
		}
		s->data = r->data + s->offset;
	}
	if (shstrndx == SHN_UNDEF)
		return 0;
	const struct elfr_section *names = &r->secs[shstrndx];
	if (names->type != SHT_STRTAB)
		return fail(c, "section name table (section %lu) is not SHT_STRTAB",
			    (unsigned long)shstrndx);
	for (size_t i = 1; i < r->nsecs; i++) {
		Elf64_Shdr sh;
		memcpy(&sh, r->data + eh->e_shoff + i * sizeof(sh), sizeof(sh));
		const char *name = str_at(names, sh.sh_name);
		if (!name)
			return fail(c,
				    "section %zu: name offset 0x%x outside the section name table",
				    i, sh.sh_name);
		r->secs[i].name = name;
	}
	return 0;
}

static int read_symbols(struct ctx *c)
{
	struct elfr *r = c->r;
	char d[300];

	for (size_t i = 1; i < r->nsecs; i++) {
		if (r->secs[i].type != SHT_SYMTAB)
			continue;
		if (r->symtab)
			return fail(c, "%s: more than one symbol table",
				    sec_desc(c, i, d, sizeof(d)));
		r->symtab = &r->secs[i];
	}
	const struct elfr_section *st = r->symtab;
	if (!st)
		return 0;
	sec_desc(c, st->index, d, sizeof(d));
	if (st->entsize != sizeof(Elf64_Sym))
		return fail(c, "%s: entry size %lu, expected %zu", d, (unsigned long)st->entsize,
			    sizeof(Elf64_Sym));
	if (st->size % sizeof(Elf64_Sym))
		return fail(c, "%s: size 0x%lx is not a multiple of %zu", d,
			    (unsigned long)st->size, sizeof(Elf64_Sym));
	if (st->link == 0 || st->link >= r->nsecs || r->secs[st->link].type != SHT_STRTAB)
		return fail(c, "%s: sh_link %u is not a string table", d, st->link);
	const struct elfr_section *strtab = &r->secs[st->link];
	r->nsyms = (size_t)(st->size / sizeof(Elf64_Sym));
	if (st->info > r->nsyms)
		return fail(c, "%s: first global symbol %u beyond the %zu symbols", d, st->info,
			    r->nsyms);
	r->syms = arena_newn(&r->arena, struct elfr_symbol, r->nsyms);
	for (size_t i = 0; i < r->nsyms; i++) {
		Elf64_Sym es;
		memcpy(&es, st->data + i * sizeof(es), sizeof(es));
		const char *name = str_at(strtab, es.st_name);
		if (!name)
			return fail(c, "symbol %zu: name offset 0x%x outside the string table", i,
				    es.st_name);
		if (es.st_shndx == SHN_XINDEX)
			return fail(c,
				    "symbol %zu '%s': extended section indices (SHN_XINDEX) are "
				    "not supported",
				    i, name);
		if (es.st_shndx >= r->nsecs && es.st_shndx != SHN_ABS && es.st_shndx != SHN_COMMON)
			return fail(c, "symbol %zu '%s': section index %u out of range", i, name,
				    es.st_shndx);
		r->syms[i] = (struct elfr_symbol){
			.index = (uint32_t)i,
			.name = name,
			.value = es.st_value,
			.size = es.st_size,
			.bind = ELF64_ST_BIND(es.st_info),
			.type = ELF64_ST_TYPE(es.st_info),
			.visibility = ELF64_ST_VISIBILITY(es.st_other),
			.shndx = es.st_shndx,
		};
	}
	return 0;
}

const char *elfr_reloc_type_name(uint32_t type)
{
	switch (type) {
	case R_BPF_NONE:
		return "R_BPF_NONE";
	case R_BPF_64_64:
		return "R_BPF_64_64";
	case R_BPF_64_ABS64:
		return "R_BPF_64_ABS64";
	case R_BPF_64_ABS32:
		return "R_BPF_64_ABS32";
	case R_BPF_64_NODYLD32:
		return "R_BPF_64_NODYLD32";
	case R_BPF_64_32:
		return "R_BPF_64_32";
	}
	return NULL;
}

static int check_rel_section(struct ctx *c, const struct elfr_section *s, size_t *count)
{
	struct elfr *r = c->r;
	char d[300];
	size_t ent = s->type == SHT_RELA ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);

	sec_desc(c, s->index, d, sizeof(d));
	if (s->entsize != ent)
		return fail(c, "%s: entry size %lu, expected %zu", d, (unsigned long)s->entsize,
			    ent);
	if (s->size % ent)
		return fail(c, "%s: size 0x%lx is not a multiple of %zu", d, (unsigned long)s->size,
			    ent);
	if (!r->symtab || s->link != r->symtab->index)
		return fail(c, "%s: sh_link %u is not the symbol table", d, s->link);
	if (s->info == 0 || s->info >= r->nsecs)
		return fail(c, "%s: sh_info %u does not name a section", d, s->info);
	const struct elfr_section *t = &r->secs[s->info];
	if (t->type == SHT_NOBITS || t->type == SHT_NULL || t->type == SHT_REL ||
	    t->type == SHT_RELA || t->type == SHT_SYMTAB)
		return fail(c, "%s: relocates section %u, which has no relocatable contents", d,
			    s->info);
	*count = (size_t)(s->size / ent);
	return 0;
}

static int read_relocs(struct ctx *c)
{
	struct elfr *r = c->r;
	size_t *counts = arena_newn(&r->arena, size_t, r->nsecs + 1);
	size_t total = 0;

	for (size_t i = 1; i < r->nsecs; i++) {
		const struct elfr_section *s = &r->secs[i];
		if (s->type != SHT_REL && s->type != SHT_RELA)
			continue;
		size_t n = 0;
		int err = check_rel_section(c, s, &n);
		if (err)
			return err;
		counts[s->info] += n;
		total += n;
	}
	r->rel_start = arena_newn(&r->arena, size_t, r->nsecs + 1);
	for (size_t i = 0; i < r->nsecs; i++)
		r->rel_start[i + 1] = r->rel_start[i] + counts[i];
	r->relocs = arena_newn(&r->arena, struct elfr_reloc, total);
	size_t *fill = arena_newn(&r->arena, size_t, r->nsecs + 1);
	memcpy(fill, r->rel_start, (r->nsecs + 1) * sizeof(*fill));

	for (size_t i = 1; i < r->nsecs; i++) {
		const struct elfr_section *s = &r->secs[i];
		if (s->type != SHT_REL && s->type != SHT_RELA)
			continue;
		bool rela = s->type == SHT_RELA;
		size_t ent = rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
		const struct elfr_section *t = &r->secs[s->info];
		char d[300], td[300];
		sec_desc(c, i, d, sizeof(d));
		sec_desc(c, t->index, td, sizeof(td));
		for (size_t k = 0; k < s->size / ent; k++) {
			Elf64_Rela e = { 0 };
			memcpy(&e, s->data + k * ent, ent);
			uint32_t type = (uint32_t)ELF64_R_TYPE(e.r_info);
			uint64_t sym = ELF64_R_SYM(e.r_info);
			uint64_t width = elf_bpf_reloc_width(type);
			if (!width)
				return fail(c, "%s: relocation %zu: unknown type %u", d, k, type);
			if (sym >= r->nsyms)
				return fail(c, "%s: relocation %zu: symbol index %lu out of range",
					    d, k, (unsigned long)sym);
			if (e.r_offset > t->size || width > t->size - e.r_offset)
				return fail(
					c,
					"%s: relocation %zu (%s) at offset 0x%lx beyond the end of "
					"%s (size 0x%lx)",
					d, k, elfr_reloc_type_name(type), (unsigned long)e.r_offset,
					td, (unsigned long)t->size);
			r->relocs[fill[t->index]++] = (struct elfr_reloc){
				.offset = e.r_offset,
				.type = type,
				.sym = (uint32_t)sym,
				.addend = rela ? e.r_addend : 0,
				.rel_section = (uint32_t)i,
			};
		}
	}
	return 0;
}

int elfr_open(const void *data, size_t size, struct elfr **out, char *err, size_t errlen)
{
	struct elfr *r = xcalloc(1, sizeof(*r));
	struct ctx c = { r, err, errlen };
	Elf64_Ehdr eh;
	r->data = data;
	r->size = size;
	if (err && errlen)
		err[0] = 0;
	int ret = read_header(&c, &eh);
	if (!ret)
		ret = read_sections(&c, &eh);
	if (!ret)
		ret = read_symbols(&c);
	if (!ret)
		ret = read_relocs(&c);
	if (ret) {
		elfr_close(r);
		*out = NULL;
		return ret;
	}
	*out = r;
	return 0;
}

void elfr_close(struct elfr *r)
{
	if (!r)
		return;
	arena_free(&r->arena);
	free(r);
}

uint16_t elfr_type(const struct elfr *r)
{
	return r->e_type;
}

size_t elfr_section_count(const struct elfr *r)
{
	return r->nsecs;
}

const struct elfr_section *elfr_section(const struct elfr *r, size_t index)
{
	return index < r->nsecs ? &r->secs[index] : NULL;
}

const struct elfr_section *elfr_section_by_name(const struct elfr *r, const char *name)
{
	for (size_t i = 1; i < r->nsecs; i++)
		if (!strcmp(r->secs[i].name, name))
			return &r->secs[i];
	return NULL;
}

const struct elfr_section *elfr_symtab(const struct elfr *r)
{
	return r->symtab;
}

size_t elfr_symbol_count(const struct elfr *r)
{
	return r->nsyms;
}

const struct elfr_symbol *elfr_symbol(const struct elfr *r, size_t index)
{
	return index < r->nsyms ? &r->syms[index] : NULL;
}

const struct elfr_symbol *elfr_symbol_by_name(const struct elfr *r, const char *name)
{
	for (size_t i = 1; i < r->nsyms; i++)
		if (!strcmp(r->syms[i].name, name))
			return &r->syms[i];
	return NULL;
}

size_t elfr_relocs(const struct elfr *r, size_t index, const struct elfr_reloc **out)
{
	if (index >= r->nsecs) {
		*out = NULL;
		return 0;
	}
	*out = r->relocs + r->rel_start[index];
	return r->rel_start[index + 1] - r->rel_start[index];
}
