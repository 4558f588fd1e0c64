// cpus: v1 v2 v3 v4
// variants: -O2; -O2 -g; -O1
/* Map and global references (ld_imm64 + R_BPF_64_64), helper calls,
 * subprogram calls, a callback passed to bpf_loop, kfunc calls and a tail
 * call: the relocations libbpf resolves. */
#include "bpf_mini.h"

struct {
	__uint(type, 1); /* BPF_MAP_TYPE_HASH */
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, 3); /* BPF_MAP_TYPE_PROG_ARRAY */
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, 4);
} jumps SEC(".maps");

const volatile __u32 cfg_limit = 10;
__u64 total;
static __u64 hits;
char msg[] = "seen %d\n";

extern int bpf_kfunc_example(int x) __ksym;

static int cb(__u32 i, void *ctx)
{
	hits += i;
	return i > cfg_limit;
}

static __noinline __u64 bump(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &key), one = 1;
	if (v) {
		__sync_fetch_and_add(v, 1);
		return *v;
	}
	bpf_map_update_elem(&counts, &key, &one, 0);
	return 1;
}

SEC("xdp") int maps(struct xdp_md *ctx)
{
	__u64 n = bump(ctx->ingress_ifindex);
	total += n + bpf_ktime_get_ns();
	bpf_loop(8, cb, 0, 0);
	bpf_trace_printk(msg, sizeof(msg), (int)n);
	if (n > 100)
		bpf_tail_call(ctx, &jumps, 0);
	return bpf_kfunc_example((int)hits) > 0 ? 2 : 1;
}

char _license[] SEC("license") = "GPL";
