/* The C lexer: turns a NUL-terminated buffer into pp-tokens, handling line
 * splices and comments on the fly (phases 1–3) so the common path touches
 * each byte once and never allocates. */
#include "frontend/c/lex.h"

#include <stdio.h>
#include <string.h>

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

static void lex_report(struct lexer *lx, enum diag_level lvl, struct srcloc loc, const char *msg)
{
	if (lx->report)
		lx->report(lx->report_ctx, lvl, loc, msg);
	else if (lx->diag && lvl == DIAG_ERROR)
		diag_error(lx->diag, loc, "%s", msg);
	else if (lx->diag && lvl == DIAG_WARNING)
		diag_warning(lx->diag, loc, "%s", msg);
}

static struct srcloc here(const struct lexer *lx)
{
	return (struct srcloc){ lx->file, lx->line, (uint32_t)(lx->p - lx->bol) + 1 };
}

void lex_init(struct lexer *lx, uint32_t file, const char *text, size_t len,
	      struct ident_table *ids, struct arena *arena, struct diag *diag)
{
	memset(lx, 0, sizeof(*lx));
	lx->p = lx->bol = text;
	lx->end = text + len;
	lx->file = file;
	lx->line = 1;
	lx->at_bol = true;
	lx->ids = ids;
	lx->arena = arena;
	lx->diag = diag;
	/* a UTF-8 byte order mark is not part of the text */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		lx->p = lx->bol = text + 3;
}

/* Length of a line splice at s (backslash, optional blanks, newline), or 0. */
static size_t splice_len(const char *s, const char *end)
{
	if (*s != '\\')
		return 0;
	const char *q = s + 1;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q < end && *q == '\r')
		q++;
	if (q < end && *q == '\n')
		return (size_t)(q + 1 - s);
	return 0;
}

/* Skips splices at p; the lexer's line bookkeeping follows. */
static bool skip_splices(struct lexer *lx)
{
	bool any = false;
	size_t n;
	while ((n = splice_len(lx->p, lx->end)) > 0) {
		lx->p += n;
		lx->line++;
		lx->bol = lx->p;
		any = true;
	}
	return any;
}

/* The current character, after any splices; sets *spliced when it skipped one. */
static inline int cur(struct lexer *lx, bool *spliced)
{
	if (LIKELY(*lx->p != '\\'))
		return (unsigned char)*lx->p;
	if (skip_splices(lx))
		*spliced = true;
	return (unsigned char)*lx->p;
}

/* The character n positions ahead of p (n >= 1), looking through splices,
 * without moving. */
static int peek_at(const struct lexer *lx, int n)
{
	const char *s = lx->p;
	size_t k;
	while ((k = splice_len(s, lx->end)) > 0)
		s += k;
	for (int i = 0; i < n; i++) {
		if (s >= lx->end)
			return 0;
		s++;
		while ((k = splice_len(s, lx->end)) > 0)
			s += k;
	}
	return s < lx->end ? (unsigned char)*s : 0;
}

/* Consumes one character (already checked with cur). */
static inline void adv(struct lexer *lx)
{
	lx->p++;
}

static inline bool is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
	       c >= 0x80;
}

static inline bool is_ident_char(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Whether any byte of w is b (the classic zero-byte test). */
static inline uint64_t has_byte(uint64_t w, unsigned char b)
{
	uint64_t x = w ^ (0x0101010101010101ull * b);
	return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}

/* Skips a block comment whose "/\*" was consumed. */
static void skip_block_comment(struct lexer *lx, struct srcloc start)
{
	for (;;) {
		const char *p = lx->p;
		/* fast scan for the interesting bytes, eight at a time (the
		 * kernel's headers are half comments) */
		while (lx->end - p >= 9) {
			uint64_t w, w1;
			memcpy(&w, p, 8);
			memcpy(&w1, p + 1, 8); /* "*" at byte i and "/" at i + 1 end it */
			if ((has_byte(w, '*') & has_byte(w1, '/')) | has_byte(w, '\\'))
				break;
			uint64_t nl = has_byte(w, '\n'); /* little endian: byte i is bit 8i+7 */
			if (nl) {
				lx->line += (uint32_t)__builtin_popcountll(nl);
				lx->bol = p + (63 - __builtin_clzll(nl)) / 8 + 1;
			}
			p += 8;
		}
		while (*p != '*' && *p != '\n' && *p != '\\' && p < lx->end)
			p++;
		lx->p = p;
		if (p >= lx->end) {
			lex_report(lx, DIAG_ERROR, start, "unterminated /* comment");
			return;
		}
		if (*p == '\n') {
			lx->p++;
			lx->line++;
			lx->bol = lx->p;
		} else if (*p == '\\') {
			if (!skip_splices(lx))
				lx->p++;
		} else {
			lx->p++;
			bool sp = false;
			if (cur(lx, &sp) == '/') {
				lx->p++;
				return;
			}
		}
	}
}

/* Skips a line comment up to (not including) its newline; splices continue it. */
static void skip_line_comment(struct lexer *lx)
{
	for (;;) {
		const char *p = lx->p;
		while (*p != '\n' && *p != '\\' && p < lx->end)
			p++;
		lx->p = p;
		if (p >= lx->end || *p == '\n')
			return;
		if (!skip_splices(lx))
			lx->p++;
	}
}

/* Skips blanks and comments. Returns false at a newline that ends a directive. */
static bool skip_space(struct lexer *lx, struct tok *t)
{
	bool sp = false;
	for (;;) {
		int c = cur(lx, &sp);
		switch (c) {
		case ' ':
		case '\t':
		case '\f':
		case '\v':
		case '\r':
			lx->p++;
			t->flags |= TF_SPACE;
			continue;
		case '\n':
			if (lx->in_directive)
				return false;
			lx->p++;
			lx->line++;
			lx->bol = lx->p;
			lx->at_bol = true;
			t->flags &= (uint16_t)~TF_SPACE; /* indentation counts from here */
			continue;
		case '/': {
			int n = peek_at(lx, 1);
			if (n == '*') {
				struct srcloc start = here(lx);
				lx->p++;
				cur(lx, &sp);
				lx->p++;
				skip_block_comment(lx, start);
				t->flags |= TF_SPACE;
				continue;
			}
			if (n == '/') {
				skip_line_comment(lx);
				t->flags |= TF_SPACE;
				continue;
			}
			return true;
		}
		default:
			return true;
		}
	}
}

/* A cleaned copy of [s, e) without splices, for spliced tokens. */
static const char *clean_spelling(struct lexer *lx, const char *s, const char *e, uint32_t *len)
{
	char *out = arena_alloc(lx->arena, (size_t)(e - s) + 1);
	size_t n = 0, k;
	while (s < e) {
		if ((k = splice_len(s, e)) > 0) {
			s += k;
			continue;
		}
		out[n++] = *s++;
	}
	*len = (uint32_t)n;
	return out;
}

static void lex_quoted(struct lexer *lx, struct tok *t, int quote, bool *sp)
{
	/* the opening quote is current */
	adv(lx);
	for (;;) {
		int c = cur(lx, sp);
		if (c == quote) {
			adv(lx);
			t->kind = quote == '"' ? T_STRING : T_CHAR;
			return;
		}
		if (c == '\n' || lx->p >= lx->end) {
			/* unterminated: the rest of the line becomes one stray token,
			 * as clang does; it is diagnosed where it is really used */
			t->kind = T_OTHER;
			t->flags |= TF_STRAY_QUOTE;
			return;
		}
		adv(lx);
		if (c == '\\') {
			c = cur(lx, sp);
			if (c != '\n' && lx->p < lx->end)
				adv(lx);
		}
	}
}

static void lex_number(struct lexer *lx, bool *sp)
{
	for (;;) {
		int c = cur(lx, sp);
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || c == '.' || c >= 0x80) {
			adv(lx);
			if (c == 'e' || c == 'E' || c == 'p' || c == 'P') {
				int n = cur(lx, sp);
				if (n == '+' || n == '-')
					adv(lx);
			}
			continue;
		}
		return;
	}
}

/* Punctuators: longest match, digraphs included. */
static enum tok_kind lex_punct(struct lexer *lx, int c, bool *sp)
{
	adv(lx);
#define NEXT_IS(ch) (cur(lx, sp) == (ch) ? (adv(lx), true) : false)
	switch (c) {
	case '[':
		return T_LBRACKET;
	case ']':
		return T_RBRACKET;
	case '(':
		return T_LPAREN;
	case ')':
		return T_RPAREN;
	case '{':
		return T_LBRACE;
	case '}':
		return T_RBRACE;
	case '~':
		return T_TILDE;
	case '?':
		return T_QUESTION;
	case ';':
		return T_SEMI;
	case ',':
		return T_COMMA;
	case '.':
		if (cur(lx, sp) == '.' && peek_at(lx, 1) == '.') {
			adv(lx);
			cur(lx, sp);
			adv(lx);
			return T_ELLIPSIS;
		}
		return T_DOT;
	case '-':
		if (NEXT_IS('>'))
			return T_ARROW;
		if (NEXT_IS('-'))
			return T_DEC;
		if (NEXT_IS('='))
			return T_SUB_ASSIGN;
		return T_MINUS;
	case '+':
		if (NEXT_IS('+'))
			return T_INC;
		if (NEXT_IS('='))
			return T_ADD_ASSIGN;
		return T_PLUS;
	case '&':
		if (NEXT_IS('&'))
			return T_ANDAND;
		if (NEXT_IS('='))
			return T_AND_ASSIGN;
		return T_AMP;
	case '*':
		return NEXT_IS('=') ? T_MUL_ASSIGN : T_STAR;
	case '!':
		return NEXT_IS('=') ? T_NE : T_BANG;
	case '/':
		return NEXT_IS('=') ? T_DIV_ASSIGN : T_SLASH;
	case '%':
		if (NEXT_IS('='))
			return T_MOD_ASSIGN;
		if (NEXT_IS('>'))
			return T_RBRACE;
		if (cur(lx, sp) == ':') {
			adv(lx);
			if (cur(lx, sp) == '%' && peek_at(lx, 1) == ':') {
				adv(lx);
				cur(lx, sp);
				adv(lx);
				return T_HASHHASH;
			}
			return T_HASH;
		}
		return T_PERCENT;
	case '<':
		if (NEXT_IS('<'))
			return NEXT_IS('=') ? T_SHL_ASSIGN : T_SHL;
		if (NEXT_IS('='))
			return T_LE;
		if (NEXT_IS(':'))
			return T_LBRACKET;
		if (NEXT_IS('%'))
			return T_LBRACE;
		return T_LT;
	case '>':
		if (NEXT_IS('>'))
			return NEXT_IS('=') ? T_SHR_ASSIGN : T_SHR;
		return NEXT_IS('=') ? T_GE : T_GT;
	case '=':
		return NEXT_IS('=') ? T_EQ : T_ASSIGN;
	case '^':
		return NEXT_IS('=') ? T_XOR_ASSIGN : T_CARET;
	case '|':
		if (NEXT_IS('|'))
			return T_OROR;
		return NEXT_IS('=') ? T_OR_ASSIGN : T_PIPE;
	case ':':
		/* no '::' token: C17 has none, and C23 parsers join two colons */
		if (NEXT_IS('>'))
			return T_RBRACKET;
		return T_COLON;
	case '#':
		return NEXT_IS('#') ? T_HASHHASH : T_HASH;
	}
#undef NEXT_IS
	return T_OTHER;
}

void lex_next(struct lexer *lx, struct tok *t)
{
	t->flags = 0;
	t->id = NULL;
	t->aux = 0;
	if (!skip_space(lx, t)) {
		t->kind = T_EOD;
		t->p = lx->p;
		t->len = 0;
		t->loc = t->xloc = here(lx);
		return;
	}
	if (lx->at_bol) {
		t->flags |= TF_BOL;
		lx->at_bol = false;
	}
	bool sp = false;
	const char *start = lx->p;
	t->loc = t->xloc = here(lx);
	t->p = start;
	if (lx->p >= lx->end) {
		t->kind = lx->in_directive ? T_EOD : T_EOF;
		t->len = 0;
		return;
	}
	int c = (unsigned char)*lx->p;
	if (is_ident_start(c)) {
		uint32_t h = IDENT_HASH_INIT;
		for (;;) {
			c = cur(lx, &sp);
			if (!is_ident_char(c))
				break;
			h = IDENT_HASH_STEP(h, c);
			adv(lx);
		}
		/* encoding prefixes of character and string literals */
		if ((c == '"' || c == '\'') && !sp) {
			size_t n = (size_t)(lx->p - start);
			if ((n == 1 && (*start == 'L' || *start == 'u' || *start == 'U')) ||
			    (n == 2 && start[0] == 'u' && start[1] == '8' && c == '"')) {
				lex_quoted(lx, t, c, &sp);
				goto done;
			}
		}
		t->kind = T_IDENT;
		if (UNLIKELY(sp)) {
			t->p = clean_spelling(lx, start, lx->p, &t->len);
			t->flags |= TF_CLEANED;
			t->id = ident_intern(lx->ids, t->p, t->len);
		} else {
			t->len = (uint32_t)(lx->p - start);
			t->id = ident_intern_hashed(lx->ids, start, t->len, h);
		}
		t->p = t->id->name;
		return;
	}
	if ((c >= '0' && c <= '9') ||
	    (c == '.' && peek_at(lx, 1) >= '0' && peek_at(lx, 1) <= '9')) {
		adv(lx);
		lex_number(lx, &sp);
		t->kind = T_NUMBER;
		goto done;
	}
	if (c == '"' || c == '\'') {
		lex_quoted(lx, t, c, &sp);
		goto done;
	}
	t->kind = lex_punct(lx, c, &sp);
done:
	if (UNLIKELY(sp)) {
		t->p = clean_spelling(lx, start, lx->p, &t->len);
		t->flags |= TF_CLEANED;
	} else {
		t->len = (uint32_t)(lx->p - start);
	}
}

bool lex_header_name(struct lexer *lx, struct tok *t)
{
	struct tok tmp = { 0 };
	if (!skip_space(lx, &tmp))
		return false;
	bool sp = false;
	if (cur(lx, &sp) != '<')
		return false;
	const char *start = lx->p;
	const char *q = start + 1;
	while (q < lx->end && *q != '>' && *q != '\n')
		q++;
	if (q >= lx->end || *q != '>')
		return false;
	t->flags = tmp.flags;
	t->id = NULL;
	t->aux = 0;
	t->loc = t->xloc = here(lx);
	lx->p = q + 1;
	t->kind = T_HEADER_NAME;
	t->p = start;
	t->len = (uint32_t)(lx->p - start);
	return true;
}

void lex_skip_to_eol(struct lexer *lx)
{
	struct tok t;
	bool saved = lx->in_directive;
	lx->in_directive = true;
	do
		lex_next(lx, &t);
	while (t.kind != T_EOD);
	lx->in_directive = saved;
}

const char *lex_rest_of_line(struct lexer *lx, size_t *len)
{
	struct tok tmp = { 0 };
	skip_space(lx, &tmp);
	const char *s = lx->p, *e = s;
	bool any_splice = false;
	while (e < lx->end && *e != '\n') {
		size_t k = splice_len(e, lx->end);
		if (k) {
			any_splice = true;
			e += k;
			lx->line++;
			lx->bol = e;
			continue;
		}
		e++;
	}
	lx->p = e;
	const char *out = s;
	uint32_t n = (uint32_t)(e - s);
	if (any_splice)
		out = clean_spelling(lx, s, e, &n);
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t' || out[n - 1] == '\r'))
		n--;
	*len = n;
	return out;
}

/* Skips one line's worth of text in a false group, honouring comments that
 * span lines and quotes that end at the line's end. */
static void skip_rest_of_group_line(struct lexer *lx)
{
	while (lx->p < lx->end) {
		int c = (unsigned char)*lx->p;
		if (c == '\n')
			return;
		if (c == '\\') {
			if (!skip_splices(lx))
				lx->p++;
			continue;
		}
		if (c == '/') {
			int n = peek_at(lx, 1);
			if (n == '*') {
				struct srcloc start = here(lx);
				bool sp = false;
				lx->p++;
				cur(lx, &sp);
				lx->p++;
				skip_block_comment(lx, start);
				continue;
			}
			if (n == '/') {
				skip_line_comment(lx);
				return;
			}
			lx->p++;
			continue;
		}
		if (c == '"' || c == '\'') {
			lx->p++;
			while (lx->p < lx->end && *lx->p != '\n' && *lx->p != c) {
				if (*lx->p == '\\') {
					if (!skip_splices(lx)) {
						lx->p++;
						if (lx->p < lx->end && *lx->p != '\n')
							lx->p++;
					}
					continue;
				}
				lx->p++;
			}
			if (lx->p < lx->end && *lx->p == c)
				lx->p++;
			continue;
		}
		lx->p++;
	}
}

bool lex_skip_group(struct lexer *lx)
{
	for (;;) {
		/* at the start of a line (or just after a directive's end) */
		struct tok tmp = { 0 };
		bool saved = lx->in_directive;
		lx->in_directive = true;
		bool more = skip_space(lx, &tmp);
		lx->in_directive = saved;
		if (lx->p >= lx->end)
			return false;
		if (more) {
			bool sp = false;
			int c = cur(lx, &sp);
			if (c == '#' || (c == '%' && peek_at(lx, 1) == ':')) {
				lx->p++;
				if (c == '%') {
					cur(lx, &sp);
					lx->p++;
				}
				lx->at_bol = false;
				return true;
			}
			skip_rest_of_group_line(lx);
		}
		if (lx->p >= lx->end)
			return false;
		/* the newline */
		lx->p++;
		lx->line++;
		lx->bol = lx->p;
		lx->at_bol = true;
	}
}

size_t lex_one(struct ident_table *ids, struct arena *arena, const char *s, size_t len,
	       struct tok *t)
{
	struct lexer lx;
	lex_init(&lx, 0, s, len, ids, arena, NULL);
	lx.in_directive = true;
	lex_next(&lx, t);
	if (t->kind == T_EOD)
		return 0;
	return (size_t)(lx.p - s);
}

/* ---- skipping a record body unlexed ---- */

static uint32_t full_hash(const char *s, uint32_t n)
{
	uint32_t h = IDENT_HASH_INIT;
	for (uint32_t i = 0; i < n; i++)
		h = IDENT_HASH_STEP(h, s[i]);
	return h ? h : 1;
}

static bool word_at(const char *s, uint32_t n, const char *w, uint32_t wn)
{
	return n == wn && !memcmp(s, w, n);
}

/* Character classes of the skipping scan. */
enum {
	K_PUNCT, /* anything that is a token of its own here */
	K_IDENT,
	K_DIGIT,
	K_BLANK,
	K_NEWLINE,
	K_SLASH,
	K_QUOTE,
	K_LBRACE,
	K_RBRACE,
	K_LPAREN,
	K_RPAREN,
	K_COMMA,
	K_REFUSE, /* splices, directives, # and ##, UCNs, NUL: the lexer's business */
};

static const uint8_t skip_class[256] = {
	[0] = K_REFUSE,
	['\t'] = K_BLANK,
	['\v'] = K_BLANK,
	['\f'] = K_BLANK,
	['\r'] = K_BLANK,
	[' '] = K_BLANK,
	['\n'] = K_NEWLINE,
	['a' ... 'z'] = K_IDENT,
	['A' ... 'Z'] = K_IDENT,
	['_'] = K_IDENT,
	['$'] = K_IDENT,
	['0' ... '9'] = K_DIGIT,
	['/'] = K_SLASH,
	['"'] = K_QUOTE,
	['\''] = K_QUOTE,
	['{'] = K_LBRACE,
	['}'] = K_RBRACE,
	['('] = K_LPAREN,
	[')'] = K_RPAREN,
	[','] = K_COMMA,
	['\\'] = K_REFUSE,
	['#'] = K_REFUSE,
	['@'] = K_REFUSE,
	['`'] = K_REFUSE,
	[0x80 ... 0xff] = K_REFUSE,
};

/* Letters, digits, '_' and '$': what continues an identifier or pp-number. */
static const uint8_t word_char[256] = {
	['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['0' ... '9'] = 1, ['_'] = 1, ['$'] = 1,
};

bool lex_skip_braced(struct lexer *lx, const struct lex_skip_hooks *hk)
{
	bool is_enum = hk->enumerator != NULL;
	int parens = 0;
	bool want_name = is_enum; /* an enumerator's name comes next */
	const unsigned char *p = (const unsigned char *)lx->p;
	const unsigned char *end = (const unsigned char *)lx->end;
	const char *bol = lx->bol;
	uint32_t line = lx->line;
	int depth = 1;
	bool line_start = false; /* only blanks since the last newline */
	enum { NO_KW, TAG_KW, ENUM_KW, AFTER_TAG } st = NO_KW;
	while (p < end) {
		int c = *p;
		switch (skip_class[c]) {
		case K_NEWLINE:
			line++;
			bol = (const char *)p + 1;
			line_start = true;
			__attribute__((fallthrough)); /* indentation follows */
		case K_BLANK:
			do
				p++;
			while (skip_class[*p] == K_BLANK);
			continue;
		case K_REFUSE:
			return false;
		case K_SLASH:
			if (p[1] == '*') {
				for (p += 2; p < end && !(p[0] == '*' && p[1] == '/'); p++) {
					if (*p == '\\')
						return false;
					if (*p == '\n') {
						line++;
						bol = (const char *)p + 1;
					}
				}
				if (p >= end)
					return false;
				p += 2;
				continue;
			}
			if (p[1] == '/') {
				for (; p < end && *p != '\n'; p++)
					if (*p == '\\')
						return false;
				continue;
			}
			break;
		case K_QUOTE:
			for (p++; p < end && *p != c; p++)
				if (*p == '\\' || *p == '\n')
					return false;
			if (p >= end)
				return false;
			break;
		case K_LBRACE:
			/* a tagged or enum definition inside binds names at file scope */
			if (st == AFTER_TAG || st == ENUM_KW || is_enum)
				return false;
			depth++;
			break; /* `struct {` is fine: anonymous */
		case K_RBRACE:
			if (--depth == 0) {
				lx->p = (const char *)p;
				lx->line = line;
				lx->bol = bol;
				lx->at_bol = line_start;
				return true;
			}
			break;
		case K_LPAREN:
			parens++;
			break;
		case K_RPAREN:
			parens--;
			break;
		case K_COMMA:
			want_name = is_enum && parens == 0;
			st = NO_KW;
			line_start = false;
			p++;
			continue;
		case K_IDENT: {
			const char *s = (const char *)p;
			while (word_char[*p])
				p++;
			uint32_t n = (uint32_t)((const char *)p - s);
			if ((*p == '"' || *p == '\'') && n <= 2)
				return false; /* encoding prefixes: the lexer knows */
			if (skip_class[*p] == K_REFUSE && *p != '\\' && *p != '#' && p < end)
				return false; /* a UCN in the name */
			uint32_t h = 0;	      /* the full hash, when someone needs it */
			if (ident_maybe_special(lx->ids, s, n)) {
				h = full_hash(s, n);
				struct pp_ident *id = ident_find(lx->ids, s, n, h);
				if (id && (id->macro || id->special))
					return false;
			}
			if (want_name) {
				if (!h)
					h = full_hash(s, n);
				if (!hk->enumerator(hk->ctx, s, n, h))
					return false;
				want_name = false;
				st = NO_KW;
			} else if (st == TAG_KW || st == ENUM_KW) {
				if (!h)
					h = full_hash(s, n);
				if (word_at(s, n, "__attribute__", 13) ||
				    !hk->tag(hk->ctx, s, n, h))
					return false;
				st = AFTER_TAG;
			} else if (word_at(s, n, "struct", 6) || word_at(s, n, "union", 5)) {
				st = TAG_KW;
			} else if (word_at(s, n, "enum", 4)) {
				st = ENUM_KW;
			} else if (word_at(s, n, "_Static_assert", 14) ||
				   word_at(s, n, "static_assert", 13)) {
				return false;
			} else {
				st = NO_KW;
			}
			line_start = false;
			continue;
		}
		case K_DIGIT:
			/* a pp-number: digits, letters, '.', and signs after e/p */
			if (want_name)
				return false;
			for (p++; p < end; p++) {
				int d = *p;
				if ((d == '+' || d == '-') &&
				    (p[-1] == 'e' || p[-1] == 'E' || p[-1] == 'p' || p[-1] == 'P'))
					continue;
				if (!word_char[d] && d != '.')
					break;
			}
			st = NO_KW;
			line_start = false;
			continue;
		default:
			break;
		}
		/* punctuation */
		if (want_name && c != '}')
			return false;
		st = NO_KW;
		line_start = false;
		p++;
	}
	return false;
}
