/* Fuzz target: the Lisp reader and printer on arbitrary text.  Every datum
 * read is printed back (PRIN1 and PRINC); errors must be diagnostics. */
#include "frontend/lisp/lisp.h"

#include "tests/fuzz/lisp_fixture.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lv print_both(struct lisp_ctx *ctx, void *arg)
{
	free(lisp_print_to_cstring(ctx, arg, true));
	free(lisp_print_to_cstring(ctx, arg, false));
	return LISP_NIL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16384)
		return 0;
	static const struct lisp_limits lim = { .max_steps = 20000,
						.max_depth = 500,
						.max_heap_bytes = 256 << 20 };
	struct lisp_ctx *ctx = fixture_context(1000, 0, &lim);
	uint32_t id = fixture_input(data, size);
	struct lisp_reader r;
	lisp_reader_init(&r, ctx, id);
	lv v;
	for (int n = 0; n < 256 && lisp_read(&r, &v) > 0; n++) {
		struct srcloc loc = lisp_loc(v);
		if (loc.file && loc.file != id)
			abort();
		lisp_protect(ctx, print_both, v, NULL);
	}
	return 0;
}
