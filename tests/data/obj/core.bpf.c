/* Object-layer test: CO-RE reads of the current task (BPF_CORE_READ through
 * bpf_probe_read_kernel, direct BTF-pointer loads, a bitfield), field/type/
 * enum existence and values, sizes, type ids and matches, and a relocation that cannot resolve
 * behind a bpf_core_field_exists guard (poisoned, dead code). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct task_struct___old {
	int whistler_missing_field;
} __attribute__((preserve_access_index));

struct whistler_no_such_type {
	int x;
} __attribute__((preserve_access_index));

enum whistler_no_enum { WHISTLER_NO_VAL = 1 };

struct {
	__s32 pid, tgid, ppid, btf_pid, btf_tgid;
	char comm[16];
	__u32 pid_exists, missing_exists, type_exists, notype_exists;
	__u32 enum_val, enum_exists, enum_missing, pid_size, type_size;
	__u64 in_execve, poison_dead, seen, btf_seen;
	__u32 local_id, kernel_id, matches, nomatch;
} out;

const volatile int target_tgid;

SEC("raw_tp/sys_enter")
int read_task(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	if (BPF_CORE_READ(t, tgid) != target_tgid)
		return 0;
	out.pid = BPF_CORE_READ(t, pid);
	out.tgid = BPF_CORE_READ(t, tgid);
	out.ppid = BPF_CORE_READ(t, real_parent, tgid);
	BPF_CORE_READ_STR_INTO(&out.comm, t, comm);
	out.pid_exists = bpf_core_field_exists(t->pid);
	struct task_struct___old *o = (void *)t;
	out.missing_exists = bpf_core_field_exists(o->whistler_missing_field);
	if (bpf_core_field_exists(o->whistler_missing_field))
		out.poison_dead = BPF_CORE_READ(o, whistler_missing_field);
	out.type_exists = bpf_core_type_exists(struct task_struct);
	out.notype_exists = bpf_core_type_exists(struct whistler_no_such_type);
	out.enum_val = bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF);
	out.enum_exists = bpf_core_enum_value_exists(enum bpf_map_type, BPF_MAP_TYPE_ARENA);
	out.enum_missing = bpf_core_enum_value_exists(enum whistler_no_enum, WHISTLER_NO_VAL);
	out.pid_size = bpf_core_field_size(t->pid);
	out.type_size = bpf_core_type_size(struct task_struct);
	out.in_execve = BPF_CORE_READ_BITFIELD_PROBED(t, in_execve);
	out.local_id = bpf_core_type_id_local(struct task_struct);
	out.kernel_id = bpf_core_type_id_kernel(struct task_struct);
	out.matches = bpf_core_type_matches(struct list_head);
	out.nomatch = bpf_core_type_matches(struct whistler_no_such_type);
	out.seen++;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(read_task_btf, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_get_current_task_btf();
	if (t->tgid != target_tgid)
		return 0;
	out.btf_pid = t->pid;
	out.btf_tgid = t->tgid;
	out.btf_seen++;
	return 0;
}
