/* The fixture of the C front-end fuzz targets: the input is split at its
 * first 0xff byte into a main file "a.c" and a header, written into a
 * folder of the process's own (removed at exit), since the preprocessor
 * reads files. */
#ifndef WHISTLER_TESTS_FUZZ_C_FIXTURE_H
#define WHISTLER_TESTS_FUZZ_C_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fixture_dir[64];

static void fixture_remove_dir(void)
{
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fixture_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fixture_dir);
}

static void fixture_write(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", fixture_dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(p, 1, n, f);
	fclose(f);
}

/* Writes a.c and each of `headers` (the part after 0xff, or empty). */
static void fixture_files(const char *target, const uint8_t *data, size_t size,
			  const char *const *headers)
{
	if (!fixture_dir[0]) {
		snprintf(fixture_dir, sizeof(fixture_dir), "/tmp/%s.%d", target, (int)getpid());
		mkdir(fixture_dir, 0700);
		atexit(fixture_remove_dir);
	}
	const uint8_t *sep = memchr(data, 0xff, size);
	size_t n1 = sep ? (size_t)(sep - data) : size;
	fixture_write("a.c", data, n1);
	for (; *headers; headers++)
		fixture_write(*headers, sep ? sep + 1 : data, sep ? size - n1 - 1 : 0);
}

#endif
