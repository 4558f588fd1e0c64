/* Pragmas the parser acts on, handled as their annotation tokens stream by:
 * #pragma clang attribute push/pop (vmlinux.h's preserve_access_index),
 * loop hints kept for the next loop (#pragma unroll, nounroll, clang loop),
 * #pragma GCC/clang diagnostic and #pragma pack. */
#include "frontend/c/cparse_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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
			cp_error(p, t[i].xloc,
				 "'#pragma clang attribute pop' with no matching "
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
		cp_error(p, pr->loc,
			 "expected 'push', 'pop', or '(' after '#pragma clang attribute'");
		return;
	}
	struct cp_tokstate st;
	cp_save_tokens(p, &st);
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
	cp_restore_tokens(p, &st);
	if (!ok)
		return;
	for (struct cattr *a = list; a; a = a->next)
		a->from_pragma = true;
	if (push || !p->attr_stack.len) {
		if (!push) {
			cp_error(p, pr->loc,
				 "'#pragma clang attribute' attribute with no matching "
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

/* Options of #pragma clang loop: legend (name, category, numeric, states
 * allowed: 1 enable, 2 full, 4 assume_safety, 8 disable). */
enum { HC_VECTORIZE, HC_INTERLEAVE, HC_UNROLL, HC_DISTRIBUTE, HC_PIPELINE, HC_PREDICATE };
static const struct {
	const char *name;
	uint8_t category;
	bool numeric;
	uint8_t states;
} loop_options[] = {
	{ "vectorize", HC_VECTORIZE, false, 1 | 4 | 8 },
	{ "vectorize_width", HC_VECTORIZE, true, 0 },
	{ "interleave", HC_INTERLEAVE, false, 1 | 4 | 8 },
	{ "interleave_count", HC_INTERLEAVE, true, 0 },
	{ "unroll", HC_UNROLL, false, 1 | 2 | 8 },
	{ "unroll_count", HC_UNROLL, true, 0 },
	{ "pipeline", HC_PIPELINE, false, 8 },
	{ "pipeline_initiation_interval", HC_PIPELINE, true, 0 },
	{ "vectorize_predicate", HC_PREDICATE, false, 1 | 8 },
	{ "distribute", HC_DISTRIBUTE, false, 1 | 8 },
};
#define LOOP_OPTIONS_LIST                                                                  \
	"vectorize, vectorize_width, interleave, interleave_count, unroll, unroll_count, " \
	"pipeline, pipeline_initiation_interval, vectorize_predicate, or distribute"

static void begin_hint(struct cparser *p, const struct pp_pragma *pr, const char *pragma)
{
	if (!p->hint_pragma) {
		p->hint.loc = pr->loc;
		p->hint_pragma = pragma;
	}
}

static void add_rec(struct cparser *p, uint8_t cat, bool numeric, bool disable, const char *name,
		    struct srcloc loc)
{
	struct hint_rec r = { cat, numeric, disable, name, loc };
	vec_push(&p->hint_recs, r);
}

/* Just after the last token of a pragma: where clang points at its end. */
static struct srcloc end_of(const struct tok *t, uint32_t n, struct srcloc fallback)
{
	if (!n)
		return fallback;
	struct srcloc l = t[n - 1].xloc;
	if (!(t[n - 1].flags & TF_MACRO))
		l.col += t[n - 1].len;
	return l;
}

/* A hint's value toks[from, to) as a constant expression (clang parses it
 * after macro expansion); false after an error was reported. */
static bool hint_value(struct cparser *p, const struct tok *t, uint32_t from, uint32_t to,
		       const char *pragma, bool allow_zero, int64_t *v)
{
	struct cp_tokstate st;
	cp_save_tokens(p, &st);
	read_array(p, t, from, to);
	bool ok;
	*v = cp_parse_ice(p, NULL, &ok);
	if (ok && !cp_is(p, T_EOF))
		cp_warn(p, CW_IGNORED_PRAGMAS, cp_loc(p),
			"extra tokens at end of '#pragma %s' - ignored", pragma);
	cp_restore_tokens(p, &st);
	if (!ok)
		return false;
	if (*v < 0 || (*v == 0 && !allow_zero) || *v > INT32_MAX) {
		cp_error(p, t[from].xloc, "invalid value '%" PRId64 "'; must be positive",
			 (int64_t)(int32_t)*v);
		return false;
	}
	return true;
}

/* #pragma unroll [N | (N)] and #pragma nounroll. */
static void pragma_unroll(struct cparser *p, const struct pp_pragma *pr)
{
	bool nounroll = pr->kind == PRAGMA_NOUNROLL;
	begin_hint(p, pr, nounroll ? "nounroll" : "unroll");
	uint32_t n;
	const struct tok *t = pp_expand_tokens(p->pp, pr->toks + 1, pr->ntoks - 1, &n);
	if (nounroll || !n) {
		if (n)
			cp_warn(p, CW_IGNORED_PRAGMAS, t[0].xloc,
				"extra tokens at end of '#pragma %s' - ignored",
				nounroll ? "nounroll" : "unroll");
		p->hint.unroll = nounroll ? CU_DISABLE : CU_FULL;
		add_rec(p, HC_UNROLL, false, nounroll,
			nounroll ? "#pragma nounroll" : "#pragma unroll", pr->loc);
		return;
	}
	uint32_t from = 0, to = n, after = n;
	if (t[0].kind == T_LPAREN) {
		int depth = 0;
		for (to = 0; to < n; to++) {
			if (t[to].kind == T_LPAREN)
				depth++;
			else if (t[to].kind == T_RPAREN && !--depth)
				break;
		}
		if (to == n) {
			cp_error(p, end_of(t, n, pr->loc), "expected ')'");
			return;
		}
		from = 1;
		after = to + 1;
	}
	int64_t v;
	if (from == to) {
		cp_error(p, t[to].xloc, "expected expression");
		return;
	}
	if (!hint_value(p, t, from, to, "unroll", true, &v))
		return;
	if (after < n)
		cp_warn(p, CW_IGNORED_PRAGMAS, t[after].xloc,
			"extra tokens at end of '#pragma unroll' - ignored");
	p->hint.unroll = v == 0 ? CU_DISABLE : CU_COUNT;
	p->hint.count = (uint32_t)v;
	add_rec(p, HC_UNROLL, true, false, arena_printf(p->a, "#pragma unroll(%" PRId64 ")", v),
		pr->loc);
}

/* #pragma clang loop option(value) … */
static void pragma_loop(struct cparser *p, const struct pp_pragma *pr)
{
	begin_hint(p, pr, "clang loop");
	uint32_t n;
	const struct tok *t = pp_expand_tokens(p->pp, pr->toks + 2, pr->ntoks - 2, &n);
	struct srcloc loop_loc = pr->ntoks > 1 ? pr->toks[1].xloc : pr->loc;
	struct srcloc eol = end_of(pr->toks, pr->ntoks, pr->loc);
	if (!n || !t[0].id) {
		cp_error(p, n ? t[0].xloc : eol, "missing option; expected " LOOP_OPTIONS_LIST);
		return;
	}
	uint32_t i = 0;
	while (i < n && t[i].id) {
		const struct tok *opt = &t[i];
		size_t k = 0;
		while (k < ARRAY_LEN(loop_options) && !word_is(opt, loop_options[k].name))
			k++;
		if (k == ARRAY_LEN(loop_options)) {
			cp_error(p, opt->xloc, "invalid option '%.*s'; expected " LOOP_OPTIONS_LIST,
				 (int)opt->len, opt->p);
			return;
		}
		i++;
		if (i >= n || t[i].kind != T_LPAREN) {
			cp_error(p, i < n ? t[i].xloc : eol, "expected '('");
			return;
		}
		uint32_t from = ++i;
		int depth = 1;
		for (; i < n; i++) {
			if (t[i].kind == T_LPAREN)
				depth++;
			else if (t[i].kind == T_RPAREN && !--depth)
				break;
		}
		if (i >= n) {
			cp_error(p, eol, "expected ')'");
			return;
		}
		uint32_t to = i++;
		const char *oname = loop_options[k].name;
		uint8_t cat = loop_options[k].category;
		if (loop_options[k].numeric) {
			int64_t v;
			if (from == to) {
				cp_error(p, t[to].xloc, "expected expression");
				return;
			}
			/* vectorize_width(fixed|scalable) and (N, fixed|scalable) */
			if (cat == HC_VECTORIZE && to - from == 1 && t[from].id) {
				add_rec(p, cat, true, false, oname, loop_loc);
				continue;
			}
			if (!hint_value(p, t, from, to, arena_printf(p->a, "clang loop %s", oname),
					false, &v))
				return;
			if (cat == HC_UNROLL) {
				p->hint.unroll = CU_COUNT;
				p->hint.count = (uint32_t)v;
			}
			add_rec(p, cat, true, false,
				arena_printf(p->a, "%s(%" PRId64 ")", oname, v), loop_loc);
			continue;
		}
		const struct tok *arg = &t[from];
		uint8_t state = from == to			? 0
				: word_is(arg, "enable")	? 1
				: word_is(arg, "full")		? 2
				: word_is(arg, "assume_safety") ? 4
				: word_is(arg, "disable")	? 8
								: 0;
		if (!(state & loop_options[k].states)) {
			uint8_t allowed = loop_options[k].states;
			cp_error(p, from == to ? t[to].xloc : arg->xloc,
				 "invalid argument; expected %s",
				 allowed == 8  ? "'disable'"
				 : allowed & 2 ? "'enable', 'full' or 'disable'"
				 : allowed & 4 ? "'enable', 'assume_safety' or 'disable'"
					       : "'enable' or 'disable'");
			return;
		}
		if (to - from > 1)
			cp_warn(p, CW_IGNORED_PRAGMAS, t[from + 1].xloc,
				"extra tokens at end of '#pragma clang loop %s' - ignored", oname);
		uint8_t v = state == 8 ? 2 : 1;
		switch (cat) {
		case HC_UNROLL:
			p->hint.unroll = state == 1 ? CU_ENABLE : state == 2 ? CU_FULL : CU_DISABLE;
			break;
		case HC_VECTORIZE:
			p->hint.vectorize = v;
			break;
		case HC_INTERLEAVE:
			p->hint.interleave = v;
			break;
		case HC_DISTRIBUTE:
			p->hint.distribute = v;
			break;
		default:
			break;
		}
		add_rec(p, cat, false, state == 8,
			arena_printf(p->a, "%s(%.*s)", oname, (int)arg->len, arg->p), loop_loc);
	}
	if (i < n)
		cp_warn(p, CW_IGNORED_PRAGMAS, t[i].xloc,
			"extra tokens at end of '#pragma clang loop' - ignored");
}

void cp_take_hints(struct cparser *p)
{
	memset(&p->hint, 0, sizeof(p->hint));
	p->hint_pragma = NULL;
	p->hint_recs.len = 0;
	for (uint32_t i = 0; i < p->hint_pragmas.len; i++) {
		const struct pp_pragma *pr = &p->hint_pragmas.data[i];
		if (pr->kind == PRAGMA_CLANG_LOOP)
			pragma_loop(p, pr);
		else
			pragma_unroll(p, pr);
	}
	p->hint_pragmas.len = 0;
	p->have_hint = false;
}

void cp_hints_check(struct cparser *p, const struct hint_rec *recs, uint32_t n)
{
	enum { NCAT = HC_PREDICATE + 1 };
	const struct hint_rec *state[NCAT] = { 0 }, *num[NCAT] = { 0 };
	for (uint32_t i = 0; i < n; i++) {
		const struct hint_rec *r = &recs[i];
		const struct hint_rec **slot = r->numeric ? &num[r->category] : &state[r->category];
		if (*slot)
			cp_error(p, r->loc, "duplicate directives '%s' and '%s'", (*slot)->name,
				 r->name);
		*slot = r;
		const struct hint_rec *s = state[r->category], *c = num[r->category];
		if (s && c && (r->category == HC_UNROLL || s->disable))
			cp_error(p, r->loc, "incompatible directives '%s' and '%s'", s->name,
				 c->name);
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
		cp_warn(p, CW_IGNORED_PRAGMAS, pr->loc,
			"missing '(' after '#pragma pack' - ignoring");
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
	case PRAGMA_CLANG_LOOP:
		/* read when the statement after them is parsed, as clang does:
		 * after the previous loop's checks */
		if (!p->have_hint)
			p->hint_hash_loc = t->xloc;
		p->have_hint = true;
		vec_push(&p->hint_pragmas, *pr);
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
