/* Private layout of struct wbtf and helpers shared by the btf/ files. */
#ifndef WHISTLER_BTF_INTERNAL_H
#define WHISTLER_BTF_INTERNAL_H

#include "btf/btf.h"
#include "util/strtab.h"
#include "util/util.h"

enum {
	WBTF_KF_SIZE = 1 << 0,
	WBTF_KF_REF = 1 << 1,
	WBTF_KF_VOID = 1 << 2,
	WBTF_KF_KFLAG = 1 << 3,
	WBTF_KF_NAMED = 1 << 4,
	WBTF_KF_VLEN_LINKAGE = 1 << 5,
};

struct wbtf_kind_info {
	const char *name;
	uint8_t extra, per_vlen;
	uint16_t flags;
};
extern const struct wbtf_kind_info wbtf_kinds[NR_BTF_KINDS];

/* Hash index by essential name over one object's own types: heads[hash &
 * (cap-1)] and next[id - start_id] chain ids (0 ends a chain). */
struct wbtf_index {
	uint32_t *heads, *next;
	uint32_t cap, nr; /* nr: own types covered */
	bool built;
};

struct wbtf {
	struct wbtf *base;
	uint32_t start_id;  /* first own id */
	uint32_t start_str; /* own string offsets begin here */
	struct buf types;   /* own records, back to back, 4-byte aligned */
	VEC(uint32_t) offs; /* record offset in types, by id - start_id */
	struct strtab strs; /* own string section (strs.data) */
	bool strs_indexed;  /* strs.index knows the strings that were read */
	uint32_t open_id;   /* type that accepts members etc.; 0 none */
	struct wbtf_index index;
};

/* Size of the record at t (header + kind data), trusting its vlen. */
static inline size_t wbtf_rec_size(const struct btf_type *t)
{
	const struct wbtf_kind_info *k = &wbtf_kinds[wbtf_kind(t)];
	size_t n = sizeof(*t) + k->extra;
	if (!(k->flags & WBTF_KF_VLEN_LINKAGE))
		n += (size_t)k->per_vlen * wbtf_vlen(t);
	return n;
}

/* Total string section length (base included). */
static inline uint32_t wbtf_str_end(const struct wbtf *btf)
{
	return btf->start_str + (uint32_t)btf->strs.data.len;
}

/* Every field of every record is a 32-bit word: swapping is word by word.
 * Returns the record size, or 0 if it does not fit in avail bytes. */
size_t wbtf_swap_record(uint32_t *w, size_t avail, bool to_native);

W_PRINTF(1, 2) void wbtf_log(const char *fmt, ...);
void wbtf_index_reset(struct wbtf *btf);

#define WBTF_MAX_DEPTH 32

#endif
