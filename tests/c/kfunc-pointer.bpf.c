/* A kfunc passed as a function pointer to an always_inline function and
 * called through it (test_bpf_nf passes bpf_xdp_ct_lookup so): once
 * inlined, the pointer's value is known and the call is a kfunc call, as
 * clang makes it.  The parameter is a phi at the joins of the ifs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

int found;

static __always_inline int probe(struct task_struct *(*lookup)(s32), int pid, int bad)
{
	int n = 0;
	struct task_struct *t = lookup(pid);
	if (t) {
		n += 1;
		bpf_task_release(t);
	}
	if (bad) {
		t = lookup(-1);
		if (t) {
			n += 10;
			bpf_task_release(t);
		}
	}
	t = lookup(pid);
	if (t) {
		found = t->pid == pid;
		bpf_task_release(t);
		n += 100;
	}
	return n;
}

SEC("syscall")
int through_pointer(int *ctx)
{
	int pid = (int)(bpf_get_current_pid_tgid() >> 32);
	return probe((void *)bpf_task_from_pid, pid, ctx[0]);
}

char LICENSE[] SEC("license") = "GPL";

// requires: btf
// run: through_pointer ctx=x"00000000" -> 101
// run: through_pointer ctx=x"01000000" -> 101
// map: .bss 0 -> 1
