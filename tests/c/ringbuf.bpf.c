/* Ring buffers: bpf_ringbuf_reserve/submit/discard and bpf_ringbuf_output
 * of a struct event, read back by the runner. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 kind;
	__u32 value;
	char tag[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("syscall")
int ringbuf(__u32 *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return -1;
	e->kind = 1;
	e->value = ctx[0];
	__builtin_memcpy(e->tag, "reserve", 8);
	if (ctx[0] & 1) {
		bpf_ringbuf_discard(e, 0);
		return 1;
	}
	bpf_ringbuf_submit(e, 0);
	struct event out = { .kind = 2, .value = ctx[0] * 2, .tag = "output" };
	return bpf_ringbuf_output(&events, &out, sizeof(out), 0) ? -2 : 0;
}

char LICENSE[] SEC("license") = "GPL";

// run: ringbuf ctx=x"02000000" -> 0
// run: ringbuf ctx=x"03000000" -> 1
// run: ringbuf ctx=x"04000000" -> 0
// ringbuf: events >= 4
