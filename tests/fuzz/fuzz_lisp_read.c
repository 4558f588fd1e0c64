/* Fuzz target: the Lisp reader and printer on arbitrary text.  Every datum
 * read is printed back (PRIN1 and PRINC); errors must be diagnostics. */
#include "frontend/lisp/lisp.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lv print_both(struct lisp_ctx *ctx, void *arg)
{
	free(lisp_print_to_cstring(ctx, arg, true));
	free(lisp_print_to_cstring(ctx, arg, false));
	return LISP_NIL;
}

/* One context serves many inputs, rolled back to its checkpoint after each
 * and recreated every so often. */
static struct {
	struct srcmgr sm;
	struct diag d;
	struct buf diags, out;
	struct lisp_ctx *ctx;
	uint32_t file;
	int uses;
} F;

/* The input replaces the text of one source file, so a run allocates and
 * frees in balance (libFuzzer then skips its costly leak scan). */
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

static struct lisp_ctx *context(void)
{
	if (F.ctx && F.uses++ < 1000) {
		lisp_rollback(F.ctx);
		F.diags.len = F.out.len = 0;
		return F.ctx;
	}
	if (F.ctx) {
		lisp_free(F.ctx);
		srcmgr_free(&F.sm);
	}
	memset(&F.sm, 0, sizeof(F.sm));
	diag_init(&F.d, &F.sm);
	F.d.capture = &F.diags;
	F.d.error_limit = 0;
	F.diags.len = F.out.len = 0;
	F.ctx = lisp_new(&F.sm, &F.d);
	F.uses = 0;
	lisp_set_sandbox(F.ctx, true); /* #. evaluates */
	lisp_set_output(F.ctx, NULL, &F.out, 1 << 16);
	lisp_set_error_output(F.ctx, NULL, &F.out, 1 << 16);
	struct lisp_limits lim = { .max_steps = 20000,
				   .max_depth = 500,
				   .max_heap_bytes = 256 << 20 };
	lisp_set_limits(F.ctx, &lim);
	lisp_checkpoint(F.ctx);
	F.file = srcmgr_add(&F.sm, "fuzz.lisp", "", 0);
	return F.ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16384)
		return 0;
	struct lisp_ctx *ctx = context();
	uint32_t id = load_input(data, size);
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
