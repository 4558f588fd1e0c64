/* Tokens as the preprocessor hands them to the C parser: kind, spelling,
 * flags, interned identifiers and two locations (spelling and expansion). */
#ifndef WHISTLER_C_TOKEN_H
#define WHISTLER_C_TOKEN_H

#include "util/diag.h"

#include <stdbool.h>
#include <stdint.h>

enum tok_kind {
#define TK(name, desc) T_##name,
#define PUNCT(name, spelling) T_##name,
#define KW(name, spelling) T_##name,
#include "frontend/c/tokens.def"
#undef TK
#undef PUNCT
#undef KW
	T_COUNT
};

/* First and last keyword kinds: a keyword is kw >= T_FIRST_KW. */
#define T_FIRST_KW T_AUTO
#define T_FIRST_PUNCT T_LBRACKET

enum tok_flag {
	TF_SPACE = 1 << 0,    /* whitespace (or a comment) before it */
	TF_BOL = 1 << 1,      /* first token of a source line */
	TF_NOEXPAND = 1 << 2, /* an identifier painted blue: never macro-expanded again */
	TF_MACRO = 1 << 3,    /* produced by a macro expansion (loc is in a #define) */
	TF_CLEANED = 1 << 4,  /* spelling had line splices, `p` is a cleaned copy */
	TF_STRAY_QUOTE = 1 << 5, /* T_OTHER from an unterminated ' or " */
};

/* An identifier, interned once per preprocessor: pointer equality is name
 * equality. `kw` is the keyword kind (T_INT …) or 0; the parser decides
 * which keywords its language mode honours. */
struct pp_ident {
	const char *name; /* NUL-terminated */
	uint32_t len, hash;   /* hash: IDENT_HASH of the name (1 when that is 0) */
	uint16_t kw;          /* enum tok_kind of the keyword, 0 if none */
	uint8_t special;      /* enum pp_special (pp_internal.h): __LINE__, __has_include, … */
	uint8_t directive;    /* enum pp_directive when spelled after '#', 0 if none */
	uint8_t disabled;     /* its macro is being expanded: references get painted */
	uint8_t poisoned;     /* #pragma GCC poison */
	uint8_t listed;       /* in the preprocessor's list of defined names (-dM) */
	uint8_t pad_;
	struct pp_macro *macro; /* current definition, NULL if none */
	/* the C parser's innermost bindings of this name (cparse_internal.h):
	 * lookups are a pointer load, scopes restore them on exit */
	struct cbinding *bind_ord, *bind_tag;
};

struct tok {
	const char *p;       /* spelling, `len` bytes, not NUL-terminated; stable while the pp lives */
	struct pp_ident *id; /* T_IDENT: the interned name (keywords too); NULL otherwise */
	uint32_t len;
	uint16_t kind; /* enum tok_kind */
	uint16_t flags; /* enum tok_flag */
	uint32_t aux;  /* T_PRAGMA: index for pp_pragma(); T_PARAM: parameter number */
	struct srcloc loc;  /* where it is spelled (inside a #define for macro tokens) */
	struct srcloc xloc; /* where the outermost macro invocation that produced it was
			     * written; equal to loc for tokens read from the file */
};

/* "identifier", "'+='" …: for "expected X" messages. */
const char *tok_kind_name(enum tok_kind k);
/* The fixed spelling of a punctuator or keyword kind, NULL for others. */
const char *tok_kind_spelling(enum tok_kind k);

static inline bool tok_is(const struct tok *t, enum tok_kind k) { return t->kind == k; }
static inline bool tok_is_kw(const struct tok *t, enum tok_kind kw)
{
	return t->kind == T_IDENT && t->id->kw == kw;
}

#endif
