/* Kernel function-pointer types in the object's BTF: a FUNC_PROTO returning
 * an enum that vmlinux.h defines (enum hrtimer_restart, whose body is parsed
 * lazily) must carry the whole enum, or the kernel refuses the BTF
 * ("Invalid return type").  The runner requires the kernel to accept it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

typedef enum hrtimer_restart (*timer_fn)(struct hrtimer *);

timer_fn saved_fn; /* nothing else names the enum or its values */
__u32 last_verdict;

SEC("syscall")
int btf_callbacks(__u32 *ctx)
{
	last_verdict = ctx[0] != 0;
	return (saved_fn == 0) * 10 + last_verdict;
}

char LICENSE[] SEC("license") = "GPL";

// requires: btf
// run: btf_callbacks ctx=x"00000000" -> 10
// run: btf_callbacks ctx=x"01000000" -> 11
// run: btf_callbacks ctx=x"ffffffff" -> 11
