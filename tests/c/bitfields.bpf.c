/* Bit-fields: signed and unsigned, across byte boundaries, written and read
 * back, in initializers, and a packed struct. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flags {
	unsigned int a : 3;
	signed int b : 5;
	unsigned int c : 12;
	unsigned int d : 1;
	int e : 11;
	unsigned long long f : 40;
	unsigned long long g : 24;
};

struct __attribute__((packed)) wire {
	unsigned char tag;
	unsigned int len : 20;
	unsigned int ver : 4;
	unsigned short port;
};

SEC("syscall")
int bitfields(unsigned int *ctx)
{
	struct flags f = { .a = 5, .b = -3, .e = -1000, .f = 0x123456789aull };
	f.c = ctx[0];
	f.d = ctx[0] >> 3;
	f.g += ctx[1];
	struct wire w = { .tag = 7, .len = ctx[1], .ver = 9, .port = 443 };
	int r = f.a + f.b * 10 + f.c + f.d * 1000 + f.e + (int)(f.f >> 20) + (int)f.g;
	r += w.tag + w.len + w.ver * 3 + w.port;
	f.b++;
	f.e = f.b - 100;
	r += f.b + f.e;
	return r + sizeof(struct wire) * 1000;
}

char LICENSE[] SEC("license") = "GPL";

// run: bitfields ctx=x"ffffffff78563412"
// run: bitfields ctx=x"0800000000000100"
// run: bitfields ctx=x"0000000000000000"
// run: bitfields ctx=x"54a2399ccfc9fcc2"
// run: bitfields ctx=x"da31ce3dd166bdcd"
// run: bitfields ctx=x"3a33847e5bbb07fd"
// run: bitfields ctx=x"07ca47784231b19a"
// run: bitfields ctx=x"f45872ceefb9fc59"
// run: bitfields ctx=x"f4f95d14381a3a78"
// run: bitfields ctx=x"3256347b9ffce69c"
// run: bitfields ctx=x"d7007ae8a758cca4"
// run: bitfields ctx=x"15d5a91ee863c8b6"
// run: bitfields ctx=x"c0337ae32d6fcaa2"
// run: bitfields ctx=x"5516cdf2f8b86576"
// run: bitfields ctx=x"66bef215b9282bfe"
