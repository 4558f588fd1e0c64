/* Shared by the C parser's unit tests: parse a source text (or file) as
 * whistlercc -target bpf would, with the diagnostics captured. */
#ifndef WHISTLER_TEST_CPARSE_HELPERS_H
#define WHISTLER_TEST_CPARSE_HELPERS_H

#include "frontend/c/cparse.h"

struct tparse {
	struct srcmgr sm;
	struct diag d;
	struct buf errs; /* diagnostics as printed */
	struct pp *pp;
	struct ctu *tu;
	char path[64];
};

/* Parses `src` (written to a temporary file named t.c in diagnostics);
 * `o` may be NULL.  Never fails: look at t->errs and t->d.errors. */
void tp_parse(struct tparse *t, const char *src, const struct cparse_options *o);
/* Parses an existing file with -I dirs (NULL-terminated, may be NULL). */
void tp_parse_file(struct tparse *t, const char *path, const char *const *incdirs,
		   const struct cparse_options *o);
void tp_free(struct tparse *t);
/* The file-scope declaration named `name`, or NULL. */
struct cdecl *tp_global(struct tparse *t, const char *name);
/* The completed struct/union with this tag, or NULL. */
struct crecord *tp_record(struct tparse *t, const char *tag);
/* True when `tool` is on $PATH. */
bool tp_have(const char *tool);
/* Runs a shell command, its stdout into *out (may be NULL); the exit status. */
int tp_run(const char *cmd, struct buf *out);

#endif
