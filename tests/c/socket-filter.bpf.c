/* A socket filter: bpf_skb_load_bytes of the IP header (a socket filter
 * sees the packet from the network header), the __sk_buff fields,
 * and the number of bytes to keep as the result. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	struct iphdr ip;
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip))  < 0)
		return 0;
	if (ip.protocol == IPPROTO_TCP)
		return skb->len > 100 ? 100 : skb->len;
	if (ip.protocol == IPPROTO_UDP && ip.ttl > 32)
		return -1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// run: sock_filter pkt=tcp -> 46
// run: sock_filter pkt=tcp:payload=200 -> 100
// run: sock_filter pkt=udp -> -1
// run: sock_filter pkt=udp:ttl=10 -> 0
// run: sock_filter pkt=arp -> 0
