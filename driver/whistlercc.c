/* `whistlercc`: a drop-in for `clang -target bpf`. Parses clang's command
 * line, answers the probes, preprocesses (-E, -M, -dM) and hands -c/-S/
 * -fsyntax-only to cc_compile() per input, routed by language. */
#include "driver/cc_compile.h"
#include "driver/cc_options.h"
#include "util/fileio.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void print_summary(const struct diag *d)
{
	if (!d->warnings && !d->errors)
		return;
	if (d->warnings && d->errors)
		fprintf(stderr, "%u warning%s and %u error%s generated.\n", d->warnings,
			d->warnings == 1 ? "" : "s", d->errors, d->errors == 1 ? "" : "s");
	else if (d->warnings)
		fprintf(stderr, "%u warning%s generated.\n", d->warnings,
			d->warnings == 1 ? "" : "s");
	else
		fprintf(stderr, "%u error%s generated.\n", d->errors, d->errors == 1 ? "" : "s");
}

static void print_cc1(const struct cc_options *o, const struct cc_input *in, const char *mode,
		      const char *output)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	fprintf(stderr, " \"%s\" \"-cc1\" \"-triple\" \"%s\" \"%s\" \"-resource-dir\" \"%s\"", exe,
		o->triple, mode, cc_resource_dir());
	if (output)
		fprintf(stderr, " \"-o\" \"%s\"", output);
	fprintf(stderr, " \"-x\" \"c\" \"%s\"\n", in->path);
}

static void banner(const struct cc_options *o)
{
	struct cc_options tmp = *o;
	tmp.action = CC_ACT_VERSION;
	fflush(stdout);
	/* --version prints to stdout; -v and -### print the same to stderr */
	int saved = dup(STDOUT_FILENO);
	dup2(STDERR_FILENO, STDOUT_FILENO);
	cc_run_probe(&tmp);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
}

/* -E, -M, -MM, -dM for one input, written to `out`. */
static int preprocess(const struct cc_options *o, const struct cc_input *in, FILE *out,
		      const char *output)
{
	struct srcmgr sm = { 0 };
	struct diag d;
	int err;
	struct pp *pp = cc_new_pp(o, in, &d, &sm, &err);
	if (!pp) {
		fprintf(stderr, "%s: error: no such file or directory: '%s'\n", o->prog, in->path);
		srcmgr_free(&sm);
		return 1;
	}
	if (o->dep_m || o->dep_mm || o->dump_macros) {
		struct tok t;
		do
			pp_next(pp, &t);
		while (t.kind != T_EOF);
		if (o->dump_macros)
			pp_print_macros(pp, out);
		if (o->dep_m || o->dep_mm) {
			uint32_t n;
			const struct pp_dep *deps = pp_dependencies(pp, &n);
			struct buf b = { 0 };
			char *target = cc_default_output(o, in->path, ".o");
			cc_write_deps(o, in->path, target, deps, n, &b);
			free(target);
			if (o->dep_file) {
				err = cc_write_output(o->dep_file, b.data, b.len);
				if (err)
					fprintf(stderr,
						"%s: error: unable to open output file '%s': '%s'\n",
						o->prog, o->dep_file, strerror(-err));
			} else {
				fwrite(b.data, 1, b.len, out);
			}
			buf_free(&b);
		}
	} else {
		pp_print_tokens(pp, out);
	}
	int rc = diag_failed(&d) ? 1 : 0;
	if (cc_emit_dep_file(o, in->path, output, pp))
		rc = 1;
	print_summary(&d);
	pp_free(pp);
	srcmgr_free(&sm);
	return rc;
}

static int run_preprocessor(const struct cc_options *o)
{
	const char *output = o->output;
	bool to_file = output && strcmp(output, "-");
	char *text = NULL;
	size_t len = 0;
	FILE *out = to_file ? open_memstream(&text, &len) : stdout;
	int rc = 0;
	for (uint32_t i = 0; i < o->inputs.len; i++)
		rc |= preprocess(o, &o->inputs.data[i], out, output);
	if (to_file) {
		fclose(out);
		int err = cc_write_output(output, text, len);
		if (err) {
			fprintf(stderr, "%s: error: unable to open output file '%s': '%s'\n",
				o->prog, output, strerror(-err));
			rc = 1;
		}
		free(text);
	}
	fflush(stdout);
	return rc;
}

/* The dispatch point for -c/-S/-fsyntax-only: by input language. */
static int compile_one(const struct cc_options *o, const struct cc_input *in)
{
	enum cc_lang lang = cc_input_lang(in);
	char *owned = NULL;
	const char *output = o->output;
	if (o->mode == CC_MODE_SYNTAX) {
		output = NULL;
	} else if (!output) {
		const char *ext = o->mode == CC_MODE_ASM ? (o->emit_llvm ? ".ll" : ".s")
							 : (o->emit_llvm ? ".bc" : ".o");
		output = owned = cc_default_output(o, in->path, ext);
	}
	struct srcmgr sm = { 0 };
	struct diag d;
	diag_init(&d, &sm);
	d.tool = o->prog;
	d.werror = o->werror;
	int rc;
	switch (lang) {
	case CC_LANG_WIR:
		rc = cc_compile_ir(o, in, output, &d);
		break;
	case CC_LANG_C:
	case CC_LANG_C_HEADER:
	case CC_LANG_C_CPP_OUT:
	case CC_LANG_AUTO:
		rc = cc_compile(o, in, output, &d);
		break;
	case CC_LANG_ASM:
		fprintf(stderr, "%s: error: assembly input '%s' is not supported by whistlercc\n",
			o->prog, in->path);
		rc = 1;
		break;
	case CC_LANG_OBJECT:
	default:
		fprintf(stderr,
			"%s: warning: %s: 'linker' input unused [-Wunused-command-line-argument]\n",
			o->prog, in->path);
		rc = 0;
		break;
	}
	print_summary(&d);
	srcmgr_free(&sm);
	free(owned);
	return rc;
}

int main(int argc, char **argv)
{
	struct cc_options o = { 0 };
	int rc = cc_parse_args(&o, argc, argv);
	if (rc)
		goto out;
	if (o.action != CC_ACT_RUN) {
		rc = cc_run_probe(&o);
		goto out;
	}
	if (o.verbose || o.dry_run)
		banner(&o);
	if (!o.inputs.len) {
		if (o.verbose) /* `whistlercc -v` alone just identifies itself */
			goto out;
		fprintf(stderr, "%s: error: no input files\n", o.prog);
		rc = 1;
		goto out;
	}
	CC_EACH(&o.inputs, in) if (strcmp(in->path, "-") && access(in->path, F_OK) != 0)
	{
		fprintf(stderr, "%s: error: no such file or directory: '%s'\n", o.prog, in->path);
		rc = 1;
	}
	if (rc)
		goto out;
	if (o.dry_run) {
		const char *mode = o.mode == CC_MODE_PREPROCESS ? "-E"
				   : o.mode == CC_MODE_SYNTAX   ? "-fsyntax-only"
				   : o.mode == CC_MODE_ASM      ? "-S"
								: "-emit-obj";
		CC_EACH(&o.inputs, in) print_cc1(&o, in, mode, o.output);
		goto out;
	}
	if (o.mode == CC_MODE_PREPROCESS) {
		rc = run_preprocessor(&o);
		goto out;
	}
	if (o.mode == CC_MODE_LINK) {
		fprintf(stderr,
			"%s: error: linking is not supported for BPF: compile with -c (and link "
			"objects with bpftool gen object)\n",
			o.prog);
		rc = 1;
		goto out;
	}
	if (o.output && o.inputs.len > 1 && o.mode != CC_MODE_SYNTAX) {
		fprintf(stderr, "%s: error: cannot specify -o when generating multiple output files\n",
			o.prog);
		rc = 1;
		goto out;
	}
	CC_EACH(&o.inputs, in) rc |= compile_one(&o, in);
out:
	cc_options_free(&o);
	return rc;
}
