/* Internals shared by the DSL compiler's files: the recorded definitions
 * (maps, programs, structs, globals, kfuncs), DSL value types, and the
 * function builder that lowers a program body to SSA IR. */
#ifndef WHISTLER_DSL_INTERNAL_H
#define WHISTLER_DSL_INTERNAL_H

#include "frontend/lisp/dsl.h"
#include "util/arena.h"
#include "util/hmap.h"

struct wbtf;
struct fb;

/* ---- DSL value types --------------------------------------------------- */

enum dt_kind { DT_VOID, DT_INT, DT_PTR };

/* An integer of 1/2/4/8 bytes (held in an IR i32 when 4 bytes or less,
 * normalized: zero-extended when unsigned, sign-extended to 32 bits when
 * signed), or a pointer into an IR region, optionally to a known struct. */
struct dtype {
	uint8_t kind;	/* enum dt_kind */
	uint8_t size;	/* integers: 1, 2, 4, 8 */
	bool sign;	/* integers */
	uint8_t region; /* pointers: enum ir_region */
	uint32_t sid;	/* pointers: struct index + 1, 0 if unknown */
};

static inline struct dtype dt_int(unsigned size, bool sign)
{
	return (struct dtype){ DT_INT, (uint8_t)size, sign, 0, 0 };
}
static inline struct dtype dt_ptr(unsigned region, uint32_t sid)
{
	return (struct dtype){ DT_PTR, 8, false, (uint8_t)region, sid };
}
#define DT_U64 dt_int(8, false)
#define DT_U32 dt_int(4, false)
#define DT_VOIDT ((struct dtype){ DT_VOID, 0, false, 0, 0 })

/* The result of lowering a form. */
struct dval {
	ir_ref ref;
	struct dtype t;
	bool is_const; /* a compile-time integer (cval) */
	bool poison;   /* an error was reported: suppress follow-up errors */
	int64_t cval;
	ir_ref swap_src; /* a byte swap of swap_src (for comparisons with constants) */
	uint8_t swap;	 /* its width in bytes, 0 if not a swap */
	uint32_t map;	 /* map index + 1 when this names a map */
	ir_ref pbase;	 /* a pointer pbase + poff (constant offset), for bounds checks */
	int64_t poff;
};

/* ---- recorded definitions -------------------------------------------------- */

struct dsl_map {
	lv sym;
	const char *name, *cname;
	uint8_t type; /* enum ir_maptype */
	uint32_t key_size, value_size, max_entries, flags;
	uint32_t key_sid, value_sid; /* struct index + 1, 0: plain sizes */
	uint32_t inner;		     /* map index + 1 (maps of maps) */
	bool pin, is_template;
	struct srcloc loc;
	uint32_t irsym; /* while building */
};

/* Program types: the DSL keyword, the IR type, the context struct, the
 * section written when none is given, the section prefixes that agree. */
struct dsl_ptype {
	const char *keyword;  /* "xdp", "tc", "cgroup-sock-addr" */
	uint8_t progtype;     /* enum ir_progtype */
	const char *ctx;      /* context struct in dsl_ctxfields.def ("xdp_md") or NULL */
	const char *section;  /* default section, NULL if it needs a target */
	const char *prefixes; /* space-separated: "xdp xdp/ xdp.frags" ('/' ends a prefix) */
	const char *example;  /* a section to suggest */
	int pass;	      /* the "let it through" verdict (XDP_PASS, TC_ACT_OK...) */
};
const struct dsl_ptype *dsl_ptype_lookup(const char *keyword);
const struct dsl_ptype *dsl_ptype_by_section(const char *section);
const struct dsl_ptype *dsl_ptype_table(size_t *n);
bool dsl_section_agrees(const struct dsl_ptype *pt, const char *section);

struct dsl_param {
	lv sym;
	struct dtype t;
};

enum dsl_fn_kind { FN_PROG, FN_FUNC };

struct dsl_fn {
	uint8_t kind;
	lv sym, body; /* body: list of forms */
	const char *name, *cname;
	const struct dsl_ptype *ptype;
	const char *section, *license;
	struct dsl_param params[5];
	unsigned nparams;
	struct dtype ret; /* subprograms */
	struct srcloc loc;
	uint32_t irsym;
	bool lowering, lowered, failed;
};

enum { GLOBAL_BSS, GLOBAL_DATA, GLOBAL_RODATA };

struct dsl_global {
	lv sym;
	const char *name, *cname;
	struct dtype t;	 /* element type for integers */
	uint32_t sid;	 /* struct index + 1 for struct globals */
	uint32_t count;	 /* array length, 0 for a scalar */
	uint8_t section; /* GLOBAL_* */
	uint8_t *init;	 /* initial bytes (NULL: zero) */
	uint32_t size;
	struct srcloc loc;
	uint32_t irsym;
};

struct dsl_kfunc {
	lv sym;
	const char *name, *kname;
	struct dtype params[5];
	const char *param_struct[5]; /* pointee struct names of (ptr STRUCT) params */
	unsigned nparams;
	struct dtype ret;
	const char *ret_struct;
	bool ret_void, ret_null, acquire, release;
	bool is_ksym; /* defksym: a kernel variable, not a function */
	struct srcloc loc;
	uint32_t irsym;
};

/* Field of a kernel struct: where it is in the kernel (for sizes) and the
 * member index of the local type emitted for CO-RE. */
struct dsl_kfield {
	uint32_t btf_type;  /* the field's kernel BTF type */
	uint32_t ptr_sid;   /* pointer to an imported struct: its index + 1 (resolved on use) */
	const char *ptr_to; /* the pointee struct's kernel name, or NULL */
	bool is_ptr;
};

struct dsl_constdef {
	lv sym;
	struct dsl_const c;
};

/* Accessor names ("CONN-EVENT-SRC-ADDR") map to what they do. */
enum dsl_acc_kind { ACC_GET, ACC_PTR, ACC_MAKE, ACC_AS, ACC_TP, ACC_TP_PTR };
struct dsl_acc {
	uint8_t kind;
	uint32_t sid;	/* struct index (ACC_TP: tracepoint index) */
	uint32_t field; /* field index */
};

struct dsl_tpfield {
	const char *name;
	uint32_t offset, size, count;
	bool sign;
};
struct dsl_tracepoint {
	const char *category, *event;
	struct dsl_tpfield *fields;
	uint32_t nfields;
};

struct dsl {
	struct lisp_ctx *ctx;
	struct diag *diag;
	struct dsl_options opts;
	struct arena arena;
	lv roots; /* Lisp values the definitions refer to (GC-protected) */
	bool in_prelude;
	VEC(struct dsl_map) maps;
	VEC(struct dsl_fn) fns;
	VEC(struct dsl_global) globals;
	VEC(struct dsl_kfunc) kfuncs;
	VEC(struct dsl_struct) structs;
	VEC(struct dsl_kfield *) kfields; /* per struct: kernel field info or NULL */
	VEC(struct dsl_constdef) consts;
	VEC(struct dsl_tracepoint) tps;
	struct hmap acc; /* accessor symbol name -> struct dsl_acc * */
	struct hmap
		names; /* top-level names (maps, functions, globals, kfuncs) -> kind<<24|index */
	struct hmap prims; /* primitive symbol name -> handler index */
	struct wbtf *vmlinux;
	int vmlinux_err;
	unsigned errors;
	/* the module being built */
	struct ir_module *m;
	uint32_t *struct_ir; /* per struct: IR type, 0 until emitted */
	uint32_t ir_file_id;
};

enum { NAME_MAP = 1, NAME_FN, NAME_GLOBAL, NAME_KFUNC };
/* Top-level name lookup: returns the kind and sets *idx, or 0. */
int dsl_name_lookup(struct dsl *d, lv sym, uint32_t *idx);
void dsl_name_define(struct dsl *d, lv sym, int kind, uint32_t idx);
/* Keeps v alive as long as the dsl. */
void dsl_root(struct dsl *d, lv v);

/* Names: "PKT-COUNT" -> "pkt-count" (Lisp) and "pkt_count" (C, ELF, BTF). */
const char *dsl_lisp_name(struct dsl *d, lv sym);
const char *dsl_c_name(struct dsl *d, const char *lisp_name);

/* Diagnostics: error at loc with optional "expected:" and hint lines. */
W_PRINTF(3, 4) void dsl_error(struct dsl *d, struct srcloc loc, const char *fmt, ...);
W_PRINTF(2, 3) void dsl_hint(struct dsl *d, const char *fmt, ...);
/* "did you mean" among cands, then a list of them ("fields: a, b, c"). */
void dsl_suggest(struct dsl *d, const char *name, const char *const *cands, size_t n,
		 const char *what);
struct srcloc dsl_loc(struct dsl *d, lv form);
/* A form as readable text for messages (lower case, kept in the dsl's arena). */
const char *dsl_text(struct dsl *d, lv form);

/* ---- types: dsl_types.c ------------------------------------------------- */

/* u8..u64, i8..i64 (s8..s64 too); false if not a scalar type name. */
bool dsl_scalar_type(lv sym, struct dtype *out);
int32_t dsl_struct_find(struct dsl *d, const char *lisp_name); /* index or -1 */
void dsl_types_register(struct dsl *d);
/* The IR type of struct i in the module being built. */
uint32_t dsl_struct_irtype(struct dsl *d, uint32_t sid);
uint32_t dsl_int_irtype(unsigned size, bool sign);
const struct dsl_acc *dsl_acc_lookup(struct dsl *d, lv sym);
void dsl_acc_define(struct dsl *d, const char *name, uint8_t kind, uint32_t sid, uint32_t field);
/* Candidate accessor names of struct sid, for suggestions. */
size_t dsl_struct_field_names(struct dsl *d, uint32_t sid, const char **out, size_t max);
/* Tries to read an integer constant at compile time: numbers, defconstants,
 * (sizeof S), constant arithmetic. */
bool dsl_const_eval(struct dsl *d, lv form, int64_t *out);

/* dsl_kernel.c */
void dsl_kernel_register(struct dsl *d);
struct dval kernel_tp_access(struct fb *fb, const struct dsl_acc *acc, lv form, struct srcloc loc);
/* The imported struct a kernel pointer field points to (index + 1), or 0. */
uint32_t kernel_ptr_sid(struct dsl *d, struct dsl_kfield *kf);
/* The imported kernel struct named cname (index + 1), or 0. */
uint32_t dsl_kernel_sid(struct dsl *d, const char *cname);
int dsl_vmlinux(struct dsl *d, struct wbtf **out);
/* How the kernel types the u64 context slot at byte `off` of a tracing
 * program in `section` (fentry/fexit/fmod_ret, lsm, tp_btf, iter), from the
 * target's BTF prototype; *ptr_to names the struct a BTF pointer points to. */
enum dsl_targ { DSL_TARG_UNKNOWN, DSL_TARG_SCALAR, DSL_TARG_BTF, DSL_TARG_BTF_NULL };
enum dsl_targ dsl_tracing_arg(struct dsl *d, const char *section, int64_t off,
			      const char **ptr_to);

/* dsl_defs.c */
void dsl_defs_register(struct dsl *d);

/* ---- the function builder: dsl_fb.c ------------------------------------- */

struct fvar {
	lv sym;
	struct dtype t;
	bool mem;    /* lives in memory (address taken, captured) */
	ir_ref addr; /* its address when mem (addr + mem_off) */
	int64_t mem_off;
	uint32_t depth; /* scope depth */
	bool assigned;
};

struct fblock {
	bool sealed;
	VEC(uint32_t) preds;
	VEC(uint64_t) incomplete; /* var << 32 | phi temp */
};

struct floop {
	uint32_t brk, cont; /* blocks; UINT32_MAX in callbacks (break/continue return) */
	bool callback;	    /* a bpf_loop callback body */
	uint32_t scope_depth;
	struct floop *outer;
};

struct falloca {
	uint32_t size;
	const char *what;
	struct srcloc loc;
};

struct fb {
	struct dsl *d;
	struct ir_func *f;
	struct dsl_fn *fn; /* NULL for callbacks */
	const struct dsl_ptype *ptype;
	uint32_t cur;  /* current block; FB_NONE when unreachable */
	uint32_t body; /* first block after the allocas */
	struct srcloc loc;
	ir_ref ctx; /* the context parameter (programs) */
	VEC(struct fblock) blocks;
	VEC(struct fvar) vars;
	VEC(uint32_t) scope; /* visible variables, innermost last */
	uint32_t depth;
	struct hmap defs; /* (var, block) -> index into defvals */
	VEC(struct dval) defvals;
	VEC(char *) defkeys;
	struct floop *loop;
	VEC(struct falloca) allocas;
	ir_ref key_slot, val_slot; /* reusable stack slots for map helper keys/values */
	uint32_t key_slot_size, val_slot_size;
	unsigned errors;
	/* bpf_loop callbacks: variables of the enclosing function reached
	 * through the callback's context */
	struct fb *outer;
	ir_ref cbctx;		/* the callback's context pointer */
	VEC(uint32_t) captured; /* outer var ids, slot i at offset 8*i */
	VEC(uint32_t) mirrors;	/* the callback's own var for each slot */
	uint32_t ncb;		/* callbacks made so far (names) */
};

#define FB_NONE UINT32_MAX

/* Blocks and emission. */
uint32_t fb_block(struct fb *fb, const char *hint);
void fb_seal(struct fb *fb, uint32_t b);
void fb_edge(struct fb *fb, uint32_t from, uint32_t to); /* records a predecessor */
ir_ref fb_emit(struct fb *fb, unsigned op, ir_vt vt, const ir_ref *args, unsigned n);
void fb_emit0(struct fb *fb, unsigned op, const ir_ref *args, unsigned n); /* no result */
void fb_jmp(struct fb *fb, uint32_t to);
void fb_br(struct fb *fb, unsigned op, ir_ref a, ir_ref b, uint32_t t, uint32_t f);
void fb_term(struct fb *fb, unsigned op, const ir_ref *args, unsigned n, uint32_t t, uint32_t f);
ir_ref fb_alloca(struct fb *fb, uint32_t size, uint32_t align, const char *what);
ir_ref fb_con(struct fb *fb, int64_t v);
ir_ref fb_blkref(uint32_t b);
void fb_set_loc(struct fb *fb, struct srcloc loc);
void fb_name_tmp(struct fb *fb, ir_ref r, const char *lisp_name);

/* Variables (SSA by Braun et al.'s on-the-fly construction). */
uint32_t fb_var_new(struct fb *fb, lv sym, struct dtype t);
int64_t fb_var_find(struct fb *fb, lv sym);		       /* var index or -1 */
void fb_var_write(struct fb *fb, uint32_t var, struct dval v); /* v already of the var's type */
struct dval fb_var_read(struct fb *fb, uint32_t var);
void fb_scope_push(struct fb *fb);
void fb_scope_pop(struct fb *fb);
/* Reading and assigning variables (memory ones too), with conversions done. */
struct dval dsl_var_get(struct fb *fb, uint32_t var, struct srcloc loc);
void dsl_var_set(struct fb *fb, uint32_t var, struct dval v, struct srcloc loc);
/* Finishes the function: seals everything, removes trivial phis. */
void fb_finish(struct fb *fb);
void fb_init(struct fb *fb, struct dsl *d, struct ir_func *f);
void fb_free(struct fb *fb);

ir_vt dt_vt(struct dtype t);

/* ---- lowering: dsl_lower.c and friends ------------------------------------ */

enum { WANT_EFFECT = 0, WANT_VALUE = 1 };

struct dval lower(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval lower_body(struct fb *fb, lv forms, struct srcloc loc, int want);
/* Lowers a test: branches to t when true, f when false. */
void lower_test(struct fb *fb, lv form, struct srcloc loc, uint32_t t, uint32_t f);
/* Converts v to type t (integers: widen/narrow; pointers: must agree). */
struct dval dv_convert(struct fb *fb, struct dval v, struct dtype t, struct srcloc loc,
		       const char *what);
struct dval dv_const(int64_t v);
struct dval dv_void(void);
struct dval dv_poison(void);
struct dval dv_tmp(ir_ref r, struct dtype t);
/* The value as an IR operand of class IR_I64 (widening if needed). */
ir_ref dv_i64(struct fb *fb, struct dval v);
ir_ref dv_op(struct fb *fb, struct dval v, unsigned cls); /* operand of a given width */
struct dval dv_unify_const(struct dval v);
bool dv_is_ptr(struct dval v);

/* Errors inside a body: count them for the function, return a poison value. */
W_PRINTF(3, 4) struct dval fb_error(struct fb *fb, struct srcloc loc, const char *fmt, ...);

/* Form walking helpers. */
size_t form_len(lv form);
lv form_nth(lv form, size_t n);
struct srcloc form_nth_loc(struct fb *fb, lv form, size_t n, struct srcloc def);
bool sym_is(lv v, const char *name); /* symbol named `name` (upper case) in any package */

/* Primitive handlers, one table (dsl_prims.def). */
typedef struct dval (*dsl_prim_fn)(struct fb *fb, lv form, struct srcloc loc, int want);
dsl_prim_fn dsl_prim_lookup(struct dsl *d, lv sym);
void dsl_prims_register(struct dsl *d);

/* dsl_lower.c */
struct dval lower_if(struct fb *fb, lv form, struct srcloc loc, int want);
/* Arithmetic on two values (op is an IR binary op); used by incf/decf. */
struct dval lower_binop(struct fb *fb, unsigned op, struct dval a, struct dval b,
			struct srcloc loc);
struct dval lower_call_helper(struct fb *fb, const struct ir_helper *h, lv form, struct srcloc loc,
			      lv args, int want);
/* Assignment to a place (variable, accessor, getmap, ctx field, global...). */
struct dval lower_setf_place(struct fb *fb, lv place, struct srcloc ploc, struct dval v,
			     struct srcloc loc);
struct dval lower_place_read(struct fb *fb, lv place, struct srcloc loc);
/* A value that can "fail" (parse-*): branches to *fail (made on demand). */
struct dval lower_guarded(struct fb *fb, lv form, struct srcloc loc, uint32_t *fail);

/* Bindings: (v init), (v TYPE init), (v TYPE), v. */
struct decl {
	lv sym;
	struct dtype t;
};
struct binding {
	lv sym;
	bool typed;
	struct dtype t;
	struct dval init;
	struct srcloc loc;
	bool has_init;
};
/* *init is set to the list whose second element is the initial form, or NULL. */
bool dsl_parse_binding(struct fb *fb, lv b, struct srcloc bl, struct binding *out, lv *init);
struct dtype dsl_binding_type(struct binding *b, const struct decl *decls, size_t nd);
/* Makes the variable (in memory when body takes its address) and sets it. */
void dsl_bind(struct fb *fb, struct binding *b, struct dtype t, lv body);
/* cval as a value of type t after a store and load (truncated, extended). */
int64_t dsl_const_cast(int64_t v, struct dtype t);
/* The form's own location, else def. */
struct srcloc dsl_loc_or(lv form, struct srcloc def);

/* dsl_mem.c */
struct dval mem_load(struct fb *fb, struct dtype t, struct dval p, int64_t off, struct srcloc loc);
void mem_store(struct fb *fb, unsigned size, struct dval p, int64_t off, struct dval v,
	       struct srcloc loc);
struct dval mem_ctx_field(struct fb *fb, lv form, struct srcloc loc, lv field, lv index,
			  struct dval *store);
struct dval mem_struct_access(struct fb *fb, const struct dsl_acc *acc, lv form, struct srcloc loc,
			      struct dval *store);
/* A pointer argument for a helper: pointers pass, strings go to the stack,
 * integers are errors (what names the parameter). */
struct dval mem_spill(struct fb *fb, struct dval v, uint32_t size, bool key, struct srcloc loc);
void mem_check_atomic_align(struct fb *fb, struct dval p, int64_t off, unsigned size,
			    struct srcloc loc);

/* dsl_maps.c */
struct dval maps_getmap(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval maps_setmap(struct fb *fb, lv mapform, lv keyform, struct srcloc loc, struct dval v,
			int64_t flags);
struct dval maps_incf(struct fb *fb, lv place, struct srcloc loc, lv delta, bool dec);
struct dval maps_ref(struct fb *fb, lv form, struct srcloc loc, struct dsl_map **out);

/* dsl_calls.c: helpers, kfuncs, subprograms by name */
struct dval calls_lower(struct fb *fb, lv form, struct srcloc loc, int want, bool *handled);

/* dsl_loops.c */
struct dval loops_bpf_loop(struct fb *fb, lv form, struct srcloc loc, int want);

/* dsl_asm.c */
struct dval asm_lower(struct fb *fb, lv form, struct srcloc loc, int want);

/* dsl_build.c */
uint32_t dsl_extern_sym(struct dsl *d, uint32_t kfunc_index); /* 0 after an error */
struct ir_func *build_function(struct dsl *d, struct dsl_fn *fn);

#endif
