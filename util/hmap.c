/* Linear-probing hash map; grows at 70% load. */
#include "util/hmap.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static struct hmap_slot *find(const struct hmap *m, const char *key, uint32_t len, uint32_t h)
{
	uint32_t mask = m->cap - 1;
	for (uint32_t i = h & mask;; i = (i + 1) & mask) {
		struct hmap_slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && s->len == len && !memcmp(s->key, key, len)))
			return s;
	}
}

static void grow(struct hmap *m)
{
	struct hmap old = *m;
	m->cap = old.cap ? old.cap * 2 : 16;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	m->count = 0;
	for (uint32_t i = 0; i < old.cap; i++) {
		struct hmap_slot *o = &old.slots[i];
		if (o->key) {
			*find(m, o->key, o->len, o->hash) = *o;
			m->count++;
		}
	}
	free(old.slots);
}

bool hmap_get(const struct hmap *m, const char *key, size_t len, uintptr_t *val)
{
	if (!m->cap)
		return false;
	struct hmap_slot *s = find(m, key, (uint32_t)len, w_hash_bytes(key, len));
	if (!s->key)
		return false;
	if (val)
		*val = s->val;
	return true;
}

uintptr_t *hmap_slot(struct hmap *m, const char *key, size_t len, uintptr_t def, bool *inserted)
{
	if ((m->count + 1) * 10 >= m->cap * 7)
		grow(m);
	uint32_t h = w_hash_bytes(key, len);
	struct hmap_slot *s = find(m, key, (uint32_t)len, h);
	if (inserted)
		*inserted = !s->key;
	if (!s->key) {
		s->key = key;
		s->len = (uint32_t)len;
		s->hash = h;
		s->val = def;
		m->count++;
	}
	return &s->val;
}

void hmap_put(struct hmap *m, const char *key, size_t len, uintptr_t val)
{
	*hmap_slot(m, key, len, val, NULL) = val;
}

void hmap_free(struct hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->count = m->cap = 0;
}
