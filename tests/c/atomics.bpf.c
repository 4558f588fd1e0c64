/* Atomics on map values and globals: __sync_fetch_and_add/or/and/xor, their
 * results used or not, __sync_val_compare_and_swap, __sync_lock_test_and_set,
 * and the __atomic forms. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counters {
	__u64 add;
	__u64 bits;
	__u32 small;
	__u32 owner;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counters);
} cnt SEC(".maps");

__u64 glob;

SEC("syscall")
int atomics(__u32 *ctx)
{
	__u32 zero = 0;
	struct counters *c = bpf_map_lookup_elem(&cnt, &zero);
	if (!c)
		return -1;
	__sync_fetch_and_add(&c->add, ctx[0]);
	__u64 old = __sync_fetch_and_or(&c->bits, 1ull << (ctx[0] & 63));
	__sync_fetch_and_and(&c->small, ~ctx[1]);
	__u32 x = __sync_fetch_and_xor(&c->small, ctx[1] | 0x100);
	__u32 prev = __sync_val_compare_and_swap(&c->owner, 0, ctx[0]);
	__u64 swapped = __sync_lock_test_and_set(&glob, ctx[0]);
	__atomic_fetch_add(&glob, 3, __ATOMIC_RELAXED);
	__u64 now = __atomic_add_fetch(&c->add, 1, __ATOMIC_SEQ_CST);
	__u32 expected = ctx[0];
	int won = __atomic_compare_exchange_n(&c->owner, &expected, 42, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return (int)(old & 0xff) + x + prev * 3 + (int)swapped + (int)now * 7 + won * 1000 + expected;
}

char LICENSE[] SEC("license") = "GPL";

// run: atomics ctx=x"0500000003000000"
// run: atomics ctx=x"0700000010000000"
// run: atomics ctx=x"0500000001000000"
// map: cnt 0 -> 20
