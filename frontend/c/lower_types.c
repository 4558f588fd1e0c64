/* C types as IR (BTF-describable) types: integers by their C names,
 * typedefs, qualifiers and type tags kept as BTF keeps them, records as
 * forward declarations until something needs them whole (a map's key or
 * value, a global, a CO-RE access, a member held by value) — pointers to
 * kernel structs then cost one FWD, as in clang's BTF. */
#include "frontend/c/lower_internal.h"

#include <string.h>

ir_vt lt_vt(struct ctype *t)
{
	switch (t->kind) {
	case TY_PTR:
		return VT_PTR(ANY);
	case TY_ENUM:
	case TY_BOOL:
	case TY_CHAR:
	case TY_SCHAR:
	case TY_UCHAR:
	case TY_SHORT:
	case TY_USHORT:
	case TY_INT:
	case TY_UINT:
	case TY_LONG:
	case TY_ULONG:
	case TY_LLONG:
	case TY_ULLONG:
		return ctype_size(t) == 8 ? VT_I64 : VT_I32;
	default:
		return VT_VOID;
	}
}

bool lt_is_scalar(struct ctype *t)
{
	return lt_vt(t).cls != IR_VOID;
}

bool lt_is_aggregate(struct ctype *t)
{
	return t->kind == TY_STRUCT || t->kind == TY_UNION || t->kind == TY_ARRAY;
}

static const char *label(struct lower *L, const char *kind, const char *name)
{
	char *s = arena_printf(&L->arena, "%s.%s", kind, name && *name ? name : "anon");
	if (ir_type_lookup(L->m, s) == UINT32_MAX)
		return s;
	return arena_printf(&L->arena, "%s.%u", s, ++L->nlabels);
}

static uint32_t add_type(struct lower *L, struct ir_type *t)
{
	uint32_t id = ir_type_add(L->m, t);
	W_ASSERT(id);
	return id;
}

static uint32_t named_int(struct lower *L, const char *lab, const char *name, uint32_t size,
			  uint8_t enc)
{
	uint32_t id = ir_type_lookup(L->m, lab);
	if (id != UINT32_MAX)
		return id;
	struct ir_type t = {
		.kind = IRT_INT, .enc = enc, .label = lab, .name = name, .size = size
	};
	return add_type(L, &t);
}

static uint32_t scalar_type(struct lower *L, struct ctype *t)
{
	switch (t->kind) {
	case TY_VOID:
		return IRT_T_VOID;
	case TY_UCHAR:
		return IRT_T_U8;
	case TY_USHORT:
		return IRT_T_U16;
	case TY_UINT:
		return IRT_T_U32;
	case TY_ULLONG:
		return IRT_T_U64;
	case TY_SCHAR:
		return IRT_T_I8;
	case TY_SHORT:
		return IRT_T_I16;
	case TY_INT:
		return IRT_T_I32;
	case TY_LLONG:
		return IRT_T_I64;
	case TY_CHAR:
		return named_int(L, "c.char", "char", 1, IRT_SIGNED | IRT_CHAR);
	case TY_BOOL:
		return named_int(L, "c.bool", "_Bool", 1, IRT_BOOL);
	case TY_LONG:
		return named_int(L, "c.long", "long", 8, IRT_SIGNED);
	case TY_ULONG:
		return named_int(L, "c.ulong", "unsigned long", 8, IRT_UNSIGNED);
	case TY_INT128:
		return named_int(L, "c.int128", "__int128", 16, IRT_SIGNED);
	case TY_UINT128:
		return named_int(L, "c.uint128", "unsigned __int128", 16, IRT_UNSIGNED);
	case TY_FLOAT:
	case TY_DOUBLE:
	case TY_LDOUBLE: {
		const char *n = t->kind == TY_FLOAT    ? "float"
				: t->kind == TY_DOUBLE ? "double"
						       : "long double";
		char *lab = arena_printf(&L->arena, "c.%s", t->kind == TY_LDOUBLE ? "ldouble" : n);
		uint32_t id = ir_type_lookup(L->m, lab);
		if (id != UINT32_MAX)
			return id;
		struct ir_type ft = {
			.kind = IRT_FLOAT, .label = lab, .name = n, .size = (uint32_t)ctype_size(t)
		};
		return add_type(L, &ft);
	}
	default:
		W_ICE("scalar type kind %u", t->kind);
	}
}

/* A NULL-terminated tag list as the module's own array. */
static const char **copy_tags(struct lower *L, const char **tags, uint32_t *n)
{
	*n = 0;
	if (!tags)
		return NULL;
	while (tags[*n])
		(*n)++;
	const char **out = arena_alloc(&L->m->arena, sizeof(*out) * (*n + 1));
	for (uint32_t i = 0; i < *n; i++)
		out[i] = arena_strdup(&L->m->arena, tags[i]);
	return out;
}

static uint32_t enum_type(struct lower *L, struct cenum *e)
{
	uintptr_t v;
	if (pmap_get(&L->enums, pkey(e), &v))
		return (uint32_t)v - 1;
	cenum_complete(e); /* a vmlinux.h body not parsed yet */
	const char *name = e->tag ? e->tag->name : "";
	struct ir_type t = { .kind = IRT_ENUM,
			     .label = label(L, "e", name),
			     .name = name,
			     .size = e->underlying ? (uint32_t)ctype_size(e->underlying) : 4,
			     .enc = e->underlying && ctype_is_signed(e->underlying) ? IRT_SIGNED
										    : 0 };
	struct ir_enumerator *en = e->nconsts ? xcalloc(e->nconsts, sizeof(*en)) : NULL;
	for (uint32_t i = 0; i < e->nconsts; i++) {
		en[i].name = arena_strdup(&L->m->arena, lw_name(e->consts[i]));
		en[i].value = e->consts[i]->u.ec.value;
	}
	t.enums = en;
	t.nenums = e->nconsts;
	if (!e->complete)
		t.nenums = 0; /* an enum without values is BTF's forward enum; FWD is for records */
	uint32_t id = add_type(L, &t);
	free(en);
	pmap_put(&L->enums, pkey(e), id + 1);
	return id;
}

uint32_t lt_record(struct lower *L, struct crecord *r, bool complete)
{
	uintptr_t v;
	uint32_t id;
	if (pmap_get(&L->records, pkey(r), &v)) {
		id = (uint32_t)v - 1;
	} else {
		const char *name = r->tag ? r->tag->name : "";
		bool is_union = r->flags & CRF_UNION;
		struct ir_type t = { .kind = IRT_FWD,
				     .is_union = is_union,
				     .label = label(L, is_union ? "u" : "s", name),
				     .name = name };
		id = add_type(L, &t);
		pmap_put(&L->records, pkey(r), id + 1);
	}
	if (!complete || pmap_get(&L->completed, pkey(r), NULL))
		return id;
	crecord_complete(r);
	if (!(r->flags & CRF_COMPLETE))
		return id;
	crecord_layout(r);
	pmap_put(&L->completed, pkey(r), 1);
	struct ir_member *mb = r->nmembers ? xcalloc(r->nmembers, sizeof(*mb)) : NULL;
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->nmembers; i++) {
		struct cmember *cm = &r->members[i];
		if ((cm->flags & CMF_BITFIELD) && !cm->name)
			continue; /* unnamed bit-fields are padding in BTF */
		mb[n].name = arena_strdup(&L->m->arena, cm->name ? cm->name->name : "");
		mb[n].type = lt_type(L, cm->type);
		mb[n].bit_off = (uint32_t)cm->bit_offset;
		mb[n].bits = (cm->flags & CMF_BITFIELD) ? (uint8_t)cm->bit_width : 0;
		mb[n].tags = copy_tags(L, cm->decl_tags, &mb[n].ntags);
		n++;
	}
	struct ir_type *t = ir_type(L->m, id);
	t->kind = (r->flags & CRF_UNION) ? IRT_UNION : IRT_STRUCT;
	t->size = (uint32_t)r->size;
	t->members = n ? arena_memdup(&L->m->arena, mb, sizeof(*mb) * n) : NULL;
	t->nmembers = n;
	t->tags = copy_tags(L, r->decl_tags, &t->ntags);
	free(mb);
	/* members held by value are needed whole too */
	for (uint32_t i = 0; i < r->nmembers; i++)
		lt_complete(L, r->members[i].type);
	return id;
}

static uint32_t func_type(struct lower *L, struct ctype *t)
{
	return lt_proto(L, t, NULL, 0);
}

uint32_t lt_proto(struct lower *L, struct ctype *fn, struct cdecl **params, uint32_t n)
{
	struct cfunc *cf = fn->u.fn;
	struct ir_type t = { .kind = IRT_PROTO,
			     .name = "",
			     .variadic = (fn->flags & CTF_VARIADIC) != 0 };
	/* parameters and results passed by value are needed whole */
	t.base = lt_full(L, cf->ret);
	struct ir_member *mb = cf->nparams ? xcalloc(cf->nparams, sizeof(*mb)) : NULL;
	for (uint32_t i = 0; i < cf->nparams; i++) {
		const char *name = i < n && params[i] && params[i]->name ? params[i]->name->name
				   : cf->params[i].name			 ? cf->params[i].name->name
									 : "";
		mb[i].name = arena_strdup(&L->m->arena, name);
		mb[i].type = lt_full(L, cf->params[i].type);
	}
	t.members = mb;
	t.nmembers = cf->nparams;
	t.label = label(L, "fn", NULL);
	uint32_t id = add_type(L, &t);
	free(mb);
	return id;
}

static uint32_t conv(struct lower *L, struct ctype *t);

/* Wraps `base` in the qualifiers q (volatile inside const, as clang does). */
static uint32_t qualify(struct lower *L, uint32_t base, unsigned q)
{
	if (q & CQ_RESTRICT)
		base = ir_type_qual(L->m, IRT_RESTRICT, base);
	if (q & CQ_VOLATILE)
		base = ir_type_qual(L->m, IRT_VOLATILE, base);
	if (q & CQ_CONST)
		base = ir_type_qual(L->m, IRT_CONST, base);
	return base;
}

static uint32_t conv_uncached(struct lower *L, struct ctype *t)
{
	switch (t->sugar) {
	case CS_TYPEDEF: {
		/* the base first: it may make types, the label must be free after */
		uint32_t base = conv(L, t->base);
		const char *name = lw_name(t->s.tdef);
		struct ir_type td = { .kind = IRT_TYPEDEF,
				      .label = label(L, "t", name),
				      .name = name,
				      .base = base };
		return add_type(L, &td);
	}
	case CS_TAG: {
		uint32_t base = conv(L, t->base);
		struct ir_type tt = { .kind = IRT_TYPETAG,
				      .label = label(L, "tag", NULL),
				      .name = t->s.tag,
				      .base = base };
		return add_type(L, &tt);
	}
	case CS_QUAL:
		return qualify(L, conv(L, t->base), t->quals & ~t->base->quals);
	default:
		break;
	}
	if (t->quals && t->base)
		return qualify(L, conv(L, t->base), t->quals & ~t->base->quals);
	switch (t->kind) {
	case TY_ENUM:
		return enum_type(L, t->u.en);
	case TY_PTR:
		return ir_type_ptr(L->m, conv(L, t->u.pointee));
	case TY_ARRAY:
		return ir_type_array(L->m, conv(L, t->u.arr.elem), (uint32_t)t->u.arr.len);
	case TY_FUNC:
		return func_type(L, t);
	case TY_STRUCT:
	case TY_UNION:
		/* BTF has no forward declaration of an anonymous record */
		return lt_record(L, t->u.rec, !t->u.rec->tag);
	case TY_ERROR:
		return IRT_T_I32;
	default:
		return scalar_type(L, t);
	}
}

static uint32_t conv(struct lower *L, struct ctype *t)
{
	uintptr_t v;
	if (pmap_get(&L->types, pkey(t), &v))
		return (uint32_t)v - 1;
	uint32_t id = conv_uncached(L, t);
	pmap_put(&L->types, pkey(t), id + 1);
	return id;
}

uint32_t lt_type(struct lower *L, struct ctype *t)
{
	return conv(L, t);
}

void lt_complete(struct lower *L, struct ctype *t)
{
	for (unsigned guard = 0; guard < 256 && t; guard++) {
		if (t->sugar != CS_NONE || (t->quals && t->base)) {
			t = t->base;
			continue;
		}
		if (t->kind == TY_ARRAY) {
			t = t->u.arr.elem;
			continue;
		}
		if (t->kind == TY_STRUCT || t->kind == TY_UNION)
			lt_record(L, t->u.rec, true);
		return;
	}
}

void lt_complete_pointees(struct lower *L, struct ctype *fn)
{
	struct cfunc *cf = fn->u.fn;
	if (cf->ret->kind == TY_PTR)
		lt_complete(L, cf->ret->u.pointee);
	for (uint32_t i = 0; i < cf->nparams; i++)
		if (cf->params[i].type->kind == TY_PTR)
			lt_complete(L, cf->params[i].type->u.pointee);
}

uint32_t lt_full(struct lower *L, struct ctype *t)
{
	uint32_t id = conv(L, t);
	lt_complete(L, t);
	return id;
}
