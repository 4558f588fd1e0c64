/* The preprocessor's driving loop: the include stack, token contexts of
 * macro expansions, the pull interface pp_next(), and diagnostics with
 * "In file included from" notes. */
#include "frontend/c/pp_internal.h"
#include "util/fileio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- diagnostics ---- */

static void emit_text(struct pp *pp, const char *s)
{
	if (pp->diag->capture)
		buf_puts(pp->diag->capture, s);
	else
		fputs(s, pp->diag->out ? pp->diag->out : stderr);
}

/* Prints the include stack of the innermost source whose file is loc.file,
 * unless the same stack was shown for the previous diagnostic. */
static void show_include_stack(struct pp *pp, struct srcloc loc)
{
	int top = -1;
	for (int i = (int)pp->sources.len - 1; i >= 0; i--)
		if (pp->sources.data[i]->lx.file == loc.file) {
			top = i;
			break;
		}
	VEC(struct srcloc) stack = { 0 };
	for (int i = 1; i <= top; i++) /* outermost first, as clang */
		if (pp->sources.data[i]->include_loc.file) /* not <built-in> */
			vec_push(&stack, pp->sources.data[i]->include_loc);
	bool same = stack.len == pp->shown_stack.len &&
		    (!stack.len ||
		     !memcmp(stack.data, pp->shown_stack.data, stack.len * sizeof(*stack.data)));
	if (top < 0 || same) {
		vec_free(&stack);
		return;
	}
	vec_free(&pp->shown_stack);
	pp->shown_stack.data = stack.data;
	pp->shown_stack.len = stack.len;
	pp->shown_stack.cap = stack.cap;
	for (uint32_t i = 0; i < stack.len; i++) {
		struct src_file *f = srcmgr_file(pp->sm, stack.data[i].file);
		char *s = xasprintf("In file included from %s:%u:\n", f ? f->path : "?",
				    stack.data[i].line);
		emit_text(pp, s);
		free(s);
	}
}

void pp_vreport(struct pp *pp, enum diag_level lvl, struct srcloc loc, const char *fmt, va_list ap)
{
	if ((lvl == DIAG_WARNING && pp->opt.no_warnings) || pp->fatal)
		return;
	/* like clang without -Wsystem-headers: system headers don't warn */
	if (lvl == DIAG_WARNING || lvl == DIAG_NOTE) {
		for (int i = (int)pp->sources.len - 1; i >= 0; i--)
			if (pp->sources.data[i]->lx.file == loc.file) {
				if (pp->sources.data[i]->system) {
					pp->diag->suppress_notes = lvl == DIAG_WARNING;
					return;
				}
				break;
			}
		if (lvl == DIAG_NOTE && pp->diag->suppress_notes)
			return;
	}
	if (lvl != DIAG_NOTE && lvl != DIAG_HINT && !(lvl >= DIAG_ERROR && pp->diag->limit_reached))
		show_include_stack(pp, loc);
	diag_vreport(pp->diag, lvl, loc, fmt, ap);
}

void pp_report(struct pp *pp, enum diag_level lvl, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pp_vreport(pp, lvl, loc, fmt, ap);
	va_end(ap);
}

void pp_error(struct pp *pp, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pp_vreport(pp, DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

void pp_warning(struct pp *pp, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pp_vreport(pp, DIAG_WARNING, loc, fmt, ap);
	va_end(ap);
}

void pp_note(struct pp *pp, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pp_vreport(pp, DIAG_NOTE, loc, fmt, ap);
	va_end(ap);
}

void pp_report_cb(void *ctx, enum diag_level lvl, struct srcloc loc, const char *msg)
{
	pp_report(ctx, lvl, loc, "%s", msg);
}

/* ---- setup ---- */

static const struct {
	const char *name;
	enum pp_special sp;
	bool macro, funclike;
} specials[] = {
	{ "__VA_ARGS__", SP_VA_ARGS, false, false },
	{ "__VA_OPT__", SP_VA_OPT, false, false },
	{ "defined", SP_DEFINED, false, false },
	{ "_Pragma", SP_PRAGMA_OP, true, false },
	{ "__FILE__", SP_FILE, true, false },
	{ "__LINE__", SP_LINE, true, false },
	{ "__COUNTER__", SP_COUNTER, true, false },
	{ "__INCLUDE_LEVEL__", SP_INCLUDE_LEVEL, true, false },
	{ "__BASE_FILE__", SP_BASE_FILE, true, false },
	{ "__FILE_NAME__", SP_FILE_NAME, true, false },
	{ "__DATE__", SP_DATE, true, false },
	{ "__TIME__", SP_TIME, true, false },
	{ "__TIMESTAMP__", SP_TIMESTAMP, true, false },
	{ "__has_include", SP_HAS_INCLUDE, true, true },
	{ "__has_include_next", SP_HAS_INCLUDE_NEXT, true, true },
	{ "__has_builtin", SP_HAS_BUILTIN, true, true },
	{ "__has_attribute", SP_HAS_ATTRIBUTE, true, true },
	{ "__has_c_attribute", SP_HAS_C_ATTRIBUTE, true, true },
	{ "__has_cpp_attribute", SP_HAS_CPP_ATTRIBUTE, true, true },
	{ "__has_declspec_attribute", SP_HAS_DECLSPEC, true, true },
	{ "__has_feature", SP_HAS_FEATURE, true, true },
	{ "__has_extension", SP_HAS_EXTENSION, true, true },
	{ "__is_identifier", SP_IS_IDENTIFIER, true, true },
	{ "__has_warning", SP_HAS_WARNING, true, true },
	{ "__has_embed", SP_HAS_EMBED, true, true },
};

static const char *const directive_names[] = {
#define X(n) #n,
	PP_DIRECTIVES(X)
#undef X
};

struct pp *pp_new(struct diag *d, struct srcmgr *sm, const struct pp_options *o)
{
	struct pp *pp = xcalloc(1, sizeof(*pp));
	pp->diag = d;
	pp->sm = sm;
	pp->opt = *o;
	ident_table_init(&pp->ids, &pp->arena);
	for (size_t i = 0; i < ARRAY_LEN(specials); i++) {
		struct pp_ident *id = ident_intern(&pp->ids, specials[i].name,
						   strlen(specials[i].name));
		id->special = (uint8_t)specials[i].sp;
		ident_mark_special(&pp->ids, id);
		if (specials[i].macro)
			pp_define_builtin(pp, specials[i].name, specials[i].sp, specials[i].funclike);
	}
	for (size_t i = 0; i < ARRAY_LEN(directive_names); i++)
		ident_intern(&pp->ids, directive_names[i], strlen(directive_names[i]))->directive =
			(uint8_t)(i + 1);
	pp->builtin_file = srcmgr_add(sm, "<built-in>", "", 0);
	pp->cmdline_file = srcmgr_add(sm, "<command line>", "", 0);
	pp_setup_search(pp);
	return pp;
}

void pp_free(struct pp *pp)
{
	if (!pp)
		return;
	PP_EACH(&pp->sources, s) free(*s);
	vec_free(&pp->sources);
	vec_free(&pp->conds);
	PP_EACH(&pp->ctxs, c) if (c->owned) free(c->toks);
	vec_free(&pp->ctxs);
	PP_EACH(&pp->files, f)
	{
		free((*f)->path);
		free(*f);
	}
	vec_free(&pp->files);
	hmap_free(&pp->files_by_path);
	vec_free(&pp->deps);
	vec_free(&pp->all_macros);
	vec_free(&pp->dirs);
	vec_free(&pp->pragmas);
	vec_free(&pp->pushed_macros);
	vec_free(&pp->pending);
	vec_free(&pp->shown_stack);
	ident_table_free(&pp->ids);
	arena_free(&pp->arena);
	PP_EACH(&pp->mappings, m)
	{
		struct src_file *f = srcmgr_file(pp->sm, m->srcid);
		if (f && f->text == m->addr)
			f->text = NULL; /* not malloc'd: srcmgr_free must not free it */
		munmap(m->addr, m->len);
	}
	vec_free(&pp->mappings);
	free(pp);
}

struct ident_table *pp_idents(struct pp *pp)
{
	return &pp->ids;
}

struct arena *pp_arena(struct pp *pp)
{
	return &pp->arena;
}

void pp_set_include_hook(struct pp *pp, pp_include_hook hook, void *ctx)
{
	pp->include_hook = hook;
	pp->include_hook_ctx = ctx;
}

void pp_set_file_callback(struct pp *pp, void (*cb)(void *ctx, const struct pp_file_event *e),
			  void *ctx)
{
	pp->file_cb = cb;
	pp->file_cb_ctx = ctx;
}

const struct pp_pragma *pp_pragma(const struct pp *pp, const struct tok *t)
{
	if (t->kind != T_PRAGMA || t->aux >= pp->pragmas.len)
		return NULL;
	return &pp->pragmas.data[t->aux];
}

const struct pp_dep *pp_dependencies(const struct pp *pp, uint32_t *n)
{
	*n = pp->deps.len;
	return pp->deps.data;
}

/* ---- sources ---- */

struct pp_source *pp_cur_source(struct pp *pp)
{
	return pp->sources.len ? vec_last(&pp->sources) : NULL;
}

uint32_t pp_presumed_line(struct pp *pp, struct srcloc loc)
{
	for (int i = (int)pp->sources.len - 1; i >= 0; i--)
		if (pp->sources.data[i]->lx.file == loc.file)
			return (uint32_t)((int32_t)loc.line + pp->sources.data[i]->line_delta);
	return loc.line;
}

void pp_file_event(struct pp *pp, enum pp_file_reason r, struct pp_source *s, uint32_t line)
{
	if (!pp->file_cb || !s)
		return;
	struct pp_file_event e = { r, s->presumed, line, s->system };
	pp->file_cb(pp->file_cb_ctx, &e);
}

static void lexer_for(struct pp *pp, struct pp_source *s, uint32_t srcid)
{
	struct src_file *f = srcmgr_file(pp->sm, srcid);
	lex_init(&s->lx, srcid, f->text, f->len, &pp->ids, &pp->arena, pp->diag);
	s->lx.report = pp_report_cb;
	s->lx.report_ctx = pp;
}

static struct pp_source *push_source(struct pp *pp, uint32_t srcid, const char *presumed)
{
	struct pp_source *s = xcalloc(1, sizeof(*s));
	lexer_for(pp, s, srcid);
	s->presumed = presumed;
	s->dir_index = -1;
	s->cond_base = pp->conds.len;
	s->guard = GUARD_START;
	vec_push(&pp->sources, s);
	return s;
}

int pp_enter_file(struct pp *pp, struct pp_file *f, int32_t dir_index, bool system,
		  struct srcloc include_loc)
{
	if (pp->sources.len >= (pp->opt.max_include_depth ? pp->opt.max_include_depth : 200)) {
		pp_error(pp, include_loc, "#include nested too deeply");
		return -ELOOP;
	}
	if (pp->opt.max_file_entries && ++pp->file_entries > pp->opt.max_file_entries) {
		pp_error(pp, include_loc, "too many #include entries (limit %u)",
			 pp->opt.max_file_entries);
		return -ELOOP;
	}
	struct pp_source *s = push_source(pp, f->srcid, f->path);
	s->file = f;
	s->dir_index = dir_index;
	s->system = system;
	s->include_loc = include_loc;
	f->entered = true;
	pp_file_event(pp, PP_ENTER, s, 1);
	return 0;
}

/* Maps a regular file whose last page has room for the NUL the lexer
 * wants (the kernel zero-fills it): vmlinux.h is megabytes, and page-cache
 * pages cost less than copies.  NULL: read it instead. */
static void *map_source(const char *path, size_t *len)
{
	if (!strcmp(path, "-"))
		return NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	void *p = NULL;
	long page = sysconf(_SC_PAGESIZE);
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size >= 65536 && page > 0 &&
	    st.st_size % page) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (p == MAP_FAILED)
			p = NULL;
		*len = (size_t)st.st_size;
	}
	close(fd);
	return p;
}

/* Reads `path` into the source manager without an extra copy. */
uint32_t pp_load_source(struct pp *pp, const char *path, const char *display, int *err)
{
	size_t mlen;
	void *m = map_source(path, &mlen);
	if (m) {
		uint32_t id = srcmgr_add(pp->sm, display, NULL, 0);
		struct src_file *f = srcmgr_file(pp->sm, id);
		f->text = m;
		f->len = mlen;
		struct pp_mapping pm = { id, m, mlen };
		vec_push(&pp->mappings, pm);
		*err = 0;
		return id;
	}
	struct buf b = { 0 };
	*err = file_read(path, &b);
	if (*err) {
		buf_free(&b);
		return 0;
	}
	uint32_t id = srcmgr_add(pp->sm, display, NULL, 0);
	struct src_file *f = srcmgr_file(pp->sm, id);
	f->len = b.len;
	buf_cstr(&b);
	f->text = b.data ? (char *)buf_steal(&b) : xstrdup("");
	return id;
}

/* The <built-in> buffer: predefined macros, then -D/-U/-include in order. */
static void run_builtin_buffer(struct pp *pp)
{
	struct buf b = { 0 };
	predef_write(&pp->opt.predef, &b);
	uint32_t npredef = 0;
	for (size_t i = 0; i < b.len; i++)
		npredef += b.data[i] == '\n';
	PP_EACH(&pp->opt.cmdline, c)
	{
		const char *eq;
		switch (c->kind) {
		case PP_CMD_DEFINE:
			eq = strchr(c->text, '=');
			if (eq)
				buf_printf(&b, "#define %.*s %s\n", (int)(eq - c->text), c->text, eq + 1);
			else
				buf_printf(&b, "#define %s 1\n", c->text);
			break;
		case PP_CMD_UNDEF:
			buf_printf(&b, "#undef %s\n", c->text);
			break;
		case PP_CMD_INCLUDE:
		case PP_CMD_IMACROS:
			/* like clang: resolved relative to the working directory first */
			buf_puts(&b, "#include \"");
			for (const char *p = c->text; *p; p++) {
				if (*p == '"' || *p == '\\')
					buf_putc(&b, '\\');
				buf_putc(&b, *p);
			}
			buf_puts(&b, "\"\n");
			break;
		}
	}
	struct src_file *f = srcmgr_file(pp->sm, pp->builtin_file);
	free(f->text);
	f->len = b.len;
	buf_cstr(&b);
	f->text = (char *)buf_steal(&b);
	struct pp_source *s = push_source(pp, pp->builtin_file, "<built-in>");
	s->system = true;
	(void)npredef;
}

int pp_begin(struct pp *pp, const char *path, const char *display)
{
	int err;
	if (!display)
		display = strcmp(path, "-") ? path : "<stdin>";
	uint32_t id = pp_load_source(pp, path, display, &err);
	if (!id)
		return err;
	struct pp_file *f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(display);
	f->srcid = id;
	struct stat st;
	if (strcmp(path, "-") && stat(path, &st) == 0) {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
	vec_push(&pp->files, f);
	pp->base_file = f->path;
	struct pp_source *s = push_source(pp, id, f->path);
	s->file = f;
	f->entered = true;
	pp_file_event(pp, PP_ENTER, s, 1);
	/* the built-in buffer runs first, on top of the main file */
	run_builtin_buffer(pp);
	pp->started = true;
	return 0;
}

/* Leaves the innermost file: unterminated conditionals, include guards. */
static void leave_source(struct pp *pp)
{
	struct pp_source *s = vec_pop(&pp->sources);
	pp_leave_file_checks(pp, s);
	struct pp_source *parent = pp_cur_source(pp);
	if (parent) {
		uint32_t line = s->include_loc.line ? s->include_loc.line + 1 : parent->lx.line;
		if (s->lx.file == pp->builtin_file)
			line = parent->lx.line;
		pp_file_event(pp, PP_LEAVE, parent,
			      (uint32_t)((int32_t)line + parent->line_delta));
	}
	free(s);
}

/* ---- reading ---- */

void pp_push_tokens(struct pp *pp, struct tok *toks, uint32_t n, struct pp_macro *m, bool owned)
{
	struct pp_ctx c = { toks, 0, n, m, owned };
	if (m)
		m->name->disabled++;
	vec_push(&pp->ctxs, c);
}

static void pop_ctx(struct pp *pp)
{
	struct pp_ctx c = vec_pop(&pp->ctxs);
	if (c.macro)
		c.macro->name->disabled--;
	if (c.owned)
		free(c.toks);
}

/* A token from the innermost file, with directives executed. */
static bool read_file_token(struct pp *pp, struct tok *t)
{
	if (pp->have_file_pushback) {
		*t = pp->file_pushback;
		pp->have_file_pushback = false;
		return true;
	}
	for (;;) {
		if (pp->pending.len) {
			*t = pp->pending.data[0];
			memmove(pp->pending.data, pp->pending.data + 1,
				(pp->pending.len - 1) * sizeof(*t));
			pp->pending.len--;
			return true;
		}
		struct pp_source *src = pp_cur_source(pp);
		if (!src) {
			memset(t, 0, sizeof(*t));
			t->kind = T_EOF;
			return true;
		}
		lex_next(&src->lx, t);
		if (src->lx.in_directive)
			return true;
		if (t->kind == T_HASH && (t->flags & TF_BOL)) {
			pp_directive(pp, src, t);
			continue;
		}
		if (t->kind == T_EOF) {
			if (pp->skipping_args)
				return true; /* arguments never continue past a file's end */
			if (pp->sources.len > 1) {
				leave_source(pp);
				continue;
			}
			if (!pp->eof) {
				pp->eof = true;
				pp_leave_file_checks(pp, src);
			}
			return true;
		}
		if (src->guard == GUARD_START || src->guard == GUARD_AFTER)
			src->guard = GUARD_NONE;
		if (t->kind == T_OTHER && (t->flags & TF_STRAY_QUOTE))
			pp_warning(pp, t->loc, "missing terminating %c character",
				   memchr(t->p, '"', t->len) ? '"' : '\'');
		return true;
	}
}

bool pp_read_raw_from(struct pp *pp, struct tok *t)
{
	while (pp->ctxs.len) {
		struct pp_ctx *c = &vec_last(&pp->ctxs);
		if (c->pos < c->n) {
			*t = c->toks[c->pos++];
			return false;
		}
		/* an argument's end sentinel is never popped by reading */
		if (c->n && c->toks[c->n - 1].kind == T_EOF && !c->macro) {
			*t = c->toks[c->n - 1];
			return false;
		}
		pop_ctx(pp);
	}
	return read_file_token(pp, t);
}

void pp_read_raw(struct pp *pp, struct tok *t)
{
	pp_read_raw_from(pp, t);
}

void pp_unread(struct pp *pp, const struct tok *t, bool from_file)
{
	if (from_file) {
		W_ASSERT(!pp->have_file_pushback);
		pp->file_pushback = *t;
		pp->have_file_pushback = true;
		return;
	}
	struct pp_ctx *c = &vec_last(&pp->ctxs);
	if (c->pos > 0 && !(t->kind == T_EOF && c->pos == c->n && c->toks[c->n - 1].kind == T_EOF))
		c->pos--;
}

void pp_expand_next(struct pp *pp, struct tok *t)
{
	for (;;) {
		pp_read_raw(pp, t);
		if (t->kind != T_IDENT || (t->flags & TF_NOEXPAND))
			return;
		struct pp_ident *id = t->id;
		if (pp->in_if && id->special == SP_DEFINED) {
			pp_eval_defined(pp, t);
			return;
		}
		if (id->macro) {
			if (pp_try_expand(pp, t))
				continue;
			return;
		}
		if (id->poisoned)
			pp_error(pp, t->xloc, "attempt to use a poisoned identifier");
		return;
	}
}

void pp_next(struct pp *pp, struct tok *t)
{
	if (pp->eof && !pp->ctxs.len) {
		memset(t, 0, sizeof(*t));
		t->kind = T_EOF;
		return;
	}
	pp_expand_next(pp, t);
	/* the end of an argument sentinel can't leak: contexts are balanced */
}

bool pp_skip_braced(struct pp *pp, const struct lex_skip_hooks *hooks, struct pp_span *out)
{
	struct pp_source *src = pp_cur_source(pp);
	if (!src || pp->ctxs.len || pp->pending.len || pp->have_file_pushback ||
	    src->lx.in_directive)
		return false;
	struct lexer *lx = &src->lx;
	const char *begin = lx->p, *bol = lx->bol;
	uint32_t line = lx->line;
	if (!lex_skip_braced(lx, hooks))
		return false;
	out->file = lx->file;
	out->begin = begin;
	out->end = lx->p;
	out->line = line;
	out->bol = bol;
	return true;
}
