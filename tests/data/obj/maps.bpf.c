/* Object-layer test: a BTF-defined map of every kind the kernel creates
 * without a struct_ops type, a map-in-map and a prog array with initial
 * values from .rel.maps, used by a tail call and an inner-map lookup. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define KV(name, T, K, V, N)                  \
	struct {                              \
		__uint(type, T);              \
		__uint(max_entries, N);       \
		__type(key, K);               \
		__type(value, V);             \
	} name SEC(".maps")
#define KV_FLAGS(name, T, K, V, N, F)         \
	struct {                              \
		__uint(type, T);              \
		__uint(max_entries, N);       \
		__type(key, K);               \
		__type(value, V);             \
		__uint(map_flags, F);         \
	} name SEC(".maps")
#define SIZES(name, T, KS, VS, N)             \
	struct {                              \
		__uint(type, T);              \
		__uint(max_entries, N);       \
		__uint(key_size, KS);         \
		__uint(value_size, VS);       \
	} name SEC(".maps")

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

KV(m_hash, BPF_MAP_TYPE_HASH, __u32, __u64, 8);
KV(m_array, BPF_MAP_TYPE_ARRAY, __u32, __u64, 8);
SIZES(m_prog_array, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4);
SIZES(m_perf, BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 0);
KV(m_percpu_hash, BPF_MAP_TYPE_PERCPU_HASH, __u32, __u64, 8);
KV(m_percpu_array, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, __u64, 8);
SIZES(m_stack_trace, BPF_MAP_TYPE_STACK_TRACE, 4, 8 * 16, 16);
SIZES(m_cgroup_array, BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, 4);
KV(m_lru_hash, BPF_MAP_TYPE_LRU_HASH, __u32, __u64, 8);
KV(m_lru_percpu_hash, BPF_MAP_TYPE_LRU_PERCPU_HASH, __u32, __u64, 8);
KV_FLAGS(m_lpm, BPF_MAP_TYPE_LPM_TRIE, struct lpm_key, __u64, 8, BPF_F_NO_PREALLOC);
KV(m_devmap, BPF_MAP_TYPE_DEVMAP, __u32, __u32, 4);
KV(m_sockmap, BPF_MAP_TYPE_SOCKMAP, __u32, __u64, 4);
KV(m_cpumap, BPF_MAP_TYPE_CPUMAP, __u32, __u32, 1);
KV(m_xskmap, BPF_MAP_TYPE_XSKMAP, __u32, __u32, 4);
KV(m_sockhash, BPF_MAP_TYPE_SOCKHASH, __u32, __u64, 4);
KV(m_cgroup_storage, BPF_MAP_TYPE_CGROUP_STORAGE, struct bpf_cgroup_storage_key, __u64, 0);
KV(m_reuseport, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, __u32, __u64, 4);
KV(m_percpu_cgroup_storage, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, struct bpf_cgroup_storage_key,
   __u64, 0);
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} m_queue SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 8);
	__type(value, __u32);
} m_stack SEC(".maps");
KV_FLAGS(m_sk_storage, BPF_MAP_TYPE_SK_STORAGE, int, __u64, 0, BPF_F_NO_PREALLOC);
KV(m_devmap_hash, BPF_MAP_TYPE_DEVMAP_HASH, __u32, __u32, 4);
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 4);
} m_ringbuf SEC(".maps");
KV_FLAGS(m_inode_storage, BPF_MAP_TYPE_INODE_STORAGE, int, __u64, 0, BPF_F_NO_PREALLOC);
KV_FLAGS(m_task_storage, BPF_MAP_TYPE_TASK_STORAGE, int, __u64, 0, BPF_F_NO_PREALLOC);
struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__type(value, __u32);
	__uint(map_extra, 3);
} m_bloom SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} m_user_ringbuf SEC(".maps");
KV_FLAGS(m_cgrp_storage, BPF_MAP_TYPE_CGRP_STORAGE, int, __u64, 0, BPF_F_NO_PREALLOC);
struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2);
} m_arena SEC(".maps");

/* map-in-map with initial inner maps */
struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct inner);
} outer_array SEC(".maps") = { .values = { &inner_a, [2] = &inner_b } };

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer_hash SEC(".maps");

/* a prog array with initial programs */
int tail_seven(struct xdp_md *ctx);
int tail_nine(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(struct xdp_md *));
} jump SEC(".maps") = { .values = { [1] = &tail_seven, [3] = &tail_nine } };

const volatile __u32 jump_slot = 1;

SEC("xdp")
int tail_seven(struct xdp_md *ctx)
{
	return 7;
}

SEC("xdp")
int tail_nine(struct xdp_md *ctx)
{
	return 9;
}

SEC("xdp")
int entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jump, jump_slot);
	return 1; /* the slot was empty */
}

/* returns inner map (slot `jump_slot` of outer_array) value at key 0 */
SEC("xdp")
int via_inner(struct xdp_md *ctx)
{
	__u32 k = jump_slot, zero = 0;
	void *in = bpf_map_lookup_elem(&outer_array, &k);
	if (!in)
		return 1000;
	__u32 *v = bpf_map_lookup_elem(in, &zero);
	return v ? *v : 2000;
}
