/* The IR verifier, part 2: the kernel verifier's rules that can be checked
 * statically — no dereference of a maybe-NULL pointer before its null check,
 * packet accesses covered by a dominating bounds check, context accesses as
 * ctx + constant, stack and map-value accesses in bounds, at most 512 bytes of
 * stack, helper argument kinds, map kinds per helper, shifts and atomics. */
#include "ir/verify.h"

#include <stdlib.h>
#include <string.h>

struct vfy_fact {
	uint32_t root;  /* temp the check is about (after copies and constant offsets) */
	uint32_t block; /* the block the check guards (its only predecessor is the check) */
	bool is_pkt;
	int64_t range; /* packet: bytes from root known to be in bounds */
};

/* Follows copies and constant offsets back to the pointer a value derives from. */
static uint32_t root_of(struct vfy *v, ir_ref r, int64_t *delta, bool through_adds)
{
	*delta = 0;
	if (ir_ref_kind(r) != REF_TMP)
		return 0;
	uint32_t t = ir_ref_idx(r);
	for (unsigned guard = 0; guard < 1000; guard++) {
		struct ir_defsite d = v->defs[t];
		if (d.blk == UINT32_MAX || d.idx == UINT32_MAX)
			return t;
		const struct ir_ins *in = &v->f->blocks.data[d.blk]->ins.data[d.idx];
		if ((in->op == IR_COPY || in->op == IR_CAST) && ir_ref_kind(in->args[0]) == REF_TMP) {
			t = ir_ref_idx(in->args[0]);
		} else if (through_adds && (in->op == IR_ADD || in->op == IR_SUB) &&
			   ir_ref_kind(in->args[0]) == REF_TMP && ir_ref_kind(in->args[1]) == REF_CON) {
			int64_t c = ir_con_val(v->f, in->args[1]);
			*delta += in->op == IR_ADD ? c : -c;
			t = ir_ref_idx(in->args[0]);
		} else {
			return t;
		}
	}
	return t;
}

static const struct ir_ins *def_of(struct vfy *v, uint32_t t)
{
	struct ir_defsite d = v->defs[t];
	if (d.blk == UINT32_MAX || d.idx == UINT32_MAX)
		return NULL;
	return &v->f->blocks.data[d.blk]->ins.data[d.idx];
}

/* The block a check's "success" edge leads to, if that edge is the only way in. */
static uint32_t guarded_block(struct vfy *v, uint32_t from, uint32_t to)
{
	struct ir_block *b = v->f->blocks.data[to];
	return b->preds.len == 1 && b->preds.data[0] == from ? to : UINT32_MAX;
}

static void add_fact(struct vfy *v, struct vfy_fact f, uint32_t *cap)
{
	if (f.block == UINT32_MAX || !f.root)
		return;
	if (v->nfacts == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		v->facts = xrealloc(v->facts, sizeof(*v->facts) * *cap);
	}
	v->facts[v->nfacts++] = f;
}

static void collect_facts(struct vfy *v)
{
	uint32_t cap = 0;
	v->facts_ready = true;
	for (uint32_t b = 0; b < v->f->blocks.len; b++) {
		const struct ir_ins *t = ir_block_term(v->f, b);
		int64_t delta;
		if (!t)
			continue;
		if (t->op == IR_CHKNULL) {
			struct vfy_fact f = { root_of(v, t->args[0], &delta, false),
					      guarded_block(v, b, ir_ref_idx(t->args[1])), false, 0 };
			add_fact(v, f, &cap);
		} else if ((t->op == IR_BR_EQ || t->op == IR_BR_NE) && ir_ref_kind(t->args[1]) == REF_CON &&
			   ir_con_val(v->f, t->args[1]) == 0 && vfy_type(v, t->args[0]).cls == IR_PTR) {
			/* br.ne %p, 0, @nonnull, @null / br.eq %p, 0, @null, @nonnull */
			uint32_t ok = ir_ref_idx(t->args[t->op == IR_BR_NE ? 2 : 3]);
			struct vfy_fact f = { root_of(v, t->args[0], &delta, false), guarded_block(v, b, ok),
					      false, 0 };
			add_fact(v, f, &cap);
		} else if (t->op == IR_CHKPKT && ir_ref_kind(t->args[1]) == REF_CON) {
			uint32_t root = root_of(v, t->args[0], &delta, true);
			struct vfy_fact f = { root, guarded_block(v, b, ir_ref_idx(t->args[3])), true,
					      delta + ir_con_val(v->f, t->args[1]) };
			add_fact(v, f, &cap);
		}
	}
}

/* The nullable region of a helper result, for pointers a frontend typed
 * without a region (C): the value still comes straight from the call. */
static enum ir_region call_region(struct vfy *v, uint32_t root)
{
	const struct ir_ins *d = root ? def_of(v, root) : NULL;
	if (!d || d->op != IR_CALL || ir_ref_kind(d->args[0]) != REF_HLP)
		return RG_ANY;
	ir_vt t = ir_helper_ret_vt(ir_helper_by_id((int)ir_ref_idx(d->args[0])));
	return t.cls == IR_PTR ? t.region : RG_ANY;
}

/* The region of a pointer at the current block, refined by null checks. */
static enum ir_region region_here(struct vfy *v, ir_ref r)
{
	ir_vt t = vfy_type(v, r);
	enum ir_region reg = t.region;
	int64_t delta;
	uint32_t root = 0;
	if (t.cls == IR_PTR && reg == RG_ANY)
		reg = call_region(v, root = root_of(v, r, &delta, false));
	if (!(ir_regions[reg].props & RG_NULLABLE))
		return t.region;
	if (!v->facts_ready)
		collect_facts(v);
	if (!root)
		root = root_of(v, r, &delta, false);
	for (uint32_t i = 0; i < v->nfacts; i++)
		if (!v->facts[i].is_pkt && v->facts[i].root == root &&
		    ir_dominates(v->f, v->facts[i].block, v->blk))
			return ir_region_nonnull(reg);
	return reg;
}

static bool speaks_c(const struct vfy *v)
{
	return v->f->mod->lang == IR_LANG_C;
}

/* Helpers are named as the user wrote them: `call map_lookup_elem` in IR,
 * bpf_map_lookup_elem() in C. */
static const char *helper_prefix(const struct vfy *v)
{
	return speaks_c(v) ? "bpf_" : "";
}

/* "which may be NULL" for a use of `r` before its null check: in IR terms
 * (temps, chknull) at each use, or in C terms once per pointer (`*p += 1`
 * is two uses of one line). */
static void maybe_null(struct vfy *v, const struct ir_ins *in, ir_ref r, const char *use)
{
	int64_t delta;
	uint32_t root = root_of(v, r, &delta, false);
	if (speaks_c(v)) {
		for (struct vfy_seen *s = v->null_seen; s; s = s->next)
			if (s->root == root)
				return;
		struct vfy_seen *s = arena_alloc(&v->scratch, sizeof(*s));
		*s = (struct vfy_seen){ root, v->null_seen };
		v->null_seen = s;
	}
	const struct ir_ins *d = root ? def_of(v, root) : NULL;
	const char *from = "";
	if (d && d->op == IR_CALL && ir_ref_kind(d->args[0]) == REF_HLP)
		from = arena_printf(&v->scratch, " (the result of %s%s)", helper_prefix(v),
				    ir_helper_by_id((int)ir_ref_idx(d->args[0]))->name);
	if (speaks_c(v)) {
		if (vfy_rule(v, in, "%s a pointer that may be NULL%s", use, from))
			diag_hint(v->d, "compare it with NULL first (if (!p) return 0;): the kernel's "
					"verifier rejects the program otherwise");
	} else if (vfy_rule(v, in, "%s %s, which may be NULL%s", use, vfy_name(v, r), from)) {
		diag_hint(v->d, "check it first: chknull %s, @nonnull, @null", vfy_name(v, r));
	}
}

void vfy_check_ptr_arith(struct vfy *v, const struct ir_ins *in)
{
	ir_ref p = in->args[0];
	enum ir_region reg = region_here(v, p);
	if (ir_regions[reg].props & RG_NULLABLE) {
		maybe_null(v, in, p, "arithmetic on");
		return;
	}
	if (reg == RG_CTX) {
		vfy_error(v, in, "arithmetic on the context pointer %s", vfy_name(v, p));
		diag_hint(v->d, "access context fields as ctx + constant offset: load.u32 %s, OFFSET",
			  vfy_name(v, p));
		return;
	}
	if (reg == RG_PKT_END || reg == RG_MAP || reg == RG_FUNC) {
		vfy_error(v, in, "arithmetic on a %s pointer is not allowed", ir_regions[reg].name);
		return;
	}
	if (in->ty.region != RG_ANY && in->ty.region != reg)
		vfy_error(v, in, "pointer arithmetic on a ptr%s%s yields the same kind of pointer, not ptr.%s",
			  reg ? "." : "", ir_regions[reg].name, ir_regions[in->ty.region].name);
}

/* Size of the memory a root pointer was allocated with, or 0 if unknown. */
static uint32_t object_size(struct vfy *v, uint32_t root, const char **what)
{
	const struct ir_ins *d = root ? def_of(v, root) : NULL;
	if (!d)
		return 0;
	if (d->op == IR_ALLOCA) {
		*what = "its alloca";
		return (uint32_t)ir_con_val(v->f, d->args[0]);
	}
	if (d->op == IR_CALL && ir_ref_kind(d->args[0]) == REF_HLP && d->nargs > 1 &&
	    ir_ref_kind(d->args[1]) == REF_SYM) {
		const struct ir_helper *h = ir_helper_by_id((int)ir_ref_idx(d->args[0]));
		const struct ir_sym *s = ir_sym(v->f->mod, ir_ref_idx(d->args[1]));
		/* lookups in socket maps find sockets, not their stored values */
		if (h->ret == HR_MAPVAL_OR_NULL && s->kind == IR_SYM_MAP && s->map.value &&
		    s->map.type != IR_MAP_sockmap && s->map.type != IR_MAP_sockhash) {
			*what = arena_printf(&v->scratch, "the value of map $%s", s->name);
			return ir_type_size(v->f->mod, s->map.value);
		}
	}
	return 0;
}

static void check_bounds(struct vfy *v, const struct ir_ins *in, ir_ref base, int64_t off, int64_t size,
			 enum ir_region reg)
{
	int64_t delta;
	uint32_t root = root_of(v, base, &delta, true);
	int64_t lo = delta + off, hi = lo + size;
	if (reg == RG_PKT || reg == RG_PKT_META) {
		if (!v->facts_ready)
			collect_facts(v);
		for (uint32_t i = 0; i < v->nfacts; i++) {
			const struct vfy_fact *f = &v->facts[i];
			if (f->is_pkt && f->root == root && lo >= 0 && hi <= f->range &&
			    ir_dominates(v->f, f->block, v->blk))
				return;
		}
		if (lo < 0) {
			vfy_error(v, in, "packet access to bytes %lld..%lld of %s is before the start of the packet",
				  (long long)lo, (long long)hi - 1,
				  root ? vfy_name(v, ir_tmp_ref(root)) : "the packet");
			return;
		}
		vfy_error(v, in, "packet access to bytes %lld..%lld of %s is not covered by a bounds check",
			  (long long)lo, (long long)hi - 1, root ? vfy_name(v, ir_tmp_ref(root)) : "the packet");
		diag_hint(v->d, "guard it with a dominating check: chkpkt %s, %lld, %%data_end, @ok, @drop",
			  root ? vfy_name(v, ir_tmp_ref(root)) : "%data", (long long)hi);
		return;
	}
	const char *what = NULL;
	uint32_t n = object_size(v, root, &what);
	if (n && (lo < 0 || hi > n))
		vfy_error(v, in, "access to bytes %lld..%lld is outside %s (%u bytes)", (long long)lo,
			  (long long)hi - 1, what, n);
}

static void check_ctx_access(struct vfy *v, const struct ir_ins *in, ir_ref base, int64_t off,
			     unsigned size)
{
	int64_t delta;
	uint32_t root = root_of(v, base, &delta, false);
	bool is_param = false;
	vec_foreach(&v->f->params, p) is_param |= *p == root;
	if (!is_param) {
		vfy_error(v, in, "context access through %s: the context must be accessed as ctx + constant",
			  vfy_name(v, base));
		return;
	}
	if (!in->dst || !v->f->is_prog)
		return;
	enum ir_region field = ir_ctx_field_region(v->f->progtype, off, size);
	/* a BTF-typed argument may be declared nullable (fexit results, optional arguments) */
	if (field == RG_BTF && in->ty.cls == IR_PTR && in->ty.region == RG_BTF_NULL)
		return;
	if (in->ty.cls == IR_PTR && in->ty.region != RG_ANY && in->ty.region != field) {
		if (field == RG_ANY)
			vfy_error(v, in, "the %s context field at offset %lld is not a pointer",
				  ir_progtypes[v->f->progtype].name, (long long)off);
		else
			vfy_error(v, in, "the %s context field at offset %lld is a ptr.%s, not a ptr.%s",
				  ir_progtypes[v->f->progtype].name, (long long)off, ir_regions[field].name,
				  ir_regions[in->ty.region].name);
	}
}

/* The kernel checks the alignment of stack accesses strictly: an N-byte
 * access must be N-aligned, which the frame guarantees only when the
 * alloca is aligned at least that much and the offset is a multiple of N. */
static void check_stack_alignment(struct vfy *v, const struct ir_ins *in, ir_ref base, int64_t off,
				  int64_t size)
{
	int64_t delta;
	uint32_t root = root_of(v, base, &delta, true);
	const struct ir_ins *d = root ? def_of(v, root) : NULL;
	if (!d || d->op != IR_ALLOCA)
		return;
	int64_t align = ir_con_val(v->f, d->args[1]);
	if ((delta + off) % size)
		vfy_error(v, in, "misaligned stack access: %lld bytes at offset %lld of %s (the kernel "
			  "requires stack accesses aligned to their size)", (long long)size,
			  (long long)(delta + off), vfy_name(v, ir_tmp_ref(root)));
	else if (align < size)
		vfy_error(v, in, "misaligned stack access: %lld bytes in %s, an alloca aligned to %lld",
			  (long long)size, vfy_name(v, ir_tmp_ref(root)), (long long)align);
}

void vfy_check_access(struct vfy *v, const struct ir_ins *in)
{
	const struct ir_opinfo *oi = &ir_ops[in->op];
	bool is_mem = in->op == IR_MEMCPY || in->op == IR_MEMSET;
	bool writes = (oi->props & OP_STORE) || ((oi->props & OP_ATOMIC) && !(oi->props & OP_LOAD));
	int64_t off = is_mem ? 0 : ir_con_val(v->f, in->args[1]);
	int64_t size = is_mem ? ir_con_val(v->f, in->args[2]) : oi->param;

	for (unsigned k = 0; k < (in->op == IR_MEMCPY ? 2u : 1u); k++) {
		ir_ref base = in->args[k];
		bool w = k == 0 && writes;
		enum ir_region reg = region_here(v, base);
		unsigned props = ir_regions[reg].props;
		if (props & RG_NULLABLE) {
			maybe_null(v, in, base, "dereference of");
			continue;
		}
		if (!(props & RG_DEREF)) {
			vfy_error(v, in, "cannot access memory through a %s pointer (%s)", ir_regions[reg].name,
				  vfy_name(v, base));
			continue;
		}
		if (w && !(props & RG_WRITE)) {
			if (speaks_c(v))
				vfy_rule(v, in, "write through a pointer to read-only kernel memory");
			else
				vfy_rule(v, in, "cannot write through a %s pointer: it is read-only",
					 ir_regions[reg].name);
			continue;
		}
		if ((oi->props & OP_ATOMIC) && (reg == RG_CTX || reg == RG_PKT || reg == RG_PKT_META)) {
			vfy_error(v, in, "atomic operation on a %s pointer", ir_regions[reg].name);
			continue;
		}
		if (reg == RG_CTX) {
			if (is_mem)
				vfy_error(v, in, "'%s' on the context: access context fields one by one",
					  oi->name);
			else
				check_ctx_access(v, in, base, off, (unsigned)size);
			continue;
		}
		if (oi->props & OP_ATOMIC) {
			int64_t delta;
			root_of(v, base, &delta, true);
			if ((delta + off) % size)
				vfy_error(v, in, "misaligned atomic access: offset %lld is not a multiple of %lld",
					  (long long)(delta + off), (long long)size);
		} else if (reg == RG_STACK && !is_mem) {
			check_stack_alignment(v, in, base, off, size);
		}
		check_bounds(v, in, base, off, size, reg);
	}
}

/* ---- helpers ---------------------------------------------------------------- */

static const char *const harg_what[] = {
	[HA_MAP] = "a map", [HA_CTX] = "the program's context", [HA_KEY] = "a pointer to the key",
	[HA_VALUE] = "a pointer to the value", [HA_MEM] = "a pointer to memory",
	[HA_UNINIT] = "a pointer to a writable buffer", [HA_PTR_LONG] = "a pointer to an 8-byte slot",
	[HA_SOCK] = "a socket pointer", [HA_FUNC] = "a $function (callback)",
	[HA_SIZE] = "an integer size",
};

/* Map types a helper accepts, where it is picky. */
static const struct {
	const char *helper;
	uint8_t types[5];
} helper_maps[] = {
	{ "ringbuf_output", { IR_MAP_ringbuf } },
	{ "ringbuf_reserve", { IR_MAP_ringbuf } },
	{ "ringbuf_query", { IR_MAP_ringbuf } },
	{ "ringbuf_reserve_dynptr", { IR_MAP_ringbuf } },
	{ "perf_event_output", { IR_MAP_perf_event_array } },
	{ "perf_event_read", { IR_MAP_perf_event_array } },
	{ "get_stackid", { IR_MAP_stack_trace } },
	{ "tail_call", { IR_MAP_prog_array } },
	{ "map_push_elem", { IR_MAP_queue, IR_MAP_stack, IR_MAP_bloom_filter } },
	{ "map_pop_elem", { IR_MAP_queue, IR_MAP_stack } },
	{ "map_peek_elem", { IR_MAP_queue, IR_MAP_stack, IR_MAP_bloom_filter } },
	{ "redirect_map", { IR_MAP_devmap, IR_MAP_devmap_hash, IR_MAP_cpumap, IR_MAP_xskmap } },
	{ "sk_storage_get", { IR_MAP_sk_storage } },
	{ "task_storage_get", { IR_MAP_task_storage } },
	{ "inode_storage_get", { IR_MAP_inode_storage } },
	{ "cgrp_storage_get", { IR_MAP_cgrp_storage } },
};
static const uint8_t keyless_maps[] = { IR_MAP_ringbuf, IR_MAP_user_ringbuf, IR_MAP_queue,
					IR_MAP_stack, IR_MAP_bloom_filter };

static void check_map_kind(struct vfy *v, const struct ir_ins *in, const struct ir_helper *h,
			   const struct ir_sym *map)
{
	enum ir_maptype mt = map->map.type;
	for (size_t i = 0; i < ARRAY_LEN(helper_maps); i++) {
		if (strcmp(helper_maps[i].helper, h->name))
			continue;
		for (unsigned k = 0; k < 5 && helper_maps[i].types[k]; k++)
			if (helper_maps[i].types[k] == mt)
				return;
		vfy_error(v, in, "%s cannot be used on $%s, a %s map", h->name, map->name,
			  ir_maptypes[mt].name);
		diag_hint(v->d, "%s takes a %s map", h->name, ir_maptypes[helper_maps[i].types[0]].name);
		return;
	}
	if (!strncmp(h->name, "map_", 4) && (h->args[1] == HA_KEY))
		for (size_t k = 0; k < sizeof(keyless_maps); k++)
			if (keyless_maps[k] == mt)
				vfy_error(v, in, "%s cannot be used on $%s: a %s map has no keys", h->name,
					  map->name, ir_maptypes[mt].name);
}

static void check_helper_arg(struct vfy *v, const struct ir_ins *in, const struct ir_helper *h,
			     unsigned i, ir_ref r)
{
	enum ir_harg kind = h->args[i];
	bool con = ir_ref_kind(r) == REF_CON;
	ir_vt t = vfy_type(v, r);
	const char *bad = NULL;
	switch (kind) {
	case HA_MAP:
		if (t.cls == IR_PTR && t.region == RG_MAP_NULL) {
			/* an inner map from a map of maps: usable once checked */
			if (region_here(v, r) != RG_MAP) {
				maybe_null(v, in, r,
					   arena_printf(&v->scratch, "argument %u of %s%s is", i + 1,
						helper_prefix(v), h->name));
				return;
			}
		} else if (t.cls != IR_PTR || (t.region != RG_MAP && t.region != RG_ANY))
			bad = "";
		else if (ir_ref_kind(r) == REF_SYM)
			check_map_kind(v, in, h, ir_sym(v->f->mod, ir_ref_idx(r)));
		break;
	case HA_CTX:
		if (t.cls != IR_PTR || (t.region != RG_CTX && t.region != RG_ANY))
			bad = "";
		break;
	case HA_KEY:
	case HA_VALUE:
	case HA_UNINIT:
	case HA_PTR_LONG:
	case HA_MEM:
	case HA_SOCK:
		if (con && ir_con_val(v->f, r) == 0 && (kind == HA_MEM || kind == HA_UNINIT))
			break; /* NULL with a zero size */
		if (t.cls != IR_PTR || con) {
			bad = "";
		} else {
			enum ir_region reg = region_here(v, r);
			if (ir_regions[reg].props & RG_NULLABLE) {
				maybe_null(v, in, r,
					   arena_printf(&v->scratch, "argument %u of %s%s is", i + 1,
						helper_prefix(v), h->name));
				return;
			}
			if (kind != HA_SOCK && !(ir_regions[reg].props & RG_DEREF))
				bad = "";
		}
		break;
	case HA_FUNC:
		if (t.cls != IR_PTR || (t.region != RG_FUNC && t.region != RG_ANY))
			bad = "";
		break;
	case HA_SIZE:
		if (!con && !ir_vt_int(t))
			bad = "";
		break;
	default:
		break;
	}
	if (!bad)
		return;
	vfy_error(v, in, "argument %u of %s must be %s; %s is %s", i + 1, h->name, harg_what[kind],
		  vfy_name(v, r),
		  con ? "a constant"
		  : t.cls == IR_PTR ? arena_printf(&v->scratch, "a ptr%s%s", t.region ? "." : "",
						   ir_regions[t.region].name)
				    : "an integer");
	if (kind == HA_KEY || kind == HA_VALUE)
		diag_hint(v->d, "store it on the stack (alloca, store) and pass the stack pointer");
}

void vfy_check_helper_call(struct vfy *v, const struct ir_ins *in)
{
	const struct ir_helper *h = ir_helper_by_id((int)ir_ref_idx(in->args[0]));
	unsigned n = in->nargs - 1u;
	if (!h) {
		vfy_error(v, in, "call of unknown helper %u", ir_ref_idx(in->args[0]));
		return;
	}
	if (n < h->min_args || n > h->max_args) {
		if (h->min_args == h->max_args)
			vfy_error(v, in, "%s takes %u arguments, %u given", h->name, h->min_args, n);
		else
			vfy_error(v, in, "%s takes %u to %u arguments, %u given", h->name, h->min_args,
				  h->max_args, n);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		check_helper_arg(v, in, h, i, in->args[i + 1]);
	if (!in->dst)
		return;
	ir_vt ret = ir_helper_ret_vt(h);
	uint8_t want = ret.region;
	/* a lookup in a map of maps finds an inner map */
	if (h->ret == HR_MAPVAL_OR_NULL && ir_ref_kind(in->args[1]) == REF_SYM &&
	    ir_sym(v->f->mod, ir_ref_idx(in->args[1]))->kind == IR_SYM_MAP &&
	    (ir_maptypes[ir_sym(v->f->mod, ir_ref_idx(in->args[1]))->map.type].props & MT_OF_MAPS))
		want = RG_MAP_NULL;
	bool ok = ret.cls == IR_PTR
			  ? in->ty.cls == IR_PTR && (in->ty.region == RG_ANY || in->ty.region == want)
			  : ir_vt_int(in->ty);
	if (!ok) {
		struct buf b = { 0 };
		ir_print_vt(IR_VT(ret.cls, want), &b);
		vfy_error(v, in, "%s returns %s", h->name, buf_cstr(&b));
		buf_free(&b);
	}
}

/* ---- whole-function rules ------------------------------------------------------- */

static void check_stack(struct vfy *v)
{
	int64_t total = 0;
	bool reported = false;
	for (uint32_t b = 0; b < v->f->blocks.len; b++)
		vec_foreach(&v->f->blocks.data[b]->ins, in)
		{
			if (in->op != IR_ALLOCA)
				continue;
			total += ALIGN_UP(ir_con_val(v->f, in->args[0]), 8);
			if (total > 512 && !reported) {
				reported = true;
				vfy_error(v, in, "stack usage exceeds the BPF limit of 512 bytes (%lld bytes "
					  "of allocas so far)", (long long)total);
				diag_hint(v->d, "move large buffers to a per-CPU array map and use its value");
			}
		}
}

static void check_shifts(struct vfy *v)
{
	for (uint32_t b = 0; b < v->f->blocks.len; b++)
		vec_foreach(&v->f->blocks.data[b]->ins, in)
		{
			if ((in->op != IR_SHL && in->op != IR_LSHR && in->op != IR_ASHR) ||
			    ir_ref_kind(in->args[1]) != REF_CON)
				continue;
			int64_t n = ir_con_val(v->f, in->args[1]);
			int64_t bits = in->ty.cls == IR_I32 ? 32 : 64;
			if (n < 0 || n >= bits)
				vfy_error(v, in, "shift by %lld is out of range for %s (0 to %lld)", (long long)n,
					  in->ty.cls == IR_I32 ? "i32" : "i64", (long long)bits - 1);
		}
}

/* Marks in `seen` (stamp) the blocks reachable from b. */
static void reach(struct ir_func *f, uint32_t b, uint32_t *seen, uint32_t stamp, uint32_t *work)
{
	uint32_t top = 0;
	seen[b] = stamp;
	work[top++] = b;
	while (top) {
		uint32_t x = work[--top], succ[2];
		const struct ir_ins *t = ir_block_term(f, x);
		for (unsigned k = 0, ns = t ? ir_succs(t, succ) : 0; k < ns; k++)
			if (seen[succ[k]] != stamp) {
				seen[succ[k]] = stamp;
				work[top++] = succ[k];
			}
	}
}

/* Where to point at a loop: the branch of its header (the block entered
 * first), else its first located instruction. */
static const struct ir_ins *loop_site(struct ir_func *f, const uint32_t *seen, uint32_t stamp)
{
	uint32_t head = UINT32_MAX;
	for (uint32_t b = 0; b < f->blocks.len; b++)
		if (seen[b] == stamp && (head == UINT32_MAX || f->blocks.data[b]->rpo < f->blocks.data[head]->rpo))
			head = b;
	const struct ir_ins *t = ir_block_term(f, head);
	if (t->loc.file || t->pos)
		return t;
	for (uint32_t b = 0; b < f->blocks.len; b++) {
		if (seen[b] != stamp)
			continue;
		vec_foreach(&f->blocks.data[b]->ins, in) if (in->loc.file || in->pos) return in;
	}
	return t;
}

/* A loop no path leaves: the kernel's verifier refuses a program that
 * cannot end.  Blocks that reach no ret (or unreachable) lead into a cycle
 * with no exit, which is reported (found by walking to a block that every
 * block it reaches reaches back). */
static void check_exits(struct vfy *v)
{
	struct ir_func *f = v->f;
	uint32_t n = f->blocks.len, top = 0, from = UINT32_MAX;
	bool *exits = xcalloc(n, sizeof(*exits));
	uint32_t *work = xmalloc(sizeof(*work) * n), *seen = xcalloc(n, sizeof(*seen));
	for (uint32_t b = 0; b < n; b++) {
		const struct ir_ins *t = ir_block_term(f, b);
		if (t && (t->op == IR_RET || t->op == IR_UNREACHABLE)) {
			exits[b] = true;
			work[top++] = b;
		}
	}
	while (top) {
		struct ir_block *b = f->blocks.data[work[--top]];
		vec_foreach(&b->preds, p) if (!exits[*p])
		{
			exits[*p] = true;
			work[top++] = *p;
		}
	}
	for (uint32_t b = 0; b < n && from == UINT32_MAX; b++)
		if (!exits[b] && f->blocks.data[b]->rpo != UINT32_MAX)
			from = b;
	if (from != UINT32_MAX) {
		uint32_t stamp = 1;
		reach(f, from, seen, stamp, work);
		for (uint32_t y = 0; y < n; y++) {
			if (seen[y] != stamp || y == from)
				continue;
			/* a smaller region inside: walk into it (each step shrinks it) */
			reach(f, y, seen, stamp + 1, work);
			if (seen[from] != stamp + 1) {
				from = y;
				stamp++;
				y = UINT32_MAX; /* restart: the loop's y++ wraps to 0 */
				continue;
			}
			for (uint32_t z = 0; z < n; z++) /* back to this region's marks */
				if (seen[z] == stamp + 1)
					seen[z] = stamp;
		}
		const struct ir_ins *at = loop_site(f, seen, stamp);
		if (speaks_c(v)) {
			if (vfy_rule(v, at, "this loop never exits"))
				diag_hint(v->d, "the kernel's verifier rejects a program that cannot end; "
						"give the loop a condition or a break");
		} else {
			vfy_rule(v, at, "@%s loops forever: no path from it reaches a ret",
				 f->blocks.data[from]->name);
		}
	}
	free(seen);
	free(work);
	free(exits);
}

void vfy_check_bpf(struct vfy *v)
{
	check_stack(v);
	check_shifts(v);
	check_exits(v);
}
