/* Corrupt BTF and .BTF.ext: every truncation, bad header fields, bad type
 * ids, string offsets, vlens, kinds and loops give a negative errno and a
 * message naming the type id; random mutations never crash (ASan build). */
#include "helpers.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

/* Type section offsets of the records in the blob built below. */
enum {
	T_INT = 0,
	T_PTR = 16,
	T_STRUCT = 28,
	T_PROTO = 64,
	T_FUNC = 84,
	T_TYPEDEF = 96,
	T_TAG = 108,
	T_VAR = 124,
	T_SEC = 140,
	T_END = 164
};
#define HDR 24

static void blob(struct buf *out)
{
	struct wbtf *b = wbtf_new();
	cr_assert_eq(wbtf_add_int(b, "int", 4, BTF_INT_SIGNED), 1);
	cr_assert_eq(wbtf_add_ptr(b, 1), 2);
	cr_assert_eq(wbtf_add_struct(b, "s", 16), 3);
	cr_assert_eq(wbtf_add_member(b, "a", 1, 0, 0), 0);
	cr_assert_eq(wbtf_add_member(b, "p", 2, 64, 0), 0);
	cr_assert_eq(wbtf_add_func_proto(b, 1), 4);
	cr_assert_eq(wbtf_add_param(b, "x", 1), 0);
	cr_assert_eq(wbtf_add_func(b, "f", BTF_FUNC_GLOBAL, 4), 5);
	cr_assert_eq(wbtf_add_typedef(b, "t", 3), 6);
	cr_assert_eq(wbtf_add_decl_tag(b, "tag", 3, 1), 7);
	cr_assert_eq(wbtf_add_var(b, "v", 1, BTF_VAR_GLOBAL_ALLOCATED), 8);
	cr_assert_eq(wbtf_add_datasec(b, ".data", 4), 9);
	cr_assert_eq(wbtf_add_datasec_var(b, 8, 0, 4), 0);
	cr_assert_eq(wbtf_encode(b, false, out), 0);
	wbtf_free(b);
}

static void put(struct buf *b, size_t off, uint32_t v)
{
	memcpy(b->data + off, &v, 4);
}

static uint32_t get(struct buf *b, size_t off)
{
	uint32_t v;
	memcpy(&v, b->data + off, 4);
	return v;
}

/* Parses b expecting failure with err and a message containing want. */
static void expect_bad(struct buf *b, int err, const char *want, const char *what)
{
	struct wbtf *btf = NULL;
	int rc = wbtf_parse(b->data, b->len, NULL, &btf);
	cr_assert_eq(rc, err, "%s: got %d (%s)", what, rc, wbtf_last_error());
	cr_assert_null(btf);
	cr_assert(strstr(wbtf_last_error(), want), "%s: message '%s' lacks '%s'", what,
		  wbtf_last_error(), want);
}

Test(corrupt, baseline_parses)
{
	struct buf b = { 0 };
	blob(&b);
	struct wbtf *btf;
	cr_assert_eq(wbtf_parse(b.data, b.len, NULL, &btf), 0, "%s", wbtf_last_error());
	cr_assert_eq(get(&b, 12), T_END, "type section layout the tests assume");
	wbtf_free(btf);
	buf_free(&b);
}

Test(corrupt, every_truncation_fails)
{
	struct buf b = { 0 };
	blob(&b);
	for (size_t n = 0; n < b.len; n++) {
		struct wbtf *btf = NULL;
		cr_assert_lt(wbtf_parse(b.data, n, NULL, &btf), 0, "truncated to %zu bytes", n);
		cr_assert_null(btf);
	}
	/* a truncated type section (header adjusted) names the record */
	memmove(b.data + HDR + T_END - 4, b.data + HDR + T_END, b.len - HDR - T_END);
	b.len -= 4;
	put(&b, 12, T_END - 4);
	put(&b, 16, T_END - 4);
	expect_bad(&b, -EINVAL, "[9]", "datasec cut short");
	buf_free(&b);
}

Test(corrupt, header_fields)
{
	struct buf b = { 0 };
	blob(&b);
	struct {
		size_t off;
		uint32_t val;
		int err;
		const char *want;
	} cases[] = {
		{ 0, 0x1234, -EINVAL, "magic" },
		{ 0, 0x02eb9f, -ENOTSUP, "version" },
		{ 0, 0x01eb9f | 1u << 24, -ENOTSUP, "flags" },
		{ 4, 8, -EINVAL, "header length" },
		{ 4, 0x10000, -EINVAL, "header length" },
		{ 12, 0x10000, -EINVAL, "past the end" },
		{ 8, 2, -EINVAL, "misaligned" },
		{ 16, 0xfffffff0, -EINVAL, "past the end" },
		{ 20, 3, -EINVAL, "NUL" },
		{ 16, 100, -EINVAL, "overlapping" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf c = { 0 };
		buf_append(&c, b.data, b.len);
		if (cases[i].off == 0)
			put(&c, 0, (get(&c, 0) & 0xff000000) | cases[i].val);
		else
			put(&c, cases[i].off, cases[i].val);
		expect_bad(&c, cases[i].err, cases[i].want, cases[i].want);
		buf_free(&c);
	}
	buf_free(&b);
}

Test(corrupt, type_records)
{
	struct buf b = { 0 };
	blob(&b);
	struct {
		size_t off; /* in the type section */
		uint32_t val;
		int err;
		const char *want;
	} cases[] = {
		{ T_PTR + 8, 99, -EINVAL, "[2] PTR: type: type id 99 out of range" },
		{ T_INT, 0xffff, -EINVAL, "[1] INT: name offset 65535" },
		{ T_STRUCT + 4, BTF_KIND_STRUCT << 24 | 1000, -EINVAL, "[3]: truncated" },
		{ T_PROTO + 4, 25u << 24 | 1, -EINVAL, "[4]: unknown kind 25" },
		{ T_TYPEDEF + 8, 6, -ELOOP, "[6] TYPEDEF 't': type chain loops back to [6]" },
		{ T_FUNC + 8, 1, -EINVAL, "[5] FUNC 'f': type: [1] is not a FUNC_PROTO" },
		{ T_STRUCT + 12 + 12 + 4, 5, -EINVAL,
		  "[3] STRUCT 's': member 1: refers to [5], a FUNC" },
		{ T_STRUCT + 12 + 12 + 8, 1000, -EINVAL,
		  "[3] STRUCT 's': member 1: bit offset 1000" },
		{ T_STRUCT + 12 + 12, 0x7fffff, -EINVAL, "[3] STRUCT 's': member 1: name offset" },
		{ T_INT + 12, 200, -EINVAL, "[1] INT 'int': bits_offset 0 + nr_bits 200" },
		{ T_INT + 12, 0x3000020, -EINVAL, "[1] INT 'int': bad int data" },
		{ T_PTR + 4, BTF_KIND_PTR << 24 | 1u << 31, -EINVAL,
		  "[2] PTR: kind_flag must be 0" },
		{ T_PTR + 4, BTF_KIND_PTR << 24 | 2, -EINVAL, "[2] PTR: vlen 2 must be 0" },
		{ T_FUNC + 4, BTF_KIND_FUNC << 24 | 7, -EINVAL, "[5] FUNC 'f': linkage 7" },
		{ T_TAG + 12, 5, -EINVAL,
		  "[7] DECL_TAG 'tag': component_idx 5: [3] has 2 members" },
		{ T_TAG + 8, 1, -EINVAL, "[7] DECL_TAG 'tag': tags [1], a INT" },
		{ T_SEC + 12, 1, -EINVAL, "[9] DATASEC '.data': variable 0: [1] is not a VAR" },
		{ T_VAR + 8, 0, -EINVAL, "[8] VAR 'v': type: type id 0 (void) not allowed" },
		{ T_VAR + 12, 9, -EINVAL, "[8] VAR 'v': linkage 9" },
		{ T_VAR, 0, -EINVAL, "[8] VAR: needs a name" },
		{ T_PROTO + 12 + 4, 0, -EINVAL, "[4] FUNC_PROTO: parameter 0: void" },
		{ T_STRUCT + 8, 4, -EINVAL, "[3] STRUCT 's': member 1: bit offset 64" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf c = { 0 };
		buf_append(&c, b.data, b.len);
		put(&c, HDR + cases[i].off, cases[i].val);
		expect_bad(&c, cases[i].err, cases[i].want, cases[i].want);
		buf_free(&c);
	}
	buf_free(&b);
}

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

Test(corrupt, random_mutations_never_crash)
{
	struct buf b = { 0 };
	blob(&b);
	uint64_t seed = 42;
	int rejected = 0, accepted = 0;
	for (int iter = 0; iter < 5000; iter++) {
		struct buf c = { 0 };
		buf_append(&c, b.data, b.len);
		int flips = 1 + rnd(&seed) % 4;
		for (int k = 0; k < flips; k++)
			c.data[rnd(&seed) % c.len] ^= (uint8_t)(1u << (rnd(&seed) % 8));
		struct wbtf *btf;
		if (wbtf_parse(c.data, c.len, NULL, &btf) == 0) {
			struct buf d = { 0 };
			wbtf_dump_text(btf, &d);
			wbtf_dump_c(btf, &d);
			for (uint32_t id = 1; id < wbtf_type_cnt(btf); id++) {
				wbtf_resolve_size(btf, id);
				wbtf_align_of(btf, id);
			}
			buf_free(&d);
			wbtf_free(btf);
			accepted++;
		} else {
			rejected++;
		}
		buf_free(&c);
	}
	cr_assert_gt(rejected, 1000);
	cr_assert_gt(accepted, 100);
	buf_free(&b);
}

/* .BTF.ext: records checked against the .BTF they refer to. */
Test(corrupt, ext_records)
{
	struct buf bb = { 0 };
	blob(&bb);
	struct wbtf *btf;
	cr_assert_eq(wbtf_parse(bb.data, bb.len, NULL, &btf), 0);
	struct wbtf_ext ext = { 0 };
	struct wbtf_ext_sec *s = wbtf_ext_section(&ext, btf, "xdp");
	cr_assert_eq(wbtf_ext_add_func(s, 0, 5), 0);
	cr_assert_eq(wbtf_ext_add_line(s, btf, 0, "a.c", "int f(int x)", 1, 1), 0);
	cr_assert_eq(wbtf_ext_add_core(s, btf, 8, 3, "0:1", BPF_CORE_FIELD_BYTE_OFFSET), 0);
	struct buf e = { 0 };
	cr_assert_eq(wbtf_ext_encode(&ext, false, &e), 0);
	struct wbtf_ext back;
	/* strings were added after parsing: the table grew, lookups still work */
	cr_assert_eq(wbtf_ext_parse(e.data, e.len, btf, &back), 0, "%s", wbtf_last_error());
	wbtf_ext_free(&back);
	for (size_t n = 0; n < e.len; n++)
		if (wbtf_ext_parse(e.data, n, btf, &back) == 0)
			wbtf_ext_free(&back); /* some prefixes drop whole subsections */
	/* layout: hdr 32 | func at 32: rec size, sec, 8-byte record | line at 52:
	 * rec size, sec, 16-byte record | core at 80: rec size, sec, 16-byte record */
	struct {
		size_t off;
		uint32_t val;
		const char *want;
	} cases[] = {
		{ 32, 4, "func_info record size 4" },
		{ 32 + 8, 0, "0 records" },
		{ 32 + 8, 1000, "1000 records" },
		{ 32 + 4, 0xfffff, "section name offset" },
		{ 32 + 12, 3, "insn_off 3" },
		{ 32 + 16, 1, "type_id 1 is not a FUNC" },
		{ 52 + 12 + 4, 0xfffff, "file_name_off" },
		{ 80 + 12 + 8, 1, "access string" },
		{ 80 + 12 + 12, 13, "kind 13" },
		{ 80 + 12 + 4, 99, "bad type_id 99" },
		{ 8, 0x1000, "outside the section" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf c = { 0 };
		buf_append(&c, e.data, e.len);
		put(&c, cases[i].off, cases[i].val);
		int rc = wbtf_ext_parse(c.data, c.len, btf, &back);
		cr_assert_lt(rc, 0, "%s: accepted", cases[i].want);
		cr_assert(strstr(wbtf_last_error(), cases[i].want), "message '%s' lacks '%s'",
			  wbtf_last_error(), cases[i].want);
		buf_free(&c);
	}
	buf_free(&e);
	buf_free(&bb);
	wbtf_ext_free(&ext);
	wbtf_free(btf);
}

/* Found by fuzzing: a member whose type is a typedef of a function type has
 * no alignment; format c must not divide by it. */
Test(corrupt, format_c_member_of_function_type)
{
	struct wbtf *b = wbtf_new();
	cr_assert_eq(wbtf_add_func_proto(b, 0), 1);
	cr_assert_eq(wbtf_add_typedef(b, "fn_t", 1), 2);
	cr_assert_eq(wbtf_add_int(b, "int", 4, BTF_INT_SIGNED), 3);
	cr_assert_eq(wbtf_add_struct(b, "odd", 16), 4);
	cr_assert_eq(wbtf_add_member(b, "f", 2, 0, 0), 0);
	cr_assert_eq(wbtf_add_member(b, "x", 3, 64, 0), 0);
	cr_assert_eq(wbtf_validate(b), 0, "%s", wbtf_last_error());
	struct buf out = { 0 };
	wbtf_dump_c(b, &out);
	cr_assert(strstr(buf_cstr(&out), "struct odd {"), "%s", buf_cstr(&out));
	buf_free(&out);
	wbtf_free(b);
}
