/* Maps of maps: an array of maps whose inner maps are given in the
 * definition (.values), a hash of maps, and lookups through the inner map. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [1] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_ARRAY);
		__uint(max_entries, 4);
		__type(key, __u32);
		__type(value, __u64);
	});
} by_id SEC(".maps");

/* an inner definition named only here, behind __array's pointer: its BTF
 * must still be the whole struct (libbpf: "inner def is of unexpected kind") */
struct inner_template {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner_template);
} by_template SEC(".maps");

SEC("syscall")
int map_in_map(__u32 *ctx)
{
	__u32 which = ctx[0] & 1, slot = ctx[1] & 3;
	void *m = bpf_map_lookup_elem(&outer, &which);
	if (!m)
		return -1;
	__u64 *v = bpf_map_lookup_elem(m, &slot);
	if (!v)
		return -2;
	*v += ctx[2];
	__u32 id = 7;
	return bpf_map_lookup_elem(&by_id, &id) ? -3 : (int)*v;
}

char LICENSE[] SEC("license") = "GPL";

// run: map_in_map ctx=x"000000000100000005000000" -> 5
// run: map_in_map ctx=x"000000000100000005000000" -> 10
// run: map_in_map ctx=x"010000000100000007000000" -> 7
// run: map_in_map ctx=x"010000000300000002000000" -> 2
// map: inner_a 1 -> 10
// map: inner_b 3 -> 2
