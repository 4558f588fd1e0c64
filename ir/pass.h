/* The pass manager: named passes (passes.def), one explicit pipeline per -O
 * level, the IR verifier between passes when asked. */
#ifndef WHISTLER_IR_PASS_H
#define WHISTLER_IR_PASS_H

#include "ir/ir.h"

struct ir_pass {
	const char *name;
	const char *summary;
	/* Runs on one function; returns true if it changed anything. */
	bool (*run)(struct ir_func *f);
};

#define PASS(name, fn, summary) bool fn(struct ir_func *f);
#include "ir/passes.def"
#undef PASS

const struct ir_pass *ir_pass_lookup(const char *name);
const struct ir_pass *ir_pass_table(size_t *n);
/* The pipeline for -O<level> (0..3, 's' and 'z' map to 2): a NULL-terminated list. */
const char *const *ir_pipeline(int level);

struct ir_pass_opts {
	bool verify_each;        /* run the IR verifier after every pass */
	const char *print_after; /* pass name, or "all" */
	struct buf *dump;        /* where --print-after output goes */
	struct diag *diag;
};

/* Runs the named passes in order over every function of m. Returns 0, or the
 * number of verifier errors found after a pass (reported to opts->diag). */
int ir_run_passes(struct ir_module *m, const char *const *names, size_t n,
		  const struct ir_pass_opts *opts);

#endif
