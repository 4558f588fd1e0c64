/* bpf_perf_event_output of a stack struct to a perf event array from XDP
 * (the current CPU's slot; nobody listens, the helper reports -ENOENT),
 * and bpf_get_smp_processor_id into a per-CPU array. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} per_cpu SEC(".maps");

struct ev {
	__u32 ifindex;
	__u32 len;
};

SEC("xdp")
int perf_out(struct xdp_md *ctx)
{
	struct ev e = { .ifindex = ctx->ingress_ifindex,
			.len = (__u32)((void *)(long)ctx->data_end - (void *)(long)ctx->data) };
	long r = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&per_cpu, &zero);
	if (c)
		*c += bpf_get_smp_processor_id() < 4096;
	return r < 0 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

// run: perf_out pkt=udp -> 2
// map: per_cpu 0 -> 1
