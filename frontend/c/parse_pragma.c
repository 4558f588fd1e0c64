/* Pragmas the parser acts on, handled as their annotation tokens stream by:
 * #pragma clang attribute push/pop (vmlinux.h's preserve_access_index),
 * loop hints kept for the next loop (#pragma unroll, nounroll, clang loop),
 * #pragma GCC/clang diagnostic and #pragma pack. */
#include "frontend/c/cparse_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The parser's token state, saved while it reads a pragma's own tokens. */
struct tokstate {
	struct tok tok, ahead[4];
	uint32_t nahead, prev_len;
	struct srcloc prev_loc;
	const struct tok *arr;
	uint32_t arr_pos, arr_n;
};

static void save(struct cparser *p, struct tokstate *s)
{
	s->tok = p->tok;
	memcpy(s->ahead, p->ahead, sizeof(s->ahead));
	s->nahead = p->nahead;
	s->prev_len = p->prev_len;
	s->prev_loc = p->prev_loc;
	s->arr = p->arr;
	s->arr_pos = p->arr_pos;
	s->arr_n = p->arr_n;
}

static void restore(struct cparser *p, const struct tokstate *s)
{
	p->tok = s->tok;
	memcpy(p->ahead, s->ahead, sizeof(s->ahead));
	p->nahead = s->nahead;
	p->prev_len = s->prev_len;
	p->prev_loc = s->prev_loc;
	p->arr = s->arr;
	p->arr_pos = s->arr_pos;
	p->arr_n = s->arr_n;
}

/* Points the parser at toks[from..n). */
static void read_array(struct cparser *p, const struct tok *toks, uint32_t from, uint32_t n)
{
	p->arr = toks;
	p->arr_pos = from;
	p->arr_n = n;
	p->nahead = 0;
	cp_next(p);
}

static bool word_is(const struct tok *t, const char *w)
{
	return t->id && strlen(w) == t->len && !memcmp(t->p, w, t->len);
}

static bool number(const struct tok *t, uint64_t *v)
{
	if (t->kind != T_NUMBER)
		return false;
	char buf[32];
	if (t->len >= sizeof(buf))
		return false;
	memcpy(buf, t->p, t->len);
	buf[t->len] = 0;
	char *end;
	*v = strtoull(buf, &end, 0);
	while (*end == 'u' || *end == 'U' || *end == 'l' || *end == 'L')
		end++;
	return *end == 0;
}

/* ---- #pragma clang attribute ---- */

static uint32_t subject_bit(const struct tok *t)
{
	static const struct {
		const char *name;
		uint32_t bits;
	} subjects[] = {
		{ "record", AW_RECORD },
		{ "function", AW_FUNC },
		{ "variable", AW_VAR },
		{ "enum", AW_ENUM },
		{ "field", AW_MEMBER },
		{ "type_alias", AW_TYPEDEF },
		{ "enum_constant", AW_ENUMERATOR },
		{ "hasType", AW_VAR | AW_FUNC },
	};
	for (size_t i = 0; i < ARRAY_LEN(subjects); i++)
		if (word_is(t, subjects[i].name))
			return subjects[i].bits;
	return 0;
}

static void pragma_attribute(struct cparser *p, const struct pp_pragma *pr)
{
	uint32_t i = 2; /* after "clang attribute" */
	const struct tok *t = pr->toks;
	uint32_t n = pr->ntoks;
	/* an optional namespace: `ns.push` */
	if (i + 1 < n && t[i].kind == T_IDENT && t[i + 1].kind == T_DOT)
		i += 2;
	if (i < n && word_is(&t[i], "pop")) {
		if (!p->attr_stack.len)
			cp_error(p, t[i].xloc, "'#pragma clang attribute pop' with no matching "
					       "'#pragma clang attribute push'");
		else
			p->attr_stack.len--;
		return;
	}
	bool push = false;
	if (i < n && word_is(&t[i], "push")) {
		push = true;
		i++;
	}
	if (i >= n) {
		if (push) {
			struct pragma_attr pa = { 0 };
			vec_push(&p->attr_stack, pa);
			return;
		}
		cp_error(p, pr->loc, "expected 'push', 'pop', or '(' after '#pragma clang attribute'");
		return;
	}
	struct tokstate st;
	save(p, &st);
	read_array(p, t, i, n);
	struct cattr *list = NULL;
	uint32_t subjects = 0;
	bool ok = cp_expect(p, T_LPAREN, NULL);
	if (ok) {
		if (!cp_at_attribute(p)) {
			cp_error(p, cp_loc(p), "expected '__attribute__' after '('");
			ok = false;
		} else {
			cp_parse_attributes(p, &list);
		}
	}
	if (ok && !cp_accept(p, T_COMMA)) {
		cp_error(p, cp_loc(p), "expected ','");
		ok = false;
	}
	if (ok && !(p->tok.id && word_is(&p->tok, "apply_to"))) {
		cp_error(p, cp_loc(p), "expected attribute subject set specifier 'apply_to'");
		ok = false;
	}
	if (ok) {
		cp_next(p);
		ok = cp_expect(p, T_ASSIGN, NULL);
	}
	/* record | any(record, function(is_global) …) */
	while (ok && !cp_is(p, T_EOF) && !cp_is(p, T_RPAREN)) {
		if (p->tok.id && word_is(&p->tok, "any")) {
			cp_next(p);
			ok = cp_expect(p, T_LPAREN, NULL);
			int depth = 1;
			while (ok && depth && !cp_is(p, T_EOF)) {
				if (cp_is(p, T_LPAREN))
					depth++;
				else if (cp_is(p, T_RPAREN))
					depth--;
				else if (depth == 1)
					subjects |= subject_bit(&p->tok);
				cp_next(p);
			}
		} else {
			uint32_t b = subject_bit(&p->tok);
			if (!b) {
				cp_error(p, cp_loc(p), "unknown attribute subject rule '%s'",
					 cp_tok_text(p, &p->tok));
				ok = false;
				break;
			}
			subjects |= b;
			cp_next(p);
			if (cp_is(p, T_LPAREN)) /* a sub-rule: variable(is_global) */
				cp_skip_balanced(p);
		}
	}
	if (ok && !cp_accept(p, T_RPAREN))
		cp_error(p, cp_loc(p), "expected ')'");
	restore(p, &st);
	if (!ok)
		return;
	for (struct cattr *a = list; a; a = a->next)
		a->from_pragma = true;
	if (push || !p->attr_stack.len) {
		if (!push) {
			cp_error(p, pr->loc, "'#pragma clang attribute' attribute with no matching "
					     "'#pragma clang attribute push'");
			return;
		}
		struct pragma_attr pa = { list, subjects, true };
		vec_push(&p->attr_stack, pa);
	} else {
		struct pragma_attr *top = &vec_last(&p->attr_stack);
		cp_attr_append(&top->attr, list);
		top->subjects |= subjects;
		top->active = true;
	}
}

void cp_apply_pragma_attrs(struct cparser *p, uint32_t where, struct cattr **list)
{
	for (uint32_t i = 0; i < p->attr_stack.len; i++) {
		struct pragma_attr *pa = &p->attr_stack.data[i];
		if (!pa->active || !(pa->subjects & where))
			continue;
		for (struct cattr *a = pa->attr; a; a = a->next) {
			struct cattr *c = CP_NEW(p, struct cattr);
			*c = *a;
			c->next = NULL;
			cp_attr_append(list, c);
		}
	}
}

/* ---- loop hints ---- */

static void set_hint(struct cparser *p, const struct pp_pragma *pr, uint8_t unroll, uint32_t count)
{
	if (!p->have_hint)
		memset(&p->hint, 0, sizeof(p->hint));
	p->have_hint = true;
	p->hint.unroll = unroll;
	p->hint.count = count;
	p->hint.loc = pr->loc;
}

static void pragma_unroll(struct cparser *p, const struct pp_pragma *pr)
{
	if (pr->kind == PRAGMA_NOUNROLL) {
		set_hint(p, pr, CU_DISABLE, 0);
		return;
	}
	const struct tok *t = pr->toks;
	uint32_t i = 1, n = pr->ntoks;
	bool paren = i < n && t[i].kind == T_LPAREN;
	if (paren)
		i++;
	uint64_t v;
	if (i < n && number(&t[i], &v)) {
		if (v == 0 || v > UINT32_MAX) {
			cp_error(p, t[i].xloc, "invalid value '%" PRIu64 "'; must be positive", v);
			return;
		}
		set_hint(p, pr, CU_COUNT, (uint32_t)v);
		return;
	}
	if (i < n && !paren) {
		cp_error(p, t[i].xloc, "expected integer constant expression in '#pragma unroll'");
		return;
	}
	set_hint(p, pr, CU_FULL, 0);
}

static void pragma_loop(struct cparser *p, const struct pp_pragma *pr)
{
	const struct tok *t = pr->toks;
	uint32_t n = pr->ntoks;
	if (!p->have_hint) {
		memset(&p->hint, 0, sizeof(p->hint));
		p->hint.loc = pr->loc;
	}
	p->have_hint = true;
	for (uint32_t i = 2; i < n; i++) {
		const struct tok *opt = &t[i];
		if (!opt->id || i + 2 >= n || t[i + 1].kind != T_LPAREN) {
			cp_error(p, opt->xloc, "missing option; expected vectorize, vectorize_width, "
					       "interleave, interleave_count, unroll, unroll_count, "
					       "pipeline, pipeline_initiation_interval, distribute, "
					       "or vectorize_predicate");
			return;
		}
		const struct tok *arg = &t[i + 2];
		uint64_t v = 0;
		bool is_num = number(arg, &v);
		uint8_t state = word_is(arg, "enable") || word_is(arg, "assume_safety") ? 1
				: word_is(arg, "disable")				 ? 2
				: word_is(arg, "full")					 ? 3
											 : 0;
		if (word_is(opt, "unroll")) {
			p->hint.unroll = state == 1 ? CU_ENABLE : state == 2 ? CU_DISABLE : CU_FULL;
			if (!state)
				goto bad_arg;
		} else if (word_is(opt, "unroll_count")) {
			if (!is_num || !v)
				goto bad_arg;
			p->hint.unroll = CU_COUNT;
			p->hint.count = (uint32_t)v;
		} else if (word_is(opt, "vectorize")) {
			p->hint.vectorize = state == 2 ? 2 : 1;
		} else if (word_is(opt, "interleave")) {
			p->hint.interleave = state == 2 ? 2 : 1;
		} else if (word_is(opt, "distribute")) {
			p->hint.distribute = state == 2 ? 2 : 1;
		} else if (!word_is(opt, "vectorize_width") && !word_is(opt, "interleave_count") &&
			   !word_is(opt, "pipeline") && !word_is(opt, "pipeline_initiation_interval") &&
			   !word_is(opt, "vectorize_predicate")) {
			cp_error(p, opt->xloc, "invalid option '%.*s'; expected vectorize, "
					       "vectorize_width, interleave, interleave_count, unroll, "
					       "unroll_count, pipeline, pipeline_initiation_interval, "
					       "distribute, or vectorize_predicate",
				 (int)opt->len, opt->p);
			return;
		}
		/* skip to the closing parenthesis */
		for (i += 2; i < n && t[i].kind != T_RPAREN; i++)
			;
		continue;
	bad_arg:
		cp_error(p, arg->xloc, "invalid argument; expected 'enable', 'full' or 'disable'");
		return;
	}
}

/* ---- diagnostics and pack ---- */

static void pragma_diagnostic(struct cparser *p, const struct pp_pragma *pr)
{
	const struct tok *t = pr->toks;
	uint32_t n = pr->ntoks;
	if (n < 3)
		return;
	const struct tok *verb = &t[2];
	if (word_is(verb, "push")) {
		uint8_t *copy = xmalloc(CW_COUNT);
		memcpy(copy, p->warn, CW_COUNT);
		vec_push(&p->warn_stack, copy);
		return;
	}
	if (word_is(verb, "pop")) {
		if (!p->warn_stack.len) {
			cp_warn(p, CW_UNKNOWN_PRAGMAS, verb->xloc,
				"pragma diagnostic pop could not pop, no matching push");
			return;
		}
		uint8_t *top = vec_pop(&p->warn_stack);
		memcpy(p->warn, top, CW_COUNT);
		free(top);
		return;
	}
	uint8_t val;
	if (word_is(verb, "ignored"))
		val = 0;
	else if (word_is(verb, "warning"))
		val = 1;
	else if (word_is(verb, "error"))
		val = 2;
	else
		return; /* clang: -Wunknown-pragmas, off by default */
	if (n < 4 || t[3].kind != T_STRING)
		return;
	const char *s = t[3].p + 1;
	size_t len = t[3].len >= 2 ? t[3].len - 2 : 0;
	if (len < 2 || s[0] != '-' || s[1] != 'W')
		return;
	char name[128];
	size_t l = len - 2 < sizeof(name) - 1 ? len - 2 : sizeof(name) - 1;
	memcpy(name, s + 2, l);
	name[l] = 0;
	static const char *const names[CW_COUNT] = {
#define WARN(id, flag, on) [CW_##id] = flag,
#include "frontend/c/cwarnings.def"
#undef WARN
	};
	for (int w = 0; w < CW_COUNT; w++)
		if (!strcmp(names[w], name))
			p->warn[w] = val;
}

static void pragma_pack(struct cparser *p, const struct pp_pragma *pr)
{
	const struct tok *t = pr->toks;
	uint32_t n = pr->ntoks, i = 1;
	if (i >= n || t[i].kind != T_LPAREN) {
		cp_warn(p, CW_IGNORED_PRAGMAS, pr->loc, "missing '(' after '#pragma pack' - ignoring");
		return;
	}
	i++;
	uint64_t v;
	if (i < n && t[i].kind == T_RPAREN) {
		p->pack = 0;
		return;
	}
	if (i < n && word_is(&t[i], "push")) {
		vec_push(&p->pack_stack, p->pack);
		i++;
		if (i < n && t[i].kind == T_COMMA)
			i++;
		if (i < n && t[i].kind == T_IDENT && i + 1 < n && t[i + 1].kind == T_COMMA)
			i += 2; /* an identifier label */
	} else if (i < n && word_is(&t[i], "pop")) {
		if (p->pack_stack.len)
			p->pack = vec_pop(&p->pack_stack);
		else
			cp_warn(p, CW_IGNORED_PRAGMAS, t[i].xloc,
				"#pragma pack(pop, ...) failed: stack empty");
		return;
	} else if (i < n && word_is(&t[i], "show")) {
		return;
	}
	if (i < n && number(&t[i], &v)) {
		if (v && (v & (v - 1))) {
			cp_warn(p, CW_IGNORED_PRAGMAS, t[i].xloc,
				"expected #pragma pack parameter to be '1', '2', '4', '8', or '16'");
			return;
		}
		p->pack = (uint32_t)v;
	}
}

void cp_pragma(struct cparser *p, const struct tok *t)
{
	const struct pp_pragma *pr = pp_pragma(p->pp, t);
	if (!pr)
		return;
	switch (pr->kind) {
	case PRAGMA_CLANG_ATTRIBUTE:
		pragma_attribute(p, pr);
		break;
	case PRAGMA_UNROLL:
	case PRAGMA_NOUNROLL:
		pragma_unroll(p, pr);
		break;
	case PRAGMA_CLANG_LOOP:
		pragma_loop(p, pr);
		break;
	case PRAGMA_GCC_DIAGNOSTIC:
	case PRAGMA_CLANG_DIAGNOSTIC:
		pragma_diagnostic(p, pr);
		break;
	case PRAGMA_PACK:
		pragma_pack(p, pr);
		break;
	default:
		break;
	}
}
