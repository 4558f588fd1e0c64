/* BTF for an IR module: the IR's types (which are BTF-shaped), function
 * prototypes derived from IR signatures when the frontend gave none, and the
 * integer types clang uses for them. */
#include "backend/object.h"

#include <stdlib.h>
#include <string.h>

static void mark(struct btfgen *g, uint32_t t)
{
	for (unsigned guard = 0; guard < 1024 && !g->want[t]; guard++) {
		g->want[t] = true;
		const struct ir_type *ty = ir_type(g->m, t);
		for (uint32_t i = 0; i < ty->nmembers; i++)
			mark(g, ty->members[i].type);
		if (ty->kind == IRT_PTR || ty->kind == IRT_ARRAY || ty->kind == IRT_TYPEDEF ||
		    ty->kind == IRT_CONST || ty->kind == IRT_VOLATILE || ty->kind == IRT_RESTRICT ||
		    ty->kind == IRT_TYPETAG || ty->kind == IRT_PROTO)
			t = ty->base;
		else
			return;
	}
}

void btfgen_want(struct btfgen *g, uint32_t t)
{
	if (t)
		mark(g, t);
}

void btfgen_init(struct btfgen *g, struct ir_module *m, struct wbtf *btf)
{
	memset(g, 0, sizeof(*g));
	g->m = m;
	g->btf = btf;
	g->want = xcalloc(m->types.len, sizeof(bool));
	g->id = xcalloc(m->types.len, sizeof(int32_t));
}

void btfgen_free(struct btfgen *g)
{
	free(g->want);
	free(g->id);
}

static int emit_type(struct btfgen *g, uint32_t t)
{
	struct wbtf *b = g->btf;
	const struct ir_type *ty = ir_type(g->m, t);
	const char *name = ty->name && ty->name[0] ? ty->name : NULL;
	int32_t id;
	switch (ty->kind) {
	case IRT_VOID:
		return 0;
	case IRT_INT: {
		unsigned enc = (ty->enc & IRT_BOOL) ? BTF_INT_BOOL : (ty->enc & IRT_CHAR) ? BTF_INT_CHAR
				: (ty->enc & IRT_SIGNED)				    ? BTF_INT_SIGNED
											    : 0;
		/* clang marks a signed char as SIGNED */
		if ((ty->enc & IRT_CHAR) && (ty->enc & IRT_SIGNED))
			enc = BTF_INT_SIGNED;
		id = wbtf_add_int(b, name, ty->size, enc);
		break;
	}
	case IRT_FLOAT: id = wbtf_add_float(b, name, ty->size); break;
	case IRT_PTR: id = wbtf_add_ptr(b, (uint32_t)btfgen_id(g, ty->base)); break;
	case IRT_ARRAY:
		id = wbtf_add_array(b, (uint32_t)btfgen_id(g, ty->base), (uint32_t)g->index_id, ty->count);
		break;
	case IRT_STRUCT:
	case IRT_UNION:
		id = ty->kind == IRT_STRUCT ? wbtf_add_struct(b, name, ty->size) : wbtf_add_union(b, name, ty->size);
		for (uint32_t i = 0; id > 0 && i < ty->nmembers; i++) {
			const struct ir_member *mb = &ty->members[i];
			int err = wbtf_add_member(b, mb->name[0] ? mb->name : NULL, (uint32_t)btfgen_id(g, mb->type),
						  mb->bit_off, mb->bits);
			if (err < 0)
				return err;
		}
		break;
	case IRT_ENUM: {
		bool wide = ty->size > 4;
		for (uint32_t i = 0; i < ty->nenums; i++)
			wide |= ty->enums[i].value < INT32_MIN || ty->enums[i].value > (int64_t)UINT32_MAX;
		id = wide ? wbtf_add_enum64(b, name, ty->size, ty->enc & IRT_SIGNED)
			  : wbtf_add_enum(b, name, ty->size, ty->enc & IRT_SIGNED);
		for (uint32_t i = 0; id > 0 && i < ty->nenums; i++) {
			int err = wbtf_add_enum_value(b, ty->enums[i].name, ty->enums[i].value);
			if (err < 0)
				return err;
		}
		break;
	}
	case IRT_FWD: id = wbtf_add_fwd(b, name, ty->is_union); break;
	case IRT_TYPEDEF: id = wbtf_add_typedef(b, name, (uint32_t)btfgen_id(g, ty->base)); break;
	case IRT_CONST: id = wbtf_add_const(b, (uint32_t)btfgen_id(g, ty->base)); break;
	case IRT_VOLATILE: id = wbtf_add_volatile(b, (uint32_t)btfgen_id(g, ty->base)); break;
	case IRT_RESTRICT: id = wbtf_add_restrict(b, (uint32_t)btfgen_id(g, ty->base)); break;
	case IRT_TYPETAG: id = wbtf_add_type_tag(b, ty->name, (uint32_t)btfgen_id(g, ty->base)); break;
	case IRT_PROTO:
		id = wbtf_add_func_proto(b, (uint32_t)btfgen_id(g, ty->base));
		for (uint32_t i = 0; id > 0 && i < ty->nmembers; i++) {
			const struct ir_member *p = &ty->members[i];
			int err = wbtf_add_param(b, p->name[0] ? p->name : NULL, (uint32_t)btfgen_id(g, p->type));
			if (err < 0)
				return err;
		}
		if (id > 0 && ty->variadic) {
			int err = wbtf_add_param(b, NULL, 0);
			if (err < 0)
				return err;
		}
		break;
	default:
		return -EINVAL;
	}
	if (id < 0)
		return id;
	if (id != g->id[t])
		W_ICE("BTF id of IR type %u is %d, planned %d", t, id, g->id[t]);
	/* declaration tags on the type and its members */
	for (uint32_t i = 0; i < ty->ntags; i++)
		if ((id = wbtf_add_decl_tag(b, ty->tags[i], (uint32_t)g->id[t], -1)) < 0)
			return id;
	for (uint32_t i = 0; i < ty->nmembers; i++)
		for (uint32_t k = 0; ty->kind != IRT_PROTO && k < ty->members[i].ntags; k++)
			if ((id = wbtf_add_decl_tag(b, ty->members[i].tags[k], (uint32_t)g->id[t], (int)i)) < 0)
				return id;
	return 0;
}

/* Tags add types of their own after their target: count them in the plan. */
static uint32_t tag_count(const struct ir_type *ty)
{
	uint32_t n = ty->ntags;
	for (uint32_t i = 0; ty->kind != IRT_PROTO && i < ty->nmembers; i++)
		n += ty->members[i].ntags;
	return n;
}

int btfgen_emit(struct btfgen *g)
{
	/* ids are planned first, so that types may refer to later ones
	 * (a struct with a pointer to itself) */
	int32_t next = (int32_t)wbtf_type_cnt(g->btf);
	g->index_id = wbtf_add_int(g->btf, "__ARRAY_SIZE_TYPE__", 4, 0);
	if (g->index_id < 0)
		return g->index_id;
	next = g->index_id + 1;
	for (uint32_t t = 1; t < g->m->types.len; t++)
		if (g->want[t]) {
			g->id[t] = next++;
			next += (int32_t)tag_count(ir_type(g->m, t));
		}
	for (uint32_t t = 1; t < g->m->types.len; t++)
		if (g->want[t]) {
			int err = emit_type(g, t);
			if (err < 0)
				return err;
		}
	return 0;
}

int32_t btfgen_id(struct btfgen *g, uint32_t t)
{
	if (t == IRT_T_VOID)
		return 0;
	W_ASSERT(g->id[t] > 0);
	return g->id[t];
}

/* A named integer type, shared. */
static int32_t named_int(struct btfgen *g, const char *name, uint32_t size, unsigned enc)
{
	int32_t id = wbtf_find_by_name_kind(g->btf, name, BTF_KIND_INT);
	return id > 0 ? id : wbtf_add_int(g->btf, name, size, enc);
}

int32_t btfgen_vt(struct btfgen *g, ir_vt t)
{
	switch (t.cls) {
	case IR_VOID: return 0;
	case IR_I32: return named_int(g, "int", 4, BTF_INT_SIGNED);
	case IR_I64: return named_int(g, "long", 8, BTF_INT_SIGNED);
	default:
		if (!g->voidptr_id)
			g->voidptr_id = wbtf_add_ptr(g->btf, 0);
		return g->voidptr_id;
	}
}

int32_t btfgen_char_array(struct btfgen *g, uint32_t n)
{
	int32_t c = named_int(g, "char", 1, BTF_INT_SIGNED);
	return c < 0 ? c : wbtf_add_array(g->btf, (uint32_t)c, (uint32_t)g->index_id, n);
}
