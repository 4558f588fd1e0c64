/* CO-RE on task_struct with vmlinux.h: BPF_CORE_READ through pointers,
 * bpf_core_read into a buffer, bpf_core_field_exists and
 * bpf_core_type_exists, in a tracepoint program attached and triggered. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

struct seen {
	__u32 pid, tgid, ppid;
	__u32 exists;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct seen);
} by_pid SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct seen s = {};
	s.pid = BPF_CORE_READ(task, pid);
	s.tgid = BPF_CORE_READ(task, tgid);
	s.ppid = BPF_CORE_READ(task, real_parent, tgid);
	bpf_core_read_str(s.comm, sizeof(s.comm), &task->comm);
	s.exists = bpf_core_field_exists(task->pid) + bpf_core_type_exists(struct task_struct) * 2 +
		   bpf_core_field_exists(struct task_struct, tgid) * 4;
	bpf_map_update_elem(&by_pid, &s.tgid, &s, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// requires: btf
// requires: tracefs
// attach: on_getppid
// trigger: getppid
// map: by_pid $PID -> !=0
