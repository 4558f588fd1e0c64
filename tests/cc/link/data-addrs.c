/* Addresses in initialisers of global data: .data holding &var,
 * &array[i], a static variable, a string, a static and a global function
 * and externs another object defines (one weak); a function's static
 * local pointing into an array.
 * Whistler's own conventions: the string pool is a static `.str` with a
 * BTF VAR, and code names a static variable by its own symbol. */
// shape-differs: btf VAR .str static
// shape-differs: datasec .rodata.str1.1 VAR .str size=6
// shape-differs: symbol .str OBJECT LOCAL DEFAULT .rodata.str1.1
// shape-differs: code-reloc .text R_BPF_64_64 .data
// shape-differs: code-reloc .text R_BPF_64_64 hidden_counter
// shape-differs: code-reloc .text R_BPF_64_64 advance.cursor
// shape-differs: data-reloc .data:refs+24 R_BPF_64_ABS64 .rodata.str1.1+0
// shape-differs: data-reloc .data:refs+24 R_BPF_64_ABS64 .rodata.str1.1:.str+0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int table[4] = { 1, 2, 3, 4 };
static int hidden_counter = 9;
extern int other_var;
extern int other_weak __attribute__((weak));
extern int other_fn(int);

static __attribute__((noinline)) int local_fn(int x)
{
	return x + hidden_counter;
}

__attribute__((noinline)) int global_fn(int x)
{
	return x * 2;
}


struct refs {
	int *first, *third;
	int *counter;
	const char *greeting;
	int (*local)(int);
	int (*global)(int);
	int *other, *weak;
	int (*ext)(int);
} refs = {
	.first = table,
	.third = &table[2],
	.counter = &hidden_counter,
	.greeting = "hello",
	.local = local_fn,
	.global = global_fn,
	.other = &other_var,
	.weak = &other_weak,
	.ext = other_fn,
};

/* a static local made when the function is lowered, after the globals */
__attribute__((noinline)) int advance(int n)
{
	static int *cursor = &table[1];
	cursor += n;
	return *cursor;
}

char LICENSE[] SEC("license") = "GPL";
