/* Fuzz target: the Lisp evaluator, step-, depth- and heap-limited and
 * sandboxed, on arbitrary text: any program must end in a value or a
 * condition, never a crash, a hang or unbounded memory. */
#include "frontend/lisp/lisp.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lv print_value(struct lisp_ctx *ctx, void *arg)
{
	char *s = lisp_print_to_cstring(ctx, arg, true);
	free(s);
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
	lisp_set_sandbox(F.ctx, true);
	lisp_set_output(F.ctx, NULL, &F.out, 1 << 16);
	lisp_set_error_output(F.ctx, NULL, &F.out, 1 << 16);
	struct lisp_limits lim = { .max_steps = 50000,
				   .max_depth = 2000,
				   .max_heap_bytes = 256 << 20 };
	lisp_set_limits(F.ctx, &lim);
	lisp_checkpoint(F.ctx);
	F.file = srcmgr_add(&F.sm, "fuzz.lisp", "", 0);
	return F.ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return 0;
	struct lisp_ctx *ctx = context();
	uint32_t id = load_input(data, size);
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
