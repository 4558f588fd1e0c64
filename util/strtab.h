/* Deduplicated NUL-separated string tables, as ELF and BTF store them:
 * offset 0 is the empty string. */
#ifndef WHISTLER_STRTAB_H
#define WHISTLER_STRTAB_H

#include "util/buf.h"
#include "util/hmap.h"
#include "util/arena.h"

struct strtab {
	struct buf data;
	struct hmap index; /* string -> offset */
	struct arena keys;
};

void strtab_init(struct strtab *t);
uint32_t strtab_add(struct strtab *t, const char *s);
uint32_t strtab_addn(struct strtab *t, const char *s, size_t n);
void strtab_free(struct strtab *t);

#endif
