/* `whistler objdump X.o`: disassembles the executable sections of BPF objects
 * with inline relocations, in the layout of `llvm-objdump -d -r`. */
#include "driver/commands.h"

#include "backend/disasm.h"
#include "btf/btf.h"
#include "elf/elfr.h"
#include "util/arena.h"
#include "util/fileio.h"
#include "util/util.h"

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: whistler objdump [-d] [-r] [--no-show-raw-insn] [--no-print-imm-hex] "
		     "[--mattr=+alu32] "
		     "[--mcpu=CPU] FILE...\n\n"
		     "Disassembles the executable sections of BPF objects as llvm-objdump does.\n"
		     "  -d, --disassemble   disassemble (the default)\n"
		     "  -r, --reloc         show relocations inline (the default without -d)\n"
		     "  --no-show-raw-insn  leave out the instruction bytes\n"
		     "  --no-print-imm-hex  decimal immediates\n"
		     "  --mattr=+alu32      decode 32-bit memory accesses with w registers\n"
		     "  --mcpu=v3|v4        the same (v1, v2, generic: without)\n");
}

/* "TYPE\tVALUE" of a relocation as llvm-objdump prints it. */
static const char *reloc_value(struct arena *a, const struct elfr *r, const struct elfr_reloc *rel)
{
	const char *name = "*ABS*";
	if (rel->sym) {
		const struct elfr_symbol *s = elfr_symbol(r, rel->sym);
		name = s->name;
		if (s->type == STT_SECTION) {
			const struct elfr_section *sec = elfr_section(r, s->shndx);
			name = sec ? sec->name : "";
		}
	}
	if (rel->addend > 0)
		return arena_printf(a, "%s+0x%" PRIx64, name, (uint64_t)rel->addend);
	if (rel->addend < 0)
		return arena_printf(a, "%s-0x%" PRIx64, name, -(uint64_t)rel->addend);
	return name;
}

/* The object's BTF and .BTF.ext when both read cleanly (llvm-objdump shows
 * CO-RE relocations only then). */
struct btf_info {
	struct wbtf *btf;
	struct wbtf_ext ext;
	bool ok;
};

static void load_btf(const struct elfr *r, struct btf_info *bi)
{
	const struct elfr_section *b = elfr_section_by_name(r, ".BTF"), *e = elfr_section_by_name(r, ".BTF.ext");
	memset(bi, 0, sizeof(*bi));
	if (!b || !e || !b->data || !e->data || wbtf_parse(b->data, (size_t)b->size, NULL, &bi->btf))
		return;
	bi->ok = wbtf_ext_parse(e->data, (size_t)e->size, bi->btf, &bi->ext) == 0;
}

static void free_btf(struct btf_info *bi)
{
	if (bi->ok)
		wbtf_ext_free(&bi->ext);
	wbtf_free(bi->btf);
}

static int cmp_note(const void *a, const void *b)
{
	const struct disasm_note *x = a, *y = b;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->text < y->text ? -1 : x->text > y->text; /* texts are allocated in record order */
}

/* CO-RE notes of one section, in an arena. */
static size_t core_notes(struct arena *a, const struct btf_info *bi, const char *sec_name,
			 struct disasm_note **out)
{
	*out = NULL;
	if (!bi->ok)
		return 0;
	for (uint32_t i = 0; i < bi->ext.nr_secs; i++) {
		const struct wbtf_ext_sec *s = &bi->ext.secs[i];
		const char *name = wbtf_str(bi->btf, s->sec_name_off);
		if (!name || strcmp(name, sec_name) || !s->nr_core)
			continue;
		struct disasm_note *notes = arena_newn(a, struct disasm_note, s->nr_core);
		struct buf text = { 0 };
		char *block = NULL;
		size_t *ends = arena_newn(a, size_t, s->nr_core);
		for (uint32_t k = 0; k < s->nr_core; k++) {
			const struct wbtf_core_relo *c = &s->core[k];
			const char *access = wbtf_str(bi->btf, c->access_str_off);
			disasm_core_describe(bi->btf, c->type_id, access ? access : "", c->kind, &text);
			buf_putc(&text, 0);
			ends[k] = text.len;
		}
		block = arena_alloc(a, text.len ? text.len : 1);
		memcpy(block, text.data, text.len);
		for (uint32_t k = 0; k < s->nr_core; k++)
			notes[k] = (struct disasm_note){ s->core[k].insn_off, block + (k ? ends[k - 1] : 0) };
		buf_free(&text);
		qsort(notes, s->nr_core, sizeof(*notes), cmp_note);
		*out = notes;
		return s->nr_core;
	}
	return 0;
}

static void dump_section(const struct elfr *r, const struct btf_info *bi, const struct elfr_section *sec,
			 unsigned flags, struct buf *out)
{
	struct arena a = { 0 };
	size_t nsyms = elfr_symbol_count(r);
	struct disasm_sym *syms = arena_newn(&a, struct disasm_sym, nsyms + 1);
	size_t n = 0;
	for (size_t i = 1; i < nsyms; i++) {
		const struct elfr_symbol *s = elfr_symbol(r, i);
		if (s->shndx == sec->index)
			syms[n++] = (struct disasm_sym){ s->value, s->name, s->type };
	}
	const struct elfr_reloc *rels;
	size_t nrels = elfr_relocs(r, sec->index, &rels);
	struct disasm_reloc *drels = arena_newn(&a, struct disasm_reloc, nrels + 1);
	for (size_t i = 0; i < nrels; i++)
		drels[i] =
			(struct disasm_reloc){ rels[i].offset, elfr_reloc_type_name(rels[i].type),
					       reloc_value(&a, r, &rels[i]) };
	struct disasm_section ds = {
		.name = sec->name,
		.data = sec->data,
		.size = (size_t)sec->size,
		.syms = syms,
		.nsyms = n,
		.relocs = drels,
		.nrelocs = nrels,
	};
	struct disasm_note *notes;
	ds.nnotes = core_notes(&a, bi, sec->name, &notes);
	ds.notes = notes;
	disasm_section(&ds, flags, out);
	arena_free(&a);
}

static int dump_file(const char *path, unsigned flags)
{
	struct buf file = { 0 };
	int err = file_read(path, &file);
	if (err) {
		fprintf(stderr, "whistler objdump: error: '%s': %s\n", path, strerror(-err));
		return 1;
	}
	char msg[512];
	struct elfr *r;
	err = elfr_open(file.data, file.len, &r, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "whistler objdump: error: '%s': %s\n", path, msg);
		buf_free(&file);
		return 1;
	}
	struct buf out = { 0 };
	struct btf_info bi = { 0 };
	if (!(flags & DISASM_NO_RELOCS))
		load_btf(r, &bi);
	buf_printf(&out, "\n%s:\tfile format elf64-bpf\n", path);
	for (size_t i = 1; i < elfr_section_count(r); i++) {
		const struct elfr_section *sec = elfr_section(r, i);
		if ((sec->flags & SHF_EXECINSTR) && sec->type != SHT_NOBITS && sec->size)
			dump_section(r, &bi, sec, flags, &out);
	}
	free_btf(&bi);
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	elfr_close(r);
	buf_free(&file);
	return 0;
}

int cmd_objdump(int argc, char **argv)
{
	unsigned flags = 0;
	bool disassemble = false, relocs = false;
	int nfiles = 0;
	char **files = xcalloc((size_t)argc + 1, sizeof(*files));

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			free(files);
			return 0;
		} else if (!strcmp(a, "-d") || !strcmp(a, "--disassemble")) {
			disassemble = true;
		} else if (!strcmp(a, "-r") || !strcmp(a, "--reloc")) {
			relocs = true;
		} else if (!strcmp(a, "-dr") || !strcmp(a, "-rd")) {
			disassemble = relocs = true;
		} else if (!strcmp(a, "--no-show-raw-insn")) {
			flags |= DISASM_NO_RAW;
		} else if (!strcmp(a, "--no-print-imm-hex")) {
			flags |= DISASM_DECIMAL;
		} else if (!strcmp(a, "--print-imm-hex")) {
			flags &= ~(unsigned)DISASM_DECIMAL;
		} else if (!strcmp(a, "--mattr=+alu32")) {
			flags |= DISASM_ALU32;
		} else if (!strcmp(a, "--mattr=-alu32")) {
			flags &= ~(unsigned)DISASM_ALU32;
		} else if (!strncmp(a, "--mcpu=", 7)) {
			const char *cpu = a + 7;
			if (!strcmp(cpu, "v3") || !strcmp(cpu, "v4"))
				flags |= DISASM_ALU32;
			else if (strcmp(cpu, "v1") && strcmp(cpu, "v2") && strcmp(cpu, "generic") &&
				 strcmp(cpu, "probe")) {
				fprintf(stderr,
					"whistler objdump: error: unknown cpu '%s' "
					"(v1, v2, v3, v4, generic)\n",
					cpu);
				free(files);
				return 1;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "whistler objdump: error: unknown option '%s'\n", a);
			usage(stderr);
			free(files);
			return 1;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (!nfiles) {
		usage(stderr);
		free(files);
		return 1;
	}
	/* with neither -d nor -r, act as -d -r; -d alone leaves relocations out */
	if (disassemble && !relocs)
		flags |= DISASM_NO_RELOCS;
	int ret = 0;
	for (int i = 0; i < nfiles; i++)
		ret |= dump_file(files[i], flags);
	free(files);
	return ret;
}
