/* Integer arithmetic and conversions: every C type's width, signed and
 * unsigned division (signed needs -mcpu=v4 in clang; whistlercc turns
 * division by a power of two into shifts), shifts, narrowing and widening,
 * mixed signedness comparisons.  A syscall program reads its inputs. */
// flags: -mcpu=v4
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct args {
	int a, b;
	unsigned int u;
	long long l;
	signed char c;
	unsigned char uc;
	short s;
};

static __attribute__((noinline)) int mix(int x, int y)
{
	return (x * 7 + y) ^ (x >> 2);
}

SEC("syscall")
int arith(struct args *ctx)
{
	int a = ctx->a, b = ctx->b;
	unsigned int u = ctx->u;
	long long l = ctx->l;
	int r = 0;
	r += a / 4;          /* signed division by a power of two */
	r += a % 8;
	r += (int)(u / 3);   /* unsigned by a constant */
	r += (int)(u % 10);
	r += a << 3;
	r += (int)(u >> 5);
	r += a >> 1;         /* arithmetic shift */
	r += (int)(l >> 33);
	r += (int)(l / 16);
	r += ctx->c;         /* sign-extended char */
	r += ctx->uc;
	r += ctx->s * 3;
	r += (signed char)(a + 200);
	r += (unsigned char)(a + 200);
	r += (short)(u * 1000);
	r += a < (int)u;
	r += (unsigned)a < u;
	r += -a > b;
	r += mix(a, b);
	r += (a & 0xf0) | (b ^ 0x3c);
	r += ~b;
	r += !a + !!b;
	r += a / (b | 1) + a % (b | 1) + (int)(l / (long long)(b | 1)); /* sdiv, smod */
	return r;
}

char LICENSE[] SEC("license") = "GPL";

// run: arith ctx=x"0500000003000000e8030000ffffffff00000080f5c82e0000000000"
// run: arith ctx=x"9cffffff0a00000007000000000000000100000001f4ff0000000000"
// run: arith ctx=x"ffffff7fffffff80ffffffffffffffffffffff7f7fff0080000000000"
// run: arith ctx=x"00000000000000000000000000000000000000000000000000000000" 
