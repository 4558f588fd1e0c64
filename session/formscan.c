/* Does REPL input end inside a form?  A skim of the text that follows the
 * Lisp reader's grammar (frontend/lisp/reader.c) without building anything:
 * the REPL reads more lines while the reader would stop at the end of the
 * text in the middle of a datum, and hands the text over otherwise (also when
 * the reader will reject it: it says why). */
#include "session/internal.h"

/* What skimming one datum found. */
enum sk {
	SK_OBJ,	  /* a datum */
	SK_SKIP,  /* nothing: a comment or a #+/#- conditional */
	SK_EOF,	  /* the end of the text, before any datum */
	SK_CLOSE, /* ')' */
	SK_DOT,	  /* a consing dot */
	SK_OPEN,  /* the text ends inside the datum */
	SK_BAD,	  /* the reader stops here with an error */
};

#define MAX_NESTING 1000 /* as the reader's */

struct skim {
	const char *t;
	size_t n, i;
	int depth, bq;
	int suppress; /* inside a datum #+/#- may drop: fewer errors */
};

static int peek(const struct skim *k)
{
	return k->i < k->n ? (unsigned char)k->t[k->i] : -1;
}

static int peek2(const struct skim *k)
{
	return k->i + 1 < k->n ? (unsigned char)k->t[k->i + 1] : -1;
}

static int next(struct skim *k)
{
	return k->i < k->n ? (unsigned char)k->t[k->i++] : -1;
}

static bool is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_terminating(int c)
{
	return c < 0 || is_ws(c) || c == '(' || c == ')' || c == '"' || c == '\'' || c == '`' ||
	       c == ',' || c == ';';
}

static enum sk skim_form(struct skim *k);

/* After "#|" (or "#n|"): nested block comments. */
static enum sk comment_body(struct skim *k)
{
	for (int level = 1; level;) {
		int c = next(k);
		if (c < 0)
			return SK_OPEN;
		if (c == '|' && peek(k) == '#')
			next(k), level--;
		else if (c == '#' && peek(k) == '|')
			next(k), level++;
	}
	return SK_SKIP;
}

/* Whitespace and comments: SK_SKIP, or SK_OPEN inside a block comment. */
static enum sk skip_ws(struct skim *k)
{
	for (;;) {
		int c = peek(k);
		if (is_ws(c)) {
			next(k);
		} else if (c == ';') {
			while (peek(k) >= 0 && peek(k) != '\n')
				next(k);
		} else if (c == '#' && peek2(k) == '|') {
			k->i += 2;
			if (comment_body(k) == SK_OPEN)
				return SK_OPEN;
		} else {
			return SK_SKIP;
		}
	}
}

/* Constituents with \ and |...| escapes, up to a terminating character. */
static enum sk token(struct skim *k)
{
	while (!is_terminating(peek(k))) {
		int c = next(k);
		if (c == '\\' && next(k) < 0)
			return SK_OPEN;
		if (c != '|')
			continue;
		for (;;) {
			int e = next(k);
			if (e < 0 || (e == '\\' && next(k) < 0))
				return SK_OPEN;
			if (e == '|')
				break;
		}
	}
	return SK_OBJ;
}

/* A token that is one unescaped '.' is a consing dot; only dots, an error. */
static enum sk symbol_or_number(struct skim *k)
{
	size_t from = k->i;
	enum sk r = token(k);
	if (r != SK_OBJ)
		return r;
	size_t dots = 0;
	while (from + dots < k->i && k->t[from + dots] == '.')
		dots++;
	if (dots && from + dots == k->i)
		return dots == 1 ? SK_DOT : k->suppress ? SK_OBJ : SK_BAD;
	return SK_OBJ;
}

static enum sk string(struct skim *k)
{
	next(k);
	for (;;) {
		int c = next(k);
		if (c < 0 || (c == '\\' && next(k) < 0))
			return SK_OPEN;
		if (c == '"')
			return SK_OBJ;
	}
}

/* One datum that must come (after a quote, #', a feature expression...). */
static enum sk datum_after(struct skim *k)
{
	for (;;) {
		if (skip_ws(k) == SK_OPEN)
			return SK_OPEN;
		enum sk r = skim_form(k);
		switch (r) {
		case SK_SKIP:
			continue;
		case SK_EOF:
			return SK_OPEN;
		case SK_CLOSE:
		case SK_DOT:
			return SK_BAD;
		default:
			return r;
		}
	}
}

/* The elements after '(' up to the matching ')'. */
static enum sk list(struct skim *k, bool dotted_ok)
{
	if (++k->depth > MAX_NESTING)
		return SK_BAD;
	bool any = false;
	for (;;) {
		if (skip_ws(k) == SK_OPEN || peek(k) < 0)
			return SK_OPEN;
		enum sk r = skim_form(k);
		if (r == SK_CLOSE)
			break;
		if (r == SK_OPEN || r == SK_BAD)
			return r;
		if (r == SK_DOT) {
			if (!any || !dotted_ok)
				return SK_BAD;
			if ((r = datum_after(k)) != SK_OBJ)
				return r;
			do {
				if (skip_ws(k) == SK_OPEN || peek(k) < 0)
					return SK_OPEN;
				r = skim_form(k);
			} while (r == SK_SKIP);
			if (r != SK_CLOSE)
				return r == SK_OPEN ? SK_OPEN : SK_BAD;
			break;
		}
		any |= r == SK_OBJ;
	}
	k->depth--;
	return SK_OBJ;
}

/* After "#+" or "#-": a feature expression, then the datum it drops, or
 * nothing when it keeps it (the caller reads it).  The truth of the feature
 * is not known here: a datum is skimmed as dropped (which the reader checks
 * least) unless a ')' shows it was kept; the text ending there is open (a
 * true feature at the very end would need nothing more). */
static enum sk conditional(struct skim *k)
{
	enum sk r = datum_after(k);
	if (r != SK_OBJ)
		return r;
	k->suppress++;
	do {
		size_t at = k->i;
		r = skip_ws(k) == SK_OPEN ? SK_OPEN : skim_form(k);
		if (r == SK_CLOSE || r == SK_DOT)
			k->i = at, r = SK_SKIP; /* kept: the caller reads on */
		else if (r == SK_EOF)
			r = SK_OPEN;
		else if (r == SK_OBJ)
			r = SK_SKIP;
		else if (r == SK_SKIP)
			continue;
		break;
	} while (true);
	k->suppress--;
	return r;
}

/* After '#': the dispatching reader macros the reader knows. */
static enum sk dispatch(struct skim *k)
{
	next(k);
	while (peek(k) >= '0' && peek(k) <= '9')
		next(k);
	int c = next(k);
	switch (c) {
	case '\'':
	case '.':
		return datum_after(k);
	case '(':
		return list(k, false);
	case '\\':
		return next(k) < 0 ? SK_OPEN : token(k);
	case 'x':
	case 'X':
	case 'b':
	case 'B':
	case 'o':
	case 'O':
	case 'r':
	case 'R':
	case ':':
		return token(k);
	case '+':
	case '-':
		return conditional(k);
	case 'p':
	case 'P':
		if (skip_ws(k) == SK_OPEN)
			return SK_OPEN;
		return peek(k) == '"' ? string(k) : SK_BAD;
	case '|':
		return comment_body(k);
	case -1:
		return SK_OPEN;
	default:
		return k->suppress ? SK_OBJ : SK_BAD;
	}
}

static enum sk skim_form(struct skim *k)
{
	if (skip_ws(k) == SK_OPEN)
		return SK_OPEN;
	if (k->depth > MAX_NESTING)
		return SK_BAD;
	enum sk r;
	switch (peek(k)) {
	case -1:
		return SK_EOF;
	case '(':
		next(k);
		return list(k, true);
	case ')':
		next(k);
		return k->depth ? SK_CLOSE : SK_BAD;
	case '"':
		return string(k);
	case '\'':
		next(k);
		if (skip_ws(k) == SK_OPEN)
			return SK_OPEN;
		k->depth++;
		r = datum_after(k);
		k->depth--;
		return r;
	case '`':
		next(k);
		k->bq++, k->depth++;
		r = datum_after(k);
		k->bq--, k->depth--;
		return r;
	case ',':
		next(k);
		if (peek(k) == '@' || peek(k) == '.')
			next(k);
		if (!k->bq && !k->suppress)
			return SK_BAD;
		if (skip_ws(k) == SK_OPEN)
			return SK_OPEN;
		k->bq--, k->depth++;
		r = datum_after(k);
		k->bq++, k->depth--;
		return r;
	case '#':
		k->depth++;
		r = dispatch(k);
		k->depth--;
		return r;
	default:
		return symbol_or_number(k);
	}
}

bool ws_open_form(const char *t, size_t n)
{
	struct skim k = { .t = t, .n = n };
	for (;;) {
		k.depth = k.bq = 0;
		enum sk r = skim_form(&k);
		if (r == SK_OPEN)
			return true;
		if (r == SK_EOF || r == SK_BAD || r == SK_DOT || r == SK_CLOSE)
			return false;
	}
}
