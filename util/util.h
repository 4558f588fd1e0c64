/* Small things every module uses: internal-error aborts, checked allocation,
 * array sizes.  User-facing problems go through diag.h instead. */
#ifndef WHISTLER_UTIL_H
#define WHISTLER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))

#if defined(__GNUC__)
#define W_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define W_NORETURN __attribute__((noreturn))
#else
#define W_PRINTF(f, a)
#define W_NORETURN
#endif

/* A broken invariant inside Whistler: print file and line, abort. */
W_NORETURN W_PRINTF(3, 4) void w_internal_error(const char *file, int line, const char *fmt, ...);
#define W_ICE(...) w_internal_error(__FILE__, __LINE__, __VA_ARGS__)
#define W_ASSERT(c)                                                                                \
	do {                                                                                       \
		if (!(c))                                                                          \
			W_ICE("assertion failed: %s", #c);                                         \
	} while (0)

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
W_PRINTF(1, 2) char *xasprintf(const char *fmt, ...);

/* Growable array of any element type: VEC(int) v = {0}; vec_push(&v, 3); */
#define VEC(T)                                                                                     \
	struct {                                                                                   \
		T *data;                                                                           \
		uint32_t len, cap;                                                                 \
	}
void vec_grow_(void *data_p, uint32_t *cap, uint32_t need, size_t elem);
#define vec_reserve(v, n) vec_grow_(&(v)->data, &(v)->cap, (n), sizeof(*(v)->data))
#define vec_push(v, x)                                                                             \
	do {                                                                                       \
		if ((v)->len == (v)->cap)                                                          \
			vec_reserve((v), (v)->len + 1);                                            \
		(v)->data[(v)->len++] = (x);                                                       \
	} while (0)
#define vec_pop(v) ((v)->data[--(v)->len])
#define vec_last(v) ((v)->data[(v)->len - 1])
#define vec_free(v) (free((v)->data), (v)->data = NULL, (v)->len = (v)->cap = 0)
#define vec_foreach(v, it)                                                                         \
	for (__typeof__(*(v)->data) *it = (v)->data, *it##_end_ = (v)->data ? (v)->data + (v)->len : NULL; \
	     it != it##_end_; it++)

/* Hashing (FNV-1a) for the tables in strtab.c and elsewhere. */
static inline uint32_t w_hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}

static inline uint64_t w_hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

/* Edit distance, for "did you mean" hints. */
unsigned w_edit_distance(const char *a, const char *b);

#endif
