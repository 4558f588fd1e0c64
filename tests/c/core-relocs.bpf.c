/* CO-RE relocations as clang records them: field offsets through
 * BPF_CORE_READ chains, nested members, arrays and anonymous unions; field
 * existence, size, signedness and bit-field shifts; type existence, size
 * and ids; enum values.  The runner compares the .BTF.ext records (kind,
 * type, access string) with clang-19's, then runs the program. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

// core-compare

__u64 out[16];

SEC("tp_btf/sys_enter")
int core_relocs(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	out[0] = BPF_CORE_READ(task, real_parent, pid);
	out[1] = BPF_CORE_READ(task, mm, start_code);
	out[2] = bpf_core_field_exists(task->pid) + bpf_core_field_exists(struct task_struct, tgid);
	out[3] = bpf_core_field_size(task->comm) + bpf_core_field_offset(task->tgid);
	out[4] = bpf_core_type_exists(struct task_struct) + bpf_core_type_size(struct task_struct);
	out[5] = bpf_core_enum_value_exists(enum bpf_map_type, BPF_MAP_TYPE_ARRAY) +
		 bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_HASH);
	out[6] = bpf_core_type_id_local(struct task_struct) != 0;
	out[7] = BPF_CORE_READ(task, signal, rlim[1].rlim_cur);
	out[8] = __builtin_preserve_field_info(task->pid, 3 /* BPF_FIELD_SIGNED */);
	struct sk_buff *skb = 0;
	out[9] = bpf_core_field_offset(skb->len);
	out[10] = task->pid; /* direct read through a BTF pointer */
	struct unix_address *ua = 0;
	out[11] = bpf_core_field_offset(ua->name); /* a flexible array member */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// requires: btf
