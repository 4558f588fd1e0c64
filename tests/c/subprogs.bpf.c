/* BPF-to-BPF calls: static noinline subprograms (one recursive chain of
 * calls, pointers to the caller's stack), a global function verified on its
 * own, and __always_inline helpers. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct acc {
	__u64 sum;
	__u32 n;
};

static __attribute__((noinline)) void add(struct acc *a, __u32 v)
{
	a->sum += v;
	a->n++;
}

static __attribute__((noinline)) __u64 fold(struct acc *a, __u32 depth)
{
	if (depth == 0)
		return a->sum;
	add(a, depth);
	return depth > 3 ? a->sum + depth : a->sum * 2;
}

__attribute__((noinline)) int global_sq(int x)
{
	return x * x;
}

static __always_inline int twice(int x)
{
	return x + x;
}

SEC("syscall")
int subprogs(__u32 *ctx)
{
	struct acc a = {};
	add(&a, ctx[0]);
	add(&a, ctx[1]);
	__u64 f = fold(&a, ctx[2] & 7);
	return (int)f + a.n * 1000 + global_sq(ctx[0] & 0xff) + twice(ctx[1]);
}

char LICENSE[] SEC("license") = "GPL";

// run: subprogs ctx=x"030000000400000005000000"
// run: subprogs ctx=x"ffffffff0000000007000000"
