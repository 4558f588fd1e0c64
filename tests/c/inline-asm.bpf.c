/* Inline assembly: bpf_tail_call_static (an "i" operand that is constant
 * only after inlining), ALU and memory instructions on "r" operands,
 * barrier_var, and an asm helper call. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef barrier_var
#define barrier_var(var) asm volatile("" : "+r"(var))
#endif

SEC("xdp")
int target(struct xdp_md *ctx)
{
	return XDP_TX;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jump SEC(".maps") = {
	.values = { [1] = (void *)&target },
};

SEC("xdp")
int asm_ops(struct xdp_md *ctx)
{
	__u64 x = ctx->ingress_ifindex, y = 5;
	barrier_var(y);
	asm volatile("%[x] *= 3\n\t"
		     "%[x] += %[y]\n\t"
		     "%[x] <<= 4\n\t"
		     "r1 = %[y]\n\t"
		     "%[y] = be16 %[y]"
		     : [x] "+r"(x), [y] "+r"(y)
		     :
		     : "r1");
	if (x == 128)
		bpf_tail_call_static(ctx, &jump, 1);
	return (int)(x + y);
}

char LICENSE[] SEC("license") = "GPL";

// run: asm_ops data=x"ffffffffffff0000000000010800" -> 3
