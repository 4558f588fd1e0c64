/* One `// run:` line of the corpus runners: the packet and context it
 * describes, BPF_PROG_TEST_RUN, and the out@OFF=HEX expectations. */
#include "tests/support/support.h"

#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

/* what is found before `end` only: the expectations follow it */
static const char *before(const char *args, const char *key, const char *end)
{
	const char *p = strstr(args, key);
	return p && p < end ? p : NULL;
}

const char *rt_test_run(struct wl_program *p, const char *args, const char *end, struct rt_run *r)
{
	static uint8_t data[2048], ctx[512], ctxout[512];
	size_t dn = 0, cn = 0;
	bool ok = true;
	const char *d = before(args, "data=x\"", end), *pk = before(args, "pkt=", end),
		   *c = before(args, "ctx=", end);
	char spec[256];
	if (d) {
		dn = rt_hex(d + 7, data, sizeof(data));
	} else if (pk) {
		sscanf(pk + 4, "%255s", spec);
		dn = rt_packet(spec, data, sizeof(data), &ok);
	}
	if (c && !strncmp(c + 4, "x\"", 2)) {
		cn = rt_hex(c + 6, ctx, sizeof(ctx));
	} else if (c) {
		sscanf(c + 4, "%255s", spec);
		cn = rt_context(spec, ctx, sizeof(ctx), &ok);
	}
	if (!ok)
		return "bad packet or context description";
	struct wl_test_run tr = { .data_in = dn ? data : NULL,
				  .data_size_in = (uint32_t)dn,
				  .data_out = dn ? r->out : NULL,
				  .data_size_out = dn ? sizeof(r->out) : 0,
				  .ctx_in = cn ? ctx : NULL,
				  .ctx_size_in = (uint32_t)cn,
				  .ctx_out = cn ? ctxout : NULL,
				  .ctx_size_out = cn ? (uint32_t)cn : 0,
				  .repeat = 1 };
	uint32_t type = wl_program_type(p);
	if (type == BPF_PROG_TYPE_RAW_TRACEPOINT || type == BPF_PROG_TYPE_SYSCALL) {
		/* these take only an input context, run once */
		tr.ctx_out = NULL;
		tr.ctx_size_out = 0;
		tr.repeat = 0;
	}
	int err = wl_prog_test_run(wl_program_prog(p), &tr);
	if (err) {
		static char why[128];
		snprintf(why, sizeof(why), "BPF_PROG_TEST_RUN failed: %s", strerror(-err));
		return why;
	}
	r->retval = tr.retval;
	r->out_len = dn ? tr.data_size_out : 0;
	return NULL;
}

const char *rt_check_out(const char *from, const struct rt_run *r)
{
	static char why[320];
	for (const char *o = strstr(from, "out@"); o; o = strstr(o + 1, "out@")) {
		unsigned off;
		char hex[256];
		uint8_t want[128];
		if (sscanf(o, "out@%u=%255s", &off, hex) != 2)
			return "bad out@OFF=HEX";
		size_t n = rt_hex(hex, want, sizeof(want));
		if (off + n > r->out_len || memcmp(r->out + off, want, n)) {
			snprintf(why, sizeof(why), "output bytes at %u differ from %s", off, hex);
			return why;
		}
	}
	return NULL;
}
