/* Macros: #define/#undef, argument collection, substitution with #, ## and
 * __VA_OPT__, and the built-in macros (__LINE__, __has_include …).
 * Recursion follows the standard: a macro is disabled while its expansion is
 * being read, and names found disabled are painted (TF_NOEXPAND) for good. */
#include "frontend/c/cfeatures.h"
#include "frontend/c/pp_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STRINGIFY_OP 1 /* aux of a T_HASH that is the # operator */

/* ---- definitions ---- */

struct pp_macro *pp_define_builtin(struct pp *pp, const char *name, enum pp_special sp,
				   bool funclike)
{
	struct pp_ident *id = ident_intern(&pp->ids, name, strlen(name));
	struct pp_macro *m = arena_new(&pp->arena, struct pp_macro);
	m->name = id;
	m->builtin = true;
	m->funclike = funclike;
	id->special = (uint8_t)sp;
	id->macro = m;
	ident_mark_special(&pp->ids, id);
	return m;
}

static bool same_definition(const struct pp_macro *a, const struct pp_macro *b)
{
	if (a->funclike != b->funclike || a->variadic != b->variadic ||
	    a->nparams != b->nparams || a->nbody != b->nbody || a->builtin || b->builtin)
		return false;
	for (uint32_t i = 0; i < a->nparams; i++)
		if (a->params[i] != b->params[i])
			return false;
	for (uint32_t i = 0; i < a->nbody; i++) {
		const struct tok *x = &a->body[i], *y = &b->body[i];
		if (x->kind != y->kind || x->len != y->len || memcmp(x->p, y->p, x->len) ||
		    (i && (x->flags & TF_SPACE) != (y->flags & TF_SPACE)))
			return false;
	}
	return true;
}

static int param_index(const struct pp_macro *m, const struct pp_ident *id)
{
	for (uint32_t i = 0; i < m->nparams; i++)
		if (m->params[i] == id)
			return (int)i;
	return -1;
}

static void skip_line(struct lexer *lx, struct tok *t)
{
	while (t->kind != T_EOD)
		lex_next(lx, t);
}

/* Parses the parameter list after '('; returns false after an error. */
static bool parse_params(struct pp *pp, struct lexer *lx, struct pp_macro *m, struct tok *t)
{
	VEC(struct pp_ident *) params = { 0 };
	lex_next(lx, t);
	if (t->kind != T_RPAREN) {
		for (;;) {
			if (t->kind == T_ELLIPSIS) {
				m->variadic = true;
				vec_push(&params, ident_intern(&pp->ids, "__VA_ARGS__", 11));
				lex_next(lx, t);
				if (t->kind != T_RPAREN) {
					pp_error(pp, t->loc, "missing ')' in macro parameter list");
					goto fail;
				}
				break;
			}
			if (t->kind != T_IDENT) {
				pp_error(pp, t->loc,
					 t->kind == T_EOD ? "missing ')' in macro parameter list"
							  : "invalid token in macro parameter list");
				goto fail;
			}
			if (t->id->special == SP_VA_ARGS) {
				pp_error(pp, t->loc,
					 "__VA_ARGS__ can only appear in the expansion of a C99 "
					 "variadic macro");
				goto fail;
			}
			for (uint32_t i = 0; i < params.len; i++)
				if (params.data[i] == t->id) {
					pp_error(pp, t->loc, "duplicate macro parameter name '%s'",
						 t->id->name);
					goto fail;
				}
			vec_push(&params, t->id);
			lex_next(lx, t);
			if (t->kind == T_ELLIPSIS) { /* GNU named variadic: args... */
				m->variadic = true;
				lex_next(lx, t);
				if (t->kind != T_RPAREN) {
					pp_error(pp, t->loc, "missing ')' in macro parameter list");
					goto fail;
				}
				break;
			}
			if (t->kind == T_RPAREN)
				break;
			if (t->kind != T_COMMA) {
				pp_error(pp, t->loc, "expected comma in macro parameter list");
				goto fail;
			}
			lex_next(lx, t);
		}
	}
	m->nparams = (uint16_t)params.len;
	m->params = arena_newn(&pp->arena, struct pp_ident *, params.len + 1);
	if (params.len)
		memcpy(m->params, params.data, params.len * sizeof(*params.data));
	vec_free(&params);
	return true;
fail:
	vec_free(&params);
	return false;
}

void pp_define_directive(struct pp *pp, struct lexer *lx)
{
	struct tok t;
	lex_next(lx, &t);
	if (t.kind != T_IDENT) {
		pp_error(pp, t.loc, t.kind == T_EOD ? "macro name missing"
						    : "macro name must be an identifier");
		skip_line(lx, &t);
		return;
	}
	if (t.id->special == SP_DEFINED) {
		pp_error(pp, t.loc, "'defined' cannot be used as a macro name");
		skip_line(lx, &t);
		return;
	}
	struct pp_ident *name = t.id;
	struct pp_macro *m = arena_new(&pp->arena, struct pp_macro);
	m->name = name;
	m->loc = t.loc;
	lex_next(lx, &t);
	if (t.kind == T_LPAREN && !(t.flags & TF_SPACE)) {
		m->funclike = true;
		if (!parse_params(pp, lx, m, &t)) {
			skip_line(lx, &t);
			return;
		}
		lex_next(lx, &t);
	}
	tokvec body = { 0 };
	for (; t.kind != T_EOD; lex_next(lx, &t)) {
		t.flags &= (uint16_t)~TF_BOL;
		if (t.kind == T_IDENT) {
			int pi = m->funclike ? param_index(m, t.id) : -1;
			if (pi >= 0) {
				t.kind = T_PARAM;
				t.aux = (uint32_t)pi;
			} else if (t.id->special == SP_VA_ARGS) {
				pp_warning(pp, t.loc,
					   "__VA_ARGS__ can only appear in the expansion of a C99 "
					   "variadic macro");
			} else if (t.id->special == SP_VA_OPT) {
				if (m->variadic)
					m->has_va_opt = true;
				else
					pp_warning(pp, t.loc,
						   "__VA_OPT__ can only appear in the expansion of "
						   "a C++20 variadic macro");
			}
		} else if (t.kind == T_HASHHASH) {
			if (!body.len) {
				pp_error(pp, t.loc,
					 "'##' cannot appear at either end of a macro expansion");
				goto fail;
			}
			t.kind = T_PASTE;
		} else if (t.kind == T_HASH && m->funclike) {
			struct tok n;
			struct lexer save = *lx;
			lex_next(lx, &n);
			*lx = save;
			bool ok = n.kind == T_IDENT &&
				  (param_index(m, n.id) >= 0 ||
				   (n.id->special == SP_VA_OPT && m->variadic));
			if (!ok) {
				pp_error(pp, t.loc, "'#' is not followed by a macro parameter");
				goto fail;
			}
			t.aux = STRINGIFY_OP;
		}
		vec_push(&body, t);
	}
	if (body.len && vec_last(&body).kind == T_PASTE) {
		pp_error(pp, vec_last(&body).loc,
			 "'##' cannot appear at either end of a macro expansion");
		goto fail;
	}
	m->nbody = body.len;
	m->body = arena_newn(&pp->arena, struct tok, body.len + 1);
	if (body.len)
		memcpy(m->body, body.data, body.len * sizeof(struct tok));
	vec_free(&body);

	struct pp_macro *old = name->macro;
	if (old) {
		if (old->builtin) {
			pp_warning(pp, m->loc, "redefining builtin macro");
		} else if (!same_definition(old, m)) {
			pp_warning(pp, m->loc, "'%s' macro redefined", name->name);
			if (old->loc.file)
				pp_note(pp, old->loc, "previous definition is here");
		}
	} else if (!name->listed) {
		name->listed = 1;
		vec_push(&pp->all_macros, name);
	}
	name->macro = m;
	ident_mark_special(&pp->ids, name);
	return;
fail:
	vec_free(&body);
	skip_line(lx, &t);
}

void pp_undef_directive(struct pp *pp, struct lexer *lx)
{
	struct tok t;
	lex_next(lx, &t);
	if (t.kind != T_IDENT) {
		pp_error(pp, t.loc, t.kind == T_EOD ? "macro name missing"
						    : "macro name must be an identifier");
		skip_line(lx, &t);
		return;
	}
	if (t.id->special == SP_DEFINED) {
		pp_error(pp, t.loc, "'defined' cannot be used as a macro name");
	} else if (t.id->macro) {
		if (t.id->macro->builtin)
			pp_warning(pp, t.loc, "undefining builtin macro");
		t.id->macro = NULL;
	}
	lex_next(lx, &t);
	if (t.kind != T_EOD) {
		pp_warning(pp, t.loc, "extra tokens at end of #undef directive");
		skip_line(lx, &t);
	}
}

/* ---- helpers ---- */

struct tok pp_make_token(struct pp *pp, const char *s, size_t len, const struct tok *like)
{
	char *copy = arena_alloc(&pp->arena, len + 1);
	memcpy(copy, s, len);
	struct tok t;
	size_t used = lex_one(&pp->ids, &pp->arena, copy, len, &t);
	if (!used || used != len) {
		/* not one token: keep the text as a stray token */
		t.kind = T_OTHER;
		t.id = NULL;
		t.p = copy;
		t.len = (uint32_t)len;
	}
	t.flags = like ? like->flags & (TF_SPACE | TF_BOL) : 0;
	t.loc = like ? like->loc : (struct srcloc){ 0 };
	t.xloc = like ? like->xloc : t.loc;
	t.aux = 0;
	return t;
}

static bool is_literal(const struct tok *t)
{
	return t->kind == T_STRING || t->kind == T_CHAR;
}

void pp_stringify(struct pp *pp, const struct tok *toks, uint32_t n, struct buf *out)
{
	buf_putc(out, '"');
	for (uint32_t i = 0; i < n; i++) {
		const struct tok *t = &toks[i];
		if (t->kind == T_PLACEMARKER)
			continue;
		if (out->len > 1 && (t->flags & (TF_SPACE | TF_BOL)))
			buf_putc(out, ' ');
		if (is_literal(t) || (t->kind == T_OTHER && (t->flags & TF_STRAY_QUOTE))) {
			for (uint32_t k = 0; k < t->len; k++) {
				if (t->p[k] == '"' || t->p[k] == '\\')
					buf_putc(out, '\\');
				buf_putc(out, t->p[k]);
			}
		} else {
			buf_append(out, t->p, t->len);
		}
	}
	buf_putc(out, '"');
}

void pp_destringize(const struct tok *t, struct buf *out)
{
	const char *s = t->p, *e = t->p + t->len;
	while (s < e && *s != '"')
		s++; /* skip an encoding prefix */
	s++;
	e--;
	for (; s < e; s++) {
		if (*s == '\\' && s + 1 < e && (s[1] == '"' || s[1] == '\\'))
			s++;
		buf_putc(out, *s);
	}
}

static struct tok make_string_tok(struct pp *pp, const struct tok *toks, uint32_t n,
				  const struct tok *like)
{
	struct buf b = { 0 };
	pp_stringify(pp, toks, n, &b);
	struct tok t = pp_make_token(pp, (const char *)b.data, b.len, like);
	buf_free(&b);
	return t;
}

/* ---- arguments ---- */

struct macro_args {
	tokvec toks;          /* all argument tokens, back to back */
	uint32_t *start;      /* start[i], start[i + 1]: bounds of argument i */
	uint32_t n;
	tokvec *expanded;     /* pre-expanded arguments, computed on demand */
	bool *have_expanded;
	uint32_t rparen_line; /* __LINE__ in the body is the line of the closing ')' */
	bool va_omitted;      /* f(a) for f(a, ...): no variadic argument at all */
};

static void args_free(struct macro_args *a)
{
	vec_free(&a->toks);
	if (a->expanded)
		for (uint32_t i = 0; i < a->n; i++)
			vec_free(&a->expanded[i]);
	free(a->expanded);
	free(a->have_expanded);
	free(a->start);
}

/* Reads the arguments after '(' up to the matching ')'. */
static bool collect_args(struct pp *pp, struct pp_macro *m, const struct tok *name,
			 struct macro_args *a)
{
	VEC(uint32_t) starts = { 0 };
	vec_push(&starts, 0);
	int depth = 0;
	bool saved = pp->skipping_args;
	pp->skipping_args = true;
	for (;;) {
		struct tok t;
		bool from_file = pp_read_raw_from(pp, &t);
		if (t.kind == T_EOF || t.kind == T_EOD) {
			pp_error(pp, name->xloc, "unterminated function-like macro invocation");
			if (m->loc.file)
				pp_note(pp, m->loc, "macro '%s' defined here", m->name->name);
			if (t.kind == T_EOD || !from_file)
				pp_unread(pp, &t, from_file);
			pp->skipping_args = saved;
			vec_free(&starts);
			return false;
		}
		if (t.kind == T_LPAREN) {
			depth++;
		} else if (t.kind == T_RPAREN) {
			if (depth == 0) {
				a->rparen_line = t.loc.line;
				break;
			}
			depth--;
		} else if (t.kind == T_COMMA && depth == 0 &&
			   !(m->variadic && starts.len >= m->nparams)) {
			vec_push(&starts, a->toks.len);
			continue;
		}
		if (t.flags & TF_BOL) {
			t.flags &= (uint16_t)~TF_BOL;
			t.flags |= TF_SPACE;
		}
		vec_push(&a->toks, t);
	}
	pp->skipping_args = saved;
	vec_push(&starts, a->toks.len);
	a->n = starts.len - 1;
	a->start = starts.data;
	/* f() of a macro without parameters has no argument at all */
	if (m->nparams == 0 && a->n == 1 && a->toks.len == 0)
		a->n = 0;
	if (a->n < m->nparams) {
		if (m->variadic && a->n == (uint32_t)m->nparams - 1) {
			/* the variadic part is missing: an empty __VA_ARGS__ */
			vec_push(&starts, a->toks.len);
			a->va_omitted = true;
			a->start = starts.data;
			a->n++;
		} else {
			pp_error(pp, name->xloc,
				 "too few arguments provided to function-like macro invocation");
			if (m->loc.file)
				pp_note(pp, m->loc, "macro '%s' defined here", m->name->name);
			return false;
		}
	} else if (a->n > m->nparams) {
		pp_error(pp, name->xloc,
			 "too many arguments provided to function-like macro invocation");
		if (m->loc.file)
			pp_note(pp, m->loc, "macro '%s' defined here", m->name->name);
		return false;
	}
	a->expanded = xcalloc(a->n + 1, sizeof(*a->expanded));
	a->have_expanded = xcalloc(a->n + 1, sizeof(bool));
	return true;
}

static inline const struct tok *arg_toks(const struct macro_args *a, uint32_t i, uint32_t *n)
{
	*n = a->start[i + 1] - a->start[i];
	return a->toks.data ? a->toks.data + a->start[i] : NULL;
}

/* Fully macro-expands a token list (an argument before substitution). */
static void expand_list(struct pp *pp, const struct tok *in, uint32_t n, tokvec *out)
{
	struct tok *arr = xmalloc(sizeof(struct tok) * (n + 1));
	if (n)
		memcpy(arr, in, sizeof(struct tok) * n);
	memset(&arr[n], 0, sizeof(struct tok));
	arr[n].kind = T_EOF;
	uint32_t depth = pp->ctxs.len;
	pp_push_tokens(pp, arr, n + 1, NULL, true);
	bool saved_skip = pp->skipping_args;
	pp->skipping_args = false;
	for (;;) {
		struct tok t;
		pp_expand_next(pp, &t);
		if (t.kind == T_EOF)
			break;
		vec_push(out, t);
	}
	pp->skipping_args = saved_skip;
	while (pp->ctxs.len > depth) {
		struct pp_ctx c = vec_pop(&pp->ctxs);
		if (c.macro)
			c.macro->name->disabled--;
		if (c.owned)
			free(c.toks);
	}
}

void pp_define(struct pp *pp, const char *name, const char *value)
{
	char *text = arena_printf(&pp->arena, "%s %s", name, value ? value : "");
	struct lexer lx;
	lex_init(&lx, pp->builtin_file, text, strlen(text), &pp->ids, &pp->arena, NULL);
	lx.in_directive = true;
	pp_define_directive(pp, &lx);
}

const struct tok *pp_expand_tokens(struct pp *pp, const struct tok *in, uint32_t n, uint32_t *nout)
{
	tokvec v = { 0 };
	expand_list(pp, in, n, &v);
	struct tok *out = arena_newn(&pp->arena, struct tok, v.len + 1);
	if (v.len)
		memcpy(out, v.data, v.len * sizeof(*out));
	*nout = v.len;
	vec_free(&v);
	return out;
}

static const tokvec *expanded_arg(struct pp *pp, struct macro_args *a, uint32_t i)
{
	if (!a->have_expanded[i]) {
		uint32_t n;
		const struct tok *t = arg_toks(a, i, &n);
		expand_list(pp, t, n, &a->expanded[i]);
		a->have_expanded[i] = true;
	}
	return &a->expanded[i];
}

/* ---- substitution ---- */

static struct tok placemarker(const struct tok *like)
{
	struct tok t = *like;
	t.kind = T_PLACEMARKER;
	t.id = NULL;
	t.len = 0;
	return t;
}

static bool va_present(const struct pp_macro *m, const struct macro_args *a)
{
	uint32_t n;
	arg_toks(a, m->nparams - 1, &n);
	return n > 0;
}

/* Index of the ')' closing the __VA_OPT__ group whose '(' is at body[i]. */
static uint32_t va_opt_end(const struct tok *body, uint32_t n, uint32_t i)
{
	int depth = 0;
	for (; i < n; i++) {
		if (body[i].kind == T_LPAREN)
			depth++;
		else if (body[i].kind == T_RPAREN && --depth == 0)
			return i;
	}
	return n;
}

static void append(tokvec *out, const struct tok *t, uint32_t n, uint16_t first_space)
{
	for (uint32_t i = 0; i < n; i++) {
		struct tok x = t[i];
		if (i == 0)
			x.flags = (uint16_t)((x.flags & ~TF_SPACE) | first_space);
		vec_push(out, x);
	}
}

static void subst(struct pp *pp, struct pp_macro *m, struct macro_args *a, const struct tok *body,
		  uint32_t nbody, tokvec *out);

/* The tokens __VA_OPT__(…) at body[i] stands for; returns the index after ')'. */
static uint32_t subst_va_opt(struct pp *pp, struct pp_macro *m, struct macro_args *a,
			     const struct tok *body, uint32_t nbody, uint32_t i, tokvec *group)
{
	uint32_t open = i + 1;
	if (open >= nbody || body[open].kind != T_LPAREN) {
		pp_error(pp, body[i].loc, "missing '(' following __VA_OPT__");
		return i + 1;
	}
	uint32_t close = va_opt_end(body, nbody, open);
	if (close >= nbody) {
		pp_error(pp, body[i].loc, "unterminated __VA_OPT__");
		return nbody;
	}
	if (va_present(m, a))
		subst(pp, m, a, body + open + 1, close - open - 1, group);
	return close + 1;
}

static void subst(struct pp *pp, struct pp_macro *m, struct macro_args *a, const struct tok *body,
		  uint32_t nbody, tokvec *out)
{
	for (uint32_t i = 0; i < nbody; i++) {
		const struct tok *b = &body[i];
		bool after_paste = i > 0 && body[i - 1].kind == T_PASTE;
		bool before_paste = i + 1 < nbody && body[i + 1].kind == T_PASTE;
		uint16_t space = b->flags & TF_SPACE;

		if (b->kind == T_HASH && b->aux == STRINGIFY_OP && i + 1 < nbody) {
			const struct tok *p = &body[i + 1];
			struct tok s;
			if (p->kind == T_PARAM) {
				uint32_t n;
				const struct tok *at = arg_toks(a, p->aux, &n);
				s = make_string_tok(pp, at, n, b);
				i++;
			} else { /* #__VA_OPT__(…) */
				tokvec g = { 0 };
				i = subst_va_opt(pp, m, a, body, nbody, i + 1, &g) - 1;
				s = make_string_tok(pp, g.data, g.len, b);
				vec_free(&g);
			}
			s.flags = (uint16_t)((s.flags & ~TF_SPACE) | space);
			vec_push(out, s);
			continue;
		}
		if (b->kind == T_IDENT && b->id->special == SP_VA_OPT && m->has_va_opt) {
			tokvec g = { 0 };
			uint32_t next = subst_va_opt(pp, m, a, body, nbody, i, &g);
			bool pasting = after_paste || (next < nbody && body[next].kind == T_PASTE);
			if (g.len)
				append(out, g.data, g.len, space);
			else if (pasting)
				vec_push(out, placemarker(b));
			vec_free(&g);
			i = next - 1;
			continue;
		}
		if (b->kind == T_PARAM) {
			uint32_t n;
			const struct tok *at = arg_toks(a, b->aux, &n);
			bool is_va = m->variadic && b->aux == (uint32_t)m->nparams - 1;
			/* GNU: `, ## __VA_ARGS__` drops the comma when the variadic
			 * arguments are omitted (or empty with no named parameter,
			 * as clang does) and does not paste when there are some */
			if (is_va && after_paste && out->len >= 2 &&
			    vec_last(out).kind == T_PASTE && out->data[out->len - 2].kind == T_COMMA &&
			    i >= 2 && body[i - 2].kind == T_COMMA) {
				out->len--; /* the ## */
				if (!n && (a->va_omitted || m->nparams == 1)) {
					out->len--; /* the comma */
					continue;
				}
				if (n)
					append(out, at, n, space);
				continue;
			}
			if (after_paste || before_paste) {
				if (n)
					append(out, at, n, space);
				else
					vec_push(out, placemarker(b));
				continue;
			}
			const tokvec *e = expanded_arg(pp, a, b->aux);
			append(out, e->data, e->len, space);
			continue;
		}
		vec_push(out, *b);
	}
}

/* Glues lhs and rhs into one token; false when they don't form one. */
static bool paste(struct pp *pp, struct tok *lhs, const struct tok *rhs)
{
	if (rhs->kind == T_PLACEMARKER)
		return true;
	if (lhs->kind == T_PLACEMARKER) {
		uint16_t f = lhs->flags;
		*lhs = *rhs;
		lhs->flags = (uint16_t)((lhs->flags & ~TF_SPACE) | (f & TF_SPACE));
		return true;
	}
	size_t n = lhs->len + rhs->len;
	char *s = arena_alloc(&pp->arena, n + 1);
	memcpy(s, lhs->p, lhs->len);
	memcpy(s + lhs->len, rhs->p, rhs->len);
	struct tok t;
	size_t used = lex_one(&pp->ids, &pp->arena, s, n, &t);
	if (used != n || t.kind == T_EOD) {
		pp_error(pp, lhs->xloc, "pasting formed '%.*s', an invalid preprocessing token",
			 (int)n, s);
		return false;
	}
	t.flags = lhs->flags & (TF_SPACE | TF_MACRO);
	t.loc = lhs->loc;
	t.xloc = lhs->xloc;
	t.aux = 0;
	*lhs = t;
	return true;
}

static void do_pastes(struct pp *pp, tokvec *in, tokvec *out)
{
	for (uint32_t i = 0; i < in->len; i++) {
		struct tok *t = &in->data[i];
		if (t->kind == T_PASTE) {
			if (i + 1 >= in->len || !out->len)
				continue;
			struct tok *rhs = &in->data[++i];
			if (!paste(pp, &vec_last(out), rhs))
				vec_push(out, *rhs);
			continue;
		}
		vec_push(out, *t);
	}
}

/* Replaces the macro invocation `name` by its expansion, pushed as a context. */
static void push_expansion(struct pp *pp, struct pp_macro *m, const struct tok *name,
			   struct macro_args *a)
{
	tokvec raw = { 0 }, res = { 0 };
	subst(pp, m, a, m->body, m->nbody, &raw);
	bool any_paste = false;
	PP_EACH(&raw, t) if (t->kind == T_PASTE || t->kind == T_PLACEMARKER) any_paste = true;
	if (any_paste) {
		do_pastes(pp, &raw, &res);
		vec_free(&raw);
	} else {
		res = raw;
	}
	uint32_t k = 0;
	for (uint32_t i = 0; i < res.len; i++) {
		struct tok t = res.data[i];
		if (t.kind == T_PLACEMARKER)
			continue;
		if (t.kind == T_PARAM)
			t.kind = T_IDENT;
		if (t.kind == T_HASH)
			t.aux = 0;
		t.flags = (uint16_t)((t.flags & ~TF_BOL) | TF_MACRO);
		if (k == 0)
			t.flags = (uint16_t)((t.flags & ~TF_SPACE) | (name->flags & (TF_SPACE | TF_BOL)));
		t.xloc = name->xloc;
		res.data[k++] = t;
	}
	res.len = k;
	pp_push_tokens(pp, res.data, res.len, m, true);
}

/* ---- built-in macros ---- */

static struct tok number_tok(struct pp *pp, long long v, const struct tok *like)
{
	char s[32];
	int n = snprintf(s, sizeof(s), "%lld", v);
	struct tok t = pp_make_token(pp, s, (size_t)n, like);
	t.flags |= TF_MACRO;
	return t;
}

static struct tok string_tok(struct pp *pp, const char *text, const struct tok *like)
{
	struct buf b = { 0 };
	buf_putc(&b, '"');
	for (const char *p = text; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *p);
	}
	buf_putc(&b, '"');
	struct tok t = pp_make_token(pp, (const char *)b.data, b.len, like);
	t.flags |= TF_MACRO;
	buf_free(&b);
	return t;
}

static void push_one(struct pp *pp, struct tok t)
{
	struct tok *arr = xmalloc(sizeof(t));
	*arr = t;
	pp_push_tokens(pp, arr, 1, NULL, true);
}

static const char *presumed_file(struct pp *pp, uint32_t file)
{
	for (int i = (int)pp->sources.len - 1; i >= 0; i--)
		if (pp->sources.data[i]->lx.file == file)
			return pp->sources.data[i]->presumed;
	struct pp_source *s = pp_cur_source(pp);
	return s ? s->presumed : "";
}

static struct tm *build_time(struct pp *pp)
{
	static struct tm tm;
	time_t now;
	if (pp->opt.source_date_epoch >= 0) {
		now = (time_t)pp->opt.source_date_epoch;
		gmtime_r(&now, &tm);
	} else {
		now = time(NULL);
		localtime_r(&now, &tm);
	}
	return &tm;
}

/* Reads `( tokens )` for a function-like built-in; returns false after an error. */
static bool builtin_args(struct pp *pp, const struct tok *name, tokvec *args, bool expand)
{
	struct tok t;
	bool from_file = pp_read_raw_from(pp, &t);
	if (t.kind != T_LPAREN) {
		pp_error(pp, name->xloc, "missing '(' after '%s'", name->id->name);
		if (t.kind == T_EOD || t.kind == T_EOF)
			pp_unread(pp, &t, from_file);
		return false;
	}
	int depth = 0;
	for (;;) {
		if (expand)
			pp_expand_next(pp, &t);
		else
			from_file = pp_read_raw_from(pp, &t);
		if (t.kind == T_EOD || t.kind == T_EOF) {
			pp_error(pp, t.loc, "missing ')' after '%s'", name->id->name);
			pp_unread(pp, &t, from_file);
			return false;
		}
		if (t.kind == T_LPAREN)
			depth++;
		if (t.kind == T_RPAREN && depth-- == 0)
			return true;
		vec_push(args, t);
	}
}

/* __has_include(<a/b.h>) or ("a.h"), read raw: the name is not expanded when
 * written directly, and rebuilt from tokens when a macro produced it. */
static long has_include(struct pp *pp, const struct tok *name, bool next)
{
	struct tok t;
	bool from_file = pp_read_raw_from(pp, &t);
	if (t.kind != T_LPAREN) {
		pp_error(pp, name->xloc, "missing '(' after '%s'", name->id->name);
		pp_unread(pp, &t, from_file);
		return 0;
	}
	char *fname = NULL;
	bool angled = false;
	struct srcloc loc;
	struct pp_source *src = pp_cur_source(pp);
	bool direct = !pp->ctxs.len && !pp->have_file_pushback && src;
	if (!pp_read_include_name(pp, direct ? &src->lx : NULL, &fname, &angled, &loc))
		return 0;
	from_file = pp_read_raw_from(pp, &t);
	if (t.kind != T_RPAREN) {
		pp_error(pp, t.loc, "missing ')' after '%s'", name->id->name);
		if (t.kind == T_EOD || t.kind == T_EOF)
			pp_unread(pp, &t, from_file);
		free(fname);
		return 0;
	}
	if (next && pp->sources.len <= 1)
		pp_warning(pp, name->xloc, "#include_next in primary source file; will search "
					   "from start of include path");
	int32_t di;
	bool sys;
	struct pp_file *f = pp_find_include(pp, fname, strlen(fname), angled, next, &di, &sys);
	free(fname);
	return f != NULL;
}

/* __has_builtin(x) and friends: one identifier (or scope::name) in parentheses. */
static long has_feature_like(struct pp *pp, enum pp_special sp, const struct tok *name)
{
	tokvec args = { 0 };
	bool expand = sp == SP_HAS_ATTRIBUTE || sp == SP_HAS_C_ATTRIBUTE ||
		      sp == SP_HAS_DECLSPEC || sp == SP_HAS_CPP_ATTRIBUTE;
	if (!builtin_args(pp, name, &args, expand)) {
		vec_free(&args);
		return 0;
	}
	long v = 0;
	struct buf key = { 0 };
	bool ok = args.len >= 1 && (args.data[0].kind == T_IDENT || sp == SP_HAS_WARNING);
	if (sp == SP_HAS_WARNING) {
		/* every warning name is accepted by the driver */
		ok = args.len == 1 && args.data[0].kind == T_STRING;
		v = ok;
	} else if (ok && (sp == SP_HAS_C_ATTRIBUTE || sp == SP_HAS_CPP_ATTRIBUTE) &&
		   args.len == 4 && args.data[1].kind == T_COLON && args.data[2].kind == T_COLON &&
		   args.data[3].kind == T_IDENT) {
		const struct tok *scope = &args.data[0], *attr = &args.data[3];
		const char *sc = scope->id->name;
		size_t sl = scope->len;
		if (sl > 4 && !strncmp(sc, "__", 2) && !strncmp(sc + sl - 2, "__", 2)) {
			sc += 2;
			sl -= 4;
		}
		const char *an = attr->id->name;
		size_t al = attr->len;
		if (al > 4 && !strncmp(an, "__", 2) && !strncmp(an + al - 2, "__", 2)) {
			an += 2;
			al -= 4;
		}
		buf_printf(&key, "%.*s::%.*s", (int)sl, sc, (int)al, an);
		v = sp == SP_HAS_C_ATTRIBUTE
			    ? cfeature_value(CF_C_ATTRIBUTE, (const char *)key.data, key.len)
			    : 0;
	} else if (ok && args.len == 1) {
		const struct tok *x = &args.data[0];
		switch (sp) {
		case SP_HAS_BUILTIN:
			v = cfeature_value(CF_BUILTIN, x->p, x->len);
			break;
		case SP_HAS_ATTRIBUTE:
			v = cfeature_value(CF_ATTRIBUTE, x->p, x->len);
			break;
		case SP_HAS_C_ATTRIBUTE:
			v = cfeature_value(CF_C_ATTRIBUTE, x->p, x->len);
			break;
		case SP_HAS_DECLSPEC:
			v = cfeature_value(CF_DECLSPEC, x->p, x->len);
			break;
		case SP_HAS_FEATURE:
			v = cfeature_value(CF_FEATURE, x->p, x->len);
			break;
		case SP_HAS_EXTENSION:
			v = cfeature_value(CF_EXTENSION, x->p, x->len);
			break;
		case SP_IS_IDENTIFIER:
			v = x->id->kw == 0;
			break;
		default:
			v = 0;
		}
	} else if (!ok || args.len != 1) {
		if (sp == SP_IS_IDENTIFIER && args.len == 1)
			v = 0;
		else
			pp_error(pp, args.len ? args.data[0].loc : name->xloc,
				 "builtin feature check macro requires a parenthesized identifier");
	}
	buf_free(&key);
	vec_free(&args);
	return v;
}

static bool expand_builtin(struct pp *pp, struct tok *t)
{
	enum pp_special sp = t->id->special;
	struct tok r;
	char buf[64];
	uint32_t line = (t->flags & TF_MACRO) ? pp->outer_exp_line : t->loc.line;
	switch (sp) {
	case SP_PRAGMA_OP:
		pp_pragma_operator(pp, t);
		return true;
	case SP_FILE:
		r = string_tok(pp, presumed_file(pp, t->xloc.file), t);
		break;
	case SP_FILE_NAME: {
		const char *f = presumed_file(pp, t->xloc.file), *slash = strrchr(f, '/');
		r = string_tok(pp, slash ? slash + 1 : f, t);
		break;
	}
	case SP_BASE_FILE:
		r = string_tok(pp, pp->base_file ? pp->base_file : "", t);
		break;
	case SP_LINE:
		r = number_tok(pp, pp_presumed_line(pp, (struct srcloc){ t->xloc.file, line, 0 }), t);
		break;
	case SP_COUNTER:
		r = number_tok(pp, pp->counter++, t);
		break;
	case SP_INCLUDE_LEVEL:
		r = number_tok(pp, pp->sources.len ? (long long)pp->sources.len - 1 : 0, t);
		break;
	case SP_DATE:
		strftime(buf, sizeof(buf), "%b %e %Y", build_time(pp));
		r = string_tok(pp, buf, t);
		break;
	case SP_TIME:
		strftime(buf, sizeof(buf), "%H:%M:%S", build_time(pp));
		r = string_tok(pp, buf, t);
		break;
	case SP_TIMESTAMP:
		strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", build_time(pp));
		r = string_tok(pp, buf, t);
		break;
	case SP_HAS_INCLUDE:
	case SP_HAS_INCLUDE_NEXT:
		if (!pp->in_if) {
			pp_error(pp, t->xloc, "%s must be used within a preprocessing directive",
				 t->id->name);
			r = number_tok(pp, 0, t);
			break;
		}
		r = number_tok(pp, has_include(pp, t, sp == SP_HAS_INCLUDE_NEXT), t);
		break;
	case SP_HAS_EMBED:
		r = number_tok(pp, 0, t);
		break;
	default: {
		long v = has_feature_like(pp, sp, t);
		if (sp == SP_HAS_C_ATTRIBUTE && v > 1) {
			/* standard attributes answer a date: 201910L */
			int n = snprintf(buf, sizeof(buf), "%ldL", v);
			r = pp_make_token(pp, buf, (size_t)n, t);
		} else {
			r = number_tok(pp, v, t);
		}
		break;
	}
	}
	r.flags = (uint16_t)((r.flags & ~(TF_SPACE | TF_BOL)) | (t->flags & (TF_SPACE | TF_BOL)) |
			     TF_MACRO);
	r.xloc = t->xloc;
	push_one(pp, r);
	return true;
}

/* ---- entry ---- */

bool pp_try_expand(struct pp *pp, struct tok *t)
{
	struct pp_ident *id = t->id;
	struct pp_macro *m = id->macro;
	if (id->disabled) {
		t->flags |= TF_NOEXPAND;
		return false;
	}
	if (m->builtin)
		return expand_builtin(pp, t);
	struct macro_args a = { 0 };
	if (m->funclike) {
		struct tok next;
		bool saved = pp->skipping_args;
		pp->skipping_args = true; /* don't leave an #include'd file looking for '(' */
		bool from_file = pp_read_raw_from(pp, &next);
		pp->skipping_args = saved;
		if (next.kind != T_LPAREN) {
			if (!(next.kind == T_EOF && from_file))
				pp_unread(pp, &next, from_file);
			return false;
		}
		if (!collect_args(pp, m, t, &a)) {
			args_free(&a);
			t->flags |= TF_NOEXPAND;
			return false;
		}
	}
	if (pp->expansion_depth > 10000) {
		pp_error(pp, t->xloc, "macro expansion too deep");
		args_free(&a);
		return false;
	}
	uint32_t line = (t->flags & TF_MACRO) ? pp->outer_exp_line
					      : m->funclike ? a.rparen_line : t->loc.line;
	push_expansion(pp, m, t, &a);
	pp->outer_exp_line = line;
	args_free(&a);
	return true;
}
