/* BTF-defined maps, laid out as clang lays out the struct that libbpf's
 * __uint/__type/__array macros declare: every attribute is a pointer member
 * (8 bytes), integers encoded in an array length, `int (*name)[N]`. */
#include "btf/internal.h"

#include <errno.h>

/* An own type of this kind with these fields, or a new one. */
static int32_t find_own(struct wbtf *btf, unsigned kind, uint32_t type, const struct btf_array *a)
{
	for (uint32_t id = btf->start_id; id < wbtf_type_cnt(btf); id++) {
		const struct btf_type *t = wbtf_type_by_id(btf, id);
		if (wbtf_kind(t) != kind || t->name_off)
			continue;
		if (kind == BTF_KIND_PTR && t->type == type)
			return (int32_t)id;
		if (kind == BTF_KIND_ARRAY && wbtf_array(t)->type == a->type &&
		    wbtf_array(t)->index_type == a->index_type &&
		    wbtf_array(t)->nelems == a->nelems)
			return (int32_t)id;
	}
	return 0;
}

static int32_t ptr_to(struct wbtf *btf, uint32_t type)
{
	int32_t id = find_own(btf, BTF_KIND_PTR, type, NULL);
	return id ? id : wbtf_add_ptr(btf, type);
}

static int32_t array_of(struct wbtf *btf, uint32_t elem, uint32_t index, uint32_t n)
{
	struct btf_array a = { elem, index, n };
	int32_t id = find_own(btf, BTF_KIND_ARRAY, 0, &a);
	return id ? id : wbtf_add_array(btf, elem, index, n);
}

static int32_t named_int(struct wbtf *btf, const char *name, unsigned enc)
{
	int32_t id = wbtf_find_by_name_kind(btf, name, BTF_KIND_INT);
	return id > 0 ? id : wbtf_add_int(btf, name, 4, enc);
}

struct member {
	const char *name;
	int32_t type;
};

int32_t wbtf_add_map_def(struct wbtf *btf, const struct wbtf_map_def *def)
{
	int32_t int_id = named_int(btf, "int", BTF_INT_SIGNED);
	int32_t idx_id = named_int(btf, "__ARRAY_SIZE_TYPE__", 0);
	if (int_id < 0 || idx_id < 0)
		return int_id < 0 ? int_id : idx_id;
	struct member m[12];
	int n = 0;
#define UINT_ATTR(nm, val)                                                            \
	do {                                                                          \
		int32_t a = array_of(btf, (uint32_t)int_id, (uint32_t)idx_id, (val)); \
		m[n++] = (struct member){ nm, a < 0 ? a : ptr_to(btf, (uint32_t)a) }; \
	} while (0)
	UINT_ATTR("type", def->type);
	if (def->key_type)
		m[n++] = (struct member){ "key", ptr_to(btf, def->key_type) };
	else if (def->key_size)
		UINT_ATTR("key_size", def->key_size);
	if (def->value_type)
		m[n++] = (struct member){ "value", ptr_to(btf, def->value_type) };
	else if (def->value_size)
		UINT_ATTR("value_size", def->value_size);
	UINT_ATTR("max_entries", def->max_entries);
	if (def->has_map_flags)
		UINT_ATTR("map_flags", def->map_flags);
	if (def->has_numa_node)
		UINT_ATTR("numa_node", def->numa_node);
	if (def->has_pinning)
		UINT_ATTR("pinning", def->pinning);
	if (def->has_map_extra)
		UINT_ATTR("map_extra", def->map_extra);
#undef UINT_ATTR
	if (def->values_type) {
		int32_t p = ptr_to(btf, def->values_type);
		m[n++] = (struct member){ "values",
					  p < 0 ? p
						: array_of(btf, (uint32_t)p, (uint32_t)idx_id, 0) };
	}
	for (int i = 0; i < n; i++)
		if (m[i].type < 0)
			return m[i].type;
	/* `values` is a flexible array: it adds no size */
	uint32_t size = 8 * (uint32_t)(def->values_type ? n - 1 : n);
	int32_t id = wbtf_add_struct(btf, def->struct_name, size);
	for (int i = 0; i < n && id > 0; i++) {
		int err = wbtf_add_member(btf, m[i].name, (uint32_t)m[i].type, 64 * (uint32_t)i, 0);
		if (err)
			return err;
	}
	return id;
}

int32_t wbtf_add_map_var(struct wbtf *btf, const char *name, uint32_t map_struct)
{
	return wbtf_add_var(btf, name, map_struct, BTF_VAR_GLOBAL_ALLOCATED);
}
