/* Object-layer test: USDT programs written with libbpf's usdt.bpf.h, whose
 * arguments come from the argument specs the loader writes for each probe
 * site (tests/data/probe_target.c fires whistler:tick and wlhand:tick). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/usdt.bpf.h>

char LICENSE[] SEC("license") = "GPL";

__u64 hits[2], sum_i[2], sum_s[2];

SEC("usdt")
int BPF_USDT(sdt_tick, int i, int sum)
{
	hits[0]++;
	sum_i[0] += i;
	sum_s[0] += sum;
	return 0;
}

SEC("usdt")
int BPF_USDT(hand_tick, int i, int sum)
{
	hits[1]++;
	sum_i[1] += i;
	sum_s[1] += sum;
	return 0;
}
