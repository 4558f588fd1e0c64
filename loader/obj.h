/* The object layer's shared state: what wl_object_open reads from the ELF
 * (code sections, functions, programs, maps, externs, classified
 * relocations), what prepare computes, and what load creates. */
#ifndef WHISTLER_LOADER_OBJ_H
#define WHISTLER_LOADER_OBJ_H

#include "btf/btf.h"
#include "elf/elf_bpf.h"
#include "elf/elfr.h"
#include "loader/internal.h"
#include "util/arena.h"
#include "util/buf.h"
#include "whistler/object.h"

/* BTF record encodings (<linux/btf.h> has only the decoders). */
#define OBJ_BTF_INFO(kind, kflag, vlen) \
	((uint32_t)(kflag) << 31 | (uint32_t)(kind) << 24 | ((uint32_t)(vlen)&0xffff))
#define OBJ_BTF_INT(enc, off, bits) \
	((uint32_t)(enc) << 24 | (uint32_t)(off) << 16 | (uint32_t)(bits))

/* ---- section definitions (sec_defs.def) -------------------------------- */

enum sec_attach {
	SA_NONE,
	SA_SOCKET,
	SA_KPROBE,
	SA_KRETPROBE,
	SA_KSYSCALL,
	SA_KRETSYSCALL,
	SA_UPROBE,
	SA_URETPROBE,
	SA_USDT,
	SA_MULTI,
	SA_TP,
	SA_RAW_TP,
	SA_TRACING,
	SA_ITER,
	SA_XDP,
	SA_TC,
	SA_TCX,
	SA_NETKIT,
	SA_CGROUP,
	SA_SOCKMAP,
	SA_NETNS,
	SA_STRUCT_OPS,
	SA_NETFILTER,
};
enum { SF_BTF = 1, SF_SLEEP = 2, SF_FRAGS = 4 };

struct sec_def {
	const char *name;
	uint32_t prog_type, attach_type, flags;
	enum sec_attach attach;
};
/* The definition a section name matches, and in *extras what follows the
 * "x/" (or "" when none); NULL if no definition matches. */
const struct sec_def *obj_sec_def_find(const char *sec_name, const char **extras);
/* The definition whose name (without its '+') begins sec, the longest: how
 * older loaders read "xdp_redirect" or "kprobe__x"; NULL if none. */
const struct sec_def *obj_sec_def_longest_prefix(const char *sec);

/* ---- what open reads --------------------------------------------------- */

enum relo_kind {
	RELO_MAP,	 /* ld_imm64 of a map: PSEUDO_MAP_FD */
	RELO_DATA,	 /* ld_imm64 into global data: PSEUDO_MAP_VALUE + offset */
	RELO_CALL,	 /* BPF-to-BPF call */
	RELO_FUNC_ADDR,	 /* ld_imm64 of a function (callbacks): PSEUDO_FUNC */
	RELO_EXTERN,	 /* ld_imm64 of an extern (kconfig, ksym, kfunc address) */
	RELO_KFUNC_CALL, /* call of an extern function */
};

struct obj_relo {
	uint32_t insn; /* index in the code section */
	enum relo_kind kind;
	uint32_t map;	 /* RELO_MAP, RELO_DATA: index in obj->maps */
	uint32_t off;	 /* RELO_DATA: byte offset in the map value (sym value + addend) */
	uint32_t ext;	 /* RELO_EXTERN, RELO_KFUNC_CALL: index in obj->externs */
	uint32_t target; /* RELO_CALL, RELO_FUNC_ADDR: absolute insn index in the target section */
	uint32_t tcode;	 /* RELO_CALL, RELO_FUNC_ADDR: index in obj->codes */
	const char *sym; /* symbol name, for messages */
};

struct obj_code {
	uint32_t sec; /* ELF section index */
	const char *name;
	struct bpf_insn *insns; /* writable copy: CO-RE patches it */
	uint32_t n;
	VEC(struct obj_relo) relos;	/* sorted by insn */
	const struct wbtf_ext_sec *ext; /* .BTF.ext records of this section, or NULL */
	bool core_done;
};

struct obj_func {
	const char *name;
	uint32_t code, off, len; /* code section (obj->codes index), insns */
	int prog;		 /* index in obj->progs, or -1 for a subprogram */
};

enum obj_map_kind { MK_USER, MK_DATA, MK_RODATA, MK_BSS, MK_KCONFIG };

/* An initial slot of a map-in-map or prog array ("values = { ... }"). */
struct obj_map_init {
	uint32_t slot;
	bool is_prog;
	uint32_t target; /* map index or function index */
	const char *name;
};

struct wl_obj_map {
	struct wl_object *obj;
	const char *name;  /* user name (section name for global data) */
	const char *kname; /* name given to the kernel */
	enum obj_map_kind kind;
	uint32_t type, key_size, value_size, max_entries, flags, numa_node;
	uint64_t map_extra;
	uint32_t pinning;
	char *pin_path;
	uint32_t btf_key_id, btf_value_id; /* object BTF, 0 for none */
	int sec;			   /* ELF section (global data), or -1 */
	uint64_t sec_off;		   /* .maps / legacy: offset of the definition */
	uint32_t sec_size;		   /* .maps: size of the definition incl. values */
	uint32_t values_off;		   /* .maps: offset of `values` in the definition */
	unsigned char *data;		   /* global data: initial contents (value_size) */
	struct wl_obj_map *inner;	   /* map-in-map template (owned) */
	bool is_inner;			   /* a template: never created on its own */
	VEC(struct obj_map_init) init;
	/* load */
	struct wl_map *map;
	bool reused, pinned; /* pinned: by this load (unpinned if it fails) */
	int reuse_fd;	     /* wl_obj_map_reuse: a dup of the map to use, or 0 */
};

enum ext_kind { EXT_KCFG, EXT_KSYM };
enum kcfg_type { KCFG_UNKNOWN, KCFG_BOOL, KCFG_CHAR, KCFG_TRISTATE, KCFG_INT, KCFG_CHAR_ARR };

struct obj_extern {
	const char *name;
	uint32_t sym;
	bool weak, is_func;
	enum ext_kind kind;
	uint32_t btf_id;  /* VAR or FUNC in the object's BTF */
	uint32_t type_id; /* VAR's type (modifiers skipped) or FUNC's id */
	/* kconfig */
	enum kcfg_type kcfg;
	uint32_t size, align, off; /* in the .kconfig map */
	bool is_signed, resolved;
	/* ksym */
	bool typed;
	uint32_t kbtf_id; /* id in the kernel BTF (vmlinux or module) */
	int btf_fd_idx;	  /* kfunc: index in obj->fd_array (0: vmlinux) */
	int btf_obj_fd;	  /* typed ksym in a module: its BTF fd */
	uint64_t addr;	  /* untyped ksym: kallsyms address */
};

struct obj_piece { /* a function copied into a program */
	uint32_t func, dst;
};
struct obj_fixup { /* map fd to patch at load: insn imm */
	uint32_t insn, map;
};

struct wl_program {
	struct wl_object *obj;
	const char *name, *sec_name, *extras;
	uint32_t func; /* obj->funcs index */
	const struct sec_def *def;
	uint32_t type, expected_attach_type, prog_flags;
	bool autoload, type_set;
	/* prepare */
	VEC(struct bpf_insn) insns;
	VEC(struct obj_piece) pieces;
	VEC(struct obj_fixup) fixups;
	VEC(struct bpf_func_info) finfo;
	VEC(struct bpf_line_info) linfo;
	uint32_t attach_btf_id;
	int attach_btf_obj_fd;
	/* load */
	struct wl_prog *prog;
	uint32_t verified_insns;
	uint32_t jited_size;
	char *log;
	VEC(struct wl_link *) links;
};

struct obj_module_btf {
	char *name;
	int fd;
	struct wbtf *btf;
};

struct wl_object {
	const char *name, *path, *license;
	uint32_t kern_version;
	struct arena arena;
	unsigned char *data;
	size_t size;
	struct elfr *elf;
	struct wbtf *btf; /* NULL without .BTF */
	struct wbtf_ext ext;
	VEC(struct obj_code) codes;
	VEC(struct obj_func) funcs;
	VEC(struct wl_program *) progs;
	VEC(struct wl_obj_map *) maps;
	VEC(struct obj_extern) externs;
	int maps_sec, legacy_maps_sec; /* ELF indices, or -1 */
	int kconfig_map;	       /* index in maps, or -1 */
	/* options */
	const char *pin_root, *kconfig, *btf_path;
	uint32_t log_level, btf_features_off;
	/* prepare */
	bool prepared, loaded, load_failed;
	struct wbtf *kbtf; /* target kernel BTF (shared cache: not freed here) */
	VEC(struct obj_module_btf) modules;
	bool modules_loaded;
	uint32_t features; /* WL_BTF_FEAT_* the kernel has */
	struct buf btf_blob;
	/* load */
	int btf_fd;
	VEC(int) fd_array;	 /* kfunc module BTF fds; slot 0 unused */
	uint32_t usdt_next_spec; /* next free slot of __bpf_usdt_specs */
};

/* Messages: "<obj>: ..." through the loader's log. */
#define obj_warn(o, fmt, ...) wl_warn("%s: " fmt, (o)->name, ##__VA_ARGS__)
#define obj_debug(o, fmt, ...) wl_debug("%s: " fmt, (o)->name, ##__VA_ARGS__)

/* object.c */
int obj_code_index(const struct wl_object *obj, uint32_t sec);		    /* -1 if not code */
int obj_func_at(const struct wl_object *obj, uint32_t code, uint32_t insn); /* -1 if none */
struct wl_obj_map *obj_map_by_sec_off(const struct wl_object *obj, int sec, uint64_t off);

/* obj_maps.c: open-time map collection, load-time creation */
int obj_collect_maps(struct wl_object *obj);
int obj_collect_map_inits(struct wl_object *obj);
int obj_create_maps(struct wl_object *obj);
int obj_init_map_slots(struct wl_object *obj);
void obj_free_map(struct wl_obj_map *m);
struct wl_obj_map *obj_new_kconfig_map(struct wl_object *obj, uint32_t size);
/* The internal map of an ELF data section, or -1. */
int obj_data_map_of_sec(const struct wl_object *obj, uint32_t sec);

/* obj_relo.c */
int obj_collect_relos(struct wl_object *obj);
int obj_link_program(struct wl_object *obj, struct wl_program *p);

/* obj_extern.c */
int obj_collect_externs(struct wl_object *obj);
/* Refuses an extern `what` ("function", "variable", "map") another object
 * defines: the objects must be linked (bpftool gen object) first. -ENOENT. */
int obj_unlinked_extern(struct wl_object *obj, const char *name, const char *what);
int obj_resolve_externs(struct wl_object *obj, bool kernel);
int obj_kconfig_parse(struct wl_object *obj, const char *text, size_t len);
int obj_load_module_btfs(struct wl_object *obj);
uint32_t obj_kernel_version(void); /* KERNEL_VERSION(a, b, c) of uname -r */
/* Finds `name` of `kind` in vmlinux, then module BTFs (kernel only):
 * id > 0 with *mod the module index (-1: vmlinux), -ENOENT, or -errno. */
int obj_find_kernel_btf(struct wl_object *obj, const char *name, int kind, bool kernel, int *mod);

/* obj_core.c */
int obj_apply_core(struct wl_object *obj, struct obj_code *c);

/* obj_btf.c */
struct wbtf *obj_target_btf(const char *path, int *err);
int obj_fixup_btf(struct wl_object *obj);
int obj_sanitize_btf(struct wl_object *obj, struct buf *out);
uint32_t obj_probe_btf_features(void);
int obj_load_btf(struct wl_object *obj);
/* Appends to out the log with "file:line: text" for the failing insn. */
void obj_explain_log(const struct wl_program *p, const char *log, struct buf *out);

/* obj_attach.c */
const char *obj_syscall_prefix(void); /* "__x64_sys_" on x86-64 */

/* obj_usdt.c: usdt.bpf.h programs, their argument specs in __bpf_usdt_specs */
int obj_attach_usdt_specs(struct wl_program *p, const char *path, const char *prov,
			  const char *name, struct wl_link **out);
int obj_attach(struct wl_program *p, const char *target, struct wl_link **out);

#endif
