/* CO-RE by direct member access (vmlinux.h's preserve_access_index): the
 * field offsets go into the loads themselves, one relocation per access,
 * as clang emits them — through a BTF task pointer and through the
 * syscall's pt_regs, a context the kernel refuses to see moved. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct seen {
	__u32 pid, tgid, ppid;
	__u32 nr;
	__u64 ip_nonzero;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct seen);
} by_pid SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(on_enter, struct pt_regs *regs, long id)
{
	if (id != 110) /* getppid on x86-64 */
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	struct seen s = {
		.pid = t->pid,
		.tgid = t->tgid,
		.ppid = t->real_parent->tgid,
		.nr = regs->orig_ax,
		.ip_nonzero = regs->ip != 0,
	};
	bpf_map_update_elem(&by_pid, &s.tgid, &s, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// requires: btf
// core-compare
// attach: on_enter
// trigger: getppid
// map: by_pid $PID -> !=0
