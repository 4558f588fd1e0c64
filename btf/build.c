/* Building BTF type by type: each wbtf_add_* appends one raw record, and
 * members, parameters, enumerators and section variables extend the last one.
 * References may point forward (mutually recursive types); wbtf_validate
 * checks the finished table. */
#include "btf/internal.h"

#include <errno.h>
#include <string.h>

/* Strings read from a blob are indexed only when something is added. */
static void index_read_strings(struct wbtf *btf)
{
	struct strtab *st = &btf->strs;
	size_t off = 0;
	while (off < st->data.len) {
		const char *s = (const char *)st->data.data + off;
		size_t n = strnlen(s, st->data.len - off);
		uintptr_t prev;
		if (n && !hmap_get(&st->index, s, n, &prev))
			hmap_put(&st->index, arena_strndup(&st->keys, s, n), n, off);
		off += n + 1;
	}
	btf->strs_indexed = true;
}

int32_t wbtf_add_str(struct wbtf *btf, const char *s)
{
	if (!s || !*s)
		return 0;
	if (!btf->strs_indexed)
		index_read_strings(btf);
	uint64_t off = btf->start_str + (uint64_t)strtab_add(&btf->strs, s);
	if (off > BTF_MAX_NAME_OFFSET) {
		wbtf_log("BTF: string section exceeds %u bytes", BTF_MAX_NAME_OFFSET);
		return -E2BIG;
	}
	return (int32_t)off;
}

static bool ref_ok(const char *what, uint32_t id)
{
	if (id > BTF_MAX_TYPE) {
		wbtf_log("BTF: %s: type id %u out of range", what, id);
		return false;
	}
	return true;
}

/* Appends a record with `extra` zeroed kind bytes; returns its id. */
static int32_t add_type(struct wbtf *btf, const char *name, unsigned kind, bool kflag,
			unsigned vlen, uint32_t size_or_type, size_t extra, void **data)
{
	uint32_t id = wbtf_type_cnt(btf);
	if (id > BTF_MAX_TYPE) {
		wbtf_log("BTF: more than %u types", BTF_MAX_TYPE);
		return -E2BIG;
	}
	int32_t name_off = wbtf_add_str(btf, name);
	if (name_off < 0)
		return name_off;
	struct btf_type t = {
		.name_off = (uint32_t)name_off,
		.info = (uint32_t)kind << 24 | (uint32_t)kflag << 31 | vlen,
		.size = size_or_type,
	};
	vec_push(&btf->offs, (uint32_t)btf->types.len);
	buf_append(&btf->types, &t, sizeof(t));
	size_t at = btf->types.len;
	buf_zeros(&btf->types, extra);
	if (data)
		*data = btf->types.data + at;
	btf->open_id = id;
	return (int32_t)id;
}

/* The last type, if it is of one of the given kinds and may grow. */
static struct btf_type *open_type(struct wbtf *btf, const char *what, unsigned k1, unsigned k2)
{
	struct btf_type *t = btf->open_id ? wbtf_type_mut(btf, btf->open_id) : NULL;
	if (!t || btf->open_id != wbtf_type_cnt(btf) - 1 ||
	    (wbtf_kind(t) != k1 && wbtf_kind(t) != k2)) {
		wbtf_log("BTF: %s: the last type added is not a %s", what, wbtf_kind_name(k1));
		return NULL;
	}
	if (wbtf_vlen(t) == BTF_MAX_VLEN) {
		wbtf_log("BTF: type [%u]: more than %u entries", btf->open_id, BTF_MAX_VLEN);
		return NULL;
	}
	return t;
}

static void *grow(struct wbtf *btf, struct btf_type **t, size_t n)
{
	size_t off = (unsigned char *)*t - btf->types.data;
	size_t at = btf->types.len;
	buf_zeros(&btf->types, n);
	*t = (struct btf_type *)(btf->types.data + off);
	(*t)->info++; /* vlen + 1 */
	return btf->types.data + at;
}

int32_t wbtf_add_int_bits(struct wbtf *btf, const char *name, uint32_t size, unsigned encoding,
			  unsigned bit_offset, unsigned nr_bits)
{
	if (!name || !*name || (size != 1 && size != 2 && size != 4 && size != 8 && size != 16) ||
	    (encoding != 0 && encoding != BTF_INT_SIGNED && encoding != BTF_INT_CHAR &&
	     encoding != BTF_INT_BOOL) ||
	    nr_bits > 128 || bit_offset + nr_bits > size * 8) {
		wbtf_log("BTF: int '%s': bad size %u, encoding %u or bits %u+%u", name ? name : "",
			 size, encoding, bit_offset, nr_bits);
		return -EINVAL;
	}
	uint32_t *data;
	int32_t id = add_type(btf, name, BTF_KIND_INT, false, 0, size, 4, (void **)&data);
	if (id > 0)
		*data = encoding << 24 | bit_offset << 16 | nr_bits;
	return id;
}

int32_t wbtf_add_int(struct wbtf *btf, const char *name, uint32_t size, unsigned encoding)
{
	return wbtf_add_int_bits(btf, name, size, encoding, 0, size * 8);
}

int32_t wbtf_add_float(struct wbtf *btf, const char *name, uint32_t size)
{
	if (!name || !*name || (size != 2 && size != 4 && size != 8 && size != 12 && size != 16)) {
		wbtf_log("BTF: float '%s': bad size %u", name ? name : "", size);
		return -EINVAL;
	}
	return add_type(btf, name, BTF_KIND_FLOAT, false, 0, size, 0, NULL);
}

static int32_t add_ref(struct wbtf *btf, const char *name, unsigned kind, uint32_t type)
{
	if (!ref_ok(wbtf_kind_name(kind), type))
		return -EINVAL;
	if ((wbtf_kinds[kind].flags & WBTF_KF_NAMED) && (!name || !*name)) {
		wbtf_log("BTF: %s needs a name", wbtf_kind_name(kind));
		return -EINVAL;
	}
	return add_type(btf, name, kind, false, 0, type, 0, NULL);
}

int32_t wbtf_add_ptr(struct wbtf *btf, uint32_t type)
{
	return add_ref(btf, NULL, BTF_KIND_PTR, type);
}

int32_t wbtf_add_typedef(struct wbtf *btf, const char *name, uint32_t type)
{
	return add_ref(btf, name, BTF_KIND_TYPEDEF, type);
}

int32_t wbtf_add_volatile(struct wbtf *btf, uint32_t type)
{
	return add_ref(btf, NULL, BTF_KIND_VOLATILE, type);
}

int32_t wbtf_add_const(struct wbtf *btf, uint32_t type)
{
	return add_ref(btf, NULL, BTF_KIND_CONST, type);
}

int32_t wbtf_add_restrict(struct wbtf *btf, uint32_t type)
{
	return add_ref(btf, NULL, BTF_KIND_RESTRICT, type);
}

int32_t wbtf_add_type_tag(struct wbtf *btf, const char *value, uint32_t type)
{
	return add_ref(btf, value, BTF_KIND_TYPE_TAG, type);
}

int32_t wbtf_add_array(struct wbtf *btf, uint32_t elem_type, uint32_t index_type, uint32_t nelems)
{
	if (!ref_ok("array element", elem_type) || !ref_ok("array index", index_type))
		return -EINVAL;
	struct btf_array *a;
	int32_t id = add_type(btf, NULL, BTF_KIND_ARRAY, false, 0, 0, sizeof(*a), (void **)&a);
	if (id > 0)
		*a = (struct btf_array){ elem_type, index_type, nelems };
	return id;
}

int32_t wbtf_add_struct(struct wbtf *btf, const char *name, uint32_t size)
{
	return add_type(btf, name, BTF_KIND_STRUCT, false, 0, size, 0, NULL);
}

int32_t wbtf_add_union(struct wbtf *btf, const char *name, uint32_t size)
{
	return add_type(btf, name, BTF_KIND_UNION, false, 0, size, 0, NULL);
}

int wbtf_add_member(struct wbtf *btf, const char *name, uint32_t type, uint32_t bit_offset,
		    uint32_t bitfield_size)
{
	struct btf_type *t = open_type(btf, "member", BTF_KIND_STRUCT, BTF_KIND_UNION);
	if (!t || !ref_ok("member", type))
		return -EINVAL;
	if (bitfield_size > 255 || ((bitfield_size || wbtf_kflag(t)) && bit_offset > 0xffffff)) {
		wbtf_log("BTF: type [%u]: member '%s': bitfield %u at bit %u can't be encoded",
			 btf->open_id, name ? name : "", bitfield_size, bit_offset);
		return -EINVAL;
	}
	if (bitfield_size && !wbtf_kflag(t)) {
		/* plain bit offsets are valid kind_flag encodings (size 0) */
		for (unsigned i = 0; i < wbtf_vlen(t); i++)
			if (wbtf_members(t)[i].offset > 0xffffff) {
				wbtf_log("BTF: type [%u]: member %u's offset can't take a bitfield",
					 btf->open_id, i);
				return -EINVAL;
			}
		t->info |= 1u << 31;
	}
	int32_t name_off = wbtf_add_str(btf, name);
	if (name_off < 0)
		return name_off;
	t = wbtf_type_mut(btf, btf->open_id);
	struct btf_member *m = grow(btf, &t, sizeof(*m));
	m->name_off = (uint32_t)name_off;
	m->type = type;
	m->offset = wbtf_kflag(t) ? bitfield_size << 24 | bit_offset : bit_offset;
	return 0;
}

static int32_t add_enum(struct wbtf *btf, const char *name, unsigned kind, uint32_t size,
			bool is_signed)
{
	if (size != 1 && size != 2 && size != 4 && size != 8) {
		wbtf_log("BTF: enum '%s': bad size %u", name ? name : "", size);
		return -EINVAL;
	}
	return add_type(btf, name, kind, is_signed, 0, size, 0, NULL);
}

int32_t wbtf_add_enum(struct wbtf *btf, const char *name, uint32_t size, bool is_signed)
{
	return add_enum(btf, name, BTF_KIND_ENUM, size, is_signed);
}

int32_t wbtf_add_enum64(struct wbtf *btf, const char *name, uint32_t size, bool is_signed)
{
	return add_enum(btf, name, BTF_KIND_ENUM64, size, is_signed);
}

int wbtf_add_enum_value(struct wbtf *btf, const char *name, int64_t value)
{
	struct btf_type *t = open_type(btf, "enumerator", BTF_KIND_ENUM, BTF_KIND_ENUM64);
	if (!t)
		return -EINVAL;
	if (!name || !*name) {
		wbtf_log("BTF: type [%u]: enumerator needs a name", btf->open_id);
		return -EINVAL;
	}
	if (wbtf_kind(t) == BTF_KIND_ENUM && (value < INT32_MIN || value > UINT32_MAX)) {
		wbtf_log("BTF: type [%u]: enumerator '%s' = %lld needs ENUM64", btf->open_id, name,
			 (long long)value);
		return -EINVAL;
	}
	int32_t name_off = wbtf_add_str(btf, name);
	if (name_off < 0)
		return name_off;
	t = wbtf_type_mut(btf, btf->open_id);
	if (wbtf_kind(t) == BTF_KIND_ENUM) {
		struct btf_enum *e = grow(btf, &t, sizeof(*e));
		e->name_off = (uint32_t)name_off;
		e->val = (int32_t)(uint32_t)value;
	} else {
		struct btf_enum64 *e = grow(btf, &t, sizeof(*e));
		e->name_off = (uint32_t)name_off;
		e->val_lo32 = (uint32_t)value;
		e->val_hi32 = (uint32_t)((uint64_t)value >> 32);
	}
	return 0;
}

int32_t wbtf_add_fwd(struct wbtf *btf, const char *name, bool is_union)
{
	if (!name || !*name) {
		wbtf_log("BTF: FWD needs a name");
		return -EINVAL;
	}
	return add_type(btf, name, BTF_KIND_FWD, is_union, 0, 0, 0, NULL);
}

int32_t wbtf_add_func(struct wbtf *btf, const char *name, int linkage, uint32_t proto)
{
	if (linkage < BTF_FUNC_STATIC || linkage > BTF_FUNC_EXTERN || !name || !*name ||
	    !ref_ok("func", proto)) {
		wbtf_log("BTF: func '%s': bad name or linkage %d", name ? name : "", linkage);
		return -EINVAL;
	}
	return add_type(btf, name, BTF_KIND_FUNC, false, (unsigned)linkage, proto, 0, NULL);
}

int32_t wbtf_add_func_proto(struct wbtf *btf, uint32_t ret_type)
{
	return add_ref(btf, NULL, BTF_KIND_FUNC_PROTO, ret_type);
}

int wbtf_add_param(struct wbtf *btf, const char *name, uint32_t type)
{
	struct btf_type *t = open_type(btf, "parameter", BTF_KIND_FUNC_PROTO, BTF_KIND_FUNC_PROTO);
	if (!t || !ref_ok("parameter", type))
		return -EINVAL;
	int32_t name_off = wbtf_add_str(btf, name);
	if (name_off < 0)
		return name_off;
	t = wbtf_type_mut(btf, btf->open_id);
	struct btf_param *p = grow(btf, &t, sizeof(*p));
	p->name_off = (uint32_t)name_off;
	p->type = type;
	return 0;
}

int32_t wbtf_add_var(struct wbtf *btf, const char *name, uint32_t type, int linkage)
{
	if (linkage < BTF_VAR_STATIC || linkage > BTF_VAR_GLOBAL_EXTERN || !name || !*name ||
	    !ref_ok("var", type)) {
		wbtf_log("BTF: var '%s': bad name or linkage %d", name ? name : "", linkage);
		return -EINVAL;
	}
	struct btf_var *v;
	int32_t id = add_type(btf, name, BTF_KIND_VAR, false, 0, type, sizeof(*v), (void **)&v);
	if (id > 0)
		v->linkage = (uint32_t)linkage;
	return id;
}

int32_t wbtf_add_datasec(struct wbtf *btf, const char *name, uint32_t size)
{
	if (!name || !*name) {
		wbtf_log("BTF: DATASEC needs a name");
		return -EINVAL;
	}
	return add_type(btf, name, BTF_KIND_DATASEC, false, 0, size, 0, NULL);
}

int wbtf_add_datasec_var(struct wbtf *btf, uint32_t var_id, uint32_t offset, uint32_t size)
{
	struct btf_type *t = open_type(btf, "section variable", BTF_KIND_DATASEC, BTF_KIND_DATASEC);
	if (!t || !ref_ok("section variable", var_id))
		return -EINVAL;
	struct btf_var_secinfo *v = grow(btf, &t, sizeof(*v));
	*v = (struct btf_var_secinfo){ var_id, offset, size };
	return 0;
}

int32_t wbtf_add_decl_tag(struct wbtf *btf, const char *value, uint32_t type, int component_idx)
{
	if (!value || !*value || component_idx < -1 || !ref_ok("decl tag", type) || !type) {
		wbtf_log("BTF: decl tag '%s': bad value, type or component %d", value ? value : "",
			 component_idx);
		return -EINVAL;
	}
	struct btf_decl_tag *d;
	int32_t id =
		add_type(btf, value, BTF_KIND_DECL_TAG, false, 0, type, sizeof(*d), (void **)&d);
	if (id > 0)
		d->component_idx = component_idx;
	return id;
}
