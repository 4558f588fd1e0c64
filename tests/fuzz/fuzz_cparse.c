/* Fuzz target: the C front end (preprocessor, parser, semantic analysis) on
 * arbitrary text, without host headers.  The input is a main file and,
 * after the first 0xff byte, a header written both as "b.h" and as
 * "vmlinux.h" (whose record and enum bodies are parsed lazily); after the
 * parse every lazy body is completed, the AST dumped and every record laid
 * out, so all of the unit's paths run. */
#include "frontend/c/cparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/c_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const headers[] = { "b.h", "vmlinux.h", NULL };
	fixture_files("fuzz_cparse", data, size, headers);

	struct fixture_pp fx;
	fixture_pp_init(&fx);
	fx.o.predef.undef = true; /* -undef: 350 fewer #defines a run */
	struct pp *pp = fixture_pp_begin(&fx);
	if (pp) {
		static const char *const wflags[] = { "all", "extra" };
		struct cparse_options co = { .wflags = wflags, .nwflags = 2 };
		struct ctu *tu = cparse_unit(pp, &fx.d, &co);
		ctu_complete_records(tu);
		struct buf out = { 0 };
		cast_dump(tu, &out);
		cast_dump_layouts(tu, true, &out);
		buf_free(&out);
		ctu_free(tu);
	}
	fixture_pp_free(&fx);
	return 0;
}
