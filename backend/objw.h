/* The object writer's state, shared by its two halves: object.c (sections,
 * symbols, relocations) and objbtf.c (.BTF and .BTF.ext). */
#ifndef WHISTLER_BACKEND_OBJW_H
#define WHISTLER_BACKEND_OBJW_H

#include "backend/object.h"
#include "elf/elfw.h"

struct objw {
	struct ir_module *m;
	struct obj_options *opts;
	struct diag *d;
	struct elfw *w;
	struct wbtf *btf;
	struct wbtf_ext ext;
	struct btfgen g;
	uint32_t nsyms;
	struct bk_func *fn;  /* per symbol: compiled function */
	elfw_sec *sec;       /* per symbol: its section */
	uint64_t *off;       /* per symbol: byte offset in its section */
	uint64_t *size;      /* per symbol: bytes */
	elfw_sym *esym;      /* per symbol: ELF symbol */
	int32_t *btf_id;     /* per symbol: its BTF FUNC or VAR */
	int32_t *map_struct; /* per symbol: BTF struct of a map definition */
	uint8_t *ctx_type;   /* per function: the program type of its context (find_ctx_types) */
	VEC(const char *) code_secs;
	VEC(elfw_sec) code_handles;
	VEC(const char *) data_secs;
	VEC(elfw_sec) data_handles;
	VEC(uint64_t) data_size;
	elfw_sec maps_sec, license_sec;
	int err;
};

/* Reports a failed step (rc < 0) once; false if it failed. */
bool objw_check(struct objw *o, int rc, const char *what);
/* Bytes of a map's definition struct (without initial `values`). */
uint64_t objw_map_def_size(struct objw *o, uint32_t s);

/* objbtf.c */
/* The program type each function's context parameters belong to. */
void objw_find_ctx_types(struct objw *o);
/* Types, function prototypes and map definitions: before data placement,
 * which needs the size of each map's definition. */
void objw_build_btf_types(struct objw *o);
/* Functions and variables, and the DATASECs that place them. */
void objw_build_btf(struct objw *o);
/* func_info, line_info and CO-RE relocations per code section. */
void objw_build_ext(struct objw *o);

#endif
