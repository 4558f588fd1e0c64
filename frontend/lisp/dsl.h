/* The Whistler Lisp DSL compiler: top-level forms (defmap, defprog, defstruct,
 * ...) are registered in a Lisp context and recorded; program bodies are
 * macroexpanded and lowered to an IR module on demand.  docs/dsl.md lists the
 * accepted language. */
#ifndef WHISTLER_DSL_H
#define WHISTLER_DSL_H

#include "frontend/lisp/lisp.h"
#include "ir/ir.h"

struct dsl;

struct dsl_options {
	/* Kernel BTF for import-kernel-struct and kfuncs; NULL: /sys/kernel/btf/vmlinux. */
	const char *btf_path;
	/* tracefs root for deftracepoint; NULL: /sys/kernel/tracing (mounted when absent). */
	const char *tracefs;
	/* BPF ISA version of the module (1..4); 0: 3. */
	unsigned cpu;
};

/* Registers the DSL's forms and its prelude (protocol headers and macros) in
 * ctx, whose srcmgr/diag the compiler reports to.  One dsl per context. */
struct dsl *dsl_new(struct lisp_ctx *ctx, const struct dsl_options *opts);
void dsl_free(struct dsl *d);
struct lisp_ctx *dsl_lisp(struct dsl *d);

/* Processes one top-level form: DSL definitions are recorded (program bodies
 * are lowered later, by dsl_build), anything else is evaluated as compile-time
 * Lisp.  Returns 0, or -1 after reporting an error. */
int dsl_toplevel(struct dsl *d, lv form);
/* Reads and processes every form of srcmgr file `file`; keeps going after an
 * error (up to the diag's error limit).  Returns the number of errors. */
unsigned dsl_load(struct dsl *d, uint32_t file);

/* Lowers every definition made so far into a fresh IR module (maps, globals,
 * externs, struct types, subprograms and programs), verified with the IR
 * verifier.  `only` (NULL: all) restricts programs to one name (Lisp or ELF
 * spelling) plus what it needs.  The caller owns the module.  NULL when an
 * error was reported. */
struct ir_module *dsl_build(struct dsl *d, const char *only);

/* Number of errors the DSL reported so far (through the context's diag). */
unsigned dsl_errors(const struct dsl *d);

/* ---- definitions, for code generators and sessions --------------------- */

enum dsl_ftype_kind { DSL_F_INT, DSL_F_STRUCT };

struct dsl_field {
	const char *name;  /* Lisp spelling: "src-addr" */
	const char *cname; /* C spelling: "src_addr" */
	uint32_t offset;   /* bytes */
	uint8_t kind;	   /* enum dsl_ftype_kind */
	uint8_t size;	   /* element size of an integer field */
	bool sign;
	uint32_t count; /* array length, 0 for a scalar */
	uint32_t sub;	/* DSL_F_STRUCT: index of the element struct */
	bool net_order; /* defheader :net-order */
};

enum dsl_struct_kind { DSL_STRUCT, DSL_UNION, DSL_HEADER, DSL_KERNEL };

struct dsl_struct {
	const char *name;  /* Lisp spelling */
	const char *cname; /* C spelling */
	uint8_t kind;	   /* enum dsl_struct_kind */
	bool user;	   /* defined by the user's file (not the prelude) */
	uint32_t size, align;
	struct dsl_field *fields;
	uint32_t nfields;
	struct srcloc loc;
};

size_t dsl_struct_count(const struct dsl *d);
const struct dsl_struct *dsl_struct_at(const struct dsl *d, size_t i);

struct dsl_const {
	const char *name; /* Lisp spelling, e.g. "+syn-threshold+" */
	int64_t value;
};
/* defconstants with integer values made by the user's files. */
size_t dsl_const_count(const struct dsl *d);
const struct dsl_const *dsl_const_at(const struct dsl *d, size_t i);

/* Userspace definitions matching the BPF layouts, for `--gen`: lang is one of
 * "c", "go", "rust", "python", "lisp".  `base` names the output (header guard,
 * Go package).  Returns 0, or -1 for an unknown language. */
int dsl_gen(const struct dsl *d, const char *lang, const char *base, struct buf *out);
/* The file name a generator writes next to the object: "x.h", "x_types.go"... */
char *dsl_gen_filename(const char *lang, const char *base);

#endif
