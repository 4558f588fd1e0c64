/* Object-layer test: global variables in .bss, .data, .rodata and custom
 * .data.X/.rodata.X sections, statics, `const volatile` settings written
 * before load, results read back through the mmap'ed .bss. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 ro_setting = 1;
const volatile __u64 ro_big = 0x1122334455667788ull;
const volatile char greeting[8] = "hi";
__u32 data_val = 10;
__u64 bss_val;
static __u32 static_counter = 3;
__u32 custom_data SEC(".data.custom") = 77;
const volatile __u32 custom_ro SEC(".rodata.custom") = 88;

struct result {
	__u64 a, b, c, d, e, runs;
} out;

SEC("syscall")
int compute(void *ctx)
{
	out.a = ro_setting;
	out.b = ro_big;
	out.c = data_val + static_counter;
	out.d = custom_data + custom_ro;
	out.e = greeting[0] + greeting[1];
	out.runs++;
	data_val++;
	static_counter += 2;
	bss_val += 5;
	return 0;
}
