/* Building the IR module from the DSL's definitions: maps, globals, kernel
 * externs and struct types, then every subprogram and program body lowered
 * and checked (stack use with a breakdown, then the IR verifier, whose
 * findings are reported in the DSL's terms at the Lisp form's location). */
#include "frontend/lisp/dsl_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static uint32_t bytes_type(struct dsl *d, uint32_t size, uint32_t sid)
{
	if (sid)
		return dsl_struct_irtype(d, sid - 1);
	return size ? ir_type_bytes(d->m, size) : 0;
}

static uint32_t fwd_struct(struct dsl *d, const char *name)
{
	char *label = arena_printf(&d->m->arena, "fwd.%s", name);
	uint32_t t = ir_type_lookup(d->m, label);
	if (t != UINT32_MAX)
		return t;
	struct ir_type ty = { .kind = IRT_FWD, .label = label, .name = name };
	return ir_type_add(d->m, &ty);
}

static uint32_t kfunc_type(struct dsl *d, struct dtype t, const char *sname)
{
	if (t.kind == DT_PTR)
		return ir_type_ptr(d->m, sname ? fwd_struct(d, sname) : IRT_T_VOID);
	return dsl_int_irtype(t.size, t.sign);
}

static void add_maps(struct dsl *d)
{
	struct ir_module *m = d->m;
	for (uint32_t i = 0; i < d->maps.len; i++) {
		struct dsl_map *dm = &d->maps.data[i];
		dm->irsym = ir_sym_add(m, IR_SYM_MAP, dm->cname);
		if (!dm->irsym)
			dsl_error(d, dm->loc, "map '%s': the name %s is already taken", dm->name,
				  dm->cname);
	}
	for (uint32_t i = 0; i < d->maps.len; i++) {
		struct dsl_map *dm = &d->maps.data[i];
		if (!dm->irsym)
			continue;
		struct ir_map *mp = &ir_sym(m, dm->irsym)->map;
		mp->type = dm->type;
		mp->key = bytes_type(d, dm->key_size, dm->key_sid);
		mp->value = bytes_type(d, dm->value_size, dm->value_sid);
		mp->max_entries = dm->max_entries;
		mp->flags = dm->flags;
		mp->is_template = dm->is_template;
		mp->pinning = dm->pin ? IR_PIN_BY_NAME : IR_PIN_NONE;
		if (dm->inner)
			mp->inner = d->maps.data[dm->inner - 1].irsym;
	}
}

static void add_globals(struct dsl *d)
{
	struct ir_module *m = d->m;
	static const char *const secs[] = { ".bss", ".data", ".rodata" };
	for (uint32_t i = 0; i < d->globals.len; i++) {
		struct dsl_global *g = &d->globals.data[i];
		g->irsym = ir_sym_add(m, IR_SYM_GLOBAL, g->cname);
		if (!g->irsym) {
			dsl_error(d, g->loc, "global '%s': the name %s is already taken", g->name,
				  g->cname);
			continue;
		}
		struct ir_global *ig = &ir_sym(m, g->irsym)->global;
		uint32_t t = g->sid ? dsl_struct_irtype(d, g->sid - 1)
				    : dsl_int_irtype(g->t.size, g->t.sign);
		if (g->count)
			t = ir_type_array(m, t, g->count);
		if (g->section == GLOBAL_RODATA)
			t = ir_type_qual(m, IRT_CONST, ir_type_qual(m, IRT_VOLATILE, t));
		ig->type = t;
		ig->section = secs[g->section];
		ig->linkage = IR_GLOBAL;
		if (g->init) {
			ig->init = arena_memdup(&m->arena, g->init, g->size);
			ig->ninit = g->size;
		}
	}
}

/* Kernel functions and symbols become externs when first used, so an object
 * only asks the loader for what it needs. */
uint32_t dsl_extern_sym(struct dsl *d, uint32_t idx)
{
	struct ir_module *m = d->m;
	struct dsl_kfunc *k = &d->kfuncs.data[idx];
	if (k->irsym)
		return k->irsym;
	uint32_t s = ir_sym_add(m, IR_SYM_EXTERN, k->kname);
	if (!s) {
		dsl_error(d, k->loc, "'%s': the name %s is already taken", k->name, k->kname);
		return 0;
	}
	k->irsym = s;
	struct ir_extern *e = &ir_sym(m, s)->ext;
	if (k->is_ksym) {
		e->kind = IR_EXT_KSYM;
		e->type = k->nparams ? kfunc_type(d, k->params[0], k->param_struct[0]) : IRT_T_VOID;
		return s;
	}
	e->kind = IR_EXT_KFUNC;
	struct ir_type p = { .kind = IRT_PROTO,
			     .label = arena_printf(&m->arena, "kf.%s", k->kname) };
	p.base = k->ret_void ? IRT_T_VOID : kfunc_type(d, k->ret, k->ret_struct);
	p.members = arena_newn(&m->arena, struct ir_member, k->nparams ? k->nparams : 1);
	for (unsigned j = 0; j < k->nparams; j++) {
		p.members[j].name = arena_printf(&m->arena, "a%u", j);
		p.members[j].type = kfunc_type(d, k->params[j], k->param_struct[j]);
	}
	p.nmembers = k->nparams;
	e->type = ir_type_add(m, &p);
	return s;
}

/* ---- stack use --------------------------------------------------------------------- */

static bool check_stack(struct dsl *d, struct fb *fb, struct dsl_fn *fn)
{
	uint64_t total = 0;
	vec_foreach (&fb->allocas, a)
		total += ALIGN_UP(a->size, 8);
	if (total <= 512)
		return true;
	dsl_error(d, fn->loc, "%s '%s' needs %llu bytes of stack; BPF allows 512",
		  fn->kind == FN_PROG ? "program" : "function", fn->name,
		  (unsigned long long)total);
	vec_foreach (&fb->allocas, a)
		diag_note(d->diag, a->loc, "%u bytes: %s", ALIGN_UP(a->size, 8), a->what);
	dsl_hint(
		d,
		"move big buffers to a per-CPU array map (one entry, look it up once) and use its value");
	return false;
}

/* ---- IR verifier findings in DSL terms ----------------------------------------------- */

/* "%data_end.2" -> 'data-end'; "map_lookup_elem" -> map-lookup-elem; "$x" -> 'x' */
static void dslify(const char *in, struct buf *out)
{
	for (const char *p = in; *p;) {
		if (*p == '%' && isdigit((unsigned char)p[1])) {
			/* an unnamed temporary: no name worth showing */
			p++;
			while (isalnum((unsigned char)*p) || *p == '.')
				p++;
			buf_puts(out, "a computed value");
			continue;
		}
		if (*p == '%' || *p == '$') {
			p++;
			buf_putc(out, '\'');
			while (isalnum((unsigned char)*p) || *p == '_' ||
			       (*p == '.' && isalnum((unsigned char)p[1]))) {
				if (*p == '.') {
					while (isalnum((unsigned char)p[1]))
						p++;
					p++;
					continue;
				}
				buf_putc(out, *p == '_' ? '-' : *p);
				p++;
			}
			buf_putc(out, '\'');
			continue;
		}
		if (isalpha((unsigned char)*p)) {
			const char *b = p;
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			size_t n = (size_t)(p - b);
			bool helper = ir_helper_by_name(b, n) != NULL && memchr(b, '_', n);
			for (size_t i = 0; i < n; i++)
				buf_putc(out, helper && b[i] == '_' ? '-' : b[i]);
			continue;
		}
		buf_putc(out, *p++);
	}
}

static const struct {
	const char *pattern; /* substring of the IR verifier's message */
	const char *hint;
} vfy_hints[] = {
	{ "which may be NULL",
	  "check it first: (when-let ((p (map-lookup m k))) ...), (if p ...) or (when p ...)" },
	{ "not covered by a bounds check",
	  "check the packet first: (when (> (+ data N) data-end) (return XDP_PASS)), or use with-packet, "
	  "with-ipv4, with-tcp or a parse-* form in when-let" },
	{ "before the start of the packet", "packet offsets count from data, upwards" },
	{ "cannot be used on",
	  "each helper takes its own kind of map (ring buffers for ringbuf-*, "
	  "perf event arrays for perf-event-output, stack traces for get-stackid)" },
	{ "misaligned atomic", "atomics need offsets that are multiples of their size" },
	{ "is out of range for", "shifts must be smaller than the value's width" },
	{ "outside", "the access goes past the end of the object" },
	{ "context", "read the context with (ctx FIELD) or (ctx-load TYPE OFFSET)" },
};

static void report_vfy(struct dsl *d, const char *text)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *ln = xstrndup(line, len);
		line = end ? end + 1 : NULL;
		char *e = strstr(ln, ": error: ");
		if (!e) {
			free(ln);
			continue; /* IR hints and notes: replaced by ours */
		}
		*e = 0;
		const char *msg = e + 9;
		struct srcloc loc = { 0 };
		/* path:line:col */
		char *c2 = strrchr(ln, ':');
		if (c2) {
			*c2 = 0;
			char *c1 = strrchr(ln, ':');
			if (c1) {
				*c1 = 0;
				loc.line = (uint32_t)atoi(c1 + 1);
				loc.col = (uint32_t)atoi(c2 + 1);
				loc.file = srcmgr_load(d->diag->sm, ln);
			}
		}
		struct buf b = { 0 };
		dslify(msg, &b);
		dsl_error(d, loc, "%s", buf_cstr(&b));
		for (size_t i = 0; i < ARRAY_LEN(vfy_hints); i++)
			if (strstr(msg, vfy_hints[i].pattern)) {
				dsl_hint(d, "%s", vfy_hints[i].hint);
				break;
			}
		buf_free(&b);
		free(ln);
	}
}

static unsigned verify(struct dsl *d, struct ir_func *f)
{
	struct buf cap = { 0 };
	struct diag vd;
	diag_init(&vd, d->diag->sm);
	vd.capture = &cap;
	vd.no_caret = true;
	vd.error_limit = 0;
	unsigned n = ir_verify_func(f, &vd);
	if (n)
		report_vfy(d, buf_cstr(&cap));
	buf_free(&cap);
	return n;
}

/* ---- functions --------------------------------------------------------------------- */

static struct ir_func *declare_fn(struct dsl *d, struct dsl_fn *fn)
{
	struct ir_func *f = ir_func_new(d->m, fn->cname, fn->kind == FN_PROG);
	if (!f) {
		dsl_error(d, fn->loc,
			  "'%s': the name %s is already taken by a map, global or function",
			  fn->name, fn->cname);
		return NULL;
	}
	fn->irsym = f->sym;
	if (fn->kind == FN_PROG) {
		f->progtype = fn->ptype->progtype;
		f->section = arena_strdup(&d->m->arena, fn->section);
		f->ret = VT_I32;
		f->linkage = IR_GLOBAL;
		vec_push(&f->params, ir_tmp_new(f, "ctx", VT_PTR(CTX)));
	} else {
		f->linkage = IR_STATIC;
		f->ret = VT_I64;
		for (unsigned i = 0; i < fn->nparams; i++) {
			const char *pn = dsl_c_name(d, dsl_lisp_name(d, fn->params[i].sym));
			vec_push(&f->params, ir_tmp_new(f, pn, dt_vt(fn->params[i].t)));
		}
	}
	return f;
}

struct ir_func *build_function(struct dsl *d, struct dsl_fn *fn)
{
	struct ir_func *f = ir_sym(d->m, fn->irsym)->fn;
	struct fb fb;
	fb_init(&fb, d, f);
	fb.fn = fn;
	fb.loc = fn->loc;
	if (fn->kind == FN_PROG) {
		fb.ptype = fn->ptype;
		fb.ctx = ir_tmp_ref(f->params.data[0]);
	} else {
		fb_scope_push(&fb);
		for (unsigned i = 0; i < fn->nparams; i++) {
			uint32_t v = fb_var_new(&fb, fn->params[i].sym, fn->params[i].t);
			fb_var_write(&fb, v,
				     dv_tmp(ir_tmp_ref(f->params.data[i]), fn->params[i].t));
		}
	}
	struct dval v = lower_body(&fb, fn->body, fn->loc, WANT_VALUE);
	if (fb.cur != FB_NONE) {
		ir_ref r;
		if (v.poison || v.t.kind == DT_VOID)
			v = dv_const(0);
		if (dv_is_ptr(v)) {
			fb_error(&fb, fb.loc,
				 "%s '%s' ends with a pointer; it must return an integer",
				 fn->kind == FN_PROG ? "program" : "function", fn->name);
			v = dv_const(0);
		}
		if (fn->kind == FN_PROG && v.is_const &&
		    (v.cval < INT32_MIN || v.cval > (int64_t)UINT32_MAX)) {
			fb_error(&fb, fb.loc,
				 "program '%s' returns %lld, which does not fit in 32 bits",
				 fn->name, (long long)v.cval);
			v = dv_const(0);
		}
		r = dv_op(&fb, v, fn->kind == FN_PROG ? IR_I32 : IR_I64);
		fb_term(&fb, IR_RET, &r, 1, FB_NONE, FB_NONE);
	}
	fb_finish(&fb);
	bool ok = !fb.errors;
	if (ok)
		ok = check_stack(d, &fb, fn);
	fb_free(&fb);
	fn->failed = !ok;
	return f;
}

struct ir_module *dsl_build(struct dsl *d, const char *only)
{
	unsigned before = d->diag->errors;
	struct ir_module *m = ir_module_new();
	m->cpu = (uint8_t)(d->opts.cpu ? d->opts.cpu : 3);
	m->diag = d->diag;
	d->m = m;
	d->struct_ir = xcalloc(d->structs.len + 1, sizeof(uint32_t));
	lisp_gc_inhibit(d->ctx, true);
	const char *license = NULL;
	for (uint32_t i = 0; i < d->fns.len; i++) {
		struct dsl_fn *fn = &d->fns.data[i];
		if (fn->kind != FN_PROG)
			continue;
		if (!license)
			license = fn->license;
		else if (strcmp(license, fn->license))
			dsl_error(
				d, fn->loc,
				"program '%s' has license \"%s\", another program \"%s\": one object has one license",
				fn->name, fn->license, license);
	}
	m->license = arena_strdup(&m->arena, license ? license : "GPL");
	add_maps(d);
	add_globals(d);
	vec_foreach (&d->kfuncs, k)
		k->irsym = 0;
	for (uint32_t i = 0; i < d->structs.len; i++)
		if (d->structs.data[i].user && d->structs.data[i].kind == DSL_STRUCT)
			dsl_struct_irtype(d, i);
	/* declare every function first: bodies call each other */
	for (uint32_t i = 0; i < d->fns.len; i++) {
		struct dsl_fn *fn = &d->fns.data[i];
		fn->irsym = 0;
		if (fn->kind == FN_PROG && only && strcmp(only, fn->name) &&
		    strcmp(only, fn->cname))
			continue;
		declare_fn(d, fn);
	}
	for (uint32_t i = 0; i < d->fns.len && !d->diag->limit_reached; i++) {
		struct dsl_fn *fn = &d->fns.data[i];
		if (!fn->irsym)
			continue;
		struct ir_func *f = build_function(d, fn);
		if (!fn->failed && d->diag->errors == before)
			verify(d, f);
	}
	/* callbacks made by loop-bounded */
	if (d->diag->errors == before)
		for (uint32_t s = 1; s < m->syms.len; s++) {
			struct ir_sym *sym = ir_sym(m, s);
			if (sym->kind != IR_SYM_FUNC || sym->fn->is_prog)
				continue;
			bool user = false;
			vec_foreach (&d->fns, fn)
				user |= fn->irsym == s;
			if (!user)
				verify(d, sym->fn);
		}
	lisp_gc_inhibit(d->ctx, false);
	free(d->struct_ir);
	d->struct_ir = NULL;
	d->m = NULL;
	if (d->diag->errors != before) {
		ir_module_free(m);
		return NULL;
	}
	return m;
}
