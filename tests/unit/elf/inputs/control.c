// cpus: v1 v2 v3 v4
/* Branches: loops, switches, signed and unsigned compares of 32 and 64
 * bits (jmp32 from v3), BPF-to-BPF calls of static and global functions. */
#include "bpf_mini.h"

__u32 table[64];

static __noinline __u32 classify(__s64 v)
{
	if (v < -100)
		return 1;
	if (v <= 0)
		return 2;
	if (v > 1000000)
		return 3;
	if ((__u64)v >= 5000)
		return 4;
	if (v & 0x10)
		return 5;
	return 6;
}

__noinline int global_step(__u32 x)
{
	switch (x % 7) {
	case 0:
		return x + 3;
	case 1:
		return x ^ 0xff;
	case 2:
		return (__s32)x < 17 ? 4 : 5;
	case 3:
		return x * 9;
	case 5:
		return x >> 2;
	default:
		return -1;
	}
}

SEC("tc") int control(struct xdp_md *ctx)
{
	__u32 n = ctx->ingress_ifindex & 63, acc = 0;
	for (__u32 i = 0; i < n; i++) {
		if (table[i] == 0xffffffff)
			break;
		if ((__s32)table[i] < -5)
			continue;
		acc += global_step(table[i]) + classify((__s64)table[i] - 50);
	}
	while (acc > 100000)
		acc /= 3;
	return acc != 7 ? (int)acc : -1;
}

SEC("tc") int control2(struct xdp_md *ctx)
{
	__u32 x = ctx->data;
	if (x == 3 || x == 9 || x > 77)
		return classify(x);
	return global_step(x + 1);
}

char _license[] SEC("license") = "GPL";
