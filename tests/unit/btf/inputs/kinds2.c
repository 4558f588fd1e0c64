/* More corners: signed ENUM64, unsigned 32-bit enums with the top bit set,
 * char and bool ints, __int128, packed and union bitfields, extern kfuncs in
 * .ksyms, variadic protos, const volatile rodata, flexible arrays. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum s64e { NEG = -5LL, BIGNEG = -0x100000000LL };
enum u32e { TOP = 0x80000000u, MAXU = 0xffffffffu };
enum __attribute__((packed)) tiny { T0, T1 = 200 };
struct __attribute__((packed)) pk { char c; int i:7; long long l:33; unsigned short s; };
union ub { unsigned a:1; unsigned long long b:40; enum tiny t; };
struct flex { int n; __int128 big; unsigned __int128 ubig; signed char sc; unsigned char uc; struct pk p; union ub u; int data[]; };
typedef int (*vfn)(const char *, ...);
extern int bpf_kfunc_call_test(struct flex *f, int x) __ksym __weak;
struct flex *gf;
enum s64e gs = NEG;
enum u32e gu = TOP;
vfn gv;
static volatile const enum tiny rt = T1;
SEC("tc")
int prog2(struct __sk_buff *skb)
{
	if (bpf_kfunc_call_test)
		return bpf_kfunc_call_test(gf, 1);
	return (int)gs + (int)gu + rt + (gf ? gf->p.i + gf->u.a + gf->data[0] : 0) + (gv != 0);
}
char LICENSE[] SEC("license") = "GPL";
