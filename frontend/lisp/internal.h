/* Internal layout of Lisp objects and of the evaluation context, shared by the
 * files of frontend/lisp only.  The public face is lisp.h. */
#ifndef WHISTLER_LISP_INTERNAL_H
#define WHISTLER_LISP_INTERNAL_H

#include "frontend/lisp/lisp.h"
#include "util/buf.h"
#include "util/hmap.h"
#include "util/util.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>

/* ---- Objects -------------------------------------------------------------- */

enum {
	SYM_SPECIAL = 1,       /* dynamically bound (DEFVAR, DEFPARAMETER) */
	SYM_CONSTANT = 2,      /* DEFCONSTANT, keywords, T, NIL */
	SYM_SETF_UPDATER = 4,  /* `setf` is a DEFSETF updater (value last) */
	SYM_SETF_FUNCTION = 8, /* `setf` is a (SETF NAME) function (value first) */
	SYM_MV = 16,	       /* special form passes on the multiple values of its last subform */
	SYM_CHECKPOINTED = 32  /* existed at lisp_checkpoint() */
};

struct lisp_symbol {
	struct lisp_object h;
	lv name;     /* LISP_STRING */
	lv package;  /* LISP_PACKAGE or NIL */
	lv value;    /* NULL: unbound */
	lv function; /* closure or builtin (flag FN_MACRO for macros); NULL: undefined */
	lv plist;
	lv setf; /* see SYM_SETF_* */
	lisp_special_fn special;
	void *special_data;
};

enum { STR_ADJUSTABLE = 1 };
struct lisp_string {
	struct lisp_object h;
	uint32_t len, cap;
	lv bytes; /* LISP_BYTES with cap + 1 bytes, NUL after len */
};

struct lisp_bytes {
	struct lisp_object h; /* aux: size */
	unsigned char data[];
};

struct lisp_vals {
	struct lisp_object h; /* aux: count */
	lv v[];
};

enum { VEC_FILL_POINTER = 1, VEC_ADJUSTABLE = 2, VEC_BYTES = 4 /* (unsigned-byte 8) */ };
struct lisp_vector {
	struct lisp_object h;
	uint32_t len, cap;
	lv vals; /* LISP_VALS with cap entries */
};

struct lisp_bignum {
	struct lisp_object h; /* aux: number of 32-bit limbs, flags: 1 = negative */
	uint32_t d[];
};

struct lisp_float {
	struct lisp_object h;
	double d;
};

enum { HT_EQ, HT_EQL, HT_EQUAL, HT_EQUALP };
struct lisp_hash {
	struct lisp_object h; /* aux: test */
	uint32_t count, used, icap;
	lv kv;	  /* LISP_VALS: key, value pairs in insertion order; NULL key = deleted */
	lv index; /* LISP_BYTES: uint32 slots (0 = empty, else kv pair index + 1) */
};

enum { FN_MACRO = 1 };
struct lisp_closure {
	struct lisp_object h;
	lv name, params, body, env;
};

struct lisp_builtin {
	struct lisp_object h;
	lv name;
	int16_t min, max;
	lisp_builtin_fn fn;
	lisp_macro_fn mfn; /* C macros: called with (form, env) */
	void *data;
};

struct lisp_package {
	struct lisp_object h;
	lv name;      /* string */
	lv nicknames; /* list of strings */
	struct hmap syms;
};

struct lisp_condition {
	struct lisp_object h;
	lv type;      /* symbol */
	lv initargs;  /* plist */
	lv backtrace; /* list of forms, innermost first */
	struct srcloc loc;
};

enum { STREAM_STRING, STREAM_STDOUT, STREAM_STDERR, STREAM_STDIN, STREAM_INPUT_STRING };
struct lisp_stream {
	struct lisp_object h; /* aux: kind */
	lv buf;		      /* string being built, or read */
	uint32_t col;	      /* output column, for ~& ~T FRESH-LINE */
	uint32_t pos;	      /* input position */
};

struct lisp_foreign {
	struct lisp_object h;
	lv type; /* string */
	void *ptr;
	void (*finalize)(void *);
	lv data;
};

enum { ENV_VAR, ENV_FUN, ENV_MACRO, ENV_SYMMACRO, ENV_BLOCK, ENV_TAG, ENV_SPECIAL };
struct lisp_env {
	struct lisp_object h; /* flags: kind */
	lv name, value, next;
};

struct lframe;
struct lisp_exit {
	struct lisp_object h; /* flags: 1 = still valid */
	struct lframe *frame;
};

#define CONS(v) ((struct lisp_cons *)(v))
#define SYM(v) ((struct lisp_symbol *)(v))
#define STR(v) ((struct lisp_string *)(v))
#define BYTES(v) ((struct lisp_bytes *)(v))
#define VALS(v) ((struct lisp_vals *)(v))
#define VECT(v) ((struct lisp_vector *)(v))
#define BIG(v) ((struct lisp_bignum *)(v))
#define HASH(v) ((struct lisp_hash *)(v))
#define CLO(v) ((struct lisp_closure *)(v))
#define BUI(v) ((struct lisp_builtin *)(v))
#define PKG(v) ((struct lisp_package *)(v))
#define COND(v) ((struct lisp_condition *)(v))
#define STRM(v) ((struct lisp_stream *)(v))
#define FOR(v) ((struct lisp_foreign *)(v))
#define ENV(v) ((struct lisp_env *)(v))
#define EXIT(v) ((struct lisp_exit *)(v))

/* ---- Heap ----------------------------------------------------------------- */

struct hblock;
struct lisp_heap {
	VEC(struct hblock *) blocks;
	struct lisp_object *free[20]; /* free lists per size class */
	uintptr_t *page_keys;	      /* page number -> block, open addressing */
	struct hblock **page_vals;
	uint32_t page_cap, page_count, page_live; /* count includes tombstones */
	uintptr_t lo, hi;			  /* address range of all blocks */
	size_t heap_bytes, live_bytes, since_gc, threshold;
	uint64_t collections;
	VEC(lv) mark_stack;
	int inhibit;
};

/* ---- Evaluation state ------------------------------------------------------- */

enum frame_kind { FR_TOP, FR_BLOCK, FR_TAGBODY, FR_CATCH, FR_UNWIND, FR_HANDLER };
struct lframe {
	struct lframe *prev;
	enum frame_kind kind;
	jmp_buf jb;
	lv tag;			/* catch tag or exit object */
	lv value;		/* condition delivered to a handler frame, thrown value */
	int index;		/* handler clause */
	struct lframe *pending; /* unwind-protect: where the unwinding continues */
	uint32_t specials, handlers, forms, depth, cleanups, expansions;
};

struct special_binding {
	lv sym, old; /* old NULL: was unbound */
};

struct handler {
	lv type; /* type specifier; NULL: a barrier (protected call) */
	lv fn;	 /* HANDLER-BIND function, or NULL for a HANDLER-CASE clause */
	struct lframe *frame;
	int clause;
	int disabled; /* > 0 while one of its own handlers runs */
};

/* Run when a non-local exit unwinds past them: C temporaries of builtins. */
struct lisp_cleanup {
	void (*fn)(void *);
	void *p;
};

struct gc_marker {
	void (*mark)(struct lisp_ctx *, void *);
	void *data;
};

#define LISP_MV_MAX 64

struct lisp_ctx {
	struct lisp_heap heap;
	struct srcmgr *sm, own_sm;
	struct diag *diag, own_diag;
	pthread_t thread;
	char *stack_hi; /* top (highest address) of this thread's stack */

	lv user_pkg, keyword_pkg, sys_pkg;
	VEC(lv) packages;
	lv t, nil_sym;
	lv checkpoint; /* see lisp_checkpoint() */
	struct {
#define LSYM(field, pkg, name) lv field;
#include "frontend/lisp/symbols.def"
#undef LSYM
	} s;

	/* limits */
	struct lisp_limits lim;
	uint64_t steps;
	uint32_t depth;
	char *stack_base; /* frame address of the outermost protected call */
	int nest;	  /* protected calls in progress */
	bool steps_exhausted, depth_reserve;
	volatile sig_atomic_t interrupted;
	bool sandbox, report;
	uint64_t rng; /* RANDOM's xorshift state */

	/* multiple values of the last evaluation */
	int mv_n;
	lv mv[LISP_MV_MAX];

	struct lframe *frames;
	VEC(struct special_binding) specials;
	VEC(struct handler) handlers;
	VEC(lv) forms;	    /* backtrace: cons forms being evaluated */
	VEC(lv) expansions; /* macro calls being expanded: errors are located there */
	lv last_condition;
	lv unwind_value; /* condition travelling to the top frame */

	/* output */
	FILE *out_file, *err_file;
	struct buf *out_buf, *err_buf;
	size_t out_limit, err_limit;
	lv stdout_stream, stderr_stream, stdin_stream;

	/* global macro expansions keyed by form address, cleared by GC */
	struct mx_entry *mx;
	uint32_t mx_cap, mx_count;

	VEC(struct lisp_cleanup) cleanups;
	struct buf tok_text, tok_esc; /* the reader's token buffers */

	VEC(lv *) protected_slots;
	VEC(struct gc_marker) markers;
};

/* heap.c */
void *lisp_alloc(struct lisp_ctx *ctx, enum lisp_type type, size_t size);
void lisp_heap_init(struct lisp_ctx *ctx);
void lisp_heap_free(struct lisp_ctx *ctx);
void lisp_gc_maybe(struct lisp_ctx *ctx);
lv lisp_alloc_vals(struct lisp_ctx *ctx, size_t n);
lv lisp_alloc_bytes(struct lisp_ctx *ctx, size_t n);

/* package.c */
void lisp_packages_init(struct lisp_ctx *ctx);
lv lisp_find_package(struct lisp_ctx *ctx, const char *name, size_t len);
lv lisp_make_package(struct lisp_ctx *ctx, const char *name);
lv lisp_intern_in(struct lisp_ctx *ctx, lv pkg, const char *name, size_t len);
lv lisp_find_symbol_in(struct lisp_ctx *ctx, lv pkg, const char *name, size_t len);
lv lisp_make_symbol(struct lisp_ctx *ctx, lv name_string);
struct lisp_symbol *lisp_sym(struct lisp_ctx *ctx, lv v); /* NIL -> its symbol object */
lv lisp_package_name_string(lv pkg);

/* object.c */
lv lisp_string_from(struct lisp_ctx *ctx, const char *s, size_t len);
lv lisp_make_empty_string(struct lisp_ctx *ctx, size_t cap, bool adjustable);
void lisp_string_append(struct lisp_ctx *ctx, lv s, const char *p, size_t n);
char *lisp_str(lv s); /* data of a string */
lv lisp_vector_from(struct lisp_ctx *ctx, lv *items, size_t n);
void lisp_vector_push(struct lisp_ctx *ctx, lv vec, lv x);
lv lisp_list_from(struct lisp_ctx *ctx, lv *items, size_t n, lv tail);
lv lisp_cons_at(struct lisp_ctx *ctx, lv car, lv cdr, struct srcloc loc);
lv lisp_copy_list(struct lisp_ctx *ctx, lv list);
lv lisp_plist_get(lv plist, lv key, lv def);
lv lisp_nthcdr_raw(lv list, size_t n); /* stops at the end; no step counting */
lv lisp_seq_make(struct lisp_ctx *ctx, int kind, lv *items,
		 size_t n); /* 0 list 1 vector 2 string */
lv lisp_aref(struct lisp_ctx *ctx, lv array, lv index);
lv lisp_aset(struct lisp_ctx *ctx, lv array, lv index, lv value);
bool lisp_equalp(struct lisp_ctx *ctx, lv a, lv b);
uint32_t lisp_sxhash(struct lisp_ctx *ctx, lv v, int test, int depth);
lv lisp_hash_remove(struct lisp_ctx *ctx, lv table, lv key);
void lisp_hash_clear(struct lisp_ctx *ctx, lv table);

/* numbers (bigint.c, number.c) */
lv lisp_int_add(struct lisp_ctx *ctx, lv a, lv b);
lv lisp_int_sub(struct lisp_ctx *ctx, lv a, lv b);
lv lisp_int_mul(struct lisp_ctx *ctx, lv a, lv b);
lv lisp_int_neg(struct lisp_ctx *ctx, lv a);
/* truncating division; q or r may be NULL */
void lisp_int_divmod(struct lisp_ctx *ctx, lv a, lv b, lv *q, lv *r);
int lisp_int_cmp(lv a, lv b);
int lisp_int_sign(lv a);
lv lisp_int_logop(struct lisp_ctx *ctx, int op, lv a, lv b); /* 0 and 1 ior 2 xor */
lv lisp_int_lognot(struct lisp_ctx *ctx, lv a);
lv lisp_int_ash(struct lisp_ctx *ctx, lv a, int64_t shift);
uint64_t lisp_int_length(lv a);
uint64_t lisp_int_logcount(lv a);
bool lisp_int_logbitp(lv a, uint64_t bit);
double lisp_int_to_double(lv a);
lv lisp_int_from_double(struct lisp_ctx *ctx, double d);
lv lisp_int_from_i128(struct lisp_ctx *ctx, __int128 v);
void lisp_int_print(struct lisp_ctx *ctx, struct buf *out, lv a, unsigned radix);
/* digits in `radix` (already validated); sign applied by caller */
lv lisp_int_parse(struct lisp_ctx *ctx, const char *s, size_t n, unsigned radix, bool neg);
lv lisp_num_add(struct lisp_ctx *ctx, lv a, lv b);
lv lisp_num_sub(struct lisp_ctx *ctx, lv a, lv b);
lv lisp_num_mul(struct lisp_ctx *ctx, lv a, lv b);
int lisp_num_cmp(struct lisp_ctx *ctx, lv a, lv b);
bool lisp_numberp(lv v);
bool lisp_num_equal(lv a, lv b);
void lisp_print_float(struct buf *out, double d);
lv lisp_check_int(struct lisp_ctx *ctx, lv v);
lv lisp_values2(struct lisp_ctx *ctx, lv a, lv b);
lv lisp_values(struct lisp_ctx *ctx, int n, lv *vals);
/* The values of the last evaluation whose primary value is `primary`. */
int lisp_collect_values(struct lisp_ctx *ctx, lv primary, lv *out, int max);
void lisp_save_values(struct lisp_ctx *ctx, lv primary); /* before a non-local exit */
lv lisp_restore_values(struct lisp_ctx *ctx);		 /* after it */
int64_t lisp_check_fixnum(struct lisp_ctx *ctx, lv v, int64_t lo, int64_t hi);

/* reader.c, backquote.c */
lv lisp_read_from(struct lisp_ctx *ctx, const char *text, size_t len, size_t *pos, bool eof_error,
		  lv eof_value);
lv lisp_reader_next(struct lisp_reader *r); /* signals on errors; NULL at the end */
lv lisp_backquote(struct lisp_ctx *ctx, lv form, struct srcloc loc);
void lisp_reader_error(struct lisp_reader *r, struct srcloc loc, const char *fmt, ...)
	W_PRINTF(3, 4) W_NORETURN;

/* printer.c */
void lisp_prin(struct lisp_ctx *ctx, struct buf *out, lv v, bool escape);
void lisp_print_symbol(struct lisp_ctx *ctx, struct buf *out, lv sym, bool escape);
const char *lisp_char_name(uint32_t code);
lv lisp_princ_to_string(struct lisp_ctx *ctx, lv v);

/* format.c */
void lisp_format(struct lisp_ctx *ctx, struct buf *out, lv control, int argc, lv *argv,
		 uint32_t start_col);

/* stream.c */
void lisp_stream_write(struct lisp_ctx *ctx, lv stream, const char *p, size_t n);
lv lisp_resolve_stream(struct lisp_ctx *ctx, lv designator, bool output);
uint32_t lisp_stream_column(lv stream);
lv lisp_make_string_output_stream(struct lisp_ctx *ctx);

/* eval.c */
lv lisp_apply_list(struct lisp_ctx *ctx, lv fn, lv args);
lv lisp_function_of(struct lisp_ctx *ctx, lv designator); /* symbol -> function */
lv lisp_make_closure(struct lisp_ctx *ctx, lv name, lv params, lv body, lv env);
lv lisp_env_push(struct lisp_ctx *ctx, int kind, lv name, lv value, lv next);
lv lisp_env_find(lv env, int kind, lv name);
lv lisp_macro_function(struct lisp_ctx *ctx, lv sym, lv env);
void lisp_bind_special(struct lisp_ctx *ctx, lv sym, lv value);
void lisp_unbind_specials(struct lisp_ctx *ctx, uint32_t depth);
void lisp_set_variable(struct lisp_ctx *ctx, lv sym, lv value, lv env);
lv lisp_body_skip_decls(struct lisp_ctx *ctx, lv body, bool allow_doc, lv *specials);
bool lisp_functionp(lv v);
void lisp_stamp_locations(struct lisp_ctx *ctx, lv form, struct srcloc loc);
void lisp_mx_cache_clear(struct lisp_ctx *ctx);
lv lisp_fn_name(lv fn);

/* lambda.c: bind a lambda list.  `args` is either an array (argv, argc) or,
 * when argv is NULL, the list `list` (destructuring, &rest shares tails). */
lv lisp_bind_lambda_list(struct lisp_ctx *ctx, lv params, lv env, int argc, lv *argv, lv list,
			 lv whole, lv macro_env, lv fname);

/* control.c */
void lisp_cleanup_push(struct lisp_ctx *ctx, void (*fn)(void *), void *p);
void lisp_cleanup_pop(struct lisp_ctx *ctx, bool run);
void lisp_run_cleanups(struct lisp_ctx *ctx, uint32_t depth);
/* A malloc'd buffer freed on non-local exit; release LIFO with one of: */
struct buf *lisp_temp_buf(struct lisp_ctx *ctx);
void lisp_temp_buf_free(struct lisp_ctx *ctx, struct buf *b);
char *lisp_temp_buf_steal(struct lisp_ctx *ctx, struct buf *b); /* NUL-terminated, caller frees */
lv lisp_temp_buf_string(struct lisp_ctx *ctx, struct buf *b);	/* as a Lisp string */
void lisp_frame_push(struct lisp_ctx *ctx, struct lframe *fr, enum frame_kind kind);
void lisp_frame_pop(struct lisp_ctx *ctx, struct lframe *fr);
void lisp_frame_land(struct lisp_ctx *ctx, struct lframe *fr); /* after longjmp */
W_NORETURN void lisp_unwind_to(struct lisp_ctx *ctx, struct lframe *target);
lv lisp_signal(struct lisp_ctx *ctx, lv condition); /* returns if unhandled */
lv lisp_make_condition_v(struct lisp_ctx *ctx, lv type, lv initargs);
lv lisp_simple_condition(struct lisp_ctx *ctx, lv type, const char *fmt, va_list ap);
W_NORETURN W_PRINTF(3, 4) void lisp_error_type(struct lisp_ctx *ctx, lv type, const char *fmt, ...);
bool lisp_typep(struct lisp_ctx *ctx, lv v, lv type);
bool lisp_condition_subtypep(struct lisp_ctx *ctx, lv type, lv super);
bool lisp_condition_type_p(struct lisp_ctx *ctx, lv sym);
void lisp_conditions_init(struct lisp_ctx *ctx);
void lisp_check_limits(struct lisp_ctx *ctx);
W_NORETURN void lisp_undefined_function(struct lisp_ctx *ctx, lv name);

/* registration of the builtin tables, one per file */
void lisp_init_specials(struct lisp_ctx *ctx);
void lisp_init_definitions(struct lisp_ctx *ctx);
void lisp_init_control(struct lisp_ctx *ctx);
void lisp_init_numbers(struct lisp_ctx *ctx);
void lisp_init_lists(struct lisp_ctx *ctx);
void lisp_init_sequences(struct lisp_ctx *ctx);
void lisp_init_strings(struct lisp_ctx *ctx);
void lisp_init_objects(struct lisp_ctx *ctx);
void lisp_init_arrays(struct lisp_ctx *ctx);
void lisp_init_objects_packages(struct lisp_ctx *ctx);
void lisp_init_streams(struct lisp_ctx *ctx);
void lisp_init_eval_builtins(struct lisp_ctx *ctx);
void lisp_load_prelude(struct lisp_ctx *ctx);

/* Keyword arguments of sequence functions (NULL when absent). */
struct lisp_keys {
	lv test, test_not, key, start, end, from_end, count, initial_value;
};
void lisp_seq_keys(struct lisp_ctx *ctx, int argc, lv *argv, int start, struct lisp_keys *k);
lv lisp_seq_key(struct lisp_ctx *ctx, const struct lisp_keys *k, lv elem);
/* (funcall test item (funcall key elem)), EQL by default */
bool lisp_seq_test(struct lisp_ctx *ctx, const struct lisp_keys *k, lv item, lv elem);

/* A table row for builtins: name, function, argument counts. */
struct lisp_builtin_def {
	const char *name;
	lisp_builtin_fn fn;
	int16_t min, max;
};
lv lisp_make_builtin(struct lisp_ctx *ctx, lv name, int min, int max, lisp_builtin_fn fn,
		     void *data);
/* special.c helpers shared with define.c */
lv lisp_block_body(struct lisp_ctx *ctx, lv name, lv body, struct srcloc loc);
lv lisp_block_name(lv name);
lv lisp_check_def_name(struct lisp_ctx *ctx, lv form, lv name);
lv lisp_condition_slot_fn(struct lisp_ctx *ctx, int argc, lv *argv, void *data);
void lisp_register_builtins(struct lisp_ctx *ctx, const struct lisp_builtin_def *defs, size_t n);

/* Argument checks for builtins. */
static inline lv lisp_arg_list(struct lisp_ctx *ctx, lv v)
{
	if (!lisp_listp(v))
		lisp_type_error(ctx, v, "list");
	return v;
}
lv lisp_check_string(struct lisp_ctx *ctx, lv v);
lv lisp_check_symbol(struct lisp_ctx *ctx, lv v);
lv lisp_string_designator(struct lisp_ctx *ctx, lv v); /* string, symbol or char -> string */
bool lisp_sequencep(lv v);
bool lisp_truthy(lv v);
#define LISP_TRUE(v) ((v) != LISP_NIL)

/* vec_foreach without arithmetic on an empty (NULL) array */
#define lisp_each(v, it) \
	for (__typeof__((v)->data) it = (v)->data; it && it < (v)->data + (v)->len; it++)

#define BUILTIN(name) static lv name(struct lisp_ctx *ctx, int argc, lv *argv, void *data)

#endif
