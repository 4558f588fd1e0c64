/* Strings and characters: comparison (case-sensitive and not), case
 * conversion, trimming, character predicates and codes, PARSE-INTEGER. */
#include "frontend/lisp/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct sview {
	const char *p;
	size_t n;
};

/* The string designated by argv[i], with :start/:end taken from `names`. */
static void sub(struct lisp_ctx *ctx, lv s, lv start, lv end, struct sview *v)
{
	lv str = lisp_string_designator(ctx, s);
	size_t n = STR(str)->len;
	size_t a = start ? (size_t)lisp_check_fixnum(ctx, start, 0, (int64_t)n) : 0;
	size_t b = end && end != LISP_NIL
			   ? (size_t)lisp_check_fixnum(ctx, end, (int64_t)a, (int64_t)n)
			   : n;
	v->p = lisp_str(str) + a;
	v->n = b - a;
}

static void two_strings(struct lisp_ctx *ctx, int argc, lv *argv, struct sview *a, struct sview *b,
			size_t *off1)
{
	static const char *const names[] = { "start1", "end1", "start2", "end2" };
	lv k[4];
	lisp_parse_keys(ctx, argc, argv, 2, names, 4, k, false);
	sub(ctx, argv[0], k[0], k[1], a);
	sub(ctx, argv[1], k[2], k[3], b);
	*off1 = k[0] ? (size_t)lisp_fixnum_value(k[0]) : 0;
}

/* Compares; *mismatch is the index (in string 1) of the first difference. */
static int compare(const struct sview *a, const struct sview *b, bool fold, size_t *mismatch)
{
	size_t i = 0;
	for (; i < a->n && i < b->n; i++) {
		int x = (unsigned char)a->p[i], y = (unsigned char)b->p[i];
		if (fold) {
			x = tolower(x);
			y = tolower(y);
		}
		if (x != y) {
			*mismatch = i;
			return x < y ? -1 : 1;
		}
	}
	*mismatch = i;
	return a->n == b->n ? 0 : a->n < b->n ? -1 : 1;
}

enum { CMP_EQ, CMP_NE, CMP_LT, CMP_GT, CMP_LE, CMP_GE };

static lv string_cmp(struct lisp_ctx *ctx, int argc, lv *argv, int op, bool fold)
{
	struct sview a, b;
	size_t off, mm;
	two_strings(ctx, argc, argv, &a, &b, &off);
	int c = compare(&a, &b, fold, &mm);
	bool r = op == CMP_EQ	? c == 0
		 : op == CMP_NE ? c != 0
		 : op == CMP_LT ? c < 0
		 : op == CMP_GT ? c > 0
		 : op == CMP_LE ? c <= 0
				: c >= 0;
	if (op == CMP_EQ)
		return lisp_bool(ctx, r);
	return r ? lisp_make_uint(ctx, off + mm) : LISP_NIL;
}

#define STRCMP(fname, op, fold)                               \
	BUILTIN(fname)                                        \
	{                                                     \
		return string_cmp(ctx, argc, argv, op, fold); \
	}
STRCMP(b_string_eq, CMP_EQ, false)
STRCMP(b_string_ne, CMP_NE, false)
STRCMP(b_string_lt, CMP_LT, false)
STRCMP(b_string_gt, CMP_GT, false)
STRCMP(b_string_le, CMP_LE, false)
STRCMP(b_string_ge, CMP_GE, false)
STRCMP(b_string_equal, CMP_EQ, true)
STRCMP(b_string_not_equal, CMP_NE, true)
STRCMP(b_string_lessp, CMP_LT, true)
STRCMP(b_string_greaterp, CMP_GT, true)

/* mode 0 upcase, 1 downcase, 2 capitalize */
static lv change_case(struct lisp_ctx *ctx, int argc, lv *argv, int mode)
{
	lv s = lisp_string_designator(ctx, argv[0]);
	lv r = lisp_make_string(ctx, lisp_str(s), STR(s)->len);
	static const char *const names[] = { "start", "end" };
	lv k[2];
	lisp_parse_keys(ctx, argc, argv, 1, names, 2, k, false);
	struct sview v;
	sub(ctx, r, k[0], k[1], &v);
	char *p = (char *)v.p;
	bool word = false;
	for (size_t i = 0; i < v.n; i++) {
		int c = (unsigned char)p[i];
		if (mode == 0)
			p[i] = (char)toupper(c);
		else if (mode == 1)
			p[i] = (char)tolower(c);
		else {
			p[i] = (char)(word ? tolower(c) : toupper(c));
			word = isalnum(c);
		}
	}
	return r;
}

BUILTIN(b_string_upcase)
{
	return change_case(ctx, argc, argv, 0);
}
BUILTIN(b_string_downcase)
{
	return change_case(ctx, argc, argv, 1);
}
BUILTIN(b_string_capitalize)
{
	return change_case(ctx, argc, argv, 2);
}

static bool in_bag(struct lisp_ctx *ctx, lv bag, char c)
{
	if (lisp_stringp(bag))
		return memchr(lisp_str(bag), c, STR(bag)->len) != NULL;
	for (lv l = bag; lisp_consp(l); l = lisp_cdr(l))
		if (lisp_charp(lisp_car(l)) && lisp_char_code(lisp_car(l)) == (unsigned char)c)
			return true;
	if (lisp_is(bag, LISP_VECTOR))
		for (uint32_t i = 0; i < VECT(bag)->len; i++)
			if (lisp_vector_data(bag)[i] == lisp_char((unsigned char)c))
				return true;
	return false;
}

/* mode 1 left, 2 right, 3 both */
static lv trim(struct lisp_ctx *ctx, lv bag, lv str, int mode)
{
	lv s = lisp_string_designator(ctx, str);
	const char *p = lisp_str(s);
	size_t a = 0, b = STR(s)->len;
	if (mode & 1)
		while (a < b && in_bag(ctx, bag, p[a]))
			a++;
	if (mode & 2)
		while (b > a && in_bag(ctx, bag, p[b - 1]))
			b--;
	return lisp_make_string(ctx, p + a, b - a);
}

BUILTIN(b_string_trim)
{
	return trim(ctx, argv[0], argv[1], 3);
}
BUILTIN(b_string_left_trim)
{
	return trim(ctx, argv[0], argv[1], 1);
}
BUILTIN(b_string_right_trim)
{
	return trim(ctx, argv[0], argv[1], 2);
}

BUILTIN(b_string)
{
	return lisp_string_designator(ctx, argv[0]);
}

BUILTIN(b_make_string)
{
	int64_t n = lisp_check_fixnum(ctx, argv[0], 0, 1 << 28);
	static const char *const names[] = { "initial-element", "element-type" };
	lv k[2];
	lisp_parse_keys(ctx, argc, argv, 1, names, 2, k, false);
	lv s = lisp_make_empty_string(ctx, (size_t)n, false);
	memset(lisp_str(s), k[0] && lisp_charp(k[0]) ? (int)lisp_char_code(k[0]) : ' ', (size_t)n);
	STR(s)->len = (uint32_t)n;
	return s;
}

BUILTIN(b_stringp)
{
	return lisp_bool(ctx, lisp_stringp(argv[0]));
}

BUILTIN(b_string_concat)
{
	struct buf *b = lisp_temp_buf(ctx);
	for (int i = 0; i < argc; i++) {
		lv s = lisp_string_designator(ctx, argv[i]);
		buf_append(b, lisp_str(s), STR(s)->len);
	}
	return lisp_temp_buf_string(ctx, b);
}

/* ---- characters ---- */

static uint32_t ch(struct lisp_ctx *ctx, lv c)
{
	if (!lisp_charp(c))
		lisp_type_error(ctx, c, "character");
	return lisp_char_code(c);
}

static lv char_cmp(struct lisp_ctx *ctx, int argc, lv *argv, int op, bool fold)
{
	for (int i = 0; i < argc; i++)
		ch(ctx, argv[i]);
	if (op == CMP_NE) {
		for (int i = 0; i < argc; i++)
			for (int j = i + 1; j < argc; j++) {
				uint32_t a = ch(ctx, argv[i]), b = ch(ctx, argv[j]);
				if (fold ? tolower((int)a) == tolower((int)b) : a == b)
					return LISP_NIL;
			}
		return ctx->t;
	}
	for (int i = 0; i + 1 < argc; i++) {
		int a = (int)ch(ctx, argv[i]), b = (int)ch(ctx, argv[i + 1]);
		if (fold && a < 256 && b < 256) {
			a = tolower(a);
			b = tolower(b);
		}
		bool ok = op == CMP_EQ	 ? a == b
			  : op == CMP_LT ? a < b
			  : op == CMP_GT ? a > b
			  : op == CMP_LE ? a <= b
					 : a >= b;
		if (!ok)
			return LISP_NIL;
	}
	return ctx->t;
}

#define CHARCMP(fname, op, fold)                            \
	BUILTIN(fname)                                      \
	{                                                   \
		return char_cmp(ctx, argc, argv, op, fold); \
	}
CHARCMP(b_char_eq, CMP_EQ, false)
CHARCMP(b_char_ne, CMP_NE, false)
CHARCMP(b_char_lt, CMP_LT, false)
CHARCMP(b_char_gt, CMP_GT, false)
CHARCMP(b_char_le, CMP_LE, false)
CHARCMP(b_char_ge, CMP_GE, false)
CHARCMP(b_char_equal, CMP_EQ, true)
CHARCMP(b_char_lessp, CMP_LT, true)

BUILTIN(b_char_upcase)
{
	uint32_t c = ch(ctx, argv[0]);
	return lisp_char(c < 256 ? (uint32_t)toupper((int)c) : c);
}

BUILTIN(b_char_downcase)
{
	uint32_t c = ch(ctx, argv[0]);
	return lisp_char(c < 256 ? (uint32_t)tolower((int)c) : c);
}

static bool cclass(uint32_t c, int (*pred)(int))
{
	return c < 128 && pred((int)c);
}

BUILTIN(b_upper_case_p)
{
	return lisp_bool(ctx, cclass(ch(ctx, argv[0]), isupper));
}
BUILTIN(b_lower_case_p)
{
	return lisp_bool(ctx, cclass(ch(ctx, argv[0]), islower));
}
BUILTIN(b_alpha_char_p)
{
	return lisp_bool(ctx, cclass(ch(ctx, argv[0]), isalpha));
}
BUILTIN(b_alphanumericp)
{
	return lisp_bool(ctx, cclass(ch(ctx, argv[0]), isalnum));
}
BUILTIN(b_graphic_char_p)
{
	return lisp_bool(ctx, cclass(ch(ctx, argv[0]), isprint));
}
BUILTIN(b_whitespacep)
{
	return lisp_bool(ctx, cclass(ch(ctx, argv[0]), isspace));
}
BUILTIN(b_characterp)
{
	return lisp_bool(ctx, lisp_charp(argv[0]));
}

BUILTIN(b_digit_char_p)
{
	uint32_t c = ch(ctx, argv[0]);
	int64_t radix = argc > 1 ? lisp_check_fixnum(ctx, argv[1], 2, 36) : 10;
	int v = c >= '0' && c <= '9'   ? (int)c - '0'
		: c >= 'a' && c <= 'z' ? (int)c - 'a' + 10
		: c >= 'A' && c <= 'Z' ? (int)c - 'A' + 10
				       : 99;
	return v < radix ? lisp_fixnum(v) : LISP_NIL;
}

BUILTIN(b_digit_char)
{
	int64_t w = lisp_check_fixnum(ctx, argv[0], 0, LISP_FIXNUM_MAX);
	int64_t radix = argc > 1 ? lisp_check_fixnum(ctx, argv[1], 2, 36) : 10;
	if (w >= radix)
		return LISP_NIL;
	return lisp_char((uint32_t) "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[w]);
}

BUILTIN(b_char_code)
{
	return lisp_fixnum(ch(ctx, argv[0]));
}

BUILTIN(b_code_char)
{
	return lisp_char((uint32_t)lisp_check_fixnum(ctx, argv[0], 0, 0x10ffff));
}

BUILTIN(b_char_name)
{
	const char *n = lisp_char_name(ch(ctx, argv[0]));
	return n ? lisp_make_cstring(ctx, n) : LISP_NIL;
}

BUILTIN(b_char)
{
	lv s = lisp_check_string(ctx, argv[0]);
	return lisp_aref(ctx, s, argv[1]);
}

/* ---- parse-integer ---- */

BUILTIN(b_parse_integer)
{
	static const char *const names[] = { "start", "end", "radix", "junk-allowed" };
	lv k[4];
	lisp_parse_keys(ctx, argc, argv, 1, names, 4, k, false);
	lv str = lisp_check_string(ctx, argv[0]);
	struct sview v;
	sub(ctx, str, k[0], k[1], &v);
	size_t base = (size_t)(v.p - lisp_str(str));
	int64_t radix = k[2] ? lisp_check_fixnum(ctx, k[2], 2, 36) : 10;
	bool junk = k[3] && k[3] != LISP_NIL;
	size_t i = 0, n = v.n;
	while (i < n && isspace((unsigned char)v.p[i]))
		i++;
	bool neg = false;
	if (i < n && (v.p[i] == '+' || v.p[i] == '-'))
		neg = v.p[i++] == '-';
	size_t d0 = i;
	for (; i < n; i++) {
		int c = (unsigned char)v.p[i];
		int d = isdigit(c) ? c - '0' : isalpha(c) ? tolower(c) - 'a' + 10 : 99;
		if (d >= radix)
			break;
	}
	size_t d1 = i;
	while (i < n && isspace((unsigned char)v.p[i]))
		i++;
	if (d0 == d1 || i != n) {
		if (junk)
			return lisp_values2(ctx,
					    d0 == d1 ? LISP_NIL
						     : lisp_int_parse(ctx, v.p + d0, d1 - d0,
								      (unsigned)radix, neg),
					    lisp_make_uint(ctx, base + d1));
		lv m = lisp_make_string(ctx, v.p, v.n);
		lisp_error_type(ctx, lisp_intern(ctx, "parse-error"),
				"PARSE-INTEGER: \"%s\" is not an integer in radix %lld",
				lisp_str(m), (long long)radix);
	}
	return lisp_values2(ctx, lisp_int_parse(ctx, v.p + d0, d1 - d0, (unsigned)radix, neg),
			    lisp_make_uint(ctx, base + i));
}

static const struct lisp_builtin_def defs[] = {
	{ "string=", b_string_eq, 2, -1 },
	{ "string/=", b_string_ne, 2, -1 },
	{ "string<", b_string_lt, 2, -1 },
	{ "string>", b_string_gt, 2, -1 },
	{ "string<=", b_string_le, 2, -1 },
	{ "string>=", b_string_ge, 2, -1 },
	{ "string-equal", b_string_equal, 2, -1 },
	{ "string-not-equal", b_string_not_equal, 2, -1 },
	{ "string-lessp", b_string_lessp, 2, -1 },
	{ "string-greaterp", b_string_greaterp, 2, -1 },
	{ "string-upcase", b_string_upcase, 1, -1 },
	{ "string-downcase", b_string_downcase, 1, -1 },
	{ "string-capitalize", b_string_capitalize, 1, -1 },
	{ "nstring-upcase", b_string_upcase, 1, -1 },
	{ "nstring-downcase", b_string_downcase, 1, -1 },
	{ "nstring-capitalize", b_string_capitalize, 1, -1 },
	{ "string-trim", b_string_trim, 2, 2 },
	{ "string-left-trim", b_string_left_trim, 2, 2 },
	{ "string-right-trim", b_string_right_trim, 2, 2 },
	{ "string", b_string, 1, 1 },
	{ "make-string", b_make_string, 1, -1 },
	{ "stringp", b_stringp, 1, 1 },
	{ "system::string-concat", b_string_concat, 0, -1 },
	{ "char=", b_char_eq, 1, -1 },
	{ "char/=", b_char_ne, 1, -1 },
	{ "char<", b_char_lt, 1, -1 },
	{ "char>", b_char_gt, 1, -1 },
	{ "char<=", b_char_le, 1, -1 },
	{ "char>=", b_char_ge, 1, -1 },
	{ "char-equal", b_char_equal, 1, -1 },
	{ "char-lessp", b_char_lessp, 1, -1 },
	{ "char-upcase", b_char_upcase, 1, 1 },
	{ "char-downcase", b_char_downcase, 1, 1 },
	{ "upper-case-p", b_upper_case_p, 1, 1 },
	{ "lower-case-p", b_lower_case_p, 1, 1 },
	{ "both-case-p", b_alpha_char_p, 1, 1 },
	{ "alpha-char-p", b_alpha_char_p, 1, 1 },
	{ "alphanumericp", b_alphanumericp, 1, 1 },
	{ "graphic-char-p", b_graphic_char_p, 1, 1 },
	{ "system::whitespacep", b_whitespacep, 1, 1 },
	{ "characterp", b_characterp, 1, 1 },
	{ "digit-char-p", b_digit_char_p, 1, 2 },
	{ "digit-char", b_digit_char, 1, 2 },
	{ "char-code", b_char_code, 1, 1 },
	{ "char-int", b_char_code, 1, 1 },
	{ "code-char", b_code_char, 1, 1 },
	{ "char-name", b_char_name, 1, 1 },
	{ "char", b_char, 2, 2 },
	{ "schar", b_char, 2, 2 },
	{ "parse-integer", b_parse_integer, 1, -1 },
};

void lisp_init_strings(struct lisp_ctx *ctx)
{
	lisp_register_builtins(ctx, defs, ARRAY_LEN(defs));
	lv aset = lisp_sym(ctx, lisp_intern(ctx, "system::%aset"))->function;
	for (int i = 0; i < 2; i++) {
		struct lisp_symbol *s = lisp_sym(ctx, lisp_intern(ctx, i ? "schar" : "char"));
		s->setf = aset;
		s->h.flags |= SYM_SETF_UPDATER;
	}
}
