/* Fuzz target: the preprocessor on arbitrary text, with a second file the
 * text can #include ("b.h") built from the same input. */
#include "frontend/c/pp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void write_file(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(p, 1, n, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_pp.%d", (int)getpid());
		mkdir(dir, 0700);
	}
	/* split at the first 0xff: main file, then the header */
	const uint8_t *sep = memchr(data, 0xff, size);
	size_t n1 = sep ? (size_t)(sep - data) : size;
	write_file("a.c", data, n1);
	write_file("b.h", sep ? sep + 1 : data, sep ? size - n1 - 1 : 0);

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
	vec_push(&o.angled_dirs, dir);
	struct pp_cmdline def = { PP_CMD_DEFINE, "FUZZ=1" };
	vec_push(&o.cmdline, def);
	struct pp *pp = pp_new(&d, &sm, &o);
	char path[128];
	snprintf(path, sizeof(path), "%s/a.c", dir);
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
