/* bpf_spin_lock inside a map value guarding two fields updated together. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct guarded {
	struct bpf_spin_lock lock;
	__u32 count;
	__u64 sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct guarded);
} locked SEC(".maps");

SEC("tc")
int spin_lock(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct guarded *g = bpf_map_lookup_elem(&locked, &zero);
	if (!g)
		return 0;
	bpf_spin_lock(&g->lock);
	g->count++;
	g->sum += skb->len;
	__u32 c = g->count;
	bpf_spin_unlock(&g->lock);
	return c;
}

char LICENSE[] SEC("license") = "GPL";

// run: spin_lock pkt=udp -> 1
// run: spin_lock pkt=tcp -> 2
