/* Fuzz target: the DSL compiler on arbitrary text — reading, compile-time
 * evaluation (step-, depth- and heap-limited, sandboxed), definitions,
 * lowering and the IR verifier: any input ends in a module or diagnostics,
 * never a crash or a hang. */
#include "frontend/lisp/dsl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loading the Lisp prelude is most of the cost of a fresh context, so one
 * context serves many inputs, rolled back to its checkpoint after each and
 * recreated every so often; each input gets a fresh compiler (dsl_new).
 * The Lisp heap keeps garbage between runs, which makes libFuzzer look for
 * leaks after most runs: -detect_leaks=0 doubles the speed. */
static struct {
	struct srcmgr sm;
	struct diag d;
	struct buf diags, out;
	struct lisp_ctx *ctx;
	uint32_t file;
	int uses;
} F;

static struct lisp_ctx *context(void)
{
	if (F.ctx && F.uses++ < 500) {
		lisp_rollback(F.ctx);
		F.diags.len = F.out.len = 0;
		F.d.errors = F.d.warnings = 0;
		F.d.limit_reached = F.d.suppress_notes = false;
		return F.ctx;
	}
	if (F.ctx) {
		lisp_free(F.ctx);
		srcmgr_free(&F.sm);
	}
	memset(&F.sm, 0, sizeof(F.sm));
	diag_init(&F.d, &F.sm);
	F.d.capture = &F.diags;
	F.d.error_limit = 50;
	F.diags.len = F.out.len = 0;
	F.ctx = lisp_new(&F.sm, &F.d);
	F.uses = 0;
	lisp_set_output(F.ctx, NULL, &F.out, 1 << 16);
	lisp_set_error_output(F.ctx, NULL, &F.out, 1 << 16);
	lisp_set_sandbox(F.ctx, true);
	struct lisp_limits lim = { .max_steps = 200000,
				   .max_depth = 200,
				   .max_heap_bytes = 64 << 20 };
	lisp_set_limits(F.ctx, &lim);
	lisp_checkpoint(F.ctx);
	F.file = srcmgr_add(&F.sm, "fuzz.lisp", "", 0);
	return F.ctx;
}

/* The input replaces the text of the one source file. */
static uint32_t load_input(const uint8_t *data, size_t size)
{
	struct src_file *f = srcmgr_file(&F.sm, F.file);
	free(f->text);
	free(f->line_start);
	f->line_start = NULL;
	f->nlines = 0;
	f->text = malloc(size + 1);
	memcpy(f->text, data, size);
	f->text[size] = 0;
	f->len = size;
	return F.file;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	struct lisp_ctx *ctx = context();
	uint32_t file = load_input(data, size);
	/* no kernel BTF or tracefs: the fuzzer explores the compiler, not the host */
	struct dsl_options o = { .btf_path = "/nonexistent", .tracefs = "/nonexistent" };
	struct dsl *dsl = dsl_new(ctx, &o);
	if (!dsl_load(dsl, file) && !F.d.errors) {
		struct ir_module *m = dsl_build(dsl, NULL);
		if (m && ir_verify_module(m, &F.d))
			abort(); /* dsl_build verified it: a second verification must agree */
		ir_module_free(m);
	}
	dsl_free(dsl);
	return 0;
}
