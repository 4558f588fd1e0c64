/* Internals of sessions shared by session.c (definitions, building and
 * loading, reloads), runtime.c (the userspace forms) and ring.c (ring buffer
 * consumers). */
#ifndef WHISTLER_SESSION_INTERNAL_H
#define WHISTLER_SESSION_INTERNAL_H

#include "session/session.h"
#include "util/buf.h"
#include "whistler/object.h"

/* A loaded object; it lives while one of its programs is the current
 * version of a session program. */
struct ws_unit {
	struct wl_object *obj;
	unsigned users;
};

/* A program of the session, by its ELF name. */
struct ws_prog {
	char *name;  /* ELF spelling: "count_execve" */
	char *lname; /* Lisp spelling: "count-execve" */
	struct ws_unit *unit;
	struct wl_program *p; /* in unit->obj; NULL when not loaded */
	VEC(char *) targets;  /* where it is attached ("" = as its section says) */
	bool pending;	      /* (re)load at the next sync */
	bool failed;	      /* its last load failed; waits for a redefinition */
	lv handle;
};

/* A kernel map of the session (declared maps and global data), held by its
 * own fd so objects can come and go. */
struct ws_map {
	char *name;  /* ELF spelling ("stats", ".bss") */
	char *lname; /* Lisp spelling, NULL for global data */
	struct wl_map *map;
	bool internal;
	bool redefined; /* make a fresh one at the next sync */
	bool failed;	/* its creation failed; waits for a new definition */
	lv handle;
};

struct ws_ring;
struct ws_global;

/* Definition forms the session wraps (see session.c). */
enum ws_def { WS_DEF_MAP, WS_DEF_PROG, WS_DEF_GLOBAL, WS_DEF_OTHER };
struct ws_wrap {
	struct wsession *s;
	enum ws_def kind;
	lisp_special_fn fn;
	void *data;
};

struct wsession {
	struct lisp_ctx *ctx;
	struct dsl *dsl;
	struct diag *diag;
	struct srcmgr *sm;
	char *name, *btf_path;
	int opt_level;
	FILE *log;
	VEC(struct ws_prog *) progs;
	VEC(struct ws_map *) maps;
	VEC(struct ws_unit *) units;
	VEC(struct ws_ring *) rings;
	VEC(struct ws_global *) globals;
	struct ws_wrap *wraps;
	size_t nwraps;
	VEC(char *) defined; /* "kind:PACKAGE:NAME" of the definitions seen */
	lv handle;	     /* *bpf-session* */
	unsigned loads;
	int exit_code;
	int session_depth;     /* nested with-bpf-session forms */
	struct buf scratch[3]; /* keys and values of map operations (runtime.c) */
	bool dormant;	       /* unloaded: only a use (not wsession_sync) loads again */
	bool quiet_top;	       /* in wsession_eval: the outermost call reports itself */
	bool building;	       /* the DSL is compiling (its Lisp must not reach the kernel) */
};

/* session.c */
struct ws_prog *ws_find_prog(struct wsession *s, const char *name);
struct ws_map *ws_find_map(struct wsession *s, const char *name);
/* ELF spelling of a Lisp name: lower case, other characters '_'. */
char *ws_c_name(const char *lisp_name);
/* Loads what is pending; on failure reports at loc and returns -1. */
int ws_sync_at(struct wsession *s, struct srcloc loc);
/* Loads what is pending; on failure signals a Lisp error naming `who`. */
void ws_sync_in(struct wsession *s, const char *who);
/* Learns where the globals are from an object built and opened, not loaded;
 * on failure signals a Lisp error naming `who`. */
void ws_layout_in(struct wsession *s, const char *who);
/* Attaches p (loaded) to target (NULL or "": as the section says) and
 * records it for reloads; returns the link's description, or NULL after
 * putting the loader's message into err. */
const char *ws_attach(struct wsession *s, struct ws_prog *p, const char *target, struct buf *err);
void ws_detach(struct wsession *s, struct ws_prog *p);
/* The kernel's id of p's loaded version, 0 when not loaded. */
uint32_t ws_prog_id(const struct ws_prog *p);
bool ws_is_definition(struct wsession *s, lv form);
/* Loader messages of the operation in progress go into `into` (NULL: stop). */
void ws_capture_log(struct buf *into);

/* runtime.c */
void ws_runtime_register(struct wsession *s);
lv ws_map_handle(struct wsession *s, struct ws_map *m);
lv ws_prog_handle(struct wsession *s, struct ws_prog *p);
/* A map from a designator (handle, symbol or string); loads what is pending. */
struct ws_map *ws_map_arg(struct wsession *s, lv v, const char *who);
/* Bytes of a key or value: an integer (little-endian), a byte sequence or
 * string (zero-padded), or a defstruct record (encode-NAME). */
void ws_encode(struct wsession *s, lv v, void *out, size_t size, const char *who, const char *what);
/* Scratch buffer i (0: keys, 1: values, 2: next keys and codecs) of n zeroed
 * bytes: keys and values are built there, never in memory of the builtin's
 * frame, which a Lisp error or Ctrl-C may leave without returning. */
uint8_t *ws_scratch(struct wsession *s, int i, size_t n);

/* ring.c */
void ws_ring_register(struct wsession *s);
/* Stops every consumer (their handles stay, closed). */
void ws_rings_close(struct wsession *s);
/* Stops the consumers of map m (before it is replaced). */
void ws_rings_close_map(struct wsession *s, struct ws_map *m);
void ws_rings_mark(struct lisp_ctx *ctx, struct wsession *s);
void ws_rings_free(struct wsession *s);

/* repl.c */
/* True while `t` ends inside a form: an open list, string, |symbol|, block
 * comment, or a quote with nothing after it (the REPL reads on). */
bool ws_open_form(const char *t, size_t n);

/* globals.c */
void ws_globals_register(struct wsession *s);
/* A defglobal form was processed without errors. */
void ws_global_defined(struct wsession *s, lv form);
/* Where each global is in `obj` (opened, not loaded); with `presets`, values
 * set before the load go into the initial contents of data maps that will
 * be created (not reused). */
void ws_globals_layout(struct wsession *s, struct wl_object *obj, bool presets);
void ws_globals_mark(struct lisp_ctx *ctx, struct wsession *s);
void ws_globals_free(struct wsession *s);

#endif
