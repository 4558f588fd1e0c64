/* File-scope data of a C unit: BTF-defined maps in ".maps" (__uint, __type,
 * __array members, inner map templates, initial prog-array and map-in-map
 * entries), global variables and their initial bytes (.bss, .data, .rodata,
 * explicit sections) with the addresses they hold (struct_ops function
 * pointers), static locals, externs (__kconfig, __ksym, and variables and
 * maps another object defines), string literals in .rodata.str1.1, the
 * license, and the bpf_helper_defs.h idiom (a static pointer to function
 * initialised with the helper's number). */
#include "frontend/c/lower_internal.h"

#include <string.h>

static const char *section_of(const struct cdecl *d)
{
	return d->attrs ? d->attrs->section : NULL;
}

bool ld_is_extern_decl(const struct cdecl *d)
{
	return d->storage == CSC_EXTERN && !(d->kind == CD_VAR && d->u.var.init) &&
	       !(d->flags & CDF_DEFINED);
}

/* A BTF map definition: a struct of __uint/__type/__array fields, one of
 * them the map's type. */
static bool map_definition_type(struct ctype *t)
{
	static const char *const fields[] = { "type",	   "key",	 "value",    "max_entries",
					      "map_flags", "numa_node",	 "pinning",  "key_size",
					      "value_size", "map_extra", "values" };
	t = ctype_strip_typedefs(t);
	if (t->kind != TY_STRUCT)
		return false;
	struct crecord *r = t->u.rec;
	crecord_complete(r);
	bool has_type = false;
	for (uint32_t i = 0; i < r->nmembers; i++) {
		const struct cmember *m = &r->members[i];
		if (!m->name || (m->type->kind != TY_PTR && m->type->kind != TY_ARRAY))
			return false;
		size_t k = 0;
		while (k < ARRAY_LEN(fields) && strcmp(fields[k], m->name->name))
			k++;
		if (k == ARRAY_LEN(fields))
			return false;
		has_type |= k == 0;
	}
	return has_type;
}

bool ld_is_map(const struct cdecl *d)
{
	const char *s = section_of(d);
	if (d->kind != CD_VAR)
		return false;
	if (s)
		return !strcmp(s, ".maps") || !strcmp(s, "maps");
	/* `extern array_map rx_cnt;`: a map of another object declared without
	 * its section (clang then lists it in no DATASEC; the linker finds it) */
	return ld_is_extern_decl(d) && map_definition_type(d->type);
}

/* ---- helpers: static long (*bpf_x)(...) = (void *) N; ------------------------------ */

static bool helper_decl(struct lower *L, struct cdecl *d, int *id)
{
	(void)L;
	if (d->kind != CD_VAR || d->type->kind != TY_PTR || d->type->u.pointee->kind != TY_FUNC ||
	    !d->u.var.init || d->u.var.init->kind != CI_EXPR)
		return false;
	struct cconst c;
	if (!ceval_const(d->u.var.init->u.expr, &c) || c.kind != CC_INT || c.ival <= 0 ||
	    c.ival > 100000)
		return false;
	*id = (int)c.ival;
	return true;
}

bool ld_helper_id(struct lower *L, struct cdecl *d, int *id)
{
	uintptr_t v;
	if (!pmap_get(&L->helpers, pkey(d), &v))
		return false;
	*id = (int)v;
	return true;
}

/* ---- initial bytes ------------------------------------------------------------------ */

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_bits(uint8_t *p, uint64_t bit_off, unsigned bits, uint64_t v)
{
	for (unsigned i = 0; i < bits; i++) {
		uint64_t b = bit_off + i;
		if ((v >> i) & 1)
			p[b / 8] |= (uint8_t)(1u << (b % 8));
		else
			p[b / 8] &= (uint8_t) ~(1u << (b % 8));
	}
}

/* Addresses found in an initializer: 8-byte slots resolved later. */
struct addrs {
	VEC(struct laddr) v;
};

/* Writes a constant initializer into img (size bytes at off), collecting
 * the addresses it holds into a. Returns false after an error. */
static bool init_bytes(struct lower *L, struct cinit *in, struct ctype *t, uint8_t *img,
		       uint64_t size, uint64_t off, struct addrs *a)
{
	if (!in)
		return true;
	if (in->kind == CI_LIST) {
		if (ctype_is_record(t))
			crecord_layout(t->u.rec);
		for (uint32_t i = 0; i < in->u.list.n; i++) {
			struct cinit_elem *el = &in->u.list.elems[i];
			if (el->member) {
				struct cmember *m = el->member;
				if (m->flags & CMF_BITFIELD) {
					struct cconst c;
					if (el->init->kind != CI_EXPR ||
					    !ceval_const(el->init->u.expr, &c) ||
					    c.kind != CC_INT) {
						lw_error(L, el->init->loc,
							 "bit-field initializer is not a constant");
						return false;
					}
					put_bits(img + off, m->bit_offset, m->bit_width,
						 (uint64_t)c.ival);
					continue;
				}
				if (!init_bytes(L, el->init, m->type, img, size,
						off + m->bit_offset / 8, a))
					return false;
			} else {
				struct ctype *elem = t->kind == TY_ARRAY ? t->u.arr.elem : t;
				uint64_t es = ctype_size(elem);
				for (uint64_t k = el->lo; k <= el->hi; k++)
					if (!init_bytes(L, el->init, elem, img, size, off + k * es, a))
						return false;
			}
		}
		return true;
	}
	struct cexpr *e = in->u.expr;
	uint64_t n = ctype_size(t);
	if (off + n > size)
		return true; /* flexible array data past the type: not placed */
	if (e->op == E_STRING && t->kind == TY_ARRAY) {
		memcpy(img + off, e->u.str->bytes, MIN((uint64_t)e->u.str->len, n));
		return true;
	}
	if (lt_is_aggregate(t)) {
		struct cexpr *x = e;
		while ((x->op == E_CONV || x->op == E_CAST) &&
		       (x->ck == CK_NOOP || x->ck == CK_LVAL || x->ck == CK_RECORD))
			x = x->u.bin.a;
		if (x->op == E_COMPOUND_LIT)
			return init_bytes(L, x->u.lit.obj->u.var.init, t, img, size, off, a);
		lw_unsupported(L, in->loc, "initializing static data with a struct or array value");
		return false;
	}
	struct cconst c;
	if (!ceval_const(e, &c)) {
		lw_error(L, in->loc, "initializer element is not a compile-time constant");
		return false;
	}
	switch (c.kind) {
	case CC_INT:
		put_le(img + off, (uint64_t)c.ival, (unsigned)n);
		return true;
	case CC_FLOAT:
		if (n == 4) {
			float f = (float)c.fval;
			memcpy(img + off, &f, 4);
		} else {
			memcpy(img + off, &c.fval, 8);
		}
		return true;
	case CC_ADDR:
	case CC_STRING_ADDR:
		/* the offset is the relocation's addend, kept in the bytes */
		if (n != 8) {
			lw_unsupported(L, in->loc, "an address in an initializer narrower than a pointer");
			return false;
		}
		put_le(img + off, (uint64_t)c.ival, 8);
		vec_push(&a->v, ((struct laddr){ 0, (uint32_t)off, c, in->loc }));
		return true;
	default:
		lw_error(L, in->loc, "initializer element is not a compile-time constant");
		return false;
	}
}

/* ---- global variables ------------------------------------------------------------------ */

static bool is_const_object(struct ctype *t)
{
	while (t->kind == TY_ARRAY)
		t = t->u.arr.elem;
	return (t->quals & CQ_CONST) != 0;
}

static bool all_zero(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static const char *var_name(struct lower *L, struct cdecl *d)
{
	if (d->attrs && d->attrs->asm_label)
		return d->attrs->asm_label;
	if ((d->flags & CDF_LOCAL_STATIC) && d->u.var.func)
		return arena_printf(&L->arena, "%s.%s", lw_name(d->u.var.func), lw_name(d));
	return lw_name(d);
}

static uint32_t add_sym(struct lower *L, enum ir_sym_kind kind, const char *name, struct cdecl *d)
{
	/* static locals of the same name in one function: f.x, f.x.1 (as clang names them) */
	if ((d->flags & CDF_LOCAL_STATIC) && ir_sym_lookup(L->m, name))
		for (unsigned k = 1; ir_sym_lookup(L->m, name); k++)
			name = arena_printf(&L->arena, "%s.%s.%u", lw_name(d->u.var.func),
					    lw_name(d), k);
	uint32_t s = ir_sym_add(L->m, kind, name);
	if (!s) {
		lw_error(L, d->loc, "'%s' is defined twice in the object", name);
		return 0;
	}
	ir_sym(L->m, s)->pos = d->loc.line;
	pmap_put(&L->syms, pkey(d), s + 1);
	const char **tags = d->attrs ? d->attrs->decl_tags : NULL;
	if (tags) {
		uint32_t n = 0;
		while (tags[n])
			n++;
		const char **out = arena_alloc(&L->m->arena, sizeof(*out) * (n + 1));
		for (uint32_t i = 0; i < n; i++)
			out[i] = arena_strdup(&L->m->arena, tags[i]);
		ir_sym(L->m, s)->tags = out;
		ir_sym(L->m, s)->ntags = n;
	}
	return s;
}

/* ELF binding and visibility from __weak and __hidden. */
static void set_binding(struct lower *L, uint32_t s, const struct cdecl *d)
{
	if (d->linkage != CL_EXTERNAL || !d->attrs)
		return;
	ir_sym(L->m, s)->weak = (d->attrs->flags & CA_WEAK) != 0;
	ir_sym(L->m, s)->hidden = d->attrs->visibility == CVIS_HIDDEN;
}

uint32_t ld_extern_sym(struct lower *L, struct cdecl *d)
{
	uintptr_t v;
	if (pmap_get(&L->syms, pkey(d), &v))
		return (uint32_t)v - 1;
	const char *sec = section_of(d);
	enum ir_extern_kind kind;
	if (sec && !strcmp(sec, ".kconfig"))
		kind = IR_EXT_KCONFIG;
	else if (sec && !strcmp(sec, ".ksyms"))
		kind = d->kind == CD_FUNC ? IR_EXT_KFUNC : IR_EXT_KSYM;
	else /* defined in another object: the static linker resolves it */
		kind = d->kind == CD_FUNC ? IR_EXT_FUNC : IR_EXT_VAR;
	const char *name = d->attrs && d->attrs->asm_label ? d->attrs->asm_label : lw_name(d);
	uint32_t s = add_sym(L, IR_SYM_EXTERN, name, d);
	if (!s)
		return 0;
	struct ir_sym *sym = ir_sym(L->m, s);
	sym->ext.kind = (uint8_t)kind;
	if (kind == IR_EXT_VAR && sec)
		sym->ext.section = arena_strdup(&L->m->arena, sec);
	set_binding(L, s, d);
	bool func = kind == IR_EXT_KFUNC || kind == IR_EXT_FUNC;
	uint32_t type = func ? lt_proto(L, d->type, NULL, 0) : lt_full(L, d->type);
	ir_sym(L->m, s)->ext.type = type;
	if (kind == IR_EXT_KFUNC)
		lt_complete_pointees(L, d->type);
	return s;
}

uint32_t ld_var_sym(struct lower *L, struct cdecl *d, struct srcloc use)
{
	uintptr_t v;
	if (pmap_get(&L->syms, pkey(d), &v))
		return (uint32_t)v - 1;
	if (d->kind != CD_VAR)
		return 0;
	if (ld_is_extern_decl(d))
		return ld_extern_sym(L, d);
	struct ctype *t = d->type;
	if (!ctype_is_complete(t)) {
		lw_error(L, d->loc, "variable '%s' has an incomplete type", lw_name(d));
		return 0;
	}
	uint64_t size = ctype_size(t);
	if (size > 1u << 30) {
		lw_error(L, d->loc, "variable '%s' is too large", lw_name(d));
		return 0;
	}
	uint8_t *img = xcalloc(size ? size : 1, 1);
	struct addrs a = { 0 };
	if (!init_bytes(L, d->u.var.init, t, img, size, 0, &a)) {
		free(img);
		vec_free(&a.v);
		return 0;
	}
	/* the variables it points to first, as clang lays them out (a cycle
	 * of addresses waits for ld_data_addrs) */
	vec_push(&L->defining, d);
	vec_foreach (&a.v, x) {
		struct cdecl *td = x->c.kind == CC_ADDR ? x->c.decl : NULL;
		bool busy = false;
		vec_foreach (&L->defining, b)
			busy |= *b == td;
		if (td && td->kind == CD_VAR && td->name && !busy && !ld_is_map(td) &&
		    !ld_is_extern_decl(td))
			ld_var_sym(L, td, x->loc);
	}
	L->defining.len--;
	const char *sec = section_of(d);
	if (!sec) /* addresses need bytes to hold their addends: never .bss */
		sec = is_const_object(t)		? ".rodata"
		      : all_zero(img, size) && !a.v.len ? ".bss"
							: ".data";
	uint32_t s = add_sym(L, IR_SYM_GLOBAL, var_name(L, d), d);
	if (!s) {
		free(img);
		vec_free(&a.v);
		return 0;
	}
	set_binding(L, s, d);
	vec_foreach (&a.v, x) {
		x->global = s;
		vec_push(&L->addrs, *x);
	}
	vec_free(&a.v);
	uint32_t type = lt_full(L, t);
	struct ir_global *g = &ir_sym(L->m, s)->global;
	g->type = type;
	g->section = arena_strdup(&L->m->arena, sec);
	g->align = d->attrs && d->attrs->align ? MIN(d->attrs->align, 8u) : 0;
	g->linkage = d->linkage == CL_EXTERNAL ? IR_GLOBAL : IR_STATIC;
	if (!all_zero(img, size)) {
		g->init = arena_memdup(&L->m->arena, img, size);
		g->ninit = (uint32_t)size;
	}
	free(img);
	return s;
}

/* ---- string literals ------------------------------------------------------------------------ */

uint32_t ld_string(struct lower *L, const struct cstring *s)
{
	uintptr_t v;
	if (pmap_get(&L->strs, pkey(s), &v))
		return (uint32_t)v - 1;
	uint32_t off = (uint32_t)L->strpool.len;
	buf_append(&L->strpool, s->bytes, s->len);
	pmap_put(&L->strs, pkey(s), off + 1);
	if (!L->strsym) {
		L->strsym = ir_sym_add(L->m, IR_SYM_GLOBAL, ".str");
		W_ASSERT(L->strsym);
	}
	return off;
}

/* ---- maps -------------------------------------------------------------------------------------
 */

struct mapdef {
	uint32_t type, max_entries, flags, numa, pinning, key_size, value_size;
	uint64_t extra;
	struct ctype *key, *value, *values;
	bool has_type;
};

static bool map_field_value(struct lower *L, struct cmember *m, uint64_t *out)
{
	struct ctype *t = m->type;
	/* __uint(name, N): int (*name)[N] */
	if (t->kind == TY_PTR && t->u.pointee->kind == TY_ARRAY) {
		*out = t->u.pointee->u.arr.len;
		return true;
	}
	/* __ulong(name, N): enum { x = N } *name */
	if (t->kind == TY_PTR && t->u.pointee->kind == TY_ENUM && t->u.pointee->u.en->nconsts) {
		*out = (uint64_t)t->u.pointee->u.en->consts[0]->u.ec.value;
		return true;
	}
	lw_error(L, m->loc, "map field '%s' must be declared with __uint(%s, N)", m->name->name,
		 m->name->name);
	return false;
}

static bool parse_mapdef(struct lower *L, struct crecord *r, struct mapdef *md, struct srcloc loc)
{
	memset(md, 0, sizeof(*md));
	crecord_complete(r);
	for (uint32_t i = 0; i < r->nmembers; i++) {
		struct cmember *m = &r->members[i];
		if (!m->name)
			continue;
		const char *n = m->name->name;
		uint64_t v = 0;
		if (!strcmp(n, "key") || !strcmp(n, "value")) {
			if (m->type->kind != TY_PTR) {
				lw_error(L, m->loc,
					 "map field '%s' must be declared with __type(%s, T)", n,
					 n);
				return false;
			}
			*(!strcmp(n, "key") ? &md->key : &md->value) = m->type->u.pointee;
			continue;
		}
		if (!strcmp(n, "values")) {
			if (m->type->kind != TY_ARRAY || m->type->u.arr.elem->kind != TY_PTR) {
				lw_error(
					L, m->loc,
					"map field 'values' must be declared with __array(values, T)");
				return false;
			}
			md->values = m->type->u.arr.elem->u.pointee;
			continue;
		}
		if (!map_field_value(L, m, &v))
			return false;
		if (!strcmp(n, "type"))
			md->type = (uint32_t)v, md->has_type = true;
		else if (!strcmp(n, "max_entries"))
			md->max_entries = (uint32_t)v;
		else if (!strcmp(n, "map_flags"))
			md->flags = (uint32_t)v;
		else if (!strcmp(n, "numa_node"))
			md->numa = (uint32_t)v;
		else if (!strcmp(n, "pinning"))
			md->pinning = (uint32_t)v;
		else if (!strcmp(n, "key_size"))
			md->key_size = (uint32_t)v;
		else if (!strcmp(n, "value_size"))
			md->value_size = (uint32_t)v;
		else if (!strcmp(n, "map_extra"))
			md->extra = v;
		else {
			lw_error(L, m->loc, "unknown map field '%s'", n);
			return false;
		}
	}
	if (!md->has_type) {
		lw_error(L, loc,
			 "map definition without a type: add __uint(type, BPF_MAP_TYPE_...)");
		return false;
	}
	return true;
}

static enum ir_maptype maptype_of(uint32_t id)
{
	for (unsigned i = 1; i < IR_NMAPTYPES; i++)
		if ((uint32_t)ir_maptypes[i].kernel_id == id)
			return i;
	return IR_MAP_NONE;
}

static bool fill_map(struct lower *L, uint32_t s, const struct mapdef *md, struct srcloc loc)
{
	enum ir_maptype mt = maptype_of(md->type);
	if (mt == IR_MAP_NONE) {
		lw_error(L, loc, "unknown map type %u", md->type);
		return false;
	}
	uint32_t key = md->key	      ? lt_full(L, md->key)
		       : md->key_size ? ir_type_bytes(L->m, md->key_size)
				      : 0;
	uint32_t value = 0;
	if (md->value)
		value = lt_full(L, md->value);
	else if (md->value_size)
		value = ir_type_bytes(L->m, md->value_size);
	else if (md->values && (mt == IR_MAP_prog_array || (ir_maptypes[mt].props & MT_OF_MAPS)))
		value = IRT_T_U32;
	if (!key && (mt == IR_MAP_prog_array || (ir_maptypes[mt].props & MT_OF_MAPS)))
		key = IRT_T_U32;
	/* sizes the loader's user sets before creating the map */
	if (!key && (ir_maptypes[mt].props & MT_KEY))
		key = ir_type_array(L->m, IRT_T_U8, 0);
	if (!value && (ir_maptypes[mt].props & MT_VALUE))
		value = ir_type_array(L->m, IRT_T_U8, 0);
	if (md->pinning > 1) {
		lw_error(L, loc, "map pinning %u is not supported (0: none, 1: LIBBPF_PIN_BY_NAME)",
			 md->pinning);
		return false;
	}
	struct ir_map *mp = &ir_sym(L->m, s)->map;
	mp->type = (uint8_t)mt;
	mp->key = key;
	mp->value = value;
	mp->max_entries = md->max_entries;
	mp->flags = md->flags;
	mp->numa_node = md->numa;
	mp->extra = md->extra;
	mp->pinning = md->pinning ? IR_PIN_BY_NAME : IR_PIN_NONE;
	return true;
}

/* Initial entries: .values = { [i] = &map or (void *)&prog }; resolved at
 * the end, when programs have their symbols. */
static void map_values_init(struct lower *L, uint32_t s, struct cdecl *d)
{
	struct cinit *in = d->u.var.init;
	if (!in)
		return;
	if (in->kind != CI_LIST) {
		lw_unsupported(L, in->loc, "this map initializer");
		return;
	}
	for (uint32_t i = 0; i < in->u.list.n; i++) {
		struct cinit_elem *el = &in->u.list.elems[i];
		if (!el->member || !el->member->name || strcmp(el->member->name->name, "values")) {
			lw_error(L, el->init->loc, "only the 'values' of a map can be initialized");
			continue;
		}
		struct cinit *vals = el->init;
		if (vals->kind != CI_LIST)
			continue;
		for (uint32_t k = 0; k < vals->u.list.n; k++) {
			struct cinit_elem *v = &vals->u.list.elems[k];
			struct cconst c;
			if (v->init->kind != CI_EXPR || !ceval_const(v->init->u.expr, &c)) {
				lw_error(L, v->init->loc,
					 "a map's initial values are maps or programs");
				continue;
			}
			if (c.kind == CC_INT && c.ival == 0)
				continue;
			if (c.kind != CC_ADDR || c.ival) {
				lw_error(L, v->init->loc,
					 "a map's initial values are maps or programs");
				continue;
			}
			for (uint64_t idx = v->lo; idx <= v->hi; idx++) {
				struct ir_map *mp = &ir_sym(L->m, s)->map;
				struct ir_map_init *ni =
					arena_alloc(&L->m->arena, sizeof(*ni) * (mp->ninit + 1));
				if (mp->ninit)
					memcpy(ni, mp->init, sizeof(*ni) * mp->ninit);
				ni[mp->ninit].index = (uint32_t)idx;
				ni[mp->ninit].sym = 0;
				mp->init = ni;
				mp->ninit++;
				struct lpending p = { s, c.decl, v->init->loc };
				vec_push(&L->pending, p);
			}
		}
	}
}

uint32_t ld_map_sym(struct lower *L, struct cdecl *d)
{
	uintptr_t v;
	if (pmap_get(&L->syms, pkey(d), &v))
		return (uint32_t)v - 1;
	const char *sec = section_of(d);
	if (sec && !strcmp(sec, "maps")) {
		lw_unsupported(
			L, d->loc,
			"legacy map definitions (SEC(\"maps\"), struct bpf_map_def): use BTF-defined maps in SEC(\".maps\")");
		return 0;
	}
	struct ctype *t = ctype_strip_typedefs(d->type);
	if (t->kind != TY_STRUCT) {
		lw_error(L, d->loc,
			 "map '%s' must be a struct (BTF-defined map) to be in section \".maps\"",
			 lw_name(d));
		return 0;
	}
	struct mapdef md;
	if (!parse_mapdef(L, t->u.rec, &md, d->loc))
		return 0;
	uint32_t s = add_sym(L, IR_SYM_MAP, lw_name(d), d);
	if (!s || !fill_map(L, s, &md, d->loc))
		return 0;
	set_binding(L, s, d);
	/* defined in another object: the declaration says what it must be */
	ir_sym(L->m, s)->map.is_extern = ld_is_extern_decl(d);
	/* its BTF is the struct as written, as clang's: the static linker
	 * compares it with other objects' */
	uint32_t def = lt_full(L, d->type);
	ir_sym(L->m, s)->map.def = def;
	if (md.values && md.values->kind == TY_STRUCT) {
		/* a map of maps: the inner map's definition is a template, its BTF
		 * whole (libbpf refuses a FWD there) */
		lt_complete(L, md.values);
		struct mapdef inner;
		if (!parse_mapdef(L, md.values->u.rec, &inner, md.values->u.rec->loc))
			return 0;
		uint32_t in = ir_sym_add(L->m, IR_SYM_MAP,
					 arena_printf(&L->arena, "%s.inner", lw_name(d)));
		if (!in || !fill_map(L, in, &inner, d->loc))
			return 0;
		ir_sym(L->m, in)->map.is_template = true;
		ir_sym(L->m, s)->map.inner = in;
	}
	if (ir_sym(L->m, s)->map.is_extern) {
		if (d->u.var.init)
			lw_error(L, d->loc, "an extern map has no initial values");
	} else {
		map_values_init(L, s, d);
	}
	return s;
}

/* ---- the whole unit ----------------------------------------------------------------------------
 */

static void license(struct lower *L, struct cdecl *d)
{
	struct cinit *in = d->u.var.init;
	if (!in || in->kind != CI_EXPR || in->u.expr->op != E_STRING) {
		lw_error(
			L, d->loc,
			"the license must be a string: char LICENSE[] SEC(\"license\") = \"GPL\";");
		return;
	}
	const struct cstring *s = in->u.expr->u.str;
	L->m->license = arena_strndup(&L->m->arena, (const char *)s->bytes,
				      strnlen((const char *)s->bytes, s->len));
}

void ld_globals(struct lower *L)
{
	vec_foreach (&L->tu->globals, g) {
		struct cdecl *d = *g;
		if (d->kind != CD_VAR)
			continue;
		int id;
		const char *sec = section_of(d);
		if (helper_decl(L, d, &id)) {
			pmap_put(&L->helpers, pkey(d), (uintptr_t)id);
			continue;
		}
		if (ld_is_map(d)) {
			/* one another object defines is in this one only if used */
			if (!ld_is_extern_decl(d))
				ld_map_sym(L, d);
			continue;
		}
		if (sec && !strcmp(sec, "license")) {
			license(L, d);
			continue;
		}
		if (sec && !strcmp(sec, "version"))
			continue; /* kernels before 5.0 wanted it; loaders ignore it */
		/* defined variables with external linkage are in the object even when unused */
		if (d->linkage == CL_EXTERNAL && d->storage != CSC_EXTERN)
			ld_var_sym(L, d, d->loc);
		else if (d->linkage == CL_EXTERNAL && d->u.var.init)
			ld_var_sym(L, d, d->loc);
		else if (d->attrs && (d->attrs->flags & CA_USED))
			ld_var_sym(L, d, d->loc);
	}
}

/* The symbol whose address an initializer takes, or 0 after an error. */
static uint32_t addr_target(struct lower *L, struct laddr *x, int64_t *addend)
{
	if (x->c.kind == CC_STRING_ADDR) {
		*addend += ld_string(L, x->c.str);
		return L->strsym;
	}
	struct cdecl *d = x->c.decl;
	if (!d->name) {
		lw_unsupported(L, x->loc, "the address of a compound literal in static data");
		return 0;
	}
	if (d->kind == CD_FUNC) {
		if (!d->u.fn.body) {
			const char *sec = section_of(d);
			if (sec && !strcmp(sec, ".ksyms")) {
				lw_error(L, x->loc, "the address of kfunc '%s' cannot be in static data",
					 lw_name(d));
				return 0;
			}
			return ld_extern_sym(L, d);
		}
		struct lfninfo *fi = lc_info(L, d);
		return fi->kind == LF_PROG ? fi->sym : lc_subprog_sym(L, d, x->loc);
	}
	if (d->kind != CD_VAR) {
		lw_error(L, x->loc, "'%s' has no address", lw_name(d));
		return 0;
	}
	return ld_is_map(d) ? ld_map_sym(L, d) : ld_var_sym(L, d, x->loc);
}

void ld_data_addrs(struct lower *L)
{
	/* resolving one may make another global (&x, x's initializer has &y) */
	for (uint32_t i = 0; i < L->addrs.len; i++) {
		struct laddr x = L->addrs.data[i];
		int64_t addend = x.c.ival;
		uint32_t target = addr_target(L, &x, &addend);
		if (!target)
			continue;
		struct ir_global *g = &ir_sym(L->m, x.global)->global;
		if (addend != x.c.ival) { /* a string's offset in the pool */
			uint8_t *bytes = arena_alloc(&L->m->arena, ir_type_size(L->m, g->type));
			if (g->init)
				memcpy(bytes, g->init, g->ninit);
			put_le(bytes + x.off, (uint64_t)addend, 8);
			g->init = bytes;
			g->ninit = ir_type_size(L->m, g->type);
		}
		/* kept in order of offsets, as the IR wants them */
		struct ir_data_reloc *r =
			arena_alloc(&L->m->arena, sizeof(*r) * (g->nrelocs + 1));
		uint32_t k = 0;
		for (; k < g->nrelocs && g->relocs[k].off < x.off; k++)
			r[k] = g->relocs[k];
		if (k < g->nrelocs && g->relocs[k].off == x.off) { /* initialized twice */
			g->relocs[k].sym = target;
			continue;
		}
		r[k] = (struct ir_data_reloc){ x.off, target };
		for (; k < g->nrelocs; k++)
			r[k + 1] = g->relocs[k];
		g->relocs = r;
		g->nrelocs++;
	}
	L->addrs.len = 0;
}

/* Fills what waits for the end: initial map entries, the string pool. */
void ld_finish(struct lower *L)
{
	vec_foreach (&L->pending, p) {
		struct ir_map *mp = &ir_sym(L->m, p->map)->map;
		uint32_t target = 0;
		if (p->decl->kind == CD_FUNC) {
			struct lfninfo *fi = lc_info(L, p->decl);
			target = fi->kind == LF_PROG ? fi->sym : 0;
		} else if (ld_is_map(p->decl)) {
			target = ld_map_sym(L, p->decl);
		}
		if (!target) {
			lw_error(L, p->loc, "'%s' is not a %s", lw_name(p->decl),
				 mp->type == IR_MAP_prog_array ? "program" : "map");
			continue;
		}
		for (uint32_t i = 0; i < mp->ninit; i++)
			if (!mp->init[i].sym) {
				mp->init[i].sym = target;
				break;
			}
	}
	vec_free(&L->pending);
	vec_free(&L->addrs);
	vec_free(&L->defining);
	if (L->strsym) {
		struct ir_global *g = &ir_sym(L->m, L->strsym)->global;
		g->type = ir_type_array(L->m, lt_type(L, L->tu->ty[TY_CHAR]),
					(uint32_t)L->strpool.len);
		g->section = ".rodata.str1.1";
		g->linkage = IR_STATIC;
		g->align = 1;
		g->init = arena_memdup(&L->m->arena, L->strpool.data, L->strpool.len);
		g->ninit = (uint32_t)L->strpool.len;
	}
}
