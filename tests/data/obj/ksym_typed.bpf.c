/* Object-layer test: a typed ksym (a per-CPU kernel variable) becomes
 * ld_imm64 BPF_PSEUDO_BTF_ID with its vmlinux BTF id. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern const struct rq runqueues __ksym;

__u64 nr;

SEC("raw_tp/sys_enter")
int rq_read(void *ctx)
{
	struct rq *r = bpf_this_cpu_ptr(&runqueues);
	nr = r->nr_running;
	return 0;
}
