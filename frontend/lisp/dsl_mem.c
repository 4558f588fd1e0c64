/* Memory in the DSL: load/store, atomics, memset/memcpy, stack buffers,
 * struct and header accessors, kernel struct reads (CO-RE relocated, probe
 * read or direct load of BTF pointers), and the program context by field
 * name (offsets from the UAPI headers, dsl_ctxfields.def). */
#include "frontend/lisp/dsl_internal.h"

#include <string.h>

static const struct ctxf {
	const char *ctx, *name;
	uint32_t off, size, count;
} ctxfields[] = {
#define CTXF(c, f, o, s, n) { #c, #f, o, s, n },
#include "frontend/lisp/dsl_ctxfields.def"
#undef CTXF
};

/* The base and offset of an access to p + off: a pointer known to be
 * base + constant is accessed from its base (saving the add); an offset out
 * of the 16-bit range is added to the pointer. */
static struct dval fit_offset(struct fb *fb, struct dval p, int64_t *off, struct srcloc loc)
{
	if (p.pbase && *off + p.poff >= INT16_MIN && *off + p.poff <= INT16_MAX) {
		struct dval b = p;
		b.ref = p.pbase;
		b.pbase = IR_NOREF;
		*off += p.poff;
		b.poff = 0;
		return b;
	}
	if (*off >= INT16_MIN && *off <= INT16_MAX)
		return p;
	struct dval q = lower_binop(fb, IR_ADD, p, dv_const(*off), loc);
	*off = 0;
	return q;
}

static bool check_ptr(struct fb *fb, struct dval p, struct srcloc loc, const char *what, bool write)
{
	if (p.poison)
		return false;
	if (!dv_is_ptr(p)) {
		if (p.is_const)
			fb_error(fb, loc, "%s through the constant %lld, which is not a pointer",
				 what, (long long)p.cval);
		else
			fb_error(fb, loc, "%s through a %u-byte integer, which is not a pointer",
				 what, p.t.size);
		if (!p.is_const && p.t.size == 8)
			dsl_hint(fb->d,
				 "kernel addresses are read with kernel-load, probe-read-kernel or "
				 "import-kernel-struct accessors");
		return false;
	}
	if (p.t.region == RG_MAP || p.t.region == RG_PKT_END || p.t.region == RG_FUNC) {
		fb_error(fb, loc, "%s through a %s pointer", what,
			 p.t.region == RG_MAP	 ? "map"
			 : p.t.region == RG_FUNC ? "function"
						 : "packet-end");
		return false;
	}
	if (write && !(ir_regions[ir_region_nonnull(p.t.region)].props & RG_WRITE)) {
		fb_error(fb, loc, "%s through a read-only ptr.%s", what,
			 ir_regions[p.t.region].name);
		return false;
	}
	return true;
}

struct dval mem_load(struct fb *fb, struct dtype t, struct dval p, int64_t off, struct srcloc loc)
{
	if (!check_ptr(fb, p, loc, "load", false))
		return dv_poison();
	p = fit_offset(fb, p, &off, loc);
	ir_ref args[2] = { p.ref, fb_con(fb, off) };
	ir_vt vt = t.size == 8 ? VT_I64 : VT_I32;
	if (p.t.region == RG_CTX && fb->ptype) {
		enum ir_region r = ir_ctx_field_region(fb->ptype->progtype, off, t.size);
		if (r == RG_BTF) {
			/* a traced function's argument: a BTF pointer only when
			 * the kernel makes it one (a pointer to a struct); an
			 * argument of unknown type is an integer, which reads
			 * through it probe-read */
			const char *to;
			enum dsl_targ k =
				dsl_tracing_arg(fb->d, fb->fn ? fb->fn->section : NULL, off, &to);
			if (k == DSL_TARG_BTF || k == DSL_TARG_BTF_NULL) {
				r = k == DSL_TARG_BTF ? RG_BTF : RG_BTF_NULL;
				ir_ref v = fb_emit(fb, ir_load_op(t.size, false), IR_VT(IR_PTR, r),
						   args, 2);
				return dv_tmp(v, dt_ptr(r, to ? dsl_kernel_sid(fb->d, to) : 0));
			}
			r = RG_ANY;
		}
		if (r != RG_ANY) {
			ir_ref v = fb_emit(fb, ir_load_op(t.size, false), IR_VT(IR_PTR, r), args, 2);
			return dv_tmp(v, dt_ptr(r, 0));
		}
	}
	return dv_tmp(fb_emit(fb, ir_load_op(t.size, t.sign), vt, args, 2), t);
}

void mem_store(struct fb *fb, unsigned size, struct dval p, int64_t off, struct dval v,
	       struct srcloc loc)
{
	if (v.poison || !check_ptr(fb, p, loc, "store", true))
		return;
	p = fit_offset(fb, p, &off, loc);
	ir_ref val;
	if (dv_is_ptr(v)) {
		if (size != 8) {
			fb_error(fb, loc, "storing a pointer in %u bytes would cut it", size);
			return;
		}
		val = v.ref;
	} else if (v.is_const) {
		val = fb_con(fb, size == 8 ? v.cval
					   : (int64_t)((uint64_t)v.cval & (size == 4 ? 0xffffffffULL
									   : size == 2 ? 0xffff
										       : 0xff)));
	} else {
		val = dv_op(fb, v, size == 8 ? IR_I64 : IR_I32);
	}
	ir_ref args[3] = { p.ref, fb_con(fb, off), val };
	fb_emit0(fb, ir_store_op(size), args, 3);
}

/* ---- load / store ------------------------------------------------------------- */

static bool const_arg(struct fb *fb, lv form, size_t i, struct srcloc loc, const char *what,
		      int64_t *out)
{
	struct dval v = lower(fb, form_nth(form, i), form_nth_loc(fb, form, i, loc), WANT_VALUE);
	if (v.poison)
		return false;
	if (!v.is_const) {
		fb_error(fb, form_nth_loc(fb, form, i, loc), "%s must be a compile-time constant",
			 what);
		return false;
	}
	*out = v.cval;
	return true;
}

static bool type_arg(struct fb *fb, lv form, size_t i, struct srcloc loc, struct dtype *t)
{
	if (dsl_scalar_type(form_nth(form, i), t))
		return true;
	fb_error(fb, form_nth_loc(fb, form, i, loc),
		 "expected a type (u8 u16 u32 u64 i8 i16 i32 i64), found %s",
		 dsl_text(fb->d, form_nth(form, i)));
	return false;
}

struct dval dsl_p_load(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_load(struct fb *fb, lv form, struct srcloc loc, int want)
{
	size_t n = form_len(form);
	struct dtype t;
	if (n < 3 || n > 4)
		return fb_error(
			fb, loc,
			"load takes a type, a pointer and an optional offset: (load u32 p 4)");
	if (!type_arg(fb, form, 1, loc, &t))
		return dv_poison();
	struct dval p = lower(fb, form_nth(form, 2), form_nth_loc(fb, form, 2, loc), WANT_VALUE);
	int64_t off = 0;
	if (n == 4) {
		struct dval o =
			lower(fb, form_nth(form, 3), form_nth_loc(fb, form, 3, loc), WANT_VALUE);
		if (o.poison)
			return o;
		if (!o.is_const)
			p = lower_binop(fb, IR_ADD, p, o, loc);
		else
			off = o.cval;
	}
	return mem_load(fb, t, p, off, loc);
}

struct dval dsl_p_store(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_store(struct fb *fb, lv form, struct srcloc loc, int want)
{
	struct dtype t;
	if (form_len(form) != 5)
		return fb_error(
			fb, loc,
			"store takes a type, a pointer, an offset and a value: (store u32 p 0 v)");
	if (!type_arg(fb, form, 1, loc, &t))
		return dv_poison();
	struct dval p = lower(fb, form_nth(form, 2), form_nth_loc(fb, form, 2, loc), WANT_VALUE);
	struct dval o = lower(fb, form_nth(form, 3), form_nth_loc(fb, form, 3, loc), WANT_VALUE);
	struct dval v = lower(fb, form_nth(form, 4), form_nth_loc(fb, form, 4, loc), WANT_VALUE);
	if (o.poison || p.poison || v.poison)
		return dv_poison();
	int64_t off = 0;
	if (!o.is_const)
		p = lower_binop(fb, IR_ADD, p, o, loc);
	else
		off = o.cval;
	mem_store(fb, t.size, p, off, v, loc);
	return v;
}

/* ---- atomics ----------------------------------------------------------------------- */

void mem_check_atomic_align(struct fb *fb, struct dval p, int64_t off, unsigned size,
			    struct srcloc loc)
{
	int64_t total = off + (p.pbase ? p.poff : 0);
	if (total % size) {
		fb_error(fb, loc, "unaligned atomic: offset %lld is not a multiple of %u",
			 (long long)total, size);
		dsl_hint(
			fb->d,
			"the verifier rejects misaligned atomic operations; align the field to %u bytes",
			size);
	}
}

struct dval dsl_p_atomic(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_atomic(struct fb *fb, lv form, struct srcloc loc, int want)
{
	const char *name = lisp_symbol_name(lisp_car(form));
	if (!strncmp(name, "ATOMIC-", 7))
		name += 7;
	static const struct {
		const char *name;
		unsigned op32, op64;
		bool fetch;
	} ops[] = {
		{ "ADD", IR_ATOMIC_ADD_U32, IR_ATOMIC_ADD_U64, false },
		{ "AND", IR_ATOMIC_AND_U32, IR_ATOMIC_AND_U64, false },
		{ "OR", IR_ATOMIC_OR_U32, IR_ATOMIC_OR_U64, false },
		{ "XOR", IR_ATOMIC_XOR_U32, IR_ATOMIC_XOR_U64, false },
		{ "FETCH-ADD", IR_FETCH_ADD_U32, IR_FETCH_ADD_U64, true },
		{ "FETCH-AND", IR_FETCH_AND_U32, IR_FETCH_AND_U64, true },
		{ "FETCH-OR", IR_FETCH_OR_U32, IR_FETCH_OR_U64, true },
		{ "FETCH-XOR", IR_FETCH_XOR_U32, IR_FETCH_XOR_U64, true },
		{ "XCHG", IR_XCHG_U32, IR_XCHG_U64, true },
		{ "CMPXCHG", IR_CMPXCHG_U32, IR_CMPXCHG_U64, true },
	};
	size_t k = 0;
	while (k < ARRAY_LEN(ops) && strcmp(ops[k].name, name))
		k++;
	W_ASSERT(k < ARRAY_LEN(ops));
	bool cmpx = !strcmp(name, "CMPXCHG");
	size_t nv = cmpx ? 2 : 1, n = form_len(form);
	if (n != 3 + nv && n != 4 + nv)
		return fb_error(
			fb, loc,
			"%s takes a pointer, an offset, %s and an optional type (u32 or u64)",
			dsl_lisp_name(fb->d, lisp_car(form)),
			cmpx ? "the expected and the new value" : "a value");
	struct dtype t = DT_U64;
	if (n == 4 + nv && !type_arg(fb, form, 3 + nv, loc, &t))
		return dv_poison();
	if (t.size != 4 && t.size != 8)
		return fb_error(fb, loc, "atomic operations work on u32 or u64, not %u-byte values",
				t.size);
	struct dval p = lower(fb, form_nth(form, 1), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	int64_t off;
	if (!const_arg(fb, form, 2, loc, "the atomic offset", &off))
		return dv_poison();
	struct dval v1 = lower(fb, form_nth(form, 3), form_nth_loc(fb, form, 3, loc), WANT_VALUE);
	struct dval v2 =
		cmpx ? lower(fb, form_nth(form, 4), form_nth_loc(fb, form, 4, loc), WANT_VALUE)
		     : v1;
	if (!check_ptr(fb, p, loc, "atomic operation", true) || v1.poison || v2.poison)
		return dv_poison();
	if (p.t.region == RG_CTX || p.t.region == RG_PKT || p.t.region == RG_PKT_META)
		return fb_error(
			fb, loc,
			"atomic operation on a ptr.%s: atomics need map values, the stack or globals",
			ir_regions[p.t.region].name);
	mem_check_atomic_align(fb, p, off, t.size, loc);
	p = fit_offset(fb, p, &off, loc);
	unsigned cls = t.size == 8 ? IR_I64 : IR_I32;
	ir_ref args[4] = { p.ref, fb_con(fb, off), dv_op(fb, v1, cls), dv_op(fb, v2, cls) };
	unsigned op = t.size == 8 ? ops[k].op64 : ops[k].op32;
	if (!ops[k].fetch) {
		fb_emit0(fb, op, args, 3);
		return dv_const(0);
	}
	return dv_tmp(fb_emit(fb, op, cls == IR_I64 ? VT_I64 : VT_I32, args, cmpx ? 4 : 3), t);
}

/* ---- stack buffers -------------------------------------------------------------------- */

struct dval dsl_p_stack_addr(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_stack_addr(struct fb *fb, lv form, struct srcloc loc, int want)
{
	lv sym = lisp_cadr(form);
	int64_t var = lisp_symbolp(sym) ? fb_var_find(fb, sym) : -1;
	if (form_len(form) != 2 || var < 0)
		return fb_error(fb, loc, "stack-addr takes a variable bound by let");
	struct fvar *v = &fb->vars.data[var];
	if (!v->mem) {
		/* made visible only by a macro: from here on it lives in memory */
		struct dval cur = fb_var_read(fb, (uint32_t)var);
		ir_ref addr = fb_alloca(
			fb, 8, 8,
			arena_printf(&fb->f->arena, "variable %s", dsl_lisp_name(fb->d, sym)));
		v = &fb->vars.data[var];
		v->mem = true;
		v->addr = addr;
		mem_store(fb, v->t.kind == DT_PTR ? 8 : v->t.size,
			  dv_tmp(addr, dt_ptr(RG_STACK, 0)), 0, cur, loc);
	}
	struct dval a = dv_tmp(v->addr, dt_ptr(RG_STACK, 0));
	return v->mem_off ? lower_binop(fb, IR_ADD, a, dv_const(v->mem_off), loc) : a;
}

struct dval dsl_p_struct_alloc(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_struct_alloc(struct fb *fb, lv form, struct srcloc loc, int want)
{
	int64_t n;
	if (form_len(form) != 2 || !const_arg(fb, form, 1, loc, "the size of struct-alloc", &n))
		return dv_poison();
	if (n <= 0 || n > 512)
		return fb_error(fb, loc, "struct-alloc of %lld bytes: the BPF stack holds 512",
				(long long)n);
	return dv_tmp(fb_alloca(fb, (uint32_t)n, 8,
				arena_printf(&fb->f->arena, "struct-alloc %lld", (long long)n)),
		      dt_ptr(RG_STACK, 0));
}

static struct dval ptr_plus(struct fb *fb, struct dval p, int64_t off, struct srcloc loc)
{
	if (!off)
		return p;
	return lower_binop(fb, IR_ADD, p, dv_const(off), loc);
}

struct dval dsl_p_memset(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_memset(struct fb *fb, lv form, struct srcloc loc, int want)
{
	size_t n = form_len(form);
	if (n != 4 && n != 5)
		return fb_error(
			fb, loc,
			"memset takes (memset PTR OFFSET VALUE NBYTES) or (memset PTR VALUE NBYTES)");
	struct dval p = lower(fb, form_nth(form, 1), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	int64_t off = 0, len;
	if (n == 5 && !const_arg(fb, form, 2, loc, "the memset offset", &off))
		return dv_poison();
	struct dval v =
		lower(fb, form_nth(form, n - 2), form_nth_loc(fb, form, n - 2, loc), WANT_VALUE);
	if (!const_arg(fb, form, n - 1, loc, "the memset size", &len))
		return dv_poison();
	if (!check_ptr(fb, p, loc, "memset", true) || v.poison)
		return dv_poison();
	if (len <= 0 || len > 65536)
		return fb_error(fb, loc, "memset of %lld bytes", (long long)len);
	if (dv_is_ptr(v))
		return fb_error(fb, loc, "memset fills with a byte value, not a pointer");
	p = ptr_plus(fb, p, off, loc);
	ir_ref args[3] = { p.ref, v.is_const ? fb_con(fb, v.cval & 0xff) : dv_op(fb, v, IR_I64),
			   fb_con(fb, len) };
	fb_emit0(fb, IR_MEMSET, args, 3);
	return dv_const(0);
}

struct dval dsl_p_memcpy(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_memcpy(struct fb *fb, lv form, struct srcloc loc, int want)
{
	size_t n = form_len(form);
	if (n != 4 && n != 6)
		return fb_error(
			fb, loc,
			"memcpy takes (memcpy DST DST-OFF SRC SRC-OFF NBYTES) or (memcpy DST SRC NBYTES)");
	struct dval dst = lower(fb, form_nth(form, 1), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	int64_t doff = 0, soff = 0, len;
	if (n == 6 && !const_arg(fb, form, 2, loc, "the memcpy destination offset", &doff))
		return dv_poison();
	size_t si = n == 6 ? 3 : 2;
	struct dval src =
		lower(fb, form_nth(form, si), form_nth_loc(fb, form, si, loc), WANT_VALUE);
	if (n == 6 && !const_arg(fb, form, 4, loc, "the memcpy source offset", &soff))
		return dv_poison();
	if (!const_arg(fb, form, n - 1, loc, "the memcpy size", &len))
		return dv_poison();
	if (!check_ptr(fb, dst, loc, "memcpy", true) || !check_ptr(fb, src, loc, "memcpy", false))
		return dv_poison();
	if (len <= 0 || len > 65536)
		return fb_error(fb, loc, "memcpy of %lld bytes", (long long)len);
	dst = ptr_plus(fb, dst, doff, loc);
	src = ptr_plus(fb, src, soff, loc);
	ir_ref args[3] = { dst.ref, src.ref, fb_con(fb, len) };
	fb_emit0(fb, IR_MEMCPY, args, 3);
	return dv_const(0);
}

/* ---- kernel memory ------------------------------------------------------------------- */

/* probe_read_kernel into a fresh stack buffer, then a load from it. */
static struct dval probe_read(struct fb *fb, struct dtype t, ir_ref src, struct srcloc loc,
			      const char *what)
{
	ir_ref buf = fb_alloca(fb, t.size, t.size, what);
	const struct ir_helper *h = ir_helper_by_name("probe_read_kernel", 17);
	ir_ref args[4] = { IR_REF(REF_HLP, h->id), buf, fb_con(fb, t.size), src };
	fb_emit(fb, IR_CALL, VT_I64, args, 4);
	return mem_load(fb, t, dv_tmp(buf, dt_ptr(RG_STACK, 0)), 0, loc);
}

struct dval dsl_p_kernel_load(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_kernel_load(struct fb *fb, lv form, struct srcloc loc, int want)
{
	struct dtype t;
	size_t n = form_len(form);
	if (n != 3 && n != 4)
		return fb_error(fb, loc,
				"kernel-load takes a type, a kernel pointer and an offset");
	if (!type_arg(fb, form, 1, loc, &t))
		return dv_poison();
	struct dval p = lower(fb, form_nth(form, 2), form_nth_loc(fb, form, 2, loc), WANT_VALUE);
	struct dval o =
		n == 4 ? lower(fb, form_nth(form, 3), form_nth_loc(fb, form, 3, loc), WANT_VALUE)
		       : dv_const(0);
	if (p.poison || o.poison)
		return dv_poison();
	if (!dv_is_ptr(p) && !p.is_const && p.t.size < 8) {
		fb_error(fb, form_nth_loc(fb, form, 2, loc),
			 "a %s value passed as a kernel pointer", p.t.sign ? "signed" : "narrow");
		dsl_hint(fb->d, "kernel pointers are 64 bits; this one was cut to %u bytes",
			 p.t.size);
		return dv_poison();
	}
	if (dv_is_ptr(p) && (p.t.region == RG_BTF))
		return mem_load(fb, t, p, o.is_const ? o.cval : 0, loc);
	struct dval addr = dv_is_ptr(p) ? lower_binop(fb, IR_ADD, p, o, loc)
					: lower_binop(fb, IR_ADD, p, o, loc);
	ir_ref src = dv_is_ptr(addr) ? addr.ref : dv_op(fb, addr, IR_I64);
	return probe_read(fb, t, src, loc, "kernel-load buffer");
}

/* A field of an imported kernel struct at p: CO-RE offset, then a direct
 * load (BTF pointers) or a probe read.  store: write instead (direct only). */
static struct dval kernel_field(struct fb *fb, uint32_t sid, uint32_t fi, struct dval p,
				struct dval idx, bool want_ptr, struct dval *store,
				struct srcloc loc)
{
	struct dsl *d = fb->d;
	const struct dsl_struct *s = &d->structs.data[sid];
	const struct dsl_field *f = &s->fields[fi];
	struct dsl_kfield *kf = &d->kfields.data[sid][fi];
	uint32_t ptr_sid = kf->is_ptr ? kernel_ptr_sid(d, kf) : 0;
	uint32_t ty = dsl_struct_irtype(d, sid);
	const struct ir_type *it = ir_type(d->m, ty);
	uint32_t member = 0;
	while (member < it->nmembers && strcmp(it->members[member].name, f->cname))
		member++;
	char access[32];
	snprintf(access, sizeof(access), "0:%u", member);
	ir_ref cargs[2] = { IR_REF(REF_TYP, ty), IR_REF(REF_STR, ir_str(d->m, access)) };
	ir_ref off = fb_emit(fb, IR_CORE_FIELD_OFF, VT_I64, cargs, 2);
	struct dval offv = dv_tmp(off, DT_U64);
	if (p.poison || idx.poison)
		return dv_poison();
	if (!dv_is_ptr(p) && !p.is_const && p.t.size < 8) {
		fb_error(fb, loc, "%s-%s: a %u-byte value passed as a kernel pointer", s->name,
			 f->name, p.t.size);
		dsl_hint(d, "kernel pointers are 64 bits wide");
		return dv_poison();
	}
	uint32_t esize = f->kind == DSL_F_STRUCT ? d->structs.data[f->sub].size : f->size;
	struct dval addr = lower_binop(fb, IR_ADD, p, offv, loc);
	if (f->count && !idx.is_const)
		addr = lower_binop(fb, IR_ADD, addr,
				   lower_binop(fb, IR_MUL, idx, dv_const(esize), loc), loc);
	else if (f->count && idx.cval)
		addr = lower_binop(fb, IR_ADD, addr, dv_const(idx.cval * esize), loc);
	if (want_ptr || (f->count && !store && idx.is_const && idx.cval < 0) ||
	    f->kind == DSL_F_STRUCT) {
		if (f->kind == DSL_F_STRUCT && dv_is_ptr(addr))
			addr.t.sid = f->sub + 1;
		return addr;
	}
	unsigned preg = dv_is_ptr(p) ? ir_region_nonnull(p.t.region) : RG_ANY;
	bool direct = dv_is_ptr(p) && (preg == RG_BTF || preg == RG_ANY || preg == RG_STACK ||
				       preg == RG_MAPVAL || preg == RG_MEM);
	struct dtype t = kf->is_ptr ? DT_U64 : dt_int(f->size, f->sign);
	if (store) {
		if (!direct)
			return fb_error(fb, loc, "%s-%s: kernel memory cannot be written", s->name,
					f->name);
		mem_store(fb, t.size, addr, 0, *store, loc);
		return *store;
	}
	if (direct) {
		if (kf->is_ptr && preg == RG_BTF && !addr.poison) {
			/* a pointer field of a BTF object is a BTF pointer too */
			ir_ref args[2] = { addr.ref, fb_con(fb, 0) };
			return dv_tmp(fb_emit(fb, IR_LOAD_U64, VT_PTR(BTF), args, 2),
				      dt_ptr(RG_BTF, ptr_sid));
		}
		return mem_load(fb, t, addr, 0, loc);
	}
	ir_ref src = dv_is_ptr(addr) ? addr.ref : dv_op(fb, addr, IR_I64);
	return probe_read(fb, t, src, loc,
			  arena_printf(&fb->f->arena, "read of %s-%s", s->name, f->name));
}

struct dval dsl_p_core_load(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_core_load(struct fb *fb, lv form, struct srcloc loc, int want)
{
	bool store = sym_is(lisp_car(form), "CORE-STORE");
	size_t n = form_len(form);
	struct dtype t;
	if (n != (store ? 6u : 5u))
		return fb_error(fb, loc,
				store ? "core-store takes (core-store TYPE PTR STRUCT FIELD VALUE)"
				      : "core-load takes (core-load TYPE PTR STRUCT FIELD)");
	if (!type_arg(fb, form, 1, loc, &t))
		return dv_poison();
	lv sname = form_nth(form, 3), fname = form_nth(form, 4);
	int32_t sid =
		lisp_symbolp(sname) ? dsl_struct_find(fb->d, dsl_lisp_name(fb->d, sname)) : -1;
	if (sid < 0 || fb->d->structs.data[sid].kind != DSL_KERNEL)
		return fb_error(fb, form_nth_loc(fb, form, 3, loc),
				"%s is not a struct imported with import-kernel-struct",
				dsl_text(fb->d, sname));
	const struct dsl_struct *s = &fb->d->structs.data[sid];
	const char *fl = lisp_symbolp(fname) ? dsl_lisp_name(fb->d, fname) : "";
	uint32_t fi = 0;
	while (fi < s->nfields && strcmp(s->fields[fi].name, fl) && strcmp(s->fields[fi].cname, fl))
		fi++;
	if (fi == s->nfields) {
		fb_error(fb, form_nth_loc(fb, form, 4, loc), "%s has no imported field %s", s->name,
			 fl);
		const char *c[256];
		size_t nc = 0;
		for (uint32_t i = 0; i < s->nfields && nc < 256; i++)
			c[nc++] = s->fields[i].name;
		dsl_suggest(fb->d, fl, c, nc, "imported fields");
		return dv_poison();
	}
	struct dval p = lower(fb, form_nth(form, 2), form_nth_loc(fb, form, 2, loc), WANT_VALUE);
	if (store) {
		struct dval v =
			lower(fb, form_nth(form, 5), form_nth_loc(fb, form, 5, loc), WANT_VALUE);
		return kernel_field(fb, (uint32_t)sid, fi, p, dv_const(0), false, &v, loc);
	}
	struct dval v = kernel_field(fb, (uint32_t)sid, fi, p, dv_const(0), false, NULL, loc);
	return dv_is_ptr(v) || v.poison ? v : dv_convert(fb, v, t, loc, "core-load");
}

/* ---- struct and header accessors ------------------------------------------------------- */

struct dval mem_struct_access(struct fb *fb, const struct dsl_acc *acc, lv form, struct srcloc loc,
			      struct dval *store)
{
	struct dsl *d = fb->d;
	if (acc->kind == ACC_TP || acc->kind == ACC_TP_PTR)
		return kernel_tp_access(fb, acc, form, loc);
	const struct dsl_struct *s = &d->structs.data[acc->sid];
	const char *accname = dsl_lisp_name(d, lisp_car(form));
	size_t n = form_len(form) - 1;
	if (acc->kind == ACC_MAKE) {
		if (n)
			return fb_error(fb, loc, "%s takes no arguments", accname);
		ir_ref p = fb_alloca(fb, s->size, s->align > 8 ? 8 : s->align,
				     arena_printf(&fb->f->arena, "struct %s", s->name));
		ir_ref args[3] = { p, fb_con(fb, 0), fb_con(fb, s->size) };
		fb_emit0(fb, IR_MEMSET, args, 3);
		return dv_tmp(p, dt_ptr(RG_STACK, acc->sid + 1));
	}
	if (acc->kind == ACC_AS) {
		if (n != 1)
			return fb_error(fb, loc, "%s takes one pointer", accname);
		struct dval p =
			lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
		if (dv_is_ptr(p))
			p.t.sid = acc->sid + 1;
		return p;
	}
	const struct dsl_field *f = &s->fields[acc->field];
	if (n < 1 || n > 2)
		return fb_error(fb, loc, "%s takes a pointer%s", accname,
				f->count ? " and an optional index" : "");
	if (n == 2 && !f->count)
		return fb_error(fb, loc, "%s is not an array field: it takes only a pointer",
				accname);
	struct dval p = lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	struct dval idx =
		n == 2 ? lower(fb, lisp_caddr(form), form_nth_loc(fb, form, 2, loc), WANT_VALUE)
		       : dv_const(0);
	if (p.poison || idx.poison)
		return dv_poison();
	if (f->count && idx.is_const && (idx.cval < 0 || idx.cval >= f->count))
		return fb_error(fb, form_nth_loc(fb, form, 2, loc),
				"index %lld is outside %s (%u elements)", (long long)idx.cval,
				accname, f->count);
	bool want_ptr = acc->kind == ACC_PTR;
	if (s->kind == DSL_KERNEL)
		return kernel_field(fb, acc->sid, acc->field, p, idx,
				    want_ptr || (f->count && n == 1 && !store), store, loc);
	if (!dv_is_ptr(p)) {
		fb_error(fb, loc, "%s needs a pointer to a %s, not %s", accname, s->name,
			 p.is_const ? "a constant" : "an integer");
		if (!p.is_const && p.t.size < 8)
			dsl_hint(d, "a %u-byte value cannot hold a pointer", p.t.size);
		else
			dsl_hint(
				d,
				"make one with (make-%s), or use a map value or ring buffer record",
				s->name);
		return dv_poison();
	}
	uint32_t esize = f->kind == DSL_F_STRUCT ? d->structs.data[f->sub].size : f->size;
	int64_t off = f->offset;
	if (f->count && idx.is_const)
		off += idx.cval * esize;
	else if (f->count) {
		struct dval scaled = lower_binop(fb, IR_MUL, idx, dv_const(esize), loc);
		p = lower_binop(fb, IR_ADD, p, scaled, loc);
	}
	if (want_ptr || f->kind == DSL_F_STRUCT || (f->count && n == 1 && !store)) {
		struct dval r = ptr_plus(fb, p, off, loc);
		if (!r.poison)
			r.t.sid = f->kind == DSL_F_STRUCT ? f->sub + 1 : 0;
		if (store)
			return fb_error(fb, loc, "cannot assign a whole %s field",
					f->count ? "array" : "struct");
		return r;
	}
	if (store) {
		struct dval v = *store;
		if (f->net_order && !v.poison) {
			if (v.is_const) {
				uint64_t c = (uint64_t)v.cval, r = 0;
				for (unsigned i = 0; i < f->size; i++)
					r |= ((c >> (8 * i)) & 0xff) << (8 * (f->size - 1 - i));
				v = dv_const((int64_t)r);
			} else if (!dv_is_ptr(v)) {
				ir_ref src = dv_op(fb, v, f->size == 8 ? IR_I64 : IR_I32);
				unsigned op = f->size == 2   ? IR_BE16
					      : f->size == 4 ? IR_BE32
							     : IR_BE64;
				v = dv_tmp(fb_emit(fb, op, f->size == 8 ? VT_I64 : VT_I32, &src, 1),
					   dt_int(f->size, false));
			}
		}
		mem_store(fb, f->size, p, off, v, loc);
		return *store;
	}
	struct dval v = mem_load(fb, dt_int(f->size, f->sign), p, off, loc);
	if (f->net_order && !v.poison) {
		unsigned op = f->size == 2 ? IR_BE16 : f->size == 4 ? IR_BE32 : IR_BE64;
		ir_ref r = fb_emit(fb, op, f->size == 8 ? VT_I64 : VT_I32, &v.ref, 1);
		struct dval out = dv_tmp(r, dt_int(f->size, false));
		out.swap_src = v.ref;
		out.swap = f->size;
		return out;
	}
	return v;
}

/* ---- the context ---------------------------------------------------------------------- */

static bool ctx_ok(struct fb *fb, struct srcloc loc, const char *what)
{
	if (fb->outer) {
		fb_error(fb, loc, "%s: the program context is not reachable inside loop-bounded",
			 what);
		dsl_hint(fb->d, "read what you need into variables before the loop");
		return false;
	}
	if (!fb->ptype) {
		fb_error(
			fb, loc,
			"%s: only programs have a context; pass values to defun-bpf functions as arguments",
			what);
		return false;
	}
	return true;
}

struct dval mem_ctx_field(struct fb *fb, lv form, struct srcloc loc, lv field, lv index,
			  struct dval *store)
{
	struct dsl *d = fb->d;
	if (!ctx_ok(fb, loc, "ctx"))
		return dv_poison();
	struct dval ctx = dv_tmp(fb->ctx, dt_ptr(RG_CTX, 0));
	struct dtype t;
	if (dsl_scalar_type(field, &t)) {
		/* (ctx TYPE OFFSET) */
		struct dval o = lower(fb, index, form_nth_loc(fb, form, 2, loc), WANT_VALUE);
		if (o.poison)
			return o;
		if (!o.is_const)
			return fb_error(fb, loc, "a context offset must be a constant");
		if (store) {
			mem_store(fb, t.size, ctx, o.cval, *store, loc);
			return *store;
		}
		return mem_load(fb, t, ctx, o.cval, loc);
	}
	const char *cname = fb->ptype->ctx;
	if (!cname) {
		fb_error(fb, loc, "a :%s program's context has no named fields",
			 fb->ptype->keyword);
		dsl_hint(
			d,
			fb->ptype->progtype == IR_PROG_tracepoint
				? "use deftracepoint accessors (tp-FIELD) or (ctx-load TYPE OFFSET)"
				: "use (ctx-load TYPE OFFSET)");
		return dv_poison();
	}
	if (!lisp_symbolp(field) || field == LISP_NIL)
		return fb_error(fb, loc, "ctx takes a field name: (ctx data-end)");
	const char *fname = dsl_c_name(d, dsl_lisp_name(d, field));
	const struct ctxf *cf = NULL;
	for (size_t i = 0; i < ARRAY_LEN(ctxfields) && !cf; i++)
		if (!strcmp(ctxfields[i].ctx, cname) && !strcmp(ctxfields[i].name, fname))
			cf = &ctxfields[i];
	if (!cf) {
		fb_error(fb, form_nth_loc(fb, form, 1, loc), "%s has no field '%s'", cname,
			 dsl_lisp_name(d, field));
		const char *c[64];
		size_t n = 0;
		for (size_t i = 0; i < ARRAY_LEN(ctxfields) && n < 64; i++)
			if (!strcmp(ctxfields[i].ctx, cname)) {
				char *k = arena_strdup(&d->arena, ctxfields[i].name);
				for (char *p = k; *p; p++)
					if (*p == '_')
						*p = '-';
				c[n++] = k;
			}
		dsl_suggest(d, dsl_lisp_name(d, field), c, n,
			    arena_printf(&d->arena, "fields of %s", cname));
		return dv_poison();
	}
	int64_t off = cf->off;
	if (cf->count) {
		if (!index)
			return fb_error(fb, loc,
					"%s.%s is an array of %u: give an index, (ctx %s 0)", cname,
					cf->name, cf->count, dsl_lisp_name(d, field));
		struct dval i = lower(fb, index, form_nth_loc(fb, form, 2, loc), WANT_VALUE);
		if (i.poison)
			return i;
		if (!i.is_const || i.cval < 0 || (cf->count && i.cval >= cf->count))
			return fb_error(fb, form_nth_loc(fb, form, 2, loc),
					"the index into %s.%s must be a constant from 0 to %u",
					cname, cf->name, cf->count - 1);
		off += i.cval * cf->size;
	} else if (index) {
		return fb_error(fb, loc, "%s.%s is not an array", cname, cf->name);
	}
	if (store) {
		mem_store(fb, cf->size, ctx, off, *store, loc);
		return *store;
	}
	return mem_load(fb, dt_int(cf->size, false), ctx, off, loc);
}

struct dval dsl_p_ctx(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_ctx(struct fb *fb, lv form, struct srcloc loc, int want)
{
	size_t n = form_len(form);
	if (n < 2 || n > 3)
		return fb_error(
			fb, loc,
			"ctx takes a field name and an optional index: (ctx data) (ctx remote-ip6 0)");
	return mem_ctx_field(fb, form, loc, lisp_cadr(form), n == 3 ? lisp_caddr(form) : NULL,
			     NULL);
}

struct dval dsl_p_ctx_load(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_ctx_load(struct fb *fb, lv form, struct srcloc loc, int want)
{
	struct dtype t;
	if (form_len(form) != 3 || !dsl_scalar_type(lisp_cadr(form), &t))
		return fb_error(fb, loc, "ctx-load takes a type and an offset: (ctx-load u32 4)");
	return mem_ctx_field(fb, form, loc, lisp_cadr(form), lisp_caddr(form), NULL);
}

struct dval dsl_p_ctx_ptr(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_ctx_ptr(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (!ctx_ok(fb, loc, "ctx-ptr"))
		return dv_poison();
	return dv_tmp(fb->ctx, dt_ptr(RG_CTX, 0));
}

/* xdp-data, tc-data, pkt-data (and -end): the packet bounds of the context. */
struct dval dsl_p_pkt_data(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_pkt_data(struct fb *fb, lv form, struct srcloc loc, int want)
{
	const char *n = lisp_symbol_name(lisp_car(form));
	bool end = strstr(n, "-END") != NULL;
	if (!ctx_ok(fb, loc, dsl_lisp_name(fb->d, lisp_car(form))))
		return dv_poison();
	const char *c = fb->ptype->ctx;
	if (!c || (strcmp(c, "xdp_md") && strcmp(c, "__sk_buff") && strcmp(c, "sk_msg_md") &&
		   strcmp(c, "sk_reuseport_md"))) {
		fb_error(fb, loc, "%s: a :%s program has no packet data",
			 dsl_lisp_name(fb->d, lisp_car(form)), fb->ptype->keyword);
		return dv_poison();
	}
	if (!strncmp(n, "XDP-", 4) && strcmp(c, "xdp_md")) {
		fb_error(fb, loc, "%s in a :%s program", dsl_lisp_name(fb->d, lisp_car(form)),
			 fb->ptype->keyword);
		dsl_hint(fb->d, "use (ctx data) and (ctx data-end), or pkt-data and pkt-data-end");
		return dv_poison();
	}
	lv field = lisp_intern(fb->d->ctx, end ? "DATA_END" : "DATA");
	return mem_ctx_field(fb, form, loc, field, NULL, NULL);
}

struct dval dsl_p_pass_verdict(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_pass_verdict(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (!fb->ptype)
		return dv_const(0);
	return dv_const(fb->ptype->pass);
}

/* pt-regs-parm1..6, -ret, -fp, -sp, -ip for kprobes and uprobes. */
struct dval dsl_p_pt_regs(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_pt_regs(struct fb *fb, lv form, struct srcloc loc, int want)
{
	const char *n = lisp_symbol_name(lisp_car(form)) + strlen("PT-REGS-");
#if defined(__aarch64__)
	static const int parm[] = { 0, 8, 16, 24, 32, 40 };
	int ret = 0, fp = 232, sp = 248, ip = 256;
#else
	static const int parm[] = { 112, 104, 96, 88, 72, 64 };
	int ret = 80, fp = 32, sp = 152, ip = 128;
#endif
	int off;
	if (!strncmp(n, "PARM", 4))
		off = parm[n[4] - '1'];
	else if (!strcmp(n, "RET"))
		off = ret;
	else if (!strcmp(n, "FP"))
		off = fp;
	else if (!strcmp(n, "SP"))
		off = sp;
	else
		off = ip;
	if (!ctx_ok(fb, loc, dsl_lisp_name(fb->d, lisp_car(form))))
		return dv_poison();
	if (!fb->ptype->ctx || (strncmp(fb->ptype->ctx, "pt_regs", 7) &&
				strcmp(fb->ptype->ctx, "bpf_perf_event_data"))) {
		fb_error(
			fb, loc,
			"%s reads registers: it needs a kprobe, uprobe or perf-event program, not :%s",
			dsl_lisp_name(fb->d, lisp_car(form)), fb->ptype->keyword);
		return dv_poison();
	}
	return mem_load(fb, DT_U64, dv_tmp(fb->ctx, dt_ptr(RG_CTX, 0)), off, loc);
}

/* ---- helper memory arguments ---------------------------------------------------------------- */

struct dval mem_spill(struct fb *fb, struct dval v, uint32_t size, bool key, struct srcloc loc)
{
	if (v.poison || dv_is_ptr(v))
		return v;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return fb_error(
			fb, loc,
			"a %u-byte %s needs a pointer (a struct from make-NAME), not an integer",
			size, key ? "key" : "value");
	ir_ref *slot = key ? &fb->key_slot : &fb->val_slot;
	if (!*slot)
		*slot = fb_alloca(fb, 8, 8, key ? "map keys" : "map values");
	struct dval p = dv_tmp(*slot, dt_ptr(RG_STACK, 0));
	mem_store(fb, size, p, 0, v, loc);
	return p;
}
