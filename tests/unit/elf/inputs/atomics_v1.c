// cpus: v1 v2
/* The atomics older cpus have: 64-bit ops and the 32-bit add without fetch. */
#include "bpf_mini.h"

__u64 c64;
__u32 c32;
__u64 results[4];

SEC("xdp") int atomics(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&c64, ctx->data);
	__sync_fetch_and_add(&c32, 1);
	results[0] = __sync_fetch_and_add(&c64, 5);
	results[1] = __sync_fetch_and_or(&c64, ctx->data_end);
	results[2] = __sync_lock_test_and_set(&c64, 7);
	results[3] = __sync_val_compare_and_swap(&c64, 1, 2);
	return 0;
}

char _license[] SEC("license") = "GPL";
