/* The definitions static-link.bpf.c is linked with: a global and a hidden
 * function, variables (one in its own section), maps, strong definitions
 * of what it defines weak, and a program of its own. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "static-link.h"

counts_map counts SEC(".maps");
counts_map hits SEC(".maps");

__u64 lib_total;
const volatile int lib_limit = 10;
int lib_tuned __attribute__((section(".data.tuned"))) = 4;
int bias = 7;

__attribute__((noinline)) int lib_add(int a, int b)
{
	return a + b;
}

__attribute__((noinline, visibility("hidden"))) int lib_twice(int x)
{
	return 2 * x;
}

__attribute__((noinline)) int pick(int x)
{
	return 5 * x;
}

SEC("tc")
int lib_entry(struct __sk_buff *skb)
{
	__u32 k = 2;
	__u64 *c = bpf_map_lookup_elem(&hits, &k);
	if (c)
		*c += 1;
	return bias;
}

char LICENSE[] SEC("license") = "GPL";
