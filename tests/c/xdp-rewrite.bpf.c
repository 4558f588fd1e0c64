/* XDP packet rewriting: swap MAC addresses, decrement the TTL with an
 * incremental checksum update, bounce with XDP_TX; bpf_xdp_adjust_head to
 * strip the Ethernet header for another protocol. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __always_inline void swap_mac(struct ethhdr *eth)
{
	unsigned char tmp[ETH_ALEN];
	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

static __always_inline void dec_ttl(struct iphdr *ip)
{
	__u32 check = ip->check;
	check += bpf_htons(0x0100);
	ip->check = (__u16)(check + (check >= 0xffff));
	ip->ttl--;
}

SEC("xdp")
int rewrite(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if (data + sizeof(*eth) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto == bpf_htons(0x88b5)) {
		if (bpf_xdp_adjust_head(ctx, sizeof(*eth)))
			return XDP_ABORTED;
		return XDP_PASS;
	}
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	if (ip->ttl <= 1)
		return XDP_DROP;
	dec_ttl(ip);
	swap_mac(eth);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";

// run: rewrite pkt=udp:ttl=10 -> 3 out@0=000000000001ffffffffffff out@22=09
// run: rewrite pkt=udp:ttl=1 -> 1
// run: rewrite pkt=arp -> 2
// run: rewrite pkt=eth:ethertype=0x88b5 -> 2
