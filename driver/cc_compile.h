/* The compilation stages after preprocessing, called by whistlercc for
 * -c, -S and -fsyntax-only: one input at a time. */
#ifndef WHISTLER_DRIVER_CC_COMPILE_H
#define WHISTLER_DRIVER_CC_COMPILE_H

#include "driver/cc_options.h"

/* Compiles C `input` (already checked to exist) for o->mode, writing
 * `output` ("-" is stdout; NULL for -fsyntax-only). Diagnostics go through
 * `d`. Returns the exit code (0 or 1). */
int cc_compile(const struct cc_options *o, const struct cc_input *input, const char *output,
	       struct diag *d);

/* Compiles Whistler IR text (.wir inputs, -x wir) the same way. */
int cc_compile_ir(const struct cc_options *o, const struct cc_input *input, const char *output,
		  struct diag *d);

/* A preprocessor for `in` configured from the options (search path,
 * predefined macros, -D/-U/-include), diagnostics into d/sm; prints the
 * -v search list. NULL with *err = -errno when the input can't be read. */
struct pp *cc_new_pp(const struct cc_options *o, const struct cc_input *in, struct diag *d,
		     struct srcmgr *sm, int *err);
/* -MD/-MMD: writes the dependency file of a finished preprocessor run for
 * `input` compiled to `output` (NULL: the default). Returns 0 or 1. */
int cc_emit_dep_file(const struct cc_options *o, const char *input, const char *output,
		     struct pp *pp);

#endif
