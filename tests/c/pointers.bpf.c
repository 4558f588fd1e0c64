/* Pointer arithmetic: indexing, differences, comparisons, pointers to
 * pointers and arrays of pointers on the stack, casts between pointers and
 * integers, pointers into a map value. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32[16]);
} vals SEC(".maps");

static __always_inline void bump(__u32 **pp, int n)
{
	**pp += n;
	(*pp)++;
}

SEC("syscall")
int pointers(__u32 *ctx)
{
	__u32 zero = 0;
	__u32 *arr = bpf_map_lookup_elem(&vals, &zero);
	if (!arr)
		return -1;
	__u32 *end = arr + 16, *p = arr;
	for (int i = 0; i < 4; i++)
		bump(&p, ctx[i]);
	long used = p - arr;
	__u32 *q = &arr[15];
	int r = (int)used + (q > p) * 10 + (int)(end - q) * 100;
	unsigned long addr = (unsigned long)p;
	__u32 *back = (__u32 *)addr;
	r += back == p;
	__u32 *ptrs[2] = { arr, q };
	r += (ctx[4] & 1 ? *ptrs[1] : *ptrs[0]) * 1000;
	return r;
}

char LICENSE[] SEC("license") = "GPL";

// run: pointers ctx=x"0100000002000000030000000400000000000000" -> 1115
// run: pointers ctx=x"0100000002000000030000000400000001000000" -> 115
// map: vals 0 -> 17179869186
// run: pointers ctx=x"6cd9e9add1f242672689eb83927eb35316470ecc"
// run: pointers ctx=x"b02e6ce51244f004a216cd42159bdb381143dc1f"
// run: pointers ctx=x"740256fe8d6aedea449f210b86b53df01cf82943"
// run: pointers ctx=x"0c2e33ee4fa04e87c2344a7280ac2d4558cd04fe"
// run: pointers ctx=x"40090304bb818dfa3083793eef721ba8d1a66ea8"
// run: pointers ctx=x"7e8bd5e364f8814eb037fb3a5732d5e1b4baa223"
