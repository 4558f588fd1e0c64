/* DSL types: scalar type names, defstruct/defunion/defheader layouts (C
 * rules: natural alignment, padding), their accessors, their IR (and so BTF)
 * types, `sizeof`, and the userspace record codecs defstruct also defines. */
#include "frontend/lisp/dsl_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	uint8_t size;
	bool sign;
} scalars[] = {
	{ "U8", 1, false },   { "U16", 2, false },  { "U32", 4, false }, { "U64", 8, false },
	{ "I8", 1, true },    { "I16", 2, true },   { "I32", 4, true },	 { "I64", 8, true },
	{ "S8", 1, true },    { "S16", 2, true },   { "S32", 4, true },	 { "S64", 8, true },
	{ "CHAR", 1, false }, { "BOOL", 1, false },
};

bool dsl_scalar_type(lv sym, struct dtype *out)
{
	if (!lisp_symbolp(sym) || sym == LISP_NIL)
		return false;
	const char *n = lisp_symbol_name(sym);
	for (size_t i = 0; i < ARRAY_LEN(scalars); i++)
		if (!strcmp(n, scalars[i].name)) {
			*out = dt_int(scalars[i].size, scalars[i].sign);
			return true;
		}
	return false;
}

uint32_t dsl_int_irtype(unsigned size, bool sign)
{
	switch (size) {
	case 1:
		return sign ? IRT_T_I8 : IRT_T_U8;
	case 2:
		return sign ? IRT_T_I16 : IRT_T_U16;
	case 4:
		return sign ? IRT_T_I32 : IRT_T_U32;
	default:
		return sign ? IRT_T_I64 : IRT_T_U64;
	}
}

int32_t dsl_struct_find(struct dsl *d, const char *lisp_name)
{
	for (uint32_t i = d->structs.len; i > 0; i--)
		if (!strcmp(d->structs.data[i - 1].name, lisp_name))
			return (int32_t)(i - 1);
	/* kernel structs answer to their C spelling too (task_struct) */
	for (uint32_t i = d->structs.len; i > 0; i--)
		if (d->structs.data[i - 1].kind == DSL_KERNEL &&
		    !strcmp(d->structs.data[i - 1].cname, lisp_name))
			return (int32_t)(i - 1);
	return -1;
}

/* ---- accessors -------------------------------------------------------------- */

void dsl_acc_define(struct dsl *d, const char *name, uint8_t kind, uint32_t sid, uint32_t field)
{
	char *key = arena_strdup(&d->arena, name);
	for (char *p = key; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	struct dsl_acc *a = arena_new(&d->arena, struct dsl_acc);
	a->kind = kind;
	a->sid = sid;
	a->field = field;
	hmap_put(&d->acc, key, strlen(key), (uintptr_t)a);
}

const struct dsl_acc *dsl_acc_lookup(struct dsl *d, lv sym)
{
	uintptr_t v;
	if (!lisp_symbolp(sym) || sym == LISP_NIL || !hmap_gets(&d->acc, lisp_symbol_name(sym), &v))
		return NULL;
	return (const struct dsl_acc *)v;
}

size_t dsl_struct_field_names(struct dsl *d, uint32_t sid, const char **out, size_t max)
{
	const struct dsl_struct *s = &d->structs.data[sid];
	size_t n = 0;
	for (uint32_t i = 0; i < s->nfields && n < max; i++)
		out[n++] = arena_printf(&d->arena, "%s-%s", s->name, s->fields[i].name);
	return n;
}

static void define_accessors(struct dsl *d, uint32_t sid)
{
	struct dsl_struct *s = &d->structs.data[sid];
	if (s->kind != DSL_HEADER)
		dsl_acc_define(d, arena_printf(&d->arena, "make-%s", s->name), ACC_MAKE, sid, 0);
	if (s->kind == DSL_KERNEL)
		dsl_acc_define(d, arena_printf(&d->arena, "as-%s", s->name), ACC_AS, sid, 0);
	for (uint32_t i = 0; i < s->nfields; i++) {
		dsl_acc_define(d, arena_printf(&d->arena, "%s-%s", s->name, s->fields[i].name),
			       ACC_GET, sid, i);
		dsl_acc_define(d, arena_printf(&d->arena, "%s-%s-ptr", s->name, s->fields[i].name),
			       ACC_PTR, sid, i);
	}
}

/* ---- compile-time constants ---------------------------------------------------- */

bool dsl_const_eval(struct dsl *d, lv form, int64_t *out)
{
	if (lisp_integerp(form))
		return lisp_int_to_i64(form, out) || (*out = (int64_t)lisp_int_low64(form), true);
	if (lisp_symbolp(form) && form != LISP_NIL && !lisp_keywordp(form)) {
		lv v = lisp_symbol_value(d->ctx, form);
		if (v && lisp_integerp(v)) {
			*out = (int64_t)lisp_int_low64(v);
			return true;
		}
		return false;
	}
	if (!lisp_consp(form))
		return false;
	lv h = lisp_car(form);
	if (sym_is(h, "SIZEOF") && lisp_symbolp(lisp_cadr(form))) {
		int32_t sid = dsl_struct_find(d, dsl_lisp_name(d, lisp_cadr(form)));
		if (sid < 0)
			return false;
		*out = d->structs.data[sid].size;
		return true;
	}
	static const char *const ops[] = { "+",	 "-",  "*",   "LOGAND", "LOGIOR", "LOGXOR",
					   "<<", ">>", "ASH", "/",	"MOD" };
	size_t op = 0;
	while (op < ARRAY_LEN(ops) && !sym_is(h, ops[op]))
		op++;
	if (op == ARRAY_LEN(ops))
		return false;
	uint64_t acc = 0;
	size_t n = 0;
	for (lv l = lisp_cdr(form); lisp_consp(l); l = lisp_cdr(l), n++) {
		int64_t x;
		if (!dsl_const_eval(d, lisp_car(l), &x))
			return false;
		uint64_t u = (uint64_t)x;
		if (!n) {
			acc = op == 1 && !lisp_consp(lisp_cddr(form)) ? -u : u;
			continue;
		}
		switch (op) {
		case 0:
			acc += u;
			break;
		case 1:
			acc -= u;
			break;
		case 2:
			acc *= u;
			break;
		case 3:
			acc &= u;
			break;
		case 4:
			acc |= u;
			break;
		case 5:
			acc ^= u;
			break;
		case 6:
			acc = u < 64 ? acc << u : 0;
			break;
		case 7:
			acc = u < 64 ? acc >> u : 0;
			break;
		case 8:
			acc = x >= 0 ? (x < 64 ? acc << x : 0) : (-x < 64 ? acc >> -x : 0);
			break;
		case 9:
			acc = u ? acc / u : 0;
			break;
		case 10:
			acc = u ? acc % u : acc;
			break;
		}
	}
	if (!n)
		return false;
	*out = (int64_t)acc;
	return true;
}

/* An integer constant in a definition: simple forms directly, anything else
 * as compile-time Lisp. */
static bool def_const(struct dsl *d, lv form, lv env, int64_t *out)
{
	if (dsl_const_eval(d, form, out))
		return true;
	lv v = lisp_eval_in(d->ctx, form, env);
	return lisp_int_to_i64(v, out);
}

/* ---- field types ---------------------------------------------------------------- */

/* TYPE is a scalar, a struct name, or (array TYPE N). */
static bool field_type(struct dsl *d, lv t, lv env, struct dsl_field *f, uint32_t *size,
		       uint32_t *align)
{
	struct dtype sc;
	f->count = 0;
	if (lisp_consp(t) && sym_is(lisp_car(t), "ARRAY")) {
		int64_t n;
		if (!def_const(d, lisp_caddr(t), env, &n) || n < 0 || n > (1 << 24))
			return false;
		if (!field_type(d, lisp_cadr(t), env, f, size, align) || f->count)
			return false;
		f->count = (uint32_t)n;
		*size *= (uint32_t)n;
		return true;
	}
	if (dsl_scalar_type(t, &sc)) {
		f->kind = DSL_F_INT;
		f->size = sc.size;
		f->sign = sc.sign;
		*size = *align = sc.size;
		return true;
	}
	if (lisp_symbolp(t) && t != LISP_NIL) {
		int32_t sid = dsl_struct_find(d, dsl_lisp_name(d, t));
		if (sid >= 0 && d->structs.data[sid].kind != DSL_HEADER) {
			f->kind = DSL_F_STRUCT;
			f->sub = (uint32_t)sid;
			*size = d->structs.data[sid].size;
			*align = d->structs.data[sid].align;
			return true;
		}
	}
	return false;
}

static uint32_t add_struct(struct dsl *d, struct dsl_struct *s)
{
	s->user = !d->in_prelude;
	int32_t old = dsl_struct_find(d, s->name);
	if (old >= 0) {
		d->structs.data[old] = *s; /* redefinition replaces */
		define_accessors(d, (uint32_t)old);
		return (uint32_t)old;
	}
	vec_push(&d->structs, *s);
	vec_push(&d->kfields, (struct dsl_kfield *)NULL);
	define_accessors(d, d->structs.len - 1);
	return d->structs.len - 1;
}

/* Defines NAME-record, make-NAME-record, decode-NAME, encode-NAME and
 * NAME-record-FIELD (with setf) in the Lisp context, for userspace code. */
static void define_record(struct dsl *d, uint32_t sid, lv env)
{
	const struct dsl_struct *s = &d->structs.data[sid];
	struct buf b = { 0 };
	buf_printf(&b, "(%%define-struct-record %s %u (", s->name, s->size);
	for (uint32_t i = 0; i < s->nfields; i++) {
		const struct dsl_field *f = &s->fields[i];
		uint32_t esize = f->kind == DSL_F_STRUCT ? d->structs.data[f->sub].size : f->size;
		buf_printf(&b, "(%s %u %u %s %u %s) ", f->name, f->offset, esize,
			   f->sign ? "t" : "nil", f->count, f->kind == DSL_F_STRUCT ? "t" : "nil");
	}
	buf_puts(&b, "))");
	lv form = lisp_read_string(d->ctx, buf_cstr(&b));
	buf_free(&b);
	if (form)
		lisp_eval_in(d->ctx, form, env);
}

/* (defstruct NAME (field TYPE) ...) */
static lv sf_defstruct(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct dsl *d = data;
	struct srcloc loc = dsl_loc(d, form);
	lv name = lisp_cadr(form);
	if (lisp_consp(name))
		name = lisp_car(name); /* (defstruct (name options...) ...) */
	if (!lisp_symbolp(name) || name == LISP_NIL) {
		dsl_error(
			d, loc,
			"defstruct needs a name: (defstruct event (pid u32) (comm (array u8 16)))");
		return LISP_NIL;
	}
	struct dsl_struct s = { .kind = DSL_STRUCT, .loc = loc, .align = 1 };
	s.name = dsl_lisp_name(d, name);
	s.cname = dsl_c_name(d, s.name);
	uint32_t n = 0;
	for (lv l = lisp_cddr(form); lisp_consp(l); l = lisp_cdr(l))
		n++;
	s.fields = arena_newn(&d->arena, struct dsl_field, n ? n : 1);
	uint32_t off = 0;
	for (lv l = lisp_cddr(form); lisp_consp(l); l = lisp_cdr(l)) {
		lv fd = lisp_car(l);
		struct srcloc fl = lisp_car_loc(l);
		if (lisp_stringp(fd))
			continue; /* documentation */
		if (!lisp_consp(fd) || !lisp_symbolp(lisp_car(fd)) || !lisp_consp(lisp_cdr(fd))) {
			dsl_error(d, fl, "defstruct %s: a field is (NAME TYPE), found %s", s.name,
				  dsl_text(d, fd));
			return LISP_NIL;
		}
		struct dsl_field *f = &s.fields[s.nfields];
		f->name = dsl_lisp_name(d, lisp_car(fd));
		f->cname = dsl_c_name(d, f->name);
		for (uint32_t i = 0; i < s.nfields; i++)
			if (!strcmp(s.fields[i].name, f->name)) {
				dsl_error(d, fl, "defstruct %s: field %s appears twice", s.name,
					  f->name);
				return LISP_NIL;
			}
		uint32_t size, align;
		if (!field_type(d, lisp_cadr(fd), env, f, &size, &align)) {
			dsl_error(d, lisp_elem_loc(fd, 1),
				  "defstruct %s: field %s has unknown type %s", s.name, f->name,
				  dsl_text(d, lisp_cadr(fd)));
			dsl_hint(
				d,
				"field types: u8 u16 u32 u64 i8 i16 i32 i64, a struct defined earlier, "
				"(array TYPE N)");
			return LISP_NIL;
		}
		off = ALIGN_UP(off, align);
		f->offset = off;
		off += size;
		s.align = MAX(s.align, align);
		s.nfields++;
	}
	s.size = ALIGN_UP(off, s.align);
	uint32_t sid = add_struct(d, &s);
	define_record(d, sid, env);
	return name;
}

/* (defunion NAME S1 S2 ...): one buffer big enough for each struct. */
static lv sf_defunion(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct dsl *d = data;
	struct srcloc loc = dsl_loc(d, form);
	lv name = lisp_cadr(form);
	if (!lisp_symbolp(name) || name == LISP_NIL) {
		dsl_error(d, loc,
			  "defunion needs a name and structs: (defunion buf ip-hdr tcp-hdr)");
		return LISP_NIL;
	}
	struct dsl_struct s = { .kind = DSL_UNION, .loc = loc, .align = 1 };
	s.name = dsl_lisp_name(d, name);
	s.cname = dsl_c_name(d, s.name);
	uint32_t n = 0;
	for (lv l = lisp_cddr(form); lisp_consp(l); l = lisp_cdr(l))
		n++;
	s.fields = arena_newn(&d->arena, struct dsl_field, n ? n : 1);
	for (lv l = lisp_cddr(form); lisp_consp(l); l = lisp_cdr(l)) {
		lv m = lisp_car(l);
		int32_t sid = lisp_symbolp(m) ? dsl_struct_find(d, dsl_lisp_name(d, m)) : -1;
		struct dtype sc;
		struct dsl_field *f = &s.fields[s.nfields];
		uint32_t size, align;
		if (sid >= 0 && d->structs.data[sid].kind != DSL_HEADER) {
			f->kind = DSL_F_STRUCT;
			f->sub = (uint32_t)sid;
			size = d->structs.data[sid].size;
			align = d->structs.data[sid].align;
			f->name = d->structs.data[sid].name;
		} else if (dsl_scalar_type(m, &sc)) {
			f->kind = DSL_F_INT;
			f->size = sc.size;
			f->sign = sc.sign;
			size = align = sc.size;
			f->name = dsl_lisp_name(d, m);
		} else {
			dsl_error(d, lisp_car_loc(l),
				  "defunion %s: %s is not a struct defined with defstruct", s.name,
				  dsl_text(d, m));
			return LISP_NIL;
		}
		f->cname = dsl_c_name(d, f->name);
		s.size = MAX(s.size, size);
		s.align = MAX(s.align, align);
		s.nfields++;
	}
	s.size = ALIGN_UP(s.size, s.align);
	add_struct(d, &s);
	return name;
}

/* (defheader NAME (field :offset N :type T [:net-order t]) ...) */
static lv sf_defheader(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct dsl *d = data;
	struct srcloc loc = dsl_loc(d, form);
	lv name = lisp_cadr(form);
	if (!lisp_symbolp(name) || name == LISP_NIL) {
		dsl_error(
			d, loc,
			"defheader needs a name: (defheader vlan (tci :offset 0 :type u16 :net-order t))");
		return LISP_NIL;
	}
	struct dsl_struct s = { .kind = DSL_HEADER, .loc = loc, .align = 1 };
	s.name = dsl_lisp_name(d, name);
	s.cname = dsl_c_name(d, s.name);
	uint32_t n = 0;
	for (lv l = lisp_cddr(form); lisp_consp(l); l = lisp_cdr(l))
		n++;
	s.fields = arena_newn(&d->arena, struct dsl_field, n ? n : 1);
	for (lv l = lisp_cddr(form); lisp_consp(l); l = lisp_cdr(l)) {
		lv fd = lisp_car(l);
		struct srcloc fl = lisp_car_loc(l);
		struct dsl_field *f = &s.fields[s.nfields];
		if (!lisp_consp(fd) || !lisp_symbolp(lisp_car(fd))) {
			dsl_error(
				d, fl,
				"defheader %s: a field is (NAME :offset N :type T [:net-order t])",
				s.name);
			return LISP_NIL;
		}
		f->name = dsl_lisp_name(d, lisp_car(fd));
		f->cname = dsl_c_name(d, f->name);
		lv off = lisp_getf(lisp_cdr(fd), lisp_intern(ctx, ":OFFSET"), NULL);
		lv ty = lisp_getf(lisp_cdr(fd), lisp_intern(ctx, ":TYPE"), NULL);
		lv no = lisp_getf(lisp_cdr(fd), lisp_intern(ctx, ":NET-ORDER"), LISP_NIL);
		int64_t o;
		uint32_t size, align;
		if (!off || !ty || !def_const(d, off, env, &o) || o < 0 || o > 65535 ||
		    !field_type(d, ty, env, f, &size, &align) || f->kind != DSL_F_INT) {
			dsl_error(d, fl,
				  "defheader %s: field %s needs :offset N and a scalar :type",
				  s.name, f->name);
			return LISP_NIL;
		}
		f->offset = (uint32_t)o;
		f->net_order = no != LISP_NIL && f->size > 1;
		s.size = MAX(s.size, f->offset + size);
		s.nfields++;
	}
	add_struct(d, &s);
	return name;
}

/* (sizeof NAME) at compile time, also for ordinary Lisp code. */
static lv sf_sizeof(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct dsl *d = data;
	lv name = lisp_cadr(form);
	struct dtype sc;
	int32_t sid = -1;
	for (int pass = 0; pass < 2; pass++) {
		if (dsl_scalar_type(name, &sc))
			return lisp_make_int(ctx, sc.size);
		sid = lisp_symbolp(name) ? dsl_struct_find(d, dsl_lisp_name(d, name)) : -1;
		if (sid >= 0 || pass)
			break;
		/* (sizeof type) in a macro: the name is a variable's value */
		bool found = false;
		if (lisp_symbolp(name) && name != LISP_NIL)
			lisp_env_lookup_var(ctx, env, name, &found);
		if (!found && !lisp_consp(name))
			break;
		name = lisp_eval_in(ctx, name, env);
	}
	if (sid < 0)
		lisp_error_at(ctx, form, "sizeof: %s is not a struct or scalar type",
			      dsl_text(d, name));
	return lisp_make_int(ctx, d->structs.data[sid].size);
}

void dsl_types_register(struct dsl *d)
{
	lisp_defspecial(d->ctx, "defstruct", sf_defstruct, d);
	lisp_defspecial(d->ctx, "defunion", sf_defunion, d);
	lisp_defspecial(d->ctx, "defheader", sf_defheader, d);
	lisp_defspecial(d->ctx, "sizeof", sf_sizeof, d);
}

/* ---- IR types ------------------------------------------------------------------- */

static uint32_t field_irtype(struct dsl *d, const struct dsl_field *f)
{
	uint32_t t = f->kind == DSL_F_STRUCT ? dsl_struct_irtype(d, f->sub)
					     : dsl_int_irtype(f->size, f->sign);
	return f->count ? ir_type_array(d->m, t, f->count) : t;
}

static int cmp_member(const void *a, const void *b)
{
	const struct ir_member *x = a, *y = b;
	return x->bit_off < y->bit_off ? -1 : x->bit_off > y->bit_off;
}

uint32_t dsl_struct_irtype(struct dsl *d, uint32_t sid)
{
	if (d->struct_ir[sid])
		return d->struct_ir[sid];
	const struct dsl_struct *s = &d->structs.data[sid];
	struct ir_module *m = d->m;
	struct ir_type t = { .kind = s->kind == DSL_UNION ? IRT_UNION : IRT_STRUCT,
			     .size = s->size };
	t.label = arena_printf(&m->arena, "%s%s", s->kind == DSL_KERNEL ? "k." : "s.", s->cname);
	t.name = s->cname;
	t.members = arena_newn(&m->arena, struct ir_member, s->nfields ? s->nfields : 1);
	/* a forward declaration first, so self-referencing kernel structs work */
	d->struct_ir[sid] = UINT32_MAX;
	for (uint32_t i = 0; i < s->nfields; i++) {
		const struct dsl_field *f = &s->fields[i];
		struct ir_member *mb = &t.members[t.nmembers++];
		mb->name = arena_strdup(&m->arena, s->kind == DSL_KERNEL ? f->cname : f->cname);
		mb->bit_off = s->kind == DSL_UNION ? 0 : f->offset * 8;
		struct dsl_kfield *kf = d->kfields.data[sid] ? &d->kfields.data[sid][i] : NULL;
		if (kf && kf->is_ptr) {
			uint32_t to = IRT_T_VOID, psid = kernel_ptr_sid(d, kf);
			if (psid && d->struct_ir[psid - 1] != UINT32_MAX)
				to = dsl_struct_irtype(d, psid - 1);
			mb->type = ir_type_ptr(m, to);
		} else {
			mb->type = field_irtype(d, f);
		}
	}
	if (s->kind == DSL_KERNEL)
		qsort(t.members, t.nmembers, sizeof(*t.members), cmp_member);
	d->struct_ir[sid] = ir_type_add(m, &t);
	return d->struct_ir[sid];
}
