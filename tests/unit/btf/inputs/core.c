/* CO-RE relocations of every kind against the kernel's task_struct and
 * pid_type, with ___flavour types that exist and fields that do not. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
struct task_struct___old { int pid; long state; } __attribute__((preserve_access_index));
enum pid_type___x { PIDTYPE_PGID___x = 99 };
long out[16];
SEC("tp_btf/sched_switch")
int BPF_PROG(sw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	int pid = BPF_CORE_READ(prev, pid);
	int tgid = BPF_CORE_READ(next, real_parent, tgid);
	u64 start = BPF_CORE_READ(prev, start_time);
	const char *c = prev->comm;
	int e = bpf_core_field_exists(((struct task_struct___old *)prev)->state);
	int s = bpf_core_field_size(prev->comm);
	int off = bpf_core_field_offset(struct task_struct, mm);
	int ex = bpf_core_type_exists(struct task_struct___old);
	int sz = bpf_core_type_size(struct task_struct);
	int ev = bpf_core_enum_value_exists(enum pid_type, PIDTYPE_PGID);
	int v = bpf_core_enum_value(enum pid_type, PIDTYPE_SID);
	int tm = bpf_core_type_matches(struct task_struct);
	int ti = bpf_core_type_id_kernel(struct task_struct);
	int tl = bpf_core_type_id_local(struct task_struct);
	unsigned flags = BPF_CORE_READ_BITFIELD_PROBED(prev, in_execve);
	int ev2 = bpf_core_enum_value_exists(enum pid_type___x, PIDTYPE_PGID___x);
	out[0]=pid;out[1]=tgid;out[2]=start;out[3]=(long)c;out[4]=e;out[5]=s;out[6]=off;out[7]=ex;out[8]=sz;out[9]=ev;out[10]=v;out[11]=tm;out[12]=ti;out[13]=tl;out[14]=flags;out[15]=ev2;
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
