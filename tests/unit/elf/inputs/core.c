// cpus: v3
// variants: -O2 -g
/* CO-RE relocatable accesses: llvm-objdump adds "CO-RE" comment lines under
 * -r, from .BTF.ext; whistler objdump must print the same. */
#include "bpf_mini.h"

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *parent;
	char comm[16];
} __attribute__((preserve_access_index));

__u64 out;

SEC("kprobe/do_exit") int core(struct task_struct *t)
{
	out = t->pid + t->parent->tgid + t->comm[2] + __builtin_preserve_field_info(t->tgid, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
