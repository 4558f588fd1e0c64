/* Printing preprocessed text as clang -E does (line markers, blank-line
 * runs up to 8, a space wherever two tokens would otherwise fuse) and the
 * macro table as -dM does. */
#include "frontend/c/pp_internal.h"

#include <stdlib.h>
#include <string.h>

struct printer {
	struct pp *pp;
	FILE *out;
	const char *file; /* presumed name of the current output position */
	uint32_t line;    /* presumed line the output is on */
	bool line_start;  /* nothing printed on this line yet */
	bool markers;
	bool started;
	struct tok prev;
	bool have_prev;
};

static void newline(struct printer *p)
{
	if (!p->line_start) {
		fputc('\n', p->out);
		p->line_start = true;
		p->line++;
	}
}

static void marker(struct printer *p, uint32_t line, const char *file, const char *flags)
{
	newline(p);
	if (p->markers) {
		fputs("# ", p->out);
		fprintf(p->out, "%u \"", line);
		for (const char *s = file; *s; s++) {
			if (*s == '"' || *s == '\\')
				fputc('\\', p->out);
			fputc(*s, p->out);
		}
		fprintf(p->out, "\"%s\n", flags);
	}
	p->file = file;
	p->line = line;
	p->line_start = true;
}

static void on_file(void *ctx, const struct pp_file_event *e)
{
	struct printer *p = ctx;
	const char *sys = e->system ? " 3" : "";
	char flags[8];
	switch (e->reason) {
	case PP_ENTER:
		if (!p->started) {
			/* the main file, then the built-in buffer as clang shows it */
			p->started = true;
			marker(p, 1, e->name, "");
			if (p->markers) {
				fputs("# 1 \"<built-in>\" 1\n# 1 \"<built-in>\" 3\n", p->out);
				fputs("# 417 \"<built-in>\" 3\n# 1 \"<command line>\" 1\n", p->out);
				fputs("# 1 \"<built-in>\" 2\n", p->out);
			}
			return;
		}
		snprintf(flags, sizeof(flags), " 1%s", sys);
		marker(p, e->line, e->name, flags);
		break;
	case PP_LEAVE:
		snprintf(flags, sizeof(flags), " 2%s", sys);
		marker(p, e->line, e->name, flags);
		break;
	case PP_RENAME:
		marker(p, e->line, e->name, sys);
		break;
	}
	p->have_prev = false;
}

/* Would printing b right after a fuse them into different tokens? */
static bool would_fuse(struct pp *pp, const struct tok *a, const struct tok *b)
{
	static const char safe[] = "(),;[]{}?~";
	if (!a->len || !b->len || a->kind == T_STRING || a->kind == T_CHAR)
		return false;
	char c0 = b->p[0], last = a->p[a->len - 1];
	if ((c0 && memchr(safe, c0, sizeof(safe) - 1)) || (last && memchr(safe, last, sizeof(safe) - 1)))
		return false;
	if (a->len > 200)
		return true;
	char buf[256];
	size_t tb = b->len < 50 ? b->len : 50;
	memcpy(buf, a->p, a->len);
	memcpy(buf + a->len, b->p, tb);
	buf[a->len + tb] = 0;
	struct tok t;
	return lex_one(&pp->ids, &pp->arena, buf, a->len + tb, &t) != a->len;
}

static void print_tok(struct printer *p, const struct tok *t)
{
	if (t->kind == T_PRAGMA) {
		const struct pp_pragma *pr = pp_pragma(p->pp, t);
		newline(p);
		fputs("#pragma", p->out);
		for (uint32_t i = 0; i < pr->ntoks; i++) {
			const struct tok *x = &pr->toks[i];
			if (i == 0 || (x->flags & TF_SPACE))
				fputc(' ', p->out);
			fwrite(x->p, 1, x->len, p->out);
		}
		p->line_start = false;
		newline(p);
		/* clang re-synchronizes the line after a pragma from _Pragma */
		if (pr->from_operator) {
			uint32_t l = pp_presumed_line(p->pp, t->xloc);
			if (p->markers)
				fprintf(p->out, "# %u \"%s\"\n", l, p->file ? p->file : "");
			p->line = l;
		}
		p->have_prev = false;
		return;
	}
	if (t->flags & TF_BOL) {
		uint32_t l = pp_presumed_line(p->pp, t->xloc);
		if (!p->line_start || l != p->line) {
			if (l > p->line && l - p->line <= 8) {
				if (!p->line_start) {
					fputc('\n', p->out);
					p->line++;
				}
				while (p->line < l) {
					fputc('\n', p->out);
					p->line++;
				}
				p->line_start = true;
			} else {
				newline(p);
				if (p->markers)
					fprintf(p->out, "# %u \"%s\"\n", l, p->file ? p->file : "");
				p->line = l;
			}
		}
		if (t->flags & TF_SPACE)
			fputc(' ', p->out);
	} else if (p->have_prev && !p->line_start) {
		if ((t->flags & TF_SPACE) || would_fuse(p->pp, &p->prev, t))
			fputc(' ', p->out);
	} else if (t->flags & TF_SPACE) {
		fputc(' ', p->out);
	}
	fwrite(t->p, 1, t->len, p->out);
	p->line_start = false;
	p->prev = *t;
	p->have_prev = true;
}

void pp_print_tokens(struct pp *pp, FILE *out)
{
	struct printer p = { .pp = pp, .out = out, .line = 1, .line_start = true,
			     .markers = !pp->opt.no_line_markers };
	/* pp_begin already announced the main file: replay it */
	struct pp_source *main = pp->sources.len ? pp->sources.data[0] : NULL;
	if (main) {
		struct pp_file_event e = { PP_ENTER, main->presumed, 1, false };
		on_file(&p, &e);
	}
	pp_set_file_callback(pp, on_file, &p);
	for (;;) {
		struct tok t;
		pp_next(pp, &t);
		if (t.kind == T_EOF)
			break;
		print_tok(&p, &t);
	}
	newline(&p);
	pp_set_file_callback(pp, NULL, NULL);
}

static int cmp_ident(const void *a, const void *b)
{
	const struct pp_ident *x = *(struct pp_ident *const *)a, *y = *(struct pp_ident *const *)b;
	return strcmp(x->name, y->name);
}

void pp_print_macros(struct pp *pp, FILE *out)
{
	VEC(struct pp_ident *) names = { 0 };
	PP_EACH(&pp->all_macros, id) if ((*id)->macro && !(*id)->macro->builtin)
		vec_push(&names, *id);
	if (names.len)
		qsort(names.data, names.len, sizeof(*names.data), cmp_ident);
	PP_EACH(&names, idp)
	{
		const struct pp_macro *m = (*idp)->macro;
		fprintf(out, "#define %s", m->name->name);
		if (m->funclike) {
			fputc('(', out);
			for (uint32_t i = 0; i < m->nparams; i++) {
				bool va = m->variadic && i + 1 == m->nparams;
				if (i)
					fputs(", ", out);
				if (va && m->params[i]->special == SP_VA_ARGS)
					fputs("...", out);
				else if (va)
					fprintf(out, "%s...", m->params[i]->name);
				else
					fputs(m->params[i]->name, out);
			}
			fputc(')', out);
		}
		fputc(' ', out);
		for (uint32_t i = 0; i < m->nbody; i++) {
			const struct tok *t = &m->body[i];
			if (i && (t->flags & TF_SPACE))
				fputc(' ', out);
			if (t->kind == T_PASTE)
				fputs("##", out);
			else
				fwrite(t->p, 1, t->len, out);
		}
		fputc('\n', out);
	}
	vec_free(&names);
}
