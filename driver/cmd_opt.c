/* `whistler opt`: read textual IR, verify it, run optimizer passes, print it. */
#include "driver/commands.h"
#include "ir/pass.h"
#include "util/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: whistler opt [options] FILE.wir\n\n"
		     "  --passes=A,B,...    run these passes in order\n"
		     "  -O0 .. -O3, -Os     run the pipeline of that level (default: none)\n"
		     "  --print-after=PASS  print the IR after PASS (or 'all')\n"
		     "  --verify-each       verify the IR after every pass\n"
		     "  --no-verify         do not verify the input and the result\n"
		     "  -o FILE             write the result to FILE instead of stdout\n\n"
		     "passes:\n");
	size_t n;
	const struct ir_pass *p = ir_pass_table(&n);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-10s %s\n", p[i].name, p[i].summary);
}

static int unknown_pass(const char *name)
{
	size_t n;
	const struct ir_pass *p = ir_pass_table(&n);
	fprintf(stderr, "whistler opt: error: unknown pass '%s'\nknown passes:", name);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", p[i].name);
	fputc('\n', stderr);
	return 1;
}

int cmd_opt(int argc, char **argv)
{
	const char *input = NULL, *output = "-", *passes_arg = NULL;
	struct ir_pass_opts opts = { 0 };
	bool verify = true;
	int level = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strncmp(a, "--passes=", 9))
			passes_arg = a + 9;
		else if ((!strcmp(a, "--passes") || !strcmp(a, "-p")) && i + 1 < argc)
			passes_arg = argv[++i];
		else if (!strncmp(a, "--print-after=", 14))
			opts.print_after = a + 14;
		else if (!strcmp(a, "--verify-each"))
			opts.verify_each = true;
		else if (!strcmp(a, "--no-verify"))
			verify = false;
		else if (!strcmp(a, "-o") && i + 1 < argc)
			output = argv[++i];
		else if (a[0] == '-' && a[1] == 'O' && (a[2] == 0 || (strchr("0123sz", a[2]) && !a[3])))
			level = a[2] >= '0' && a[2] <= '3' ? a[2] - '0' : a[2] ? 2 : 2;
		else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "whistler opt: error: unknown option '%s'\n", a);
			usage(stderr);
			return 1;
		} else if (input) {
			fprintf(stderr, "whistler opt: error: more than one input file\n");
			return 1;
		} else
			input = a;
	}
	if (!input) {
		fprintf(stderr, "whistler opt: error: no input file\n");
		usage(stderr);
		return 1;
	}

	/* the pass list: explicit, or a pipeline */
	VEC(const char *) names = { 0 };
	char *list = passes_arg ? xstrdup(passes_arg) : NULL;
	if (list) {
		for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
			if (!ir_pass_lookup(tok)) {
				int rc = unknown_pass(tok);
				free(list);
				vec_free(&names);
				return rc;
			}
			vec_push(&names, tok);
		}
	} else if (level >= 0) {
		for (const char *const *p = ir_pipeline(level); *p; p++)
			vec_push(&names, *p);
	}

	struct srcmgr sm = { 0 };
	struct diag d;
	diag_init(&d, &sm);
	int rc = 1;
	struct ir_module *m = NULL;
	struct buf out = { 0 };
	uint32_t file = srcmgr_load(&sm, input);
	if (!file) {
		fprintf(stderr, "whistler opt: error: cannot read '%s': %s\n", input, strerror(errno));
		goto done;
	}
	m = ir_parse(&d, file);
	if (!m || (verify && ir_verify_module(m, &d)))
		goto done;
	opts.diag = &d;
	opts.dump = &out;
	if (ir_run_passes(m, names.data, names.len, &opts))
		goto done;
	if (verify && ir_verify_module(m, &d))
		goto done;
	if (!opts.print_after)
		ir_print_module(m, &out);
	int err = file_write_atomic(output, out.data, out.len);
	if (err) {
		fprintf(stderr, "whistler opt: error: cannot write '%s': %s\n", output, strerror(-err));
		goto done;
	}
	rc = 0;
done:
	buf_free(&out);
	ir_module_free(m);
	srcmgr_free(&sm);
	free(list);
	vec_free(&names);
	return rc;
}
