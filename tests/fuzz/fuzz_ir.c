/* Fuzz target: the IR text parser, printer, verifier and passes.
 * Properties: no crash; a module that parses prints to text that parses to
 * the same text; a module that verifies still verifies after fold and dce. */
#include "ir/pass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ir_module *parse(struct srcmgr *sm, struct diag *d, const char *text, size_t n)
{
	return ir_parse(d, srcmgr_add(sm, "fuzz.wir", text, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srcmgr sm = { 0 };
	struct diag d;
	struct buf sink = { 0 }, a = { 0 }, b = { 0 };
	diag_init(&d, &sm);
	d.capture = &sink;
	struct ir_module *m = parse(&sm, &d, (const char *)data, size);
	if (m) {
		ir_print_module(m, &a);
		struct ir_module *m2 = parse(&sm, &d, (const char *)a.data, a.len);
		if (!m2) {
			fprintf(stderr, "printed module does not parse:\n%s\n%s", buf_cstr(&a), buf_cstr(&sink));
			abort();
		}
		ir_print_module(m2, &b);
		if (strcmp(buf_cstr(&a), buf_cstr(&b))) {
			fprintf(stderr, "round trip differs:\n%s\n---\n%s", buf_cstr(&a), buf_cstr(&b));
			abort();
		}
		ir_module_free(m2);
		if (ir_verify_module(m, &d) == 0) {
			static const char *const passes[] = { "fold", "dce" };
			struct ir_pass_opts opts = { .diag = &d };
			if (ir_run_passes(m, passes, 2, &opts) || ir_verify_module(m, &d)) {
				fprintf(stderr, "passes broke a valid module:\n%s\n%s", (const char *)data,
					buf_cstr(&sink));
				abort();
			}
		}
	}
	ir_module_free(m);
	buf_free(&a);
	buf_free(&b);
	buf_free(&sink);
	srcmgr_free(&sm);
	return 0;
}
