/* Static linking: this object calls functions (one hidden) and uses
 * variables (one declared in a section) and maps (one declared without
 * SEC(".maps")) that static-link.lib.c defines; its weak variable and
 * function yield to the library's strong ones, a weak map is defined in
 * both; a table of function pointers in .data holds addresses the linker
 * resolves.  bpftool gen object links the objects, then they run.
 * tests/cc/run-objshape compares both objects with clang-19's: an extern
 * map declared without its section is listed in .maps all the same (the
 * linker then compares it as a map definition). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "static-link.h"

// link: static-link.lib.c
// run: entry pkt=udp -> 331
// run: entry pkt=tcp:truncate=40 -> 231
// run: lib_entry pkt=udp -> 7
// map: counts 1 -> 2
// map: hits 1 -> 4
// map: hits 2 -> 1
// map: shared_weak 1 -> 4
// map: .bss 0 -> 100
// shape-differs: datasec .maps VAR hits size=32

extern int lib_add(int a, int b);
extern __attribute__((visibility("hidden"))) int lib_twice(int x);
extern __u64 lib_total;
extern const volatile int lib_limit;
extern int lib_tuned __attribute__((section(".data.tuned")));
extern counts_map counts SEC(".maps");
extern counts_map hits;

int bias __attribute__((weak)) = 1;

__attribute__((weak, noinline)) int pick(int x)
{
	return x;
}

struct {
	int (*add)(int, int);
	int (*pick)(int);
} fns = { lib_add, pick };

SEC("tc")
int entry(struct __sk_buff *skb)
{
	__u32 k = 1, one = 1;
	__u64 *c = bpf_map_lookup_elem(&counts, &k);
	if (c)
		*c += 1;
	c = bpf_map_lookup_elem(&hits, &k);
	if (c)
		*c += 2;
	__u32 *w = bpf_map_lookup_elem(&shared_weak, &k);
	if (w)
		*w += 3;
	else
		bpf_map_update_elem(&shared_weak, &k, &one, BPF_ANY);
	lib_total += skb->len;
	return lib_add(lib_twice(lib_limit), bias) + pick(skb->len) + lib_tuned;
}

char LICENSE[] SEC("license") = "GPL";
