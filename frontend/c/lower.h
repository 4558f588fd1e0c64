/* Lowering the typed C AST (ast.h) to a Whistler IR module: programs from
 * SEC() functions, BTF-defined maps, global data, helpers, subprograms and
 * inlined functions, CO-RE relocatable accesses, BTF types for what the
 * object needs.  The module then goes through the IR verifier, the passes
 * and the backend like any other. */
#ifndef WHISTLER_C_LOWER_H
#define WHISTLER_C_LOWER_H

#include "frontend/c/ast.h"
#include "ir/ir.h"

struct clower_options {
	uint8_t cpu;	/* -mcpu version 1..4 (target of the module) */
	bool debug;	/* -g: BTF prototypes of every function, source lines */
	bool no_inline; /* -fno-inline: only __always_inline functions are inlined */
	int opt_level;	/* -O level: 0 keeps every static function a subprogram */
};

/* Lowers a unit that parsed without errors.  Returns the module, or NULL
 * after located errors reported to d (constructs not supported yet name
 * themselves: "file:line:col: error: ... not supported yet"). */
struct ir_module *clower_unit(struct ctu *tu, struct diag *d, const struct clower_options *o);

#endif
