/* The typed AST of a C translation unit, as the parser and semantic analysis
 * build it and the lowering to IR reads it: types with clang's BPF layouts,
 * declarations with storage, linkage and attributes, expressions where every
 * node is typed and every implicit conversion is an explicit node,
 * statements, and initializers normalised to the shape of their type.
 * Everything lives in the unit's arena and is freed with ctu_free(). */
#ifndef WHISTLER_C_AST_H
#define WHISTLER_C_AST_H

#include "frontend/c/token.h"
#include "util/arena.h"
#include "util/util.h"

#include <stdbool.h>
#include <stdint.h>

struct ctu;
struct cdecl;
struct cexpr;
struct cstmt;
struct cinit;

/* ==== types ============================================================ */

enum ctype_kind {
#define CTYPE(kind, spelling, size, align, rank, is_signed) TY_##kind,
#include "frontend/c/ctypes.def"
#undef CTYPE
	TY_ENUM,   /* u.en; arithmetic as its underlying integer type */
	TY_PTR,    /* u.pointee */
	TY_ARRAY,  /* u.arr */
	TY_FUNC,   /* u.fn */
	TY_STRUCT, /* u.rec */
	TY_UNION,  /* u.rec */
	TY_ERROR,  /* the type of an erroneous expression: silences follow-up errors */
	TY_NKINDS
};
#define TY_NSCALAR (TY_LDOUBLE + 1)

enum cqual { CQ_CONST = 1, CQ_VOLATILE = 2, CQ_RESTRICT = 4, CQ_ATOMIC = 8 };

/* Sugar: what a type node adds on top of `base` without changing meaning.
 * Kept for diagnostics ('__u32' (aka 'unsigned int')) and for BTF, which
 * records typedefs, qualifiers and type tags as types of their own. */
enum csugar {
	CS_NONE,    /* a canonical node (base: the unqualified node when quals != 0) */
	CS_QUAL,    /* qualifiers (quals & ~base->quals) added on top of base */
	CS_TYPEDEF, /* a typedef name: u.tdef names it, base is its type */
	CS_TAG,     /* __attribute__((btf_type_tag(tag))) on base */
};

enum ctype_flag {
	CTF_INCOMPLETE = 1 << 0, /* array of unknown size (T[]) */
	CTF_VLA = 1 << 1,        /* variable length array: arr.vla is the size */
	CTF_VARIADIC = 1 << 2,   /* function with `...` */
	CTF_NOPROTO = 1 << 3,    /* function declared without a prototype: int f() */
	CTF_STATIC_SIZE = 1 << 4, /* parameter declared T[static N] */
};

struct cparam {
	struct pp_ident *name; /* NULL when unnamed */
	struct ctype *type;    /* adjusted: arrays and functions become pointers */
	struct srcloc loc;
};

struct cfunc {
	struct ctype *ret;
	struct cparam *params;
	uint32_t nparams;
};

/* A type.  Every node, sugar or not, carries the canonical kind, the
 * effective qualifiers and the kind's data, so code can switch on t->kind
 * and read t->u without stripping anything; t->canon is the node without
 * sugar (same qualifiers), equal pointers meaning identical types. */
struct ctype {
	uint8_t kind;  /* enum ctype_kind, the canonical one even on sugar */
	uint8_t quals; /* enum cqual, all of them (through typedefs too) */
	uint8_t sugar; /* enum csugar */
	uint8_t flags; /* enum ctype_flag */
	uint32_t align_attr;  /* __attribute__((aligned(N))) on a typedef, 0 if none */
	struct ctype *canon;  /* without sugar */
	struct ctype *base;   /* sugar: the type below; CS_NONE with quals: the unqualified one */
	union {
		struct ctype *pointee;
		struct {
			struct ctype *elem;
			uint64_t len;	   /* elements; 0 for T[] and VLAs */
			struct cexpr *vla; /* CTF_VLA: the size expression */
		} arr;
		struct cfunc *fn;
		struct crecord *rec;
		struct cenum *en;
	} u;
	union {
		struct cdecl *tdef; /* CS_TYPEDEF */
		const char *tag;    /* CS_TAG */
	} s;
	struct ctype *ptr_cache; /* pointer to this node, built once */
	struct ctype *variants;  /* qualified/tagged nodes built on this one */
	struct ctype *next_variant;
};

/* Bit-fields, flexible arrays and anonymous members of records. */
enum cmember_flag {
	CMF_BITFIELD = 1 << 0,
	CMF_FLEX = 1 << 1,    /* flexible array member T x[] (also GNU T x[0] is not this) */
	CMF_ANON = 1 << 2,    /* anonymous struct/union member: its members are found through it */
	CMF_PACKED = 1 << 3,  /* __attribute__((packed)) on the member */
};

struct cmember {
	struct pp_ident *name; /* NULL: anonymous record member or unnamed bit-field */
	struct ctype *type;
	struct srcloc loc;
	uint64_t bit_offset; /* from the start of the record (after layout) */
	uint16_t bit_width;  /* CMF_BITFIELD: width in bits (0 for `int :0`) */
	uint8_t flags;       /* enum cmember_flag */
	uint32_t align_attr; /* __attribute__((aligned(N))) on the member, 0 if none */
	const char **decl_tags; /* btf_decl_tag strings, NULL-terminated, or NULL */
	uint32_t index;      /* position in its record */
};

enum crecord_flag {
	CRF_UNION = 1 << 0,
	CRF_COMPLETE = 1 << 1,    /* the body was seen (or materialised from BTF) */
	CRF_LAID_OUT = 1 << 2,    /* size/align/offsets computed (lazily: crecord_layout) */
	CRF_PACKED = 1 << 3,      /* __attribute__((packed)) */
	CRF_PRESERVE_ACCESS = 1 << 4, /* preserve_access_index: accesses are CO-RE relocated */
	CRF_HAS_FLEX = 1 << 5,    /* ends in a flexible array member */
	CRF_FROM_BTF = 1 << 6,    /* materialised from the kernel's BTF (btf_id) */
	CRF_BEING_DEFINED = 1 << 7,
	CRF_TRANSPARENT = 1 << 8, /* transparent_union */
	CRF_LAZY = 1 << 9,        /* from BTF, members not materialised yet: crecord_complete() */
	CRF_ANON_MEMBER = 1 << 10, /* an anonymous struct/union member of its parent */
	CRF_LAZY_BODY = 1 << 11,  /* body in vmlinux.h not parsed yet: crecord_complete() */
};

struct crecord {
	struct pp_ident *tag; /* NULL when anonymous */
	struct srcloc loc;    /* of the definition (or first mention) */
	uint32_t flags;       /* enum crecord_flag */
	struct cmember *members;
	uint32_t nmembers;
	uint32_t align_attr;  /* __attribute__((aligned(N))), 0 if none */
	uint32_t max_field_align; /* #pragma pack(N) in effect at the definition, 0 if none */
	uint64_t size;        /* valid after crecord_layout() */
	uint32_t align;
	uint32_t btf_id;      /* CRF_FROM_BTF: its id in the kernel BTF */
	struct ctype *type;   /* the unqualified type */
	const char **decl_tags; /* btf_decl_tag strings on the record, or NULL */
	struct cmember_index *index; /* by-name lookup of large records, built lazily */
	struct cbtf *lazy;    /* CRF_LAZY: the BTF it is materialised from */
	struct clazy_body *lazy_body; /* CRF_LAZY_BODY: where the body is (parse_record.c) */
	struct crecord *parent; /* the record whose body defines this one, or NULL */
	struct cdecl *typedef_name; /* untagged: the first typedef naming it (typedef struct {…} x) */
};

struct cenum {
	struct pp_ident *tag;
	struct srcloc loc;
	bool complete, packed, from_btf;
	bool fixed; /* enum e : type { … } */
	struct clazy_body *lazy_body; /* body in vmlinux.h not parsed yet: cenum_complete() */
	struct ctype *underlying; /* the compatible integer type (unsigned int when all values fit) */
	struct ctype *type;
	struct cdecl **consts;
	uint32_t nconsts;
	uint32_t btf_id;
};

/* Type queries (type.c).  Sizes in bytes; incomplete types give 0. */
struct ctype *ctype_unqual(struct ctype *t); /* same node without qualifiers (sugar dropped) */
bool ctype_is_integer(const struct ctype *t);    /* _Bool, chars, ints, enums */
bool ctype_is_arith(const struct ctype *t);      /* integer or floating */
bool ctype_is_floating(const struct ctype *t);
bool ctype_is_scalar(const struct ctype *t);     /* arithmetic or pointer */
bool ctype_is_record(const struct ctype *t);     /* struct or union */
bool ctype_is_signed(const struct ctype *t);     /* of an integer type (enums: their underlying) */
bool ctype_is_complete(const struct ctype *t);   /* object type with a known size */
bool ctype_is_void(const struct ctype *t);
uint64_t ctype_size(const struct ctype *t);
uint32_t ctype_align(const struct ctype *t);
/* The integer kind arithmetic uses for t (an enum's underlying kind). */
enum ctype_kind ctype_int_kind(const struct ctype *t);
unsigned ctype_int_bits(const struct ctype *t);
int ctype_rank(const struct ctype *t); /* integer conversion rank (ctypes.def) */
/* C's compatibility (6.2.7), ignoring top-level qualifiers when asked. */
bool ctype_compatible(const struct ctype *a, const struct ctype *b, bool ignore_quals);
/* The type as clang prints it in diagnostics: "struct foo *", "int (*)(int)",
 * "__u32" (aka is appended by cdiag_type).  Written into an arena. */
const char *ctype_str(struct ctu *tu, const struct ctype *t);
/* Follows typedefs and qualifier sugar to the first node that is neither. */
struct ctype *ctype_strip_typedefs(struct ctype *t);

/* Materialises the members of a CRF_LAZY record (kernel BTF) or parses the
 * body of a CRF_LAZY_BODY one (a vmlinux.h struct nobody needed so far); a
 * no-op for others.  ctype_is_complete/size/align and member lookups call
 * it; code walking members directly must call it first.  Valid until
 * ctu_free(). */
void crecord_complete(struct crecord *r);

/* Parses the body of an enum left for later (a vmlinux.h enum nobody needed
 * so far); a no-op for others.  ctype_is_complete/size/align/int_kind call
 * it; code reading consts or underlying directly must call it first. */
void cenum_complete(struct cenum *e);

/* Records: layout on demand, members by name (through anonymous members:
 * path receives the chain of members from the record, *npath its length). */
void crecord_layout(struct crecord *r);
struct cmember *crecord_find(struct crecord *r, const struct pp_ident *name,
			     struct cmember **path, uint32_t *npath, uint32_t maxpath);
/* Builds the by-name index of a completed record with many members. */
void crecord_build_index(struct crecord *r, struct arena *a);

/* ==== declarations ===================================================== */

enum cdecl_kind { CD_VAR, CD_FUNC, CD_TYPEDEF, CD_ENUMCONST };
enum cstorage { CSC_NONE, CSC_EXTERN, CSC_STATIC, CSC_AUTO, CSC_REGISTER, CSC_TYPEDEF };
enum clinkage { CL_NONE, CL_INTERNAL, CL_EXTERNAL };

enum cdecl_flag {
	CDF_DEFINED = 1 << 0,    /* function with a body, variable with an initializer */
	CDF_TENTATIVE = 1 << 1,  /* file-scope variable without initializer and not extern */
	CDF_USED = 1 << 2,       /* referenced from an expression */
	CDF_INLINE = 1 << 3,
	CDF_PARAM = 1 << 4,      /* a function parameter */
	CDF_IMPLICIT = 1 << 5,   /* implicitly declared (a call to an undeclared function) */
	CDF_BUILTIN = 1 << 6,    /* a library builtin (memcpy…) or __builtin_*: u.fn.builtin */
	CDF_FILE_SCOPE = 1 << 7,
	CDF_THREAD_LOCAL = 1 << 8,
	CDF_NORETURN = 1 << 9,   /* _Noreturn or __attribute__((noreturn)) */
	CDF_ADDR_TAKEN = 1 << 10,
	CDF_FROM_BTF = 1 << 11,  /* materialised from the kernel's BTF */
	CDF_LOCAL_STATIC = 1 << 12, /* static variable inside a function */
	CDF_EXTERN_INLINE = 1 << 13,
};

/* GNU attributes that matter after parsing (attrs.def has all of them). */
enum cattr_flag {
	CA_WEAK = 1u << 0,
	CA_USED = 1u << 1,
	CA_UNUSED = 1u << 2,
	CA_NOINLINE = 1u << 3,
	CA_ALWAYS_INLINE = 1u << 4,
	CA_NORETURN = 1u << 5,
	CA_PACKED = 1u << 6,
	CA_PRESERVE_ACCESS = 1u << 7,
	CA_CONST = 1u << 8,
	CA_PURE = 1u << 9,
	CA_COLD = 1u << 10,
	CA_HOT = 1u << 11,
	CA_NAKED = 1u << 12,
	CA_FLATTEN = 1u << 13,
	CA_RETAIN = 1u << 14,
	CA_GNU_INLINE = 1u << 15,
	CA_OPTNONE = 1u << 16,
	CA_PRESERVE_STATIC = 1u << 17,
	CA_DEPRECATED = 1u << 18,
	CA_WARN_UNUSED = 1u << 19,
	CA_NOCOMMON = 1u << 20,
	CA_COMMON = 1u << 21,
	CA_TRANSPARENT_UNION = 1u << 22,
	CA_MAY_ALIAS = 1u << 23,
};

enum cvisibility { CVIS_DEFAULT_UNSET, CVIS_DEFAULT, CVIS_HIDDEN, CVIS_PROTECTED, CVIS_INTERNAL };

struct cattrs {
	uint32_t flags;          /* enum cattr_flag */
	uint8_t visibility;      /* enum cvisibility */
	uint32_t align;          /* aligned(N): the largest asked for, 0 if none */
	const char *section;     /* section("…") */
	const char *alias;       /* alias("target") */
	const char *asm_label;   /* int x asm("symbol"): the symbol's name */
	struct cdecl *cleanup;   /* cleanup(fn) */
	const char **decl_tags;  /* btf_decl_tag("…") strings, NULL-terminated */
};

struct cdecl {
	uint8_t kind;    /* enum cdecl_kind */
	uint8_t storage; /* enum cstorage as written (the first declaration's for linkage) */
	uint8_t linkage; /* enum clinkage */
	uint16_t builtin; /* CDF_BUILTIN: enum cbuiltin */
	uint32_t flags;  /* enum cdecl_flag */
	struct pp_ident *name;
	struct srcloc loc;     /* first declaration */
	struct srcloc def_loc; /* definition (or loc) */
	struct ctype *type;    /* the composite of every declaration so far */
	struct cattrs *attrs;  /* NULL when none */
	union {
		struct {
			struct cinit *init; /* NULL: none (zero for static storage) */
			struct cdecl *func; /* CDF_LOCAL_STATIC: the function it is in */
		} var;
		struct {
			struct cstmt *body;    /* NULL for a declaration */
			struct cdecl **params; /* the definition's parameters, in order */
			uint32_t nparams;
			struct clabel **labels;
			uint32_t nlabels;
		} fn;
		struct {
			int64_t value; /* as an int64 (unsigned enums store the bit pattern) */
			struct cenum *en;
		} ec;
		struct {
			struct ctype *named; /* the CS_TYPEDEF node naming this typedef */
		} td;
	} u;
	uint32_t btf_id;  /* CDF_FROM_BTF */
};

/* ==== expressions ====================================================== */

enum cexpr_op {
#define EXPR(op, spelling, shape) E_##op,
#include "frontend/c/exprs.def"
#undef EXPR
	E_NOPS
};

/* The BIN shapes of exprs.def, one run of the table: u.bin.a and u.bin.b. */
static inline bool cexpr_is_binary(unsigned op)
{
	return op >= E_MUL && op <= E_INDEX;
}

/* = and the compound assignments: they write u.bin.a. */
static inline bool cexpr_is_assign(unsigned op)
{
	return op >= E_ASSIGN && op <= E_OR_ASSIGN;
}

/* What a conversion (E_CAST, E_CONV) does. */
enum ccast_kind {
	CK_NOOP,        /* same representation: qualifiers, typedefs, pointer to pointer, enum <-> same-size int */
	CK_LVAL,        /* lvalue to rvalue: the load (on a bit-field member: an extract) */
	CK_ARRAY_DECAY, /* array lvalue to pointer to its first element */
	CK_FUNC_DECAY,  /* function designator to pointer */
	CK_INT,         /* integer to integer: truncate or extend by the types' signedness */
	CK_TO_BOOL,     /* scalar to _Bool: != 0 */
	CK_PTR_TO_INT,
	CK_INT_TO_PTR,
	CK_NULL,        /* null pointer constant to pointer */
	CK_INT_TO_FLOAT,
	CK_FLOAT_TO_INT,
	CK_FLOAT,       /* floating to floating */
	CK_TO_VOID,
	CK_TO_UNION,    /* GNU cast to a union containing the type */
	CK_RECORD,      /* record rvalue to the same record type (a copy) */
};

enum cexpr_flag {
	EF_LVALUE = 1 << 0,
	EF_BITFIELD = 1 << 1,   /* an lvalue designating a bit-field member */
	EF_PAREN = 1 << 2,      /* was written in parentheses */
	EF_ARROW = 1 << 3,      /* E_MEMBER written with -> (base is a pointer) */
	EF_PRESERVE = 1 << 4,   /* inside __builtin_preserve_access_index(): CO-RE relocated */
	EF_NULL_CONST = 1 << 5, /* a null pointer constant */
	EF_CONST = 1 << 6,      /* an integer constant expression (u.ival valid after folding) */
};

struct cstring {
	const uint8_t *bytes; /* the array's bytes, target (little-endian) order, NUL included */
	uint32_t len;         /* bytes */
	uint8_t width;        /* element size: 1, 2 or 4 */
};

struct cexpr {
	uint8_t op;     /* enum cexpr_op */
	uint8_t ck;     /* E_CAST/E_CONV: enum ccast_kind */
	uint16_t flags; /* enum cexpr_flag */
	struct srcloc loc;
	struct ctype *type;
	union {
		uint64_t ival;       /* E_INT: the value in the type's width, sign- or zero-extended */
		double fval;         /* E_FLOAT */
		struct cstring *str; /* E_STRING */
		struct cdecl *decl;  /* E_DECL */
		struct {
			struct cexpr *a, *b;
			struct ctype *comp; /* compound assignment: the type `a op b` is computed in */
		} bin;                      /* UN uses bin.a */
		struct {
			struct cexpr *base;
			struct cmember *member;
		} m;
		struct {
			struct cexpr *c, *a, *b;
		} cond;
		struct {
			struct cexpr *fn;
			struct cexpr **args;
			uint32_t nargs;
		} call;
		struct {
			uint16_t id; /* enum cbuiltin */
			struct cexpr **args;
			uint32_t nargs;
			struct ctype *targ; /* a type operand (__builtin_btf_type_id(type …)) */
		} bi;
		struct {
			struct cdecl *obj; /* an unnamed CD_VAR holding the initializer */
		} lit;
		struct cstmt *stmt;
		struct {
			struct cexpr *ap;
		} va;
	} u;
};

/* The builtins (builtins.def). */
enum cbuiltin {
	CB_NONE,
#define BUILTIN(id, name, sig, check) CB_##id,
#include "frontend/c/builtins.def"
#undef BUILTIN
	CB_COUNT
};
const char *cbuiltin_name(enum cbuiltin b);

/* ==== initializers ===================================================== */

enum cinit_kind {
	CI_EXPR, /* u.expr converted to the object's type (records: a record-typed expression) */
	CI_LIST, /* u.list: an aggregate, one entry per initialised member or element range */
};

struct cinit_elem {
	uint64_t lo, hi;          /* arrays: element index range [lo, hi]; records: member index */
	struct cmember *member;   /* records: the member (lo == hi == its index) */
	struct cinit *init;
};

/* Normalised: designators resolved, braces elided or added to follow the
 * type, later initialisers overriding earlier ones.  Records list their
 * initialised members in member order (a union exactly one); arrays list
 * non-overlapping index ranges in increasing order.  Anything not listed
 * is zero.  A char array initialised by a string is CI_EXPR of an E_STRING
 * (shorter or longer than the array: the lowering copies min(len, size)). */
struct cinit {
	uint8_t kind;
	struct ctype *type;
	struct srcloc loc;
	union {
		struct cexpr *expr;
		struct {
			struct cinit_elem *elems;
			uint32_t n;
		} list;
	} u;
};

/* ==== statements ======================================================= */

enum cstmt_kind {
	S_NULL,
	S_COMPOUND, /* u.block */
	S_EXPR,     /* u.expr */
	S_DECL,     /* u.decl: declarations of a block (variables with their initializers) */
	S_IF,
	S_WHILE,    /* u.loop: cond, body */
	S_DO,       /* u.loop: body, cond */
	S_FOR,      /* u.loop: init (S_DECL or S_EXPR, or NULL), cond/step may be NULL */
	S_SWITCH,
	S_CASE,     /* u.case_: GNU ranges have lo < hi */
	S_DEFAULT,  /* u.case_.body */
	S_LABEL,
	S_GOTO,
	S_BREAK,    /* u.jump.target: the loop or switch it leaves */
	S_CONTINUE, /* u.jump.target: the loop it continues */
	S_RETURN,   /* u.expr converted to the return type, or NULL */
	S_ASM,
};

/* Loop pragmas kept for the lowering: #pragma unroll [N], #pragma nounroll,
 * #pragma clang loop unroll(enable|disable|full) unroll_count(N) … */
enum cunroll { CU_NONE, CU_ENABLE, CU_FULL, CU_COUNT, CU_DISABLE };
struct cloop_hint {
	uint8_t unroll;   /* enum cunroll */
	uint32_t count;   /* CU_COUNT */
	uint8_t vectorize, interleave, distribute; /* clang loop hints: 0 unset, 1 enable, 2 disable */
	struct srcloc loc;
};

struct clabel {
	struct pp_ident *name;
	struct srcloc loc;
	struct cstmt *stmt; /* its S_LABEL, NULL if only used */
	bool used, addr_taken;
};

struct casm_operand {
	const char *name;       /* [name], or NULL */
	const char *constraint; /* "=r", "r", "+m" … */
	struct cexpr *expr;     /* output: lvalue; input: rvalue */
};

struct casm {
	const char *text; /* the template, NUL-terminated (BPF pseudo-C or assembly) */
	uint32_t len;
	bool is_volatile, is_inline, is_goto;
	struct casm_operand *outputs, *inputs;
	uint32_t noutputs, ninputs;
	const char **clobbers;
	uint32_t nclobbers;
	struct clabel **labels;
	uint32_t nlabels;
	struct srcloc loc;
};

struct cstmt {
	uint8_t kind; /* enum cstmt_kind */
	struct srcloc loc;
	union {
		struct {
			struct cstmt **items;
			uint32_t n;
			struct srcloc end; /* the closing brace */
		} block;
		struct cexpr *expr;
		struct {
			struct cdecl **decls;
			uint32_t n;
		} decl;
		struct {
			struct cexpr *cond;
			struct cstmt *then, *els;
		} if_;
		struct {
			struct cstmt *init;
			struct cexpr *cond, *step;
			struct cstmt *body;
			struct cloop_hint hint;
		} loop;
		struct {
			struct cexpr *cond; /* promoted */
			struct cstmt *body;
			struct cstmt **cases; /* S_CASE and S_DEFAULT in source order */
			uint32_t ncases;
			struct cstmt *deflt;
		} sw;
		struct {
			int64_t lo, hi; /* in the promoted switch type */
			struct srcloc vloc; /* of the value (lo) */
			struct cstmt *body;
		} case_;
		struct {
			struct clabel *label;
			struct cstmt *body;
		} label;
		struct clabel *target; /* S_GOTO */
		struct {
			struct cstmt *target;
		} jump;
		struct casm *asm_;
	} u;
};

/* ==== the translation unit ============================================= */

struct ctu {
	struct arena arena;
	struct ctype *ty[TY_NSCALAR]; /* void, _Bool, char … long double */
	struct ctype *error_type;
	struct ctype *size_type;    /* unsigned long */
	struct ctype *ptrdiff_type; /* long */
	struct ctype *va_list_type; /* __builtin_va_list: void * on BPF */
	/* file-scope variables and functions, one entry per entity in the order
	 * they were first declared (their cdecl merges every redeclaration) */
	VEC(struct cdecl *) globals;
	VEC(struct casm *) asms; /* file-scope asm("…") */
	/* every struct and union whose members are known — defined in the
	 * source, or materialised from BTF when first needed — in that order */
	VEC(struct crecord *) records;
	struct srcmgr *sm;         /* for "(unnamed struct at file:line:col)" */
	struct ctype_intern *intern; /* array types by (element, length) (type.c) */
	struct cbtf *btf;            /* kernel BTF the unit's BTF-served types come from */
	struct cparser *parser;      /* kept for record bodies still to parse (CRF_LAZY_BODY) */
};

/* Builds the scalar types of a new, empty unit. */
struct ctu *ctu_new(struct srcmgr *sm);
/* Frees the unit; call it before freeing the preprocessor it was parsed
 * from (record bodies parsed late read its identifiers). */
void ctu_free(struct ctu *tu);
/* Parses every record body left for later (-fdump-record-layouts-complete,
 * tests): afterwards tu->records lists every record of the unit. */
void ctu_complete_records(struct ctu *tu);
void cparse_parser_free(struct cparser *p); /* ctu_free's helper (parse.c) */

/* Type constructors (type.c): results are interned where C identity allows. */
struct ctype *ctype_ptr(struct ctu *tu, struct ctype *pointee);
struct ctype *ctype_array(struct ctu *tu, struct ctype *elem, uint64_t len, uint8_t flags);
struct ctype *ctype_qual(struct ctu *tu, struct ctype *t, unsigned quals);
struct ctype *ctype_typedef(struct ctu *tu, struct cdecl *td);
struct ctype *ctype_tagged(struct ctu *tu, struct ctype *t, const char *tag);
struct ctype *ctype_func(struct ctu *tu, struct ctype *ret, struct cparam *params, uint32_t n,
			 uint8_t flags);
struct ctype *ctype_record(struct ctu *tu, struct crecord *r);
struct ctype *ctype_enum(struct ctu *tu, struct cenum *e);

/* Integer constant evaluation (consteval.c): true and *v when `e` is an
 * integer constant expression (sign-extended for signed types). */
bool ceval_int(const struct cexpr *e, int64_t *v);

/* A static initializer's value: an integer, a float, or the address of an
 * object or function (or string) plus a byte offset. */
enum cconst_kind { CC_NONE, CC_INT, CC_FLOAT, CC_ADDR, CC_STRING_ADDR };
struct cconst {
	uint8_t kind;
	int64_t ival; /* CC_INT; CC_ADDR/CC_STRING_ADDR: the byte offset */
	double fval;
	struct cdecl *decl;        /* CC_ADDR */
	const struct cstring *str; /* CC_STRING_ADDR */
};
bool ceval_const(const struct cexpr *e, struct cconst *out);

/* ---- searching a tree (ast_find.c) ---------------------------------------- */

/* Whether some node of a tree has a property: `expr` (and `stmt`, if set)
 * is asked of every node, parents before children, until one says true.
 * Inline asm counts as a hit (what it does is not known). */
struct cfind {
	bool (*expr)(struct cfind *f, struct cexpr *e);
	bool (*stmt)(struct cfind *f, struct cstmt *s);
	void *ctx;
};
bool cfind_expr(struct cfind *f, struct cexpr *e);
bool cfind_stmt(struct cfind *f, struct cstmt *s);
bool cfind_init(struct cfind *f, struct cinit *in);

#endif
