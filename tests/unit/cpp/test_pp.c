/* Preprocessor: macro expansion corner cases (C11 6.10.3.5 examples,
 * placemarkers, recursion, __VA_OPT__), #if arithmetic, the token API. */
#include "frontend/c/pp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct srcmgr sm;
static struct diag d;
static struct buf errs;
static struct pp *pp;
static char path[64];

static void setup(void)
{
	memset(&sm, 0, sizeof(sm));
	memset(&errs, 0, sizeof(errs));
	diag_init(&d, &sm);
	d.capture = &errs;
	pp = NULL;
	path[0] = 0;
}

static void teardown(void)
{
	pp_free(pp);
	srcmgr_free(&sm);
	buf_free(&errs);
	if (path[0])
		unlink(path);
}

TestSuite(pp, .init = setup, .fini = teardown);

static void start(const char *src)
{
	snprintf(path, sizeof(path), "/tmp/test_pp.%d.c", (int)getpid());
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(src, f);
	fclose(f);
	struct pp_options o = { 0 };
	predef_config_default(&o.predef);
	o.source_date_epoch = 0;
	o.nostdinc = true;
	pp = pp_new(&d, &sm, &o);
	cr_assert_eq(pp_begin(pp, path, "t.c"), 0);
}

/* The spellings of the whole unit, one space between tokens. */
static char *run(const char *src)
{
	static char out[8192];
	start(src);
	out[0] = 0;
	for (;;) {
		struct tok t;
		pp_next(pp, &t);
		if (t.kind == T_EOF)
			break;
		if (out[0])
			strcat(out, " ");
		if (t.kind == T_PRAGMA)
			strcat(out, "#pragma");
		else
			strncat(out, t.p, t.len);
	}
	return out;
}

Test(pp, c11_example_3)
{
	const char *src = "#define x 3\n#define f(a) f(x * (a))\n#undef x\n#define x 2\n"
			  "#define g f\n#define z z[0]\n#define h g(~\n#define m(a) a(w)\n"
			  "#define w 0,1\n#define t(a) a\n#define p() int\n#define q(x) x\n"
			  "#define r(x,y) x ## y\n#define str(x) # x\n"
			  "f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);\n"
			  "g(x+(3,4)-w) | h 5) & m\n(f)^m(m);\n"
			  "p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };\n"
			  "char c[2][6] = { str(hello), str() };\n";
	cr_assert_str_eq(run(src),
			 "f ( 2 * ( y + 1 ) ) + f ( 2 * ( f ( 2 * ( z [ 0 ] ) ) ) ) % f ( 2 * ( 0 ) ) + "
			 "t ( 1 ) ; f ( 2 * ( 2 + ( 3 , 4 ) - 0 , 1 ) ) | f ( 2 * ( ~ 5 ) ) & f ( 2 * "
			 "( 0 , 1 ) ) ^ m ( 0 , 1 ) ; int i [ ] = { 1 , 23 , 4 , 5 , } ; char c [ 2 ] "
			 "[ 6 ] = { \"hello\" , \"\" } ;");
}

Test(pp, c11_example_4_stringify_and_paste)
{
	const char *src = "#define str(s) # s\n#define xstr(s) str(s)\n"
			  "#define debug(s, t) printf(\"x\" # s \"= %d, x\" # t \"= %s\", \\\n"
			  " x ## s, x ## t)\n#define INCFILE(n) vers ## n\n"
			  "#define glue(a, b) a ## b\n#define xglue(a, b) glue(a, b)\n"
			  "#define HIGHLOW \"hello\"\n#define LOW LOW \", world\"\n"
			  "debug(1, 2);\n"
			  "fputs(str(strncmp(\"abc\\0d\", \"abc\", '\\4') // this goes away\n"
			  " == 0) str(: @\\n), s);\n"
			  "xstr(INCFILE(2).h)\nglue(HIGH, LOW);\nxglue(HIGH, LOW)\n";
	cr_assert_str_eq(run(src),
			 "printf ( \"x\" \"1\" \"= %d, x\" \"2\" \"= %s\" , x1 , x2 ) ; "
			 "fputs ( \"strncmp(\\\"abc\\\\0d\\\", \\\"abc\\\", '\\\\4') == 0\" \": @\\n\" , s ) ; "
			 "\"vers2.h\" \"hello\" ; \"hello\" \", world\"");
}

Test(pp, c11_example_5_hash_hash)
{
	cr_assert_str_eq(run("#define hash_hash # ## #\n#define mkstr(a) # a\n"
			     "#define in_between(a) mkstr(a)\n"
			     "#define join(c, d) in_between(c hash_hash d)\n"
			     "char p[] = join(x, y);\n"),
			 "char p [ ] = \"x ## y\" ;");
}

Test(pp, c11_example_7_variadic)
{
	cr_assert_str_eq(run("#define debug(...) fprintf(stderr, __VA_ARGS__)\n"
			     "#define showlist(...) puts(#__VA_ARGS__)\n"
			     "#define report(test, ...) ((test)?puts(#test): printf(__VA_ARGS__))\n"
			     "debug(\"Flag\");\nshowlist(The first, second, and third items.);\n"
			     "report(x>y, \"x is %d but y is %d\", x, y);\n"),
			 "fprintf ( stderr , \"Flag\" ) ; puts ( \"The first, second, and third "
			 "items.\" ) ; ( ( x > y ) ? puts ( \"x>y\" ) : printf ( \"x is %d but y is "
			 "%d\" , x , y ) ) ;");
}

Test(pp, placemarkers)
{
	cr_assert_str_eq(run("#define c(a, b, d) a ## b ## d\n"
			     "c(,,) c(x,,) c(,y,) c(,,z) c(1,,2) [c(,,)]\n"),
			 "x y z 12 [ ]");
}

Test(pp, recursion_is_suppressed_and_painted)
{
	cr_assert_str_eq(run("#define foo foo bar\n#define bar baz foo\nfoo\n"
			     "#define f(x) g(x)\n#define g(x) f(x)\nf(1)\n"
			     "#define id(x) x\n#define AA id(AA)\nAA\n"),
			 "foo baz foo f ( 1 ) AA");
}

Test(pp, painted_names_stay_painted)
{
	/* the inner f is painted in f's expansion and stays unexpanded later */
	cr_assert_str_eq(run("#define f(a) a*g\n#define g(a) f(a)\nf(2)(9)\n"), "2 * 9 * g");
}

Test(pp, va_opt)
{
	cr_assert_str_eq(run("#define F(a, ...) f(a __VA_OPT__(,) __VA_ARGS__)\n"
			     "#define G(...) #__VA_OPT__(x y)\n#define H(a, ...) a ## __VA_OPT__(b)\n"
			     "F(1) F(1, 2, 3) G() G(1) H(x) H(x, 1)\n"),
			 "f ( 1 ) f ( 1 , 2 , 3 ) \"\" \"x y\" x xb");
}

Test(pp, gnu_comma_paste)
{
	cr_assert_str_eq(run("#define e(fmt, ...) p(fmt, ## __VA_ARGS__)\n"
			     "#define e0(...) p(x, ## __VA_ARGS__)\n"
			     "e(1) e(1,) e(1, 2) e0() e0(3)\n"),
			 "p ( 1 ) p ( 1 , ) p ( 1 , 2 ) p ( x ) p ( x , 3 )");
}

Test(pp, if_arithmetic)
{
	cr_assert_str_eq(run("#if -1 > 0u\nA\n#endif\n"
			     "#if (0x7fffffffffffffff + 0) > 0 && -9223372036854775807 - 1 < 0\nB\n#endif\n"
			     "#if 0 && 1 / 0\n#else\nC\n#endif\n"
			     "#if 'a' == 97 && (3 ? 4 : 1 / 0) == 4 && (1 << 63) < 0\nD\n#endif\n"
			     "#if defined(X) || !defined Y\nE\n#endif\n"),
			 "A B C D E");
	cr_assert_eq(d.errors, 0);
}

Test(pp, if_errors_are_reported)
{
	run("#if 1 +\n#endif\n#if 1 / 0\n#endif\n#if 1.0\n#endif\n");
	cr_assert_eq(d.errors, 3);
	cr_assert(strstr((char *)errs.data, "t.c:1:8: error: expected value in expression"));
	cr_assert(strstr((char *)errs.data, "division by zero in preprocessor expression"));
	cr_assert(strstr((char *)errs.data, "floating point literal in preprocessor expression"));
}

Test(pp, builtin_macros)
{
	cr_assert_str_eq(run("__LINE__ __FILE__ __COUNTER__ __COUNTER__ __INCLUDE_LEVEL__\n"
			     "#define L(x) __LINE__ x\nL(\n1\n)\n#line 50 \"n.c\"\n__LINE__ __FILE__\n"
			     "__DATE__ __TIME__\n"),
			 "1 \"t.c\" 0 1 0 5 1 50 \"n.c\" \"Jan  1 1970\" \"00:00:00\"");
}

Test(pp, has_feature_table)
{
	cr_assert_str_eq(run("__has_builtin(__builtin_preserve_access_index) "
			     "__has_builtin(__builtin_nope) __has_attribute(__packed__) "
			     "__has_c_attribute(fallthrough) __has_c_attribute(gnu::packed) "
			     "__is_identifier(int) __is_identifier(x)\n"
			     "#ifdef __has_include\nyes\n#endif\n"),
			 "1 0 1 201910L 1 0 1 yes");
}

Test(pp, token_locations_in_macros)
{
	start("#define TWO 1 + \\\n 1\nint x = TWO;\n");
	struct tok t;
	pp_next(pp, &t); /* int */
	cr_assert_eq(t.id->kw, T_INT);
	cr_assert(t.flags & TF_BOL);
	pp_next(pp, &t); /* x */
	pp_next(pp, &t); /* = */
	pp_next(pp, &t); /* 1 from TWO */
	cr_assert(t.flags & TF_MACRO);
	cr_assert_eq(t.loc.line, 1, "spelled in the #define");
	cr_assert_eq(t.xloc.line, 3, "expanded on line 3");
	cr_assert_eq(t.xloc.col, 9);
	pp_next(pp, &t);
	pp_next(pp, &t); /* the second 1, on the continued line */
	cr_assert_eq(t.loc.line, 2);
	cr_assert_eq(t.xloc.line, 3);
}

Test(pp, pragma_annotations)
{
	start("#pragma clang attribute push (__attribute__((preserve_access_index)), "
	      "apply_to = record)\n#pragma unroll\nfor\n_Pragma(\"GCC diagnostic push\") x\n"
	      "#pragma once\n#pragma weird 1\n");
	struct tok t;
	pp_next(pp, &t);
	cr_assert_eq(t.kind, T_PRAGMA);
	const struct pp_pragma *p = pp_pragma(pp, &t);
	cr_assert_eq(p->kind, PRAGMA_CLANG_ATTRIBUTE);
	cr_assert_eq(p->ntoks, 15);
	cr_assert_eq(p->toks[2].kind, T_IDENT);
	pp_next(pp, &t);
	cr_assert_eq(pp_pragma(pp, &t)->kind, PRAGMA_UNROLL);
	pp_next(pp, &t);
	cr_assert_eq(t.id->kw, T_FOR);
	pp_next(pp, &t);
	cr_assert_eq(t.kind, T_PRAGMA);
	p = pp_pragma(pp, &t);
	cr_assert_eq(p->kind, PRAGMA_GCC_DIAGNOSTIC);
	cr_assert(p->from_operator);
	pp_next(pp, &t);
	cr_assert_eq(t.kind, T_IDENT);
	pp_next(pp, &t); /* #pragma once is handled, not handed out */
	cr_assert_eq(pp_pragma(pp, &t)->kind, PRAGMA_OTHER);
	pp_next(pp, &t);
	cr_assert_eq(t.kind, T_EOF);
}

Test(pp, argument_errors_recover)
{
	cr_assert_str_eq(run("#define f(a, b) a b\nf(1) f(1, 2, 3) f(x, y) f(\n"), "f f x y f");
	cr_assert_eq(d.errors, 3);
	cr_assert(strstr((char *)errs.data, "too few arguments provided to function-like macro"));
	cr_assert(strstr((char *)errs.data, "too many arguments"));
	cr_assert(strstr((char *)errs.data, "unterminated function-like macro invocation"));
}

Test(pp, include_guard_and_once)
{
	char hdr[80];
	snprintf(hdr, sizeof(hdr), "/tmp/test_pp_guard.%d.h", (int)getpid());
	FILE *f = fopen(hdr, "w");
	fputs("#ifndef G\n#define G\nguarded\n#endif\n", f);
	fclose(f);
	char src[256];
	snprintf(src, sizeof(src), "#include \"%s\"\n#include \"%s\"\nG end\n", hdr, hdr);
	cr_assert_str_eq(run(src), "guarded end");
	uint32_t n;
	const struct pp_dep *deps = pp_dependencies(pp, &n);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(deps[0].path, hdr);
	unlink(hdr);
}
