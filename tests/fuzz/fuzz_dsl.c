/* Fuzz target: the DSL compiler on arbitrary text — reading, compile-time
 * evaluation (step-, depth- and heap-limited, sandboxed), definitions,
 * lowering and the IR verifier: any input ends in a module or diagnostics,
 * never a crash or a hang. */
#include "frontend/lisp/dsl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	struct srcmgr sm = { 0 };
	struct diag d;
	struct buf diags = { 0 }, out = { 0 };
	diag_init(&d, &sm);
	d.capture = &diags;
	d.error_limit = 50;
	struct lisp_ctx *ctx = lisp_new(&sm, &d);
	lisp_set_output(ctx, NULL, &out, 1 << 16);
	lisp_set_error_output(ctx, NULL, &out, 1 << 16);
	lisp_set_sandbox(ctx, true);
	/* no kernel BTF or tracefs: the fuzzer explores the compiler, not the host */
	struct dsl_options o = { .btf_path = "/nonexistent", .tracefs = "/nonexistent" };
	struct dsl *dsl = dsl_new(ctx, &o);
	struct lisp_limits lim = { .max_steps = 200000, .max_depth = 200, .max_heap_bytes = 64 << 20 };
	lisp_set_limits(ctx, &lim);
	uint32_t file = srcmgr_add(&sm, "fuzz.lisp", (const char *)data, size);
	if (!dsl_load(dsl, file) && !d.errors) {
		struct ir_module *m = dsl_build(dsl, NULL);
		if (m && ir_verify_module(m, &d))
			abort(); /* dsl_build verified it: a second verification must agree */
		ir_module_free(m);
	}
	dsl_free(dsl);
	lisp_free(ctx);
	srcmgr_free(&sm);
	buf_free(&diags);
	buf_free(&out);
	return 0;
}
