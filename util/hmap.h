/* Open-addressing hash map from byte-string keys to a uintptr_t value.
 * Keys are not copied: they must outlive the map (arena strings, sources). */
#ifndef WHISTLER_HMAP_H
#define WHISTLER_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hmap_slot {
	const char *key;
	uint32_t len, hash;
	uintptr_t val;
};

struct hmap {
	struct hmap_slot *slots;
	uint32_t count, cap; /* cap is a power of two */
};

/* Returns true and sets *val when found. */
bool hmap_get(const struct hmap *m, const char *key, size_t len, uintptr_t *val);
/* Inserts or replaces. */
void hmap_put(struct hmap *m, const char *key, size_t len, uintptr_t val);
/* Returns a pointer to the value slot, inserting `def` if missing. */
uintptr_t *hmap_slot(struct hmap *m, const char *key, size_t len, uintptr_t def, bool *inserted);
void hmap_free(struct hmap *m);

static inline bool hmap_gets(const struct hmap *m, const char *s, uintptr_t *val)
{
	return hmap_get(m, s, strlen(s), val);
}

#define hmap_foreach(m, it)                                                                        \
	for (struct hmap_slot *it = (m)->slots; (m)->slots && it < (m)->slots + (m)->cap; it++)   \
		if (it->key)

#endif
