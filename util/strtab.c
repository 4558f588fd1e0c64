/* String tables with deduplication by exact match. */
#include "util/strtab.h"

#include <string.h>

void strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
	buf_putc(&t->data, 0);
}

uint32_t strtab_addn(struct strtab *t, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	uintptr_t off;
	if (hmap_get(&t->index, s, n, &off))
		return (uint32_t)off;
	off = t->data.len;
	buf_append(&t->data, s, n);
	buf_putc(&t->data, 0);
	hmap_put(&t->index, arena_strndup(&t->keys, s, n), n, off);
	return (uint32_t)off;
}

uint32_t strtab_add(struct strtab *t, const char *s)
{
	return strtab_addn(t, s, strlen(s));
}

void strtab_free(struct strtab *t)
{
	buf_free(&t->data);
	hmap_free(&t->index);
	arena_free(&t->keys);
}
