/* Object-layer test: programs attached by their section names (tracepoint,
 * raw_tp, tp_btf, ksyscall, kretsyscall) and a uprobe given
 * its target, each counting getppid() calls (or uprobe hits) of one process. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define NR_GETPPID 110 /* x86-64 */

const volatile int target_tgid;
__u64 counts[6];

static __always_inline bool me(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int tp(void *ctx)
{
	if (me())
		__sync_fetch_and_add(&counts[0], 1);
	return 0;
}

SEC("raw_tp/sys_enter")
int rawtp(struct bpf_raw_tracepoint_args *ctx)
{
	if (me() && ctx->args[1] == NR_GETPPID)
		__sync_fetch_and_add(&counts[1], 1);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(tpbtf, struct pt_regs *regs, long id)
{
	if (me() && id == NR_GETPPID)
		__sync_fetch_and_add(&counts[2], 1);
	return 0;
}

SEC("ksyscall/getppid")
int ksys(void *ctx)
{
	if (me())
		__sync_fetch_and_add(&counts[3], 1);
	return 0;
}

SEC("kretsyscall/getppid")
int kretsys(void *ctx)
{
	if (me())
		__sync_fetch_and_add(&counts[4], 1);
	return 0;
}

SEC("uprobe")
int uprobe_hit(void *ctx)
{
	if (me())
		__sync_fetch_and_add(&counts[5], 1);
	return 0;
}
