/* kfuncs declared __ksym: bpf_task_from_pid / bpf_task_release (acquire and
 * release, KF_RET_NULL checked), and a cpumask created, set and freed. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
extern void bpf_cpumask_set_cpu(u32 cpu, struct bpf_cpumask *cpumask) __ksym;
extern bool bpf_cpumask_test_cpu(u32 cpu, const struct cpumask *cpumask) __ksym;

int found_pid;

SEC("syscall")
int kfuncs(int *ctx)
{
	int pid = ctx[0] ? ctx[0] : (int)(bpf_get_current_pid_tgid() >> 32);
	struct task_struct *t = bpf_task_from_pid(pid);
	if (!t)
		return -1;
	found_pid = t->pid;
	bpf_task_release(t);
	struct bpf_cpumask *m = bpf_cpumask_create();
	if (!m)
		return -2;
	bpf_cpumask_set_cpu(0, m);
	int r = bpf_cpumask_test_cpu(0, (const struct cpumask *)m) + bpf_cpumask_test_cpu(1, (const struct cpumask *)m) * 2;
	bpf_cpumask_release(m);
	return r;
}

char LICENSE[] SEC("license") = "GPL";

// requires: btf
// run: kfuncs ctx=x"00000000" -> 1
// run: kfuncs ctx=x"ffffff7f" -> -1
