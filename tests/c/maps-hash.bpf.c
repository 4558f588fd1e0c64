/* Hash maps with struct keys and values: lookup, update with flags,
 * delete, an LRU hash, and a per-CPU hash summed by the runner. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key {
	__u32 addr;
	__u16 port;
	__u8 proto;
	__u8 pad;
};

struct stats {
	__u64 packets;
	__u64 bytes;
	__u32 last;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct key);
	__type(value, struct stats);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} recent SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} per_cpu SEC(".maps");

SEC("syscall")
int maps_hash(__u32 *ctx)
{
	struct key k = { .addr = ctx[0], .port = (__u16)ctx[1], .proto = 6 };
	struct stats *s = bpf_map_lookup_elem(&flows, &k);
	if (!s) {
		struct stats init = { .packets = 1, .bytes = ctx[2], .last = ctx[1] };
		if (bpf_map_update_elem(&flows, &k, &init, BPF_NOEXIST))
			return -1;
	} else {
		s->packets++;
		s->bytes += ctx[2];
		s->last = ctx[1];
	}
	__u32 addr = ctx[0];
	__u64 one = 1, *r = bpf_map_lookup_elem(&recent, &addr);
	if (r)
		__sync_fetch_and_add(r, 1);
	else
		bpf_map_update_elem(&recent, &addr, &one, BPF_ANY);
	__u32 bucket = ctx[2] & 7;
	__u64 *pc = bpf_map_lookup_elem(&per_cpu, &bucket);
	if (pc)
		*pc += ctx[2];
	else
		bpf_map_update_elem(&per_cpu, &bucket, &one, BPF_ANY);
	if (ctx[3]) {
		bpf_map_delete_elem(&flows, &k);
		return 99;
	}
	s = bpf_map_lookup_elem(&flows, &k);
	return s ? (int)s->packets : -2;
}

char LICENSE[] SEC("license") = "GPL";

// run: maps_hash ctx=x"0a000001500000004000000000000000" -> 1
// run: maps_hash ctx=x"0a000001500000004000000000000000" -> 2
// run: maps_hash ctx=x"0a000002500000000900000000000000" -> 1
// run: maps_hash ctx=x"0a000001500000000100000000000000" -> 3
// run: maps_hash ctx=x"0a000002500000000900000001000000" -> 99
// run: maps_hash ctx=x"0a000002500000000900000000000000" -> 1
// map: recent 0x0100000a -> 3
// map: recent 0x0200000a -> 3
// map: per_cpu 1 -> 20
// map: per_cpu 0 -> 65
// map-sum: flows > 0
