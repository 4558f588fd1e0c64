/* ir: the builder API, tables, constant evaluation, dominators, and the
 * printer/parser/verifier working on modules built in memory. */
#include "ir/ir.h"
#include "ir/pass.h"

#include <criterion/criterion.h>
#include <string.h>

static struct srcmgr sm;
static struct diag d;
static struct buf diags;

static void setup(void)
{
	memset(&sm, 0, sizeof(sm));
	diag_init(&d, &sm);
	d.capture = &diags;
	d.no_caret = true;
}

static void teardown(void)
{
	buf_free(&diags);
	srcmgr_free(&sm);
}

static struct ir_module *parse(const char *text)
{
	uint32_t f = srcmgr_add(&sm, "t.wir", text, strlen(text));
	return ir_parse(&d, f);
}

TestSuite(ir, .init = setup, .fini = teardown);

Test(ir, tables)
{
	cr_assert_str_eq(ir_ops[IR_LOAD_U32].name, "load.u32");
	cr_assert_eq(ir_ops[IR_LOAD_U32].param, 4);
	cr_assert_eq(ir_op_lookup("atomic.cmpxchg.u64", 18), IR_CMPXCHG_U64);
	cr_assert_eq(ir_op_lookup("nope", 4), IR_NOPS);
	const struct ir_helper *h = ir_helper_by_name("map_lookup_elem", 15);
	cr_assert_not_null(h);
	cr_assert_eq(h->id, 1);
	cr_assert_eq(h->ret, HR_MAPVAL_OR_NULL);
	cr_assert_eq(h->args[0], HA_MAP);
	cr_assert_eq(h->args[1], HA_KEY);
	cr_assert_eq(ir_helper_by_id(181)->args[1], HA_FUNC); /* bpf_loop's callback */
	cr_assert_str_eq(ir_helper_by_id(211)->name, "cgrp_storage_delete");
	cr_assert_null(ir_helper_by_id(0));
	cr_assert_null(ir_helper_by_id(212));
	cr_assert_eq(ir_region_nonnull(RG_MAPVAL_NULL), RG_MAPVAL);
	cr_assert_eq(ir_region_nonnull(RG_SOCK_NULL), RG_SOCK);
	cr_assert_eq(ir_region_nonnull(RG_PKT), RG_PKT);
	cr_assert_eq(ir_ctx_field_region(IR_PROG_xdp, 4, 4), RG_PKT_END);
	cr_assert_eq(ir_ctx_field_region(IR_PROG_sched_cls, 76, 4), RG_PKT);
	cr_assert_eq(ir_ctx_field_region(IR_PROG_sched_cls, 76, 2), RG_ANY);
	cr_assert_eq(ir_ctx_field_region(IR_PROG_sk_lookup, 0, 8), RG_SOCK_NULL);
	cr_assert_eq(ir_maptypes[ir_maptype_lookup("ringbuf")].kernel_id, 27);
	cr_assert_eq(ir_progtypes[ir_progtype_lookup("sk_lookup")].kernel_id, 30);
}

Test(ir, eval_bpf_semantics)
{
	int64_t r;
	cr_assert(ir_eval(IR_UDIV, IR_I64, 7, 0, &r) && r == 0);
	cr_assert(ir_eval(IR_UREM, IR_I64, 7, 0, &r) && r == 7);
	cr_assert(ir_eval(IR_SDIV, IR_I64, INT64_MIN, -1, &r) && r == INT64_MIN);
	cr_assert(ir_eval(IR_SREM, IR_I64, INT64_MIN, -1, &r) && r == 0);
	cr_assert(ir_eval(IR_SDIV, IR_I32, 0x80000000, 0xffffffff, &r) && r == 0x80000000);
	cr_assert(ir_eval(IR_ADD, IR_I32, 0xffffffff, 1, &r) && r == 0);
	cr_assert(ir_eval(IR_ASHR, IR_I32, 0x80000000, 4, &r) && r == 0xf8000000);
	cr_assert(ir_eval(IR_LSHR, IR_I64, -1, 60, &r) && r == 15);
	cr_assert(ir_eval(IR_SHL, IR_I32, 1, 33, &r) && r == 2, "shift counts are masked");
	cr_assert(ir_eval(IR_BE16, IR_I64, 0x11223344, 0, &r) && r == 0x4433);
	cr_assert(ir_eval(IR_LE32, IR_I64, 0x1122334455667788, 0, &r) && r == 0x55667788);
	cr_assert(ir_eval(IR_BSWAP64, IR_I64, 0x0102030405060708, 0, &r) && r == 0x0807060504030201);
	cr_assert(ir_eval(IR_SEXT8, IR_I64, 0xff, 0, &r) && r == -1);
	cr_assert(ir_eval(IR_SEXT16, IR_I32, 0x8000, 0, &r) && r == 0xffff8000);
	cr_assert(ir_eval_cc(CC_SLT, IR_I32, 0xffffffff, 0));
	cr_assert_not(ir_eval_cc(CC_SLT, IR_I64, 0xffffffff, 0));
	cr_assert(ir_eval_cc(CC_SET, IR_I64, 6, 2));
	cr_assert_not(ir_eval(IR_CALL, IR_I64, 1, 2, &r));
}

/* entry -> (a | b) -> join -> loop -> join ... -> exit */
Test(ir, dominators)
{
	struct ir_module *m = ir_module_new();
	struct ir_func *f = ir_func_new(m, "f", false);
	uint32_t x = ir_tmp_new(f, "x", VT_I64);
	vec_push(&f->params, x);
	uint32_t entry = ir_block_new(f, "entry"), a = ir_block_new(f, "a"), b = ir_block_new(f, "b"),
		 join = ir_block_new(f, "join"), exit = ir_block_new(f, "exit"), dead = ir_block_new(f, "dead");
	ir_ref br[] = { ir_tmp_ref(x), IR_REF(REF_BLK, a), IR_REF(REF_BLK, b) };
	ir_emit(f, entry, IR_BR, VT_VOID, 0, br, 3);
	ir_ref ja[] = { IR_REF(REF_BLK, join) };
	ir_emit(f, a, IR_JMP, VT_VOID, 0, ja, 1);
	ir_emit(f, b, IR_JMP, VT_VOID, 0, ja, 1);
	ir_ref loop[] = { ir_tmp_ref(x), IR_REF(REF_BLK, join), IR_REF(REF_BLK, exit) };
	ir_emit(f, join, IR_BR, VT_VOID, 0, loop, 3);
	ir_ref ret[] = { ir_tmp_ref(x) };
	ir_emit(f, exit, IR_RET, VT_VOID, 0, ret, 1);
	ir_emit(f, dead, IR_RET, VT_VOID, 0, ret, 1);
	ir_cfg_build(f);
	cr_assert_eq(f->blocks.data[join]->idom, entry);
	cr_assert_eq(f->blocks.data[exit]->idom, join);
	cr_assert_eq(f->blocks.data[join]->preds.len, 3);
	cr_assert(ir_dominates(f, entry, exit));
	cr_assert(ir_dominates(f, join, join));
	cr_assert_not(ir_dominates(f, a, join));
	cr_assert_eq(f->blocks.data[dead]->rpo, UINT32_MAX);
	cr_assert_not(ir_dominates(f, entry, dead));
	uint32_t order[8];
	cr_assert_eq(ir_rpo(f, order), 5);
	cr_assert_eq(order[0], entry);
	cr_assert_eq(order[4], exit);
	ir_module_free(m);
}

/* A module built with the API prints, parses back and prints the same. */
Test(ir, build_print_parse)
{
	struct ir_module *m = ir_module_new();
	m->license = "GPL";
	uint32_t ms = ir_sym_add(m, IR_SYM_MAP, "counts");
	struct ir_map *mp = &ir_sym(m, ms)->map;
	mp->type = IR_MAP_array;
	mp->key = IRT_T_U32;
	mp->value = IRT_T_U64;
	mp->max_entries = 1;
	struct ir_func *f = ir_func_new(m, "count", true);
	f->progtype = IR_PROG_xdp;
	f->section = "xdp";
	f->ret = VT_I32;
	uint32_t ctx = ir_tmp_new(f, "ctx", VT_PTR(CTX));
	vec_push(&f->params, ctx);
	uint32_t b0 = ir_block_new(f, "entry"), hit = ir_block_new(f, "hit"), out = ir_block_new(f, "out");
	uint32_t key = ir_tmp_new(f, "key", VT_PTR(STACK));
	ir_ref al[] = { ir_con(f, 4), ir_con(f, 4) };
	ir_emit(f, b0, IR_ALLOCA, VT_PTR(STACK), key, al, 2);
	ir_ref st[] = { ir_tmp_ref(key), ir_con(f, 0), ir_con(f, 0) };
	ir_emit(f, b0, IR_STORE_U32, VT_VOID, 0, st, 3);
	uint32_t v = ir_tmp_new(f, "v", VT_PTR(MAPVAL_NULL));
	ir_ref call[] = { IR_REF(REF_HLP, 1), IR_REF(REF_SYM, ms), ir_tmp_ref(key) };
	ir_emit(f, b0, IR_CALL, VT_PTR(MAPVAL_NULL), v, call, 3);
	ir_ref chk[] = { ir_tmp_ref(v), IR_REF(REF_BLK, hit), IR_REF(REF_BLK, out) };
	ir_emit(f, b0, IR_CHKNULL, VT_VOID, 0, chk, 3);
	ir_ref add[] = { ir_tmp_ref(v), ir_con(f, 0), ir_con(f, 1) };
	ir_emit(f, hit, IR_ATOMIC_ADD_U64, VT_VOID, 0, add, 3);
	ir_ref j[] = { IR_REF(REF_BLK, out) };
	ir_emit(f, hit, IR_JMP, VT_VOID, 0, j, 1);
	ir_ref r[] = { ir_con(f, 2) };
	ir_emit(f, out, IR_RET, VT_VOID, 0, r, 1);
	m->diag = &d;
	cr_assert_eq(ir_verify_module(m, &d), 0, "%s", buf_cstr(&diags));

	struct buf a = { 0 }, b = { 0 };
	ir_print_module(m, &a);
	cr_assert_not_null(strstr(buf_cstr(&a), "%v:ptr.mapval? = call map_lookup_elem($counts, %key)\n"));
	struct ir_module *m2 = parse(buf_cstr(&a));
	cr_assert_not_null(m2, "%s", buf_cstr(&diags));
	ir_print_module(m2, &b);
	cr_assert_str_eq(buf_cstr(&a), buf_cstr(&b));
	buf_free(&a);
	buf_free(&b);
	ir_module_free(m2);
	ir_module_free(m);
}

Test(ir, verifier_reports_maybe_null_once_per_use)
{
	struct ir_module *m = parse("target v3\n"
				    "map $m type=hash key=u32 value=u64 max_entries=1\n"
				    "prog $p(%c:ptr.ctx) -> i32 type=xdp {\n"
				    "@e\n"
				    "\t%k:ptr.stack = alloca 4, 4\n"
				    "\tstore.u32 %k, 0, 0\n"
				    "\t%v:ptr.mapval? = call map_lookup_elem($m, %k)\n"
				    "\t%x:i64 = load.u64 %v, 0\n"
				    "\tstore.u64 %v, 0, %x\n"
				    "\tret 0\n"
				    "}\n");
	cr_assert_not_null(m, "%s", buf_cstr(&diags));
	cr_assert_eq(ir_verify_module(m, &d), 2);
	cr_assert_not_null(strstr(buf_cstr(&diags), "t.wir:8:1: error: dereference of %v, which may be NULL"));
	cr_assert_not_null(strstr(buf_cstr(&diags), "hint: check it first: chknull %v, @nonnull, @null"));
	ir_module_free(m);
}

Test(ir, pipelines_name_real_passes)
{
	for (int level = 0; level <= 3; level++)
		for (const char *const *p = ir_pipeline(level); *p; p++)
			cr_assert_not_null(ir_pass_lookup(*p), "-O%d names unknown pass %s", level, *p);
	cr_assert_null(ir_pass_lookup("nope"));
}

Test(ir, types_layout)
{
	struct ir_module *m = parse("target v3\n"
				    "type :s = struct \"s\" 16 {\n"
				    "\t\"a\" u8 @0\n"
				    "\t\"b\" u64 @8\n"
				    "}\n"
				    "type :p = struct \"p\" 5 {\n"
				    "\t\"a\" u8 @0\n"
				    "\t\"b\" u32 @1\n"
				    "}\n"
				    "type :td = typedef \"t\" const :s\n"
				    "global $g : [3 x :td] section=\".bss\"\n");
	cr_assert_not_null(m, "%s", buf_cstr(&diags));
	uint32_t s = ir_type_lookup(m, "s"), p = ir_type_lookup(m, "p"), td = ir_type_lookup(m, "td");
	cr_assert_eq(ir_type_align(m, s), 8);
	cr_assert_eq(ir_type_align(m, p), 1, "a packed struct has alignment 1");
	cr_assert_eq(ir_type_size(m, td), 16);
	cr_assert_eq(ir_type_strip(m, td), s);
	uint32_t g = ir_sym_lookup(m, "g");
	cr_assert_eq(ir_type_size(m, ir_sym(m, g)->global.type), 48);
	cr_assert_eq(ir_type_ptr(m, s), ir_type_ptr(m, s), "structural types are shared");
	ir_module_free(m);
}

/* docs/ir.md is the specification: it documents every opcode the parser accepts. */
Test(ir, spec_documents_every_opcode)
{
	struct buf doc = { 0 };
	char *path = xasprintf("%s/docs/ir.md", WHISTLER_SOURCE_DIR);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(&doc, tmp, n);
	fclose(f);
	for (unsigned op = 0; op < IR_NOPS; op++) {
		char *quoted = xasprintf("`%s`", ir_ops[op].name);
		cr_expect_not_null(strstr(buf_cstr(&doc), quoted), "docs/ir.md does not document %s",
				   ir_ops[op].name);
		free(quoted);
	}
	for (unsigned r = 1; r < IR_NREGIONS; r++) {
		char *quoted = xasprintf("`%s`", ir_regions[r].name);
		cr_expect_not_null(strstr(buf_cstr(&doc), quoted), "docs/ir.md does not document region %s",
				   ir_regions[r].name);
		free(quoted);
	}
	free(path);
	buf_free(&doc);
}

/* ir_ssa: what frontends building SSA on the fly finish with. */
static ir_ref undef_zero(void *ctx, ir_vt ty)
{
	return ty.cls == IR_PTR ? IR_NOREF : ir_con(ctx, 0);
}

static const char *finish_text(const char *text)
{
	static struct buf out;
	struct ir_module *m = parse(text);
	cr_assert_not_null(m, "%s", buf_cstr(&diags));
	struct ir_func *f = ir_sym(m, ir_sym_lookup(m, "f"))->fn;
	ir_layout_rpo(f);
	ir_remove_trivial_phis(f, undef_zero, f);
	out.len = 0;
	ir_print_func(f, &out);
	cr_assert_eq(ir_verify_module(m, &d), 0, "%s\n%s", buf_cstr(&out), buf_cstr(&diags));
	ir_module_free(m);
	return buf_cstr(&out);
}

Test(ir, layout_drops_unreachable_blocks_and_their_phi_operands)
{
	const char *t = finish_text("target v3\n"
				    "func $f(%x:i64) -> i64 {\n@entry\n\tbr %x, @b, @a\n"
				    "@dead\n\tjmp @join\n@a\n\tjmp @join\n@b\n\tjmp @join\n"
				    "@join\n\t%r:i64 = phi @a 1, @b 2, @dead 3\n\tret %r\n}\n");
	/* the branch's second target follows it: the not-taken path falls through */
	cr_assert_str_eq(t, "func $f(%x:i64) -> i64 {\n@entry\n\tbr %x, @b, @a\n@a\n\tjmp @join\n"
			    "@b\n\tjmp @join\n@join\n\t%r:i64 = phi @a 1, @b 2\n\tret %r\n}\n");
}

Test(ir, trivial_phis_become_their_value)
{
	/* %p is %x around the loop; %u is never given a value: zero */
	const char *t = finish_text("target v3\n"
				    "func $f(%x:i64) -> i64 {\n@entry\n\tjmp @loop\n"
				    "@loop\n\t%p:i64 = phi @entry %x, @loop %p\n"
				    "\t%u:i64 = phi @entry %u, @loop %u\n"
				    "\t%s:i64 = add %p, %u\n\tbr %s, @loop, @out\n"
				    "@out\n\tret %s\n}\n");
	cr_assert_str_eq(t, "func $f(%x:i64) -> i64 {\n@entry\n\tjmp @loop\n@loop\n"
			    "\t%s:i64 = add %x, 0\n\tbr %s, @loop, @out\n@out\n\tret %s\n}\n");
}
