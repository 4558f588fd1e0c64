/* BTF of every kind clang emits: bitfields, ENUM64, tags, maps (map-in-map,
 * prog array), DATASECs of every flavour, static/global/extern linkage. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
typedef unsigned int u32;
typedef unsigned long long u64;
#define __tag1 __attribute__((btf_decl_tag("tag1")))
#define __ttag __attribute__((btf_type_tag("user")))
enum small { A = 1, B = -2 };
enum big { X = 0x100000000ULL, Y = 3 };
enum ubig { UX = 0xffffffffffffffffULL };
struct bits { int a:3; unsigned b:5; long long c; char d[7]; _Bool e; } __tag1;
union un { int i; float f; double d; };
struct fwd;
struct holder { struct fwd *f; const volatile int * restrict p; int __ttag *u; union un u2; enum big eb; enum small es; enum ubig eu; int arr[2][3]; struct { int x; } anon; union { int y; long z; }; void (*fp)(int, ...); struct bits bb; } __tag1;
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, u32);
	__type(value, struct holder);
	__uint(max_entries, 128);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} m SEC(".maps");
struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, int); } inner_map SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(int));
	__array(values, struct inner);
} outer SEC(".maps") = { .values = { [0] = &inner_map } };
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__array(values, int (void *));
} progs SEC(".maps");
int g1 = 3;
static volatile const int rodata_v = 5;
u64 bss_v;
extern int ext_v __attribute__((weak)) __attribute__((section(".kconfig")));
int gfun(int x) __tag1;
static __attribute__((noinline)) int helper(struct holder *h __tag1, int k) { return h->arr[1][k] + k; }
__attribute__((noinline)) int gfun(int x) { return x * 3; }
SEC("xdp") int prog(struct xdp_md *ctx)
{
	struct holder *h;
	u32 k = 0;
	h = bpf_map_lookup_elem(&m, &k);
	if (!h) return 0;
	int f = h->u2.i;
	return helper(h, ctx->ingress_ifindex) + gfun(g1) + rodata_v + bss_v + ext_v + (int)f + h->bb.a + h->bb.b;
}
char LICENSE[] SEC("license") = "GPL";
