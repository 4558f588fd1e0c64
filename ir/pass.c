/* The pass manager: the registry of passes, the pipeline of each -O level,
 * and running passes with the verifier and dumps in between. */
#include "ir/pass.h"

#include <string.h>

static const struct ir_pass passes[] = {
#define PASS(name, fn, summary) { #name, summary, fn },
#include "ir/passes.def"
#undef PASS
};

/* The pipelines, one per -O level: the one place that lists them. */
static const char *const pipeline_o0[] = { NULL };
static const char *const pipeline_o1[] = { "fold", "dce", "simplify", NULL };
static const char *const pipeline_o2[] = { "fold", "cse", "dce", "chkmerge", "simplify", "fold", "dce", NULL };

const char *const *ir_pipeline(int level)
{
	switch (level) {
	case 0: return pipeline_o0;
	case 1: return pipeline_o1;
	default: return pipeline_o2;
	}
}

const struct ir_pass *ir_pass_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(passes); i++)
		if (!strcmp(passes[i].name, name))
			return &passes[i];
	return NULL;
}

const struct ir_pass *ir_pass_table(size_t *n)
{
	*n = ARRAY_LEN(passes);
	return passes;
}

int ir_run_passes(struct ir_module *m, const char *const *names, size_t n,
		  const struct ir_pass_opts *opts)
{
	for (size_t i = 0; i < n; i++) {
		const struct ir_pass *p = ir_pass_lookup(names[i]);
		W_ASSERT(p);
		for (uint32_t s = 1; s < m->syms.len; s++)
			if (ir_sym(m, s)->kind == IR_SYM_FUNC)
				p->run(ir_sym(m, s)->fn);
		if (opts && opts->print_after && opts->dump &&
		    (!strcmp(opts->print_after, "all") || !strcmp(opts->print_after, p->name))) {
			buf_printf(opts->dump, "; after %s\n", p->name);
			ir_print_module(m, opts->dump);
		}
		if (opts && opts->verify_each) {
			unsigned errs = ir_verify_module(m, opts->diag);
			if (errs) {
				diag_note(opts->diag, (struct srcloc){ 0 }, "the IR was invalid after pass '%s'",
					  p->name);
				return (int)errs;
			}
		}
	}
	return 0;
}
