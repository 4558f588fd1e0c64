/* Bump allocators tied to lifetimes (module, function, pass): everything
 * allocated from an arena is freed at once with it. */
#ifndef WHISTLER_ARENA_H
#define WHISTLER_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t total; /* bytes handed out, for statistics */
};

void *arena_alloc(struct arena *a, size_t n);  /* zeroed, 16-byte aligned */
void *arena_memdup(struct arena *a, const void *p, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free(struct arena *a);

#define arena_new(a, T) ((T *)arena_alloc((a), sizeof(T)))
#define arena_newn(a, T, n) ((T *)arena_alloc((a), sizeof(T) * (size_t)(n)))

#endif
