/* Object-layer test: a CO-RE relocation that cannot resolve, reached
 * without a guard: the poisoned call makes the verifier refuse it. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct task_struct___old {
	int whistler_missing_field;
} __attribute__((preserve_access_index));

__u64 v;

SEC("raw_tp/sys_enter")
int unguarded(void *ctx)
{
	struct task_struct___old *o = (void *)bpf_get_current_task();
	v = BPF_CORE_READ(o, whistler_missing_field);
	return 0;
}
