/* Lexer: pp-tokens, splices, comments, flags and locations. */
#include "frontend/c/lex.h"

#include <criterion/criterion.h>
#include <string.h>

static struct arena arena;
static struct ident_table ids;

static void setup(void)
{
	memset(&arena, 0, sizeof(arena));
	ident_table_init(&ids, &arena);
}

static void teardown(void)
{
	ident_table_free(&ids);
	arena_free(&arena);
}

TestSuite(lex, .init = setup, .fini = teardown);

/* Lexes src into "kind:spelling" words separated by spaces. */
static char *lex_all(const char *src, struct tok *out, int max)
{
	static char buf[4096];
	struct lexer lx;
	lex_init(&lx, 1, src, strlen(src), &ids, &arena, NULL);
	buf[0] = 0;
	for (int i = 0;; i++) {
		struct tok t;
		lex_next(&lx, &t);
		if (out && i < max)
			out[i] = t;
		if (t.kind == T_EOF)
			break;
		if (buf[0])
			strcat(buf, " ");
		strncat(buf, t.p, t.len);
	}
	return buf;
}

Test(lex, punctuators_longest_match)
{
	cr_assert_str_eq(lex_all("a+++++b ... .. <<= >>= -> %:%: <: :> <% %> ::", NULL, 0),
			 "a ++ ++ + b ... . . <<= >>= -> %:%: <: :> <% %> : :");
}

Test(lex, kinds_and_digraph_kinds)
{
	struct tok t[8];
	lex_all("<: %:%: x 1.5e+3f 'a' L\"s\" u8\"t\"", t, 8);
	cr_assert_eq(t[0].kind, T_LBRACKET);
	cr_assert_eq(t[1].kind, T_HASHHASH);
	cr_assert_eq(t[2].kind, T_IDENT);
	cr_assert_eq(t[3].kind, T_NUMBER);
	cr_assert_eq(t[3].len, 7);
	cr_assert_eq(t[4].kind, T_CHAR);
	cr_assert_eq(t[5].kind, T_STRING);
	cr_assert_eq(t[6].kind, T_STRING);
	cr_assert_eq(t[7].kind, T_EOF);
}

Test(lex, splices_inside_tokens_are_cleaned)
{
	struct tok t[4];
	cr_assert_str_eq(lex_all("ab\\\ncd 1\\\n2 +\\\n= \"x\\\ny\"", t, 4), "abcd 12 += \"xy\"");
	cr_assert(t[0].flags & TF_CLEANED);
	cr_assert_eq(t[0].id, ident_intern(&ids, "abcd", 4), "interned after cleaning");
	cr_assert_eq(t[2].kind, T_ADD_ASSIGN);
}

Test(lex, comments_are_whitespace)
{
	struct tok t[4];
	cr_assert_str_eq(lex_all("a/* x\n y */b // c \\\n continued\nd", t, 4), "a b d");
	cr_assert(t[1].flags & TF_SPACE);
	cr_assert(!(t[1].flags & TF_BOL), "a block comment does not start a line");
	cr_assert(t[2].flags & TF_BOL);
	cr_assert_eq(t[2].loc.line, 4);
}

Test(lex, locations_and_flags)
{
	struct tok t[4];
	lex_all("x\n  y z\n", t, 4);
	cr_assert_eq(t[0].loc.line, 1);
	cr_assert_eq(t[0].loc.col, 1);
	cr_assert(t[0].flags & TF_BOL);
	cr_assert_eq(t[1].loc.line, 2);
	cr_assert_eq(t[1].loc.col, 3);
	cr_assert(t[1].flags & TF_BOL);
	cr_assert(t[2].flags & TF_SPACE);
	cr_assert(!(t[2].flags & TF_BOL));
}

Test(lex, keywords_are_identifiers_with_kw)
{
	struct tok t[3];
	lex_all("int __attribute__ foo", t, 3);
	cr_assert_eq(t[0].kind, T_IDENT);
	cr_assert_eq(t[0].id->kw, T_INT);
	cr_assert_eq(t[1].id->kw, T_ATTRIBUTE);
	cr_assert_eq(t[2].id->kw, 0);
}

Test(lex, unterminated_quote_is_a_stray_token)
{
	struct tok t[3];
	cr_assert_str_eq(lex_all("don't\nx", t, 3), "don 't x");
	cr_assert_eq(t[1].kind, T_OTHER);
	cr_assert(t[1].flags & TF_STRAY_QUOTE);
	cr_assert_eq(t[2].kind, T_IDENT);
}

Test(lex, directive_mode_stops_at_newline)
{
	struct lexer lx;
	const char *src = "a b\nc";
	lex_init(&lx, 1, src, strlen(src), &ids, &arena, NULL);
	lx.in_directive = true;
	struct tok t;
	lex_next(&lx, &t);
	lex_next(&lx, &t);
	lex_next(&lx, &t);
	cr_assert_eq(t.kind, T_EOD);
	lex_next(&lx, &t);
	cr_assert_eq(t.kind, T_EOD, "end of directive is sticky");
	lx.in_directive = false;
	lex_next(&lx, &t);
	cr_assert_eq(t.kind, T_IDENT);
	cr_assert(t.flags & TF_BOL);
}

Test(lex, skip_group_finds_directives_only_at_line_starts)
{
	struct lexer lx;
	const char *src = "x # no\n/* #no\n */ \"#\" '\n  # yes\n";
	lex_init(&lx, 1, src, strlen(src), &ids, &arena, NULL);
	lx.p = strchr(src, '\n'); /* just after a directive */
	lx.line = 1;
	cr_assert(lex_skip_group(&lx));
	cr_assert_eq(lx.line, 4);
}
