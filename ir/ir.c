/* The IR's tables (opcodes, regions, program and map types, helpers) and the
 * functions that build modules, functions, blocks and instructions. */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

const struct ir_opinfo ir_ops[IR_NOPS] = {
#define OP(e, text, sig, props, param) [IR_##e] = { text, sig, props, param },
#include "ir/ops.def"
#undef OP
};

const struct ir_regioninfo ir_regions[IR_NREGIONS] = {
#define REGION(e, text, props) [RG_##e] = { text, props },
#include "ir/regions.def"
#undef REGION
};

const struct ir_proginfo ir_progtypes[IR_NPROGTYPES] = {
	[IR_PROG_NONE] = { "", 0, "" },
#define PROG(name, id, ctx) [IR_PROG_##name] = { #name, id, #ctx },
#include "ir/progtypes.def"
#undef PROG
};

const struct ir_mapinfo ir_maptypes[IR_NMAPTYPES] = {
	[IR_MAP_NONE] = { "", 0, 0 },
#define MAPTYPE(name, id, props) [IR_MAP_##name] = { #name, id, props },
#include "ir/maptypes.def"
#undef MAPTYPE
};

static const struct ir_helper helpers[] = {
#define HELPER(name, id, ret, lo, hi, a1, a2, a3, a4, a5)                                          \
	{ #name, id, HR_##ret, lo, hi, { HA_##a1, HA_##a2, HA_##a3, HA_##a4, HA_##a5 } },
#include "ir/helpers.def"
#undef HELPER
};

static const struct ctxfield {
	const char *ctx;
	int64_t off;
	unsigned size;
	enum ir_region region;
} ctxfields[] = {
#define CTXF(ctx, off, size, region) { #ctx, off, size, RG_##region },
#include "ir/ctxfields.def"
#undef CTXF
};

unsigned ir_op_lookup(const char *name, size_t len)
{
	static struct hmap index;
	if (!index.cap)
		for (unsigned i = 0; i < IR_NOPS; i++)
			hmap_put(&index, ir_ops[i].name, strlen(ir_ops[i].name), i);
	uintptr_t v;
	return hmap_get(&index, name, len, &v) ? (unsigned)v : IR_NOPS;
}

enum ir_progtype ir_progtype_lookup(const char *name)
{
	for (unsigned i = 1; i < IR_NPROGTYPES; i++)
		if (!strcmp(ir_progtypes[i].name, name))
			return i;
	return IR_PROG_NONE;
}

enum ir_maptype ir_maptype_lookup(const char *name)
{
	for (unsigned i = 1; i < IR_NMAPTYPES; i++)
		if (!strcmp(ir_maptypes[i].name, name))
			return i;
	return IR_MAP_NONE;
}

enum ir_region ir_ctx_field_region(enum ir_progtype pt, int64_t off, unsigned size)
{
	if (!strcmp(ir_progtypes[pt].ctx, "btf_args"))
		return size == 8 && off >= 0 && off % 8 == 0 ? RG_BTF : RG_ANY;
	for (size_t i = 0; i < ARRAY_LEN(ctxfields); i++)
		if (ctxfields[i].off == off && !strcmp(ctxfields[i].ctx, ir_progtypes[pt].ctx))
			return size == ctxfields[i].size ? ctxfields[i].region : RG_ANY;
	return RG_ANY;
}

const struct ir_helper *ir_helper_by_id(int id)
{
	/* the table is sorted by id, starting at 1 */
	if (id >= 1 && (size_t)id <= ARRAY_LEN(helpers) && helpers[id - 1].id == id)
		return &helpers[id - 1];
	return NULL;
}

ir_vt ir_helper_ret_vt(const struct ir_helper *h)
{
	static const uint8_t region[] = {
		[HR_MAPVAL] = RG_MAPVAL,   [HR_MAPVAL_OR_NULL] = RG_MAPVAL_NULL,
		[HR_MEM_OR_NULL] = RG_MEM_NULL, [HR_SOCK_OR_NULL] = RG_SOCK_NULL,
		[HR_BTF] = RG_BTF,	     [HR_BTF_OR_NULL] = RG_BTF_NULL,
	};
	if (h->ret == HR_INT || h->ret == HR_VOID)
		return VT_I64;
	return IR_VT(IR_PTR, region[h->ret]);
}

const struct ir_helper *ir_helper_by_name(const char *name, size_t len)
{
	static struct hmap index;
	if (!index.cap)
		for (size_t i = 0; i < ARRAY_LEN(helpers); i++)
			hmap_put(&index, helpers[i].name, strlen(helpers[i].name), i);
	uintptr_t v;
	return hmap_get(&index, name, len, &v) ? &helpers[v] : NULL;
}

const struct ir_helper *ir_helper_table(size_t *n)
{
	*n = ARRAY_LEN(helpers);
	return helpers;
}

/* ---- modules ----------------------------------------------------------- */

static const struct {
	const char *label, *name;
	uint32_t size;
	uint8_t enc;
} builtin_types[IRT_NBUILTIN] = {
	[IRT_T_VOID] = { "void", "", 0, 0 },
	[IRT_T_U8] = { "u8", "unsigned char", 1, IRT_UNSIGNED },
	[IRT_T_U16] = { "u16", "unsigned short", 2, IRT_UNSIGNED },
	[IRT_T_U32] = { "u32", "unsigned int", 4, IRT_UNSIGNED },
	[IRT_T_U64] = { "u64", "unsigned long long", 8, IRT_UNSIGNED },
	[IRT_T_I8] = { "i8", "signed char", 1, IRT_SIGNED },
	[IRT_T_I16] = { "i16", "short", 2, IRT_SIGNED },
	[IRT_T_I32] = { "i32", "int", 4, IRT_SIGNED },
	[IRT_T_I64] = { "i64", "long long", 8, IRT_SIGNED },
};

struct ir_module *ir_module_new(void)
{
	struct ir_module *m = xcalloc(1, sizeof(*m));
	m->cpu = 3;
	vec_push(&m->strs, "");
	hmap_put(&m->str_index, "", 0, 0);
	vec_push(&m->files, "");
	struct ir_sym none = { .name = "" };
	vec_push(&m->syms, none);
	for (unsigned i = 0; i < IRT_NBUILTIN; i++) {
		struct ir_type t = {
			.kind = i == IRT_T_VOID ? IRT_VOID : IRT_INT,
			.enc = builtin_types[i].enc,
			.label = builtin_types[i].label,
			.name = builtin_types[i].name,
			.size = builtin_types[i].size,
		};
		vec_push(&m->types, t);
		hmap_put(&m->type_index, t.label, strlen(t.label), i);
	}
	return m;
}

void ir_module_free(struct ir_module *m)
{
	if (!m)
		return;
	vec_foreach(&m->syms, s)
	{
		if (s->kind == IR_SYM_FUNC && s->fn) {
			struct ir_func *f = s->fn;
			vec_foreach(&f->blocks, b)
			{
				vec_free(&(*b)->ins);
				vec_free(&(*b)->preds);
			}
			vec_free(&f->blocks);
			vec_free(&f->tmps);
			vec_free(&f->cons);
			vec_free(&f->con_hex);
			vec_free(&f->params);
			arena_free(&f->arena);
			free(f);
		}
	}
	vec_free(&m->syms);
	vec_free(&m->types);
	vec_free(&m->strs);
	vec_free(&m->files);
	hmap_free(&m->sym_index);
	hmap_free(&m->type_index);
	hmap_free(&m->str_index);
	hmap_free(&m->anon_index);
	arena_free(&m->arena);
	free(m);
}

uint32_t ir_str(struct ir_module *m, const char *s)
{
	size_t n = strlen(s);
	uintptr_t v;
	if (hmap_get(&m->str_index, s, n, &v))
		return (uint32_t)v;
	const char *copy = arena_strndup(&m->arena, s, n);
	vec_push(&m->strs, copy);
	hmap_put(&m->str_index, copy, n, m->strs.len - 1);
	return m->strs.len - 1;
}

const char *ir_strs(const struct ir_module *m, ir_ref r)
{
	return m->strs.data[ir_ref_idx(r)];
}

uint32_t ir_file(struct ir_module *m, const char *path)
{
	for (uint32_t i = 1; i < m->files.len; i++)
		if (!strcmp(m->files.data[i], path))
			return i;
	vec_push(&m->files, arena_strdup(&m->arena, path));
	return m->files.len - 1;
}

uint32_t ir_sym_add(struct ir_module *m, enum ir_sym_kind kind, const char *name)
{
	size_t n = strlen(name);
	if (hmap_get(&m->sym_index, name, n, NULL))
		return 0;
	struct ir_sym s = { .kind = kind, .name = arena_strndup(&m->arena, name, n) };
	vec_push(&m->syms, s);
	hmap_put(&m->sym_index, s.name, n, m->syms.len - 1);
	return m->syms.len - 1;
}

uint32_t ir_sym_lookup(const struct ir_module *m, const char *name)
{
	uintptr_t v;
	return hmap_gets(&m->sym_index, name, &v) ? (uint32_t)v : 0;
}

struct ir_func *ir_func_new(struct ir_module *m, const char *name, bool is_prog)
{
	uint32_t s = ir_sym_add(m, IR_SYM_FUNC, name);
	if (!s)
		return NULL;
	struct ir_func *f = xcalloc(1, sizeof(*f));
	f->mod = m;
	f->sym = s;
	f->is_prog = is_prog;
	f->linkage = IR_GLOBAL;
	f->ret = VT_I64;
	struct ir_tmp none = { .name = "" };
	vec_push(&f->tmps, none);
	ir_sym(m, s)->fn = f;
	return f;
}

/* ---- types ------------------------------------------------------------- */

uint32_t ir_type_add(struct ir_module *m, const struct ir_type *t)
{
	W_ASSERT(t->label);
	size_t n = strlen(t->label);
	if (hmap_get(&m->type_index, t->label, n, NULL))
		return 0;
	struct ir_type c = *t;
	c.label = arena_strndup(&m->arena, t->label, n);
	c.name = arena_strdup(&m->arena, t->name ? t->name : "");
	if (t->nmembers)
		c.members = arena_memdup(&m->arena, t->members, sizeof(*t->members) * t->nmembers);
	if (t->nenums)
		c.enums = arena_memdup(&m->arena, t->enums, sizeof(*t->enums) * t->nenums);
	if (t->ntags)
		c.tags = arena_memdup(&m->arena, t->tags, sizeof(*t->tags) * t->ntags);
	vec_push(&m->types, c);
	hmap_put(&m->type_index, c.label, n, m->types.len - 1);
	return m->types.len - 1;
}

uint32_t ir_type_lookup(const struct ir_module *m, const char *label)
{
	uintptr_t v;
	return hmap_gets(&m->type_index, label, &v) ? (uint32_t)v : UINT32_MAX;
}

/* Structural types are deduplicated on (kind, base, count). */
static uint32_t structural(struct ir_module *m, enum ir_tkind kind, uint32_t base, uint32_t count)
{
	char key[32];
	int n = snprintf(key, sizeof(key), "%u/%u/%u", kind, base, count);
	uintptr_t v;
	if (hmap_get(&m->anon_index, key, (size_t)n, &v))
		return (uint32_t)v;
	struct ir_type t = { .kind = kind, .name = "", .base = base, .count = count };
	if (kind == IRT_PTR)
		t.size = 8;
	vec_push(&m->types, t);
	hmap_put(&m->anon_index, arena_strndup(&m->arena, key, (size_t)n), (size_t)n,
		 m->types.len - 1);
	return m->types.len - 1;
}

uint32_t ir_type_ptr(struct ir_module *m, uint32_t to)
{
	return structural(m, IRT_PTR, to, 0);
}

uint32_t ir_type_array(struct ir_module *m, uint32_t elem, uint32_t n)
{
	return structural(m, IRT_ARRAY, elem, n);
}

uint32_t ir_type_bytes(struct ir_module *m, uint32_t n)
{
	switch (n) {
	case 1:
		return IRT_T_U8;
	case 2:
		return IRT_T_U16;
	case 4:
		return IRT_T_U32;
	case 8:
		return IRT_T_U64;
	default:
		return ir_type_array(m, IRT_T_U8, n);
	}
}

uint32_t ir_type_qual(struct ir_module *m, enum ir_tkind q, uint32_t base)
{
	W_ASSERT(q == IRT_CONST || q == IRT_VOLATILE || q == IRT_RESTRICT);
	return structural(m, q, base, 0);
}

uint32_t ir_type_strip(const struct ir_module *m, uint32_t t)
{
	for (unsigned guard = 0; guard < 64; guard++) {
		const struct ir_type *ty = ir_type(m, t);
		if (ty->kind != IRT_TYPEDEF && ty->kind != IRT_CONST && ty->kind != IRT_VOLATILE &&
		    ty->kind != IRT_RESTRICT && ty->kind != IRT_TYPETAG)
			return t;
		t = ty->base;
	}
	return t;
}

uint32_t ir_type_size(const struct ir_module *m, uint32_t t)
{
	t = ir_type_strip(m, t);
	const struct ir_type *ty = ir_type(m, t);
	switch (ty->kind) {
	case IRT_ARRAY:
		return ty->count * ir_type_size(m, ty->base);
	case IRT_PTR:
		return 8;
	default:
		return ty->size;
	}
}

uint32_t ir_type_align(const struct ir_module *m, uint32_t t)
{
	t = ir_type_strip(m, t);
	const struct ir_type *ty = ir_type(m, t);
	switch (ty->kind) {
	case IRT_INT:
	case IRT_ENUM:
	case IRT_FLOAT:
		return ty->size ? MIN(ty->size, 8u) : 1;
	case IRT_PTR:
		return 8;
	case IRT_ARRAY:
		return ir_type_align(m, ty->base);
	case IRT_STRUCT:
	case IRT_UNION: {
		uint32_t a = 1;
		for (uint32_t i = 0; i < ty->nmembers; i++) {
			const struct ir_member *mb = &ty->members[i];
			/* packed structs put members at unaligned offsets */
			uint32_t ma = ir_type_align(m, mb->type);
			if (!mb->bits && mb->bit_off % (ma * 8))
				return 1;
			a = MAX(a, ma);
		}
		return ty->size % a ? 1 : a;
	}
	default:
		return 1;
	}
}

/* ---- functions ------------------------------------------------------------ */

uint32_t ir_tmp_new(struct ir_func *f, const char *name, ir_vt ty)
{
	struct ir_tmp t = { .ty = ty };
	t.name = name ? arena_strdup(&f->arena, name) : arena_printf(&f->arena, "%u", f->tmps.len);
	vec_push(&f->tmps, t);
	return f->tmps.len - 1;
}

static ir_ref con(struct ir_func *f, int64_t v, bool hex)
{
	/* constants repeat a lot in small functions: reuse the last few */
	for (uint32_t i = f->cons.len, k = 0; i > 0 && k < 8; i--, k++)
		if (f->cons.data[i - 1] == v && f->con_hex.data[i - 1] == hex)
			return IR_REF(REF_CON, i - 1);
	vec_push(&f->cons, v);
	vec_push(&f->con_hex, hex);
	return IR_REF(REF_CON, f->cons.len - 1);
}

ir_ref ir_con(struct ir_func *f, int64_t v)
{
	return con(f, v, false);
}

ir_ref ir_con_hex(struct ir_func *f, int64_t v)
{
	return con(f, v, true);
}

uint32_t ir_block_new(struct ir_func *f, const char *name)
{
	struct ir_block *b = arena_new(&f->arena, struct ir_block);
	b->name = name ? arena_strdup(&f->arena, name) : arena_printf(&f->arena, "b%u", f->blocks.len);
	b->rpo = UINT32_MAX;
	vec_push(&f->blocks, b);
	f->cfg_valid = false;
	return f->blocks.len - 1;
}

struct ir_ins *ir_emit(struct ir_func *f, uint32_t b, unsigned op, ir_vt ty, uint32_t dst,
		       const ir_ref *args, unsigned nargs)
{
	struct ir_block *blk = f->blocks.data[b];
	struct ir_ins in = {
		.op = (uint16_t)op,
		.nargs = (uint16_t)nargs,
		.ty = ty,
		.dst = dst,
	};
	if (nargs)
		in.args = arena_memdup(&f->arena, args, sizeof(ir_ref) * nargs);
	vec_push(&blk->ins, in);
	if (ir_op_is(op, OP_TERM))
		f->cfg_valid = false;
	return &vec_last(&blk->ins);
}

struct ir_ins *ir_block_term(const struct ir_func *f, uint32_t b)
{
	struct ir_block *blk = f->blocks.data[b];
	if (!blk->ins.len || !ir_op_is(vec_last(&blk->ins).op, OP_TERM))
		return NULL;
	return &vec_last(&blk->ins);
}

unsigned ir_term_first_block(const struct ir_ins *term)
{
	for (unsigned i = 0; i < term->nargs; i++)
		if (ir_ref_kind(term->args[i]) == REF_BLK)
			return i;
	return term->nargs;
}

unsigned ir_succs(const struct ir_ins *term, uint32_t succ[2])
{
	unsigned n = 0;
	for (unsigned i = ir_term_first_block(term); i < term->nargs && n < 2; i++)
		succ[n++] = ir_ref_idx(term->args[i]);
	return n;
}

struct srcloc ir_ins_srcloc(const struct ir_func *f, const struct ir_ins *in)
{
	const struct ir_module *m = f->mod;
	if (in->pos)
		return (struct srcloc){ m->text_file, in->pos, 1 };
	if (in->loc.file && m->diag && in->loc.file < m->files.len) {
		uint32_t id = srcmgr_load(m->diag->sm, m->files.data[in->loc.file]);
		if (!id)
			id = srcmgr_add(m->diag->sm, m->files.data[in->loc.file], NULL, 0);
		return (struct srcloc){ id, in->loc.line, in->loc.col };
	}
	return (struct srcloc){ m->text_file, ir_sym(m, f->sym)->pos, 1 };
}
