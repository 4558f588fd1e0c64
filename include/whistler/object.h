/* libwhistler's object layer: what libbpf does for BPF ELF objects, without
 * libbpf.  Open an object (file or memory), adjust it (global variables, map
 * sizes, which programs load), load it (BTF, maps, externs, CO-RE, programs
 * through the verifier), attach its programs by section name, close it.
 *
 *   struct wl_object *obj;
 *   wl_object_open_file("x.bpf.o", NULL, &obj);
 *   *(int *)wl_object_global(obj, "cfg", NULL) = 5;     // const volatile
 *   wl_object_load(obj);
 *   wl_program_attach(wl_object_find_program(obj, "handler"), NULL);
 *   ... wl_map_lookup(wl_obj_map_map(wl_object_find_map(obj, "counts")), ...)
 *   wl_object_close(obj);                                // detaches, closes all
 *
 * Conventions as in loader.h: negative errno, messages through wl_set_log
 * naming their context ("prog 'x': ...", "map 'y': ..."). */
#ifndef WHISTLER_OBJECT_H
#define WHISTLER_OBJECT_H

#include "whistler/loader.h"

struct wl_object;
struct wl_program; /* a program of an object (its loaded form is a wl_prog) */
struct wl_obj_map; /* a map of an object (its created form is a wl_map) */

struct wl_object_opts {
	/* Messages and the kernel names of global-data maps ("name.bss");
	 * default: the file name without directories and ".bpf.o"/".o", or "mem". */
	const char *name;
	/* Where maps with LIBBPF_PIN_BY_NAME pinning live; default /sys/fs/bpf. */
	const char *pin_root;
	/* Kernel configuration as "CONFIG_X=value" lines, used for .kconfig
	 * externs instead of /proc/config.gz (and /boot/config-$(uname -r)). */
	const char *kconfig;
	/* Raw BTF of the target kernel (CO-RE, ksyms, kfuncs, attach targets);
	 * default /sys/kernel/btf/vmlinux. */
	const char *btf_custom_path;
	/* Verifier log level for every program; 0: a level-1 log is captured
	 * only when a load fails. */
	uint32_t log_level;
	/* Pretend the kernel lacks BTF features, to test BTF sanitizing:
	 * WL_BTF_FEAT_* bits that are forced off. */
	uint32_t btf_features_off;
};

/* BTF features of the kernel that object BTF may use; missing ones are
 * rewritten into kinds the kernel knows before BTF_BTF_LOAD. */
enum {
	WL_BTF_FEAT_FUNC = 1u << 0,	   /* FUNC, FUNC_PROTO */
	WL_BTF_FEAT_GLOBAL_FUNC = 1u << 1, /* FUNC linkage global */
	WL_BTF_FEAT_DATASEC = 1u << 2,	   /* VAR, DATASEC */
	WL_BTF_FEAT_FLOAT = 1u << 3,
	WL_BTF_FEAT_DECL_TAG = 1u << 4,
	WL_BTF_FEAT_TYPE_TAG = 1u << 5,
	WL_BTF_FEAT_ENUM64 = 1u << 6,
};

/* Reads and checks the whole object (sections, symbols, relocations, BTF,
 * .BTF.ext, map definitions); no kernel access.  open_mem copies data. */
int wl_object_open_file(const char *path, const struct wl_object_opts *opts,
			struct wl_object **out);
int wl_object_open_mem(const void *data, size_t size, const struct wl_object_opts *opts,
		       struct wl_object **out);
/* Everything a load does short of bpf(2): externs resolved (.kconfig,
 * .ksyms against the target BTF and /proc/kallsyms), CO-RE relocations
 * applied, subprograms linked, map references recorded, func/line info and
 * the sanitized BTF built.  Programs' instructions are final except map fds.
 * Idempotent; wl_object_load calls it. */
int wl_object_prepare(struct wl_object *obj);
/* Loads BTF, creates (or reuses pinned) maps with their initial contents,
 * loads every autoload program, fills prog arrays and map-in-maps.  On
 * failure nothing stays in the kernel and the message names the program or
 * map; a verifier rejection includes the source line of the failing insn. */
int wl_object_load(struct wl_object *obj);
/* Destroys every link made through wl_program_attach*, every program and map
 * fd, the BTF fd: no fd of the object survives.  NULL is fine. */
void wl_object_close(struct wl_object *obj);

const char *wl_object_name(const struct wl_object *obj);
const char *wl_object_license(const struct wl_object *obj);
int wl_object_btf_fd(const struct wl_object *obj); /* after load; -1 without BTF */

size_t wl_object_program_count(const struct wl_object *obj);
struct wl_program *wl_object_program(const struct wl_object *obj, size_t i);
struct wl_program *wl_object_find_program(const struct wl_object *obj, const char *name);
size_t wl_object_map_count(const struct wl_object *obj);
struct wl_obj_map *wl_object_map(const struct wl_object *obj, size_t i);
/* By map name; global-data maps by their section name (".bss", ".rodata"). */
struct wl_obj_map *wl_object_find_map(const struct wl_object *obj, const char *name);

/* A global variable (.bss, .data, .rodata, .rodata.X, .data.X, static ones
 * too, and .kconfig externs) by name: before load a writable pointer into
 * the map's initial contents (how `const volatile` settings are made;
 * .kconfig values are filled in by prepare); after load the variable inside
 * the mmap'ed map (.rodata and .kconfig are frozen and mapped read-only).
 * *size (may be NULL) gets its size.  NULL if unknown. */
void *wl_object_global(struct wl_object *obj, const char *name, size_t *size);

/* Pins every loaded program as DIR/<name> and every map as DIR/<name>
 * ('.' in names becomes '_', which bpffs requires). */
int wl_object_pin_programs(struct wl_object *obj, const char *dir);
int wl_object_pin_maps(struct wl_object *obj, const char *dir);

/* ---- programs ---------------------------------------------------------- */

const char *wl_program_name(const struct wl_program *p);
const char *wl_program_section(const struct wl_program *p);
struct wl_object *wl_program_object(const struct wl_program *p);
uint32_t wl_program_type(const struct wl_program *p);
uint32_t wl_program_expected_attach_type(const struct wl_program *p);
/* Before load: override what the section name said. */
int wl_program_set_type(struct wl_program *p, uint32_t type, uint32_t expected_attach_type);
bool wl_program_autoload(const struct wl_program *p);
int wl_program_set_autoload(struct wl_program *p, bool autoload);
/* After prepare: the final instructions (subprograms appended), their count. */
const struct bpf_insn *wl_program_insns(const struct wl_program *p, size_t *cnt);
size_t wl_program_insn_count(const struct wl_program *p);
/* After load: the kernel program, or NULL when not loaded. */
struct wl_prog *wl_program_prog(const struct wl_program *p);
int wl_program_fd(const struct wl_program *p); /* -1 when not loaded */
/* Instructions the verifier processed (bpf_prog_info.verified_insns). */
uint32_t wl_program_verified_insns(const struct wl_program *p);
/* Bytes of native code the JIT produced (bpf_prog_info.jited_prog_len);
 * 0 until loaded, or when the kernel did not JIT-compile it. */
uint32_t wl_program_jited_size(const struct wl_program *p);
/* The verifier log of a failed load with source lines, or the log of a
 * successful one made with log_level > 0; NULL otherwise. */
const char *wl_program_log(const struct wl_program *p);
/* "file.c:12: source text" for instruction insn_idx of the final program,
 * from line_info (the nearest record at or before it); NULL without one. */
char *wl_program_source_line(const struct wl_program *p, uint32_t insn_idx);

/* Attaches as the section name says (like libbpf's auto-attach):
 * tracepoint/C/N, raw_tp/N, tp_btf/N, fentry/fexit/fmod_ret/lsm, kprobe/F[+off],
 * kretprobe/F, ksyscall/N, uprobe/PATH:FUNC[+off], uretprobe/..., usdt/PATH:PROV:NAME,
 * iter/..., ...  Sections that need a target (xdp, tc, cgroup/..., a bare
 * kprobe) fail with -EINVAL naming what is missing: use _attach_to. */
int wl_program_attach(struct wl_program *p, struct wl_link **out);
/* With a target string: an interface name or index (xdp, tc, tcx), a
 * cgroup directory (cgroup*, sockops; default: the cgroup v2 root), a kernel
 * function (kprobe, ksyscall), "PATH:FUNC" (uprobe), "PATH:PROVIDER:NAME"
 * (usdt), "CATEGORY/NAME" (tracepoint), a tracepoint name (raw_tp), a netns
 * file (sk_lookup, flow_dissector), a map name (sk_skb, sk_msg, iter).
 * NULL behaves as wl_program_attach. */
int wl_program_attach_to(struct wl_program *p, const char *target, struct wl_link **out);
/* Links made here are owned by the program (and the object): use
 * wl_program_detach, never wl_link_destroy, on them.  *out may be NULL. */
void wl_program_detach(struct wl_program *p);
size_t wl_program_link_count(const struct wl_program *p);
struct wl_link *wl_program_link(const struct wl_program *p, size_t i);
/* Adopts a link made by a wl_attach_* call on wl_program_prog(p), so the
 * object destroys it. */
void wl_program_adopt_link(struct wl_program *p, struct wl_link *link);

/* ---- maps -------------------------------------------------------------- */

const char *wl_obj_map_name(const struct wl_obj_map *m);
uint32_t wl_obj_map_type(const struct wl_obj_map *m);
uint32_t wl_obj_map_key_size(const struct wl_obj_map *m);
uint32_t wl_obj_map_value_size(const struct wl_obj_map *m);
uint32_t wl_obj_map_max_entries(const struct wl_obj_map *m);
uint32_t wl_obj_map_flags(const struct wl_obj_map *m);
/* Global data (.bss, .data, .rodata*, .kconfig) rather than a declared map. */
bool wl_obj_map_is_internal(const struct wl_obj_map *m);
/* Before load. */
int wl_obj_map_set_max_entries(struct wl_obj_map *m, uint32_t n);
int wl_obj_map_set_pin_path(struct wl_obj_map *m, const char *path); /* NULL: none */
const char *wl_obj_map_pin_path(const struct wl_obj_map *m);
/* Before load: use `map` (an fd of it is kept) instead of creating one, like
 * a compatible pinned map: type, sizes, max_entries and flags must match, the
 * contents stay, global data is neither written nor frozen again.  How a
 * session reloads programs without losing map contents.  NULL: create. */
int wl_obj_map_reuse(struct wl_obj_map *m, const struct wl_map *map);
/* After load: true when an existing pinned map was reused. */
bool wl_obj_map_reused(const struct wl_obj_map *m);
/* Initial contents of a global-data map (writable before load), or NULL. */
void *wl_obj_map_initial_value(struct wl_obj_map *m, size_t *size);
/* After load: the kernel map, or NULL (max_entries is then the kernel's). */
struct wl_map *wl_obj_map_map(const struct wl_obj_map *m);
int wl_obj_map_fd(const struct wl_obj_map *m); /* -1 when not created */

#endif
