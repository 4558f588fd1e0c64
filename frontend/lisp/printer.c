/* The printer: PRIN1 (readable, escape) and PRINC (aesthetic) text of any
 * value, following what SBCL prints with the default printer variables. */
#include "frontend/lisp/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PRINT_DEPTH 2000

static void prin(struct lisp_ctx *ctx, struct buf *out, lv v, bool escape, int depth);

static unsigned print_base(struct lisp_ctx *ctx)
{
	lv b = SYM(ctx->s.print_base)->value;
	if (b && lisp_fixnump(b) && lisp_fixnum_value(b) >= 2 && lisp_fixnum_value(b) <= 36)
		return (unsigned)lisp_fixnum_value(b);
	return 10;
}

static bool looks_like_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (s[i] != '.' && s[i] != 'E' && s[i] != '/' && s[i] != 'D')
			return false;
	}
	return digits > 0;
}

static bool needs_bars(const char *s, size_t n)
{
	if (!n || looks_like_number(s, n))
		return true;
	bool dots = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (islower(c) || isspace(c) || strchr("()'\"`,;|\\:#", c) || c < 32 || c >= 127)
			if (!(c == '#' && i > 0))
				return true;
		dots &= c == '.';
	}
	return dots;
}

static void print_name(struct buf *out, const char *s, size_t n, bool escape)
{
	if (!escape || !needs_bars(s, n)) {
		buf_append(out, s, n);
		return;
	}
	buf_putc(out, '|');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '|' || s[i] == '\\')
			buf_putc(out, '\\');
		buf_putc(out, s[i]);
	}
	buf_putc(out, '|');
}

void lisp_print_symbol(struct lisp_ctx *ctx, struct buf *out, lv sym, bool escape)
{
	if (sym == LISP_NIL) {
		buf_puts(out, "NIL");
		return;
	}
	lv name = SYM(sym)->name, pkg = SYM(sym)->package;
	if (escape) {
		if (pkg == ctx->keyword_pkg) {
			buf_putc(out, ':');
		} else if (pkg == LISP_NIL) {
			buf_puts(out, "#:");
		} else if (pkg != ctx->user_pkg) {
			lv pn = PKG(pkg)->name;
			print_name(out, lisp_str(pn), STR(pn)->len, true);
			buf_putc(out, ':');
		}
	}
	print_name(out, lisp_str(name), STR(name)->len, escape);
}

static void put_utf8(struct buf *out, uint32_t c)
{
	if (c < 0x80) {
		buf_putc(out, (int)c);
	} else if (c < 0x800) {
		buf_putc(out, (int)(0xc0 | c >> 6));
		buf_putc(out, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_putc(out, (int)(0xe0 | c >> 12));
		buf_putc(out, (int)(0x80 | ((c >> 6) & 0x3f)));
		buf_putc(out, (int)(0x80 | (c & 0x3f)));
	} else {
		buf_putc(out, (int)(0xf0 | c >> 18));
		buf_putc(out, (int)(0x80 | ((c >> 12) & 0x3f)));
		buf_putc(out, (int)(0x80 | ((c >> 6) & 0x3f)));
		buf_putc(out, (int)(0x80 | (c & 0x3f)));
	}
}

static void print_char(struct buf *out, uint32_t c, bool escape)
{
	if (!escape) {
		if (c < 256)
			buf_putc(out, (int)c);
		else
			put_utf8(out, c);
		return;
	}
	buf_puts(out, "#\\");
	const char *name = lisp_char_name(c);
	if (name)
		buf_puts(out, name);
	else if (c < 32)
		buf_printf(out, "U+%X", c);
	else if (c < 256)
		buf_putc(out, (int)c);
	else
		put_utf8(out, c);
}

static void print_string(struct buf *out, lv s, bool escape)
{
	const char *p = lisp_str(s);
	size_t n = STR(s)->len;
	if (!escape) {
		buf_append(out, p, n);
		return;
	}
	buf_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			buf_putc(out, '\\');
		buf_putc(out, p[i]);
	}
	buf_putc(out, '"');
}

static const char *abbreviation(struct lisp_ctx *ctx, lv head)
{
	if (head == ctx->s.quote)
		return "'";
	if (head == ctx->s.function)
		return "#'";
	if (lisp_is(head, LISP_SYMBOL) && SYM(head)->package == ctx->sys_pkg) {
		const char *n = lisp_symbol_name(head);
		if (!strcmp(n, "UNQUOTE"))
			return ",";
		if (!strcmp(n, "UNQUOTE-SPLICING"))
			return ",@";
		if (!strcmp(n, "UNQUOTE-NSPLICING"))
			return ",.";
	}
	return NULL;
}

static void print_list(struct lisp_ctx *ctx, struct buf *out, lv v, bool escape, int depth)
{
	const char *ab = abbreviation(ctx, lisp_car(v));
	if (ab && lisp_consp(lisp_cdr(v)) && lisp_cddr(v) == LISP_NIL) {
		buf_puts(out, ab);
		prin(ctx, out, lisp_cadr(v), escape, depth + 1);
		return;
	}
	buf_putc(out, '(');
	bool first = true;
	for (; lisp_consp(v); v = lisp_cdr(v)) {
		lisp_tick(ctx);
		if (!first)
			buf_putc(out, ' ');
		first = false;
		prin(ctx, out, lisp_car(v), escape, depth + 1);
	}
	if (v != LISP_NIL) {
		buf_puts(out, " . ");
		prin(ctx, out, v, escape, depth + 1);
	}
	buf_putc(out, ')');
}

static void print_function(struct lisp_ctx *ctx, struct buf *out, lv v)
{
	lv name = lisp_fn_name(v);
	bool macro = v->flags & FN_MACRO;
	buf_puts(out, macro ? "#<MACRO-FUNCTION " : "#<FUNCTION ");
	if (name != LISP_NIL) {
		prin(ctx, out, name, true, MAX_PRINT_DEPTH - 2);
	} else if (v->type == LISP_CLOSURE) {
		buf_puts(out, "(LAMBDA ");
		prin(ctx, out, CLO(v)->params, true, MAX_PRINT_DEPTH - 2);
		buf_putc(out, ')');
	} else {
		buf_puts(out, "?");
	}
	buf_putc(out, '>');
}

static void prin(struct lisp_ctx *ctx, struct buf *out, lv v, bool escape, int depth)
{
	if (lisp_consp(v) || lisp_is(v, LISP_VECTOR))
		lisp_check_limits(ctx); /* steps, interrupts and the C stack */
	if (depth > MAX_PRINT_DEPTH) {
		buf_putc(out, '#');
		return;
	}
	if (lisp_integerp(v)) {
		unsigned base = print_base(ctx);
		lv radix = SYM(ctx->s.print_radix)->value;
		if (radix && radix != LISP_NIL && base != 10)
			buf_puts(out, base == 16  ? "#x"
				      : base == 8 ? "#o"
				      : base == 2 ? "#b"
						  : "#?r");
		lisp_int_print(ctx, out, v, base);
		if (radix && radix != LISP_NIL && base == 10)
			buf_putc(out, '.');
		return;
	}
	if (lisp_charp(v)) {
		print_char(out, lisp_char_code(v), escape);
		return;
	}
	if (lisp_symbolp(v)) {
		lisp_print_symbol(ctx, out, v, escape);
		return;
	}
	if (!lisp_heapp(v)) {
		buf_printf(out, "#<immediate %#lx>", (unsigned long)(uintptr_t)v);
		return;
	}
	switch ((enum lisp_type)v->type) {
	case LISP_FLOAT:
		lisp_print_float(out, lisp_float_value(v));
		break;
	case LISP_STRING:
		print_string(out, v, escape);
		break;
	case LISP_CONS:
		print_list(ctx, out, v, escape, depth);
		break;
	case LISP_VECTOR:
		buf_puts(out, "#(");
		for (uint32_t i = 0; i < VECT(v)->len; i++) {
			lisp_tick(ctx);
			if (i)
				buf_putc(out, ' ');
			prin(ctx, out, lisp_vector_data(v)[i], escape, depth + 1);
		}
		buf_putc(out, ')');
		break;
	case LISP_HASH: {
		static const char *const tests[] = { "EQ", "EQL", "EQUAL", "EQUALP" };
		buf_printf(out, "#<HASH-TABLE :TEST %s :COUNT %u>", tests[v->aux & 3],
			   HASH(v)->count);
		break;
	}
	case LISP_CLOSURE:
	case LISP_BUILTIN:
		print_function(ctx, out, v);
		break;
	case LISP_PACKAGE:
		buf_puts(out, "#<PACKAGE ");
		print_string(out, PKG(v)->name, true);
		buf_putc(out, '>');
		break;
	case LISP_CONDITION: {
		char *msg = lisp_condition_message(ctx, v);
		if (escape) {
			buf_puts(out, "#<");
			lisp_print_symbol(ctx, out, COND(v)->type, false);
			buf_puts(out, " \"");
			buf_puts(out, msg);
			buf_puts(out, "\">");
		} else {
			buf_puts(out, msg);
		}
		free(msg);
		break;
	}
	case LISP_STREAM:
		buf_puts(out, v->aux == STREAM_STRING	      ? "#<STRING-OUTPUT-STREAM>"
			      : v->aux == STREAM_INPUT_STRING ? "#<STRING-INPUT-STREAM>"
			      : v->aux == STREAM_STDIN	? "#<FD-STREAM for \"standard input\">"
			      : v->aux == STREAM_STDERR ? "#<FD-STREAM for \"standard error\">"
							: "#<FD-STREAM for \"standard output\">");
		break;
	case LISP_FOREIGN:
		buf_puts(out, "#<");
		buf_puts(out, lisp_str(FOR(v)->type));
		if (FOR(v)->data != LISP_NIL &&
		    (lisp_symbolp(FOR(v)->data) || lisp_stringp(FOR(v)->data) ||
		     lisp_integerp(FOR(v)->data))) {
			buf_putc(out, ' ');
			prin(ctx, out, FOR(v)->data, false, depth + 1);
		}
		buf_putc(out, '>');
		break;
	default:
		buf_printf(out, "#<internal object %u>", v->type);
		break;
	}
}

void lisp_prin(struct lisp_ctx *ctx, struct buf *out, lv v, bool escape)
{
	prin(ctx, out, v, escape, 0);
}

void lisp_print(struct lisp_ctx *ctx, struct buf *out, lv v, bool readably)
{
	prin(ctx, out, v, readably, 0);
}

char *lisp_print_to_cstring(struct lisp_ctx *ctx, lv v, bool readably)
{
	struct buf *b = lisp_temp_buf(ctx);
	prin(ctx, b, v, readably, 0);
	buf_putc(b, 0);
	return lisp_temp_buf_steal(ctx, b);
}

lv lisp_princ_to_string(struct lisp_ctx *ctx, lv v)
{
	struct buf *b = lisp_temp_buf(ctx);
	prin(ctx, b, v, false, 0);
	return lisp_temp_buf_string(ctx, b);
}
