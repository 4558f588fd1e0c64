/* The IR text lexer: sigiled names, integers, strings, punctuation; `;`
 * starts a comment to the end of the line. */
#include "ir/lex.h"

#include <ctype.h>
#include <string.h>

void irlex_init(struct irlex *lx, const char *text, size_t len)
{
	lx->p = text;
	lx->end = text + len;
	lx->line = 1;
	lx->col = 1;
	lx->bol = true;
}

static void advance(struct irlex *lx)
{
	if (*lx->p == '\n') {
		lx->line++;
		lx->col = 1;
		lx->bol = true;
	} else {
		lx->col++;
	}
	lx->p++;
}

static bool name_char(int c)
{
	return isalnum(c) || c == '_' || c == '.';
}

static void error(struct irtok_t *t, const char *msg)
{
	t->kind = TK_ERROR;
	t->s = msg;
	t->len = (uint32_t)strlen(msg);
}

static void lex_int(struct irlex *lx, struct irtok_t *t)
{
	bool neg = *lx->p == '-';
	if (neg)
		advance(lx);
	uint64_t v = 0;
	bool overflow = false;
	if (lx->p + 1 < lx->end && lx->p[0] == '0' && (lx->p[1] == 'x' || lx->p[1] == 'X')) {
		advance(lx);
		advance(lx);
		t->hex = true;
		if (lx->p >= lx->end || !isxdigit((unsigned char)*lx->p))
			return error(t, "expected hexadecimal digits after '0x'");
		while (lx->p < lx->end && isxdigit((unsigned char)*lx->p)) {
			int c = tolower((unsigned char)*lx->p);
			overflow |= v >> 60 != 0;
			v = v * 16 + (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
			advance(lx);
		}
	} else {
		if (lx->p >= lx->end || !isdigit((unsigned char)*lx->p))
			return error(t, "expected a digit after '-'");
		while (lx->p < lx->end && isdigit((unsigned char)*lx->p)) {
			uint64_t d = (uint64_t)(*lx->p - '0');
			overflow |= v > (UINT64_MAX - d) / 10;
			v = v * 10 + d;
			advance(lx);
		}
	}
	if (lx->p < lx->end && name_char((unsigned char)*lx->p))
		return error(t, "invalid character in number");
	if (neg && t->hex)
		return error(t, "a hexadecimal integer cannot be negative (write its 64-bit pattern)");
	if (overflow || (neg && v > (uint64_t)1 << 63))
		return error(t, "integer does not fit in 64 bits");
	t->kind = TK_INT;
	t->ival = neg ? (int64_t)(0 - v) : (int64_t)v;
}

static void lex_string(struct irlex *lx, struct irtok_t *t, enum irtok kind)
{
	advance(lx); /* opening quote */
	t->s = lx->p;
	while (lx->p < lx->end && *lx->p != '"' && *lx->p != '\n') {
		if (*lx->p == '\\' && lx->p + 1 < lx->end && lx->p[1] != '\n')
			advance(lx);
		advance(lx);
	}
	if (lx->p >= lx->end || *lx->p != '"')
		return error(t, "missing terminating '\"' character");
	t->len = (uint32_t)(lx->p - t->s);
	advance(lx);
	t->kind = kind;
	if (kind == TK_HEX) {
		if (t->len % 2)
			return error(t, "hex string needs an even number of digits");
		for (uint32_t i = 0; i < t->len; i++)
			if (!isxdigit((unsigned char)t->s[i]))
				return error(t, "hex string holds a non-hexadecimal digit");
	}
}

void irlex_next(struct irlex *lx, struct irtok_t *t)
{
	memset(t, 0, sizeof(*t));
	for (;;) {
		while (lx->p < lx->end && isspace((unsigned char)*lx->p))
			advance(lx);
		if (lx->p < lx->end && *lx->p == ';') {
			while (lx->p < lx->end && *lx->p != '\n')
				advance(lx);
			continue;
		}
		break;
	}
	t->line = lx->line;
	t->col = lx->col;
	t->first = lx->bol;
	lx->bol = false;
	if (lx->p >= lx->end) {
		t->kind = TK_EOF;
		return;
	}
	unsigned char c = (unsigned char)*lx->p;
	t->s = lx->p;
	if (c == '%' || c == '@' || c == '$') {
		advance(lx);
		t->s = lx->p;
		while (lx->p < lx->end && name_char((unsigned char)*lx->p))
			advance(lx);
		t->len = (uint32_t)(lx->p - t->s);
		if (!t->len)
			return error(t, c == '%'   ? "expected a value name after '%'"
					: c == '@' ? "expected a block name after '@'"
						   : "expected a symbol name after '$'");
		t->kind = c == '%' ? TK_TMP : c == '@' ? TK_BLK : TK_SYM;
		return;
	}
	if (isdigit(c) || (c == '-' && lx->p + 1 < lx->end && isdigit((unsigned char)lx->p[1])))
		return lex_int(lx, t);
	if (c == '"')
		return lex_string(lx, t, TK_STR);
	if (c == 'x' && lx->p + 1 < lx->end && lx->p[1] == '"') {
		advance(lx);
		return lex_string(lx, t, TK_HEX);
	}
	if (isalpha(c) || c == '_') {
		while (lx->p < lx->end && name_char((unsigned char)*lx->p))
			advance(lx);
		if (lx->p < lx->end && *lx->p == '?')
			advance(lx);
		t->kind = TK_IDENT;
		t->len = (uint32_t)(lx->p - t->s);
		return;
	}
	if (c == '-' && lx->p + 1 < lx->end && lx->p[1] == '>') {
		advance(lx);
		advance(lx);
		t->kind = TK_PUNCT;
		t->punct = '>';
		t->len = 2;
		return;
	}
	if (c == '.' && lx->end - lx->p >= 3 && !memcmp(lx->p, "...", 3)) {
		advance(lx);
		advance(lx);
		advance(lx);
		t->kind = TK_PUNCT;
		t->punct = '.';
		t->len = 3;
		return;
	}
	if (strchr("(){}[],=:*!+", c) && c) {
		advance(lx);
		t->kind = TK_PUNCT;
		t->punct = (char)c;
		t->len = 1;
		return;
	}
	advance(lx);
	error(t, "unexpected character");
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

size_t irlex_string(const struct irtok_t *t, char *out)
{
	size_t n = 0;
	if (t->kind == TK_HEX) {
		for (uint32_t i = 0; i + 1 < t->len; i += 2)
			out[n++] = (char)(hexval((unsigned char)t->s[i]) << 4 |
					  hexval((unsigned char)t->s[i + 1]));
		out[n] = 0;
		return n;
	}
	for (uint32_t i = 0; i < t->len; i++) {
		char c = t->s[i];
		if (c != '\\' || i + 1 >= t->len) {
			out[n++] = c;
			continue;
		}
		c = t->s[++i];
		if (c == 'n')
			out[n++] = '\n';
		else if (c == 't')
			out[n++] = '\t';
		else if (c == 'x' && i + 2 < t->len && isxdigit((unsigned char)t->s[i + 1]) &&
			 isxdigit((unsigned char)t->s[i + 2])) {
			out[n++] = (char)(hexval((unsigned char)t->s[i + 1]) << 4 |
					  hexval((unsigned char)t->s[i + 2]));
			i += 2;
		} else
			out[n++] = c;
	}
	out[n] = 0;
	return n;
}
