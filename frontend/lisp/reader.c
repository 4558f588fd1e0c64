/* The reader: Common Lisp syntax as Whistler files use it, producing conses
 * that remember where they were read.  Errors are READER-ERROR conditions
 * located at the offending character. */
#include "frontend/lisp/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* read_form results besides data */
#define RD_EOF ((lv)NULL)
#define RD_SKIP ((lv)(uintptr_t)0x16)  /* nothing (#+ that failed) */
#define RD_CLOSE ((lv)(uintptr_t)0x26) /* ')' */
#define RD_DOT ((lv)(uintptr_t)0x36)   /* consing dot */

#define MAX_NESTING 1000

static lv read_form(struct lisp_reader *r);

static struct srcloc here(const struct lisp_reader *r)
{
	if (!r->file)
		return (struct srcloc){ 0 };
	return (struct srcloc){ r->file, r->line, r->col };
}

void lisp_reader_error(struct lisp_reader *r, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lv c = lisp_simple_condition(r->ctx, r->ctx->s.reader_error, fmt, ap);
	va_end(ap);
	COND(c)->loc = loc;
	lisp_signal_error(r->ctx, c);
}

static int peek(const struct lisp_reader *r)
{
	return r->pos < r->len ? (unsigned char)r->text[r->pos] : -1;
}

static int peek2(const struct lisp_reader *r)
{
	return r->pos + 1 < r->len ? (unsigned char)r->text[r->pos + 1] : -1;
}

static int next(struct lisp_reader *r)
{
	if (r->pos >= r->len)
		return -1;
	int c = (unsigned char)r->text[r->pos++];
	if (c == '\n') {
		r->line++;
		r->col = 1;
	} else {
		r->col++;
	}
	return c;
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

/* The rest of a #| comment, after its #| (or #n|). */
static void skip_comment_body(struct lisp_reader *r, struct srcloc start)
{
	int level = 1;
	while (level) {
		int c = next(r);
		if (c < 0)
			lisp_reader_error(r, start, "unterminated #| comment");
		if (c == '|' && peek(r) == '#') {
			next(r);
			level--;
		} else if (c == '#' && peek(r) == '|') {
			next(r);
			level++;
		}
	}
}

static void skip_block_comment(struct lisp_reader *r)
{
	struct srcloc start = here(r);
	next(r);
	next(r);
	skip_comment_body(r, start);
}

static void skip_ws(struct lisp_reader *r)
{
	for (;;) {
		int c = peek(r);
		if (is_ws(c)) {
			next(r);
		} else if (c == ';') {
			while (peek(r) >= 0 && peek(r) != '\n')
				next(r);
		} else if (c == '#' && peek2(r) == '|') {
			skip_block_comment(r);
		} else {
			return;
		}
	}
}

/* ---- tokens ---- */

/* Tokens are collected in the context's buffers (no token is read while
 * another is being parsed), so errors need not free anything. */
struct token {
	struct buf *text;
	struct buf *escaped; /* one byte per char: 1 if escaped */
	bool any_escape;
};

static void tok_init(struct lisp_reader *r, struct token *t)
{
	t->text = &r->ctx->tok_text;
	t->escaped = &r->ctx->tok_esc;
	t->text->len = t->escaped->len = 0;
	t->any_escape = false;
}

static void tok_add(struct token *t, int c, bool esc)
{
	buf_putc(t->text, esc ? c : toupper(c));
	buf_putc(t->escaped, esc);
	t->any_escape |= esc;
}

/* NUL-terminates the text */
static const char *tok_str(struct token *t)
{
	buf_putc(t->text, 0);
	buf_putc(t->escaped, 0);
	t->text->len--;
	t->escaped->len--;
	return (const char *)t->text->data;
}

/* Reads constituents (with | and \ escapes) up to a terminating character. */
static void read_token(struct lisp_reader *r, struct token *t, struct srcloc start)
{
	for (;;) {
		int c = peek(r);
		if (is_terminating(c))
			return;
		next(r);
		if (c == '\\') {
			int e = next(r);
			if (e < 0)
				lisp_reader_error(r, start, "end of file after escape character");
			tok_add(t, e, true);
		} else if (c == '|') {
			for (;;) {
				int e = next(r);
				if (e < 0)
					lisp_reader_error(r, start, "unterminated |...| in symbol");
				if (e == '|')
					break;
				if (e == '\\') {
					e = next(r);
					if (e < 0)
						lisp_reader_error(r, start,
								  "unterminated |...| in symbol");
				}
				tok_add(t, e, true);
			}
			t->any_escape = true;
		} else {
			tok_add(t, c, false);
		}
	}
}

static int digit_in(int c, unsigned radix)
{
	int v = c >= '0' && c <= '9'   ? c - '0'
		: c >= 'A' && c <= 'Z' ? c - 'A' + 10
		: c >= 'a' && c <= 'z' ? c - 'a' + 10
				       : 99;
	return v < (int)radix ? v : -1;
}

/* Integer in `radix` with optional sign (and a trailing '.' in base 10):
 * returns NULL when the text is not one. */
static lv parse_integer(struct lisp_reader *r, const char *s, size_t n, unsigned radix,
			struct srcloc loc)
{
	bool neg = false;
	size_t i = 0;
	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (radix == 10 && n > i + 1 && s[n - 1] == '.')
		n--;
	if (i == n)
		return NULL;
	for (size_t k = i; k < n; k++)
		if (digit_in(s[k], radix) < 0)
			return NULL;
	return lisp_int_parse(r->ctx, s + i, n - i, radix, neg);
}

static bool is_ratio(const char *s, size_t n, unsigned radix)
{
	const char *slash = memchr(s, '/', n);
	if (!slash)
		return false;
	size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
	if (slash == s + i || slash == s + n - 1)
		return false;
	for (const char *p = s + i; p < s + n; p++)
		if (p != slash && digit_in(*p, radix) < 0)
			return false;
	return true;
}

static bool parse_float(const char *s, size_t n, double *out)
{
	size_t i = 0, digits = 0, frac = 0;
	bool point = false, exp = false;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < n && isdigit((unsigned char)s[i]); i++)
		digits++;
	if (i < n && s[i] == '.') {
		point = true;
		for (i++; i < n && isdigit((unsigned char)s[i]); i++)
			frac++;
	}
	if (!digits && !frac)
		return false;
	if (i < n && strchr("ESFDL", s[i])) {
		size_t j = i + 1, ed = 0;
		if (j < n && (s[j] == '+' || s[j] == '-'))
			j++;
		for (; j < n && isdigit((unsigned char)s[j]); j++)
			ed++;
		if (!ed || j != n)
			return false;
		exp = true;
		i = j;
	}
	if (i != n || (!exp && !(point && frac)))
		return false;
	char *tmp = xstrndup(s, n);
	for (char *p = tmp; *p; p++)
		if (strchr("ESFDL", *p))
			*p = 'e';
	*out = strtod(tmp, NULL);
	free(tmp);
	return true;
}

static lv intern_token(struct lisp_reader *r, struct token *t, struct srcloc loc)
{
	struct lisp_ctx *ctx = r->ctx;
	const char *s = (const char *)t->text->data;
	const char *esc = (const char *)t->escaped->data;
	size_t n = t->text->len;
	if (r->suppress)
		return LISP_NIL;
	/* unescaped colons are package markers */
	size_t c1 = n, ncolons = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ':' && !esc[i]) {
			if (c1 == n)
				c1 = i;
			ncolons++;
		}
	if (!ncolons)
		return lisp_intern_in(ctx, r->keywords ? ctx->keyword_pkg : ctx->user_pkg, s, n);
	if (c1 == 0) {
		if (ncolons > 1 || n == 1)
			lisp_reader_error(r, loc, "illegal keyword syntax '%s'", s);
		return lisp_intern_in(ctx, ctx->keyword_pkg, s + 1, n - 1);
	}
	size_t name_at = c1 + 1;
	if (ncolons == 2 && c1 + 1 < n && s[c1 + 1] == ':' && !esc[c1 + 1])
		name_at++;
	else if (ncolons != 1)
		lisp_reader_error(r, loc, "illegal package syntax in '%s'", s);
	if (name_at >= n)
		lisp_reader_error(r, loc, "missing symbol name after package prefix in '%s'", s);
	char *pname = xstrndup(s, c1);
	lv pkg = lisp_make_package(ctx, pname);
	free(pname);
	return lisp_intern_in(ctx, pkg, s + name_at, n - name_at);
}

static lv read_symbol_or_number(struct lisp_reader *r, struct srcloc loc)
{
	struct token t;
	tok_init(r, &t);
	read_token(r, &t, loc);
	const char *s = tok_str(&t);
	size_t n = t.text->len;
	lv v = NULL;
	if (!t.any_escape) {
		if (n == 1 && s[0] == '.') {
			return RD_DOT;
		}
		bool dots = n > 0;
		for (size_t i = 0; i < n; i++)
			dots &= s[i] == '.';
		if (dots && !r->suppress) {
			lisp_reader_error(r, loc, "a token consisting only of dots is not allowed");
		}
		double d;
		if (r->suppress)
			v = NULL;
		else if ((v = parse_integer(r, s, n, 10, loc)))
			;
		else if (is_ratio(s, n, 10)) {
			char *copy = xstrdup(s);
			lv msg = lisp_make_cstring(r->ctx, copy);
			free(copy);
			lisp_reader_error(r, loc,
					  "ratio %s is not supported (Whistler's Lisp has integers "
					  "and floats only)",
					  lisp_str(msg));
		} else if (parse_float(s, n, &d))
			v = lisp_make_float(r->ctx, d);
	}
	if (!v)
		v = intern_token(r, &t, loc);
	return v;
}

/* ---- strings and characters ---- */

static lv read_string(struct lisp_reader *r, struct srcloc loc)
{
	struct buf b = { 0 };
	next(r);
	for (;;) {
		int c = next(r);
		if (c < 0) {
			buf_free(&b);
			lisp_reader_error(r, loc, "unterminated string");
		}
		if (c == '"')
			break;
		if (c == '\\') {
			c = next(r);
			if (c < 0) {
				buf_free(&b);
				lisp_reader_error(r, loc, "unterminated string");
			}
		}
		buf_putc(&b, c);
	}
	lv s = lisp_make_string(r->ctx, b.data ? (const char *)b.data : "", b.len);
	buf_free(&b);
	return s;
}

static const struct {
	const char *name;
	uint32_t code;
} char_names[] = {
	{ "SPACE", ' ' },     { "NEWLINE", '\n' }, { "TAB", '\t' },    { "RETURN", '\r' },
	{ "LINEFEED", '\n' }, { "PAGE", '\f' },	   { "BACKSPACE", 8 }, { "RUBOUT", 127 },
	{ "DELETE", 127 },    { "NULL", 0 },	   { "NUL", 0 },       { "ESCAPE", 27 },
	{ "ESC", 27 },	      { "BELL", 7 },
};

const char *lisp_char_name(uint32_t code)
{
	switch (code) {
	case ' ':
		return "Space";
	case '\n':
		return "Newline";
	case '\t':
		return "Tab";
	case '\r':
		return "Return";
	case '\f':
		return "Page";
	case 8:
		return "Backspace";
	case 127:
		return "Rubout";
	case 0:
		return "Nul";
	case 27:
		return "Esc";
	case 7:
		return "Bel";
	default:
		return NULL;
	}
}

static lv read_char(struct lisp_reader *r, struct srcloc loc)
{
	size_t from = r->pos;
	int c = next(r);
	if (c < 0)
		lisp_reader_error(r, loc, "end of file after #\\");
	struct token t;
	tok_init(r, &t);
	tok_add(&t, c, true);
	read_token(r, &t, loc);
	lv v = NULL;
	if (t.text->len == 1) {
		v = lisp_char((uint32_t)c);
	} else {
		/* names compare case-insensitively: the token is upcased except its first char */
		char *name = xstrndup((const char *)t.text->data, t.text->len);
		for (char *p = name; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		for (size_t i = 0; i < ARRAY_LEN(char_names) && !v; i++)
			if (!strcmp(name, char_names[i].name))
				v = lisp_char(char_names[i].code);
		if (!v && (name[0] == 'U' || name[0] == 'X') && name[1] && strlen(name) <= 9) {
			char *end;
			unsigned long code = strtoul(name + 1 + (name[1] == '+'), &end, 16);
			if (!*end && code <= 0x10ffff)
				v = lisp_char((uint32_t)code);
		}
		if (!v && !r->suppress) {
			lv msg = lisp_make_string(r->ctx, r->text + from, r->pos - from);
			free(name);
			lisp_reader_error(r, loc, "unknown character name #\\%s", lisp_str(msg));
		}
		free(name);
	}
	return v ? v : LISP_NIL;
}

/* ---- lists and vectors ---- */

static lv read_datum_after(struct lisp_reader *r, struct srcloc loc, const char *what);

static lv read_list(struct lisp_reader *r, struct srcloc open_loc, bool dotted_ok)
{
	lv head = LISP_NIL, tail = NULL;
	if (++r->depth > MAX_NESTING)
		lisp_reader_error(r, open_loc, "lists nested more than %d deep", MAX_NESTING);
	for (;;) {
		skip_ws(r);
		struct srcloc eloc = here(r);
		if (peek(r) < 0)
			lisp_reader_error(r, open_loc, "unterminated list: end of file before ')'");
		lv x = read_form(r);
		if (x == RD_CLOSE)
			break;
		if (x == RD_SKIP)
			continue;
		if (x == RD_DOT) {
			if (!tail || !dotted_ok)
				lisp_reader_error(r, eloc, "consing dot in a wrong place");
			lv rest = read_datum_after(r, eloc, "after the consing dot");
			skip_ws(r);
			struct srcloc cl = here(r);
			lv c = RD_SKIP;
			while (c == RD_SKIP) {
				skip_ws(r);
				cl = here(r);
				if (peek(r) < 0)
					lisp_reader_error(
						r, open_loc,
						"unterminated list: end of file before ')'");
				c = read_form(r);
			}
			if (c != RD_CLOSE)
				lisp_reader_error(r, cl,
						  "more than one object after the consing dot");
			CONS(tail)->cdr = rest;
			break;
		}
		lv cell = lisp_cons(r->ctx, x, LISP_NIL);
		CONS(cell)->car_loc = eloc;
		CONS(cell)->loc = tail ? eloc : open_loc;
		if (tail)
			CONS(tail)->cdr = cell;
		else
			head = cell;
		tail = cell;
	}
	r->depth--;
	return head;
}

/* Reads one datum, skipping #+/#- that fail; errors at EOF or ')'. */
static lv read_datum_after(struct lisp_reader *r, struct srcloc loc, const char *what)
{
	for (;;) {
		skip_ws(r);
		struct srcloc at = here(r);
		lv x = read_form(r);
		if (x == RD_SKIP)
			continue;
		if (x == RD_EOF)
			lisp_reader_error(r, loc, "end of file: expected an object %s", what);
		if (x == RD_CLOSE)
			lisp_reader_error(r, at, "unexpected ')': expected an object %s", what);
		if (x == RD_DOT)
			lisp_reader_error(r, at, "unexpected consing dot: expected an object %s",
					  what);
		return x;
	}
}

static lv wrap(struct lisp_reader *r, lv head, lv x, struct srcloc loc, struct srcloc xloc)
{
	lv inner = lisp_cons(r->ctx, x, LISP_NIL);
	CONS(inner)->loc = CONS(inner)->car_loc = xloc;
	lv outer = lisp_cons(r->ctx, head, inner);
	CONS(outer)->loc = CONS(outer)->car_loc = loc;
	return outer;
}

/* ---- feature expressions ---- */

static bool feature_true(struct lisp_reader *r, lv expr, int depth)
{
	struct lisp_ctx *ctx = r->ctx;
	if (depth > 100)
		return false;
	if (lisp_symbolp(expr)) {
		lv fs = lisp_symbol_value(ctx, ctx->s.features);
		for (size_t n = 0; lisp_consp(fs) && n < 10000; fs = lisp_cdr(fs), n++)
			if (lisp_car(fs) == expr ||
			    (lisp_symbolp(lisp_car(fs)) &&
			     !strcmp(lisp_symbol_name(lisp_car(fs)), lisp_symbol_name(expr))))
				return true;
		return false;
	}
	if (!lisp_consp(expr) || !lisp_symbolp(lisp_car(expr)))
		return false;
	const char *op = lisp_symbol_name(lisp_car(expr));
	lv args = lisp_cdr(expr);
	if (!strcmp(op, "NOT"))
		return !feature_true(r, lisp_car(args), depth + 1);
	bool is_and = !strcmp(op, "AND");
	if (!is_and && strcmp(op, "OR"))
		return false;
	for (size_t n = 0; lisp_consp(args) && n < 10000; args = lisp_cdr(args), n++)
		if (feature_true(r, lisp_car(args), depth + 1) != is_and)
			return !is_and;
	return is_and;
}

static lv read_conditional(struct lisp_reader *r, bool want, struct srcloc loc)
{
	bool saved_kw = r->keywords, saved_sup = r->suppress;
	r->keywords = true;
	lv expr = read_datum_after(r, loc, "(a feature expression) after #+ or #-");
	r->keywords = saved_kw;
	bool ok = !r->suppress && feature_true(r, expr, 0) == want;
	if (ok)
		return RD_SKIP; /* the next datum is read normally */
	r->suppress = true;
	read_datum_after(r, loc, "after the feature expression");
	r->suppress = saved_sup;
	return RD_SKIP;
}

/* ---- # dispatch ---- */

static lv read_radix(struct lisp_reader *r, unsigned radix, struct srcloc loc)
{
	struct token t;
	tok_init(r, &t);
	read_token(r, &t, loc);
	tok_str(&t);
	if (r->suppress) {
		return LISP_NIL;
	}
	lv v = t.any_escape ? NULL
			    : parse_integer(r, (const char *)t.text->data, t.text->len, radix, loc);
	if (!v) {
		bool ratio = is_ratio((const char *)t.text->data, t.text->len, radix);
		lv msg = lisp_make_string(r->ctx, (const char *)t.text->data, t.text->len);
		if (ratio)
			lisp_reader_error(r, loc, "ratio %s is not supported", lisp_str(msg));
		lisp_reader_error(r, loc, "'%s' is not an integer in radix %u", lisp_str(msg),
				  radix);
	}
	return v;
}

static lv read_dispatch(struct lisp_reader *r, struct srcloc loc)
{
	struct lisp_ctx *ctx = r->ctx;
	next(r); /* # */
	unsigned arg = 0;
	bool has_arg = false;
	while (peek(r) >= '0' && peek(r) <= '9') {
		arg = arg * 10 + (unsigned)(next(r) - '0');
		has_arg = true;
		if (arg > 1000000)
			arg = 1000000;
	}
	int c = next(r);
	switch (c) {
	case '\'': {
		skip_ws(r);
		struct srcloc xl = here(r);
		return wrap(r, ctx->s.function, read_datum_after(r, loc, "after #'"), loc, xl);
	}
	case '(': {
		lv items = read_list(r, loc, false);
		if (r->suppress)
			return LISP_NIL;
		if (r->bq) {
			/* inside a backquote the elements may be unquoted: keep a marker form */
			lv v = lisp_cons_at(ctx, lisp_intern_in(ctx, ctx->sys_pkg, "BQ-VECTOR", 9),
					    items, loc);
			return v;
		}
		size_t n = lisp_list_length(items);
		lv v = lisp_make_vector(ctx, n, LISP_NIL);
		size_t i = 0;
		for (lv l = items; lisp_consp(l); l = lisp_cdr(l))
			lisp_vector_data(v)[i++] = lisp_car(l);
		return v;
	}
	case '\\':
		return read_char(r, loc);
	case 'x':
	case 'X':
		return read_radix(r, 16, loc);
	case 'b':
	case 'B':
		return read_radix(r, 2, loc);
	case 'o':
	case 'O':
		return read_radix(r, 8, loc);
	case 'r':
	case 'R':
		if (!has_arg || arg < 2 || arg > 36)
			lisp_reader_error(r, loc,
					  "#r needs a radix between 2 and 36, as in #16rFF");
		return read_radix(r, arg, loc);
	case ':': {
		struct token t;
		tok_init(r, &t);
		read_token(r, &t, loc);
		lv name = lisp_make_string(ctx, (const char *)t.text->data, t.text->len);
		return r->suppress ? LISP_NIL : lisp_make_symbol(ctx, name);
	}
	case '+':
	case '-':
		return read_conditional(r, c == '+', loc);
	case '.': {
		lv form = read_datum_after(r, loc, "after #.");
		if (r->suppress)
			return LISP_NIL;
		return lisp_eval_in(ctx, form, LISP_NIL);
	}
	case 'p':
	case 'P':
		skip_ws(r);
		if (peek(r) != '"')
			lisp_reader_error(r, loc, "#p must be followed by a string");
		return read_string(r, loc);
	case '|': /* #n| comment */
		skip_comment_body(r, loc);
		return RD_SKIP;
	case -1:
		lisp_reader_error(r, loc, "end of file after #");
	default:
		if (r->suppress)
			return LISP_NIL;
		lisp_reader_error(r, loc, "the #%c reader syntax is not supported", c);
	}
}

/* ---- the datum reader ---- */

static lv read_form(struct lisp_reader *r)
{
	struct lisp_ctx *ctx = r->ctx;
	skip_ws(r);
	struct srcloc loc = here(r);
	int c = peek(r);
	if (r->depth > MAX_NESTING)
		lisp_reader_error(r, loc, "forms nested more than %d deep", MAX_NESTING);
	lisp_check_limits(ctx);
	switch (c) {
	case -1:
		return RD_EOF;
	case '(':
		next(r);
		return read_list(r, loc, true);
	case ')':
		next(r);
		if (!r->depth)
			lisp_reader_error(r, loc, "unmatched ')'");
		return RD_CLOSE;
	case '"':
		return read_string(r, loc);
	case '\'': {
		next(r);
		skip_ws(r);
		struct srcloc xl = here(r);
		r->depth++;
		lv x = read_datum_after(r, loc, "after the quote");
		r->depth--;
		return wrap(r, ctx->s.quote, x, loc, xl);
	}
	case '`': {
		next(r);
		r->bq++;
		r->depth++;
		lv x = read_datum_after(r, loc, "after the backquote");
		r->depth--;
		r->bq--;
		return r->suppress ? LISP_NIL : lisp_backquote(ctx, x, loc);
	}
	case ',': {
		next(r);
		const char *marker = "UNQUOTE";
		if (peek(r) == '@') {
			next(r);
			marker = "UNQUOTE-SPLICING";
		} else if (peek(r) == '.') {
			next(r);
			marker = "UNQUOTE-NSPLICING";
		}
		if (!r->bq && !r->suppress)
			lisp_reader_error(r, loc, "comma not inside a backquote");
		skip_ws(r);
		struct srcloc xl = here(r);
		r->bq--;
		r->depth++;
		lv x = read_datum_after(r, loc, "after the comma");
		r->depth--;
		r->bq++;
		lv sym = lisp_intern_in(ctx, ctx->sys_pkg, marker, strlen(marker));
		return wrap(r, sym, x, loc, xl);
	}
	case '#':
		r->depth++;
		lv v = read_dispatch(r, loc);
		r->depth--;
		return v;
	default:
		return read_symbol_or_number(r, loc);
	}
}

void lisp_reader_init(struct lisp_reader *r, struct lisp_ctx *ctx, uint32_t file_id)
{
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->file = file_id;
	r->line = r->col = 1;
	struct src_file *f = srcmgr_file(ctx->sm, file_id);
	r->text = f && f->text ? f->text : "";
	r->len = f && f->text ? f->len : 0;
}

/* Next datum at top level, or RD_EOF. */
static lv read_top(struct lisp_reader *r)
{
	for (;;) {
		skip_ws(r);
		r->last = here(r);
		lv x = read_form(r);
		if (x == RD_SKIP)
			continue;
		if (x == RD_DOT)
			lisp_reader_error(r, r->last, "consing dot outside a list");
		return x;
	}
}

lv lisp_reader_next(struct lisp_reader *r)
{
	r->depth = r->bq = 0;
	r->suppress = r->keywords = false;
	return read_top(r);
}

static lv protected_read(struct lisp_ctx *ctx, void *data)
{
	struct lisp_reader *r = data;
	r->depth = r->bq = 0;
	r->suppress = r->keywords = false;
	return read_top(r); /* NULL at end of file */
}

int lisp_read(struct lisp_reader *r, lv *out)
{
	lv v;
	if (r->pos >= r->len)
		return 0;
	if (lisp_protect(r->ctx, protected_read, r, &v) < 0) {
		r->pos = r->len; /* no recovery inside a broken datum */
		return -1;
	}
	if (!v)
		return 0;
	*out = v;
	return 1;
}

lv lisp_read_from(struct lisp_ctx *ctx, const char *text, size_t len, size_t *pos, bool eof_error,
		  lv eof_value)
{
	struct lisp_reader r;
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.text = text;
	r.len = len;
	r.pos = *pos;
	r.line = r.col = 1;
	lv x = read_top(&r);
	*pos = r.pos;
	if (x == RD_EOF) {
		if (eof_error)
			lisp_error_type(ctx, ctx->s.end_of_file, "end of file while reading");
		return eof_value;
	}
	return x;
}

static lv read_string_cb(struct lisp_ctx *ctx, void *data)
{
	const char *text = data;
	size_t pos = 0;
	return lisp_read_from(ctx, text, strlen(text), &pos, true, LISP_NIL);
}

lv lisp_read_string(struct lisp_ctx *ctx, const char *text)
{
	lv v;
	if (ctx->nest)
		return read_string_cb(ctx, (void *)text);
	if (lisp_protect(ctx, read_string_cb, (void *)text, &v) < 0)
		return NULL;
	return v;
}
