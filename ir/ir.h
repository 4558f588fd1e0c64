/* The Whistler IR: an SSA form in which BPF's concepts are first class —
 * maps, helpers, context and packet pointers, bounds and null checks, atomics,
 * byte swaps, CO-RE relocatable values.  docs/ir.md is its specification. */
#ifndef WHISTLER_IR_H
#define WHISTLER_IR_H

#include "util/arena.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/hmap.h"
#include "util/util.h"

/* ---- tables ---------------------------------------------------------- */

enum ir_cc { CC_EQ, CC_NE, CC_ULT, CC_ULE, CC_UGT, CC_UGE, CC_SLT, CC_SLE, CC_SGT, CC_SGE, CC_SET };

enum ir_op_prop {
	OP_PURE = 1 << 0,   /* no side effect: removable when its result is unused */
	OP_BIN = 1 << 1,    /* binary arithmetic, evaluated by ir_eval_binop */
	OP_UN = 1 << 2,     /* unary arithmetic or conversion, ir_eval_unop */
	OP_COMM = 1 << 3,   /* commutative */
	OP_CMP = 1 << 4,    /* comparison; the parameter is its condition code */
	OP_LOAD = 1 << 5,   /* reads memory */
	OP_STORE = 1 << 6,  /* writes memory */
	OP_ATOMIC = 1 << 7, /* atomic memory operation */
	OP_SIGNED = 1 << 8, /* sign-extending load */
	OP_CALL = 1 << 9,   /* call: clobbers R1-R5, may have any side effect */
	OP_CORE = 1 << 10,  /* CO-RE relocatable value: never folded */
	OP_TERM = 1 << 11,  /* block terminator */
};

enum ir_op {
#define OP(e, text, sig, props, param) IR_##e,
#include "ir/ops.def"
#undef OP
	IR_NOPS
};

struct ir_opinfo {
	const char *name;
	const char *sig; /* see ops.def */
	uint32_t props;
	int param;
};
extern const struct ir_opinfo ir_ops[IR_NOPS];

static inline bool ir_op_is(unsigned op, uint32_t props) { return (ir_ops[op].props & props) != 0; }
/* The load of `size` bytes (1, 2, 4, 8), sign-extending where BPF can (v4
 * has sign-extending loads of 1 and 2 bytes); the store of `size` bytes. */
static inline unsigned ir_load_op(unsigned size, bool sign)
{
	return size == 1 ? (sign ? IR_LOAD_S8 : IR_LOAD_U8)
	       : size == 2 ? (sign ? IR_LOAD_S16 : IR_LOAD_U16)
	       : size == 4 ? IR_LOAD_U32
			   : IR_LOAD_U64;
}
static inline unsigned ir_store_op(unsigned size)
{
	return size == 1 ? IR_STORE_U8 : size == 2 ? IR_STORE_U16 : size == 4 ? IR_STORE_U32 : IR_STORE_U64;
}
/* Looks an opcode up by its text; returns IR_NOPS if unknown. */
unsigned ir_op_lookup(const char *name, size_t len);

enum ir_region {
#define REGION(e, text, props) RG_##e,
#include "ir/regions.def"
#undef REGION
	IR_NREGIONS
};
enum ir_region_prop { RG_DEREF = 1, RG_WRITE = 2, RG_BOUNDS = 4, RG_NULLABLE = 8 };
extern const struct ir_regioninfo {
	const char *name;
	unsigned props;
} ir_regions[IR_NREGIONS];
/* The non-null region a null check refines `r` to (r itself if not nullable). */
static inline enum ir_region ir_region_nonnull(enum ir_region r)
{
	return (ir_regions[r].props & RG_NULLABLE) ? (enum ir_region)(r - 1) : r;
}

enum ir_progtype {
	IR_PROG_NONE,
#define PROG(name, id, ctx) IR_PROG_##name,
#include "ir/progtypes.def"
#undef PROG
	IR_NPROGTYPES
};
extern const struct ir_proginfo {
	const char *name;
	int kernel_id;
	const char *ctx; /* context struct, as named in ctxfields.def */
} ir_progtypes[IR_NPROGTYPES];
enum ir_progtype ir_progtype_lookup(const char *name);
/* The region of the value loaded from the context of `pt` at off/size, or RG_ANY
 * when the field is not a tracked pointer. */
enum ir_region ir_ctx_field_region(enum ir_progtype pt, int64_t off, unsigned size);

enum ir_maptype {
	IR_MAP_NONE,
#define MAPTYPE(name, id, props) IR_MAP_##name,
#include "ir/maptypes.def"
#undef MAPTYPE
	IR_NMAPTYPES
};
enum ir_maptype_prop { MT_KEY = 1, MT_VALUE = 2, MT_PERCPU = 4, MT_OF_MAPS = 8, MT_STORAGE = 16 };
extern const struct ir_mapinfo {
	const char *name;
	int kernel_id;
	unsigned props;
} ir_maptypes[IR_NMAPTYPES];
enum ir_maptype ir_maptype_lookup(const char *name);

/* BPF helpers (helpers.def): argument and return kinds. */
enum ir_harg {
	HA_NONE, HA_ANY, HA_SIZE, HA_MAP, HA_CTX, HA_KEY, HA_VALUE, HA_MEM, HA_UNINIT,
	HA_PTR_LONG, HA_PTR, HA_SOCK, HA_BTF, HA_FUNC,
};
enum ir_hret {
	HR_INT, HR_VOID, HR_MAPVAL, HR_MAPVAL_OR_NULL, HR_MEM_OR_NULL, HR_SOCK_OR_NULL, HR_BTF, HR_BTF_OR_NULL,
};
struct ir_helper {
	const char *name; /* without the bpf_ prefix */
	int id;
	enum ir_hret ret;
	uint8_t min_args, max_args;
	enum ir_harg args[5];
};
/* Helper by kernel id, or NULL. */
const struct ir_helper *ir_helper_by_id(int id);
const struct ir_helper *ir_helper_by_name(const char *name, size_t len);
/* Every helper, for "did you mean" lists: fills *n. */
const struct ir_helper *ir_helper_table(size_t *n);

/* ---- values and references ------------------------------------------- */

enum ir_class { IR_VOID, IR_I32, IR_I64, IR_PTR };

/* The type of an SSA value: an integer width, or a pointer and its region. */
typedef struct {
	uint8_t cls;    /* enum ir_class */
	uint8_t region; /* enum ir_region, for IR_PTR */
} ir_vt;

#define IR_VT(c, r) ((ir_vt){ (c), (r) })
#define VT_VOID IR_VT(IR_VOID, 0)
#define VT_I32 IR_VT(IR_I32, 0)
#define VT_I64 IR_VT(IR_I64, 0)
#define VT_PTR(r) IR_VT(IR_PTR, RG_##r)
/* The type of a helper's result: i64, or a pointer into its region. */
ir_vt ir_helper_ret_vt(const struct ir_helper *h);
static inline bool ir_vt_eq(ir_vt a, ir_vt b) { return a.cls == b.cls && a.region == b.region; }
static inline bool ir_vt_int(ir_vt t) { return t.cls == IR_I32 || t.cls == IR_I64; }

/* An operand: a kind in the top 4 bits, an index in the rest. */
typedef uint32_t ir_ref;
enum ir_ref_kind {
	REF_NONE, /* absent (e.g. `ret` without a value) */
	REF_TMP,  /* SSA temporary: index into func->tmps */
	REF_CON,  /* integer constant: index into func->cons */
	REF_SYM,  /* module symbol (map, global, extern, function) */
	REF_BLK,  /* basic block: index into func->blocks */
	REF_TYP,  /* type: index into module->types */
	REF_STR,  /* string: index into module->strs */
	REF_HLP,  /* BPF helper: its kernel id */
};
#define IR_REF(k, i) ((ir_ref)((uint32_t)(k) << 28 | (uint32_t)(i)))
#define IR_NOREF ((ir_ref)0)
static inline unsigned ir_ref_kind(ir_ref r) { return r >> 28; }
static inline uint32_t ir_ref_idx(ir_ref r) { return r & 0x0fffffffu; }

/* A position in the frontend's source (file index into module->files). */
struct ir_loc {
	uint32_t file; /* 0: none */
	uint32_t line, col;
};

enum ir_ins_flag {
	INS_VOLATILE = 1 << 0, /* memory access that must stay as written */
};

struct ir_ins {
	uint16_t op;    /* enum ir_op */
	uint16_t flags; /* enum ir_ins_flag */
	uint16_t nargs;
	ir_vt ty;     /* result type; VT_VOID when there is no result */
	uint32_t dst; /* result temp, 0 if none */
	ir_ref *args; /* nargs operands, in signature order (phi: block, value pairs) */
	struct ir_loc loc;
	uint32_t pos; /* line in the IR text it was read from; 0 if built */
};

struct ir_tmp {
	const char *name; /* printed name, without '%' */
	ir_vt ty;
	uint32_t pos; /* text line of its definition, for diagnostics */
};

struct ir_block {
	const char *name; /* without '@' */
	VEC(struct ir_ins) ins; /* phis first, the terminator last */
	uint32_t pos;
	/* analysis results, valid after ir_cfg_build() */
	VEC(uint32_t) preds;
	uint32_t idom;   /* immediate dominator (entry: itself) */
	uint32_t rpo;    /* reverse post-order number; UINT32_MAX if unreachable */
	uint32_t domdepth;
};

enum ir_linkage { IR_STATIC, IR_GLOBAL, IR_EXTERN };
enum ir_inline { IR_INLINE_DEFAULT, IR_INLINE_ALWAYS, IR_INLINE_NEVER };

struct ir_module;

struct ir_func {
	struct ir_module *mod;
	uint32_t sym; /* its module symbol */
	bool is_prog;
	uint8_t progtype; /* enum ir_progtype, programs only */
	uint8_t linkage;  /* enum ir_linkage */
	uint8_t inl;      /* enum ir_inline */
	const char *section;
	uint32_t proto; /* BTF prototype type, 0 if none */
	ir_vt ret;
	VEC(uint32_t) params; /* temps */
	VEC(struct ir_block *) blocks; /* blocks.data[0] is the entry */
	VEC(struct ir_tmp) tmps;       /* tmps.data[0] is unused */
	VEC(int64_t) cons;
	VEC(uint8_t) con_hex; /* per constant: written in hexadecimal */
	struct arena arena; /* instructions' operand arrays, names */
	bool cfg_valid;
};

/* ---- types (BTF-describable) ----------------------------------------- */

enum ir_tkind {
	IRT_VOID, IRT_INT, IRT_PTR, IRT_ARRAY, IRT_STRUCT, IRT_UNION, IRT_ENUM, IRT_FWD,
	IRT_TYPEDEF, IRT_CONST, IRT_VOLATILE, IRT_RESTRICT, IRT_TYPETAG, IRT_PROTO, IRT_FLOAT,
	IRT_NKINDS
};
enum ir_intenc { IRT_UNSIGNED = 0, IRT_SIGNED = 1, IRT_CHAR = 2, IRT_BOOL = 4 };

/* Builtin types, present in every module at these indices. */
enum { IRT_T_VOID, IRT_T_U8, IRT_T_U16, IRT_T_U32, IRT_T_U64, IRT_T_I8, IRT_T_I16, IRT_T_I32,
       IRT_T_I64, IRT_NBUILTIN };

struct ir_member {
	const char *name; /* "" for anonymous members and unnamed parameters */
	uint32_t type;
	uint32_t bit_off;  /* struct members: offset in bits */
	uint8_t bits;      /* bitfield width, 0 if not a bitfield */
	const char **tags; /* decl tags */
	uint32_t ntags;
	uint32_t pos; /* text line, for diagnostics */
};

struct ir_enumerator {
	const char *name;
	int64_t value;
};

struct ir_type {
	uint8_t kind;       /* enum ir_tkind */
	uint8_t enc;        /* ints: enum ir_intenc; enums: IRT_SIGNED */
	bool is_union;      /* fwd: forward declaration of a union */
	bool variadic;      /* proto */
	const char *label;  /* ":label" without the colon; NULL for structural types */
	const char *name;   /* the BTF name ("" if anonymous); tag for typetag */
	uint32_t size;      /* bytes */
	uint32_t base;      /* ptr, array, typedef, qualifiers, typetag: target; proto: return */
	uint32_t count;     /* array length */
	struct ir_member *members; /* struct/union members, proto parameters */
	uint32_t nmembers;
	struct ir_enumerator *enums;
	uint32_t nenums;
	const char **tags; /* decl tags on the type itself */
	uint32_t ntags;
	uint32_t pos;
};

/* ---- module-level symbols --------------------------------------------- */

enum ir_sym_kind { IR_SYM_MAP, IR_SYM_GLOBAL, IR_SYM_EXTERN, IR_SYM_FUNC };
/* kconfig, ksym, kfunc: resolved by the loader against the kernel; var and
 * func: defined in another BPF object, resolved by the static linker
 * (bpftool gen object) before loading. */
enum ir_extern_kind { IR_EXT_KCONFIG, IR_EXT_KSYM, IR_EXT_KFUNC, IR_EXT_VAR, IR_EXT_FUNC };
enum ir_pinning { IR_PIN_NONE, IR_PIN_BY_NAME };

struct ir_map_init {
	uint32_t index;
	uint32_t sym; /* a program (prog arrays) or a map (maps of maps) */
};

struct ir_map {
	uint8_t type; /* enum ir_maptype */
	uint8_t pinning;
	bool is_template; /* only describes inner maps; not created by itself */
	uint32_t key, value; /* types, 0 (void) when absent */
	uint32_t max_entries, flags, numa_node;
	uint64_t extra;
	uint32_t inner; /* symbol of the inner map template, 0 if none (symbol 0 is never a map) */
	struct ir_map_init *init;
	uint32_t ninit;
	bool is_extern; /* defined in another object (static linking): declared here only */
	/* the struct of the definition as the source wrote it (the type of its
	 * BTF VAR, as clang emits it); 0: one is built from the attributes */
	uint32_t def;
};

/* An address in a global's initial bytes (a function pointer of a
 * struct_ops map, &var): 8 bytes at `off` hold the addend, to which the
 * address of `sym` is added when the object is linked or loaded. */
struct ir_data_reloc {
	uint32_t off;
	uint32_t sym;
};

struct ir_global {
	uint32_t type;
	const char *section; /* ".bss", ".data", ".rodata", ".rodata.str1.1", ... */
	uint32_t align;      /* 0: the type's natural alignment */
	const uint8_t *init; /* initial bytes (ninit == type size), NULL for zero */
	uint32_t ninit;
	uint8_t linkage; /* IR_STATIC or IR_GLOBAL */
	struct ir_data_reloc *relocs; /* by increasing offset, 8 bytes apart at least */
	uint32_t nrelocs;
};

struct ir_extern {
	uint8_t kind;	     /* enum ir_extern_kind */
	uint32_t type;	     /* variable type, or the prototype of a kfunc or function */
	const char *section; /* var: the section it is declared in (its DATASEC), NULL: none */
};

struct ir_sym {
	uint8_t kind; /* enum ir_sym_kind */
	/* the ELF symbol's binding and visibility: a weak definition yields to
	 * a strong one at link time, a weak extern may stay unresolved; a
	 * hidden one is not visible outside the linked object (loaders verify
	 * hidden functions as static ones) */
	bool weak, hidden;
	const char *name;
	uint32_t pos;
	const char **tags; /* decl tags */
	uint32_t ntags;
	union {
		struct ir_map map;
		struct ir_global global;
		struct ir_extern ext;
		struct ir_func *fn;
	};
};

struct ir_module {
	struct arena arena;
	uint8_t cpu; /* -mcpu version 1..4 */
	const char *license;
	VEC(struct ir_sym) syms;     /* syms.data[0] is a reserved placeholder */
	VEC(struct ir_type) types;   /* the builtins first */
	VEC(const char *) strs;      /* strs.data[0] is "" */
	VEC(const char *) files;     /* files.data[0] is unused: file ids start at 1 */
	struct hmap sym_index, type_index, str_index, anon_index;
	/* the language the user wrote, for diagnostics in its terms (the IR
	 * verifier speaks C to C programs; the DSL rewrites IR phrasing itself) */
	enum ir_source_lang { IR_LANG_IR, IR_LANG_C } lang;
	/* how the verifier reports what the kernel would reject at load time
	 * (a maybe-NULL pointer used, a loop without exit): errors by default;
	 * whistlercc's -Wno-error=bpf-verifier / -Wno-bpf-verifier */
	enum ir_rule_level { IR_RULES_ERROR, IR_RULES_WARN, IR_RULES_OFF } kernel_rules;
	/* where diagnostics about the text go */
	struct diag *diag;
	uint32_t text_file; /* srcmgr id of the text this module was parsed from */
};

/* ---- building ---------------------------------------------------------- */

struct ir_module *ir_module_new(void);
void ir_module_free(struct ir_module *m);

uint32_t ir_str(struct ir_module *m, const char *s);          /* interned string index */
const char *ir_strs(const struct ir_module *m, ir_ref r);     /* REF_STR -> text */
uint32_t ir_file(struct ir_module *m, const char *path);      /* source file index */
/* Symbols: returns the index, or 0 if the name is taken. */
uint32_t ir_sym_add(struct ir_module *m, enum ir_sym_kind kind, const char *name);
uint32_t ir_sym_lookup(const struct ir_module *m, const char *name);
static inline struct ir_sym *ir_sym(const struct ir_module *m, uint32_t i) { return &m->syms.data[i]; }
struct ir_func *ir_func_new(struct ir_module *m, const char *name, bool is_prog);

/* Types: named definitions and structural (anonymous, deduplicated) types. */
uint32_t ir_type_add(struct ir_module *m, const struct ir_type *t); /* copies; label must be unique */
uint32_t ir_type_lookup(const struct ir_module *m, const char *label);
uint32_t ir_type_ptr(struct ir_module *m, uint32_t to);
uint32_t ir_type_array(struct ir_module *m, uint32_t elem, uint32_t n);
/* A key or value known only by its size: u8/u16/u32/u64, else u8[n]. */
uint32_t ir_type_bytes(struct ir_module *m, uint32_t n);
uint32_t ir_type_qual(struct ir_module *m, enum ir_tkind q, uint32_t base);
static inline struct ir_type *ir_type(const struct ir_module *m, uint32_t i) { return &m->types.data[i]; }
uint32_t ir_type_size(const struct ir_module *m, uint32_t t);  /* sizeof; 0 for void/fwd/proto */
uint32_t ir_type_align(const struct ir_module *m, uint32_t t);
uint32_t ir_type_strip(const struct ir_module *m, uint32_t t); /* through typedefs and qualifiers */

/* Functions: temps, constants, blocks, instructions. */
uint32_t ir_tmp_new(struct ir_func *f, const char *name, ir_vt ty); /* name NULL: numbered */
ir_ref ir_con(struct ir_func *f, int64_t v);
ir_ref ir_con_hex(struct ir_func *f, int64_t v); /* printed as 0x... */
static inline ir_ref ir_tmp_ref(uint32_t t) { return IR_REF(REF_TMP, t); }
static inline int64_t ir_con_val(const struct ir_func *f, ir_ref r) { return f->cons.data[ir_ref_idx(r)]; }
uint32_t ir_block_new(struct ir_func *f, const char *name); /* name NULL: numbered */
/* Appends an instruction to block b; returns it (valid until the block grows). */
struct ir_ins *ir_emit(struct ir_func *f, uint32_t b, unsigned op, ir_vt ty, uint32_t dst,
		       const ir_ref *args, unsigned nargs);
struct ir_ins *ir_block_term(const struct ir_func *f, uint32_t b); /* NULL if not terminated */
/* Successors of a terminator: fills succ (at most 2), returns the count. */
unsigned ir_succs(const struct ir_ins *term, uint32_t succ[2]);
/* Index of the first operand of a terminator that is a block (or nargs). */
unsigned ir_term_first_block(const struct ir_ins *term);

/* ---- analyses ------------------------------------------------------------ */

/* Predecessors, reverse post-order and dominators (Cooper-Harvey-Kennedy). */
void ir_cfg_build(struct ir_func *f);
bool ir_dominates(const struct ir_func *f, uint32_t a, uint32_t b);
/* Blocks in reverse post-order (reachable ones only); returns the count. */
uint32_t ir_rpo(const struct ir_func *f, uint32_t *out);

/* For frontends that build SSA on the fly (ir/ssa.c). Removes phis whose
 * operands are one value besides the phi itself; a phi with no other value
 * becomes undef(ctx, type), or stays when that gives IR_NOREF. A pointer
 * phi is replaced only by a temp of its exact type. */
void ir_remove_trivial_phis(struct ir_func *f, ir_ref (*undef)(void *ctx, ir_vt ty), void *ctx);
/* Puts the blocks in reverse post-order with a branch's second target right
 * after it (the backend keeps the order: the not-taken path falls through),
 * dropping unreachable blocks and the phi operands that came from them. */
void ir_layout_rpo(struct ir_func *f);

struct ir_defsite {
	uint32_t blk, idx; /* idx UINT32_MAX: a parameter */
};
/* Definition sites of every temp (out has f->tmps.len entries; blk UINT32_MAX: undefined). */
void ir_defsites(const struct ir_func *f, struct ir_defsite *out);
/* Use counts of every temp. */
void ir_use_counts(const struct ir_func *f, uint32_t *out);

/* ---- evaluation (shared by folding and tests) --------------------------- */

/* Evaluates an OP_BIN/OP_UN/OP_CMP op on constants with BPF semantics at the
 * given width (IR_I32 or IR_I64). Returns false if the op has no constant value. */
bool ir_eval(unsigned op, unsigned cls, int64_t a, int64_t b, int64_t *out);
bool ir_eval_cc(enum ir_cc cc, unsigned cls, int64_t a, int64_t b);

/* ---- text --------------------------------------------------------------- */

void ir_print_module(const struct ir_module *m, struct buf *out);
void ir_print_func(const struct ir_func *f, struct buf *out);
void ir_print_vt(ir_vt t, struct buf *out);
void ir_print_type(const struct ir_module *m, uint32_t t, struct buf *out); /* as a type expression */
void ir_print_ins(const struct ir_func *f, const struct ir_ins *in, struct buf *out);

/* Parses IR text registered in d->sm as file `file`. Reports located errors to d;
 * returns NULL if there were any. */
struct ir_module *ir_parse(struct diag *d, uint32_t file);

/* ---- verification --------------------------------------------------------- */

/* Structural, SSA, type and BPF checks; reports to m->diag (or d when given).
 * Returns the number of errors. */
unsigned ir_verify_module(struct ir_module *m, struct diag *d);
unsigned ir_verify_func(struct ir_func *f, struct diag *d);

/* Where a diagnostic about an instruction, block or function should point. */
struct srcloc ir_ins_srcloc(const struct ir_func *f, const struct ir_ins *in);

#endif
