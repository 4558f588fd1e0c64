/* GNU __attribute__((…)): parsing by the argument shapes of attrs.def and
 * applying them to declarations, records, enums, members and types, with
 * clang's warnings for unknown or misplaced attributes. */
#include "frontend/c/cparse_internal.h"

#include <string.h>

static const struct {
	const char *name;
	const char *args;
	uint32_t where;
} attr_info[ATTR_COUNT] = {
	[ATTR_UNKNOWN] = { "", "-", 0 },
#define ATTR(name, id, args, where) [ATTR_##id] = { name, args, where },
#include "frontend/c/attrs.def"
#undef ATTR
};

bool cp_at_attribute(const struct cparser *p)
{
	return p->tok.kind == T_ATTRIBUTE;
}

void cp_attr_append(struct cattr **list, struct cattr *more)
{
	while (*list)
		list = &(*list)->next;
	*list = more;
}

bool cp_attrs_have(const struct cattr *list, enum cattr_id id)
{
	for (; list; list = list->next)
		if (list->id == id)
			return true;
	return false;
}

static enum cattr_id lookup(const char *s, size_t n)
{
	if (n > 4 && s[0] == '_' && s[1] == '_' && s[n - 1] == '_' && s[n - 2] == '_') {
		s += 2;
		n -= 4;
	}
	for (int i = 1; i < ATTR_COUNT; i++)
		if (strlen(attr_info[i].name) == n && !memcmp(attr_info[i].name, s, n))
			return (enum cattr_id)i;
	return ATTR_UNKNOWN;
}

static void parse_args(struct cparser *p, struct cattr *a)
{
	const char *spec = attr_info[a->id].args;
	if (*spec == '-') {
		cp_skip_balanced(p);
		return;
	}
	cp_next(p); /* ( */
	VEC(struct cattr_arg) args = { 0 };
	bool optional = false;
	const char *s = spec;
	while (!cp_is(p, T_RPAREN) && !cp_is(p, T_EOF)) {
		if (args.len && !cp_expect(p, T_COMMA, NULL))
			break;
		if (*s == '?') {
			optional = true;
			s++;
		}
		char kind = *s;
		if (s[1] == '*')
			; /* repeat */
		else if (*s)
			s++;
		struct cattr_arg arg = { .loc = cp_loc(p) };
		if (!kind) {
			cp_error(p, cp_loc(p), "'%s' attribute takes no more than %u argument%s",
				 a->name->name, args.len, args.len == 1 ? "" : "s");
			cp_skip_to(p, false, false);
			break;
		}
		if (kind == 'i') {
			if (!cp_is(p, T_IDENT)) {
				cp_error(p, cp_loc(p), "'%s' attribute requires an identifier",
					 a->name->name);
				cp_skip_to(p, false, false);
				break;
			}
			arg.ident = p->tok.id;
			cp_next(p);
		} else if (kind == 's' && cp_is(p, T_STRING)) {
			struct cstring *str = cp_parse_string_lit(p, NULL);
			arg.str = str ? (const char *)str->bytes : "";
		} else if (kind == 's') {
			cp_error(p, cp_loc(p), "expected string literal as argument of '%s' attribute",
				 a->name->name);
			cp_skip_to(p, false, false);
			break;
		} else {
			arg.expr = cp_parse_assign_expr(p);
		}
		vec_push(&args, arg);
	}
	(void)optional;
	cp_expect(p, T_RPAREN, NULL);
	/* required arguments missing? */
	uint32_t need = 0;
	for (const char *q = spec; *q && *q != '?'; q++)
		if (*q != '*')
			need++;
	if (args.len < need)
		cp_error(p, a->loc, "'%s' attribute takes %s%u argument%s", a->name->name,
			 strchr(spec, '?') ? "at least " : "", need, need == 1 ? "" : "s");
	a->args = cp_dup(p, args.data, args.len * sizeof(*args.data));
	a->nargs = args.len;
	vec_free(&args);
}

void cp_parse_attributes(struct cparser *p, struct cattr **list)
{
	while (cp_is(p, T_ATTRIBUTE)) {
		cp_next(p);
		if (!cp_expect(p, T_LPAREN, NULL) || !cp_expect(p, T_LPAREN, NULL)) {
			cp_skip_to(p, false, false);
			if (cp_is(p, T_RPAREN))
				cp_next(p);
			continue;
		}
		while (!cp_is(p, T_RPAREN) && !cp_is(p, T_EOF)) {
			if (cp_accept(p, T_COMMA))
				continue;
			if (!p->tok.id) {
				cp_error(p, cp_loc(p), "expected identifier");
				cp_skip_to(p, false, false);
				break;
			}
			struct cattr *a = CP_NEW(p, struct cattr);
			a->name = p->tok.id;
			a->loc = cp_loc(p);
			a->id = (uint16_t)lookup(p->tok.id->name, p->tok.id->len);
			cp_next(p);
			if (a->id == ATTR_UNKNOWN) {
				cp_warn(p, CW_UNKNOWN_ATTRIBUTES, a->loc, "unknown attribute '%s' ignored",
					a->name->name);
				if (cp_is(p, T_LPAREN))
					cp_skip_balanced(p);
				continue;
			}
			if (cp_is(p, T_LPAREN))
				parse_args(p, a);
			else if (attr_info[a->id].args[0] && attr_info[a->id].args[0] != '?' &&
				 attr_info[a->id].args[0] != '-')
				cp_error(p, a->loc, "'%s' attribute takes %s argument",
					 a->name->name, strchr(attr_info[a->id].args, '?') ? "at least one" : "one");
			cp_attr_append(list, a);
		}
		cp_expect(p, T_RPAREN, NULL);
		cp_expect(p, T_RPAREN, NULL);
	}
}

/* ---- argument values ---- */

static bool int_arg(struct cparser *p, const struct cattr *a, uint32_t i, int64_t *v)
{
	if (i >= a->nargs || !a->args[i].expr)
		return false;
	if (!ceval_int(a->args[i].expr, v)) {
		cp_error(p, a->args[i].loc, "'%s' attribute requires an integer constant",
			 a->name->name);
		return false;
	}
	return true;
}

static uint32_t align_arg(struct cparser *p, const struct cattr *a)
{
	if (!a->nargs)
		return 16; /* clang's largest alignment for BPF */
	int64_t v;
	if (!int_arg(p, a, 0, &v))
		return 0;
	if (v <= 0 || (v & (v - 1))) {
		cp_error(p, a->args[0].loc, "requested alignment is not a power of 2");
		return 0;
	}
	if (v > (1 << 29)) {
		cp_error(p, a->args[0].loc, "requested alignment must be %u bytes or smaller",
			 1u << 29);
		return 0;
	}
	return (uint32_t)v;
}

static const char **add_tag(struct cparser *p, const char **tags, const char *s)
{
	uint32_t n = 0;
	while (tags && tags[n])
		n++;
	const char **nt = arena_newn(p->a, const char *, n + 2);
	for (uint32_t i = 0; i < n; i++)
		nt[i] = tags[i];
	nt[n] = s;
	return nt;
}

static const char *where_text(uint32_t w)
{
	if (w == AW_FUNC)
		return "functions";
	if (w == AW_RECORD)
		return "structs, unions, and classes";
	if (w == (AW_VAR | AW_FUNC))
		return "functions and global variables";
	if (w & AW_MEMBER)
		return "variables, functions, and fields";
	if (w == AW_VAR)
		return "variables";
	return "declarations";
}

static void misplaced(struct cparser *p, const struct cattr *a)
{
	if (a->from_pragma)
		return;
	cp_warn(p, CW_IGNORED_ATTRIBUTES, a->loc, "'%s' attribute only applies to %s",
		attr_info[a->id].name, where_text(attr_info[a->id].where));
}

struct cattrs *cp_decl_attrs(struct cparser *p, struct cdecl *d)
{
	if (!d->attrs)
		d->attrs = CP_NEW(p, struct cattrs);
	return d->attrs;
}

static uint32_t flag_of(enum cattr_id id)
{
	switch (id) {
	case ATTR_WEAK:
	case ATTR_WEAK_IMPORT:
		return CA_WEAK;
	case ATTR_USED:
		return CA_USED;
	case ATTR_UNUSED:
		return CA_UNUSED;
	case ATTR_NOINLINE:
		return CA_NOINLINE;
	case ATTR_ALWAYS_INLINE:
		return CA_ALWAYS_INLINE;
	case ATTR_NORETURN:
		return CA_NORETURN;
	case ATTR_CONST:
		return CA_CONST;
	case ATTR_PURE:
		return CA_PURE;
	case ATTR_COLD:
		return CA_COLD;
	case ATTR_HOT:
		return CA_HOT;
	case ATTR_NAKED:
		return CA_NAKED;
	case ATTR_FLATTEN:
		return CA_FLATTEN;
	case ATTR_RETAIN:
		return CA_RETAIN;
	case ATTR_GNU_INLINE:
		return CA_GNU_INLINE;
	case ATTR_OPTNONE:
		return CA_OPTNONE;
	case ATTR_DEPRECATED:
	case ATTR_UNAVAILABLE:
		return CA_DEPRECATED;
	case ATTR_WARN_UNUSED_RESULT:
		return CA_WARN_UNUSED;
	case ATTR_NOCOMMON:
		return CA_NOCOMMON;
	case ATTR_COMMON:
		return CA_COMMON;
	case ATTR_MAY_ALIAS:
		return CA_MAY_ALIAS;
	default:
		return 0;
	}
}

void cp_apply_decl_attrs(struct cparser *p, struct cdecl *d, struct cattr *list, uint32_t where)
{
	for (struct cattr *a = list; a; a = a->next) {
		uint32_t allowed = attr_info[a->id].where;
		if (allowed & AW_TYPE && !(allowed & where))
			continue; /* a type attribute, applied to the type already */
		if (!(allowed & where)) {
			misplaced(p, a);
			continue;
		}
		struct cattrs *at = cp_decl_attrs(p, d);
		at->flags |= flag_of(a->id);
		switch (a->id) {
		case ATTR_ALIGNED: {
			uint32_t al = align_arg(p, a);
			if (d->kind == CD_TYPEDEF) {
				if (al) {
					struct ctype *named = ctype_typedef(p->tu, d);
					named->align_attr = al;
				}
			} else if (al > at->align) {
				at->align = al;
			}
			break;
		}
		case ATTR_SECTION:
			if (a->nargs && a->args[0].str) {
				if (d->kind == CD_VAR && !(d->flags & CDF_FILE_SCOPE) &&
				    d->storage != CSC_STATIC && d->storage != CSC_EXTERN)
					cp_error(p, a->loc, "'section' attribute only applies to functions, "
							    "global variables, Objective-C methods, and "
							    "Objective-C properties");
				else
					at->section = a->args[0].str;
			}
			break;
		case ATTR_ALIAS:
			if (a->nargs && a->args[0].str)
				at->alias = a->args[0].str;
			break;
		case ATTR_VISIBILITY:
			if (a->nargs && a->args[0].str) {
				const char *v = a->args[0].str;
				if (!strcmp(v, "default"))
					at->visibility = CVIS_DEFAULT;
				else if (!strcmp(v, "hidden"))
					at->visibility = CVIS_HIDDEN;
				else if (!strcmp(v, "protected"))
					at->visibility = CVIS_PROTECTED;
				else if (!strcmp(v, "internal"))
					at->visibility = CVIS_INTERNAL;
				else
					cp_warn(p, CW_IGNORED_ATTRIBUTES, a->args[0].loc,
						"'visibility' attribute argument not supported: '%s'", v);
			}
			break;
		case ATTR_NORETURN:
			d->flags |= CDF_NORETURN;
			break;
		case ATTR_BTF_DECL_TAG:
			if (a->nargs && a->args[0].str)
				at->decl_tags = add_tag(p, at->decl_tags, a->args[0].str);
			break;
		case ATTR_CLEANUP:
			if (a->nargs && a->args[0].ident) {
				struct cdecl *fn = cp_lookup(p, a->args[0].ident);
				if (!fn)
					cp_error(p, a->args[0].loc, "use of undeclared identifier '%s'",
						 a->args[0].ident->name);
				else if (fn->kind != CD_FUNC)
					cp_error(p, a->args[0].loc, "'%s' argument is not a function",
						 a->args[0].ident->name);
				else
					at->cleanup = fn;
			}
			break;
		case ATTR_PACKED: /* on a typedef of a record: applies to nothing here */
			break;
		default:
			break;
		}
	}
}

void cp_apply_record_attrs(struct cparser *p, struct crecord *r, struct cattr *list)
{
	for (struct cattr *a = list; a; a = a->next) {
		switch (a->id) {
		case ATTR_PACKED:
			r->flags |= CRF_PACKED;
			break;
		case ATTR_ALIGNED: {
			uint32_t al = align_arg(p, a);
			if (al > r->align_attr)
				r->align_attr = al;
			break;
		}
		case ATTR_PRESERVE_ACCESS_INDEX:
			r->flags |= CRF_PRESERVE_ACCESS;
			break;
		case ATTR_TRANSPARENT_UNION:
			if (r->flags & CRF_UNION)
				r->flags |= CRF_TRANSPARENT;
			else
				misplaced(p, a);
			break;
		case ATTR_BTF_DECL_TAG:
			if (a->nargs && a->args[0].str)
				r->decl_tags = add_tag(p, r->decl_tags, a->args[0].str);
			break;
		default:
			if (!(attr_info[a->id].where & AW_RECORD))
				misplaced(p, a);
			break;
		}
	}
}

void cp_apply_enum_attrs(struct cparser *p, struct cenum *e, struct cattr *list)
{
	for (struct cattr *a = list; a; a = a->next) {
		if (a->id == ATTR_PACKED)
			e->packed = true;
		else if (!(attr_info[a->id].where & AW_ENUM))
			misplaced(p, a);
	}
}

void cp_apply_member_attrs(struct cparser *p, struct cmember *m, struct cattr *list)
{
	for (struct cattr *a = list; a; a = a->next) {
		uint32_t allowed = attr_info[a->id].where;
		switch (a->id) {
		case ATTR_PACKED:
			m->flags |= CMF_PACKED;
			break;
		case ATTR_ALIGNED: {
			uint32_t al = align_arg(p, a);
			if (al > m->align_attr)
				m->align_attr = al;
			break;
		}
		case ATTR_BTF_DECL_TAG:
			if (a->nargs && a->args[0].str)
				m->decl_tags = add_tag(p, m->decl_tags, a->args[0].str);
			break;
		default:
			if (!(allowed & (AW_MEMBER | AW_TYPE | AW_VAR)))
				misplaced(p, a);
			break;
		}
	}
}

/* mode(QI/HI/SI/DI/TI/byte/word/pointer): an integer of that width. */
static struct ctype *apply_mode(struct cparser *p, struct ctype *t, const struct cattr *a)
{
	if (!a->nargs || !a->args[0].ident)
		return t;
	const char *m = a->args[0].ident->name;
	size_t n = strlen(m);
	if (n > 4 && m[0] == '_' && m[1] == '_') {
		m += 2;
		n -= 4;
	}
	unsigned size = 0;
	if (!strncmp(m, "QI", n) || !strncmp(m, "byte", n))
		size = 1;
	else if (!strncmp(m, "HI", n))
		size = 2;
	else if (!strncmp(m, "SI", n))
		size = 4;
	else if (!strncmp(m, "DI", n) || !strncmp(m, "word", n) || !strncmp(m, "pointer", n))
		size = 8;
	else if (!strncmp(m, "TI", n))
		size = 16;
	if (!size) {
		cp_error(p, a->args[0].loc, "unknown machine mode '%s'", a->args[0].ident->name);
		return t;
	}
	if (!ctype_is_integer(t)) {
		cp_error(p, a->loc, "type of machine mode does not match type of base type");
		return t;
	}
	bool sgn = ctype_is_signed(t);
	static const uint8_t s[] = { [1] = TY_SCHAR, [2] = TY_SHORT, [4] = TY_INT, [8] = TY_LONG,
				     [16] = TY_INT128 };
	static const uint8_t u[] = { [1] = TY_UCHAR, [2] = TY_USHORT, [4] = TY_UINT, [8] = TY_ULONG,
				     [16] = TY_UINT128 };
	return ctype_qual(p->tu, p->tu->ty[sgn ? s[size] : u[size]], t->quals);
}

struct ctype *cp_apply_type_attrs(struct cparser *p, struct ctype *t, struct cattr *list,
				  struct cattr **rest)
{
	for (struct cattr *a = list; a; a = a->next) {
		switch (a->id) {
		case ATTR_BTF_TYPE_TAG:
			if (a->nargs && a->args[0].str)
				t = ctype_tagged(p->tu, t, a->args[0].str);
			break;
		case ATTR_MODE:
			t = apply_mode(p, t, a);
			break;
		case ATTR_VECTOR_SIZE:
		case ATTR_EXT_VECTOR_TYPE:
			cp_error(p, a->loc, "vector types are not supported for the BPF target");
			break;
		case ATTR_ADDRESS_SPACE:
		case ATTR_NODEREF:
		case ATTR_REGPARM:
		case ATTR_STDCALL:
		case ATTR_FASTCALL:
		case ATTR_MS_ABI:
		case ATTR_SYSV_ABI:
		case ATTR_SWIFTCALL:
		case ATTR_PRESERVE_MOST:
		case ATTR_PRESERVE_ALL:
		case ATTR_MAY_ALIAS:
			break; /* no effect on BPF code */
		default:
			if (rest) {
				struct cattr *c = CP_NEW(p, struct cattr);
				*c = *a;
				c->next = NULL;
				cp_attr_append(rest, c);
			}
			break;
		}
	}
	return t;
}
