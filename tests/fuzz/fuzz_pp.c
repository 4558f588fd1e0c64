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

	struct srcmgr sm = { 0 };
	struct diag d;
	struct buf errs = { 0 };
	diag_init(&d, &sm);
	d.capture = &errs;
	d.error_limit = 50;
	struct pp_options o = { 0 };
	predef_config_default(&o.predef);
	o.source_date_epoch = 0;
	o.nostdinc = true;           /* only the two files: fast, deterministic */
	o.max_include_depth = 8;     /* b.h including itself n times is n^depth work */
	o.max_file_entries = 256;
	vec_push(&o.angled_dirs, fixture_dir);
	struct pp_cmdline def = { PP_CMD_DEFINE, "FUZZ=1" };
	vec_push(&o.cmdline, def);
	struct pp *pp = pp_new(&d, &sm, &o);
	char path[128];
	snprintf(path, sizeof(path), "%s/a.c", fixture_dir);
	if (pp_begin(pp, path, NULL) == 0) {
		FILE *out = fopen("/dev/null", "w");
		if (out) {
			pp_print_tokens(pp, out);
			pp_print_macros(pp, out);
			fclose(out);
		}
	}
	pp_free(pp);
	srcmgr_free(&sm);
	buf_free(&errs);
	vec_free(&o.angled_dirs);
	vec_free(&o.cmdline);
	return 0;
}
