/* The C lowering through its API: units lower to modules that verify, print
 * and parse back to the same text, compile to identical objects twice; the
 * constructs not supported yet give located errors and no module. */
#include "backend/object.h"
#include "frontend/c/cparse.h"
#include "frontend/c/lower.h"
#include "frontend/c/pp.h"
#include "frontend/c/predef.h"
#include "ir/pass.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct srcmgr sm;
static struct diag d;
static struct buf errs;
static char path[64];

static void setup(void)
{
	memset(&sm, 0, sizeof(sm));
	memset(&errs, 0, sizeof(errs));
	diag_init(&d, &sm);
	d.capture = &errs;
	d.no_caret = true;
	path[0] = 0;
}

static void teardown(void)
{
	srcmgr_free(&sm);
	buf_free(&errs);
	if (path[0])
		unlink(path);
}

TestSuite(clower, .init = setup, .fini = teardown);

/* Lowers C source text (no system headers); NULL after errors. */
static struct ir_module *lower(const char *src, int opt)
{
	snprintf(path, sizeof(path), "/tmp/test_lower.%d.c", (int)getpid());
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(src, f);
	fclose(f);
	struct pp_options o = { 0 };
	predef_config_default(&o.predef);
	o.nostdinc = true;
	struct pp *pp = pp_new(&d, &sm, &o);
	cr_assert_eq(pp_begin(pp, path, "t.c"), 0);
	struct cparse_options po = { 0 };
	struct ctu *tu = cparse_unit(pp, &d, &po);
	struct ir_module *m = NULL;
	if (!diag_failed(&d)) {
		struct clower_options lo = { .cpu = 3, .debug = true, .opt_level = opt };
		m = clower_unit(tu, &d, &lo);
	}
	ctu_free(tu);
	pp_free(pp);
	return m;
}

static const char counter_src[] =
	"#define SEC(x) __attribute__((section(x)))\n"
	"struct xdp_md { unsigned int data, data_end, data_meta, ingress_ifindex; };\n"
	"static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;\n"
	"struct { int (*type)[2]; int (*max_entries)[4]; unsigned int *key; unsigned long long *value; }\n"
	"  counts SEC(\".maps\");\n"
	"static inline int bump(unsigned int k) {\n"
	"  unsigned long long *v = bpf_map_lookup_elem(&counts, &k);\n"
	"  if (!v) return 0;\n"
	"  __sync_fetch_and_add(v, 1);\n"
	"  return 1;\n"
	"}\n"
	"SEC(\"xdp\") int count(struct xdp_md *ctx) {\n"
	"  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;\n"
	"  if (data + 14 > end) return 1;\n"
	"  int n = 0;\n"
	"  for (int i = 0; i < 4; i++) n += ((unsigned char *)data)[i];\n"
	"  return bump(n & 3) ? 2 : 1;\n"
	"}\n"
	"char LICENSE[] SEC(\"license\") = \"GPL\";\n";

Test(clower, lowers_verifies_and_round_trips)
{
	struct ir_module *m = lower(counter_src, 2);
	cr_assert(m, "lowering failed:\n%s", buf_cstr(&errs));
	cr_assert_eq(ir_verify_module(m, &d), 0, "%s", buf_cstr(&errs));
	cr_assert_str_eq(m->license, "GPL");
	uint32_t s = ir_sym_lookup(m, "counts");
	cr_assert(s);
	cr_assert_eq(ir_sym(m, s)->kind, IR_SYM_MAP);
	cr_assert_eq(ir_sym(m, s)->map.type, IR_MAP_array);
	cr_assert_eq(ir_sym(m, s)->map.max_entries, 4);
	uint32_t p = ir_sym_lookup(m, "count");
	cr_assert(p && ir_sym(m, p)->fn->is_prog);
	cr_assert_eq(ir_sym(m, p)->fn->progtype, IR_PROG_xdp);
	/* print, parse, print: the same text */
	struct buf a = { 0 }, b = { 0 };
	ir_print_module(m, &a);
	uint32_t file = srcmgr_add(&sm, "t.wir", (const char *)a.data, a.len);
	struct ir_module *m2 = ir_parse(&d, file);
	cr_assert(m2, "the printed IR does not parse:\n%s\n%s", buf_cstr(&a), buf_cstr(&errs));
	ir_print_module(m2, &b);
	cr_assert_str_eq(buf_cstr(&a), buf_cstr(&b));
	/* the loop was unrolled: four byte loads */
	unsigned loads = 0;
	for (const char *q = buf_cstr(&a); (q = strstr(q, "load.u8 %2, ")); q++)
		loads++;
	cr_assert_eq(loads, 4, "%s", buf_cstr(&a));
	buf_free(&a);
	buf_free(&b);
	ir_module_free(m2);
	ir_module_free(m);
}

Test(clower, objects_are_deterministic)
{
	struct buf o1 = { 0 }, o2 = { 0 };
	for (int k = 0; k < 2; k++) {
		struct ir_module *m = lower(counter_src, 2);
		cr_assert(m, "%s", buf_cstr(&errs));
		const char *const *pl = ir_pipeline(2);
		size_t np = 0;
		while (pl[np])
			np++;
		struct ir_pass_opts po = { .diag = &d, .verify_each = true };
		cr_assert_eq(ir_run_passes(m, pl, np, &po), 0, "%s", buf_cstr(&errs));
		struct obj_options oo = { .line_info = true };
		cr_assert_eq(bk_write_object(m, &oo, k ? &o2 : &o1, &d), 0, "%s", buf_cstr(&errs));
		ir_module_free(m);
	}
	cr_assert_eq(o1.len, o2.len);
	cr_assert(!memcmp(o1.data, o2.data, o1.len));
	buf_free(&o1);
	buf_free(&o2);
}

Test(clower, unsupported_constructs_are_located)
{
	struct ir_module *m = lower("#define SEC(x) __attribute__((section(x)))\n"
				    "SEC(\"xdp\") int f(void *ctx) {\n"
				    "  int (*fp)(int) = 0;\n"
				    "  return fp(1);\n"
				    "}\n",
				    2);
	cr_assert_null(m);
	cr_assert(strstr(buf_cstr(&errs),
			 "t.c:4:10: error: calls through function pointers not supported yet"),
		  "%s", buf_cstr(&errs));
}

Test(clower, unreachable_code_reports_nothing)
{
	/* a constant condition: the call in the dead branch is never emitted */
	struct ir_module *m = lower("#define SEC(x) __attribute__((section(x)))\n"
				    "SEC(\"xdp\") int f(void *ctx) {\n"
				    "  int (*fp)(int) = 0;\n"
				    "  if (sizeof(long) == 4) return fp(1);\n"
				    "  return 2;\n"
				    "}\n",
				    2);
	cr_assert(m, "%s", buf_cstr(&errs));
	ir_module_free(m);
}

Test(clower, static_functions_inline_or_stay)
{
	struct ir_module *m =
		lower("#define SEC(x) __attribute__((section(x)))\n"
		      "static __attribute__((noinline)) int twice(int x) { return x + x; }\n"
		      "static int thrice(int x) { return 3 * x; }\n"
		      "SEC(\"xdp\") int f(void *ctx) { return twice(3) + thrice(4); }\n",
		      2);
	cr_assert(m, "%s", buf_cstr(&errs));
	cr_assert(ir_sym_lookup(m, "twice"), "a noinline function is a subprogram");
	cr_assert(!ir_sym_lookup(m, "thrice"), "a small static function is inlined");
	ir_module_free(m);
	m = lower("#define SEC(x) __attribute__((section(x)))\n"
		  "static int thrice(int x) { return 3 * x; }\n"
		  "SEC(\"xdp\") int f(void *ctx) { return thrice(4); }\n",
		  0);
	cr_assert(m, "%s", buf_cstr(&errs));
	cr_assert(ir_sym_lookup(m, "thrice"), "-O0 keeps every function");
	ir_module_free(m);
}
