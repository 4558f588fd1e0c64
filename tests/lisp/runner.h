/* Shared parts of the DSL corpus runner (tests/lisp/runner.c). */
#ifndef WHISTLER_TESTS_LISP_RUNNER_H
#define WHISTLER_TESTS_LISP_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* x"0011.." bodies (without the x" prefix) into bytes. */
size_t rt_hex(const char *s, uint8_t *out, size_t max);
/* A packet from a one-line description; *ok false if it does not parse. */
size_t rt_packet(const char *spec, uint8_t *out, size_t max, bool *ok);
/* A BPF_PROG_TEST_RUN context (sk_lookup:..., skb:...). */
size_t rt_context(const char *spec, uint8_t *out, size_t max, bool *ok);

#endif
