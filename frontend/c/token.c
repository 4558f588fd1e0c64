/* Token kind names and the identifier table (interning with a chained hash
 * table whose nodes and names live in the preprocessor's arena). */
#include "frontend/c/lex.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[T_COUNT] = {
#define TK(name, desc) [T_##name] = desc,
#define PUNCT(name, spelling) [T_##name] = "'" spelling "'",
#define KW(name, spelling) [T_##name] = "'" spelling "'",
#include "frontend/c/tokens.def"
#undef TK
#undef PUNCT
#undef KW
};

static const char *const kind_spellings[T_COUNT] = {
#define TK(name, desc)
#define PUNCT(name, spelling) [T_##name] = spelling,
#define KW(name, spelling) [T_##name] = spelling,
#include "frontend/c/tokens.def"
#undef TK
#undef PUNCT
#undef KW
};

const char *tok_kind_name(enum tok_kind k)
{
	return (unsigned)k < T_COUNT ? kind_names[k] : "?";
}

const char *tok_kind_spelling(enum tok_kind k)
{
	return (unsigned)k < T_COUNT ? kind_spellings[k] : NULL;
}

void ident_table_init(struct ident_table *t, struct arena *a)
{
	memset(t, 0, sizeof(*t));
	t->arena = a;
	t->mask = 4095;
	t->buckets = xcalloc(t->mask + 1, sizeof(*t->buckets));
	/* keywords know their kind from the start */
	for (int k = T_FIRST_KW; k < T_COUNT; k++)
		ident_intern(t, kind_spellings[k], strlen(kind_spellings[k]))->kw = (uint16_t)k;
}

void ident_table_free(struct ident_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
}

/* FNV's low bits are weak: fold the high half in before masking. */
static inline uint32_t bucket_of(uint32_t hash, uint32_t mask)
{
	return (hash ^ (hash >> 15)) & mask;
}

static void grow(struct ident_table *t)
{
	uint32_t ncap = (t->mask + 1) * 2;
	struct pp_ident **nb = xcalloc(ncap, sizeof(*nb));
	for (uint32_t i = 0; i <= t->mask; i++) {
		struct pp_ident *id = t->buckets[i], *next;
		for (; id; id = next) {
			next = id->next;
			uint32_t b = bucket_of(id->hash, ncap - 1);
			id->next = nb[b];
			nb[b] = id;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->mask = ncap - 1;
}

struct pp_ident *ident_intern_hashed(struct ident_table *t, const char *s, size_t len,
				     uint32_t hash)
{
	struct pp_ident **slot = &t->buckets[bucket_of(hash, t->mask)];
	for (struct pp_ident *id = *slot; id; id = id->next)
		if (id->hash == hash && id->len == len && !memcmp(id->name, s, len))
			return id;
	if (t->count >= t->mask / 2) {
		grow(t);
		slot = &t->buckets[bucket_of(hash, t->mask)];
	}
	struct pp_ident *id = arena_new(t->arena, struct pp_ident);
	id->name = arena_strndup(t->arena, s, len);
	id->len = (uint32_t)len;
	id->hash = hash;
	id->next = *slot;
	*slot = id;
	t->count++;
	return id;
}

struct pp_ident *ident_intern(struct ident_table *t, const char *s, size_t len)
{
	uint32_t h = IDENT_HASH_INIT;
	for (size_t i = 0; i < len; i++)
		h = IDENT_HASH_STEP(h, s[i]);
	return ident_intern_hashed(t, s, len, h);
}
