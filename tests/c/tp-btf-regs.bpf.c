/* A BTF-enabled raw tracepoint on sys_enter (this kernel has no kprobes):
 * BPF_PROG's typed arguments (pt_regs read with BPF_CORE_READ, the syscall
 * number), the current pid/tgid and comm; attached, triggered by getppid. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct hit {
	__u64 count;
	__u64 regs_nonzero;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct hit);
} hits SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(on_getppid, struct pt_regs *regs, long id)
{
	if (id != 110 /* __NR_getppid on x86-64 */)
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct hit *h = bpf_map_lookup_elem(&hits, &tgid);
	if (!h) {
		struct hit zero = {};
		bpf_get_current_comm(zero.comm, sizeof(zero.comm));
		bpf_map_update_elem(&hits, &tgid, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hits, &tgid);
		if (!h)
			return 0;
	}
	__sync_fetch_and_add(&h->count, 1);
	h->regs_nonzero = regs != 0 && BPF_CORE_READ(regs, sp) != 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// requires: btf
// attach: on_getppid
// trigger: getppid
// trigger: getppid
// map: hits $PID -> >=2
