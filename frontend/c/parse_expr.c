/* Expression syntax: precedence climbing over the binary operators, casts
 * and compound literals, unary and postfix operators, primary expressions
 * (names, literals, statement expressions, _Generic and the builtins with
 * type operands), handing each node to sema_expr.c to be typed. */
#include "frontend/c/cparse_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- literals ---- */

static bool is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hexval(int c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

typedef VEC(uint8_t) bytevec;

static void put_utf8(bytevec *out, uint32_t cp)
{
	if (cp < 0x80) {
		vec_push(out, (uint8_t)cp);
	} else if (cp < 0x800) {
		vec_push(out, (uint8_t)(0xc0 | (cp >> 6)));
		vec_push(out, (uint8_t)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		vec_push(out, (uint8_t)(0xe0 | (cp >> 12)));
		vec_push(out, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
		vec_push(out, (uint8_t)(0x80 | (cp & 0x3f)));
	} else {
		vec_push(out, (uint8_t)(0xf0 | (cp >> 18)));
		vec_push(out, (uint8_t)(0x80 | ((cp >> 12) & 0x3f)));
		vec_push(out, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
		vec_push(out, (uint8_t)(0x80 | (cp & 0x3f)));
	}
}

/* One source character or escape at *s (inside quotes, before `end`):
 * returns its value; *raw tells a \x/octal escape (a code unit, not a code point). */
static uint32_t read_char(struct cparser *p, const char **s, const char *end, struct srcloc loc,
			  bool *raw, unsigned width)
{
	const unsigned char *c = (const unsigned char *)*s;
	*raw = false;
	if (*c != '\\') {
		if (*c < 0x80 || width == 1) {
			*s += 1;
			*raw = width == 1;
			return *c;
		}
		/* decode UTF-8 for wide literals */
		uint32_t cp;
		int n;
		if ((*c & 0xe0) == 0xc0)
			cp = *c & 0x1f, n = 1;
		else if ((*c & 0xf0) == 0xe0)
			cp = *c & 0x0f, n = 2;
		else if ((*c & 0xf8) == 0xf0)
			cp = *c & 0x07, n = 3;
		else
			cp = *c, n = 0;
		const char *q = *s + 1;
		for (int i = 0; i < n && q < end; i++, q++)
			cp = (cp << 6) | ((unsigned char)*q & 0x3f);
		*s = q;
		return cp;
	}
	c++;
	*s += 2;
	switch (*c) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'a': return 7;
	case 'b': return 8;
	case 'f': return 12;
	case 'v': return 11;
	case 'e':
	case 'E': return 27;
	case '\\': return '\\';
	case '\'': return '\'';
	case '"': return '"';
	case '?': return '?';
	case 'x': {
		uint64_t v = 0;
		bool any = false, big = false;
		while (*s < end && is_hex(**s)) {
			v = v * 16 + (uint64_t)hexval(**s);
			if (v > 0xffffffffu)
				big = true;
			(*s)++;
			any = true;
		}
		if (!any)
			cp_error(p, loc, "\\x used with no following hex digits");
		else if (big || (width < 4 && v >> (8 * width)))
			cp_error(p, loc, "hex escape sequence out of range");
		*raw = true;
		return (uint32_t)v;
	}
	case 'u':
	case 'U': {
		int n = *c == 'u' ? 4 : 8;
		uint32_t v = 0;
		for (int i = 0; i < n; i++) {
			if (*s >= end || !is_hex(**s)) {
				cp_error(p, loc, "incomplete universal character name");
				break;
			}
			v = v * 16 + (uint32_t)hexval(**s);
			(*s)++;
		}
		return v;
	}
	default:
		if (*c >= '0' && *c <= '7') {
			uint32_t v = (uint32_t)(*c - '0');
			for (int i = 0; i < 2 && *s < end && **s >= '0' && **s <= '7'; i++, (*s)++)
				v = v * 8 + (uint32_t)(**s - '0');
			if (width == 1 && v > 0xff)
				cp_error(p, loc, "octal escape sequence out of range");
			*raw = true;
			return v;
		}
		cp_warn(p, CW_UNKNOWN_PRAGMAS, loc, "unknown escape sequence '\\%c'", *c);
		return *c;
	}
}

/* Prefix of a string or character literal: element width and kind. */
static unsigned literal_prefix(const struct tok *t, const char **body, int *kind)
{
	const char *s = t->p;
	*kind = 0;
	if (s[0] == 'u' && s[1] == '8') {
		*body = s + 2;
		*kind = 8;
		return 1;
	}
	if (s[0] == 'L') {
		*body = s + 1;
		*kind = 'L';
		return 4;
	}
	if (s[0] == 'u') {
		*body = s + 1;
		*kind = 'u';
		return 2;
	}
	if (s[0] == 'U') {
		*body = s + 1;
		*kind = 'U';
		return 4;
	}
	*body = s;
	return 1;
}

struct cstring *cp_parse_string_lit(struct cparser *p, struct ctype **type)
{
	if (!cp_is(p, T_STRING)) {
		cp_error(p, cp_loc(p), "expected string literal");
		return NULL;
	}
	/* the element width: the widest prefix wins; mixing wide kinds is an error */
	unsigned width = 1;
	int kind = 0;
	bytevec bytes = { 0 };
	VEC(uint32_t) units = { 0 };
	bool bad = false;
	while (cp_is(p, T_STRING)) {
		const char *body;
		int k;
		unsigned w = literal_prefix(&p->tok, &body, &k);
		if (k && k != 8) {
			if (kind && kind != 8 && kind != k && !bad) {
				cp_error(p, cp_loc(p), "unsupported non-standard concatenation of string "
						       "literals");
				bad = true;
			}
			kind = k;
			width = w;
		} else if (k == 8 && !kind) {
			kind = 8;
		}
		const char *s = body + 1, *end = p->tok.p + p->tok.len - 1;
		struct srcloc loc = cp_loc(p);
		while (s < end) {
			bool raw;
			uint32_t v = read_char(p, &s, end, loc, &raw, 4);
			vec_push(&units, raw ? (v | 0x80000000u) : v);
		}
		cp_next(p);
	}
	/* encode: narrow strings in UTF-8, wide ones as code units */
	for (uint32_t i = 0; i < units.len; i++) {
		uint32_t v = units.data[i] & 0x7fffffffu;
		bool raw = units.data[i] & 0x80000000u;
		if (width == 1) {
			if (raw)
				vec_push(&bytes, (uint8_t)v);
			else
				put_utf8(&bytes, v);
		} else if (width == 2 && !raw && v > 0xffff) {
			uint32_t c = v - 0x10000;
			uint16_t hi = (uint16_t)(0xd800 + (c >> 10)), lo = (uint16_t)(0xdc00 + (c & 0x3ff));
			vec_push(&bytes, (uint8_t)hi);
			vec_push(&bytes, (uint8_t)(hi >> 8));
			vec_push(&bytes, (uint8_t)lo);
			vec_push(&bytes, (uint8_t)(lo >> 8));
		} else {
			for (unsigned b = 0; b < width; b++)
				vec_push(&bytes, (uint8_t)(v >> (8 * b)));
		}
	}
	for (unsigned b = 0; b < width; b++)
		vec_push(&bytes, 0);
	vec_free(&units);
	struct cstring *str = CP_NEW(p, struct cstring);
	str->bytes = cp_dup(p, bytes.data, bytes.len);
	str->len = bytes.len;
	str->width = (uint8_t)width;
	vec_free(&bytes);
	if (type) {
		struct ctype *et = width == 1 ? p->tu->ty[TY_CHAR]
				   : kind == 'u'  ? p->tu->ty[TY_USHORT]
				   : kind == 'U'  ? p->tu->ty[TY_UINT]
						  : p->tu->ty[TY_INT];
		*type = ctype_array(p->tu, et, str->len / width, 0);
	}
	return str;
}

static struct cexpr *parse_char(struct cparser *p)
{
	struct srcloc loc = cp_loc(p);
	const char *body;
	int kind;
	unsigned width = literal_prefix(&p->tok, &body, &kind);
	const char *s = body + 1, *end = p->tok.p + p->tok.len - 1;
	uint64_t v = 0;
	int n = 0;
	while (s < end) {
		bool raw;
		uint32_t c = read_char(p, &s, end, loc, &raw, width);
		if (width == 1 && !raw && c >= 0x80 && kind != 8) {
			/* a multi-byte UTF-8 character in a narrow literal */
			cp_error(p, loc, "character too large for enclosing character literal type");
			c &= 0xff;
		}
		v = width == 1 ? (v << 8) | (c & 0xff) : c;
		n++;
	}
	cp_next(p);
	if (n == 0) {
		cp_error(p, loc, "empty character constant");
		return cs_error_expr(p, loc);
	}
	struct ctype *t;
	if (kind == 'u') {
		t = p->tu->ty[TY_USHORT];
	} else if (kind == 'U') {
		t = p->tu->ty[TY_UINT];
	} else if (kind == 'L') {
		t = p->tu->ty[TY_INT];
	} else if (kind == 8) {
		t = p->tu->ty[TY_UCHAR];
	} else {
		t = p->tu->ty[TY_INT];
		if (n == 1)
			v = (uint64_t)(int64_t)(int8_t)v; /* char is signed */
		else if (n > 4)
			cp_warn(p, CW_MULTICHAR, loc, "character constant too long for its type");
		else
			cp_warn(p, CW_MULTICHAR, loc, "multi-character character constant");
	}
	if (n > 1 && kind)
		cp_warn(p, CW_MULTICHAR, loc, "extraneous characters in character constant ignored");
	return cs_int(p, v, t, loc);
}

/* Recovery from a missing ')': up to and past the ')' that closes, but not
 * past the ';' or '}' that ends the statement (clang's SkipUntil). */
static void skip_to_rparen(struct cparser *p)
{
	int depth = 0;
	while (!cp_is(p, T_EOF)) {
		enum tok_kind k = p->tok.kind;
		if (depth == 0 && (k == T_SEMI || k == T_RBRACE))
			return;
		if (k == T_LPAREN || k == T_LBRACKET || k == T_LBRACE)
			depth++;
		else if (k == T_RPAREN || k == T_RBRACKET || k == T_RBRACE)
			depth--;
		cp_next(p);
		if (depth < 0)
			return;
	}
}

static struct cexpr *parse_number(struct cparser *p)
{
	struct srcloc loc = cp_loc(p);
	char buf[128];
	size_t len = p->tok.len;
	if (len >= sizeof(buf)) {
		cp_error(p, loc, "numeric constant too long");
		cp_next(p);
		return cs_error_expr(p, loc);
	}
	memcpy(buf, p->tok.p, len);
	buf[len] = 0;
	cp_next(p);
	bool is_hex_lit = buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X');
	bool is_bin = buf[0] == '0' && (buf[1] == 'b' || buf[1] == 'B');
	bool is_float = false;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == '.' || (!is_hex_lit && (c == 'e' || c == 'E')) ||
		    (is_hex_lit && (c == 'p' || c == 'P')))
			is_float = true;
	}
	if (is_float) {
		/* suffix f/F/l/L */
		char *end;
		errno = 0;
		double v = strtod(buf, &end);
		struct ctype *t = p->tu->ty[TY_DOUBLE];
		if ((*end == 'f' || *end == 'F') && !end[1])
			t = p->tu->ty[TY_FLOAT], v = (double)(float)v;
		else if ((*end == 'l' || *end == 'L') && !end[1])
			t = p->tu->ty[TY_LDOUBLE];
		else if (*end) {
			cp_error(p, loc, "invalid suffix '%s' on floating constant", end);
			return cs_error_expr(p, loc);
		}
		struct cexpr *e = cs_new_expr(p, E_FLOAT, t, loc);
		e->u.fval = v;
		return e;
	}
	const char *d = buf;
	int base = 10;
	if (is_hex_lit)
		base = 16, d += 2;
	else if (is_bin)
		base = 2, d += 2;
	else if (buf[0] == '0')
		base = 8;
	uint64_t v = 0;
	bool overflow = false;
	const char *q = d;
	for (; *q; q++) {
		int c = (unsigned char)*q;
		int dv;
		if (c >= '0' && c <= '9')
			dv = c - '0';
		else if (base == 16 && is_hex(c))
			dv = hexval(c);
		else
			break;
		if (dv >= base) {
			cp_error(p, loc, "invalid digit '%c' in %s constant", c,
				 base == 8 ? "octal" : "binary");
			return cs_error_expr(p, loc);
		}
		if (v > (UINT64_MAX - (uint64_t)dv) / (uint64_t)base)
			overflow = true;
		v = v * (uint64_t)base + (uint64_t)dv;
	}
	if (q == d && base != 8) {
		cp_error(p, loc, "invalid suffix '%s' on integer constant", d);
		return cs_error_expr(p, loc);
	}
	/* suffixes */
	bool u = false;
	int l = 0;
	const char *sfx = q;
	for (; *q; q++) {
		if ((*q == 'u' || *q == 'U') && !u)
			u = true;
		else if ((*q == 'l' || *q == 'L') && !l) {
			if (q[1] == q[0])
				l = 2, q++;
			else
				l = 1;
		} else {
			cp_error(p, loc, "invalid suffix '%s' on integer constant", sfx);
			return cs_error_expr(p, loc);
		}
	}
	if (overflow) {
		cp_error(p, loc, "integer literal is too large to be represented in any integer type");
		return cs_error_expr(p, loc);
	}
	/* C11 6.4.4.1: the first type that can represent the value */
	static const enum ctype_kind dec[] = { TY_INT, TY_LONG, TY_LLONG };
	static const enum ctype_kind oth[] = { TY_INT, TY_UINT, TY_LONG, TY_ULONG, TY_LLONG, TY_ULLONG };
	enum ctype_kind k = TY_ULLONG;
	bool found = false;
	if (u) {
		static const enum ctype_kind us[] = { TY_UINT, TY_ULONG, TY_ULLONG };
		for (int i = l; i < 3; i++)
			if (ctype_size(p->tu->ty[us[i]]) == 8 || v <= 0xffffffffu) {
				k = us[i];
				found = true;
				break;
			}
	} else if (base == 10) {
		for (int i = l; i < 3; i++)
			if (v <= (ctype_size(p->tu->ty[dec[i]]) == 8 ? (uint64_t)INT64_MAX : 0x7fffffffu)) {
				k = dec[i];
				found = true;
				break;
			}
		if (!found) {
			cp_warn(p, CW_GNU, loc, "integer literal is too large to be represented in a "
						"signed integer type, interpreting as unsigned");
			k = TY_ULLONG;
			found = true;
		}
	} else {
		for (int i = l * 2; i < 6; i++) {
			uint64_t max = ctype_size(p->tu->ty[oth[i]]) == 8
					       ? (ctype_is_signed(p->tu->ty[oth[i]]) ? (uint64_t)INT64_MAX : UINT64_MAX)
					       : (ctype_is_signed(p->tu->ty[oth[i]]) ? 0x7fffffffu : 0xffffffffu);
			if (v <= max) {
				k = oth[i];
				found = true;
				break;
			}
		}
	}
	(void)found;
	return cs_int(p, v, p->tu->ty[k], loc);
}

/* ---- primary expressions ---- */

static struct cexpr *string_expr(struct cparser *p)
{
	struct srcloc loc = cp_loc(p);
	struct ctype *t;
	struct cstring *s = cp_parse_string_lit(p, &t);
	if (!s)
		return cs_error_expr(p, loc);
	struct cexpr *e = cs_new_expr(p, E_STRING, t, loc);
	e->u.str = s;
	e->flags |= EF_LVALUE;
	return e;
}

static struct cexpr *func_name(struct cparser *p, struct srcloc loc)
{
	const char *name = p->func ? p->func->name->name : "";
	if (!p->func)
		cp_warn(p, CW_GNU, loc, "predefined identifier is only valid inside function");
	struct cstring *s = CP_NEW(p, struct cstring);
	size_t n = strlen(name) + 1;
	s->bytes = cp_dup(p, name, n);
	s->len = (uint32_t)n;
	s->width = 1;
	struct ctype *t = ctype_array(p->tu, ctype_qual(p->tu, p->tu->ty[TY_CHAR], CQ_CONST), n, 0);
	struct cexpr *e = cs_new_expr(p, E_STRING, t, loc);
	e->u.str = s;
	e->flags |= EF_LVALUE;
	return e;
}

static struct cexpr *parse_ident(struct cparser *p)
{
	struct srcloc loc = cp_loc(p);
	struct pp_ident *id = p->tok.id;
	cp_next(p);
	struct cdecl *d = cp_lookup(p, id);
	if (d) {
		if (d->kind == CD_TYPEDEF) {
			cp_error(p, loc, "unexpected type name '%s': expected expression", id->name);
			return cs_error_expr(p, loc);
		}
		if ((d->flags & CDF_BUILTIN) && !strncmp(id->name, "__builtin_", 10) &&
		    !cp_is(p, T_LPAREN)) {
			cp_error(p, loc, "builtin functions must be directly called");
			return cs_error_expr(p, loc);
		}
		return cs_declref(p, d, loc);
	}
	if (!strcmp(id->name, "__func__") || !strcmp(id->name, "__FUNCTION__") ||
	    !strcmp(id->name, "__PRETTY_FUNCTION__"))
		return func_name(p, loc);
	if (cp_is(p, T_LPAREN)) {
		d = cs_implicit_function(p, id, loc);
		return cs_declref(p, d, loc);
	}
	if (cs_builtin_lookup(id) != CB_NONE && strncmp(id->name, "mem", 3)) {
		cp_error(p, loc, "builtin functions must be directly called");
		return cs_error_expr(p, loc);
	}
	cp_error(p, loc, "use of undeclared identifier '%s'", id->name);
	return cs_error_expr(p, loc);
}

static struct cexpr *parse_generic(struct cparser *p)
{
	struct srcloc loc = cp_loc(p);
	cp_next(p);
	if (!cp_expect(p, T_LPAREN, NULL))
		return cs_error_expr(p, loc);
	struct ctype *ct;
	bool saved = p->in_sizeof;
	if (cp_starts_declspec(p)) {
		ct = cp_parse_typename(p);
	} else {
		p->in_sizeof = true;
		struct cexpr *c = cs_rvalue(p, cp_parse_assign_expr(p));
		p->in_sizeof = saved;
		ct = ctype_unqual(c->type);
	}
	struct cexpr *chosen = NULL, *deflt = NULL;
	while (cp_accept(p, T_COMMA)) {
		struct srcloc aloc = cp_loc(p);
		struct ctype *at = NULL;
		if (cp_accept(p, T_DEFAULT)) {
			if (deflt)
				cp_error(p, aloc, "duplicate default generic association");
		} else {
			at = cp_parse_typename(p);
		}
		if (!cp_expect(p, T_COLON, NULL))
			break;
		bool match = at ? ctype_compatible(at, ct, false) : false;
		p->in_sizeof = saved || !(match || (!at && !chosen));
		struct cexpr *e = cp_parse_assign_expr(p);
		p->in_sizeof = saved;
		if (match) {
			if (chosen && ct->kind != TY_ERROR)
				cp_error(p, aloc, "type %s in generic association compatible with "
						  "previously specified type",
					 cp_type(p, at));
			chosen = e;
		} else if (!at) {
			deflt = e;
		}
	}
	cp_expect(p, T_RPAREN, NULL);
	if (chosen)
		return chosen;
	if (deflt)
		return deflt;
	if (ct->kind != TY_ERROR)
		cp_error(p, loc, "controlling expression type %s not compatible with any generic "
				 "association type",
			 cp_type(p, ct));
	return cs_error_expr(p, loc);
}

static struct cexpr *parse_offsetof(struct cparser *p)
{
	struct srcloc loc = cp_loc(p);
	cp_next(p);
	if (!cp_expect(p, T_LPAREN, NULL))
		return cs_error_expr(p, loc);
	struct ctype *t = cp_parse_typename(p);
	if (!cp_expect(p, T_COMMA, NULL)) {
		cp_skip_to(p, false, false);
		cp_accept(p, T_RPAREN);
		return cs_error_expr(p, loc);
	}
	uint64_t off = 0;
	bool ok = t->kind != TY_ERROR;
	bool first = true;
	struct ctype *cur = t;
	for (;;) {
		if (first || cp_accept(p, T_DOT)) {
			struct srcloc nloc = cp_loc(p);
			if (!cp_is(p, T_IDENT)) {
				cp_error(p, nloc, "expected identifier");
				ok = false;
				break;
			}
			struct pp_ident *name = p->tok.id;
			cp_next(p);
			first = false;
			if (!ok)
				continue;
			if (!ctype_is_record(cur) || !ctype_is_complete(cur)) {
				if (ctype_is_record(cur))
					cp_error(p, loc, "offsetof of incomplete type %s", cp_type(p, cur));
				else
					cp_error(p, loc, "offsetof requires struct, union, or class type, %s "
							 "invalid",
						 cp_type(p, cur));
				ok = false;
				continue;
			}
			struct cmember *path[16];
			uint32_t np = 0;
			struct cmember *m = crecord_find(cur->u.rec, name, path, &np, ARRAY_LEN(path));
			if (!m || np > ARRAY_LEN(path)) {
				cp_error(p, nloc, "no member named '%s' in %s", name->name, cp_type(p, cur));
				ok = false;
				continue;
			}
			if (m->flags & CMF_BITFIELD) {
				cp_error(p, nloc, "cannot compute offset of bit-field '%s'", name->name);
				ok = false;
				continue;
			}
			struct ctype *rt = cur;
			for (uint32_t i = 0; i < np; i++) {
				crecord_layout(rt->u.rec);
				off += path[i]->bit_offset / 8;
				rt = path[i]->type;
			}
			cur = m->type;
		} else if (cp_is(p, T_LBRACKET)) {
			cp_next(p);
			struct cexpr *ie = cp_parse_expr(p);
			cp_expect(p, T_RBRACKET, NULL);
			if (!ok)
				continue;
			int64_t iv;
			if (cur->kind != TY_ARRAY) {
				cp_error(p, ie->loc, "subscripted value is not an array");
				ok = false;
				continue;
			}
			if (!ceval_int(ie, &iv)) {
				cp_error(p, ie->loc, "offsetof with a non-constant array index is not "
						     "supported");
				ok = false;
				continue;
			}
			cur = cur->u.arr.elem;
			off += (uint64_t)iv * ctype_size(cur);
		} else {
			break;
		}
	}
	if (!cp_expect(p, T_RPAREN, NULL)) {
		cp_skip_to(p, false, false);
		cp_accept(p, T_RPAREN);
	}
	return ok ? cs_int(p, off, p->tu->size_type, loc) : cs_error_expr(p, loc);
}

static struct cexpr *parse_paren_types(struct cparser *p, struct ctype **a, struct ctype **b)
{
	struct srcloc loc = cp_loc(p);
	cp_next(p);
	if (!cp_expect(p, T_LPAREN, NULL))
		return cs_error_expr(p, loc);
	*a = cp_parse_typename(p);
	if (b) {
		cp_expect(p, T_COMMA, NULL);
		*b = cp_parse_typename(p);
	}
	cp_expect(p, T_RPAREN, NULL);
	return NULL;
}

static struct cexpr *parse_stmt_expr(struct cparser *p)
{
	struct srcloc loc = cp_loc(p);
	cp_next(p); /* ( */
	if (!p->func) {
		cp_error(p, loc, "statement expression not allowed at file scope");
		cp_skip_balanced(p);
		cp_accept(p, T_RPAREN);
		return cs_error_expr(p, loc);
	}
	p->stmt_expr_depth++;
	struct cstmt *s = cp_parse_compound(p);
	p->stmt_expr_depth--;
	cp_expect(p, T_RPAREN, NULL);
	struct ctype *t = p->tu->ty[TY_VOID];
	if (s->kind == S_COMPOUND && s->u.block.n) {
		struct cstmt *last = s->u.block.items[s->u.block.n - 1];
		while (last->kind == S_LABEL && last->u.label.body)
			last = last->u.label.body;
		if (last->kind == S_EXPR && last->u.expr) {
			last->u.expr = cs_rvalue(p, last->u.expr);
			t = last->u.expr->type;
		}
	}
	struct cexpr *e = cs_new_expr(p, E_STMT_EXPR, t, loc);
	e->u.stmt = s;
	return e;
}

static struct cexpr *parse_primary(struct cparser *p)
{
	struct srcloc loc = cp_loc(p);
	switch (p->tok.kind) {
	case T_IDENT:
		return parse_ident(p);
	case T_NUMBER:
		return parse_number(p);
	case T_CHAR:
		return parse_char(p);
	case T_STRING:
		return string_expr(p);
	case T_LPAREN: {
		if (cp_peek(p, 1)->kind == T_LBRACE)
			return parse_stmt_expr(p);
		cp_next(p);
		struct cexpr *e = cp_parse_expr(p);
		if (!cp_accept(p, T_RPAREN)) {
			cp_error(p, cp_loc(p), "expected ')'");
			cp_note(p, loc, "to match this '('");
			skip_to_rparen(p);
		}
		struct cexpr *pe = e;
		if (e->op != E_ERROR) {
			pe = CP_NEW(p, struct cexpr);
			*pe = *e;
			pe->flags |= EF_PAREN;
		}
		return pe;
	}
	case T_GENERIC:
		return parse_generic(p);
	case T_BUILTIN_OFFSETOF:
		return parse_offsetof(p);
	case T_BUILTIN_TYPES_COMPATIBLE_P: {
		struct ctype *a = NULL, *b = NULL;
		struct cexpr *err = parse_paren_types(p, &a, &b);
		if (err)
			return err;
		return cs_int(p, ctype_compatible(a, b, true) ? 1 : 0, p->tu->ty[TY_INT], loc);
	}
	case T_BUILTIN_CHOOSE_EXPR: {
		cp_next(p);
		if (!cp_expect(p, T_LPAREN, NULL))
			return cs_error_expr(p, loc);
		bool ok;
		int64_t c = cp_parse_ice(p, NULL, &ok);
		if (!ok)
			cp_error(p, loc, "'__builtin_choose_expr' requires a constant expression");
		cp_expect(p, T_COMMA, NULL);
		bool saved = p->in_sizeof;
		p->in_sizeof = saved || !c;
		struct cexpr *a = cp_parse_assign_expr(p);
		cp_expect(p, T_COMMA, NULL);
		p->in_sizeof = saved || c;
		struct cexpr *b = cp_parse_assign_expr(p);
		p->in_sizeof = saved;
		cp_expect(p, T_RPAREN, NULL);
		return !ok ? cs_error_expr(p, loc) : c ? a : b;
	}
	case T_BUILTIN_VA_ARG: {
		cp_next(p);
		if (!cp_expect(p, T_LPAREN, NULL))
			return cs_error_expr(p, loc);
		struct cexpr *ap = cp_parse_assign_expr(p);
		cp_expect(p, T_COMMA, NULL);
		struct ctype *t = cp_parse_typename(p);
		cp_expect(p, T_RPAREN, NULL);
		if (ap->type->kind == TY_ERROR || t->kind == TY_ERROR)
			return cs_error_expr(p, loc);
		if (!ctype_compatible(cs_rvalue(p, ap)->type, p->tu->va_list_type, true)) {
			cp_error(p, ap->loc, "first argument to 'va_arg' is of type %s and not 'va_list'",
				 cp_type(p, ap->type));
			return cs_error_expr(p, loc);
		}
		struct cexpr *e = cs_new_expr(p, E_VA_ARG, t, loc);
		e->u.va.ap = ap;
		return e;
	}
	case T_BUILTIN_CONVERTVECTOR:
		cp_error(p, loc, "vector types are not supported for the BPF target");
		cp_next(p);
		if (cp_is(p, T_LPAREN))
			cp_skip_balanced(p);
		return cs_error_expr(p, loc);
	default:
		break;
	}
	if (cp_is(p, T_EOF))
		cp_error(p, loc, "expected expression");
	else
		cp_error(p, loc, "expected expression");
	return cs_error_expr(p, loc);
}

/* ---- postfix ---- */

static struct cexpr *parse_call_args(struct cparser *p, struct cexpr *fn)
{
	struct srcloc loc = cp_loc(p);
	cp_next(p); /* ( */
	VEC(struct cexpr *) args = { 0 };
	if (!cp_is(p, T_RPAREN)) {
		for (;;) {
			vec_push(&args, cp_parse_assign_expr(p));
			if (!cp_accept(p, T_COMMA))
				break;
		}
	}
	struct srcloc rparen = cp_loc(p);
	if (!cp_accept(p, T_RPAREN)) {
		cp_error(p, cp_loc(p), "expected ')'");
		cp_note(p, loc, "to match this '('");
		skip_to_rparen(p);
	}
	struct cexpr *e = cs_call(p, fn, args.data, args.len, loc, rparen, fn->loc);
	vec_free(&args);
	return e;
}

static struct cexpr *parse_postfix_ops(struct cparser *p, struct cexpr *e)
{
	for (;;) {
		struct srcloc loc = cp_loc(p);
		switch (p->tok.kind) {
		case T_LBRACKET: {
			cp_next(p);
			struct cexpr *idx = cp_parse_expr(p);
			if (!cp_accept(p, T_RBRACKET)) {
				cp_error(p, cp_loc(p), "expected ']'");
				cp_skip_to(p, false, false);
				cp_accept(p, T_RBRACKET);
			}
			e = cs_index(p, e, idx, e->loc, loc);
			break;
		}
		case T_LPAREN:
			e = parse_call_args(p, e);
			break;
		case T_DOT:
		case T_ARROW: {
			bool arrow = p->tok.kind == T_ARROW;
			cp_next(p);
			if (!cp_is(p, T_IDENT)) {
				cp_error(p, cp_loc(p), "expected identifier");
				return cs_error_expr(p, loc);
			}
			struct pp_ident *name = p->tok.id;
			struct srcloc nloc = cp_loc(p);
			cp_next(p);
			e = cs_member(p, e, name, arrow, loc, nloc);
			break;
		}
		case T_INC:
			cp_next(p);
			e = cs_unary(p, E_POSTINC, e, loc);
			break;
		case T_DEC:
			cp_next(p);
			e = cs_unary(p, E_POSTDEC, e, loc);
			break;
		default:
			return e;
		}
	}
}

/* (T){ … } */
static struct cexpr *compound_literal(struct cparser *p, struct ctype *t, struct srcloc loc)
{
	if (t->kind == TY_ERROR) {
		struct ctype *tmp = t;
		cp_parse_initializer(p, &tmp, false, (struct srcloc){ 0 });
		return cs_error_expr(p, loc);
	}
	if (t->kind == TY_FUNC || (t->kind == TY_ARRAY && (t->flags & CTF_VLA))) {
		cp_error(p, loc, "compound literal has variable-sized type %s", cp_type(p, t));
		struct ctype *tmp = p->tu->error_type;
		cp_parse_initializer(p, &tmp, false, (struct srcloc){ 0 });
		return cs_error_expr(p, loc);
	}
	bool file_scope = p->func == NULL;
	struct cdecl *obj = cs_new_decl(p, CD_VAR, NULL, loc, t);
	obj->storage = file_scope ? CSC_STATIC : CSC_NONE;
	obj->linkage = file_scope ? CL_INTERNAL : CL_NONE;
	struct ctype *it = t;
	obj->u.var.init = cp_parse_initializer(p, &it, file_scope, (struct srcloc){ 0 });
	obj->type = it;
	obj->flags |= CDF_DEFINED;
	if (!ctype_is_complete(it) && it->kind != TY_ERROR) {
		cp_error(p, loc, "variable has incomplete type %s", cp_type(p, it));
		cp_note_incomplete(p, it);
	}
	if (file_scope)
		vec_push(&p->tu->globals, obj);
	struct cexpr *e = cs_new_expr(p, E_COMPOUND_LIT, it, loc);
	e->u.lit.obj = obj;
	e->flags |= EF_LVALUE;
	return e;
}

static bool starts_typename(struct cparser *p, const struct tok *t)
{
	switch (t->kind) {
	case T_IDENT: {
		struct cdecl *d = cp_lookup(p, t->id);
		return d && d->kind == CD_TYPEDEF;
	}
	case T_VOID: case T_BOOL: case T_CHAR_KW: case T_SHORT: case T_INT: case T_LONG:
	case T_FLOAT: case T_DOUBLE: case T_SIGNED: case T_UNSIGNED: case T_INT128:
	case T_COMPLEX: case T_FLOAT16: case T_BITINT: case T_STRUCT: case T_UNION: case T_ENUM:
	case T_TYPEOF: case T_TYPEOF_UNQUAL: case T_CONST: case T_VOLATILE: case T_RESTRICT:
	case T_ATOMIC: case T_ATTRIBUTE: case T_ALIGNAS: case T_AUTO_TYPE:
		return true;
	case T_EXTENSION:
		return false;
	default:
		return false;
	}
}

/* ---- unary and cast ---- */

static struct cexpr *parse_cast(struct cparser *p);

static struct cexpr *parse_sizeof(struct cparser *p, bool is_align)
{
	struct srcloc loc = cp_loc(p);
	cp_next(p);
	bool saved = p->in_sizeof;
	p->in_sizeof = true;
	struct cexpr *r;
	if (cp_is(p, T_LPAREN) && starts_typename(p, cp_peek(p, 1))) {
		struct srcloc tloc = cp_loc(p);
		cp_next(p);
		struct ctype *t = cp_parse_typename(p);
		cp_expect(p, T_RPAREN, NULL);
		if (cp_is(p, T_LBRACE)) {
			struct cexpr *e = parse_postfix_ops(p, compound_literal(p, t, tloc));
			r = cs_sizeof_expr(p, e, is_align, loc);
		} else {
			r = cs_sizeof_type(p, t, is_align, loc);
		}
	} else {
		struct cexpr *e;
		if (cp_is(p, T_SIZEOF) || cp_is(p, T_ALIGNOF))
			e = parse_sizeof(p, cp_is(p, T_ALIGNOF));
		else
			e = parse_cast(p);
		r = cs_sizeof_expr(p, e, is_align, loc);
	}
	p->in_sizeof = saved;
	return r;
}

static struct cexpr *parse_unary(struct cparser *p)
{
	struct srcloc loc = cp_loc(p);
	enum cexpr_op op;
	switch (p->tok.kind) {
	case T_INC:
		op = E_PREINC;
		break;
	case T_DEC:
		op = E_PREDEC;
		break;
	case T_AMP:
		op = E_ADDR;
		break;
	case T_STAR:
		op = E_DEREF;
		break;
	case T_MINUS:
		op = E_NEG;
		break;
	case T_TILDE:
		op = E_BITNOT;
		break;
	case T_BANG:
		op = E_LOGNOT;
		break;
	case T_PLUS: {
		cp_next(p);
		struct cexpr *a = parse_cast(p);
		if (a->type->kind == TY_ERROR)
			return a;
		if (!ctype_is_arith(a->type)) {
			cp_error(p, loc, "invalid argument type %s to unary expression",
				 cp_type(p, a->type));
			return cs_error_expr(p, loc);
		}
		return cs_promote(p, a);
	}
	case T_SIZEOF:
		return parse_sizeof(p, false);
	case T_ALIGNOF:
		return parse_sizeof(p, true);
	case T_EXTENSION:
		cp_next(p);
		return parse_cast(p);
	case T_REAL:
	case T_IMAG: {
		bool real = p->tok.kind == T_REAL;
		cp_next(p);
		struct cexpr *a = cs_rvalue(p, parse_cast(p));
		if (a->type->kind == TY_ERROR || !ctype_is_arith(a->type)) {
			if (a->type->kind != TY_ERROR)
				cp_error(p, loc, "invalid type %s to %s operator", cp_type(p, a->type),
					 real ? "__real" : "__imag");
			return cs_error_expr(p, loc);
		}
		return real ? a : cs_int(p, 0, a->type, loc);
	}
	case T_ANDAND:
		cp_error(p, loc, "taking the address of a label (&&label) is not supported for the "
				 "BPF target");
		cp_next(p);
		if (cp_is(p, T_IDENT))
			cp_next(p);
		return cs_error_expr(p, loc);
	default:
		return parse_postfix_ops(p, parse_primary(p));
	}
	cp_next(p);
	struct cexpr *a = op == E_PREINC || op == E_PREDEC ? parse_unary(p) : parse_cast(p);
	return cs_unary(p, op, a, loc);
}

static struct cexpr *parse_cast(struct cparser *p)
{
	if (cp_is(p, T_LPAREN) && starts_typename(p, cp_peek(p, 1))) {
		struct srcloc loc = cp_loc(p);
		cp_next(p);
		struct ctype *t = cp_parse_typename(p);
		if (!cp_accept(p, T_RPAREN)) {
			cp_error(p, cp_loc(p), "expected ')'");
			cp_note(p, loc, "to match this '('");
			cp_skip_to(p, false, false);
			cp_accept(p, T_RPAREN);
		}
		if (cp_is(p, T_LBRACE))
			return parse_postfix_ops(p, compound_literal(p, t, loc));
		struct cexpr *e = parse_cast(p);
		return cs_cast(p, t, e, loc);
	}
	return parse_unary(p);
}

/* ---- binary, conditional, assignment ---- */

static int precedence(enum tok_kind k, enum cexpr_op *op)
{
	switch (k) {
	case T_OROR: *op = E_LOGOR; return 1;
	case T_ANDAND: *op = E_LOGAND; return 2;
	case T_PIPE: *op = E_BITOR; return 3;
	case T_CARET: *op = E_BITXOR; return 4;
	case T_AMP: *op = E_BITAND; return 5;
	case T_EQ: *op = E_EQ; return 6;
	case T_NE: *op = E_NE; return 6;
	case T_LT: *op = E_LT; return 7;
	case T_GT: *op = E_GT; return 7;
	case T_LE: *op = E_LE; return 7;
	case T_GE: *op = E_GE; return 7;
	case T_SHL: *op = E_SHL; return 8;
	case T_SHR: *op = E_SHR; return 8;
	case T_PLUS: *op = E_ADD; return 9;
	case T_MINUS: *op = E_SUB; return 9;
	case T_STAR: *op = E_MUL; return 10;
	case T_SLASH: *op = E_DIV; return 10;
	case T_PERCENT: *op = E_MOD; return 10;
	default: return 0;
	}
}

static struct cexpr *parse_binary(struct cparser *p, int min_prec)
{
	struct cexpr *lhs = parse_cast(p);
	for (;;) {
		enum cexpr_op op;
		int prec = precedence(p->tok.kind, &op);
		if (prec < min_prec || !prec)
			return lhs;
		struct srcloc loc = cp_loc(p);
		cp_next(p);
		struct cexpr *rhs = parse_binary(p, prec + 1);
		lhs = cs_binary(p, op, lhs, rhs, loc);
	}
}

struct cexpr *cp_parse_cond_expr(struct cparser *p)
{
	struct cexpr *c = parse_binary(p, 1);
	if (!cp_is(p, T_QUESTION))
		return c;
	struct srcloc loc = cp_loc(p);
	cp_next(p);
	struct cexpr *a = NULL;
	if (!cp_is(p, T_COLON))
		a = cp_parse_expr(p);
	if (!cp_accept(p, T_COLON)) {
		cp_error(p, cp_loc(p), "expected ':'");
		cp_note(p, loc, "to match this '?'");
		return cs_error_expr(p, loc);
	}
	struct cexpr *b = cp_parse_cond_expr(p);
	return cs_cond_expr(p, c, a, b, loc);
}

static enum cexpr_op assign_op(enum tok_kind k)
{
	switch (k) {
	case T_ASSIGN: return E_ASSIGN;
	case T_MUL_ASSIGN: return E_MUL_ASSIGN;
	case T_DIV_ASSIGN: return E_DIV_ASSIGN;
	case T_MOD_ASSIGN: return E_MOD_ASSIGN;
	case T_ADD_ASSIGN: return E_ADD_ASSIGN;
	case T_SUB_ASSIGN: return E_SUB_ASSIGN;
	case T_SHL_ASSIGN: return E_SHL_ASSIGN;
	case T_SHR_ASSIGN: return E_SHR_ASSIGN;
	case T_AND_ASSIGN: return E_AND_ASSIGN;
	case T_XOR_ASSIGN: return E_XOR_ASSIGN;
	case T_OR_ASSIGN: return E_OR_ASSIGN;
	default: return E_NOPS;
	}
}

struct cexpr *cp_parse_assign_expr(struct cparser *p)
{
	struct cexpr *lhs = cp_parse_cond_expr(p);
	enum cexpr_op op = assign_op(p->tok.kind);
	if (op == E_NOPS)
		return lhs;
	struct srcloc loc = cp_loc(p);
	cp_next(p);
	struct cexpr *rhs = cp_parse_assign_expr(p);
	return cs_binary(p, op, lhs, rhs, loc);
}

struct cexpr *cp_parse_expr(struct cparser *p)
{
	struct cexpr *e = cp_parse_assign_expr(p);
	while (cp_is(p, T_COMMA)) {
		struct srcloc loc = cp_loc(p);
		cp_next(p);
		struct cexpr *r = cp_parse_assign_expr(p);
		e = cs_binary(p, E_COMMA, e, r, loc);
	}
	return e;
}
