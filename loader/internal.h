/* Shared between the loader's files: logging, the object layouts, the
 * link kinds, and the tracefs / netlink helpers the attachers use. */
#ifndef WHISTLER_LOADER_INTERNAL_H
#define WHISTLER_LOADER_INTERNAL_H

#include "loader/kabi.h"
#include "util/util.h"
#include "whistler/loader.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <stdlib.h>

W_PRINTF(2, 3) void wl_log(enum wl_log_level level, const char *fmt, ...);
#define wl_warn(...) wl_log(WL_LOG_WARN, __VA_ARGS__)
#define wl_info(...) wl_log(WL_LOG_INFO, __VA_ARGS__)
#define wl_debug(...) wl_log(WL_LOG_DEBUG, __VA_ARGS__)
/* strerror for a negative errno, thread-safe enough for messages */
const char *wl_errstr(int neg_errno);

static inline uint64_t wl_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* bpf() returning a new fd: retries EAGAIN, keeps results off fds 0..2 */
int wl_sys_bpf_fd(int cmd, void *attr, unsigned size);

/* close() that keeps errno and ignores fd <= 0 (fd 0 is never ours) */
void wl_close(int fd);
/* fcntl F_DUPFD_CLOEXEC to a number > 2 */
int wl_dup(int fd);

struct wl_map {
	int fd;
	char *name;
	uint32_t type, key_size, value_size, max_entries, flags;
	void *mmapped;
	size_t mmap_size;
};

struct wl_prog {
	int fd;
	char *name;
	uint32_t type, expected_attach_type;
	char *log;
};

/* What wl_link_destroy must undo.  See link.c. */
enum wl_link_kind {
	WL_LINK_BPF,	       /* fd is a bpf_link */
	WL_LINK_PERF,	       /* fds[] perf events with a program; maybe legacy probe events */
	WL_LINK_NETLINK_XDP,   /* ifindex, xdp flags, prog id */
	WL_LINK_TC_FILTER,     /* ifindex, parent, priority, handle */
	WL_LINK_PROG_ATTACH,   /* target_fd (owned dup), prog_fd (dup), attach_type */
	WL_LINK_SOCKET_FILTER, /* target_fd (dup of the socket) */
};

struct wl_link {
	enum wl_link_kind kind;
	int fd;	  /* bpf_link or the first perf fd */
	int *fds; /* perf events */
	size_t nfds;
	char **legacy_events; /* tracefs probe events to remove: "p:group/name" lines */
	size_t nlegacy;
	int ifindex;
	uint32_t xdp_flags, prog_id;
	uint32_t tc_parent, tc_handle;
	uint16_t tc_prio;
	int target_fd, prog_fd;
	uint32_t attach_type;
	char *desc; /* for messages: "prog 'x' on tracepoint a/b" */
};

/* wl_map_create / wl_prog_load without the warning on failure, for callers
 * that retry or explain the failure themselves. */
int wl_map_create_q(const struct wl_map_opts *opts, bool quiet, struct wl_map **out);
int wl_prog_load_q(const struct wl_prog_opts *opts, bool quiet, struct wl_prog **out);
int wl_btf_load_q(const void *data, size_t size, bool quiet, char **log);

struct wl_link *wl_link_new(enum wl_link_kind kind, const char *desc);

/* btf.c: a BTF blob whose type [1] is int, for probes; fd or -errno */
int wl_btf_load_int_only(void);
/* The first type `name` of `kind` in raw BTF: its id, -ENOENT, or -ENOEXEC
 * for malformed data (bounds-checked, fuzzed). */
int wl_btf_find_in(const void *data, size_t size, const char *name, uint32_t kind);

/* tracefs.c */
const char *wl_tracefs_root(void);
int wl_tracepoint_id(const char *category, const char *name);
/* PMU type of /sys/bus/event_source/devices/<pmu>/type; retprobe bit in *ret_bit */
int wl_pmu_type(const char *pmu);
int wl_pmu_retprobe_bit(const char *pmu);
/* perf_event_open wrapper: fd or -errno */
int wl_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
		       unsigned long flags);
/* Adds a probe line to tracefs kprobe_events/uprobe_events ("p:grp/ev target"),
 * returns the tracepoint id of grp/ev. */
int wl_tracefs_probe_add(const char *file, const char *group, const char *event, const char *line);
int wl_tracefs_probe_remove(const char *file, const char *group, const char *event);

/* netlink.c */
int wl_nl_xdp_set(int ifindex, int prog_fd, uint32_t flags, int old_fd);
int wl_nl_xdp_query(int ifindex, uint32_t *prog_id, uint8_t *attach_mode);
int wl_nl_clsact_ensure(int ifindex);
int wl_nl_tc_filter_add(int ifindex, uint32_t parent, uint16_t prio, uint32_t handle, int prog_fd,
			const char *name);
int wl_nl_tc_filter_del(int ifindex, uint32_t parent, uint16_t prio, uint32_t handle);

/* elf.c: reading one file through libelf */
struct wl_elf;

#endif
