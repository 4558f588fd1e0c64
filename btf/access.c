/* Access strings for the frontends: turn `root->a.b[3].c` (a root type and a
 * path of member names and indices) into the "0:1:0:3:2" string clang puts
 * in CO-RE relocations, with the field's offset, size and bitfield shape. */
#include "btf/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct path {
	uint32_t idx[WBTF_MAX_DEPTH];
	uint64_t bits[WBTF_MAX_DEPTH]; /* bit offset of each hop in its parent */
	int len;
	uint32_t parent, member; /* where the named member was found */
};

/* Depth-first search for member `name` in composite id, through anonymous
 * members, so `s->x` finds x inside `struct s { union { int x; }; }`. */
static bool find_member(const struct wbtf *btf, uint32_t id, const char *name, struct path *p)
{
	const struct btf_type *t = wbtf_skip_mods_typedefs(btf, id, &id);
	if (!t || !wbtf_is_composite(t) || p->len == WBTF_MAX_DEPTH)
		return false;
	for (unsigned i = 0; i < wbtf_vlen(t); i++) {
		const struct btf_member *m = &wbtf_members(t)[i];
		const char *mname = wbtf_str(btf, m->name_off);
		p->idx[p->len] = i;
		p->bits[p->len] = wbtf_member_bit_offset(t, i);
		p->len++;
		if (mname && *mname ? !strcmp(mname, name) : find_member(btf, m->type, name, p)) {
			if (mname && *mname) {
				p->parent = id;
				p->member = i;
			}
			return true;
		}
		p->len--;
	}
	return false;
}

static int append(struct wbtf_access *out, size_t *len, uint32_t v)
{
	int n = snprintf(out->str + *len, sizeof(out->str) - *len, "%s%u", *len ? ":" : "", v);
	if (n < 0 || (size_t)n >= sizeof(out->str) - *len) {
		wbtf_log("CO-RE access: path too long");
		return -E2BIG;
	}
	*len += (size_t)n;
	return 0;
}

int wbtf_core_access(const struct wbtf *btf, uint32_t root_id, const struct wbtf_access_step *path,
		     size_t n, struct wbtf_access *out)
{
	memset(out, 0, sizeof(*out));
	size_t len = 0, i = 0;
	uint32_t root_idx = 0, id = root_id;
	if (n && !path[0].name)
		root_idx = path[i++].index;
	const struct btf_type *t = wbtf_skip_mods_typedefs(btf, id, &id);
	int64_t sz = t && root_id ? wbtf_resolve_size(btf, id) : -EINVAL;
	if (sz < 0) {
		wbtf_log("CO-RE access: type [%u] '%s' has no size", root_id,
			 wbtf_name(btf, root_id));
		return -EINVAL;
	}
	out->bit_offset = (uint64_t)root_idx * (uint64_t)sz * 8;
	int err = append(out, &len, root_idx);
	uint32_t cur = root_id, bitfield = 0, storage = 0;
	for (; i < n && !err; i++) {
		t = wbtf_skip_mods_typedefs(btf, cur, &id);
		if (!t)
			return -EINVAL;
		if (path[i].name) {
			struct path p = { .len = 0 };
			if (!wbtf_is_composite(t) || !find_member(btf, id, path[i].name, &p)) {
				wbtf_log("CO-RE access: type [%u] '%s' has no member '%s'", id,
					 wbtf_name(btf, id), path[i].name);
				return -ENOENT;
			}
			for (int k = 0; k < p.len && !err; k++) {
				err = append(out, &len, p.idx[k]);
				out->bit_offset += p.bits[k];
			}
			const struct btf_type *pt = wbtf_type_by_id(btf, p.parent);
			cur = wbtf_members(pt)[p.member].type;
			bitfield = wbtf_member_bitfield_size(pt, p.member);
			storage = 0;
			if (bitfield) {
				const struct btf_type *bt = wbtf_skip_mods_typedefs(btf, cur, NULL);
				storage = bt ? bt->size : 0;
			}
		} else {
			if (wbtf_kind(t) != BTF_KIND_ARRAY) {
				wbtf_log(
					"CO-RE access: index %u into [%u] '%s', which is not an array",
					path[i].index, id, wbtf_name(btf, id));
				return -EINVAL;
			}
			const struct btf_array *a = wbtf_array(t);
			if (a->nelems && path[i].index >= a->nelems) {
				wbtf_log("CO-RE access: index %u past the %u elements of [%u]",
					 path[i].index, a->nelems, id);
				return -ERANGE;
			}
			int64_t esz = wbtf_resolve_size(btf, a->type);
			if (esz < 0)
				return (int)esz;
			err = append(out, &len, path[i].index);
			out->bit_offset += (uint64_t)path[i].index * (uint64_t)esz * 8;
			cur = a->type;
			bitfield = storage = 0;
		}
	}
	if (err)
		return err;
	out->type_id = cur;
	out->bitfield_size = bitfield;
	if (bitfield) {
		out->byte_size = storage;
	} else {
		sz = wbtf_resolve_size(btf, cur);
		if (sz < 0)
			return (int)sz;
		out->byte_size = (uint32_t)sz;
	}
	return 0;
}
