/* bpf_loop with a static callback (a subprogram passed as a value) and a
 * context struct on the caller's stack; an early stop from the callback. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct loop_ctx {
	__u64 sum;
	__u32 limit;
};

static int step(__u32 i, void *data)
{
	struct loop_ctx *c = data;
	if (i >= c->limit)
		return 1; /* stop */
	c->sum += i * i;
	return 0;
}

SEC("syscall")
int bpf_loop_test(__u32 *ctx)
{
	struct loop_ctx c = { .limit = ctx[1] };
	long n = bpf_loop(ctx[0], step, &c, 0);
	return (int)c.sum * 10 + (int)n;
}

char LICENSE[] SEC("license") = "GPL";

// run: bpf_loop_test ctx=x"0a00000064000000" -> 2860
// run: bpf_loop_test ctx=x"0a00000004000000" -> 145
// run: bpf_loop_test ctx=x"0000000004000000" -> 0
