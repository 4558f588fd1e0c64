/* A cgroup_skb program run on packets: __sk_buff fields of the cgroup hook
 * (len, protocol, family as network order), verdicts 1 (allow) and 0. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

__u64 allowed, dropped;

SEC("cgroup_skb/egress")
int egress(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(0x0800)) {
		__sync_fetch_and_add(&allowed, 1);
		return 1;
	}
	if (skb->len > 80) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	__sync_fetch_and_add(&allowed, 1);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";

// run: egress pkt=tcp -> 1
// run: egress pkt=tcp:payload=100 -> 0
// run: egress pkt=ipv6 -> 1
// map: .bss 0 -> 2
