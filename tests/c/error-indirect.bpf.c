/* A call through a function pointer variable: not supported (BPF has no
 * indirect calls); the error names the construct and its place. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int add1(int x) { return x + 1; }
static int add2(int x) { return x + 2; }

SEC("xdp")
int indirect(struct xdp_md *ctx)
{
	int (*fn)(int) = ctx->ingress_ifindex ? add1 : add2;
	return fn(3);
}

char LICENSE[] SEC("license") = "GPL";

// error: error-indirect.bpf.c:13:9: error: calls through function pointers not supported yet
