/* Helpers shared by the elf/ and insn/ tests: temporary directories, running
 * tools (clang-19, llvm-objdump-19, llvm-readelf-19, whistler) and reading
 * their output. Static: each test binary gets its own copy. */
#ifndef WHISTLER_TESTS_ELF_TESTUTIL_H
#define WHISTLER_TESTS_ELF_TESTUTIL_H

#include "util/buf.h"
#include "util/fileio.h"
#include "util/util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Is tool on PATH? */
static inline bool tu_have(const char *tool)
{
	char *cmd = xasprintf("command -v %s >/dev/null 2>&1", tool);
	int rc = system(cmd);
	free(cmd);
	return rc == 0;
}

/* Runs a shell command, appending its stdout to out (if not NULL); returns
 * its exit status (-1 if it did not exit normally). */
static inline int tu_run(const char *cmd, struct buf *out)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (out)
			buf_append(out, chunk, n);
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline char *tu_tmpdir(void)
{
	char *dir = xstrdup("/tmp/whistler-elf-test-XXXXXX");
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static inline void tu_rmdir(char *dir)
{
	if (!dir)
		return;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	free(dir);
}

/* Removes every line containing `needle` (llvm's CO-RE comment lines). */
static inline void tu_drop_lines(struct buf *b, const char *needle)
{
	struct buf o = { 0 };
	const char *s = buf_cstr(b), *end = s + b->len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
		char *line = xstrndup(s, len);
		if (!strstr(line, needle))
			buf_append(&o, s, len);
		free(line);
		s += len;
	}
	buf_free(b);
	*b = o;
}

/* First differing line of two texts, for failure messages (caller frees). */
static inline char *tu_first_diff(const char *a, const char *b)
{
	int line = 1;
	const char *la = a, *lb = b;
	while (*a && *a == *b) {
		if (*a == '\n') {
			line++;
			la = a + 1;
			lb = b + 1;
		}
		a++, b++;
	}
	if (!*a && !*b)
		return NULL;
	size_t na = strcspn(la, "\n"), nb = strcspn(lb, "\n");
	return xasprintf("line %d:\n  llvm:     %.*s\n  whistler: %.*s", line, (int)na, la, (int)nb,
			 lb);
}

#endif
