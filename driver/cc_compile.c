/* Placeholder stages for -c/-S/-fsyntax-only until the C parser and the IR
 * pipeline are connected: a clear error, never a fake output. */
#include "driver/cc_compile.h"

int cc_compile(const struct cc_options *o, const struct cc_input *input, const char *output,
	       struct diag *d)
{
	diag_error(d, (struct srcloc){ 0 },
		   "compiling C is not implemented yet (preprocessing with -E works)");
	return 1;
}

int cc_compile_ir(const struct cc_options *o, const struct cc_input *input, const char *output,
		  struct diag *d)
{
	diag_error(d, (struct srcloc){ 0 }, "compiling Whistler IR (.wir) is not connected yet");
	return 1;
}
