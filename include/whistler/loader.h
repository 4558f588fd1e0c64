/* libwhistler's loader: maps, programs, links and event consumers over raw
 * syscalls, without libbpf.  Objects are opaque; functions return 0 (or a
 * count) on success and a negative errno on failure; problems are reported
 * through the log callback with their context ("prog 'x': ...").
 * Destroying an object closes every fd it owns and undoes its attachment. */
#ifndef WHISTLER_LOADER_H
#define WHISTLER_LOADER_H

#include "whistler/sys.h"

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- logging ---------------------------------------------------------- */

enum wl_log_level { WL_LOG_WARN, WL_LOG_INFO, WL_LOG_DEBUG };
/* msg is one complete message without a trailing newline (a verifier log may
 * span lines).  The default prints WL_LOG_WARN to stderr; NULL silences. */
typedef void (*wl_log_fn)(enum wl_log_level level, const char *msg);
wl_log_fn wl_set_log(wl_log_fn fn); /* returns the previous one */

/* ---- names of kernel enums (NULL / -ENOENT when unknown) --------------- */

const char *wl_map_type_name(uint32_t type);
const char *wl_prog_type_name(uint32_t type);
const char *wl_attach_type_name(uint32_t type);
const char *wl_link_type_name(uint32_t type);
int wl_map_type_by_name(const char *name);
int wl_prog_type_by_name(const char *name);
int wl_attach_type_by_name(const char *name);

/* ---- feature probes: 1 supported, 0 not, <0 could not tell ------------- */

int wl_probe_map_type(uint32_t map_type);
int wl_probe_prog_type(uint32_t prog_type);
int wl_probe_helper(uint32_t prog_type, uint32_t helper_id);

/* ---- BTF --------------------------------------------------------------- */

/* Loads raw BTF; returns the fd.  With log non-NULL, the kernel's BTF log is
 * returned in *log (malloc'd, caller frees) whenever one was produced. */
int wl_btf_load(const void *data, size_t size, char **log);
/* Tiny lookup in /sys/kernel/btf/vmlinux: the id of the first type named
 * `name` of BTF kind `kind` (BTF_KIND_*), or -ENOENT.  Stands in until the
 * BTF reader lands. */
int wl_vmlinux_btf_find(const char *name, uint32_t kind);

/* ---- maps -------------------------------------------------------------- */

struct wl_map;

struct wl_map_opts {
	const char *name; /* kernel keeps 15 chars; messages use it whole */
	uint32_t type;	  /* enum bpf_map_type */
	uint32_t key_size, value_size, max_entries;
	uint32_t flags;	    /* BPF_F_* map flags */
	int inner_map_fd;   /* map-in-map template, or 0 */
	uint64_t map_extra; /* bloom filter: number of hashes (low 4 bits) */
	int numa_node;	    /* used when flags has BPF_F_NUMA_NODE */
	uint32_t ifindex;   /* offload target, or 0 */
	int btf_fd;	    /* 0 for none */
	uint32_t btf_key_type_id, btf_value_type_id, btf_vmlinux_value_type_id;
};

int wl_map_create(const struct wl_map_opts *opts, struct wl_map **out);
/* Adopts fd (closed on destroy); type and sizes are read from the kernel. */
int wl_map_from_fd(int fd, const char *name, struct wl_map **out);
int wl_map_from_pinned(const char *path, const char *name, struct wl_map **out);
void wl_map_destroy(struct wl_map *map); /* NULL is fine */

int wl_map_fd(const struct wl_map *map);
const char *wl_map_name(const struct wl_map *map);
uint32_t wl_map_type(const struct wl_map *map);
uint32_t wl_map_key_size(const struct wl_map *map);
uint32_t wl_map_value_size(const struct wl_map *map);
uint32_t wl_map_max_entries(const struct wl_map *map);
/* Bytes a lookup writes: value_size, or per-CPU slots for per-CPU maps. */
size_t wl_map_value_buf_size(const struct wl_map *map);

int wl_map_lookup(const struct wl_map *map, const void *key, void *value, uint64_t flags);
int wl_map_update(const struct wl_map *map, const void *key, const void *value, uint64_t flags);
int wl_map_delete(const struct wl_map *map, const void *key);
int wl_map_next_key(const struct wl_map *map, const void *key, void *next_key);
int wl_map_lookup_and_delete(const struct wl_map *map, const void *key, void *value);
int wl_map_freeze(const struct wl_map *map);
/* Maps the whole value area of an array map made with BPF_F_MMAPABLE (global
 * data) or an arena; the mapping lives until wl_map_destroy. */
int wl_map_mmap(struct wl_map *map, void **addr, size_t *size);
int wl_map_pin(const struct wl_map *map, const char *path);
int wl_map_info(const struct wl_map *map, struct bpf_map_info *info);

/* ---- programs ---------------------------------------------------------- */

struct wl_prog;

struct wl_prog_opts {
	const char *name;
	uint32_t type; /* enum bpf_prog_type */
	uint32_t expected_attach_type;
	const struct bpf_insn *insns;
	size_t insn_cnt;
	const char *license;	      /* NULL means "GPL" */
	uint32_t kern_version, flags; /* BPF_F_* load flags */
	uint32_t ifindex;
	/* BTF of the program: func_info/line_info records in the kernel layout */
	int prog_btf_fd;
	const void *func_info;
	uint32_t func_info_rec_size, func_info_cnt;
	const void *line_info;
	uint32_t line_info_rec_size, line_info_cnt;
	/* fentry/fexit/fmod_ret/lsm/tp_btf/iter targets */
	uint32_t attach_btf_id;
	int attach_btf_obj_fd; /* module BTF, or 0 for vmlinux */
	int attach_prog_fd;    /* freplace / fentry on a BPF program */
	/* kfunc module BTF fds referenced by insn offsets, maps to bind */
	const int *fd_array;
	uint32_t fd_array_cnt; /* 0 = do not send (older kernels) */
	/* verifier log: 0 = captured (level 1) only when the load fails */
	uint32_t log_level;
	uint32_t log_size; /* first buffer size, grown on demand */
	char **log;	   /* if set, receives the log (malloc'd) */
};

int wl_prog_load(const struct wl_prog_opts *opts, struct wl_prog **out);
int wl_prog_from_fd(int fd, const char *name, struct wl_prog **out);
void wl_prog_destroy(struct wl_prog *prog);

int wl_prog_fd(const struct wl_prog *prog);
const char *wl_prog_name(const struct wl_prog *prog);
uint32_t wl_prog_type(const struct wl_prog *prog);
uint32_t wl_prog_expected_attach_type(const struct wl_prog *prog);
/* The verifier log of a successful load made with log_level > 0, else NULL. */
const char *wl_prog_log(const struct wl_prog *prog);
int wl_prog_pin(const struct wl_prog *prog, const char *path);
int wl_prog_info(const struct wl_prog *prog, struct bpf_prog_info *info);

/* BPF_PROG_TEST_RUN.  data_size_out/ctx_size_out: capacity in, size out. */
struct wl_test_run {
	const void *data_in;
	uint32_t data_size_in;
	void *data_out;
	uint32_t data_size_out;
	const void *ctx_in;
	uint32_t ctx_size_in;
	void *ctx_out;
	uint32_t ctx_size_out;
	uint32_t repeat, flags, cpu, batch_size;
	uint32_t retval, duration; /* out */
};
int wl_prog_test_run(const struct wl_prog *prog, struct wl_test_run *run);

/* ---- links ------------------------------------------------------------- */

/* A link is whatever keeps a program attached: a bpf_link, a perf event with
 * a program set, a netlink-installed XDP program or tc filter, a
 * BPF_PROG_ATTACH to a cgroup/sockmap/netns, or a socket filter.
 * wl_link_destroy undoes it and closes everything it owns. */
struct wl_link;

void wl_link_destroy(struct wl_link *link);
/* The link's fd (a bpf_link or the perf event fd), or -EOPNOTSUPP. */
int wl_link_fd(const struct wl_link *link);
/* Kind, for messages: "bpf_link", "perf_event", "netlink_xdp", "tc_filter",
 * "prog_attach", "socket_filter". */
const char *wl_link_kind(const struct wl_link *link);
/* What it attaches, for messages: "prog 'x' on tracepoint 'a/b'". */
const char *wl_link_desc(const struct wl_link *link);
int wl_link_pin(const struct wl_link *link, const char *path);
/* BPF_LINK_UPDATE: swap the program of a bpf_link in place. */
int wl_link_update(struct wl_link *link, const struct wl_prog *prog);
/* BPF_LINK_DETACH: detach now, the fd stays until destroy. */
int wl_link_detach(struct wl_link *link);

/* Adopt an fd from BPF_LINK_CREATE etc. (closed on destroy). */
int wl_link_from_fd(int fd, struct wl_link **out);
/* Generic BPF_LINK_CREATE. */
int wl_link_create(const struct wl_prog *prog, int target_fd, uint32_t attach_type,
		   const struct wl_link_create_opts *opts, struct wl_link **out);

/* tracing */
int wl_attach_tracepoint(const struct wl_prog *prog, const char *category, const char *name,
			 struct wl_link **out);
int wl_attach_raw_tracepoint(const struct wl_prog *prog, const char *name, struct wl_link **out);
/* tp_btf, fentry, fexit, fmod_ret, lsm: the target is the prog's attach_btf_id. */
int wl_attach_tracing(const struct wl_prog *prog, uint64_t cookie, struct wl_link **out);
int wl_attach_kprobe(const struct wl_prog *prog, const char *func, uint64_t offset, bool retprobe,
		     struct wl_link **out);

struct wl_uprobe_opts {
	pid_t pid; /* 0 = every process (-1 is accepted too) */
	bool retprobe;
	uint64_t ref_ctr_offset; /* USDT semaphore file offset, or 0 */
	uint64_t cookie;
	bool legacy; /* a tracefs uprobe_events entry instead of the uprobe PMU */
};
/* func names a symbol in binary (.symtab, then .dynsym; "name+0x10" adds an
 * offset); func NULL means `offset` is a file offset. */
int wl_attach_uprobe(const struct wl_prog *prog, const char *binary, const char *func,
		     uint64_t offset, const struct wl_uprobe_opts *opts, struct wl_link **out);
/* The first note of provider:name in binary (its semaphore handled).  Each
 * call site of the probe gets a uprobe; the link owns them all. */
int wl_attach_usdt(const struct wl_prog *prog, const char *binary, const char *provider,
		   const char *name, pid_t pid, struct wl_link **out);
/* perf_event_open(attr, pid, cpu) then attach. */
int wl_attach_perf_event(const struct wl_prog *prog, const struct perf_event_attr *attr, pid_t pid,
			 int cpu, struct wl_link **out);
/* Attach to an open perf event; the link takes ownership of pfd.  Uses a
 * BPF_LINK_CREATE perf link; the _ioctl form uses PERF_EVENT_IOC_SET_BPF
 * (what kernels before 5.15 offer, and what the first falls back to). */
int wl_attach_perf_fd(const struct wl_prog *prog, int pfd, uint64_t cookie, struct wl_link **out);
int wl_attach_perf_fd_ioctl(const struct wl_prog *prog, int pfd, struct wl_link **out);
/* Iterator link (map_fd > 0 for map element iterators) and a readable
 * instance of it (read(2) until 0). */
int wl_attach_iter(const struct wl_prog *prog, int map_fd, struct wl_link **out);
int wl_iter_create(const struct wl_link *link);

/* networking */
enum wl_xdp_mode { WL_XDP_ANY = 0, WL_XDP_SKB = 2, WL_XDP_DRV = 4, WL_XDP_HW = 8 };
/* netlink RTM_SETLINK IFLA_XDP; destroy removes the program again. */
int wl_attach_xdp(const struct wl_prog *prog, int ifindex, enum wl_xdp_mode mode,
		  struct wl_link **out);
int wl_attach_xdp_link(const struct wl_prog *prog, int ifindex, struct wl_link **out);
int wl_attach_tcx(const struct wl_prog *prog, int ifindex, bool egress, struct wl_link **out);
/* classic tc: a clsact qdisc (created if missing, left in place) and a
 * cls_bpf filter in direct-action mode; destroy deletes the filter. */
int wl_attach_tc(const struct wl_prog *prog, int ifindex, bool egress, uint16_t priority,
		 struct wl_link **out);
/* cgroup: a bpf_link (attach_type 0 or one of the cgroup attach types; 0
 * takes the prog's expected attach type). */
int wl_attach_cgroup(const struct wl_prog *prog, int cgroup_fd, uint32_t attach_type,
		     struct wl_link **out);
/* cgroup by BPF_PROG_ATTACH with BPF_F_ALLOW_* flags; destroy detaches. */
int wl_attach_cgroup_legacy(const struct wl_prog *prog, int cgroup_fd, uint32_t attach_type,
			    uint32_t flags, struct wl_link **out);
/* sk_lookup and flow_dissector: a netns link on an open /proc/.../ns/net fd. */
int wl_attach_netns(const struct wl_prog *prog, int netns_fd, struct wl_link **out);
/* SO_ATTACH_BPF on a socket; destroy does SO_DETACH_BPF. */
int wl_attach_socket(const struct wl_prog *prog, int sock_fd, struct wl_link **out);
/* sk_skb / sk_msg programs on a sockmap/sockhash (BPF_PROG_ATTACH). */
int wl_attach_sockmap(const struct wl_prog *prog, const struct wl_map *map, uint32_t attach_type,
		      struct wl_link **out);

/* ---- event consumers --------------------------------------------------- */

/* Called per committed record (discarded ones are skipped); a negative
 * return stops the consume loop and is returned by poll/consume. */
typedef int (*wl_ringbuf_fn)(void *ctx, const void *data, size_t size);
struct wl_ringbuf;
int wl_ringbuf_new(const struct wl_map *map, wl_ringbuf_fn fn, void *ctx, struct wl_ringbuf **out);
int wl_ringbuf_add(struct wl_ringbuf *rb, const struct wl_map *map, wl_ringbuf_fn fn, void *ctx);
/* Waits up to timeout_ms (-1 forever) and consumes; returns records seen. */
int wl_ringbuf_poll(struct wl_ringbuf *rb, int timeout_ms);
int wl_ringbuf_consume(struct wl_ringbuf *rb);
int wl_ringbuf_epoll_fd(const struct wl_ringbuf *rb);
void wl_ringbuf_free(struct wl_ringbuf *rb);

/* data is the raw sample: 4-byte aligned only (copy before wider loads). */
typedef void (*wl_perfbuf_sample_fn)(void *ctx, int cpu, const void *data, uint32_t size);
typedef void (*wl_perfbuf_lost_fn)(void *ctx, int cpu, uint64_t lost);
struct wl_perfbuf;
/* One PERF_COUNT_SW_BPF_OUTPUT event per CPU stored into the
 * perf_event_array map; page_cnt data pages each (a power of two). */
int wl_perfbuf_new(const struct wl_map *map, size_t page_cnt, wl_perfbuf_sample_fn sample,
		   wl_perfbuf_lost_fn lost, void *ctx, struct wl_perfbuf **out);
int wl_perfbuf_poll(struct wl_perfbuf *pb, int timeout_ms);
int wl_perfbuf_consume(struct wl_perfbuf *pb);
int wl_perfbuf_epoll_fd(const struct wl_perfbuf *pb);
void wl_perfbuf_free(struct wl_perfbuf *pb);

/* ---- ELF symbols and USDT notes (used by the uprobe attachers) --------- */

/* File offset of symbol `name` in the ELF file at path (a function's entry
 * as uprobes want it), or -ENOENT / -ENOEXEC. */
int wl_elf_symbol_offset(const char *path, const char *name, uint64_t *offset);
/* Virtual address to file offset through the program headers. */
int wl_elf_vaddr_to_offset(const char *path, uint64_t vaddr, uint64_t *offset);

#define WL_USDT_MAX_ARGS 12
enum wl_usdt_arg_kind { WL_USDT_ARG_CONST, WL_USDT_ARG_REG, WL_USDT_ARG_REG_DEREF };
struct wl_usdt_arg {
	enum wl_usdt_arg_kind kind;
	int size;      /* bytes, negative = signed */
	char reg[8];   /* x86-64 register name without '%' ("rdi", "eax") */
	int64_t value; /* constant, or displacement for REG_DEREF */
};
struct wl_usdt_note {
	char *provider, *name, *args; /* args: the raw argument string */
	uint64_t pc, base, semaphore; /* as recorded in the note */
	uint64_t pc_offset;	      /* file offset of the probe site */
	uint64_t sema_offset;	      /* file offset of the semaphore, 0 if none */
	int nargs;
	struct wl_usdt_arg arg[WL_USDT_MAX_ARGS];
};
/* All .note.stapsdt notes of an ELF file; free with wl_usdt_notes_free. */
int wl_usdt_notes_read(const char *path, struct wl_usdt_note **notes, size_t *count);
void wl_usdt_notes_free(struct wl_usdt_note *notes, size_t count);
/* "-4@%edi 8@-8(%rbp) 4@$5" into arg[]; returns the count or -EINVAL. */
int wl_usdt_parse_args(const char *spec, struct wl_usdt_arg *arg, int max);

#endif
