/* Filetest commands over the IR: cat (round trip), verify, opt. */
#include "tests/filetest/filetest.h"

#include "ir/pass.h"

#include <stdlib.h>
#include <string.h>

struct session {
	struct srcmgr sm;
	struct diag d;
	struct ir_module *m;
};

static struct ir_module *load(struct ft_test *t, struct session *s)
{
	memset(s, 0, sizeof(*s));
	diag_init(&s->d, &s->sm);
	s->d.capture = &t->diags;
	s->d.no_caret = true;
	s->d.error_limit = 100;
	uint32_t f = srcmgr_add(&s->sm, t->path, t->text, strlen(t->text));
	s->m = ir_parse(&s->d, f);
	return s->m;
}

static void unload(struct session *s)
{
	ir_module_free(s->m);
	srcmgr_free(&s->sm);
}

/* The file without its comment-only lines and trailing blanks: what the
 * printer must reproduce. */
static char *canonical_input(const char *text)
{
	struct buf b = { 0 };
	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		size_t k = 0;
		while (k < n && (l[k] == ' ' || l[k] == '\t'))
			k++;
		if (k == n || l[k] != ';') {
			size_t m = n;
			while (m && (l[m - 1] == ' ' || l[m - 1] == '\t' || l[m - 1] == '\r'))
				m--;
			buf_append(&b, l, m);
			buf_putc(&b, '\n');
		}
		l = e ? e + 1 : l + n;
	}
	/* collapse leading and trailing blank lines */
	char *s = buf_steal(&b);
	char *start = s;
	while (*start == '\n')
		start++;
	size_t len = strlen(start);
	while (len > 1 && start[len - 1] == '\n' && start[len - 2] == '\n')
		start[--len] = 0;
	char *r = xstrdup(start);
	free(s);
	return r;
}

int ft_cat(struct ft_test *t)
{
	struct session s;
	if (!load(t, &s)) {
		unload(&s);
		return 0; /* parse errors are matched against `; error:` lines */
	}
	ir_print_module(s.m, &t->output);
	char *want = canonical_input(t->text);
	int rc = 0;
	if (strcmp(want, buf_cstr(&t->output))) {
		const char *a = want, *b = buf_cstr(&t->output);
		unsigned line = 1;
		while (*a && *a == *b) {
			line += *a == '\n';
			a++;
			b++;
		}
		const char *ae = strchr(a, '\n'), *be = strchr(b, '\n');
		buf_printf(&t->report,
			   "printing does not reproduce the input (line %u of the canonical text):\n"
			   "  input:   %.*s\n  printed: %.*s\n",
			   line, ae ? (int)(ae - a) : (int)strlen(a), a, be ? (int)(be - b) : (int)strlen(b), b);
		rc = 1;
	} else {
		/* and printing the re-parsed output gives the same text */
		struct ft_test again = { .path = t->path, .text = buf_cstr(&t->output) };
		struct session s2;
		if (!load(&again, &s2)) {
			buf_printf(&t->report, "the printed text does not parse again:\n%s",
				   buf_cstr(&again.diags));
			rc = 1;
		} else {
			struct buf out2 = { 0 };
			ir_print_module(s2.m, &out2);
			if (strcmp(buf_cstr(&out2), buf_cstr(&t->output))) {
				buf_puts(&t->report, "print(parse(print(x))) differs from print(x)\n");
				rc = 1;
			}
			buf_free(&out2);
		}
		buf_free(&again.diags);
		unload(&s2);
	}
	free(want);
	unload(&s);
	return rc;
}

int ft_verify(struct ft_test *t)
{
	struct session s;
	if (load(t, &s))
		ir_verify_module(s.m, &s.d);
	unload(&s);
	return 0;
}

int ft_opt(struct ft_test *t)
{
	struct session s;
	if (!load(t, &s) || ir_verify_module(s.m, &s.d)) {
		unload(&s);
		buf_puts(&t->report, "the input does not parse or verify\n");
		return 1;
	}
	VEC(char *) names = { 0 };
	char *list = xstrdup(t->args);
	for (char *save, *p = strtok_r(list, ", ", &save); p; p = strtok_r(NULL, ", ", &save)) {
		if (!ir_pass_lookup(p)) {
			buf_printf(&t->report, "unknown pass '%s'\n", p);
			free(list);
			vec_free(&names);
			unload(&s);
			return 1;
		}
		vec_push(&names, p);
	}
	struct ir_pass_opts opts = { .verify_each = true, .diag = &s.d };
	int rc = 0;
	if (ir_run_passes(s.m, (const char *const *)names.data, names.len, &opts)) {
		buf_puts(&t->report, "the IR does not verify after the passes\n");
		rc = 1;
	} else {
		ir_print_module(s.m, &t->output);
	}
	free(list);
	vec_free(&names);
	unload(&s);
	return rc;
}
