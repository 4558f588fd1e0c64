/* Malformed objects: truncated files, bad section sizes, bad relocations,
 * corrupt BTF and .BTF.ext give an error naming what is wrong, never a
 * crash; then every single-byte corruption of a whistler object and
 * thousands of random ones of a clang CO-RE object go through open and
 * prepare (no kernel) under ASan. */
#include "objutil.h"

#include <elf.h>

static void setup(void)
{
	warnings_reset();
}

TestSuite(object_bad, .init = setup);

static struct buf base;

/* examples/xdp_count.wir compiled by whistler: code, maps, prog-array
 * initial value, .rodata, a weak kconfig extern, BTF and .BTF.ext. */
static void base_object(void)
{
	if (!base.len)
		cr_assert_eq(wir_compile(WHISTLER_SOURCE_DIR "/examples/xdp_count.wir", &base), 0);
}

static Elf64_Shdr *shdr(unsigned char *d, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)d;
	Elf64_Shdr *sh = (Elf64_Shdr *)(d + eh->e_shoff);
	const char *strs = (const char *)d + sh[eh->e_shstrndx].sh_offset;
	for (unsigned i = 0; i < eh->e_shnum; i++)
		if (!strcmp(strs + sh[i].sh_name, name))
			return &sh[i];
	cr_assert_fail("no section %s", name);
	return NULL;
}

/* Opens a copy of the base object after `edit`; returns open's result. */
static int open_edited(void (*edit)(unsigned char *d, size_t *n))
{
	base_object();
	size_t n = base.len;
	unsigned char *d = xmalloc(n);
	memcpy(d, base.data, n);
	edit(d, &n);
	struct wl_object *obj = NULL;
	struct wl_object_opts o = { .name = "bad", .kconfig = "" };
	warnings_reset();
	int r = wl_object_open_mem(d, n, &o, &obj);
	if (r == 0) {
		r = wl_object_prepare(obj);
		wl_object_close(obj);
	}
	free(d);
	return r;
}

#define EXPECT(edit, err, text)                                                                  \
	do {                                                                                     \
		int r_ = open_edited(edit);                                                      \
		cr_assert_eq(r_, err, "%s: got %d\n%s", #edit, r_, warned());                    \
		cr_assert(strstr(warned(), text), "%s: message:\n%s\nwant: %s", #edit, warned(), \
			  text);                                                                 \
	} while (0)

static void nothing(unsigned char *d, size_t *n)
{
	(void)d, (void)n;
}
static void truncate_header(unsigned char *d, size_t *n)
{
	(void)d;
	*n = 40;
}
static void truncate_half(unsigned char *d, size_t *n)
{
	(void)d;
	*n /= 2;
}
static void empty(unsigned char *d, size_t *n)
{
	(void)d;
	*n = 0;
}
static void not_rel(unsigned char *d, size_t *n)
{
	((Elf64_Ehdr *)d)->e_type = ET_EXEC;
}
static void code_beyond_file(unsigned char *d, size_t *n)
{
	shdr(d, "xdp")->sh_size = 1u << 30;
}
static void code_not_insns(unsigned char *d, size_t *n)
{
	shdr(d, "xdp")->sh_size -= 4;
}
static void reloc_misaligned(unsigned char *d, size_t *n)
{
	Elf64_Rel *r = (Elf64_Rel *)(d + shdr(d, ".relxdp")->sh_offset);
	r->r_offset += 4;
}
static void reloc_not_ld_imm64(unsigned char *d, size_t *n)
{
	Elf64_Rel *r = (Elf64_Rel *)(d + shdr(d, ".relxdp")->sh_offset);
	r->r_offset = 3 * 8; /* r2 = r10 */
}
static void reloc_bad_symbol(unsigned char *d, size_t *n)
{
	Elf64_Rel *r = (Elf64_Rel *)(d + shdr(d, ".relxdp")->sh_offset);
	r->r_info = ELF64_R_INFO(999, ELF64_R_TYPE(r->r_info));
}
static void reloc_to_license(unsigned char *d, size_t *n)
{
	/* symbol 8 is LICENSE, in a section that is neither maps nor data */
	Elf64_Rel *r = (Elf64_Rel *)(d + shdr(d, ".relxdp")->sh_offset);
	r->r_info = ELF64_R_INFO(8, ELF64_R_TYPE(r->r_info));
}
static void reloc_wrong_type(unsigned char *d, size_t *n)
{
	Elf64_Rel *r = (Elf64_Rel *)(d + shdr(d, ".relxdp")->sh_offset);
	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), 10 /* R_BPF_64_32 */);
}
static void maps_reloc_outside_values(unsigned char *d, size_t *n)
{
	Elf64_Rel *r = (Elf64_Rel *)(d + shdr(d, ".rel.maps")->sh_offset);
	r->r_offset = 0x20; /* jmp's `type` attribute, not its values */
}
static void btf_magic(unsigned char *d, size_t *n)
{
	d[shdr(d, ".BTF")->sh_offset] ^= 0xff;
}
static void btf_type_kind(unsigned char *d, size_t *n)
{
	/* type [1]'s info word: kind 31 does not exist */
	unsigned char *t = d + shdr(d, ".BTF")->sh_offset + 24 + 4;
	uint32_t info;
	memcpy(&info, t, 4);
	info = (info & ~(0x1fu << 24)) | (31u << 24);
	memcpy(t, &info, 4);
}
static void btf_ext_magic(unsigned char *d, size_t *n)
{
	d[shdr(d, ".BTF.ext")->sh_offset] ^= 0xff;
}
static void btf_ext_insn_off(unsigned char *d, size_t *n)
{
	/* .BTF.ext: header (32 bytes), func_info: rec_size, then section
	 * records: sec_name_off, num_info, {insn_off, type_id} */
	unsigned char *e = d + shdr(d, ".BTF.ext")->sh_offset;
	uint32_t func_off;
	memcpy(&func_off, e + 8, 4);
	unsigned char *rec = e + 32 + func_off + 4 + 8;
	uint32_t bad = 0x1000;
	memcpy(rec, &bad, 4);
}
static void map_def_beyond_maps(unsigned char *d, size_t *n)
{
	/* symbol 4 is jmp (48 bytes at 0x20 of an 80-byte .maps) */
	Elf64_Sym *s = (Elf64_Sym *)(d + shdr(d, ".symtab")->sh_offset);
	s[4].st_size = 0x100;
}
static void func_beyond_code(unsigned char *d, size_t *n)
{
	Elf64_Sym *s = (Elf64_Sym *)(d + shdr(d, ".symtab")->sh_offset);
	s[7].st_value = 0x50; /* xdp_count: starts 1 insn before the end, 88 bytes long */
}
static void license_unterminated(unsigned char *d, size_t *n)
{
	d[shdr(d, "license")->sh_offset + 3] = 'X';
}

Test(object_bad, base_object_is_fine)
{
	cr_assert_eq(open_edited(nothing), 0, "%s", warned());
}

Test(object_bad, truncated)
{
	EXPECT(empty, -EINVAL, "bad: not a BPF object: file too small for an ELF header (0 bytes)");
	EXPECT(truncate_header, -EINVAL, "bad: not a BPF object: file too small");
	EXPECT(truncate_half, -EINVAL, "bad: not a BPF object: ");
	EXPECT(truncate_half, -EINVAL, "beyond end of file");
	EXPECT(not_rel, -EINVAL, "bad: not a relocatable object (ELF type 2, expected ET_REL)");
}

Test(object_bad, bad_section_sizes)
{
	EXPECT(code_beyond_file, -EINVAL,
	       "bad: not a BPF object: section 2: data extends beyond end of file (offset 0x40, "
	       "size 0x40000000)");
	EXPECT(code_not_insns, -EINVAL,
	       "bad: section 'xdp': size 84 is not a multiple of 8 (instructions)");
	EXPECT(map_def_beyond_maps, -EINVAL,
	       "bad: map 'jmp': definition at 0x20 (size 256) beyond '.maps'");
	EXPECT(func_beyond_code, -EINVAL,
	       "bad: function 'xdp_count': offset 0x50 size 0x58 do not fit section 'xdp' (11 "
	       "instructions)");
	EXPECT(license_unterminated, -EINVAL,
	       "bad: section 'license' is not a NUL-terminated "
	       "string");
}

Test(object_bad, bad_relocations)
{
	EXPECT(reloc_misaligned, -EINVAL,
	       "bad: section 'xdp': relocation at insn 1 against 'counts': offset is not at an "
	       "instruction");
	EXPECT(reloc_not_ld_imm64, -EINVAL,
	       "bad: section 'xdp': relocation at insn 3 against 'counts': instruction is neither "
	       "ld_imm64 nor a call");
	EXPECT(reloc_bad_symbol, -EINVAL, "relocation 0: symbol index 999 out of range");
	EXPECT(reloc_to_license, -EINVAL,
	       "bad: section 'xdp': relocation at insn 1 against 'LICENSE': symbol is in a section "
	       "that is neither code, maps nor global data");
	EXPECT(reloc_wrong_type, -EINVAL,
	       "relocation at insn 1 against 'counts': wrong relocation type for the instruction");
	EXPECT(maps_reloc_outside_values, -EINVAL,
	       "bad: map 'jmp': relocation against 'xdp_count' at offset 0 is not in its values");
}

Test(object_bad, corrupt_btf_and_btf_ext)
{
	EXPECT(btf_magic, -EINVAL, "bad: corrupt .BTF: ");
	EXPECT(btf_type_kind, -EINVAL, "bad: corrupt .BTF: ");
	EXPECT(btf_ext_magic, -EINVAL, "bad: corrupt .BTF.ext: ");
	EXPECT(btf_ext_insn_off, -EINVAL,
	       "bad: .BTF.ext: section 'xdp': a record's insn_off is not an instruction of the "
	       "section (11 instructions)");
}

/* Every byte of the whistler object flipped in turn: open and prepare
 * either work or fail with a message, never crash or leak (ASan/LSan). */
Test(object_bad, every_byte_flipped)
{
	base_object();
	wl_set_log(NULL);
	int failed = 0, ok = 0;
	for (size_t i = 0; i < base.len; i++) {
		unsigned char *d = xmalloc(base.len);
		memcpy(d, base.data, base.len);
		d[i] ^= 0xff;
		struct wl_object *obj;
		struct wl_object_opts o = { .kconfig = "CONFIG_HZ=100\n" };
		int r = wl_object_open_mem(d, base.len, &o, &obj);
		if (r == 0) {
			r = wl_object_prepare(obj);
			wl_object_close(obj);
		}
		free(d);
		cr_assert_leq(r, 0);
		if (r)
			failed++;
		else
			ok++;
	}
	cr_assert_gt(failed, 100, "most corruptions are noticed (%d failed, %d passed)", failed,
		     ok);
}

/* Random corruptions (1-8 bytes each) of a clang object with CO-RE,
 * subprograms, globals and .BTF.ext, prepared against the kernel's BTF. */
Test(object_bad, random_corruptions_of_a_clang_object)
{
	char *path = bpf_obj("core");
	struct buf b = { 0 };
	cr_assert_eq(file_read(path, &b), 0);
	free(path);
	wl_set_log(NULL);
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int failed = 0;
	for (int it = 0; it < 3000; it++) {
		unsigned char *d = xmalloc(b.len);
		memcpy(d, b.data, b.len);
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		int flips = 1 + (int)(seed >> 61);
		for (int k = 0; k < flips; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			d[(seed >> 16) % b.len] = (unsigned char)(seed >> 8);
		}
		size_t len = it % 10 == 9 ? (size_t)((seed >> 20) % b.len) : b.len;
		struct wl_object *obj;
		int r = wl_object_open_mem(d, len, NULL, &obj);
		if (r == 0) {
			r = wl_object_prepare(obj);
			wl_object_close(obj);
		}
		failed += r != 0;
		free(d);
	}
	buf_free(&b);
	cr_assert_gt(failed, 300, "%d of 3000 corruptions refused", failed);
}
