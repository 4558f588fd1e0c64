/* Floating point has no BPF instructions: a located error, no object. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int uses_float(struct xdp_md *ctx)
{
	double scale = ctx->ingress_ifindex;
	return (int)(scale * 1.5);
}

char LICENSE[] SEC("license") = "GPL";

// error: error-float.bpf.c:8:9: error: floating-point variables not supported yet
