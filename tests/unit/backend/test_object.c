/* The object writer's output as loaders read it: .BTF.ext subsections,
 * sections, symbols and relocations for the shapes the program suite found
 * broken at some point. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <string.h>

static uint32_t u32_at(const uint8_t *p, size_t off)
{
	uint32_t v;
	memcpy(&v, p + off, 4);
	return v;
}

static const char *const xdp_prog = "target v3\n"
				    "license \"GPL\"\n"
				    "prog $p(%ctx:ptr.ctx) -> i32 type=xdp section=\"xdp\" {\n"
				    "@entry\n"
				    "\tret 2\n"
				    "}\n";

/* libbpf refuses a .BTF.ext whose line_info holds a record size and no
 * record: without line information the subsection must be empty. */
Test(object, btf_ext_without_lines)
{
	struct compiled c;
	compile_text(xdp_prog, true, &c);
	cr_assert_eq(c.rc, 0, "%.*s", (int)c.diags.len, c.diags.data);
	const struct elfr_section *ext = section(&c, ".BTF.ext");
	uint32_t hdr = u32_at(ext->data, 4);
	cr_assert_eq(hdr, 32);
	cr_assert_eq(u32_at(ext->data, 12), 8 + 4 + 8,
		     "func_info: rec size, one section of one record");
	cr_assert_eq(u32_at(ext->data, 20), 0, "line_info must be empty, is %u bytes",
		     u32_at(ext->data, 20));
	cr_assert_eq(u32_at(ext->data, 28), 0, "core_relo must be empty");
	compiled_free(&c);
}

/* base + a CO-RE field offset, used only as an address: the offset goes into
 * each access (one relocation record per access, at that instruction), not
 * into a register added to the base — the kernel refuses a context pointer
 * moved by a register, and it costs two instructions. */
Test(object, core_offsets_fold_into_accesses)
{
	struct compiled c;
	compile_text("target v3\nlicense \"GPL\"\n"
		     "type :int = int \"int\" 4 signed\n"
		     "type :task = struct \"task_struct\" 8 {\n\t\"tgid\" :int @0\n\t\"pid\" :int @4\n}\n"
		     "prog $p(%ctx:ptr.ctx) -> i32 type=raw_tracepoint section=\"raw_tp/sys_enter\" {\n"
		     "@entry\n\t%x:i64 = load.u64 %ctx, 0\n\t%t:ptr = cast %x\n"
		     "\t%o:i64 = core.field_off :task, \"0:1\"\n\t%a:ptr = add %t, %o\n"
		     "\t%v:i32 = load.u32 %a, 0\n\tstore.u32 %a, 0, 7\n\tret %v\n}\n",
		     false, &c);
	cr_assert_eq(c.rc, 0, "%.*s", (int)c.diags.len, c.diags.data);
	const struct elfr_section *code = section(&c, "raw_tp/sys_enter");
	cr_assert_eq(code->size, 4 * 8, "ldx, ldx, st, exit: %zu bytes", (size_t)code->size);
	const uint8_t *in = code->data;
	cr_assert_eq(in[8], BPF_LDX | BPF_MEM | BPF_W, "insn 1 is the load (%#x)", in[8]);
	cr_assert_eq(in[8 + 2] | in[8 + 3] << 8, 4, "at the field's local offset");
	cr_assert_eq(in[16], BPF_ST | BPF_MEM | BPF_W, "insn 2 is the store (%#x)", in[16]);
	const struct elfr_section *ext = section(&c, ".BTF.ext");
	uint32_t hdr = u32_at(ext->data, 4), off = u32_at(ext->data, 24), len = u32_at(ext->data, 28);
	const uint8_t *core = ext->data + hdr + off;
	cr_assert_eq(len, 4 + 8 + 2 * 16, "rec size, one section, two records: %u bytes", len);
	cr_assert_eq(u32_at(core, 8), 2, "records");
	cr_assert_eq(u32_at(core, 12), 8, "the load's record");
	cr_assert_eq(u32_at(core, 12 + 16), 16, "the store's record");
	cr_assert_eq(u32_at(core, 12 + 12), 0, "kind: field byte offset");
	compiled_free(&c);
}

/* libbpf patches an access's offset only for a whole integer, enum or
 * pointer field: a one-byte struct read as a byte keeps its offset in a
 * register (bpf_dctcp's icsk_ack, "accesses field incorrectly"). */
Test(object, core_offsets_of_records_stay_in_registers)
{
	struct compiled c;
	compile_text("target v3\nlicense \"GPL\"\n"
		     "type :ack = struct \"ack\" 1 {\n\t\"pending\" u8 @0\n}\n"
		     "type :sock = struct \"sock\" 2 {\n\t\"x\" u8 @0\n\t\"ack\" :ack @1\n}\n"
		     "prog $p(%ctx:ptr.ctx) -> i32 type=raw_tracepoint section=\"raw_tp/sys_enter\" {\n"
		     "@entry\n\t%x:i64 = load.u64 %ctx, 0\n\t%t:ptr = cast %x\n"
		     "\t%o:i64 = core.field_off :sock, \"0:1\"\n\t%a:ptr = add %t, %o\n"
		     "\t%v:i32 = load.u8 %a, 0\n\tret %v\n}\n",
		     false, &c);
	cr_assert_eq(c.rc, 0, "%.*s", (int)c.diags.len, c.diags.data);
	const struct elfr_section *code = section(&c, "raw_tp/sys_enter");
	const uint8_t *in = code->data;
	cr_assert_eq(code->size, 5 * 8, "ldx, mov (relocated), add, ldx, exit: %zu bytes",
		     (size_t)code->size);
	cr_assert_eq(in[8], BPF_ALU64 | BPF_MOV | BPF_K, "the offset is a mov (%#x)", in[8]);
	compiled_free(&c);
}

/* An object with data and no code has .BTF and no .BTF.ext: libbpf refuses
 * a .BTF.ext holding only its header ("BTF.ext has no data"). */
Test(object, no_btf_ext_without_code)
{
	struct compiled c;
	compile_text("target v3\nlicense \"GPL\"\n"
		     "global $counter : u64 section=\".bss\"\n",
		     false, &c);
	cr_assert_eq(c.rc, 0, "%.*s", (int)c.diags.len, c.diags.data);
	section(&c, ".BTF");
	cr_assert_null(elfr_section_by_name(c.elf, ".BTF.ext"));
	compiled_free(&c);
}

/* A typeless ksym (`void`) is a VAR of `const void`, as clang writes it: a
 * VAR of type 0 is invalid BTF (our reader and the kernel refuse it). */
Test(object, typeless_ksym_btf)
{
	struct compiled c;
	compile_text("target v3\n"
		     "license \"GPL\"\n"
		     "extern $do_unlinkat : void ksym\n"
		     "prog $p(%ctx:ptr.ctx) -> i32 type=xdp section=\"xdp\" {\n"
		     "@entry\n"
		     "\t%a:ptr.btf = copy $do_unlinkat\n"
		     "\t%k:i32 = ne %a, 0\n"
		     "\tret %k\n"
		     "}\n",
		     false, &c);
	cr_assert_eq(c.rc, 0, "%.*s", (int)c.diags.len, c.diags.data);
	const struct elfr_section *s = section(&c, ".BTF");
	struct wbtf *btf;
	cr_assert_eq(wbtf_parse(s->data, (size_t)s->size, NULL, &btf), 0,
		     "the BTF does not read back: %s", wbtf_last_error());
	int32_t var = wbtf_find_by_name_kind(btf, "do_unlinkat", BTF_KIND_VAR);
	cr_assert_gt(var, 0);
	const struct btf_type *v = wbtf_type_by_id(btf, (uint32_t)var);
	const struct btf_type *t = wbtf_type_by_id(btf, v->type);
	cr_assert_eq(wbtf_kind(t), BTF_KIND_CONST);
	cr_assert_eq(t->type, 0u);
	int32_t ds = wbtf_find_by_name_kind(btf, ".ksyms", BTF_KIND_DATASEC);
	cr_assert_gt(ds, 0);
	const struct btf_type *d = wbtf_type_by_id(btf, (uint32_t)ds);
	cr_assert_eq(wbtf_vlen(d), 1u);
	cr_assert_eq(wbtf_secinfos(d)[0].size, 1u,
		     "sizeof(void) is 1 in GNU C, as clang records it");
	wbtf_free(btf);
	compiled_free(&c);
}

/* Instructions without a source location are located by their line in the
 * IR text (docs/ir.md): line_info names the .wir file and its lines, so
 * verifier logs and `bpftool prog dump ... linum` show them (libbpf dropped
 * all line info of a program without a record for its first instruction). */
Test(object, line_info_from_ir_text)
{
	struct compiled c;
	compile_text("target v3\n"
		     "license \"GPL\"\n"
		     "global $g : u64 section=\".bss\"\n"
		     "prog $p(%ctx:ptr.ctx) -> i32 type=xdp section=\"xdp\" {\n"
		     "@entry\n"
		     "\tstore.u64 $g, 0, 7\n"
		     "\tret 2\n"
		     "}\n",
		     false, &c);
	cr_assert_eq(c.rc, 0, "%.*s", (int)c.diags.len, c.diags.data);
	const struct elfr_section *b = section(&c, ".BTF"), *e = section(&c, ".BTF.ext");
	struct wbtf *btf;
	struct wbtf_ext ext;
	cr_assert_eq(wbtf_parse(b->data, (size_t)b->size, NULL, &btf), 0);
	cr_assert_eq(wbtf_ext_parse(e->data, (size_t)e->size, btf, &ext), 0);
	cr_assert_eq(ext.nr_secs, 1u);
	const struct wbtf_ext_sec *s = &ext.secs[0];
	cr_assert_eq(s->nr_line, 2u, "the store and the return");
	cr_assert_eq(s->line[0].insn_off, 0u);
	cr_assert_str_eq(wbtf_str(btf, s->line[0].file_name_off), "t.wir");
	cr_assert_str_eq(wbtf_str(btf, s->line[0].line_off), "store.u64 $g, 0, 7");
	cr_assert_eq(WBTF_LINE(s->line[0].line_col), 6u);
	cr_assert_eq(WBTF_LINE(s->line[1].line_col), 7u);
	cr_assert_str_eq(wbtf_str(btf, s->line[1].line_off), "ret 2");
	wbtf_ext_free(&ext);
	wbtf_free(btf);
	compiled_free(&c);
}
