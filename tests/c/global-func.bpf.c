/* A global function verified on its own from its BTF prototype: a context
 * argument, a map value pointer checked for NULL inside, scalar arguments;
 * called from two programs of the same type.  A weak hidden function (as
 * usdt.bpf.h defines them) is a call, verified in its callers' context. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counter {
	__u64 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct counter);
} counters SEC(".maps");

__attribute__((noinline)) int account(struct __sk_buff *skb, struct counter *c, int weight)
{
	if (!c)
		return -1;
	c->n += skb->len * weight;
	return (int)c->n;
}

__attribute__((weak, visibility("hidden"))) int scale(long *out, int v)
{
	*out = v * 3; /* no NULL check: callers pass their stack */
	return v > 1000;
}

SEC("tc")
int tc_a(struct __sk_buff *skb)
{
	__u32 k = 0;
	long s;
	if (scale(&s, skb->len))
		return -2;
	return account(skb, bpf_map_lookup_elem(&counters, &k), 1) + (int)s - skb->len * 3;
}

SEC("tc")
int tc_b(struct __sk_buff *skb)
{
	__u32 k = 1;
	return account(skb, bpf_map_lookup_elem(&counters, &k), 2);
}

char LICENSE[] SEC("license") = "GPL";

// run: tc_a pkt=udp -> 60
// run: tc_a pkt=udp -> 120
// run: tc_b pkt=tcp -> 120
// map: counters 1 -> 120
