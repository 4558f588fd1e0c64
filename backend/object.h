/* Writing a compiled IR module as a BPF ELF object (sections, symbols and
 * relocations as clang lays them out) with .BTF and .BTF.ext. */
#ifndef WHISTLER_BACKEND_OBJECT_H
#define WHISTLER_BACKEND_OBJECT_H

#include "backend/backend.h"
#include "btf/btf.h"

#include <errno.h>

struct obj_options {
	struct bk_options bk;
	const char *source_name; /* the ELF FILE symbol; NULL: the module's first file */
	bool line_info;          /* .BTF.ext line_info from the instructions' locations */
	bool no_btf;             /* no .BTF/.BTF.ext (whistlercc without -g, as clang) */
	/* filled in: per program, its instruction count (ld_imm64 once) */
	unsigned nprogs, ninsns, nmaps;
};

/* Compiles every function of m and writes the object into out. Errors are
 * reported to d; returns 0 or -1 (and out is left as it was). */
int bk_write_object(struct ir_module *m, struct obj_options *opts, struct buf *out, struct diag *d);

/* Assembly text (clang -S style, with BTF as commented directives) of an
 * object. 0, or -1 if it is not a valid object. */
int bk_object_asm(const void *obj, size_t len, const char *source, struct buf *out);

/* The section a program goes in when the IR names none, or NULL when its
 * type needs an attach target (tracepoint/...: the section must say it). */
const char *bk_default_section(enum ir_progtype type);

/* ---- internals shared with btfgen.c -------------------------------------- */

struct btfgen {
	struct ir_module *m;
	struct wbtf *btf;
	bool *want;  /* per IR type: emit it */
	int32_t *id; /* per IR type: its BTF id */
	int32_t index_id, voidptr_id;
};

void btfgen_init(struct btfgen *g, struct ir_module *m, struct wbtf *btf);
void btfgen_free(struct btfgen *g);
void btfgen_want(struct btfgen *g, uint32_t t);
int btfgen_emit(struct btfgen *g);
int32_t btfgen_id(struct btfgen *g, uint32_t t);
int32_t btfgen_vt(struct btfgen *g, ir_vt t); /* int, long, void * for IR value types */
int32_t btfgen_char_array(struct btfgen *g, uint32_t n);

#endif
