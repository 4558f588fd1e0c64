/* Source files and diagnostics for people: "file:line:col: error: msg", the
 * source line with a caret, notes and hints, an error limit with recovery. */
#ifndef WHISTLER_DIAG_H
#define WHISTLER_DIAG_H

#include "util/buf.h"
#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>

/* A position in a source file; file 0 means "no file". Lines and columns
 * count from 1; 0 means unknown. */
struct srcloc {
	uint32_t file, line, col;
};

struct src_file {
	char *path;
	char *text; /* NUL-terminated; may be NULL when not loaded */
	size_t len;
	uint32_t *line_start; /* offsets of each line's first byte, computed lazily */
	uint32_t nlines;
};

struct srcmgr {
	VEC(struct src_file *) files; /* file id N is files.data[N - 1] */
};

/* Registers a file's contents (copied) and returns its id (>= 1). */
uint32_t srcmgr_add(struct srcmgr *sm, const char *path, const char *text, size_t len);
/* Reads a file from disk: returns its id, or 0 with errno set. Same path, same id. */
uint32_t srcmgr_load(struct srcmgr *sm, const char *path);
struct src_file *srcmgr_file(const struct srcmgr *sm, uint32_t id);
/* The text of line `line` of file `id` (without newline) and its length; NULL if unknown. */
const char *srcmgr_line(const struct srcmgr *sm, uint32_t id, uint32_t line, size_t *len);
void srcmgr_free(struct srcmgr *sm);

enum diag_level { DIAG_NOTE, DIAG_HINT, DIAG_WARNING, DIAG_ERROR, DIAG_FATAL };

struct diag {
	struct srcmgr *sm;
	FILE *out;           /* where messages go (default stderr) ... */
	struct buf *capture; /* ... or appended here when set (tests) */
	const char *tool;    /* prefix for messages without a location, e.g. "whistler" */
	unsigned errors, warnings;
	unsigned error_limit; /* 0: unlimited */
	bool werror;          /* warnings count as errors */
	bool no_caret;        /* omit the source line and caret */
	bool limit_reached;   /* set once error_limit was hit: callers should stop */
	bool suppress_notes;  /* after a suppressed warning, its notes are dropped too */
};

void diag_init(struct diag *d, struct srcmgr *sm);
W_PRINTF(3, 4) void diag_error(struct diag *d, struct srcloc loc, const char *fmt, ...);
W_PRINTF(3, 4) void diag_warning(struct diag *d, struct srcloc loc, const char *fmt, ...);
W_PRINTF(3, 4) void diag_note(struct diag *d, struct srcloc loc, const char *fmt, ...);
/* "hint: ..." line attached to the previous message, no location or caret. */
W_PRINTF(2, 3) void diag_hint(struct diag *d, const char *fmt, ...);
void diag_vreport(struct diag *d, enum diag_level lvl, struct srcloc loc, const char *fmt,
		  va_list ap);
/* Prints "did you mean 'x'?" for the closest of `cands` to `name`, if close enough.
 * Returns the suggestion or NULL. */
const char *diag_suggest(const char *name, const char *const *cands, size_t n);

static inline bool diag_failed(const struct diag *d) { return d->errors > 0; }

#endif
