/* A raw tracepoint program run with a made-up context (BPF_PROG_TEST_RUN
 * takes the arguments as u64s): BPF_PROG's argument unpacking. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 seen;

SEC("raw_tp/sys_enter")
int BPF_PROG(raw_enter, unsigned long a, long b, int c)
{
	seen = a * 3 + b + c;
	return c > 0 ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";

// run: raw_enter ctx=x"0500000000000000feffffffffffffff0700000000000000" -> 1
// map: .bss 0 -> 20
