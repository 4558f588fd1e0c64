/* Disassembler: llvm-objdump-19's quirks pinned down offline, then a
 * differential test against llvm-objdump-19 itself on objects full of random
 * encodings, random symbols and random relocations (built with elfw). */
#include "backend/disasm.h"
#include "elf/elfw.h"
#include "tests/unit/elf/testutil.h"

#include <criterion/criterion.h>
#include <string.h>

static const char *dis(const void *bytes, size_t len, unsigned flags)
{
	static struct buf b;
	b.len = 0;
	disasm_decode(bytes, len, 0, flags, &b);
	return buf_cstr(&b);
}

#define INSN(...) ((const uint8_t[]){ __VA_ARGS__ })

Test(disasm, llvm_decoder_quirks)
{
	/* fields llvm does not define are ignored ... */
	cr_assert_str_eq(dis(INSN(0x07, 0x21, 0, 0, 5, 0, 0, 0), 8, 0), "r1 += 0x5");
	cr_assert_str_eq(dis(INSN(0x84, 0x21, 4, 0, 5, 0, 0, 0), 8, 0), "w1 = -w1");
	cr_assert_str_eq(dis(INSN(0x95, 0x21, 3, 0, 0, 0, 0, 0), 8, 0), "exit");
	cr_assert_str_eq(dis(INSN(0x8d, 0xc1, 0, 0, 1, 0, 0, 0), 8, 0), "callx r1");
	/* ... fields it fixes are not */
	cr_assert_str_eq(dis(INSN(0x95, 0, 0, 0, 1, 0, 0, 0), 8, 0), "<unknown>");
	cr_assert_str_eq(dis(INSN(0x07, 0x01, 4, 0, 5, 0, 0, 0), 8, 0), "<unknown>");
	/* registers above r11 make it unknown, r11 itself is fine */
	cr_assert_str_eq(dis(INSN(0xbf, 0x2b, 0, 0, 0, 0, 0, 0), 8, 0), "r11 = r2");
	cr_assert_str_eq(dis(INSN(0xbf, 0xc1, 0, 0, 0, 0, 0, 0), 8, 0), "<unknown>");
	/* without alu32 llvm knows one 32-bit atomic, add, and ignores BPF_FETCH */
	cr_assert_str_eq(dis(INSN(0xc3, 0x21, 0, 0, 1, 0, 0, 0), 8, 0),
			 "lock *(u32 *)(r1 + 0x0) += r2");
	cr_assert_str_eq(dis(INSN(0xc3, 0x21, 0, 0, 1, 0, 0, 0), 8, DISASM_ALU32),
			 "w2 = atomic_fetch_add((u32 *)(r1 + 0x0), w2)");
	cr_assert_str_eq(dis(INSN(0xc3, 0x21, 0, 0, 0x40, 0, 0, 0), 8, 0), "<unknown>");
	/* non-fetching atomics look only at imm bits 7-4 */
	cr_assert_str_eq(dis(INSN(0xdb, 0x21, 0, 0, 0x4f, 1, 0, 0), 8, 0),
			 "lock *(u64 *)(r1 + 0x0) |= r2");
	/* 32-bit loads and stores name w registers only with alu32 */
	cr_assert_str_eq(dis(INSN(0x61, 0x21, 0xfc, 0xff, 0, 0, 0, 0), 8, 0),
			 "r1 = *(u32 *)(r2 - 0x4)");
	cr_assert_str_eq(dis(INSN(0x61, 0x21, 0xfc, 0xff, 0, 0, 0, 0), 8, DISASM_ALU32),
			 "w1 = *(u32 *)(r2 - 0x4)");
	cr_assert_str_eq(dis(INSN(0x61, 0x21, 0x00, 0x80, 0, 0, 0, 0), 8, 0),
			 "r1 = *(u32 *)(r2 - 0x8000)");
	/* ld_imm64 ignores its second slot's other fields; needs 16 bytes */
	cr_assert_str_eq(
		dis(INSN(0x18, 0x01, 0, 0, 1, 0, 0, 0, 0x07, 0x11, 1, 0, 2, 0, 0, 0), 16, 0),
		"r1 = 0x200000001 ll");
	struct buf b = { 0 };
	struct disasm_result r = disasm_decode(INSN(0x18, 1, 0, 0, 0, 0, 0, 0), 8, 0, 0, &b);
	cr_assert_eq(r.size, 0, "a ld_imm64 cut short consumes nothing (llvm then skips a byte)");
	cr_assert_not(r.valid);
	buf_free(&b);
	cr_assert_str_eq(
		dis(INSN(0x18, 0x01, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x80), 16,
		    0),
		"r1 = -0x7fffffff00000001 ll");
	cr_assert_str_eq(dis(INSN(0x18, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80), 16, 0),
			 "r1 = -0x8000000000000000 ll");
	/* branch offsets are signed and hex; gotol takes imm */
	cr_assert_str_eq(dis(INSN(0x05, 0, 0x00, 0x80, 0, 0, 0, 0), 8, 0), "goto -0x8000");
	cr_assert_str_eq(dis(INSN(0x06, 0, 0, 0, 0, 0, 0, 0x80), 8, 0), "gotol -0x80000000");
	cr_assert_str_eq(dis(INSN(0xae, 0x12, 2, 0, 0, 0, 0, 0), 8, 0), "if w2 < w1 goto +0x2");
	cr_assert_str_eq(dis(INSN(0xc5, 0x01, 0xfe, 0xff, 0xfb, 0xff, 0xff, 0xff), 8, 0),
			 "if r1 s< -0x5 goto -0x2");
	cr_assert_str_eq(dis(INSN(0xbf, 0x21, 1, 0, 0xff, 0xff, 0xff, 0xff), 8, 0),
			 "r1 = addr_space_cast(r2, 0xffff, 0xffff)");
	cr_assert_str_eq(dis(INSN(0x30, 0xff, 3, 0, 0x10, 0, 0, 0), 8, 0), "r0 = *(u8 *)skb[0x10]");
	cr_assert_str_eq(dis(INSN(0x48, 0x30, 0, 0, 0, 0, 0, 0), 8, 0), "r0 = *(u16 *)skb[r3]");
	cr_assert_str_eq(dis(INSN(0x07, 0x01), 2, 0), "<unknown>");
	/* --no-print-imm-hex */
	cr_assert_str_eq(dis(INSN(0x61, 0x21, 0xfc, 0xff, 0, 0, 0, 0), 8, DISASM_DECIMAL),
			 "r1 = *(u32 *)(r2 - 4)");
	cr_assert_str_eq(
		dis(INSN(0xc6, 0x01, 0xfe, 0xff, 0xfb, 0xff, 0xff, 0xff), 8, DISASM_DECIMAL),
		"if w1 s< -5 goto -2");
	cr_assert_str_eq(dis(INSN(0x18, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80), 16,
			     DISASM_DECIMAL),
			 "r1 = -9223372036854775808 ll");
}

Test(disasm, branch_targets)
{
	struct buf b = { 0 };
	struct disasm_result r =
		disasm_decode(INSN(0x05, 0, 0xff, 0xff, 0, 0, 0, 0), 8, 0x1b8, 0, &b);
	cr_assert(r.has_target && r.target == 0x1b8);
	r = disasm_decode(INSN(0x06, 0, 0, 0, 0xfd, 0xff, 0xff, 0xff), 8, 0x1c8, 0, &b);
	cr_assert(r.has_target && r.target == 0x1b8);
	r = disasm_decode(INSN(0x05, 0, 0x00, 0x80, 0, 0, 0, 0), 8, 0, 0, &b);
	cr_assert_eq(r.target, (uint64_t)8 - 0x40000, "targets wrap like llvm's uint64 arithmetic");
	r = disasm_decode(INSN(0x85, 0x10, 0, 0, 2, 0, 0, 0), 8, 0, 0, &b);
	cr_assert_not(r.has_target, "calls are not annotated");
	buf_free(&b);
}

Test(disasm, insn_listing)
{
	struct bpf_insn p[4];
	p[0] = insn_mov_imm(true, 0, 1);
	insn_ld_map_fd(&p[1], 1, 3);
	p[3] = insn_exit();
	struct buf b = { 0 };
	disasm_insns(p, 4, 0, &b);
	cr_assert_str_eq(buf_cstr(&b), "       0:\tr0 = 0x1\n"
				       "       1:\tld_pseudo\tr1, 0x1, 0x3\n"
				       "       3:\texit\n");
	buf_free(&b);
}

/* A listing with everything llvm-objdump does around the instructions; the
 * expected text is llvm-objdump-19's output for the same bytes. */
Test(disasm, section_listing)
{
	static const uint8_t code[] = {
		0xb7, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* 0: r0 = 1 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 8: zeros, skipped */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 24: r1 = 0 ll, reloc */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x15, 0x01, 0xfb, 0xff, 0x00, 0x00, 0x00, 0x00, /* 40: if r1 == 0 goto -5 */
		0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 48: exit */
		'a',  'b',  0x00, 0x7f, 'c',  0x20, 0x00, 0x00, /* 56: object "tbl" */
		0x01, 0x02, 0x03,				/* 64: stray bytes */
	};
	static const struct disasm_sym syms[] = {
		{ 0, "", STT_SECTION },	     { 0, "zz_local", STT_NOTYPE },
		{ 0, "prog", STT_FUNC },     { 48, "tail", STT_NOTYPE },
		{ 56, "tbl", STT_OBJECT },   { 64, "end", STT_NOTYPE },
		{ 100, "beyond", STT_FUNC },
	};
	static const struct disasm_reloc relocs[] = {
		{ 24, "R_BPF_64_64", "map" },
		{ 0, "R_BPF_64_32", "first" },
		{ 60, "R_BPF_64_ABS32", "in_data" },
	};
	struct disasm_section sec = { "xdp", code, sizeof(code), syms, 7, relocs, 3, NULL, 0 };
	struct buf b = { 0 };
	disasm_section(&sec, 0, &b);
	cr_assert_str_eq(
		buf_cstr(&b),
		"\nDisassembly of section xdp:\n"
		"\n0000000000000000 <zz_local>:\n"
		"       0:\tb7 00 00 00 01 00 00 00\tr0 = 0x1\n"
		"\t\t0000000000000000:  R_BPF_64_32\tfirst\n"
		"\t\t...\n"
		"       3:\t18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00\tr1 = 0x0 ll\n"
		"\t\t0000000000000018:  R_BPF_64_64\tmap\n"
		"       5:\t15 01 fb ff 00 00 00 00\tif r1 == 0x0 goto -0x5 <zz_local+0x8>\n"
		"\n0000000000000030 <tail>:\n"
		"       6:\t95 00 00 00 00 00 00 00\texit\n"
		"\n0000000000000038 <tbl>:\n"
		"      38: 61 62 00 7f 63 20 00 00         ab..c ..\n"
		"\n0000000000000040 <end>:\n"
		"       8:\t01\t<unknown>\n"
		"       8:\t02\t<unknown>\n"
		"       8:\t03\t<unknown>\n");
	b.len = 0;
	disasm_section(&sec, DISASM_NO_RAW | DISASM_NO_RELOCS, &b);
	cr_assert(strstr(buf_cstr(&b), "       5:\tif r1 == 0x0 goto -0x5 <zz_local+0x8>\n"));
	cr_assert_null(strstr(buf_cstr(&b), "R_BPF"));
	buf_free(&b);
}

/* ---- differential test against llvm-objdump-19 ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static uint32_t pick(const uint32_t *v, size_t n)
{
	return v[rnd() % n];
}

/* Instructions biased toward the interesting field values. */
static void random_insn(uint8_t out[8])
{
	static const uint32_t imms[] = {
		0,    0,    1,	  8,	16,   32,    64,    0x01,    0x40,	 0x41,	    0x50,
		0x51, 0xa0, 0xa1, 0xe1, 0xf1, 0x100, 0x110, 0x10000, 0xffffffff, 0x80000000
	};
	static const uint32_t offs[] = { 0, 0, 0, 1, 8, 16, 32, 0xffff, 0x8000, 0x7fff };
	out[0] = (uint8_t)rnd();
	unsigned dst = rnd() % 8 ? rnd() % 12 : rnd() % 16;
	unsigned src = rnd() % 8 ? rnd() % 12 : rnd() % 16;
	out[1] = (uint8_t)(src << 4 | dst);
	uint32_t off = rnd() % 3 ? pick(offs, ARRAY_LEN(offs)) : rnd() & 0xffff;
	uint32_t imm = rnd() % 3 ? pick(imms, ARRAY_LEN(imms)) : rnd();
	out[2] = (uint8_t)off, out[3] = (uint8_t)(off >> 8);
	memcpy(out + 4, &imm, 4);
}

static void build_random_object(struct buf *obj, unsigned ninsns)
{
	struct elfw *w = elfw_new();
	struct elfw_symbol file = { "random.c", ELFW_ABS, 0, 0, STB_LOCAL, STT_FILE, 0 };
	elfw_add_symbol(w, &file);
	elfw_sec text =
		elfw_add_section(w, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 8, NULL, 0);
	elfw_sec prog = elfw_add_section(w, "xdp/prog", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 8,
					 NULL, 0);
	elfw_sec data = elfw_add_section(w, ".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 8,
					 "0123456789abcdef", 16);
	elfw_sec secs[2] = { text, prog };
	elfw_sym targets[64];
	size_t ntargets = 0;
	targets[ntargets++] = elfw_section_symbol(w, data);
	targets[ntargets++] = elfw_section_symbol(w, text);
	struct elfw_symbol ext = { "ext_fn", ELFW_UNDEF, 0, 0, STB_GLOBAL, STT_NOTYPE, 0 };
	targets[ntargets++] = elfw_add_symbol(w, &ext);

	for (int s = 0; s < 2; s++) {
		for (unsigned i = 0; i < ninsns; i++) {
			uint8_t insn[8];
			random_insn(insn);
			if (rnd() % 40 == 0)
				memset(insn, 0, 8);
			uint64_t off = (uint64_t)elfw_append(w, secs[s], insn, 8);
			if (rnd() % 25 == 0 && ntargets < ARRAY_LEN(targets)) {
				static const char *names[] = { "alpha", "beta", "zeta", "Beta",
							       "_x" };
				static const uint8_t types[] = { STT_FUNC, STT_NOTYPE, STT_OBJECT };
				char *name = xasprintf("%s%u", names[rnd() % 5], rnd() % 4);
				struct elfw_symbol sym = { name,
							   secs[s],
							   off + (rnd() % 8 ? 0 : 4),
							   0,
							   rnd() % 2 ? STB_LOCAL : STB_GLOBAL,
							   types[rnd() % 3],
							   0 };
				if (sym.type == STT_OBJECT && rnd() % 2)
					sym.size = 8;
				targets[ntargets++] = elfw_add_symbol(w, &sym);
				free(name);
			}
		}
		/* trailing bytes that are not a whole instruction */
		if (rnd() % 2)
			elfw_append(w, secs[s], "\x95\x00\x00", rnd() % 3 + 1);
		for (unsigned k = 0; k < ninsns / 20; k++) {
			static const uint32_t types[] = { R_BPF_64_64, R_BPF_64_32, R_BPF_64_ABS64,
							  R_BPF_64_ABS32, R_BPF_64_NODYLD32 };
			uint32_t type = types[rnd() % 5];
			uint64_t size = elfw_section_size(w, secs[s]);
			uint64_t off = (rnd() % (ninsns - 2)) * 8 + (rnd() % 4 == 0 ? 4 : 0);
			if (off + elf_bpf_reloc_width(type) <= size)
				cr_assert_eq(elfw_add_reloc(w, secs[s], off,
							    targets[rnd() % ntargets], type),
					     0, "%s", elfw_error(w));
		}
	}
	cr_assert_eq(elfw_finish(w, obj), 0);
	elfw_free(w);
}

static void compare_with_llvm(const char *obj_path, const char *flags)
{
	struct buf want = { 0 }, got = { 0 };
	char *cmd = xasprintf("cd '%s' && llvm-objdump-19 -d %s random.o", obj_path, flags);
	cr_assert_eq(tu_run(cmd, &want), 0, "%s", cmd);
	free(cmd);
	cmd = xasprintf("cd '%s' && '%s' objdump -d %s random.o", obj_path, WHISTLER_BIN, flags);
	cr_assert_eq(tu_run(cmd, &got), 0, "%s", cmd);
	free(cmd);
	char *diff = tu_first_diff(buf_cstr(&want), buf_cstr(&got));
	cr_assert_null(diff, "whistler objdump -d %s differs from llvm-objdump-19 at %s", flags,
		       diff);
	buf_free(&want);
	buf_free(&got);
}

Test(disasm, random_encodings_match_llvm_objdump, .timeout = 300)
{
	if (!tu_have("llvm-objdump-19"))
		cr_skip_test("llvm-objdump-19 not installed: cannot compare the disassembler");
	char *dir = tu_tmpdir();
	cr_assert(dir);
	for (int round = 0; round < 12; round++) {
		struct buf obj = { 0 };
		build_random_object(&obj, 1500);
		char *path = xasprintf("%s/random.o", dir);
		cr_assert_eq(file_write_atomic(path, obj.data, obj.len), 0);
		free(path);
		buf_free(&obj);
		compare_with_llvm(dir, "-r");
		compare_with_llvm(dir, "-r --mattr=+alu32");
		if (round % 4 == 0) {
			compare_with_llvm(dir, "");
			compare_with_llvm(dir, "-r --no-show-raw-insn");
			compare_with_llvm(dir, "-r --no-print-imm-hex --mattr=+alu32");
		}
	}
	tu_rmdir(dir);
}
