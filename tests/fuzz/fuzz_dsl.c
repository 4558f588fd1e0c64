/* Fuzz target: the DSL compiler on arbitrary text — reading, compile-time
 * evaluation (step-, depth- and heap-limited, sandboxed), definitions,
 * lowering and the IR verifier: any input ends in a module or diagnostics,
 * never a crash or a hang. */
#include "frontend/lisp/dsl.h"

#include "tests/fuzz/lisp_fixture.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loading the DSL prelude is most of a fresh context's cost: the context is
 * reused, each input gets a fresh compiler (dsl_new). The Lisp heap keeps
 * garbage between runs: -detect_leaks=0 doubles the speed. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	static const struct lisp_limits lim = { .max_steps = 200000,
						.max_depth = 200,
						.max_heap_bytes = 64 << 20 };
	struct lisp_ctx *ctx = fixture_context(500, 50, &lim);
	uint32_t file = fixture_input(data, size);
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
