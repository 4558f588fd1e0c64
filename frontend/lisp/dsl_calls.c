/* Calls in the DSL: every BPF helper by its kebab-case name (argument counts
 * and kinds from the IR's helper table), kfuncs declared with defkfunc, and
 * BPF-to-BPF calls of defun-bpf functions. */
#include "frontend/lisp/dsl_internal.h"

#include <string.h>

static const char *const harg_names[] = {
	[HA_NONE] = "-",	   [HA_ANY] = "value",	     [HA_SIZE] = "size",
	[HA_MAP] = "map",	   [HA_CTX] = "ctx",	     [HA_KEY] = "key-ptr",
	[HA_VALUE] = "value-ptr",  [HA_MEM] = "mem-ptr",     [HA_UNINIT] = "buf-ptr",
	[HA_PTR_LONG] = "u64-ptr", [HA_PTR] = "ptr",	     [HA_SOCK] = "sock",
	[HA_BTF] = "btf-ptr",	   [HA_FUNC] = "#'function",
};

static const char *kebab(struct dsl *d, const char *cname)
{
	char *s = arena_strdup(&d->arena, cname);
	for (char *p = s; *p; p++)
		if (*p == '_')
			*p = '-';
	return s;
}

static void signature_hint(struct dsl *d, const struct ir_helper *h)
{
	struct buf b = { 0 };
	buf_printf(&b, "(%s", kebab(d, h->name));
	for (unsigned i = 0; i < h->max_args; i++)
		buf_printf(&b, " %s%s", i >= h->min_args ? "[" : "", harg_names[h->args[i]]);
	for (unsigned i = h->min_args; i < h->max_args; i++)
		buf_putc(&b, ']');
	buf_putc(&b, ')');
	dsl_hint(d, "%s", buf_cstr(&b));
	buf_free(&b);
}

/* A string literal as a NUL-terminated buffer on the stack. */
static struct dval string_on_stack(struct fb *fb, lv s, struct srcloc loc)
{
	size_t n;
	const char *p = lisp_string_data(s, &n);
	if (n + 1 > 256)
		return fb_error(fb, loc,
				"a %zu-byte string does not belong on the 512-byte BPF stack", n);
	uint32_t size = (uint32_t)ALIGN_UP(n + 1, 8);
	ir_ref buf = fb_alloca(fb, size, 8, "string literal");
	for (uint32_t off = 0; off < size; off += 8) {
		uint64_t w = 0;
		for (unsigned i = 0; i < 8; i++)
			if (off + i < n)
				w |= (uint64_t)(uint8_t)p[off + i] << (8 * i);
		ir_ref args[3] = { buf, fb_con(fb, off), fb_con(fb, (int64_t)w) };
		fb_emit0(fb, IR_STORE_U64, args, 3);
	}
	return dv_tmp(buf, dt_ptr(RG_STACK, 0));
}

/* Helpers that take one kind of map (the IR verifier has the same rule;
 * checking here names the Lisp map). */
static const struct {
	const char *helper;
	uint8_t types[4];
	const char *what;
} helper_maps[] = {
	{ "ringbuf_output", { IR_MAP_ringbuf }, ":ringbuf" },
	{ "ringbuf_reserve", { IR_MAP_ringbuf }, ":ringbuf" },
	{ "ringbuf_query", { IR_MAP_ringbuf }, ":ringbuf" },
	{ "ringbuf_reserve_dynptr", { IR_MAP_ringbuf }, ":ringbuf" },
	{ "perf_event_output", { IR_MAP_perf_event_array }, ":perf-event-array" },
	{ "perf_event_read", { IR_MAP_perf_event_array }, ":perf-event-array" },
	{ "get_stackid", { IR_MAP_stack_trace }, ":stack-trace" },
	{ "tail_call", { IR_MAP_prog_array }, ":prog-array" },
	{ "map_push_elem",
	  { IR_MAP_queue, IR_MAP_stack, IR_MAP_bloom_filter },
	  ":queue, :stack or :bloom-filter" },
	{ "map_pop_elem", { IR_MAP_queue, IR_MAP_stack }, ":queue or :stack" },
	{ "map_peek_elem",
	  { IR_MAP_queue, IR_MAP_stack, IR_MAP_bloom_filter },
	  ":queue, :stack or :bloom-filter" },
	{ "redirect_map",
	  { IR_MAP_devmap, IR_MAP_devmap_hash, IR_MAP_cpumap, IR_MAP_xskmap },
	  ":devmap, :cpumap or :xskmap" },
	{ "sk_storage_get", { IR_MAP_sk_storage }, ":sk-storage" },
	{ "task_storage_get", { IR_MAP_task_storage }, ":task-storage" },
	{ "inode_storage_get", { IR_MAP_inode_storage }, ":inode-storage" },
	{ "cgrp_storage_get", { IR_MAP_cgrp_storage }, ":cgrp-storage" },
};

static bool helper_map_ok(struct fb *fb, const struct ir_helper *h, const struct dsl_map *m,
			  struct srcloc loc)
{
	for (size_t i = 0; i < ARRAY_LEN(helper_maps); i++) {
		if (strcmp(helper_maps[i].helper, h->name))
			continue;
		for (unsigned k = 0; k < 4 && helper_maps[i].types[k]; k++)
			if (helper_maps[i].types[k] == m->type)
				return true;
		char *t = arena_strdup(&fb->d->arena, ir_maptypes[m->type].name);
		for (char *p = t; *p; p++)
			if (*p == '_')
				*p = '-';
		fb_error(fb, loc, "%s cannot be used on map '%s', a :%s map", kebab(fb->d, h->name),
			 m->name, t);
		dsl_hint(fb->d, "%s takes a %s map", kebab(fb->d, h->name), helper_maps[i].what);
		return false;
	}
	return true;
}

static bool is_probe_read(const struct ir_helper *h)
{
	return !strncmp(h->name, "probe_read", 10);
}

struct dval lower_call_helper(struct fb *fb, const struct ir_helper *h, lv form, struct srcloc loc,
			      lv args, int want)
{
	struct dsl *d = fb->d;
	const char *name = kebab(d, h->name);
	size_t n = form_len(args);
	bool add_ctx = n + 1 == h->min_args && h->args[0] == HA_CTX && fb->ptype && !fb->outer;
	size_t total = n + add_ctx;
	if (total < h->min_args || total > h->max_args) {
		if (h->min_args == h->max_args)
			fb_error(fb, loc, "helper %s takes %u argument%s, %zu given", name,
				 h->min_args, h->min_args == 1 ? "" : "s", n);
		else
			fb_error(fb, loc, "helper %s takes %u to %u arguments, %zu given", name,
				 h->min_args, h->max_args, n);
		signature_hint(d, h);
		return dv_poison();
	}
	struct dval vals[5];
	struct srcloc locs[5];
	struct dsl_map *map = NULL;
	size_t i = 0;
	if (add_ctx) {
		vals[0] = dv_tmp(fb->ctx, dt_ptr(RG_CTX, 0));
		locs[0] = loc;
		i = 1;
	}
	size_t k = 1;
	for (lv l = args; lisp_consp(l); l = lisp_cdr(l), i++, k++) {
		lv a = lisp_car(l);
		locs[i] = form_nth_loc(fb, form, k, loc);
		enum ir_harg kind = h->args[i];
		if (kind == HA_MAP) {
			vals[i] = maps_ref(fb, a, locs[i], &map);
			if (map && !helper_map_ok(fb, h, map, locs[i]))
				vals[i] = dv_poison();
		} else if (lisp_stringp(a) &&
			   (kind == HA_MEM || kind == HA_ANY || kind == HA_PTR)) {
			vals[i] = string_on_stack(fb, a, locs[i]);
		} else if (kind == HA_FUNC) {
			lv fn = a;
			if (lisp_consp(a) && sym_is(lisp_car(a), "FUNCTION"))
				fn = lisp_cadr(a);
			uint32_t idx;
			if (dsl_name_lookup(d, fn, &idx) != NAME_FN ||
			    d->fns.data[idx].kind != FN_FUNC) {
				vals[i] = fb_error(
					fb, locs[i],
					"argument %zu of %s is a callback: #'NAME of a defun-bpf",
					i + 1, name);
			} else {
				vals[i] = dv_tmp(IR_REF(REF_SYM, d->fns.data[idx].irsym),
						 dt_ptr(RG_FUNC, 0));
			}
		} else {
			vals[i] = lower(fb, a, locs[i], WANT_VALUE);
		}
		if (fb->cur == FB_NONE)
			return dv_poison();
	}
	bool bad = false;
	for (i = 0; i < total; i++) {
		struct dval v = vals[i];
		enum ir_harg kind = h->args[i];
		if (v.poison) {
			bad = true;
			continue;
		}
		switch (kind) {
		case HA_MAP:
			break;
		case HA_CTX:
			if (!dv_is_ptr(v) || v.t.region != RG_CTX) {
				fb_error(
					fb, locs[i],
					"argument %zu of %s is the program's context: pass (ctx-ptr)",
					i + 1, name);
				bad = true;
			}
			break;
		case HA_KEY:
		case HA_VALUE:
			if (!dv_is_ptr(v) && map && !v.map) {
				uint32_t size = kind == HA_KEY ? map->key_size : map->value_size;
				vals[i] = mem_spill(fb, v, size, kind == HA_KEY, locs[i]);
				bad |= vals[i].poison;
				break;
			}
			/* fall through */
		case HA_MEM:
		case HA_UNINIT:
		case HA_PTR_LONG:
		case HA_SOCK:
		case HA_BTF:
		case HA_PTR:
			if ((kind == HA_MEM || kind == HA_UNINIT) && v.is_const && v.cval == 0)
				break; /* NULL with a zero size */
			if (!dv_is_ptr(v)) {
				if (v.t.kind == DT_INT && v.t.size < 8)
					fb_error(
						fb, locs[i],
						"argument %zu of %s must be a pointer; this is a %u-byte integer, "
						"too narrow to hold one",
						i + 1, name, v.t.size);
				else
					fb_error(
						fb, locs[i],
						"argument %zu of %s must be a pointer (%s), not %s",
						i + 1, name, harg_names[kind],
						v.is_const ? "a constant" : "an integer");
				dsl_hint(
					d,
					"pass a stack buffer (struct-alloc, make-NAME, stack-addr), a map value "
					"or a ring buffer record");
				bad = true;
			}
			break;
		case HA_FUNC:
			break;
		case HA_SIZE:
		case HA_ANY:
		default:
			if (is_probe_read(h) && i == 2 && !dv_is_ptr(v) && !v.is_const &&
			    v.t.size < 8) {
				fb_error(fb, locs[i],
					 "a %u-byte value passed as the address to read", v.t.size);
				dsl_hint(
					d,
					"addresses are 64 bits wide; this one was cut (load it as u64)");
				bad = true;
			}
			if (v.map) {
				fb_error(fb, locs[i], "argument %zu of %s is a %s, not a map",
					 i + 1, name, harg_names[kind]);
				bad = true;
			}
			break;
		}
	}
	if (!bad && is_probe_read(h) && vals[1].is_const) {
		int64_t size = vals[1].cval;
		if (size > 512 && dv_is_ptr(vals[0]) && vals[0].t.region == RG_STACK) {
			fb_error(fb, locs[1], "%s of %lld bytes into the stack, which holds 512",
				 name, (long long)size);
			dsl_hint(d, "read into a per-CPU array map value, or read less at a time");
			bad = true;
		} else if (size > 512 * 1024 * 1024LL || size < 0) {
			fb_error(fb, locs[1], "%s of %lld bytes", name, (long long)size);
			bad = true;
		}
	}
	if (bad)
		return dv_poison();
	ir_ref cargs[6];
	cargs[0] = IR_REF(REF_HLP, h->id);
	for (i = 0; i < total; i++) {
		struct dval v = vals[i];
		cargs[i + 1] =
			dv_is_ptr(v) || v.map
				? v.ref
				: dv_op(fb, v, v.is_const || v.t.size == 8 ? IR_I64 : IR_I32);
	}
	ir_vt vt = ir_helper_ret_vt(h);
	ir_ref r = fb_emit(fb, IR_CALL, vt, cargs, (unsigned)total + 1);
	if (vt.cls != IR_PTR)
		return dv_tmp(r, DT_U64);
	return dv_tmp(r, dt_ptr(vt.region, vt.region == RG_MAPVAL_NULL && map ? map->value_sid : 0));
}

static struct dval call_arg(struct fb *fb, struct dval v, struct dtype t, struct srcloc loc,
			    const char *what)
{
	if (v.poison)
		return v;
	if (t.kind == DT_PTR) {
		if (!dv_is_ptr(v)) {
			if (v.is_const && v.cval == 0)
				return v;
			return fb_error(fb, loc, "%s: expected a pointer, found %s", what,
					v.is_const ? "a constant" : "an integer");
		}
		return v;
	}
	if (dv_is_ptr(v))
		return fb_error(fb, loc, "%s: expected an integer, found a pointer", what);
	return dv_convert(fb, v, t, loc, what);
}

static struct dval call_kfunc(struct fb *fb, struct dsl_kfunc *k, lv form, struct srcloc loc)
{
	size_t n = form_len(form) - 1;
	if (n != k->nparams)
		return fb_error(fb, loc, "kfunc %s takes %u argument%s, %zu given", k->name,
				k->nparams, k->nparams == 1 ? "" : "s", n);
	ir_ref args[6];
	uint32_t sym = dsl_extern_sym(fb->d, (uint32_t)(k - fb->d->kfuncs.data));
	if (!sym)
		return dv_poison();
	args[0] = IR_REF(REF_SYM, sym);
	bool bad = false;
	for (size_t i = 0; i < n; i++) {
		struct srcloc al = form_nth_loc(fb, form, i + 1, loc);
		struct dval v = lower(fb, form_nth(form, i + 1), al, WANT_VALUE);
		v = call_arg(fb, v, k->params[i], al,
			     arena_printf(&fb->f->arena, "argument %zu of %s", i + 1, k->name));
		if (v.poison) {
			bad = true;
			continue;
		}
		args[i + 1] = dv_is_ptr(v)
				      ? v.ref
				      : dv_op(fb, v,
					      k->params[i].kind == DT_PTR || k->params[i].size == 8
						      ? IR_I64
						      : IR_I32);
	}
	if (bad)
		return dv_poison();
	if (k->ret_void) {
		fb_emit0(fb, IR_CALL, args, (unsigned)n + 1);
		return dv_const(0);
	}
	ir_vt vt = dt_vt(k->ret);
	return dv_tmp(fb_emit(fb, IR_CALL, vt, args, (unsigned)n + 1), k->ret);
}

static struct dval call_function(struct fb *fb, struct dsl_fn *fn, lv form, struct srcloc loc)
{
	size_t n = form_len(form) - 1;
	if (n != fn->nparams)
		return fb_error(fb, loc, "%s takes %u argument%s, %zu given", fn->name, fn->nparams,
				fn->nparams == 1 ? "" : "s", n);
	ir_ref args[6];
	args[0] = IR_REF(REF_SYM, fn->irsym);
	bool bad = false;
	for (size_t i = 0; i < n; i++) {
		struct srcloc al = form_nth_loc(fb, form, i + 1, loc);
		struct dval v = lower(fb, form_nth(form, i + 1), al, WANT_VALUE);
		struct dtype t = fn->params[i].t;
		v = call_arg(fb, v, t, al,
			     arena_printf(&fb->f->arena, "argument %s of %s",
					  dsl_lisp_name(fb->d, fn->params[i].sym), fn->name));
		if (v.poison) {
			bad = true;
			continue;
		}
		if (t.kind == DT_PTR && v.is_const) {
			bad = true;
			fb_error(fb, al, "a BPF function cannot take NULL for a pointer parameter");
			continue;
		}
		args[i + 1] = dv_is_ptr(v) ? v.ref : dv_op(fb, v, t.size == 8 ? IR_I64 : IR_I32);
	}
	if (bad)
		return dv_poison();
	return dv_tmp(fb_emit(fb, IR_CALL, VT_I64, args, (unsigned)n + 1), DT_U64);
}

struct dval calls_lower(struct fb *fb, lv form, struct srcloc loc, int want, bool *handled)
{
	struct dsl *d = fb->d;
	lv head = lisp_car(form);
	uint32_t idx;
	*handled = true;
	switch (dsl_name_lookup(d, head, &idx)) {
	case NAME_FN: {
		struct dsl_fn *fn = &d->fns.data[idx];
		if (fn->kind == FN_PROG) {
			fb_error(fb, loc, "%s is a program: programs cannot be called", fn->name);
			dsl_hint(
				d,
				"put it in a :prog-array map and use tail-call, or make it a defun-bpf");
			return dv_poison();
		}
		return call_function(fb, fn, form, loc);
	}
	case NAME_KFUNC:
		if (!d->kfuncs.data[idx].is_ksym)
			return call_kfunc(fb, &d->kfuncs.data[idx], form, loc);
		return fb_error(fb, loc, "%s is a kernel variable (defksym), not a function",
				d->kfuncs.data[idx].name);
	case NAME_MAP:
		return fb_error(fb, loc,
				"%s is a map: use getmap, map-lookup or a helper that takes it",
				d->maps.data[idx].name);
	case NAME_GLOBAL:
		return fb_error(fb, loc, "%s is a global variable, not a function",
				d->globals.data[idx].name);
	default:
		break;
	}
	const char *c = dsl_c_name(d, dsl_lisp_name(d, head));
	const struct ir_helper *h = ir_helper_by_name(c, strlen(c));
	if (!h && !strncmp(c, "bpf_", 4))
		h = ir_helper_by_name(c + 4, strlen(c + 4));
	if (h)
		return lower_call_helper(fb, h, form, loc, lisp_cdr(form), want);
	*handled = false;
	return dv_poison();
}
