/* The parser's insides, shared by parse*.c, sema*.c, attr.c, consteval.c
 * and btftypes.c only: parser state, token access, scopes and bindings,
 * diagnostics, and the entry points each file offers the others. */
#ifndef WHISTLER_C_CPARSE_INTERNAL_H
#define WHISTLER_C_CPARSE_INTERNAL_H

#include "frontend/c/cparse.h"

#include <stdarg.h>
#include <stdlib.h>

/* ---- scopes ---- */

/* A name bound in a scope.  pp_ident.bind_ord/bind_tag point to the
 * innermost binding; `shadow` to the one it hides. */
struct cbinding {
	struct cbinding *shadow;
	struct cbinding *next; /* next binding made in the same scope */
	struct pp_ident *id;
	uint32_t depth;
	bool is_tag;
	union {
		struct cdecl *decl; /* ordinary identifiers */
		struct ctype *tag;  /* struct/union/enum tags */
	};
};

struct cscope {
	struct cbinding *bindings;
	struct cscope *parent;
	uint32_t depth; /* 0: file scope */
};

/* ---- attributes as parsed ---- */

enum cattr_id {
	ATTR_UNKNOWN,
#define ATTR(name, id, args, where) ATTR_##id,
#include "frontend/c/attrs.def"
#undef ATTR
	ATTR_COUNT
};

enum cattr_where {
	AW_VAR = 1 << 0,
	AW_FUNC = 1 << 1,
	AW_TYPE = 1 << 2,   /* a type attribute: applies where it is written */
	AW_RECORD = 1 << 3,
	AW_MEMBER = 1 << 4,
	AW_TYPEDEF = 1 << 5,
	AW_ENUM = 1 << 6,
	AW_PARAM = 1 << 7,
	AW_STMT = 1 << 8,
	AW_LABEL = 1 << 9,
	AW_ENUMERATOR = 1 << 10,
	AW_ANY = 0x7ff,
};

struct cattr_arg {
	struct pp_ident *ident; /* an identifier argument */
	const char *str;        /* a string literal */
	struct cexpr *expr;     /* anything else */
	struct srcloc loc;
};

struct cattr {
	uint16_t id; /* enum cattr_id */
	struct pp_ident *name;
	struct srcloc loc;
	struct cattr_arg *args;
	uint32_t nargs;
	struct cattr *next;
	bool from_pragma; /* #pragma clang attribute: no "ignored" warnings */
};

typedef VEC(struct cdecl *) declvec;
typedef VEC(struct cmember) membervec;

/* ---- declaration specifiers and declarators ---- */

struct declspec {
	struct ctype *type;
	uint8_t storage; /* enum cstorage */
	bool is_inline, is_noreturn, thread_local;
	bool defined_tag;  /* `struct x {…}` / `enum e {…}` was written here */
	bool tag_only;     /* `struct x` without body */
	bool auto_type;    /* __auto_type */
	bool implicit_int; /* no type specifier at all */
	uint32_t align;    /* _Alignas */
	struct cattr *attrs;
	struct srcloc loc;
};

/* Derivations of a declarator, applied to the specifier type in order. */
enum dkind { DK_PTR, DK_ARRAY, DK_FUNC };
struct dchunk {
	uint8_t kind;
	uint8_t quals;    /* DK_PTR; DK_ARRAY parameter T[const N] */
	uint8_t aflags;   /* DK_ARRAY: CTF_INCOMPLETE/CTF_VLA/CTF_STATIC_SIZE; DK_FUNC: CTF_VARIADIC/CTF_NOPROTO */
	uint64_t len;
	struct cexpr *vla;
	struct cparam *params; /* DK_FUNC */
	uint32_t nparams;
	struct cdecl **param_decls; /* DK_FUNC: declarations of the named parameters */
	struct cattr *attrs;        /* type attributes written on this level */
	struct srcloc loc;
};

struct declarator {
	struct pp_ident *name;
	struct srcloc loc; /* of the name, or where it would be */
	struct dchunk *chunks;
	uint32_t nchunks;
	struct cattr *attrs; /* declaration attributes after the declarator */
	const char *asm_label;
	/* the function chunk applied directly to the name (a function
	 * declarator): its parameters become the definition's */
	struct dchunk *func;
};

/* ---- parser state ---- */

struct pragma_attr {
	struct cattr *attr;
	uint32_t subjects; /* enum cattr_where the pragma applies to */
	bool active;       /* push without attribute: a placeholder */
};

struct cbtf; /* btftypes.c */

/* One loop-hint option as written (#pragma unroll 4, clang loop
 * unroll(full) …): duplicates and incompatible pairs are reported when the
 * loop has been parsed, as clang does. */
struct hint_rec {
	uint8_t category;  /* unroll, vectorize, interleave … (parse_pragma.c) */
	bool numeric;      /* unroll_count(N) rather than unroll(enable) */
	bool disable;      /* a state option set to disable */
	const char *name;  /* "unroll(full)", "#pragma unroll(4)" */
	struct srcloc loc; /* of the pragma's option word */
};

struct cparser {
	struct pp *pp;
	struct diag *diag;
	struct ctu *tu;
	struct arena *a;
	struct cparse_options opt;

	/* tokens */
	struct tok tok; /* current */
	uint64_t ntok;  /* tokens taken so far (progress checks) */
	struct tok ahead[4];
	uint32_t nahead;
	struct srcloc prev_loc; /* start of the previous token */
	uint32_t prev_len;
	const struct tok *arr; /* reading a token array (pragma arguments) */
	uint32_t arr_pos, arr_n;
	struct lexer *lex; /* reading a lazily parsed record body (parse_record.c) */

	/* scopes */
	struct cscope *scope;
	struct cscope file_scope;
	struct cbinding *free_bindings;

	struct crecord *cur_record; /* the innermost record whose body is being parsed */
	struct pp_ident *decl_name; /* the declarator being parsed has this name so far */
	bool file_view;      /* lookups skip block scopes up to view_floor (lazy record bodies) */
	uint32_t view_floor;
	struct pragma_attr *attr_snap; /* the last #pragma clang attribute snapshot taken */
	uint32_t attr_snap_n;
	VEC(struct crecord *) lazy_records; /* bodies skipped (CRF_LAZY_BODY), in order */
	VEC(struct cenum *) lazy_enums;
	struct lazy_name *pending;          /* enumerators of skipped enum bodies */
	uint32_t pending_mask, pending_count;
	uint32_t lazy_file_id;              /* the last file asked about, and whether */
	bool lazy_file_ok;                  /* its bodies may be skipped */

	/* the function being defined */
	struct cdecl *func;
	VEC(struct clabel *) labels;
	struct cstmt *brk, *cont; /* targets of break and continue */
	struct cstmt *sw;         /* innermost switch */
	VEC(struct cstmt *) cases;
	uint32_t case_base; /* first case of the innermost switch in `cases` */
	uint32_t stmt_expr_depth;
	bool in_sizeof; /* unevaluated operand: no "used" marks */

	/* pragmas */
	struct cloop_hint hint;
	bool have_hint; /* loop-hint pragmas are pending (hint_pragmas) */
	const char *hint_pragma; /* "unroll", "nounroll" or "clang loop": the first one's */
	VEC(struct hint_rec) hint_recs; /* each option as written, for clang's checks */
	struct srcloc hint_hash_loc;    /* the first hint pragma's '#' */
	VEC(struct pp_pragma) hint_pragmas; /* read, not yet taken by a statement */
	VEC(struct pragma_attr) attr_stack;
	VEC(uint32_t) pack_stack;
	uint32_t pack;
	uint8_t warn[CW_COUNT]; /* 0 off, 1 on, 2 error */
	VEC(uint8_t *) warn_stack;

	/* kernel types from BTF */
	struct cbtf *btf;
	bool btf_on; /* lookups that miss consult BTF */

	/* scratch */
	VEC(void *) scratch;
	bool recovering;
};

/* ---- parse.c: tokens, diagnostics, scopes ---- */

/* The token state, saved while the parser reads other tokens (a pragma's,
 * a record body parsed later) and restored after. */
struct cp_tokstate {
	struct tok tok, ahead[4];
	uint32_t nahead, prev_len;
	struct srcloc prev_loc;
	const struct tok *arr;
	uint32_t arr_pos, arr_n;
	struct lexer *lex;
};
void cp_save_tokens(const struct cparser *p, struct cp_tokstate *s);
void cp_restore_tokens(struct cparser *p, const struct cp_tokstate *s);
void cp_next(struct cparser *p);
const struct tok *cp_peek(struct cparser *p, uint32_t n); /* n >= 1: tokens after the current */
bool cp_accept(struct cparser *p, enum tok_kind k);
bool cp_expect(struct cparser *p, enum tok_kind k, const char *after);
static inline bool cp_is(const struct cparser *p, enum tok_kind k) { return p->tok.kind == k; }
static inline struct srcloc cp_loc(const struct cparser *p) { return p->tok.xloc; }
/* Where "expected ';'" points: just after the previous token. */
struct srcloc cp_after_prev(const struct cparser *p);
void cp_skip_to(struct cparser *p, bool stop_at_semi, bool stop_at_comma);
void cp_skip_balanced(struct cparser *p); /* from an opening bracket past its closer */
const char *cp_tok_text(struct cparser *p, const struct tok *t);

W_PRINTF(3, 4) void cp_error(struct cparser *p, struct srcloc loc, const char *fmt, ...);
W_PRINTF(4, 5) void cp_warn(struct cparser *p, enum cwarn w, struct srcloc loc, const char *fmt, ...);
W_PRINTF(3, 4) void cp_note(struct cparser *p, struct srcloc loc, const char *fmt, ...);
/* "'T'" or "'T' (aka 'U')" as clang quotes types. */
const char *cp_type(struct cparser *p, const struct ctype *t);
bool cp_warn_enabled(const struct cparser *p, enum cwarn w);

void cp_scope_push(struct cparser *p, struct cscope *s);
void cp_scope_pop(struct cparser *p);
void cp_bind(struct cparser *p, struct pp_ident *id, struct cdecl *d);
void cp_bind_tag(struct cparser *p, struct pp_ident *id, struct ctype *t);
/* Innermost declaration of an ordinary identifier (consulting BTF on a miss). */
struct cdecl *cp_lookup(struct cparser *p, struct pp_ident *id);
struct cbinding *cp_lookup_binding(struct cparser *p, struct pp_ident *id);
struct ctype *cp_lookup_tag(struct cparser *p, struct pp_ident *id, bool current_only);
bool cp_is_typedef_name(struct cparser *p, const struct tok *t);
/* After an "incomplete type" error: where the tag was declared. */
void cp_note_incomplete(struct cparser *p, const struct ctype *t);
void cp_bind_file_scope(struct cparser *p, struct pp_ident *id, struct cdecl *d);
void cp_bind_tag_file_scope(struct cparser *p, struct pp_ident *id, struct ctype *t);

void *cp_dup(struct cparser *p, const void *src, size_t n);
#define CP_NEW(p, T) arena_new((p)->a, T)

/* ---- parse_pragma.c ---- */
void cp_pragma(struct cparser *p, const struct tok *t);
void cp_apply_pragma_attrs(struct cparser *p, uint32_t where, struct cattr **list);
/* Reads the pending loop-hint pragmas into p->hint and p->hint_recs
 * (reporting bad values) and clears have_hint. */
void cp_take_hints(struct cparser *p);
/* Clang's checks of the loop hints a loop took, made after the loop was
 * parsed: duplicate options, and counts with unroll(full)/disable. */
void cp_hints_check(struct cparser *p, const struct hint_rec *recs, uint32_t n);

/* ---- attr.c ---- */
bool cp_at_attribute(const struct cparser *p);
/* Parses any number of __attribute__((…)) and appends them to *list. */
void cp_parse_attributes(struct cparser *p, struct cattr **list);
void cp_attr_append(struct cattr **list, struct cattr *more);
/* Applies to a declaration (AW_VAR/AW_FUNC/AW_TYPEDEF/AW_PARAM). */
void cp_apply_decl_attrs(struct cparser *p, struct cdecl *d, struct cattr *list, uint32_t where);
void cp_apply_record_attrs(struct cparser *p, struct crecord *r, struct cattr *list);
void cp_apply_enum_attrs(struct cparser *p, struct cenum *e, struct cattr *list);
void cp_apply_member_attrs(struct cparser *p, struct cmember *m, struct cattr *list);
/* Type attributes (btf_type_tag, mode, address_space …) on `t`; others are
 * moved to *rest when non-NULL. */
struct ctype *cp_apply_type_attrs(struct cparser *p, struct ctype *t, struct cattr *list,
				  struct cattr **rest);
bool cp_attrs_have(const struct cattr *list, enum cattr_id id);
struct cattrs *cp_decl_attrs(struct cparser *p, struct cdecl *d);

/* ---- parse_decl.c ---- */
bool cp_starts_declspec(struct cparser *p);
bool cp_parse_declspec(struct cparser *p, struct declspec *ds, bool allow_storage);
void cp_parse_declarator(struct cparser *p, struct declarator *d, bool abstract);
struct ctype *cp_apply_declarator(struct cparser *p, struct ctype *base, struct declarator *d);
struct ctype *cp_parse_typename(struct cparser *p);
void cp_parse_external(struct cparser *p);
/* A declaration in a block (after its specifiers were recognised). */
struct cstmt *cp_parse_block_decl(struct cparser *p);
void cp_parse_static_assert(struct cparser *p);
int64_t cp_parse_ice(struct cparser *p, const char *what, bool *ok);
int64_t cp_parse_ice_expr(struct cparser *p, const char *what, bool *ok, struct cexpr **out);

/* ---- parse_record.c ---- */
struct ctype *cp_parse_record(struct cparser *p, struct declspec *ds);
struct ctype *cp_parse_enum(struct cparser *p, struct declspec *ds);
void cp_record_complete(struct cparser *p, struct crecord *r);
/* A record's members up to its '}' (or the end of a lazy body's text), and
 * their checks and completion; an enum's enumerators, and its completion. */
void cp_parse_members(struct cparser *p, struct crecord *r, membervec *ms);
void cp_finish_members(struct cparser *p, struct crecord *r, membervec *ms);
void cp_parse_enumerators(struct cparser *p, struct cenum *e, declvec *out);
void cp_finish_enum(struct cparser *p, struct cenum *e, declvec *consts);

/* ---- parse_lazy.c: vmlinux.h's bodies parsed on first use ---- */
/* With the '{' current: skips the body for later when it may (true: the
 * '}' is next). */
bool cp_try_lazy_record(struct cparser *p, struct crecord *r);
bool cp_try_lazy_enum(struct cparser *p, struct cenum *e);
void cp_complete_lazy_record(struct crecord *r);
void cp_complete_lazy_enum(struct cenum *e);
/* Before `id` is looked up and missed, or declared at file scope: parses
 * the skipped enum body that declares it as an enumerator, if any. */
void cp_pending_name(struct cparser *p, struct pp_ident *id);
/* Picks an enum's underlying type from its values (clang's rules). */
void cp_enum_finish(struct cparser *p, struct cenum *e);

/* ---- sema_decl.c ---- */
struct cdecl *cs_declare(struct cparser *p, struct declspec *ds, struct declarator *d,
			 struct ctype *type, bool is_definition);
void cs_define_function(struct cparser *p, struct cdecl *fn, struct declarator *d);
void cs_finish_var(struct cparser *p, struct cdecl *d);
struct cdecl *cs_implicit_function(struct cparser *p, struct pp_ident *id, struct srcloc loc);
void cs_end_unit(struct cparser *p);
struct cdecl *cs_new_decl(struct cparser *p, enum cdecl_kind k, struct pp_ident *name,
			  struct srcloc loc, struct ctype *type);

/* ---- parse_init.c ---- */
/* name_loc: the declarator's, where clang reports a conversion of a plain
 * `= e` initializer (zero for none). */
struct cinit *cp_parse_initializer(struct cparser *p, struct ctype **type, bool is_static,
				   struct srcloc name_loc);

/* ---- parse_expr.c ---- */
struct cexpr *cp_parse_expr(struct cparser *p);        /* comma expression */
struct cexpr *cp_parse_assign_expr(struct cparser *p); /* assignment-expression */
struct cexpr *cp_parse_cond_expr(struct cparser *p);   /* conditional-expression */
/* Adjacent string literals, concatenated: NULL after an error. */
struct cstring *cp_parse_string_lit(struct cparser *p, struct ctype **type);

/* ---- sema_expr.c ---- */
struct cexpr *cs_new_expr(struct cparser *p, enum cexpr_op op, struct ctype *t, struct srcloc loc);
struct cexpr *cs_error_expr(struct cparser *p, struct srcloc loc);
struct cexpr *cs_int(struct cparser *p, uint64_t v, struct ctype *t, struct srcloc loc);
struct cexpr *cs_conv(struct cparser *p, struct cexpr *e, struct ctype *t, enum ccast_kind ck);
struct cexpr *cs_rvalue(struct cparser *p, struct cexpr *e);  /* load, decay */
struct cexpr *cs_promote(struct cparser *p, struct cexpr *e); /* integer promotions */
struct cexpr *cs_cond(struct cparser *p, struct cexpr *e, const char *what); /* a scalar condition */
struct ctype *cs_arith_type(struct cparser *p, struct ctype *a, struct ctype *b);
/* Converts e for assignment to a `t` (assignments, initializers, arguments,
 * returns); `ctx` names the context in diagnostics. */
enum conv_ctx { CV_ASSIGN, CV_INIT, CV_ARG, CV_RETURN };
struct cexpr *cs_assign_conv(struct cparser *p, struct cexpr *e, struct ctype *t,
			     enum conv_ctx ctx, struct srcloc loc);
struct cexpr *cs_convert_to(struct cparser *p, struct cexpr *e, struct ctype *t); /* value conversion */
struct cexpr *cs_unary(struct cparser *p, enum cexpr_op op, struct cexpr *a, struct srcloc loc);
struct cexpr *cs_binary(struct cparser *p, enum cexpr_op op, struct cexpr *a, struct cexpr *b,
			struct srcloc loc);
struct cexpr *cs_cond_expr(struct cparser *p, struct cexpr *c, struct cexpr *a, struct cexpr *b,
			   struct srcloc loc);
struct cexpr *cs_cast(struct cparser *p, struct ctype *t, struct cexpr *e, struct srcloc loc);
struct cexpr *cs_member(struct cparser *p, struct cexpr *base, struct pp_ident *name, bool arrow,
			struct srcloc loc, struct srcloc name_loc);
struct cexpr *cs_index(struct cparser *p, struct cexpr *a, struct cexpr *b, struct srcloc loc,
		       struct srcloc bracket);
/* lparen/rparen: where clang points "called object type…" and "too few
 * arguments…" */
struct cexpr *cs_call(struct cparser *p, struct cexpr *fn, struct cexpr **args, uint32_t n,
		      struct srcloc lparen, struct srcloc rparen, struct srcloc loc);
struct cexpr *cs_declref(struct cparser *p, struct cdecl *d, struct srcloc loc);
struct cexpr *cs_sizeof_type(struct cparser *p, struct ctype *t, bool is_align, struct srcloc loc);
struct cexpr *cs_sizeof_expr(struct cparser *p, struct cexpr *e, bool is_align, struct srcloc loc);
bool cs_is_null_const(struct cexpr *e);
bool cs_is_lvalue(const struct cexpr *e);
bool cs_check_modifiable(struct cparser *p, struct cexpr *e, struct srcloc loc);
/* Folds an integer constant expression into an E_INT when it is one. */
struct cexpr *cs_fold(struct cparser *p, struct cexpr *e);

/* ---- sema_builtin.c ---- */
enum cbuiltin cs_builtin_lookup(const struct pp_ident *id);
struct cexpr *cs_builtin_call(struct cparser *p, enum cbuiltin b, struct cexpr **args, uint32_t n,
			      struct srcloc loc);
struct cdecl *cs_builtin_decl(struct cparser *p, enum cbuiltin b, struct pp_ident *id);

/* ---- parse_stmt.c ---- */
struct cstmt *cp_parse_compound(struct cparser *p);
struct cstmt *cp_parse_function_body(struct cparser *p);
struct cstmt *cp_parse_stmt(struct cparser *p);
struct casm *cp_parse_asm(struct cparser *p, bool file_scope);
struct clabel *cp_label(struct cparser *p, struct pp_ident *id, struct srcloc loc);

/* ---- btftypes.c (and cbtf.h) ---- */
#include "frontend/c/cbtf.h"
/* Materialises the kernel's typedef or enumerator `id` (ordinary names) or
 * its struct/union/enum tag; NULL when BTF has no such name. */
struct cdecl *cbtf_lookup_ordinary(struct cparser *p, struct pp_ident *id);
struct ctype *cbtf_lookup_tag(struct cparser *p, struct pp_ident *id);
/* The #include hook: true when `name` is served from BTF. */
bool cbtf_include_hook(void *ctx, const char *name, bool angled, bool found);

#endif
