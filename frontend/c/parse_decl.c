/* Declarations: specifiers (with GNU typeof, __auto_type, _Atomic,
 * _Alignas and attributes anywhere), declarators built as a list of
 * derivations, type names, file-scope and block declarations, function
 * definitions and _Static_assert. */
#include "frontend/c/cparse_internal.h"

#include <inttypes.h>
#include <string.h>

/* ---- specifiers ---- */

/* Counted like a number so "long long" is two LONGs (an idea from chibicc). */
enum {
	SP_VOID = 1 << 0,
	SP_BOOL = 1 << 2,
	SP_CHAR = 1 << 4,
	SP_SHORT = 1 << 6,
	SP_INT = 1 << 8,
	SP_LONG = 1 << 10,
	SP_FLOAT = 1 << 12,
	SP_DOUBLE = 1 << 14,
	SP_SIGNED = 1 << 16,
	SP_UNSIGNED = 1 << 18,
	SP_INT128 = 1 << 20,
	SP_OTHER = 1 << 22, /* typedef name, struct/union/enum, typeof, __auto_type */
};

static int spec_kind(unsigned c)
{
	switch (c) {
	case SP_VOID:
		return TY_VOID;
	case SP_BOOL:
		return TY_BOOL;
	case SP_CHAR:
		return TY_CHAR;
	case SP_SIGNED + SP_CHAR:
		return TY_SCHAR;
	case SP_UNSIGNED + SP_CHAR:
		return TY_UCHAR;
	case SP_SHORT:
	case SP_SHORT + SP_INT:
	case SP_SIGNED + SP_SHORT:
	case SP_SIGNED + SP_SHORT + SP_INT:
		return TY_SHORT;
	case SP_UNSIGNED + SP_SHORT:
	case SP_UNSIGNED + SP_SHORT + SP_INT:
		return TY_USHORT;
	case SP_INT:
	case SP_SIGNED:
	case SP_SIGNED + SP_INT:
		return TY_INT;
	case SP_UNSIGNED:
	case SP_UNSIGNED + SP_INT:
		return TY_UINT;
	case SP_LONG:
	case SP_LONG + SP_INT:
	case SP_SIGNED + SP_LONG:
	case SP_SIGNED + SP_LONG + SP_INT:
		return TY_LONG;
	case SP_UNSIGNED + SP_LONG:
	case SP_UNSIGNED + SP_LONG + SP_INT:
		return TY_ULONG;
	case 2 * SP_LONG:
	case 2 * SP_LONG + SP_INT:
	case SP_SIGNED + 2 * SP_LONG:
	case SP_SIGNED + 2 * SP_LONG + SP_INT:
		return TY_LLONG;
	case SP_UNSIGNED + 2 * SP_LONG:
	case SP_UNSIGNED + 2 * SP_LONG + SP_INT:
		return TY_ULLONG;
	case SP_INT128:
	case SP_SIGNED + SP_INT128:
		return TY_INT128;
	case SP_UNSIGNED + SP_INT128:
		return TY_UINT128;
	case SP_FLOAT:
		return TY_FLOAT;
	case SP_DOUBLE:
		return TY_DOUBLE;
	case SP_LONG + SP_DOUBLE:
		return TY_LDOUBLE;
	default:
		return -1;
	}
}

static unsigned spec_bit(enum tok_kind k)
{
	switch (k) {
	case T_VOID:
		return SP_VOID;
	case T_BOOL:
		return SP_BOOL;
	case T_CHAR_KW:
		return SP_CHAR;
	case T_SHORT:
		return SP_SHORT;
	case T_INT:
		return SP_INT;
	case T_LONG:
		return SP_LONG;
	case T_FLOAT:
		return SP_FLOAT;
	case T_DOUBLE:
		return SP_DOUBLE;
	case T_SIGNED:
		return SP_SIGNED;
	case T_UNSIGNED:
		return SP_UNSIGNED;
	case T_INT128:
		return SP_INT128;
	default:
		return 0;
	}
}

static bool is_qual_kw(enum tok_kind k)
{
	return k == T_CONST || k == T_VOLATILE || k == T_RESTRICT || k == T_ATOMIC;
}

bool cp_starts_declspec(struct cparser *p)
{
	switch (p->tok.kind) {
	case T_VOID: case T_BOOL: case T_CHAR_KW: case T_SHORT: case T_INT: case T_LONG:
	case T_FLOAT: case T_DOUBLE: case T_SIGNED: case T_UNSIGNED: case T_INT128:
	case T_COMPLEX: case T_IMAGINARY: case T_FLOAT16: case T_BITINT:
	case T_STRUCT: case T_UNION: case T_ENUM: case T_TYPEOF: case T_TYPEOF_UNQUAL:
	case T_CONST: case T_VOLATILE: case T_RESTRICT: case T_ATOMIC:
	case T_TYPEDEF: case T_EXTERN: case T_STATIC: case T_AUTO: case T_REGISTER:
	case T_THREAD_LOCAL: case T_INLINE: case T_NORETURN: case T_ALIGNAS:
	case T_ATTRIBUTE: case T_AUTO_TYPE:
		return true;
	case T_EXTENSION: {
		/* __extension__ before a declaration */
		const struct tok *n = cp_peek(p, 1);
		if (n->kind == T_IDENT) {
			struct cdecl *d = cp_lookup(p, n->id);
			return d && d->kind == CD_TYPEDEF;
		}
		return n->kind != T_LPAREN && n->kind >= T_FIRST_KW;
	}
	case T_IDENT:
		return cp_is_typedef_name(p, &p->tok);
	default:
		return false;
	}
}

static const char *spelling_of(struct cparser *p)
{
	return p->tok.id ? p->tok.id->name : cp_tok_text(p, &p->tok);
}

static struct ctype *parse_typeof(struct cparser *p, bool unqual)
{
	struct srcloc loc = cp_loc(p);
	cp_next(p);
	if (!cp_expect(p, T_LPAREN, NULL))
		return p->tu->error_type;
	struct ctype *t;
	if (cp_starts_declspec(p)) {
		t = cp_parse_typename(p);
	} else {
		bool saved = p->in_sizeof;
		p->in_sizeof = true;
		struct cexpr *e = cp_parse_expr(p);
		p->in_sizeof = saved;
		t = e->type;
		if (e->flags & EF_BITFIELD)
			t = e->u.m.member->type;
	}
	(void)loc;
	cp_expect(p, T_RPAREN, NULL);
	if (unqual)
		t = ctype_unqual(t);
	return t;
}

/* Parses declaration specifiers; returns false when there were none. */
bool cp_parse_declspec(struct cparser *p, struct declspec *ds, bool allow_storage)
{
	memset(ds, 0, sizeof(*ds));
	ds->loc = cp_loc(p);
	unsigned counter = 0, quals = 0;
	struct ctype *other = NULL;
	bool any = false;
	const char *other_name = NULL;
	for (;;) {
		enum tok_kind k = p->tok.kind;
		struct srcloc loc = cp_loc(p);
		if (k == T_EXTENSION) {
			cp_next(p);
			continue;
		}
		if (k == T_ATTRIBUTE) {
			cp_parse_attributes(p, &ds->attrs);
			any = true;
			continue;
		}
		if (k == T_TYPEDEF || k == T_EXTERN || k == T_STATIC || k == T_AUTO || k == T_REGISTER) {
			uint8_t sc = k == T_TYPEDEF ? CSC_TYPEDEF : k == T_EXTERN ? CSC_EXTERN
				     : k == T_STATIC ? CSC_STATIC : k == T_AUTO ? CSC_AUTO : CSC_REGISTER;
			if (!allow_storage && k != T_REGISTER) {
				cp_error(p, loc, "invalid storage class specifier in %s",
					 "function declarator");
			} else if (ds->storage == sc) {
				cp_warn(p, CW_DUPLICATE_DECL_SPECIFIER, loc,
					"duplicate '%s' declaration specifier", spelling_of(p));
			} else if (ds->storage) {
				static const char *const names[] = { "", "extern", "static", "auto",
								     "register", "typedef" };
				cp_error(p, loc, "cannot combine with previous '%s' declaration specifier",
					 names[ds->storage]);
			} else {
				ds->storage = sc;
			}
			cp_next(p);
			any = true;
			continue;
		}
		if (k == T_THREAD_LOCAL) {
			ds->thread_local = true;
			cp_next(p);
			any = true;
			continue;
		}
		if (k == T_INLINE || k == T_NORETURN) {
			if (k == T_INLINE)
				ds->is_inline = true;
			else
				ds->is_noreturn = true;
			cp_next(p);
			any = true;
			continue;
		}
		if (k == T_ATOMIC && cp_peek(p, 1)->kind == T_LPAREN) {
			cp_next(p);
			cp_next(p);
			struct ctype *t = cp_parse_typename(p);
			cp_expect(p, T_RPAREN, NULL);
			if (counter) {
				cp_error(p, loc, "cannot combine with previous declaration specifier");
			} else {
				counter = SP_OTHER;
				other = ctype_qual(p->tu, t, CQ_ATOMIC);
				other_name = "_Atomic";
			}
			any = true;
			continue;
		}
		if (is_qual_kw(k)) {
			unsigned q = k == T_CONST ? CQ_CONST : k == T_VOLATILE ? CQ_VOLATILE
				     : k == T_RESTRICT ? CQ_RESTRICT : CQ_ATOMIC;
			quals |= q;
			cp_next(p);
			any = true;
			continue;
		}
		if (k == T_ALIGNAS) {
			cp_next(p);
			if (cp_expect(p, T_LPAREN, NULL)) {
				uint32_t al = 0;
				if (cp_starts_declspec(p)) {
					struct ctype *t = cp_parse_typename(p);
					al = ctype_align(t);
				} else {
					bool ok;
					int64_t v = cp_parse_ice(p, "'_Alignas'", &ok);
					if (ok && v && (v < 0 || (v & (v - 1))))
						cp_error(p, loc, "requested alignment is not a power of 2");
					else if (ok)
						al = (uint32_t)v;
				}
				if (al > ds->align)
					ds->align = al;
				cp_expect(p, T_RPAREN, NULL);
			}
			any = true;
			continue;
		}
		unsigned bit = spec_bit(k);
		if (bit) {
			if (counter & SP_OTHER) {
				cp_error(p, loc, "cannot combine with previous '%s' declaration specifier",
					 other_name);
			} else if (spec_kind(counter + bit) < 0) {
				if (bit == SP_LONG && counter >= 2 * SP_LONG && !(counter & ~(3 * SP_LONG | SP_INT | SP_SIGNED | SP_UNSIGNED)))
					cp_error(p, loc, "'long long long' is invalid");
				else
					cp_error(p, loc, "cannot combine with previous '%s' declaration specifier",
						 counter & SP_UNSIGNED   ? "unsigned"
						 : counter & SP_SIGNED   ? "signed"
						 : counter & SP_LONG     ? "long"
						 : counter & SP_SHORT    ? "short"
						 : counter & SP_CHAR     ? "char"
						 : counter & SP_INT      ? "int"
						 : counter & SP_VOID     ? "void"
						 : counter & SP_BOOL     ? "_Bool"
						 : counter & SP_FLOAT    ? "float"
						 : counter & SP_DOUBLE   ? "double"
									 : "__int128");
			} else {
				counter += bit;
			}
			cp_next(p);
			any = true;
			continue;
		}
		if (k == T_COMPLEX || k == T_IMAGINARY) {
			cp_error(p, loc, "complex types are not supported for the BPF target");
			cp_next(p);
			any = true;
			continue;
		}
		if (k == T_FLOAT16) {
			cp_error(p, loc, "_Float16 is not supported on this target");
			cp_next(p);
			counter = counter ? counter : SP_FLOAT;
			any = true;
			continue;
		}
		if (k == T_BITINT) {
			cp_error(p, loc, "_BitInt is not supported for the BPF target");
			cp_next(p);
			if (cp_is(p, T_LPAREN))
				cp_skip_balanced(p);
			counter = counter ? counter : SP_INT;
			any = true;
			continue;
		}
		bool is_other = k == T_STRUCT || k == T_UNION || k == T_ENUM || k == T_TYPEOF ||
				k == T_TYPEOF_UNQUAL || k == T_AUTO_TYPE ||
				(k == T_IDENT && !counter && cp_is_typedef_name(p, &p->tok));
		if (!is_other)
			break;
		if (counter) {
			if (k == T_IDENT)
				break; /* `int T`: T is the declarator */
			cp_error(p, loc, "cannot combine with previous '%s' declaration specifier",
				 other_name ? other_name : "type");
		}
		struct ctype *t;
		other_name = spelling_of(p);
		switch (k) {
		case T_STRUCT:
		case T_UNION:
			t = cp_parse_record(p, ds);
			break;
		case T_ENUM:
			t = cp_parse_enum(p, ds);
			break;
		case T_TYPEOF:
		case T_TYPEOF_UNQUAL:
			t = parse_typeof(p, k == T_TYPEOF_UNQUAL);
			break;
		case T_AUTO_TYPE:
			ds->auto_type = true;
			t = p->tu->ty[TY_INT];
			cp_next(p);
			break;
		default: {
			struct cdecl *td = cp_lookup(p, p->tok.id);
			td->flags |= CDF_USED;
			t = ctype_typedef(p->tu, td);
			cp_next(p);
			break;
		}
		}
		if (!counter) {
			counter = SP_OTHER;
			other = t;
		}
		any = true;
	}
	if (!any)
		return false;
	if (counter & SP_OTHER) {
		ds->type = other;
	} else if (counter) {
		ds->type = p->tu->ty[spec_kind(counter)];
	} else {
		ds->implicit_int = true;
		ds->type = p->tu->ty[TY_INT];
	}
	if (quals)
		ds->type = ctype_qual(p->tu, ds->type, quals);
	ds->type = cp_apply_type_attrs(p, ds->type, ds->attrs, NULL);
	return true;
}

/* ---- declarators ---- */

typedef VEC(struct dchunk) chunkvec;

static void parse_ptr_quals(struct cparser *p, struct dchunk *c)
{
	for (;;) {
		enum tok_kind k = p->tok.kind;
		if (k == T_CONST)
			c->quals |= CQ_CONST;
		else if (k == T_VOLATILE)
			c->quals |= CQ_VOLATILE;
		else if (k == T_RESTRICT)
			c->quals |= CQ_RESTRICT;
		else if (k == T_ATOMIC)
			c->quals |= CQ_ATOMIC;
		else if (k == T_ATTRIBUTE) {
			cp_parse_attributes(p, &c->attrs);
			continue;
		} else if (k == T_EXTENSION)
			;
		else
			return;
		cp_next(p);
	}
}

static bool starts_param_list(struct cparser *p)
{
	/* after '(' in an abstract declarator: a parameter list, not a nested declarator */
	const struct tok *n = cp_peek(p, 1);
	if (n->kind == T_RPAREN || n->kind == T_ELLIPSIS)
		return true;
	if (n->kind == T_IDENT) {
		struct cdecl *d = cp_lookup(p, n->id);
		return d && d->kind == CD_TYPEDEF;
	}
	if (n->kind == T_ATTRIBUTE)
		return false;
	return n->kind >= T_FIRST_KW;
}

static void parse_params(struct cparser *p, struct dchunk *c)
{
	struct cscope proto;
	cp_scope_push(p, &proto);
	VEC(struct cparam) params = { 0 };
	VEC(struct cdecl *) decls = { 0 };
	c->kind = DK_FUNC;
	c->loc = cp_loc(p);
	cp_next(p); /* ( */
	if (cp_is(p, T_RPAREN)) {
		c->aflags |= CTF_NOPROTO;
		cp_next(p);
		cp_scope_pop(p);
		return;
	}
	if (cp_is(p, T_IDENT) && !cp_is_typedef_name(p, &p->tok)) {
		/* a K&R identifier list */
		cp_error(p, cp_loc(p), "unknown type name '%s'", p->tok.id->name);
		cp_skip_to(p, false, false);
		cp_accept(p, T_RPAREN);
		c->aflags |= CTF_NOPROTO;
		cp_scope_pop(p);
		return;
	}
	for (;;) {
		if (cp_is(p, T_ELLIPSIS)) {
			if (!params.len)
				cp_error(p, cp_loc(p), "ISO C requires a named parameter before '...'");
			c->aflags |= CTF_VARIADIC;
			cp_next(p);
			break;
		}
		struct declspec ds;
		struct srcloc loc = cp_loc(p);
		if (!cp_parse_declspec(p, &ds, false)) {
			if (cp_is(p, T_IDENT)) {
				cp_error(p, loc, "unknown type name '%s'", p->tok.id->name);
				cp_next(p);
				ds.type = p->tu->error_type;
			} else {
				cp_error(p, loc, "expected parameter declarator");
				cp_skip_to(p, false, true);
				if (!cp_accept(p, T_COMMA))
					break;
				continue;
			}
		} else if (ds.implicit_int) {
			cp_error(p, loc, "type specifier missing, defaults to 'int'; ISO C99 and later "
					 "do not support implicit int");
		}
		struct declarator d;
		cp_parse_declarator(p, &d, true);
		struct ctype *t = cp_apply_declarator(p, ds.type, &d);
		if (t->kind == TY_VOID && !d.name && !params.len && cp_is(p, T_RPAREN) &&
		    !t->quals) {
			break; /* (void) */
		}
		if (t->kind == TY_VOID) {
			cp_error(p, d.name ? d.loc : loc, "argument may not have 'void' type");
			t = p->tu->error_type;
		}
		/* adjustments: arrays and functions become pointers */
		if (t->kind == TY_ARRAY) {
			unsigned q = 0;
			for (uint32_t i = 0; i < d.nchunks; i++)
				if (d.chunks[i].kind == DK_ARRAY && i == d.nchunks - 1)
					q = d.chunks[i].quals;
			t = ctype_qual(p->tu, ctype_ptr(p->tu, t->u.arr.elem), q);
		} else if (t->kind == TY_FUNC) {
			t = ctype_ptr(p->tu, t);
		}
		struct cparam prm = { d.name, t, d.loc.line ? d.loc : loc };
		vec_push(&params, prm);
		if (d.name) {
			struct cdecl *pd = cs_new_decl(p, CD_VAR, d.name, d.loc, t);
			pd->flags |= CDF_PARAM;
			pd->storage = ds.storage;
			struct cattr *all = ds.attrs;
			cp_attr_append(&all, d.attrs);
			cp_apply_decl_attrs(p, pd, all, AW_PARAM | AW_VAR);
			struct cbinding *b = d.name->bind_ord;
			if (b && b->depth == p->scope->depth)
				cp_error(p, d.loc, "redefinition of parameter '%s'", d.name->name);
			cp_bind(p, d.name, pd);
			vec_push(&decls, pd);
		} else {
			vec_push(&decls, NULL);
		}
		if (!cp_accept(p, T_COMMA))
			break;
	}
	if (!cp_accept(p, T_RPAREN)) {
		cp_error(p, cp_after_prev(p), "expected ')'");
		cp_skip_to(p, false, false);
		cp_accept(p, T_RPAREN);
	}
	cp_scope_pop(p);
	c->params = cp_dup(p, params.data, params.len * sizeof(*params.data));
	c->nparams = params.len;
	c->param_decls = cp_dup(p, decls.data, decls.len * sizeof(*decls.data));
	vec_free(&params);
	vec_free(&decls);
}

static void parse_array_chunk(struct cparser *p, struct dchunk *c)
{
	c->kind = DK_ARRAY;
	c->loc = cp_loc(p);
	cp_next(p); /* [ */
	for (;;) {
		if (cp_accept(p, T_STATIC)) {
			c->aflags |= CTF_STATIC_SIZE;
			continue;
		}
		if (is_qual_kw(p->tok.kind)) {
			c->quals |= p->tok.kind == T_CONST ? CQ_CONST : p->tok.kind == T_VOLATILE
				    ? CQ_VOLATILE : p->tok.kind == T_RESTRICT ? CQ_RESTRICT : CQ_ATOMIC;
			cp_next(p);
			continue;
		}
		break;
	}
	if (cp_is(p, T_RBRACKET)) {
		c->aflags |= CTF_INCOMPLETE;
		cp_next(p);
		return;
	}
	if (cp_is(p, T_STAR) && cp_peek(p, 1)->kind == T_RBRACKET) {
		c->aflags |= CTF_VLA;
		cp_next(p);
		cp_next(p);
		return;
	}
	struct cexpr *e = cs_rvalue(p, cp_parse_assign_expr(p));
	cp_expect(p, T_RBRACKET, NULL);
	if (e->type->kind == TY_ERROR)
		return;
	if (!ctype_is_integer(e->type)) {
		cp_error(p, e->loc, "size of array has non-integer type %s", cp_type(p, e->type));
		return;
	}
	int64_t v;
	if (ceval_int(e, &v)) {
		if (ctype_is_signed(e->type) && v < 0) {
			struct pp_ident *name = p->decl_name;
			if (name)
				cp_error(p, e->loc, "'%s' declared as an array with a negative size",
					 name->name);
			else
				cp_error(p, e->loc, "array size is negative");
			return;
		}
		c->len = (uint64_t)v;
		return;
	}
	struct cconst cc;
	if (ceval_const(e, &cc) && cc.kind == CC_INT) {
		/* clang folds this as an extension */
		cp_warn(p, CW_GNU_FOLDING_CONSTANT, e->loc,
			"variable length array folded to constant array as an extension");
		c->len = (uint64_t)cc.ival;
		return;
	}
	c->aflags |= CTF_VLA;
	c->vla = e;
}

static void parse_suffixes(struct cparser *p, chunkvec *out)
{
	chunkvec s = { 0 };
	for (;;) {
		struct dchunk c = { 0 };
		if (cp_is(p, T_LBRACKET))
			parse_array_chunk(p, &c);
		else if (cp_is(p, T_LPAREN))
			parse_params(p, &c);
		else
			break;
		vec_push(&s, c);
	}
	for (uint32_t i = s.len; i-- > 0;)
		vec_push(out, s.data[i]);
	vec_free(&s);
}

static void parse_decl_rec(struct cparser *p, struct declarator *d, bool abstract, chunkvec *out,
			   int depth)
{
	chunkvec ptrs = { 0 };
	for (;;) {
		if (cp_is(p, T_ATTRIBUTE)) {
			cp_parse_attributes(p, &d->attrs);
			continue;
		}
		if (!cp_is(p, T_STAR) && !cp_is(p, T_CARET))
			break;
		struct dchunk c = { .kind = DK_PTR, .loc = cp_loc(p) };
		if (cp_is(p, T_CARET))
			cp_error(p, cp_loc(p), "blocks support disabled - compile with -fblocks or "
					       "pick a deployment target that supports them");
		cp_next(p);
		parse_ptr_quals(p, &c);
		vec_push(&ptrs, c);
	}
	chunkvec inner = { 0 };
	if (cp_is(p, T_ATTRIBUTE))
		cp_parse_attributes(p, &d->attrs);
	if (cp_is(p, T_LPAREN) && !(abstract && starts_param_list(p)) &&
	    !(!abstract && cp_peek(p, 1)->kind == T_RPAREN) && depth < 200) {
		cp_next(p);
		parse_decl_rec(p, d, abstract, &inner, depth + 1);
		if (!cp_accept(p, T_RPAREN)) {
			cp_error(p, cp_loc(p), "expected ')'");
			cp_skip_to(p, false, false);
			cp_accept(p, T_RPAREN);
		}
	} else if (cp_is(p, T_IDENT)) {
		d->name = p->tok.id;
		p->decl_name = d->name;
		d->loc = cp_loc(p);
		cp_next(p);
	} else {
		d->loc = cp_loc(p);
	}
	for (uint32_t i = 0; i < ptrs.len; i++)
		vec_push(out, ptrs.data[i]);
	parse_suffixes(p, out);
	for (uint32_t i = 0; i < inner.len; i++)
		vec_push(out, inner.data[i]);
	vec_free(&ptrs);
	vec_free(&inner);
}

void cp_parse_declarator(struct cparser *p, struct declarator *d, bool abstract)
{
	p->decl_name = NULL;
	memset(d, 0, sizeof(*d));
	chunkvec out = { 0 };
	parse_decl_rec(p, d, abstract, &out, 0);
	d->chunks = cp_dup(p, out.data, out.len * sizeof(*out.data));
	d->nchunks = out.len;
	vec_free(&out);
	if (d->nchunks && d->chunks[d->nchunks - 1].kind == DK_FUNC)
		d->func = &d->chunks[d->nchunks - 1];
	/* asm labels and attributes after the declarator */
	for (;;) {
		if (cp_is(p, T_ATTRIBUTE)) {
			cp_parse_attributes(p, &d->attrs);
		} else if (cp_is(p, T_ASM)) {
			cp_next(p);
			if (cp_expect(p, T_LPAREN, NULL)) {
				struct cstring *s = cp_parse_string_lit(p, NULL);
				if (s)
					d->asm_label = (const char *)s->bytes;
				cp_expect(p, T_RPAREN, NULL);
			}
		} else {
			break;
		}
	}
}

struct ctype *cp_apply_declarator(struct cparser *p, struct ctype *t, struct declarator *d)
{
	for (uint32_t i = 0; i < d->nchunks; i++) {
		struct dchunk *c = &d->chunks[i];
		if (t->kind == TY_ERROR)
			return t;
		switch (c->kind) {
		case DK_PTR:
			t = ctype_ptr(p->tu, t);
			if (c->quals)
				t = ctype_qual(p->tu, t, c->quals);
			if (c->attrs)
				t = cp_apply_type_attrs(p, t, c->attrs, &d->attrs);
			break;
		case DK_ARRAY:
			if (t->kind == TY_FUNC) {
				cp_error(p, d->loc, "'%s' declared as array of functions of type %s",
					 d->name ? d->name->name : "type name", cp_type(p, t));
				return p->tu->error_type;
			}
			if (!ctype_is_complete(t) && t->kind != TY_ERROR) {
				cp_error(p, c->loc, "array has incomplete element type %s",
					 cp_type(p, t));
				return p->tu->error_type;
			}
			if (ctype_size(t) && c->len > UINT64_MAX / ctype_size(t) / 8) {
				cp_error(p, c->loc, "array is too large (%" PRIu64 " elements)", c->len);
				return p->tu->error_type;
			}
			t = ctype_array(p->tu, t, c->len, c->aflags & (CTF_INCOMPLETE | CTF_VLA));
			if (c->vla)
				t->u.arr.vla = c->vla;
			break;
		case DK_FUNC:
			if (t->kind == TY_ARRAY) {
				cp_error(p, c->loc, "function cannot return array type %s", cp_type(p, t));
				return p->tu->error_type;
			}
			if (t->kind == TY_FUNC) {
				cp_error(p, c->loc, "function cannot return function type %s",
					 cp_type(p, t));
				return p->tu->error_type;
			}
			t = ctype_func(p->tu, t, c->params, c->nparams, c->aflags);
			break;
		}
	}
	return t;
}

struct ctype *cp_parse_typename(struct cparser *p)
{
	struct declspec ds;
	struct srcloc loc = cp_loc(p);
	if (!cp_parse_declspec(p, &ds, false)) {
		cp_error(p, loc, "expected a type");
		return p->tu->error_type;
	}
	if (ds.storage)
		cp_error(p, loc, "type name does not allow storage class to be specified");
	struct declarator d;
	cp_parse_declarator(p, &d, true);
	if (d.name)
		cp_error(p, d.loc, "expected ')'");
	struct ctype *t = cp_apply_declarator(p, ds.type, &d);
	return cp_apply_type_attrs(p, t, d.attrs, NULL);
}

int64_t cp_parse_ice(struct cparser *p, const char *what, bool *ok)
{
	struct cexpr *e;
	return cp_parse_ice_expr(p, what, ok, &e);
}

int64_t cp_parse_ice_expr(struct cparser *p, const char *what, bool *ok, struct cexpr **out)
{
	struct cexpr *e = *out = cp_parse_cond_expr(p);
	int64_t v = 0;
	*ok = false;
	if (e->type->kind == TY_ERROR)
		return 0;
	if (!ctype_is_integer(e->type)) {
		cp_error(p, e->loc, "integer constant expression must have integer type, not %s",
			 cp_type(p, e->type));
		return 0;
	}
	if (!ceval_int(e, &v)) {
		struct cconst cc;
		if (ceval_const(e, &cc) && cc.kind == CC_INT) {
			cp_warn(p, CW_GNU_FOLDING_CONSTANT, e->loc,
				"expression is not an integer constant expression; folding it to a "
				"constant is a GNU extension");
			*ok = true;
			return cc.ival;
		}
		cp_error(p, e->loc, "%s%sexpression is not an integer constant expression",
			 what ? what : "", what ? " " : "");
		return 0;
	}
	*ok = true;
	return v;
}

/* ---- _Static_assert ---- */

/* The source text between two locations on one line, or NULL. */
static const char *source_text(struct cparser *p, struct srcloc from, struct srcloc to)
{
	size_t n;
	const char *line = srcmgr_line(p->diag->sm, from.file, from.line, &n);
	if (!line || to.file != from.file || to.line != from.line || !from.col ||
	    to.col <= from.col || to.col - 1 > n)
		return NULL;
	return arena_strndup(p->a, line + from.col - 1, to.col - from.col);
}

void cp_parse_static_assert(struct cparser *p)
{
	struct srcloc loc = cp_loc(p);
	cp_next(p);
	if (!cp_expect(p, T_LPAREN, NULL)) {
		cp_skip_to(p, true, false);
		return;
	}
	struct srcloc eloc = cp_loc(p);
	bool ok;
	struct cexpr *e;
	int64_t v = cp_parse_ice_expr(p, "static assertion", &ok, &e);
	const char *req = source_text(p, eloc, cp_after_prev(p));
	struct cstring *msg = NULL;
	if (cp_accept(p, T_COMMA)) {
		if (!cp_is(p, T_STRING))
			cp_error(p, cp_loc(p), "expected string literal for diagnostic message in "
					       "static_assert");
		else
			msg = cp_parse_string_lit(p, NULL);
	}
	if (!cp_expect(p, T_RPAREN, NULL)) {
		cp_skip_to(p, true, false);
		return;
	}
	cp_expect(p, T_SEMI, "static_assert");
	(void)loc;
	if (!ok || v)
		return;
	/* clang names the requirement unless it is a bare literal */
	while (e->op == E_CONV || e->op == E_CAST)
		e = e->u.bin.a;
	const char *m = msg ? (const char *)msg->bytes : NULL;
	if (req && e->op != E_INT)
		cp_error(p, eloc, "static assertion failed due to requirement '%s'%s%s", req,
			 m ? ": " : "", m ? m : "");
	else if (m)
		cp_error(p, eloc, "static assertion failed: %s", m);
	else
		cp_error(p, eloc, "static assertion failed");
	/* and, for a comparison, what its sides came to */
	int64_t l, r;
	if (e->op >= E_LT && e->op <= E_NE && ceval_int(e->u.bin.a, &l) &&
	    ceval_int(e->u.bin.b, &r)) {
		static const char *const ops[] = { "<", ">", "<=", ">=", "==", "!=" };
		bool ua = !ctype_is_signed(e->u.bin.a->type), ub = !ctype_is_signed(e->u.bin.b->type);
		char ls[32], rs[32];
		if (ua)
			snprintf(ls, sizeof(ls), "%" PRIu64, (uint64_t)l);
		else
			snprintf(ls, sizeof(ls), "%" PRId64, l);
		if (ub)
			snprintf(rs, sizeof(rs), "%" PRIu64, (uint64_t)r);
		else
			snprintf(rs, sizeof(rs), "%" PRId64, r);
		cp_note(p, e->loc, "expression evaluates to '%s %s %s'", ls, ops[e->op - E_LT], rs);
	}
}

/* ---- declarations ---- */

static void parse_init_declarators(struct cparser *p, struct declspec *ds, struct declarator *d,
				   declvec *out)
{
	for (;;) {
		struct ctype *t = cp_apply_declarator(p, ds->type, d);
		if (!d->name) {
			cp_error(p, d->loc, "expected identifier or '('");
			cp_skip_to(p, true, false);
			return;
		}
		bool has_init = cp_is(p, T_ASSIGN);
		struct cdecl *decl = cs_declare(p, ds, d, t, has_init);
		if (has_init) {
			cp_next(p);
			if (decl && decl->kind == CD_VAR) {
				struct ctype *vt = decl->type;
				bool is_static = (decl->flags & CDF_FILE_SCOPE) ||
						 decl->storage == CSC_STATIC;
				if (ds->auto_type) {
					struct cexpr *e = cs_rvalue(p, cp_parse_assign_expr(p));
					decl->type = ctype_unqual(e->type);
					struct cinit *in = CP_NEW(p, struct cinit);
					in->kind = CI_EXPR;
					in->type = decl->type;
					in->loc = e->loc;
					in->u.expr = e;
					decl->u.var.init = in;
				} else {
					decl->u.var.init =
						cp_parse_initializer(p, &vt, is_static, d->loc);
					decl->type = vt;
				}
				decl->flags |= CDF_DEFINED;
				decl->flags &= ~CDF_TENTATIVE;
			} else {
				if (decl && decl->kind == CD_TYPEDEF)
					cp_error(p, d->loc, "illegal initializer (only variables can be "
							    "initialized)");
				else if (decl && decl->kind == CD_FUNC)
					cp_error(p, d->loc, "illegal initializer (only variables can be "
							    "initialized)");
				struct ctype *tmp = p->tu->error_type;
				cp_parse_initializer(p, &tmp, false, (struct srcloc){ 0 });
			}
		} else if (ds->auto_type) {
			cp_error(p, d->loc, "declaration of variable '%s' with deduced type "
					    "'__auto_type' requires an initializer",
				 d->name->name);
		}
		if (decl)
			cs_finish_var(p, decl);
		if (decl && out)
			vec_push(out, decl);
		if (!cp_accept(p, T_COMMA))
			break;
		cp_parse_declarator(p, d, false);
	}
	if (!cp_is(p, T_SEMI)) {
		cp_error(p, cp_after_prev(p), "expected ';' after %s",
			 p->scope->depth ? "declaration" : "top level declarator");
		cp_skip_to(p, true, false);
		return;
	}
	cp_next(p);
}

static void check_hint(struct cparser *p)
{
	if (p->have_hint) {
		/* clang sees the pragma's annotation where a declaration starts */
		cp_error(p, p->hint_hash_loc, "expected identifier or '('");
		p->hint_pragmas.len = 0;
		p->have_hint = false;
	}
}

void cp_parse_external(struct cparser *p)
{
	check_hint(p);
	switch (p->tok.kind) {
	case T_SEMI:
		cp_next(p);
		return;
	case T_STATIC_ASSERT:
		cp_parse_static_assert(p);
		return;
	case T_ASM: {
		struct casm *a = cp_parse_asm(p, true);
		if (a)
			vec_push(&p->tu->asms, a);
		return;
	}
	case T_RBRACE:
		cp_error(p, cp_loc(p), "extraneous closing brace ('}')");
		cp_next(p);
		return;
	default:
		break;
	}
	struct declspec ds;
	struct srcloc loc = cp_loc(p);
	if (!cp_parse_declspec(p, &ds, true)) {
		if (cp_is(p, T_IDENT)) {
			const struct tok *n = cp_peek(p, 1);
			if (n->kind == T_IDENT || n->kind == T_STAR) {
				cp_error(p, loc, "unknown type name '%s'", p->tok.id->name);
				cp_next(p);
				ds.type = p->tu->error_type;
				ds.attrs = NULL;
				ds.storage = 0;
			} else {
				cp_error(p, loc, "type specifier missing, defaults to 'int'; ISO C99 "
						 "and later do not support implicit int");
				memset(&ds, 0, sizeof(ds));
				ds.type = p->tu->ty[TY_INT];
			}
		} else {
			cp_error(p, loc, "expected identifier or '('");
			cp_skip_to(p, true, false);
			/* a stray ')' or ']' stops the skip where it stands */
			if (cp_is(p, T_RPAREN) || cp_is(p, T_RBRACKET))
				cp_next(p);
			return;
		}
	} else if (ds.implicit_int && !cp_is(p, T_SEMI)) {
		cp_error(p, loc, "type specifier missing, defaults to 'int'; ISO C99 and later do "
				 "not support implicit int");
	}
	if (cp_is(p, T_SEMI)) {
		if (!ds.defined_tag && !ds.tag_only)
			cp_warn(p, CW_EMPTY_DECL, loc, "declaration does not declare anything");
		else if (ds.storage && ds.storage != CSC_TYPEDEF)
			cp_warn(p, CW_EMPTY_DECL, loc, "'%s' ignored on this declaration",
				ds.storage == CSC_STATIC ? "static" : ds.storage == CSC_EXTERN ? "extern"
								     : "register");
		cp_next(p);
		return;
	}
	struct declarator d;
	cp_parse_declarator(p, &d, false);
	struct ctype *t = cp_apply_declarator(p, ds.type, &d);
	if (t->kind == TY_FUNC && d.func && (cp_is(p, T_LBRACE))) {
		if (ds.storage == CSC_TYPEDEF) {
			cp_error(p, cp_loc(p), "function definition declared 'typedef'");
			ds.storage = 0;
		}
		struct cdecl *fn = cs_declare(p, &ds, &d, t, true);
		if (fn)
			cs_define_function(p, fn, &d);
		else
			cp_skip_balanced(p);
		return;
	}
	if (t->kind == TY_FUNC && d.func && cp_starts_declspec(p) && !cp_is(p, T_ATTRIBUTE)) {
		cp_error(p, cp_loc(p), "K&R-style function definitions are not supported");
		cp_skip_to(p, false, false);
		if (cp_is(p, T_LBRACE))
			cp_skip_balanced(p);
		return;
	}
	parse_init_declarators(p, &ds, &d, NULL);
}

struct cstmt *cp_parse_block_decl(struct cparser *p)
{
	struct srcloc loc = cp_loc(p);
	struct cstmt *s = CP_NEW(p, struct cstmt);
	s->kind = S_DECL;
	s->loc = loc;
	if (cp_is(p, T_STATIC_ASSERT)) {
		cp_parse_static_assert(p);
		s->kind = S_NULL;
		return s;
	}
	struct declspec ds;
	cp_parse_declspec(p, &ds, true);
	if (ds.implicit_int)
		cp_error(p, loc, "type specifier missing, defaults to 'int'; ISO C99 and later do "
				 "not support implicit int");
	if (cp_is(p, T_SEMI)) {
		if (!ds.defined_tag && !ds.tag_only)
			cp_warn(p, CW_EMPTY_DECL, loc, "declaration does not declare anything");
		cp_next(p);
		s->kind = S_NULL;
		return s;
	}
	struct declarator d;
	cp_parse_declarator(p, &d, false);
	if (d.func && cp_is(p, T_LBRACE)) {
		cp_error(p, cp_loc(p), "function definition is not allowed here");
		cp_skip_balanced(p);
		s->kind = S_NULL;
		return s;
	}
	declvec decls = { 0 };
	parse_init_declarators(p, &ds, &d, &decls);
	s->u.decl.decls = cp_dup(p, decls.data, decls.len * sizeof(*decls.data));
	s->u.decl.n = decls.len;
	vec_free(&decls);
	return s;
}
