/* bpf_legacy.h's load_byte is LLVM's intrinsic llvm.bpf.load.byte (a
 * BPF_LD_ABS packet load), not a function of another object. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// error: 'load_byte' is LLVM's intrinsic llvm.bpf.load.byte

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");

SEC("tc")
int proto(struct __sk_buff *skb)
{
	return load_byte(skb, 23);
}

char LICENSE[] SEC("license") = "GPL";
