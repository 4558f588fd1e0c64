/* The C lexer (translation phases 1–3): splices, comments, pp-tokens, and
 * the identifier table shared with the preprocessor and the parser. */
#ifndef WHISTLER_C_LEX_H
#define WHISTLER_C_LEX_H

#include "frontend/c/token.h"
#include "util/arena.h"

#include <stddef.h>

/* Interned identifiers: one pp_ident per distinct name, in an open-addressed
 * table keeping each name's hash next to its pointer (a probe touches one
 * cache line until the names compare).  `special` has a bit per cheap
 * hash (length and three letters) for the names that are, or were, macros
 * or special to the preprocessor, so a scan over raw text can tell most
 * identifiers need no lookup without hashing every letter. */
struct ident_table {
	uint32_t *hashes;         /* 0: empty slot (hashes are never 0) */
	struct pp_ident **slots;
	uint32_t mask, count;
	struct arena *arena; /* idents and their names live here */
	uint64_t *special;   /* IDENT_SPECIAL_BITS bits */
};
#define IDENT_SPECIAL_BITS 65536u

void ident_table_init(struct ident_table *t, struct arena *a);
void ident_table_free(struct ident_table *t);
struct pp_ident *ident_intern(struct ident_table *t, const char *s, size_t len);
struct pp_ident *ident_intern_hashed(struct ident_table *t, const char *s, size_t len,
				     uint32_t hash);
/* The identifier if it was interned, else NULL (nothing is added). */
struct pp_ident *ident_find(const struct ident_table *t, const char *s, size_t len, uint32_t hash);
/* Marks id as (possibly) a macro or preprocessor-special name. */
void ident_mark_special(struct ident_table *t, const struct pp_ident *id);
static inline uint32_t ident_cheap_hash(const char *s, uint32_t n)
{
	uint32_t h = n * 0x9e3779b1u ^ (uint32_t)(unsigned char)s[0] * 0x85ebca6bu ^
		     (uint32_t)(unsigned char)s[n - 1] * 0xc2b2ae35u ^
		     (uint32_t)(unsigned char)s[n / 2] * 0x27d4eb2fu;
	return (h ^ (h >> 16)) & (IDENT_SPECIAL_BITS - 1);
}
static inline bool ident_maybe_special(const struct ident_table *t, const char *s, uint32_t n)
{
	uint32_t b = ident_cheap_hash(s, n);
	return (t->special[b / 64] >> (b % 64)) & 1;
}
/* The hash ident_intern uses, step by step, so the lexer computes it while scanning. */
#define IDENT_HASH_INIT 2166136261u
#define IDENT_HASH_STEP(h, c) (((h) ^ (unsigned char)(c)) * 16777619u)

struct lexer {
	const char *p;   /* next byte */
	const char *end; /* one past the last byte; *end == 0 */
	const char *bol; /* first byte of the current physical line, for columns */
	uint32_t file, line;
	bool at_bol;       /* the next token is the first of its line */
	bool in_directive; /* a newline ends the token stream with T_EOD */
	struct ident_table *ids;
	struct arena *arena; /* cleaned spellings of spliced tokens */
	struct diag *diag;   /* lexical errors (unterminated comment …); may be NULL */
	/* Lexical diagnostics go through this hook when set (the preprocessor
	 * adds the include stack); otherwise straight to diag. */
	void (*report)(void *ctx, enum diag_level lvl, struct srcloc loc, const char *msg);
	void *report_ctx;
};

/* `text` must stay alive and be NUL-terminated at text[len]. */
void lex_init(struct lexer *lx, uint32_t file, const char *text, size_t len,
	      struct ident_table *ids, struct arena *arena, struct diag *diag);
/* Scans from the lexer's position, just after a '{', to the '}' closing it
 * without making tokens (the parser leaves vmlinux.h's record and enum
 * bodies for later).  Refuses — returning false, the lexer untouched —
 * whatever needs the preprocessor or binds names outside the body:
 * directives, splices, identifiers that are or were macros, tagged or
 * enum definitions inside, static assertions, and whatever the hooks
 * refuse.  On success the lexer stands on the '}'. */
struct lex_skip_hooks {
	/* the tag after struct/union/enum */
	bool (*tag)(void *ctx, const char *s, uint32_t len, uint32_t hash);
	/* an enum body: each enumerator's name (NULL for a record body) */
	bool (*enumerator)(void *ctx, const char *s, uint32_t len, uint32_t hash);
	void *ctx;
};
bool lex_skip_braced(struct lexer *lx, const struct lex_skip_hooks *h);
/* Next pp-token; T_EOF at the end, T_EOD at a newline when in_directive. */
void lex_next(struct lexer *lx, struct tok *t);
/* After #include: lexes `<...>` as one T_HEADER_NAME if the next token starts with '<'.
 * Returns false (and lexes nothing) otherwise. */
bool lex_header_name(struct lexer *lx, struct tok *t);
/* Raw text of the rest of the directive line, trimmed (for #error, #warning). */
const char *lex_rest_of_line(struct lexer *lx, size_t *len);
/* Consumes everything up to (not including) the newline ending this line. */
void lex_skip_to_eol(struct lexer *lx);
/* In a skipped conditional group: advances to the next line whose first token is
 * '#', positioned just after the '#', and returns true; false at end of file. */
bool lex_skip_group(struct lexer *lx);
/* Lexes one token from a standalone string (for ## pasting and _Pragma): returns
 * the number of bytes consumed (0 for an empty string). */
size_t lex_one(struct ident_table *ids, struct arena *arena, const char *s, size_t len,
	       struct tok *t);

#endif
