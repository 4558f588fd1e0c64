// cpus: v3 v4
/* Every atomic llvm emits: add/and/or/xor with and without fetch, xchg and
 * cmpxchg, 32 and 64 bits (needs -mcpu=v3). */
#include "bpf_mini.h"

__u64 c64;
__u32 c32;
__u64 results[16];

SEC("xdp") int atomics(struct xdp_md *ctx)
{
	__u64 v = ctx->data;
	__u32 w = ctx->data_end;
	__sync_fetch_and_add(&c64, v);
	__sync_fetch_and_add(&c32, w);
	__sync_fetch_and_and(&c64, v);
	__sync_fetch_and_or(&c32, w);
	__sync_fetch_and_xor(&c64, 3);
	results[0] = __sync_fetch_and_add(&c64, 5);
	results[1] = __sync_fetch_and_add(&c32, w);
	results[2] = __sync_fetch_and_sub(&c64, v);
	results[3] = __sync_fetch_and_and(&c32, 0xff);
	results[4] = __sync_fetch_and_or(&c64, v);
	results[5] = __sync_fetch_and_xor(&c32, w);
	results[6] = __sync_lock_test_and_set(&c64, v);
	results[7] = __sync_lock_test_and_set(&c32, w);
	results[8] = __sync_val_compare_and_swap(&c64, v, 9);
	results[9] = __sync_val_compare_and_swap(&c32, w, 10);
	results[10] = __atomic_fetch_add(&c64, 1, __ATOMIC_RELAXED);
	results[11] = __atomic_exchange_n(&c32, 4, __ATOMIC_SEQ_CST);
	return 0;
}

char _license[] SEC("license") = "GPL";
