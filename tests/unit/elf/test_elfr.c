/* ELF reader: every kind of damage to a valid object -- truncation, bad
 * offsets, sizes, indices, names, symbols and relocations -- is an error
 * naming what is wrong, never a crash (ASan watches the random ones). */
#include "backend/insn.h"
#include "elf/elfr.h"
#include "elf/elfw.h"
#include "tests/unit/elf/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

/* [1] .strtab [2] .text [3] .rel.text [4] .data [5] .bss [6] .symtab;
 * symbols: null, FILE, .data section symbol, prog, var */
static void build(struct buf *obj)
{
	struct elfw *w = elfw_new();
	struct elfw_symbol f = { "t.c", ELFW_ABS, 0, 0, STB_LOCAL, STT_FILE, 0 };
	elfw_add_symbol(w, &f);
	struct bpf_insn code[4];
	insn_ld_imm64(code, 1, 0);
	code[2] = insn_ldx(8, 0, 1, 0);
	code[3] = insn_exit();
	elfw_sec text = elfw_add_section(w, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 8,
					 code, sizeof(code));
	elfw_sec data = elfw_add_section(w, ".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 8,
					 "\1\2\3\4\5\6\7\10", 8);
	elfw_add_section(w, ".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 8, NULL, 8);
	elfw_sym ds = elfw_section_symbol(w, data);
	struct elfw_symbol p = { "prog", text, 0, 32, STB_GLOBAL, STT_FUNC, 0 };
	elfw_add_symbol(w, &p);
	struct elfw_symbol v = { "var", data, 0, 8, STB_GLOBAL, STT_OBJECT, 0 };
	elfw_add_symbol(w, &v);
	cr_assert_eq(elfw_add_reloc(w, text, 0, ds, R_BPF_64_64), 0);
	cr_assert_eq(elfw_finish(w, obj), 0);
	elfw_free(w);
}

static uint64_t shdr_at(const struct buf *obj, unsigned i)
{
	uint64_t shoff;
	memcpy(&shoff, obj->data + 0x28, 8);
	return shoff + 64 * i;
}

static void put(struct buf *obj, uint64_t at, uint64_t v, size_t width)
{
	cr_assert(at + width <= obj->len);
	memcpy(obj->data + at, &v, width); /* little-endian host */
}

static uint64_t get(const struct buf *obj, uint64_t at, size_t width)
{
	uint64_t v = 0;
	memcpy(&v, obj->data + at, width);
	return v;
}

/* Section header field offsets. */
enum {
	SH_NAME = 0,
	SH_TYPE = 4,
	SH_OFFSET = 24,
	SH_SIZE = 32,
	SH_LINK = 40,
	SH_INFO = 44,
	SH_ENTSIZE = 56
};

/* o becomes a fresh copy of obj; returns it. */
static struct buf *fresh(struct buf *o, const struct buf *obj)
{
	o->len = 0;
	buf_append(o, obj->data, obj->len);
	return o;
}
#define FRESH() fresh(&o, &obj)

static int open_err(const struct buf *obj, char *err, size_t len)
{
	struct elfr *r = (struct elfr *)1;
	int rc = elfr_open(obj->data, obj->len, &r, err, len);
	if (rc == 0)
		elfr_close(r);
	else
		cr_assert_null(r, "no reader on failure");
	return rc;
}

#define EXPECT_ERR(obj, code, text)                                                            \
	do {                                                                                   \
		char err_[512];                                                                \
		int rc_ = open_err((obj), err_, sizeof(err_));                                 \
		cr_assert_eq(rc_, (code), "expected %d for '%s', got %d (%s)", (code), (text), \
			     rc_, err_);                                                       \
		cr_assert(strstr(err_, (text)), "message '%s' lacks '%s'", err_, (text));      \
	} while (0)

Test(elfr, valid_object)
{
	struct buf obj = { 0 };
	build(&obj);
	char err[256];
	struct elfr *r;
	cr_assert_eq(elfr_open(obj.data, obj.len, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(elfr_section_count(r), 7);
	cr_assert_str_eq(elfr_section(r, 3)->name, ".rel.text");
	cr_assert_null(elfr_section(r, 7));
	cr_assert_null(elfr_section_by_name(r, ".nope"));
	cr_assert_eq(elfr_symbol_count(r), 5);
	cr_assert_null(elfr_symbol(r, 5));
	cr_assert_null(elfr_symbol_by_name(r, "nope"));
	const struct elfr_reloc *rel;
	cr_assert_eq(elfr_relocs(r, 2, &rel), 1);
	cr_assert_eq(rel->sym, 2);
	cr_assert_eq(elfr_relocs(r, 100, &rel), 0);
	cr_assert_str_eq(elfr_reloc_type_name(R_BPF_64_NODYLD32), "R_BPF_64_NODYLD32");
	cr_assert_null(elfr_reloc_type_name(7));
	elfr_close(r);
	buf_free(&obj);
}

Test(elfr, every_truncation_is_an_error)
{
	struct buf obj = { 0 };
	build(&obj);
	for (size_t len = 0; len < obj.len; len++) {
		struct buf t = { obj.data, len, len };
		char err[256];
		cr_assert_eq(open_err(&t, err, sizeof(err)), -EINVAL, "prefix of %zu bytes", len);
		cr_assert(err[0], "prefix of %zu bytes: empty message", len);
	}
	struct buf t = { obj.data, 10, 10 };
	EXPECT_ERR(&t, -EINVAL, "file too small for an ELF header (10 bytes)");
	t.len = obj.len - 1;
	EXPECT_ERR(&t, -EINVAL, "section headers at offset");
	EXPECT_ERR(&t, -EINVAL, "extend beyond end of file");
	buf_free(&obj);
}

Test(elfr, bad_header)
{
	struct buf obj = { 0 }, o = { 0 };
	build(&obj);

	put(FRESH(), 0, 0x464c457e, 4);
	EXPECT_ERR(&o, -EINVAL, "not an ELF file (bad magic)");
	put(FRESH(), 4, ELFCLASS32, 1);
	EXPECT_ERR(&o, -ENOTSUP, "not a 64-bit ELF file");
	put(FRESH(), 5, ELFDATA2MSB, 1);
	EXPECT_ERR(&o, -ENOTSUP, "only little-endian BPF");
	put(FRESH(), 6, 2, 1);
	EXPECT_ERR(&o, -EINVAL, "unsupported ELF version");
	put(FRESH(), 0x12, EM_X86_64, 2);
	EXPECT_ERR(&o, -ENOTSUP, "not a BPF object (e_machine 62)");
	put(FRESH(), 0x34, 52, 2);
	EXPECT_ERR(&o, -EINVAL, "bad ELF header size 52");
	put(FRESH(), 0x3a, 40, 2);
	EXPECT_ERR(&o, -EINVAL, "bad section header size 40");
	put(FRESH(), 0x28, obj.len + 8, 8);
	EXPECT_ERR(&o, -EINVAL, "section headers beyond end of file");
	put(FRESH(), 0x28, UINT64_MAX - 8, 8);
	EXPECT_ERR(&o, -EINVAL, "section headers beyond end of file");
	put(FRESH(), 0x3c, 200, 2);
	EXPECT_ERR(&o, -EINVAL, "200 section headers at offset");
	put(FRESH(), 0x3e, 7, 2);
	EXPECT_ERR(&o, -EINVAL, "section name table index 7 out of range");
	put(FRESH(), 0x3e, 2, 2);
	EXPECT_ERR(&o, -EINVAL, "section name table (section 2) is not SHT_STRTAB");
	put(FRESH(), 0x28, 0, 8);
	EXPECT_ERR(&o, -EINVAL, "7 section headers but no section header offset");
	/* extended numbering: e_shnum 0, the count in section 0's sh_size */
	put(FRESH(), 0x3c, 0, 2);
	put(&o, shdr_at(&obj, 0) + SH_SIZE, 7, 8);
	char err[256];
	cr_assert_eq(open_err(&o, err, sizeof(err)), 0, "%s", err);
	buf_free(&o);
	buf_free(&obj);
}

Test(elfr, bad_sections)
{
	struct buf obj = { 0 }, o = { 0 };
	build(&obj);
	put(FRESH(), shdr_at(&obj, 2) + SH_OFFSET, obj.len + 1, 8);
	EXPECT_ERR(&o, -EINVAL, "section 2: offset beyond end of file");
	put(FRESH(), shdr_at(&obj, 3) + SH_OFFSET, UINT64_MAX, 8);
	EXPECT_ERR(&o, -EINVAL, "section 3: offset beyond end of file");
	put(FRESH(), shdr_at(&obj, 2) + SH_SIZE, obj.len, 8);
	EXPECT_ERR(&o, -EINVAL, "section 2: data extends beyond end of file");
	put(FRESH(), shdr_at(&obj, 4) + SH_SIZE, UINT64_MAX, 8);
	EXPECT_ERR(&o, -EINVAL, "section 4: data extends beyond end of file");
	put(FRESH(), shdr_at(&obj, 4) + SH_NAME, 100000, 4);
	EXPECT_ERR(&o, -EINVAL, "section 4: name offset 0x186a0 outside the section name table");
	/* a name table without a terminating NUL */
	uint64_t strtab_size = get(&obj, shdr_at(&obj, 1) + SH_SIZE, 8);
	uint64_t strtab_off = get(&obj, shdr_at(&obj, 1) + SH_OFFSET, 8);
	FRESH();
	o.data[strtab_off + strtab_size - 1] = 'x';
	EXPECT_ERR(&o, -EINVAL, "outside the");
	/* a NOBITS section may claim any size */
	put(FRESH(), shdr_at(&obj, 5) + SH_SIZE, UINT64_MAX, 8);
	char err[256];
	cr_assert_eq(open_err(&o, err, sizeof(err)), 0, "%s", err);
	buf_free(&o);
	buf_free(&obj);
}

Test(elfr, bad_symbols)
{
	struct buf obj = { 0 }, o = { 0 };
	build(&obj);
	uint64_t st = shdr_at(&obj, 6), syms = get(&obj, st + SH_OFFSET, 8);
	put(FRESH(), st + SH_ENTSIZE, 16, 8);
	EXPECT_ERR(&o, -EINVAL, "section 6 '.symtab': entry size 16, expected 24");
	put(FRESH(), st + SH_SIZE, 5 * 24 - 1, 8);
	EXPECT_ERR(&o, -EINVAL, "section 6 '.symtab': size 0x77 is not a multiple of 24");
	put(FRESH(), st + SH_LINK, 2, 4);
	EXPECT_ERR(&o, -EINVAL, "section 6 '.symtab': sh_link 2 is not a string table");
	put(FRESH(), st + SH_LINK, 99, 4);
	EXPECT_ERR(&o, -EINVAL, "sh_link 99 is not a string table");
	put(FRESH(), st + SH_INFO, 6, 4);
	EXPECT_ERR(&o, -EINVAL, "first global symbol 6 beyond the 5 symbols");
	put(FRESH(), syms + 3 * 24 + 0, 0xfffff, 4);
	EXPECT_ERR(&o, -EINVAL, "symbol 3: name offset 0xfffff outside the string table");
	put(FRESH(), syms + 4 * 24 + 6, 42, 2);
	EXPECT_ERR(&o, -EINVAL, "symbol 4 'var': section index 42 out of range");
	put(FRESH(), syms + 4 * 24 + 6, SHN_XINDEX, 2);
	EXPECT_ERR(&o, -EINVAL, "symbol 4 'var': extended section indices");
	put(FRESH(), shdr_at(&obj, 4) + SH_TYPE, SHT_SYMTAB, 4);
	EXPECT_ERR(&o, -EINVAL, "more than one symbol table");
	buf_free(&o);
	buf_free(&obj);
}

Test(elfr, bad_relocations)
{
	struct buf obj = { 0 }, o = { 0 };
	build(&obj);
	uint64_t rs = shdr_at(&obj, 3), rels = get(&obj, rs + SH_OFFSET, 8);
	put(FRESH(), rs + SH_ENTSIZE, 24, 8);
	EXPECT_ERR(&o, -EINVAL, "section 3 '.rel.text': entry size 24, expected 16");
	put(FRESH(), rs + SH_SIZE, 15, 8);
	EXPECT_ERR(&o, -EINVAL, "section 3 '.rel.text': size 0xf is not a multiple of 16");
	put(FRESH(), rs + SH_LINK, 1, 4);
	EXPECT_ERR(&o, -EINVAL, "section 3 '.rel.text': sh_link 1 is not the symbol table");
	put(FRESH(), rs + SH_INFO, 0, 4);
	EXPECT_ERR(&o, -EINVAL, "section 3 '.rel.text': sh_info 0 does not name a section");
	put(FRESH(), rs + SH_INFO, 70, 4);
	EXPECT_ERR(&o, -EINVAL, "sh_info 70 does not name a section");
	put(FRESH(), rs + SH_INFO, 5, 4);
	EXPECT_ERR(&o, -EINVAL, "relocates section 5, which has no relocatable contents");
	put(FRESH(), rels + 8, (uint64_t)9 << 32 | R_BPF_64_64, 8);
	EXPECT_ERR(&o, -EINVAL, "section 3 '.rel.text': relocation 0: symbol index 9 out of range");
	put(FRESH(), rels + 8, (uint64_t)2 << 32 | 77, 8);
	EXPECT_ERR(&o, -EINVAL, "section 3 '.rel.text': relocation 0: unknown type 77");
	put(FRESH(), rels + 0, 24, 8); /* a ld_imm64 needs 16 bytes: 24+16 > 32 */
	EXPECT_ERR(
		&o, -EINVAL,
		"section 3 '.rel.text': relocation 0 (R_BPF_64_64) at offset 0x18 beyond the end "
		"of section 2 '.text' (size 0x20)");
	put(FRESH(), rels + 0, UINT64_MAX - 4, 8);
	EXPECT_ERR(&o, -EINVAL, "beyond the end of section 2 '.text'");
	/* without a symbol table, relocations cannot be read */
	put(FRESH(), shdr_at(&obj, 6) + SH_TYPE, SHT_PROGBITS, 4);
	EXPECT_ERR(&o, -EINVAL, "sh_link 6 is not the symbol table");
	/* RELA is read too, with its addend */
	put(FRESH(), rs + SH_TYPE, SHT_RELA, 4);
	put(&o, rs + SH_ENTSIZE, 24, 8);
	put(&o, rs + SH_SIZE, 0, 8);
	char err[256];
	cr_assert_eq(open_err(&o, err, sizeof(err)), 0, "%s", err);
	buf_free(&o);
	buf_free(&obj);
}

Test(elfr, random_damage_never_crashes)
{
	struct buf obj = { 0 }, o = { 0 };
	build(&obj);
	uint64_t x = 88172645463325252ull;
	int ok = 0, bad = 0;
	for (int round = 0; round < 20000; round++) {
		FRESH();
		int flips = 1 + round % 4;
		for (int k = 0; k < flips; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			o.data[(x >> 8) % o.len] = (uint8_t)x;
		}
		char err[256];
		if (open_err(&o, err, sizeof(err)) == 0)
			ok++;
		else {
			bad++;
			cr_assert(err[0]);
		}
	}
	cr_log_info("random damage: %d still valid, %d rejected", ok, bad);
	cr_assert_gt(bad, 1000);
	buf_free(&o);
	buf_free(&obj);
}
