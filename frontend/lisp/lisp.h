/* The Lisp layer below the DSL compiler: values, a located reader, a small
 * Common Lisp evaluator with conditions, limits and a conservative GC, and the
 * extension API (special forms, builtins, macros, setf places) built on them. */
#ifndef WHISTLER_LISP_H
#define WHISTLER_LISP_H

#include "util/diag.h"

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Values.  An `lv` is one machine word:
 *   ...xxx1   fixnum, 63-bit two's complement (arithmetic shifts right by 1)
 *   ...x010   character, code in the bits above the tag
 *   0x06      NIL (an immediate, so no context is needed to test for it)
 *   ...0000   pointer to a heap object (struct lisp_object header), 16-aligned
 *   NULL      "no value": unbound, absent, end of reading
 * Integers beyond 63 bits are heap bignums: integers are exact and unbounded
 * like CL's (up to LISP_MAX_BIGNUM_BITS), so #xffffffffffffffff reads, prints
 * and computes correctly.  Floats are IEEE doubles.  Ratios are rejected with a
 * clear error.  Strings hold bytes (UTF-8 passes through, LENGTH counts bytes).
 */
typedef struct lisp_object *lv;
struct lisp_ctx;

#define LISP_NIL ((lv)(uintptr_t)0x06)
#define LISP_MAX_BIGNUM_BITS (1u << 16)

enum lisp_type {
	LISP_FREE, /* a free heap slot (internal) */
	LISP_CONS,
	LISP_SYMBOL,
	LISP_STRING,
	LISP_VECTOR,
	LISP_BIGNUM,
	LISP_FLOAT,
	LISP_HASH,
	LISP_CLOSURE,
	LISP_BUILTIN,
	LISP_PACKAGE,
	LISP_CONDITION,
	LISP_STREAM,
	LISP_FOREIGN,
	LISP_ENV,   /* lexical environment entry (internal) */
	LISP_EXIT,  /* block/tagbody exit point (internal) */
	LISP_BYTES, /* raw payload (internal) */
	LISP_VALS,  /* value-array payload (internal) */
	LISP_NTYPES,
	/* immediates, as returned by lisp_type_of() */
	LISP_FIXNUM = 100,
	LISP_CHAR,
	LISP_NULL, /* NIL */
};

struct lisp_object {
	uint8_t type; /* enum lisp_type */
	uint8_t gc;   /* mark bit (internal) */
	uint16_t flags;
	uint32_t aux;
};

/* Conses carry two source locations: `loc` is where the datum starting at this
 * cell begins (its '(' for the first cell of a read list), `car_loc` where its
 * car was read.  Cells made at run time have zero locations until macro
 * expansion stamps them with the call site. */
struct lisp_cons {
	struct lisp_object h;
	lv car, cdr;
	struct srcloc loc, car_loc;
};

static inline bool lisp_fixnump(lv v)
{
	return ((uintptr_t)v & 1) != 0;
}
static inline bool lisp_charp(lv v)
{
	return ((uintptr_t)v & 7) == 2;
}
static inline bool lisp_nullp(lv v)
{
	return v == LISP_NIL;
}
static inline bool lisp_heapp(lv v)
{
	return v && ((uintptr_t)v & 15) == 0;
}
static inline bool lisp_is(lv v, enum lisp_type t)
{
	return lisp_heapp(v) && v->type == t;
}
static inline bool lisp_consp(lv v)
{
	return lisp_is(v, LISP_CONS);
}
static inline bool lisp_listp(lv v)
{
	return v == LISP_NIL || lisp_consp(v);
}
static inline bool lisp_stringp(lv v)
{
	return lisp_is(v, LISP_STRING);
}
/* NIL is a symbol too. */
static inline bool lisp_symbolp(lv v)
{
	return v == LISP_NIL || lisp_is(v, LISP_SYMBOL);
}
static inline bool lisp_integerp(lv v)
{
	return lisp_fixnump(v) || lisp_is(v, LISP_BIGNUM);
}
enum lisp_type lisp_type_of(lv v);

static inline int64_t lisp_fixnum_value(lv v)
{
	return (int64_t)(intptr_t)v >> 1;
}
static inline lv lisp_fixnum(int64_t n)
{
	return (lv)(uintptr_t)(((uint64_t)n << 1) | 1);
}
#define LISP_FIXNUM_MAX (((int64_t)1 << 62) - 1)
#define LISP_FIXNUM_MIN (-((int64_t)1 << 62))
static inline uint32_t lisp_char_code(lv v)
{
	return (uint32_t)((uintptr_t)v >> 3);
}
static inline lv lisp_char(uint32_t code)
{
	return (lv)(uintptr_t)(((uintptr_t)code << 3) | 2);
}

/* car/cdr of a cons or NIL (anything else gives NIL: check lisp_consp first). */
static inline lv lisp_car(lv v)
{
	return lisp_consp(v) ? ((struct lisp_cons *)v)->car : LISP_NIL;
}
static inline lv lisp_cdr(lv v)
{
	return lisp_consp(v) ? ((struct lisp_cons *)v)->cdr : LISP_NIL;
}
static inline lv lisp_cadr(lv v)
{
	return lisp_car(lisp_cdr(v));
}
static inline lv lisp_cddr(lv v)
{
	return lisp_cdr(lisp_cdr(v));
}
static inline lv lisp_caddr(lv v)
{
	return lisp_car(lisp_cddr(v));
}

/* ---- Contexts ---------------------------------------------------------- */

/* A context owns a heap, packages, global definitions and the evaluation
 * state.  `sm` and `d` are borrowed (both may be NULL: the context then owns
 * private ones).  The prelude (standard macros written in Lisp) is loaded.
 * One thread per context. */
struct lisp_ctx *lisp_new(struct srcmgr *sm, struct diag *d);
void lisp_free(struct lisp_ctx *ctx);
struct srcmgr *lisp_srcmgr(struct lisp_ctx *ctx);
struct diag *lisp_diag(struct lisp_ctx *ctx);

/* Where *standard-output* / *error-output* go: a FILE (default stdout/stderr)
 * or, when `capture` is set, appended to that buffer (tests, fuzzing).
 * `limit` (0 = none) caps the captured bytes; the rest is dropped. */
void lisp_set_output(struct lisp_ctx *ctx, FILE *out, struct buf *capture, size_t limit);
void lisp_set_error_output(struct lisp_ctx *ctx, FILE *out, struct buf *capture, size_t limit);

/* Evaluation limits, counted per outermost protected call (lisp_eval & co.).
 * A zero field means unlimited.  Exceeding them signals a serious condition
 * (not an ERROR, so (handler-case ... (error ...)) does not swallow it):
 * STEP-LIMIT-EXCEEDED, STACK-EXHAUSTED and HEAP-EXHAUSTED; the step budget
 * stays exhausted, so evaluation always ends.  The C stack is always guarded
 * (a zero max_stack_bytes means: most of the thread's stack). */
struct lisp_limits {
	uint64_t max_steps;	/* evaluation steps (forms evaluated, list cells walked) */
	uint32_t max_depth;	/* nested evaluations */
	size_t max_stack_bytes; /* C stack used below the outermost call */
	size_t max_heap_bytes;	/* heap size, after collecting (HEAP-EXHAUSTED) */
};
void lisp_set_limits(struct lisp_ctx *ctx, const struct lisp_limits *lim);
uint64_t lisp_steps_used(struct lisp_ctx *ctx);

/* Sandbox: SLEEP returns at once, LOAD, QUIT and reading stdin are errors. */
void lisp_set_sandbox(struct lisp_ctx *ctx, bool on);

/* Async-signal-safe: ask the running evaluation to stop.  It signals
 * SB-SYS:INTERACTIVE-INTERRUPT (a subtype of INTERRUPT, a serious condition)
 * at the next step or during SLEEP; HANDLER-CASE can catch it and
 * UNWIND-PROTECT cleanups run. */
void lisp_interrupt(struct lisp_ctx *ctx);
/* The flag behind lisp_interrupt(), for a SIGINT handler to set directly. */
volatile sig_atomic_t *lisp_interrupt_flag(struct lisp_ctx *ctx);

/* ---- Reader ------------------------------------------------------------- */

/* Reads Common Lisp syntax from a srcmgr file: case folding, packages,
 * #x #b #o #NNr, characters, strings, quote/backquote, #' #( #+ #- #: #. #|..|#.
 * Every cons records where it was read (see struct lisp_cons). */
struct lisp_reader {
	struct lisp_ctx *ctx;
	const char *text;
	size_t pos, len;
	uint32_t file, line, col;
	struct srcloc last; /* where the datum last returned began */
	int depth, bq;	    /* internal: nesting, backquote level */
	bool suppress, keywords;
};
void lisp_reader_init(struct lisp_reader *r, struct lisp_ctx *ctx, uint32_t file_id);
/* 1: *out is the next datum; 0: end of file; -1: error (reported as a located
 * diagnostic and kept as lisp_last_condition()). */
int lisp_read(struct lisp_reader *r, lv *out);
/* Reads the first datum of `text` (file id 0: no locations); NULL on error. */
lv lisp_read_string(struct lisp_ctx *ctx, const char *text);

/* ---- Evaluation (protected entry points) -------------------------------- */

/* These catch every condition the evaluation does not handle: they return 0
 * and store the primary value in *result (if non-NULL), or return -1 after
 * reporting the condition as a located diagnostic with a backtrace of form
 * locations (unless lisp_set_report(ctx, false)); the condition is then
 * lisp_last_condition(). */
int lisp_eval(struct lisp_ctx *ctx, lv form, lv *result);
int lisp_pcall(struct lisp_ctx *ctx, lv fn, int argc, lv *argv, lv *result);
/* Reads and evaluates every form of a file/string; stops at the first error.
 * `each` (may be NULL) is called with every form's result. */
int lisp_load_file(struct lisp_ctx *ctx, const char *path,
		   void (*each)(struct lisp_ctx *, lv form, lv value, void *), void *data);
int lisp_load_string(struct lisp_ctx *ctx, const char *name, const char *text,
		     void (*each)(struct lisp_ctx *, lv form, lv value, void *), void *data);
/* Expands `form` once (or fully) as a macro form; *expanded says whether it
 * was one.  `env` is a lexical environment or NIL.  Conses the expander made
 * (no location yet) get the call's location; parts taken from the macro's own
 * source (backquote constants) keep theirs, and the user's subforms keep
 * theirs.  Errors inside an expander are located at the macro call, with the
 * expander's own forms as notes. */
int lisp_macroexpand_1(struct lisp_ctx *ctx, lv form, lv env, lv *result, bool *expanded);
int lisp_macroexpand(struct lisp_ctx *ctx, lv form, lv env, lv *result, bool *expanded);
void lisp_set_report(struct lisp_ctx *ctx, bool report);
/* True when the last protected call ended by (EXIT :CODE n) / (QUIT). */
bool lisp_exit_requested(struct lisp_ctx *ctx, int *code);
lv lisp_last_condition(struct lisp_ctx *ctx);

/* Multiple values of the last evaluation: count and i-th value. */
int lisp_values_count(struct lisp_ctx *ctx);
lv lisp_value_n(struct lisp_ctx *ctx, int i);

/* ---- Evaluation from inside the evaluator (builtins, special forms) -----
 * These signal conditions by non-local exit instead of returning errors; call
 * them only from code the evaluator called (or under lisp_protect()). */
lv lisp_eval_in(struct lisp_ctx *ctx, lv form, lv env);
lv lisp_eval_body(struct lisp_ctx *ctx, lv forms, lv env); /* progn */
lv lisp_call(struct lisp_ctx *ctx, lv fn, int argc, lv *argv);
lv lisp_call1(struct lisp_ctx *ctx, lv fn, lv a);
lv lisp_call2(struct lisp_ctx *ctx, lv fn, lv a, lv b);
lv lisp_macroexpand_1_in(struct lisp_ctx *ctx, lv form, lv env, bool *expanded);
lv lisp_macroexpand_in(struct lisp_ctx *ctx, lv form, lv env, bool *expanded);
/* Runs fn(ctx, data) protected like lisp_eval. */
int lisp_protect(struct lisp_ctx *ctx, lv (*fn)(struct lisp_ctx *, void *), void *data, lv *result);
/* Counts one step against the budget and polls for interrupts (long C loops). */
void lisp_tick(struct lisp_ctx *ctx);

/* ---- Conditions ----------------------------------------------------------
 * Conditions are objects of a type (a symbol: SIMPLE-ERROR, TYPE-ERROR, ...,
 * or one made with DEFINE-CONDITION) with initargs, the location of the form
 * being evaluated when they were made, and a backtrace of form locations. */
W_NORETURN W_PRINTF(2, 3) void lisp_error(struct lisp_ctx *ctx, const char *fmt, ...);
W_NORETURN W_PRINTF(3, 4) void lisp_error_at(struct lisp_ctx *ctx, lv form, const char *fmt, ...);
/* "The value X is not of type T." (TYPE-ERROR); `type` is read as a type spec. */
W_NORETURN void lisp_type_error(struct lisp_ctx *ctx, lv datum, const char *type);
/* Makes a condition of `type` ("simple-error", "bpf:verifier-error", ...)
 * whose report is the formatted message. */
W_PRINTF(3, 4) lv lisp_make_condition(struct lisp_ctx *ctx, const char *type, const char *fmt, ...);
/* SIGNAL, then (if nothing handled it) unwind to the outermost protected call. */
W_NORETURN void lisp_signal_error(struct lisp_ctx *ctx, lv condition);
/* The report text (malloc'd), type symbol, location and backtrace (a list of
 * forms, innermost first) of a condition. */
char *lisp_condition_message(struct lisp_ctx *ctx, lv condition);
lv lisp_condition_type(lv condition);
struct srcloc lisp_condition_loc(lv condition);
lv lisp_condition_backtrace(lv condition);
bool lisp_typep_condition(struct lisp_ctx *ctx, lv condition, lv type_symbol);
/* Prints the condition as a diagnostic: error at its location, notes for the
 * backtrace, a hint for unknown names. */
void lisp_report_condition(struct lisp_ctx *ctx, lv condition);

/* ---- Source locations ---------------------------------------------------- */
struct srcloc lisp_loc(lv form);     /* a cons's location, or zeros */
struct srcloc lisp_car_loc(lv cell); /* where the car of this cell was read */
void lisp_set_loc(lv cons, struct srcloc loc);
/* The best location for `form`: its own, else the innermost form being
 * evaluated that has one. */
struct srcloc lisp_form_loc(struct lisp_ctx *ctx, lv form);
/* Location of the n-th element of list `form` (0 = the head), else the form's. */
struct srcloc lisp_elem_loc(lv form, unsigned n);

/* ---- Making and inspecting values --------------------------------------- */
lv lisp_cons(struct lisp_ctx *ctx, lv car, lv cdr);
lv lisp_list(struct lisp_ctx *ctx, int n, ...);
lv lisp_t(struct lisp_ctx *ctx);
static inline lv lisp_bool(struct lisp_ctx *ctx, bool b)
{
	return b ? lisp_t(ctx) : LISP_NIL;
}
lv lisp_make_string(struct lisp_ctx *ctx, const char *s, size_t len);
lv lisp_make_cstring(struct lisp_ctx *ctx, const char *s);
W_PRINTF(2, 3) lv lisp_format_string(struct lisp_ctx *ctx, const char *fmt, ...); /* C printf */
/* Bytes of a string (NUL-terminated; may contain NULs) and its length. */
const char *lisp_string_data(lv s, size_t *len);
lv lisp_make_vector(struct lisp_ctx *ctx, size_t n, lv init);
size_t lisp_vector_length(lv v);
lv *lisp_vector_data(lv v);
lv lisp_make_int(struct lisp_ctx *ctx, int64_t n);
lv lisp_make_uint(struct lisp_ctx *ctx, uint64_t n);
lv lisp_make_float(struct lisp_ctx *ctx, double d);
bool lisp_floatp(lv v);
double lisp_float_value(lv v);
/* Integer conversions: true when `v` is an integer that fits. */
bool lisp_int_to_i64(lv v, int64_t *out);
bool lisp_int_to_u64(lv v, uint64_t *out);
/* Low 64 bits of any integer in two's complement (like (ldb (byte 64 0) v)). */
uint64_t lisp_int_low64(lv v);
lv lisp_make_hash_table(struct lisp_ctx *ctx, const char *test); /* "eq" "eql" "equal" "equalp" */
lv lisp_gethash(struct lisp_ctx *ctx, lv table, lv key, bool *found);
void lisp_puthash(struct lisp_ctx *ctx, lv table, lv key, lv value);
/* An opaque C object (map handle, program...): printed #<TYPE ...>; `data`
 * is a Lisp value kept alive with it; `finalize` runs when it is collected
 * or the context is freed. */
/* A byte vector ((unsigned-byte 8) elements) holding a copy of p[0..n). */
lv lisp_make_bytes(struct lisp_ctx *ctx, const void *p, size_t n);
/* Copies up to `max` bytes of a byte vector, a vector of integers 0..255 or
 * a string into out (NULL when max is 0, to ask the length); returns the
 * sequence's length, or -1 if it is not one. */
long lisp_bytes_copy(lv seq, void *out, size_t max);
/* (getf plist key default) */
lv lisp_getf(lv plist, lv key, lv def);
lv lisp_make_foreign(struct lisp_ctx *ctx, const char *type, void *ptr, void (*finalize)(void *),
		     lv data);
bool lisp_foreignp(lv v, const char *type); /* type NULL: any */
void *lisp_foreign_ptr(lv v);
lv lisp_foreign_data(lv v);
void lisp_set_foreign_data(lv v, lv data);
size_t lisp_list_length(lv list); /* proper part only */
lv lisp_nreverse(lv list);
bool lisp_eql(lv a, lv b);
bool lisp_equal(struct lisp_ctx *ctx, lv a, lv b);

/* ---- Symbols and packages ------------------------------------------------
 * There is one user package, WHISTLER, also named COMMON-LISP, CL, CL-USER,
 * COMMON-LISP-USER, WHISTLER-USER and WHISTLER/LOADER: `whistler:defprog`,
 * `cl:case` and `defprog`/`case` are the same symbols.  IN-PACKAGE and
 * DEFPACKAGE are accepted and ignored.  Any other prefix (bpf:, sb-sys:,
 * sb-ext:, asdf:...) names a separate package, created on first use, so
 * `bpf:map` is not `map`.  Keywords live in KEYWORD and evaluate to
 * themselves.  Names are case-folded to upper case on reading. */
/* Interns "name" or "pkg:name"/"pkg::name"/":kw", upcasing like the reader. */
lv lisp_intern(struct lisp_ctx *ctx, const char *qualified);
/* Interns `name` exactly as given (no case folding) in package `pkg` (NULL: user). */
lv lisp_intern_exact(struct lisp_ctx *ctx, const char *pkg, const char *name, size_t len);
const char *lisp_symbol_name(lv sym);	      /* "NIL" for NIL */
const char *lisp_symbol_package_name(lv sym); /* NULL if uninterned */
bool lisp_keywordp(lv v);
/* Adds `alias` as another name of package `pkg` (NULL: the user package). */
void lisp_package_alias(struct lisp_ctx *ctx, const char *pkg, const char *alias);
lv lisp_symbol_value(struct lisp_ctx *ctx, lv sym); /* NULL when unbound */
void lisp_set_symbol_value(struct lisp_ctx *ctx, lv sym, lv value);
lv lisp_symbol_function(struct lisp_ctx *ctx, lv sym); /* NULL when undefined */
lv lisp_gensym(struct lisp_ctx *ctx, const char *prefix);
/* Records the global definitions of every symbol (value, function, macro,
 * property list, SETF definition, special/constant flags, package names);
 * lisp_rollback() restores them (between evaluations) and clears the
 * definitions of symbols made since.  Objects changed in place (a list that
 * is a variable's value) are not restored.  Used to reuse one
 * context for many independent evaluations (fuzzing, sessions). */
void lisp_checkpoint(struct lisp_ctx *ctx);
void lisp_rollback(struct lisp_ctx *ctx);
/* Adds a feature keyword for #+ / #- (":whistler", ":linux"... are present). */
void lisp_add_feature(struct lisp_ctx *ctx, const char *name);

/* ---- Extension API -------------------------------------------------------
 * Names are qualified like lisp_intern ("bpf:attach", "defprog").  A builtin
 * receives its evaluated arguments; min/max bound their count (max -1: any).
 * A special form receives the whole unevaluated form and the lexical
 * environment.  A C macro returns the expansion of `form`. */
typedef lv (*lisp_builtin_fn)(struct lisp_ctx *ctx, int argc, lv *argv, void *data);
typedef lv (*lisp_special_fn)(struct lisp_ctx *ctx, lv form, lv env, void *data);
typedef lv (*lisp_macro_fn)(struct lisp_ctx *ctx, lv form, lv env, void *data);
lv lisp_defbuiltin(struct lisp_ctx *ctx, const char *name, int min, int max, lisp_builtin_fn fn,
		   void *data);
lv lisp_defspecial(struct lisp_ctx *ctx, const char *name, lisp_special_fn fn, void *data);
lv lisp_defmacro_c(struct lisp_ctx *ctx, const char *name, lisp_macro_fn fn, void *data);
/* (setf (NAME args...) v) calls fn with argv = {args..., v} (DEFSETF's order)
 * and returns what fn returns (conventionally v). */
lv lisp_defsetter(struct lisp_ctx *ctx, const char *name, int min, int max, lisp_builtin_fn fn,
		  void *data);
/* Current data of a special form or macro symbol (NULL if none). */
bool lisp_special_formp(struct lisp_ctx *ctx, lv sym);
/* The C function and data of special form `sym` (false when it is none), so
 * an extension can wrap it: define a new one that calls the old. */
bool lisp_special_form(struct lisp_ctx *ctx, lv sym, lisp_special_fn *fn, void **data);
bool lisp_macrop(struct lisp_ctx *ctx, lv sym, lv env);
/* Lexical environment queries for special forms written in C. */
lv lisp_env_lookup_var(struct lisp_ctx *ctx, lv env, lv sym, bool *found);
lv lisp_env_bind_var(struct lisp_ctx *ctx, lv env, lv sym, lv value);
/* A macro function from a macro lambda list and body (as DEFMACRO would make
 * it, closed over `env`), and lexical MACROLET / SYMBOL-MACROLET bindings:
 * each returns the extended environment. */
lv lisp_make_macro(struct lisp_ctx *ctx, lv name, lv lambda_list, lv body, lv env);
lv lisp_env_bind_macro(struct lisp_ctx *ctx, lv env, lv name, lv macro_function);
lv lisp_env_bind_symbol_macro(struct lisp_ctx *ctx, lv env, lv name, lv expansion);
/* A condition type, like (define-condition NAME (PARENTS...) ()); parents
 * are space-separated qualified names ("error", "bpf:error warning"). */
void lisp_define_condition(struct lisp_ctx *ctx, const char *name, const char *parents);
/* Keyword arguments of a builtin: argv[start..argc) as :key value pairs.
 * names[i] ("key" without colon) gets out[i] (NULL when absent).  Unknown
 * keys are an error unless allow_other. */
void lisp_parse_keys(struct lisp_ctx *ctx, int argc, lv *argv, int start, const char *const *names,
		     int n, lv *out, bool allow_other);

/* Printing: prin1 (readable) or princ (aesthetic) into a malloc'd string. */
char *lisp_print_to_cstring(struct lisp_ctx *ctx, lv v, bool readably);
void lisp_print(struct lisp_ctx *ctx, struct buf *out, lv v, bool readably);

/* ---- Memory ----------------------------------------------------------------
 * Objects live in a non-moving mark-and-sweep heap.  Roots: packages (all
 * symbols with their values, functions and plists), the evaluator's stacks,
 * registered roots, and the C stack and registers scanned conservatively
 * (interior pointers count).  Lisp values kept in C heap memory (malloc,
 * arenas, your structs) across an evaluation must be registered with
 * lisp_gc_protect() or a marker, or collection paused with lisp_gc_inhibit(). */
void lisp_gc_protect(struct lisp_ctx *ctx, lv *slot);
void lisp_gc_unprotect(struct lisp_ctx *ctx, lv *slot);
void lisp_gc_add_marker(struct lisp_ctx *ctx, void (*mark)(struct lisp_ctx *, void *), void *data);
void lisp_gc_mark(struct lisp_ctx *ctx, lv v);		  /* from a marker */
void lisp_gc_inhibit(struct lisp_ctx *ctx, bool inhibit); /* nests */
void lisp_gc_collect(struct lisp_ctx *ctx);
struct lisp_gc_stats {
	size_t heap_bytes; /* bytes of blocks held */
	size_t live_bytes; /* after the last collection */
	uint64_t collections;
};
void lisp_gc_stats(struct lisp_ctx *ctx, struct lisp_gc_stats *st);

#endif
