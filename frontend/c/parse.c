/* The parser's driving loop and plumbing: tokens from the preprocessor (with
 * keywords recognised and pragmas handled as they stream by), diagnostics
 * with warning flags, scopes whose lookups are a pointer load on the
 * interned identifier, and error recovery. */
#include "frontend/c/cparse_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- tokens ---- */

/* Keyword spellings that mean the same thing (__inline__ is inline …). */
static uint16_t kw_canonical(uint16_t kw)
{
	switch (kw) {
	case T_GNU_ASM:
	case T_GNU_ASM2:
		return T_ASM;
	case T_ATTRIBUTE2:
		return T_ATTRIBUTE;
	case T_GNU_TYPEOF:
	case T_GNU_TYPEOF2:
		return T_TYPEOF;
	case T_GNU_TYPEOF_UNQUAL:
		return T_TYPEOF_UNQUAL;
	case T_GNU_INLINE:
	case T_GNU_INLINE2:
		return T_INLINE;
	case T_GNU_CONST:
	case T_GNU_CONST2:
		return T_CONST;
	case T_GNU_VOLATILE:
	case T_GNU_VOLATILE2:
		return T_VOLATILE;
	case T_GNU_RESTRICT:
	case T_GNU_RESTRICT2:
		return T_RESTRICT;
	case T_GNU_SIGNED:
	case T_GNU_SIGNED2:
		return T_SIGNED;
	case T_GNU_ALIGNOF:
	case T_GNU_ALIGNOF2:
		return T_ALIGNOF;
	case T_GNU_THREAD:
		return T_THREAD_LOCAL;
	case T_DECLSPEC: /* only a keyword with -fdeclspec */
		return T_IDENT;
	default:
		return kw;
	}
}

static void read_token(struct cparser *p, struct tok *t)
{
	for (;;) {
		if (p->lex) {
			lex_next(p->lex, t);
		} else if (p->arr) {
			if (p->arr_pos < p->arr_n) {
				*t = p->arr[p->arr_pos++];
			} else {
				struct srcloc l = p->arr_n ? p->arr[p->arr_n - 1].xloc : (struct srcloc){ 0 };
				*t = (struct tok){ .kind = T_EOF, .loc = l, .xloc = l };
			}
		} else {
			pp_next(p->pp, t);
			if (t->kind == T_PRAGMA) {
				cp_pragma(p, t);
				continue;
			}
		}
		if (t->kind == T_IDENT && t->id->kw)
			t->kind = kw_canonical(t->id->kw);
		return;
	}
}

void cp_save_tokens(const struct cparser *p, struct cp_tokstate *s)
{
	s->tok = p->tok;
	memcpy(s->ahead, p->ahead, sizeof(s->ahead));
	s->nahead = p->nahead;
	s->prev_len = p->prev_len;
	s->prev_loc = p->prev_loc;
	s->arr = p->arr;
	s->arr_pos = p->arr_pos;
	s->arr_n = p->arr_n;
	s->lex = p->lex;
}

void cp_restore_tokens(struct cparser *p, const struct cp_tokstate *s)
{
	p->tok = s->tok;
	memcpy(p->ahead, s->ahead, sizeof(s->ahead));
	p->nahead = s->nahead;
	p->prev_len = s->prev_len;
	p->prev_loc = s->prev_loc;
	p->arr = s->arr;
	p->arr_pos = s->arr_pos;
	p->arr_n = s->arr_n;
	p->lex = s->lex;
}

void cp_next(struct cparser *p)
{
	p->ntok++;
	p->prev_loc = p->tok.xloc;
	p->prev_len = (p->tok.flags & TF_MACRO) ? 0 : p->tok.len;
	if (p->nahead) {
		p->tok = p->ahead[0];
		memmove(p->ahead, p->ahead + 1, --p->nahead * sizeof(p->ahead[0]));
		return;
	}
	read_token(p, &p->tok);
}

const struct tok *cp_peek(struct cparser *p, uint32_t n)
{
	W_ASSERT(n >= 1 && n <= ARRAY_LEN(p->ahead));
	while (p->nahead < n)
		read_token(p, &p->ahead[p->nahead++]);
	return &p->ahead[n - 1];
}

bool cp_accept(struct cparser *p, enum tok_kind k)
{
	if (p->tok.kind != k)
		return false;
	cp_next(p);
	return true;
}

struct srcloc cp_after_prev(const struct cparser *p)
{
	struct srcloc l = p->prev_loc;
	if (l.line && p->prev_len)
		l.col += p->prev_len;
	return l;
}

const char *cp_tok_text(struct cparser *p, const struct tok *t)
{
	if (t->kind == T_EOF)
		return "end of file";
	return arena_strndup(p->a, t->p, t->len);
}

bool cp_expect(struct cparser *p, enum tok_kind k, const char *after)
{
	if (cp_accept(p, k))
		return true;
	const char *sp = tok_kind_spelling(k);
	if (k == T_SEMI && after) {
		cp_error(p, cp_after_prev(p), "expected ';' after %s", after);
	} else if (sp) {
		if (k == T_RPAREN || k == T_RBRACKET || k == T_SEMI || k == T_RBRACE || k == T_COMMA)
			cp_error(p, cp_after_prev(p), "expected '%s'", sp);
		else
			cp_error(p, cp_loc(p), "expected '%s'", sp);
	} else {
		cp_error(p, cp_loc(p), "expected %s", tok_kind_name(k));
	}
	return false;
}

/* Skips to a token that can restart parsing: past a ';' (when asked) or to a
 * '}' / ',' at the current nesting level. */
void cp_skip_to(struct cparser *p, bool stop_at_semi, bool stop_at_comma)
{
	int depth = 0;
	for (;;) {
		switch (p->tok.kind) {
		case T_EOF:
			return;
		case T_LPAREN:
		case T_LBRACKET:
		case T_LBRACE:
			depth++;
			break;
		case T_RPAREN:
		case T_RBRACKET:
			if (depth == 0)
				return;
			depth--;
			break;
		case T_RBRACE:
			if (depth == 0)
				return;
			depth--;
			if (depth == 0 && stop_at_semi && !stop_at_comma) {
				cp_next(p);
				return;
			}
			break;
		case T_SEMI:
			if (depth == 0 && stop_at_semi) {
				cp_next(p);
				return;
			}
			break;
		case T_COMMA:
			if (depth == 0 && stop_at_comma)
				return;
			break;
		default:
			break;
		}
		cp_next(p);
	}
}

void cp_skip_balanced(struct cparser *p)
{
	int depth = 0;
	do {
		if (cp_is(p, T_LPAREN) || cp_is(p, T_LBRACKET) || cp_is(p, T_LBRACE))
			depth++;
		else if (cp_is(p, T_RPAREN) || cp_is(p, T_RBRACKET) || cp_is(p, T_RBRACE))
			depth--;
		else if (cp_is(p, T_EOF))
			return;
		cp_next(p);
	} while (depth > 0);
}

/* ---- diagnostics ---- */

void cp_error(struct cparser *p, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pp_vreport(p->pp, DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

static const char *const warn_flags[CW_COUNT] = {
#define WARN(id, flag, on) [CW_##id] = flag,
#include "frontend/c/cwarnings.def"
#undef WARN
};

bool cp_warn_enabled(const struct cparser *p, enum cwarn w)
{
	return p->warn[w] != 0 && !p->opt.no_warnings;
}

void cp_warn(struct cparser *p, enum cwarn w, struct srcloc loc, const char *fmt, ...)
{
	if (!cp_warn_enabled(p, w)) {
		p->diag->suppress_notes = true;
		return;
	}
	struct buf b = { 0 };
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	buf_printf(&b, " [-W%s]", warn_flags[w]);
	if (p->warn[w] == 2)
		pp_error(p->pp, loc, "%s", buf_cstr(&b));
	else
		pp_warning(p->pp, loc, "%s", buf_cstr(&b));
	buf_free(&b);
}

void cp_note(struct cparser *p, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pp_vreport(p->pp, DIAG_NOTE, loc, fmt, ap);
	va_end(ap);
}

const char *cp_type(struct cparser *p, const struct ctype *t)
{
	const char *s = ctype_str(p->tu, t);
	bool sugared = false;
	for (const struct ctype *u = t; u; u = u->kind == TY_PTR ? u->u.pointee
					  : u->kind == TY_ARRAY ? u->u.arr.elem
								: NULL)
		if (u->sugar == CS_TYPEDEF || (u->sugar == CS_QUAL && u->base->sugar == CS_TYPEDEF))
			sugared = true;
	if (!sugared)
		return arena_printf(p->a, "'%s'", s);
	const char *c = ctype_str(p->tu, t->canon);
	if (!strcmp(c, s))
		return arena_printf(p->a, "'%s'", s);
	return arena_printf(p->a, "'%s' (aka '%s')", s, c);
}

/* -W flags: "no-x", "x", "error=x", "no-error=x", "all", "everything". */
static void set_warning_flags(struct cparser *p)
{
	for (int i = 0; i < CW_COUNT; i++)
		p->warn[i] = 0;
#define WARN(id, flag, on) p->warn[CW_##id] = on;
#include "frontend/c/cwarnings.def"
#undef WARN
	for (uint32_t i = 0; i < p->opt.nwflags; i++) {
		const char *f = p->opt.wflags[i];
		uint8_t val = 1;
		if (!strncmp(f, "no-", 3)) {
			f += 3;
			val = 0;
		}
		if (!strncmp(f, "error=", 6)) {
			f += 6;
			val = val ? 2 : 1;
		}
		if (!strcmp(f, "all") || !strcmp(f, "extra") || !strcmp(f, "everything")) {
			if (val)
				for (int w = 0; w < CW_COUNT; w++)
					if (!p->warn[w] && w != CW_GNU && w != CW_POINTER_ARITH)
						p->warn[w] = 1;
			continue;
		}
		for (int w = 0; w < CW_COUNT; w++)
			if (!strcmp(warn_flags[w], f) ||
			    (!strncmp(warn_flags[w], f, strlen(f)) && warn_flags[w][strlen(f)] == '-'))
				p->warn[w] = val;
	}
}

/* ---- scopes ---- */

static struct cbinding *new_binding(struct cparser *p)
{
	struct cbinding *b = p->free_bindings;
	if (b) {
		p->free_bindings = b->next;
		memset(b, 0, sizeof(*b));
		return b;
	}
	return CP_NEW(p, struct cbinding);
}

void cp_scope_push(struct cparser *p, struct cscope *s)
{
	memset(s, 0, sizeof(*s));
	s->parent = p->scope;
	s->depth = p->scope ? p->scope->depth + 1 : 0;
	p->scope = s;
}

void cp_scope_pop(struct cparser *p)
{
	struct cscope *s = p->scope;
	for (struct cbinding *b = s->bindings, *next; b; b = next) {
		next = b->next;
		if (b->is_tag)
			b->id->bind_tag = b->shadow;
		else
			b->id->bind_ord = b->shadow;
		b->next = p->free_bindings;
		p->free_bindings = b;
	}
	p->scope = s->parent;
}

static struct cbinding *bind(struct cparser *p, struct pp_ident *id, bool tag)
{
	struct cbinding **head = tag ? &id->bind_tag : &id->bind_ord;
	struct cbinding *b;
	/* a lazily parsed enum binds at file scope under the blocks it is
	 * parsed from (parse_lazy.c) */
	if (p->scope->depth == 0)
		while (*head && (*head)->depth > 0)
			head = &(*head)->shadow;
	if (*head && (*head)->depth == p->scope->depth) {
		b = *head; /* rebinding in the same scope (redeclaration) */
		return b;
	}
	b = new_binding(p);
	b->id = id;
	b->is_tag = tag;
	b->depth = p->scope->depth;
	b->shadow = *head;
	b->next = p->scope->bindings;
	p->scope->bindings = b;
	*head = b;
	return b;
}

void cp_bind(struct cparser *p, struct pp_ident *id, struct cdecl *d)
{
	bind(p, id, false)->decl = d;
}

void cp_bind_tag(struct cparser *p, struct pp_ident *id, struct ctype *t)
{
	bind(p, id, true)->tag = t;
}

/* Binds at file scope whatever the current scope (BTF materialisation,
 * implicit declarations). */
static void bind_file_scope(struct cparser *p, struct pp_ident *id, bool tag, void *what)
{
	struct cscope *saved = p->scope;
	struct cbinding **head = tag ? &id->bind_tag : &id->bind_ord;
	/* insert below any block-scope bindings of the same name */
	struct cbinding **link = head;
	while (*link && (*link)->depth > 0)
		link = &(*link)->shadow;
	if (*link)
		return; /* the program's own file-scope declaration wins */
	struct cbinding *b = new_binding(p);
	b->id = id;
	b->is_tag = tag;
	b->depth = 0;
	b->shadow = NULL;
	b->next = p->file_scope.bindings;
	p->file_scope.bindings = b;
	if (tag)
		b->tag = what;
	else
		b->decl = what;
	*link = b;
	p->scope = saved;
}

void cp_bind_file_scope(struct cparser *p, struct pp_ident *id, struct cdecl *d)
{
	bind_file_scope(p, id, false, d);
}

void cp_bind_tag_file_scope(struct cparser *p, struct pp_ident *id, struct ctype *t)
{
	bind_file_scope(p, id, true, t);
}

/* A lazily parsed record body sees the file scope and its own inner
 * scopes, not the blocks it happens to be completed from. */
static struct cbinding *visible(const struct cparser *p, struct cbinding *b)
{
	if (p->file_view)
		while (b && b->depth > 0 && b->depth <= p->view_floor)
			b = b->shadow;
	return b;
}

struct cbinding *cp_lookup_binding(struct cparser *p, struct pp_ident *id)
{
	struct cbinding *b = visible(p, id->bind_ord);
	if (!b && p->pending_count) {
		cp_pending_name(p, id);
		b = visible(p, id->bind_ord);
	}
	if (!b && p->btf_on && cbtf_lookup_ordinary(p, id))
		return visible(p, id->bind_ord);
	return b;
}

struct cdecl *cp_lookup(struct cparser *p, struct pp_ident *id)
{
	struct cbinding *b = cp_lookup_binding(p, id);
	return b ? b->decl : NULL;
}

struct ctype *cp_lookup_tag(struct cparser *p, struct pp_ident *id, bool current_only)
{
	struct cbinding *b = visible(p, id->bind_tag);
	if (current_only && p->scope->depth > 0)
		return b && b->depth == p->scope->depth ? b->tag : NULL;
	if (current_only && b && b->depth > 0)
		return NULL;
	if (!b && p->btf_on)
		return cbtf_lookup_tag(p, id);
	return b ? b->tag : NULL;
}

void cp_note_incomplete(struct cparser *p, const struct ctype *t)
{
	while (t->kind == TY_ARRAY)
		t = t->u.arr.elem;
	if ((t->kind == TY_STRUCT || t->kind == TY_UNION) && t->u.rec->tag &&
	    !(t->u.rec->flags & (CRF_COMPLETE | CRF_FROM_BTF)))
		cp_note(p, t->u.rec->loc, "forward declaration of '%s %s'",
			t->kind == TY_STRUCT ? "struct" : "union", t->u.rec->tag->name);
	else if (t->kind == TY_ENUM && t->u.en->tag && !t->u.en->complete && !t->u.en->from_btf)
		cp_note(p, t->u.en->loc, "forward declaration of 'enum %s'", t->u.en->tag->name);
}

bool cp_is_typedef_name(struct cparser *p, const struct tok *t)
{
	if (t->kind != T_IDENT)
		return false;
	struct cdecl *d = cp_lookup(p, t->id);
	return d && d->kind == CD_TYPEDEF;
}

void *cp_dup(struct cparser *p, const void *src, size_t n)
{
	return n ? arena_memdup(p->a, src, n) : NULL;
}

/* ---- the unit ---- */

/* The typedefs clang declares before the first line. */
static void predeclare(struct cparser *p)
{
	static const struct {
		const char *name;
		int kind; /* enum ctype_kind, or -1 for the va_list type */
	} builtin_typedefs[] = {
		{ "__builtin_va_list", -1 },
		{ "__int128_t", TY_INT128 },
		{ "__uint128_t", TY_UINT128 },
	};
	for (size_t i = 0; i < ARRAY_LEN(builtin_typedefs); i++) {
		const char *n = builtin_typedefs[i].name;
		struct pp_ident *id = ident_intern(pp_idents(p->pp), n, strlen(n));
		int k = builtin_typedefs[i].kind;
		struct cdecl *td = cs_new_decl(p, CD_TYPEDEF, id, (struct srcloc){ 0 },
					       k < 0 ? p->tu->va_list_type : p->tu->ty[k]);
		td->storage = CSC_TYPEDEF;
		td->flags |= CDF_BUILTIN;
		cp_bind(p, id, td);
	}
}

struct ctu *cparse_unit(struct pp *pp, struct diag *d, const struct cparse_options *o)
{
	struct cparser *p = xcalloc(1, sizeof(*p));
	p->pp = pp;
	p->diag = d;
	p->tu = ctu_new(d->sm);
	p->a = &p->tu->arena;
	if (o)
		p->opt = *o;
	set_warning_flags(p);
	cp_scope_push(p, &p->file_scope);
	p->scope = &p->file_scope;
	predeclare(p);
	pp_set_include_hook(pp, cbtf_include_hook, p);
	if (p->opt.btf_types) {
		int err = 0;
		p->btf = cbtf_open(p->tu, pp_idents(pp), p->opt.btf_path, &err);
		p->tu->btf = p->btf;
		p->btf_on = p->btf != NULL;
		if (!p->btf)
			pp_error(pp, (struct srcloc){ 0 }, "cannot read kernel BTF from '%s': %s",
				 p->opt.btf_path ? p->opt.btf_path : "/sys/kernel/btf/vmlinux",
				 err == -EINVAL ? "not a valid BTF file" : strerror(-err));
	}
	cp_next(p);
	while (!cp_is(p, T_EOF) && !d->limit_reached) {
		uint64_t before = p->ntok;
		cp_parse_external(p);
		/* recovery must move on, or a fatal error (which stops the
		 * counting) would leave us here forever */
		if (p->ntok == before)
			cp_next(p);
	}
	if (!d->limit_reached)
		cs_end_unit(p);
	/* drain the preprocessor so its end-of-file checks run */
	while (!cp_is(p, T_EOF))
		cp_next(p);
	pp_set_include_hook(pp, NULL, NULL);
	struct ctu *tu = p->tu;
	vec_free(&p->labels);
	vec_free(&p->cases);
	vec_free(&p->attr_stack);
	vec_free(&p->hint_recs);
	vec_free(&p->hint_pragmas);
	vec_free(&p->pack_stack);
	for (uint32_t i = 0; i < p->warn_stack.len; i++)
		free(p->warn_stack.data[i]);
	vec_free(&p->warn_stack);
	vec_free(&p->scratch);
	bool lazy_left = false;
	for (uint32_t i = 0; i < p->lazy_records.len && !lazy_left; i++)
		lazy_left = p->lazy_records.data[i]->flags & CRF_LAZY_BODY;
	for (uint32_t i = 0; i < p->lazy_enums.len && !lazy_left; i++)
		lazy_left = p->lazy_enums.data[i]->lazy_body != NULL;
	if (lazy_left) {
		/* file-scope names stay bound for the bodies still to parse */
		tu->parser = p;
		return tu;
	}
	cparse_parser_free(p);
	return tu;
}

void cparse_parser_free(struct cparser *p)
{
	if (!p)
		return;
	/* the file scope's bindings are left in the preprocessor's identifiers:
	 * unbinding tens of thousands of vmlinux.h names costs more than the
	 * rest of freeing, and the preprocessor is freed next (ctu_free) */
	vec_free(&p->lazy_records);
	vec_free(&p->lazy_enums);
	free(p->pending);
	free(p);
}

