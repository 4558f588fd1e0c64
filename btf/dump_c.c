/* BTF as C declarations, the way `bpftool btf dump file X format c` writes
 * vmlinux.h: types ordered so that everything embedded is defined first,
 * forward declarations where pointers suffice, anonymous types inlined,
 * clashing names suffixed ___N, padding and packing made explicit. */
#include "btf/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { NOT_ORDERED, ORDERING, ORDERED };
enum { NOT_EMITTED, EMITTING, EMITTED };

struct tstate {
	uint8_t order, emit;
	bool fwd_emitted, referenced;
	char *name; /* resolved (possibly suffixed) name, owned if suffixed */
	bool name_owned;
};

struct cdump {
	const struct wbtf *btf;
	struct buf *out;
	struct tstate *st;
	uint32_t n;
	VEC(uint32_t) queue;
	VEC(uint32_t) decls;		     /* declarator stack, shared by nested frames */
	struct hmap type_names, ident_names; /* name -> times seen */
	int err;
};

static const char *name_of(struct cdump *d, uint32_t off)
{
	const char *s = wbtf_str(d->btf, off);
	return s ? s : "";
}

static const char *pfx(int lvl)
{
	static const char tabs[] =
		"\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
	int n = MIN(lvl, (int)sizeof(tabs) - 1);
	return tabs + sizeof(tabs) - 1 - n;
}

/* Counts a use of name in map and returns how many distinct users it has.
 * Keys are the BTF's own strings, which outlive the dump. */
static size_t name_dups(struct cdump *d, struct hmap *map, const char *name)
{
	bool inserted;
	uintptr_t *slot = hmap_slot(map, name, strlen(name), 0, &inserted);
	return ++*slot;
}

static const char *resolve_name(struct cdump *d, uint32_t id, struct hmap *map)
{
	const struct btf_type *t = wbtf_type_by_id(d->btf, id);
	struct tstate *s = &d->st[id];
	if (!t->name_off)
		return "";
	if (s->name)
		return s->name;
	const char *orig = name_of(d, t->name_off);
	size_t dups = name_dups(d, map, orig);
	if (dups > 1) {
		s->name = xasprintf("%s___%zu", orig, dups);
		s->name_owned = true;
	} else {
		s->name = (char *)orig;
	}
	return s->name;
}

static const char *type_name(struct cdump *d, uint32_t id)
{
	return resolve_name(d, id, &d->type_names);
}

static const char *ident_name(struct cdump *d, uint32_t id)
{
	return resolve_name(d, id, &d->ident_names);
}

static void mark(struct cdump *d, uint32_t id)
{
	if (id < d->n)
		d->st[id].referenced = true;
}

static void mark_referenced(struct cdump *d)
{
	for (uint32_t id = 1; id < d->n; id++) {
		const struct btf_type *t = wbtf_type_by_id(d->btf, id);
		unsigned vlen = wbtf_vlen(t);
		switch (wbtf_kind(t)) {
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_FUNC:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
		case BTF_KIND_TYPE_TAG:
			mark(d, t->type);
			break;
		case BTF_KIND_ARRAY:
			mark(d, wbtf_array(t)->index_type);
			mark(d, wbtf_array(t)->type);
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			for (unsigned i = 0; i < vlen; i++)
				mark(d, wbtf_members(t)[i].type);
			break;
		case BTF_KIND_FUNC_PROTO:
			for (unsigned i = 0; i < vlen; i++)
				mark(d, wbtf_params(t)[i].type);
			break;
		case BTF_KIND_DATASEC:
			for (unsigned i = 0; i < vlen; i++)
				mark(d, wbtf_secinfos(t)[i].type);
			break;
		}
	}
}

/* Alignment as a C compiler infers it from BTF: 1 for packed structs. */
static int c_align(const struct wbtf *btf, uint32_t id, int depth)
{
	const struct btf_type *t = wbtf_type_by_id(btf, id);
	if (!t || depth > WBTF_MAX_DEPTH * 8)
		return 0;
	switch (wbtf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
		return (int)MIN(8u, t->size);
	case BTF_KIND_PTR:
		return 8;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return c_align(btf, t->type, depth + 1);
	case BTF_KIND_ARRAY:
		return c_align(btf, wbtf_array(t)->type, depth + 1);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		int max_align = 1;
		for (unsigned i = 0; i < wbtf_vlen(t); i++) {
			int a = c_align(btf, wbtf_members(t)[i].type, depth + 1);
			if (a <= 0)
				return a;
			max_align = MAX(max_align, a);
			if (!wbtf_member_bitfield_size(t, i) &&
			    wbtf_members(t)[i].offset % (8u * a))
				return 1;
		}
		return t->size % (unsigned)max_align ? 1 : max_align;
	}
	default:
		return 0;
	}
}

static bool is_packed(const struct wbtf *btf, const struct btf_type *t)
{
	int max_align = 1;
	for (unsigned i = 0; i < wbtf_vlen(t); i++) {
		int a = c_align(btf, wbtf_members(t)[i].type, 0);
		if (a && !wbtf_member_bitfield_size(t, i) && wbtf_members(t)[i].offset % (8u * a))
			return true;
		max_align = MAX(a, max_align);
	}
	return t->size % (unsigned)max_align != 0;
}

/* ---- ordering: what must be defined before what -------------------- */

static void enqueue(struct cdump *d, uint32_t id)
{
	vec_push(&d->queue, id);
}

/* Returns 1 if id is a "strong" definition (usable by value), 0 if a
 * forward declaration suffices, <0 on an unsatisfiable cycle. */
static int order_type(struct cdump *d, uint32_t id, bool through_ptr, int depth)
{
	if (id >= d->n || depth > 4096)
		return -EINVAL;
	struct tstate *s = &d->st[id];
	const struct btf_type *t = wbtf_type_by_id(d->btf, id);
	if (s->order == ORDERED)
		return 1;
	if (s->order == ORDERING) {
		if (wbtf_is_composite(t) && through_ptr && t->name_off)
			return 0;
		wbtf_log("BTF format c: unsatisfiable type cycle at [%u]", id);
		return -ELOOP;
	}
	int err;
	switch (wbtf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
		s->order = ORDERED;
		return 0;
	case BTF_KIND_PTR:
		err = order_type(d, t->type, true, depth + 1);
		s->order = ORDERED;
		return err;
	case BTF_KIND_ARRAY:
		return order_type(d, wbtf_array(t)->type, false, depth + 1);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		/* named structs behind pointers need only a forward declaration;
		 * anonymous ones are defined inline, so they are strong */
		if (through_ptr && t->name_off)
			return 0;
		s->order = ORDERING;
		for (unsigned i = 0; i < wbtf_vlen(t); i++) {
			err = order_type(d, wbtf_members(t)[i].type, false, depth + 1);
			if (err < 0)
				return err;
		}
		if (t->name_off)
			enqueue(d, id);
		s->order = ORDERED;
		return 1;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
		/* named or unreferenced (free-standing) enums are top level */
		if (t->name_off || !s->referenced)
			enqueue(d, id);
		s->order = ORDERED;
		return 1;
	case BTF_KIND_TYPEDEF: {
		int strong = order_type(d, t->type, through_ptr, depth + 1);
		if (strong < 0)
			return strong;
		if (through_ptr && !strong)
			return 0;
		enqueue(d, id);
		s->order = ORDERED;
		return 1;
	}
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return order_type(d, t->type, through_ptr, depth + 1);
	case BTF_KIND_FUNC_PROTO: {
		err = order_type(d, t->type, through_ptr, depth + 1);
		if (err < 0)
			return err;
		bool strong = err > 0;
		for (unsigned i = 0; i < wbtf_vlen(t); i++) {
			err = order_type(d, wbtf_params(t)[i].type, through_ptr, depth + 1);
			if (err < 0)
				return err;
			strong |= err > 0;
		}
		return strong;
	}
	default: /* FUNC, VAR, DATASEC, DECL_TAG: nothing to declare */
		s->order = ORDERED;
		return 0;
	}
}

/* ---- declarations ------------------------------------------------------ */

static void emit_type_decl(struct cdump *d, uint32_t id, const char *fname, int lvl);

static void emit_struct_fwd(struct cdump *d, uint32_t id, const struct btf_type *t)
{
	buf_printf(d->out, "%s%s%s", wbtf_kind(t) == BTF_KIND_STRUCT ? "struct" : "union",
		   t->name_off ? " " : "", type_name(d, id));
}

static void emit_fwd_def(struct cdump *d, uint32_t id, const struct btf_type *t)
{
	buf_printf(d->out, "%s %s", wbtf_kflag(t) ? "union" : "struct", type_name(d, id));
}

static void emit_enum_def(struct cdump *d, uint32_t id, const struct btf_type *t, int lvl)
{
	unsigned vlen = wbtf_vlen(t);
	bool sgn = wbtf_kflag(t), e64 = wbtf_kind(t) == BTF_KIND_ENUM64;
	buf_printf(d->out, "enum%s%s", t->name_off ? " " : "", type_name(d, id));
	if (!vlen)
		return;
	buf_puts(d->out, " {");
	for (unsigned i = 0; i < vlen; i++) {
		uint32_t off = e64 ? wbtf_enum64s(t)[i].name_off : wbtf_enums(t)[i].name_off;
		const char *name = name_of(d, off);
		/* enumerators share their namespace with typedefs */
		size_t dups = name_dups(d, &d->ident_names, name);
		int64_t v = wbtf_enum_value(t, i);
		buf_printf(d->out, "\n%s%s", pfx(lvl + 1), name);
		if (dups > 1)
			buf_printf(d->out, "___%zu", dups);
		if (e64)
			buf_printf(d->out, sgn ? " = %" PRId64 "LL," : " = %" PRIu64 "ULL,", v);
		else
			buf_printf(d->out, sgn ? " = %" PRId64 "," : " = %" PRIu64 ",", v);
	}
	buf_printf(d->out, "\n%s}", pfx(lvl));
}

/* Explicit padding up to next_off (bits), using `long: N;`-style markers
 * that keep a C compiler's natural alignment from shifting fields. */
static void emit_bit_padding(struct cdump *d, int64_t cur, int64_t next, int next_align,
			     bool in_bitfield, int lvl)
{
	static const struct {
		const char *name;
		int bits;
	} pads[] = { { "long", 64 }, { "int", 32 }, { "short", 16 }, { "char", 8 } };
	int64_t new_off = 0;
	int pad_bits = 0;
	const char *pad_type = NULL;
	if (cur >= next || d->err)
		return;
	if (next_align <= 0) /* void or function members of corrupt BTF */
		next_align = 1;
	if (next - cur > (int64_t)8 << 20) {
		/* a megabyte of `long: 64;` lines helps nobody */
		wbtf_log("BTF format c: a gap of %lld bytes in a struct is too large to pad",
			 (long long)((next - cur) / 8));
		d->err = -E2BIG;
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(pads); i++) {
		pad_bits = pads[i].bits;
		pad_type = pads[i].name;
		new_off = ALIGN_UP(cur, pad_bits);
		if (new_off <= next)
			break;
	}
	if (new_off > cur && new_off <= next) {
		if (in_bitfield || (new_off == next && ALIGN_UP(cur, next_align * 8) != new_off) ||
		    (new_off != next && next - new_off <= new_off - cur))
			buf_printf(d->out, "\n%s%s: %d;", pfx(lvl), pad_type,
				   in_bitfield ? (int)(new_off - cur) : 0);
		cur = new_off;
	}
	while (cur != next) {
		int bits = (int)MIN(next - cur, pad_bits);
		if (bits == pad_bits) {
			buf_printf(d->out, "\n%s%s: %d;", pfx(lvl), pad_type, pad_bits);
			cur += bits;
			continue;
		}
		for (int i = (int)ARRAY_LEN(pads) - 1; i >= 0; i--) {
			if (pads[i].bits < bits)
				continue;
			buf_printf(d->out, "\n%s%s: %d;", pfx(lvl), pads[i].name, bits);
			cur += bits;
			break;
		}
	}
}

static void emit_struct_def(struct cdump *d, uint32_t id, const struct btf_type *t, int lvl)
{
	bool is_struct = wbtf_kind(t) == BTF_KIND_STRUCT;
	bool packed = is_struct && is_packed(d->btf, t), prev_bitfield = false;
	int align = c_align(d->btf, id, 0);
	int64_t off = 0;
	unsigned vlen = wbtf_vlen(t);
	buf_printf(d->out, "%s%s%s {", is_struct ? "struct" : "union", t->name_off ? " " : "",
		   type_name(d, id));
	for (unsigned i = 0; i < vlen; i++) {
		const struct btf_member *m = &wbtf_members(t)[i];
		int64_t m_sz = wbtf_member_bitfield_size(t, i),
			m_off = wbtf_member_bit_offset(t, i);
		int m_align = packed ? 1 : c_align(d->btf, m->type, 0);
		emit_bit_padding(d, off, m_off, m_align, prev_bitfield && m_sz, lvl + 1);
		buf_printf(d->out, "\n%s", pfx(lvl + 1));
		emit_type_decl(d, m->type, name_of(d, m->name_off), lvl + 1);
		if (m_sz) {
			buf_printf(d->out, ": %d", (int)m_sz);
			off = m_off + m_sz;
			prev_bitfield = true;
		} else {
			int64_t sz = wbtf_resolve_size(d->btf, m->type);
			off = m_off + MAX(sz, 0) * 8;
			prev_bitfield = false;
		}
		buf_putc(d->out, ';');
	}
	if (is_struct)
		emit_bit_padding(d, off, (int64_t)t->size * 8, align, false, lvl + 1);
	if (vlen || t->size)
		buf_printf(d->out, "\n%s}", pfx(lvl));
	else
		buf_puts(d->out, "}");
	if (packed)
		buf_puts(d->out, " __attribute__((packed))");
}

static bool is_mod(unsigned kind)
{
	return kind == BTF_KIND_VOLATILE || kind == BTF_KIND_CONST || kind == BTF_KIND_RESTRICT;
}

/* A frame of the declarator stack: decls[base .. base+*cnt). */
struct frame {
	uint32_t base, cnt;
};

static uint32_t top(struct cdump *d, struct frame *f)
{
	return d->decls.data[f->base + f->cnt - 1];
}

/* Qualifiers that precede the base type: "const volatile int". */
static void emit_mods(struct cdump *d, struct frame *f)
{
	while (f->cnt) {
		unsigned k = wbtf_kind(wbtf_type_by_id(d->btf, top(d, f)));
		if (!is_mod(k))
			return;
		buf_puts(d->out, k == BTF_KIND_VOLATILE ? "volatile "
				 : k == BTF_KIND_CONST	? "const "
							: "restrict ");
		f->cnt--;
	}
}

/* Qualifiers on arrays and function types mean nothing in C: dropped. */
static void drop_mods(struct cdump *d, struct frame *f)
{
	while (f->cnt && is_mod(wbtf_kind(wbtf_type_by_id(d->btf, top(d, f)))))
		f->cnt--;
}

static void emit_name(struct cdump *d, const char *name, bool last_was_ptr)
{
	buf_printf(d->out, "%s%s", name[0] && !last_was_ptr ? " " : "", name);
}

/* Emits the declarator from the base type outwards (stack top first). */
static void emit_chain(struct cdump *d, struct frame *f, const char *fname, int lvl)
{
	bool last_was_ptr = true;
	while (f->cnt) {
		uint32_t id = d->decls.data[f->base + --f->cnt];
		const struct btf_type *t = wbtf_type_by_id(d->btf, id);
		unsigned kind = wbtf_kind(t);
		if (id == 0) {
			emit_mods(d, f);
			buf_puts(d->out, "void");
			last_was_ptr = false;
			continue;
		}
		switch (kind) {
		case BTF_KIND_INT:
		case BTF_KIND_FLOAT:
			emit_mods(d, f);
			buf_puts(d->out, name_of(d, t->name_off));
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			emit_mods(d, f);
			if (!t->name_off)
				emit_struct_def(d, id, t, lvl);
			else
				emit_struct_fwd(d, id, t);
			break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			emit_mods(d, f);
			if (!t->name_off)
				emit_enum_def(d, id, t, lvl);
			else
				buf_printf(d->out, "enum %s", type_name(d, id));
			break;
		case BTF_KIND_FWD:
			emit_mods(d, f);
			emit_fwd_def(d, id, t);
			break;
		case BTF_KIND_TYPEDEF:
			emit_mods(d, f);
			buf_puts(d->out, ident_name(d, id));
			break;
		case BTF_KIND_PTR:
			buf_puts(d->out, last_was_ptr ? "*" : " *");
			break;
		case BTF_KIND_VOLATILE:
			buf_puts(d->out, " volatile");
			break;
		case BTF_KIND_CONST:
			buf_puts(d->out, " const");
			break;
		case BTF_KIND_RESTRICT:
			buf_puts(d->out, " restrict");
			break;
		case BTF_KIND_TYPE_TAG:
			emit_mods(d, f);
			buf_printf(d->out, " __attribute__((btf_type_tag(\"%s\")))",
				   name_of(d, t->name_off));
			break;
		case BTF_KIND_ARRAY: {
			drop_mods(d, f);
			if (!f->cnt) {
				emit_name(d, fname, last_was_ptr);
				buf_printf(d->out, "[%u]", wbtf_array(t)->nelems);
				return;
			}
			bool multidim =
				wbtf_kind(wbtf_type_by_id(d->btf, top(d, f))) == BTF_KIND_ARRAY;
			if (fname[0] && !last_was_ptr)
				buf_putc(d->out, ' ');
			if (!multidim)
				buf_putc(d->out, '(');
			emit_chain(d, f, fname, lvl);
			if (!multidim)
				buf_putc(d->out, ')');
			buf_printf(d->out, "[%u]", wbtf_array(t)->nelems);
			return;
		}
		case BTF_KIND_FUNC_PROTO: {
			unsigned vlen = wbtf_vlen(t);
			const struct btf_param *p = wbtf_params(t);
			drop_mods(d, f);
			if (f->cnt) {
				buf_puts(d->out, " (");
				emit_chain(d, f, fname, lvl);
				buf_putc(d->out, ')');
			} else {
				emit_name(d, fname, last_was_ptr);
			}
			buf_putc(d->out, '(');
			if (vlen == 0 || (vlen == 1 && p[0].type == 0)) {
				buf_puts(d->out, "void)");
				return;
			}
			for (unsigned i = 0; i < vlen; i++) {
				if (i)
					buf_puts(d->out, ", ");
				if (i == vlen - 1 && p[i].type == 0) {
					buf_puts(d->out, "...");
					break;
				}
				emit_type_decl(d, p[i].type, name_of(d, p[i].name_off), lvl);
			}
			buf_putc(d->out, ')');
			return;
		}
		default:
			d->err = -EINVAL;
			return;
		}
		last_was_ptr = kind == BTF_KIND_PTR;
	}
	emit_name(d, fname, last_was_ptr);
}

static void emit_type_decl(struct cdump *d, uint32_t id, const char *fname, int lvl)
{
	struct frame f = { d->decls.len, 0 };
	for (int depth = 0;; depth++) {
		const struct btf_type *t = wbtf_type_by_id(d->btf, id);
		if (!t || depth > 1024) {
			d->err = -EINVAL;
			d->decls.len = f.base;
			return;
		}
		vec_push(&d->decls, id);
		if (id == 0)
			break;
		unsigned k = wbtf_kind(t);
		if (k == BTF_KIND_PTR || is_mod(k) || k == BTF_KIND_FUNC_PROTO ||
		    k == BTF_KIND_TYPE_TAG)
			id = t->type;
		else if (k == BTF_KIND_ARRAY)
			id = wbtf_array(t)->type;
		else
			break;
	}
	f.cnt = d->decls.len - f.base;
	emit_chain(d, &f, fname, lvl);
	d->decls.len = f.base;
}

static void emit_typedef_def(struct cdump *d, uint32_t id, const struct btf_type *t, int lvl)
{
	const char *name = ident_name(d, id);
	if (t->type == 0 && !strcmp(name, "__gnuc_va_list")) {
		buf_puts(d->out, "typedef __builtin_va_list __gnuc_va_list");
		return;
	}
	buf_puts(d->out, "typedef ");
	emit_type_decl(d, t->type, name, lvl);
}

static bool blacklisted(struct cdump *d, uint32_t id)
{
	const struct btf_type *t = wbtf_type_by_id(d->btf, id);
	return t->name_off && !strcmp(name_of(d, t->name_off), "__builtin_va_list");
}

/* ---- emission ------------------------------------------------------------ */

static void emit_type(struct cdump *d, uint32_t id, uint32_t cont_id, int depth)
{
	if (id >= d->n || depth > 4096)
		return;
	struct tstate *s = &d->st[id];
	const struct btf_type *t = wbtf_type_by_id(d->btf, id);
	bool top_level = cont_id == 0;
	if (s->emit == EMITTED)
		return;
	unsigned kind = wbtf_kind(t);
	if (s->emit == EMITTING) {
		if (s->fwd_emitted)
			return;
		if (wbtf_is_composite(t)) {
			/* a member referring to its own container needs nothing */
			if (id == cont_id || !t->name_off)
				return;
			emit_struct_fwd(d, id, t);
			buf_puts(d->out, ";\n\n");
			s->fwd_emitted = true;
		} else if (kind == BTF_KIND_TYPEDEF) {
			/* the typedef serves as its own forward declaration */
			if (!blacklisted(d, id)) {
				emit_typedef_def(d, id, t, 0);
				buf_puts(d->out, ";\n\n");
			}
			s->fwd_emitted = true;
		}
		return;
	}
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
		s->emit = EMITTED;
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (top_level) {
			emit_enum_def(d, id, t, 0);
			buf_puts(d->out, ";\n\n");
		}
		s->emit = EMITTED;
		break;
	case BTF_KIND_PTR:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		emit_type(d, t->type, cont_id, depth + 1);
		break;
	case BTF_KIND_ARRAY:
		emit_type(d, wbtf_array(t)->type, cont_id, depth + 1);
		break;
	case BTF_KIND_FWD:
		emit_fwd_def(d, id, t);
		buf_puts(d->out, ";\n\n");
		s->emit = EMITTED;
		break;
	case BTF_KIND_TYPEDEF:
		s->emit = EMITTING;
		emit_type(d, t->type, id, depth + 1);
		if (!s->fwd_emitted && !blacklisted(d, id)) {
			emit_typedef_def(d, id, t, 0);
			buf_puts(d->out, ";\n\n");
		}
		s->emit = EMITTED;
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		s->emit = EMITTING;
		/* a definition spells out its members' types, which need their
		 * own declarations first */
		if (top_level || !t->name_off) {
			uint32_t new_cont = t->name_off ? id : cont_id;
			for (unsigned i = 0; i < wbtf_vlen(t); i++)
				emit_type(d, wbtf_members(t)[i].type, new_cont, depth + 1);
		} else if (!s->fwd_emitted && id != cont_id) {
			emit_struct_fwd(d, id, t);
			buf_puts(d->out, ";\n\n");
			s->fwd_emitted = true;
		}
		if (top_level) {
			emit_struct_def(d, id, t, 0);
			buf_puts(d->out, ";\n\n");
			s->emit = EMITTED;
		} else {
			s->emit = NOT_EMITTED;
		}
		break;
	case BTF_KIND_FUNC_PROTO:
		emit_type(d, t->type, cont_id, depth + 1);
		for (unsigned i = 0; i < wbtf_vlen(t); i++)
			emit_type(d, wbtf_params(t)[i].type, cont_id, depth + 1);
		break;
	default:
		break;
	}
}

int wbtf_dump_c(const struct wbtf *btf, struct buf *out)
{
	struct cdump d = { .btf = btf, .out = out, .n = wbtf_type_cnt(btf) };
	d.st = xcalloc(d.n, sizeof(*d.st));
	d.st[0].order = ORDERED; /* void */
	d.st[0].emit = EMITTED;
	mark_referenced(&d);
	buf_puts(
		out,
		"#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n"
		"#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
		"#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
		"#endif\n\n");
	for (uint32_t id = wbtf_start_id(btf); id < d.n && !d.err; id++) {
		d.queue.len = 0;
		int err = order_type(&d, id, false, 0);
		if (err < 0) {
			d.err = err;
			break;
		}
		for (uint32_t i = 0; i < d.queue.len; i++)
			emit_type(&d, d.queue.data[i], 0, 0);
	}
	buf_puts(out,
		 "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
		 "#endif /* __VMLINUX_H__ */\n");
	for (uint32_t i = 0; i < d.n; i++)
		if (d.st[i].name_owned)
			free(d.st[i].name);
	free(d.st);
	vec_free(&d.queue);
	vec_free(&d.decls);
	hmap_free(&d.type_names);
	hmap_free(&d.ident_names);
	return d.err;
}
