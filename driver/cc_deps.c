/* Dependency rules (-M -MM -MD -MMD -MP -MT -MQ) in the exact layout
 * clang writes: 75-column lines broken with " \", make escapes. */
#include "driver/cc_compile.h"
#include "util/fileio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Writes an output file: atomically (temp + rename) when it is a plain
 * regular file or new; directly when it is a device, a symlink or under
 * /dev or /proc (-o /dev/null, -MF /dev/stdout), which a rename would
 * replace. Returns 0 or -errno. */
int cc_write_output(const char *path, const void *data, size_t len)
{
	struct stat st;
	bool special = !strncmp(path, "/dev/", 5) || !strncmp(path, "/proc/", 6) ||
		       (lstat(path, &st) == 0 && (!S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)));
	if (strcmp(path, "-") && special) {
		FILE *f = fopen(path, "wb");
		if (!f)
			return -errno;
		size_t n = fwrite(data, 1, len, f);
		int err = ferror(f) || n != len ? -EIO : 0;
		if (fclose(f) && !err)
			err = -errno;
		return err;
	}
	return file_write_atomic(path, data, len);
}

/* A file name as make reads it: spaces and '#' escaped, '$' doubled. */
static void put_escaped(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '#')
			buf_putc(b, '\\');
		else if (*s == '$')
			buf_putc(b, '$');
		buf_putc(b, *s);
	}
}

static const char *strip_dot_slash(const char *p)
{
	while (p[0] == '.' && p[1] == '/') {
		p += 2;
		while (*p == '/')
			p++;
	}
	return p;
}

void cc_write_deps(const struct cc_options *o, const char *input, const char *target_default,
		   const struct pp_dep *deps, uint32_t ndeps, struct buf *out)
{
	const unsigned max_cols = 75;
	unsigned cols = 0;
	struct buf t = { 0 };
	if (o->dep_targets.len) {
		for (uint32_t i = 0; i < o->dep_targets.len; i++) {
			const struct cc_dep_target *dt = &o->dep_targets.data[i];
			buf_free(&t);
			if (dt->quote)
				put_escaped(&t, dt->text);
			else
				buf_puts(&t, dt->text);
			unsigned n = (unsigned)t.len;
			if (cols == 0) {
				cols = n;
			} else if (cols + n + 2 > max_cols) {
				buf_puts(out, " \\\n  ");
				cols = n + 2;
			} else {
				buf_putc(out, ' ');
				cols += n + 1;
			}
			buf_append(out, t.data, t.len);
		}
	} else {
		put_escaped(out, target_default);
		cols = (unsigned)strlen(target_default);
	}
	buf_free(&t);
	buf_putc(out, ':');
	cols++;
	bool system_too = o->dep_m || o->dep_md;
	VEC(const char *) files = { 0 };
	if (strcmp(input, "-"))
		vec_push(&files, strip_dot_slash(input));
	for (uint32_t i = 0; i < ndeps; i++)
		if (system_too || !deps[i].system)
			vec_push(&files, strip_dot_slash(deps[i].path));
	CC_EACH(&files, f)
	{
		unsigned n = (unsigned)strlen(*f);
		if (cols + n + 1 + 2 > max_cols) {
			buf_puts(out, " \\\n ");
			cols = 2;
		}
		buf_putc(out, ' ');
		put_escaped(out, *f);
		cols += n + 1;
	}
	buf_putc(out, '\n');
	if (o->dep_mp)
		for (uint32_t i = strcmp(input, "-") ? 1 : 0; i < files.len; i++) {
			put_escaped(out, files.data[i]);
			buf_puts(out, ":\n");
		}
	vec_free(&files);
}

struct pp *cc_new_pp(const struct cc_options *o, const struct cc_input *in, struct diag *d,
		     struct srcmgr *sm, int *err)
{
	diag_init(d, sm);
	d->tool = o->prog;
	d->werror = o->werror;
	d->error_limit = o->error_limit;
	d->no_caret = o->no_caret;
	struct pp *pp = pp_new(d, sm, &o->pp);
	if (o->verbose) {
		fprintf(stderr, "%s -cc1 version %s (Whistler %s) default target bpf\n", o->prog,
			WHISTLER_CLANG_VERSION, WHISTLER_VERSION);
		pp_print_search_list(pp, stderr);
	}
	*err = pp_begin(pp, in->path, NULL);
	if (*err) {
		pp_free(pp);
		return NULL;
	}
	return pp;
}

int cc_emit_dep_file(const struct cc_options *o, const char *input, const char *output,
		     struct pp *pp)
{
	if (!o->dep_md && !o->dep_mmd)
		return 0;
	char *target = output && strcmp(output, "-") ? xstrdup(output)
						     : cc_default_output(o, input, ".o");
	char *path = o->dep_file ? xstrdup(o->dep_file)
		     : output && strcmp(output, "-") ? cc_default_output(o, output, ".d")
						     : cc_default_output(o, input, ".d");
	if (!o->dep_file && output && strcmp(output, "-")) {
		/* next to the output: out/x.o -> out/x.d */
		const char *slash = strrchr(output, '/');
		if (slash) {
			char *d = xasprintf("%.*s/%s", (int)(slash - output), output, path);
			free(path);
			path = d;
		}
	}
	uint32_t n;
	const struct pp_dep *deps = pp_dependencies(pp, &n);
	struct buf b = { 0 };
	cc_write_deps(o, input, target, deps, n, &b);
	int err = cc_write_output(path, b.data, b.len);
	if (err)
		fprintf(stderr, "%s: error: unable to open output file '%s': '%s'\n", o->prog,
			path, strerror(-err));
	buf_free(&b);
	free(path);
	free(target);
	return err ? 1 : 0;
}
