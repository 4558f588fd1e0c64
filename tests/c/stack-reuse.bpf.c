/* Large locals in separate scopes share stack slots: two 300-byte buffers
 * (600 bytes in all) fit the 512-byte stack because their lifetimes do not
 * overlap. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, char[300]);
} bufs SEC(".maps");

SEC("syscall")
int stack_reuse(__u32 *ctx)
{
	__u32 r = 0;
	if (ctx[0] & 1) {
		char a[300];
		__builtin_memset(a, 'a', sizeof(a));
		a[ctx[1] & 255] = 'x';
		__u32 k = 0;
		bpf_map_update_elem(&bufs, &k, a, 0);
		r += a[0];
	} else {
		char b[300];
		__builtin_memset(b, 'b', sizeof(b));
		__u32 k = 1;
		bpf_map_update_elem(&bufs, &k, b, 0);
		r += b[299];
	}
	return r;
}

char LICENSE[] SEC("license") = "GPL";

// run: stack_reuse ctx=x"0100000000000000" -> 120
// run: stack_reuse ctx=x"0100000005000000" -> 97
// run: stack_reuse ctx=x"0200000000000000" -> 98
