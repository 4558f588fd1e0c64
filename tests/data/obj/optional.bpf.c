/* Object-layer test: SEC("?...") programs are typed by the rest of the
 * name and loaded only when asked; this one the verifier refuses (a packet
 * read with no bounds check), as in the selftests' negative tests. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int xdp_ok(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("?xdp")
int xdp_unchecked(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	return data[0] ? XDP_DROP : XDP_PASS;
}
