/* A struct_ops map, in .struct_ops and in .struct_ops.link, pointing to
 * its programs (R_BPF_64_ABS64 in .rel.struct_ops): an object bpftool
 * makes a skeleton of. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct demo_state {
	int val;
};

struct demo_ops {
	int (*init)(struct demo_state *st);
	int (*step)(struct demo_state *st, int n);
	void *unused;
	char name[16];
};

SEC("struct_ops/demo_init")
int demo_init(unsigned long long *ctx)
{
	return 0;
}

SEC("struct_ops/demo_step")
int demo_step(unsigned long long *ctx)
{
	return (int)ctx[1];
}

SEC(".struct_ops")
struct demo_ops demo = {
	.init = (void *)demo_init,
	.step = (void *)demo_step,
	.name = "demo",
};

SEC(".struct_ops.link")
struct demo_ops demo_link = {
	.step = (void *)demo_step,
	.name = "demo_link",
};

char LICENSE[] SEC("license") = "GPL";
