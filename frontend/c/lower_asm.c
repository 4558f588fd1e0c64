/* Inline assembly in C.  An empty template is an optimisation barrier
 * (barrier(), barrier_var(x)): its operands keep their values and nothing
 * is emitted. */
#include "frontend/c/lower_internal.h"

#include <string.h>

static bool blank(const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != ';')
			return false;
	return true;
}

void ls_asm(struct lf *lf, struct casm *a)
{
	if (blank(a->text, a->len) && !a->is_goto) {
		/* "+r"(x) outputs keep x; inputs are evaluated for their effects */
		for (uint32_t i = 0; i < a->ninputs; i++)
			lx_discard(lf, a->inputs[i].expr);
		return;
	}
	lf_unsupported(lf, a->loc, "inline assembly");
}
