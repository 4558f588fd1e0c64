/* The reader: syntax, printing round trips, packages, locations, errors. */
#include "lisp_test.h"

TestSuite(reader, .init = lt_setup, .fini = lt_teardown);

/* Reads the first datum of `src` and prints it with PRIN1. */
static const char *rp(const char *src)
{
	uint32_t id = srcmgr_add(&lt_sm, "r.lisp", src, strlen(src));
	struct lisp_reader r;
	lisp_reader_init(&r, L, id);
	lv v;
	lt_diags.len = 0;
	int rc = lisp_read(&r, &v);
	if (rc < 0)
		return lt_keep(strndup((const char *)lt_diags.data, lt_diags.len));
	if (rc == 0)
		return "<eof>";
	return lt_keep(lisp_print_to_cstring(L, v, true));
}

#define RP(src, expected) cr_assert_str_eq(rp(src), expected, "reading %s", src)

Test(reader, integers_in_every_radix)
{
	RP("#xffffffffffffffff", "18446744073709551615");
	RP("#XFF", "255");
	RP("#b1010", "10");
	RP("#o777", "511");
	RP("#36rZZ", "1295");
	RP("#x-10", "-16");
	RP("+5", "5");
	RP("-0", "0");
	RP("10.", "10");
	RP("123456789012345678901234567890", "123456789012345678901234567890");
	RP("-9223372036854775808", "-9223372036854775808");
	RP("4611686018427387904", "4611686018427387904"); /* first bignum */
	RP("1.5", "1.5");
	RP("1e3", "1000.0");
	RP(".5", "0.5");
	RP("-2.5d0", "-2.5");
}

Test(reader, symbols_and_packages)
{
	RP("foo", "FOO");
	RP("Foo-Bar", "FOO-BAR");
	RP("|Foo|", "|Foo|");
	RP("a\\ b", "|A B|");
	RP(":key", ":KEY");
	RP("bpf:map", "BPF:MAP");
	RP("sb-sys:interactive-interrupt", "SB-SYS:INTERACTIVE-INTERRUPT");
	RP("whistler::defprog", "DEFPROG");
	RP("cl:car", "CAR");
	RP("#:g1", "#:G1");
	RP("1+", "1+");
	RP("...a", "...A");
	lv a = lisp_read_string(L, "whistler:defprog"), b = lisp_read_string(L, "defprog");
	cr_assert_eq(a, b, "whistler:defprog and defprog are one symbol");
	cr_assert_eq(lisp_read_string(L, "cl-user::x"), lisp_read_string(L, "x"));
	cr_assert_neq(lisp_read_string(L, "bpf:map"), lisp_read_string(L, "map"));
	cr_assert_eq(lisp_read_string(L, "bpf:map"), lisp_intern(L, "bpf:map"));
	cr_assert(lisp_keywordp(lisp_read_string(L, ":foo")));
	cr_assert_str_eq(lisp_symbol_package_name(lisp_read_string(L, "bpf:map")), "BPF");
	EV(":foo", ":FOO"); /* keywords evaluate to themselves */
}

Test(reader, characters_and_strings)
{
	RP("#\\a", "#\\a");
	RP("#\\A", "#\\A");
	RP("#\\Space", "#\\Space");
	RP("#\\newline", "#\\Newline");
	RP("#\\TAB", "#\\Tab");
	RP("#\\(", "#\\(");
	RP("#\\;", "#\\;");
	RP("\"a\\\"b\\\\c\\n\"", "\"a\\\"b\\\\cn\"");
	RP("\"multi\nline\"", "\"multi\nline\"");
	EV("(char-code #\\Space)", "32");
}

Test(reader, lists_quotes_vectors)
{
	RP("(a . b)", "(A . B)");
	RP("(a b . c)", "(A B . C)");
	RP("(a . (b c))", "(A B C)");
	RP("()", "NIL");
	RP("'x", "'X");
	RP("'(quote x)", "''X");
	RP("#'car", "#'CAR");
	RP("#(1 \"two\" (3))", "#(1 \"two\" (3))");
	RP("#()", "#()");
	RP("#p\"/tmp/x\"", "\"/tmp/x\"");
}

Test(reader, comments_and_features)
{
	RP("; line\n(1 #| block #| nested |# |# 2) ; tail", "(1 2)");
	RP("(#+whistler a #-whistler b #+sbcl c #-sbcl d)", "(A D)");
	RP("(#+(or sbcl whistler) e #+(and whistler (not sbcl)) f #+(and) g #-(or) h)",
	   "(E F G H)");
	RP("(#+nope (unknown-pkg::x #\\bogus-char-name) ok)", "(OK)");
	RP("#-whistler skipped kept", "KEPT");
	RP("#.(+ 1 2)", "3");
	RP("#3| numbered block comment |# x", "X"); /* fuzz find: used to abort */
	lisp_add_feature(L, "bpf-test");
	RP("#+bpf-test yes", "YES");
}

Test(reader, backquote_reads_as_list_code)
{
	RP("`(a ,b ,@c)", "(LIST* 'A B C)");
	RP("`(a b)", "'(A B)");
	RP("`x", "'X");
	RP("`5", "5");
	RP("`(,@a ,@b)", "(APPEND A B)");
	RP("`(a . ,b)", "(LIST* 'A B)");
	RP("`(,a ,.b c)", "(NCONC (LIST A) B (LIST 'C))");
	RP("`#(1 ,x)", "(APPLY #'VECTOR (LIST 1 X))");
}

Test(reader, every_cons_is_located)
{
	const char *src = "; header\n(foo\n  (bar 1)\n  baz \"s\")\n  (second)";
	uint32_t id = srcmgr_add(&lt_sm, "loc.lisp", src, strlen(src));
	struct lisp_reader r;
	lisp_reader_init(&r, L, id);
	lv v;
	cr_assert_eq(lisp_read(&r, &v), 1);
	struct srcloc l = lisp_loc(v);
	cr_assert(l.file == id && l.line == 2 && l.col == 1, "form at 2:1, got %u:%u", l.line,
		  l.col);
	l = lisp_car_loc(v);
	cr_assert(l.line == 2 && l.col == 2, "head at 2:2");
	lv bar = lisp_cadr(v);
	l = lisp_loc(bar);
	cr_assert(l.line == 3 && l.col == 3, "(bar 1) at 3:3, got %u:%u", l.line, l.col);
	l = lisp_elem_loc(bar, 1);
	cr_assert(l.line == 3 && l.col == 8, "1 at 3:8, got %u:%u", l.line, l.col);
	l = lisp_elem_loc(v, 2);
	cr_assert(l.line == 4 && l.col == 3, "baz at 4:3, got %u:%u", l.line, l.col);
	l = lisp_elem_loc(v, 3);
	cr_assert(l.line == 4 && l.col == 7, "\"s\" at 4:7, got %u:%u", l.line, l.col);
	cr_assert(r.last.line == 2 && r.last.col == 1);
	cr_assert_eq(lisp_read(&r, &v), 1);
	cr_assert(lisp_loc(v).line == 5 && lisp_loc(v).col == 3);
	cr_assert_eq(lisp_read(&r, &v), 0, "end of file");
}

Test(reader, located_errors)
{
	cr_assert_str_eq(rp("(1 2"), "r.lisp:1:1: error: unterminated list: end of file before ')'"
				     "\n    1 | (1 2\n      | ^\n");
	cr_assert(strstr(rp("  )"), "r.lisp:1:3: error: unmatched ')'"));
	cr_assert(strstr(rp("(a\n  #<foo>)"), "r.lisp:2:3: error: the #< reader syntax is not "
					      "supported"));
	cr_assert(strstr(rp("#\\Foo"), "r.lisp:1:1: error: unknown character name #\\Foo"));
	cr_assert(strstr(rp("(x ,y)"), "r.lisp:1:4: error: comma not inside a backquote"));
	cr_assert(strstr(rp("1/2"), "error: ratio 1/2 is not supported"));
	cr_assert(strstr(rp("#x1G"), "error: '1G' is not an integer in radix 16"));
	cr_assert(strstr(rp("\"abc"), "r.lisp:1:1: error: unterminated string"));
	cr_assert(strstr(rp("#| never closed"), "unterminated #| comment"));
	cr_assert(strstr(rp("(a . b c)"), "more than one object after the consing dot"));
	cr_assert(strstr(rp("(. b)"), "consing dot in a wrong place"));
	cr_assert(strstr(rp("a::b::c"), "illegal package syntax"));
	cr_assert(strstr(rp("#+"), "end of file"));
	cr_assert(strstr(rp("'"), "end of file: expected an object after the quote"));
}

Test(reader, deep_nesting_is_an_error_not_a_crash)
{
	size_t n = 100000;
	char *s = malloc(2 * n + 1);
	memset(s, '(', n);
	memset(s + n, ')', n);
	s[2 * n] = 0;
	cr_assert(strstr(rp(s), "nested more than 1000 deep"));
	free(s);
}

Test(reader, round_trips)
{
	static const char *const data[] = {
		"(DEFUN F (X &OPTIONAL (Y 2)) (+ X Y))",
		"(A \"b\" #\\c 1 -2 3.5 :D #(E F) (G . H))",
		"(BPF:MAP COUNTER :TYPE :HASH)",
		"'(A 'B #'C)",
		"|lower|",
		"(1 . 2)",
	};
	for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		RP(data[i], data[i]);
}
