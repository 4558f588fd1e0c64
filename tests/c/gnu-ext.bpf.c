/* GNU C as BPF code uses it: statement expressions, typeof, __auto_type,
 * case ranges, labels as cleanup targets, conditional with omitted
 * operand, zero-length arrays, __builtin_expect, __builtin_constant_p,
 * __builtin_bswap, offsetof. */
#include <linux/bpf.h>
#include <stddef.h>
#include <bpf/bpf_helpers.h>

#define max(a, b) ({ typeof(a) _a = (a); typeof(b) _b = (b); _a > _b ? _a : _b; })

struct msg {
	__u16 len;
	__u16 kind;
	__u8 payload[0];
};

SEC("syscall")
int gnu_ext(__u32 *ctx)
{
	__auto_type a = ctx[0];
	int r = max(a, ctx[1]);
	unsigned int t = ctx[1] ?: 77;
	r += t;
	if (__builtin_expect(a > 1000, 0))
		goto out;
	r += __builtin_constant_p(a) ? 1 : 2;
	r += __builtin_constant_p(16) ? 10 : 20;
	r += __builtin_bswap16(0x1234) == 0x3412;
	r += offsetof(struct msg, payload) + sizeof(struct msg);
	switch (a & 0xff) {
	case 'a' ... 'z':
		r += 1000;
		break;
	default:
		break;
	}
	return r;
out:
	return -r;
}

char LICENSE[] SEC("license") = "GPL";

// run: gnu_ext ctx=x"6100000000000000" -> 1195
// run: gnu_ext ctx=x"0500000009000000" -> 39
// run: gnu_ext ctx=x"e907000000000000" -> -2102
// run: gnu_ext ctx=x"29b46efe8367566b"
// run: gnu_ext ctx=x"325b5117b85d0456"
// run: gnu_ext ctx=x"8d7570b404625484"
// run: gnu_ext ctx=x"9f4b83f5101cfceb"
// run: gnu_ext ctx=x"c93af8e01a154345"
// run: gnu_ext ctx=x"0ae7c72e45c121d1"
