/* XDP metadata and tail adjustments: bpf_xdp_adjust_meta reserves room in
 * front of the packet, bpf_xdp_adjust_tail trims it; data_meta bounds
 * checks against data.  clang-19 turns (int)(len - after) into 32-bit
 * arithmetic on packet pointers, which the verifier refuses. */
// clang-rejects
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int tail_meta(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_meta(ctx, -4))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data;
	void *meta = (void *)(long)ctx->data_meta;
	if (meta + 4 > data)
		return XDP_ABORTED;
	*(__u32 *)meta = 0xabcd;
	long len = (void *)(long)ctx->data_end - (void *)(long)ctx->data;
	if (len > 20 && bpf_xdp_adjust_tail(ctx, -8))
		return XDP_ABORTED;
	long after = (void *)(long)ctx->data_end - (void *)(long)ctx->data;
	return (int)(len - after);
}

char LICENSE[] SEC("license") = "GPL";

// run: tail_meta pkt=udp -> 8
// run: tail_meta data=x"ffffffffffff0000000000010800" -> 0
