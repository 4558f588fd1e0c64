// cpus: v1 v2 v3 v4
/* Loads and stores of every size, signed loads (v4 ldsx), stores of
 * immediates (v4 st), stack buffers and builtin memcpy/memset. */
#include "bpf_mini.h"

struct rec {
	__u8 a;
	__s8 b;
	__u16 c;
	__s16 d;
	__u32 e;
	__s32 f;
	__u64 g;
	__s64 h;
	char name[24];
};

struct rec g_rec;
__u64 sink;

static __noinline int fill(struct rec *r, __u32 seed)
{
	r->a = (__u8)seed;
	r->b = -3;
	r->c = 0x1234;
	r->d = -1000;
	r->e = seed * 7;
	r->f = -70000;
	r->g = 0x1122334455667788ull;
	r->h = -2;
	__builtin_memset(r->name, 0, sizeof(r->name));
	r->name[3] = 'x';
	return r->a;
}

SEC("xdp") int memory(struct xdp_md *ctx)
{
	struct rec local;
	volatile __u8 *p = (void *)(long)ctx->data;
	volatile __u8 *end = (void *)(long)ctx->data_end;
	if ((void *)(p + 16) > (void *)end)
		return 1;
	fill(&local, p[0]);
	__builtin_memcpy(&g_rec, &local, sizeof(local));
	__s64 sum = local.b + local.d + local.f + local.h + (__s8)p[1] + *(volatile __s16 *)(p + 2) +
		    *(volatile __s32 *)(p + 4);
	__u64 usum = local.a + local.c + local.e + local.g + p[8] + *(volatile __u16 *)(p + 10) +
		     *(volatile __u32 *)(p + 12);
	*(volatile __u32 *)(p + 4) = 0xdeadbeef;
	*(volatile __u16 *)(p + 2) = 7;
	p[1] = 9;
	sink = (__u64)sum ^ usum;
	return (int)sum;
}

char _license[] SEC("license") = "GPL";
