/* Tail calls through a prog array: entries given statically (.values) and
 * at run time, bpf_tail_call falling through on an empty slot, a shared
 * counter in .bss. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int hops;

SEC("xdp")
int stage_two(struct xdp_md *ctx)
{
	hops += 10;
	return XDP_TX;
}

SEC("xdp")
int stage_three(struct xdp_md *ctx)
{
	hops += 100;
	return XDP_DROP;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jump SEC(".maps") = {
	.values = { [1] = (void *)&stage_two },
};

SEC("xdp")
int entry(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	hops++;
	if (data + 15 > end)
		return XDP_ABORTED;
	__u8 sel = ((__u8 *)data)[14] & 3;
	bpf_tail_call(ctx, &jump, sel);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

// prog-array: jump 2 stage_three
// run: entry data=x"ffffffffffff000000000001080001" -> 3
// run: entry data=x"ffffffffffff000000000001080002" -> 1
// run: entry data=x"ffffffffffff000000000001080000" -> 2
// run: entry data=x"ffffffffffff0000000000010800" -> 0
// map: .bss 0 -> 114
