/* The DSL's top level: the compiler object and its prelude, program types,
 * names and diagnostics, and the per-form processing (DSL definitions are
 * recorded, everything else is compile-time Lisp). */
#include "frontend/lisp/dsl_internal.h"
#include "btf/btf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The DSL prelude (protocol headers, packet and ring-buffer macros), embedded
 * by the assembler like the Lisp prelude. */
__asm__(".section .rodata\n"
	".global dsl_prelude_text\n"
	"dsl_prelude_text:\n"
	".incbin \"" WHISTLER_SOURCE_DIR "/frontend/lisp/dsl_prelude.lisp\"\n"
	".byte 0\n"
	".previous\n");
extern const char dsl_prelude_text[];

/* ---- program types ------------------------------------------------------------ */

#if defined(__aarch64__)
#define PT_REGS "pt_regs_arm64"
#else
#define PT_REGS "pt_regs_x86"
#endif

static const struct dsl_ptype ptypes[] = {
#define PTYPE(kw, pt, ctx, sec, pre, ex, pass) { kw, IR_PROG_##pt, ctx, sec, pre, ex, pass },
#include "frontend/lisp/dsl_progtypes.def"
#undef PTYPE
};

const struct dsl_ptype *dsl_ptype_table(size_t *n)
{
	*n = ARRAY_LEN(ptypes);
	return ptypes;
}

const struct dsl_ptype *dsl_ptype_lookup(const char *keyword)
{
	for (size_t i = 0; i < ARRAY_LEN(ptypes); i++)
		if (!strcasecmp(ptypes[i].keyword, keyword))
			return &ptypes[i];
	return NULL;
}

bool dsl_section_agrees(const struct dsl_ptype *pt, const char *section)
{
	const char *p = pt->prefixes;
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (p[n - 1] == '/' ? !strncmp(section, p, n)
				    : (strlen(section) == n && !strncmp(section, p, n)))
			return true;
		p += n;
		while (*p == ' ')
			p++;
	}
	return false;
}

const struct dsl_ptype *dsl_ptype_by_section(const char *section)
{
	for (size_t i = 0; i < ARRAY_LEN(ptypes); i++)
		if (dsl_section_agrees(&ptypes[i], section))
			return &ptypes[i];
	return NULL;
}

/* ---- names, roots, diagnostics ----------------------------------------------- */

void dsl_root(struct dsl *d, lv v)
{
	if (lisp_heapp(v))
		d->roots = lisp_cons(d->ctx, v, d->roots);
}

const char *dsl_lisp_name(struct dsl *d, lv sym)
{
	const char *s = lisp_symbol_name(sym);
	char *out = arena_strdup(&d->arena, s);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

const char *dsl_c_name(struct dsl *d, const char *lisp_name)
{
	char *out = arena_strdup(&d->arena, lisp_name);
	for (char *p = out; *p; p++)
		if (!isalnum((unsigned char)*p))
			*p = '_';
	if (isdigit((unsigned char)out[0]))
		out = arena_printf(&d->arena, "_%s", out);
	return out;
}

void dsl_name_define(struct dsl *d, lv sym, int kind, uint32_t idx)
{
	lv *key = arena_new(&d->arena, lv);
	*key = sym;
	dsl_root(d, sym);
	hmap_put(&d->names, (const char *)key, sizeof(lv), (uintptr_t)kind << 24 | idx);
}

int dsl_name_lookup(struct dsl *d, lv sym, uint32_t *idx)
{
	uintptr_t v;
	if (!lisp_symbolp(sym) || !hmap_get(&d->names, (const char *)&sym, sizeof(lv), &v))
		return 0;
	*idx = (uint32_t)(v & 0xffffff);
	return (int)(v >> 24);
}

void dsl_error(struct dsl *d, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vreport(d->diag, DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
	d->errors++;
}

void dsl_hint(struct dsl *d, const char *fmt, ...)
{
	if (d->diag->limit_reached)
		return;
	va_list ap;
	va_start(ap, fmt);
	diag_vreport(d->diag, DIAG_HINT, (struct srcloc){ 0 }, fmt, ap);
	va_end(ap);
}

void dsl_suggest(struct dsl *d, const char *name, const char *const *cands, size_t n,
		 const char *what)
{
	const char *best = diag_suggest(name, cands, n);
	struct buf b = { 0 };
	if (best)
		buf_printf(&b, "did you mean '%s'? ", best);
	if (n && what) {
		buf_printf(&b, "%s: ", what);
		size_t shown = 0;
		for (size_t i = 0; i < n && shown < 12; i++, shown++)
			buf_printf(&b, "%s%s", i ? ", " : "", cands[i]);
		if (n > shown)
			buf_printf(&b, ", ... (%zu more)", n - shown);
	} else if (what && !n) {
		buf_printf(&b, "%s: none", what);
	}
	if (b.len)
		dsl_hint(d, "%s", buf_cstr(&b));
	buf_free(&b);
}

const char *dsl_text(struct dsl *d, lv form)
{
	char *s = lisp_print_to_cstring(d->ctx, form, true);
	char *out = arena_strdup(&d->arena, s);
	free(s);
	bool in_string = false;
	for (char *p = out; *p; p++) {
		if (*p == '"' && (p == out || p[-1] != '\\'))
			in_string = !in_string;
		else if (!in_string)
			*p = (char)tolower((unsigned char)*p);
	}
	return out;
}

struct srcloc dsl_loc(struct dsl *d, lv form)
{
	return lisp_form_loc(d->ctx, form);
}

bool sym_is(lv v, const char *name)
{
	return lisp_symbolp(v) && v != LISP_NIL && !strcmp(lisp_symbol_name(v), name);
}

/* ---- processing top-level forms ------------------------------------------------ */

static void record_constant(struct dsl *d, lv name)
{
	lv v = lisp_symbol_value(d->ctx, name);
	int64_t x;
	if (!v || !lisp_int_to_i64(v, &x))
		return;
	vec_foreach (&d->consts, c)
		if (c->sym == name) {
			c->c.value = x;
			return;
		}
	struct dsl_constdef c = { .sym = name, .c = { dsl_lisp_name(d, name), x } };
	dsl_root(d, name);
	vec_push(&d->consts, c);
}

static int toplevel(struct dsl *d, lv form, int depth)
{
	lv head = lisp_car(form);
	if (lisp_consp(form) && lisp_symbolp(head) && depth < 64) {
		if (sym_is(head, "PROGN") || sym_is(head, "EVAL-WHEN")) {
			int rc = 0;
			lv body = sym_is(head, "PROGN") ? lisp_cdr(form) : lisp_cddr(form);
			for (lv l = body; lisp_consp(l); l = lisp_cdr(l))
				rc |= toplevel(d, lisp_car(l), depth + 1);
			return rc;
		}
		if (!lisp_special_formp(d->ctx, head) && lisp_macrop(d->ctx, head, LISP_NIL)) {
			lv exp;
			bool expanded;
			if (lisp_macroexpand_1(d->ctx, form, LISP_NIL, &exp, &expanded))
				return -1;
			if (expanded)
				return toplevel(d, exp, depth + 1);
		}
	}
	unsigned before = d->diag->errors;
	int rc = lisp_eval(d->ctx, form, NULL);
	if (!rc && lisp_consp(form) && sym_is(head, "DEFCONSTANT") && !d->in_prelude)
		record_constant(d, lisp_cadr(form));
	return rc || d->diag->errors != before ? -1 : 0;
}

int dsl_toplevel(struct dsl *d, lv form)
{
	return toplevel(d, form, 0);
}

unsigned dsl_load(struct dsl *d, uint32_t file)
{
	unsigned before = d->diag->errors;
	struct lisp_reader r;
	lisp_reader_init(&r, d->ctx, file);
	for (;;) {
		lv form;
		int rc = lisp_read(&r, &form);
		if (rc <= 0)
			break;
		dsl_toplevel(d, form);
		if (d->diag->limit_reached)
			break;
	}
	return d->diag->errors - before;
}

unsigned dsl_errors(const struct dsl *d)
{
	return d->diag->errors;
}

/* ---- the object ------------------------------------------------------------------ */

struct dsl *dsl_new(struct lisp_ctx *ctx, const struct dsl_options *opts)
{
	struct dsl *d = xcalloc(1, sizeof(*d));
	d->ctx = ctx;
	d->diag = lisp_diag(ctx);
	if (opts)
		d->opts = *opts;
	d->roots = LISP_NIL;
	lisp_gc_protect(ctx, &d->roots);
	lisp_add_feature(ctx, "whistler-dsl");
	dsl_defs_register(d);
	dsl_types_register(d);
	dsl_kernel_register(d);
	dsl_prims_register(d);
	d->in_prelude = true;
	unsigned before = d->diag->errors;
	if (lisp_load_string(ctx, "<dsl prelude>", dsl_prelude_text, NULL, NULL) ||
	    d->diag->errors != before)
		W_ICE("the DSL prelude does not load");
	d->in_prelude = false;
	return d;
}

struct lisp_ctx *dsl_lisp(struct dsl *d)
{
	return d->ctx;
}

void dsl_free(struct dsl *d)
{
	if (!d)
		return;
	lisp_gc_unprotect(d->ctx, &d->roots);
	hmap_free(&d->acc);
	hmap_free(&d->names);
	hmap_free(&d->prims);
	vec_free(&d->maps);
	vec_free(&d->fns);
	vec_free(&d->globals);
	vec_free(&d->kfuncs);
	vec_free(&d->structs);
	vec_free(&d->kfields);
	vec_free(&d->consts);
	vec_free(&d->tps);
	wbtf_free(d->vmlinux);
	arena_free(&d->arena);
	free(d);
}

size_t dsl_struct_count(const struct dsl *d)
{
	return d->structs.len;
}

const struct dsl_struct *dsl_struct_at(const struct dsl *d, size_t i)
{
	return i < d->structs.len ? &d->structs.data[i] : NULL;
}

size_t dsl_const_count(const struct dsl *d)
{
	return d->consts.len;
}

const struct dsl_const *dsl_const_at(const struct dsl *d, size_t i)
{
	return i < d->consts.len ? &d->consts.data[i].c : NULL;
}
