/* Initializers (C11 6.7.9 with GNU ranges): braces, designators and brace
 * elision are resolved against the object's type with a stack of "current
 * objects", and the result is normalised (struct cinit): per-member and
 * per-index-range entries in order, later initialisers overriding earlier
 * ones, sizes of T[] completed, constness checked for static storage. */
#include "frontend/c/cparse_internal.h"

#include <inttypes.h>
#include <string.h>

/* An aggregate being initialised. */
struct islot {
	uint64_t lo, hi;
	struct cinit *init;  /* a leaf (or a whole-aggregate expression) ... */
	struct ibuild *sub;  /* ... or a nested aggregate being built */
};

struct ibuild {
	struct ctype *type;
	bool is_array, is_union;
	uint64_t len;       /* elements or members; UINT64_MAX for T[] */
	uint64_t used;      /* arrays: one past the highest index initialised */
	VEC(struct islot) slots; /* records: one per member; arrays: sorted ranges */
	struct srcloc loc;
};

struct icursor {
	struct ibuild *b;
	uint64_t index;
	bool braced;
};

struct ictx {
	struct cparser *p;
	struct srcloc name_loc; /* `T x = e;`: conversions of e are reported at x */
	VEC(struct icursor) stack;
	VEC(struct ibuild *) all; /* to free their slot vectors */
};

static bool is_char_type(const struct ctype *t)
{
	enum ctype_kind k = t->kind;
	return k == TY_CHAR || k == TY_SCHAR || k == TY_UCHAR;
}

/* `e` is a string literal that can initialise array type t. */
static bool string_inits(const struct ctype *t, const struct cexpr *e)
{
	if (t->kind != TY_ARRAY || e->op != E_STRING)
		return false;
	const struct ctype *el = t->u.arr.elem;
	unsigned w = e->u.str->width;
	if (w == 1)
		return is_char_type(el);
	return ctype_is_integer(el) && ctype_size(el) == w;
}

static struct ibuild *new_build(struct ictx *c, struct ctype *t, struct srcloc loc)
{
	struct ibuild *b = CP_NEW(c->p, struct ibuild);
	b->type = t;
	b->loc = loc;
	if (t->kind == TY_ARRAY) {
		b->is_array = true;
		b->len = (t->flags & CTF_INCOMPLETE) ? UINT64_MAX : t->u.arr.len;
	} else {
		struct crecord *r = t->u.rec;
		b->is_union = (r->flags & CRF_UNION) != 0;
		b->len = r->nmembers;
		if (!b->is_union) {
			vec_reserve(&b->slots, r->nmembers ? r->nmembers : 1);
			for (uint32_t i = 0; i < r->nmembers; i++) {
				struct islot s = { i, i, NULL, NULL };
				vec_push(&b->slots, s);
			}
		}
	}
	vec_push(&c->all, b);
	return b;
}

static bool is_aggregate(const struct ctype *t)
{
	return t->kind == TY_ARRAY || ctype_is_record(t);
}

/* The type of subobject `i` of b. */
static struct ctype *sub_type(const struct ibuild *b, uint64_t i)
{
	if (b->is_array)
		return b->type->u.arr.elem;
	struct cmember *m = &b->type->u.rec->members[i];
	return m->type;
}

/* Skips unnamed bit-fields, which initializers never reach. */
static uint64_t next_member(const struct ibuild *b, uint64_t i)
{
	if (b->is_array)
		return i;
	const struct crecord *r = b->type->u.rec;
	while (i < r->nmembers && !r->members[i].name && !(r->members[i].flags & CMF_ANON))
		i++;
	return i;
}

/* The slot for index i, created (arrays: splitting ranges) and cleared. */
static struct islot *slot_at(struct ictx *c, struct ibuild *b, uint64_t i, bool keep_sub)
{
	if (!b->is_array) {
		if (b->is_union) {
			if (!b->slots.len || b->slots.data[0].lo != i) {
				struct islot ns = { i, i, NULL, NULL };
				b->slots.len = 0;
				vec_push(&b->slots, ns);
			}
			struct islot *us = &b->slots.data[0];
			if (!keep_sub) {
				us->sub = NULL;
				us->init = NULL;
			}
			return us;
		}
		struct islot *s = &b->slots.data[i];
		if (!keep_sub) {
			s->sub = NULL;
			s->init = NULL;
		}
		return s;
	}
	if (i + 1 > b->used)
		b->used = i + 1;
	/* find the first range with hi >= i */
	uint32_t lo = 0, hi = b->slots.len;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (b->slots.data[mid].hi < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < b->slots.len && b->slots.data[lo].lo <= i) {
		struct islot *s = &b->slots.data[lo];
		if (s->lo == i && s->hi == i) {
			if (!keep_sub)
				s->sub = NULL, s->init = NULL;
			return s;
		}
		/* split the range around i: [lo, i-1] [i] [i+1, hi] */
		struct islot parts[3];
		uint32_t np = 0, at = 0;
		struct islot orig = *s;
		if (orig.lo < i) {
			parts[np] = orig;
			parts[np++].hi = i - 1;
		}
		at = np;
		parts[np] = orig;
		parts[np].lo = parts[np].hi = i;
		if (!keep_sub || parts[np].sub)
			parts[np].sub = NULL, parts[np].init = keep_sub ? orig.init : NULL;
		np++;
		if (orig.hi > i) {
			parts[np] = orig;
			parts[np++].lo = i + 1;
		}
		for (uint32_t k = 1; k < np; k++) {
			struct islot dummy = { 0 };
			vec_push(&b->slots, dummy);
		}
		memmove(&b->slots.data[lo + np], &b->slots.data[lo + 1],
			(b->slots.len - np - lo) * sizeof(struct islot));
		memcpy(&b->slots.data[lo], parts, np * sizeof(struct islot));
		return &b->slots.data[lo + at];
	}
	struct islot s = { i, i, NULL, NULL };
	vec_push(&b->slots, s);
	memmove(&b->slots.data[lo + 1], &b->slots.data[lo],
		(b->slots.len - 1 - lo) * sizeof(struct islot));
	b->slots.data[lo] = s;
	(void)c;
	return &b->slots.data[lo];
}

/* Stores [lo, hi] = init in an array builder, replacing what overlaps. */
static void set_range(struct ictx *c, struct ibuild *b, uint64_t lo, uint64_t hi, struct cinit *in)
{
	if (lo == hi) {
		slot_at(c, b, lo, false)->init = in;
		return;
	}
	VEC(struct islot) keep = { 0 };
	for (uint32_t i = 0; i < b->slots.len; i++) {
		struct islot s = b->slots.data[i];
		if (s.hi < lo || s.lo > hi) {
			vec_push(&keep, s);
			continue;
		}
		if (s.lo < lo) {
			struct islot l = s;
			l.hi = lo - 1;
			vec_push(&keep, l);
		}
		if (s.hi > hi) {
			struct islot r = s;
			r.lo = hi + 1;
			vec_push(&keep, r);
		}
	}
	struct islot ns = { lo, hi, in, NULL };
	uint32_t at = 0;
	while (at < keep.len && keep.data[at].lo < lo)
		at++;
	vec_push(&keep, ns);
	memmove(&keep.data[at + 1], &keep.data[at], (keep.len - 1 - at) * sizeof(struct islot));
	keep.data[at] = ns;
	vec_free(&b->slots);
	b->slots.data = keep.data;
	b->slots.len = keep.len;
	b->slots.cap = keep.cap;
	if (hi + 1 > b->used)
		b->used = hi + 1;
}

static struct ibuild *sub_build(struct ictx *c, struct ibuild *b, uint64_t i, struct srcloc loc)
{
	struct islot *s = slot_at(c, b, i, true);
	if (!s->sub) {
		s->init = NULL;
		s->sub = new_build(c, sub_type(b, i), loc);
	}
	return s->sub;
}

/* ---- leaves ---- */

static struct cinit *leaf(struct ictx *c, struct ctype *t, struct cexpr *e)
{
	struct cparser *p = c->p;
	struct cinit *in = CP_NEW(p, struct cinit);
	in->kind = CI_EXPR;
	in->type = t;
	in->loc = e->loc;
	if (string_inits(t, e)) {
		in->u.expr = e;
		uint64_t n = e->u.str->len / e->u.str->width;
		if (!(t->flags & CTF_INCOMPLETE) && n - 1 > t->u.arr.len)
			cp_warn(p, CW_EXCESS_INITIALIZERS, e->loc,
				"initializer-string for char array is too long, array size is %" PRIu64
				" but initializer has size %" PRIu64 " (including the null terminating "
				"character)",
				t->u.arr.len, n);
		return in;
	}
	if (t->kind == TY_ARRAY) {
		if (e->type->kind != TY_ERROR)
			cp_error(p, e->loc, "array initializer must be an initializer list%s",
				 is_char_type(t->u.arr.elem) ? " or string literal" : "");
		in->u.expr = cs_error_expr(p, e->loc);
		return in;
	}
	in->u.expr = cs_assign_conv(p, e, t, CV_INIT, c->name_loc.line ? c->name_loc : e->loc);
	return in;
}

/* ---- the cursor ---- */

static struct icursor *top(struct ictx *c)
{
	return &vec_last(&c->stack);
}

static void push(struct ictx *c, struct ibuild *b, bool braced)
{
	struct icursor cur = { b, next_member(b, 0), braced };
	vec_push(&c->stack, cur);
}

/* Moves the cursor to the next subobject, leaving elided levels that are
 * exhausted.  Returns false when the braced level itself is exhausted. */
static bool settle(struct ictx *c)
{
	for (;;) {
		struct icursor *t = top(c);
		if (t->index < t->b->len)
			return true;
		if (t->braced)
			return false;
		c->stack.len--;
		struct icursor *parent = top(c);
		parent->index = next_member(parent->b, parent->index + 1);
	}
}

static void advance(struct ictx *c)
{
	struct icursor *t = top(c);
	if (t->b->is_union) {
		t->index = t->b->len; /* a union takes one initializer */
		return;
	}
	t->index = next_member(t->b, t->index + 1);
}

static struct cinit *parse_braced(struct ictx *c, struct ctype *t);

/* A value (braced or an expression) for the subobject at the cursor. */
static void value_at_cursor(struct ictx *c)
{
	struct cparser *p = c->p;
	struct icursor *cur = top(c);
	struct ctype *st = sub_type(cur->b, cur->index);
	if (cp_is(p, T_LBRACE)) {
		struct cinit *in = parse_braced(c, st);
		if (cur->b->is_array)
			set_range(c, cur->b, cur->index, cur->index, in);
		else
			slot_at(c, cur->b, cur->index, false)->init = in;
		advance(c);
		return;
	}
	struct cexpr *e = cp_parse_assign_expr(p);
	/* brace elision: descend until the expression fits */
	for (;;) {
		cur = top(c);
		st = sub_type(cur->b, cur->index);
		if (!is_aggregate(st) || string_inits(st, e) || e->type->kind == TY_ERROR ||
		    (ctype_is_record(st) && ctype_compatible(st, e->type, true)))
			break;
		if (ctype_is_record(st) && !ctype_is_complete(st))
			break;
		struct ibuild *sb = sub_build(c, cur->b, cur->index, e->loc);
		if (!sb->len) /* an empty struct or zero-length array: nothing to descend to */
			break;
		push(c, sb, false);
		if (!settle(c))
			break;
	}
	cur = top(c);
	st = sub_type(cur->b, cur->index);
	struct cinit *in = leaf(c, st, e);
	if (cur->b->is_array)
		set_range(c, cur->b, cur->index, cur->index, in);
	else
		slot_at(c, cur->b, cur->index, false)->init = in;
	advance(c);
}

/* .a.b[3] = … : positions the cursor on the designated subobject. */
static bool parse_designation(struct ictx *c, uint64_t *range_hi, bool *ranged)
{
	struct cparser *p = c->p;
	/* designators are relative to the innermost braced object */
	while (!top(c)->braced)
		c->stack.len--;
	bool first = true;
	*ranged = false;
	for (;;) {
		struct icursor *cur = top(c);
		struct srcloc loc = cp_loc(p);
		if (!first) {
			/* descend into the subobject just designated */
			struct ctype *st = sub_type(cur->b, cur->index);
			if (!is_aggregate(st) ||
			    (ctype_is_record(st) && !ctype_is_complete(st))) {
				cp_error(p, loc, "%s designator cannot initialize a non-%s type %s",
					 cp_is(p, T_DOT) ? "field" : "array",
					 cp_is(p, T_DOT) ? "struct, non-union" : "array", cp_type(p, st));
				return false;
			}
			push(c, sub_build(c, cur->b, cur->index, loc), false);
			cur = top(c);
		}
		if (cp_accept(p, T_DOT)) {
			if (!cp_is(p, T_IDENT)) {
				cp_error(p, cp_loc(p), "expected a field designator, such as '.field = 4'");
				return false;
			}
			struct pp_ident *name = p->tok.id;
			struct srcloc nloc = cp_loc(p);
			cp_next(p);
			if (cur->b->is_array) {
				cp_error(p, loc, "field designator cannot initialize a non-struct, "
						 "non-union type %s",
					 cp_type(p, cur->b->type));
				return false;
			}
			struct cmember *path[16];
			uint32_t np = 0;
			struct crecord *r = cur->b->type->u.rec;
			if (!crecord_find(r, name, path, &np, ARRAY_LEN(path)) || np > ARRAY_LEN(path)) {
				cp_error(p, nloc, "field designator '%s' does not refer to any field in "
						  "type %s",
					 name->name, cp_type(p, cur->b->type));
				return false;
			}
			for (uint32_t i = 0; i < np; i++) {
				if (i) {
					push(c, sub_build(c, top(c)->b, top(c)->index, nloc), false);
				}
				top(c)->index = path[i]->index;
			}
		} else if (cp_accept(p, T_LBRACKET)) {
			bool ok;
			int64_t lo = cp_parse_ice(p, NULL, &ok), hi = lo;
			if (cp_accept(p, T_ELLIPSIS)) {
				bool ok2;
				hi = cp_parse_ice(p, NULL, &ok2);
				ok = ok && ok2;
				*ranged = true;
			}
			if (!cp_expect(p, T_RBRACKET, NULL) || !ok)
				return false;
			if (!cur->b->is_array) {
				cp_error(p, loc, "array designator cannot initialize non-array type %s",
					 cp_type(p, cur->b->type));
				return false;
			}
			if (lo < 0 || (uint64_t)lo >= cur->b->len || hi < lo ||
			    (uint64_t)hi >= cur->b->len) {
				if (lo < 0)
					cp_error(p, loc, "array designator value '%" PRId64 "' is negative", lo);
				else if (hi < lo)
					cp_error(p, loc, "array designator range [%" PRId64 ", %" PRId64 "] is empty", lo, hi);
				else
					cp_error(p, loc, "array designator index (%" PRId64 ") exceeds array bounds (%" PRIu64 ")",
						 (uint64_t)lo >= cur->b->len ? lo : hi, cur->b->len);
				return false;
			}
			cur->index = (uint64_t)lo;
			*range_hi = (uint64_t)hi;
		} else {
			break;
		}
		first = false;
		if (!cp_is(p, T_DOT) && !cp_is(p, T_LBRACKET))
			break;
	}
	if (*ranged && top(c)->b->is_array) {
		/* only the last designator may be a range, as GCC */
	}
	if (!cp_accept(p, T_ASSIGN)) {
		if (cp_is(p, T_LBRACE) || !cp_is(p, T_COMMA))
			cp_warn(p, CW_GNU, cp_loc(p), "use of GNU 'missing =' extension in designator");
		else
			cp_error(p, cp_loc(p), "expected '=' or another designator");
	}
	return true;
}

static void parse_list_items(struct ictx *c, struct ibuild *b)
{
	struct cparser *p = c->p;
	size_t base = c->stack.len;
	push(c, b, true);
	bool first = true;
	while (!cp_is(p, T_RBRACE) && !cp_is(p, T_EOF)) {
		if (!first && !cp_expect(p, T_COMMA, NULL)) {
			cp_skip_to(p, false, false);
			break;
		}
		first = false;
		if (cp_is(p, T_RBRACE))
			break;
		/* GNU old-style `field: value` */
		if (cp_is(p, T_IDENT) && cp_peek(p, 1)->kind == T_COLON && !b->is_array) {
			cp_warn(p, CW_GNU, cp_loc(p), "use of GNU old-style field designator extension");
			struct pp_ident *name = p->tok.id;
			struct srcloc nloc = cp_loc(p);
			cp_next(p);
			cp_next(p);
			while (!top(c)->braced)
				c->stack.len--;
			struct cmember *path[16];
			uint32_t np = 0;
			if (!crecord_find(top(c)->b->type->u.rec, name, path, &np, ARRAY_LEN(path)) ||
			    np > ARRAY_LEN(path)) {
				cp_error(p, nloc, "field designator '%s' does not refer to any field in "
						  "type %s",
					 name->name, cp_type(p, top(c)->b->type));
				cp_skip_to(p, false, true);
				continue;
			}
			for (uint32_t i = 0; i < np; i++) {
				if (i)
					push(c, sub_build(c, top(c)->b, top(c)->index, nloc), false);
				top(c)->index = path[i]->index;
			}
			value_at_cursor(c);
			continue;
		}
		if (cp_is(p, T_DOT) || cp_is(p, T_LBRACKET)) {
			uint64_t hi = 0;
			bool ranged;
			if (!parse_designation(c, &hi, &ranged)) {
				cp_skip_to(p, false, true);
				continue;
			}
			if (ranged) {
				struct icursor *cur = top(c);
				uint64_t lo = cur->index;
				struct ctype *st = sub_type(cur->b, lo);
				struct cinit *in;
				if (cp_is(p, T_LBRACE)) {
					in = parse_braced(c, st);
				} else {
					struct cexpr *e = cp_parse_assign_expr(p);
					in = leaf(c, st, e);
				}
				set_range(c, cur->b, lo, hi, in);
				cur->index = hi + 1;
				continue;
			}
			value_at_cursor(c);
			continue;
		}
		if (!settle(c)) {
			struct srcloc loc = cp_loc(p);
			const char *what = b->is_array ? "array" : b->is_union ? "union" : "struct";
			cp_warn(p, CW_EXCESS_INITIALIZERS, loc, "excess elements in %s initializer", what);
			/* parse and drop the rest */
			bool saved = p->in_sizeof;
			while (!cp_is(p, T_RBRACE) && !cp_is(p, T_EOF)) {
				if (cp_is(p, T_LBRACE))
					cp_skip_balanced(p);
				else
					cp_parse_assign_expr(p);
				if (!cp_accept(p, T_COMMA))
					break;
			}
			p->in_sizeof = saved;
			break;
		}
		value_at_cursor(c);
	}
	c->stack.len = (uint32_t)base;
}

static struct cinit *finalize(struct ictx *c, struct ibuild *b);

static struct cinit *parse_braced(struct ictx *c, struct ctype *t)
{
	struct cparser *p = c->p;
	struct srcloc loc = cp_loc(p);
	cp_next(p); /* { */
	struct cinit *in;
	if (t->kind == TY_ERROR) {
		while (!cp_is(p, T_RBRACE) && !cp_is(p, T_EOF)) {
			if (cp_is(p, T_LBRACE))
				cp_skip_balanced(p);
			else
				cp_next(p);
		}
		cp_accept(p, T_RBRACE);
		in = CP_NEW(p, struct cinit);
		in->kind = CI_LIST;
		in->type = t;
		in->loc = loc;
		return in;
	}
	if (!is_aggregate(t) || (ctype_is_record(t) && !ctype_is_complete(t))) {
		if (ctype_is_record(t)) {
			cp_error(p, loc, "variable has incomplete type %s", cp_type(p, t));
			cp_note_incomplete(p, t);
			cp_skip_balanced(p);
			in = CP_NEW(p, struct cinit);
			in->kind = CI_LIST;
			in->type = p->tu->error_type;
			return in;
		}
		/* a scalar in braces */
		if (cp_accept(p, T_RBRACE)) {
			in = CP_NEW(p, struct cinit);
			in->kind = CI_EXPR;
			in->type = t;
			in->loc = loc;
			in->u.expr = cs_convert_to(p, cs_int(p, 0, p->tu->ty[TY_INT], loc), ctype_unqual(t));
			if (t->kind == TY_PTR)
				in->u.expr = cs_conv(p, cs_int(p, 0, p->tu->ty[TY_INT], loc), ctype_unqual(t), CK_NULL);
			return in;
		}
		if (cp_is(p, T_LBRACE)) {
			cp_warn(p, CW_GNU, cp_loc(p), "too many braces around scalar initializer");
			in = parse_braced(c, t);
		} else {
			in = leaf(c, t, cp_parse_assign_expr(p));
		}
		if (cp_accept(p, T_COMMA) && !cp_is(p, T_RBRACE)) {
			cp_warn(p, CW_EXCESS_INITIALIZERS, cp_loc(p), "excess elements in scalar "
								       "initializer");
			while (!cp_is(p, T_RBRACE) && !cp_is(p, T_EOF))
				cp_next(p);
		}
		if (!cp_accept(p, T_RBRACE)) {
			cp_error(p, cp_loc(p), "expected '}'");
			cp_skip_to(p, false, false);
			cp_accept(p, T_RBRACE);
		}
		return in;
	}
	/* char s[] = { "string" } */
	if (t->kind == TY_ARRAY && cp_is(p, T_STRING)) {
		struct cexpr *e = cp_parse_assign_expr(p);
		if (string_inits(t, e) && (cp_is(p, T_RBRACE) ||
					   (cp_is(p, T_COMMA) && cp_peek(p, 1)->kind == T_RBRACE))) {
			cp_accept(p, T_COMMA);
			cp_accept(p, T_RBRACE);
			return leaf(c, t, e);
		}
		/* otherwise it was the first element */
		struct ibuild *b = new_build(c, t, loc);
		push(c, b, true);
		struct ctype *st = sub_type(b, 0);
		set_range(c, b, 0, 0, leaf(c, st, e));
		c->stack.len--;
		struct ibuild *b2 = b;
		/* continue the list after the first element */
		size_t base = c->stack.len;
		push(c, b2, true);
		top(c)->index = 1;
		while (cp_accept(p, T_COMMA) && !cp_is(p, T_RBRACE)) {
			if (!settle(c)) {
				cp_warn(p, CW_EXCESS_INITIALIZERS, cp_loc(p),
					"excess elements in array initializer");
				while (!cp_is(p, T_RBRACE) && !cp_is(p, T_EOF))
					cp_next(p);
				break;
			}
			value_at_cursor(c);
		}
		c->stack.len = (uint32_t)base;
		if (!cp_accept(p, T_RBRACE)) {
			cp_error(p, cp_loc(p), "expected '}'");
			cp_skip_to(p, false, false);
			cp_accept(p, T_RBRACE);
		}
		return finalize(c, b2);
	}
	struct ibuild *b = new_build(c, t, loc);
	parse_list_items(c, b);
	if (!cp_accept(p, T_RBRACE)) {
		cp_error(p, cp_loc(p), "expected '}'");
		cp_skip_to(p, false, false);
		cp_accept(p, T_RBRACE);
	}
	return finalize(c, b);
}

/* Turns a builder into its normalised cinit. */
static struct cinit *finalize(struct ictx *c, struct ibuild *b)
{
	struct cparser *p = c->p;
	struct cinit *in = CP_NEW(p, struct cinit);
	in->kind = CI_LIST;
	in->loc = b->loc;
	in->type = b->type;
	if (b->is_array && (b->type->flags & CTF_INCOMPLETE))
		in->type = ctype_array(p->tu, b->type->u.arr.elem, b->used, 0);
	VEC(struct cinit_elem) els = { 0 };
	for (uint32_t i = 0; i < b->slots.len; i++) {
		struct islot *s = &b->slots.data[i];
		struct cinit *v = s->sub ? finalize(c, s->sub) : s->init;
		if (!v)
			continue;
		struct cinit_elem el = { s->lo, s->hi, NULL, v };
		if (!b->is_array)
			el.member = &b->type->u.rec->members[s->lo];
		vec_push(&els, el);
	}
	in->u.list.elems = cp_dup(p, els.data, els.len * sizeof(*els.data));
	in->u.list.n = els.len;
	vec_free(&els);
	return in;
}

/* A record or array compound literal a static initializer copies (GNU C:
 * `static struct insn i[] = { ((struct insn){ … }) }`), or NULL.  A file
 * scope literal copied so is referenced by nothing else: it leaves the
 * unit's globals, or the lowering would emit it. */
static struct cinit *literal_init(struct cparser *p, const struct cinit *in)
{
	const struct cexpr *e = in->u.expr;
	while (e->op == E_CONV && (e->ck == CK_LVAL || e->ck == CK_NOOP || e->ck == CK_RECORD))
		e = e->u.bin.a;
	if (e->op != E_COMPOUND_LIT || ctype_is_scalar(e->type))
		return NULL;
	struct cdecl *obj = e->u.lit.obj;
	struct cinit *li = obj->u.var.init;
	if (!li || !ctype_compatible(li->type, in->type, true))
		return NULL;
	for (uint32_t i = p->tu->globals.len; i-- > 0;)
		if (p->tu->globals.data[i] == obj) {
			memmove(&p->tu->globals.data[i], &p->tu->globals.data[i + 1],
				(p->tu->globals.len - i - 1) * sizeof(obj));
			p->tu->globals.len--;
			break;
		}
	return li;
}

/* Static storage: every leaf must be a constant (or an address constant);
 * compound literals copied are replaced by their initializers, so the
 * lowering sees constants only. */
static void check_constant(struct cparser *p, struct cinit **inp)
{
	struct cinit *in = *inp;
	if (!in)
		return;
	if (in->kind == CI_EXPR && (in->u.expr->type->kind == TY_STRUCT ||
				    in->u.expr->type->kind == TY_UNION ||
				    in->u.expr->type->kind == TY_ARRAY)) {
		struct cinit *li = literal_init(p, in);
		if (li) {
			*inp = in = li;
			check_constant(p, inp);
			return;
		}
	}
	if (in->kind == CI_LIST) {
		for (uint32_t i = 0; i < in->u.list.n; i++)
			check_constant(p, &in->u.list.elems[i].init);
		return;
	}
	const struct cexpr *e = in->u.expr;
	if (e->type->kind == TY_ERROR || e->op == E_STRING)
		return;
	struct cconst cc;
	if (ceval_const(e, &cc))
		return;
	cp_error(p, e->loc, "initializer element is not a compile-time constant");
}

struct cinit *cp_parse_initializer(struct cparser *p, struct ctype **type, bool is_static,
				  struct srcloc name_loc)
{
	struct ictx c = { .p = p };
	struct ctype *t = *type;
	struct cinit *in;
	if (cp_is(p, T_LBRACE)) {
		in = parse_braced(&c, t);
	} else {
		struct cexpr *e = cp_parse_assign_expr(p);
		if (t->kind == TY_ARRAY && !string_inits(t, e)) {
			if (e->type->kind != TY_ERROR && t->kind != TY_ERROR)
				cp_error(p, e->loc, "array initializer must be an initializer list%s",
					 is_char_type(t->u.arr.elem) ? " or string literal" : "");
			in = CP_NEW(p, struct cinit);
			in->kind = CI_EXPR;
			in->type = t;
			in->loc = e->loc;
			in->u.expr = cs_error_expr(p, e->loc);
		} else if (t->kind == TY_ERROR) {
			in = CP_NEW(p, struct cinit);
			in->kind = CI_EXPR;
			in->type = t;
			in->u.expr = e;
		} else {
			c.name_loc = name_loc;
			in = leaf(&c, t, e);
			c.name_loc = (struct srcloc){ 0 };
		}
	}
	/* complete T[] from the initializer */
	if (t->kind == TY_ARRAY && (t->flags & CTF_INCOMPLETE)) {
		if (in->kind == CI_LIST && in->type->kind == TY_ARRAY) {
			t = in->type;
		} else if (in->kind == CI_EXPR && in->u.expr->op == E_STRING) {
			const struct cstring *s = in->u.expr->u.str;
			t = ctype_array(p->tu, t->u.arr.elem, s->len / s->width, 0);
			in->type = t;
		}
		if (t->quals != (*type)->quals)
			t = ctype_qual(p->tu, t, (*type)->quals);
		*type = t;
	}
	if (is_static && !p->recovering)
		check_constant(p, &in);
	for (uint32_t i = 0; i < c.all.len; i++)
		vec_free(&c.all.data[i]->slots);
	vec_free(&c.all);
	vec_free(&c.stack);
	return in;
}
