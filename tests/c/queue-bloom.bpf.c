/* Keyless maps: a queue and a stack (push, pop, peek) and a bloom filter
 * (push, peek), in XDP (sleepable programs cannot use them); the input is
 * the test run's interface index. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} q SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 8);
	__type(value, __u32);
} st SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__type(value, __u64);
	__uint(map_extra, 3);
} bloom SEC(".maps");

SEC("xdp")
int queue_bloom(struct xdp_md *xdp)
{
	__u32 ctx[1] = { xdp->ingress_ifindex + 1 };
	for (__u32 i = 1; i <= 3; i++) {
		__u32 v = ctx[0] * i;
		bpf_map_push_elem(&q, &v, 0);
		bpf_map_push_elem(&st, &v, 0);
	}
	__u32 a = 0, b = 0, c = 0;
	bpf_map_pop_elem(&q, &a);
	bpf_map_pop_elem(&st, &b);
	bpf_map_peek_elem(&q, &c);
	__u64 key = ctx[0];
	bpf_map_push_elem(&bloom, &key, 0);
	__u64 other = ctx[0] + 1000;
	int hit = bpf_map_peek_elem(&bloom, &key) == 0;
	int miss = bpf_map_peek_elem(&bloom, &other) != 0;
	return a + b * 100 + c * 10000 + hit * 1000000 + miss * 10000000;
}

char LICENSE[] SEC("license") = "GPL";

// run: queue_bloom data=x"ffffffffffff0000000000010800" -> 11040602
