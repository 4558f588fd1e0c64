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

	struct srcmgr sm = { 0 };
	struct diag d;
	struct buf errs = { 0 };
	diag_init(&d, &sm);
	d.capture = &errs;
	d.error_limit = 50;
	struct pp_options o = { 0 };
	predef_config_default(&o.predef);
	o.predef.undef = true; /* -undef: 350 fewer #defines a run */
	o.source_date_epoch = 0;
	o.nostdinc = true;	 /* only the files above: fast, deterministic */
	o.max_include_depth = 8; /* b.h including itself n times is n^depth work */
	o.max_file_entries = 256;
	vec_push(&o.angled_dirs, fixture_dir);
	struct pp *pp = pp_new(&d, &sm, &o);
	char path[128];
	snprintf(path, sizeof(path), "%s/a.c", fixture_dir);
	if (pp_begin(pp, path, NULL) == 0) {
		static const char *const wflags[] = { "all", "extra" };
		struct cparse_options co = { .wflags = wflags, .nwflags = 2 };
		struct ctu *tu = cparse_unit(pp, &d, &co);
		ctu_complete_records(tu);
		struct buf out = { 0 };
		cast_dump(tu, &out);
		cast_dump_layouts(tu, true, &out);
		buf_free(&out);
		ctu_free(tu);
	}
	pp_free(pp);
	srcmgr_free(&sm);
	buf_free(&errs);
	vec_free(&o.angled_dirs);
	return 0;
}
