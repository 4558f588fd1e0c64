/* A variable-length array: the error points at its declaration. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int vla(struct xdp_md *ctx)
{
	int n = ctx->ingress_ifindex & 7;
	char buf[n + 1];
	buf[0] = 1;
	return buf[0];
}

char LICENSE[] SEC("license") = "GPL";

// error: error-vla.bpf.c:9:7: error: variable-length arrays not supported yet
