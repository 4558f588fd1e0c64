/* Fuzz target: the preprocessor on arbitrary text, with a second file the
 * text can #include ("b.h") built from the same input. */
#include "frontend/c/pp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tests/fuzz/c_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const headers[] = { "b.h", NULL };
	fixture_files("fuzz_pp", data, size, headers);

	struct fixture_pp fx;
	fixture_pp_init(&fx);
	struct pp_cmdline def = { PP_CMD_DEFINE, "FUZZ=1" };
	vec_push(&fx.o.cmdline, def);
	struct pp *pp = fixture_pp_begin(&fx);
	if (pp) {
		FILE *out = fopen("/dev/null", "w");
		if (out) {
			pp_print_tokens(pp, out);
			pp_print_macros(pp, out);
			fclose(out);
		}
	}
	fixture_pp_free(&fx);
	return 0;
}
