/* `whistler compile`: Lisp (.lisp) or IR (.wir) sources to a BPF object, and
 * for Lisp the matching userspace definitions (--gen). */
#include "driver/commands.h"
#include "backend/object.h"
#include "frontend/lisp/dsl.h"
#include "ir/pass.h"
#include "util/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const gen_langs[] = { "c", "go", "rust", "python", "lisp" };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: whistler compile [options] FILE.lisp|FILE.wir\n\n"
		"  -o FILE           the object to write (default: FILE with .bpf.o)\n"
		"  -O0 .. -O3, -Os   optimization level (default -O2)\n"
		"  -mcpu=v1..v4      BPF instruction set (default: the module's target)\n"
		"  -g0               no line information in .BTF.ext\n"
		"  --gen LANGS       also write userspace structs and constants: c, go, rust,\n"
		"                    python, lisp or all (comma- or space-separated)\n"
		"  --btf FILE        kernel BTF for import-kernel-struct (default: the running kernel's)\n"
		"  --emit-ir         print the IR the Lisp compiles to (before optimization) and stop\n");
}

static char *strip_ext(const char *in)
{
	const char *dot = strrchr(in, '.'), *slash = strrchr(in, '/');
	size_t n = dot && (!slash || dot > slash) ? (size_t)(dot - in) : strlen(in);
	return xstrndup(in, n);
}

static bool add_lang(bool *want, const char *s)
{
	bool ok = true;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		bool found = false;
		if (n == 3 && !strncmp(s, "all", 3)) {
			for (size_t i = 0; i < ARRAY_LEN(gen_langs); i++)
				want[i] = true;
			found = true;
		}
		for (size_t i = 0; i < ARRAY_LEN(gen_langs) && !found; i++)
			if (strlen(gen_langs[i]) == n && !strncmp(s, gen_langs[i], n))
				want[i] = found = true;
		if (!found && n) {
			fprintf(stderr,
				"whistler compile: error: --gen: unknown language '%.*s' (c, go, rust, python, lisp, all)\n",
				(int)n, s);
			ok = false;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return ok;
}

static bool is_lang(const char *s)
{
	bool want[ARRAY_LEN(gen_langs)] = { 0 };
	if (strchr(s, ','))
		return s[0] != '-';
	if (!strcmp(s, "all"))
		return true;
	for (size_t i = 0; i < ARRAY_LEN(gen_langs); i++)
		if (!strcmp(s, gen_langs[i]))
			return true;
	(void)want;
	return false;
}

static struct ir_module *compile_lisp(struct srcmgr *sm, struct diag *d, uint32_t file,
				      const char *btf, unsigned cpu, struct lisp_ctx **ctxp,
				      struct dsl **dslp)
{
	struct lisp_ctx *ctx = lisp_new(sm, d);
	struct dsl_options o = { .btf_path = btf, .cpu = cpu };
	struct dsl *dsl = dsl_new(ctx, &o);
	*ctxp = ctx;
	*dslp = dsl;
	if (dsl_load(dsl, file) || d->errors)
		return NULL;
	return dsl_build(dsl, NULL);
}

int cmd_compile(int argc, char **argv)
{
	const char *input = NULL, *output = NULL, *btf = NULL;
	struct obj_options opts = { .line_info = true };
	bool want[ARRAY_LEN(gen_langs)] = { 0 }, emit_ir = false;
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
		else if (!strcmp(a, "--emit-ir"))
			emit_ir = true;
		else if (!strcmp(a, "--btf") && i + 1 < argc)
			btf = argv[++i];
		else if (!strncmp(a, "--gen=", 6)) {
			if (!add_lang(want, a + 6))
				return 1;
		} else if (!strcmp(a, "--gen") && i + 1 < argc) {
			if (!add_lang(want, argv[++i]))
				return 1;
			while (i + 1 < argc && is_lang(argv[i + 1]))
				add_lang(want, argv[++i]);
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
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
	bool lisp = len > 5 && !strcmp(input + len - 5, ".lisp");
	bool wir = len > 4 && !strcmp(input + len - 4, ".wir");
	if (!lisp && !wir) {
		fprintf(stderr, "whistler compile: error: '%s': expected a .lisp or .wir file\n",
			input);
		return 1;
	}
	bool any_gen = false;
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		any_gen |= want[i];
	if (any_gen && !lisp) {
		fprintf(stderr, "whistler compile: error: --gen needs a .lisp input\n");
		return 1;
	}
	char *stem = strip_ext(input);
	char *out_path = output ? xstrdup(output) : xasprintf("%s.bpf.o", stem);
	struct srcmgr sm = { 0 };
	struct diag d;
	diag_init(&d, &sm);
	int rc = 1;
	struct ir_module *m = NULL;
	struct lisp_ctx *ctx = NULL;
	struct dsl *dsl = NULL;
	struct buf obj = { 0 };
	uint32_t file = srcmgr_load(&sm, input);
	if (!file) {
		fprintf(stderr, "whistler compile: error: cannot read '%s': %s\n", input,
			strerror(errno));
		goto done;
	}
	if (lisp)
		m = compile_lisp(&sm, &d, file, btf, opts.bk.cpu, &ctx, &dsl);
	else
		m = ir_parse(&d, file);
	if (!m || ir_verify_module(m, &d))
		goto done;
	if (emit_ir) {
		struct buf b = { 0 };
		ir_print_module(m, &b);
		fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
		rc = 0;
		goto done;
	}
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
		fprintf(stderr, "whistler compile: error: cannot write '%s': %s\n", out_path,
			strerror(-err));
		goto done;
	}
	if (any_gen) {
		/* next to the object, named after the source */
		const char *slash = strrchr(out_path, '/');
		const char *base = strrchr(stem, '/') ? strrchr(stem, '/') + 1 : stem;
		for (size_t i = 0; i < ARRAY_LEN(gen_langs); i++) {
			if (!want[i])
				continue;
			struct buf g = { 0 };
			dsl_gen(dsl, gen_langs[i], base, &g);
			char *name = dsl_gen_filename(gen_langs[i], base);
			char *path = slash ? xasprintf("%.*s/%s", (int)(slash - out_path), out_path,
						       name)
					   : xstrdup(name);
			err = file_write_atomic(path, g.data, g.len);
			if (err)
				fprintf(stderr, "whistler compile: error: cannot write '%s': %s\n",
					path, strerror(-err));
			free(path);
			free(name);
			buf_free(&g);
			if (err)
				goto done;
		}
	}
	printf("Compiled %u program%s (%u instructions), %u map%s \u2192 %s\n", opts.nprogs,
	       opts.nprogs == 1 ? "" : "s", opts.ninsns, opts.nmaps, opts.nmaps == 1 ? "" : "s",
	       out_path);
	rc = 0;
done:
	buf_free(&obj);
	ir_module_free(m);
	dsl_free(dsl);
	if (ctx)
		lisp_free(ctx);
	srcmgr_free(&sm);
	free(out_path);
	free(stem);
	return rc;
}
