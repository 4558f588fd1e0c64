/* The BTF object: type records stored raw, as the kernel reads them, so a
 * parsed vmlinux costs two flat arrays; accessors, sizes and the log sink. */
#include "btf/internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct wbtf_kind_info wbtf_kinds[NR_BTF_KINDS] = {
#define KIND(name, extra, per_vlen, flags) [BTF_KIND_##name] = { #name, extra, per_vlen, flags },
#include "btf/kinds.def"
#undef KIND
};

static wbtf_log_fn log_fn;
static void *log_ctx;
static _Thread_local char last_error[512];

void wbtf_set_log(wbtf_log_fn fn, void *ctx)
{
	log_fn = fn;
	log_ctx = ctx;
}

const char *wbtf_last_error(void)
{
	return last_error;
}

void wbtf_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	if (log_fn)
		log_fn(log_ctx, last_error);
}

struct wbtf *wbtf_new(void)
{
	struct wbtf *btf = xcalloc(1, sizeof(*btf));
	btf->start_id = 1;
	strtab_init(&btf->strs);
	btf->strs_indexed = true;
	return btf;
}

struct wbtf *wbtf_new_split(struct wbtf *base)
{
	struct wbtf *btf = wbtf_new();
	btf->base = base;
	btf->start_id = wbtf_type_cnt(base);
	btf->start_str = wbtf_str_end(base);
	return btf;
}

void wbtf_free(struct wbtf *btf)
{
	if (!btf)
		return;
	buf_free(&btf->types);
	vec_free(&btf->offs);
	strtab_free(&btf->strs);
	wbtf_index_reset(btf);
	free(btf);
}

uint32_t wbtf_type_cnt(const struct wbtf *btf)
{
	return btf->start_id + btf->offs.len;
}

uint32_t wbtf_start_id(const struct wbtf *btf)
{
	return btf->start_id;
}

const struct wbtf *wbtf_base(const struct wbtf *btf)
{
	return btf->base;
}

static const struct btf_type void_type;

const struct btf_type *wbtf_type_by_id(const struct wbtf *btf, uint32_t id)
{
	if (id == 0)
		return &void_type;
	while (id < btf->start_id)
		btf = btf->base;
	if (id - btf->start_id >= btf->offs.len)
		return NULL;
	return (const struct btf_type *)(btf->types.data + btf->offs.data[id - btf->start_id]);
}

struct btf_type *wbtf_type_mut(struct wbtf *btf, uint32_t id)
{
	if (id < btf->start_id || id - btf->start_id >= btf->offs.len)
		return NULL;
	return (struct btf_type *)(btf->types.data + btf->offs.data[id - btf->start_id]);
}

const char *wbtf_str(const struct wbtf *btf, uint32_t off)
{
	while (off < btf->start_str)
		btf = btf->base;
	if (off - btf->start_str >= btf->strs.data.len)
		return NULL;
	return (const char *)btf->strs.data.data + (off - btf->start_str);
}

const char *wbtf_name(const struct wbtf *btf, uint32_t id)
{
	const struct btf_type *t = wbtf_type_by_id(btf, id);
	const char *s = t ? wbtf_str(btf, t->name_off) : NULL;
	return s ? s : "";
}

int64_t wbtf_enum_value(const struct btf_type *t, unsigned i)
{
	if (wbtf_kind(t) == BTF_KIND_ENUM) {
		int32_t v = wbtf_enums(t)[i].val;
		return wbtf_kflag(t) ? (int64_t)v : (int64_t)(uint32_t)v;
	}
	const struct btf_enum64 *e = &wbtf_enum64s(t)[i];
	return (int64_t)((uint64_t)e->val_hi32 << 32 | e->val_lo32);
}

const char *wbtf_kind_name(unsigned kind)
{
	return kind < NR_BTF_KINDS ? wbtf_kinds[kind].name : "UNKN";
}

bool wbtf_is_composite(const struct btf_type *t)
{
	return wbtf_kind(t) == BTF_KIND_STRUCT || wbtf_kind(t) == BTF_KIND_UNION;
}

bool wbtf_is_any_enum(const struct btf_type *t)
{
	return wbtf_kind(t) == BTF_KIND_ENUM || wbtf_kind(t) == BTF_KIND_ENUM64;
}

static bool is_mod(unsigned kind, bool typedefs)
{
	switch (kind) {
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return true;
	case BTF_KIND_TYPEDEF:
		return typedefs;
	default:
		return false;
	}
}

static const struct btf_type *skip(const struct wbtf *btf, uint32_t id, uint32_t *res_id,
				   bool typedefs)
{
	const struct btf_type *t = wbtf_type_by_id(btf, id);
	for (int depth = 0; t && is_mod(wbtf_kind(t), typedefs); depth++) {
		if (depth > WBTF_MAX_DEPTH * 8)
			return NULL;
		id = t->type;
		t = wbtf_type_by_id(btf, id);
	}
	if (res_id)
		*res_id = id;
	return t;
}

const struct btf_type *wbtf_skip_mods(const struct wbtf *btf, uint32_t id, uint32_t *res_id)
{
	return skip(btf, id, res_id, false);
}

const struct btf_type *wbtf_skip_mods_typedefs(const struct wbtf *btf, uint32_t id,
					       uint32_t *res_id)
{
	return skip(btf, id, res_id, true);
}

int64_t wbtf_resolve_size(const struct wbtf *btf, uint32_t id)
{
	uint64_t mult = 1;
	for (int depth = 0; depth < WBTF_MAX_DEPTH * 8; depth++) {
		const struct btf_type *t = wbtf_type_by_id(btf, id);
		if (!t)
			return -EINVAL;
		switch (wbtf_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_DATASEC:
		case BTF_KIND_FLOAT:
			if (t->size && mult > (uint64_t)INT64_MAX / t->size)
				return -E2BIG;
			return (int64_t)(mult * t->size);
		case BTF_KIND_PTR:
			return (int64_t)(mult * 8);
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
		case BTF_KIND_VAR:
			id = t->type;
			break;
		case BTF_KIND_ARRAY:
			if (wbtf_array(t)->nelems &&
			    mult > (uint64_t)INT64_MAX / wbtf_array(t)->nelems)
				return -E2BIG;
			mult *= wbtf_array(t)->nelems;
			id = wbtf_array(t)->type;
			break;
		default:
			return -EINVAL;
		}
	}
	return -ELOOP;
}

static int align_of(const struct wbtf *btf, uint32_t id, int depth)
{
	if (depth > WBTF_MAX_DEPTH)
		return -ELOOP;
	const struct btf_type *t = wbtf_skip_mods_typedefs(btf, id, &id);
	if (!t)
		return -EINVAL;
	switch (wbtf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
		return (int)MIN(t->size ? t->size : 1, 8);
	case BTF_KIND_PTR:
		return 8;
	case BTF_KIND_ARRAY:
		return align_of(btf, wbtf_array(t)->type, depth + 1);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		int align = 1;
		for (unsigned i = 0; i < wbtf_vlen(t); i++) {
			int a = align_of(btf, wbtf_members(t)[i].type, depth + 1);
			if (a < 0)
				return a;
			align = MAX(align, a);
		}
		return align;
	}
	default:
		return -EINVAL;
	}
}

int wbtf_align_of(const struct wbtf *btf, uint32_t id)
{
	return align_of(btf, id, 0);
}
