/* `whistler compile`: IR (and, later, Lisp) sources to a BPF object. */
#include "driver/commands.h"
#include "backend/object.h"
#include "ir/pass.h"
#include "util/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: whistler compile [options] FILE.wir\n\n"
		     "  -o FILE           the object to write (default: FILE with .bpf.o)\n"
		     "  -O0 .. -O3, -Os   optimization level (default -O2)\n"
		     "  -mcpu=v1..v4      BPF instruction set (default: the module's target)\n"
		     "  -g0               no line information in .BTF.ext\n");
}

static char *default_output(const char *in)
{
	const char *dot = strrchr(in, '.'), *slash = strrchr(in, '/');
	size_t n = dot && (!slash || dot > slash) ? (size_t)(dot - in) : strlen(in);
	return xasprintf("%.*s.bpf.o", (int)n, in);
}

int cmd_compile(int argc, char **argv)
{
	const char *input = NULL, *output = NULL;
	struct obj_options opts = { .line_info = true };
	int level = 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-o") && i + 1 < argc)
			output = argv[++i];
		else if (!strncmp(a, "-mcpu=v", 7) && a[7] >= '1' && a[7] <= '4' && !a[8])
			opts.bk.cpu = (uint8_t)(a[7] - '0');
		else if (a[0] == '-' && a[1] == 'O' && (!a[2] || (strchr("0123sz", a[2]) && !a[3])))
			level = a[2] >= '0' && a[2] <= '3' ? a[2] - '0' : 2;
		else if (!strcmp(a, "-g0"))
			opts.line_info = false;
		else if (!strcmp(a, "-g"))
			opts.line_info = true;
		else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "whistler compile: error: unknown option '%s'\n", a);
			usage(stderr);
			return 1;
		} else if (input) {
			fprintf(stderr, "whistler compile: error: more than one input file\n");
			return 1;
		} else
			input = a;
	}
	if (!input) {
		fprintf(stderr, "whistler compile: error: no input file\n");
		usage(stderr);
		return 1;
	}
	size_t len = strlen(input);
	if (len < 4 || strcmp(input + len - 4, ".wir")) {
		fprintf(stderr, "whistler compile: error: '%s': only .wir input is supported so far\n", input);
		return 1;
	}
	char *out_path = output ? xstrdup(output) : default_output(input);
	struct srcmgr sm = { 0 };
	struct diag d;
	diag_init(&d, &sm);
	int rc = 1;
	struct ir_module *m = NULL;
	struct buf obj = { 0 };
	uint32_t file = srcmgr_load(&sm, input);
	if (!file) {
		fprintf(stderr, "whistler compile: error: cannot read '%s': %s\n", input, strerror(errno));
		goto done;
	}
	m = ir_parse(&d, file);
	if (!m || ir_verify_module(m, &d))
		goto done;
	const char *const *pipeline = ir_pipeline(level);
	size_t np = 0;
	while (pipeline[np])
		np++;
	struct ir_pass_opts popts = { .diag = &d };
	if (ir_run_passes(m, pipeline, np, &popts) || ir_verify_module(m, &d))
		goto done;
	if (bk_write_object(m, &opts, &obj, &d))
		goto done;
	int err = file_write_atomic(out_path, obj.data, obj.len);
	if (err) {
		fprintf(stderr, "whistler compile: error: cannot write '%s': %s\n", out_path, strerror(-err));
		goto done;
	}
	printf("Compiled %u program%s (%u instructions), %u map%s \u2192 %s\n", opts.nprogs,
	       opts.nprogs == 1 ? "" : "s", opts.ninsns, opts.nmaps, opts.nmaps == 1 ? "" : "s", out_path);
	rc = 0;
done:
	buf_free(&obj);
	ir_module_free(m);
	srcmgr_free(&sm);
	free(out_path);
	return rc;
}
