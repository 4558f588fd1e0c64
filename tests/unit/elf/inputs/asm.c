// cpus: v4
/* Every instruction form the assembler knows, through inline asm: the
 * cpu-v4 ones clang does not emit from plain C here (gotol, may_goto,
 * callx, addr_space_cast, ldsx, st, bswap) included. */
#include "bpf_mini.h"

SEC("socket") int all_forms(void *ctx)
{
	asm volatile(
		"r1 = 1\n"
		"r2 = r1\n"
		"w3 = w2\n"
		"w3 = -1\n"
		"r1 += r2\n r1 -= 5\n r1 *= r2\n r1 /= 3\n r1 |= r2\n r1 &= 0xff\n"
		"r1 <<= 3\n r1 >>= r2\n r1 %%= 7\n r1 ^= r2\n r1 s>>= 1\n"
		"w1 += w2\n w1 -= 5\n w1 *= w2\n w1 /= 3\n w1 |= w2\n w1 &= 0xff\n"
		"w1 <<= 3\n w1 >>= w2\n w1 %%= 7\n w1 ^= w2\n w1 s>>= 1\n"
		"r1 s/= r2\n r1 s%%= 3\n w1 s/= w2\n w1 s%%= -3\n"
		"r1 = (s8)r2\n r1 = (s16)r2\n r1 = (s32)r2\n w1 = (s8)w2\n w1 = (s16)w2\n"
		"r1 = -r1\n w1 = -w1\n"
		"r1 = be16 r1\n r1 = be32 r1\n r1 = be64 r1\n r1 = le16 r1\n r1 = le32 r1\n r1 = le64 r1\n"
		"r1 = bswap16 r1\n r1 = bswap32 r1\n r1 = bswap64 r1\n"
		"r1 = 0x123456789abcdef0 ll\n r2 = -1 ll\n"
		"r1 = addr_space_cast(r2, 1, 0)\n r1 = addr_space_cast(r2, 0, 1)\n"
		"r3 = *(u8 *)(r10 - 1)\n r3 = *(u16 *)(r10 - 2)\n r3 = *(u32 *)(r10 - 4)\n r3 = *(u64 *)(r10 - 8)\n"
		"w3 = *(u8 *)(r10 - 1)\n w3 = *(u16 *)(r10 - 2)\n w3 = *(u32 *)(r10 - 4)\n"
		"r3 = *(s8 *)(r10 - 1)\n r3 = *(s16 *)(r10 - 2)\n r3 = *(s32 *)(r10 - 4)\n"
		"*(u8 *)(r10 - 1) = r3\n *(u16 *)(r10 - 2) = r3\n *(u32 *)(r10 - 4) = r3\n *(u64 *)(r10 - 8) = r3\n"
		"*(u8 *)(r10 - 1) = w3\n *(u16 *)(r10 - 2) = w3\n *(u32 *)(r10 - 4) = w3\n"
		"*(u8 *)(r10 - 1) = 1\n *(u16 *)(r10 - 2) = 2\n *(u32 *)(r10 - 4) = 3\n *(u64 *)(r10 - 8) = -4\n"
		"lock *(u64 *)(r10 - 8) += r3\n lock *(u64 *)(r10 - 8) &= r3\n"
		"lock *(u64 *)(r10 - 8) |= r3\n lock *(u64 *)(r10 - 8) ^= r3\n"
		"lock *(u32 *)(r10 - 4) += w3\n lock *(u32 *)(r10 - 4) &= w3\n"
		"lock *(u32 *)(r10 - 4) |= w3\n lock *(u32 *)(r10 - 4) ^= w3\n"
		"r3 = atomic_fetch_add((u64 *)(r10 - 8), r3)\n r3 = atomic_fetch_and((u64 *)(r10 - 8), r3)\n"
		"r3 = atomic_fetch_or((u64 *)(r10 - 8), r3)\n r3 = atomic_fetch_xor((u64 *)(r10 - 8), r3)\n"
		"w3 = atomic_fetch_add((u32 *)(r10 - 4), w3)\n w3 = atomic_fetch_and((u32 *)(r10 - 4), w3)\n"
		"w3 = atomic_fetch_or((u32 *)(r10 - 4), w3)\n w3 = atomic_fetch_xor((u32 *)(r10 - 4), w3)\n"
		"r3 = xchg_64(r10 - 8, r3)\n w3 = xchg32_32(r10 - 4, w3)\n"
		"r0 = cmpxchg_64(r10 - 8, r0, r3)\n w0 = cmpxchg32_32(r10 - 4, w0, w3)\n"
		"r6 = r1\n"
		"r0 = *(u8 *)skb[1]\n r0 = *(u16 *)skb[2]\n r0 = *(u32 *)skb[4]\n"
		"r0 = *(u8 *)skb[r3]\n r0 = *(u16 *)skb[r3]\n r0 = *(u32 *)skb[r3]\n"
		"if r1 == r2 goto 1f\n if r1 != 5 goto 1f\n if r1 > r2 goto 1f\n if r1 >= 5 goto 1f\n"
		"if r1 < r2 goto 1f\n if r1 <= 5 goto 1f\n if r1 s> r2 goto 1f\n if r1 s>= -5 goto 1f\n"
		"if r1 s< r2 goto 1f\n if r1 s<= 5 goto 1f\n if r1 & r2 goto 1f\n if r1 & 8 goto 1f\n"
		"if w1 == w2 goto 1f\n if w1 != 5 goto 1f\n if w1 > w2 goto 1f\n if w1 >= 5 goto 1f\n"
		"if w1 < w2 goto 1f\n if w1 <= 5 goto 1f\n if w1 s> w2 goto 1f\n if w1 s>= -5 goto 1f\n"
		"if w1 s< w2 goto 1f\n if w1 s<= 5 goto 1f\n if w1 & w2 goto 1f\n if w1 & 8 goto 1f\n"
		"goto 1f\n gotol 1f\n may_goto 1f\n"
		"1:\n"
		"call 5\n callx r2\n"
		::: "r0", "r1", "r2", "r3", "r4", "r5", "r6", "memory");
	return 0;
}

char _license[] SEC("license") = "GPL";
