/* A tc classifier: direct packet access through __sk_buff data/data_end,
 * skb->mark and priority, bpf_skb_store_bytes and an L3 checksum update,
 * TC_ACT_* verdicts. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_OFF ETH_HLEN

SEC("tc")
int classify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + IP_OFF;
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	skb->mark = ip->protocol;
	if (ip->protocol != IPPROTO_TCP)
		return TC_ACT_UNSPEC;
	struct tcphdr *tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_SHOT;
	if (tcp->dest == bpf_htons(22))
		return TC_ACT_SHOT;
	__u8 old_ttl = ip->ttl, new_ttl = old_ttl - 1;
	bpf_l3_csum_replace(skb, IP_OFF + offsetof(struct iphdr, check), bpf_htons(old_ttl << 8),
			    bpf_htons(new_ttl << 8), 2);
	bpf_skb_store_bytes(skb, IP_OFF + offsetof(struct iphdr, ttl), &new_ttl, 1, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

// run: classify pkt=tcp:dport=22 -> 2
// run: classify pkt=tcp:dport=80,ttl=64 -> 0 out@22=3f
// run: classify pkt=udp -> -1
// run: classify pkt=arp -> 0
// run: classify pkt=tcp:truncate=40 -> 2
