/* What the corpus runners (tests/lisp, tests/c) share: packets and contexts
 * from one-line descriptions, and the values of expectation lines. */
#ifndef WHISTLER_TESTS_SUPPORT_H
#define WHISTLER_TESTS_SUPPORT_H

#include "whistler/object.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* x"0011.." bodies (without the x" prefix) into bytes. */
size_t rt_hex(const char *s, uint8_t *out, size_t max);
/* A packet from a one-line description; *ok false if it does not parse. */
size_t rt_packet(const char *spec, uint8_t *out, size_t max, bool *ok);
/* A BPF_PROG_TEST_RUN context (sk_lookup:..., skb:...). */
size_t rt_context(const char *spec, uint8_t *out, size_t max, bool *ok);

/* An expectation's number: decimal, 0x hex, negative, $PID or $PPID. */
bool rt_value(const char *s, int64_t *out);
/* v as n little-endian bytes (zero past 8); the value of n <= 8 such bytes. */
void rt_le_bytes(int64_t v, uint8_t *out, size_t n);
uint64_t rt_le_value(const uint8_t *p, size_t n);
/* have OP want for OP "=", ">", ">=", "!=". */
bool rt_compare(const char *op, uint64_t have, int64_t want);

/* A `// run:` line (run.c): the packet (pkt=SPEC, data=x"HEX") and context
 * (ctx=SPEC, ctx=x"HEX") described in args before `end`, run once by
 * BPF_PROG_TEST_RUN.  NULL, or what went wrong. */
struct rt_run {
	uint32_t retval;
	uint32_t out_len; /* bytes of the packet as the program left it */
	uint8_t out[4096];
};
const char *rt_test_run(struct wl_program *p, const char *args, const char *end, struct rt_run *r);
/* The out@OFF=HEX expectations from `from` on: NULL, or the first miss. */
const char *rt_check_out(const char *from, const struct rt_run *r);

#endif
