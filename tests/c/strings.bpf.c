/* Strings: char arrays initialised by literals (stack stores), literals
 * used as pointers (.rodata.str1.1), bpf_trace_printk through bpf_printk,
 * a hand-written strlen loop, and string comparison. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __always_inline int my_strlen(const char *s, int max)
{
	int n = 0;
	for (int i = 0; i < max; i++) {
		if (!s[i])
			break;
		n++;
	}
	return n;
}

SEC("syscall")
int strings(__u32 *ctx)
{
	char greeting[24] = "hello, bpf world";
	const char *names[] = { "zero", "one", "two", "three" };
	const char *pick = names[ctx[0] & 3];
	bpf_printk("pick %s %d", pick, ctx[0]);
	int r = my_strlen(greeting, sizeof(greeting)) * 100;
	r += my_strlen("sixteen chars!!!", 32);
	r += greeting[ctx[1] & 15];
	r += __builtin_memcmp(greeting, "hello", 5) == 0 ? 1000 : 0;
	return r;
}

char LICENSE[] SEC("license") = "GPL";

// run: strings ctx=x"0100000000000000" -> 2720
// run: strings ctx=x"0200000005000000" -> 2660
