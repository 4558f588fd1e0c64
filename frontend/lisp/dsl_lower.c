/* Lowering program bodies to IR: the dispatch on a form's head (primitives,
 * macros, accessors, subprograms, kfuncs, helpers, compile-time Lisp),
 * symbols and variables, bindings with type inference, assignment and the
 * control forms (if, cond, case, and/or, when-let, return). */
#include "frontend/lisp/dsl_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- values ---------------------------------------------------------------- */

struct dval dv_const(int64_t v)
{
	struct dval d = { .is_const = true, .cval = v, .t = DT_U64 };
	return d;
}

struct dval dv_void(void)
{
	struct dval d = { .t = DT_VOIDT };
	return d;
}

struct dval dv_poison(void)
{
	struct dval d = { .poison = true, .t = DT_U64, .is_const = true };
	return d;
}

struct dval dv_tmp(ir_ref r, struct dtype t)
{
	struct dval d = { .ref = r, .t = t };
	return d;
}

bool dv_is_ptr(struct dval v)
{
	return v.t.kind == DT_PTR && !v.is_const;
}

ir_ref dv_op(struct fb *fb, struct dval v, unsigned cls)
{
	if (v.is_const || v.t.kind == DT_VOID)
		return fb_con(fb, cls == IR_I32 ? (int64_t)(uint32_t)v.cval : v.cval);
	if (v.t.kind == DT_PTR)
		return v.ref;
	if (ir_ref_kind(v.ref) == REF_CON)
		return v.ref;
	unsigned have = v.t.size == 8 ? IR_I64 : IR_I32;
	if (have == cls)
		return v.ref;
	if (cls == IR_I64)
		return fb_emit(fb, v.t.sign ? IR_SEXT32 : IR_ZEXT, VT_I64, &v.ref, 1);
	return fb_emit(fb, IR_TRUNC, VT_I32, &v.ref, 1);
}

ir_ref dv_i64(struct fb *fb, struct dval v)
{
	return dv_op(fb, v, IR_I64);
}

/* cval truncated and extended to an integer type, as a store and load would. */
int64_t dsl_const_cast(int64_t v, struct dtype t)
{
	switch (t.size) {
	case 1:
		return t.sign ? (int64_t)(int8_t)v : (int64_t)(uint8_t)v;
	case 2:
		return t.sign ? (int64_t)(int16_t)v : (int64_t)(uint16_t)v;
	case 4:
		return t.sign ? (int64_t)(int32_t)v : (int64_t)(uint32_t)v;
	default:
		return v;
	}
}

static const char *type_name(struct dtype t)
{
	static const char *const u[] = { "", "u8", "u16", "", "u32", "", "", "", "u64" };
	static const char *const s[] = { "", "i8", "i16", "", "i32", "", "", "", "i64" };
	if (t.kind == DT_PTR)
		return "a pointer";
	if (t.kind != DT_INT || t.size > 8)
		return "nothing";
	return t.sign ? s[t.size] : u[t.size];
}

struct dval dv_convert(struct fb *fb, struct dval v, struct dtype t, struct srcloc loc,
		       const char *what)
{
	if (v.poison)
		return v;
	if (t.kind == DT_PTR) {
		if (v.t.kind == DT_PTR && !v.is_const) {
			if (t.region != RG_ANY && v.t.region != t.region &&
			    !(ir_region_nonnull(v.t.region) == t.region))
				return fb_error(fb, loc, "%s: a ptr.%s cannot become a ptr.%s",
						what, ir_regions[v.t.region].name,
						ir_regions[t.region].name);
			return v;
		}
		return fb_error(fb, loc, "%s: expected a pointer, found %s%s", what,
				v.is_const ? "the constant " : type_name(v.t),
				v.is_const ? arena_printf(&fb->f->arena, "%lld", (long long)v.cval)
					   : "");
	}
	if (t.kind != DT_INT)
		return v;
	if (v.t.kind == DT_VOID)
		return fb_error(fb, loc, "%s: this form has no value", what);
	if (v.is_const) {
		struct dval c = dv_const(dsl_const_cast(v.cval, t));
		c.t = t;
		return c;
	}
	if (v.t.kind == DT_PTR) {
		if (t.size == 8)
			return v; /* pointers are u64 values */
		fb_error(fb, loc, "%s: a pointer does not fit in %s", what, type_name(t));
		dsl_hint(fb->d, "pointers are 64 bits; keep them in u64 variables");
		return dv_poison();
	}
	struct dtype from = v.t;
	ir_ref r = v.ref;
	if (from.size == t.size) {
		if (from.sign != t.sign && t.size < 4) {
			if (t.sign)
				r = fb_emit(fb, t.size == 1 ? IR_SEXT8 : IR_SEXT16, VT_I32, &r, 1);
			else {
				ir_ref a[2] = { r, fb_con(fb, t.size == 1 ? 0xff : 0xffff) };
				r = fb_emit(fb, IR_AND, VT_I32, a, 2);
			}
		}
		return dv_tmp(r, t);
	}
	if (from.size < t.size) {
		if (t.size == 8)
			r = fb_emit(fb, from.sign ? IR_SEXT32 : IR_ZEXT, VT_I64, &r, 1);
		else if (from.sign && !t.sign && t.size < 4) {
			ir_ref a[2] = { r, fb_con(fb, t.size == 1 ? 0xff : 0xffff) };
			r = fb_emit(fb, IR_AND, VT_I32, a, 2);
		}
		return dv_tmp(r, t);
	}
	/* narrowing */
	if (from.size == 8)
		r = fb_emit(fb, IR_TRUNC, VT_I32, &r, 1);
	if (t.size < 4) {
		if (t.sign)
			r = fb_emit(fb, t.size == 1 ? IR_SEXT8 : IR_SEXT16, VT_I32, &r, 1);
		else {
			ir_ref a[2] = { r, fb_con(fb, t.size == 1 ? 0xff : 0xffff) };
			r = fb_emit(fb, IR_AND, VT_I32, a, 2);
		}
	} else if (t.sign && from.size == 8) {
		/* i32 in an i32 register: the low half is it */
	}
	return dv_tmp(r, t);
}

/* ---- form helpers ------------------------------------------------------------ */

size_t form_len(lv form)
{
	size_t n = 0;
	for (lv l = form; lisp_consp(l); l = lisp_cdr(l))
		n++;
	return n;
}

lv form_nth(lv form, size_t n)
{
	lv l = form;
	while (n-- && lisp_consp(l))
		l = lisp_cdr(l);
	return lisp_car(l);
}

struct srcloc form_nth_loc(struct fb *fb, lv form, size_t n, struct srcloc def)
{
	lv l = form;
	while (n-- && lisp_consp(l))
		l = lisp_cdr(l);
	if (lisp_consp(l)) {
		struct srcloc s = lisp_car_loc(l);
		if (s.file)
			return s;
		s = lisp_loc(lisp_car(l));
		if (s.file)
			return s;
	}
	return def;
}

struct srcloc dsl_loc_or(lv form, struct srcloc def)
{
	struct srcloc s = lisp_loc(form);
	return s.file ? s : def;
}

/* ---- dispatch -------------------------------------------------------------------- */

static struct dval lower_symbol(struct fb *fb, lv sym, struct srcloc loc);

static bool lisp_function_p(struct fb *fb, lv head)
{
	return lisp_symbol_function(fb->d->ctx, head) != NULL;
}

/* True if a form can be evaluated at compile time without the program's
 * variables: literals, constants, quoted data, calls of such. */
static bool compile_time_p(struct fb *fb, lv form, int depth)
{
	if (depth > 32)
		return false;
	if (!lisp_consp(form)) {
		if (lisp_symbolp(form) && form != LISP_NIL && !lisp_keywordp(form)) {
			if (fb_var_find(fb, form) >= 0)
				return false;
			return lisp_symbol_value(fb->d->ctx, form) != NULL;
		}
		return true;
	}
	lv h = lisp_car(form);
	if (sym_is(h, "QUOTE"))
		return true;
	if (!lisp_symbolp(h) || !lisp_function_p(fb, h))
		return false;
	for (lv l = lisp_cdr(form); lisp_consp(l); l = lisp_cdr(l))
		if (!compile_time_p(fb, lisp_car(l), depth + 1))
			return false;
	return true;
}

/* NAME-FIELD where NAME is a known struct but FIELD is not one of its fields:
 * reports it with the fields; false if the name is not of that shape. */
static bool wrong_field(struct fb *fb, const char *name, struct srcloc loc)
{
	struct dsl *d = fb->d;
	int32_t best_sid = -1;
	size_t best_len = 0;
	for (uint32_t i = 0; i < d->structs.len; i++) {
		const char *sn = d->structs.data[i].name;
		size_t n = strlen(sn);
		if (n > best_len && !strncmp(name, sn, n) && name[n] == '-' && name[n + 1]) {
			best_sid = (int32_t)i;
			best_len = n;
		}
	}
	if (best_sid < 0)
		return false;
	const struct dsl_struct *s = &d->structs.data[best_sid];
	fb_error(fb, loc, "%s %s has no field '%s'",
		 s->kind == DSL_HEADER	 ? "header"
		 : s->kind == DSL_KERNEL ? "imported kernel struct"
					 : "struct",
		 s->name, name + best_len + 1);
	const char **cands = xcalloc(s->nfields + 1, sizeof(char *));
	for (uint32_t i = 0; i < s->nfields; i++)
		cands[i] = s->fields[i].name;
	dsl_suggest(d, name + best_len + 1, cands, s->nfields,
		    s->kind == DSL_KERNEL ? "imported fields" : "fields");
	free(cands);
	return true;
}

static struct dval lower_cons(struct fb *fb, lv form, struct srcloc loc, int want, int depth)
{
	struct dsl *d = fb->d;
	lv head = lisp_car(form);
	if (!lisp_symbolp(head) || head == LISP_NIL) {
		if (lisp_consp(head) && sym_is(lisp_car(head), "LAMBDA"))
			return fb_error(fb, loc, "lambda forms cannot be called in BPF code");
		return fb_error(fb, loc, "%s is not a function or form", dsl_text(d, head));
	}
	dsl_prim_fn prim = dsl_prim_lookup(d, head);
	if (prim)
		return prim(fb, form, loc, want);
	if (lisp_macrop(d->ctx, head, LISP_NIL)) {
		lv exp;
		bool expanded;
		if (depth > 200)
			return fb_error(fb, loc, "macro expansion of %s does not end",
					lisp_symbol_name(head));
		if (lisp_macroexpand_1(d->ctx, form, LISP_NIL, &exp, &expanded)) {
			fb->errors++;
			d->errors++;
			return dv_poison();
		}
		if (expanded) {
			if (lisp_consp(exp))
				return lower_cons(fb, exp, dsl_loc_or(exp, loc), want, depth + 1);
			return lower(fb, exp, loc, want);
		}
	}
	const struct dsl_acc *acc = dsl_acc_lookup(d, head);
	if (acc)
		return mem_struct_access(fb, acc, form, loc, NULL);
	bool handled = false;
	struct dval v = calls_lower(fb, form, loc, want, &handled);
	if (handled)
		return v;
	if (lisp_function_p(fb, head) && compile_time_p(fb, form, 0)) {
		lv res;
		if (lisp_eval(d->ctx, form, &res)) {
			fb->errors++;
			d->errors++;
			return dv_poison();
		}
		int64_t x;
		if (lisp_int_to_i64(res, &x) ||
		    (lisp_integerp(res) && (x = (int64_t)lisp_int_low64(res), true)))
			return dv_const(x);
		if (res == LISP_NIL)
			return dv_const(0);
		return fb_error(fb, loc,
				"(%s ...) computed %s at compile time, which is not an integer",
				dsl_lisp_name(d, head), dsl_text(d, res));
	}
	if (lisp_function_p(fb, head))
		return fb_error(
			fb, loc,
			"%s is a compile-time Lisp function: its arguments must be constants here",
			dsl_lisp_name(d, head));
	const char *name = dsl_lisp_name(d, head);
	if (wrong_field(fb, name, loc))
		return dv_poison();
	/* unknown: suggest helpers, forms and accessors */
	fb_error(fb, loc, "unknown function or form '%s'", name);
	size_t n;
	const struct ir_helper *hs = ir_helper_table(&n);
	const char **cands = xcalloc(n + d->acc.count + d->prims.count + 1, sizeof(char *));
	size_t nc = 0;
	for (size_t i = 0; i < n; i++) {
		char *c = arena_strdup(&d->arena, hs[i].name);
		for (char *p = c; *p; p++)
			if (*p == '_')
				*p = '-';
		cands[nc++] = c;
	}
	hmap_foreach(&d->acc, it) cands[nc++] = arena_strndup(&d->arena, it->key, it->len);
	hmap_foreach(&d->prims, it) cands[nc++] = arena_strndup(&d->arena, it->key, it->len);
	for (size_t i = 0; i < nc; i++) {
		char *c = (char *)cands[i];
		for (; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	}
	const char *best = diag_suggest(name, cands, nc);
	if (best)
		dsl_hint(d, "did you mean '%s'?", best);
	else
		dsl_hint(
			d,
			"BPF code can call DSL forms, BPF helpers by kebab-case name (ktime-get-ns), "
			"defun-bpf functions, kfuncs, and macros");
	free(cands);
	return dv_poison();
}

struct dval lower(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (fb->cur == FB_NONE)
		return dv_poison();
	if (fb->d->diag->limit_reached)
		return dv_poison();
	if (lisp_consp(form)) {
		struct srcloc own = lisp_loc(form);
		if (own.file)
			loc = own;
		struct srcloc saved = fb->loc;
		fb_set_loc(fb, loc);
		struct dval v = lower_cons(fb, form, loc, want, 0);
		fb->loc = saved;
		return v;
	}
	fb_set_loc(fb, loc);
	if (lisp_integerp(form)) {
		int64_t x;
		if (!lisp_int_to_i64(form, &x)) {
			uint64_t u;
			if (!lisp_int_to_u64(form, &u))
				return fb_error(fb, loc, "integer %s does not fit in 64 bits",
						dsl_text(fb->d, form));
			x = (int64_t)u;
		}
		return dv_const(x);
	}
	if (lisp_charp(form))
		return dv_const(lisp_char_code(form));
	if (form == LISP_NIL)
		return dv_const(0);
	if (lisp_symbolp(form))
		return lower_symbol(fb, form, loc);
	if (lisp_stringp(form))
		return fb_error(fb, loc,
				"a string can only be passed to a helper that takes memory");
	return fb_error(fb, loc, "%s cannot be used in BPF code", dsl_text(fb->d, form));
}

struct dval lower_body(struct fb *fb, lv forms, struct srcloc loc, int want)
{
	struct dval v = dv_const(0);
	for (lv l = forms; lisp_consp(l); l = lisp_cdr(l)) {
		lv f = lisp_car(l);
		if (lisp_consp(f) && sym_is(lisp_car(f), "DECLARE"))
			continue;
		if (fb->cur == FB_NONE)
			return dv_poison();
		bool last = !lisp_consp(lisp_cdr(l));
		v = lower(fb, f, form_nth_loc(fb, l, 0, loc), last ? want : WANT_EFFECT);
	}
	return v;
}

/* ---- symbols -------------------------------------------------------------------- */

static void suggest_variables(struct fb *fb, const char *name)
{
	struct dsl *d = fb->d;
	const char **cands = xcalloc(fb->scope.len + 1, sizeof(char *));
	size_t n = 0;
	for (uint32_t i = fb->scope.len; i > 0; i--) {
		lv s = fb->vars.data[fb->scope.data[i - 1]].sym;
		if (!lisp_symbolp(s) || s == LISP_NIL || !lisp_symbol_package_name(s))
			continue;
		const char *vn = dsl_lisp_name(d, s);
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup |= !strcmp(cands[k], vn);
		if (!dup)
			cands[n++] = vn;
	}
	dsl_suggest(d, name, cands, n, "variables in scope");
	free(cands);
}

struct dval maps_ref(struct fb *fb, lv form, struct srcloc loc, struct dsl_map **out)
{
	uint32_t idx;
	if (dsl_name_lookup(fb->d, form, &idx) == NAME_MAP) {
		struct dsl_map *m = &fb->d->maps.data[idx];
		if (out)
			*out = m;
		struct dval v = dv_tmp(IR_REF(REF_SYM, m->irsym), dt_ptr(RG_MAP, 0));
		v.map = idx + 1;
		return v;
	}
	int64_t var = lisp_symbolp(form) ? fb_var_find(fb, form) : -1;
	if (var >= 0) {
		struct dval v = fb_var_read(fb, (uint32_t)var);
		if (v.map) {
			if (out)
				*out = &fb->d->maps.data[v.map - 1];
			return v;
		}
	}
	if (out)
		*out = NULL;
	struct dsl *d = fb->d;
	fb_error(fb, loc, "'%s' is not a map", dsl_text(d, form));
	const char **cands = xcalloc(d->maps.len + 1, sizeof(char *));
	for (uint32_t i = 0; i < d->maps.len; i++)
		cands[i] = d->maps.data[i].name;
	dsl_suggest(d, lisp_symbolp(form) ? dsl_lisp_name(d, form) : "", cands, d->maps.len,
		    "maps");
	free(cands);
	return dv_poison();
}

struct dval dsl_var_get(struct fb *fb, uint32_t var, struct srcloc loc)
{
	struct fvar *v = &fb->vars.data[var];
	if (v->mem) {
		struct dval p = dv_tmp(v->addr, dt_ptr(RG_STACK, 0));
		if (v->t.kind == DT_PTR) {
			ir_ref a[2] = { v->addr, fb_con(fb, v->mem_off) };
			return dv_tmp(fb_emit(fb, IR_LOAD_U64, dt_vt(v->t), a, 2), v->t);
		}
		return mem_load(fb, v->t, p, v->mem_off, loc);
	}
	return fb_var_read(fb, var);
}

void dsl_var_set(struct fb *fb, uint32_t var, struct dval val, struct srcloc loc)
{
	struct fvar *v = &fb->vars.data[var];
	v->assigned = true;
	if (v->mem) {
		struct dval p = dv_tmp(v->addr, dt_ptr(RG_STACK, 0));
		mem_store(fb, v->t.kind == DT_PTR ? 8 : v->t.size, p, v->mem_off, val, loc);
		return;
	}
	if (!val.is_const && ir_ref_kind(val.ref) == REF_TMP && lisp_symbolp(v->sym) &&
	    v->sym != LISP_NIL)
		fb_name_tmp(fb, val.ref, lisp_symbol_name(v->sym));
	fb_var_write(fb, var, val);
}

static struct dval lower_symbol(struct fb *fb, lv sym, struct srcloc loc)
{
	struct dsl *d = fb->d;
	int64_t var = fb_var_find(fb, sym);
	if (var >= 0)
		return dsl_var_get(fb, (uint32_t)var, loc);
	if (lisp_keywordp(sym))
		return fb_error(fb, loc, "keyword %s has no value in BPF code", dsl_text(d, sym));
	if (sym_is(sym, "T"))
		return dv_const(1);
	uint32_t idx;
	switch (dsl_name_lookup(d, sym, &idx)) {
	case NAME_MAP:
		return maps_ref(fb, sym, loc, NULL);
	case NAME_GLOBAL: {
		struct dsl_global *g = &d->globals.data[idx];
		struct dval p = dv_tmp(IR_REF(REF_SYM, g->irsym), dt_ptr(RG_GLOBAL, g->sid));
		if (g->sid || g->count)
			return p;
		return mem_load(fb, g->t, p, 0, loc);
	}
	case NAME_KFUNC: {
		struct dsl_kfunc *k = &d->kfuncs.data[idx];
		if (k->is_ksym) {
			uint32_t es = dsl_extern_sym(d, idx);
			return es ? dv_tmp(IR_REF(REF_SYM, es), dt_ptr(RG_BTF, 0)) : dv_poison();
		}
		return fb_error(fb, loc, "%s is a kernel function: call it as (%s ...)", k->name,
				k->name);
	}
	case NAME_FN:
		return fb_error(fb, loc, "%s is a %s: call it as (%s ...)", d->fns.data[idx].name,
				d->fns.data[idx].kind == FN_PROG ? "program (use tail-call)"
								 : "function",
				d->fns.data[idx].name);
	default:
		break;
	}
	lv val = lisp_symbol_value(d->ctx, sym);
	if (val) {
		int64_t x;
		if (lisp_int_to_i64(val, &x))
			return dv_const(x);
		if (lisp_integerp(val))
			return dv_const((int64_t)lisp_int_low64(val));
		if (val == LISP_NIL)
			return dv_const(0);
		if (lisp_symbolp(val) && val != LISP_NIL &&
		    dsl_name_lookup(d, val, &idx) == NAME_MAP)
			return maps_ref(fb, val, loc, NULL);
		return fb_error(fb, loc, "%s is %s at compile time, not an integer",
				dsl_lisp_name(d, sym), dsl_text(d, val));
	}
	lv exp;
	bool expanded = false;
	if (lisp_macroexpand_1(d->ctx, sym, LISP_NIL, &exp, &expanded) == 0 && expanded)
		return lower(fb, exp, loc, WANT_VALUE);
	const char *name = dsl_lisp_name(d, sym);
	fb_error(fb, loc, "unknown variable '%s'", name);
	suggest_variables(fb, name);
	return dv_poison();
}

/* ---- bindings ---------------------------------------------------------------------- */

/* Does `body` contain (stack-addr SYM)?  Then SYM lives in memory. */
static bool address_taken(lv body, lv sym, int depth)
{
	if (depth > 64 || !lisp_consp(body))
		return false;
	if (sym_is(lisp_car(body), "STACK-ADDR") && lisp_cadr(body) == sym)
		return true;
	for (lv l = body; lisp_consp(l); l = lisp_cdr(l))
		if (address_taken(lisp_car(l), sym, depth + 1))
			return true;
	return false;
}

/* (declare (type u32 a b) (u16 c) (ignore d)) at the start of a body. */
static size_t parse_declares(struct fb *fb, lv body, struct decl *out, size_t max)
{
	size_t n = 0;
	for (lv l = body; lisp_consp(l); l = lisp_cdr(l)) {
		lv f = lisp_car(l);
		if (!lisp_consp(f) || !sym_is(lisp_car(f), "DECLARE"))
			break;
		for (lv s = lisp_cdr(f); lisp_consp(s); s = lisp_cdr(s)) {
			lv spec = lisp_car(s);
			lv h = lisp_car(spec), vars = lisp_cdr(spec);
			struct dtype t;
			if (sym_is(h, "TYPE")) {
				if (!dsl_scalar_type(lisp_car(vars), &t)) {
					fb_error(fb, lisp_car_loc(s), "declare: unknown type %s",
						 dsl_text(fb->d, lisp_car(vars)));
					dsl_hint(fb->d, "types: u8 u16 u32 u64 i8 i16 i32 i64");
					continue;
				}
				vars = lisp_cdr(vars);
			} else if (!dsl_scalar_type(h, &t)) {
				continue; /* ignore, ignorable, optimize, ... */
			}
			for (lv v = vars; lisp_consp(v) && n < max; v = lisp_cdr(v))
				out[n++] = (struct decl){ lisp_car(v), t };
		}
	}
	return n;
}

bool dsl_parse_binding(struct fb *fb, lv b, struct srcloc bl, struct binding *out, lv *init)
{
	*out = (struct binding){ .loc = bl };
	*init = NULL;
	if (lisp_symbolp(b) && b != LISP_NIL) {
		out->sym = b;
		return true;
	}
	if (!lisp_consp(b) || !lisp_symbolp(lisp_car(b)) || lisp_car(b) == LISP_NIL) {
		fb_error(
			fb, bl,
			"a binding is (NAME INIT), (NAME TYPE INIT), (NAME TYPE) or NAME; found %s",
			dsl_text(fb->d, b));
		return false;
	}
	out->sym = lisp_car(b);
	size_t n = form_len(b);
	if (n == 2) {
		if (dsl_scalar_type(lisp_cadr(b), &out->t))
			out->typed = true;
		else
			*init = b; /* marker: init is the second element */
	} else if (n == 3) {
		if (!dsl_scalar_type(lisp_cadr(b), &out->t)) {
			fb_error(fb, form_nth_loc(fb, b, 1, bl),
				 "unknown type %s in the binding of %s",
				 dsl_text(fb->d, lisp_cadr(b)), dsl_lisp_name(fb->d, out->sym));
			dsl_hint(fb->d, "types: u8 u16 u32 u64 i8 i16 i32 i64");
			return false;
		}
		out->typed = true;
		*init = lisp_cdr(b);
	} else if (n > 3) {
		fb_error(fb, bl, "too many elements in the binding of %s",
			 dsl_lisp_name(fb->d, out->sym));
		return false;
	}
	return true;
}

/* The variable's type: declared, or the initializer's. */
struct dtype dsl_binding_type(struct binding *b, const struct decl *decls, size_t nd)
{
	for (size_t i = 0; i < nd; i++)
		if (decls[i].sym == b->sym) {
			b->typed = true;
			b->t = decls[i].t;
		}
	if (b->typed) {
		if (b->t.size == 8 && b->has_init && dv_is_ptr(b->init))
			return b->init.t; /* a pointer kept in a u64 */
		return b->t;
	}
	if (!b->has_init || b->init.is_const || b->init.t.kind == DT_VOID || b->init.poison)
		return DT_U64;
	return b->init.t;
}

void dsl_bind(struct fb *fb, struct binding *b, struct dtype t, lv body)
{
	struct dval init = b->has_init ? b->init : dv_const(0);
	if (t.kind == DT_INT && dv_is_ptr(init) && t.size < 8) {
		fb_error(fb, b->loc, "%s is a %s but its initial value is a pointer",
			 dsl_lisp_name(fb->d, b->sym), type_name(t));
		dsl_hint(fb->d, "pointers are 64 bits; drop the type or use u64");
		init = dv_poison();
	}
	if (t.kind == DT_PTR && !dv_is_ptr(init) && !init.poison && !init.map) {
		/* a pointer-typed var that starts as an integer: keep it an integer */
		t = DT_U64;
	}
	if (init.map) {
		uint32_t v = fb_var_new(fb, b->sym, init.t);
		fb_var_write(fb, v, init);
		return;
	}
	struct dval val = dv_convert(fb, init, t, b->loc, dsl_lisp_name(fb->d, b->sym));
	if (val.poison && t.kind == DT_PTR)
		t = DT_U64;
	uint32_t v = fb_var_new(fb, b->sym, t);
	if (address_taken(body, b->sym, 0)) {
		struct fvar *fv = &fb->vars.data[v];
		fv->mem = true;
		fv->addr = fb_alloca(
			fb, 8, 8,
			arena_printf(&fb->f->arena, "variable %s", dsl_lisp_name(fb->d, b->sym)));
		fb_name_tmp(fb, fv->addr, lisp_symbol_name(b->sym));
		if (!val.poison)
			dsl_var_set(fb, v, val, b->loc);
		return;
	}
	if (val.poison)
		val = dv_const(0), val.t = t.kind == DT_PTR ? DT_U64 : t;
	dsl_var_set(fb, v, val, b->loc);
}

static struct dval p_let(struct fb *fb, lv form, struct srcloc loc, int want, bool star)
{
	lv bindings = lisp_cadr(form), body = lisp_cddr(form);
	if (!lisp_listp(bindings))
		return fb_error(fb, loc, "%s needs a list of bindings", star ? "let*" : "let");
	struct decl decls[64];
	size_t nd = parse_declares(fb, body, decls, 64);
	size_t nb = form_len(bindings);
	struct binding *bs = xcalloc(nb + 1, sizeof(*bs));
	size_t i = 0;
	if (star)
		fb_scope_push(fb);
	for (lv l = bindings; lisp_consp(l); l = lisp_cdr(l), i++) {
		lv init;
		struct srcloc bl = form_nth_loc(fb, l, 0, loc);
		if (!dsl_parse_binding(fb, lisp_car(l), bl, &bs[i], &init)) {
			bs[i].sym = NULL;
			continue;
		}
		if (init) {
			bs[i].init = lower(fb, lisp_cadr(init), form_nth_loc(fb, init, 1, bl),
					   WANT_VALUE);
			bs[i].has_init = true;
		}
		if (star && bs[i].sym) {
			struct dtype t = dsl_binding_type(&bs[i], decls, nd);
			dsl_bind(fb, &bs[i], t,
				 lisp_cdr(l) == LISP_NIL
					 ? body
					 : lisp_cons(fb->d->ctx, lisp_cdr(l), body));
		}
	}
	if (!star) {
		fb_scope_push(fb);
		for (i = 0; i < nb; i++)
			if (bs[i].sym)
				dsl_bind(fb, &bs[i], dsl_binding_type(&bs[i], decls, nd), body);
	}
	free(bs);
	struct dval v = lower_body(fb, body, loc, want);
	fb_scope_pop(fb);
	return v;
}

struct dval dsl_p_let(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_let(struct fb *fb, lv form, struct srcloc loc, int want)
{
	return p_let(fb, form, loc, want, sym_is(lisp_car(form), "LET*"));
}

/* ---- assignment ------------------------------------------------------------------ */

static bool is_getmap(lv place)
{
	return lisp_consp(place) && sym_is(lisp_car(place), "GETMAP");
}

struct dval lower_place_read(struct fb *fb, lv place, struct srcloc loc)
{
	return lower(fb, place, loc, WANT_VALUE);
}

struct dval lower_setf_place(struct fb *fb, lv place, struct srcloc ploc, struct dval v,
			     struct srcloc loc)
{
	struct dsl *d = fb->d;
	if (v.poison)
		return v;
	if (lisp_symbolp(place) && place != LISP_NIL) {
		int64_t var = fb_var_find(fb, place);
		if (var >= 0) {
			struct fvar *fv = &fb->vars.data[var];
			if (fv->t.kind == DT_PTR && fv->t.region == RG_MAP)
				return fb_error(fb, ploc, "%s names a map and cannot be assigned",
						dsl_lisp_name(d, place));
			struct dtype t = fv->t;
			if (t.kind == DT_PTR && !dv_is_ptr(v))
				return fb_error(
					fb, loc, "%s holds a pointer; it cannot be assigned %s",
					dsl_lisp_name(d, place),
					v.is_const ? "an integer constant" : type_name(v.t));
			if (t.kind == DT_INT && t.size == 8 && dv_is_ptr(v))
				return fb_error(
					fb, loc,
					"%s holds an integer; it cannot be assigned a pointer",
					dsl_lisp_name(d, place));
			struct dval c = dv_convert(fb, v, t, loc, dsl_lisp_name(d, place));
			if (!c.poison)
				dsl_var_set(fb, (uint32_t)var, c, loc);
			return c;
		}
		uint32_t idx;
		if (dsl_name_lookup(d, place, &idx) == NAME_GLOBAL) {
			struct dsl_global *g = &d->globals.data[idx];
			if (g->sid || g->count)
				return fb_error(fb, ploc,
						"%s is a struct or array global: set its fields",
						g->name);
			if (g->section == GLOBAL_RODATA)
				return fb_error(fb, ploc,
						"%s is in .rodata: BPF code cannot change it",
						g->name);
			struct dval p = dv_tmp(IR_REF(REF_SYM, g->irsym), dt_ptr(RG_GLOBAL, 0));
			mem_store(fb, g->t.size, p, 0, v, loc);
			return v;
		}
		fb_error(fb, ploc, "cannot assign to '%s': it is not a variable",
			 dsl_lisp_name(d, place));
		suggest_variables(fb, dsl_lisp_name(d, place));
		return dv_poison();
	}
	if (!lisp_consp(place))
		return fb_error(fb, ploc, "cannot assign to %s", dsl_text(d, place));
	lv h = lisp_car(place);
	if (is_getmap(place)) {
		if (form_len(place) != 3)
			return fb_error(fb, ploc, "getmap takes a map and a key");
		return maps_setmap(fb, lisp_cadr(place), lisp_caddr(place), ploc, v, 0);
	}
	if (sym_is(h, "CTX")) {
		struct dval sv = v;
		mem_ctx_field(fb, place, ploc, lisp_cadr(place),
			      form_len(place) > 2 ? lisp_caddr(place) : NULL, &sv);
		return v;
	}
	if (sym_is(h, "LOAD")) {
		/* (setf (load T p off) v) */
		struct dtype t;
		if (!dsl_scalar_type(lisp_cadr(place), &t))
			return fb_error(fb, ploc, "load: unknown type");
		struct dval p =
			lower(fb, lisp_caddr(place), form_nth_loc(fb, place, 2, ploc), WANT_VALUE);
		struct dval off = form_len(place) > 3
					  ? lower(fb, form_nth(place, 3), ploc, WANT_VALUE)
					  : dv_const(0);
		if (off.poison || p.poison)
			return dv_poison();
		if (!off.is_const) {
			p = lower_binop(fb, IR_ADD, p, off, ploc);
			off = dv_const(0);
		}
		mem_store(fb, t.size, p, off.cval, v, loc);
		return v;
	}
	if (lisp_symbolp(h)) {
		if (dsl_prim_lookup(d, h) == NULL && lisp_macrop(d->ctx, h, LISP_NIL)) {
			lv exp;
			bool expanded;
			if (lisp_macroexpand_1(d->ctx, place, LISP_NIL, &exp, &expanded)) {
				fb->errors++;
				return dv_poison();
			}
			if (expanded)
				return lower_setf_place(fb, exp, dsl_loc_or(exp, ploc), v, loc);
		}
		const struct dsl_acc *acc = dsl_acc_lookup(d, h);
		if (acc && acc->kind == ACC_GET) {
			struct dval sv = v;
			mem_struct_access(fb, acc, place, ploc, &sv);
			return v;
		}
	}
	if (lisp_symbolp(h) && wrong_field(fb, dsl_lisp_name(d, h), ploc))
		return dv_poison();
	return fb_error(fb, ploc, "cannot assign to %s", dsl_text(d, place));
}

struct dval dsl_p_setf(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_setf(struct fb *fb, lv form, struct srcloc loc, int want)
{
	struct dval v = dv_const(0);
	size_t n = form_len(form);
	if (n % 2 == 0)
		return fb_error(fb, loc, "%s needs PLACE VALUE pairs",
				sym_is(lisp_car(form), "SETQ") ? "setq" : "setf");
	for (size_t i = 1; i + 1 < n; i += 2) {
		lv place = form_nth(form, i);
		struct srcloc ploc = form_nth_loc(fb, form, i, loc);
		v = lower(fb, form_nth(form, i + 1), form_nth_loc(fb, form, i + 1, loc),
			  WANT_VALUE);
		if (fb->cur == FB_NONE)
			return dv_poison();
		v = lower_setf_place(fb, place, ploc, v, loc);
	}
	return v;
}

struct dval dsl_p_incf(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_incf(struct fb *fb, lv form, struct srcloc loc, int want)
{
	bool dec = sym_is(lisp_car(form), "DECF");
	lv place = lisp_cadr(form), delta = lisp_consp(lisp_cddr(form)) ? lisp_caddr(form) : NULL;
	struct srcloc ploc = form_nth_loc(fb, form, 1, loc);
	if (form_len(form) < 2 || form_len(form) > 3)
		return fb_error(fb, loc, "%s takes a place and an optional delta",
				dec ? "decf" : "incf");
	/* expand macro places first, so (incf (my-counter k)) can reach getmap */
	for (int guard = 0;
	     guard < 50 && lisp_consp(place) && lisp_symbolp(lisp_car(place)) &&
	     !dsl_prim_lookup(fb->d, lisp_car(place)) && !dsl_acc_lookup(fb->d, lisp_car(place)) &&
	     lisp_macrop(fb->d->ctx, lisp_car(place), LISP_NIL);
	     guard++) {
		lv exp;
		bool expanded;
		if (lisp_macroexpand_1(fb->d->ctx, place, LISP_NIL, &exp, &expanded) || !expanded)
			break;
		place = exp;
	}
	if (is_getmap(place))
		return maps_incf(fb, place, ploc, delta, dec);
	struct dval cur = lower_place_read(fb, place, ploc);
	struct dval d =
		delta ? lower(fb, delta, form_nth_loc(fb, form, 2, loc), WANT_VALUE) : dv_const(1);
	if (cur.poison || d.poison)
		return dv_poison();
	struct dval nv = lower_binop(fb, dec ? IR_SUB : IR_ADD, cur, d, loc);
	return lower_setf_place(fb, place, ploc, nv, loc);
}

struct dval dsl_p_the(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_the(struct fb *fb, lv form, struct srcloc loc, int want)
{
	struct dtype t;
	struct dval v = lower(fb, lisp_caddr(form), form_nth_loc(fb, form, 2, loc), want);
	if (dsl_scalar_type(lisp_cadr(form), &t) && !dv_is_ptr(v))
		return dv_convert(fb, v, t, loc, "the");
	return v;
}

struct dval dsl_p_declare(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_declare(struct fb *fb, lv form, struct srcloc loc, int want)
{
	return fb_error(fb, loc, "declare is only allowed at the start of a let body");
}

struct dval dsl_p_progn(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_progn(struct fb *fb, lv form, struct srcloc loc, int want)
{
	return lower_body(fb, lisp_cdr(form), loc, want);
}

/* ---- primitive table ------------------------------------------------------------------ */

#define PRIM(name, fn) struct dval fn(struct fb *fb, lv form, struct srcloc loc, int want);
#include "frontend/lisp/dsl_prims.def"
#undef PRIM

static const struct {
	const char *name;
	dsl_prim_fn fn;
} prims[] = {
#define PRIM(name, fn) { name, fn },
#include "frontend/lisp/dsl_prims.def"
#undef PRIM
};

void dsl_prims_register(struct dsl *d)
{
	for (size_t i = 0; i < ARRAY_LEN(prims); i++)
		hmap_put(&d->prims, prims[i].name, strlen(prims[i].name), (uintptr_t)i);
}

dsl_prim_fn dsl_prim_lookup(struct dsl *d, lv sym)
{
	uintptr_t i;
	if (!lisp_symbolp(sym) || sym == LISP_NIL || lisp_keywordp(sym))
		return NULL;
	if (!hmap_gets(&d->prims, lisp_symbol_name(sym), &i))
		return NULL;
	return prims[i].fn;
}
