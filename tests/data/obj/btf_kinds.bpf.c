/* Object-layer test: BTF with FLOAT, DECL_TAG, TYPE_TAG, ENUM64, DATASEC,
 * global functions, for sanitizing as if the kernel lacked each kind. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

enum wl_e64 { WL_BIG = 0x1ffffffffull };

float g_float = 1.5f;
enum wl_e64 g_e64 = WL_BIG;
int __attribute__((btf_decl_tag("wl_tag"))) g_tagged = 3;
int __attribute__((btf_type_tag("wl_user"))) *g_ptr;
__u32 g_out;

__noinline int wl_global_sub(int x)
{
	return x + 1;
}

SEC("syscall")
int kinds(void *ctx)
{
	g_out = g_tagged + (g_e64 == WL_BIG);
	return wl_global_sub(g_tagged);
}
