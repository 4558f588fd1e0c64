/* The parsed command line of whistlercc (clang's options, see
 * cc_options.def) and the entry points of its stages. */
#ifndef WHISTLER_DRIVER_CC_OPTIONS_H
#define WHISTLER_DRIVER_CC_OPTIONS_H

#include "frontend/c/pp.h"

#include <stdbool.h>

/* vec_foreach that never computes NULL + 0 on an empty vector. */
#define CC_EACH(v, it)                                                                             \
	for (__typeof__((v)->data) it = (v)->data; it && it < (v)->data + (v)->len; it++)

enum cc_mode {
	CC_MODE_LINK,       /* no -c/-S/-E: clang would link; we refuse */
	CC_MODE_COMPILE,    /* -c: object file */
	CC_MODE_ASM,        /* -S: assembly */
	CC_MODE_PREPROCESS, /* -E, -M, -MM */
	CC_MODE_SYNTAX,     /* -fsyntax-only */
};

/* Input languages, from -x or the file name's extension. */
enum cc_lang {
	CC_LANG_AUTO,      /* decide by extension */
	CC_LANG_C,         /* .c, -x c */
	CC_LANG_C_HEADER,  /* .h, -x c-header */
	CC_LANG_C_CPP_OUT, /* .i, -x cpp-output: already preprocessed */
	CC_LANG_WIR,       /* .wir, -x wir: Whistler IR text, routed to the IR pipeline */
	CC_LANG_ASM,       /* .s, -x assembler */
	CC_LANG_OBJECT,    /* .o and anything else: a linker input */
};

struct cc_input {
	const char *path; /* "-" is stdin */
	enum cc_lang lang;
};

enum cc_action {
	CC_ACT_RUN,
	CC_ACT_VERSION,
	CC_ACT_DUMPVERSION,
	CC_ACT_DUMPMACHINE,
	CC_ACT_PRINT_FILE_NAME,
	CC_ACT_PRINT_RESOURCE_DIR,
	CC_ACT_PRINT_PROG_NAME,
	CC_ACT_PRINT_TARGETS,
	CC_ACT_PRINT_SEARCH_DIRS,
	CC_ACT_PRINT_CPUS,
	CC_ACT_HELP,
};

struct cc_dep_target {
	const char *text;
	bool quote; /* -MQ: escape for make */
};

struct cc_options {
	const char *prog; /* basename of argv[0], prefix of "prog: error: …" */
	enum cc_action action;
	const char *action_arg; /* -print-file-name=X, --print-prog-name=X */
	enum cc_mode mode;
	VEC(struct cc_input) inputs;
	const char *output; /* -o; NULL: the default name; "-": stdout */
	bool emit_llvm;     /* -emit-llvm: Whistler IR instead of an object */
	bool dry_run;       /* -###: print the steps, run nothing */
	bool verbose;       /* -v */
	bool dump_macros;   /* -dM */

	/* target */
	const char *triple; /* as given; "bpf" by default */
	enum predef_cpu cpu;
	bool cpu_explicit;
	bool big_endian;
	bool alu32;         /* -Xclang -target-feature -Xclang +alu32, or -mcpu >= v3 */
	int stack_size;     /* -mllvm -bpf-stack-size=N; 512 by default */

	/* preprocessor (search path, -D/-U/-include, predefined macros) */
	struct pp_options pp;

	/* dependency output */
	bool dep_m, dep_mm;   /* -M, -MM: dependencies instead of preprocessed text */
	bool dep_md, dep_mmd; /* -MD, -MMD: dependencies as a side effect */
	bool dep_mp, dep_mg;
	const char *dep_file; /* -MF */
	VEC(struct cc_dep_target) dep_targets; /* -MT, -MQ */

	/* diagnostics */
	bool werror, no_warnings, no_caret;
	unsigned error_limit;
	VEC(const char *) wflags; /* -W<x> other than -Werror, without the -W */

	/* C frontend */
	bool btf_types;       /* -fwhistler-btf-types[=FILE]: kernel types from BTF */
	const char *btf_path; /* FILE, NULL: /sys/kernel/btf/vmlinux */
	bool ast_dump;        /* -fwhistler-ast-dump, -Xclang -ast-dump: print the typed AST */
	bool eager_records;   /* -fwhistler-eager-records: parse vmlinux.h's bodies where written */
	bool dump_layouts;    /* -Xclang -fdump-record-layouts[-simple]: clang's simple form */
	bool dump_layouts_complete; /* -Xclang -fdump-record-layouts-complete: every record */

	/* code generation */
	int opt_level;        /* 0..3 */
	bool opt_size;        /* -Os, -Oz */
	int debug;            /* 0 without -g, else the -g level (BTF is emitted for >= 1) */
	bool no_inline;       /* -fno-inline */
	const char *visibility; /* -fvisibility=, NULL: default */
	VEC(const char *) prefix_maps;  /* -fdebug-prefix-map=OLD=NEW, -ffile-prefix-map= */
	const char *debug_dir;          /* -fdebug-compilation-dir */
};

/* Parses argv; returns 0, or 1 after printing clang-style errors. */
int cc_parse_args(struct cc_options *o, int argc, char **argv);
void cc_options_free(struct cc_options *o);
/* The language of an input: -x, else by its extension. */
enum cc_lang cc_input_lang(const struct cc_input *in);
/* The default output of -c/-S for an input (x.c -> x.o), malloc'd. */
char *cc_default_output(const struct cc_options *o, const char *input, const char *ext);
/* Our resource directory: <prefix>/lib/whistler next to the binary, or the
 * source tree's resource/ folder. */
const char *cc_resource_dir(void);

/* Writes an output (-o, -MF): atomically for regular files, directly to
 * devices such as /dev/null. 0 or -errno. */
int cc_write_output(const char *path, const void *data, size_t len);

/* Probes (--version, -print-*, --print-supported-cpus …): exit code. */
int cc_run_probe(const struct cc_options *o);

/* -M family: the make rule for `input`, given the preprocessor's inputs. */
void cc_write_deps(const struct cc_options *o, const char *input, const char *target_default,
		   const struct pp_dep *deps, uint32_t ndeps, struct buf *out);

#endif
