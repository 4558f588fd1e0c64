/* whistlercc's command-line parser: matches each argument against the
 * option table (cc_options.def) and fills struct cc_options. */
#include "driver/cc_options.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

enum cc_opt_form { FLAG, JOINED, SEP, JOS };

/* The actions of cc_options.def, handled by apply(). */
enum cc_opt_action {
	A_MODE_COMPILE, A_MODE_ASM, A_MODE_PREPROCESS, A_MODE_SYNTAX, A_EMIT_LLVM, A_OUTPUT,
	A_LANGUAGE, A_DRY_RUN, A_VERBOSE, A_NO_LINE_MARKERS, A_DUMP_MACROS, A_IGNORE,
	A_END_OF_OPTIONS, A_PRINT_VERSION, A_PRINT_DUMPVERSION, A_PRINT_DUMPMACHINE,
	A_PRINT_FILE_NAME, A_PRINT_RESOURCE_DIR, A_PRINT_PROG_NAME, A_PRINT_TARGETS, A_PRINT_CPUS,
	A_PRINT_SEARCH_DIRS, A_PRINT_LIBGCC,
	A_PRINT_HELP, A_TARGET, A_CPU, A_LITTLE_ENDIAN, A_BIG_ENDIAN, A_XCLANG, A_MLLVM, A_DEP_M,
	A_DEP_MM, A_DEP_MD, A_DEP_MMD, A_DEP_MP, A_DEP_MG, A_DEP_MF, A_DEP_MT, A_DEP_MQ, A_DEFINE,
	A_UNDEF, A_INCLUDE_DIR, A_IQUOTE, A_ISYSTEM, A_IDIRAFTER, A_INCLUDE_FILE, A_IMACROS,
	A_NOSTDINC, A_NOSTDLIBINC, A_NOBUILTININC, A_UNUSED, A_NO_PREDEFS, A_STD, A_ANSI, A_WARNING, A_NO_WARNINGS,
	A_ERROR_LIMIT, A_NO_CARET, A_OPT_LEVEL, A_DEBUG, A_NO_INLINE, A_VISIBILITY, A_PREFIX_MAP,
	A_DEBUG_DIR, A_FREESTANDING, A_NO_PIC, A_PIC, A_PIE, A_UNSIGNED_CHAR, A_SIGNED_CHAR,
	A_FAST_MATH, A_NO_FAST_MATH, A_UNKNOWN_F, A_BTF_TYPES, A_AST_DUMP, A_EAGER_RECORDS,
};

static const struct cc_opt {
	const char *spelling;
	enum cc_opt_form form;
	int action;
} opts[] = {
#define OPT(spelling, form, action) { spelling, form, A_##action },
#include "driver/cc_options.def"
#undef OPT
};

static void error(const struct cc_options *o, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: error: ", o->prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
}

static void warning(const struct cc_options *o, const char *fmt, const char *arg)
{
	if (o->no_warnings)
		return;
	fprintf(stderr, "%s: warning: ", o->prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
}

/* Finds the option for `arg`: exact spellings first, then the longest prefix. */
static const struct cc_opt *match(const char *arg, const char **value)
{
	const struct cc_opt *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < ARRAY_LEN(opts); i++) {
		const struct cc_opt *op = &opts[i];
		size_t n = strlen(op->spelling);
		if (!strcmp(arg, op->spelling) && op->form != JOINED) {
			*value = NULL;
			return op;
		}
		if ((op->form == JOINED || op->form == JOS) && !strncmp(arg, op->spelling, n) &&
		    n > best_len) {
			best = op;
			best_len = n;
		}
	}
	if (best)
		*value = arg + best_len;
	return best;
}

static const struct {
	const char *name;
	enum predef_std std;
	bool gnu;
} stds[] = {
	{ "c89", STD_C89, false }, { "c90", STD_C89, false }, { "iso9899:1990", STD_C89, false },
	{ "gnu89", STD_C89, true }, { "gnu90", STD_C89, true }, { "c99", STD_C99, false },
	{ "iso9899:1999", STD_C99, false }, { "gnu99", STD_C99, true }, { "c11", STD_C11, false },
	{ "iso9899:2011", STD_C11, false }, { "gnu11", STD_C11, true }, { "c17", STD_C17, false },
	{ "c18", STD_C17, false }, { "iso9899:2017", STD_C17, false }, { "gnu17", STD_C17, true },
	{ "gnu18", STD_C17, true }, { "c2x", STD_C23, false }, { "c23", STD_C23, false },
	{ "gnu2x", STD_C23, true }, { "gnu23", STD_C23, true },
};

static const struct {
	const char *name;
	enum predef_cpu cpu;
} cpus[] = {
	{ "generic", CPU_V1 }, { "v1", CPU_V1 }, { "v2", CPU_V2 },
	{ "v3", CPU_V3 },      { "v4", CPU_V4 }, { "probe", CPU_PROBE },
};

static bool set_target(struct cc_options *o, const char *t)
{
	o->triple = t;
	/* bpf, bpfel, bpfeb, and triples such as bpf-pc-linux, bpfel-unknown-none */
	size_t arch = strcspn(t, "-");
	if (arch == 3 && !strncmp(t, "bpf", 3))
		o->big_endian = false;
	else if (arch == 5 && !strncmp(t, "bpfel", 5))
		o->big_endian = false;
	else if (arch == 5 && !strncmp(t, "bpfeb", 5))
		o->big_endian = true;
	else
		return false;
	o->pp.predef.pie = strstr(t, "-linux") != NULL;
	return true;
}

static int apply(struct cc_options *o, int action, const char *v, const char *arg)
{
	struct pp_options *pp = &o->pp;
	switch (action) {
	case A_MODE_COMPILE:
		if (o->mode != CC_MODE_PREPROCESS && o->mode != CC_MODE_SYNTAX &&
		    o->mode != CC_MODE_ASM)
			o->mode = CC_MODE_COMPILE;
		break;
	case A_MODE_ASM:
		if (o->mode != CC_MODE_PREPROCESS && o->mode != CC_MODE_SYNTAX)
			o->mode = CC_MODE_ASM;
		break;
	case A_MODE_PREPROCESS:
		o->mode = CC_MODE_PREPROCESS;
		break;
	case A_MODE_SYNTAX:
		if (o->mode != CC_MODE_PREPROCESS)
			o->mode = CC_MODE_SYNTAX;
		break;
	case A_EMIT_LLVM:
		o->emit_llvm = true;
		break;
	case A_OUTPUT:
		o->output = v;
		break;
	case A_LANGUAGE:
		if (!strcmp(v, "c") || !strcmp(v, "c-header") || !strcmp(v, "cpp-output") ||
		    !strcmp(v, "wir") || !strcmp(v, "assembler") || !strcmp(v, "none") ||
		    !strcmp(v, "assembler-with-cpp"))
			return -2; /* the caller applies it to the inputs that follow */
		error(o, "language not recognized: '%s'", v);
		return 1;
	case A_DRY_RUN:
		o->dry_run = true;
		break;
	case A_VERBOSE:
		o->verbose = true;
		pp->verbose = true;
		break;
	case A_NO_LINE_MARKERS:
		pp->no_line_markers = true;
		break;
	case A_DUMP_MACROS:
		o->dump_macros = true;
		break;
	case A_END_OF_OPTIONS:
		return -3;
	case A_PRINT_VERSION:
		o->action = CC_ACT_VERSION;
		break;
	case A_PRINT_DUMPVERSION:
		o->action = CC_ACT_DUMPVERSION;
		break;
	case A_PRINT_DUMPMACHINE:
		o->action = CC_ACT_DUMPMACHINE;
		break;
	case A_PRINT_FILE_NAME:
		o->action = CC_ACT_PRINT_FILE_NAME;
		o->action_arg = v;
		break;
	case A_PRINT_RESOURCE_DIR:
		o->action = CC_ACT_PRINT_RESOURCE_DIR;
		break;
	case A_PRINT_PROG_NAME:
		o->action = CC_ACT_PRINT_PROG_NAME;
		o->action_arg = v;
		break;
	case A_PRINT_TARGETS:
		o->action = CC_ACT_PRINT_TARGETS;
		break;
	case A_PRINT_SEARCH_DIRS:
		o->action = CC_ACT_PRINT_SEARCH_DIRS;
		break;
	case A_PRINT_LIBGCC:
		o->action = CC_ACT_PRINT_FILE_NAME; /* no runtime library for BPF */
		o->action_arg = "libgcc.a";
		break;
	case A_PRINT_CPUS:
		o->action = CC_ACT_PRINT_CPUS;
		break;
	case A_PRINT_HELP:
		o->action = CC_ACT_HELP;
		break;
	case A_TARGET:
		if (!set_target(o, v)) {
			fprintf(stderr,
				"%s: error: unsupported target '%s': whistlercc compiles for BPF "
				"only (bpf, bpfel, bpfeb)\n",
				o->prog, v);
			return 1;
		}
		break;
	case A_CPU:
		if (!strcmp(v, "help") || !strcmp(v, "?")) {
			o->action = CC_ACT_PRINT_CPUS;
			break;
		}
		for (size_t i = 0; i < ARRAY_LEN(cpus); i++)
			if (!strcmp(v, cpus[i].name)) {
				o->cpu = cpus[i].cpu;
				o->cpu_explicit = true;
				return 0;
			}
		/* clang prints these two lines without the program name */
		fprintf(stderr, "error: unknown target CPU '%s'\n", v);
		fprintf(stderr, "note: valid target CPU values are: generic, v1, v2, v3, v4, probe\n");
		return 1;
	case A_LITTLE_ENDIAN:
		o->big_endian = false;
		break;
	case A_BIG_ENDIAN:
		o->big_endian = true;
		break;
	case A_XCLANG:
		return -4; /* the caller pairs -Xclang arguments */
	case A_MLLVM:
		if (!strncmp(v, "-bpf-stack-size=", 16) || !strncmp(v, "--bpf-stack-size=", 17)) {
			const char *n = strchr(v, '=') + 1;
			char *end;
			long s = strtol(n, &end, 10);
			if (*n && !*end && s > 0 && s <= INT_MAX) {
				o->stack_size = (int)s;
				break;
			}
			error(o, "invalid value '%s' for -bpf-stack-size", n);
			return 1;
		}
		warning(o, "-mllvm option '%s' is not supported by whistlercc, ignored", v);
		break;
	case A_DEP_M:
		o->dep_m = true;
		break;
	case A_DEP_MM:
		o->dep_mm = true;
		break;
	case A_DEP_MD:
		o->dep_md = true;
		break;
	case A_DEP_MMD:
		o->dep_mmd = true;
		break;
	case A_DEP_MP:
		o->dep_mp = true;
		break;
	case A_DEP_MG:
		o->dep_mg = true;
		break;
	case A_DEP_MF:
		o->dep_file = v;
		break;
	case A_DEP_MT:
	case A_DEP_MQ: {
		struct cc_dep_target t = { v, action == A_DEP_MQ };
		vec_push(&o->dep_targets, t);
		break;
	}
	case A_DEFINE: {
		struct pp_cmdline c = { PP_CMD_DEFINE, v };
		vec_push(&pp->cmdline, c);
		break;
	}
	case A_UNDEF: {
		struct pp_cmdline c = { PP_CMD_UNDEF, v };
		vec_push(&pp->cmdline, c);
		break;
	}
	case A_INCLUDE_FILE:
	case A_IMACROS: {
		struct pp_cmdline c = { action == A_IMACROS ? PP_CMD_IMACROS : PP_CMD_INCLUDE, v };
		vec_push(&pp->cmdline, c);
		break;
	}
	case A_INCLUDE_DIR:
		vec_push(&pp->angled_dirs, v);
		break;
	case A_IQUOTE:
		vec_push(&pp->quote_dirs, v);
		break;
	case A_ISYSTEM:
		vec_push(&pp->system_dirs, v);
		break;
	case A_IDIRAFTER:
		vec_push(&pp->after_dirs, v);
		break;
	case A_NOSTDINC:
		pp->nostdinc = true;
		break;
	case A_NOSTDLIBINC:
		pp->nostdlibinc = true;
		break;
	case A_NOBUILTININC:
		pp->resource_include = NULL;
		break;
	case A_STD:
		for (size_t i = 0; i < ARRAY_LEN(stds); i++)
			if (!strcmp(v, stds[i].name)) {
				pp->predef.std = stds[i].std;
				pp->predef.gnu = stds[i].gnu;
				return 0;
			}
		fprintf(stderr, "error: invalid value '%s' in '%s'\n", v, arg);
		return 1;
	case A_ANSI:
		pp->predef.std = STD_C89;
		pp->predef.gnu = false;
		break;
	case A_WARNING:
		/* -Werror turns warnings into errors; -Werror=x, -Wno-x, -Wfoo and
		 * names we don't know are all accepted and never fail the build */
		if (!strcmp(v, "error"))
			o->werror = true;
		else if (!strcmp(v, "no-error"))
			o->werror = false;
		else
			vec_push(&o->wflags, v); /* the parser's warning switches */
		break;
	case A_NO_WARNINGS:
		o->no_warnings = true;
		pp->no_warnings = true;
		break;
	case A_ERROR_LIMIT: {
		char *end;
		unsigned long n = strtoul(v, &end, 10);
		if (!*v || *end || n > UINT32_MAX) {
			fprintf(stderr, "%s: error: invalid integral value '%s' in '%s'\n", o->prog, v,
				arg);
			return 1;
		}
		o->error_limit = (unsigned)n;
		break;
	}
	case A_NO_CARET:
		o->no_caret = true;
		break;
	case A_OPT_LEVEL:
		if (!*v || !strcmp(v, "1") || !strcmp(v, "g")) {
			o->opt_level = 1;
			o->opt_size = false;
		} else if (!strcmp(v, "0") || !strcmp(v, "2") || !strcmp(v, "3")) {
			o->opt_level = v[0] - '0';
			o->opt_size = false;
		} else if (!strcmp(v, "s") || !strcmp(v, "z")) {
			o->opt_level = 2;
			o->opt_size = true;
		} else if (!strcmp(v, "fast") || (v[0] >= '4' && v[0] <= '9' && !v[1])) {
			if (strcmp(v, "fast"))
				warning(o, "optimization level '%s' is not supported; using '-O3' instead",
					arg);
			o->opt_level = 3;
			o->opt_size = false;
		} else {
			fprintf(stderr, "%s: error: invalid integral value '%s' in '%s'\n", o->prog,
				v, arg);
			return 1;
		}
		break;
	case A_DEBUG:
		/* -g, -g0..3, -ggdb, -gdwarf[-N], -gbtf, -gline-tables-only … */
		if (!strcmp(v, "0"))
			o->debug = 0;
		else if (!strcmp(v, "1") || !strcmp(v, "line-tables-only") ||
			 !strcmp(v, "line-directives-only"))
			o->debug = 1;
		else if (!strcmp(v, "3") || !strcmp(v, "gdb3"))
			o->debug = 3;
		else if (!*v || !strcmp(v, "2") || !strncmp(v, "gdb", 3) || !strncmp(v, "dwarf", 5) ||
			 !strcmp(v, "btf") || !strcmp(v, "full"))
			o->debug = o->debug > 2 ? o->debug : 2;
		/* -gcolumn-info, -gno-column-info, -gsplit-dwarf, -gz …: no effect */
		break;
	case A_NO_INLINE:
		o->no_inline = true;
		break;
	case A_VISIBILITY:
		if (strcmp(v, "default") && strcmp(v, "hidden") && strcmp(v, "protected") &&
		    strcmp(v, "internal")) {
			fprintf(stderr, "%s: error: invalid value '%s' in '%s'\n", o->prog, v, arg);
			return 1;
		}
		o->visibility = v;
		break;
	case A_PREFIX_MAP:
		if (!strchr(v, '=')) {
			fprintf(stderr, "%s: error: invalid argument '%s' to %.*s\n", o->prog, v,
				(int)(strchr(arg, '=') - arg), arg);
			return 1;
		}
		vec_push(&o->prefix_maps, v);
		break;
	case A_DEBUG_DIR:
		o->debug_dir = v;
		break;
	case A_FREESTANDING:
		pp->predef.freestanding = true;
		break;
	case A_NO_PIC:
		pp->predef.pic = pp->predef.pie = false;
		break;
	case A_PIC:
		pp->predef.pic = true;
		break;
	case A_PIE:
		pp->predef.pic = pp->predef.pie = true;
		break;
	case A_UNSIGNED_CHAR:
		pp->predef.unsigned_char = true;
		break;
	case A_SIGNED_CHAR:
		pp->predef.unsigned_char = false;
		break;
	case A_FAST_MATH:
		pp->predef.fast_math = true;
		break;
	case A_NO_FAST_MATH:
		pp->predef.fast_math = false;
		break;
	case A_NO_PREDEFS:
		o->pp.predef.undef = true;
		break;
	case A_UNUSED:
		warning(o, "argument unused during compilation: '%s'", arg);
		break;
	case A_UNKNOWN_F:
		/* GCC's -f options for other targets: accepted like clang's
		 * ignored-optimization group, so builds keep working */
		warning(o, "optimization flag '%s' is not supported", arg);
		break;
	case A_BTF_TYPES:
		o->btf_types = true;
		o->btf_path = v && *v ? v : NULL;
		break;
	case A_AST_DUMP:
		o->ast_dump = true;
		break;
	case A_EAGER_RECORDS:
		o->eager_records = true;
		break;
	case A_IGNORE:
		break;
	}
	return 0;
}

static enum cc_lang lang_of(const char *x)
{
	if (!x || !strcmp(x, "none"))
		return CC_LANG_AUTO;
	if (!strcmp(x, "c"))
		return CC_LANG_C;
	if (!strcmp(x, "c-header"))
		return CC_LANG_C_HEADER;
	if (!strcmp(x, "cpp-output"))
		return CC_LANG_C_CPP_OUT;
	if (!strcmp(x, "wir"))
		return CC_LANG_WIR;
	return CC_LANG_ASM;
}

enum cc_lang cc_input_lang(const struct cc_input *in)
{
	if (in->lang != CC_LANG_AUTO)
		return in->lang;
	const char *dot = strrchr(in->path, '.');
	if (!dot || strchr(dot, '/'))
		return CC_LANG_OBJECT;
	if (!strcmp(dot, ".c"))
		return CC_LANG_C;
	if (!strcmp(dot, ".h"))
		return CC_LANG_C_HEADER;
	if (!strcmp(dot, ".i"))
		return CC_LANG_C_CPP_OUT;
	if (!strcmp(dot, ".wir"))
		return CC_LANG_WIR;
	if (!strcmp(dot, ".s") || !strcmp(dot, ".S"))
		return CC_LANG_ASM;
	return CC_LANG_OBJECT;
}

char *cc_default_output(const struct cc_options *o, const char *input, const char *ext)
{
	const char *base = strrchr(input, '/');
	base = base ? base + 1 : input;
	if (!strcmp(input, "-"))
		base = "-";
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	return xasprintf("%.*s%s", (int)n, base, ext);
}

const char *cc_resource_dir(void)
{
	static char dir[PATH_MAX];
	if (dir[0])
		return dir;
	const char *env = getenv("WHISTLER_RESOURCE_DIR");
	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
		return dir;
	}
	/* installed: <prefix>/bin/whistlercc and <prefix>/lib/whistler/include */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			char cand[PATH_MAX + 32];
			snprintf(cand, sizeof(cand), "%s/../lib/whistler/include", exe);
			struct stat st;
			if (stat(cand, &st) == 0 && S_ISDIR(st.st_mode)) {
				char *real = realpath(cand, NULL);
				if (real) {
					char *inc = strrchr(real, '/');
					*inc = 0;
					snprintf(dir, sizeof(dir), "%s", real);
					free(real);
					return dir;
				}
			}
		}
	}
	snprintf(dir, sizeof(dir), "%s/resource", WHISTLER_SOURCE_DIR);
	return dir;
}

int cc_parse_args(struct cc_options *o, int argc, char **argv)
{
	const char *slash = strrchr(argv[0], '/');
	o->prog = slash ? slash + 1 : argv[0];
	o->triple = "bpf";
	o->cpu = CPU_V3;
	o->stack_size = 512;
	o->error_limit = 20;
	predef_config_default(&o->pp.predef);
	o->pp.source_date_epoch = -1;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (!*end && v >= 0)
			o->pp.source_date_epoch = v;
	}
	static char inc[PATH_MAX + 16];
	snprintf(inc, sizeof(inc), "%s/include", cc_resource_dir());
	o->pp.resource_include = inc;

	enum cc_lang cur_lang = CC_LANG_AUTO;
	VEC(const char *) xclang = { 0 };
	bool only_inputs = false;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (only_inputs || arg[0] != '-' || !strcmp(arg, "-")) {
			struct cc_input in = { arg, cur_lang };
			vec_push(&o->inputs, in);
			continue;
		}
		const char *v;
		const struct cc_opt *op = match(arg, &v);
		if (!op) {
			error(o, "unknown argument: '%s'", arg);
			rc = 1;
			continue;
		}
		if ((op->form == SEP || (op->form == JOS && !v)) || (op->form == JOS && !*v)) {
			if (i + 1 >= argc) {
				error(o, "argument to '%s' is missing (expected 1 value)", arg);
				rc = 1;
				break;
			}
			v = argv[++i];
		}
		int r = apply(o, op->action, v, arg);
		if (r == -2)
			cur_lang = lang_of(v);
		else if (r == -3)
			only_inputs = true;
		else if (r == -4)
			vec_push(&xclang, v);
		else if (r)
			rc = 1;
	}
	/* -Xclang pairs: -target-feature +alu32 is honoured, the rest is ignored */
	for (uint32_t i = 0; i < xclang.len; i++) {
		if (!strcmp(xclang.data[i], "-target-feature") && i + 1 < xclang.len) {
			const char *f = xclang.data[++i];
			if (!strcmp(f + 1, "alu32") && (f[0] == '+' || f[0] == '-'))
				o->alu32 = f[0] == '+';
			else
				warning(o, "target feature '%s' is not supported, ignored", f);
			continue;
		}
		const char *x = xclang.data[i];
		if (!strcmp(x, "-ast-dump")) {
			o->ast_dump = true;
		} else if (!strcmp(x, "-fdump-record-layouts-simple") ||
			   !strcmp(x, "-fdump-record-layouts")) {
			/* only clang's -simple form exists here; builds that grep the
			 * full form are not known */
			o->dump_layouts = true;
		} else if (!strcmp(x, "-fdump-record-layouts-complete")) {
			o->dump_layouts = o->dump_layouts_complete = true;
		} else if (!strcmp(x, "-disable-llvm-passes") || !strcmp(x, "-disable-O0-optnone")) {
			/* optimisation switches of the LLVM pipeline: nothing to do */
		} else {
			warning(o, "-Xclang option '%s' is not supported by whistlercc, ignored", x);
		}
	}
	vec_free(&xclang);
	if (o->cpu >= CPU_V3)
		o->alu32 = true;
	if (o->dep_m || o->dep_mm)
		o->mode = CC_MODE_PREPROCESS;
	o->pp.predef.cpu = o->cpu;
	o->pp.predef.big_endian = o->big_endian;
	o->pp.predef.opt_level = o->opt_level;
	o->pp.predef.opt_size = o->opt_size;
	o->pp.predef.debug = o->debug > 0;
	return rc;
}

void cc_options_free(struct cc_options *o)
{
	vec_free(&o->inputs);
	vec_free(&o->dep_targets);
	vec_free(&o->prefix_maps);
	vec_free(&o->wflags);
	vec_free(&o->pp.quote_dirs);
	vec_free(&o->pp.angled_dirs);
	vec_free(&o->pp.system_dirs);
	vec_free(&o->pp.after_dirs);
	vec_free(&o->pp.cmdline);
}
