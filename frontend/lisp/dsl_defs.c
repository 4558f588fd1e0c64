/* The DSL's declaring forms: defmap (every map kind, checked as it is
 * read), defprog (one program type, the section agreeing with it), defun-bpf,
 * defglobal, defkfunc and defksym.  Each records a definition for dsl_build. */
#include "frontend/lisp/dsl_internal.h"

#include <ctype.h>
#include <string.h>

/* ---- option lists ---------------------------------------------------------------- */

struct optspec {
	const char *key; /* keyword without colon, upper case */
	bool eval;	 /* evaluate the value as compile-time Lisp */
};

/* Parses `:key value ...` from list; unknown keys are errors.  Returns false
 * after reporting. */
static bool parse_opts(struct dsl *d, lv list, lv env, const char *what, const struct optspec *spec,
		       size_t n, lv *out, struct srcloc *locs)
{
	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	for (lv l = list; lisp_consp(l); l = lisp_cddr(l)) {
		lv k = lisp_car(l);
		struct srcloc kl = lisp_car_loc(l);
		if (!lisp_keywordp(k)) {
			dsl_error(d, kl, "%s: expected a keyword option, found %s", what,
				  dsl_text(d, k));
			return false;
		}
		if (!lisp_consp(lisp_cdr(l))) {
			dsl_error(d, kl, "%s: option :%s has no value", what, lisp_symbol_name(k));
			return false;
		}
		size_t i = 0;
		while (i < n && strcmp(spec[i].key, lisp_symbol_name(k)))
			i++;
		if (i == n) {
			const char *names[32];
			for (size_t j = 0; j < n && j < 32; j++)
				names[j] = arena_printf(&d->arena, ":%s", spec[j].key);
			char *kn = arena_printf(&d->arena, ":%s", lisp_symbol_name(k));
			for (char *p = kn; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			for (size_t j = 0; j < n && j < 32; j++) {
				char *p = (char *)names[j];
				for (; *p; p++)
					*p = (char)tolower((unsigned char)*p);
			}
			dsl_error(d, kl, "%s: unknown option %s", what, kn);
			dsl_suggest(d, kn, names, n < 32 ? n : 32, "options");
			return false;
		}
		lv v = lisp_cadr(l);
		if (locs)
			locs[i] = lisp_car_loc(lisp_cdr(l));
		if (spec[i].eval)
			v = lisp_eval_in(d->ctx, v, env);
		out[i] = v;
	}
	return true;
}

static bool opt_u32(struct dsl *d, lv v, struct srcloc loc, const char *what, uint32_t *out)
{
	int64_t x;
	if (!lisp_int_to_i64(v, &x) || x < 0 || x > UINT32_MAX) {
		dsl_error(d, loc, "%s must be an integer from 0 to 4294967295, not %s", what,
			  dsl_text(d, v));
		return false;
	}
	*out = (uint32_t)x;
	return true;
}

static const char *keyword_text(struct dsl *d, lv k)
{
	return lisp_symbolp(k) ? dsl_lisp_name(d, k) : dsl_text(d, k);
}

/* ---- defmap ---------------------------------------------------------------------- */

static const struct optspec map_opts[] = {
	{ "TYPE", true },	 { "KEY-SIZE", true },	  { "VALUE-SIZE", true },
	{ "MAX-ENTRIES", true }, { "MAP-FLAGS", true },	  { "FLAGS", true },
	{ "KEY-TYPE", false },	 { "VALUE-TYPE", false }, { "INNER-MAP", false },
	{ "PINNING", true },	 { "TEMPLATE", true },
};
enum {
	MO_TYPE,
	MO_KEY,
	MO_VALUE,
	MO_MAX,
	MO_MAPFLAGS,
	MO_FLAGS,
	MO_KTYPE,
	MO_VTYPE,
	MO_INNER,
	MO_PIN,
	MO_TEMPLATE,
	MO_N
};

static lv sf_defmap(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct dsl *d = data;
	struct srcloc loc = dsl_loc(d, form);
	lv name = lisp_cadr(form);
	if (!lisp_symbolp(name) || name == LISP_NIL || lisp_keywordp(name)) {
		dsl_error(d, loc, "defmap needs a map name, like (defmap counts :type :array ...)");
		return LISP_NIL;
	}
	const char *lname = dsl_lisp_name(d, name);
	char *what = arena_printf(&d->arena, "map '%s'", lname);
	lv o[MO_N];
	struct srcloc ol[MO_N] = { 0 };
	if (!parse_opts(d, lisp_cddr(form), env, what, map_opts, MO_N, o, ol))
		return LISP_NIL;
	struct dsl_map m = {
		.sym = name, .name = lname, .cname = dsl_c_name(d, lname), .loc = loc
	};
	if (!o[MO_TYPE]) {
		dsl_error(d, loc, "%s needs a :type", what);
		dsl_hint(d, "for example :type :hash, :array, :ringbuf, :percpu-array, :lru-hash");
		return LISP_NIL;
	}
	const char *tn = keyword_text(d, o[MO_TYPE]);
	char *irn = arena_strdup(&d->arena, tn);
	for (char *p = irn; *p; p++)
		if (*p == '-')
			*p = '_';
	m.type = (uint8_t)ir_maptype_lookup(irn);
	if (!strcmp(irn, "cgroup_storage_map") || !m.type) {
		const char *cands[IR_NMAPTYPES];
		size_t nc = 0;
		for (unsigned i = 1; i < IR_NMAPTYPES; i++) {
			char *c = arena_strdup(&d->arena, ir_maptypes[i].name);
			for (char *p = c; *p; p++)
				if (*p == '_')
					*p = '-';
			cands[nc++] = c;
		}
		dsl_error(d, ol[MO_TYPE], "%s: unknown map type :%s", what, tn);
		dsl_suggest(d, tn, cands, nc, "map types");
		return LISP_NIL;
	}
	unsigned props = ir_maptypes[m.type].props;
	bool ok = true;
	if (o[MO_KEY])
		ok &= opt_u32(d, o[MO_KEY], ol[MO_KEY], ":key-size", &m.key_size);
	if (o[MO_VALUE])
		ok &= opt_u32(d, o[MO_VALUE], ol[MO_VALUE], ":value-size", &m.value_size);
	if (o[MO_MAX])
		ok &= opt_u32(d, o[MO_MAX], ol[MO_MAX], ":max-entries", &m.max_entries);
	if (o[MO_MAPFLAGS])
		ok &= opt_u32(d, o[MO_MAPFLAGS], ol[MO_MAPFLAGS], ":map-flags", &m.flags);
	if (o[MO_FLAGS])
		ok &= opt_u32(d, o[MO_FLAGS], ol[MO_FLAGS], ":flags", &m.flags);
	if (!ok)
		return LISP_NIL;
	for (int k = 0; k < 2; k++) {
		lv st = o[k ? MO_VTYPE : MO_KTYPE];
		if (!st)
			continue;
		int32_t sid = lisp_symbolp(st) ? dsl_struct_find(d, dsl_lisp_name(d, st)) : -1;
		struct dtype sc;
		if (sid < 0 && dsl_scalar_type(st, &sc)) {
			uint32_t *sz = k ? &m.value_size : &m.key_size;
			*sz = sc.size;
			continue;
		}
		if (sid < 0) {
			const char *cands[256];
			size_t nc = 0;
			for (uint32_t i = 0; i < d->structs.len && nc < 256; i++)
				cands[nc++] = d->structs.data[i].name;
			dsl_error(d, ol[k ? MO_VTYPE : MO_KTYPE],
				  "%s: %s is not a struct defined with defstruct", what,
				  dsl_text(d, st));
			dsl_suggest(d, lisp_symbolp(st) ? dsl_lisp_name(d, st) : "", cands, nc,
				    "structs");
			return LISP_NIL;
		}
		uint32_t size = d->structs.data[sid].size;
		uint32_t *sz = k ? &m.value_size : &m.key_size;
		if (o[k ? MO_VALUE : MO_KEY] && *sz != size) {
			dsl_error(d, ol[k ? MO_VALUE : MO_KEY],
				  "%s: :%s-size %u disagrees with struct %s (%u bytes)", what,
				  k ? "value" : "key", *sz, d->structs.data[sid].name, size);
			return LISP_NIL;
		}
		*sz = size;
		if (k)
			m.value_sid = (uint32_t)sid + 1;
		else
			m.key_sid = (uint32_t)sid + 1;
	}
	/* sizes the kernel fixes for some types */
	switch (m.type) {
	case IR_MAP_ringbuf:
	case IR_MAP_user_ringbuf:
		if (m.max_entries < 4096 || (m.max_entries & (m.max_entries - 1))) {
			dsl_error(
				d, o[MO_MAX] ? ol[MO_MAX] : loc,
				"%s: a ring buffer's :max-entries is its size in bytes, a power of two of at least 4096 (not %u)",
				what, m.max_entries);
			return LISP_NIL;
		}
		m.key_size = m.value_size = 0;
		break;
	case IR_MAP_prog_array:
	case IR_MAP_perf_event_array:
	case IR_MAP_cgroup_array:
	case IR_MAP_array_of_maps:
	case IR_MAP_hash_of_maps:
	case IR_MAP_devmap:
	case IR_MAP_cpumap:
	case IR_MAP_xskmap:
		if (!m.key_size)
			m.key_size = 4;
		if (!m.value_size)
			m.value_size = 4;
		break;
	case IR_MAP_sockmap:
	case IR_MAP_sockhash:
		if (!m.key_size)
			m.key_size = 4;
		if (!m.value_size)
			m.value_size = 8;
		break;
	case IR_MAP_task_storage:
	case IR_MAP_inode_storage:
	case IR_MAP_sk_storage:
	case IR_MAP_cgrp_storage:
		m.key_size = 4;
		if (!o[MO_MAPFLAGS] && !o[MO_FLAGS])
			m.flags = 1; /* BPF_F_NO_PREALLOC, which the kernel requires */
		break;
	default:
		break;
	}
	if (m.type == IR_MAP_array || m.type == IR_MAP_percpu_array) {
		if (!m.key_size)
			m.key_size = 4;
		if (m.key_size != 4) {
			dsl_error(
				d, ol[MO_KEY],
				"%s: an array's key is a u32 index, so :key-size must be 4, not %u",
				what, m.key_size);
			return LISP_NIL;
		}
	}
	if ((props & MT_KEY) && !m.key_size && !(props & MT_STORAGE)) {
		dsl_error(d, loc, "%s: a :%s map needs :key-size (or :key-type)", what, tn);
		return LISP_NIL;
	}
	if ((props & MT_VALUE) && !m.value_size) {
		dsl_error(d, loc, "%s: a :%s map needs :value-size (or :value-type)", what, tn);
		return LISP_NIL;
	}
	if (!(props & MT_STORAGE) && !m.max_entries) {
		dsl_error(d, loc, "%s needs :max-entries", what);
		return LISP_NIL;
	}
	if (o[MO_INNER]) {
		uint32_t idx;
		if (dsl_name_lookup(d, o[MO_INNER], &idx) != NAME_MAP) {
			dsl_error(d, ol[MO_INNER],
				  "%s: :inner-map must name a map defined before it", what);
			return LISP_NIL;
		}
		d->maps.data[idx].is_template = true;
		m.inner = idx + 1;
	} else if (props & MT_OF_MAPS) {
		dsl_error(
			d, loc,
			"%s: a map of maps needs :inner-map naming a map that describes its values",
			what);
		return LISP_NIL;
	}
	if (o[MO_PIN])
		m.pin = o[MO_PIN] != LISP_NIL && !sym_is(o[MO_PIN], "NONE");
	if (o[MO_TEMPLATE])
		m.is_template = o[MO_TEMPLATE] != LISP_NIL;
	uint32_t idx;
	int kind = dsl_name_lookup(d, name, &idx);
	if (kind == NAME_MAP) {
		d->maps.data[idx] = m; /* redefinition (sessions) */
	} else {
		vec_push(&d->maps, m);
		dsl_name_define(d, name, NAME_MAP, d->maps.len - 1);
	}
	return name;
}

/* ---- defprog / defun-bpf ---------------------------------------------------------- */

static const struct optspec prog_opts[] = { { "TYPE", true },
					    { "SECTION", true },
					    { "LICENSE", true } };

static void ptype_hint(struct dsl *d)
{
	dsl_hint(d,
		 "program types: :xdp :tc :socket-filter :kprobe :kretprobe :uprobe :tracepoint "
		 ":raw-tracepoint :tp-btf :fentry :fexit :lsm :perf-event :cgroup-skb :cgroup-sock "
		 ":cgroup-sock-addr :sock-ops :sk-skb :sk-msg :sk-lookup :cgroup-sysctl "
		 ":cgroup-sockopt :cgroup-device :flow-dissector :syscall");
}

static void add_fn(struct dsl *d, struct dsl_fn *fn)
{
	dsl_root(d, fn->body);
	uint32_t idx;
	if (dsl_name_lookup(d, fn->sym, &idx) == NAME_FN) {
		d->fns.data[idx] = *fn;
		return;
	}
	vec_push(&d->fns, *fn);
	dsl_name_define(d, fn->sym, NAME_FN, d->fns.len - 1);
}

static lv sf_defprog(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct dsl *d = data;
	struct srcloc loc = dsl_loc(d, form);
	lv name = lisp_cadr(form), opts = lisp_caddr(form);
	if (!lisp_symbolp(name) || name == LISP_NIL || lisp_keywordp(name)) {
		dsl_error(d, loc,
			  "defprog needs a program name: (defprog NAME (:type :xdp) body...)");
		return LISP_NIL;
	}
	struct dsl_fn fn = { .kind = FN_PROG, .sym = name, .loc = loc, .license = "GPL" };
	fn.name = dsl_lisp_name(d, name);
	fn.cname = dsl_c_name(d, fn.name);
	fn.body = lisp_cdr(lisp_cddr(form));
	char *what = arena_printf(&d->arena, "program '%s'", fn.name);
	if (!lisp_listp(opts)) {
		dsl_error(d, lisp_elem_loc(form, 2),
			  "%s: expected an option list like (:type :xdp), found %s", what,
			  dsl_text(d, opts));
		return LISP_NIL;
	}
	lv o[3];
	struct srcloc ol[3] = { 0 };
	if (!parse_opts(d, opts, env, what, prog_opts, 3, o, ol))
		return LISP_NIL;
	const char *section = NULL;
	if (o[1]) {
		if (!lisp_stringp(o[1])) {
			dsl_error(d, ol[1], "%s: :section must be a string", what);
			return LISP_NIL;
		}
		section = arena_strdup(&d->arena, lisp_string_data(o[1], NULL));
	}
	if (o[2]) {
		if (!lisp_stringp(o[2])) {
			dsl_error(d, ol[2], "%s: :license must be a string", what);
			return LISP_NIL;
		}
		fn.license = arena_strdup(&d->arena, lisp_string_data(o[2], NULL));
	}
	if (o[0]) {
		const char *kw = keyword_text(d, o[0]);
		fn.ptype = dsl_ptype_lookup(kw);
		if (!fn.ptype) {
			size_t n;
			const struct dsl_ptype *t = dsl_ptype_table(&n);
			const char *cands[64];
			for (size_t i = 0; i < n && i < 64; i++)
				cands[i] = t[i].keyword;
			dsl_error(d, ol[0], "%s: unknown program type :%s", what, kw);
			dsl_suggest(d, kw, cands, 0, NULL);
			ptype_hint(d);
			return LISP_NIL;
		}
		const struct dsl_ptype *other =
			section && !dsl_section_agrees(fn.ptype, section)
				? dsl_ptype_by_section(section)
				: NULL;
		/* :kprobe with a uprobe/ section (both BPF_PROG_TYPE_KPROBE, one
		 * context): like libbpf, the section says how it attaches. */
		if (other && other->progtype == fn.ptype->progtype)
			fn.ptype = other;
		if (section && !dsl_section_agrees(fn.ptype, section)) {
			if (other)
				dsl_error(
					d, ol[1],
					"%s: section \"%s\" is for :%s programs, but the type is :%s",
					what, section, other->keyword, fn.ptype->keyword);
			else
				dsl_error(d, ol[1],
					  "%s: section \"%s\" does not name a :%s program", what,
					  section, fn.ptype->keyword);
			dsl_hint(
				d,
				"the type decides the section; for :%s write :section \"%s\" or leave it out%s",
				fn.ptype->keyword, fn.ptype->example,
				fn.ptype->section ? "" : " (it needs an attach target)");
			return LISP_NIL;
		}
	} else if (section) {
		fn.ptype = dsl_ptype_by_section(section);
		if (!fn.ptype) {
			dsl_error(d, ol[1], "%s: section \"%s\" names no program type", what,
				  section);
			dsl_hint(
				d,
				"give the type, e.g. (:type :kprobe :section \"kprobe/do_unlinkat\")");
			return LISP_NIL;
		}
	} else {
		fn.ptype = dsl_ptype_lookup("xdp");
	}
	if (!section) {
		if (!fn.ptype->section) {
			dsl_error(d, loc,
				  "%s: a :%s program needs a :section naming what it attaches to",
				  what, fn.ptype->keyword);
			dsl_hint(d, "for example :section \"%s\"", fn.ptype->example);
			return LISP_NIL;
		}
		section = fn.ptype->section;
	}
	fn.section = section;
	add_fn(d, &fn);
	return name;
}

/* A parameter type: a scalar, `ptr`, `(ptr STRUCT)`, `ctx` or a struct name
 * (a pointer to it). */
static bool param_type(struct dsl *d, lv t, struct dtype *out)
{
	if (dsl_scalar_type(t, out))
		return true;
	if (sym_is(t, "PTR") || sym_is(t, "POINTER")) {
		*out = dt_ptr(RG_ANY, 0);
		return true;
	}
	if (sym_is(t, "CTX")) {
		*out = dt_ptr(RG_CTX, 0);
		return true;
	}
	if (lisp_consp(t) && (sym_is(lisp_car(t), "PTR") || sym_is(lisp_car(t), "*"))) {
		lv s = lisp_cadr(t);
		int32_t sid = lisp_symbolp(s) ? dsl_struct_find(d, dsl_lisp_name(d, s)) : -1;
		*out = dt_ptr(RG_ANY, sid >= 0 ? (uint32_t)sid + 1 : 0);
		return true;
	}
	if (lisp_symbolp(t)) {
		int32_t sid = dsl_struct_find(d, dsl_lisp_name(d, t));
		if (sid >= 0) {
			*out = dt_ptr(RG_ANY, (uint32_t)sid + 1);
			return true;
		}
	}
	return false;
}

static lv sf_defun_bpf(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct dsl *d = data;
	struct srcloc loc = dsl_loc(d, form);
	lv name = lisp_cadr(form), params = lisp_caddr(form);
	if (!lisp_symbolp(name) || name == LISP_NIL) {
		dsl_error(d, loc,
			  "defun-bpf needs a name: (defun-bpf NAME ((arg u32) ...) body...)");
		return LISP_NIL;
	}
	struct dsl_fn fn = { .kind = FN_FUNC, .sym = name, .loc = loc, .ret = DT_U64 };
	fn.name = dsl_lisp_name(d, name);
	fn.cname = dsl_c_name(d, fn.name);
	fn.body = lisp_cdr(lisp_cddr(form));
	if (!lisp_listp(params)) {
		dsl_error(d, lisp_elem_loc(form, 2), "defun-bpf %s: expected a parameter list",
			  fn.name);
		return LISP_NIL;
	}
	for (lv l = params; lisp_consp(l); l = lisp_cdr(l)) {
		lv p = lisp_car(l);
		struct srcloc pl = lisp_car_loc(l);
		if (fn.nparams == 5) {
			dsl_error(d, pl, "defun-bpf %s: a BPF function takes at most 5 arguments",
				  fn.name);
			return LISP_NIL;
		}
		struct dsl_param *dp = &fn.params[fn.nparams++];
		dp->t = DT_U64;
		if (lisp_symbolp(p) && p != LISP_NIL) {
			dp->sym = p;
		} else if (lisp_consp(p) && lisp_symbolp(lisp_car(p))) {
			dp->sym = lisp_car(p);
			if (lisp_consp(lisp_cdr(p)) && !param_type(d, lisp_cadr(p), &dp->t)) {
				dsl_error(d, pl, "defun-bpf %s: unknown parameter type %s", fn.name,
					  dsl_text(d, lisp_cadr(p)));
				dsl_hint(
					d,
					"parameter types: u8 u16 u32 u64 i8 i16 i32 i64, ptr, (ptr STRUCT), ctx");
				return LISP_NIL;
			}
		} else {
			dsl_error(d, pl, "defun-bpf %s: a parameter is NAME or (NAME TYPE)",
				  fn.name);
			return LISP_NIL;
		}
		dsl_root(d, dp->sym);
	}
	add_fn(d, &fn);
	return name;
}

/* ---- defglobal ------------------------------------------------------------------- */

static lv sf_defglobal(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct dsl *d = data;
	struct srcloc loc = dsl_loc(d, form);
	lv name = lisp_cadr(form), type = lisp_caddr(form);
	if (!lisp_symbolp(name) || name == LISP_NIL || !lisp_consp(lisp_cddr(form))) {
		dsl_error(
			d, loc,
			"defglobal needs a name and a type: (defglobal NAME u64 [INIT] [:section :data])");
		return LISP_NIL;
	}
	struct dsl_global g = { .sym = name, .loc = loc };
	g.name = dsl_lisp_name(d, name);
	g.cname = dsl_c_name(d, g.name);
	lv rest = lisp_cdr(lisp_cddr(form)), init = NULL, section = NULL;
	if (lisp_consp(rest) && !lisp_keywordp(lisp_car(rest))) {
		init = lisp_eval_in(ctx, lisp_car(rest), env);
		rest = lisp_cdr(rest);
	}
	for (; lisp_consp(rest); rest = lisp_cddr(rest)) {
		if (sym_is(lisp_car(rest), "SECTION")) {
			section = lisp_eval_in(ctx, lisp_cadr(rest), env);
		} else {
			dsl_error(d, lisp_car_loc(rest),
				  "defglobal %s: unknown option %s (only :section)", g.name,
				  dsl_text(d, lisp_car(rest)));
			return LISP_NIL;
		}
	}
	uint32_t elem = 0;
	if (lisp_consp(type) && sym_is(lisp_car(type), "ARRAY")) {
		int64_t n;
		if (!dsl_scalar_type(lisp_cadr(type), &g.t) ||
		    !dsl_const_eval(d, lisp_caddr(type), &n) || n <= 0 || n > 1 << 20) {
			dsl_error(d, lisp_elem_loc(form, 2),
				  "defglobal %s: expected (array SCALAR-TYPE COUNT)", g.name);
			return LISP_NIL;
		}
		g.count = (uint32_t)n;
		elem = g.t.size;
		g.size = elem * g.count;
	} else if (dsl_scalar_type(type, &g.t)) {
		g.size = elem = g.t.size;
	} else {
		int32_t sid = lisp_symbolp(type) ? dsl_struct_find(d, dsl_lisp_name(d, type)) : -1;
		if (sid < 0) {
			dsl_error(d, lisp_elem_loc(form, 2), "defglobal %s: unknown type %s",
				  g.name, dsl_text(d, type));
			dsl_hint(
				d,
				"types: u8 u16 u32 u64 i8 i16 i32 i64, a defstruct name, (array TYPE N)");
			return LISP_NIL;
		}
		g.sid = (uint32_t)sid + 1;
		g.size = d->structs.data[sid].size;
	}
	if (init && init != LISP_NIL) {
		g.init = arena_alloc(&d->arena, g.size);
		bool zero = true;
		if (lisp_integerp(init) && elem) {
			uint64_t v = lisp_int_low64(init);
			memcpy(g.init, &v, elem);
			zero = !v;
		} else if (g.count && elem == 1 && lisp_stringp(init)) {
			size_t n;
			const char *s = lisp_string_data(init, &n);
			memcpy(g.init, s, n < g.size ? n : g.size);
			zero = !n;
		} else if (g.count && lisp_listp(init)) {
			uint32_t i = 0;
			for (lv l = init; lisp_consp(l) && i < g.count; l = lisp_cdr(l), i++) {
				uint64_t v = lisp_int_low64(lisp_car(l));
				memcpy(g.init + i * elem, &v, elem);
				zero &= !v;
			}
		} else {
			dsl_error(d, loc, "defglobal %s: cannot initialize a %s from %s", g.name,
				  dsl_text(d, type), dsl_text(d, init));
			return LISP_NIL;
		}
		if (zero)
			g.init = NULL;
	}
	g.section = g.init ? GLOBAL_DATA : GLOBAL_BSS;
	if (section) {
		const char *s = keyword_text(d, section);
		if (lisp_stringp(section))
			s = lisp_string_data(section, NULL);
		if (!strcmp(s, "bss") || !strcmp(s, ".bss"))
			g.section = GLOBAL_BSS;
		else if (!strcmp(s, "data") || !strcmp(s, ".data"))
			g.section = GLOBAL_DATA;
		else if (!strcmp(s, "rodata") || !strcmp(s, ".rodata"))
			g.section = GLOBAL_RODATA;
		else {
			dsl_error(d, loc,
				  "defglobal %s: :section is :bss, :data or :rodata, not %s",
				  g.name, s);
			return LISP_NIL;
		}
		if (g.section == GLOBAL_BSS && g.init) {
			dsl_error(
				d, loc,
				"defglobal %s: a .bss variable starts at zero; use :data for an initial value",
				g.name);
			return LISP_NIL;
		}
	}
	uint32_t idx;
	if (dsl_name_lookup(d, name, &idx) == NAME_GLOBAL) {
		d->globals.data[idx] = g;
	} else {
		vec_push(&d->globals, g);
		dsl_name_define(d, name, NAME_GLOBAL, d->globals.len - 1);
	}
	return name;
}

/* ---- defkfunc / defksym -------------------------------------------------------- */

/* u8..u64, s32/s64, void, (ptr STRUCT). */
static bool kfunc_type(struct dsl *d, lv t, struct dtype *out, const char **sname, bool *is_void)
{
	*sname = NULL;
	*is_void = false;
	if (sym_is(t, "VOID")) {
		*is_void = true;
		*out = DT_U64;
		return true;
	}
	if (dsl_scalar_type(t, out))
		return true;
	if (lisp_consp(t) && (sym_is(lisp_car(t), "PTR") || sym_is(lisp_car(t), "*"))) {
		lv s = lisp_cadr(t);
		if (!lisp_symbolp(s))
			return false;
		*sname = dsl_c_name(d, dsl_lisp_name(d, s));
		*out = dt_ptr(RG_BTF, 0);
		return true;
	}
	if (sym_is(t, "PTR")) {
		*out = dt_ptr(RG_BTF, 0);
		return true;
	}
	return false;
}

static lv sf_defkfunc(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct dsl *d = data;
	struct srcloc loc = dsl_loc(d, form);
	lv name = lisp_cadr(form), params = lisp_caddr(form), rest = lisp_cdr(lisp_cddr(form));
	if (!lisp_symbolp(name) || name == LISP_NIL || !lisp_listp(params) || !lisp_consp(rest)) {
		dsl_error(
			d, loc,
			"defkfunc needs a name, parameters and a return type: "
			"(defkfunc bpf-task-from-pid ((pid i32)) (ptr task_struct) :acquire :ret-null)");
		return LISP_NIL;
	}
	struct dsl_kfunc k = { .sym = name, .loc = loc };
	k.name = dsl_lisp_name(d, name);
	k.kname = dsl_c_name(d, k.name);
	for (lv l = params; lisp_consp(l); l = lisp_cdr(l)) {
		lv p = lisp_car(l);
		lv t = lisp_consp(p) ? lisp_cadr(p) : p;
		bool v;
		if (k.nparams == 5 ||
		    !kfunc_type(d, t, &k.params[k.nparams], &k.param_struct[k.nparams], &v) || v) {
			dsl_error(d, lisp_car_loc(l), "defkfunc %s: bad parameter %s", k.name,
				  dsl_text(d, p));
			dsl_hint(
				d,
				"parameters are (NAME TYPE) with TYPE u8..u64, i32/s32, i64/s64 or (ptr STRUCT); at most 5");
			return LISP_NIL;
		}
		k.nparams++;
	}
	if (!kfunc_type(d, lisp_car(rest), &k.ret, &k.ret_struct, &k.ret_void)) {
		dsl_error(d, lisp_car_loc(rest), "defkfunc %s: bad return type %s", k.name,
			  dsl_text(d, lisp_car(rest)));
		return LISP_NIL;
	}
	for (lv l = lisp_cdr(rest); lisp_consp(l); l = lisp_cdr(l)) {
		lv f = lisp_car(l);
		if (sym_is(f, "RET-NULL"))
			k.ret_null = true;
		else if (sym_is(f, "ACQUIRE"))
			k.acquire = true;
		else if (sym_is(f, "RELEASE"))
			k.release = true;
		else if (!sym_is(f, "TRUSTED") && !sym_is(f, "SLEEPABLE") && !sym_is(f, "RCU")) {
			dsl_error(d, lisp_car_loc(l), "defkfunc %s: unknown flag %s", k.name,
				  dsl_text(d, f));
			dsl_hint(d, "flags: :acquire :release :ret-null :trusted :sleepable :rcu");
			return LISP_NIL;
		}
	}
	if (k.ret_null && k.ret.kind == DT_PTR)
		k.ret.region = RG_BTF_NULL;
	uint32_t idx;
	if (dsl_name_lookup(d, name, &idx) == NAME_KFUNC) {
		d->kfuncs.data[idx] = k;
	} else {
		vec_push(&d->kfuncs, k);
		dsl_name_define(d, name, NAME_KFUNC, d->kfuncs.len - 1);
	}
	return name;
}

static lv sf_defksym(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct dsl *d = data;
	struct srcloc loc = dsl_loc(d, form);
	lv name = lisp_cadr(form);
	if (!lisp_symbolp(name) || name == LISP_NIL) {
		dsl_error(d, loc,
			  "defksym needs the kernel symbol's name: (defksym bpf-prog-active)");
		return LISP_NIL;
	}
	struct dsl_kfunc k = { .sym = name, .loc = loc, .is_ksym = true };
	k.name = dsl_lisp_name(d, name);
	k.kname = dsl_c_name(d, k.name);
	k.ret = dt_ptr(RG_BTF, 0);
	if (lisp_consp(lisp_cddr(form))) {
		bool v;
		if (!kfunc_type(d, lisp_caddr(form), &k.params[0], &k.param_struct[0], &v)) {
			dsl_error(d, lisp_elem_loc(form, 2), "defksym %s: bad type %s", k.name,
				  dsl_text(d, lisp_caddr(form)));
			return LISP_NIL;
		}
		k.nparams = 1;
	}
	uint32_t idx;
	if (dsl_name_lookup(d, name, &idx) == NAME_KFUNC) {
		d->kfuncs.data[idx] = k;
	} else {
		vec_push(&d->kfuncs, k);
		dsl_name_define(d, name, NAME_KFUNC, d->kfuncs.len - 1);
	}
	return name;
}

static const struct {
	const char *name;
	lisp_special_fn fn;
} top_forms[] = {
	{ "defmap", sf_defmap },     { "bpf:map", sf_defmap },	    { "defprog", sf_defprog },
	{ "bpf:prog", sf_defprog },  { "defun-bpf", sf_defun_bpf }, { "defglobal", sf_defglobal },
	{ "defkfunc", sf_defkfunc }, { "defksym", sf_defksym },
};

void dsl_defs_register(struct dsl *d)
{
	for (size_t i = 0; i < ARRAY_LEN(top_forms); i++)
		lisp_defspecial(d->ctx, top_forms[i].name, top_forms[i].fn, d);
}
