/* One function per bpf(2) command on plain fds: the layer the object API
 * and the future ELF loader are built on.  Attribute structs are zeroed up to
 * the size we pass, so the kernel sees no garbage in fields it knows. */
#include "loader/internal.h"

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int wl_sys_bpf(int cmd, void *attr, unsigned size)
{
	long r = syscall(__NR_bpf, cmd, attr, size);
	return r < 0 ? -errno : (int)r;
}

/* A bpf() that must hand back an fd: retries EAGAIN (the verifier can ask)
 * and moves results off 0..2 so a closed stdin is never mistaken for "none". */
int wl_sys_bpf_fd(int cmd, void *attr, unsigned size)
{
	int r, tries = 5;
	do {
		r = wl_sys_bpf(cmd, attr, size);
	} while (r == -EAGAIN && --tries > 0);
	if (r >= 0 && r <= 2) {
		int d = wl_dup(r);
		close(r);
		r = d;
	}
	return r;
}

int wl_sys_map_lookup(int map_fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	a.key = wl_ptr(key);
	a.value = wl_ptr(value);
	a.flags = flags;
	return wl_sys_bpf(BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
}

int wl_sys_map_update(int map_fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	a.key = wl_ptr(key);
	a.value = wl_ptr(value);
	a.flags = flags;
	return wl_sys_bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
}

int wl_sys_map_delete(int map_fd, const void *key)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	a.key = wl_ptr(key);
	return wl_sys_bpf(BPF_MAP_DELETE_ELEM, &a, sizeof(a));
}

int wl_sys_map_next_key(int map_fd, const void *key, void *next_key)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	a.key = wl_ptr(key);
	a.next_key = wl_ptr(next_key);
	return wl_sys_bpf(BPF_MAP_GET_NEXT_KEY, &a, sizeof(a));
}

int wl_sys_map_lookup_and_delete(int map_fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	a.key = wl_ptr(key);
	a.value = wl_ptr(value);
	a.flags = flags;
	return wl_sys_bpf(BPF_MAP_LOOKUP_AND_DELETE_ELEM, &a, sizeof(a));
}

int wl_sys_map_freeze(int map_fd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	return wl_sys_bpf(BPF_MAP_FREEZE, &a, sizeof(a));
}

static int sys_batch(int cmd, int map_fd, void *in_batch, void *out_batch, const void *keys,
		     const void *values, uint32_t *count, const struct wl_batch_opts *opts)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.batch.map_fd = map_fd;
	a.batch.in_batch = wl_ptr(in_batch);
	a.batch.out_batch = wl_ptr(out_batch);
	a.batch.keys = wl_ptr(keys);
	a.batch.values = wl_ptr(values);
	a.batch.count = *count;
	if (opts) {
		a.batch.elem_flags = opts->elem_flags;
		a.batch.flags = opts->flags;
	}
	int r = wl_sys_bpf(cmd, &a, sizeof(a));
	*count = a.batch.count; /* the kernel reports progress on errors too */
	return r;
}

int wl_sys_map_lookup_batch(int map_fd, void *in_batch, void *out_batch, void *keys, void *values,
			    uint32_t *count, const struct wl_batch_opts *opts)
{
	return sys_batch(BPF_MAP_LOOKUP_BATCH, map_fd, in_batch, out_batch, keys, values, count,
			 opts);
}

int wl_sys_map_lookup_and_delete_batch(int map_fd, void *in_batch, void *out_batch, void *keys,
				       void *values, uint32_t *count,
				       const struct wl_batch_opts *opts)
{
	return sys_batch(BPF_MAP_LOOKUP_AND_DELETE_BATCH, map_fd, in_batch, out_batch, keys, values,
			 count, opts);
}

int wl_sys_map_update_batch(int map_fd, const void *keys, const void *values, uint32_t *count,
			    const struct wl_batch_opts *opts)
{
	return sys_batch(BPF_MAP_UPDATE_BATCH, map_fd, NULL, NULL, keys, values, count, opts);
}

int wl_sys_map_delete_batch(int map_fd, const void *keys, uint32_t *count,
			    const struct wl_batch_opts *opts)
{
	return sys_batch(BPF_MAP_DELETE_BATCH, map_fd, NULL, NULL, keys, NULL, count, opts);
}

int wl_sys_obj_pin(int fd, const char *path)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = wl_ptr(path);
	a.bpf_fd = fd;
	return wl_sys_bpf(BPF_OBJ_PIN, &a, sizeof(a));
}

int wl_sys_obj_get(const char *path, uint32_t file_flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = wl_ptr(path);
	a.file_flags = file_flags;
	return wl_sys_bpf_fd(BPF_OBJ_GET, &a, sizeof(a));
}

static int sys_next_id(int cmd, uint32_t start, uint32_t *next)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.start_id = start;
	int r = wl_sys_bpf(cmd, &a, sizeof(a));
	if (r == 0)
		*next = a.next_id;
	return r;
}

int wl_sys_prog_get_next_id(uint32_t start, uint32_t *next)
{
	return sys_next_id(BPF_PROG_GET_NEXT_ID, start, next);
}

int wl_sys_map_get_next_id(uint32_t start, uint32_t *next)
{
	return sys_next_id(BPF_MAP_GET_NEXT_ID, start, next);
}

int wl_sys_link_get_next_id(uint32_t start, uint32_t *next)
{
	return sys_next_id(BPF_LINK_GET_NEXT_ID, start, next);
}

int wl_sys_btf_get_next_id(uint32_t start, uint32_t *next)
{
	return sys_next_id(BPF_BTF_GET_NEXT_ID, start, next);
}

static int sys_fd_by_id(int cmd, uint32_t id)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_id = id; /* the same slot for every kind of id */
	return wl_sys_bpf_fd(cmd, &a, sizeof(a));
}

int wl_sys_prog_get_fd_by_id(uint32_t id)
{
	return sys_fd_by_id(BPF_PROG_GET_FD_BY_ID, id);
}

int wl_sys_map_get_fd_by_id(uint32_t id)
{
	return sys_fd_by_id(BPF_MAP_GET_FD_BY_ID, id);
}

int wl_sys_link_get_fd_by_id(uint32_t id)
{
	return sys_fd_by_id(BPF_LINK_GET_FD_BY_ID, id);
}

int wl_sys_btf_get_fd_by_id(uint32_t id)
{
	return sys_fd_by_id(BPF_BTF_GET_FD_BY_ID, id);
}

int wl_sys_obj_info(int fd, void *info, uint32_t *len)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = *len;
	a.info.info = wl_ptr(info);
	int r = wl_sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
	if (r == 0)
		*len = a.info.info_len;
	return r;
}

int wl_sys_prog_attach(int prog_fd, int target_fd, uint32_t attach_type, uint32_t flags)
{
	struct kabi_prog_attach a;
	memset(&a, 0, sizeof(a));
	a.target_fd = target_fd;
	a.attach_bpf_fd = prog_fd;
	a.attach_type = attach_type;
	a.attach_flags = flags;
	return wl_sys_bpf(BPF_PROG_ATTACH, &a, sizeof(a));
}

int wl_sys_prog_detach(int prog_fd, int target_fd, uint32_t attach_type)
{
	struct kabi_prog_attach a;
	memset(&a, 0, sizeof(a));
	a.target_fd = target_fd;
	a.attach_bpf_fd = prog_fd > 0 ? prog_fd : 0;
	a.attach_type = attach_type;
	return wl_sys_bpf(BPF_PROG_DETACH, &a, sizeof(a));
}

int wl_sys_prog_query(int target_fd, uint32_t attach_type, uint32_t query_flags,
		      uint32_t *attach_flags, uint32_t *ids, uint32_t *count)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.query.target_fd = target_fd;
	a.query.attach_type = attach_type;
	a.query.query_flags = query_flags;
	a.query.prog_ids = wl_ptr(ids);
	a.query.prog_cnt = *count;
	int r = wl_sys_bpf(BPF_PROG_QUERY, &a, sizeof(a));
	if (r == 0 || r == -ENOSPC) {
		*count = a.query.prog_cnt;
		if (attach_flags)
			*attach_flags = a.query.attach_flags;
	}
	return r;
}

int wl_sys_link_create(int prog_fd, int target_fd, uint32_t attach_type,
		       const struct wl_link_create_opts *opts)
{
	struct kabi_link_create a;
	memset(&a, 0, sizeof(a));
	a.prog_fd = prog_fd;
	a.target_fd = target_fd;
	a.attach_type = attach_type;
	if (opts) {
		a.flags = opts->flags;
		switch (attach_type) {
		case BPF_PERF_EVENT:
			a.perf_event.bpf_cookie = opts->cookie;
			break;
		case BPF_TRACE_ITER:
			a.iter.iter_info = wl_ptr(opts->iter_info);
			a.iter.iter_info_len = opts->iter_info_len;
			break;
		case BPF_TRACE_RAW_TP:
		case BPF_TRACE_FENTRY:
		case BPF_TRACE_FEXIT:
		case BPF_MODIFY_RETURN:
		case BPF_LSM_MAC:
			a.tracing.target_btf_id = opts->target_btf_id;
			a.tracing.cookie = opts->cookie;
			break;
		case KABI_TCX_INGRESS:
		case KABI_TCX_EGRESS:
		case KABI_NETKIT_PRIMARY:
		case KABI_NETKIT_PEER:
			a.tcx.relative_fd_or_id = opts->relative_fd_or_id;
			a.tcx.expected_revision = opts->expected_revision;
			break;
		default:
			a.target_btf_id = opts->target_btf_id;
			break;
		}
	}
	return wl_sys_bpf_fd(BPF_LINK_CREATE, &a, sizeof(a));
}

int wl_sys_link_update(int link_fd, int new_prog_fd, int old_prog_fd)
{
	struct kabi_link_update a;
	memset(&a, 0, sizeof(a));
	a.link_fd = link_fd;
	a.new_prog_fd = new_prog_fd;
	if (old_prog_fd > 0) {
		a.flags = BPF_F_REPLACE;
		a.old_prog_fd = old_prog_fd;
	}
	return wl_sys_bpf(BPF_LINK_UPDATE, &a, sizeof(a));
}

int wl_sys_link_detach(int link_fd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.link_detach.link_fd = link_fd;
	return wl_sys_bpf(BPF_LINK_DETACH, &a, sizeof(a));
}

int wl_sys_raw_tp_open(const char *name, int prog_fd, uint64_t cookie)
{
	struct kabi_raw_tp_open a;
	memset(&a, 0, sizeof(a));
	a.name = wl_ptr(name);
	a.prog_fd = prog_fd;
	a.cookie = cookie;
	/* kernels before 6.10 reject the larger struct only if cookie is set */
	return wl_sys_bpf_fd(BPF_RAW_TRACEPOINT_OPEN, &a, cookie ? sizeof(a) : 16);
}

int wl_sys_iter_create(int link_fd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.iter_create.link_fd = link_fd;
	return wl_sys_bpf_fd(BPF_ITER_CREATE, &a, sizeof(a));
}

int wl_sys_prog_bind_map(int prog_fd, int map_fd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_bind_map.prog_fd = prog_fd;
	a.prog_bind_map.map_fd = map_fd;
	return wl_sys_bpf(BPF_PROG_BIND_MAP, &a, sizeof(a));
}

int wl_sys_enable_stats(uint32_t type)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.enable_stats.type = type;
	return wl_sys_bpf_fd(BPF_ENABLE_STATS, &a, sizeof(a));
}
