/* Inline assembly with a jump: control flow stays in C. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int asm_jump(struct xdp_md *ctx)
{
	__u64 x = ctx->ingress_ifindex;
	asm volatile("if %[x] > 5 goto +1\n\t%[x] = 0" : [x] "+r"(x));
	return x;
}

char LICENSE[] SEC("license") = "GPL";

// error: error-asm-jump.bpf.c:9:2: error: control flow (jumps, exit) in inline assembly not supported yet
