/* Kernel types served from BTF (/sys/kernel/btf/vmlinux) instead of a
 * vmlinux.h header: a name index over the raw BTF, and types materialised
 * into a unit's AST only when a lookup misses — structs lazily, one level at
 * a time — with the preserve_access_index semantics bpftool's vmlinux.h
 * gives them. */
#ifndef WHISTLER_C_CBTF_H
#define WHISTLER_C_CBTF_H

#include "frontend/c/ast.h"
#include "frontend/c/lex.h"

struct cbtf;
struct cparser;

/* Opens a raw BTF file (NULL: /sys/kernel/btf/vmlinux) for unit `tu`,
 * interning names in `ids`.  NULL with *err = -errno (-EINVAL: not BTF). */
struct cbtf *cbtf_open(struct ctu *tu, struct ident_table *ids, const char *path, int *err);
void cbtf_close(struct cbtf *b);
/* Number of types, and of names in the index (statistics, tests). */
uint32_t cbtf_type_count(struct cbtf *b);
/* The kernel BTF id a materialised type came from, 0 for others. */
uint32_t cbtf_id_of(const struct cbtf *b, const struct ctype *t);

/* The kernel type `id` materialised into the unit (records lazily, as for
 * lookups): the lowering and tests reach types by id through this.  A
 * malformed type gives the unit's error type and cbtf_error() says why. */
struct ctype *cbtf_type(struct cbtf *b, uint32_t id);
const char *cbtf_error(const struct cbtf *b);

/* Parser side: a typedef or enumerator named `id`, or a struct/union/enum
 * tag, bound at file scope as if vmlinux.h had declared it; NULL when the
 * kernel has no such name.  Malformed BTF is reported once. */
struct cdecl *cbtf_lookup_ordinary(struct cparser *p, struct pp_ident *id);
struct ctype *cbtf_lookup_tag(struct cparser *p, struct pp_ident *id);
/* pp_include_hook: #include "vmlinux.h" served from BTF (ctx: the parser). */
bool cbtf_include_hook(void *ctx, const char *name, bool angled, bool found);

#endif
