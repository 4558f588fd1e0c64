/* The DSL compiler's API and lowering: definitions recorded per form, IR
 * built on demand (and again after more forms, as sessions do), struct
 * layouts, SSA for variables (phis at joins and loops), constants folded,
 * byte swaps folded into comparisons, located errors. */
#include "frontend/lisp/dsl.h"
#include "ir/pass.h"

#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

static struct srcmgr sm;
static struct diag dg;
static struct buf msgs;
static struct lisp_ctx *ctx;
static struct dsl *d;

static void setup(void)
{
	memset(&sm, 0, sizeof(sm));
	diag_init(&dg, &sm);
	msgs = (struct buf){ 0 };
	dg.capture = &msgs;
	dg.no_caret = true;
	ctx = lisp_new(&sm, &dg);
	d = dsl_new(ctx, NULL);
}

static void teardown(void)
{
	dsl_free(d);
	lisp_free(ctx);
	srcmgr_free(&sm);
	buf_free(&msgs);
}

TestSuite(dsl, .init = setup, .fini = teardown);

/* Processes a source text; returns the number of errors. */
static unsigned load(const char *text)
{
	uint32_t f = srcmgr_add(&sm, "t.lisp", text, strlen(text));
	return dsl_load(d, f);
}

static char *ir_text(struct ir_module *m)
{
	struct buf b = { 0 };
	ir_print_module(m, &b);
	char *s = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

static struct ir_module *build(const char *text)
{
	cr_assert_eq(load(text), 0, "%s", buf_cstr(&msgs));
	struct ir_module *m = dsl_build(d, NULL);
	cr_assert(m, "%s", buf_cstr(&msgs));
	cr_assert_eq(ir_verify_module(m, &dg), 0, "%s", buf_cstr(&msgs));
	return m;
}

Test(dsl, definitions_are_recorded_and_built_into_ir)
{
	struct ir_module *m =
		build("(defmap counts :type :hash :key-size 4 :value-size 8 :max-entries 16)\n"
		      "(defprog p (:type :tc) (incf (getmap counts 1)) TC_ACT_OK)\n");
	char *t = ir_text(m);
	cr_assert(strstr(t, "map $counts type=hash key=u32 value=u64 max_entries=16"), "%s", t);
	cr_assert(strstr(t, "prog $p(%ctx:ptr.ctx) -> i32 type=sched_cls section=\"tc\""), "%s", t);
	cr_assert(strstr(t, "call map_lookup_elem($counts"), "%s", t);
	cr_assert(strstr(t, "call map_update_elem($counts"), "hash incf inserts: %s", t);
	cr_assert(strstr(t, "atomic.add.u64"), "%s", t);
	cr_assert(strstr(t, "!1:2:"), "instructions carry Lisp locations: %s", t);
	free(t);
	ir_module_free(m);
}

Test(dsl, building_again_after_more_forms)
{
	/* what a session does: definitions arrive one by one */
	lv f = lisp_read_string(ctx,
				"(defmap m :type :array :key-size 4 :value-size 8 :max-entries 2)");
	cr_assert_eq(dsl_toplevel(d, f), 0);
	struct ir_module *m1 = dsl_build(d, NULL);
	cr_assert(m1);
	cr_assert_eq(ir_sym_lookup(m1, "p"), 0);
	f = lisp_read_string(ctx, "(defprog p (:type :xdp) (incf (getmap m 1)) XDP_PASS)");
	cr_assert_eq(dsl_toplevel(d, f), 0);
	f = lisp_read_string(ctx, "(defprog q (:type :xdp) XDP_DROP)");
	cr_assert_eq(dsl_toplevel(d, f), 0);
	struct ir_module *m2 = dsl_build(d, NULL);
	cr_assert(m2 && ir_sym_lookup(m2, "p") && ir_sym_lookup(m2, "q") && ir_sym_lookup(m2, "m"));
	struct ir_module *m3 = dsl_build(d, "q");
	cr_assert(m3 && ir_sym_lookup(m3, "q") && !ir_sym_lookup(m3, "p"),
		  "only the program asked for");
	ir_module_free(m1);
	ir_module_free(m2);
	ir_module_free(m3);
}

Test(dsl, struct_layout_follows_c)
{
	cr_assert_eq(load("(defstruct s (a u8) (b u64) (c u16) (d (array u32 3)) (e u8))\n"
			  "(defstruct outer (x u8) (in s))\n"
			  "(defunion u s outer)\n"),
		     0);
	const struct dsl_struct *s = dsl_struct_at(d, dsl_struct_count(d) - 3);
	cr_assert_str_eq(s->name, "s");
	cr_assert_eq(s->fields[0].offset, 0);
	cr_assert_eq(s->fields[1].offset, 8);
	cr_assert_eq(s->fields[2].offset, 16);
	cr_assert_eq(s->fields[3].offset, 20);
	cr_assert_eq(s->fields[4].offset, 32);
	cr_assert_eq(s->size, 40);
	const struct dsl_struct *o = dsl_struct_at(d, dsl_struct_count(d) - 2);
	cr_assert_eq(o->fields[1].offset, 8);
	cr_assert_eq(o->size, 48);
	cr_assert_eq(dsl_struct_at(d, dsl_struct_count(d) - 1)->size, 48);
	/* sizeof at compile time, also from ordinary Lisp */
	lv r;
	cr_assert_eq(lisp_eval(ctx, lisp_read_string(ctx, "(+ (sizeof s) (sizeof u32))"), &r), 0);
	cr_assert_eq(lisp_fixnum_value(r), 44);
	/* and the userspace codec */
	cr_assert_eq(
		lisp_eval(
			ctx,
			lisp_read_string(
				ctx,
				"(s-record-c (decode-s (encode-s (make-s-record :a 1 :b 2 :c 515 :d #(1 2 3) :e 9))))"),
			&r),
		0, "%s", buf_cstr(&msgs));
	cr_assert_eq(lisp_fixnum_value(r), 515);
}

Test(dsl, variables_become_ssa_values_with_phis)
{
	struct ir_module *m =
		build("(defmap out :type :array :key-size 4 :value-size 8 :max-entries 1)\n"
		      "(defprog p (:type :xdp)\n"
		      "  (let ((n 0) (len (- (ctx data-end) (ctx data))))\n"
		      "    (dotimes (i 8) (when (> len i) (incf n)))\n"
		      "    (setf (getmap out 0) n))\n"
		      "  XDP_PASS)\n");
	char *t = ir_text(m);
	cr_assert(strstr(t, "phi"), "loop variables are phis: %s", t);
	cr_assert(!strstr(t, "alloca 8, 8 !1:3"), "no stack slots for scalars: %s", t);
	cr_assert(strstr(t, "br.ult"), "the loop bound is a compare: %s", t);
	free(t);
	ir_module_free(m);
}

Test(dsl, constants_fold_and_swaps_fold_into_compares)
{
	struct ir_module *m = build("(defconstant +k+ (* 4 (+ 1 2)))\n"
				    "(defprog p (:type :xdp)\n"
				    "  (with-udp (data data-end udp)\n"
				    "    (when (= (udp-dst-port udp) (+ +k+ 41))\n"
				    "      (return (- +k+ 11))))\n"
				    "  XDP_PASS)\n");
	char *t = ir_text(m);
	/* 53 = 0x0035 compared as the raw load against 0x3500 */
	cr_assert(strstr(t, "br.eq %") && strstr(t, ", 13568,"), "%s", t);
	cr_assert(strstr(t, "ret 1"), "constant return folded: %s", t);
	cr_assert(strstr(t, "chkpkt %data, 42, %data_end"), "one bounds check for the headers: %s",
		  t);
	free(t);
	ir_module_free(m);
}

Test(dsl, programs_and_sections_agree)
{
	struct ir_module *m =
		build("(defprog a (:type :cgroup-sock-addr :section \"cgroup/connect4\") 1)\n"
		      "(defprog b (:section \"tracepoint/sched/sched_switch\") 0)\n"
		      "(defprog c () 2)\n");
	cr_assert_eq(ir_sym(m, ir_sym_lookup(m, "a"))->fn->progtype, IR_PROG_cgroup_sock_addr);
	cr_assert_eq(ir_sym(m, ir_sym_lookup(m, "b"))->fn->progtype, IR_PROG_tracepoint,
		     "type from the section");
	cr_assert_eq(ir_sym(m, ir_sym_lookup(m, "c"))->fn->progtype, IR_PROG_xdp, "the default");
	cr_assert_str_eq(ir_sym(m, ir_sym_lookup(m, "c"))->fn->section, "xdp");
	ir_module_free(m);
	cr_assert_eq(load("(defprog x (:type :xdp :section \"tc\") 0)"), 1);
	cr_assert(
		strstr(buf_cstr(&msgs), "section \"tc\" is for :tc programs, but the type is :xdp"),
		"%s", buf_cstr(&msgs));
}

Test(dsl, errors_are_located_and_compilation_goes_on)
{
	cr_assert_eq(load("(defprog p (:type :xdp)\n"
			  "  (let ((count 1))\n"
			  "    (+ cuont 1)\n"
			  "    (ktime-get-nss)\n"
			  "    XDP_PASS))\n"),
		     0);
	cr_assert_null(dsl_build(d, NULL));
	const char *out = buf_cstr(&msgs);
	cr_assert(strstr(out, "t.lisp:3:8: error: unknown variable 'cuont'"), "%s", out);
	cr_assert(strstr(out, "hint: did you mean 'count'?"), "%s", out);
	cr_assert(strstr(out, "t.lisp:4:5: error: unknown function or form 'ktime-get-nss'"), "%s",
		  out);
	cr_assert(strstr(out, "did you mean 'ktime-get-ns'?"), "%s", out);
	cr_assert_eq(dsl_errors(d), 2);
}

Test(dsl, userspace_generators)
{
	cr_assert_eq(load("(defconstant +limit+ 5)\n(defstruct ev (pid u32) (ts u64))\n"), 0);
	struct buf b = { 0 };
	cr_assert_eq(dsl_gen(d, "c", "x", &b), 0);
	cr_assert(strstr(buf_cstr(&b), "struct ev {\n\tuint32_t pid;\n\tuint64_t ts;\n};"), "%s",
		  buf_cstr(&b));
	cr_assert(strstr(buf_cstr(&b), "_Static_assert(offsetof(struct ev, ts) == 8"), "%s",
		  buf_cstr(&b));
	cr_assert(strstr(buf_cstr(&b), "#define LIMIT 5ULL"), "%s", buf_cstr(&b));
	b.len = 0;
	cr_assert_eq(dsl_gen(d, "python", "x", &b), 0);
	cr_assert(strstr(buf_cstr(&b), "(\"ts\", ctypes.c_uint64)"), "%s", buf_cstr(&b));
	cr_assert_eq(dsl_gen(d, "cobol", "x", &b), -1);
	buf_free(&b);
	char *n = dsl_gen_filename("rust", "probe");
	cr_assert_str_eq(n, "probe_types.rs");
	free(n);
}

/* The kernel types a traced function's arguments from its BTF prototype:
 * pointers to structs are BTF objects, the rest scalars. The DSL does the
 * same, so an int argument can be narrowed and a struct pointer read
 * directly; without the prototype an argument is an integer. */
Test(dsl, tracing_arguments_are_typed_from_the_targets_btf)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		cr_skip_test("no kernel BTF (/sys/kernel/btf/vmlinux)");
	struct ir_module *m = build(
		"(defprog a (:type :fentry :section \"fentry/do_sys_openat2\")\n"
		"  (let ((dfd (cast i32 (ctx-load u64 0))) (name (ctx-load u64 8))\n"
		"        (how (ctx-load u64 16)))\n"
		"    (+ dfd name (kernel-load u64 how 0))))\n"
		"(defprog b (:type :fexit :section \"fexit/do_sys_openat2\")\n"
		"  (let ((rv (ctx-load u64 24))) (cast i32 rv)))\n"
		"(defprog c (:type :tp-btf :section \"tp_btf/sys_enter\")\n"
		"  (let ((regs (ctx-load u64 0)) (nr (ctx-load u64 8))) (+ nr (kernel-load u64 regs 0))))\n"
		"(defprog e (:type :lsm :section \"lsm/file_open\")\n"
		"  (let ((file (ctx-load u64 0))) (kernel-load u32 file 0) 0))\n"
		"(defprog f (:type :fentry :section \"fentry/no_such_function_here\")\n"
		"  (let ((x (ctx-load u64 0))) (cast i32 x)))\n");
	char *t = ir_text(m);
	cr_assert(strstr(t, "%dfd:i32 ="), "an int argument is a scalar: %s", t);
	cr_assert(strstr(t, "%name:i64 = load.u64 %ctx, 8"), "a char * is a scalar: %s", t);
	cr_assert(strstr(t, "%how:ptr.btf = load.u64 %ctx, 16"), "struct open_how *: %s", t);
	cr_assert(strstr(t, "%rv:i64 = load.u64 %ctx, 24"), "fexit's return value: %s", t);
	cr_assert(strstr(t, "%regs:ptr.btf = load.u64 %ctx, 0"), "tp_btf skips __data: %s", t);
	cr_assert(strstr(t, "%nr:i64 = load.u64 %ctx, 8"), "%s", t);
	cr_assert(strstr(t, "%file:ptr.btf = load.u64 %ctx, 0"), "bpf_lsm_file_open: %s", t);
	cr_assert(strstr(t, "%x:i64 = load.u64 %ctx, 0"), "no prototype: an integer: %s", t);
	free(t);
	ir_module_free(m);
	cr_assert_eq(load("(defprog g (:type :fentry :section \"fentry/do_sys_openat2\")\n"
			  "  (cast i32 (ctx-load u64 16)))\n"),
		     0);
	cr_assert_null(dsl_build(d, "g"));
	cr_assert(strstr(buf_cstr(&msgs), "(cast i32 ...) of a pointer would cut it"), "%s",
		  buf_cstr(&msgs));
}

Test(dsl, tracing_arguments_without_kernel_btf_are_integers)
{
	struct dsl *nb = dsl_new(ctx, &(struct dsl_options){ .btf_path = "/nonexistent/vmlinux" });
	static const char src[] = "(defprog p (:type :fentry :section \"fentry/do_sys_openat2\")\n"
				  "  (let ((a (ctx-load u64 16))) (cast i32 a)))\n";
	uint32_t f = srcmgr_add(&sm, "t.lisp", src, strlen(src));
	cr_assert_eq(dsl_load(nb, f), 0, "%s", buf_cstr(&msgs));
	struct ir_module *m = dsl_build(nb, NULL);
	cr_assert(m, "%s", buf_cstr(&msgs));
	char *t = ir_text(m);
	cr_assert(strstr(t, "%a:i64 = load.u64 %ctx, 16"), "%s", t);
	free(t);
	ir_module_free(m);
	dsl_free(nb);
}
