/* struct, union and enum specifiers: tags in scopes (forward declarations,
 * redefinitions), member lists with bit-fields, anonymous members and
 * flexible arrays, enumerators with 64-bit values and clang's choice of
 * the underlying type. */
#include "frontend/c/cparse_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <string.h>

static struct crecord *new_record(struct cparser *p, bool is_union, struct pp_ident *tag,
				  struct srcloc loc)
{
	struct crecord *r = CP_NEW(p, struct crecord);
	r->tag = tag;
	r->loc = loc;
	if (is_union)
		r->flags |= CRF_UNION;
	ctype_record(p->tu, r);
	return r;
}

static const char *kind_word(enum tok_kind k)
{
	return k == T_STRUCT ? "struct" : k == T_UNION ? "union" : "enum";
}

static bool tag_kind_matches(const struct ctype *t, enum tok_kind k)
{
	return (k == T_STRUCT && t->kind == TY_STRUCT) || (k == T_UNION && t->kind == TY_UNION) ||
	       (k == T_ENUM && t->kind == TY_ENUM);
}

static struct srcloc tag_loc(const struct ctype *t)
{
	return t->kind == TY_ENUM ? t->u.en->loc : t->u.rec->loc;
}

/* The type a tag names, or NULL when a new one is to be declared here. */
static struct ctype *find_tag(struct cparser *p, enum tok_kind k, struct pp_ident *tag,
			      struct srcloc loc, bool defining, bool forward)
{
	struct ctype *t = cp_lookup_tag(p, tag, defining || forward);
	if (!t)
		return NULL;
	if (!tag_kind_matches(t, k)) {
		cp_error(p, loc, "use of '%s' with tag type that does not match previous "
				 "declaration",
			 tag->name);
		cp_note(p, tag_loc(t), "previous use is here");
		return NULL;
	}
	return t;
}

/* ---- members ---- */


static void check_duplicates(struct cparser *p, struct cmember *m, uint32_t n)
{
	if (n < 2)
		return;
	if (n <= 24) {
		for (uint32_t i = 1; i < n; i++)
			for (uint32_t j = 0; m[i].name && j < i; j++)
				if (m[j].name == m[i].name) {
					cp_error(p, m[i].loc, "duplicate member '%s'", m[i].name->name);
					cp_note(p, m[j].loc, "previous declaration is here");
					break;
				}
		return;
	}
	uint32_t cap = 64;
	while (cap < n * 2)
		cap <<= 1;
	int32_t *slots = xcalloc(cap, sizeof(*slots));
	for (uint32_t i = 0; i < n; i++) {
		if (!m[i].name)
			continue;
		uint32_t h = m[i].name->hash & (cap - 1);
		for (; slots[h]; h = (h + 1) & (cap - 1))
			if (m[slots[h] - 1].name == m[i].name) {
				cp_error(p, m[i].loc, "duplicate member '%s'", m[i].name->name);
				cp_note(p, m[slots[h] - 1].loc, "previous declaration is here");
				break;
			}
		if (!slots[h])
			slots[h] = (int32_t)i + 1;
	}
	free(slots);
}

static void parse_member_decl(struct cparser *p, struct crecord *r, membervec *out)
{
	struct declspec ds;
	struct srcloc loc = cp_loc(p);
	if (!cp_parse_declspec(p, &ds, false)) {
		if (cp_is(p, T_IDENT))
			cp_error(p, loc, "unknown type name '%s'", p->tok.id->name);
		else
			cp_error(p, loc, "type name requires a specifier or qualifier");
		cp_skip_to(p, true, false);
		return;
	}
	if (ds.implicit_int)
		cp_error(p, loc, "type specifier missing, defaults to 'int'; ISO C99 and later do "
				 "not support implicit int");
	if (cp_is(p, T_SEMI)) {
		struct ctype *t = ds.type;
		if (ctype_is_record(t) && !t->u.rec->tag) {
			struct cmember m = { .type = t, .loc = loc, .flags = CMF_ANON };
			t->u.rec->flags |= CRF_ANON_MEMBER;
			cp_apply_member_attrs(p, &m, ds.attrs);
			vec_push(out, m);
		} else {
			cp_warn(p, CW_EMPTY_DECL, loc, "declaration does not declare anything");
		}
		cp_next(p);
		return;
	}
	for (;;) {
		struct declarator d;
		struct cmember m = { 0 };
		if (cp_is(p, T_COLON)) {
			memset(&d, 0, sizeof(d));
			d.loc = cp_loc(p);
		} else {
			cp_parse_declarator(p, &d, false);
		}
		struct ctype *t = cp_apply_declarator(p, ds.type, &d);
		m.name = d.name;
		m.loc = d.name ? d.loc : loc;
		m.type = t;
		const char *what = d.name ? d.name->name : "";
		if (cp_accept(p, T_COLON)) {
			struct srcloc wloc = cp_loc(p);
			bool ok;
			int64_t w = cp_parse_ice(p, NULL, &ok);
			m.flags |= CMF_BITFIELD;
			if (!ok) {
				w = 1;
			} else if (!ctype_is_integer(t)) {
				if (t->kind != TY_ERROR)
					cp_error(p, m.loc, "bit-field '%s' has non-integral type %s",
						 d.name ? what : "", cp_type(p, t));
				w = 1;
			} else if (w < 0) {
				if (d.name)
					cp_error(p, wloc, "bit-field '%s' has negative width (%" PRId64 ")", what, w);
				else
					cp_error(p, wloc, "anonymous bit-field has negative width (%" PRId64 ")", w);
				w = 1;
			} else if ((uint64_t)w > ctype_int_bits(t) ||
				   (t->kind == TY_BOOL && w > 1)) {
				if (d.name)
					cp_error(p, m.loc, "width of bit-field '%s' (%" PRId64 " bits) exceeds the width of its type (%u bit%s)",
						 what, w, ctype_int_bits(t), ctype_int_bits(t) == 1 ? "" : "s");
				else
					cp_error(p, wloc, "width of anonymous bit-field (%" PRId64 " bits) exceeds the width of its type (%u bit%s)",
						 w, ctype_int_bits(t), ctype_int_bits(t) == 1 ? "" : "s");
				w = ctype_int_bits(t);
			} else if (w == 0 && d.name) {
				cp_error(p, m.loc, "named bit-field '%s' has zero width", what);
				w = 1;
			}
			m.bit_width = (uint16_t)w;
		} else if (!d.name) {
			cp_error(p, d.loc, "expected member name or ';' after declaration specifiers");
			cp_skip_to(p, true, false);
			return;
		}
		cp_parse_attributes(p, &d.attrs);
		struct cattr *all = ds.attrs;
		cp_attr_append(&all, d.attrs);
		cp_apply_pragma_attrs(p, AW_MEMBER, &all);
		m.type = cp_apply_type_attrs(p, m.type, d.attrs, NULL);
		cp_apply_member_attrs(p, &m, all);
		if (ds.align > m.align_attr)
			m.align_attr = ds.align;
		t = m.type;
		if (t->kind == TY_FUNC) {
			cp_error(p, m.loc, "field '%s' declared as a function", what);
			m.type = p->tu->error_type;
		} else if (t->kind == TY_ARRAY && (t->flags & CTF_INCOMPLETE)) {
			m.flags |= CMF_FLEX;
		} else if (t->kind == TY_ARRAY && (t->flags & CTF_VLA)) {
			cp_error(p, m.loc, "fields must have a constant size: 'variable length array "
					   "in structure' extension will never be supported");
			m.type = p->tu->error_type;
		} else if (!ctype_is_complete(t) && t->kind != TY_ERROR) {
			cp_error(p, m.loc, "field has incomplete type %s", cp_type(p, t));
			cp_note_incomplete(p, t);
			m.type = p->tu->error_type;
		}
		vec_push(out, m);
		if (!cp_accept(p, T_COMMA))
			break;
	}
	if (!cp_accept(p, T_SEMI)) {
		if (cp_is(p, T_RBRACE))
			cp_warn(p, CW_EMPTY_DECL, cp_after_prev(p), "expected ';' at end of declaration list");
		else {
			cp_error(p, cp_after_prev(p), "expected ';' at end of declaration list");
			cp_skip_to(p, true, false);
		}
	}
}

void cp_parse_members(struct cparser *p, struct crecord *r, membervec *ms)
{
	r->flags |= CRF_BEING_DEFINED;
	p->cur_record = r;
	while (!cp_is(p, T_RBRACE) && !cp_is(p, T_EOF)) {
		if (cp_accept(p, T_SEMI))
			continue;
		if (cp_is(p, T_STATIC_ASSERT)) {
			cp_parse_static_assert(p);
			continue;
		}
		uint64_t before = p->ntok;
		parse_member_decl(p, r, ms);
		if (p->diag->limit_reached)
			break;
		if (p->ntok == before)
			cp_next(p); /* recovery always moves on */
	}
	p->cur_record = r->parent;
}

void cp_finish_members(struct cparser *p, struct crecord *r, membervec *mv)
{
	struct cmember *ms = mv->data;
	uint32_t n = mv->len;
	for (uint32_t i = 0; i < n; i++) {
		struct cmember *m = &ms[i];
		m->index = i;
		if (!(m->flags & CMF_FLEX))
			continue;
		if (r->flags & CRF_UNION) {
			cp_error(p, m->loc, "flexible array member '%s' in a union is not allowed",
				 m->name ? m->name->name : "");
		} else if (i + 1 != n) {
			cp_error(p, m->loc, "flexible array member '%s' with type %s is not at the end "
					    "of struct",
				 m->name ? m->name->name : "", cp_type(p, m->type));
			cp_note(p, ms[i + 1].loc, "next field declaration is here");
		} else if (n == 1) {
			cp_warn(p, CW_FLEXIBLE_ARRAY_EXTENSIONS, m->loc,
				"flexible array member '%s' in otherwise empty struct is a GNU "
				"extension",
				m->name ? m->name->name : "");
			r->flags |= CRF_HAS_FLEX;
		} else {
			r->flags |= CRF_HAS_FLEX;
		}
	}
	check_duplicates(p, ms, n);
	r->members = cp_dup(p, ms, n * sizeof(*ms));
	r->nmembers = n;
	vec_free(mv);
	cp_record_complete(p, r);
}

static void parse_record_body(struct cparser *p, struct crecord *r, struct cattr *attrs)
{
	r->max_field_align = p->pack;
	r->parent = p->cur_record;
	bool lazy = cp_try_lazy_record(p, r);
	cp_next(p); /* { (or the } after a skipped body) */
	membervec ms = { 0 };
	if (!lazy)
		cp_parse_members(p, r, &ms);
	struct srcloc end = cp_loc(p);
	if (!cp_accept(p, T_RBRACE))
		cp_error(p, end, "expected '}'");
	cp_parse_attributes(p, &attrs);
	cp_apply_record_attrs(p, r, attrs);
	/* #pragma clang attribute: read in place, not copied to each record */
	for (uint32_t i = 0; i < p->attr_stack.len; i++) {
		struct pragma_attr *pa = &p->attr_stack.data[i];
		if (pa->active && (pa->subjects & AW_RECORD))
			cp_apply_record_attrs(p, r, pa->attr);
	}
	if (!lazy)
		cp_finish_members(p, r, &ms);
}

void cp_record_complete(struct cparser *p, struct crecord *r)
{
	r->flags &= ~CRF_BEING_DEFINED;
	r->flags |= CRF_COMPLETE;
	crecord_build_index(r, p->a);
	vec_push(&p->tu->records, r);
}

struct ctype *cp_parse_record(struct cparser *p, struct declspec *ds)
{
	enum tok_kind k = p->tok.kind;
	struct srcloc kwloc = cp_loc(p);
	cp_next(p);
	struct cattr *attrs = NULL;
	cp_parse_attributes(p, &attrs);
	struct pp_ident *tag = NULL;
	struct srcloc loc = kwloc;
	if (cp_is(p, T_IDENT)) {
		tag = p->tok.id;
		loc = cp_loc(p);
		cp_next(p);
		cp_parse_attributes(p, &attrs);
	}
	if (cp_is(p, T_LBRACE)) {
		ds->defined_tag = true;
		struct crecord *r = NULL;
		if (tag) {
			struct ctype *t = find_tag(p, k, tag, loc, true, false);
			if (t && (t->u.rec->flags &
				  (CRF_COMPLETE | CRF_BEING_DEFINED | CRF_LAZY | CRF_LAZY_BODY))) {
				if (t->u.rec->flags & CRF_BEING_DEFINED)
					cp_error(p, loc, "nested redefinition of '%s'", tag->name);
				else
					cp_error(p, loc, "redefinition of '%s'", tag->name);
				if (!(t->u.rec->flags & CRF_FROM_BTF))
					cp_note(p, t->u.rec->loc, "previous definition is here");
			} else if (t) {
				r = t->u.rec;
				r->loc = loc;
			}
		}
		if (!r) {
			r = new_record(p, k == T_UNION, tag, tag ? loc : kwloc);
			if (tag && !cp_lookup_tag(p, tag, true))
				cp_bind_tag(p, tag, r->type);
		}
		parse_record_body(p, r, attrs);
		return r->type;
	}
	if (!tag) {
		cp_error(p, kwloc, "declaration of anonymous %s must be a definition", kind_word(k));
		return p->tu->error_type;
	}
	bool forward = cp_is(p, T_SEMI) && !ds->storage;
	ds->tag_only = true;
	struct ctype *t = find_tag(p, k, tag, loc, false, forward);
	if (t)
		return t;
	struct crecord *r = new_record(p, k == T_UNION, tag, loc);
	if (p->scope->depth > 0 && p->func == NULL && !forward)
		cp_warn(p, CW_VISIBILITY, loc, "declaration of '%s %s' will not be visible outside of "
					       "this function",
			kind_word(k), tag->name);
	cp_bind_tag(p, tag, r->type);
	if (attrs)
		cp_apply_record_attrs(p, r, attrs);
	return r->type;
}

/* ---- enums ---- */

static bool fits(int64_t v, bool is_unsigned_big, enum ctype_kind k)
{
	if (is_unsigned_big) /* a value above INT64_MAX */
		return k == TY_ULONG || k == TY_ULLONG;
	switch (k) {
	case TY_SCHAR:
		return v >= SCHAR_MIN && v <= SCHAR_MAX;
	case TY_UCHAR:
		return v >= 0 && v <= UCHAR_MAX;
	case TY_SHORT:
		return v >= SHRT_MIN && v <= SHRT_MAX;
	case TY_USHORT:
		return v >= 0 && v <= USHRT_MAX;
	case TY_INT:
		return v >= INT_MIN && v <= INT_MAX;
	case TY_UINT:
		return v >= 0 && v <= (int64_t)UINT_MAX;
	case TY_LONG:
		return true;
	case TY_ULONG:
		return v >= 0;
	default:
		return false;
	}
}

void cp_enum_finish(struct cparser *p, struct cenum *e)
{
	bool neg = false, big = false;
	int64_t lo = 0, hi = 0;
	for (uint32_t i = 0; i < e->nconsts; i++) {
		struct cdecl *c = e->consts[i];
		int64_t v = c->u.ec.value;
		bool is_big = c->type->kind == TY_ULONG && v < 0;
		if (is_big) {
			big = true;
			continue;
		}
		if (v < 0)
			neg = true;
		if (i == 0 || v < lo)
			lo = v;
		if (i == 0 || v > hi)
			hi = v;
	}
	static const enum ctype_kind sgn[] = { TY_SCHAR, TY_SHORT, TY_INT, TY_LONG };
	static const enum ctype_kind uns[] = { TY_UCHAR, TY_USHORT, TY_UINT, TY_ULONG };
	enum ctype_kind k = neg ? TY_LONG : TY_ULONG;
	for (int i = e->packed ? 0 : 2; i < 4; i++) {
		enum ctype_kind c = neg ? sgn[i] : uns[i];
		if (fits(lo, big, c) && fits(hi, big, c)) {
			k = c;
			break;
		}
	}
	e->underlying = p->tu->ty[k];
	e->complete = true;
	/* enumerators that don't fit int take the enum's type */
	for (uint32_t i = 0; i < e->nconsts; i++) {
		struct cdecl *c = e->consts[i];
		bool is_big = c->type->kind == TY_ULONG && c->u.ec.value < 0;
		if (!is_big && fits(c->u.ec.value, false, TY_INT))
			c->type = p->tu->ty[TY_INT];
		else
			c->type = e->underlying;
	}
}

/* `= 42,` or `= -1 }`: most of vmlinux.h's enumerator values, taken
 * without building an expression; false leaves the tokens alone. */
static bool plain_value(struct cparser *p, int64_t *v)
{
	bool neg = cp_is(p, T_MINUS);
	const struct tok *num = neg ? cp_peek(p, 1) : &p->tok;
	if (num->kind != T_NUMBER || num->len > 9 || (num->len > 1 && num->p[0] == '0'))
		return false;
	int64_t x = 0;
	for (uint32_t i = 0; i < num->len; i++) {
		if (num->p[i] < '0' || num->p[i] > '9')
			return false;
		x = x * 10 + (num->p[i] - '0');
	}
	enum tok_kind after = cp_peek(p, neg ? 2 : 1)->kind;
	if (after != T_COMMA && after != T_RBRACE)
		return false;
	*v = neg ? -x : x;
	cp_next(p);
	if (neg)
		cp_next(p);
	return true;
}

void cp_parse_enumerators(struct cparser *p, struct cenum *e, declvec *out)
{
	declvec consts = { 0 };
	int64_t next = 0;
	bool next_big = false, overflow = false;
	while (!cp_is(p, T_RBRACE) && !cp_is(p, T_EOF)) {
		if (!cp_is(p, T_IDENT)) {
			cp_error(p, cp_loc(p), "expected identifier");
			cp_skip_to(p, false, true);
			if (!cp_accept(p, T_COMMA))
				break;
			continue;
		}
		struct pp_ident *name = p->tok.id;
		struct srcloc loc = cp_loc(p);
		cp_next(p);
		struct cattr *attrs = NULL;
		cp_parse_attributes(p, &attrs);
		int64_t v = next;
		bool big = next_big;
		if (overflow) {
			cp_error(p, loc, "enumerator value is not representable in the underlying type "
					 "'long'");
			overflow = false;
		}
		if (cp_accept(p, T_ASSIGN) && !plain_value(p, &v)) {
			struct cexpr *ve = cp_parse_cond_expr(p);
			if (ve->type->kind != TY_ERROR) {
				if (!ctype_is_integer(ve->type)) {
					cp_error(p, ve->loc, "expression is not an integer constant "
							     "expression");
				} else if (!ceval_int(ve, &v)) {
					struct cconst cc;
					if (ceval_const(ve, &cc) && cc.kind == CC_INT)
						v = cc.ival;
					else
						cp_error(p, ve->loc, "expression is not an integer "
								     "constant expression");
				}
				big = !ctype_is_signed(ve->type) && ctype_int_bits(ve->type) == 64 &&
				      v < 0;
			}
		}
		struct ctype *ct = big ? p->tu->ty[TY_ULONG]
				   : fits(v, false, TY_INT) ? p->tu->ty[TY_INT]
							    : p->tu->ty[TY_LONG];
		struct cdecl *c = cs_new_decl(p, CD_ENUMCONST, name, loc, ct);
		c->u.ec.value = v;
		c->u.ec.en = e;
		if (p->scope->depth == 0)
			cp_pending_name(p, name);
		struct cbinding *b = name->bind_ord;
		if (b && b->depth == p->scope->depth && b->decl) {
			if (b->decl->kind == CD_ENUMCONST)
				cp_error(p, loc, "redefinition of enumerator '%s'", name->name);
			else
				cp_error(p, loc, "redefinition of '%s' as different kind of symbol",
					 name->name);
			cp_note(p, b->decl->loc, "previous definition is here");
		} else {
			cp_bind(p, name, c);
		}
		vec_push(&consts, c);
		/* the next value */
		if (big) {
			next = (int64_t)((uint64_t)v + 1);
			next_big = next != 0;
			overflow = next == 0;
		} else if (v == INT64_MAX) {
			next = INT64_MIN; /* 2^63 as unsigned */
			next_big = true;
		} else {
			next = v + 1;
			next_big = false;
		}
		if (!cp_accept(p, T_COMMA)) {
			if (!cp_is(p, T_RBRACE) && !cp_is(p, T_EOF)) {
				cp_error(p, cp_after_prev(p), "expected '}'");
				cp_skip_to(p, false, false);
			}
			break;
		}
	}
	*out = consts;
}

void cp_finish_enum(struct cparser *p, struct cenum *e, declvec *consts)
{
	if (!consts->len)
		cp_error(p, e->loc, "use of empty enum");
	e->consts = cp_dup(p, consts->data, consts->len * sizeof(*consts->data));
	e->nconsts = consts->len;
	vec_free(consts);
	cp_enum_finish(p, e);
}

static void parse_enum_body(struct cparser *p, struct cenum *e)
{
	bool lazy = cp_try_lazy_enum(p, e);
	cp_next(p); /* { (or the } after a skipped body) */
	declvec consts = { 0 };
	if (!lazy)
		cp_parse_enumerators(p, e, &consts);
	if (!cp_accept(p, T_RBRACE))
		cp_error(p, cp_loc(p), "expected '}'");
	struct cattr *attrs = NULL;
	cp_parse_attributes(p, &attrs);
	cp_apply_enum_attrs(p, e, attrs);
	if (!lazy)
		cp_finish_enum(p, e, &consts);
}

struct ctype *cp_parse_enum(struct cparser *p, struct declspec *ds)
{
	struct srcloc kwloc = cp_loc(p);
	cp_next(p);
	struct cattr *attrs = NULL;
	cp_parse_attributes(p, &attrs);
	struct pp_ident *tag = NULL;
	struct srcloc loc = kwloc;
	if (cp_is(p, T_IDENT)) {
		tag = p->tok.id;
		loc = cp_loc(p);
		cp_next(p);
		cp_parse_attributes(p, &attrs);
	}
	struct ctype *fixed = NULL;
	if (cp_is(p, T_COLON) && (cp_peek(p, 1)->kind == T_IDENT || cp_peek(p, 1)->kind >= T_FIRST_KW)) {
		cp_next(p);
		fixed = cp_parse_typename(p);
		if (!ctype_is_integer(fixed) || fixed->kind == TY_ENUM) {
			cp_error(p, loc, "non-integral type %s is an invalid underlying type",
				 cp_type(p, fixed));
			fixed = NULL;
		}
	}
	if (cp_is(p, T_LBRACE)) {
		ds->defined_tag = true;
		struct cenum *e = NULL;
		if (tag) {
			struct ctype *t = find_tag(p, T_ENUM, tag, loc, true, false);
			if (t && (t->u.en->complete || t->u.en->lazy_body)) {
				cp_error(p, loc, "redefinition of '%s'", tag->name);
				if (!t->u.en->from_btf)
					cp_note(p, t->u.en->loc, "previous definition is here");
			} else if (t) {
				e = t->u.en;
				e->loc = loc;
			}
		}
		if (!e) {
			e = CP_NEW(p, struct cenum);
			e->tag = tag;
			e->loc = tag ? loc : kwloc;
			ctype_enum(p->tu, e);
			if (tag && !cp_lookup_tag(p, tag, true))
				cp_bind_tag(p, tag, e->type);
		}
		cp_apply_pragma_attrs(p, AW_ENUM, &attrs);
		cp_apply_enum_attrs(p, e, attrs);
		e->fixed = fixed != NULL;
		parse_enum_body(p, e);
		if (fixed)
			e->underlying = ctype_unqual(fixed->canon);
		return e->type;
	}
	if (!tag) {
		cp_error(p, kwloc, "declaration of anonymous enum must be a definition");
		return p->tu->error_type;
	}
	ds->tag_only = true;
	struct ctype *t = find_tag(p, T_ENUM, tag, loc, false, cp_is(p, T_SEMI));
	if (t)
		return t;
	struct cenum *e = CP_NEW(p, struct cenum);
	e->tag = tag;
	e->loc = loc;
	ctype_enum(p->tu, e);
	if (fixed) {
		e->underlying = ctype_unqual(fixed->canon);
		e->complete = true;
	}
	cp_bind_tag(p, tag, e->type);
	return e->type;
}
