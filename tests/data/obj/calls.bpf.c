/* Object-layer test: static and global subprograms shared by two programs,
 * bpf_loop and bpf_for_each_map_elem callbacks. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

static __noinline int sq(int x)
{
	return x * x;
}

__noinline int global_add(int a, int b)
{
	return a + b;
}

static long loop_cb(__u32 i, void *ctx)
{
	*(__u64 *)ctx += i;
	return 0;
}

static long each_cb(struct bpf_map *map, __u32 *key, __u64 *val, void *ctx)
{
	*(__u64 *)ctx += *val;
	return 0;
}

SEC("syscall")
int calls_a(void *ctx)
{
	__u64 sum = 0;
	bpf_loop(10, loop_cb, &sum, 0);
	return sq(3) + global_add(4, 5) + (int)sum;
}

SEC("syscall")
int calls_b(void *ctx)
{
	__u64 sum = 0;
	bpf_for_each_map_elem(&vals, each_cb, &sum, 0);
	return sq((int)sum) + global_add(1, 0);
}
