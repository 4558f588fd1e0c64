/* Maps in the real kernel: every map type, element ops, batches, per-CPU
 * values, LRU/LPM/queue/stack/bloom semantics, map-in-map, mmap, pinning. */
#include "common.h"

#include <linux/btf.h>
#include <sys/stat.h>

Test(maps, every_map_type_of_this_kernel)
{
	FD_CHECK_BEGIN();
	int supported = 0;
	for (uint32_t t = 1; t <= 33; t++) {
		const char *n = wl_map_type_name(t);
		cr_assert_not_null(n, "map type %u has a name", t);
		cr_assert_eq(wl_map_type_by_name(n), (int)t);
		int r = wl_probe_map_type(t);
		cr_log_info("map type %-22s: %d", n, r);
		cr_assert_eq(r, 1, "6.18 supports map type %s (probe %d)", n, r);
		supported++;
	}
	cr_assert_eq(wl_probe_map_type(200), -EOPNOTSUPP);
	cr_assert_eq(supported, 33);
	FD_CHECK_END();
}

Test(maps, hash_ops_and_iteration)
{
	FD_CHECK_BEGIN();
	struct wl_map_opts o = { .name = "h",
				 .type = BPF_MAP_TYPE_HASH,
				 .key_size = 4,
				 .value_size = 8,
				 .max_entries = 64 };
	struct wl_map *m;
	cr_assert_eq(wl_map_create(&o, &m), 0);
	cr_assert_gt(wl_map_fd(m), 2);
	cr_assert_str_eq(wl_map_name(m), "h");
	for (uint32_t k = 0; k < 10; k++) {
		uint64_t v = k * 100;
		cr_assert_eq(wl_map_update(m, &k, &v, BPF_NOEXIST), 0);
	}
	uint32_t k = 3;
	uint64_t v = 1;
	cr_assert_eq(wl_map_update(m, &k, &v, BPF_NOEXIST), -EEXIST);
	k = 77;
	cr_assert_eq(wl_map_update(m, &k, &v, BPF_EXIST), -ENOENT);
	k = 7;
	cr_assert_eq(wl_map_lookup(m, &k, &v, 0), 0);
	cr_assert_eq(v, 700);
	cr_assert_eq(wl_map_delete(m, &k), 0);
	cr_assert_eq(wl_map_lookup(m, &k, &v, 0), -ENOENT);
	/* iterate: 9 keys, each once */
	uint32_t seen = 0, cur, next;
	int r = wl_map_next_key(m, NULL, &next);
	while (r == 0) {
		cr_assert_lt(next, 10);
		cr_assert_eq(seen & (1u << next), 0);
		seen |= 1u << next;
		cur = next;
		r = wl_map_next_key(m, &cur, &next);
	}
	cr_assert_eq(r, -ENOENT);
	cr_assert_eq(seen, 0x3ffu & ~(1u << 7));
	k = 5;
	cr_assert_eq(wl_map_lookup_and_delete(m, &k, &v), 0);
	cr_assert_eq(v, 500);
	struct bpf_map_info info;
	cr_assert_eq(wl_map_info(m, &info), 0);
	cr_assert_eq(info.type, BPF_MAP_TYPE_HASH);
	cr_assert_eq(info.max_entries, 64);
	cr_assert_str_eq(info.name, "h");
	cr_assert_gt(info.id, 0);
	wl_map_destroy(m);
	FD_CHECK_END();
}

Test(maps, numa_node_and_flags)
{
	FD_CHECK_BEGIN();
	struct wl_map_opts o = { .name = "numa",
				 .type = BPF_MAP_TYPE_HASH,
				 .key_size = 4,
				 .value_size = 4,
				 .max_entries = 8,
				 .flags = BPF_F_NUMA_NODE | BPF_F_NO_PREALLOC,
				 .numa_node = 0 };
	struct wl_map *m;
	cr_assert_eq(wl_map_create(&o, &m), 0);
	struct bpf_map_info info;
	wl_map_info(m, &info);
	cr_assert_eq(info.map_flags, BPF_F_NUMA_NODE | BPF_F_NO_PREALLOC);
	wl_map_destroy(m);
	o.numa_node = 4096; /* no such node */
	wl_set_log(NULL);
	cr_assert_eq(wl_map_create(&o, &m), -EINVAL);
	FD_CHECK_END();
}

Test(maps, percpu_values)
{
	FD_CHECK_BEGIN();
	int ncpu = wl_num_possible_cpus();
	cr_assert_gt(ncpu, 0);
	uint32_t types[] = { BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH,
			     BPF_MAP_TYPE_LRU_PERCPU_HASH };
	for (size_t t = 0; t < 3; t++) {
		struct wl_map_opts o = { .name = "pc",
					 .type = types[t],
					 .key_size = 4,
					 .value_size = 4,
					 .max_entries = 4 };
		struct wl_map *m;
		cr_assert_eq(wl_map_create(&o, &m), 0);
		size_t sz = wl_map_value_buf_size(m);
		cr_assert_eq(sz, (size_t)ncpu * 8);
		uint64_t *vals = calloc(ncpu, 8), *back = calloc(ncpu, 8);
		for (int c = 0; c < ncpu; c++)
			vals[c] = 1000 + c;
		uint32_t k = 1;
		cr_assert_eq(wl_map_update(m, &k, vals, 0), 0);
		cr_assert_eq(wl_map_lookup(m, &k, back, 0), 0);
		for (int c = 0; c < ncpu; c++)
			cr_assert_eq((uint32_t)back[c], 1000 + c, "cpu %d", c);
		free(vals);
		free(back);
		wl_map_destroy(m);
	}
	FD_CHECK_END();
}

Test(maps, lru_evicts)
{
	FD_CHECK_BEGIN();
	struct wl_map_opts o = { .name = "lru",
				 .type = BPF_MAP_TYPE_LRU_HASH,
				 .key_size = 4,
				 .value_size = 4,
				 .max_entries = 128 };
	struct wl_map *m;
	cr_assert_eq(wl_map_create(&o, &m), 0);
	for (uint32_t k = 0; k < 2000; k++)
		cr_assert_eq(wl_map_update(m, &k, &k, 0), 0, "LRU never refuses an insert");
	uint32_t n = 0, cur, next;
	int r = wl_map_next_key(m, NULL, &next);
	while (r == 0) {
		n++;
		cur = next;
		r = wl_map_next_key(m, &cur, &next);
	}
	cr_assert_leq(n, 128);
	cr_assert_gt(n, 0);
	uint32_t k = 1999, v;
	cr_assert_eq(wl_map_lookup(m, &k, &v, 0), 0, "the newest key stays");
	k = 0;
	cr_assert_eq(wl_map_lookup(m, &k, &v, 0), -ENOENT, "the oldest key was evicted");
	wl_map_destroy(m);
	FD_CHECK_END();
}

Test(maps, lpm_longest_prefix)
{
	FD_CHECK_BEGIN();
	struct wl_map_opts o = { .name = "lpm",
				 .type = BPF_MAP_TYPE_LPM_TRIE,
				 .key_size = 8,
				 .value_size = 4,
				 .max_entries = 16,
				 .flags = BPF_F_NO_PREALLOC };
	struct wl_map *m;
	cr_assert_eq(wl_map_create(&o, &m), 0);
	struct {
		uint32_t prefixlen;
		uint8_t ip[4];
	} key;
	uint32_t v;
	key = (typeof(key)){ 8, { 10, 0, 0, 0 } };
	v = 1;
	cr_assert_eq(wl_map_update(m, &key, &v, 0), 0);
	key = (typeof(key)){ 16, { 10, 1, 0, 0 } };
	v = 2;
	cr_assert_eq(wl_map_update(m, &key, &v, 0), 0);
	key = (typeof(key)){ 32, { 10, 1, 2, 3 } };
	cr_assert_eq(wl_map_lookup(m, &key, &v, 0), 0);
	cr_assert_eq(v, 2);
	key = (typeof(key)){ 32, { 10, 2, 2, 3 } };
	cr_assert_eq(wl_map_lookup(m, &key, &v, 0), 0);
	cr_assert_eq(v, 1);
	key = (typeof(key)){ 32, { 11, 1, 2, 3 } };
	cr_assert_eq(wl_map_lookup(m, &key, &v, 0), -ENOENT);
	wl_map_destroy(m);
	FD_CHECK_END();
}

Test(maps, queue_and_stack)
{
	FD_CHECK_BEGIN();
	uint32_t types[] = { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK };
	for (int t = 0; t < 2; t++) {
		struct wl_map_opts o = { .name = t ? "stack" : "queue",
					 .type = types[t],
					 .value_size = 4,
					 .max_entries = 8 };
		struct wl_map *m;
		cr_assert_eq(wl_map_create(&o, &m), 0);
		for (uint32_t v = 1; v <= 3; v++)
			cr_assert_eq(wl_map_update(m, NULL, &v, 0), 0);
		uint32_t v;
		cr_assert_eq(wl_map_lookup(m, NULL, &v, 0), 0, "peek");
		cr_assert_eq(v, t ? 3u : 1u);
		for (uint32_t i = 0; i < 3; i++) {
			cr_assert_eq(wl_map_lookup_and_delete(m, NULL, &v), 0);
			cr_assert_eq(v, t ? 3 - i : 1 + i);
		}
		cr_assert_eq(wl_map_lookup_and_delete(m, NULL, &v), -ENOENT);
		wl_map_destroy(m);
	}
	FD_CHECK_END();
}

Test(maps, bloom_filter_with_map_extra)
{
	FD_CHECK_BEGIN();
	struct wl_map_opts o = { .name = "bloom",
				 .type = BPF_MAP_TYPE_BLOOM_FILTER,
				 .value_size = 8,
				 .max_entries = 1000,
				 .map_extra = 3 };
	struct wl_map *m;
	cr_assert_eq(wl_map_create(&o, &m), 0);
	for (uint64_t v = 0; v < 500; v += 5)
		cr_assert_eq(wl_map_update(m, NULL, &v, 0), 0);
	for (uint64_t v = 0; v < 500; v += 5)
		cr_assert_eq(wl_map_lookup(m, NULL, &v, 0), 0, "no false negatives");
	int misses = 0;
	for (uint64_t v = 100000; v < 100100; v++)
		misses += wl_map_lookup(m, NULL, &v, 0) == -ENOENT;
	cr_assert_gt(misses, 50, "mostly absent");
	struct bpf_map_info info;
	cr_assert_eq(wl_map_info(m, &info), 0);
	cr_assert_eq(info.map_extra, 3);
	wl_map_destroy(m);
	o.map_extra = 16; /* more than 4 bits */
	wl_set_log(capture_log);
	cr_assert_eq(wl_map_create(&o, &m), -EINVAL);
	cr_assert(strstr(last_warn, "map 'bloom': create bloom_filter"), "%s", last_warn);
	wl_set_log(NULL);
	FD_CHECK_END();
}

Test(maps, map_in_map)
{
	FD_CHECK_BEGIN();
	struct wl_map_opts io = { .name = "inner",
				  .type = BPF_MAP_TYPE_ARRAY,
				  .key_size = 4,
				  .value_size = 4,
				  .max_entries = 4 };
	struct wl_map *inner, *outer, *hinner;
	cr_assert_eq(wl_map_create(&io, &inner), 0);
	cr_assert_eq(wl_map_create(&io, &hinner), 0);
	uint32_t types[] = { BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS };
	for (int t = 0; t < 2; t++) {
		struct wl_map_opts oo = { .name = "outer",
					  .type = types[t],
					  .key_size = 4,
					  .value_size = 4,
					  .max_entries = 2,
					  .inner_map_fd = wl_map_fd(inner) };
		cr_assert_eq(wl_map_create(&oo, &outer), 0);
		uint32_t k = 1, fd = (uint32_t)wl_map_fd(hinner), id = 0;
		cr_assert_eq(wl_map_update(outer, &k, &fd, 0), 0);
		cr_assert_eq(wl_map_lookup(outer, &k, &id, 0), 0);
		struct bpf_map_info info;
		cr_assert_eq(wl_map_info(hinner, &info), 0);
		cr_assert_eq(id, info.id, "lookup of a map-in-map slot gives the inner id");
		wl_map_destroy(outer);
	}
	wl_map_destroy(inner);
	wl_map_destroy(hinner);
	FD_CHECK_END();
}

Test(maps, batch_ops)
{
	FD_CHECK_BEGIN();
	struct wl_map_opts o = { .name = "batch",
				 .type = BPF_MAP_TYPE_HASH,
				 .key_size = 4,
				 .value_size = 8,
				 .max_entries = 1024 };
	struct wl_map *m;
	cr_assert_eq(wl_map_create(&o, &m), 0);
	enum { N = 1000 };
	uint32_t *keys = calloc(N, 4);
	uint64_t *vals = calloc(N, 8);
	for (uint32_t i = 0; i < N; i++) {
		keys[i] = i * 3;
		vals[i] = (uint64_t)i * i;
	}
	uint32_t count = N;
	cr_assert_eq(wl_sys_map_update_batch(wl_map_fd(m), keys, vals, &count, NULL), 0);
	cr_assert_eq(count, N);
	/* read back in batches of 64 */
	uint32_t *ok = calloc(N, 4);
	uint64_t *ov = calloc(N, 8);
	uint32_t total = 0, in_b = 0, out_b = 0;
	bool first = true;
	for (;;) {
		count = 64;
		int r = wl_sys_map_lookup_batch(wl_map_fd(m), first ? NULL : &in_b, &out_b,
						ok + total, ov + total, &count, NULL);
		cr_assert(r == 0 || r == -ENOENT, "lookup batch: %d", r);
		total += count;
		if (r == -ENOENT)
			break;
		in_b = out_b;
		first = false;
		cr_assert_leq(total, N);
	}
	cr_assert_eq(total, N);
	for (uint32_t i = 0; i < N; i++)
		cr_assert_eq(ov[i], (uint64_t)(ok[i] / 3) * (ok[i] / 3));
	/* delete half, then lookup_and_delete the rest */
	count = N / 2;
	cr_assert_eq(wl_sys_map_delete_batch(wl_map_fd(m), keys, &count, NULL), 0);
	cr_assert_eq(count, N / 2);
	total = 0;
	first = true;
	for (;;) {
		count = 128;
		int r = wl_sys_map_lookup_and_delete_batch(wl_map_fd(m), first ? NULL : &in_b,
							   &out_b, ok + total, ov + total, &count,
							   NULL);
		cr_assert(r == 0 || r == -ENOENT, "lookup_and_delete batch: %d", r);
		total += count;
		if (r == -ENOENT)
			break;
		in_b = out_b;
		first = false;
	}
	cr_assert_eq(total, N / 2);
	uint32_t next;
	cr_assert_eq(wl_map_next_key(m, NULL, &next), -ENOENT, "empty now");
	free(keys), free(vals), free(ok), free(ov);
	wl_map_destroy(m);
	FD_CHECK_END();
}

Test(maps, mmap_global_data_and_freeze)
{
	FD_CHECK_BEGIN();
	struct wl_map_opts o = { .name = ".data",
				 .type = BPF_MAP_TYPE_ARRAY,
				 .key_size = 4,
				 .value_size = 64,
				 .max_entries = 1,
				 .flags = BPF_F_MMAPABLE };
	struct wl_map *m;
	cr_assert_eq(wl_map_create(&o, &m), 0);
	void *p;
	size_t sz;
	cr_assert_eq(wl_map_mmap(m, &p, &sz), 0);
	cr_assert_geq(sz, 64);
	memcpy(p, "hello, global data", 19);
	char back[64];
	uint32_t k = 0;
	cr_assert_eq(wl_map_lookup(m, &k, back, 0), 0);
	cr_assert_str_eq(back, "hello, global data");
	strcpy(back, "written by syscall");
	cr_assert_eq(wl_map_update(m, &k, back, 0), 0);
	cr_assert_str_eq((char *)p, "written by syscall");
	/* a writable mapping blocks freezing */
	cr_assert_eq(wl_sys_map_freeze(wl_map_fd(m)), -EBUSY);
	wl_map_destroy(m);

	o.name = ".rodata";
	cr_assert_eq(wl_map_create(&o, &m), 0);
	cr_assert_eq(wl_map_update(m, &k, "ro", 0), 0);
	cr_assert_eq(wl_map_freeze(m), 0);
	cr_assert_eq(wl_map_update(m, &k, "rw", 0), -EPERM);
	cr_assert_eq(wl_map_mmap(m, &p, &sz), 0, "read-only mapping of a frozen map");
	cr_assert_str_eq((char *)p, "ro");
	wl_map_destroy(m);

	struct wl_map_opts h = {
		.type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 4, .max_entries = 1
	};
	cr_assert_eq(wl_map_create(&h, &m), 0);
	wl_set_log(NULL);
	cr_assert_eq(wl_map_mmap(m, &p, &sz), -EINVAL);
	wl_map_destroy(m);
	FD_CHECK_END();
}

Test(maps, arena_mmap)
{
	FD_CHECK_BEGIN();
	struct wl_map_opts o = {
		.name = "arena", .type = 33, .max_entries = 4, .flags = BPF_F_MMAPABLE
	};
	struct wl_map *m;
	cr_assert_eq(wl_map_create(&o, &m), 0);
	void *p;
	size_t sz;
	cr_assert_eq(wl_map_mmap(m, &p, &sz), 0);
	cr_assert_eq(sz, 4 * (size_t)sysconf(_SC_PAGESIZE));
	((volatile char *)p)[0] = 42; /* user space faults a page in */
	cr_assert_eq(((volatile char *)p)[0], 42);
	wl_map_destroy(m);
	FD_CHECK_END();
}

Test(maps, pin_and_get)
{
	FD_CHECK_BEGIN();
	char path[128];
	snprintf(path, sizeof(path), "/sys/fs/bpf/wl_test_pin_%d", getpid());
	unlink(path);
	struct wl_map *m, *g;
	struct wl_map_opts o = { .name = "pinned",
				 .type = BPF_MAP_TYPE_ARRAY,
				 .key_size = 4,
				 .value_size = 4,
				 .max_entries = 2 };
	cr_assert_eq(wl_map_create(&o, &m), 0);
	int r = wl_map_pin(m, path);
	if (r == -ENOENT || r == -EPERM) {
		wl_map_destroy(m);
		cr_skip_test("no writable bpffs at /sys/fs/bpf: %s", strerror(-r));
	}
	cr_assert_eq(r, 0);
	uint32_t k = 1, v = 99;
	cr_assert_eq(wl_map_update(m, &k, &v, 0), 0);
	r = wl_map_from_pinned(path, "again", &g);
	unlink(path);
	cr_assert_eq(r, 0);
	cr_assert_eq(wl_map_type(g), BPF_MAP_TYPE_ARRAY);
	cr_assert_eq(wl_map_value_size(g), 4);
	cr_assert_eq(wl_map_max_entries(g), 2);
	v = 0;
	cr_assert_eq(wl_map_lookup(g, &k, &v, 0), 0);
	cr_assert_eq(v, 99);
	struct bpf_map_info a, b;
	wl_map_info(m, &a);
	wl_map_info(g, &b);
	cr_assert_eq(a.id, b.id);
	/* by id, too */
	int fd = wl_sys_map_get_fd_by_id(a.id);
	cr_assert_gt(fd, 2);
	close(fd);
	wl_map_destroy(g);
	wl_map_destroy(m);
	FD_CHECK_END();
}

Test(maps, btf_key_value_ids_and_local_storage)
{
	FD_CHECK_BEGIN();
	/* a tiny BTF: [1] int */
	struct {
		struct btf_header h;
		struct btf_type t;
		uint32_t enc;
		char str[5];
	} __attribute__((packed)) blob = { 0 };
	blob.h.magic = BTF_MAGIC;
	blob.h.version = BTF_VERSION;
	blob.h.hdr_len = sizeof(blob.h);
	blob.h.type_len = 16;
	blob.h.str_off = 16;
	blob.h.str_len = 5;
	blob.t.name_off = 1;
	blob.t.info = BTF_KIND_INT << 24;
	blob.t.size = 4;
	blob.enc = (BTF_INT_SIGNED << 24) | 32;
	memcpy(blob.str, "\0int", 5);
	char *log = NULL;
	int btf = wl_btf_load(&blob, sizeof(blob), &log);
	cr_assert_gt(btf, 2, "btf load: %d %s", btf, log ? log : "");
	free(log);
	struct wl_map_opts o = { .name = "task_st",
				 .type = BPF_MAP_TYPE_TASK_STORAGE,
				 .key_size = 4,
				 .value_size = 4,
				 .flags = BPF_F_NO_PREALLOC,
				 .btf_fd = btf,
				 .btf_key_type_id = 1,
				 .btf_value_type_id = 1 };
	struct wl_map *m;
	cr_assert_eq(wl_map_create(&o, &m), 0);
	struct bpf_map_info info;
	wl_map_info(m, &info);
	cr_assert_eq(info.btf_key_type_id, 1);
	cr_assert_eq(info.btf_value_type_id, 1);
	cr_assert_gt(info.btf_id, 0);
	/* a pidfd is the key of task storage from user space */
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	cr_assert_geq(pidfd, 0);
	uint32_t v = 1234, back = 0;
	cr_assert_eq(wl_map_update(m, &pidfd, &v, 0), 0);
	cr_assert_eq(wl_map_lookup(m, &pidfd, &back, 0), 0);
	cr_assert_eq(back, 1234);
	close(pidfd);
	wl_map_destroy(m);
	close(btf);
	/* broken BTF: a precise error and the kernel's log */
	blob.h.magic = 0x1234;
	wl_set_log(NULL);
	log = NULL;
	cr_assert_lt(wl_btf_load(&blob, sizeof(blob), &log), 0);
	cr_assert_not_null(log);
	cr_log_info("btf log: %s", log);
	free(log);
	cr_assert_gt(wl_vmlinux_btf_find("task_struct", BTF_KIND_STRUCT), 0);
	cr_assert_eq(wl_vmlinux_btf_find("no_such_type_wl", BTF_KIND_STRUCT), -ENOENT);
	FD_CHECK_END();
}
