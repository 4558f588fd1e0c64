/* A bounded loop over stacked VLAN headers (#pragma unroll) and a while
 * loop summing payload bytes the verifier bounds. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

SEC("xdp")
int vlans(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__u16 proto = eth->h_proto;
	void *cur = eth + 1;
	int depth = 0;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		struct vlan_hdr *v = cur;
		if ((void *)(v + 1) > data_end)
			return XDP_DROP;
		proto = v->proto;
		cur = v + 1;
		depth++;
	}
	__u32 sum = 0;
	__u8 *p = cur;
	int n = 0;
	while (n < 16) {
		if ((void *)(p + 1) > data_end)
			break;
		sum += *p++;
		n++;
	}
	return depth * 1000 + (sum & 0xff) + (proto == bpf_htons(ETH_P_IP) ? 100 : 0);
}

char LICENSE[] SEC("license") = "GPL";

// run: vlans data=x"ffffffffffff00000000000181000001810000020800450000280000" -> 2209
// run: vlans data=x"ffffffffffff0000000000010800450000280001" -> 210
// run: vlans data=x"ffffffffffff0000000000018100" -> 1
