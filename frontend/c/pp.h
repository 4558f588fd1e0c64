/* The C preprocessor (translation phase 4) as the parser and the driver see
 * it: options, a pull interface for tokens, pragma annotations, -E/-dM/-M output. */
#ifndef WHISTLER_C_PP_H
#define WHISTLER_C_PP_H

#include "frontend/c/lex.h"
#include "frontend/c/predef.h"
#include "util/buf.h"
#include "util/diag.h"

#include <stdio.h>

/* -D / -U / -include / -imacros in command-line order. */
enum pp_cmdline_kind { PP_CMD_DEFINE, PP_CMD_UNDEF, PP_CMD_INCLUDE, PP_CMD_IMACROS };
struct pp_cmdline {
	enum pp_cmdline_kind kind;
	const char *text; /* "NAME", "NAME=VALUE", or a file name */
};

enum pp_dir_kind {
	PP_DIR_QUOTE,   /* -iquote: only for "..." */
	PP_DIR_ANGLED,  /* -I */
	PP_DIR_SYSTEM,  /* -isystem and the built-in system directories */
	PP_DIR_AFTER,   /* -idirafter */
};

struct pp_options {
	/* search path, in command-line order per kind; missing directories are
	 * dropped silently (listed by -v as clang does) */
	VEC(const char *) quote_dirs, angled_dirs, system_dirs, after_dirs;
	const char *resource_include; /* our freestanding headers; NULL: none */
	bool nostdinc;                /* no system directories, not even ours */
	bool nostdlibinc;             /* ours only, no /usr/include */
	VEC(struct pp_cmdline) cmdline; /* -D -U -include -imacros */
	struct predef_config predef;    /* what the predefined macros describe */
	bool verbose;                   /* -v: print the search list */
	bool no_warnings;               /* -w */
	bool no_line_markers;           /* -P */
	int64_t source_date_epoch;      /* -1: use the clock for __DATE__/__TIME__ */
	uint32_t max_include_depth;     /* 0: 200, as clang */
	uint32_t max_file_entries;      /* 0: unlimited; bounds #include fan-out (fuzzing) */
};

/* Pragmas the parser sees as T_PRAGMA tokens (tok.aux indexes pp_pragma()).
 * Legend: PRAGMA(kind, first words) */
#define PP_PRAGMA_KINDS(X)                                                                         \
	X(OTHER, "")                      /* anything else; -E prints it back */                 \
	X(CLANG_ATTRIBUTE, "clang attribute")                                                      \
	X(CLANG_LOOP, "clang loop")                                                                \
	X(CLANG_DIAGNOSTIC, "clang diagnostic")                                                    \
	X(GCC_DIAGNOSTIC, "GCC diagnostic")                                                        \
	X(UNROLL, "unroll")                                                                        \
	X(NOUNROLL, "nounroll")                                                                    \
	X(PACK, "pack")
enum pp_pragma_kind {
#define X(k, s) PRAGMA_##k,
	PP_PRAGMA_KINDS(X)
#undef X
};

struct pp_pragma {
	enum pp_pragma_kind kind;
	struct srcloc loc;     /* of the word after `pragma` */
	const struct tok *toks; /* every token after `#pragma`, unexpanded, first word included */
	uint32_t ntoks;
	bool from_operator;    /* written as _Pragma("…") */
};

struct pp;

/* Callbacks of the -E printer (and anyone wanting file transitions). */
enum pp_file_reason { PP_ENTER, PP_LEAVE, PP_RENAME /* #line */ };
struct pp_file_event {
	enum pp_file_reason reason;
	const char *name; /* presumed name, as in line markers */
	uint32_t line;    /* the line the next token is on */
	bool system;      /* a system header: flag 3 */
};

struct pp *pp_new(struct diag *d, struct srcmgr *sm, const struct pp_options *o);
void pp_free(struct pp *pp);
/* Starts preprocessing `path` ("-" is stdin shown as `display`, or as "<stdin>").
 * Returns 0, or -errno when the file cannot be read (nothing is printed). */
int pp_begin(struct pp *pp, const char *path, const char *display);
/* The next token of the translation unit; T_EOF at the end (repeatedly). */
void pp_next(struct pp *pp, struct tok *t);
/* The annotation a T_PRAGMA token stands for. */
const struct pp_pragma *pp_pragma(const struct pp *pp, const struct tok *t);
/* #define name value, as if from <built-in> (clients serving headers:
 * the BTF-served vmlinux.h defines __VMLINUX_H__). */
void pp_define(struct pp *pp, const char *name, const char *value);
/* Macro-expands `in` as it stands now, as pragma handlers read their
 * arguments (#pragma clang loop unroll_count(N)): an arena array of *nout
 * tokens. */
const struct tok *pp_expand_tokens(struct pp *pp, const struct tok *in, uint32_t n, uint32_t *nout);
struct ident_table *pp_idents(struct pp *pp);
struct arena *pp_arena(struct pp *pp);
void pp_set_file_callback(struct pp *pp, void (*cb)(void *ctx, const struct pp_file_event *e),
			  void *ctx);
/* Headers a client serves without a file (the parser's BTF-served
 * vmlinux.h): called for every #include with the name as written and
 * whether the search path has it; returning true satisfies the #include
 * without reading anything (and without a dependency).  NULL: none. */
typedef bool (*pp_include_hook)(void *ctx, const char *name, bool angled, bool found);
void pp_set_include_hook(struct pp *pp, pp_include_hook hook, void *ctx);

/* Raw text of the current file the parser may lex later on its own. */
struct pp_span {
	uint32_t file;          /* srcmgr id */
	const char *begin, *end; /* [begin, end) */
	uint32_t line;           /* of begin */
	const char *bol;         /* start of that line, for columns */
};
/* The parser took a '{' straight from the current file, with nothing read
 * ahead: skips to its '}' unlexed when lex_skip_braced() allows (nothing
 * there needs preprocessing), leaving the '}' as the next token and the
 * body's text in *out.  False, with nothing consumed, otherwise. */
bool pp_skip_braced(struct pp *pp, const struct lex_skip_hooks *hooks, struct pp_span *out);

/* A diagnostic at `loc` preceded by "In file included from" lines, as clang
 * prints them; the parser reports through these too. */
W_PRINTF(3, 4) void pp_error(struct pp *pp, struct srcloc loc, const char *fmt, ...);
W_PRINTF(3, 4) void pp_warning(struct pp *pp, struct srcloc loc, const char *fmt, ...);
W_PRINTF(3, 4) void pp_note(struct pp *pp, struct srcloc loc, const char *fmt, ...);
void pp_vreport(struct pp *pp, enum diag_level lvl, struct srcloc loc, const char *fmt,
		va_list ap);

/* Printing back: -E, -dM, the -v search list. */
void pp_print_tokens(struct pp *pp, FILE *out);  /* runs the whole unit */
void pp_print_macros(struct pp *pp, FILE *out);  /* -dM after the unit was run */
void pp_print_search_list(const struct pp *pp, FILE *out);
/* Name of the file that loc.file was read from, as the dependency file spells it. */
/* Files opened by #include (and -include), in first-inclusion order, for -M;
 * `system` tells which were found in system directories (-MM leaves those out). */
struct pp_dep {
	const char *path;
	bool system;
};
const struct pp_dep *pp_dependencies(const struct pp *pp, uint32_t *n);

#endif
