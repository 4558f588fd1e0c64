/* C types for the BPF target: construction (pointers, arrays, qualifiers and
 * typedef sugar interned so equal canonical types are equal pointers),
 * queries, compatibility, and printing as clang spells types. */
#include "frontend/c/ast.h"
#include "frontend/c/cbtf.h"
#include "util/buf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *spelling;
	uint8_t size, align, rank, is_signed;
} scalar_info[TY_NSCALAR] = {
#define CTYPE(kind, spelling, size, align, rank, is_signed)                                        \
	[TY_##kind] = { spelling, size, align, rank, is_signed },
#include "frontend/c/ctypes.def"
#undef CTYPE
};

/* Array types by (element, length, flags): open addressing, grown at 1/2. */
struct ctype_intern {
	struct ctype **slots;
	uint32_t cap, count;
};

static struct ctype *new_type(struct ctu *tu, uint8_t kind)
{
	struct ctype *t = arena_new(&tu->arena, struct ctype);
	t->kind = kind;
	t->canon = t;
	return t;
}

struct ctu *ctu_new(struct srcmgr *sm)
{
	struct ctu *tu = xcalloc(1, sizeof(*tu));
	tu->sm = sm;
	for (int k = 0; k < TY_NSCALAR; k++)
		tu->ty[k] = new_type(tu, (uint8_t)k);
	tu->error_type = new_type(tu, TY_ERROR);
	tu->size_type = tu->ty[TY_ULONG];
	tu->ptrdiff_type = tu->ty[TY_LONG];
	tu->va_list_type = ctype_ptr(tu, tu->ty[TY_VOID]);
	tu->intern = xcalloc(1, sizeof(*tu->intern));
	return tu;
}

void ctu_free(struct ctu *tu)
{
	if (!tu)
		return;
	cparse_parser_free(tu->parser);
	cbtf_close(tu->btf);
	free(tu->intern->slots);
	free(tu->intern);
	vec_free(&tu->globals);
	vec_free(&tu->asms);
	vec_free(&tu->records);
	arena_free(&tu->arena);
	free(tu);
}

/* ---- construction ---- */

/* A sugar node over `base`: same meaning, same data. */
static struct ctype *sugar_node(struct ctu *tu, struct ctype *base, uint8_t sugar)
{
	struct ctype *t = arena_new(&tu->arena, struct ctype);
	t->kind = base->kind;
	t->quals = base->quals;
	t->flags = base->flags;
	t->u = base->u;
	t->align_attr = base->align_attr;
	t->canon = base->canon;
	t->base = base;
	t->sugar = sugar;
	return t;
}

struct ctype *ctype_ptr(struct ctu *tu, struct ctype *pointee)
{
	if (pointee->ptr_cache)
		return pointee->ptr_cache;
	struct ctype *t = new_type(tu, TY_PTR);
	t->u.pointee = pointee;
	if (pointee->canon != pointee)
		t->canon = ctype_ptr(tu, pointee->canon);
	pointee->ptr_cache = t;
	return t;
}

static uint32_t array_hash(const struct ctype *elem, uint64_t len, uint8_t flags)
{
	return (uint32_t)w_hash_u64((uint64_t)(uintptr_t)elem * 31 + len * 7 + flags);
}

static void intern_grow(struct ctype_intern *in)
{
	uint32_t ncap = in->cap ? in->cap * 2 : 64;
	struct ctype **ns = xcalloc(ncap, sizeof(*ns));
	for (uint32_t i = 0; i < in->cap; i++) {
		struct ctype *t = in->slots[i];
		if (!t)
			continue;
		uint32_t h = array_hash(t->u.arr.elem, t->u.arr.len, t->flags) & (ncap - 1);
		while (ns[h])
			h = (h + 1) & (ncap - 1);
		ns[h] = t;
	}
	free(in->slots);
	in->slots = ns;
	in->cap = ncap;
}

struct ctype *ctype_array(struct ctu *tu, struct ctype *elem, uint64_t len, uint8_t flags)
{
	if (flags & CTF_VLA) { /* every VLA is its own type */
		struct ctype *t = new_type(tu, TY_ARRAY);
		t->flags = flags;
		t->u.arr.elem = elem;
		if (elem->canon != elem)
			t->canon = ctype_array(tu, elem->canon, 0, flags);
		return t;
	}
	struct ctype_intern *in = tu->intern;
	if (in->count * 2 >= in->cap)
		intern_grow(in);
	uint32_t h = array_hash(elem, len, flags) & (in->cap - 1);
	for (struct ctype *t; (t = in->slots[h]); h = (h + 1) & (in->cap - 1))
		if (t->u.arr.elem == elem && t->u.arr.len == len && t->flags == flags)
			return t;
	struct ctype *t = new_type(tu, TY_ARRAY);
	t->flags = flags;
	t->u.arr.elem = elem;
	t->u.arr.len = len;
	in->slots[h] = t;
	in->count++;
	if (elem->canon != elem)
		t->canon = ctype_array(tu, elem->canon, len, flags);
	return t;
}

struct ctype *ctype_qual(struct ctu *tu, struct ctype *t, unsigned quals)
{
	quals &= 0xf;
	if ((t->quals & quals) == quals || t->kind == TY_ERROR)
		return t;
	if (t->kind == TY_ARRAY && !(t->flags & CTF_VLA)) /* qualifiers go to the elements */
		return ctype_array(tu, ctype_qual(tu, t->u.arr.elem, quals), t->u.arr.len, t->flags);
	unsigned nq = t->quals | quals;
	if (t->sugar == CS_NONE) {
		struct ctype *unq = t->quals ? t->base : t;
		for (struct ctype *v = unq->variants; v; v = v->next_variant)
			if (v->sugar == CS_NONE && v->quals == nq)
				return v;
		struct ctype *v = arena_new(&tu->arena, struct ctype);
		*v = *unq;
		v->quals = (uint8_t)nq;
		v->canon = v;
		v->base = unq;
		v->ptr_cache = v->variants = NULL;
		v->next_variant = unq->variants;
		unq->variants = v;
		return v;
	}
	for (struct ctype *v = t->variants; v; v = v->next_variant)
		if (v->sugar == CS_QUAL && v->quals == nq)
			return v;
	struct ctype *v = sugar_node(tu, t, CS_QUAL);
	v->quals = (uint8_t)nq;
	v->canon = ctype_qual(tu, t->canon, quals);
	v->next_variant = t->variants;
	t->variants = v;
	return v;
}

struct ctype *ctype_unqual(struct ctype *t)
{
	while (t->quals) {
		if (t->sugar == CS_QUAL)
			t = t->base;
		else if (t->sugar == CS_NONE)
			return t->base;
		else
			t = t->canon; /* a typedef of a qualified type */
	}
	return t;
}

struct ctype *ctype_typedef(struct ctu *tu, struct cdecl *td)
{
	if (td->u.td.named)
		return td->u.td.named;
	struct ctype *t = sugar_node(tu, td->type, CS_TYPEDEF);
	t->s.tdef = td;
	td->u.td.named = t;
	return t;
}

struct ctype *ctype_tagged(struct ctu *tu, struct ctype *t, const char *tag)
{
	for (struct ctype *v = t->variants; v; v = v->next_variant)
		if (v->sugar == CS_TAG && !strcmp(v->s.tag, tag))
			return v;
	struct ctype *v = sugar_node(tu, t, CS_TAG);
	v->s.tag = tag;
	v->next_variant = t->variants;
	t->variants = v;
	return v;
}

struct ctype *ctype_func(struct ctu *tu, struct ctype *ret, struct cparam *params, uint32_t n,
			 uint8_t flags)
{
	struct ctype *t = new_type(tu, TY_FUNC);
	struct cfunc *f = arena_new(&tu->arena, struct cfunc);
	f->ret = ret;
	f->params = params;
	f->nparams = n;
	t->u.fn = f;
	t->flags = flags;
	return t;
}

struct ctype *ctype_record(struct ctu *tu, struct crecord *r)
{
	if (!r->type) {
		r->type = new_type(tu, (r->flags & CRF_UNION) ? TY_UNION : TY_STRUCT);
		r->type->u.rec = r;
	}
	return r->type;
}

struct ctype *ctype_enum(struct ctu *tu, struct cenum *e)
{
	if (!e->type) {
		e->type = new_type(tu, TY_ENUM);
		e->type->u.en = e;
	}
	return e->type;
}

struct ctype *ctype_strip_typedefs(struct ctype *t)
{
	while (t->sugar == CS_TYPEDEF || t->sugar == CS_TAG)
		t = t->base;
	return t;
}

/* ---- queries ---- */

enum ctype_kind ctype_int_kind(const struct ctype *t)
{
	if (t->kind == TY_ENUM) {
		cenum_complete(t->u.en);
		return t->u.en->underlying ? (enum ctype_kind)t->u.en->underlying->kind : TY_UINT;
	}
	return (enum ctype_kind)t->kind;
}

bool ctype_is_integer(const struct ctype *t)
{
	return (t->kind >= TY_BOOL && t->kind <= TY_UINT128) || t->kind == TY_ENUM;
}

bool ctype_is_floating(const struct ctype *t)
{
	return t->kind >= TY_FLOAT && t->kind <= TY_LDOUBLE;
}

bool ctype_is_arith(const struct ctype *t)
{
	return ctype_is_integer(t) || ctype_is_floating(t);
}

bool ctype_is_scalar(const struct ctype *t)
{
	return ctype_is_arith(t) || t->kind == TY_PTR;
}

bool ctype_is_record(const struct ctype *t)
{
	return t->kind == TY_STRUCT || t->kind == TY_UNION;
}

bool ctype_is_void(const struct ctype *t)
{
	return t->kind == TY_VOID;
}

bool ctype_is_signed(const struct ctype *t)
{
	enum ctype_kind k = ctype_int_kind(t);
	return k < TY_NSCALAR && scalar_info[k].is_signed;
}

unsigned ctype_int_bits(const struct ctype *t)
{
	enum ctype_kind k = ctype_int_kind(t);
	if (k == TY_BOOL)
		return 1;
	return k < TY_NSCALAR ? scalar_info[k].size * 8u : 64u;
}

int ctype_rank(const struct ctype *t)
{
	enum ctype_kind k = ctype_int_kind(t);
	return k < TY_NSCALAR ? scalar_info[k].rank : 0;
}

bool ctype_is_complete(const struct ctype *t)
{
	switch (t->kind) {
	case TY_VOID:
	case TY_FUNC:
	case TY_ERROR:
		return false;
	case TY_ARRAY:
		return !(t->flags & CTF_INCOMPLETE) && ctype_is_complete(t->u.arr.elem);
	case TY_STRUCT:
	case TY_UNION:
		crecord_complete(t->u.rec);
		return (t->u.rec->flags & CRF_COMPLETE) != 0;
	case TY_ENUM:
		cenum_complete(t->u.en);
		return t->u.en->complete;
	default:
		return true;
	}
}

uint64_t ctype_size(const struct ctype *t)
{
	switch (t->kind) {
	case TY_ENUM:
		cenum_complete(t->u.en);
		return t->u.en->underlying ? scalar_info[t->u.en->underlying->kind].size : 4;
	case TY_PTR:
		return 8;
	case TY_ARRAY:
		if (t->flags & (CTF_INCOMPLETE | CTF_VLA))
			return 0;
		return t->u.arr.len * ctype_size(t->u.arr.elem);
	case TY_STRUCT:
	case TY_UNION:
		crecord_complete(t->u.rec);
		if (!(t->u.rec->flags & CRF_COMPLETE))
			return 0;
		crecord_layout(t->u.rec);
		return t->u.rec->size;
	case TY_FUNC:
	case TY_ERROR:
		return 0;
	default:
		return scalar_info[t->kind].size;
	}
}

uint32_t ctype_align(const struct ctype *t)
{
	if (t->align_attr)
		return t->align_attr;
	switch (t->kind) {
	case TY_ENUM:
		cenum_complete(t->u.en);
		return t->u.en->underlying ? scalar_info[t->u.en->underlying->kind].align : 4;
	case TY_PTR:
		return 8;
	case TY_ARRAY:
		return ctype_align(t->u.arr.elem);
	case TY_STRUCT:
	case TY_UNION:
		crecord_complete(t->u.rec);
		if (!(t->u.rec->flags & CRF_COMPLETE))
			return 1;
		crecord_layout(t->u.rec);
		return t->u.rec->align;
	case TY_FUNC:
	case TY_ERROR:
		return 1;
	default:
		return scalar_info[t->kind].align;
	}
}

/* ---- compatibility (C11 6.2.7) ---- */

static bool funcs_compatible(const struct ctype *a, const struct ctype *b)
{
	const struct cfunc *fa = a->u.fn, *fb = b->u.fn;
	if (!ctype_compatible(fa->ret, fb->ret, false))
		return false;
	bool pa = !(a->flags & CTF_NOPROTO), pb = !(b->flags & CTF_NOPROTO);
	if (pa && pb) {
		if (fa->nparams != fb->nparams ||
		    (a->flags & CTF_VARIADIC) != (b->flags & CTF_VARIADIC))
			return false;
		for (uint32_t i = 0; i < fa->nparams; i++)
			if (!ctype_compatible(fa->params[i].type, fb->params[i].type, true))
				return false;
		return true;
	}
	if (pa || pb) { /* one has a prototype: it must not be variadic */
		const struct ctype *p = pa ? a : b;
		return !(p->flags & CTF_VARIADIC);
	}
	return true;
}

bool ctype_compatible(const struct ctype *a, const struct ctype *b, bool ignore_quals)
{
	a = a->canon;
	b = b->canon;
	if (a == b)
		return true;
	if (a->kind == TY_ERROR || b->kind == TY_ERROR)
		return true;
	if (!ignore_quals && a->quals != b->quals)
		return false;
	a = ctype_unqual((struct ctype *)a);
	b = ctype_unqual((struct ctype *)b);
	if (a == b)
		return true;
	if (a->kind == TY_ENUM && b->kind != TY_ENUM)
		return ctype_is_integer(b) && ctype_int_kind(a) == b->kind;
	if (b->kind == TY_ENUM && a->kind != TY_ENUM)
		return ctype_is_integer(a) && ctype_int_kind(b) == a->kind;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case TY_PTR:
		return ctype_compatible(a->u.pointee, b->u.pointee, false);
	case TY_ARRAY:
		if (!ctype_compatible(a->u.arr.elem, b->u.arr.elem, false))
			return false;
		if ((a->flags | b->flags) & (CTF_INCOMPLETE | CTF_VLA))
			return true;
		return a->u.arr.len == b->u.arr.len;
	case TY_FUNC:
		return funcs_compatible(a, b);
	case TY_STRUCT:
	case TY_UNION:
		return a->u.rec == b->u.rec;
	case TY_ENUM:
		return a->u.en == b->u.en;
	default:
		return true; /* one canonical node per scalar kind */
	}
}

/* ---- printing ---- */

static void put_quals(struct buf *b, unsigned q, bool trailing)
{
	static const char *const names[] = { "const", "volatile", "restrict", "_Atomic" };
	for (unsigned i = 0; i < 4; i++)
		if (q & (1u << i)) {
			if (trailing)
				buf_putc(b, ' ');
			buf_puts(b, names[i]);
			if (!trailing)
				buf_putc(b, ' ');
		}
}

static void print_type(struct ctu *tu, const struct ctype *t, const char *inner, struct buf *out);

static void print_leaf(struct ctu *tu, const struct ctype *t, unsigned quals, const char *inner,
		       struct buf *out)
{
	put_quals(out, quals, false);
	if (t->sugar == CS_TYPEDEF) {
		buf_puts(out, t->s.tdef->name->name);
	} else if (t->kind == TY_STRUCT || t->kind == TY_UNION || t->kind == TY_ENUM) {
		const char *kw = t->kind == TY_STRUCT ? "struct" : t->kind == TY_UNION ? "union" : "enum";
		struct pp_ident *tag = t->kind == TY_ENUM ? t->u.en->tag : t->u.rec->tag;
		struct srcloc loc = t->kind == TY_ENUM ? t->u.en->loc : t->u.rec->loc;
		if (tag) {
			buf_printf(out, "%s %s", kw, tag->name);
		} else {
			struct src_file *f = tu && tu->sm ? srcmgr_file(tu->sm, loc.file) : NULL;
			buf_printf(out, "%s (unnamed %s at %s:%u:%u)", kw, kw, f ? f->path : "?",
				   loc.line, loc.col);
		}
	} else if (t->kind == TY_ERROR) {
		buf_puts(out, "<error type>");
	} else {
		buf_puts(out, scalar_info[t->kind].spelling);
	}
	if (*inner) {
		if (*inner != '[')
			buf_putc(out, ' ');
		buf_puts(out, inner);
	}
}

static void print_type(struct ctu *tu, const struct ctype *t, const char *inner, struct buf *out)
{
	struct buf s = { 0 };
	switch (t->sugar) {
	case CS_QUAL:
		if (t->base->sugar == CS_TYPEDEF)
			print_leaf(tu, t->base, t->quals & ~t->base->quals, inner, out);
		else
			print_type(tu, t->base, inner, out); /* nested sugar: keep it simple */
		return;
	case CS_TYPEDEF:
		print_leaf(tu, t, 0, inner, out);
		return;
	case CS_TAG:
		buf_printf(&s, "__attribute__((btf_type_tag(\"%s\")))%s%s", t->s.tag, *inner ? " " : "",
			   inner);
		print_type(tu, t->base, buf_cstr(&s), out);
		buf_free(&s);
		return;
	default:
		break;
	}
	switch (t->kind) {
	case TY_PTR: {
		const struct ctype *pt = t->u.pointee;
		bool paren = pt->kind == TY_ARRAY || pt->kind == TY_FUNC;
		if (paren)
			buf_putc(&s, '(');
		buf_putc(&s, '*');
		put_quals(&s, t->quals, false);
		if (t->quals && !*inner)
			s.len--; /* "int *const", not "int *const " */
		buf_puts(&s, inner);
		if (paren)
			buf_putc(&s, ')');
		print_type(tu, pt, buf_cstr(&s), out);
		break;
	}
	case TY_ARRAY:
		buf_puts(&s, inner);
		if (t->flags & (CTF_INCOMPLETE | CTF_VLA))
			buf_puts(&s, "[]");
		else
			buf_printf(&s, "[%" PRIu64 "]", t->u.arr.len);
		print_type(tu, t->u.arr.elem, buf_cstr(&s), out);
		break;
	case TY_FUNC: {
		const struct cfunc *f = t->u.fn;
		buf_puts(&s, inner);
		buf_putc(&s, '(');
		for (uint32_t i = 0; i < f->nparams; i++) {
			if (i)
				buf_puts(&s, ", ");
			print_type(tu, f->params[i].type, "", &s);
		}
		if (t->flags & CTF_VARIADIC)
			buf_puts(&s, f->nparams ? ", ..." : "...");
		else if (!f->nparams && !(t->flags & CTF_NOPROTO))
			buf_puts(&s, "void");
		buf_putc(&s, ')');
		print_type(tu, f->ret, buf_cstr(&s), out);
		break;
	}
	default:
		print_leaf(tu, t, t->quals, inner, out);
		break;
	}
	buf_free(&s);
}

const char *ctype_str(struct ctu *tu, const struct ctype *t)
{
	struct buf b = { 0 };
	print_type(tu, t, "", &b);
	const char *s = arena_strdup(&tu->arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}
