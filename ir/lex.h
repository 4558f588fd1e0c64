/* Tokens of the IR text form, shared by the parser's two passes. */
#ifndef WHISTLER_IR_LEX_H
#define WHISTLER_IR_LEX_H

#include "util/diag.h"

enum irtok {
	TK_EOF,
	TK_IDENT,  /* add, load.u32, ptr.mapval?, i64, x */
	TK_TMP,    /* %name */
	TK_BLK,    /* @name */
	TK_SYM,    /* $name */
	TK_INT,    /* 42, -1, 0xff */
	TK_STR,    /* "text" */
	TK_HEX,    /* x"00ff" */
	TK_PUNCT,  /* one of ( ) { } [ ] , = : * ! + and "->", "..." */
	TK_ERROR,
};

struct irtok_t {
	enum irtok kind;
	const char *s; /* start in the source (for names: after the sigil) */
	uint32_t len;
	uint32_t line, col;
	int64_t ival;
	char punct; /* TK_PUNCT: the character; '>' for "->", '.' for "..." */
	bool first; /* first token of its line */
	bool hex;   /* TK_INT written in hexadecimal */
};

struct irlex {
	const char *p, *end;
	uint32_t line, col;
	bool bol;
};

void irlex_init(struct irlex *lx, const char *text, size_t len);
/* Reads the next token. On a lexical error returns TK_ERROR with s/len
 * pointing at a static message. */
void irlex_next(struct irlex *lx, struct irtok_t *t);
/* Decodes the contents of a TK_STR / TK_HEX token into out (NUL-terminated).
 * Returns the decoded length. */
size_t irlex_string(const struct irtok_t *t, char *out);

#endif
