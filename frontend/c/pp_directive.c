/* Directives: conditionals (with fast skipping of false groups and include
 * guard detection), #include and the search path, #line, #error, #pragma. */
#include "frontend/c/pp_internal.h"
#include "util/fileio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the search path ---- */

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void add_dir(struct pp *pp, const char *path, enum pp_dir_kind kind, bool system)
{
	if (!is_dir(path)) {
		if (pp->opt.verbose)
			fprintf(stderr, "ignoring nonexistent directory \"%s\"\n", path);
		return;
	}
	for (uint32_t i = 0; i < pp->dirs.len; i++) {
		struct pp_searchdir *d = &pp->dirs.data[i];
		if (strcmp(d->path, path) || (d->kind == PP_DIR_QUOTE) != (kind == PP_DIR_QUOTE))
			continue;
		/* a user directory that is also a system one is searched as the latter */
		if (!d->system && system) {
			if (pp->opt.verbose)
				fprintf(stderr,
					"ignoring duplicate directory \"%s\"\n  as it is a non-system "
					"directory that duplicates a system directory\n",
					path);
			memmove(d, d + 1, (pp->dirs.len - i - 1) * sizeof(*d));
			pp->dirs.len--;
			break;
		}
		if (pp->opt.verbose)
			fprintf(stderr, "ignoring duplicate directory \"%s\"\n", path);
		return;
	}
	struct pp_searchdir d = { path, kind, system };
	vec_push(&pp->dirs, d);
}

void pp_setup_search(struct pp *pp)
{
	struct pp_options *o = &pp->opt;
	PP_EACH(&o->quote_dirs, p) add_dir(pp, *p, PP_DIR_QUOTE, false);
	pp->angled_start = pp->dirs.len;
	PP_EACH(&o->angled_dirs, p) add_dir(pp, *p, PP_DIR_ANGLED, false);
	PP_EACH(&o->system_dirs, p) add_dir(pp, *p, PP_DIR_SYSTEM, true);
	if (!o->nostdinc) {
		if (!o->nostdlibinc)
			add_dir(pp, "/usr/local/include", PP_DIR_SYSTEM, true);
		if (o->resource_include)
			add_dir(pp, o->resource_include, PP_DIR_SYSTEM, true);
		if (!o->nostdlibinc)
			add_dir(pp, "/usr/include", PP_DIR_SYSTEM, true);
	}
	PP_EACH(&o->after_dirs, p) add_dir(pp, *p, PP_DIR_AFTER, true);
	/* quote directories may have moved when duplicates were dropped */
	uint32_t q = 0;
	while (q < pp->dirs.len && pp->dirs.data[q].kind == PP_DIR_QUOTE)
		q++;
	pp->angled_start = q;
}

void pp_print_search_list(const struct pp *pp, FILE *out)
{
	fprintf(out, "#include \"...\" search starts here:\n");
	for (uint32_t i = 0; i < pp->dirs.len; i++) {
		if (i == pp->angled_start)
			fprintf(out, "#include <...> search starts here:\n");
		fprintf(out, " %s\n", pp->dirs.data[i].path);
	}
	if (pp->angled_start == pp->dirs.len)
		fprintf(out, "#include <...> search starts here:\n");
	fprintf(out, "End of search list.\n");
}

static char *join_path(const char *dir, const char *name, size_t len)
{
	if (!*dir)
		return xstrndup(name, len);
	size_t dl = strlen(dir);
	bool slash = dir[dl - 1] == '/';
	return xasprintf("%s%s%.*s", dir, slash ? "" : "/", (int)len, name);
}

static bool regular_file(const char *path, struct stat *st)
{
	return stat(path, st) == 0 && !S_ISDIR(st->st_mode);
}

/* The pp_file for a path (one per inode), loading its text on first use. */
static struct pp_file *open_file(struct pp *pp, char *path, const struct stat *st)
{
	char key[48];
	int kn = snprintf(key, sizeof(key), "%llx:%llx", (unsigned long long)st->st_dev,
			  (unsigned long long)st->st_ino);
	uintptr_t v;
	if (hmap_get(&pp->files_by_path, key, (size_t)kn, &v)) {
		free(path);
		return (struct pp_file *)v;
	}
	struct pp_file *f = xcalloc(1, sizeof(*f));
	f->path = path;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	vec_push(&pp->files, f);
	hmap_put(&pp->files_by_path, arena_strndup(&pp->arena, key, (size_t)kn), (size_t)kn,
		 (uintptr_t)f);
	return f;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

struct pp_file *pp_find_include(struct pp *pp, const char *name, size_t len, bool angled,
				bool next, int32_t *dir_index, bool *system)
{
	struct stat st;
	*dir_index = -1;
	*system = false;
	if (len && name[0] == '/') {
		char *p = xstrndup(name, len);
		if (regular_file(p, &st))
			return open_file(pp, p, &st);
		free(p);
		return NULL;
	}
	struct pp_source *cur = NULL;
	for (int i = (int)pp->sources.len - 1; i >= 0; i--)
		if (pp->sources.data[i]->file) {
			cur = pp->sources.data[i];
			break;
		}
	uint32_t start = angled ? pp->angled_start : 0;
	if (next && cur && cur->dir_index >= 0 && pp->sources.len > 1)
		start = (uint32_t)cur->dir_index + 1;
	else if (!angled && cur && !next) {
		/* "..." looks next to the including file first */
		const char *base = cur->file->path;
		char *dir = strcmp(base, "<stdin>") ? dir_of(base) : xstrdup(".");
		char *p = join_path(dir, name, len);
		free(dir);
		if (regular_file(p, &st)) {
			*system = cur->system;
			return open_file(pp, p, &st);
		}
		free(p);
	}
	for (uint32_t i = start; i < pp->dirs.len; i++) {
		char *p = join_path(pp->dirs.data[i].path, name, len);
		if (regular_file(p, &st)) {
			*dir_index = (int32_t)i;
			*system = pp->dirs.data[i].system;
			return open_file(pp, p, &st);
		}
		free(p);
	}
	return NULL;
}

/* The header name of #include or __has_include: <...> or "..." written
 * directly, or produced by macros. */
bool pp_read_include_name(struct pp *pp, struct lexer *lx, char **name, bool *angled,
			  struct srcloc *loc)
{
	struct tok t;
	if (lx) {
		if (lex_header_name(lx, &t)) {
			*name = xstrndup(t.p + 1, t.len - 2);
			*angled = true;
			*loc = t.loc;
			return true;
		}
		lex_next(lx, &t);
		if (t.kind == T_STRING && t.p[0] == '"') {
			*name = xstrndup(t.p + 1, t.len - 2);
			*angled = false;
			*loc = t.loc;
			return true;
		}
		pp_unread(pp, &t, true);
	}
	pp_expand_next(pp, &t);
	*loc = t.loc;
	if (t.kind == T_STRING && t.p[0] == '"') {
		*name = xstrndup(t.p + 1, t.len - 2);
		*angled = false;
		return true;
	}
	if (t.kind == T_LT) {
		struct buf b = { 0 };
		for (;;) {
			pp_expand_next(pp, &t);
			if (t.kind == T_GT)
				break;
			if (t.kind == T_EOD || t.kind == T_EOF) {
				pp_error(pp, t.loc, "expected '>'");
				pp_unread(pp, &t, !pp->ctxs.len);
				buf_free(&b);
				return false;
			}
			if (b.len && (t.flags & TF_SPACE))
				buf_putc(&b, ' ');
			buf_append(&b, t.p, t.len);
		}
		buf_cstr(&b);
		*name = b.data ? (char *)buf_steal(&b) : xstrdup("");
		*angled = true;
		return true;
	}
	pp_error(pp, t.loc, "expected \"FILENAME\" or <FILENAME>");
	if (t.kind == T_EOD || t.kind == T_EOF)
		pp_unread(pp, &t, !pp->ctxs.len);
	return false;
}

/* ---- conditionals ---- */

static void end_of_directive(struct pp *pp, struct lexer *lx, const char *dir)
{
	struct tok t;
	lex_next(lx, &t);
	if (t.kind != T_EOD) {
		pp_warning(pp, t.loc, "extra tokens at end of #%s directive", dir);
		while (t.kind != T_EOD)
			lex_next(lx, &t);
	}
}

/* Drains the rest of a directive read through the expander (it may have
 * left tokens in the file pushback or in contexts). */
static void drain_expanded(struct pp *pp, struct lexer *lx)
{
	struct tok t;
	if (pp->have_file_pushback) {
		t = pp->file_pushback;
		pp->have_file_pushback = false;
		if (t.kind == T_EOD)
			return;
	}
	while (pp->ctxs.len) {
		struct pp_ctx c = vec_pop(&pp->ctxs);
		if (c.macro)
			c.macro->name->disabled--;
		if (c.owned)
			free(c.toks);
	}
	do
		lex_next(lx, &t);
	while (t.kind != T_EOD);
}

static struct pp_cond *top_cond(struct pp *pp, struct pp_source *src)
{
	return pp->conds.len > src->cond_base ? &vec_last(&pp->conds) : NULL;
}

static void cond_endif(struct pp *pp, struct pp_source *src)
{
	if (src->guard == GUARD_INSIDE && pp->conds.len == src->guard_depth)
		src->guard = GUARD_AFTER;
	pp->conds.len--;
}

static bool ident_operand(struct pp *pp, struct lexer *lx, const char *dir, struct pp_ident **id)
{
	struct tok t;
	lex_next(lx, &t);
	if (t.kind != T_IDENT) {
		pp_error(pp, t.loc, t.kind == T_EOD ? "macro name missing"
						    : "macro name must be an identifier");
		while (t.kind != T_EOD)
			lex_next(lx, &t);
		return false;
	}
	*id = t.id;
	end_of_directive(pp, lx, dir);
	return true;
}

static bool eval_condition(struct pp *pp, struct pp_source *src, enum pp_directive d,
			   struct srcloc loc)
{
	struct lexer *lx = &src->lx;
	struct pp_ident *id;
	switch (d) {
	case DIR_ifdef:
	case DIR_elifdef:
		return ident_operand(pp, lx, d == DIR_ifdef ? "ifdef" : "elifdef", &id) &&
		       id->macro;
	case DIR_ifndef:
	case DIR_elifndef:
		return ident_operand(pp, lx, d == DIR_ifndef ? "ifndef" : "elifndef", &id) &&
		       !id->macro;
	default: {
		bool v = pp_eval_if(pp, loc);
		drain_expanded(pp, lx);
		return v;
	}
	}
}

/* Recognizes `#if !defined(X)` / `#if !defined X` at a file's start, without consuming. */
static struct pp_ident *guard_if_pattern(struct lexer *lx)
{
	struct lexer save = *lx;
	struct tok t[5];
	int n = 0;
	while (n < 5) {
		lex_next(lx, &t[n]);
		if (t[n++].kind == T_EOD)
			break;
	}
	*lx = save;
	if (n >= 3 && t[0].kind == T_BANG && t[1].kind == T_IDENT &&
	    t[1].id->special == SP_DEFINED) {
		if (t[2].kind == T_IDENT && n == 4 && t[3].kind == T_EOD)
			return t[2].id;
		if (n == 5 && t[2].kind == T_LPAREN && t[3].kind == T_IDENT && t[4].kind == T_RPAREN) {
			struct tok e;
			struct lexer s2 = *lx;
			for (int i = 0; i < 6; i++)
				lex_next(&s2, &e);
			if (e.kind == T_EOD)
				return t[3].id;
		}
	}
	return NULL;
}

static enum pp_directive directive_of(const struct tok *t)
{
	return t->kind == T_IDENT ? (enum pp_directive)t->id->directive : DIR_NONE;
}

void pp_skip_false_group(struct pp *pp, struct pp_source *src)
{
	struct lexer *lx = &src->lx;
	int depth = 0;
	for (;;) {
		lx->in_directive = false;
		if (!lex_skip_group(lx)) {
			/* end of file: pp_leave_file_checks reports the open conditional */
			return;
		}
		lx->in_directive = true;
		struct tok t;
		lex_next(lx, &t);
		enum pp_directive d = directive_of(&t);
		struct pp_cond *c = top_cond(pp, src);
		switch (d) {
		case DIR_if:
		case DIR_ifdef:
		case DIR_ifndef:
			depth++;
			break;
		case DIR_endif:
			if (depth) {
				depth--;
				break;
			}
			end_of_directive(pp, lx, "endif");
			cond_endif(pp, src);
			lx->in_directive = false;
			return;
		case DIR_else:
			if (depth)
				break;
			if (c->seen_else)
				pp_error(pp, t.loc, "#else after #else");
			c->seen_else = true;
			end_of_directive(pp, lx, "else");
			if (src->guard == GUARD_INSIDE && pp->conds.len == src->guard_depth)
				src->guard = GUARD_NONE;
			if (c->state == COND_SKIPPING) {
				c->state = COND_TAKING;
				lx->in_directive = false;
				return;
			}
			continue;
		case DIR_elif:
		case DIR_elifdef:
		case DIR_elifndef:
			if (depth)
				break;
			if (c->seen_else)
				pp_error(pp, t.loc, "#%s after #else", t.id->name);
			if (src->guard == GUARD_INSIDE && pp->conds.len == src->guard_depth)
				src->guard = GUARD_NONE;
			if (c->state == COND_SKIPPING) {
				if (eval_condition(pp, src, d, t.loc)) {
					c->state = COND_TAKING;
					lx->in_directive = false;
					return;
				}
				continue;
			}
			break;
		default:
			break;
		}
		/* the rest of a skipped directive line */
		while (t.kind != T_EOD)
			lex_next(lx, &t);
	}
}

static void do_conditional(struct pp *pp, struct pp_source *src, enum pp_directive d,
			   const struct tok *name)
{
	struct pp_cond *c = top_cond(pp, src);
	switch (d) {
	case DIR_if:
	case DIR_ifdef:
	case DIR_ifndef: {
		struct pp_ident *guard = NULL;
		bool at_start = src->guard == GUARD_START;
		if (at_start && d == DIR_if)
			guard = guard_if_pattern(&src->lx);
		bool v;
		if (at_start && d == DIR_ifndef) {
			struct pp_ident *id;
			v = ident_operand(pp, &src->lx, "ifndef", &id) && !id->macro;
			if (v)
				guard = id;
		} else {
			v = eval_condition(pp, src, d, name->loc);
		}
		struct pp_cond nc = { v ? COND_TAKING : COND_SKIPPING, false, name->loc };
		vec_push(&pp->conds, nc);
		if (at_start) {
			src->guard = guard ? GUARD_INSIDE : GUARD_NONE;
			src->guard_name = guard;
			src->guard_depth = pp->conds.len;
		}
		if (!v)
			pp_skip_false_group(pp, src);
		return;
	}
	case DIR_elif:
	case DIR_elifdef:
	case DIR_elifndef:
	case DIR_else:
		if (!c) {
			pp_error(pp, name->loc, "#%s without #if", name->id->name);
			struct tok t = *name;
			while (t.kind != T_EOD)
				lex_next(&src->lx, &t);
			return;
		}
		if (c->seen_else)
			pp_error(pp, name->loc, "#%s after #else", name->id->name);
		if (d == DIR_else) {
			c->seen_else = true;
			end_of_directive(pp, &src->lx, "else");
		} else {
			struct tok t;
			do
				lex_next(&src->lx, &t);
			while (t.kind != T_EOD);
		}
		if (src->guard == GUARD_INSIDE && pp->conds.len == src->guard_depth)
			src->guard = GUARD_NONE;
		c->state = COND_DONE;
		pp_skip_false_group(pp, src);
		return;
	case DIR_endif:
		if (!c) {
			pp_error(pp, name->loc, "#endif without #if");
			struct tok t = *name;
			while (t.kind != T_EOD)
				lex_next(&src->lx, &t);
			return;
		}
		end_of_directive(pp, &src->lx, "endif");
		cond_endif(pp, src);
		return;
	default:
		return;
	}
}

void pp_leave_file_checks(struct pp *pp, struct pp_source *src)
{
	while (pp->conds.len > src->cond_base) {
		pp_error(pp, vec_last(&pp->conds).loc, "unterminated conditional directive");
		pp->conds.len--;
	}
	if (src->guard == GUARD_AFTER && src->file && src->guard_name)
		src->file->guard = src->guard_name;
}

/* ---- #include ---- */

static void do_include(struct pp *pp, struct pp_source *src, enum pp_directive d,
		       const struct tok *name)
{
	char *fname;
	bool angled;
	struct srcloc loc;
	const char *dname = d == DIR_include ? "include" : d == DIR_import ? "import" : "include_next";
	if (!pp_read_include_name(pp, &src->lx, &fname, &angled, &loc)) {
		drain_expanded(pp, &src->lx);
		return;
	}
	if (pp->have_file_pushback || pp->ctxs.len)
		drain_expanded(pp, &src->lx);
	else
		end_of_directive(pp, &src->lx, dname);
	bool next = d == DIR_include_next;
	if (next && pp->sources.len <= 1) {
		pp_warning(pp, name->loc,
			   "#include_next in primary source file; will search from start of "
			   "include path");
		next = false;
	}
	int32_t di;
	bool sys;
	struct pp_file *f = pp_find_include(pp, fname, strlen(fname), angled, next, &di, &sys);
	if (pp->include_hook && pp->include_hook(pp->include_hook_ctx, fname, angled, f != NULL)) {
		free(fname);
		return;
	}
	if (!f) {
		pp_report(pp, DIAG_FATAL, loc, "'%s' file not found", fname);
		pp->fatal = true;
		free(fname);
		return;
	}
	free(fname);
	if (d == DIR_import)
		f->once = true;
	if (!f->srcid) {
		/* first time: load it, remember it for -M */
		int err;
		f->srcid = pp_load_source(pp, f->path, f->path, &err);
		if (err) {
			pp_report(pp, DIAG_FATAL, loc, "cannot open file '%s': %s", f->path,
				  strerror(-err));
			pp->fatal = true;
			return;
		}
		struct pp_dep dep = { f->path, sys };
		vec_push(&pp->deps, dep);
	} else if ((f->once && f->entered) || (f->guard && f->guard->macro)) {
		return;
	}
	src->lx.in_directive = false;
	pp_enter_file(pp, f, di, sys, loc);
}

/* ---- #line and GNU line markers ---- */

static void do_line(struct pp *pp, struct pp_source *src, const struct tok *first,
		    uint32_t dir_line, bool gnu)
{
	struct tok t;
	if (gnu)
		t = *first;
	else
		pp_expand_next(pp, &t);
	char *end = NULL;
	unsigned long n = t.kind == T_NUMBER ? strtoul(t.p, &end, 10) : 0;
	if (t.kind != T_NUMBER || end != t.p + t.len) {
		pp_error(pp, t.loc, "#line directive requires a simple digit sequence");
		drain_expanded(pp, &src->lx);
		return;
	}
	if (gnu)
		lex_next(&src->lx, &t);
	else
		pp_expand_next(pp, &t);
	if (t.kind == T_STRING) {
		struct buf b = { 0 };
		pp_destringize(&t, &b);
		buf_cstr(&b);
		src->presumed = arena_strdup(&pp->arena, b.data ? (const char *)b.data : "");
		buf_free(&b);
		if (gnu) {
			/* flags: 1 enter, 2 leave, 3 system, 4 extern "C" */
			for (lex_next(&src->lx, &t); t.kind == T_NUMBER; lex_next(&src->lx, &t))
				if (t.len == 1 && t.p[0] == '3')
					src->system = true;
		} else {
			pp_expand_next(pp, &t);
		}
	}
	if (t.kind != T_EOD) {
		pp_warning(pp, t.loc, "extra tokens at end of #line directive");
		drain_expanded(pp, &src->lx);
	}
	/* the next physical line is presumed line n */
	src->line_delta = (int32_t)n - (int32_t)(dir_line + 1);
	pp_file_event(pp, PP_RENAME, src, (uint32_t)n);
}

/* ---- #error, #warning ---- */

static void do_message(struct pp *pp, struct pp_source *src, const struct tok *name, bool error)
{
	size_t n;
	const char *text = lex_rest_of_line(&src->lx, &n);
	if (error)
		pp_error(pp, name->loc, "%.*s", (int)n, text);
	else
		pp_warning(pp, name->loc, "%.*s", (int)n, text);
	struct tok t;
	lex_next(&src->lx, &t);
}

/* ---- #pragma and _Pragma ---- */

static const struct {
	enum pp_pragma_kind kind;
	const char *w1, *w2;
} pragma_words[] = {
	{ PRAGMA_CLANG_ATTRIBUTE, "clang", "attribute" },
	{ PRAGMA_CLANG_LOOP, "clang", "loop" },
	{ PRAGMA_CLANG_DIAGNOSTIC, "clang", "diagnostic" },
	{ PRAGMA_GCC_DIAGNOSTIC, "GCC", "diagnostic" },
	{ PRAGMA_UNROLL, "unroll", NULL },
	{ PRAGMA_NOUNROLL, "nounroll", NULL },
	{ PRAGMA_PACK, "pack", NULL },
};

static bool tok_eq(const struct tok *t, const char *s)
{
	return t->kind == T_IDENT && t->len == strlen(s) && !memcmp(t->p, s, t->len);
}

/* The macro name in push_macro("X") / pop_macro("X"). */
static struct pp_ident *pragma_macro_name(struct pp *pp, struct tok *toks, uint32_t n)
{
	if (n < 4 || toks[1].kind != T_LPAREN || toks[2].kind != T_STRING ||
	    toks[3].kind != T_RPAREN) {
		pp_warning(pp, toks[0].loc, "pragma %s requires a parenthesized string",
			   toks[0].id ? toks[0].id->name : "");
		return NULL;
	}
	struct buf b = { 0 };
	pp_destringize(&toks[2], &b);
	struct pp_ident *id = ident_intern(&pp->ids, (const char *)(b.data ? b.data : (unsigned char *)""), b.len);
	buf_free(&b);
	return id;
}

static void pragma_message(struct pp *pp, struct tok *toks, uint32_t n, uint32_t i, bool error)
{
	struct buf b = { 0 };
	for (; i < n; i++)
		if (toks[i].kind == T_STRING)
			pp_destringize(&toks[i], &b);
	buf_cstr(&b);
	pp_report(pp, error ? DIAG_ERROR : DIAG_WARNING, toks[0].loc, "%s",
		  b.data ? (const char *)b.data : "");
	buf_free(&b);
}

void pp_handle_pragma(struct pp *pp, struct tok *toks, uint32_t n, struct srcloc loc,
		      bool from_operator)
{
	struct pp_source *src = pp_cur_source(pp);
	if (n >= 1 && tok_eq(&toks[0], "once")) {
		if (!src || src == pp->sources.data[0])
			pp_warning(pp, toks[0].loc, "#pragma once in main file");
		else if (src && src->file)
			src->file->once = true;
		return;
	}
	if (n >= 1 && (tok_eq(&toks[0], "push_macro") || tok_eq(&toks[0], "pop_macro"))) {
		struct pp_ident *id = pragma_macro_name(pp, toks, n);
		if (!id)
			return;
		if (tok_eq(&toks[0], "push_macro")) {
			struct pp_pushed_macro pm = { id, id->macro };
			vec_push(&pp->pushed_macros, pm);
			return;
		}
		for (uint32_t i = pp->pushed_macros.len; i-- > 0;)
			if (pp->pushed_macros.data[i].id == id) {
				id->macro = pp->pushed_macros.data[i].macro;
				ident_mark_special(&pp->ids, id);
				if (id->macro && !id->listed) {
					id->listed = 1;
					vec_push(&pp->all_macros, id);
				}
				memmove(&pp->pushed_macros.data[i], &pp->pushed_macros.data[i + 1],
					(pp->pushed_macros.len - i - 1) * sizeof(struct pp_pushed_macro));
				pp->pushed_macros.len--;
				break;
			}
		return;
	}
	if (n >= 2 && (tok_eq(&toks[0], "GCC") || tok_eq(&toks[0], "clang"))) {
		if (tok_eq(&toks[1], "system_header")) {
			if (!src || src == pp->sources.data[0])
				pp_warning(pp, toks[1].loc,
					   "#pragma system_header ignored in main file");
			else if (src)
				src->system = true;
			return;
		}
		if (tok_eq(&toks[1], "poison")) {
			for (uint32_t i = 2; i < n; i++)
				if (toks[i].kind == T_IDENT)
					toks[i].id->poisoned = 1;
			return;
		}
		if (tok_eq(&toks[0], "GCC") && (tok_eq(&toks[1], "warning") || tok_eq(&toks[1], "error")))
			pragma_message(pp, toks, n, 2, tok_eq(&toks[1], "error"));
	}
	if (n >= 1 && tok_eq(&toks[0], "message"))
		pragma_message(pp, toks, n, 1, false);

	enum pp_pragma_kind kind = PRAGMA_OTHER;
	for (size_t i = 0; i < ARRAY_LEN(pragma_words); i++)
		if (n >= 1 && tok_eq(&toks[0], pragma_words[i].w1) &&
		    (!pragma_words[i].w2 || (n >= 2 && tok_eq(&toks[1], pragma_words[i].w2)))) {
			kind = pragma_words[i].kind;
			break;
		}
	struct pp_pragma pr = { kind, n ? toks[0].loc : loc, NULL, n, from_operator };
	struct tok *copy = arena_newn(&pp->arena, struct tok, n + 1);
	if (n)
		memcpy(copy, toks, n * sizeof(*toks));
	pr.toks = copy;
	vec_push(&pp->pragmas, pr);
	struct tok t = { 0 };
	t.kind = T_PRAGMA;
	t.aux = pp->pragmas.len - 1;
	t.p = "#pragma";
	t.len = 7;
	t.flags = TF_BOL;
	t.loc = t.xloc = loc;
	vec_push(&pp->pending, t);
}

void pp_pragma_operator(struct pp *pp, struct tok *op)
{
	struct tok t;
	bool from_file = pp_read_raw_from(pp, &t);
	if (t.kind != T_LPAREN) {
		pp_error(pp, op->xloc, "_Pragma takes a parenthesized string literal");
		pp_unread(pp, &t, from_file);
		return;
	}
	struct tok str;
	from_file = pp_read_raw_from(pp, &str);
	bool expanded = false;
	if (str.kind == T_IDENT && str.id->macro && !(str.flags & TF_NOEXPAND)) {
		/* clang expands the operand: _Pragma(__BPF_TARGET_MISSING) */
		pp_unread(pp, &str, from_file);
		pp_expand_next(pp, &str);
		expanded = true;
	}
	if (str.kind != T_STRING) {
		pp_error(pp, str.xloc, "_Pragma takes a parenthesized string literal");
		if (expanded) {
			struct tok *one = xmalloc(sizeof(*one));
			*one = str;
			pp_push_tokens(pp, one, 1, NULL, true);
		} else {
			pp_unread(pp, &str, from_file);
		}
		return;
	}
	from_file = pp_read_raw_from(pp, &t);
	if (t.kind != T_RPAREN) {
		pp_error(pp, t.xloc, "_Pragma takes a parenthesized string literal");
		pp_unread(pp, &t, from_file);
		return;
	}
	struct buf b = { 0 };
	pp_destringize(&str, &b);
	size_t len = b.len;
	char *text = arena_alloc(&pp->arena, len + 1);
	if (len)
		memcpy(text, b.data, len);
	buf_free(&b);
	struct lexer lx;
	lex_init(&lx, op->xloc.file, text, len, &pp->ids, &pp->arena, NULL);
	lx.in_directive = true;
	tokvec toks = { 0 };
	for (;;) {
		struct tok x;
		lex_next(&lx, &x);
		if (x.kind == T_EOD)
			break;
		x.loc = x.xloc = op->xloc;
		vec_push(&toks, x);
	}
	uint32_t before = pp->pending.len;
	pp_handle_pragma(pp, toks.data, toks.len, op->xloc, true);
	vec_free(&toks);
	if (pp->pending.len > before) {
		/* hand the annotation out right here, not after the line */
		struct tok *one = xmalloc(sizeof(*one));
		*one = vec_pop(&pp->pending);
		pp_push_tokens(pp, one, 1, NULL, true);
	}
}

static void do_pragma(struct pp *pp, struct pp_source *src, const struct tok *name)
{
	tokvec toks = { 0 };
	struct tok t;
	for (lex_next(&src->lx, &t); t.kind != T_EOD; lex_next(&src->lx, &t))
		vec_push(&toks, t);
	pp_handle_pragma(pp, toks.data, toks.len, name->loc, false);
	vec_free(&toks);
}

/* ---- dispatch ---- */

void pp_directive(struct pp *pp, struct pp_source *src, struct tok *hash)
{
	struct lexer *lx = &src->lx;
	lx->in_directive = true;
	struct tok name;
	lex_next(lx, &name);
	enum pp_directive d = directive_of(&name);
	if (src->guard == GUARD_AFTER)
		src->guard = GUARD_NONE;
	if (src->guard == GUARD_START && d != DIR_ifndef && d != DIR_if)
		src->guard = GUARD_NONE;
	switch (d) {
	case DIR_NONE:
		if (name.kind == T_EOD)
			break; /* the null directive */
		if (name.kind == T_NUMBER) {
			do_line(pp, src, &name, name.loc.line, true);
			break;
		}
		pp_error(pp, name.loc, "invalid preprocessing directive");
		while (name.kind != T_EOD)
			lex_next(lx, &name);
		break;
	case DIR_define:
		pp_define_directive(pp, lx);
		break;
	case DIR_undef:
		pp_undef_directive(pp, lx);
		break;
	case DIR_include:
	case DIR_include_next:
	case DIR_import:
		do_include(pp, src, d, &name);
		break;
	case DIR_if:
	case DIR_ifdef:
	case DIR_ifndef:
	case DIR_elif:
	case DIR_elifdef:
	case DIR_elifndef:
	case DIR_else:
	case DIR_endif:
		do_conditional(pp, src, d, &name);
		break;
	case DIR_line:
		do_line(pp, src, NULL, name.loc.line, false);
		break;
	case DIR_error:
	case DIR_warning:
		do_message(pp, src, &name, d == DIR_error);
		break;
	case DIR_pragma:
		do_pragma(pp, src, &name);
		break;
	case DIR_ident:
	case DIR_sccs:
	case DIR_assert:
	case DIR_unassert:
		while (name.kind != T_EOD)
			lex_next(lx, &name);
		break;
	}
	(void)hash;
	lx->in_directive = false;
}
