/* The fixture of the C front-end fuzz targets: the input is split at its
 * first 0xff byte into a main file "a.c" and a header, written into a
 * folder of the process's own (removed at exit), since the preprocessor
 * reads files. */
#ifndef WHISTLER_TESTS_FUZZ_C_FIXTURE_H
#define WHISTLER_TESTS_FUZZ_C_FIXTURE_H

#include "frontend/c/pp.h"
#include "util/diag.h"

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

/* A preprocessor over the fixture's a.c: errors captured (at most 50),
 * clang's default predefines, no host headers, the fixture folder as the
 * <...> search path, and limits that keep self-inclusion cheap. */
struct fixture_pp {
	struct srcmgr sm;
	struct diag d;
	struct buf errs;
	struct pp_options o;
	struct pp *pp;
};

/* Sets up fx->o; the caller adjusts it, then calls fixture_pp_begin. */
static void fixture_pp_init(struct fixture_pp *fx)
{
	memset(fx, 0, sizeof(*fx));
	diag_init(&fx->d, &fx->sm);
	fx->d.capture = &fx->errs;
	fx->d.error_limit = 50;
	predef_config_default(&fx->o.predef);
	fx->o.source_date_epoch = 0;
	fx->o.nostdinc = true;	      /* only the fixture's files: fast, deterministic */
	fx->o.max_include_depth = 8;  /* b.h including itself n times is n^depth work */
	fx->o.max_file_entries = 256;
	vec_push(&fx->o.angled_dirs, fixture_dir);
}

/* The preprocessor, at the start of a.c; NULL if it cannot begin. */
static struct pp *fixture_pp_begin(struct fixture_pp *fx)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/a.c", fixture_dir);
	fx->pp = pp_new(&fx->d, &fx->sm, &fx->o);
	return pp_begin(fx->pp, path, NULL) == 0 ? fx->pp : NULL;
}

static void fixture_pp_free(struct fixture_pp *fx)
{
	pp_free(fx->pp);
	srcmgr_free(&fx->sm);
	buf_free(&fx->errs);
	vec_free(&fx->o.angled_dirs);
	vec_free(&fx->o.cmdline);
}

#endif
