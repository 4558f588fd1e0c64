/* Object-layer test: cgroup programs attached to the cgroup v2 root by
 * section name (sock_create counts this process's sockets, cgroup_skb
 * egress its packets). */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile int target_tgid;
__u64 socks, packets;

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
	if ((bpf_get_current_pid_tgid() >> 32) == target_tgid)
		__sync_fetch_and_add(&socks, 1);
	return 1;
}

SEC("cgroup_skb/egress")
int egress(struct __sk_buff *skb)
{
	if (skb->protocol == bpf_htons(0x0800) && skb->len > 0)
		__sync_fetch_and_add(&packets, 1);
	return 1;
}
