/* BTF: the type table (built or read), its .BTF encoding, .BTF.ext records,
 * kernel BTF lookup, bpftool-style dumps and CO-RE relocation resolution.
 * Library conventions: negative errno on failure, messages through wbtf_set_log. */
#ifndef WHISTLER_BTF_H
#define WHISTLER_BTF_H

#include <linux/btf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* ---- the object ------------------------------------------------------- */

/* A type table: ids 1..wbtf_type_cnt()-1 (0 is void), with its string
 * section.  Split BTF stacks on a base: its ids and string offsets continue
 * the base's, and lookups fall through to it.  The base must outlive it. */
struct wbtf;

struct wbtf *wbtf_new(void);
struct wbtf *wbtf_new_split(struct wbtf *base);
void wbtf_free(struct wbtf *btf);

/* Log sink for every message of this module (errors name their context:
 * "BTF type [42] 'foo': member 3: ..."); default: none.  The last message is
 * also kept per thread for wbtf_last_error(). */
typedef void (*wbtf_log_fn)(void *ctx, const char *msg);
void wbtf_set_log(wbtf_log_fn fn, void *ctx);
const char *wbtf_last_error(void);

uint32_t wbtf_type_cnt(const struct wbtf *btf); /* last id + 1, base included */
uint32_t wbtf_start_id(const struct wbtf *btf); /* first id this object owns */
const struct wbtf *wbtf_base(const struct wbtf *btf);
/* NULL if id is out of range; id 0 gives a zeroed record (kind UNKN = void).
 * Pointers stay valid until the next wbtf_add_* on the same object. */
const struct btf_type *wbtf_type_by_id(const struct wbtf *btf, uint32_t id);
/* Writable record of an own type (loaders patch DATASEC sizes, sanitize). */
struct btf_type *wbtf_type_mut(struct wbtf *btf, uint32_t id);
/* NULL if off is outside the string section. */
const char *wbtf_str(const struct wbtf *btf, uint32_t off);
/* Name of a type, "" when anonymous or invalid. */
const char *wbtf_name(const struct wbtf *btf, uint32_t id);

/* Record decoding. */
static inline unsigned wbtf_kind(const struct btf_type *t)
{
	return BTF_INFO_KIND(t->info);
}
static inline unsigned wbtf_vlen(const struct btf_type *t)
{
	return BTF_INFO_VLEN(t->info);
}
static inline bool wbtf_kflag(const struct btf_type *t)
{
	return BTF_INFO_KFLAG(t->info);
}
static inline uint32_t wbtf_int_data(const struct btf_type *t)
{
	return *(const uint32_t *)(t + 1);
}
static inline unsigned wbtf_int_encoding(const struct btf_type *t)
{
	return BTF_INT_ENCODING(wbtf_int_data(t));
}
static inline unsigned wbtf_int_bits(const struct btf_type *t)
{
	return BTF_INT_BITS(wbtf_int_data(t));
}
static inline unsigned wbtf_int_offset(const struct btf_type *t)
{
	return BTF_INT_OFFSET(wbtf_int_data(t));
}
static inline const struct btf_array *wbtf_array(const struct btf_type *t)
{
	return (const void *)(t + 1);
}
static inline const struct btf_member *wbtf_members(const struct btf_type *t)
{
	return (const void *)(t + 1);
}
static inline const struct btf_enum *wbtf_enums(const struct btf_type *t)
{
	return (const void *)(t + 1);
}
static inline const struct btf_enum64 *wbtf_enum64s(const struct btf_type *t)
{
	return (const void *)(t + 1);
}
static inline const struct btf_param *wbtf_params(const struct btf_type *t)
{
	return (const void *)(t + 1);
}
static inline const struct btf_var *wbtf_var(const struct btf_type *t)
{
	return (const void *)(t + 1);
}
static inline const struct btf_var_secinfo *wbtf_secinfos(const struct btf_type *t)
{
	return (const void *)(t + 1);
}
static inline const struct btf_decl_tag *wbtf_decl_tag(const struct btf_type *t)
{
	return (const void *)(t + 1);
}
static inline uint32_t wbtf_member_bit_offset(const struct btf_type *t, unsigned i)
{
	uint32_t off = wbtf_members(t)[i].offset;
	return wbtf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(off) : off;
}
static inline uint32_t wbtf_member_bitfield_size(const struct btf_type *t, unsigned i)
{
	return wbtf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(wbtf_members(t)[i].offset) : 0;
}
/* Value of enumerator i of an ENUM or ENUM64 (sign-extended when kflag). */
int64_t wbtf_enum_value(const struct btf_type *t, unsigned i);
const char *wbtf_kind_name(unsigned kind);	  /* "STRUCT", or "UNKN" */
bool wbtf_is_composite(const struct btf_type *t); /* STRUCT or UNION */
bool wbtf_is_any_enum(const struct btf_type *t);  /* ENUM or ENUM64 */

/* Follows CONST/VOLATILE/RESTRICT/TYPE_TAG (and TYPEDEF for the second):
 * returns the first other type and its id in *res_id; NULL if broken. */
const struct btf_type *wbtf_skip_mods(const struct wbtf *btf, uint32_t id, uint32_t *res_id);
const struct btf_type *wbtf_skip_mods_typedefs(const struct wbtf *btf, uint32_t id,
					       uint32_t *res_id);
/* Byte size of a type (arrays multiplied out, modifiers followed); -EINVAL
 * for void/FUNC/FUNC_PROTO/FWD, -E2BIG on overflow, -ELOOP on a cycle. */
int64_t wbtf_resolve_size(const struct wbtf *btf, uint32_t id);
/* Alignment a C compiler would give the type (for format c and layout). */
int wbtf_align_of(const struct wbtf *btf, uint32_t id);

/* ---- lookup by name --------------------------------------------------- */

/* The first type named `name` of `kind` (-1: any kind, DECL_TAG excluded),
 * base BTF first; -ENOENT if none.  The first call builds a hash index over
 * all named types (two flat arrays, no per-type allocation). */
int32_t wbtf_find_by_name_kind(struct wbtf *btf, const char *name, int kind);
/* CO-RE "essential name": the name without a trailing ___flavour suffix. */
size_t wbtf_essential_name_len(const char *name);
/* Calls fn for every own+base type whose essential name equals the first
 * len bytes of ess (kind -1: any); stops early when fn returns non-zero and
 * returns that value, else 0. */
int wbtf_for_each_essential(struct wbtf *btf, const char *ess, size_t len, int kind,
			    int (*fn)(void *ctx, uint32_t id), void *ctx);

/* ---- building --------------------------------------------------------- */

/* Each returns the new type id (> 0) or a negative errno (bad argument:
 * -EINVAL with a message; too many types: -E2BIG).  Names may be NULL or ""
 * for anonymous types.  Members, parameters, enumerators and section
 * variables are appended to the type added last (-EINVAL otherwise). */
int32_t wbtf_add_str(struct wbtf *btf, const char *s); /* string offset */
int32_t wbtf_add_int(struct wbtf *btf, const char *name, uint32_t size, unsigned encoding);
/* encoding: 0 or one of BTF_INT_SIGNED, BTF_INT_CHAR, BTF_INT_BOOL */
int32_t wbtf_add_int_bits(struct wbtf *btf, const char *name, uint32_t size, unsigned encoding,
			  unsigned bit_offset, unsigned nr_bits);
int32_t wbtf_add_float(struct wbtf *btf, const char *name, uint32_t size);
int32_t wbtf_add_ptr(struct wbtf *btf, uint32_t type);
int32_t wbtf_add_array(struct wbtf *btf, uint32_t elem_type, uint32_t index_type, uint32_t nelems);
int32_t wbtf_add_struct(struct wbtf *btf, const char *name, uint32_t size);
int32_t wbtf_add_union(struct wbtf *btf, const char *name, uint32_t size);
/* bitfield_size 0: an ordinary member; otherwise the struct gets kind_flag
 * and every member's offset is re-encoded as (bitfield_size << 24 | bit_offset). */
int wbtf_add_member(struct wbtf *btf, const char *name, uint32_t type, uint32_t bit_offset,
		    uint32_t bitfield_size);
int32_t wbtf_add_enum(struct wbtf *btf, const char *name, uint32_t size, bool is_signed);
int32_t wbtf_add_enum64(struct wbtf *btf, const char *name, uint32_t size, bool is_signed);
/* To an ENUM (value must fit 32 bits, signed or unsigned) or ENUM64. */
int wbtf_add_enum_value(struct wbtf *btf, const char *name, int64_t value);
int32_t wbtf_add_fwd(struct wbtf *btf, const char *name, bool is_union);
int32_t wbtf_add_typedef(struct wbtf *btf, const char *name, uint32_t type);
int32_t wbtf_add_volatile(struct wbtf *btf, uint32_t type);
int32_t wbtf_add_const(struct wbtf *btf, uint32_t type);
int32_t wbtf_add_restrict(struct wbtf *btf, uint32_t type);
int32_t wbtf_add_type_tag(struct wbtf *btf, const char *value, uint32_t type);
/* linkage: BTF_FUNC_STATIC, BTF_FUNC_GLOBAL, BTF_FUNC_EXTERN */
int32_t wbtf_add_func(struct wbtf *btf, const char *name, int linkage, uint32_t proto);
int32_t wbtf_add_func_proto(struct wbtf *btf, uint32_t ret_type);
/* name NULL and type 0 for a trailing "..." */
int wbtf_add_param(struct wbtf *btf, const char *name, uint32_t type);
/* linkage: BTF_VAR_STATIC, BTF_VAR_GLOBAL_ALLOCATED, BTF_VAR_GLOBAL_EXTERN */
int32_t wbtf_add_var(struct wbtf *btf, const char *name, uint32_t type, int linkage);
int32_t wbtf_add_datasec(struct wbtf *btf, const char *name, uint32_t size);
int wbtf_add_datasec_var(struct wbtf *btf, uint32_t var_id, uint32_t offset, uint32_t size);
/* component_idx -1: the tag applies to the type itself. */
int32_t wbtf_add_decl_tag(struct wbtf *btf, const char *value, uint32_t type, int component_idx);

/* A BTF-defined map as clang emits it for
 *   struct { __uint(type, T); __type(key, K); ... } name SEC(".maps");
 * Integer attributes become `int (*attr)[N]` members; key/value types become
 * pointers to them (or key_size/value_size as integers); `values` (map-in-map
 * inner map struct, or a prog array's func proto) becomes a zero-length
 * array of pointers.  Returns the STRUCT's id; wbtf_add_map_var() then adds
 * the global VAR for it. */
struct wbtf_map_def {
	const char *struct_name; /* NULL: anonymous, as with `struct { ... } m` */
	uint32_t type;		 /* BPF_MAP_TYPE_* */
	uint32_t key_type;	 /* 0: use key_size if non-zero */
	uint32_t value_type;	 /* 0: use value_size if non-zero */
	uint32_t key_size, value_size;
	uint32_t max_entries, map_flags, pinning, numa_node, map_extra;
	bool has_map_flags, has_pinning, has_numa_node, has_map_extra;
	uint32_t values_type; /* inner map STRUCT or prog FUNC_PROTO; 0: none */
};
int32_t wbtf_add_map_def(struct wbtf *btf, const struct wbtf_map_def *def);
/* The global VAR of a map (its .maps DATASEC entry, of the struct's size, is
 * the caller's: clang emits the DATASECs last, sorted by name). */
int32_t wbtf_add_map_var(struct wbtf *btf, const char *name, uint32_t map_struct);

/* Checks a built table as the reader checks a read one: every reference
 * in range and of the right kind, no loops but through pointers. */
int wbtf_validate(const struct wbtf *btf);

/* ---- .BTF encoding and reading ---------------------------------------- */

/* Appends the .BTF section bytes (header, own types, own strings) to out,
 * native byte order unless big_endian differs from the host.  Deterministic:
 * types and strings in the order they were added. */
int wbtf_encode(const struct wbtf *btf, bool big_endian, struct buf *out);

/* Parses and validates a .BTF blob (either byte order; data is copied).
 * base: NULL, or the BTF this one is split from.  On error: negative errno
 * and a message naming the type id and field. */
int wbtf_parse(const void *data, size_t len, struct wbtf *base, struct wbtf **out);
/* Reads a raw BTF file (e.g. /sys/kernel/btf/vmlinux). */
int wbtf_load_raw_file(const char *path, struct wbtf *base, struct wbtf **out);
/* The running kernel's BTF (/sys/kernel/btf/vmlinux). */
int wbtf_load_vmlinux(struct wbtf **out);

/* ---- .BTF.ext ---------------------------------------------------------- */

struct wbtf_func_info {
	uint32_t insn_off; /* bytes from the start of the ELF section */
	uint32_t type_id;  /* a FUNC */
};
struct wbtf_line_info {
	uint32_t insn_off;
	uint32_t file_name_off, line_off; /* .BTF strings: file name, source line text */
	uint32_t line_col;		  /* line << 10 | column */
};
struct wbtf_core_relo {
	uint32_t insn_off;
	uint32_t type_id;
	uint32_t access_str_off; /* "0:1:2" in .BTF strings */
	uint32_t kind;		 /* enum bpf_core_relo_kind */
};
#define WBTF_LINE(lc) ((lc) >> 10)
#define WBTF_COL(lc) ((lc)&0x3ff)

/* Records grouped by ELF section; sections are encoded in the order they
 * were first named, records in the order they were added. */
struct wbtf_ext_sec {
	uint32_t sec_name_off; /* in the .BTF string table */
	uint32_t nr_func, nr_line, nr_core;
	struct wbtf_func_info *func;
	struct wbtf_line_info *line;
	struct wbtf_core_relo *core;
	uint32_t cap_func, cap_line, cap_core;
};
struct wbtf_ext {
	struct wbtf_ext_sec *secs;
	uint32_t nr_secs, cap_secs;
};

/* Building: every string (section name, file name, line text, access
 * string) is added to btf's string table at once, so encode the .BTF after
 * the last wbtf_ext_add_*.  Returns 0 or -EINVAL. */
struct wbtf_ext_sec *wbtf_ext_section(struct wbtf_ext *ext, struct wbtf *btf, const char *sec_name);
int wbtf_ext_add_func(struct wbtf_ext_sec *s, uint32_t insn_off, uint32_t func_type_id);
int wbtf_ext_add_line(struct wbtf_ext_sec *s, struct wbtf *btf, uint32_t insn_off, const char *file,
		      const char *line_text, uint32_t line, uint32_t col);
int wbtf_ext_add_core(struct wbtf_ext_sec *s, struct wbtf *btf, uint32_t insn_off, uint32_t type_id,
		      const char *access, uint32_t kind);
/* .BTF.ext bytes: 32-byte header, func_info, line_info, core_relo. */
int wbtf_ext_encode(const struct wbtf_ext *ext, bool big_endian, struct buf *out);
/* Parses .BTF.ext, checking every record against btf (string offsets,
 * FUNC ids, relocation kinds and access strings). */
int wbtf_ext_parse(const void *data, size_t len, const struct wbtf *btf, struct wbtf_ext *out);
void wbtf_ext_free(struct wbtf_ext *ext);

/* ---- dumps ------------------------------------------------------------- */

/* `bpftool btf dump file X` text, one type per line ("[1] INT 'int' ..."). */
void wbtf_dump_text(const struct wbtf *btf, struct buf *out);
void wbtf_dump_type(const struct wbtf *btf, uint32_t id, struct buf *out);
/* C declarations of every type, as `bpftool btf dump file X format c`
 * writes vmlinux.h (include guard, preserve_access_index pragma). */
int wbtf_dump_c(const struct wbtf *btf, struct buf *out);
/* .BTF.ext as text: sections with func_info, line_info and CO-RE records. */
void wbtf_ext_dump(const struct wbtf_ext *ext, const struct wbtf *btf, struct buf *out);

/* ---- CO-RE ------------------------------------------------------------- */

/* Result of one relocation.  orig_* are computed on the local BTF (what the
 * compiler put in the instruction), new_* on the target. */
struct wbtf_core_res {
	uint64_t orig_val, new_val;
	uint32_t orig_sz, new_sz; /* field byte size for BYTE_OFFSET, for load/store sizes */
	uint32_t orig_type_id, new_type_id; /* the field's or type's id */
	uint32_t nr_cands;		    /* matching target candidates */
	bool poison;			    /* unresolvable: the loader poisons the insn */
	bool fail_memsz_adjust;		    /* sizes differ in a way a load can't follow */
};
#define WBTF_CORE_UNRESOLVED 1

/* Resolves relo (whose type id and access string live in local) against
 * targ.  Returns 0 (res->new_val is the value), WBTF_CORE_UNRESOLVED (no
 * target candidate matched and the kind has no "missing" value: res->poison
 * is set and the loader must poison the instruction), or a negative errno
 * (bad access string, ambiguous candidates), with a message. */
int wbtf_core_resolve(const struct wbtf *local, const struct wbtf_core_relo *relo,
		      struct wbtf *targ, struct wbtf_core_res *res);
const char *wbtf_core_kind_name(unsigned kind); /* "byte_off", as llvm-objdump prints */

/* Access-string builder for the frontends: from a root type and a path of
 * member names and array indices, the access string clang would emit and
 * the field's location.  A leading index step indexes the root pointer
 * (`p[3].x` is "3:..."); otherwise the root index is 0.  Member names are
 * found through anonymous structs/unions (each hop adds an index). */
struct wbtf_access_step {
	const char *name; /* member name, or NULL for an array index */
	uint32_t index;
};
struct wbtf_access {
	char str[256];		/* "0:1:0:5" */
	uint64_t bit_offset;	/* from the start of the root object */
	uint32_t type_id;	/* type of the accessed field (unskipped) */
	uint32_t byte_size;	/* its size, or the bitfield's storage size */
	uint32_t bitfield_size; /* 0 unless a bitfield */
};
int wbtf_core_access(const struct wbtf *btf, uint32_t root_id, const struct wbtf_access_step *path,
		     size_t n, struct wbtf_access *out);

#endif
