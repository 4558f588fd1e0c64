/* The C parser and semantic analysis: pulls tokens from a preprocessor and
 * builds the typed AST of ast.h for one translation unit, with clang-style
 * diagnostics and recovery.  Kernel types can be served from BTF instead of
 * a vmlinux.h header. */
#ifndef WHISTLER_C_CPARSE_H
#define WHISTLER_C_CPARSE_H

#include "frontend/c/ast.h"
#include "frontend/c/pp.h"

/* Warnings that can be disabled by -Wno-NAME or #pragma GCC/clang diagnostic
 * (cwarnings.def): clang's names and defaults. */
enum cwarn {
#define WARN(id, flag, on) CW_##id,
#include "frontend/c/cwarnings.def"
#undef WARN
	CW_COUNT
};

struct cparse_options {
	/* Names the program does not declare resolve in the kernel's BTF
	 * (-fwhistler-btf-types), as if a vmlinux.h had been included first;
	 * `#include "vmlinux.h"` is then served from BTF too.  Without it, an
	 * #include of vmlinux.h that is not on the search path is served from
	 * BTF instead of failing. */
	bool btf_types;
	const char *btf_path; /* NULL: /sys/kernel/btf/vmlinux */
	/* -W/-Wno- flags in command-line order ("no-unknown-attributes", "all" …) */
	const char *const *wflags;
	uint32_t nwflags;
	bool no_warnings; /* -w */
	/* Parse every record body where it is written.  By default the bodies
	 * in a file named vmlinux.h are skipped unlexed and parsed when a
	 * record is first needed (crecord_complete). */
	bool eager_records;
};

/* Parses the unit `pp` was begun on.  Returns the AST (never NULL);
 * diagnostics went through the preprocessor (pp_error …), so the unit is
 * valid for lowering only when the diag has no errors. */
struct ctu *cparse_unit(struct pp *pp, struct diag *d, const struct cparse_options *o);

/* Prints the AST in a compact indented form (tests, -Xclang -ast-dump). */
void cast_dump(struct ctu *tu, struct buf *out);
/* Prints record layouts as clang's -fdump-record-layouts-simple does (sizes,
 * alignments and field offsets in bits), in definition order: every
 * complete struct and union when `all`, else those laid out so far. */
void cast_dump_layouts(struct ctu *tu, bool all, struct buf *out);

#endif
