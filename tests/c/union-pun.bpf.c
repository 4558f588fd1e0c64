/* Unions and byte order: an address stored through one member and read
 * through another, network/host order helpers, and a 64-bit value built
 * from halves. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

union addr {
	__u32 v4;
	__u8 bytes[4];
	__u16 halves[2];
};

SEC("syscall")
int union_pun(__u32 *ctx)
{
	union addr a = { .v4 = ctx[0] };
	__u32 host = bpf_ntohl(a.v4);
	__u64 wide = ((__u64)ctx[1] << 32) | ctx[0];
	a.bytes[3] ^= 0xff;
	return (int)(host >> 24) + a.bytes[0] * 256 + (a.halves[1] == 0) + (int)(wide >> 60) + bpf_htons(a.halves[0]);
}

char LICENSE[] SEC("license") = "GPL";

// run: union_pun ctx=x"0a000001f0000000"
// run: union_pun ctx=x"c0a80001ffffffff"
