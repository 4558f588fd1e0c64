/* Object-layer test: fentry and fexit programs attached by section name,
 * counting getppid() calls of one process (needs BPF trampolines). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile int target_tgid;
__u64 counts[2];

SEC("fentry/__do_sys_getppid")
int BPF_PROG(fent)
{
	if ((bpf_get_current_pid_tgid() >> 32) == target_tgid)
		__sync_fetch_and_add(&counts[0], 1);
	return 0;
}

SEC("fexit/__do_sys_getppid")
int BPF_PROG(fext)
{
	if ((bpf_get_current_pid_tgid() >> 32) == target_tgid)
		__sync_fetch_and_add(&counts[1], 1);
	return 0;
}
