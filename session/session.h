/* BPF sessions: one process compiles Lisp DSL definitions in memory, loads
 * them with the loader (no object file anywhere), and runs the file's
 * userspace forms in the same evaluator, extended with bpf:attach,
 * bpf:map-ref, map iteration and ring buffer consumers.  Redefining a program
 * reloads and re-attaches it; maps keep their contents unless redefined.
 * `whistler run` and `whistler repl` are thin drivers over this. */
#ifndef WHISTLER_SESSION_H
#define WHISTLER_SESSION_H

#include "frontend/lisp/dsl.h"

#include <stdbool.h>
#include <stdio.h>

struct wsession;

struct wsession_options {
	/* Kernel names of global-data maps ("NAME.bss"); default "session". */
	const char *name;
	/* Kernel BTF for import-kernel-struct and CO-RE; NULL: the running kernel's. */
	const char *btf_path;
	/* Optimization level 0..3; a negative value means 2. */
	int opt_level;
	/* Where loads, reloads and re-attachments are announced ("; ..." lines);
	 * NULL: silent. */
	FILE *log;
};

/* A Lisp context (made here, on `sm` and `d`) with the DSL and the session
 * forms registered; `args` become sb-ext:*posix-argv* after "whistler". */
struct wsession *wsession_new(struct srcmgr *sm, struct diag *d, const struct wsession_options *o,
			      int argc, char **argv);
/* Detaches every program, closes every link, program, map and ring buffer,
 * then frees the context.  NULL is fine. */
void wsession_free(struct wsession *s);
struct lisp_ctx *wsession_lisp(struct wsession *s);
struct dsl *wsession_dsl(struct wsession *s);

enum wsession_status {
	WSESSION_OK = 0,
	WSESSION_ERROR = -1,	 /* reported as a located diagnostic */
	WSESSION_INTERRUPT = -2, /* an unhandled Ctrl-C (SB-SYS:INTERACTIVE-INTERRUPT) */
	WSESSION_EXIT = -3,	 /* (exit :code n) / (quit): see wsession_exit_code */
};

/* One top-level form: DSL definitions are recorded, anything else is
 * evaluated (userspace forms may load and attach).  *value (may be NULL)
 * gets its primary value. */
enum wsession_status wsession_eval(struct wsession *s, lv form, lv *value);
/* Every form of srcmgr file `file`, in order, stopping at the first error;
 * then loads what is still pending.  For each form, `each` (may be NULL)
 * gets its value. */
enum wsession_status wsession_run_file(struct wsession *s, uint32_t file,
				       void (*each)(struct wsession *, lv value, void *),
				       void *data);
/* Builds and loads what was (re)defined since the last load: new programs
 * are loaded, redefined ones reloaded and re-attached where they were,
 * redefined maps made anew.  Userspace forms that need the kernel objects do
 * this themselves.  Errors are reported; returns 0 or -1. */
int wsession_sync(struct wsession *s);
/* True when definitions wait for wsession_sync. */
bool wsession_pending(const struct wsession *s);
/* Detaches and closes everything loaded (definitions stay: a later use loads
 * them again). */
void wsession_unload(struct wsession *s);
int wsession_exit_code(const struct wsession *s);

struct wsession_stats {
	unsigned programs; /* loaded */
	unsigned links;	   /* attachments */
	unsigned maps;	   /* kernel maps held (global data included) */
	unsigned objects;  /* loaded objects with live programs */
	unsigned loads;	   /* successful object loads so far */
};
void wsession_stats(const struct wsession *s, struct wsession_stats *st);

/* The read-eval-print loop over `in`: complete forms are evaluated as they
 * arrive, values printed to stdout, errors reported and the loop goes on;
 * after each form, pending definitions are loaded.  `prompt` (may be NULL) is
 * printed before each new form.  Ends at end of input or (exit); returns the
 * exit status. */
int wsession_repl(struct wsession *s, FILE *in, const char *prompt);

#endif
