/* Emission: branches beyond 16-bit offsets (gotol on v4, a located error
 * before), found by the program suite as an internal error. */
#include "helpers.h"

#include "backend/backend.h"

#include <criterion/criterion.h>
#include <string.h>

/* A function whose branch to @out spans n 512-byte memsets (each about
 * 66 slots); `cond` is the branch with its targets ("br.eq %sel, 4, @fill, @out"). */
static char *long_function(const char *target, const char *cond, unsigned n)
{
	struct buf b = { 0 };
	buf_printf(&b,
		   "target %s\nlicense \"GPL\"\n"
		   "prog $far(%%ctx:ptr.ctx) -> i32 type=xdp section=\"xdp\" {\n@entry\n"
		   "\t%%data:ptr.pkt = load.u32 %%ctx, 0\n\t%%end:ptr.pkt_end = load.u32 %%ctx, 4\n"
		   "\tchkpkt %%data, 1, %%end, @check, @out\n@check\n"
		   "\t%%sel:i32 = load.u8 %%data, 0\n\t%s\n@fill\n"
		   "\t%%buf:ptr.stack = alloca 512, 8\n",
		   target, cond);
	for (unsigned i = 0; i < n; i++)
		buf_printf(&b, "\tmemset %%buf, %u, 512\n", 0x11 + i % 16);
	buf_puts(&b, "\t%b:i32 = load.u8 %buf, 511\n\tret %b\n@out\n\tret 2\n}\n");
	return (char *)buf_cstr(&b);
}

static void compile_func(const char *text, struct bk_func *bf, struct buf *diags, int *rc)
{
	struct srcmgr sm = { 0 };
	struct diag d;
	diag_init(&d, &sm);
	d.capture = diags;
	d.no_caret = true;
	uint32_t file = srcmgr_add(&sm, "t.wir", text, strlen(text));
	struct ir_module *m = ir_parse(&d, file);
	cr_assert(m && !ir_verify_module(m, &d), "%s", buf_cstr(diags));
	uint32_t s = ir_sym_lookup(m, "far");
	*rc = bk_compile_func(ir_sym(m, s)->fn, NULL, bf, &d);
	bf->ir = NULL;
	ir_module_free(m);
	srcmgr_free(&sm);
}

static bool is_gotol(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP32 | BPF_JA);
}

Test(emit, long_branch_inverted_around_gotol)
{
	char *text = long_function("v4", "br.eq %sel, 4, @fill, @out", 560);
	struct bk_func bf;
	struct buf diags = { 0 };
	int rc;
	compile_func(text, &bf, &diags, &rc);
	cr_assert_eq(rc, 0, "%s", buf_cstr(&diags));
	cr_assert_gt(bf.insns.len, 32768u);
	/* the branch to @out: `if sel == 4 goto fill` became `if sel != 4 goto +1`
	 * falling into... the inverse skips a gotol to @out */
	uint32_t found = 0;
	for (uint32_t i = 0; i + 1 < bf.insns.len; i++) {
		const struct bpf_insn *in = &bf.insns.data[i];
		if (!is_gotol(in))
			continue;
		int64_t target = (int64_t)i + 1 + in->imm;
		cr_assert(target >= 0 && target < (int64_t)bf.insns.len,
			  "gotol %u leaves the function", i);
		cr_assert_gt(in->imm, 32767, "gotol %u is short (%d)", i, in->imm);
		const struct bpf_insn *prev = &bf.insns.data[i - 1];
		cr_assert_eq(BPF_CLASS(prev->code) == BPF_JMP32 || BPF_CLASS(prev->code) == BPF_JMP,
			     true);
		cr_assert_eq(prev->off, 1, "the condition before gotol %u skips it", i);
		found++;
	}
	cr_assert_geq(found, 1u);
	bk_func_free(&bf);
	buf_free(&diags);
	free(text);
}

Test(emit, long_jset_jumps_to_gotol)
{
	char *text = long_function("v4", "br.set %sel, 4, @out, @fill", 560);
	struct bk_func bf;
	struct buf diags = { 0 };
	int rc;
	compile_func(text, &bf, &diags, &rc);
	cr_assert_eq(rc, 0, "%s", buf_cstr(&diags));
	bool seen = false;
	for (uint32_t i = 2; i < bf.insns.len; i++) {
		const struct bpf_insn *in = &bf.insns.data[i];
		if (!is_gotol(in))
			continue;
		const struct bpf_insn *ja = &bf.insns.data[i - 1], *jset = &bf.insns.data[i - 2];
		if (BPF_OP(jset->code) != BPF_JSET)
			continue;
		cr_assert_eq(jset->off, 1, "jset reaches the gotol");
		cr_assert_eq(ja->code, BPF_JMP | BPF_JA);
		cr_assert_eq(ja->off, 1, "otherwise the gotol is skipped");
		seen = true;
	}
	cr_assert(seen, "no jset; ja; gotol sequence");
	bk_func_free(&bf);
	buf_free(&diags);
	free(text);
}

Test(emit, long_branch_before_v4_is_an_error)
{
	char *text = long_function("v3", "br.eq %sel, 4, @fill, @out", 560);
	struct bk_func bf;
	struct buf diags = { 0 };
	int rc;
	compile_func(text, &bf, &diags, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(buf_cstr(&diags), "t.wir:3:1: error: $far is too long for BPF jumps"),
		  "%s", buf_cstr(&diags));
	bk_func_free(&bf);
	buf_free(&diags);
	free(text);
}
