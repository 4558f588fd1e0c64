/* bpf_legacy.h's load_byte/half/word (LLVM's llvm.bpf.load.* intrinsics):
 * legacy packet loads in network order, BPF_LD_ABS at constant offsets and
 * BPF_LD_IND at computed ones, in a program and in a subprogram; an offset
 * past the packet ends the program with 0. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

static __attribute__((noinline)) int ports(struct __sk_buff *skb, int ihl)
{
	return (int)(load_half(skb, 14 + ihl + 2) - load_half(skb, 14 + ihl));
}

SEC("tc")
int classify(struct __sk_buff *skb)
{
	if (load_half(skb, 12) != 0x0800)
		return 1;
	int ihl = (int)(load_byte(skb, 14) & 0xf) * 4;
	__u32 daddr = (__u32)load_word(skb, 30);
	if (load_byte(skb, 23) == 6)
		return ports(skb, ihl) + (int)(daddr & 0xff);
	return 2 + (int)(daddr >> 24);
}

SEC("tc")
int past_end(struct __sk_buff *skb)
{
	return (int)load_word(skb, skb->len - 2) + 5;
}

char LICENSE[] SEC("license") = "GPL";

// run: classify pkt=tcp:dport=80 -> -39918
// run: classify pkt=udp -> 12
// run: classify pkt=arp -> 1
// run: past_end pkt=udp -> 0
