/* #if expressions: intmax_t/uintmax_t arithmetic with C's conversions,
 * `defined`, character constants, short-circuit evaluation that keeps
 * unevaluated operands from reporting division by zero — as clang does. */
#include "frontend/c/pp_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct val {
	uint64_t v;
	bool is_unsigned;
};

struct ev {
	struct pp *pp;
	tokvec toks;
	uint32_t pos;
	bool failed;
};

static const struct tok *peek(struct ev *e)
{
	return &e->toks.data[e->pos];
}

static void fail(struct ev *e, const struct tok *t, const char *msg)
{
	if (!e->failed)
		pp_error(e->pp, t->xloc, "%s", msg);
	e->failed = true;
}

void pp_eval_defined(struct pp *pp, struct tok *t)
{
	struct tok def = *t, x;
	if (t->flags & TF_MACRO)
		pp_warning(pp, t->xloc, "macro expansion producing 'defined' has undefined behavior");
	bool from_file = pp_read_raw_from(pp, &x);
	bool paren = x.kind == T_LPAREN;
	if (paren)
		from_file = pp_read_raw_from(pp, &x);
	long v = 0;
	if (x.kind != T_IDENT) {
		pp_error(pp, x.xloc, x.kind == T_EOD ? "macro name missing"
						     : "macro name must be an identifier");
		if (x.kind == T_EOD || x.kind == T_EOF)
			pp_unread(pp, &x, from_file);
		v = -1;
	} else {
		v = x.id->macro != NULL;
		if (paren) {
			struct tok r;
			from_file = pp_read_raw_from(pp, &r);
			if (r.kind != T_RPAREN) {
				pp_error(pp, r.xloc, "missing ')' after 'defined'");
				pp_note(pp, def.xloc, "to match this '('");
				if (r.kind == T_EOD || r.kind == T_EOF)
					pp_unread(pp, &r, from_file);
				v = -1;
			}
		}
	}
	*t = pp_make_token(pp, v ? "1" : "0", 1, &def);
	if (v < 0)
		t->kind = T_OTHER; /* poisons the expression: it already failed */
}

static bool parse_int(const struct tok *t, struct val *out, struct ev *e)
{
	const char *p = t->p, *end = t->p + t->len;
	uint64_t v = 0;
	int base = 10;
	bool overflow = false;
	if (end - p > 1 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (end - p > 1 && p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
	} else if (p[0] == '0') {
		base = 8;
	}
	const char *digits = p;
	for (; p < end; p++) {
		int d;
		char c = *p;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (d >= base) {
			fail(e, t, base == 8 ? "invalid digit in octal constant"
					     : "invalid digit in binary constant");
			return false;
		}
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = true;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (p == digits && base != 8) {
		fail(e, t, "invalid integer constant in preprocessor expression");
		return false;
	}
	/* suffixes: u, l, ll in any order and case (ull, LLU …), and wb/uwb */
	bool u = false;
	int l = 0;
	const char *sfx = p;
	while (p < end) {
		if ((*p == 'u' || *p == 'U') && !u) {
			u = true;
			p++;
		} else if ((*p == 'l' || *p == 'L') && !l) {
			l = 1;
			p++;
			if (p < end && *p == p[-1]) {
				l = 2;
				p++;
			}
		} else {
			break;
		}
	}
	if (p != end) {
		for (const char *q = sfx; q < end; q++)
			if (*q == '.' || ((*q == 'e' || *q == 'E') && base == 10) ||
			    ((*q == 'p' || *q == 'P') && base == 16)) {
				fail(e, t, "floating point literal in preprocessor expression");
				return false;
			}
		char msg[128];
		snprintf(msg, sizeof(msg), "invalid suffix '%.*s' on integer constant",
			 (int)(end - sfx), sfx);
		fail(e, t, msg);
		return false;
	}
	if (overflow) {
		fail(e, t, "integer literal is too large to be represented in any integer type");
		return false;
	}
	out->v = v;
	out->is_unsigned = u || v > (uint64_t)INT64_MAX;
	if (!u && v > (uint64_t)INT64_MAX && base == 10)
		pp_warning(e->pp, t->xloc,
			   "integer literal is too large to be represented in a signed integer "
			   "type, interpreting as unsigned");
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Character constants: 'a', '\n', '\x41', '\101', L'x', multi-character 'ab'. */
static bool parse_char(const struct tok *t, struct val *out, struct ev *e)
{
	const char *p = t->p, *end = t->p + t->len - 1;
	bool wide = *p != '\'';
	while (*p != '\'')
		p++;
	p++;
	int64_t v = 0;
	int count = 0;
	while (p < end) {
		uint32_t c;
		if (*p == '\\') {
			p++;
			switch (*p) {
			case 'n': c = '\n'; p++; break;
			case 't': c = '\t'; p++; break;
			case 'r': c = '\r'; p++; break;
			case 'a': c = 7; p++; break;
			case 'b': c = 8; p++; break;
			case 'f': c = 12; p++; break;
			case 'v': c = 11; p++; break;
			case 'e': c = 27; p++; break;
			case 'x':
				c = 0;
				for (p++; p < end && hexval(*p) >= 0; p++)
					c = c * 16 + (uint32_t)hexval(*p);
				break;
			default:
				if (*p >= '0' && *p <= '7') {
					c = 0;
					for (int i = 0; i < 3 && p < end && *p >= '0' && *p <= '7'; i++, p++)
						c = c * 8 + (uint32_t)(*p - '0');
				} else {
					c = (unsigned char)*p++;
				}
			}
		} else {
			c = (unsigned char)*p++;
		}
		if (wide)
			v = (int64_t)c;
		else
			v = (int64_t)(((uint64_t)v << 8) | (c & 0xff));
		count++;
	}
	if (!count) {
		fail(e, t, "empty character constant");
		return false;
	}
	if (!wide && count == 1)
		v = (int8_t)v; /* plain char is signed on BPF */
	else if (!wide)
		v = (int32_t)v;
	out->v = (uint64_t)v;
	out->is_unsigned = false;
	return true;
}

static struct val expr(struct ev *e, bool live);

static struct val primary(struct ev *e, bool live)
{
	const struct tok *t = peek(e);
	struct val r = { 0, false };
	switch (t->kind) {
	case T_NUMBER:
		e->pos++;
		parse_int(t, &r, e);
		return r;
	case T_CHAR:
		e->pos++;
		parse_char(t, &r, e);
		return r;
	case T_IDENT:
		/* identifiers that are not macros are 0 (true/false too, in C) */
		e->pos++;
		return r;
	case T_LPAREN: {
		e->pos++;
		r = expr(e, live);
		if (peek(e)->kind != T_RPAREN) {
			fail(e, peek(e), "expected ')' in preprocessor expression");
			return r;
		}
		e->pos++;
		return r;
	}
	case T_PLUS:
	case T_MINUS:
	case T_TILDE:
	case T_BANG: {
		e->pos++;
		struct val x = primary(e, live);
		if (t->kind == T_MINUS)
			x.v = 0 - x.v;
		else if (t->kind == T_TILDE)
			x.v = ~x.v;
		else if (t->kind == T_BANG)
			x = (struct val){ x.v == 0, false };
		return x;
	}
	case T_EOD:
		fail(e, t, "expected value in expression");
		return r;
	case T_OTHER:
		e->failed = true; /* reported where it was made */
		e->pos++;
		return r;
	case T_STRING:
		fail(e, t, "invalid token at start of a preprocessor expression");
		return r;
	default:
		fail(e, t, "invalid token at start of a preprocessor expression");
		return r;
	}
}

/* Binary operator precedence, higher binds tighter; 0: not a binary operator. */
static int prec(enum tok_kind k)
{
	switch (k) {
	case T_STAR: case T_SLASH: case T_PERCENT: return 10;
	case T_PLUS: case T_MINUS: return 9;
	case T_SHL: case T_SHR: return 8;
	case T_LT: case T_GT: case T_LE: case T_GE: return 7;
	case T_EQ: case T_NE: return 6;
	case T_AMP: return 5;
	case T_CARET: return 4;
	case T_PIPE: return 3;
	case T_ANDAND: return 2;
	case T_OROR: return 1;
	default: return 0;
	}
}

static struct val binop(struct ev *e, const struct tok *op, struct val a, struct val b, bool live)
{
	bool u = a.is_unsigned || b.is_unsigned;
	int64_t sa = (int64_t)a.v, sb = (int64_t)b.v;
	struct val r = { 0, u };
	switch (op->kind) {
	case T_STAR:
		r.v = a.v * b.v;
		break;
	case T_SLASH:
	case T_PERCENT:
		if (b.v == 0) {
			if (live)
				fail(e, op, op->kind == T_SLASH
						    ? "division by zero in preprocessor expression"
						    : "remainder by zero in preprocessor expression");
			r.v = 0;
		} else if (u) {
			r.v = op->kind == T_SLASH ? a.v / b.v : a.v % b.v;
		} else if (sa == INT64_MIN && sb == -1) {
			r.v = op->kind == T_SLASH ? (uint64_t)INT64_MIN : 0;
		} else {
			r.v = (uint64_t)(op->kind == T_SLASH ? sa / sb : sa % sb);
		}
		break;
	case T_PLUS:
		r.v = a.v + b.v;
		break;
	case T_MINUS:
		r.v = a.v - b.v;
		break;
	case T_SHL:
		r.is_unsigned = a.is_unsigned;
		r.v = b.v >= 64 ? 0 : a.v << b.v;
		break;
	case T_SHR:
		r.is_unsigned = a.is_unsigned;
		if (b.v >= 64)
			r.v = a.is_unsigned || sa >= 0 ? 0 : (uint64_t)-1;
		else
			r.v = a.is_unsigned ? a.v >> b.v : (uint64_t)(sa >> b.v);
		break;
	case T_LT:
		r = (struct val){ u ? a.v < b.v : sa < sb, false };
		break;
	case T_GT:
		r = (struct val){ u ? a.v > b.v : sa > sb, false };
		break;
	case T_LE:
		r = (struct val){ u ? a.v <= b.v : sa <= sb, false };
		break;
	case T_GE:
		r = (struct val){ u ? a.v >= b.v : sa >= sb, false };
		break;
	case T_EQ:
		r = (struct val){ a.v == b.v, false };
		break;
	case T_NE:
		r = (struct val){ a.v != b.v, false };
		break;
	case T_AMP:
		r.v = a.v & b.v;
		break;
	case T_CARET:
		r.v = a.v ^ b.v;
		break;
	case T_PIPE:
		r.v = a.v | b.v;
		break;
	default:
		break;
	}
	return r;
}

static struct val binary(struct ev *e, int min_prec, bool live)
{
	struct val lhs = primary(e, live);
	for (;;) {
		const struct tok *op = peek(e);
		int p = prec(op->kind);
		if (!p || p < min_prec || e->failed)
			return lhs;
		e->pos++;
		if (op->kind == T_ANDAND || op->kind == T_OROR) {
			bool short_circuit = op->kind == T_ANDAND ? lhs.v == 0 : lhs.v != 0;
			struct val rhs = binary(e, p + 1, live && !short_circuit);
			lhs = (struct val){ op->kind == T_ANDAND ? (lhs.v && rhs.v) : (lhs.v || rhs.v),
					    false };
			continue;
		}
		struct val rhs = binary(e, p + 1, live);
		lhs = binop(e, op, lhs, rhs, live);
	}
}

static struct val conditional(struct ev *e, bool live)
{
	struct val c = binary(e, 1, live);
	if (peek(e)->kind != T_QUESTION || e->failed)
		return c;
	const struct tok *q = peek(e);
	e->pos++;
	struct val a = expr(e, live && c.v);
	if (peek(e)->kind != T_COLON) {
		fail(e, peek(e), "expected ':' in conditional expression");
		pp_note(e->pp, q->xloc, "to match this '?'");
		return a;
	}
	e->pos++;
	struct val b = conditional(e, live && !c.v);
	struct val r = c.v ? a : b;
	r.is_unsigned = a.is_unsigned || b.is_unsigned;
	return r;
}

static struct val expr(struct ev *e, bool live)
{
	struct val v = conditional(e, live);
	while (peek(e)->kind == T_COMMA && !e->failed) {
		e->pos++;
		v = conditional(e, live);
	}
	return v;
}

bool pp_eval_if(struct pp *pp, struct srcloc loc)
{
	struct ev e = { pp, { 0 }, 0, false };
	bool saved = pp->in_if;
	pp->in_if = true;
	for (;;) {
		struct tok t;
		pp_expand_next(pp, &t);
		vec_push(&e.toks, t);
		if (t.kind == T_EOD || t.kind == T_EOF)
			break;
	}
	pp->in_if = saved;
	vec_last(&e.toks).kind = T_EOD;
	bool v = false;
	if (e.toks.len == 1) {
		pp_error(pp, e.toks.data[0].loc, "#if with no expression");
	} else {
		struct val r = expr(&e, true);
		if (!e.failed && peek(&e)->kind != T_EOD) {
			const struct tok *t = peek(&e);
			fail(&e, t,
			     t->kind == T_RPAREN
				     ? "token is not a valid binary operator in a preprocessor "
				       "subexpression"
				     : "token is not a valid binary operator in a preprocessor "
				       "subexpression");
		}
		v = !e.failed && r.v != 0;
	}
	vec_free(&e.toks);
	(void)loc;
	return v;
}
