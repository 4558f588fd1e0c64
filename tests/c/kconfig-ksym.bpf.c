/* __kconfig and __ksym externs: kernel configuration values the loader fills
 * in (LINUX_KERNEL_VERSION, a CONFIG_ bool, a weak unknown one) and a
 * typeless ksym's address (a function: this kernel's kallsyms lists no
 * data symbols, so typed per-CPU ksyms cannot be resolved here). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern int CONFIG_WHISTLER_DOES_NOT_EXIST __kconfig __weak;
extern const void bpf_fentry_test1 __ksym;

__u64 results[4];

SEC("syscall")
int kconfig_ksym(void *ctx)
{
	results[0] = LINUX_KERNEL_VERSION >= (5 << 16);
	results[1] = CONFIG_BPF_SYSCALL;
	results[2] = CONFIG_WHISTLER_DOES_NOT_EXIST;
	results[3] = &bpf_fentry_test1 != 0;
	return (int)(results[0] + results[1] * 10 + results[2] * 100 + results[3] * 1000);
}

char LICENSE[] SEC("license") = "GPL";

// requires: btf
// run: kconfig_ksym -> 1011
