/* The IR text parser. A first pass declares every named type and symbol so
 * that later text may refer to earlier or later ones; the second pass reads
 * definitions, with instruction operands driven by the opcode signatures.
 * Errors are located; after one, the parser skips to the next line. */
#include "ir/ir.h"
#include "ir/lex.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	struct diag *d;
	uint32_t file;
	struct irlex lx;
	struct irtok_t tok;
	uint32_t prev_line, prev_end; /* where the previous token ended */
	uint32_t decl_line;           /* first line of the declaration being read */
	struct ir_module *m;
	jmp_buf fail; /* longjmp target after a reported syntax error */
	bool prescan;
	/* the function being read */
	struct ir_func *f;
	struct hmap tmps, blocks; /* name -> index */
	VEC(uint32_t) tmp_first_use; /* line of the first mention, per temp */
	VEC(uint32_t) tmp_defined;
	VEC(uint32_t) blk_first_use;
	VEC(uint8_t) blk_defined;
	VEC(uint32_t) blk_order; /* blocks in the order of their labels */
	struct arena scratch;
	/* growable lists reused by every declaration (a syntax error longjmps
	 * out of their users, so the parser owns them) */
	VEC(ir_ref) v_args;
	VEC(struct ir_member) v_members;
	VEC(struct ir_enumerator) v_enums;
	VEC(const char *) v_tags;
	VEC(struct ir_map_init) v_init;
};

/* ---- tokens ------------------------------------------------------------- */

static void next(struct parser *p)
{
	p->prev_line = p->tok.line;
	p->prev_end = p->tok.col + (p->tok.kind == TK_STR ? p->tok.len + 2 : p->tok.len);
	irlex_next(&p->lx, &p->tok);
	if (p->tok.kind == TK_ERROR && !p->prescan) {
		diag_error(p->d, (struct srcloc){ p->file, p->tok.line, p->tok.col }, "%.*s",
			   (int)p->tok.len, p->tok.s);
		longjmp(p->fail, 1);
	}
}

static const char *tokdesc(const struct irtok_t *t, char *buf, size_t n)
{
	switch (t->kind) {
	case TK_EOF: return "end of file";
	case TK_INT: return "an integer";
	case TK_STR: return "a string";
	case TK_HEX: return "a hex string";
	case TK_TMP: snprintf(buf, n, "'%%%.*s'", (int)MIN(t->len, 40u), t->s); return buf;
	case TK_BLK: snprintf(buf, n, "'@%.*s'", (int)MIN(t->len, 40u), t->s); return buf;
	case TK_SYM: snprintf(buf, n, "'$%.*s'", (int)MIN(t->len, 40u), t->s); return buf;
	default: snprintf(buf, n, "'%.*s'", (int)MIN(t->len, 40u), t->s); return buf;
	}
}

W_PRINTF(4, 5) static void W_NORETURN fail_at(struct parser *p, uint32_t line, uint32_t col,
					      const char *fmt, ...)
{
	if (!p->prescan) {
		va_list ap;
		va_start(ap, fmt);
		diag_vreport(p->d, DIAG_ERROR, (struct srcloc){ p->file, line, col }, fmt, ap);
		va_end(ap);
	}
	longjmp(p->fail, 1);
}

#define fail(p, ...) fail_at((p), (p)->tok.line, (p)->tok.col, __VA_ARGS__)

static void W_NORETURN expected(struct parser *p, const char *what)
{
	char buf[64];
	if (p->tok.first && p->prev_line && p->prev_line < p->tok.line) {
		/* the line ended early: point just after its last token */
		fail_at(p, p->prev_line, p->prev_end, "expected %s at the end of the line", what);
	}
	fail(p, "expected %s, found %s", what, tokdesc(&p->tok, buf, sizeof(buf)));
}

static bool is_punct(struct parser *p, char c)
{
	return p->tok.kind == TK_PUNCT && p->tok.punct == c;
}

static bool accept_punct(struct parser *p, char c)
{
	if (!is_punct(p, c))
		return false;
	next(p);
	return true;
}

static void expect_punct(struct parser *p, char c)
{
	if (!accept_punct(p, c)) {
		char what[16];
		snprintf(what, sizeof(what), "'%s'", c == '>' ? "->" : c == '.' ? "..." : (char[]){ c, 0 });
		expected(p, what);
	}
}

static bool is_word(struct parser *p, const char *w)
{
	return p->tok.kind == TK_IDENT && p->tok.len == strlen(w) && !memcmp(p->tok.s, w, p->tok.len);
}

static bool accept_word(struct parser *p, const char *w)
{
	if (!is_word(p, w))
		return false;
	next(p);
	return true;
}

static char *tokstr(struct parser *p)
{
	return arena_strndup(&p->scratch, p->tok.s, p->tok.len);
}

static int64_t expect_int(struct parser *p, const char *what)
{
	if (p->tok.kind != TK_INT)
		expected(p, what);
	int64_t v = p->tok.ival;
	next(p);
	return v;
}

static uint32_t expect_u32(struct parser *p, const char *what)
{
	uint32_t line = p->tok.line, col = p->tok.col;
	int64_t v = expect_int(p, what);
	if (v < 0 || v > UINT32_MAX)
		fail_at(p, line, col, "%s out of range: %lld", what, (long long)v);
	return (uint32_t)v;
}

/* A string token's decoded text, allocated in the module arena. */
static const char *expect_string(struct parser *p, const char *what)
{
	if (p->tok.kind != TK_STR)
		expected(p, what);
	char *s = arena_alloc(&p->m->arena, p->tok.len + 1);
	irlex_string(&p->tok, s);
	next(p);
	return s;
}

/* Error recovery: skip the rest of `line` (nothing if the current token
 * already starts a later line). */
static void skip_rest_of(struct parser *p, uint32_t line)
{
	while (p->tok.kind != TK_EOF && p->tok.line <= line)
		irlex_next(&p->lx, &p->tok);
}

static void skip_line(struct parser *p)
{
	skip_rest_of(p, p->tok.line);
}

static bool at_toplevel_keyword(struct parser *p)
{
	static const char *const kw[] = { "target", "license", "file", "type", "map",
					  "global", "extern", "func", "prog" };
	if (!p->tok.first || p->tok.kind != TK_IDENT)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(kw); i++)
		if (is_word(p, kw[i]))
			return true;
	return false;
}

/* ---- types ----------------------------------------------------------------- */

static uint32_t parse_texpr(struct parser *p);

static uint32_t named_type(struct parser *p)
{
	if (p->tok.kind != TK_IDENT)
		expected(p, "a type name after ':'");
	char *label = tokstr(p);
	uint32_t t = ir_type_lookup(p->m, label);
	if (t == UINT32_MAX || t < IRT_NBUILTIN)
		fail(p, "unknown type ':%s'", label);
	next(p);
	return t;
}

static uint32_t parse_texpr(struct parser *p)
{
	if (accept_punct(p, ':'))
		return named_type(p);
	if (accept_punct(p, '*'))
		return ir_type_ptr(p->m, parse_texpr(p));
	if (accept_punct(p, '[')) {
		uint32_t n = expect_u32(p, "an array length");
		if (!accept_word(p, "x"))
			expected(p, "'x' in an array type");
		uint32_t elem = parse_texpr(p);
		expect_punct(p, ']');
		return ir_type_array(p->m, elem, n);
	}
	if (accept_word(p, "const"))
		return ir_type_qual(p->m, IRT_CONST, parse_texpr(p));
	if (accept_word(p, "volatile"))
		return ir_type_qual(p->m, IRT_VOLATILE, parse_texpr(p));
	if (accept_word(p, "restrict"))
		return ir_type_qual(p->m, IRT_RESTRICT, parse_texpr(p));
	if (p->tok.kind == TK_IDENT) {
		for (uint32_t i = 0; i < IRT_NBUILTIN; i++)
			if (is_word(p, ir_type(p->m, i)->label)) {
				next(p);
				return i;
			}
	}
	expected(p, "a type");
}

static void parse_tags(struct parser *p, const char ***tags, uint32_t *n)
{
	p->v_tags.len = 0;
	while (accept_word(p, "tag"))
		vec_push(&p->v_tags, expect_string(p, "a tag string"));
	if (p->v_tags.len) {
		*tags = arena_memdup(&p->m->arena, p->v_tags.data, sizeof(char *) * p->v_tags.len);
		*n = p->v_tags.len;
	}
}

static void parse_members(struct parser *p, struct ir_type *t)
{
	p->v_members.len = 0;
	expect_punct(p, '{');
	while (!is_punct(p, '}')) {
		struct ir_member mb = { .pos = p->tok.line };
		mb.name = expect_string(p, "a member name");
		mb.type = parse_texpr(p);
		if (t->kind == IRT_STRUCT) {
			if (p->tok.kind != TK_BLK)
				expected(p, "'@offset' of the member");
			char *end;
			char *s = tokstr(p);
			unsigned long off = strtoul(s, &end, 10);
			if (*end || off > UINT32_MAX / 8)
				fail(p, "invalid member offset '@%s'", s);
			next(p);
			mb.bit_off = (uint32_t)off * 8;
			if (accept_punct(p, '+')) {
				uint32_t line = p->tok.line, col = p->tok.col;
				uint32_t bit = expect_u32(p, "a bit offset");
				if (bit > 7)
					fail_at(p, line, col, "bit offset must be below 8");
				mb.bit_off += bit;
				expect_punct(p, ':');
				line = p->tok.line;
				col = p->tok.col;
				uint32_t bits = expect_u32(p, "a bitfield width");
				if (bits == 0 || bits > 64)
					fail_at(p, line, col, "bitfield width must be 1 to 64");
				mb.bits = (uint8_t)bits;
			}
		}
		parse_tags(p, &mb.tags, &mb.ntags);
		vec_push(&p->v_members, mb);
	}
	next(p);
	t->members = arena_memdup(&p->m->arena, p->v_members.data, sizeof(struct ir_member) * p->v_members.len);
	t->nmembers = p->v_members.len;
}

static void parse_enumerators(struct parser *p, struct ir_type *t)
{
	p->v_enums.len = 0;
	expect_punct(p, '{');
	while (!is_punct(p, '}')) {
		struct ir_enumerator e;
		e.name = expect_string(p, "an enumerator name");
		expect_punct(p, '=');
		e.value = expect_int(p, "an enumerator value");
		vec_push(&p->v_enums, e);
	}
	next(p);
	t->enums = arena_memdup(&p->m->arena, p->v_enums.data, sizeof(struct ir_enumerator) * p->v_enums.len);
	t->nenums = p->v_enums.len;
}

static void parse_proto(struct parser *p, struct ir_type *t)
{
	p->v_members.len = 0;
	t->base = parse_texpr(p);
	expect_punct(p, '(');
	while (!is_punct(p, ')')) {
		if (p->v_members.len || t->variadic)
			expect_punct(p, ',');
		if (accept_punct(p, '.')) {
			t->variadic = true;
			break;
		}
		struct ir_member mb = { .name = "" };
		mb.type = parse_texpr(p);
		if (p->tok.kind == TK_STR)
			mb.name = expect_string(p, "a parameter name");
		vec_push(&p->v_members, mb);
	}
	expect_punct(p, ')');
	t->members = arena_memdup(&p->m->arena, p->v_members.data, sizeof(struct ir_member) * p->v_members.len);
	t->nmembers = p->v_members.len;
}

/* type :label = DEFINITION */
static void parse_type_def(struct parser *p)
{
	expect_punct(p, ':');
	if (p->tok.kind != TK_IDENT)
		expected(p, "a type name");
	char *label = tokstr(p);
	uint32_t line = p->tok.line;
	next(p);
	if (p->prescan) {
		struct ir_type t = { .kind = IRT_VOID, .label = label, .pos = line };
		if (ir_type_lookup(p->m, label) == UINT32_MAX)
			ir_type_add(p->m, &t);
		skip_line(p);
		return;
	}
	uint32_t idx = ir_type_lookup(p->m, label);
	if (idx == UINT32_MAX || idx < IRT_NBUILTIN || ir_type(p->m, idx)->pos != line)
		fail_at(p, line, 1, "redefinition of type ':%s'", label);
	expect_punct(p, '=');
	struct ir_type t = { .label = ir_type(p->m, idx)->label, .name = "", .pos = line };
	if (is_word(p, "int") || is_word(p, "float")) {
		t.kind = is_word(p, "int") ? IRT_INT : IRT_FLOAT;
		next(p);
		t.name = expect_string(p, "the type's name");
		t.size = expect_u32(p, "a size in bytes");
		while (t.kind == IRT_INT) {
			if (accept_word(p, "signed"))
				t.enc |= IRT_SIGNED;
			else if (accept_word(p, "char"))
				t.enc |= IRT_CHAR;
			else if (accept_word(p, "bool"))
				t.enc |= IRT_BOOL;
			else
				break;
		}
	} else if (is_word(p, "typedef") || is_word(p, "typetag")) {
		t.kind = is_word(p, "typedef") ? IRT_TYPEDEF : IRT_TYPETAG;
		next(p);
		t.name = expect_string(p, "a name");
		t.base = parse_texpr(p);
	} else if (accept_word(p, "fwd")) {
		t.kind = IRT_FWD;
		if (accept_word(p, "union"))
			t.is_union = true;
		else if (!accept_word(p, "struct"))
			expected(p, "'struct' or 'union'");
		t.name = expect_string(p, "a name");
	} else if (is_word(p, "struct") || is_word(p, "union")) {
		t.kind = is_word(p, "struct") ? IRT_STRUCT : IRT_UNION;
		next(p);
		t.name = expect_string(p, "a name (\"\" for an anonymous one)");
		t.size = expect_u32(p, "a size in bytes");
		parse_members(p, &t);
	} else if (accept_word(p, "enum")) {
		t.kind = IRT_ENUM;
		t.name = expect_string(p, "a name (\"\" for an anonymous one)");
		t.size = expect_u32(p, "a size in bytes");
		if (accept_word(p, "signed"))
			t.enc = IRT_SIGNED;
		parse_enumerators(p, &t);
	} else if (accept_word(p, "proto")) {
		t.kind = IRT_PROTO;
		parse_proto(p, &t);
	} else {
		/* a name for a structural type */
		uint32_t col = p->tok.col;
		uint32_t s = parse_texpr(p);
		struct ir_type *st = ir_type(p->m, s);
		if (s < IRT_NBUILTIN || st->label)
			fail_at(p, line, col, "a named type must define a new type, not rename one (use typedef)");
		t.kind = st->kind;
		t.base = st->base;
		t.count = st->count;
		t.size = st->size;
	}
	parse_tags(p, &t.tags, &t.ntags);
	*ir_type(p->m, idx) = t;
}

/* ---- values ------------------------------------------------------------------ */

static ir_vt parse_vt(struct parser *p)
{
	if (p->tok.kind != TK_IDENT)
		expected(p, "a value type (i32, i64, ptr or ptr.REGION)");
	if (accept_word(p, "i32"))
		return VT_I32;
	if (accept_word(p, "i64"))
		return VT_I64;
	if (accept_word(p, "void"))
		return VT_VOID;
	if (accept_word(p, "ptr"))
		return VT_PTR(ANY);
	if (p->tok.len > 4 && !memcmp(p->tok.s, "ptr.", 4)) {
		for (unsigned r = 1; r < IR_NREGIONS; r++)
			if (p->tok.len - 4 == strlen(ir_regions[r].name) &&
			    !memcmp(p->tok.s + 4, ir_regions[r].name, p->tok.len - 4)) {
				next(p);
				return IR_VT(IR_PTR, r);
			}
		fail(p, "unknown pointer region '%.*s'", (int)p->tok.len - 4, p->tok.s + 4);
	}
	expected(p, "a value type (i32, i64, ptr or ptr.REGION)");
}

static uint32_t tmp_ref(struct parser *p, bool def)
{
	bool inserted;
	uintptr_t *slot = hmap_slot(&p->tmps, p->tok.s, p->tok.len, 0, &inserted);
	if (inserted) {
		/* the key points into the source text, which outlives the parse */
		char *name = arena_strndup(&p->f->arena, p->tok.s, p->tok.len);
		*slot = ir_tmp_new(p->f, name, VT_VOID);
		vec_push(&p->tmp_first_use, p->tok.line);
		vec_push(&p->tmp_defined, 0);
	}
	uint32_t t = (uint32_t)*slot;
	if (def) {
		if (p->tmp_defined.data[t - 1])
			fail(p, "value %%%.*s is defined twice (first on line %u)", (int)p->tok.len,
			     p->tok.s, p->tmp_defined.data[t - 1]);
		p->tmp_defined.data[t - 1] = p->tok.line;
	}
	next(p);
	return t;
}

static uint32_t blk_ref(struct parser *p, bool def)
{
	bool inserted;
	uintptr_t *slot = hmap_slot(&p->blocks, p->tok.s, p->tok.len, 0, &inserted);
	if (inserted) {
		char *name = arena_strndup(&p->f->arena, p->tok.s, p->tok.len);
		*slot = ir_block_new(p->f, name);
		vec_push(&p->blk_first_use, p->tok.line);
		vec_push(&p->blk_defined, 0);
	}
	uint32_t b = (uint32_t)*slot;
	if (def) {
		if (p->blk_defined.data[b])
			fail(p, "block @%.*s is defined twice", (int)p->tok.len, p->tok.s);
		p->blk_defined.data[b] = 1;
		p->f->blocks.data[b]->pos = p->tok.line;
		vec_push(&p->blk_order, b);
	}
	next(p);
	return b;
}

static uint32_t sym_ref(struct parser *p)
{
	char *name = tokstr(p);
	uint32_t s = ir_sym_lookup(p->m, name);
	if (!s)
		fail(p, "unknown symbol '$%s'", name);
	next(p);
	return s;
}

static ir_ref parse_value(struct parser *p)
{
	switch (p->tok.kind) {
	case TK_TMP:
		return ir_tmp_ref(tmp_ref(p, false));
	case TK_INT: {
		ir_ref r = p->tok.hex ? ir_con_hex(p->f, p->tok.ival) : ir_con(p->f, p->tok.ival);
		next(p);
		return r;
	}
	case TK_SYM:
		return IR_REF(REF_SYM, sym_ref(p));
	default:
		expected(p, "a value (%name, an integer or $symbol)");
	}
}

static ir_ref parse_callee(struct parser *p)
{
	if (p->tok.kind == TK_SYM)
		return IR_REF(REF_SYM, sym_ref(p));
	if (p->tok.kind != TK_IDENT)
		expected(p, "a helper name or $function");
	const struct ir_helper *h = ir_helper_by_name(p->tok.s, p->tok.len);
	if (!h) {
		char *name = tokstr(p);
		size_t n;
		const struct ir_helper *all = ir_helper_table(&n);
		const char **names = arena_newn(&p->scratch, const char *, n);
		for (size_t i = 0; i < n; i++)
			names[i] = all[i].name;
		const char *s = diag_suggest(name, names, n);
		if (s)
			fail(p, "unknown BPF helper '%s'; did you mean '%s'?", name, s);
		fail(p, "unknown BPF helper '%s' (helpers are named without the bpf_ prefix)", name);
	}
	next(p);
	return IR_REF(REF_HLP, h->id);
}

/* ---- instructions ---------------------------------------------------------- */

static void parse_loc(struct parser *p, struct ir_loc *loc)
{
	loc->file = expect_u32(p, "a file number");
	if (!loc->file || loc->file >= p->m->files.len)
		fail(p, "file %u is not declared (declare it with: file %u \"path\")", loc->file,
		     loc->file);
	expect_punct(p, ':');
	loc->line = expect_u32(p, "a line number");
	expect_punct(p, ':');
	loc->col = expect_u32(p, "a column number");
}

static void parse_ins(struct parser *p, uint32_t blk)
{
	uint32_t line = p->tok.line, dst = 0;
	ir_vt ty = VT_VOID;
	if (p->tok.kind == TK_TMP) {
		dst = tmp_ref(p, true);
		expect_punct(p, ':');
		ty = parse_vt(p);
		if (ty.cls == IR_VOID)
			fail(p, "a value cannot have type void");
		p->f->tmps.data[dst].ty = ty;
		p->f->tmps.data[dst].pos = line;
		expect_punct(p, '=');
	}
	if (p->tok.kind != TK_IDENT)
		expected(p, "an instruction");
	unsigned op = ir_op_lookup(p->tok.s, p->tok.len);
	if (op == IR_NOPS)
		fail(p, "unknown instruction '%.*s'", (int)p->tok.len, p->tok.s);
	const struct ir_opinfo *oi = &ir_ops[op];
	if (dst && oi->sig[0] == '-')
		fail(p, "'%s' does not produce a value", oi->name);
	if (!dst && oi->sig[0] != '-' && !(oi->props & OP_CALL))
		fail(p, "the value of '%s' must be named: %%x:TYPE = %s ...", oi->name, oi->name);
	next(p);

	p->v_args.len = 0;
	for (const char *s = oi->sig + 1; *s; s++) {
		bool first = s == oi->sig + 1;
		if (*s == 'o') {
			if (p->tok.line == line &&
			    (p->tok.kind == TK_TMP || p->tok.kind == TK_INT || p->tok.kind == TK_SYM))
				vec_push(&p->v_args, parse_value(p));
			continue;
		}
		if (*s == 'p') {
			do {
				if (p->tok.kind != TK_BLK)
					expected(p, "'@block value' pairs");
				vec_push(&p->v_args, IR_REF(REF_BLK, blk_ref(p, false)));
				vec_push(&p->v_args, parse_value(p));
			} while (accept_punct(p, ','));
			continue;
		}
		if (*s == '*')
			continue;
		if (!first && *s != 'c' && s[-1] != 'c')
			expect_punct(p, ',');
		switch (*s) {
		case 'v':
			vec_push(&p->v_args, parse_value(p));
			break;
		case 'i':
			vec_push(&p->v_args, ir_con(p->f, expect_int(p, "an integer")));
			break;
		case 't':
			vec_push(&p->v_args, IR_REF(REF_TYP, parse_texpr(p)));
			break;
		case 's':
			vec_push(&p->v_args, IR_REF(REF_STR, ir_str(p->m, expect_string(p, "a string"))));
			break;
		case 'b':
			if (p->tok.kind != TK_BLK)
				expected(p, "a block label");
			vec_push(&p->v_args, IR_REF(REF_BLK, blk_ref(p, false)));
			break;
		case 'c':
			vec_push(&p->v_args, parse_callee(p));
			expect_punct(p, '(');
			while (!is_punct(p, ')')) {
				if (p->v_args.len > 1)
					expect_punct(p, ',');
				vec_push(&p->v_args, parse_value(p));
			}
			next(p);
			break;
		default:
			W_ICE("bad signature '%s'", oi->sig);
		}
	}
	struct ir_ins *in = ir_emit(p->f, blk, op, ty, dst, p->v_args.data, p->v_args.len);
	in->pos = line;
	if (accept_word(p, "volatile"))
		in->flags |= INS_VOLATILE;
	if (accept_punct(p, '!'))
		parse_loc(p, &in->loc);
	if (p->tok.kind != TK_EOF && p->tok.line == line && !is_punct(p, '}'))
		expected(p, "the end of the instruction");
}

/* ---- functions ----------------------------------------------------------------- */

static void reset_func_state(struct parser *p)
{
	hmap_free(&p->tmps);
	hmap_free(&p->blocks);
	vec_free(&p->tmp_first_use);
	vec_free(&p->tmp_defined);
	vec_free(&p->blk_first_use);
	vec_free(&p->blk_defined);
	vec_free(&p->blk_order);
}

static void check_func_names(struct parser *p)
{
	for (uint32_t t = 1; t < p->f->tmps.len; t++)
		if (!p->tmp_defined.data[t - 1])
			diag_error(p->d, (struct srcloc){ p->file, p->tmp_first_use.data[t - 1], 1 },
				   "use of undefined value %%%s", p->f->tmps.data[t].name);
	for (uint32_t b = 0; b < p->f->blocks.len; b++)
		if (!p->blk_defined.data[b])
			diag_error(p->d, (struct srcloc){ p->file, p->blk_first_use.data[b], 1 },
				   "use of undefined block @%s", p->f->blocks.data[b]->name);
}

/* Blocks were created when first mentioned; put them in the order of their
 * labels, so that the entry is the first one and printing follows the text. */
static void order_blocks(struct parser *p)
{
	struct ir_func *f = p->f;
	uint32_t n = f->blocks.len;
	if (p->blk_order.len != n)
		return; /* undefined blocks were reported */
	uint32_t *newidx = xmalloc(sizeof(uint32_t) * n);
	struct ir_block **old = xmalloc(sizeof(*old) * n);
	memcpy(old, f->blocks.data, sizeof(*old) * n);
	for (uint32_t i = 0; i < n; i++) {
		newidx[p->blk_order.data[i]] = i;
		f->blocks.data[i] = old[p->blk_order.data[i]];
	}
	vec_foreach(&f->blocks, b)
	{
		vec_foreach(&(*b)->ins, in) for (unsigned a = 0; a < in->nargs; a++)
		{
			if (ir_ref_kind(in->args[a]) == REF_BLK)
				in->args[a] = IR_REF(REF_BLK, newidx[ir_ref_idx(in->args[a])]);
		}
	}
	free(newidx);
	free(old);
}

/* `weak` and `hidden`, which any symbol may carry. */
static bool accept_binding(struct parser *p, struct ir_sym *s)
{
	if (accept_word(p, "weak"))
		s->weak = true;
	else if (accept_word(p, "hidden"))
		s->hidden = true;
	else
		return false;
	return true;
}

static void parse_func_attrs(struct parser *p, struct ir_func *f)
{
	struct ir_sym *s = ir_sym(p->m, f->sym);
	for (;;) {
		if (accept_word(p, "type")) {
			expect_punct(p, '=');
			if (p->tok.kind != TK_IDENT)
				expected(p, "a program type");
			char *name = tokstr(p);
			f->progtype = (uint8_t)ir_progtype_lookup(name);
			if (!f->progtype)
				fail(p, "unknown program type '%s'", name);
			if (!f->is_prog)
				fail(p, "only programs have a type (use 'prog' for programs)");
			next(p);
		} else if (accept_word(p, "section")) {
			expect_punct(p, '=');
			f->section = expect_string(p, "a section name");
		} else if (accept_word(p, "global")) {
			f->linkage = IR_GLOBAL;
		} else if (accept_binding(p, s)) {
			continue;
		} else if (accept_word(p, "inline")) {
			f->inl = IR_INLINE_ALWAYS;
		} else if (accept_word(p, "noinline")) {
			f->inl = IR_INLINE_NEVER;
		} else if (accept_word(p, "proto")) {
			expect_punct(p, '=');
			f->proto = parse_texpr(p);
		} else if (is_word(p, "tag")) {
			parse_tags(p, &s->tags, &s->ntags);
		} else {
			break;
		}
	}
	if (f->is_prog && !f->progtype)
		fail_at(p, s->pos, 1, "a program needs its type: type=xdp, type=sched_cls, ...");
}

static void parse_func(struct parser *p, bool is_prog)
{
	if (p->tok.kind != TK_SYM)
		expected(p, "the function's $name");
	char *name = tokstr(p);
	uint32_t line = p->tok.line;
	if (p->prescan) {
		struct ir_func *nf = ir_func_new(p->m, name, is_prog);
		if (nf)
			ir_sym(p->m, nf->sym)->pos = line;
		/* skip the body, stopping where the second pass would resynchronise */
		while (p->tok.kind != TK_EOF && !is_punct(p, '{') && !at_toplevel_keyword(p))
			next(p);
		while (p->tok.kind != TK_EOF && !(is_punct(p, '}') && p->tok.first) &&
		       !at_toplevel_keyword(p))
			next(p);
		if (is_punct(p, '}'))
			next(p);
		return;
	}
	uint32_t s = ir_sym_lookup(p->m, name);
	if (!s || ir_sym(p->m, s)->kind != IR_SYM_FUNC || ir_sym(p->m, s)->pos != line)
		fail(p, "redefinition of '$%s'", name);
	struct ir_func *f = p->f = ir_sym(p->m, s)->fn;
	f->is_prog = is_prog;
	f->linkage = is_prog ? IR_GLOBAL : IR_STATIC;
	next(p);
	expect_punct(p, '(');
	while (!is_punct(p, ')')) {
		if (f->params.len)
			expect_punct(p, ',');
		if (p->tok.kind != TK_TMP)
			expected(p, "a parameter %name");
		uint32_t t = tmp_ref(p, true);
		expect_punct(p, ':');
		f->tmps.data[t].ty = parse_vt(p);
		if (f->tmps.data[t].ty.cls == IR_VOID)
			fail(p, "a parameter cannot have type void");
		f->tmps.data[t].pos = line;
		vec_push(&f->params, t);
	}
	next(p);
	expect_punct(p, '>');
	f->ret = parse_vt(p);
	parse_func_attrs(p, f);
	expect_punct(p, '{');

	volatile int32_t blk = -1;
	volatile uint32_t stmt_line = 0;
	jmp_buf outer;
	memcpy(outer, p->fail, sizeof(jmp_buf));
	while (p->tok.kind != TK_EOF && !is_punct(p, '}')) {
		if (setjmp(p->fail)) {
			/* an error in this line: go on with the next, up to the error limit */
			if (p->d->limit_reached) {
				memcpy(p->fail, outer, sizeof(jmp_buf));
				longjmp(p->fail, 1);
			}
			skip_rest_of(p, stmt_line);
			continue;
		}
		stmt_line = p->tok.line;
		if (p->tok.kind == TK_BLK && p->tok.first) {
			blk = (int32_t)blk_ref(p, true);
		} else if (blk < 0) {
			expected(p, "a block label (@name) before the first instruction");
		} else {
			parse_ins(p, (uint32_t)blk);
		}
	}
	memcpy(p->fail, outer, sizeof(jmp_buf));
	expect_punct(p, '}');
	if (!f->blocks.len)
		fail_at(p, line, 1, "function '$%s' has no blocks", name);
	check_func_names(p);
	order_blocks(p);
}

/* ---- module-level declarations ---------------------------------------------- */

/* [N: $SYM, ...] (a map's init entries, a global's relocs) into p->v_init. */
static void parse_numbered_syms(struct parser *p, const char *num, const char *sym)
{
	p->v_init.len = 0;
	expect_punct(p, '[');
	while (!is_punct(p, ']')) {
		if (p->v_init.len)
			expect_punct(p, ',');
		struct ir_map_init e;
		e.index = expect_u32(p, num);
		expect_punct(p, ':');
		if (p->tok.kind != TK_SYM)
			expected(p, sym);
		e.sym = sym_ref(p);
		vec_push(&p->v_init, e);
	}
	next(p);
}

/* relocs=[OFF: $SYM, ...]: addresses in a global's initial bytes. */
static void parse_data_relocs(struct parser *p, struct ir_global *g)
{
	parse_numbered_syms(p, "a byte offset", "the $symbol whose address goes there");
	g->nrelocs = p->v_init.len;
	g->relocs = arena_alloc(&p->m->arena, sizeof(*g->relocs) * MAX(g->nrelocs, 1u));
	for (uint32_t i = 0; i < g->nrelocs; i++)
		g->relocs[i] = (struct ir_data_reloc){ p->v_init.data[i].index, p->v_init.data[i].sym };
}

static void parse_map(struct parser *p, struct ir_sym *s)
{
	struct ir_map *mp = &s->map;
	for (;;) {
		if (p->tok.kind != TK_IDENT || p->tok.first)
			break;
		char *key = tokstr(p);
		if (!strcmp(key, "template")) {
			next(p);
			mp->is_template = true;
			continue;
		}
		if (!strcmp(key, "extern")) {
			next(p);
			mp->is_extern = true;
			continue;
		}
		if (accept_binding(p, s))
			continue;
		if (!strcmp(key, "tag"))
			break;
		next(p);
		expect_punct(p, '=');
		if (!strcmp(key, "type")) {
			if (p->tok.kind != TK_IDENT)
				expected(p, "a map type");
			char *name = tokstr(p);
			mp->type = (uint8_t)ir_maptype_lookup(name);
			if (!mp->type)
				fail(p, "unknown map type '%s'", name);
			next(p);
		} else if (!strcmp(key, "key")) {
			mp->key = parse_texpr(p);
		} else if (!strcmp(key, "value")) {
			mp->value = parse_texpr(p);
		} else if (!strcmp(key, "max_entries")) {
			mp->max_entries = expect_u32(p, "max_entries");
		} else if (!strcmp(key, "flags")) {
			mp->flags = expect_u32(p, "flags");
		} else if (!strcmp(key, "numa")) {
			mp->numa_node = expect_u32(p, "a NUMA node");
		} else if (!strcmp(key, "extra")) {
			mp->extra = (uint64_t)expect_int(p, "map_extra");
		} else if (!strcmp(key, "pinning")) {
			if (accept_word(p, "by_name"))
				mp->pinning = IR_PIN_BY_NAME;
			else if (accept_word(p, "none"))
				mp->pinning = IR_PIN_NONE;
			else
				expected(p, "'by_name' or 'none'");
		} else if (!strcmp(key, "def")) {
			mp->def = parse_texpr(p);
		} else if (!strcmp(key, "inner")) {
			if (p->tok.kind != TK_SYM)
				expected(p, "the $name of the inner map");
			mp->inner = sym_ref(p);
		} else if (!strcmp(key, "init")) {
			parse_numbered_syms(p, "an index", "a $program or $map");
			mp->init = arena_memdup(&p->m->arena, p->v_init.data,
						sizeof(struct ir_map_init) * p->v_init.len);
			mp->ninit = p->v_init.len;
		} else {
			fail(p, "unknown map attribute '%s' (type, key, value, max_entries, flags, numa, "
				"extra, pinning, inner, init, def, template, extern, weak, hidden)", key);
		}
	}
	if (!mp->type)
		fail_at(p, s->pos, 1, "map '$%s' needs type=...", s->name);
}

static void parse_global(struct parser *p, struct ir_sym *s)
{
	struct ir_global *g = &s->global;
	expect_punct(p, ':');
	g->type = parse_texpr(p);
	g->linkage = IR_GLOBAL;
	uint32_t size = ir_type_size(p->m, g->type);
	for (;;) {
		if (accept_word(p, "section")) {
			expect_punct(p, '=');
			g->section = expect_string(p, "a section name");
		} else if (accept_word(p, "align")) {
			expect_punct(p, '=');
			uint32_t col = p->tok.col;
			g->align = expect_u32(p, "an alignment");
			if (!g->align || (g->align & (g->align - 1)))
				fail_at(p, s->pos, col, "alignment must be a power of two");
		} else if (accept_word(p, "init")) {
			expect_punct(p, '=');
			uint8_t *bytes = arena_alloc(&p->m->arena, MAX(size, 8u) + p->tok.len);
			if (p->tok.kind == TK_HEX) {
				g->ninit = (uint32_t)irlex_string(&p->tok, (char *)bytes);
				if (g->ninit != size)
					fail(p, "initializer has %u bytes, the type has %u", g->ninit, size);
				/* (reported at the initializer itself) */
				next(p);
			} else {
				int64_t v = expect_int(p, "an integer or x\"bytes\" initializer");
				if (size > 8 || size == 0)
					fail(p, "an integer initializer needs a type of 1 to 8 bytes");
				memcpy(bytes, &v, size); /* the target is little-endian */
				g->ninit = size;
			}
			g->init = bytes;
		} else if (accept_word(p, "relocs")) {
			expect_punct(p, '=');
			parse_data_relocs(p, g);
		} else if (accept_word(p, "static")) {
			g->linkage = IR_STATIC;
		} else if (!accept_binding(p, s)) {
			break;
		}
	}
	if (!g->section)
		fail_at(p, s->pos, 1, "global '$%s' needs section=\".bss\", \".data\", \".rodata\" ...",
			s->name);
}

static void parse_extern(struct parser *p, struct ir_sym *s)
{
	expect_punct(p, ':');
	s->ext.type = parse_texpr(p);
	if (accept_word(p, "kconfig"))
		s->ext.kind = IR_EXT_KCONFIG;
	else if (accept_word(p, "ksym"))
		s->ext.kind = IR_EXT_KSYM;
	else if (accept_word(p, "kfunc"))
		s->ext.kind = IR_EXT_KFUNC;
	else if (accept_word(p, "var"))
		s->ext.kind = IR_EXT_VAR;
	else if (accept_word(p, "func"))
		s->ext.kind = IR_EXT_FUNC;
	else
		expected(p, "'kconfig', 'ksym', 'kfunc', 'var' or 'func'");
	for (;;) {
		if (accept_word(p, "section")) {
			expect_punct(p, '=');
			s->ext.section = expect_string(p, "a section name");
		} else if (!accept_binding(p, s)) {
			break;
		}
	}
}

static void parse_symbol_decl(struct parser *p, enum ir_sym_kind kind)
{
	if (p->tok.kind != TK_SYM)
		expected(p, "a $name");
	char *name = tokstr(p);
	uint32_t line = p->tok.line;
	if (p->prescan) {
		uint32_t s = ir_sym_add(p->m, kind, name);
		if (s)
			ir_sym(p->m, s)->pos = line;
		skip_line(p);
		return;
	}
	uint32_t s = ir_sym_lookup(p->m, name);
	if (!s || ir_sym(p->m, s)->pos != line || ir_sym(p->m, s)->kind != kind)
		fail(p, "redefinition of '$%s'", name);
	next(p);
	struct ir_sym *sym = ir_sym(p->m, s);
	if (kind == IR_SYM_MAP)
		parse_map(p, sym);
	else if (kind == IR_SYM_GLOBAL)
		parse_global(p, sym);
	else
		parse_extern(p, sym);
	parse_tags(p, &sym->tags, &sym->ntags);
	if (p->tok.kind != TK_EOF && p->tok.line == line)
		expected(p, "the end of the declaration");
}

static void W_NORETURN unexpected_decl(struct parser *p)
{
	char buf[64];
	fail(p, "expected a declaration (target, license, file, type, map, global, extern, func, "
		"prog), found %s", tokdesc(&p->tok, buf, sizeof(buf)));
}

static void parse_toplevel(struct parser *p)
{
	if (p->tok.kind != TK_IDENT)
		unexpected_decl(p);
	if (accept_word(p, "target")) {
		if (p->tok.kind != TK_IDENT || p->tok.len != 2 || p->tok.s[0] != 'v' ||
		    p->tok.s[1] < '1' || p->tok.s[1] > '4')
			expected(p, "a BPF CPU version v1, v2, v3 or v4");
		p->m->cpu = (uint8_t)(p->tok.s[1] - '0');
		next(p);
	} else if (accept_word(p, "license")) {
		p->m->license = expect_string(p, "a license string");
	} else if (accept_word(p, "file")) {
		uint32_t line = p->tok.line;
		uint32_t n = expect_u32(p, "a file number");
		const char *path = expect_string(p, "a file path");
		if (!p->prescan) {
			if (n != p->m->files.len)
				fail_at(p, line, 1, "file numbers must count up from 1: expected %u",
					p->m->files.len);
			ir_file(p->m, path);
		}
	} else if (accept_word(p, "type")) {
		parse_type_def(p);
	} else if (accept_word(p, "map")) {
		parse_symbol_decl(p, IR_SYM_MAP);
	} else if (accept_word(p, "global")) {
		parse_symbol_decl(p, IR_SYM_GLOBAL);
	} else if (accept_word(p, "extern")) {
		parse_symbol_decl(p, IR_SYM_EXTERN);
	} else if (accept_word(p, "func")) {
		parse_func(p, false);
	} else if (accept_word(p, "prog")) {
		parse_func(p, true);
	} else {
		unexpected_decl(p);
	}
}

static void run_pass(struct parser *p, struct src_file *sf)
{
	irlex_init(&p->lx, sf->text, sf->len);
	irlex_next(&p->lx, &p->tok);
	while (p->tok.kind != TK_EOF) {
		if (setjmp(p->fail)) {
			if (p->d->limit_reached)
				return;
			/* resynchronise: after the function's closing brace, or on the
			 * next line that starts a declaration */
			skip_rest_of(p, p->decl_line);
			while (p->tok.kind != TK_EOF && !at_toplevel_keyword(p))
				irlex_next(&p->lx, &p->tok);
			reset_func_state(p);
			continue;
		}
		p->decl_line = p->tok.line;
		if (p->tok.kind == TK_ERROR)
			fail(p, "%.*s", (int)p->tok.len, p->tok.s);
		if (!p->tok.first && !p->prescan)
			fail(p, "expected a new line before the next declaration");
		parse_toplevel(p);
		reset_func_state(p);
		p->f = NULL;
	}
}

struct ir_module *ir_parse(struct diag *d, uint32_t file)
{
	struct src_file *sf = srcmgr_file(d->sm, file);
	if (!sf || !sf->text)
		return NULL;
	struct parser p = { .d = d, .file = file };
	p.m = ir_module_new();
	p.m->diag = d;
	p.m->text_file = file;
	unsigned errors = d->errors;

	p.prescan = true;
	run_pass(&p, sf);
	p.prescan = false;
	run_pass(&p, sf);

	reset_func_state(&p);
	arena_free(&p.scratch);
	vec_free(&p.v_args);
	vec_free(&p.v_members);
	vec_free(&p.v_enums);
	vec_free(&p.v_tags);
	vec_free(&p.v_init);
	if (d->errors != errors) {
		ir_module_free(p.m);
		return NULL;
	}
	return p.m;
}
