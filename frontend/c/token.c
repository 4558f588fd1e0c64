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

/* Written before it is read: calloc's fresh pages would fault twice, once
 * for the shared zero page and again when written. */
static uint32_t *zeroed(uint32_t n)
{
	uint32_t *p = xmalloc(n * sizeof(uint32_t));
	memset(p, 0, n * sizeof(uint32_t));
	return p;
}

void ident_table_init(struct ident_table *t, struct arena *a)
{
	memset(t, 0, sizeof(*t));
	t->arena = a;
	t->mask = 4095;
	t->hashes = zeroed(t->mask + 1);
	t->slots = xmalloc((t->mask + 1) * sizeof(*t->slots)); /* read only where hashed */
	t->special = xcalloc(IDENT_SPECIAL_BITS / 64, sizeof(uint64_t));
	/* keywords know their kind from the start */
	for (int k = T_FIRST_KW; k < T_COUNT; k++)
		ident_intern(t, kind_spellings[k], strlen(kind_spellings[k]))->kw = (uint16_t)k;
}

void ident_table_free(struct ident_table *t)
{
	free(t->hashes);
	free(t->slots);
	free(t->special);
	t->hashes = NULL;
	t->slots = NULL;
	t->special = NULL;
}

/* FNV's low bits are weak: fold the high half in before masking; 0 marks
 * an empty slot, so a zero hash is stored as 1. */
static inline uint32_t fix_hash(uint32_t hash)
{
	return hash ? hash : 1;
}

static inline uint32_t home(uint32_t hash, uint32_t mask)
{
	return (hash ^ (hash >> 15)) & mask;
}

static void grow(struct ident_table *t)
{
	uint32_t ncap = (t->mask + 1) * 2;
	uint32_t *nh = zeroed(ncap);
	struct pp_ident **ns = xmalloc(ncap * sizeof(*ns));
	for (uint32_t i = 0; i <= t->mask; i++) {
		if (!t->hashes[i])
			continue;
		uint32_t j = home(t->hashes[i], ncap - 1);
		while (nh[j])
			j = (j + 1) & (ncap - 1);
		nh[j] = t->hashes[i];
		ns[j] = t->slots[i];
	}
	free(t->hashes);
	free(t->slots);
	t->hashes = nh;
	t->slots = ns;
	t->mask = ncap - 1;
}

struct pp_ident *ident_find(const struct ident_table *t, const char *s, size_t len, uint32_t hash)
{
	hash = fix_hash(hash);
	for (uint32_t i = home(hash, t->mask); t->hashes[i]; i = (i + 1) & t->mask) {
		struct pp_ident *id = t->slots[i];
		if (t->hashes[i] == hash && id->len == len && !memcmp(id->name, s, len))
			return id;
	}
	return NULL;
}

struct pp_ident *ident_intern_hashed(struct ident_table *t, const char *s, size_t len,
				     uint32_t hash)
{
	hash = fix_hash(hash);
	uint32_t i = home(hash, t->mask);
	for (; t->hashes[i]; i = (i + 1) & t->mask) {
		struct pp_ident *id = t->slots[i];
		if (t->hashes[i] == hash && id->len == len && !memcmp(id->name, s, len))
			return id;
	}
	if (t->count >= t->mask / 2) {
		grow(t);
		for (i = home(hash, t->mask); t->hashes[i]; i = (i + 1) & t->mask)
			;
	}
	/* the name right after the node: one allocation, one cache line */
	struct pp_ident *id = arena_alloc(t->arena, sizeof(*id) + len + 1);
	char *name = (char *)(id + 1);
	memcpy(name, s, len);
	id->name = name;
	id->len = (uint32_t)len;
	id->hash = hash;
	t->hashes[i] = hash;
	t->slots[i] = id;
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

void ident_mark_special(struct ident_table *t, const struct pp_ident *id)
{
	uint32_t b = ident_cheap_hash(id->name, id->len);
	t->special[b / 64] |= 1ull << (b % 64);
}
