/* A large switch over dense and sparse cases, with a default, nested in a
 * loop over bytes (the verifier explores every path). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __always_inline int weight(unsigned char c)
{
	switch (c) {
	case 'a': case 'e': case 'i': case 'o': case 'u':
		return 1;
	case 'b' ... 'd':
		return 2;
	case 'f' ... 'h':
		return 3;
	case 'z':
		return 10;
	case 0:
		return -100;
	case 0x80 ... 0xff:
		return 50;
	default:
		return 0;
	}
}

SEC("syscall")
int switch_dense(unsigned char *ctx)
{
	unsigned char buf[8];
	int total = 0;
	__builtin_memcpy(buf, ctx, sizeof(buf)); /* the context field by field */
	for (int i = 0; i < 8; i++) {
		int w = weight(buf[i]);
		if (w < 0)
			break;
		total += w;
	}
	return total;
}

char LICENSE[] SEC("license") = "GPL";

// run: switch_dense ctx=x"6162637a6566ff00" -> 69
// run: switch_dense ctx=x"7878787878787878" -> 0
// run: switch_dense ctx=x"0061616161616161" -> 0
