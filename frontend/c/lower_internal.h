/* Shared state of the C lowering (lower*.c): the module being built, the
 * function builder (blocks, SSA variables, stack slots), lvalues, and the
 * entry points each file provides to the others. */
#ifndef WHISTLER_C_LOWER_INTERNAL_H
#define WHISTLER_C_LOWER_INTERNAL_H

#include "frontend/c/lower.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define LB_NONE UINT32_MAX

/* ---- a hash map from pointers (or 64-bit keys) to nonzero values ------------ */

struct pmap {
	uint64_t *keys; /* key + 1; 0: empty */
	uintptr_t *vals;
	uint32_t cap, n;
};
bool pmap_get(const struct pmap *m, uint64_t key, uintptr_t *val);
void pmap_put(struct pmap *m, uint64_t key, uintptr_t val);
void pmap_free(struct pmap *m);
static inline uint64_t pkey(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ---- the module ------------------------------------------------------------- */

/* How a function with a body is compiled. */
enum lfn_kind {
	LF_INLINE,  /* inlined at each call */
	LF_SUBPROG, /* a BPF-to-BPF subprogram (static or global) */
	LF_PROG,    /* a program: SEC("...") */
};

struct lfninfo {
	uint8_t kind;	 /* enum lfn_kind */
	bool addr_taken; /* used as a value (a callback): must be a subprogram */
	bool expanding;	 /* being inlined: a call now would recurse */
	bool queued;
	uint8_t progtype; /* enum ir_progtype */
	uint32_t sym;	  /* IR symbol of subprograms and programs */
	bool used_known;
	uint32_t used;	/* static subprograms: bit i set if parameter i is read */
	uint32_t calls; /* call sites in the unit */
};

/* An initial entry of a map of maps or prog array, resolved at the end. */
struct lpending {
	uint32_t map;
	struct cdecl *decl;
	struct srcloc loc;
};

/* An address in the initial bytes of a global (a struct_ops function
 * pointer, &var), resolved once programs have their symbols. */
struct laddr {
	uint32_t global; /* IR symbol of the global */
	uint32_t off;	 /* of the 8 bytes in it */
	struct cconst c; /* CC_ADDR or CC_STRING_ADDR */
	struct srcloc loc;
};

struct lower {
	struct ctu *tu;
	struct diag *d;
	const struct clower_options *o;
	struct ir_module *m;
	struct arena arena;
	unsigned errors;
	/* types */
	struct pmap types;     /* ctype node -> IR type + 1 */
	struct pmap records;   /* crecord -> IR type + 1 (forward until completed) */
	struct pmap completed; /* crecord -> 1 */
	struct pmap enums;     /* cenum -> IR type + 1 */
	uint32_t nlabels;      /* counter for generated type labels */
	/* declarations */
	struct pmap syms;	   /* cdecl -> IR symbol + 1 */
	struct pmap helpers;	   /* cdecl -> BPF helper id (the bpf_helper_defs.h idiom) */
	struct pmap fninfo;	   /* cdecl -> struct lfninfo * */
	VEC(struct cdecl *) queue; /* subprograms waiting to be lowered */
	uint32_t nstrings;	   /* string literals placed in .rodata.str1.1 */
	struct buf strpool;	   /* their bytes */
	uint32_t strsym;	   /* the .rodata.str1.1 global, 0 until a string needs it */
	struct pmap strs;	   /* cstring -> offset + 1 in the pool */
	VEC(struct lpending) pending;
	VEC(struct laddr) addrs;
	VEC(struct cdecl *) defining; /* variables whose initializers are being laid out */
};

W_PRINTF(3, 4) void lw_error(struct lower *L, struct srcloc loc, const char *fmt, ...);
/* "<what> not supported yet" */
void lw_unsupported(struct lower *L, struct srcloc loc, const char *what);
const char *lw_name(const struct cdecl *d);

/* types (lower_types.c) */
uint32_t lt_type(struct lower *L, struct ctype *t); /* IR type; records stay forward */
uint32_t lt_full(struct lower *L, struct ctype *t); /* IR type, records completed */
void lt_complete(struct lower *L, struct ctype *t); /* completes the records t holds by value */
/* The records a function type's pointer parameters and result point to, in
 * full: the kernel checks a global function's arguments against their
 * sizes, and libbpf a kfunc's prototype against the kernel's (a FWD where
 * the kernel has a STRUCT is "incompatible"). */
void lt_complete_pointees(struct lower *L, struct ctype *fn);
uint32_t lt_record(struct lower *L, struct crecord *r, bool complete);
/* The value type of a scalar C type (integers, pointers); VT_VOID otherwise. */
ir_vt lt_vt(struct ctype *t);
bool lt_is_scalar(struct ctype *t);
bool lt_is_aggregate(struct ctype *t); /* struct, union or array: handled by address */
/* A prototype for a function type (parameters named from `params` when given). */
uint32_t lt_proto(struct lower *L, struct ctype *fn, struct cdecl **params, uint32_t n);

/* global data and maps (lower_data.c) */
void ld_globals(struct lower *L);
/* The addresses in global data: before the queued subprograms are lowered
 * (a static function a struct_ops map points to becomes one). */
void ld_data_addrs(struct lower *L);
void ld_finish(struct lower *L);
/* The extern symbol of a __kconfig/__ksym variable or kfunc, or of a
 * variable or function defined in another object (static linking). */
uint32_t ld_extern_sym(struct lower *L, struct cdecl *d);
/* The IR symbol of a map, made on first use for one defined in another object. */
uint32_t ld_map_sym(struct lower *L, struct cdecl *d);
/* Whether d is only a declaration of something another object defines. */
bool ld_is_extern_decl(const struct cdecl *d);
/* The IR symbol of a file-scope (or static local) variable, made on first use. */
uint32_t ld_var_sym(struct lower *L, struct cdecl *d, struct srcloc use);
/* The .rodata.str1.1 offset of a string literal. */
uint32_t ld_string(struct lower *L, const struct cstring *s);
bool ld_is_map(const struct cdecl *d);
bool ld_helper_id(struct lower *L, struct cdecl *d, int *id);

/* section names (lower.c) */
enum ir_progtype lw_section_progtype(const char *sec);

/* ---- the function builder (lower_fb.c) ---------------------------------------- */

struct lblock {
	VEC(uint32_t) preds;
	VEC(uint64_t) incomplete; /* var << 32 | phi temp, filled when sealed */
	bool sealed;
};

struct lvar {
	struct cdecl *decl;
	struct ctype *type;
	ir_vt vt; /* SSA variables: the type every value written gets */
	bool mem; /* lives in memory at addr */
	ir_ref addr;
	uint32_t prev; /* the decl's previous binding + 1 */
	uint32_t slot; /* stack slot index, or LB_NONE */
};

struct lslot {
	uint32_t size, align;
	ir_ref addr;
	bool busy;
};

struct ltarget {
	const struct cstmt *stmt;
	uint32_t brk, cont;
};

/* A function being inlined: where its returns go. */
struct linline {
	struct cdecl *fn;
	uint32_t ret_blk;
	uint32_t ret_var; /* LB_NONE for void functions */
	struct linline *up;
	VEC(struct clabel *) labels; /* bound for this instance */
};

struct ldeferred {
	uint32_t block; /* where the code was */
	struct srcloc loc;
	const char *msg;
};

struct lf {
	struct lower *L;
	struct ir_func *f;
	struct cdecl *decl;
	VEC(struct lblock) blocks;
	uint32_t cur; /* block being filled, LB_NONE after a jump */
	VEC(struct lvar) vars;
	struct pmap binds;	/* cdecl -> var + 1 */
	struct pmap defs;	/* var << 32 | block -> value */
	struct pmap labels;	/* clabel -> block + 1 */
	struct pmap cases;	/* S_CASE/S_DEFAULT -> block + 1 */
	struct pmap addr_taken; /* cdecl -> 1: lives in memory */
	VEC(struct ltarget) targets;
	VEC(struct lslot) slots;
	VEC(uint32_t) scope; /* vars declared, for freeing slots at the end of blocks */
	struct linline *inl;
	struct srcloc loc;
	uint32_t null_tmp; /* `cast 0` in the entry block, 0 until needed */
	/* errors wait until the end: code that turns out unreachable (a case a
	 * constant switch never takes) reports nothing, as in clang */
	VEC(struct ldeferred) deferred;
	unsigned depth; /* inline nesting */
	unsigned errors;
};

void lf_init(struct lf *lf, struct lower *L, struct ir_func *f, struct cdecl *decl);
void lf_finish(struct lf *lf);
void lf_free(struct lf *lf);

uint32_t lf_block(struct lf *lf);
void lf_seal(struct lf *lf, uint32_t b);
void lf_set_block(struct lf *lf, uint32_t b); /* continue in b (no edge) */
bool lf_live(const struct lf *lf);	      /* code emitted now is reachable */
struct ir_loc lf_iloc(struct lf *lf);
void lf_set_loc(struct lf *lf, struct srcloc loc);

ir_ref lf_emit(struct lf *lf, unsigned op, ir_vt vt, const ir_ref *args, unsigned n);
void lf_emit0(struct lf *lf, unsigned op, const ir_ref *args, unsigned n);
ir_ref lf_op1(struct lf *lf, unsigned op, ir_vt vt, ir_ref a);
ir_ref lf_op2(struct lf *lf, unsigned op, ir_vt vt, ir_ref a, ir_ref b);
void lf_jmp(struct lf *lf, uint32_t to);
/* A conditional branch: op is IR_BR (a only) or a br.CC (a, b). */
void lf_br(struct lf *lf, unsigned op, ir_ref a, ir_ref b, uint32_t t, uint32_t f);
void lf_ret(struct lf *lf, ir_ref v);

ir_ref lf_con(struct lf *lf, int64_t v, ir_vt vt); /* an integer constant of vt's width */
bool lf_is_con(ir_ref r);
int64_t lf_con_val(struct lf *lf, ir_ref r);
ir_vt lf_vt(struct lf *lf, ir_ref r, ir_vt con_vt); /* type of a value (constants: con_vt) */
ir_ref lf_null(struct lf *lf);			    /* a NULL pointer temp */
/* Converts a value to exactly vt (region changes and pointer constants by cast). */
ir_ref lf_coerce(struct lf *lf, ir_ref v, ir_vt vt);

ir_ref lf_alloca(struct lf *lf, uint32_t size, uint32_t align, uint32_t *slot);
void lf_slot_release(struct lf *lf, uint32_t slot);

uint32_t lf_var_new(struct lf *lf, struct cdecl *d, struct ctype *t, bool mem);
void lf_var_bind(struct lf *lf, struct cdecl *d, uint32_t var);
void lf_var_unbind(struct lf *lf, struct cdecl *d);
bool lf_var_find(struct lf *lf, struct cdecl *d, uint32_t *var);
ir_ref lf_var_read(struct lf *lf, uint32_t var);
void lf_var_write(struct lf *lf, uint32_t var, ir_ref v);
uint32_t lf_ssa_var(struct lf *lf, ir_vt vt); /* an anonymous SSA variable */
/* A variable in memory that is already there (a struct passed by reference). */
uint32_t lf_var_at(struct lf *lf, struct cdecl *d, struct ctype *t, ir_ref addr);

W_PRINTF(3, 4) void lf_error(struct lf *lf, struct srcloc loc, const char *fmt, ...);
/* Reports the deferred errors of reachable code; returns their count. */
unsigned lf_flush_errors(struct lf *lf);
void lf_unsupported(struct lf *lf, struct srcloc loc, const char *what);

/* ---- expressions (lower_expr.c) ------------------------------------------------- */

enum lval_kind { LV_NONE, LV_VAR, LV_MEM };

struct lval {
	uint8_t kind;
	bool vol;
	uint8_t bits;	 /* bit-field width, 0 if not a bit-field */
	uint8_t bit_off; /* bit-field: first bit within the unit at off */
	uint8_t unit;	 /* bit-field: bytes of the storage unit loaded and stored */
	uint8_t align;	 /* known alignment of the address (packed members: less than
			  * their size, so the access goes in aligned pieces); 0: natural */
	uint32_t var;	 /* LV_VAR */
	ir_ref base;	 /* LV_MEM: address base + off */
	int64_t off;
	struct ctype *type;
};

ir_ref lx_rvalue(struct lf *lf, struct cexpr *e);
struct lval lx_lvalue(struct lf *lf, struct cexpr *e);
/* The address of an lvalue in memory (LV_MEM), as one pointer value. */
ir_ref lx_addr_of(struct lf *lf, const struct lval *lv);
ir_ref lx_load(struct lf *lf, const struct lval *lv);
void lx_store(struct lf *lf, const struct lval *lv, ir_ref v);
/* Evaluates e for its effects only. */
void lx_discard(struct lf *lf, struct cexpr *e);
/* Branches on a scalar condition. */
void lx_cond(struct lf *lf, struct cexpr *e, uint32_t t, uint32_t f);
/* Integer conversion of v from type `from` to `to` (both integer/pointer). */
ir_ref lx_convert(struct lf *lf, ir_ref v, struct ctype *from, struct ctype *to);
/* A pointer value plus a constant byte offset. */
ir_ref lx_ptr_add(struct lf *lf, ir_ref p, int64_t off);
/* Stores the initializer of an object at base+off (the memory is zeroed first when zero). */
void lx_init_mem(struct lf *lf, ir_ref base, int64_t off, struct cinit *init, struct ctype *t,
		 bool zero);
/* memcpy/memset with a constant size, split when the IR's limit is passed. */
void lx_memcpy(struct lf *lf, ir_ref dst, ir_ref src, uint64_t n);
void lx_memset(struct lf *lf, ir_ref dst, ir_ref byte, uint64_t n);

/* ---- statements (lower_stmt.c) -------------------------------------------------- */

void ls_stmt(struct lf *lf, struct cstmt *s);
/* Lowers a function's body into lf (programs, subprograms). */
void ls_function(struct lf *lf, struct cdecl *fn);
/* Binds a local variable declaration (with its initializer). */
void ls_local(struct lf *lf, struct cdecl *d);
void ls_scope_end(struct lf *lf, uint32_t mark);
void ls_keep_ctx(struct lf *lf, uint32_t var, ir_ref v);
/* Whether a C type points to a program context struct the kernel knows. */
bool lw_is_ctx_pointer(struct ctype *t);
bool ls_has_entry(struct cstmt *s, bool cases);
void ls_push_target(struct lf *lf, const struct cstmt *s, uint32_t brk, uint32_t cont);
/* Loops (lower_loop.c): counted loops fully unrolled when small or asked. */
void ls_loop(struct lf *lf, struct cstmt *s);
/* A size estimate of a statement (inlined calls included). */
unsigned ls_stmt_size(struct cstmt *s);
/* Inlines a call of fn with argument values (converted to its parameters). */
ir_ref ls_inline(struct lf *lf, struct cdecl *fn, const ir_ref *args, uint32_t nargs,
		 struct srcloc loc);
/* Inline assembly (lower_asm.c). */
void ls_asm(struct lf *lf, struct casm *a);
/* The value of a statement expression ({ ...; e; }). */
ir_ref ls_stmt_expr(struct lf *lf, struct cstmt *s, struct cexpr **last);

/* ---- calls and builtins (lower_call.c, lower_builtin.c) -------------------------- */

ir_ref lc_call(struct lf *lf, struct cexpr *e);
struct lfninfo *lc_info(struct lower *L, struct cdecl *fn);
bool lc_inlinable(struct lower *L, struct cdecl *fn);
ir_vt lc_param_vt(struct cdecl *fn, struct ctype *t);
/* Whether a subprogram receives parameter i (static ones drop unread ones,
 * as clang's dead argument elimination does: it keeps calls within 5). */
bool lc_param_passed(struct lower *L, struct cdecl *fn, uint32_t i);
/* The IR symbol of a subprogram, queuing it for lowering. */
uint32_t lc_subprog_sym(struct lower *L, struct cdecl *fn, struct srcloc use);
ir_ref lb_builtin(struct lf *lf, struct cexpr *e);
/* An atomic read-modify-write whose result is unused: the non-fetching form. */
bool lb_discard_atomic(struct lf *lf, struct cexpr *e);

/* ---- CO-RE (lower_core.c) ------------------------------------------------------- */

/* Whether a member/index expression is a CO-RE relocatable access. */
bool lr_is_core(struct lf *lf, struct cexpr *e);
/* The address of a CO-RE relocatable lvalue (offset relocated). */
struct lval lr_lvalue(struct lf *lf, struct cexpr *e);
ir_ref lr_field_info(struct lf *lf, struct cexpr *e);
ir_ref lr_type_info(struct lf *lf, struct cexpr *e);
ir_ref lr_enum_value(struct lf *lf, struct cexpr *e);
ir_ref lr_btf_type_id(struct lf *lf, struct cexpr *e);

#endif
