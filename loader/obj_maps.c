/* The maps of an object: BTF-defined maps in .maps (inner-map templates and
 * initial values of map-in-maps and prog arrays), the legacy `maps`
 * section, and one array map per global-data section.  At load: creation
 * (or reuse of a compatible pinned or given map), initial contents, freezing,
 * pinning, mmap of global data; and the accessors. */
#include "loader/obj.h"

#include "elf/elf_bpf.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PIN_BY_NAME 1 /* LIBBPF_PIN_BY_NAME */

static struct wl_obj_map *map_new(struct wl_object *obj, const char *name, enum obj_map_kind kind)
{
	struct wl_obj_map *m = xcalloc(1, sizeof(*m));
	m->obj = obj;
	m->name = arena_strdup(&obj->arena, name);
	m->kname = m->name;
	m->kind = kind;
	m->sec = -1;
	return m;
}

void obj_free_map(struct wl_obj_map *m)
{
	if (!m)
		return;
	obj_free_map(m->inner);
	wl_map_destroy(m->map);
	wl_close(m->reuse_fd);
	vec_free(&m->init);
	free(m->pin_path);
	free(m->data);
	free(m);
}

/* ---- BTF-defined maps --------------------------------------------------- */

/* `int (*name)[N]` gives N. */
static int int_attr(struct wl_object *obj, const char *map, const char *attr, uint32_t type_id,
		    uint32_t *val)
{
	const struct btf_type *t = wbtf_skip_mods_typedefs(obj->btf, type_id, NULL);
	const struct btf_type *a = t && wbtf_kind(t) == BTF_KIND_PTR
					   ? wbtf_skip_mods_typedefs(obj->btf, t->type, NULL)
					   : NULL;
	if (!a || wbtf_kind(a) != BTF_KIND_ARRAY) {
		obj_warn(obj, "map '%s': attribute '%s' is not declared as __uint(%s, N)", map,
			 attr, attr);
		return -EINVAL;
	}
	*val = wbtf_array(a)->nelems;
	return 0;
}

/* `T *key` gives T's id and size. */
static int type_attr(struct wl_object *obj, const char *map, const char *attr, uint32_t type_id,
		     uint32_t *id, uint32_t *size)
{
	const struct btf_type *t = wbtf_skip_mods_typedefs(obj->btf, type_id, NULL);
	if (!t || wbtf_kind(t) != BTF_KIND_PTR) {
		obj_warn(obj, "map '%s': attribute '%s' is not declared as __type(%s, T)", map,
			 attr, attr);
		return -EINVAL;
	}
	int64_t sz = wbtf_resolve_size(obj->btf, t->type);
	if (sz <= 0 || sz > UINT32_MAX) {
		obj_warn(obj, "map '%s': %s type [%u] has no usable size", map, attr, t->type);
		return -EINVAL;
	}
	*id = t->type;
	*size = (uint32_t)sz;
	return 0;
}

static bool is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static int parse_map_def(struct wl_object *obj, struct wl_obj_map *m, uint32_t struct_id,
			 int depth);

/* `__array(values, struct inner)` or `__array(values, int (void *))`. */
static int values_attr(struct wl_object *obj, struct wl_obj_map *m, const struct btf_type *st,
		       unsigned i, int depth)
{
	const struct btf_member *mb = &wbtf_members(st)[i];
	const struct btf_type *a = wbtf_skip_mods_typedefs(obj->btf, mb->type, NULL);
	const struct btf_type *p =
		a && wbtf_kind(a) == BTF_KIND_ARRAY
			? wbtf_skip_mods_typedefs(obj->btf, wbtf_array(a)->type, NULL)
			: NULL;
	uint32_t tid = 0;
	const struct btf_type *v = p && wbtf_kind(p) == BTF_KIND_PTR
					   ? wbtf_skip_mods_typedefs(obj->btf, p->type, &tid)
					   : NULL;
	if (!v || (wbtf_kind(v) != BTF_KIND_STRUCT && wbtf_kind(v) != BTF_KIND_FUNC_PROTO)) {
		obj_warn(obj, "map '%s': 'values' is not declared as __array(values, T)", m->name);
		return -EINVAL;
	}
	m->values_off = wbtf_member_bit_offset(st, i) / 8;
	if (wbtf_kind(v) == BTF_KIND_FUNC_PROTO) {
		if (m->type != BPF_MAP_TYPE_PROG_ARRAY) {
			obj_warn(obj, "map '%s': program values need a prog_array map", m->name);
			return -EINVAL;
		}
		return 0;
	}
	if (!is_map_in_map(m->type)) {
		obj_warn(obj, "map '%s': inner map values need an array_of_maps or hash_of_maps",
			 m->name);
		return -EINVAL;
	}
	if (depth > 0) {
		obj_warn(obj, "map '%s': an inner map cannot hold maps", m->name);
		return -EINVAL;
	}
	char *iname = xasprintf("%s.inner", m->name);
	m->inner = map_new(obj, iname, MK_USER);
	free(iname);
	m->inner->is_inner = true;
	return parse_map_def(obj, m->inner, tid, depth + 1);
}

static int parse_map_def(struct wl_object *obj, struct wl_obj_map *m, uint32_t struct_id, int depth)
{
	const struct btf_type *st = wbtf_skip_mods_typedefs(obj->btf, struct_id, NULL);
	if (!st || wbtf_kind(st) != BTF_KIND_STRUCT) {
		obj_warn(obj, "map '%s': definition is not a struct", m->name);
		return -EINVAL;
	}
	uint32_t key_size = 0, value_size = 0;
	int values_idx = -1;
	for (unsigned i = 0; i < wbtf_vlen(st); i++) {
		const struct btf_member *mb = &wbtf_members(st)[i];
		const char *n = wbtf_str(obj->btf, mb->name_off);
		int r = 0;
		if (!n || !*n) {
			obj_warn(obj, "map '%s': anonymous member %u in the definition", m->name,
				 i);
			return -EINVAL;
		}
		if (!strcmp(n, "type"))
			r = int_attr(obj, m->name, n, mb->type, &m->type);
		else if (!strcmp(n, "max_entries"))
			r = int_attr(obj, m->name, n, mb->type, &m->max_entries);
		else if (!strcmp(n, "map_flags"))
			r = int_attr(obj, m->name, n, mb->type, &m->flags);
		else if (!strcmp(n, "numa_node"))
			r = int_attr(obj, m->name, n, mb->type, &m->numa_node);
		else if (!strcmp(n, "key_size"))
			r = int_attr(obj, m->name, n, mb->type, &key_size);
		else if (!strcmp(n, "value_size"))
			r = int_attr(obj, m->name, n, mb->type, &value_size);
		else if (!strcmp(n, "pinning"))
			r = int_attr(obj, m->name, n, mb->type, &m->pinning);
		else if (!strcmp(n, "map_extra")) {
			uint32_t v = 0;
			r = int_attr(obj, m->name, n, mb->type, &v);
			m->map_extra = v;
		} else if (!strcmp(n, "key"))
			r = type_attr(obj, m->name, n, mb->type, &m->btf_key_id, &m->key_size);
		else if (!strcmp(n, "value"))
			r = type_attr(obj, m->name, n, mb->type, &m->btf_value_id, &m->value_size);
		else if (!strcmp(n, "values"))
			values_idx = (int)i;
		else {
			obj_warn(obj, "map '%s': unknown attribute '%s'", m->name, n);
			return -EINVAL;
		}
		if (r < 0)
			return r;
	}
	if (!m->type) {
		obj_warn(obj, "map '%s': no map type (__uint(type, BPF_MAP_TYPE_...))", m->name);
		return -EINVAL;
	}
	if (key_size) {
		if (m->btf_key_id && key_size != m->key_size) {
			obj_warn(obj, "map '%s': key_size %u contradicts the key type's size %u",
				 m->name, key_size, m->key_size);
			return -EINVAL;
		}
		m->key_size = key_size;
	}
	if (value_size) {
		if (m->btf_value_id && value_size != m->value_size) {
			obj_warn(obj,
				 "map '%s': value_size %u contradicts the value type's size %u",
				 m->name, value_size, m->value_size);
			return -EINVAL;
		}
		m->value_size = value_size;
	}
	if (values_idx >= 0) {
		int r = values_attr(obj, m, st, (unsigned)values_idx, depth);
		if (r < 0)
			return r;
	}
	if (is_map_in_map(m->type) || m->type == BPF_MAP_TYPE_PROG_ARRAY) {
		/* values are fds (ids on lookup) */
		if (m->value_size && m->value_size != 4) {
			obj_warn(obj, "map '%s': values of a %s map are 4-byte fds, not %u bytes",
				 m->name, wl_map_type_name(m->type), m->value_size);
			return -EINVAL;
		}
		m->value_size = 4;
		m->btf_value_id = 0;
	}
	if (is_map_in_map(m->type) && !m->inner) {
		obj_warn(obj, "map '%s': a map-in-map needs __array(values, struct inner)",
			 m->name);
		return -EINVAL;
	}
	if (m->pinning > PIN_BY_NAME) {
		obj_warn(obj, "map '%s': pinning %u is not supported (0 or LIBBPF_PIN_BY_NAME)",
			 m->name, m->pinning);
		return -EINVAL;
	}
	if (m->pinning == PIN_BY_NAME)
		m->pin_path = xasprintf("%s/%s", obj->pin_root, m->name);
	return 0;
}

static const struct elfr_symbol *find_sym_in(const struct wl_object *obj, const char *name, int sec)
{
	size_t n = elfr_symbol_count(obj->elf);
	for (size_t i = 1; i < n; i++) {
		const struct elfr_symbol *s = elfr_symbol(obj->elf, i);
		if (s->shndx == sec && s->type != STT_SECTION && !strcmp(s->name, name))
			return s;
	}
	return NULL;
}

static int collect_btf_maps(struct wl_object *obj, const struct elfr_section *sec)
{
	if (!obj->btf) {
		obj_warn(obj, "section '.maps' needs BTF (compile with -g)");
		return -EINVAL;
	}
	int ds = wbtf_find_by_name_kind(obj->btf, ".maps", BTF_KIND_DATASEC);
	if (ds < 0) {
		obj_warn(obj, "section '.maps' has no DATASEC in .BTF");
		return -EINVAL;
	}
	const struct btf_type *t = wbtf_type_by_id(obj->btf, (uint32_t)ds);
	for (unsigned i = 0; i < wbtf_vlen(t); i++) {
		const struct btf_var_secinfo *vs = &wbtf_secinfos(t)[i];
		const struct btf_type *v = wbtf_type_by_id(obj->btf, vs->type);
		if (!v || wbtf_kind(v) != BTF_KIND_VAR) {
			obj_warn(obj, ".maps: entry %u is not a variable", i);
			return -EINVAL;
		}
		const char *name = wbtf_name(obj->btf, vs->type);
		if (wbtf_var(v)->linkage == BTF_VAR_GLOBAL_EXTERN)
			return obj_unlinked_extern(obj, name, "map");
		const struct elfr_symbol *s = find_sym_in(obj, name, (int)sec->index);
		if (!s) {
			obj_warn(obj, "map '%s': no symbol in section '.maps'", name);
			return -EINVAL;
		}
		if (s->value > sec->size || s->size > sec->size - s->value ||
		    s->size > UINT32_MAX) {
			obj_warn(obj, "map '%s': definition at 0x%lx (size %lu) beyond '.maps'",
				 name, (unsigned long)s->value, (unsigned long)s->size);
			return -EINVAL;
		}
		struct wl_obj_map *m = map_new(obj, name, MK_USER);
		vec_push(&obj->maps, m);
		m->sec = (int)sec->index;
		m->sec_off = s->value;
		m->sec_size = (uint32_t)s->size;
		int r = parse_map_def(obj, m, v->type, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* struct bpf_map_def { type, key_size, value_size, max_entries, map_flags }. */
static int collect_legacy_maps(struct wl_object *obj, const struct elfr_section *sec)
{
	size_t n = elfr_symbol_count(obj->elf), cnt = 0;
	for (size_t i = 1; i < n; i++) {
		const struct elfr_symbol *s = elfr_symbol(obj->elf, i);
		cnt += s->shndx == sec->index && s->type != STT_SECTION;
	}
	if (!cnt || !sec->data)
		return 0;
	uint64_t def = sec->size / cnt;
	if (def < 20 || def % 4) {
		obj_warn(obj,
			 "section 'maps': %zu maps in %lu bytes is not a struct bpf_map_def "
			 "array",
			 cnt, (unsigned long)sec->size);
		return -EINVAL;
	}
	for (size_t i = 1; i < n; i++) {
		const struct elfr_symbol *s = elfr_symbol(obj->elf, i);
		if (s->shndx != sec->index || s->type == STT_SECTION)
			continue;
		if (s->value % def || s->value > sec->size - def) {
			obj_warn(obj, "map '%s': legacy definition at 0x%lx is misplaced", s->name,
				 (unsigned long)s->value);
			return -EINVAL;
		}
		uint32_t f[5];
		memcpy(f, sec->data + s->value, sizeof(f));
		struct wl_obj_map *m = map_new(obj, s->name, MK_USER);
		vec_push(&obj->maps, m);
		m->sec = (int)sec->index;
		m->sec_off = s->value;
		m->sec_size = (uint32_t)def;
		m->type = f[0];
		m->key_size = f[1];
		m->value_size = f[2];
		m->max_entries = f[3];
		m->flags = f[4];
		if (is_map_in_map(m->type)) {
			obj_warn(obj, "map '%s': legacy map-in-map definitions are not supported",
				 s->name);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/* Kernel map names: up to 15 of [A-Za-z0-9_.]; "obj.bss" style for data. */
static const char *data_map_kname(struct wl_object *obj, const char *sec)
{
	char buf[16];
	size_t sl = strlen(sec), pl = strlen(obj->name);
	if (pl > 8)
		pl = 8;
	if (sl >= 15)
		pl = 0;
	else if (pl + sl > 15)
		pl = 15 - sl;
	snprintf(buf, sizeof(buf), "%.*s%s", (int)pl, obj->name, sec);
	for (char *c = buf; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.')
			*c = '_';
	return arena_strdup(&obj->arena, buf);
}

static enum obj_map_kind data_kind(const char *n)
{
	static const struct {
		const char *pfx;
		enum obj_map_kind kind;
	} k[] = { { ".rodata", MK_RODATA }, { ".data", MK_DATA }, { ".bss", MK_BSS } };
	for (size_t i = 0; i < ARRAY_LEN(k); i++) {
		size_t l = strlen(k[i].pfx);
		if (!strncmp(n, k[i].pfx, l) && (!n[l] || n[l] == '.'))
			return k[i].kind;
	}
	return MK_USER;
}

static int collect_data_map(struct wl_object *obj, const struct elfr_section *s)
{
	enum obj_map_kind kind = data_kind(s->name);
	if (kind == MK_USER || !(s->flags & SHF_ALLOC) || (s->flags & SHF_EXECINSTR) || !s->size ||
	    (s->type != SHT_PROGBITS && s->type != SHT_NOBITS))
		return 0;
	if (s->size > (1u << 30)) {
		obj_warn(obj, "section '%s': %lu bytes of global data are too many", s->name,
			 (unsigned long)s->size);
		return -E2BIG;
	}
	struct wl_obj_map *m = map_new(obj, s->name, kind);
	vec_push(&obj->maps, m);
	m->kname = data_map_kname(obj, s->name);
	m->sec = (int)s->index;
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = (uint32_t)s->size;
	m->max_entries = 1;
	m->flags = KABI_F_MMAPABLE | (kind == MK_RODATA ? BPF_F_RDONLY_PROG : 0);
	m->data = xcalloc(1, s->size);
	if (s->type == SHT_PROGBITS && s->data)
		memcpy(m->data, s->data, s->size);
	if (obj->btf) {
		int ds = wbtf_find_by_name_kind(obj->btf, s->name, BTF_KIND_DATASEC);
		m->btf_value_id = ds > 0 ? (uint32_t)ds : 0;
	}
	return 0;
}

int obj_collect_maps(struct wl_object *obj)
{
	size_t n = elfr_section_count(obj->elf);
	for (size_t i = 1; i < n; i++) {
		const struct elfr_section *s = elfr_section(obj->elf, i);
		int r = 0;
		if (!strcmp(s->name, ".maps") && s->type == SHT_PROGBITS) {
			obj->maps_sec = (int)i;
			r = collect_btf_maps(obj, s);
		} else if (!strcmp(s->name, "maps") && s->type == SHT_PROGBITS) {
			obj->legacy_maps_sec = (int)i;
			r = collect_legacy_maps(obj, s);
		} else {
			r = collect_data_map(obj, s);
		}
		if (r < 0)
			return r;
	}
	for (uint32_t i = 0; i < obj->maps.len; i++)
		for (uint32_t k = 0; k < i; k++)
			if (!strcmp(obj->maps.data[i]->name, obj->maps.data[k]->name)) {
				obj_warn(obj, "two maps are named '%s'", obj->maps.data[i]->name);
				return -EINVAL;
			}
	return 0;
}

struct wl_obj_map *obj_new_kconfig_map(struct wl_object *obj, uint32_t size)
{
	struct wl_obj_map *m = map_new(obj, ".kconfig", MK_KCONFIG);
	vec_push(&obj->maps, m);
	m->kname = data_map_kname(obj, ".kconfig");
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = size;
	m->max_entries = 1;
	m->flags = KABI_F_MMAPABLE | BPF_F_RDONLY_PROG;
	m->data = xcalloc(1, size);
	if (obj->btf) {
		int ds = wbtf_find_by_name_kind(obj->btf, ".kconfig", BTF_KIND_DATASEC);
		m->btf_value_id = ds > 0 ? (uint32_t)ds : 0;
	}
	return m;
}

int obj_data_map_of_sec(const struct wl_object *obj, uint32_t sec)
{
	for (uint32_t i = 0; i < obj->maps.len; i++)
		if (obj->maps.data[i]->kind != MK_USER && obj->maps.data[i]->sec == (int)sec)
			return (int)i;
	return -1;
}

/* Initial values from .rel.maps: a pointer in a map's `values` array. */
int obj_collect_map_inits(struct wl_object *obj)
{
	if (obj->maps_sec < 0)
		return 0;
	const struct elfr_reloc *rel;
	size_t n = elfr_relocs(obj->elf, (size_t)obj->maps_sec, &rel);
	for (size_t i = 0; i < n; i++) {
		const struct elfr_symbol *s = elfr_symbol(obj->elf, rel[i].sym);
		struct wl_obj_map *m = obj_map_by_sec_off(obj, obj->maps_sec, rel[i].offset);
		if (!m || rel[i].type != R_BPF_64_ABS64) {
			obj_warn(obj,
				 ".rel.maps: relocation %zu (%s at 0x%lx) is not a map's initial "
				 "value",
				 i, elfr_reloc_type_name(rel[i].type),
				 (unsigned long)rel[i].offset);
			return -EINVAL;
		}
		uint64_t at = rel[i].offset - m->sec_off;
		if (!m->values_off || at < m->values_off || (at - m->values_off) % 8) {
			obj_warn(obj,
				 "map '%s': relocation against '%s' at offset %lu is not in its "
				 "values",
				 m->name, s->name, (unsigned long)at);
			return -EINVAL;
		}
		struct obj_map_init in = { .slot = (uint32_t)((at - m->values_off) / 8),
					   .name = s->name };
		if (m->type == BPF_MAP_TYPE_PROG_ARRAY) {
			int ci = obj_code_index(obj, s->shndx);
			int f = ci < 0 || s->value % 8
					? -1
					: obj_func_at(obj, (uint32_t)ci, (uint32_t)(s->value / 8));
			if (f < 0 || obj->funcs.data[f].prog < 0 ||
			    obj->funcs.data[f].off != s->value / 8) {
				obj_warn(obj, "map '%s': value %u '%s' is not a program", m->name,
					 in.slot, s->name);
				return -EINVAL;
			}
			in.is_prog = true;
			in.target = (uint32_t)f;
		} else {
			struct wl_obj_map *t = obj_map_by_sec_off(obj, s->shndx, s->value);
			if (!t || s->shndx != obj->maps_sec || t == m || t->sec_off != s->value) {
				obj_warn(obj, "map '%s': value %u '%s' is not a map", m->name,
					 in.slot, s->name);
				return -EINVAL;
			}
			for (uint32_t k = 0; k < obj->maps.len; k++)
				if (obj->maps.data[k] == t)
					in.target = k;
		}
		if (m->max_entries && in.slot >= m->max_entries) {
			obj_warn(obj, "map '%s': initial value %u beyond max_entries %u", m->name,
				 in.slot, m->max_entries);
			return -EINVAL;
		}
		vec_push(&m->init, in);
	}
	return 0;
}

/* ---- creation ----------------------------------------------------------- */

static bool needs_btf(uint32_t type)
{
	return type == BPF_MAP_TYPE_SK_STORAGE || type == BPF_MAP_TYPE_INODE_STORAGE ||
	       type == BPF_MAP_TYPE_TASK_STORAGE || type == KABI_MAP_TYPE_CGRP_STORAGE;
}

static int create_map(struct wl_object *obj, struct wl_obj_map *m, int inner_fd,
		      struct wl_map **out)
{
	uint32_t max_entries = m->max_entries;
	if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !max_entries) {
		/* one slot per CPU, as libbpf sizes it */
		int n = wl_num_possible_cpus();
		max_entries = n > 0 ? (uint32_t)n : 1;
	}
	struct wl_map_opts o = { .name = m->kname,
				 .type = m->type,
				 .key_size = m->key_size,
				 .value_size = m->value_size,
				 .max_entries = max_entries,
				 .flags = m->flags,
				 .inner_map_fd = inner_fd,
				 .map_extra = m->map_extra,
				 .numa_node = (int)m->numa_node };
	bool with_btf = obj->btf_fd >= 0 && m->btf_value_id &&
			(m->btf_key_id || m->kind != MK_USER || needs_btf(m->type));
	if (with_btf) {
		o.btf_fd = obj->btf_fd;
		o.btf_key_type_id = m->btf_key_id;
		o.btf_value_type_id = m->btf_value_id;
		int r = wl_map_create_q(&o, !needs_btf(m->type), out);
		if (r >= 0 || needs_btf(m->type))
			return r;
		wl_debug("map '%s': kernel refused its BTF (%s), retrying without", m->name,
			 wl_errstr(r));
		o.btf_fd = 0;
		o.btf_key_type_id = o.btf_value_type_id = 0;
	}
	return wl_map_create(&o, out);
}

/* Adopts fd (ours to close) as m's kernel map when its shape matches;
 * `where` names it for messages. */
static int adopt_map(struct wl_object *obj, struct wl_obj_map *m, int fd, const char *where)
{
	struct bpf_map_info info;
	memset(&info, 0, sizeof(info));
	uint32_t len = sizeof(info);
	int r = wl_sys_obj_info(fd, &info, &len);
	const char *what = NULL;
	if (r < 0)
		what = "not a map";
	else if (info.type != m->type)
		what = "type";
	else if (info.key_size != m->key_size)
		what = "key_size";
	else if (info.value_size != m->value_size)
		what = "value_size";
	else if (info.max_entries != m->max_entries)
		what = "max_entries";
	else if (info.map_flags != m->flags)
		what = "map_flags";
	if (what) {
		obj_warn(obj, "map '%s': %s is incompatible (%s differs)", m->name, where, what);
		wl_close(fd);
		return -EINVAL;
	}
	r = wl_map_from_fd(fd, m->name, &m->map);
	if (r < 0) {
		wl_close(fd);
		return r;
	}
	m->reused = true;
	obj_debug(obj, "map '%s': reusing %s", m->name, where);
	return 1;
}

static int reuse_pinned(struct wl_object *obj, struct wl_obj_map *m)
{
	int fd = wl_sys_obj_get(m->pin_path, 0);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		obj_warn(obj, "map '%s': cannot open pinned '%s': %s", m->name, m->pin_path,
			 wl_errstr(fd));
		return fd;
	}
	char *where = xasprintf("pinned map at '%s'", m->pin_path);
	int r = adopt_map(obj, m, fd, where);
	free(where);
	return r;
}

/* The map given to wl_obj_map_reuse: 1 when adopted. */
static int reuse_given(struct wl_object *obj, struct wl_obj_map *m)
{
	if (!m->reuse_fd)
		return 0;
	int fd = wl_dup(m->reuse_fd);
	if (fd < 0) {
		obj_warn(obj, "map '%s': cannot duplicate the map to reuse: %s", m->name,
			 wl_errstr(fd));
		return fd;
	}
	return adopt_map(obj, m, fd, "the map given to reuse");
}

static int fill_inner_maps(struct wl_object *obj, struct wl_obj_map *m)
{
	vec_foreach (&m->init, in) {
		struct wl_obj_map *t = obj->maps.data[in->target];
		int fd = wl_map_fd(t->map);
		int r = wl_map_update(m->map, &in->slot, &fd, 0);
		if (r < 0) {
			obj_warn(obj, "map '%s': setting slot %u to map '%s' failed: %s", m->name,
				 in->slot, t->name, wl_errstr(r));
			return r;
		}
	}
	return 0;
}

static int create_user_map(struct wl_object *obj, struct wl_obj_map *m)
{
	int given = reuse_given(obj, m);
	if (given)
		return given < 0 ? given : 0;
	if (m->pin_path) {
		int r = reuse_pinned(obj, m);
		if (r)
			return r < 0 ? r : 0;
	}
	int inner_fd = 0;
	struct wl_map *tmpl = NULL;
	if (m->inner) {
		/* a template that only gives the kernel the inner maps' shape */
		int r = create_map(obj, m->inner, 0, &tmpl);
		if (r < 0) {
			obj_warn(obj, "map '%s': creating its inner map template failed", m->name);
			return r;
		}
		inner_fd = wl_map_fd(tmpl);
	}
	int r = create_map(obj, m, inner_fd, &m->map);
	wl_map_destroy(tmpl);
	if (r < 0)
		return r;
	if (is_map_in_map(m->type))
		return fill_inner_maps(obj, m);
	return 0;
}

static int create_data_map(struct wl_object *obj, struct wl_obj_map *m)
{
	void *addr;
	size_t size;
	int r = reuse_given(obj, m);
	if (r)
		return r < 0 ? r : wl_map_mmap(m->map, &addr, &size);
	r = create_map(obj, m, 0, &m->map);
	if (r < 0)
		return r;
	uint32_t zero = 0;
	r = wl_map_update(m->map, &zero, m->data, 0);
	if (r < 0) {
		obj_warn(obj, "map '%s': setting its initial contents failed: %s", m->name,
			 wl_errstr(r));
		return r;
	}
	if (m->kind == MK_RODATA || m->kind == MK_KCONFIG) {
		r = wl_map_freeze(m->map);
		if (r < 0)
			return r;
	}
	return wl_map_mmap(m->map, &addr, &size);
}

int obj_create_maps(struct wl_object *obj)
{
	/* inner maps of map-in-maps must exist before their outer maps */
	for (int pass = 0; pass < 2; pass++) {
		vec_foreach (&obj->maps, mp) {
			struct wl_obj_map *m = *mp;
			if ((pass == 1) != is_map_in_map(m->type))
				continue;
			int r = m->kind == MK_USER ? create_user_map(obj, m)
						   : create_data_map(obj, m);
			if (r < 0)
				return r;
		}
	}
	vec_foreach (&obj->maps, mp) {
		struct wl_obj_map *m = *mp;
		if (m->pin_path && !m->reused) {
			int r = wl_map_pin(m->map, m->pin_path);
			if (r < 0)
				return r;
			m->pinned = true;
		}
	}
	return 0;
}

int obj_init_map_slots(struct wl_object *obj)
{
	vec_foreach (&obj->maps, mp) {
		struct wl_obj_map *m = *mp;
		if (m->type != BPF_MAP_TYPE_PROG_ARRAY || m->reused)
			continue;
		vec_foreach (&m->init, in) {
			const struct obj_func *f = &obj->funcs.data[in->target];
			struct wl_program *p = obj->progs.data[f->prog];
			if (!p->prog) { /* autoload off: the slot stays empty */
				obj_debug(obj,
					  "map '%s': slot %u left empty: program '%s' is not "
					  "loaded",
					  m->name, in->slot, p->name);
				continue;
			}
			int fd = wl_prog_fd(p->prog);
			int r = wl_map_update(m->map, &in->slot, &fd, 0);
			if (r < 0) {
				obj_warn(obj,
					 "map '%s': setting slot %u to program '%s' failed: %s",
					 m->name, in->slot, p->name, wl_errstr(r));
				return r;
			}
		}
	}
	return 0;
}

/* ---- global variables ---------------------------------------------------- */

void *wl_object_global(struct wl_object *obj, const char *name, size_t *size)
{
	struct wl_obj_map *m = NULL;
	uint64_t off = 0, sz = 0;
	size_t n = elfr_symbol_count(obj->elf);
	for (size_t i = 1; i < n && !m; i++) {
		const struct elfr_symbol *s = elfr_symbol(obj->elf, i);
		if (s->type == STT_SECTION || s->type == STT_FUNC || strcmp(s->name, name))
			continue;
		int mi = s->shndx == SHN_UNDEF ? -1 : obj_data_map_of_sec(obj, s->shndx);
		if (mi >= 0) {
			m = obj->maps.data[mi];
			off = s->value;
			sz = s->size;
		}
	}
	if (!m && obj->kconfig_map >= 0) {
		vec_foreach (&obj->externs, e)
			if (e->kind == EXT_KCFG && !strcmp(e->name, name)) {
				m = obj->maps.data[obj->kconfig_map];
				off = e->off;
				sz = e->size;
			}
	}
	if (!m || off > m->value_size || sz > m->value_size - off)
		return NULL;
	if (size)
		*size = (size_t)sz;
	if (!m->map)
		return m->data + off;
	void *addr;
	size_t len;
	if (wl_map_mmap(m->map, &addr, &len) < 0)
		return NULL;
	return (char *)addr + off;
}

/* ---- pinning ---------------------------------------------------------- */

static char *pin_name(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	for (char *c = p + strlen(dir) + 1; *c; c++)
		if (*c == '.' || *c == '/')
			*c = '_';
	return p;
}

int wl_object_pin_maps(struct wl_object *obj, const char *dir)
{
	vec_foreach (&obj->maps, mp) {
		if (!(*mp)->map)
			continue;
		char *path = pin_name(dir, (*mp)->name);
		int r = wl_map_pin((*mp)->map, path);
		free(path);
		if (r < 0)
			return r;
	}
	return 0;
}

int wl_object_pin_programs(struct wl_object *obj, const char *dir)
{
	vec_foreach (&obj->progs, pp) {
		if (!(*pp)->prog)
			continue;
		char *path = pin_name(dir, (*pp)->name);
		int r = wl_prog_pin((*pp)->prog, path);
		free(path);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- accessors ---------------------------------------------------------- */

const char *wl_obj_map_name(const struct wl_obj_map *m)
{
	return m->name;
}

uint32_t wl_obj_map_type(const struct wl_obj_map *m)
{
	return m->type;
}

uint32_t wl_obj_map_key_size(const struct wl_obj_map *m)
{
	return m->key_size;
}

uint32_t wl_obj_map_value_size(const struct wl_obj_map *m)
{
	return m->value_size;
}

uint32_t wl_obj_map_max_entries(const struct wl_obj_map *m)
{
	return m->map ? wl_map_max_entries(m->map) : m->max_entries;
}

uint32_t wl_obj_map_flags(const struct wl_obj_map *m)
{
	return m->flags;
}

bool wl_obj_map_is_internal(const struct wl_obj_map *m)
{
	return m->kind != MK_USER;
}

int wl_obj_map_set_max_entries(struct wl_obj_map *m, uint32_t n)
{
	if (m->obj->loaded || m->kind != MK_USER)
		return -EBUSY;
	m->max_entries = n;
	return 0;
}

int wl_obj_map_set_pin_path(struct wl_obj_map *m, const char *path)
{
	if (m->obj->loaded)
		return -EBUSY;
	free(m->pin_path);
	m->pin_path = path ? xstrdup(path) : NULL;
	return 0;
}

int wl_obj_map_reuse(struct wl_obj_map *m, const struct wl_map *map)
{
	if (m->obj->loaded)
		return -EBUSY;
	int fd = 0;
	if (map) {
		fd = wl_dup(wl_map_fd(map));
		if (fd < 0)
			return fd;
	}
	wl_close(m->reuse_fd);
	m->reuse_fd = fd;
	return 0;
}

const char *wl_obj_map_pin_path(const struct wl_obj_map *m)
{
	return m->pin_path;
}

bool wl_obj_map_reused(const struct wl_obj_map *m)
{
	return m->reused;
}

void *wl_obj_map_initial_value(struct wl_obj_map *m, size_t *size)
{
	if (!m->data)
		return NULL;
	if (size)
		*size = m->value_size;
	return m->data;
}

struct wl_map *wl_obj_map_map(const struct wl_obj_map *m)
{
	return m->map;
}

int wl_obj_map_fd(const struct wl_obj_map *m)
{
	return m->map ? wl_map_fd(m->map) : -1;
}
