/* The values of the corpus runners' expectation lines. */
#include "tests/support/support.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool rt_value(const char *s, int64_t *out)
{
	if (!strcmp(s, "$PID")) {
		*out = getpid();
		return true;
	}
	if (!strcmp(s, "$PPID")) {
		*out = getppid();
		return true;
	}
	char *e;
	errno = 0;
	*out = *s == '-' ? strtoll(s, &e, 0) : (int64_t)strtoull(s, &e, 0);
	return !errno && e != s && !*e;
}

void rt_le_bytes(int64_t v, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = i < 8 ? (uint8_t)((uint64_t)v >> (8 * i)) : 0;
}

uint64_t rt_le_value(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

bool rt_compare(const char *op, uint64_t have, int64_t want)
{
	if (!strcmp(op, ">"))
		return have > (uint64_t)want;
	if (!strcmp(op, ">="))
		return have >= (uint64_t)want;
	if (!strcmp(op, "!="))
		return have != (uint64_t)want;
	return have == (uint64_t)want;
}
