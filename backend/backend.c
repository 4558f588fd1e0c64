/* The backend's pipeline for one function — selection, allocation, peephole,
 * frame layout, emission — and the local values of CO-RE relocations. */
#include "backend/backend.h"
#include "backend/mir.h"

#include <stdlib.h>
#include <string.h>

/* Post-allocation peephole: operations that do nothing once registers are
 * known. 32-bit operations are kept: they clear the upper half. */
void peep_func(struct mfunc *mf)
{
	vec_foreach(&mf->blocks, b)
	{
		uint32_t k = 0;
		for (uint32_t i = 0; i < b->ins.len; i++) {
			struct mi *m = &b->ins.data[i];
			bool nop = false;
			if (m->kind == MI_ALU && m->size == 8 && (m->flags & MF_IMM)) {
				switch (m->op) {
				case BPF_ADD: case BPF_SUB: case BPF_OR: case BPF_XOR:
				case BPF_LSH: case BPF_RSH: case BPF_ARSH:
					nop = m->imm == 0;
					break;
				case BPF_MUL: case BPF_DIV:
					nop = m->imm == 1;
					break;
				}
			}
			if (m->kind == MI_ALU && m->op == BPF_MOV && m->size == 8 && !(m->flags & MF_IMM) &&
			    m->dst == m->src)
				nop = true;
			/* mov a, b; mov b, a: the second copy changes nothing */
			if (m->kind == MI_COPY && k > 0) {
				struct mi *p = &b->ins.data[k - 1];
				if (p->kind == MI_COPY && p->dst == m->src && p->src == m->dst)
					nop = true;
			}
			if (!nop)
				b->ins.data[k++] = *m;
		}
		b->ins.len = k;
	}
}

int bk_compile_func(struct ir_func *f, const struct bk_options *opts, struct bk_func *out,
		    struct diag *d)
{
	struct mfunc mf = { 0 };
	memset(out, 0, sizeof(*out));
	out->ir = f;
	mf.cpu = opts && opts->cpu ? opts->cpu : f->mod->cpu;
	mf.stack_limit = opts ? opts->stack_limit : 0;
	int rc = -1;
	if (isel_func(&mf, f, d) || rega_func(&mf))
		goto done;
	peep_func(&mf);
	if (frame_layout(&mf))
		goto done;
	if (opts && opts->dump_mir) {
		buf_printf(opts->dump_mir, "; machine IR of $%s\n", ir_sym(f->mod, f->sym)->name);
		mir_print(&mf, opts->dump_mir);
	}
	if (bk_emit(&mf, out))
		goto done;
	rc = 0;
done:
	mir_free(&mf);
	return rc;
}

void bk_func_free(struct bk_func *bf)
{
	vec_free(&bf->insns);
	vec_free(&bf->relocs);
	vec_free(&bf->lines);
	vec_free(&bf->core);
}

/* ---- CO-RE ---------------------------------------------------------------------- */

enum {
	CORE_FIELD_BYTE_OFFSET, CORE_FIELD_BYTE_SIZE, CORE_FIELD_EXISTS, CORE_FIELD_SIGNED,
	CORE_FIELD_LSHIFT_U64, CORE_FIELD_RSHIFT_U64, CORE_TYPE_ID_LOCAL, CORE_TYPE_ID_TARGET,
	CORE_TYPE_EXISTS, CORE_TYPE_SIZE, CORE_ENUMVAL_EXISTS, CORE_ENUMVAL_VALUE, CORE_TYPE_MATCHES,
};

static bool type_signed(const struct ir_module *m, uint32_t t)
{
	const struct ir_type *ty = ir_type(m, ir_type_strip(m, t));
	return (ty->kind == IRT_INT || ty->kind == IRT_ENUM) && (ty->enc & IRT_SIGNED);
}

/* A field's access string from `type`: its bit offset, bit-field width (0:
 * not one) and type. */
static bool walk_access(const struct ir_module *m, uint32_t type, const char *access,
			uint64_t *bit_off, uint8_t *bits, uint32_t *t)
{
	const char *p = access;
	char *end;
	unsigned long first = strtoul(p, &end, 10);
	if (end == p)
		return false;
	*t = type;
	*bits = 0;
	*bit_off = (uint64_t)first * ir_type_size(m, type) * 8;
	p = end;
	while (*p == ':') {
		unsigned long idx = strtoul(p + 1, &end, 10);
		if (end == p + 1)
			return false;
		p = end;
		const struct ir_type *ty = ir_type(m, ir_type_strip(m, *t));
		if (ty->kind == IRT_STRUCT || ty->kind == IRT_UNION) {
			if (idx >= ty->nmembers)
				return false;
			*bit_off += ty->members[idx].bit_off;
			*bits = ty->members[idx].bits;
			*t = ty->members[idx].type;
		} else if (ty->kind == IRT_ARRAY) {
			*bit_off += (uint64_t)idx * ir_type_size(m, ty->base) * 8;
			*bits = 0;
			*t = ty->base;
		} else {
			return false;
		}
	}
	return !*p;
}

bool bk_core_access_patchable(const struct ir_module *m, uint32_t type, const char *access,
			      unsigned size)
{
	uint64_t bit_off;
	uint32_t t;
	uint8_t bits;
	if (!walk_access(m, type, access, &bit_off, &bits, &t) || bits || bit_off % 8)
		return false;
	const struct ir_type *ty = ir_type(m, ir_type_strip(m, t));
	return (ty->kind == IRT_INT || ty->kind == IRT_ENUM || ty->kind == IRT_PTR) &&
	       ir_type_size(m, t) == size;
}

bool bk_core_local_value(const struct ir_module *m, uint32_t type, const char *access,
			 unsigned kind, int64_t *out)
{
	switch (kind) {
	case CORE_TYPE_ID_LOCAL:
	case CORE_TYPE_ID_TARGET:
		*out = 0; /* the BTF id, filled in by the object writer */
		return true;
	case CORE_TYPE_EXISTS:
	case CORE_TYPE_MATCHES:
		*out = 1;
		return true;
	case CORE_TYPE_SIZE:
		*out = ir_type_size(m, type);
		return true;
	case CORE_ENUMVAL_EXISTS:
	case CORE_ENUMVAL_VALUE: {
		const struct ir_type *ty = ir_type(m, ir_type_strip(m, type));
		unsigned long idx = strtoul(access, NULL, 10);
		if (ty->kind != IRT_ENUM || idx >= ty->nenums)
			return false;
		*out = kind == CORE_ENUMVAL_EXISTS ? 1 : ty->enums[idx].value;
		return true;
	}
	}
	uint64_t bit_off;
	uint32_t t;
	uint8_t bits;
	if (!walk_access(m, type, access, &bit_off, &bits, &t))
		return false;
	uint32_t byte_sz = ir_type_size(m, t);
	/* a flexible array member has no size, only an offset */
	if (!byte_sz && kind != CORE_FIELD_BYTE_OFFSET && kind != CORE_FIELD_EXISTS)
		return false;
	if (!byte_sz)
		byte_sz = 1;
	uint64_t byte_off = bits ? bit_off / 8 / byte_sz * byte_sz : bit_off / 8;
	uint32_t bit_sz = bits ? bits : byte_sz * 8;
	switch (kind) {
	case CORE_FIELD_BYTE_OFFSET: *out = (int64_t)byte_off; return true;
	case CORE_FIELD_BYTE_SIZE: *out = byte_sz; return true;
	case CORE_FIELD_EXISTS: *out = 1; return true;
	case CORE_FIELD_SIGNED: *out = type_signed(m, t); return true;
	case CORE_FIELD_LSHIFT_U64:
		*out = 64 - (int64_t)(bit_off - byte_off * 8 + bit_sz);
		return true;
	case CORE_FIELD_RSHIFT_U64: *out = 64 - bit_sz; return true;
	}
	return false;
}
