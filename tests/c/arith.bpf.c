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
// run: arith ctx=x"52f22665a60c12d289185d950ee8813609166f6b113d178d6c0fd390"
// run: arith ctx=x"1ff239a1a095f20f9395650cf9380b8edb224a6b248a1e924e8fd0ae"
// run: arith ctx=x"2e1a9492a3305f188cb610900f9e347fae886dc6507795ec745c4c3f"
// run: arith ctx=x"cb2eb2c73e14934c867ee057ba72499bfa121e836b2ac15726ee7d6b"
// run: arith ctx=x"0af6ab13c38e92cae0d15057b159987f94cc7411d717f14579b2aa10"
// run: arith ctx=x"0fbbb34fa593feaed27248b762e3ab5805f0765a2b9c1d7e0f37c449"
// run: arith ctx=x"21bd3f6564eadf7f142a72668c47e223d16edd8c47b46afc5baee261"
// run: arith ctx=x"f53b26152d263ba83b037cd4962e434801256b885e9c9051f320b0db"
// run: arith ctx=x"83f39ea7adbd0d74e6dec7f3dfaecc8f646566641a7ba2660f3011fc"
// run: arith ctx=x"3570291c57990d1a0091268919f25d9d0612df359d6026a240f4589a"
// run: arith ctx=x"5d791f1dd97cfefa777a7b4f15241abf57bd437ad4b129840534f3f3"
// run: arith ctx=x"875c25b08bea06c2874cfaa4dd17b2d842845de82a5bc539888ac780"
