/* Test helpers of the C parser's unit tests (helpers.h). */
#include "helpers.h"

#include "util/fileio.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void begin(struct tparse *t, const char *path, const char *display,
		  const char *const *incdirs, const struct cparse_options *o)
{
	diag_init(&t->d, &t->sm);
	t->d.capture = &t->errs;
	struct pp_options po = { 0 };
	predef_config_default(&po.predef);
	po.source_date_epoch = 0;
	const char *src = getenv("WHISTLER_SOURCE_DIR");
	static char inc[4096];
	snprintf(inc, sizeof(inc), "%s/resource/include", src ? src : WHISTLER_SOURCE_DIR);
	po.resource_include = inc;
	po.nostdlibinc = true;
	for (; incdirs && *incdirs; incdirs++)
		vec_push(&po.angled_dirs, *incdirs);
	t->pp = pp_new(&t->d, &t->sm, &po);
	vec_free(&po.angled_dirs);
	cr_assert_eq(pp_begin(t->pp, path, display), 0, "cannot read %s", path);
	t->tu = cparse_unit(t->pp, &t->d, o);
}

void tp_parse(struct tparse *t, const char *src, const struct cparse_options *o)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "/tmp/test_cparse.%d.c", (int)getpid());
	cr_assert_eq(file_write_atomic(t->path, src, strlen(src)), 0);
	begin(t, t->path, "t.c", NULL, o);
}

void tp_parse_file(struct tparse *t, const char *path, const char *const *incdirs,
		   const struct cparse_options *o)
{
	memset(t, 0, sizeof(*t));
	begin(t, path, NULL, incdirs, o);
}

void tp_free(struct tparse *t)
{
	ctu_free(t->tu);
	pp_free(t->pp);
	srcmgr_free(&t->sm);
	buf_free(&t->errs);
	if (t->path[0])
		unlink(t->path);
	memset(t, 0, sizeof(*t));
}

struct cdecl *tp_global(struct tparse *t, const char *name)
{
	for (uint32_t i = 0; i < t->tu->globals.len; i++) {
		struct cdecl *d = t->tu->globals.data[i];
		if (d->name && !strcmp(d->name->name, name))
			return d;
	}
	return NULL;
}

struct crecord *tp_record(struct tparse *t, const char *tag)
{
	for (uint32_t i = 0; i < t->tu->records.len; i++) {
		struct crecord *r = t->tu->records.data[i];
		if (r->tag && !strcmp(r->tag->name, tag))
			return r;
	}
	return NULL;
}

bool tp_have(const char *tool)
{
	char *cmd = xasprintf("command -v %s >/dev/null 2>&1", tool);
	int rc = system(cmd);
	free(cmd);
	return rc == 0;
}

int tp_run(const char *cmd, struct buf *out)
{
	FILE *f = popen(cmd, "r");
	if (!f)
		return -1;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (out)
			buf_append(out, chunk, n);
	int st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
