/* The golden filetest runner. Each test file names its command on a
 * `; test CMD ARGS` line and states what must come out:
 *   ; check: TEXT     TEXT occurs in the output, after the previous match
 *   ; nextln: TEXT    ... on the line right after the previous match
 *   ; not: TEXT       TEXT does not occur between the previous and next match
 *   ; error: TEXT     (trailing, on a line) an error is reported at this line
 *   ; output:         the rest of the file, "; "-prefixed, is the exact output;
 *                     WHISTLER_BLESS=1 rewrites it with the actual output
 *   ; requires: WHAT  skip (exit 77) unless WHAT is available
 * Usage: filetest PATH... (files or folders of *.wir files). */
#include "tests/filetest/filetest.h"

#include "util/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct ft_command commands[] = {
#define FT_COMMAND(name, fn, summary) { #name, fn },
#include "tests/filetest/commands.def"
#undef FT_COMMAND
};

/* ---- parsing the test file's directives --------------------------------- */

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = 0;
	return s;
}

/* If `line` holds a `; KEY: value` comment (trailing or whole-line), returns value. */
static char *directive(char *line, const char *key, bool *whole_line)
{
	char *semi = strchr(line, ';');
	while (semi) {
		char *p = semi + 1;
		while (*p == ' ')
			p++;
		size_t n = strlen(key);
		if (!strncmp(p, key, n) && p[n] == ':') {
			if (whole_line) {
				char *q = line;
				while (*q == ' ' || *q == '\t')
					q++;
				*whole_line = q == semi;
			}
			return trim(p + n + 1);
		}
		semi = strchr(semi + 1, ';');
	}
	return NULL;
}

static void parse_test(struct ft_test *t)
{
	char *text = xstrdup(t->text);
	uint32_t lineno = 0;
	bool in_output = false;
	for (char *save, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* strtok_r skips empty lines: recompute the line number from the offset */
		lineno = 1;
		for (const char *c = text; c < line; c++)
			lineno += *c == '\n' || *c == 0;
		char *v;
		bool whole;
		if (in_output) {
			char *l = line;
			if (l[0] == ';') {
				l++;
				if (l[0] == ' ')
					l++;
			}
			buf_puts(&t->expect_output, l);
			buf_putc(&t->expect_output, '\n');
			continue;
		}
		char copy[4096];
		snprintf(copy, sizeof(copy), "%s", line);
		copy[sizeof(copy) - 1] = 0;
		char *tl = trim(copy);
		if (!t->command && !strncmp(tl, "; test ", 7)) {
			t->command = xstrdup(trim(tl + 7));
		} else if ((v = directive(copy, "requires", NULL))) {
			vec_push(&t->requires, xstrdup(v));
		} else if ((v = directive(copy, "check", NULL))) {
			vec_push(&t->checks, ((struct ft_check){ FT_CHECK, xstrdup(v) }));
		} else if ((v = directive(copy, "nextln", NULL))) {
			vec_push(&t->checks, ((struct ft_check){ FT_NEXTLN, xstrdup(v) }));
		} else if ((v = directive(copy, "not", NULL))) {
			vec_push(&t->checks, ((struct ft_check){ FT_NOT, xstrdup(v) }));
		} else if ((v = directive(copy, "error", &whole))) {
			/* a whole-line annotation refers to the next line */
			vec_push(&t->errors, ((struct ft_error){ lineno + (whole ? 1 : 0), xstrdup(v), false }));
		} else if (!strncmp(trim(copy), "; output:", 9)) {
			in_output = true;
			t->has_output = true;
			t->output_line = lineno;
		}
	}
	free(text);
}

/* ---- checking ---------------------------------------------------------------- */

static bool fail(struct ft_test *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct ft_test *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&t->report, fmt, ap);
	va_end(ap);
	buf_putc(&t->report, '\n');
	return false;
}

static bool run_checks(struct ft_test *t)
{
	const char *out = buf_cstr(&t->output);
	const char *pos = out, *prev_end = out;
	const char *pending_not = NULL;
	bool ok = true;
	vec_foreach(&t->checks, c)
	{
		if (c->kind == FT_NOT) {
			pending_not = c->text;
			continue;
		}
		const char *found;
		if (c->kind == FT_NEXTLN) {
			const char *nl = strchr(prev_end, '\n');
			const char *line = nl ? nl + 1 : prev_end + strlen(prev_end);
			const char *eol = strchr(line, '\n');
			size_t n = eol ? (size_t)(eol - line) : strlen(line);
			char *l = xstrndup(line, n);
			found = strstr(l, c->text) ? line + (strstr(l, c->text) - l) : NULL;
			free(l);
		} else {
			found = strstr(pos, c->text);
		}
		if (!found) {
			ok = fail(t, "%s: '%s' not found%s", c->kind == FT_NEXTLN ? "nextln" : "check",
				  c->text, c->kind == FT_NEXTLN ? " on the next line" : "");
			break;
		}
		if (pending_not) {
			char *between = xstrndup(pos, (size_t)(found - pos));
			if (strstr(between, pending_not))
				ok = fail(t, "not: '%s' found before '%s'", pending_not, c->text);
			free(between);
			pending_not = NULL;
		}
		pos = found + strlen(c->text);
		prev_end = pos;
	}
	if (ok && pending_not && strstr(pos, pending_not))
		ok = fail(t, "not: '%s' found", pending_not);
	return ok;
}

/* Every expected error was reported at its line, and nothing else was. */
static bool check_errors(struct ft_test *t)
{
	const char *out = buf_cstr(&t->diags);
	bool ok = true;
	const char *p = out;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char *line = xstrndup(p, n);
		char *e = strstr(line, ": error: ");
		if (e && !strncmp(line, t->path, strlen(t->path)) && line[strlen(t->path)] == ':') {
			unsigned lno = (unsigned)strtoul(line + strlen(t->path) + 1, NULL, 10);
			bool matched = false;
			vec_foreach(&t->errors, x) if (!x->seen && x->line == lno && strstr(e + 9, x->text))
			{
				x->seen = matched = true;
				break;
			}
			if (!matched)
				ok = fail(t, "unexpected error: %s", line);
		} else if (e) {
			ok = fail(t, "error reported elsewhere: %s", line);
		}
		free(line);
		p = eol ? eol + 1 : NULL;
	}
	vec_foreach(&t->errors, x) if (!x->seen) ok =
		fail(t, "expected an error at line %u containing '%s'", x->line, x->text);
	return ok;
}

static bool check_exact(struct ft_test *t)
{
	const char *got = buf_cstr(&t->output), *want = buf_cstr(&t->expect_output);
	if (!strcmp(got, want))
		return true;
	if (getenv("WHISTLER_BLESS")) {
		/* rewrite everything after the `; output:` line */
		const char *p = t->text;
		for (uint32_t l = 1; l < t->output_line && p; l++)
			p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
		struct buf nb = { 0 };
		const char *after = p ? strchr(p, '\n') : NULL;
		buf_append(&nb, t->text, after ? (size_t)(after - t->text) + 1 : strlen(t->text));
		if (!after)
			buf_puts(&nb, "\n; output:\n");
		for (const char *l = got; *l;) {
			const char *e = strchr(l, '\n');
			size_t n = e ? (size_t)(e - l) : strlen(l);
			buf_puts(&nb, n ? "; " : ";");
			buf_append(&nb, l, n);
			buf_putc(&nb, '\n');
			l = e ? e + 1 : l + n;
		}
		int err = file_write_atomic(t->path, nb.data, nb.len);
		buf_free(&nb);
		if (!err) {
			printf("BLESSED %s\n", t->path);
			return true;
		}
	}
	/* show the first differing line */
	uint32_t line = 1;
	while (*got && *got == *want) {
		line += *got == '\n';
		got++;
		want++;
	}
	const char *ge = strchr(got, '\n'), *we = strchr(want, '\n');
	return fail(t, "output differs at line %u:\n  expected: %.*s\n  actual:   %.*s\n"
		       "(set WHISTLER_BLESS=1 to accept the actual output)",
		    line, we ? (int)(we - want) : (int)strlen(want), want,
		    ge ? (int)(ge - got) : (int)strlen(got), got);
}

/* ---- requirements ------------------------------------------------------------- */

static bool have_tool(const char *name)
{
	const char *path = getenv("PATH");
	if (!path)
		return false;
	char *copy = xstrdup(path);
	bool found = false;
	for (char *save, *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *f = xasprintf("%s/%s", d, name);
		found = access(f, X_OK) == 0;
		free(f);
	}
	free(copy);
	return found;
}

/* NULL if satisfied, else why not. */
static const char *requirement(const char *what)
{
	if (!strncmp(what, "tool ", 5))
		return have_tool(what + 5) ? NULL : "tool not installed";
	if (!strcmp(what, "root"))
		return geteuid() == 0 ? NULL : "needs root";
	return "unknown requirement";
}

/* ---- running ----------------------------------------------------------------------- */

static int run_file(const char *path)
{
	struct ft_test t = { .path = path };
	struct buf text = { 0 };
	int err = file_read(path, &text);
	if (err) {
		printf("FAIL %s: cannot read: %s\n", path, strerror(-err));
		return 1;
	}
	t.text = buf_cstr(&text);
	parse_test(&t);
	int rc = 0;
	if (!t.command) {
		printf("FAIL %s: no '; test COMMAND' line\n", path);
		rc = 1;
		goto done;
	}
	vec_foreach(&t.requires, r)
	{
		const char *why = requirement(*r);
		if (why) {
			printf("SKIP %s: requires %s: %s\n", path, *r, why);
			rc = 77;
			goto done;
		}
	}
	char *cmd = xstrdup(t.command), *args = strchr(cmd, ' ');
	if (args)
		*args++ = 0;
	t.args = args ? trim(args) : "";
	const struct ft_command *c = NULL;
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (!strcmp(commands[i].name, cmd))
			c = &commands[i];
	bool ok;
	if (!c) {
		ok = fail(&t, "unknown test command '%s'", cmd);
	} else {
		int r = c->run(&t);
		if (r == 77) {
			printf("SKIP %s: %s", path, buf_cstr(&t.report));
			free(cmd);
			rc = 77;
			goto done;
		}
		ok = r == 0;
		ok = check_errors(&t) && ok;
		ok = ok && run_checks(&t);
		if (ok && t.has_output)
			ok = check_exact(&t);
	}
	free(cmd);
	if (ok) {
		printf("PASS %s\n", path);
	} else {
		printf("FAIL %s\n%s", path, buf_cstr(&t.report));
		if (t.diags.len)
			printf("diagnostics:\n%s", buf_cstr(&t.diags));
		rc = 1;
	}
done:
	buf_free(&text);
	buf_free(&t.output);
	buf_free(&t.expect_output);
	buf_free(&t.diags);
	buf_free(&t.report);
	free(t.command);
	vec_foreach(&t.requires, r) free(*r);
	vec_foreach(&t.checks, x) free(x->text);
	vec_foreach(&t.errors, x) free(x->text);
	vec_free(&t.requires);
	vec_free(&t.checks);
	vec_free(&t.errors);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	VEC(char *) files = { 0 };
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "filetest: %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
		if (!S_ISDIR(st.st_mode)) {
			vec_push(&files, xstrdup(argv[i]));
			continue;
		}
		DIR *d = opendir(argv[i]);
		for (struct dirent *e; d && (e = readdir(d));) {
			size_t n = strlen(e->d_name);
			if (n > 4 && !strcmp(e->d_name + n - 4, ".wir"))
				vec_push(&files, xasprintf("%s/%s", argv[i], e->d_name));
		}
		if (d)
			closedir(d);
	}
	if (!files.len) {
		fprintf(stderr, "filetest: no .wir files found\n");
		return 2;
	}
	qsort(files.data, files.len, sizeof(char *), cmp_str);
	unsigned pass = 0, failn = 0, skip = 0;
	vec_foreach(&files, f)
	{
		int rc = run_file(*f);
		pass += rc == 0;
		failn += rc == 1;
		skip += rc == 77;
		free(*f);
	}
	vec_free(&files);
	printf("%u passed, %u failed, %u skipped\n", pass, failn, skip);
	if (failn)
		return 1;
	return pass == 0 && skip > 0 ? 77 : 0;
}
