/* Fuzz target: the Lisp evaluator, step-, depth- and heap-limited and
 * sandboxed, on arbitrary text: any program must end in a value or a
 * condition, never a crash, a hang or unbounded memory. */
#include "frontend/lisp/lisp.h"

#include "tests/fuzz/lisp_fixture.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lv print_value(struct lisp_ctx *ctx, void *arg)
{
	char *s = lisp_print_to_cstring(ctx, arg, true);
	free(s);
	return LISP_NIL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return 0;
	static const struct lisp_limits lim = { .max_steps = 50000,
						.max_depth = 2000,
						.max_heap_bytes = 256 << 20 };
	struct lisp_ctx *ctx = fixture_context(1000, 0, &lim);
	uint32_t id = fixture_input(data, size);
	struct lisp_reader r;
	lisp_reader_init(&r, ctx, id);
	lv form, v;
	uint64_t total = 0;
	for (int n = 0; n < 64 && total < 400000 && lisp_read(&r, &form) > 0; n++) {
		if (lisp_eval(ctx, form, &v) == 0)
			lisp_protect(ctx, print_value, v, NULL);
		total += lisp_steps_used(ctx) + 1;
	}
	return 0;
}
