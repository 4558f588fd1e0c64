/* fentry/fexit on bpf_fentry_test1 (BPF_PROG_TEST_RUN calls it): BTF-typed
 * arguments through BPF_PROG, the traced function's result in fexit. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 entry_arg, exit_ret;

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(on_entry, int a)
{
	entry_arg = a + 1000;
	return 0;
}

SEC("fexit/bpf_fentry_test1")
int BPF_PROG(on_exit, int a, int ret)
{
	exit_ret = ret * 10 + a;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// requires: btf
// run: on_entry -> 0
// run: on_exit -> 0
// map: .bss 0 -> 1001
