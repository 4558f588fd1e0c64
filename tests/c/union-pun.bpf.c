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
// run: union_pun ctx=x"8e7bc8c61be28f0e"
// run: union_pun ctx=x"3f30460ac5198173"
// run: union_pun ctx=x"8f07c2e4e9107153"
// run: union_pun ctx=x"9cf9819b8333b146"
// run: union_pun ctx=x"738288ce7a81f13f"
// run: union_pun ctx=x"b285e0e0f1ed42ec"
// run: union_pun ctx=x"8fe4f133d772236a"
// run: union_pun ctx=x"1f64715012ab3d6d"
// run: union_pun ctx=x"1236ab4dc81fe5c6"
// run: union_pun ctx=x"27f0b7a4a95d2440"
// run: union_pun ctx=x"e223f77738bff318"
// run: union_pun ctx=x"65e27c29fdaad539"
