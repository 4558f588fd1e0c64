/* wl_map: a map fd with its shape, element operations checked against it,
 * the mmap of global-data arrays and arenas, pinning and info. */
#include "loader/internal.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *map_label(const char *name)
{
	return name && *name ? name : "(anonymous)";
}

int wl_map_create(const struct wl_map_opts *o, struct wl_map **out)
{
	return wl_map_create_q(o, false, out);
}

int wl_map_create_q(const struct wl_map_opts *o, bool quiet, struct wl_map **out)
{
	*out = NULL;
	if (!o)
		return -EINVAL;
	const char *tn = wl_map_type_name(o->type);
	struct kabi_map_create a;
	memset(&a, 0, sizeof(a));
	a.map_type = o->type;
	a.key_size = o->key_size;
	a.value_size = o->value_size;
	a.max_entries = o->max_entries;
	a.map_flags = o->flags;
	a.inner_map_fd = o->inner_map_fd > 0 ? (uint32_t)o->inner_map_fd : 0;
	a.numa_node = (o->flags & BPF_F_NUMA_NODE) ? (uint32_t)o->numa_node : 0;
	if (o->name)
		strncpy(a.map_name, o->name, sizeof(a.map_name) - 1);
	a.map_ifindex = o->ifindex;
	if (o->btf_fd > 0) {
		a.btf_fd = o->btf_fd;
		a.btf_key_type_id = o->btf_key_type_id;
		a.btf_value_type_id = o->btf_value_type_id;
		a.btf_vmlinux_value_type_id = o->btf_vmlinux_value_type_id;
	}
	a.map_extra = o->map_extra;
	/* the size kernels since 5.16 know: up to map_extra */
	int fd = wl_sys_bpf_fd(BPF_MAP_CREATE, &a, offsetof(struct kabi_map_create, map_extra) + 8);
	if (fd < 0 && fd == -EINVAL && a.map_name[0]) {
		/* names with characters the kernel refuses ('.' before 5.x, '-') */
		char saved[16];
		memcpy(saved, a.map_name, sizeof(saved));
		memset(a.map_name, 0, sizeof(a.map_name));
		fd = wl_sys_bpf_fd(BPF_MAP_CREATE, &a,
				   offsetof(struct kabi_map_create, map_extra) + 8);
		if (fd >= 0)
			wl_info("map '%s': kernel refused the name, created unnamed", saved);
	}
	if (fd < 0) {
		if (quiet)
			return fd;
		wl_warn("map '%s': create %s (type %u) key %u value %u max_entries %u flags 0x%x "
			"failed: %s",
			map_label(o->name), tn ? tn : "unknown type", o->type, o->key_size,
			o->value_size, o->max_entries, o->flags, wl_errstr(fd));
		return fd;
	}
	struct wl_map *m = xcalloc(1, sizeof(*m));
	m->fd = fd;
	m->name = xstrdup(o->name ? o->name : "");
	m->type = o->type;
	m->key_size = o->key_size;
	m->value_size = o->value_size;
	m->max_entries = o->max_entries;
	m->flags = o->flags;
	*out = m;
	return 0;
}

int wl_map_from_fd(int fd, const char *name, struct wl_map **out)
{
	*out = NULL;
	struct bpf_map_info info;
	memset(&info, 0, sizeof(info));
	uint32_t len = sizeof(info);
	int r = wl_sys_obj_info(fd, &info, &len);
	if (r < 0) {
		wl_warn("map '%s': fd %d is not a map: %s", map_label(name), fd, wl_errstr(r));
		return r;
	}
	struct wl_map *m = xcalloc(1, sizeof(*m));
	m->fd = fd;
	m->name = xstrdup(name ? name : info.name);
	m->type = info.type;
	m->key_size = info.key_size;
	m->value_size = info.value_size;
	m->max_entries = info.max_entries;
	m->flags = info.map_flags;
	*out = m;
	return 0;
}

int wl_map_from_pinned(const char *path, const char *name, struct wl_map **out)
{
	*out = NULL;
	int fd = wl_sys_obj_get(path, 0);
	if (fd < 0) {
		wl_warn("map '%s': cannot open pinned '%s': %s", map_label(name), path,
			wl_errstr(fd));
		return fd;
	}
	int r = wl_map_from_fd(fd, name, out);
	if (r < 0)
		wl_close(fd);
	return r;
}

void wl_map_destroy(struct wl_map *m)
{
	if (!m)
		return;
	if (m->mmapped)
		munmap(m->mmapped, m->mmap_size);
	wl_close(m->fd);
	free(m->name);
	free(m);
}

int wl_map_fd(const struct wl_map *m)
{
	return m->fd;
}

const char *wl_map_name(const struct wl_map *m)
{
	return m->name;
}

uint32_t wl_map_type(const struct wl_map *m)
{
	return m->type;
}

uint32_t wl_map_key_size(const struct wl_map *m)
{
	return m->key_size;
}

uint32_t wl_map_value_size(const struct wl_map *m)
{
	return m->value_size;
}

uint32_t wl_map_max_entries(const struct wl_map *m)
{
	return m->max_entries;
}

static bool is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

size_t wl_map_value_buf_size(const struct wl_map *m)
{
	if (!is_percpu(m->type))
		return m->value_size;
	int n = wl_num_possible_cpus();
	return n < 0 ? 0 : (size_t)ALIGN_UP(m->value_size, 8) * (size_t)n;
}

int wl_map_lookup(const struct wl_map *m, const void *key, void *value, uint64_t flags)
{
	return wl_sys_map_lookup(m->fd, key, value, flags);
}

int wl_map_update(const struct wl_map *m, const void *key, const void *value, uint64_t flags)
{
	return wl_sys_map_update(m->fd, key, value, flags);
}

int wl_map_delete(const struct wl_map *m, const void *key)
{
	return wl_sys_map_delete(m->fd, key);
}

int wl_map_next_key(const struct wl_map *m, const void *key, void *next_key)
{
	return wl_sys_map_next_key(m->fd, key, next_key);
}

int wl_map_lookup_and_delete(const struct wl_map *m, const void *key, void *value)
{
	return wl_sys_map_lookup_and_delete(m->fd, key, value, 0);
}

int wl_map_freeze(const struct wl_map *m)
{
	int r = wl_sys_map_freeze(m->fd);
	if (r < 0)
		wl_warn("map '%s': freeze failed: %s", map_label(m->name), wl_errstr(r));
	return r;
}

int wl_map_mmap(struct wl_map *m, void **addr, size_t *size)
{
	if (m->mmapped) {
		*addr = m->mmapped;
		*size = m->mmap_size;
		return 0;
	}
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len;
	if (m->type == BPF_MAP_TYPE_ARRAY && (m->flags & KABI_F_MMAPABLE))
		len = ALIGN_UP((size_t)ALIGN_UP(m->value_size, 8) * m->max_entries, page);
	else if (m->type == KABI_MAP_TYPE_ARENA)
		len = (size_t)m->max_entries * page;
	else {
		wl_warn("map '%s': mmap needs an array map with BPF_F_MMAPABLE or an arena",
			map_label(m->name));
		return -EINVAL;
	}
	/* frozen maps (read-only data) only allow read-only mappings */
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED && errno == EPERM)
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED) {
		int r = -errno;
		wl_warn("map '%s': mmap of %zu bytes failed: %s", map_label(m->name), len,
			wl_errstr(r));
		return r;
	}
	m->mmapped = p;
	m->mmap_size = len;
	*addr = p;
	*size = len;
	return 0;
}

int wl_map_pin(const struct wl_map *m, const char *path)
{
	int r = wl_sys_obj_pin(m->fd, path);
	if (r < 0)
		wl_warn("map '%s': pin at '%s' failed: %s", map_label(m->name), path, wl_errstr(r));
	return r;
}

int wl_map_info(const struct wl_map *m, struct bpf_map_info *info)
{
	memset(info, 0, sizeof(*info));
	uint32_t len = sizeof(*info);
	return wl_sys_obj_info(m->fd, info, &len);
}
