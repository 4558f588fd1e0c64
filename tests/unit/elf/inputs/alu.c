// cpus: v1 v2 v3 v4
/* Arithmetic of every width: 32-bit ALU with v3+, signed division,
 * sign-extending moves and bswap with v4, byte order conversions before. */
#include "bpf_mini.h"

__u64 out[16];

SEC("xdp") int alu(struct xdp_md *ctx)
{
	__u64 a = ctx->data, b = ctx->data_end;
	__u32 x = ctx->ingress_ifindex, y = ctx->rx_queue_index | 1;
	__s64 s = (__s64)a - (__s64)b;
	__s32 t = (__s32)x - 7;
	out[0] = a + b * 3 - (a >> 3) + (b << 7) + (a ^ 0x5a5a) + (a | b) + (a & 0xfff0);
	out[1] = x * y + x / y + x % y + (x << 3) + (x >> 5) - (x ^ y);
	out[2] = (__u64)(s >> 9) + (__u64)(t >> 3);
#ifdef __BPF_FEATURE_SDIV_SMOD
	out[3] = (__u64)(s / (__s64)(b | 1)) + (__u64)(s % 1000) + (__u64)(t / -9) + (__u64)(t % (__s32)y);
#endif
	out[4] = (__u64)(__s8)a + (__u64)(__s16)b + (__u64)(__s32)a + (__u64)(__s8)x + (__u64)(__s16)y;
	out[5] = __builtin_bswap64(a) + __builtin_bswap32(x) + __builtin_bswap16((__u16)y);
	out[6] = -a + (__u64)-t + ~b;
	out[7] = a / (b | 1) + a % (b | 1) + 0xffffffffull * a + 0x123456789abcdefull;
	out[8] = x > y ? a : b;
	out[9] = (__s32)x < 0 ? 1 : (__s64)a > -5;
	return (int)(out[0] + out[1] + out[2]);
}

char _license[] SEC("license") = "GPL";
