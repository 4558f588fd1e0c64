/* The preprocessor's insides, shared by pp*.c only: source files, the
 * conditional stack, macros, token contexts. */
#ifndef WHISTLER_C_PP_INTERNAL_H
#define WHISTLER_C_PP_INTERNAL_H

#include "frontend/c/pp.h"
#include "util/hmap.h"

/* vec_foreach that never computes NULL + 0 on an empty vector (UB that
 * clang's UBSan reports). */
#define PP_EACH(v, it)                                                                             \
	for (__typeof__((v)->data) it = (v)->data; it && it < (v)->data + (v)->len; it++)

/* Identifiers with a meaning to the preprocessor itself (pp_ident.special). */
enum pp_special {
	SP_NONE,
	SP_VA_ARGS,
	SP_VA_OPT,
	SP_DEFINED,
	SP_PRAGMA_OP, /* _Pragma */
	/* built-in macros, expanded by code */
	SP_FILE,
	SP_LINE,
	SP_COUNTER,
	SP_INCLUDE_LEVEL,
	SP_BASE_FILE,
	SP_FILE_NAME,
	SP_DATE,
	SP_TIME,
	SP_TIMESTAMP,
	/* function-like built-ins */
	SP_HAS_INCLUDE,
	SP_HAS_INCLUDE_NEXT,
	SP_HAS_BUILTIN,
	SP_HAS_ATTRIBUTE,
	SP_HAS_C_ATTRIBUTE,
	SP_HAS_CPP_ATTRIBUTE,
	SP_HAS_DECLSPEC,
	SP_HAS_FEATURE,
	SP_HAS_EXTENSION,
	SP_IS_IDENTIFIER,
	SP_HAS_WARNING,
	SP_HAS_EMBED,
};

/* Directives: legend DIRECTIVE(name) — handled by pp_directive.c. */
#define PP_DIRECTIVES(X)                                                                           \
	X(define) X(undef) X(include) X(include_next) X(import) X(if) X(ifdef) X(ifndef) X(elif)  \
	X(elifdef) X(elifndef) X(else) X(endif) X(line) X(error) X(warning) X(pragma) X(ident)     \
	X(sccs) X(assert) X(unassert)
enum pp_directive {
	DIR_NONE,
#define X(n) DIR_##n,
	PP_DIRECTIVES(X)
#undef X
};

struct pp_macro {
	struct pp_ident *name;
	struct tok *body; /* T_PARAM tokens name parameters by aux; T_PASTE are ## operators */
	uint32_t nbody;
	uint16_t nparams; /* the variadic parameter, if any, is the last */
	bool funclike, variadic;
	bool builtin; /* expanded by code (pp_ident.special says how) */
	bool has_va_opt;
	struct srcloc loc;
	struct pp_ident **params;
};

/* A file, once per inode: text, include guard, #pragma once. */
struct pp_file {
	char *path;          /* as first opened (dirs joined), for diagnostics and -M */
	uint32_t srcid;      /* srcmgr id */
	struct pp_ident *guard; /* include guard macro when the whole file is guarded */
	bool once;           /* #pragma once */
	bool entered;
	uint64_t dev, ino;
};

enum cond_state { COND_TAKING, COND_SKIPPING, COND_DONE /* a branch was taken */ };
struct pp_cond {
	enum cond_state state;
	bool seen_else;
	struct srcloc loc;
};

/* The guard detector: a file is guarded when it is #ifndef X … #endif with
 * nothing but whitespace and comments outside. */
enum guard_state { GUARD_START, GUARD_INSIDE, GUARD_AFTER, GUARD_NONE };

/* One level of the #include stack. */
struct pp_source {
	struct lexer lx;
	struct pp_file *file;
	const char *presumed; /* the name in line markers (#line may change it) */
	int32_t line_delta;   /* #line: presumed line = physical + delta */
	int32_t dir_index;    /* search-path entry it was found in, -1 if none */
	uint32_t cond_base;   /* conds.len when entered */
	struct srcloc include_loc; /* the #include that entered it */
	bool system;
	enum guard_state guard;
	struct pp_ident *guard_name;
	uint32_t guard_depth;
};

/* A list of tokens being read: a macro expansion, a pushed-back token, or an
 * argument being pre-expanded (ended by a T_EOF sentinel). */
struct pp_ctx {
	struct tok *toks;
	uint32_t pos, n;
	struct pp_macro *macro; /* re-enabled when the context is popped */
	bool owned;             /* toks is malloc'd by us */
};

typedef VEC(struct tok) tokvec;

struct pp_pushed_macro {
	struct pp_ident *id;
	struct pp_macro *macro; /* NULL: it was undefined */
};

struct pp_searchdir {
	const char *path;
	enum pp_dir_kind kind;
	bool system;
};

struct pp_mapping {
	uint32_t srcid; /* the src_file whose text is mapped */
	void *addr;
	size_t len;
};

struct pp {
	struct diag *diag;
	struct srcmgr *sm;
	VEC(struct pp_mapping) mappings; /* files read by mmap: unmapped by pp_free */
	struct pp_options opt;
	struct arena arena;
	struct ident_table ids;

	VEC(struct pp_source *) sources; /* the include stack, innermost last */
	VEC(struct pp_cond) conds;
	VEC(struct pp_ctx) ctxs;
	bool have_file_pushback;
	struct tok file_pushback;

	VEC(struct pp_searchdir) dirs;
	uint32_t angled_start; /* first entry searched for <...> */
	struct hmap files_by_path;  /* resolved path -> pp_file */
	VEC(struct pp_file *) files;
	VEC(struct pp_dep) deps;
	VEC(struct pp_ident *) all_macros; /* every name ever #defined, for -dM */

	VEC(struct pp_pragma) pragmas;
	VEC(struct pp_pushed_macro) pushed_macros; /* #pragma push_macro */
	tokvec pending; /* tokens produced by directives (_Pragma, #pragma) */

	/* state */
	bool in_if;          /* evaluating #if: 'defined' and __has_include are operators */
	bool skipping_args;  /* collecting macro arguments */
	uint32_t counter;
	uint32_t file_entries; /* files entered so far */
	uint32_t outer_exp_line; /* __LINE__ inside macro bodies: line of the outermost ')' */
	uint32_t expansion_depth;
	const char *base_file;
	uint32_t builtin_file, cmdline_file, scratch_file;
	bool started;
	bool fatal; /* after a fatal error no more diagnostics, as clang */
	bool eof;

	void (*file_cb)(void *ctx, const struct pp_file_event *e);
	void *file_cb_ctx;
	pp_include_hook include_hook;
	void *include_hook_ctx;

	/* the include stack last printed before a diagnostic */
	VEC(struct srcloc) shown_stack;
};

/* pp.c */
void pp_read_raw(struct pp *pp, struct tok *t); /* unexpanded, through contexts and files */
void pp_unread(struct pp *pp, const struct tok *t, bool from_file);
bool pp_read_raw_from(struct pp *pp, struct tok *t); /* returns true when it came from a file */
void pp_push_tokens(struct pp *pp, struct tok *toks, uint32_t n, struct pp_macro *m, bool owned);
void pp_expand_next(struct pp *pp, struct tok *t); /* pp_next without pending/pragma logic */
struct pp_source *pp_cur_source(struct pp *pp);
/* Reads (or maps) a file into the source manager: its id, 0 with *err. */
uint32_t pp_load_source(struct pp *pp, const char *path, const char *display, int *err);
void pp_file_event(struct pp *pp, enum pp_file_reason r, struct pp_source *s, uint32_t line);
uint32_t pp_presumed_line(struct pp *pp, struct srcloc loc);
int pp_enter_file(struct pp *pp, struct pp_file *f, int32_t dir_index, bool system,
		  struct srcloc include_loc);
void pp_report(struct pp *pp, enum diag_level lvl, struct srcloc loc, const char *fmt, ...)
	W_PRINTF(4, 5);
void pp_report_cb(void *ctx, enum diag_level lvl, struct srcloc loc, const char *msg);

/* pp_macro.c */
bool pp_try_expand(struct pp *pp, struct tok *t); /* t is an identifier: true if it expanded */
void pp_define_directive(struct pp *pp, struct lexer *lx);
void pp_undef_directive(struct pp *pp, struct lexer *lx);
struct pp_macro *pp_define_builtin(struct pp *pp, const char *name, enum pp_special sp,
				   bool funclike);
void pp_stringify(struct pp *pp, const struct tok *toks, uint32_t n, struct buf *out);
struct tok pp_make_token(struct pp *pp, const char *s, size_t len, const struct tok *like);
void pp_destringize(const struct tok *t, struct buf *out);

/* pp_directive.c */
void pp_directive(struct pp *pp, struct pp_source *src, struct tok *hash);
void pp_skip_false_group(struct pp *pp, struct pp_source *src);
void pp_handle_pragma(struct pp *pp, struct tok *toks, uint32_t n, struct srcloc loc,
		      bool from_operator);
void pp_pragma_operator(struct pp *pp, struct tok *t);
struct pp_file *pp_find_include(struct pp *pp, const char *name, size_t len, bool angled,
				bool next, int32_t *dir_index, bool *system);
bool pp_read_include_name(struct pp *pp, struct lexer *lx_or_null, char **name, bool *angled,
			  struct srcloc *loc);
void pp_setup_search(struct pp *pp);
void pp_leave_file_checks(struct pp *pp, struct pp_source *src);

/* pp_expr.c */
bool pp_eval_if(struct pp *pp, struct srcloc loc);
void pp_eval_defined(struct pp *pp, struct tok *t);
long pp_builtin_has(struct pp *pp, enum pp_special sp, struct tok *name_tok, bool *ok);

#endif
