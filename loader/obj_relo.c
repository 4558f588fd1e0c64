/* Relocations of code sections: classified when the object opens (map and
 * global-data references, BPF-to-BPF calls, callback addresses, externs),
 * then applied per program while its subprograms are appended, together
 * with the program's func_info and line_info. */
#include "loader/obj.h"

#include "elf/elf_bpf.h"

#include <string.h>

#define LD_IMM64 (BPF_LD | BPF_IMM | BPF_DW)
#define CALL (BPF_JMP | BPF_CALL)
#define POISON_KFUNC 2002000000 /* + extern index: a weak kfunc the kernel lacks */

static int relo_fail(struct wl_object *obj, const struct obj_code *c, uint32_t insn,
		     const char *sym, const char *why)
{
	obj_warn(obj, "section '%s': relocation at insn %u against '%s': %s", c->name, insn, sym,
		 why);
	return -EINVAL;
}

static int find_extern(const struct wl_object *obj, uint32_t sym)
{
	for (uint32_t i = 0; i < obj->externs.len; i++)
		if (obj->externs.data[i].sym == sym)
			return (int)i;
	return -1;
}

/* A call or an address of code: the target must start a function. */
static int code_target(struct wl_object *obj, const struct obj_code *c, uint32_t insn,
		       const struct elfr_symbol *s, int64_t byte_off, struct obj_relo *r)
{
	int tc = obj_code_index(obj, s->shndx);
	uint64_t tsize = (uint64_t)obj->codes.data[tc].n * 8;
	if (byte_off < 0 || (uint64_t)byte_off >= tsize || byte_off % 8)
		return relo_fail(obj, c, insn, s->name, "target outside its code section");
	r->tcode = (uint32_t)tc;
	r->target = (uint32_t)(byte_off / 8);
	int f = obj_func_at(obj, r->tcode, r->target);
	if (f < 0 || obj->funcs.data[f].off != r->target)
		return relo_fail(obj, c, insn, s->name, "target is not the start of a function");
	return 0;
}

static int classify(struct wl_object *obj, struct obj_code *c, const struct elfr_reloc *er)
{
	const struct elfr_symbol *s = elfr_symbol(obj->elf, er->sym);
	if (er->offset % 8)
		return relo_fail(obj, c, (uint32_t)(er->offset / 8), s->name,
				 "offset is not at an instruction");
	uint32_t i = (uint32_t)(er->offset / 8);
	const struct bpf_insn *in = &c->insns[i];
	struct obj_relo r = { .insn = i, .sym = s->name };
	bool ld = in->code == LD_IMM64, call = in->code == CALL;
	if (ld && i + 1 >= c->n)
		return relo_fail(obj, c, i, s->name, "ld_imm64 is cut off by the section end");
	if (!(ld && er->type == R_BPF_64_64) && !(call && er->type == R_BPF_64_32))
		return relo_fail(obj, c, i, s->name,
				 ld || call ? "wrong relocation type for the instruction"
					    : "instruction is neither ld_imm64 nor a call");
	if (s->shndx == SHN_UNDEF) {
		int e = find_extern(obj, er->sym);
		if (e < 0)
			return relo_fail(obj, c, i, s->name,
					 obj->btf ? "extern is neither __kconfig nor __ksym"
						  : "externs need BTF (compile with -g)");
		const struct obj_extern *x = &obj->externs.data[e];
		if (call && !x->is_func)
			return relo_fail(obj, c, i, s->name, "call of an extern that is no kfunc");
		r.kind = call ? RELO_KFUNC_CALL : RELO_EXTERN;
		r.ext = (uint32_t)e;
	} else if (call) {
		if (in->src_reg != BPF_PSEUDO_CALL)
			return relo_fail(obj, c, i, s->name, "call is not a BPF-to-BPF call");
		if (obj_code_index(obj, s->shndx) < 0)
			return relo_fail(obj, c, i, s->name, "call target is not code");
		r.kind = RELO_CALL;
		int64_t off = (int64_t)s->value + ((int64_t)in->imm + 1) * 8;
		int err = code_target(obj, c, i, s, off, &r);
		if (err)
			return err;
	} else if (obj_code_index(obj, s->shndx) >= 0) {
		r.kind = RELO_FUNC_ADDR;
		int err = code_target(obj, c, i, s, (int64_t)s->value + in->imm, &r);
		if (err)
			return err;
	} else if ((int)s->shndx == obj->maps_sec || (int)s->shndx == obj->legacy_maps_sec) {
		uint64_t off =
			s->value + (s->type == STT_SECTION ? (uint64_t)(uint32_t)in->imm : 0);
		struct wl_obj_map *m = obj_map_by_sec_off(obj, s->shndx, off);
		if (!m || m->sec_off != off)
			return relo_fail(obj, c, i, s->name, "no map is defined there");
		r.kind = RELO_MAP;
		for (uint32_t k = 0; k < obj->maps.len; k++)
			if (obj->maps.data[k] == m)
				r.map = k;
	} else {
		int mi = obj_data_map_of_sec(obj, s->shndx);
		if (mi < 0)
			return relo_fail(obj, c, i, s->name,
					 "symbol is in a section that is neither code, maps nor "
					 "global data");
		int64_t off = (int64_t)s->value + in->imm;
		if (off < 0 || (uint64_t)off > obj->maps.data[mi]->value_size)
			return relo_fail(obj, c, i, s->name, "offset outside the data section");
		r.kind = RELO_DATA;
		r.map = (uint32_t)mi;
		r.off = (uint32_t)off;
	}
	vec_push(&c->relos, r);
	return 0;
}

static int cmp_relo(const void *a, const void *b)
{
	const struct obj_relo *x = a, *y = b;
	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

int obj_collect_relos(struct wl_object *obj)
{
	vec_foreach (&obj->codes, c) {
		const struct elfr_reloc *rel;
		size_t n = elfr_relocs(obj->elf, c->sec, &rel);
		for (size_t k = 0; k < n; k++) {
			int r = classify(obj, c, &rel[k]);
			if (r < 0)
				return r;
		}
		if (c->relos.len)
			qsort(c->relos.data, c->relos.len, sizeof(*c->relos.data), cmp_relo);
		for (uint32_t k = 1; k < c->relos.len; k++)
			if (c->relos.data[k].insn == c->relos.data[k - 1].insn)
				return relo_fail(obj, c, c->relos.data[k].insn,
						 c->relos.data[k].sym,
						 "a second relocation of the same instruction");
	}
	return 0;
}

/* ---- linking a program -------------------------------------------------- */

/* Where function f starts in p, appending it (and later its relocations) if
 * it is not there yet. */
static uint32_t place_func(struct wl_program *p, uint32_t f)
{
	vec_foreach (&p->pieces, pc)
		if (pc->func == f)
			return pc->dst;
	const struct obj_func *fn = &p->obj->funcs.data[f];
	const struct obj_code *c = &p->obj->codes.data[fn->code];
	struct obj_piece pc = { .func = f, .dst = p->insns.len };
	vec_reserve(&p->insns, p->insns.len + fn->len);
	memcpy(p->insns.data + p->insns.len, c->insns + fn->off, fn->len * sizeof(struct bpf_insn));
	p->insns.len += fn->len;
	vec_push(&p->pieces, pc);
	return pc.dst;
}

static void set_imm64(struct bpf_insn *in, uint64_t v)
{
	in[0].imm = (int32_t)(uint32_t)v;
	in[1].imm = (int32_t)(uint32_t)(v >> 32);
}

static int apply_extern(struct wl_program *p, const struct obj_relo *r, uint32_t d)
{
	struct wl_object *obj = p->obj;
	const struct obj_extern *e = &obj->externs.data[r->ext];
	struct bpf_insn *in = &p->insns.data[d];
	if (r->kind == RELO_KFUNC_CALL) {
		if (!e->kbtf_id) { /* weak and missing: the verifier fails only if reached */
			in->src_reg = 0;
			in->off = 0;
			in->imm = POISON_KFUNC + (int32_t)r->ext;
		} else {
			in->src_reg = BPF_PSEUDO_KFUNC_CALL;
			in->off = (int16_t)e->btf_fd_idx;
			in->imm = (int32_t)e->kbtf_id;
		}
		return 0;
	}
	if (e->kind == EXT_KCFG) {
		uint32_t addend = (uint32_t)in[0].imm;
		in[0].src_reg = BPF_PSEUDO_MAP_VALUE;
		in[0].imm = 0;
		in[1].imm = (int32_t)(e->off + addend);
		struct obj_fixup fx = { d, (uint32_t)obj->kconfig_map };
		vec_push(&p->fixups, fx);
		return 0;
	}
	if (e->kbtf_id) { /* typed ksym or a kfunc's address */
		in[0].src_reg = BPF_PSEUDO_BTF_ID;
		in[0].imm = (int32_t)e->kbtf_id;
		in[1].imm = e->btf_obj_fd > 0
				    ? e->btf_obj_fd
				    : (e->btf_fd_idx ? obj->fd_array.data[e->btf_fd_idx] : 0);
	} else { /* untyped ksym address, or 0 for a missing weak one */
		in[0].src_reg = 0;
		set_imm64(in, e->addr);
	}
	return 0;
}

static int apply(struct wl_program *p, const struct obj_relo *r, uint32_t d)
{
	struct bpf_insn *in = &p->insns.data[d];
	switch (r->kind) {
	case RELO_MAP: {
		in[0].src_reg = BPF_PSEUDO_MAP_FD;
		set_imm64(in, 0);
		struct obj_fixup fx = { d, r->map };
		vec_push(&p->fixups, fx);
		return 0;
	}
	case RELO_DATA: {
		in[0].src_reg = BPF_PSEUDO_MAP_VALUE;
		in[0].imm = 0;
		in[1].imm = (int32_t)r->off;
		struct obj_fixup fx = { d, r->map };
		vec_push(&p->fixups, fx);
		return 0;
	}
	case RELO_CALL:
	case RELO_FUNC_ADDR: {
		int f = obj_func_at(p->obj, r->tcode, r->target);
		uint32_t t = place_func(p, (uint32_t)f);
		in = &p->insns.data[d]; /* place_func may have moved the array */
		in->imm = (int32_t)(t - d - 1);
		if (r->kind == RELO_FUNC_ADDR) {
			in[0].src_reg = BPF_PSEUDO_FUNC;
			in[1].imm = 0;
		}
		return 0;
	}
	case RELO_EXTERN:
	case RELO_KFUNC_CALL:
		return apply_extern(p, r, d);
	}
	return -EINVAL;
}

/* Calls inside one section that the compiler resolved itself. */
static int local_call(struct wl_program *p, const struct obj_func *fn, uint32_t i, uint32_t d)
{
	struct wl_object *obj = p->obj;
	const struct obj_code *c = &obj->codes.data[fn->code];
	int64_t t = (int64_t)fn->off + i + p->insns.data[d].imm + 1;
	int f = t < 0 || t >= c->n ? -1 : obj_func_at(obj, fn->code, (uint32_t)t);
	if (f < 0 || obj->funcs.data[f].off != (uint32_t)t) {
		obj_warn(obj, "prog '%s': call at insn %u of '%s' does not reach a function",
			 p->name, fn->off + i, c->name);
		return -EINVAL;
	}
	uint32_t td = place_func(p, (uint32_t)f);
	p->insns.data[d].imm = (int32_t)(td - d - 1);
	return 0;
}

static int cmp_finfo(const void *a, const void *b)
{
	const struct bpf_func_info *x = a, *y = b;
	return x->insn_off < y->insn_off ? -1 : x->insn_off > y->insn_off;
}

static int cmp_linfo(const void *a, const void *b)
{
	const struct bpf_line_info *x = a, *y = b;
	return x->insn_off < y->insn_off ? -1 : x->insn_off > y->insn_off;
}

/* func_info and line_info of every piece, in the program's numbering.  The
 * kernel wants one func_info per function: if one lacks it, none is sent. */
static void collect_infos(struct wl_program *p)
{
	struct wl_object *obj = p->obj;
	bool complete = true;
	vec_foreach (&p->pieces, pc) {
		const struct obj_func *fn = &obj->funcs.data[pc->func];
		const struct wbtf_ext_sec *e = obj->codes.data[fn->code].ext;
		bool has_func = false;
		for (uint32_t k = 0; e && k < e->nr_func; k++) {
			uint32_t i = e->func[k].insn_off / 8;
			if (i < fn->off || i - fn->off >= fn->len)
				continue;
			struct bpf_func_info fi = { pc->dst + (i - fn->off), e->func[k].type_id };
			has_func |= i == fn->off;
			vec_push(&p->finfo, fi);
		}
		complete &= has_func;
		for (uint32_t k = 0; e && k < e->nr_line; k++) {
			uint32_t i = e->line[k].insn_off / 8;
			if (i < fn->off || i - fn->off >= fn->len)
				continue;
			struct bpf_line_info li = { pc->dst + (i - fn->off),
						    e->line[k].file_name_off, e->line[k].line_off,
						    e->line[k].line_col };
			vec_push(&p->linfo, li);
		}
	}
	if (!complete && p->finfo.len) {
		obj_debug(obj, "prog '%s': a function has no func_info, none is sent", p->name);
		p->finfo.len = 0;
	}
	if (p->finfo.len)
		qsort(p->finfo.data, p->finfo.len, sizeof(*p->finfo.data), cmp_finfo);
	if (p->linfo.len)
		qsort(p->linfo.data, p->linfo.len, sizeof(*p->linfo.data), cmp_linfo);
}

int obj_link_program(struct wl_object *obj, struct wl_program *p)
{
	p->insns.len = p->pieces.len = p->fixups.len = p->finfo.len = p->linfo.len = 0;
	place_func(p, p->func);
	/* the loop sees pieces appended while it runs */
	for (uint32_t k = 0; k < p->pieces.len; k++) {
		struct obj_piece pc = p->pieces.data[k];
		const struct obj_func *fn = &obj->funcs.data[pc.func];
		const struct obj_code *c = &obj->codes.data[fn->code];
		uint32_t ri = 0;
		while (ri < c->relos.len && c->relos.data[ri].insn < fn->off)
			ri++;
		for (uint32_t i = 0; i < fn->len; i++) {
			uint32_t d = pc.dst + i;
			if (ri < c->relos.len && c->relos.data[ri].insn < fn->off + i) {
				obj_warn(obj,
					 "prog '%s': relocation at insn %u of '%s' is inside an "
					 "ld_imm64",
					 p->name, c->relos.data[ri].insn, c->name);
				return -EINVAL;
			}
			if (p->insns.data[d].code == LD_IMM64 && i + 1 >= fn->len) {
				obj_warn(obj,
					 "prog '%s': ld_imm64 at insn %u of '%s' is cut off by "
					 "the end of function '%s'",
					 p->name, fn->off + i, c->name, fn->name);
				return -EINVAL;
			}
			if (ri < c->relos.len && c->relos.data[ri].insn == fn->off + i) {
				int r = apply(p, &c->relos.data[ri++], d);
				if (r < 0)
					return r;
			} else if (p->insns.data[d].code == CALL &&
				   p->insns.data[d].src_reg == BPF_PSEUDO_CALL) {
				int r = local_call(p, fn, i, d);
				if (r < 0)
					return r;
			} else if (p->insns.data[d].code == LD_IMM64 &&
				   p->insns.data[d].src_reg != 0) {
				obj_warn(obj,
					 "prog '%s': ld_imm64 at insn %u of '%s' has src_reg %u "
					 "but no relocation",
					 p->name, fn->off + i, c->name, p->insns.data[d].src_reg);
				return -EINVAL;
			}
			if (p->insns.data[d].code == LD_IMM64)
				i++; /* its second half */
		}
	}
	collect_infos(p);
	return 0;
}
