/* libwhistler's thin layer over bpf(2): one function per command, on plain
 * file descriptors.  Every function returns a new fd or 0 on success and a
 * negative errno on failure (errno is left as the kernel set it). */
#ifndef WHISTLER_SYS_H
#define WHISTLER_SYS_H

#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

/* bpf(cmd, attr, size): the result, or -errno. */
int wl_sys_bpf(int cmd, void *attr, unsigned size);

/* Element operations; key/value buffers must hold the map's sizes (for
 * per-CPU maps the value is wl_num_possible_cpus() slots of round_up(value_size, 8)). */
int wl_sys_map_lookup(int map_fd, const void *key, void *value, uint64_t flags);
int wl_sys_map_update(int map_fd, const void *key, const void *value, uint64_t flags);
int wl_sys_map_delete(int map_fd, const void *key);
/* key NULL gives the first key; -ENOENT after the last one. */
int wl_sys_map_next_key(int map_fd, const void *key, void *next_key);
/* key NULL for queue/stack maps (pop). */
int wl_sys_map_lookup_and_delete(int map_fd, const void *key, void *value, uint64_t flags);
int wl_sys_map_freeze(int map_fd);

/* Batch operations.  *count is the number of slots in, the number done out;
 * lookup returns -ENOENT with the final partial batch (check *count). */
struct wl_batch_opts {
	uint64_t elem_flags, flags;
};
int wl_sys_map_lookup_batch(int map_fd, void *in_batch, void *out_batch, void *keys, void *values,
			    uint32_t *count, const struct wl_batch_opts *opts);
int wl_sys_map_lookup_and_delete_batch(int map_fd, void *in_batch, void *out_batch, void *keys,
				       void *values, uint32_t *count,
				       const struct wl_batch_opts *opts);
int wl_sys_map_update_batch(int map_fd, const void *keys, const void *values, uint32_t *count,
			    const struct wl_batch_opts *opts);
int wl_sys_map_delete_batch(int map_fd, const void *keys, uint32_t *count,
			    const struct wl_batch_opts *opts);

/* bpffs */
int wl_sys_obj_pin(int fd, const char *path);
int wl_sys_obj_get(const char *path, uint32_t file_flags);

/* ids and info */
int wl_sys_prog_get_next_id(uint32_t start, uint32_t *next);
int wl_sys_map_get_next_id(uint32_t start, uint32_t *next);
int wl_sys_link_get_next_id(uint32_t start, uint32_t *next);
int wl_sys_btf_get_next_id(uint32_t start, uint32_t *next);
int wl_sys_prog_get_fd_by_id(uint32_t id);
int wl_sys_map_get_fd_by_id(uint32_t id);
int wl_sys_link_get_fd_by_id(uint32_t id);
int wl_sys_btf_get_fd_by_id(uint32_t id);
/* info is a struct bpf_prog_info / bpf_map_info / bpf_link_info / bpf_btf_info;
 * *len is its size in, the kernel's size out. */
int wl_sys_obj_info(int fd, void *info, uint32_t *len);

/* Attachment by the old command pair (cgroups, sockmaps, flow dissector, lirc). */
int wl_sys_prog_attach(int prog_fd, int target_fd, uint32_t attach_type, uint32_t flags);
int wl_sys_prog_detach(int prog_fd, int target_fd, uint32_t attach_type);
/* ids holds *count slots in, the number of attached programs out. */
int wl_sys_prog_query(int target_fd, uint32_t attach_type, uint32_t query_flags,
		      uint32_t *attach_flags, uint32_t *ids, uint32_t *count);

/* Links.  The optional extras of BPF_LINK_CREATE: */
struct wl_link_create_opts {
	uint32_t flags;
	uint32_t target_btf_id; /* tracing: fentry/fexit/lsm/tp_btf targets */
	uint64_t cookie;	/* perf_event and tracing links */
	const void *iter_info;	/* iter: a union bpf_iter_link_info */
	uint32_t iter_info_len;
	uint32_t relative_fd_or_id; /* tcx ordering */
	uint64_t expected_revision; /* tcx */
};
int wl_sys_link_create(int prog_fd, int target_fd, uint32_t attach_type,
		       const struct wl_link_create_opts *opts);
int wl_sys_link_update(int link_fd, int new_prog_fd, int old_prog_fd);
int wl_sys_link_detach(int link_fd);
int wl_sys_raw_tp_open(const char *name, int prog_fd, uint64_t cookie);
int wl_sys_iter_create(int link_fd);

int wl_sys_prog_bind_map(int prog_fd, int map_fd);
/* BPF_ENABLE_STATS(BPF_STATS_RUN_TIME): stats run while the returned fd is open. */
int wl_sys_enable_stats(uint32_t type);

/* The number of possible CPUs (sizes per-CPU values and perf buffers), or -errno. */
int wl_num_possible_cpus(void);

#endif
