/* The fixture of the Lisp fuzz targets (reader, evaluator, DSL): one
 * sandboxed, limited context serves many inputs, rolled back to its
 * checkpoint after each and recreated every `reuse` runs; each input
 * replaces the text of one source file, so a run allocates and frees in
 * balance. Included by one fuzz target each (they are single files). */
#ifndef WHISTLER_TESTS_FUZZ_LISP_FIXTURE_H
#define WHISTLER_TESTS_FUZZ_LISP_FIXTURE_H

#include "frontend/lisp/lisp.h"

#include <stdlib.h>
#include <string.h>

static struct {
	struct srcmgr sm;
	struct diag d;
	struct buf diags, out;
	struct lisp_ctx *ctx;
	uint32_t file;
	int uses;
} F;

static struct lisp_ctx *fixture_context(int reuse, unsigned error_limit,
					const struct lisp_limits *lim)
{
	if (F.ctx && F.uses++ < reuse) {
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
	F.d.error_limit = error_limit;
	F.diags.len = F.out.len = 0;
	F.ctx = lisp_new(&F.sm, &F.d);
	F.uses = 0;
	lisp_set_sandbox(F.ctx, true); /* #. and the evaluator touch no files */
	lisp_set_output(F.ctx, NULL, &F.out, 1 << 16);
	lisp_set_error_output(F.ctx, NULL, &F.out, 1 << 16);
	lisp_set_limits(F.ctx, lim);
	lisp_checkpoint(F.ctx);
	F.file = srcmgr_add(&F.sm, "fuzz.lisp", "", 0);
	return F.ctx;
}

static uint32_t fixture_input(const uint8_t *data, size_t size)
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

#endif
