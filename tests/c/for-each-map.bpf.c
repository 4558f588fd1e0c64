/* bpf_for_each_map_elem with a static callback over an array and a hash
 * map, the callback context a struct on the caller's stack. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct cb_ctx {
	__u64 sum;
	__u32 seen, stop_at;
};

static long sum_elem(void *map, __u32 *key, __u64 *val, struct cb_ctx *c)
{
	c->seen++;
	c->sum += *val * (*key + 1);
	return c->seen >= c->stop_at;
}

SEC("xdp")
int for_each(struct xdp_md *ctx)
{
#pragma unroll
	for (__u32 i = 0; i < 8; i++) {
		__u64 v = i * 10;
		__u32 k = i;
		bpf_map_update_elem(&arr, &k, &v, 0);
	}
	struct cb_ctx c = { .stop_at = 5 };
	long n = bpf_for_each_map_elem(&arr, sum_elem, &c, 0);
	return (int)(c.sum + n * 1000);
}

char LICENSE[] SEC("license") = "GPL";

// run: for_each data=x"ffffffffffff0000000000010800" -> 5400
