/* Lookup by name: a hash index keyed by the CO-RE essential name (the name
 * less a ___flavour suffix), built on first use over all named types, so
 * exact-name lookups and CO-RE candidate searches share it. */
#include "btf/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t wbtf_essential_name_len(const char *name)
{
	size_t n = strlen(name);
	/* the last "x___y" separator, x and y not underscores */
	for (size_t i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;) {
		const char *s = name + i;
		if (s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_')
			return i + 1;
	}
	return n;
}

void wbtf_index_reset(struct wbtf *btf)
{
	free(btf->index.heads);
	free(btf->index.next);
	memset(&btf->index, 0, sizeof(btf->index));
}

static uint32_t hash_name(const char *s, size_t n)
{
	return w_hash_bytes(s, n);
}

static void build_index(struct wbtf *btf)
{
	struct wbtf_index *ix = &btf->index;
	uint32_t n = btf->offs.len, cap = 16;
	while (cap < n)
		cap <<= 1;
	wbtf_index_reset(btf);
	ix->cap = cap;
	ix->heads = xcalloc(cap, sizeof(uint32_t));
	ix->next = xcalloc(n ? n : 1, sizeof(uint32_t));
	/* insert backwards so that chains list ids in increasing order */
	for (uint32_t i = n; i-- > 0;) {
		const struct btf_type *t = (const void *)(btf->types.data + btf->offs.data[i]);
		const char *name = wbtf_str(btf, t->name_off);
		if (!name || !*name || wbtf_kind(t) == BTF_KIND_DECL_TAG)
			continue;
		uint32_t h = hash_name(name, wbtf_essential_name_len(name)) & (cap - 1);
		ix->next[i] = ix->heads[h];
		ix->heads[h] = btf->start_id + i;
	}
	ix->built = true;
	ix->nr = n;
}

/* Walks one object's chain for essential name ess[0..len). */
static int walk(struct wbtf *btf, const char *ess, size_t len, int kind, const char *exact,
		int (*fn)(void *ctx, uint32_t id), void *ctx)
{
	if (btf->base) {
		int r = walk(btf->base, ess, len, kind, exact, fn, ctx);
		if (r)
			return r;
	}
	if (!btf->offs.len)
		return 0;
	/* types added since the index was built make it stale */
	if (!btf->index.built || btf->index.nr != btf->offs.len)
		build_index(btf);
	struct wbtf_index *ix = &btf->index;
	for (uint32_t id = ix->heads[hash_name(ess, len) & (ix->cap - 1)]; id;
	     id = ix->next[id - btf->start_id]) {
		const struct btf_type *t = wbtf_type_by_id(btf, id);
		if (kind >= 0 && wbtf_kind(t) != (unsigned)kind)
			continue;
		const char *name = wbtf_str(btf, t->name_off);
		if (exact ? strcmp(name, exact) != 0
			  : (wbtf_essential_name_len(name) != len || memcmp(name, ess, len)))
			continue;
		int r = fn(ctx, id);
		if (r)
			return r;
	}
	return 0;
}

static int first(void *ctx, uint32_t id)
{
	*(uint32_t *)ctx = id;
	return 1;
}

int32_t wbtf_find_by_name_kind(struct wbtf *btf, const char *name, int kind)
{
	uint32_t id = 0;
	if (!name || !*name)
		return -ENOENT;
	walk(btf, name, wbtf_essential_name_len(name), kind, name, first, &id);
	return id ? (int32_t)id : -ENOENT;
}

int wbtf_for_each_essential(struct wbtf *btf, const char *ess, size_t len, int kind,
			    int (*fn)(void *ctx, uint32_t id), void *ctx)
{
	return walk(btf, ess, len, kind, NULL, fn, ctx);
}
