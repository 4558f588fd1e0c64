/* Object-layer test: .kconfig externs of every kind (int, bool, tristate,
 * string, LINUX_* values, a weak missing one) and .ksyms: an untyped symbol
 * (kallsyms address), kfuncs, a weak kfunc the kernel lacks. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

extern int CONFIG_HZ __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig __weak;
extern __u32 LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern int CONFIG_WHISTLER_DOES_NOT_EXIST __kconfig __weak;

extern const void schedule __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_whistler_no_such_kfunc(void) __ksym __weak;
extern void bpf_rcu_read_lock(void) __ksym __weak;
extern void bpf_rcu_read_unlock(void) __ksym __weak;

struct {
	__u64 hz, bpf_syscall, jit, version, cookie, wrapper, missing;
	__u64 sched_addr, acquired_pid, has_missing_kfunc, has_rcu_kfunc, runs;
	char hostname[16];
} out;

const volatile int target_tgid;

SEC("tp_btf/sys_enter")
int BPF_PROG(on_enter, struct pt_regs *regs, long id)
{
	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	out.hz = CONFIG_HZ;
	out.bpf_syscall = CONFIG_BPF_SYSCALL;
	out.jit = CONFIG_BPF_JIT;
	out.version = LINUX_KERNEL_VERSION;
	out.cookie = LINUX_HAS_BPF_COOKIE;
	out.wrapper = LINUX_HAS_SYSCALL_WRAPPER;
	out.missing = CONFIG_WHISTLER_DOES_NOT_EXIST;
	out.sched_addr = (__u64)&schedule;
	__builtin_memcpy(out.hostname, CONFIG_DEFAULT_HOSTNAME, sizeof(out.hostname));
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf());
	if (t) {
		out.acquired_pid = t->pid;
		bpf_task_release(t);
	}
	out.has_missing_kfunc = !!bpf_whistler_no_such_kfunc;
	out.has_rcu_kfunc = !!bpf_rcu_read_lock;
	if (bpf_rcu_read_lock) {
		bpf_rcu_read_lock();
		bpf_rcu_read_unlock();
	}
	if (bpf_whistler_no_such_kfunc)
		bpf_whistler_no_such_kfunc();
	out.runs++;
	return 0;
}
