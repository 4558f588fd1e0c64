/* Context fields indexed in a loop: the loop must be unrolled so every
 * context access is ctx + constant (a raw tracepoint's u64 arguments). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 total;

SEC("raw_tp/sys_enter")
int sum_args(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 s = 0;
#pragma unroll
	for (int i = 0; i < 4; i++)
		s += ctx->args[i] * (i + 1);
	total = s;
	return s > 100;
}

char LICENSE[] SEC("license") = "GPL";

// run: sum_args ctx=x"010000000000000002000000000000000300000000000000040000000000000000000000000000000000000000000000" -> 0
// map: .bss 0 -> 30
