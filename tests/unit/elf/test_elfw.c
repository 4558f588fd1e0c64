/* ELF writer: an object with code, maps, license, .bss, symbols and
 * relocations read back with elfr and llvm-readelf-19; determinism; and
 * clang's own objects rebuilt through elfr+elfw byte for byte. */
#include "backend/insn.h"
#include "elf/elfr.h"
#include "elf/elfw.h"
#include "tests/unit/elf/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>

struct sample {
	elfw_sec text, prog, maps, license, bss, rodata;
	elfw_sym file, sub, map, counter, local_static, prog_sym, ext_kfunc, msg;
};

/* Something like what clang makes of a small XDP program. */
static struct elfw *build_sample(struct sample *s)
{
	struct elfw *w = elfw_new();
	struct elfw_symbol file = { "sample.c", ELFW_ABS, 0, 0, STB_LOCAL, STT_FILE, STV_DEFAULT };
	s->file = elfw_add_symbol(w, &file);

	/* .text: static int sub(int x) { return x * 3; } */
	struct bpf_insn sub[] = { insn_mov_reg(true, 0, 1), insn_alu_imm(true, BPF_MUL, 0, 3),
				  insn_exit() };
	s->text = elfw_add_section(w, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 8, sub,
				   sizeof(sub));
	/* xdp: r1 = map ll; call sub; call kfunc; r0 = *(u64 *)bss; exit */
	struct bpf_insn prog[11];
	insn_ld_imm64(&prog[0], 1, 0);
	prog[2] = insn_call_pseudo(-1);
	prog[3] = insn_call_kfunc(-1, 0);
	insn_ld_imm64(&prog[4], 2, 0);
	prog[6] = insn_ldx(8, 0, 2, 0);
	insn_ld_imm64(&prog[7], 3, 0);
	prog[9] = insn_alu_imm(true, BPF_ADD, 0, 1);
	prog[10] = insn_exit();
	s->prog = elfw_add_section(w, "xdp", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 8, prog,
				   sizeof(prog));
	uint8_t maps[32] = { 1 };
	s->maps = elfw_add_section(w, ".maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 8, maps,
				   sizeof(maps));
	s->rodata = elfw_add_section(w, ".rodata.str1.1", SHT_PROGBITS,
				     SHF_ALLOC | SHF_MERGE | SHF_STRINGS, 1, "hi %d\n", 7);
	elfw_set_entsize(w, s->rodata, 1);
	s->license =
		elfw_add_section(w, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 1, "GPL", 4);
	s->bss = elfw_add_section(w, ".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 8, NULL, 16);

	struct elfw_symbol sym_sub = { "sub", s->text, 0, 24, STB_LOCAL, STT_FUNC, STV_DEFAULT };
	s->sub = elfw_add_symbol(w, &sym_sub);
	struct elfw_symbol st = {
		"local_static", s->bss, 8, 8, STB_LOCAL, STT_OBJECT, STV_DEFAULT
	};
	s->local_static = elfw_add_symbol(w, &st);
	elfw_sym text_sec = elfw_section_symbol(w, s->text);
	struct elfw_symbol p = {
		"prog", s->prog, 0, sizeof(prog), STB_GLOBAL, STT_FUNC, STV_DEFAULT
	};
	s->prog_sym = elfw_add_symbol(w, &p);
	struct elfw_symbol m = { "my_map", s->maps, 0, 32, STB_GLOBAL, STT_OBJECT, STV_DEFAULT };
	s->map = elfw_add_symbol(w, &m);
	struct elfw_symbol c = { "counter", s->bss, 0, 8, STB_GLOBAL, STT_OBJECT, STV_HIDDEN };
	s->counter = elfw_add_symbol(w, &c);
	struct elfw_symbol k = {
		"bpf_kfunc", ELFW_UNDEF, 0, 0, STB_GLOBAL, STT_NOTYPE, STV_DEFAULT
	};
	s->ext_kfunc = elfw_add_symbol(w, &k);
	struct elfw_symbol l = {
		"_license", s->license, 0, 4, STB_GLOBAL, STT_OBJECT, STV_DEFAULT
	};
	elfw_add_symbol(w, &l);
	elfw_sym ro = elfw_section_symbol(w, s->rodata);

	cr_assert_eq(elfw_add_reloc(w, s->prog, 0, s->map, R_BPF_64_64), 0, "%s", elfw_error(w));
	cr_assert_eq(elfw_add_reloc(w, s->prog, 16, text_sec, R_BPF_64_32), 0);
	cr_assert_eq(elfw_add_reloc(w, s->prog, 24, s->ext_kfunc, R_BPF_64_32), 0);
	cr_assert_eq(elfw_add_reloc(w, s->prog, 32, s->counter, R_BPF_64_64), 0);
	cr_assert_eq(elfw_add_reloc(w, s->prog, 56, ro, R_BPF_64_64), 0);
	/* a pointer in .maps (an inner map, say) */
	cr_assert_eq(elfw_add_reloc(w, s->maps, 24, s->map, R_BPF_64_ABS64), 0);
	s->msg = ro;
	return w;
}

Test(elfw, sample_reads_back)
{
	struct sample s;
	struct elfw *w = build_sample(&s);
	struct buf obj = { 0 };
	cr_assert_eq(elfw_finish(w, &obj), 0);

	char err[256];
	struct elfr *r;
	cr_assert_eq(elfr_open(obj.data, obj.len, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(elfr_type(r), ET_REL);
	/* clang's order: null, .strtab, sections each followed by its .rel, .symtab */
	static const char *names[] = { "",	  ".strtab", ".text",	  "xdp",
				       ".relxdp", ".maps",   ".rel.maps", ".rodata.str1.1",
				       "license", ".bss",    ".symtab" };
	cr_assert_eq(elfr_section_count(r), ARRAY_LEN(names));
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		cr_assert_str_eq(elfr_section(r, i)->name, names[i], "section %zu", i);
	cr_assert_eq(elfw_section_index(w, s.prog), 3);
	cr_assert_eq(elfw_section_index(w, s.bss), 9);

	const struct elfr_section *xdp = elfr_section_by_name(r, "xdp");
	cr_assert_eq(xdp->size, 11 * 8);
	cr_assert_eq(xdp->flags, SHF_ALLOC | SHF_EXECINSTR);
	cr_assert_eq(xdp->align, 8);
	cr_assert_eq(xdp->data[0], 0x18);
	const struct elfr_section *bss = elfr_section_by_name(r, ".bss");
	cr_assert_eq(bss->type, SHT_NOBITS);
	cr_assert_eq(bss->size, 16);
	cr_assert_null(bss->data);
	const struct elfr_section *ro = elfr_section_by_name(r, ".rodata.str1.1");
	cr_assert_eq(ro->entsize, 1);
	cr_assert_str_eq((const char *)ro->data, "hi %d\n");
	const struct elfr_section *rel = elfr_section_by_name(r, ".relxdp");
	cr_assert_eq(rel->type, SHT_REL);
	cr_assert_eq(rel->flags, SHF_INFO_LINK);
	cr_assert_eq(rel->info, 3);
	cr_assert_eq(rel->link, 10);
	cr_assert_eq(rel->entsize, 16);
	cr_assert_eq(rel->align, 8);

	/* symbols: null, locals in add order (file first), then globals */
	static const struct {
		const char *name;
		uint8_t bind, type;
	} syms[] = {
		{ "", STB_LOCAL, STT_NOTYPE },		{ "sample.c", STB_LOCAL, STT_FILE },
		{ "sub", STB_LOCAL, STT_FUNC },		{ "local_static", STB_LOCAL, STT_OBJECT },
		{ "", STB_LOCAL, STT_SECTION },		{ "", STB_LOCAL, STT_SECTION },
		{ "prog", STB_GLOBAL, STT_FUNC },	{ "my_map", STB_GLOBAL, STT_OBJECT },
		{ "counter", STB_GLOBAL, STT_OBJECT },	{ "bpf_kfunc", STB_GLOBAL, STT_NOTYPE },
		{ "_license", STB_GLOBAL, STT_OBJECT },
	};
	cr_assert_eq(elfr_symbol_count(r), ARRAY_LEN(syms));
	for (size_t i = 0; i < ARRAY_LEN(syms); i++) {
		const struct elfr_symbol *e = elfr_symbol(r, i);
		cr_assert_str_eq(e->name, syms[i].name, "symbol %zu", i);
		cr_assert_eq(e->bind, syms[i].bind, "symbol %zu", i);
		cr_assert_eq(e->type, syms[i].type, "symbol %zu", i);
	}
	cr_assert_eq(elfr_symtab(r)->info, 6, "sh_info is the first global");
	cr_assert_eq(elfr_symbol(r, 1)->shndx, SHN_ABS);
	cr_assert_eq(elfr_symbol(r, 4)->shndx, 2, "the .text section symbol");
	cr_assert_eq(elfr_symbol(r, 5)->shndx, 7, "the .rodata.str1.1 section symbol");
	cr_assert_eq(elfr_symbol(r, 9)->shndx, SHN_UNDEF);
	cr_assert_eq(elfr_symbol_by_name(r, "counter")->visibility, STV_HIDDEN);
	cr_assert_eq(elfr_symbol_by_name(r, "local_static")->value, 8);
	cr_assert_eq(elfw_symbol_index(w, s.counter), 8);

	const struct elfr_reloc *rels;
	cr_assert_eq(elfr_relocs(r, 3, &rels), 5);
	static const struct {
		uint64_t off;
		uint32_t type, sym;
	} want[] = { { 0, R_BPF_64_64, 7 },
		     { 16, R_BPF_64_32, 4 },
		     { 24, R_BPF_64_32, 9 },
		     { 32, R_BPF_64_64, 8 },
		     { 56, R_BPF_64_64, 5 } };
	for (size_t i = 0; i < 5; i++) {
		cr_assert_eq(rels[i].offset, want[i].off, "reloc %zu", i);
		cr_assert_eq(rels[i].type, want[i].type, "reloc %zu", i);
		cr_assert_eq(rels[i].sym, want[i].sym, "reloc %zu", i);
		cr_assert_eq(rels[i].rel_section, 4);
	}
	cr_assert_eq(elfr_relocs(r, 5, &rels), 1);
	cr_assert_eq(rels[0].type, R_BPF_64_ABS64);
	cr_assert_eq(elfr_relocs(r, 2, &rels), 0);
	elfr_close(r);

	/* determinism: finishing again, or building again, gives the same bytes */
	struct buf again = { 0 };
	cr_assert_eq(elfw_finish(w, &again), 0);
	cr_assert_eq(again.len, obj.len);
	cr_assert_arr_eq(again.data, obj.data, obj.len);
	elfw_free(w);
	struct sample s2;
	w = build_sample(&s2);
	again.len = 0;
	elfw_finish(w, &again);
	cr_assert_arr_eq(again.data, obj.data, obj.len);
	elfw_free(w);
	buf_free(&again);
	buf_free(&obj);
}

Test(elfw, llvm_readelf_agrees)
{
	if (!tu_have("llvm-readelf-19"))
		cr_skip_test("llvm-readelf-19 not installed");
	struct sample s;
	struct elfw *w = build_sample(&s);
	char *tmp = tu_tmpdir();
	char *path = xasprintf("%s/sample.o", tmp);
	cr_assert_eq(elfw_write_file(w, path), 0, "%s", elfw_error(w));
	elfw_free(w);
	char *cmd = xasprintf("llvm-readelf-19 -h -S -s -r '%s' 2>&1", path);
	struct buf out = { 0 };
	cr_assert_eq(tu_run(cmd, &out), 0, "%s", buf_cstr(&out));
	const char *t = buf_cstr(&out);
	cr_assert_null(strstr(t, "warning"), "%s", t);
	static const char *expect[] = {
		"Type:                              REL (Relocatable file)",
		"Machine:                           EM_BPF",
		"Section header string table index: 1",
		"[ 1] .strtab           STRTAB",
		"[ 2] .text             PROGBITS        0000000000000000 000040 000018 00  AX  0   0  8",
		"[ 3] xdp               PROGBITS        0000000000000000 000058 000058 00  AX  0   0  8",
		".relxdp           REL",
		"I 10   3  8",
		"[ 5] .maps             PROGBITS",
		"[ 7] .rodata.str1.1    PROGBITS",
		"01 AMS  0   0  1",
		"[ 9] .bss              NOBITS",
		"[10] .symtab           SYMTAB",
		"18      1   6  8",
		"Relocation section '.relxdp' at offset",
		"contains 5 entries:",
		"0000000000000000  0000000700000001 R_BPF_64_64            0000000000000000 my_map",
		"0000000000000010  000000040000000a R_BPF_64_32            0000000000000000 .text",
		"0000000000000018  000000090000000a R_BPF_64_32            0000000000000000 bpf_kfunc",
		"0000000000000038  0000000500000001 R_BPF_64_64            0000000000000000 .rodata.str1.1",
		"Relocation section '.rel.maps'",
		"0000000000000018  0000000700000002 R_BPF_64_ABS64         0000000000000000 my_map",
		"Symbol table '.symtab' contains 11 entries:",
		"1: 0000000000000000     0 FILE    LOCAL  DEFAULT   ABS sample.c",
		"2: 0000000000000000    24 FUNC    LOCAL  DEFAULT     2 sub",
		"3: 0000000000000008     8 OBJECT  LOCAL  DEFAULT     9 local_static",
		"4: 0000000000000000     0 SECTION LOCAL  DEFAULT     2 .text",
		"6: 0000000000000000    88 FUNC    GLOBAL DEFAULT     3 prog",
		"8: 0000000000000000     8 OBJECT  GLOBAL HIDDEN      9 counter",
		"9: 0000000000000000     0 NOTYPE  GLOBAL DEFAULT   UND bpf_kfunc",
		"10: 0000000000000000     4 OBJECT  GLOBAL DEFAULT     8 _license",
	};
	for (size_t i = 0; i < ARRAY_LEN(expect); i++)
		cr_assert(strstr(t, expect[i]), "llvm-readelf output lacks '%s':\n%s", expect[i],
			  t);
	buf_free(&out);
	free(cmd);
	free(path);
	tu_rmdir(tmp);
}

Test(elfw, misuse_is_an_error)
{
	struct elfw *w = elfw_new();
	cr_assert_eq(elfw_add_section(w, ".symtab", SHT_PROGBITS, 0, 1, NULL, 0), -EINVAL);
	cr_assert(strstr(elfw_error(w), "reserved"));
	cr_assert_eq(elfw_add_section(w, ".rel.text", SHT_PROGBITS, 0, 1, NULL, 0), -EINVAL);
	cr_assert_eq(elfw_add_section(w, "x", SHT_REL, 0, 1, NULL, 0), -EINVAL);
	cr_assert_eq(elfw_add_section(w, "x", SHT_PROGBITS, 0, 3, NULL, 0), -EINVAL);
	cr_assert(strstr(elfw_error(w), "power of two"));
	cr_assert_eq(elfw_add_section(w, ".bss", SHT_NOBITS, 0, 8, "x", 1), -EINVAL);
	elfw_sec t =
		elfw_add_section(w, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 8, NULL, 16);
	cr_assert_gt(t, 0);
	elfw_sec b = elfw_add_section(w, ".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 8, NULL, 64);
	cr_assert_eq(elfw_append(w, b, "x", 1), -EINVAL);
	cr_assert_eq(elfw_append(w, t, NULL, 8), 16);
	cr_assert_eq(elfw_section_size(w, t), 24);
	cr_assert_eq(elfw_section_size(w, b), 64);
	cr_assert_eq(elfw_patch(w, t, 20, "abcd", 4), 0);
	cr_assert_eq(elfw_patch(w, t, 21, "abcd", 4), -EINVAL);
	struct elfw_symbol bad = { "x", 99, 0, 0, STB_GLOBAL, STT_FUNC, 0 };
	cr_assert_eq(elfw_add_symbol(w, &bad), -EINVAL);
	bad.section = t;
	bad.bind = 7;
	cr_assert_eq(elfw_add_symbol(w, &bad), -EINVAL);
	bad.bind = STB_GLOBAL;
	elfw_sym sym = elfw_add_symbol(w, &bad);
	cr_assert_gt(sym, 0);
	cr_assert_eq(elfw_add_reloc(w, t, 16, sym, R_BPF_64_64), -EINVAL, "needs 16 bytes");
	cr_assert(strstr(elfw_error(w), "outside its contents"), "%s", elfw_error(w));
	cr_assert_eq(elfw_add_reloc(w, t, 8, sym, R_BPF_64_64), 0);
	cr_assert_eq(elfw_add_reloc(w, t, 0, sym, 99), -EINVAL);
	cr_assert_eq(elfw_add_reloc(w, t, 0, 1234, R_BPF_64_32), -EINVAL);
	cr_assert_eq(elfw_add_reloc(w, b, 0, sym, R_BPF_64_ABS32), -EINVAL);
	cr_assert_eq(elfw_section_symbol(w, 77), -EINVAL);
	cr_assert_eq(elfw_write_file(w, "/nonexistent-dir/x.o"), -ENOENT);
	cr_assert(strstr(elfw_error(w), "/nonexistent-dir/x.o"));
	elfw_free(w);
}

Test(elfw, empty_object)
{
	struct elfw *w = elfw_new();
	struct buf obj = { 0 };
	cr_assert_eq(elfw_finish(w, &obj), 0);
	struct elfr *r;
	char err[256];
	cr_assert_eq(elfr_open(obj.data, obj.len, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(elfr_section_count(r), 3); /* null, .strtab, .symtab */
	cr_assert_eq(elfr_symbol_count(r), 1);
	elfr_close(r);
	elfw_free(w);
	buf_free(&obj);
}

/* Rebuilds an object from what elfr reads, in the same order. */
static void rebuild(const struct elfr *r, struct buf *out)
{
	struct elfw *w = elfw_new();
	size_t nsecs = elfr_section_count(r), nsyms = elfr_symbol_count(r);
	elfw_sec *smap = xcalloc(nsecs, sizeof(*smap));
	elfw_sym *ymap = xcalloc(nsyms, sizeof(*ymap));
	for (size_t i = 1; i < nsecs; i++) {
		const struct elfr_section *s = elfr_section(r, i);
		if (s->type == SHT_STRTAB || s->type == SHT_SYMTAB || s->type == SHT_REL)
			continue;
		smap[i] =
			elfw_add_section(w, s->name, s->type, s->flags, s->align, s->data, s->size);
		cr_assert_gt(smap[i], 0, "%s", elfw_error(w));
		elfw_set_entsize(w, smap[i], s->entsize);
	}
	for (size_t i = 1; i < nsyms; i++) {
		const struct elfr_symbol *s = elfr_symbol(r, i);
		if (s->type == STT_SECTION) {
			ymap[i] = elfw_section_symbol(w, smap[s->shndx]);
			continue;
		}
		struct elfw_symbol ws = { s->name,
					  s->shndx == SHN_ABS	   ? ELFW_ABS
					  : s->shndx == SHN_COMMON ? ELFW_COMMON
					  : s->shndx		   ? smap[s->shndx]
								   : ELFW_UNDEF,
					  s->value,
					  s->size,
					  s->bind,
					  s->type,
					  s->visibility };
		ymap[i] = elfw_add_symbol(w, &ws);
		cr_assert_gt(ymap[i], 0, "%s", elfw_error(w));
	}
	for (size_t i = 1; i < nsecs; i++) {
		const struct elfr_reloc *rel;
		size_t n = elfr_relocs(r, i, &rel);
		for (size_t k = 0; k < n; k++)
			cr_assert_eq(elfw_add_reloc(w, smap[i], rel[k].offset, ymap[rel[k].sym],
						    rel[k].type),
				     0, "%s", elfw_error(w));
	}
	cr_assert_eq(elfw_finish(w, out), 0);
	elfw_free(w);
	free(smap);
	free(ymap);
}

Test(elfw, clang_objects_rebuilt_byte_for_byte, .timeout = 300)
{
	if (!tu_have("clang-19"))
		cr_skip_test("clang-19 not installed: cannot compare the layout with clang's");
	char *tmp = tu_tmpdir();
	char *inputs = xasprintf("%s/tests/unit/elf/inputs", WHISTLER_SOURCE_DIR);
	static const char *srcs[] = { "maps.c", "control.c", "memory.c", "core.c" };
	static const char *flags[] = { "-O2", "-O2 -g", "-O2 -g -mcpu=v3" };
	int n = 0;
	for (size_t i = 0; i < ARRAY_LEN(srcs); i++) {
		for (size_t f = 0; f < ARRAY_LEN(flags); f++) {
			if (!strcmp(srcs[i], "core.c") && !strstr(flags[f], "-g"))
				continue; /* CO-RE builtins need -g */
			/* .llvm_addrsig is written after the relocations by
			 * LLVM and means nothing to BPF loaders: leave it out */
			char *cmd =
				xasprintf("clang-19 -target bpf -fno-addrsig %s -I'%s' -c '%s/%s' "
					  "-o '%s/in.o' 2>&1",
					  flags[f], inputs, inputs, srcs[i], tmp);
			struct buf log = { 0 };
			cr_assert_eq(tu_run(cmd, &log), 0, "%s:\n%s", cmd, buf_cstr(&log));
			buf_free(&log);
			free(cmd);
			char *path = xasprintf("%s/in.o", tmp);
			struct buf in = { 0 }, out = { 0 };
			cr_assert_eq(file_read(path, &in), 0);
			char err[256];
			struct elfr *r;
			cr_assert_eq(elfr_open(in.data, in.len, &r, err, sizeof(err)), 0, "%s",
				     err);
			rebuild(r, &out);
			cr_assert_eq(out.len, in.len, "%s %s: size %zu, clang's %zu", srcs[i],
				     flags[f], out.len, in.len);
			size_t at = 0;
			while (at < in.len && in.data[at] == out.data[at])
				at++;
			cr_assert_eq(at, in.len, "%s %s: first difference at byte 0x%zx", srcs[i],
				     flags[f], at);
			elfr_close(r);
			buf_free(&in);
			buf_free(&out);
			free(path);
			n++;
		}
	}
	cr_log_info("%d clang objects rebuilt identically", n);
	free(inputs);
	tu_rmdir(tmp);
}
