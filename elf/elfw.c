/* ELF writer: builds the object image byte by byte. We lay the file out
 * ourselves instead of going through libelf (elf_update): what matters is
 * reproducing clang's layout exactly -- the shared .strtab at index 1 with
 * LLVM's tail-merged string order, each .rel<sec> right after its section,
 * .symtab last, section data then symbols then relocations then strings --
 * and writing it straight into a struct buf for the in-memory loader;
 * libelf would have to be steered field by field with ELF_F_LAYOUT to do the
 * same, and brings global state (elf_version) into a library. */
#include "elf/elfw.h"

#include "util/fileio.h"
#include "util/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wrel {
	uint64_t offset;
	elfw_sym sym;
	uint32_t type;
};

struct wsec {
	char *name, *rel_name;
	uint32_t type;
	uint64_t flags, align, entsize;
	struct buf data;
	uint64_t nobits_size;
	VEC(struct wrel) relocs;
	elfw_sym secsym;
	uint32_t index, rel_index; /* final, set by layout */
	uint64_t offset, rel_offset;
};

struct wsym {
	char *name;
	elfw_sec section;
	uint64_t value, size;
	uint8_t bind, type, vis;
	uint32_t index; /* final */
};

struct elfw {
	VEC(struct wsec) secs;
	VEC(struct wsym) syms;
	char err[256];
};

W_PRINTF(3, 4) static int fail(struct elfw *w, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return err;
}

struct elfw *elfw_new(void)
{
	return xcalloc(1, sizeof(struct elfw));
}

void elfw_free(struct elfw *w)
{
	if (!w)
		return;
	vec_foreach (&w->secs, s) {
		free(s->name);
		free(s->rel_name);
		buf_free(&s->data);
		vec_free(&s->relocs);
	}
	vec_foreach (&w->syms, s)
		free(s->name);
	vec_free(&w->secs);
	vec_free(&w->syms);
	free(w);
}

const char *elfw_error(const struct elfw *w)
{
	return w->err;
}

static struct wsec *get_sec(struct elfw *w, elfw_sec sec)
{
	return sec > 0 && (uint32_t)sec <= w->secs.len ? &w->secs.data[sec - 1] : NULL;
}

static bool reserved_name(const char *name)
{
	return !strcmp(name, ".strtab") || !strcmp(name, ".symtab") || !strncmp(name, ".rel", 4);
}

elfw_sec elfw_add_section(struct elfw *w, const char *name, uint32_t type, uint64_t flags,
			  uint64_t align, const void *data, uint64_t size)
{
	if (!name)
		return fail(w, -EINVAL, "section without a name");
	if (reserved_name(name))
		return fail(w, -EINVAL, "section '%s': name is reserved for the writer", name);
	if (type == SHT_NULL || type == SHT_SYMTAB || type == SHT_STRTAB || type == SHT_REL ||
	    type == SHT_RELA)
		return fail(w, -EINVAL, "section '%s': type %u is managed by the writer", name,
			    type);
	if (align == 0)
		align = 1;
	if (align & (align - 1))
		return fail(w, -EINVAL, "section '%s': alignment %lu is not a power of two", name,
			    (unsigned long)align);
	if (type == SHT_NOBITS && data)
		return fail(w, -EINVAL, "section '%s': SHT_NOBITS cannot have contents", name);
	if (w->secs.len >= 0xff00 - 3) /* keep clear of SHN_LORESERVE */
		return fail(w, -E2BIG, "section '%s': too many sections", name);

	struct wsec s = {
		.name = xstrdup(name),
		.type = type,
		.flags = flags,
		.align = align,
	};
	if (type == SHT_NOBITS)
		s.nobits_size = size;
	else if (data)
		buf_append(&s.data, data, (size_t)size);
	else
		buf_zeros(&s.data, (size_t)size);
	vec_push(&w->secs, s);
	return (elfw_sec)w->secs.len;
}

int64_t elfw_append(struct elfw *w, elfw_sec sec, const void *data, size_t len)
{
	struct wsec *s = get_sec(w, sec);
	if (!s)
		return fail(w, -EINVAL, "bad section handle %d", sec);
	if (s->type == SHT_NOBITS)
		return fail(w, -EINVAL, "section '%s': cannot append to SHT_NOBITS", s->name);
	int64_t at = (int64_t)s->data.len;
	if (data)
		buf_append(&s->data, data, len);
	else
		buf_zeros(&s->data, len);
	return at;
}

int elfw_patch(struct elfw *w, elfw_sec sec, uint64_t offset, const void *data, size_t len)
{
	struct wsec *s = get_sec(w, sec);
	if (!s)
		return fail(w, -EINVAL, "bad section handle %d", sec);
	if (s->type == SHT_NOBITS || offset > s->data.len || len > s->data.len - offset)
		return fail(w, -EINVAL, "section '%s': patch at 0x%lx+%zu outside its contents",
			    s->name, (unsigned long)offset, len);
	memcpy(s->data.data + offset, data, len);
	return 0;
}

int elfw_set_entsize(struct elfw *w, elfw_sec sec, uint64_t entsize)
{
	struct wsec *s = get_sec(w, sec);
	if (!s)
		return fail(w, -EINVAL, "bad section handle %d", sec);
	s->entsize = entsize;
	return 0;
}

uint64_t elfw_section_size(const struct elfw *w, elfw_sec sec)
{
	struct wsec *s = get_sec((struct elfw *)w, sec);
	if (!s)
		return 0;
	return s->type == SHT_NOBITS ? s->nobits_size : s->data.len;
}

elfw_sym elfw_add_symbol(struct elfw *w, const struct elfw_symbol *sym)
{
	const char *name = sym->name ? sym->name : "";
	if (sym->section != ELFW_UNDEF && sym->section != ELFW_ABS && sym->section != ELFW_COMMON &&
	    !get_sec(w, sym->section))
		return fail(w, -EINVAL, "symbol '%s': bad section handle %d", name, sym->section);
	if (sym->bind != STB_LOCAL && sym->bind != STB_GLOBAL && sym->bind != STB_WEAK)
		return fail(w, -EINVAL, "symbol '%s': unsupported binding %u", name, sym->bind);
	if (sym->type > 15 || sym->visibility > 3)
		return fail(w, -EINVAL, "symbol '%s': bad type %u or visibility %u", name,
			    sym->type, sym->visibility);
	struct wsym s = {
		.name = xstrdup(name),
		.section = sym->section,
		.value = sym->value,
		.size = sym->size,
		.bind = sym->bind,
		.type = sym->type,
		.vis = sym->visibility,
	};
	vec_push(&w->syms, s);
	return (elfw_sym)w->syms.len;
}

elfw_sym elfw_section_symbol(struct elfw *w, elfw_sec sec)
{
	struct wsec *s = get_sec(w, sec);
	if (!s)
		return fail(w, -EINVAL, "bad section handle %d", sec);
	if (!s->secsym) {
		struct elfw_symbol sym = { .name = "", .section = sec, .type = STT_SECTION };
		s->secsym = elfw_add_symbol(w, &sym);
	}
	return s->secsym;
}

int elfw_add_reloc(struct elfw *w, elfw_sec sec, uint64_t offset, elfw_sym sym, uint32_t type)
{
	struct wsec *s = get_sec(w, sec);
	if (!s)
		return fail(w, -EINVAL, "bad section handle %d", sec);
	if (sym <= 0 || (uint32_t)sym > w->syms.len)
		return fail(w, -EINVAL, "section '%s': relocation at 0x%lx: bad symbol handle %d",
			    s->name, (unsigned long)offset, sym);
	uint64_t width = elf_bpf_reloc_width(type);
	if (!width)
		return fail(w, -EINVAL, "section '%s': unknown relocation type %u", s->name, type);
	if (s->type == SHT_NOBITS || offset > s->data.len || width > s->data.len - offset)
		return fail(w, -EINVAL,
			    "section '%s': relocation at 0x%lx (%lu bytes) outside its contents "
			    "(0x%zx bytes)",
			    s->name, (unsigned long)offset, (unsigned long)width, s->data.len);
	struct wrel r = { offset, sym, type };
	vec_push(&s->relocs, r);
	if (!s->rel_name)
		s->rel_name = xasprintf(".rel%s", s->name);
	return 0;
}

/* ---- string table, the way LLVM's StringTableBuilder finalizes it ---- */

/* Strings sorted by their characters from the end, largest first, so that a
 * string directly follows every string it is a suffix of (tail merging). */
static int cmp_tail(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);
	for (size_t i = 0;; i++) {
		int cx = i < lx ? (unsigned char)x[lx - 1 - i] : -1;
		int cy = i < ly ? (unsigned char)y[ly - 1 - i] : -1;
		if (cx != cy)
			return cy - cx;
		if (cx < 0)
			return 0;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct strtab_out {
	const char **strs; /* unique, sorted by name for lookup */
	uint32_t *offs;
	size_t n;
	struct buf bytes;
};

static void strtab_build(struct strtab_out *t, const char **all, size_t n)
{
	qsort(all, n, sizeof(*all), cmp_str);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (*all[i] && (u == 0 || strcmp(all[u - 1], all[i])))
			all[u++] = all[i];
	t->n = u;
	t->strs = xcalloc(u + 1, sizeof(*t->strs));
	t->offs = xcalloc(u + 1, sizeof(*t->offs));
	memcpy(t->strs, all, u * sizeof(*all));

	const char **order = xcalloc(u + 1, sizeof(*order));
	memcpy(order, all, u * sizeof(*all));
	qsort(order, u, sizeof(*order), cmp_tail);
	buf_putc(&t->bytes, 0);
	const char *prev = NULL;
	size_t prev_end = 0;
	for (size_t i = 0; i < u; i++) {
		const char *s = order[i];
		size_t ls = strlen(s), off;
		if (prev && strlen(prev) >= ls && !strcmp(prev + strlen(prev) - ls, s)) {
			off = prev_end - ls;
		} else {
			off = t->bytes.len;
			buf_append(&t->bytes, s, ls + 1);
			prev = s;
			prev_end = off + ls;
		}
		const char **slot = bsearch(&s, t->strs, u, sizeof(*t->strs), cmp_str);
		t->offs[slot - t->strs] = (uint32_t)off;
	}
	free(order);
}

static uint32_t str_off(const struct strtab_out *t, const char *s)
{
	if (!*s)
		return 0;
	const char **slot = bsearch(&s, t->strs, t->n, sizeof(*t->strs), cmp_str);
	W_ASSERT(slot);
	return t->offs[slot - t->strs];
}

static void strtab_free(struct strtab_out *t)
{
	free(t->strs);
	free(t->offs);
	buf_free(&t->bytes);
}

/* ---- layout and output ---- */

static void put_shdr(struct buf *out, uint32_t name, uint32_t type, uint64_t flags, uint64_t off,
		     uint64_t size, uint32_t link, uint32_t info, uint64_t align, uint64_t entsize)
{
	Elf64_Shdr sh = {
		.sh_name = name,
		.sh_type = type,
		.sh_flags = flags,
		.sh_offset = off,
		.sh_size = size,
		.sh_link = link,
		.sh_info = info,
		.sh_addralign = align,
		.sh_entsize = entsize,
	};
	buf_append(out, &sh, sizeof(sh));
}

static uint16_t sym_shndx(const struct elfw *w, elfw_sec sec)
{
	if (sec == ELFW_ABS)
		return SHN_ABS;
	if (sec == ELFW_COMMON)
		return SHN_COMMON;
	if (sec == ELFW_UNDEF)
		return SHN_UNDEF;
	return (uint16_t)w->secs.data[sec - 1].index;
}

int elfw_finish(struct elfw *w, struct buf *out)
{
	/* indices: 0 null, 1 .strtab, sections each followed by its .rel, .symtab last */
	uint32_t idx = 2;
	vec_foreach (&w->secs, s) {
		s->index = idx++;
		s->rel_index = s->relocs.len ? idx++ : 0;
	}
	uint32_t symtab_index = idx, shnum = idx + 1;
	if (shnum >= SHN_LORESERVE)
		return fail(w, -E2BIG, "%u sections: more than ELF numbers without extensions",
			    shnum);

	/* symbols: null, locals, then globals and weaks, each in the order added */
	uint32_t nsyms = 1, first_global;
	vec_foreach (&w->syms, s)
		if (s->bind == STB_LOCAL)
			s->index = nsyms++;
	first_global = nsyms;
	vec_foreach (&w->syms, s)
		if (s->bind != STB_LOCAL)
			s->index = nsyms++;

	size_t nstr = 0;
	const char **all = xcalloc(w->secs.len * 2 + w->syms.len + 2, sizeof(*all));
	all[nstr++] = ".strtab";
	all[nstr++] = ".symtab";
	vec_foreach (&w->secs, s) {
		all[nstr++] = s->name;
		if (s->rel_name)
			all[nstr++] = s->rel_name;
	}
	vec_foreach (&w->syms, s)
		all[nstr++] = s->name;
	struct strtab_out st = { 0 };
	strtab_build(&st, all, nstr);
	free(all);

	/* file offsets: header, section data, .symtab, .rel sections, .strtab, headers */
	uint64_t off = sizeof(Elf64_Ehdr);
	vec_foreach (&w->secs, s) {
		off = ALIGN_UP(off, s->align);
		s->offset = off;
		if (s->type != SHT_NOBITS)
			off += s->data.len;
	}
	off = ALIGN_UP(off, 8);
	uint64_t symtab_off = off;
	off += (uint64_t)nsyms * sizeof(Elf64_Sym);
	vec_foreach (&w->secs, s) {
		if (!s->relocs.len)
			continue;
		off = ALIGN_UP(off, 8);
		s->rel_offset = off;
		off += (uint64_t)s->relocs.len * sizeof(Elf64_Rel);
	}
	uint64_t strtab_off = off;
	off += st.bytes.len;
	uint64_t shoff = ALIGN_UP(off, 8);

	size_t base = out->len;
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB,
			     EV_CURRENT, ELFOSABI_NONE },
		.e_type = ET_REL,
		.e_machine = EM_BPF,
		.e_version = EV_CURRENT,
		.e_shoff = shoff,
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_shentsize = sizeof(Elf64_Shdr),
		.e_shnum = (uint16_t)shnum,
		.e_shstrndx = 1,
	};
	buf_append(out, &eh, sizeof(eh));
#define PAD_TO(o) buf_zeros(out, (size_t)((o) - (out->len - base)))
	vec_foreach (&w->secs, s) {
		if (s->type == SHT_NOBITS)
			continue;
		PAD_TO(s->offset);
		buf_append(out, s->data.data, s->data.len);
	}
	PAD_TO(symtab_off);
	buf_zeros(out, sizeof(Elf64_Sym));
	for (int pass = 0; pass < 2; pass++) {
		vec_foreach (&w->syms, s) {
			if ((s->bind == STB_LOCAL) != (pass == 0))
				continue;
			Elf64_Sym es = {
				.st_name = str_off(&st, s->name),
				.st_info = (unsigned char)ELF64_ST_INFO(s->bind, s->type),
				.st_other = s->vis,
				.st_shndx = sym_shndx(w, s->section),
				.st_value = s->value,
				.st_size = s->size,
			};
			buf_append(out, &es, sizeof(es));
		}
	}
	vec_foreach (&w->secs, s) {
		if (!s->relocs.len)
			continue;
		PAD_TO(s->rel_offset);
		vec_foreach (&s->relocs, r) {
			Elf64_Rel er = {
				.r_offset = r->offset,
				.r_info = ELF64_R_INFO(w->syms.data[r->sym - 1].index, r->type),
			};
			buf_append(out, &er, sizeof(er));
		}
	}
	PAD_TO(strtab_off);
	buf_append(out, st.bytes.data, st.bytes.len);
	PAD_TO(shoff);
#undef PAD_TO

	put_shdr(out, 0, SHT_NULL, 0, 0, 0, 0, 0, 0, 0);
	put_shdr(out, str_off(&st, ".strtab"), SHT_STRTAB, 0, strtab_off, st.bytes.len, 0, 0, 1, 0);
	vec_foreach (&w->secs, s) {
		uint64_t size = s->type == SHT_NOBITS ? s->nobits_size : s->data.len;
		put_shdr(out, str_off(&st, s->name), s->type, s->flags, s->offset, size, 0, 0,
			 s->align, s->entsize);
		if (s->relocs.len)
			put_shdr(out, str_off(&st, s->rel_name), SHT_REL, SHF_INFO_LINK,
				 s->rel_offset, s->relocs.len * sizeof(Elf64_Rel), symtab_index,
				 s->index, 8, sizeof(Elf64_Rel));
	}
	put_shdr(out, str_off(&st, ".symtab"), SHT_SYMTAB, 0, symtab_off,
		 (uint64_t)nsyms * sizeof(Elf64_Sym), 1, first_global, 8, sizeof(Elf64_Sym));
	strtab_free(&st);
	return 0;
}

int elfw_write_file(struct elfw *w, const char *path)
{
	struct buf b = { 0 };
	int err = elfw_finish(w, &b);
	if (!err) {
		err = file_write_atomic(path, b.data, b.len);
		if (err)
			fail(w, err, "%s: %s", path, strerror(-err));
	}
	buf_free(&b);
	return err;
}

uint32_t elfw_section_index(const struct elfw *w, elfw_sec sec)
{
	struct wsec *s = get_sec((struct elfw *)w, sec);
	return s ? s->index : 0;
}

uint32_t elfw_symbol_index(const struct elfw *w, elfw_sym sym)
{
	return sym > 0 && (uint32_t)sym <= w->syms.len ? w->syms.data[sym - 1].index : 0;
}
