/* Building BTF: every kind through the builder, encode, read back, identical
 * dumps; bpftool reads what we write; big-endian and split BTF; BTF-defined
 * map structs laid out as clang lays them; .BTF.ext round trips. */
#include "helpers.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int32_t ok_(int32_t r, const char *expr)
{
	cr_assert_geq(r, 0, "%s: %s", expr, wbtf_last_error());
	return r;
}
#define OK(x) ok_((x), #x)

/* One of each kind, with the corners bpftool prints differently. */
static struct wbtf *build_all(void)
{
	struct wbtf *b = wbtf_new();
	int32_t i32 = OK(wbtf_add_int(b, "int", 4, BTF_INT_SIGNED));
	int32_t u32 = OK(wbtf_add_int(b, "unsigned int", 4, 0));
	int32_t chr = OK(wbtf_add_int(b, "char", 1, BTF_INT_CHAR));
	int32_t bl = OK(wbtf_add_int(b, "_Bool", 1, BTF_INT_BOOL));
	OK(wbtf_add_int_bits(b, "odd", 8, 0, 3, 20));
	int32_t flt = OK(wbtf_add_float(b, "double", 8));
	int32_t p = OK(wbtf_add_ptr(b, (uint32_t)i32));
	int32_t arr = OK(wbtf_add_array(b, (uint32_t)chr, (uint32_t)u32, 16));
	int32_t fwd = OK(wbtf_add_fwd(b, "opaque", false));
	OK(wbtf_add_fwd(b, "uopaque", true));
	int32_t e = OK(wbtf_add_enum(b, "color", 4, true));
	OK(wbtf_add_enum_value(b, "RED", -1));
	OK(wbtf_add_enum_value(b, "GREEN", 7));
	OK(wbtf_add_enum(b, "flags", 4, false));
	OK(wbtf_add_enum_value(b, "HIGH", 0x80000000u));
	OK(wbtf_add_enum64(b, "big", 8, false));
	OK(wbtf_add_enum_value(b, "HUGE", (int64_t)0xffffffff00000001ull));
	OK(wbtf_add_enum64(b, "sbig", 8, true));
	OK(wbtf_add_enum_value(b, "NEG", -(1ll << 40)));
	int32_t s = OK(wbtf_add_struct(b, "thing", 40));
	OK(wbtf_add_member(b, "a", (uint32_t)i32, 0, 0));
	OK(wbtf_add_member(b, "bits", (uint32_t)u32, 32, 3));
	OK(wbtf_add_member(b, "more", (uint32_t)u32, 35, 29));
	OK(wbtf_add_member(b, "name", (uint32_t)arr, 64, 0));
	OK(wbtf_add_member(b, "p", (uint32_t)p, 192, 0));
	OK(wbtf_add_member(b, "d", (uint32_t)flt, 256, 0));
	int32_t u = OK(wbtf_add_union(b, NULL, 8));
	OK(wbtf_add_member(b, "x", (uint32_t)i32, 0, 0));
	OK(wbtf_add_member(b, "c", (uint32_t)e, 0, 0));
	int32_t td = OK(wbtf_add_typedef(b, "thing_t", (uint32_t)s));
	int32_t cv = OK(wbtf_add_const(b, (uint32_t)OK(wbtf_add_volatile(b, (uint32_t)td))));
	OK(wbtf_add_restrict(b, (uint32_t)OK(wbtf_add_ptr(b, (uint32_t)cv))));
	int32_t tt = OK(wbtf_add_type_tag(b, "user", (uint32_t)i32));
	OK(wbtf_add_ptr(b, (uint32_t)tt));
	int32_t ps = OK(wbtf_add_ptr(b, (uint32_t)s));
	int32_t proto = OK(wbtf_add_func_proto(b, (uint32_t)i32));
	OK(wbtf_add_param(b, "t", (uint32_t)ps));
	OK(wbtf_add_ptr(b, (uint32_t)proto));
	cr_assert_eq(wbtf_add_param(b, "late", 0), -EINVAL, "the proto is no longer the last type");
	proto = OK(wbtf_add_func_proto(b, (uint32_t)i32));
	OK(wbtf_add_param(b, "t", (uint32_t)p));
	OK(wbtf_add_param(b, "n", (uint32_t)bl));
	OK(wbtf_add_param(b, NULL, 0));
	int32_t fs = OK(wbtf_add_func(b, "helper", BTF_FUNC_STATIC, (uint32_t)proto));
	OK(wbtf_add_func(b, "main", BTF_FUNC_GLOBAL, (uint32_t)proto));
	int32_t fe = OK(wbtf_add_func(b, "ext", BTF_FUNC_EXTERN, (uint32_t)proto));
	OK(wbtf_add_decl_tag(b, "kfunc", (uint32_t)fs, -1));
	OK(wbtf_add_decl_tag(b, "arg", (uint32_t)fs, 1));
	OK(wbtf_add_decl_tag(b, "field", (uint32_t)s, 2));
	int32_t v1 = OK(wbtf_add_var(b, "counter", (uint32_t)i32, BTF_VAR_GLOBAL_ALLOCATED));
	int32_t v2 = OK(wbtf_add_var(b, "local", (uint32_t)u, BTF_VAR_STATIC));
	int32_t v3 = OK(wbtf_add_var(b, "kconf", (uint32_t)u32, BTF_VAR_GLOBAL_EXTERN));
	(void)fwd;
	OK(wbtf_add_datasec(b, ".data", 16));
	OK(wbtf_add_datasec_var(b, (uint32_t)v1, 0, 4));
	OK(wbtf_add_datasec_var(b, (uint32_t)v2, 8, 8));
	OK(wbtf_add_datasec(b, ".kconfig", 0));
	OK(wbtf_add_datasec_var(b, (uint32_t)v3, 0, 4));
	OK(wbtf_add_datasec(b, ".ksyms", 0));
	OK(wbtf_add_datasec_var(b, (uint32_t)fe, 0, 0));
	cr_assert_eq(wbtf_validate(b), 0, "%s", wbtf_last_error());
	return b;
}

static void dump(const struct wbtf *b, struct buf *out)
{
	out->len = 0;
	wbtf_dump_text(b, out);
}

Test(build, encode_read_round_trip)
{
	struct wbtf *b = build_all();
	struct buf enc = { 0 }, enc2 = { 0 }, d1 = { 0 }, d2 = { 0 };
	cr_assert_eq(wbtf_encode(b, false, &enc), 0);
	struct wbtf *r;
	cr_assert_eq(wbtf_parse(enc.data, enc.len, NULL, &r), 0, "%s", wbtf_last_error());
	cr_assert_eq(wbtf_type_cnt(r), wbtf_type_cnt(b));
	dump(b, &d1);
	dump(r, &d2);
	cr_assert_str_eq(buf_cstr(&d1), buf_cstr(&d2));
	cr_assert(strstr(buf_cstr(&d1), "'bits' type_id=2 bits_offset=32 bitfield_size=3"));
	cr_assert(strstr(buf_cstr(&d1), "'HUGE' val=18446744069414584321ULL"));
	cr_assert(strstr(buf_cstr(&d1), "'NEG' val=-1099511627776LL"));
	cr_assert(strstr(buf_cstr(&d1), "'RED' val=-1"));
	cr_assert(strstr(buf_cstr(&d1), "'HIGH' val=2147483648"));
	cr_assert_eq(wbtf_encode(r, false, &enc2), 0);
	cr_assert(enc.len == enc2.len && !memcmp(enc.data, enc2.data, enc.len),
		  "encoding is stable");
	/* records decode to the same values */
	for (uint32_t id = 1; id < wbtf_type_cnt(b); id++) {
		const struct btf_type *x = wbtf_type_by_id(b, id), *y = wbtf_type_by_id(r, id);
		cr_assert_eq(x->info, y->info, "[%u]", id);
		cr_assert_str_eq(wbtf_name(b, id), wbtf_name(r, id));
		cr_assert_eq(wbtf_resolve_size(b, id), wbtf_resolve_size(r, id));
	}
	cr_assert_eq(wbtf_resolve_size(r, (uint32_t)wbtf_find_by_name_kind(r, "thing_t", -1)), 40);
	cr_assert_eq(wbtf_find_by_name_kind(r, "thing", BTF_KIND_UNION), -ENOENT);
	/* strings added to a read BTF are deduplicated against the read ones */
	int32_t off = wbtf_add_str(r, "thing");
	cr_assert_eq(off,
		     (int32_t)wbtf_type_by_id(r, (uint32_t)wbtf_find_by_name_kind(r, "thing", -1))
			     ->name_off);
	buf_free(&enc);
	buf_free(&enc2);
	buf_free(&d1);
	buf_free(&d2);
	wbtf_free(b);
	wbtf_free(r);
}

Test(build, big_endian_round_trip)
{
	struct wbtf *b = build_all();
	struct buf be = { 0 }, d1 = { 0 }, d2 = { 0 };
	cr_assert_eq(wbtf_encode(b, true, &be), 0);
	cr_assert_eq(be.data[0], 0xeb); /* magic 0xeB9F stored big-endian */
	struct wbtf *r;
	cr_assert_eq(wbtf_parse(be.data, be.len, NULL, &r), 0, "%s", wbtf_last_error());
	dump(b, &d1);
	dump(r, &d2);
	cr_assert_str_eq(buf_cstr(&d1), buf_cstr(&d2));
	buf_free(&be);
	buf_free(&d1);
	buf_free(&d2);
	wbtf_free(b);
	wbtf_free(r);
}

Test(build, bpftool_reads_what_we_write)
{
	if (!th_have("bpftool"))
		cr_skip_test("bpftool is not installed");
	struct wbtf *b = build_all();
	struct buf enc = { 0 }, mine = { 0 }, theirs = { 0 };
	cr_assert_eq(wbtf_encode(b, false, &enc), 0);
	char *obj = th_tmp("built.o"), *raw = th_tmp("built.btf");
	cr_assert_eq(th_write_elf(obj, enc.data, enc.len, NULL, 0), 0);
	FILE *f = fopen(raw, "wb");
	fwrite(enc.data, 1, enc.len, f);
	fclose(f);
	dump(b, &mine);
	char *cmd = xasprintf("bpftool btf dump file %s", obj);
	cr_assert_eq(th_run(cmd, &theirs), 0, "bpftool rejected our ELF");
	cr_assert_str_eq(buf_cstr(&theirs), buf_cstr(&mine));
	free(cmd);
	theirs.len = 0;
	cmd = xasprintf("bpftool btf dump file %s", raw);
	cr_assert_eq(th_run(cmd, &theirs), 0, "bpftool rejected our raw BTF");
	cr_assert_str_eq(buf_cstr(&theirs), buf_cstr(&mine));
	free(cmd);
	free(obj);
	free(raw);
	buf_free(&enc);
	buf_free(&mine);
	buf_free(&theirs);
	wbtf_free(b);
}

Test(build, split_btf)
{
	struct wbtf *base = wbtf_new();
	int32_t i32 = OK(wbtf_add_int(base, "int", 4, BTF_INT_SIGNED));
	int32_t sk = OK(wbtf_add_struct(base, "sock", 8));
	OK(wbtf_add_member(base, "fd", (uint32_t)i32, 0, 0));
	struct buf benc = { 0 }, senc = { 0 }, d1 = { 0 }, d2 = { 0 };
	OK(wbtf_encode(base, false, &benc));
	struct wbtf *rbase;
	cr_assert_eq(wbtf_parse(benc.data, benc.len, NULL, &rbase), 0);

	struct wbtf *mod = wbtf_new_split(rbase);
	cr_assert_eq(wbtf_start_id(mod), 3);
	int32_t p = OK(wbtf_add_ptr(mod, (uint32_t)sk));
	cr_assert_eq(p, 3);
	int32_t m = OK(wbtf_add_struct(mod, "mod_state", 16));
	OK(wbtf_add_member(mod, "sk", (uint32_t)p, 0, 0));
	OK(wbtf_add_member(mod, "n", (uint32_t)i32, 64, 0));
	OK(wbtf_encode(mod, false, &senc));
	struct wbtf *rmod;
	cr_assert_eq(wbtf_parse(senc.data, senc.len, rbase, &rmod), 0, "%s", wbtf_last_error());
	dump(mod, &d1);
	dump(rmod, &d2);
	cr_assert_str_eq(buf_cstr(&d1), buf_cstr(&d2));
	cr_assert(strstr(buf_cstr(&d2), "[4] STRUCT 'mod_state' size=16 vlen=2"));
	cr_assert_eq(wbtf_find_by_name_kind(rmod, "sock", BTF_KIND_STRUCT), sk);
	cr_assert_eq(wbtf_find_by_name_kind(rmod, "mod_state", -1), m);
	cr_assert_str_eq(wbtf_name(rmod, 2), "sock");
	/* without its base, the split blob's references don't resolve */
	struct wbtf *alone;
	cr_assert_lt(wbtf_parse(senc.data, senc.len, NULL, &alone), 0);
	buf_free(&benc);
	buf_free(&senc);
	buf_free(&d1);
	buf_free(&d2);
	wbtf_free(mod);
	wbtf_free(rmod);
	wbtf_free(rbase);
	wbtf_free(base);
}

Test(build, argument_errors)
{
	struct wbtf *b = wbtf_new();
	cr_assert_eq(wbtf_add_member(b, "x", 1, 0, 0), -EINVAL, "no struct open");
	cr_assert_eq(wbtf_add_int(b, "int", 3, 0), -EINVAL);
	cr_assert_eq(wbtf_add_int(b, "int", 4, 3), -EINVAL);
	cr_assert_eq(wbtf_add_float(b, "f", 5), -EINVAL);
	cr_assert_eq(wbtf_add_func(b, "f", 7, 1), -EINVAL);
	cr_assert_eq(wbtf_add_typedef(b, NULL, 0), -EINVAL);
	cr_assert_eq(wbtf_add_ptr(b, BTF_MAX_TYPE + 1), -EINVAL);
	OK(wbtf_add_enum(b, "e", 4, false));
	cr_assert_eq(wbtf_add_enum_value(b, "X", 1ll << 33), -EINVAL, "%s", "needs ENUM64");
	OK(wbtf_add_struct(b, "s", 4));
	cr_assert_eq(wbtf_add_member(b, "bf", 1, 1 << 24, 3), -EINVAL);
	/* forward references are fine until validation: a typedef loop is not */
	int32_t t1 = OK(wbtf_add_typedef(b, "a", 6));
	cr_assert_eq(t1, 3);
	OK(wbtf_add_int(b, "int", 4, BTF_INT_SIGNED));
	cr_assert_eq(wbtf_add_member(b, "x", 1, 0, 0), -EINVAL, "the struct is no longer open");
	wbtf_free(b);
}

Test(build, validate_finds_loops)
{
	struct wbtf *b = wbtf_new();
	OK(wbtf_add_typedef(b, "a", 2));
	OK(wbtf_add_const(b, 1));
	cr_assert_eq(wbtf_validate(b), -ELOOP);
	cr_assert(strstr(wbtf_last_error(), "[1]") || strstr(wbtf_last_error(), "[2]"), "%s",
		  wbtf_last_error());
	wbtf_free(b);
	/* a list node pointing to itself is fine */
	b = wbtf_new();
	OK(wbtf_add_struct(b, "node", 8));
	OK(wbtf_add_member(b, "next", 2, 0, 0));
	OK(wbtf_add_ptr(b, 1));
	cr_assert_eq(wbtf_validate(b), 0, "%s", wbtf_last_error());
	wbtf_free(b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A map struct as sorted "name:type" lines: the member order is the
 * source's (libbpf ignores it), the helper uses a fixed one. */
static char *describe_map(const struct wbtf *btf, uint32_t id)
{
	const struct btf_type *t = wbtf_type_by_id(btf, id);
	char *lines[16];
	unsigned n = wbtf_vlen(t);
	cr_assert_leq(n, 16);
	for (unsigned i = 0; i < n; i++) {
		struct buf d = { 0 };
		buf_printf(&d, "%s:", wbtf_str(btf, wbtf_members(t)[i].name_off));
		cr_assert_eq(wbtf_member_bit_offset(t, i) % 64, 0);
		th_describe(btf, wbtf_members(t)[i].type, &d, 5);
		lines[i] = buf_steal(&d);
	}
	qsort(lines, n, sizeof(char *), cmp_str);
	struct buf out = { 0 };
	buf_printf(&out, "%s size=%u\n", wbtf_name(btf, id), t->size);
	for (unsigned i = 0; i < n; i++) {
		buf_printf(&out, "%s\n", lines[i]);
		free(lines[i]);
	}
	return buf_steal(&out);
}

/* The map structs we build describe like the ones clang emits. */
Test(build, map_defs_like_clang)
{
	if (!th_have("clang-19"))
		cr_skip_test("clang-19 is not installed");
	char *obj = th_clang("kinds.c", NULL);
	struct wbtf *c = th_load_obj_btf(obj, NULL);
	struct wbtf *b = wbtf_new();
	int32_t u32 =
		OK(wbtf_add_typedef(b, "u32", (uint32_t)OK(wbtf_add_int(b, "unsigned int", 4, 0))));
	/* struct holder, borrowed from clang's BTF by copying its description */
	int32_t holder_c = wbtf_find_by_name_kind(c, "holder", BTF_KIND_STRUCT);
	cr_assert_gt(holder_c, 0);
	int32_t holder = OK(wbtf_add_fwd(b, "holder", false));
	struct wbtf_map_def hash = { .type = BPF_MAP_TYPE_HASH,
				     .key_type = (uint32_t)u32,
				     .value_type = (uint32_t)holder,
				     .max_entries = 128,
				     .map_flags = BPF_F_NO_PREALLOC,
				     .has_map_flags = true,
				     .pinning = 1,
				     .has_pinning = true };
	int32_t m = OK(wbtf_add_map_def(b, &hash));
	struct wbtf_map_def inner = { .struct_name = "inner",
				      .type = BPF_MAP_TYPE_ARRAY,
				      .max_entries = 1 };
	int32_t int_id = wbtf_find_by_name_kind(b, "int", BTF_KIND_INT);
	inner.key_type = inner.value_type = (uint32_t)int_id;
	int32_t in = OK(wbtf_add_map_def(b, &inner));
	struct wbtf_map_def outer = { .type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
				      .max_entries = 4,
				      .key_size = 4,
				      .values_type = (uint32_t)in };
	int32_t out = OK(wbtf_add_map_def(b, &outer));
	OK(wbtf_add_map_var(b, "m", (uint32_t)m));

	struct {
		const char *var;
		int32_t mine;
	} cases[] = { { "inner_map", in }, { "outer", out } };
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int32_t v = wbtf_find_by_name_kind(c, cases[i].var, BTF_KIND_VAR);
		cr_assert_gt(v, 0);
		char *x = describe_map(c, wbtf_type_by_id(c, (uint32_t)v)->type);
		char *y = describe_map(b, (uint32_t)cases[i].mine);
		cr_assert_str_eq(y, x, "map %s:\n%s\n%s", cases[i].var, y, x);
		free(x);
		free(y);
	}
	/* the hash map: compare member names, offsets and attribute values
	 * (clang's value type is the full struct, ours a forward) */
	int32_t v = wbtf_find_by_name_kind(c, "m", BTF_KIND_VAR);
	const struct btf_type *ct = wbtf_type_by_id(c, wbtf_type_by_id(c, (uint32_t)v)->type);
	cr_assert_eq(ct->size, wbtf_type_by_id(b, (uint32_t)m)->size);
	char *x = describe_map(c, wbtf_type_by_id(c, (uint32_t)v)->type);
	char *y = describe_map(b, (uint32_t)m);
	/* clang's value points to the full struct holder, ours to a FWD */
	char *cut = strstr(x, "value:"), *cut2 = strstr(y, "value:");
	cr_assert(cut && cut2);
	*strchr(cut, '\n') = 0;
	*strchr(cut2, '\n') = 0;
	cr_assert(strstr(cut, "PTR''->STRUCT'holder'") && strstr(cut2, "PTR''->FWD'holder'"));
	memmove(cut, cut + strlen(cut) + 1, strlen(cut + strlen(cut) + 1) + 1);
	memmove(cut2, cut2 + strlen(cut2) + 1, strlen(cut2 + strlen(cut2) + 1) + 1);
	cr_assert_str_eq(y, x);
	free(x);
	free(y);
	cr_assert_eq(wbtf_validate(b), 0, "%s", wbtf_last_error());
	(void)holder_c;
	free(obj);
	wbtf_free(b);
	wbtf_free(c);
}

Test(ext, build_encode_parse)
{
	struct wbtf *b = build_all();
	struct wbtf_ext ext = { 0 }, back;
	int32_t fn = wbtf_find_by_name_kind(b, "main", BTF_KIND_FUNC);
	int32_t st = wbtf_find_by_name_kind(b, "thing", BTF_KIND_STRUCT);
	struct wbtf_ext_sec *xdp = wbtf_ext_section(&ext, b, "xdp");
	struct wbtf_ext_sec *text = wbtf_ext_section(&ext, b, ".text");
	cr_assert_eq(wbtf_ext_section(&ext, b, "xdp"), xdp);
	OK(wbtf_ext_add_func(xdp, 0, (uint32_t)fn));
	OK(wbtf_ext_add_line(xdp, b, 0, "x.c", "int main(void) {", 3, 1));
	OK(wbtf_ext_add_line(xdp, b, 16, "x.c", "return t->a;", 4, 9));
	OK(wbtf_ext_add_core(xdp, b, 8, (uint32_t)st, "0:1", BPF_CORE_FIELD_BYTE_OFFSET));
	OK(wbtf_ext_add_func(text, 0, (uint32_t)fn));
	OK(wbtf_ext_add_line(text, b, 0, "y.c", "", 1, 0));
	cr_assert_eq(wbtf_ext_add_func(text, 3, (uint32_t)fn), -EINVAL);
	struct buf btf_enc = { 0 }, ext_enc = { 0 }, d1 = { 0 }, d2 = { 0 };
	OK(wbtf_encode(b, false, &btf_enc));
	OK(wbtf_ext_encode(&ext, false, &ext_enc));
	struct wbtf *r;
	cr_assert_eq(wbtf_parse(btf_enc.data, btf_enc.len, NULL, &r), 0);
	cr_assert_eq(wbtf_ext_parse(ext_enc.data, ext_enc.len, r, &back), 0, "%s",
		     wbtf_last_error());
	wbtf_ext_dump(&ext, b, &d1);
	wbtf_ext_dump(&back, r, &d2);
	cr_assert_str_eq(buf_cstr(&d1), buf_cstr(&d2));
	cr_assert(strstr(buf_cstr(&d2), "line insn_off=16 x.c:4:9 'return t->a;'"), "%s",
		  buf_cstr(&d2));
	char *want = xasprintf("core insn_off=8 <byte_off> [%d] STRUCT 'thing' access=0:1", st);
	cr_assert(strstr(buf_cstr(&d2), want), "%s", buf_cstr(&d2));
	free(want);
	/* big-endian too */
	buf_free(&ext_enc);
	buf_free(&btf_enc);
	wbtf_ext_free(&back);
	OK(wbtf_ext_encode(&ext, true, &ext_enc));
	cr_assert_eq(wbtf_ext_parse(ext_enc.data, ext_enc.len, r, &back), 0, "%s",
		     wbtf_last_error());
	cr_assert_eq(back.nr_secs, 2);
	cr_assert_eq(back.secs[0].line[1].line_col, 4 << 10 | 9);
	/* bpftool reads the object with both sections */
	if (th_have("bpftool")) {
		char *obj = th_tmp("ext.o");
		buf_free(&ext_enc);
		OK(wbtf_encode(b, false, &btf_enc));
		OK(wbtf_ext_encode(&ext, false, &ext_enc));
		cr_assert_eq(
			th_write_elf(obj, btf_enc.data, btf_enc.len, ext_enc.data, ext_enc.len), 0);
		char *cmd = xasprintf("bpftool btf dump file %s >/dev/null", obj);
		cr_assert_eq(th_run(cmd, NULL), 0);
		free(cmd);
		free(obj);
	}
	buf_free(&btf_enc);
	buf_free(&ext_enc);
	buf_free(&d1);
	buf_free(&d2);
	wbtf_ext_free(&ext);
	wbtf_ext_free(&back);
	wbtf_free(r);
	wbtf_free(b);
}
