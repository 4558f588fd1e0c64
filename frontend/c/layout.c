/* Record layout as clang lays out C structs and unions for BPF (the Itanium
 * C ABI rules): bit-fields never straddle a unit of their type unless packed,
 * unnamed bit-fields don't raise alignment, zero-width ones align the next
 * field, packed/aligned attributes and #pragma pack.  Computed on first use,
 * so the thousands of unused records of vmlinux.h cost nothing. */
#include "frontend/c/ast.h"

#include <string.h>

static uint64_t align_to(uint64_t x, uint64_t a)
{
	return a ? (x + a - 1) / a * a : x;
}

void crecord_layout(struct crecord *r)
{
	if (r->flags & (CRF_LAID_OUT | CRF_BEING_DEFINED))
		return;
	r->flags |= CRF_LAID_OUT;
	bool is_union = r->flags & CRF_UNION;
	bool packed = r->flags & CRF_PACKED;
	uint64_t off = 0, size = 0; /* bits */
	uint32_t align = 1;	    /* bytes */
	for (uint32_t i = 0; i < r->nmembers; i++) {
		struct cmember *m = &r->members[i];
		const struct ctype *t = m->type;
		bool mpacked = packed || (m->flags & CMF_PACKED);
		uint64_t tsize = ctype_size(t);
		uint32_t talign = ctype_align(t);
		uint32_t falign = mpacked ? 1 : talign;
		if (m->align_attr > falign)
			falign = m->align_attr;
		if (r->max_field_align && falign > r->max_field_align)
			falign = r->max_field_align; /* #pragma pack caps even aligned() */
		if (is_union)
			off = 0;
		if (m->flags & CMF_BITFIELD) {
			uint64_t w = m->bit_width, tbits = tsize * 8;
			if (w == 0) {
				/* aligns what follows to its type even when packed;
				 * the record's alignment is left alone */
				uint64_t za = (uint64_t)(m->align_attr > talign ? m->align_attr : talign) * 8;
				if (r->max_field_align && za > r->max_field_align * 8ull)
					za = r->max_field_align * 8ull;
				off = align_to(off, za);
				m->bit_offset = off;
				continue;
			}
			/* alignment in bits: a packed bit-field has none */
			uint64_t a = mpacked && !m->align_attr ? 1 : (uint64_t)falign * 8;
			if (!r->max_field_align && (off % a) + w > tbits)
				off = align_to(off, a);
			if (m->align_attr)
				off = align_to(off, a);
			m->bit_offset = off;
			off += w;
			if (m->name || m->align_attr) {
				uint32_t ab = a >= 8 ? (uint32_t)(a / 8) : 1;
				align = ab > align ? ab : align;
			}
		} else {
			off = align_to(off, (uint64_t)falign * 8);
			m->bit_offset = off;
			if (!(m->flags & CMF_FLEX))
				off += tsize * 8;
			if (falign > align)
				align = falign;
		}
		if (off > size)
			size = off;
	}
	if (!is_union)
		size = off;
	if (r->align_attr > align)
		align = r->align_attr;
	r->align = align;
	r->size = align_to(align_to(size, 8) / 8, align);
}

/* Large records get a small open-addressing index of their named members
 * (anonymous members are searched recursively either way). */
struct cmember_index {
	uint32_t cap;
	int32_t slots[]; /* member index + 1, 0 empty */
};

static struct cmember *find_direct(struct crecord *r, const struct pp_ident *name)
{
	struct cmember_index *ix = r->index;
	if (ix) {
		for (uint32_t h = name->hash & (ix->cap - 1); ix->slots[h];
		     h = (h + 1) & (ix->cap - 1))
			if (r->members[ix->slots[h] - 1].name == name)
				return &r->members[ix->slots[h] - 1];
		return NULL;
	}
	for (uint32_t i = 0; i < r->nmembers; i++)
		if (r->members[i].name == name)
			return &r->members[i];
	return NULL;
}

struct cmember *crecord_find(struct crecord *r, const struct pp_ident *name,
			     struct cmember **path, uint32_t *npath, uint32_t maxpath)
{
	uint32_t depth = *npath;
	crecord_complete(r);
	struct cmember *m = find_direct(r, name);
	if (m) {
		if (depth < maxpath)
			path[depth] = m;
		*npath = depth + 1;
		return m;
	}
	for (uint32_t i = 0; i < r->nmembers; i++) {
		struct cmember *a = &r->members[i];
		if (!(a->flags & CMF_ANON) || !ctype_is_record(a->type))
			continue;
		if (depth < maxpath)
			path[depth] = a;
		*npath = depth + 1;
		struct cmember *found = crecord_find(a->type->u.rec, name, path, npath, maxpath);
		if (found)
			return found;
		*npath = depth;
	}
	return NULL;
}

/* Builds the index for records with many members (called once complete). */
void crecord_build_index(struct crecord *r, struct arena *a)
{
	if (r->nmembers < 16)
		return;
	uint32_t cap = 32;
	while (cap < r->nmembers * 2)
		cap <<= 1;
	struct cmember_index *ix = arena_alloc(a, sizeof(*ix) + cap * sizeof(int32_t));
	ix->cap = cap;
	for (uint32_t i = 0; i < r->nmembers; i++) {
		const struct pp_ident *n = r->members[i].name;
		if (!n)
			continue;
		uint32_t h = n->hash & (cap - 1);
		while (ix->slots[h])
			h = (h + 1) & (cap - 1);
		ix->slots[h] = (int32_t)i + 1;
	}
	r->index = ix;
}
