/* Structs and unions: designated and nested initializers, compound
 * literals, struct assignment and copies through pointers, unions,
 * arrays of structs, anonymous members, memset/memcpy/memcmp. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct point {
	int x, y;
};

struct shape {
	char name[6];
	unsigned char kind;
	struct point pts[3];
	union {
		unsigned int bits;
		unsigned short halves[2];
	};
	long long area;
};

static __always_inline long long area2(const struct shape *s)
{
	long long a = 0;
	for (int i = 0; i < 3; i++) {
		const struct point *p = &s->pts[i], *q = &s->pts[(unsigned)(i + 1) % 3];
		a += (long long)p->x * q->y - (long long)q->x * p->y;
	}
	return a < 0 ? -a : a;
}

static __attribute__((noinline)) int sum_points(struct point a, struct point b)
{
	return a.x + a.y + b.x + b.y;
}

SEC("syscall")
int structs(int *ctx)
{
	struct shape s = { .name = "tri", .kind = 3, .pts = { { 0, 0 }, [2] = { .y = ctx[1] } } };
	s.pts[1] = (struct point){ ctx[0], 0 };
	s.bits = 0x11223344;
	s.area = area2(&s);
	struct shape t;
	t = s;
	t.halves[1] ^= 0xffff;
	struct point origin = {};
	int r = (int)t.area + t.halves[0] + t.halves[1] + t.name[1] + t.kind;
	r += sum_points(t.pts[1], t.pts[2]);
	r += sum_points(origin, (struct point){ 7, 8 });
	char buf[16];
	__builtin_memset(buf, 'a', sizeof(buf));
	__builtin_memcpy(buf + 4, t.name, 4);
	r += buf[0] + buf[5] + buf[15];
	r += __builtin_memcmp(buf, "aaaatri", 7) == 0;
	r += __builtin_memcmp(&s.pts[0], &origin, sizeof(origin)) ? 100 : 200;
	return r;
}

char LICENSE[] SEC("license") = "GPL";

// run: structs ctx=x"0400000006000000"
// run: structs ctx=x"fcffffff0a000000"
// run: structs ctx=x"0000000000000000"
// run: structs ctx=x"20072697e777cea7"
// run: structs ctx=x"259cd398fa79a8ef"
// run: structs ctx=x"59278c8c210503cc"
// run: structs ctx=x"f8b9a61a86bfef23"
// run: structs ctx=x"6ffcdf31d3df3607"
// run: structs ctx=x"40364a803dc39653"
// run: structs ctx=x"428b6bd5210fe8bd"
// run: structs ctx=x"5ae575a995d0e784"
// run: structs ctx=x"6bd3eae080218826"
// run: structs ctx=x"868204df70c62e9b"
// run: structs ctx=x"01c6cc262c24799e"
// run: structs ctx=x"b91e8e0f53ae8487"
