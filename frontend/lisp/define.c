/* The defining special forms: DEFUN, DEFMACRO, DEFVAR, DEFPARAMETER,
 * DEFCONSTANT, DEFINE-SYMBOL-MACRO, DEFINE-CONDITION, and the package forms
 * that one user package makes (almost) no-ops. */
#include "frontend/lisp/internal.h"

#include <string.h>

#define SPECIAL(name) static lv name(struct lisp_ctx *ctx, lv form, lv env, void *data)

static lv arg(lv form, int n)
{
	return lisp_car(lisp_nthcdr_raw(form, (size_t)n));
}

static lv args_from(lv form, int n)
{
	return lisp_nthcdr_raw(form, (size_t)n);
}

static void need(struct lisp_ctx *ctx, lv form, size_t min, size_t max)
{
	size_t n = lisp_list_length(form) - 1;
	if (n < min || n > max)
		lisp_error_at(ctx, form, "%s: %s arguments (%zu)", lisp_symbol_name(lisp_car(form)),
			      n < min ? "too few" : "too many", n);
}

SPECIAL(sf_defun)
{
	lv name = arg(form, 1);
	bool setf_name =
		lisp_consp(name) && lisp_car(name) == ctx->s.setf && lisp_symbolp(lisp_cadr(name));
	if (!setf_name)
		lisp_check_def_name(ctx, form, name);
	lv fn = lisp_make_closure(
		ctx, name, arg(form, 2),
		lisp_block_body(ctx, lisp_block_name(name), args_from(form, 3), lisp_loc(form)),
		env);
	if (setf_name) {
		struct lisp_symbol *s = lisp_sym(ctx, lisp_cadr(name));
		s->setf = fn;
		s->h.flags = (uint16_t)((s->h.flags & ~SYM_SETF_UPDATER) | SYM_SETF_FUNCTION);
		lisp_mx_cache_clear(ctx);
	} else {
		lisp_sym(ctx, name)->function = fn;
	}
	return name;
}

SPECIAL(sf_defmacro)
{
	lv name = lisp_check_def_name(ctx, form, arg(form, 1));
	lv fn = lisp_make_closure(ctx, name, arg(form, 2),
				  lisp_block_body(ctx, name, args_from(form, 3), lisp_loc(form)),
				  env);
	fn->flags |= FN_MACRO;
	lisp_sym(ctx, name)->function = fn;
	lisp_mx_cache_clear(ctx);
	return name;
}

static lv defvar(struct lisp_ctx *ctx, lv form, lv env, bool always)
{
	lv name = lisp_check_def_name(ctx, form, arg(form, 1));
	if (name->flags & SYM_CONSTANT)
		lisp_error_at(ctx, form, "%s is a constant", lisp_symbol_name(name));
	struct lisp_symbol *s = lisp_sym(ctx, name);
	s->h.flags |= SYM_SPECIAL;
	if (lisp_consp(args_from(form, 2)) && (always || !s->value))
		s->value = lisp_eval_in(ctx, arg(form, 2), env);
	return name;
}

SPECIAL(sf_defvar)
{
	return defvar(ctx, form, env, false);
}

SPECIAL(sf_defparameter)
{
	need(ctx, form, 2, 3);
	return defvar(ctx, form, env, true);
}

SPECIAL(sf_defconstant)
{
	need(ctx, form, 2, 3);
	lv name = lisp_check_def_name(ctx, form, arg(form, 1));
	if (name == ctx->t || lisp_keywordp(name))
		lisp_error_at(ctx, form, "DEFCONSTANT: cannot redefine %s", lisp_symbol_name(name));
	lv v = lisp_eval_in(ctx, arg(form, 2), env);
	struct lisp_symbol *s = lisp_sym(ctx, name);
	s->value = v;
	s->h.flags |= SYM_CONSTANT;
	return name;
}

SPECIAL(sf_define_symbol_macro)
{
	lv name = lisp_check_def_name(ctx, form, arg(form, 1));
	lv pl = lisp_sym(ctx, name)->plist;
	lisp_sym(ctx, name)->plist =
		lisp_cons(ctx, ctx->s.s_symbol_macro, lisp_cons(ctx, arg(form, 2), pl));
	return name;
}

/* (in-package x), (defpackage x ...): one user package, see lisp.h */
SPECIAL(sf_in_package)
{
	return ctx->user_pkg;
}

SPECIAL(sf_defpackage)
{
	lv name = arg(form, 1);
	if (lisp_symbolp(name) || lisp_stringp(name)) {
		lv s = lisp_string_designator(ctx, name);
		if (!lisp_find_package(ctx, lisp_str(s), STR(s)->len))
			lisp_package_alias(ctx, NULL, lisp_str(s));
	}
	return ctx->user_pkg;
}

SPECIAL(sf_declaim)
{
	/* (declaim (special x ...)) matters; other declamations do not */
	for (lv l = lisp_cdr(form); lisp_consp(l); l = lisp_cdr(l)) {
		lv d = lisp_car(l);
		if (lisp_consp(d) && lisp_car(d) == ctx->s.special)
			for (lv v = lisp_cdr(d); lisp_consp(v); v = lisp_cdr(v))
				if (lisp_is(lisp_car(v), LISP_SYMBOL))
					lisp_car(v)->flags |= SYM_SPECIAL;
	}
	return LISP_NIL;
}

/* (define-condition name (parents) (slots) options...) */
SPECIAL(sf_define_condition)
{
	lv name = lisp_check_def_name(ctx, form, arg(form, 1));
	lv parents = arg(form, 2);
	if (parents == LISP_NIL)
		parents = lisp_list(ctx, 1, ctx->s.condition);
	for (lv p = parents; lisp_consp(p); p = lisp_cdr(p))
		if (!lisp_condition_type_p(ctx, lisp_car(p)))
			lisp_error_at(ctx, form, "DEFINE-CONDITION: %s is not a condition type",
				      lisp_symbolp(lisp_car(p)) ? lisp_symbol_name(lisp_car(p))
								: "the parent");
	lv slots = LISP_NIL;
	for (lv l = arg(form, 3); lisp_consp(l); l = lisp_cdr(l)) {
		lv spec = lisp_car(l);
		lv sname = lisp_consp(spec) ? lisp_car(spec) : spec;
		lv opts = lisp_consp(spec) ? lisp_cdr(spec) : LISP_NIL;
		if (!lisp_is(sname, LISP_SYMBOL))
			lisp_error_at(ctx, form, "DEFINE-CONDITION: a slot name must be a symbol");
		lv key = lisp_plist_get(opts, lisp_intern(ctx, ":initarg"), NULL);
		if (!key)
			key = lisp_intern_in(ctx, ctx->keyword_pkg, lisp_symbol_name(sname),
					     strlen(lisp_symbol_name(sname)));
		lv initform = lisp_plist_get(opts, lisp_intern(ctx, ":initform"), NULL);
		slots = lisp_cons(
			ctx,
			lisp_list(ctx, 2, key, initform ? lisp_list(ctx, 1, initform) : LISP_NIL),
			slots);
		for (lv o = opts; lisp_consp(o) && lisp_consp(lisp_cdr(o)); o = lisp_cddr(o)) {
			const char *on = lisp_symbol_name(lisp_car(o));
			if (strcmp(on, "READER") && strcmp(on, "ACCESSOR"))
				continue;
			lv reader = lisp_cadr(o);
			if (!lisp_symbolp(reader))
				continue;
			/* keywords are never collected, so the key can be the C data */
			lisp_sym(ctx, reader)->function =
				lisp_make_builtin(ctx, reader, 1, 1, lisp_condition_slot_fn, key);
		}
	}
	struct lisp_symbol *s = lisp_sym(ctx, name);
	lv report = NULL;
	for (lv l = args_from(form, 4); lisp_consp(l); l = lisp_cdr(l)) {
		lv opt = lisp_car(l);
		if (lisp_consp(opt) && lisp_keywordp(lisp_car(opt)) &&
		    !strcmp(lisp_symbol_name(lisp_car(opt)), "REPORT")) {
			lv r = lisp_cadr(opt);
			report = lisp_stringp(r)
					 ? r
					 : lisp_eval_in(ctx, lisp_list(ctx, 2, ctx->s.function, r),
							env);
		}
	}
	lv pl = lisp_cons(ctx, ctx->s.s_condition_parents, lisp_cons(ctx, parents, LISP_NIL));
	pl = lisp_cons(ctx, ctx->s.s_condition_slots, lisp_cons(ctx, lisp_nreverse(slots), pl));
	if (report)
		pl = lisp_cons(ctx, ctx->s.s_condition_report, lisp_cons(ctx, report, pl));
	s->plist = pl;
	return name;
}

static const struct {
	const char *name;
	lisp_special_fn fn;
} defs[] = {
	{ "defun", sf_defun },
	{ "defmacro", sf_defmacro },
	{ "defvar", sf_defvar },
	{ "defparameter", sf_defparameter },
	{ "defconstant", sf_defconstant },
	{ "define-symbol-macro", sf_define_symbol_macro },
	{ "in-package", sf_in_package },
	{ "defpackage", sf_defpackage },
	{ "declaim", sf_declaim },
	{ "define-condition", sf_define_condition },
};

void lisp_init_definitions(struct lisp_ctx *ctx)
{
	for (size_t i = 0; i < ARRAY_LEN(defs); i++)
		lisp_defspecial(ctx, defs[i].name, defs[i].fn, NULL);
}
