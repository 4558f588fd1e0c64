/* XDP: Ethernet, IPv4 (with options) and IPv6 headers, UDP port 53 bounced,
 * per-protocol counts in a per-CPU array; an always_inline parser. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} proto_count SEC(".maps");

static __always_inline int parse_ipv4(void *data, void *data_end, __u8 *proto)
{
	struct iphdr *ip = data;
	if ((void *)(ip + 1) > data_end)
		return -1;
	if (ip->ihl < 5)
		return -1;
	*proto = ip->protocol;
	return ip->ihl * 4;
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 proto = 0;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__u16 h_proto = eth->h_proto;
	if (h_proto == bpf_htons(ETH_P_IP)) {
		int len = parse_ipv4(eth + 1, data_end, &proto);
		if (len < 0)
			return XDP_DROP;
		if (proto == IPPROTO_UDP) {
			struct udphdr *udp = (void *)(eth + 1) + len;
			if ((void *)(udp + 1) > data_end)
				return XDP_DROP;
			if (udp->dest == bpf_htons(53))
				return XDP_TX;
		}
	} else if (h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return XDP_DROP;
		proto = ip6->nexthdr;
	} else {
		return XDP_PASS;
	}
	__u32 key = proto;
	__u64 *cnt = bpf_map_lookup_elem(&proto_count, &key);
	if (cnt)
		*cnt += 1;
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";

// run: xdp_parse pkt=udp:dport=53 -> 3
// run: xdp_parse pkt=udp:dport=54 -> 2
// run: xdp_parse pkt=tcp -> 2
// run: xdp_parse pkt=ipv6 -> 2
// run: xdp_parse pkt=arp -> 2
// run: xdp_parse pkt=udp:truncate=20 -> 1
// run: xdp_parse pkt=udp:truncate=36 -> 1
// map: proto_count 6 -> 1
// map: proto_count 17 -> 1
// map: proto_count 59 -> 1
