/* Global data: .bss, .data and .rodata (const volatile, set before load),
 * static and extern-linkage globals, arrays, a static local counter, and a
 * string literal read by index (.rodata.str1.1). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile int scale = 1;
const volatile unsigned char table[4] = { 1, 2, 3, 4 };
int counter;
long long totals[4] = { 10, 20, 30, 40 };
static int hidden = 5;
struct cfg {
	int lo, hi;
} limits = { 3, 9 };

SEC("syscall")
int globals(int *ctx)
{
	static int calls;
	int i = ctx[0] & 3;
	calls++;
	counter += scale * table[i];
	totals[i] += ctx[0];
	hidden *= 2;
	const char *word = "whistler";
	int r = counter + (int)totals[i] + hidden + calls * 100 + word[i + 1];
	if (ctx[0] < limits.lo || ctx[0] > limits.hi)
		r = -r;
	return r;
}

char LICENSE[] SEC("license") = "GPL";

// global: scale = 3
// run: globals ctx=x"01000000" -> -242
// run: globals ctx=x"05000000" -> 363
// run: globals ctx=x"0a000000"
// map: .bss 0 -> >0
