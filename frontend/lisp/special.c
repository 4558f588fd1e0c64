/* Special forms: binding (LET, FLET, MACROLET...), control (IF, BLOCK,
 * TAGBODY, CATCH, UNWIND-PROTECT, HANDLER-CASE...) and multiple values.  A
 * few CL macros that are hot in macro code (AND, OR, WHEN, UNLESS, COND) are
 * special forms here.  The defining forms are in define.c. */
#include "frontend/lisp/internal.h"

#include <stdlib.h>
#include <string.h>

#define SPECIAL(name) static lv name(struct lisp_ctx *ctx, lv form, lv env, void *data)

static lv arg(lv form, int n)
{
	for (int i = 0; i < n; i++)
		form = lisp_cdr(form);
	return lisp_car(form);
}

static lv args_from(lv form, int n)
{
	for (int i = 0; i < n; i++)
		form = lisp_cdr(form);
	return form;
}

static void need(struct lisp_ctx *ctx, lv form, size_t min, size_t max)
{
	size_t n = lisp_list_length(form) - 1;
	if (n < min || n > max)
		lisp_error_at(ctx, form, "%s: %s arguments (%zu)", lisp_symbol_name(lisp_car(form)),
			      n < min ? "too few" : "too many", n);
}

lv lisp_check_def_name(struct lisp_ctx *ctx, lv form, lv name)
{
	if (!lisp_symbolp(name) || name == LISP_NIL)
		lisp_error_at(ctx, form, "%s: the name must be a symbol",
			      lisp_symbol_name(lisp_car(form)));
	return name;
}

/* ---- basics ---- */

SPECIAL(sf_quote)
{
	need(ctx, form, 1, 1);
	return arg(form, 1);
}

static lv lambda_closure(struct lisp_ctx *ctx, lv lambda, lv name, lv env)
{
	lv body = lisp_body_skip_decls(ctx, lisp_cddr(lambda), true, NULL);
	return lisp_make_closure(ctx, name, lisp_cadr(lambda), body, env);
}

SPECIAL(sf_function)
{
	need(ctx, form, 1, 1);
	lv x = arg(form, 1);
	if (lisp_consp(x) && lisp_car(x) == ctx->s.lambda)
		return lambda_closure(ctx, x, LISP_NIL, env);
	if (lisp_symbolp(x)) {
		lv e = lisp_env_find(env, ENV_FUN, x);
		if (e && !lisp_env_find(env, ENV_MACRO, x))
			return ENV(e)->value;
	}
	return lisp_function_of(ctx, x);
}

SPECIAL(sf_lambda)
{
	return lambda_closure(ctx, form, LISP_NIL, env);
}

SPECIAL(sf_if)
{
	need(ctx, form, 2, 3);
	if (lisp_eval_in(ctx, arg(form, 1), env) != LISP_NIL)
		return lisp_eval_in(ctx, arg(form, 2), env);
	return lisp_eval_in(ctx, arg(form, 3), env);
}

SPECIAL(sf_progn)
{
	return lisp_eval_body(ctx, lisp_cdr(form), env);
}

SPECIAL(sf_setq)
{
	lv v = LISP_NIL;
	lv l = lisp_cdr(form);
	if (lisp_list_length(l) % 2)
		lisp_error_at(ctx, form, "SETQ needs pairs of variables and values");
	for (; lisp_consp(l); l = lisp_cddr(l)) {
		lv var = lisp_car(l);
		if (!lisp_symbolp(var))
			lisp_error_at(ctx, form, "SETQ: %s is not a variable", "the place");
		bool expanded;
		lv exp = lisp_macroexpand_1_in(ctx, var, env, &expanded);
		if (expanded && exp != var) {
			lv setf = lisp_list(ctx, 3, ctx->s.setf, exp, lisp_cadr(l));
			lisp_stamp_locations(ctx, setf, lisp_form_loc(ctx, form));
			v = lisp_eval_in(ctx, setf, env);
			continue;
		}
		v = lisp_eval_in(ctx, lisp_cadr(l), env);
		lisp_set_variable(ctx, var, v, env);
	}
	return v;
}

SPECIAL(sf_the)
{
	need(ctx, form, 2, 2);
	return lisp_eval_in(ctx, arg(form, 2), env);
}

SPECIAL(sf_locally)
{
	return lisp_eval_body(ctx, lisp_body_skip_decls(ctx, lisp_cdr(form), false, NULL), env);
}

SPECIAL(sf_declare)
{
	return LISP_NIL;
}

SPECIAL(sf_eval_when)
{
	return lisp_eval_body(ctx, args_from(form, 2), env);
}

SPECIAL(sf_load_time_value)
{
	return lisp_eval_in(ctx, arg(form, 1), LISP_NIL);
}

/* ---- conditionals ---- */

SPECIAL(sf_and)
{
	lv v = ctx->t;
	ctx->mv_n = 1;
	for (lv l = lisp_cdr(form); lisp_consp(l); l = lisp_cdr(l))
		if ((v = lisp_eval_in(ctx, lisp_car(l), env)) == LISP_NIL)
			return v;
	return v;
}

SPECIAL(sf_or)
{
	for (lv l = lisp_cdr(form); lisp_consp(l); l = lisp_cdr(l)) {
		lv v = lisp_eval_in(ctx, lisp_car(l), env);
		if (lisp_cdr(l) == LISP_NIL)
			return v;
		if (v != LISP_NIL) {
			ctx->mv_n = 1;
			return v;
		}
	}
	ctx->mv_n = 1;
	return LISP_NIL;
}

SPECIAL(sf_when)
{
	if (lisp_eval_in(ctx, arg(form, 1), env) == LISP_NIL) {
		ctx->mv_n = 1;
		return LISP_NIL;
	}
	return lisp_eval_body(ctx, args_from(form, 2), env);
}

SPECIAL(sf_unless)
{
	if (lisp_eval_in(ctx, arg(form, 1), env) != LISP_NIL) {
		ctx->mv_n = 1;
		return LISP_NIL;
	}
	return lisp_eval_body(ctx, args_from(form, 2), env);
}

SPECIAL(sf_cond)
{
	for (lv l = lisp_cdr(form); lisp_consp(l); l = lisp_cdr(l)) {
		lv clause = lisp_car(l);
		if (!lisp_consp(clause))
			lisp_error_at(ctx, form, "COND: a clause must be a list (test form...)");
		lv v = lisp_eval_in(ctx, lisp_car(clause), env);
		if (v == LISP_NIL)
			continue;
		if (lisp_cdr(clause) == LISP_NIL) {
			ctx->mv_n = 1;
			return v;
		}
		return lisp_eval_body(ctx, lisp_cdr(clause), env);
	}
	ctx->mv_n = 1;
	return LISP_NIL;
}

/* ---- bindings ---- */

static bool declared_special(lv specials, lv sym)
{
	for (; lisp_consp(specials); specials = lisp_cdr(specials))
		if (lisp_car(specials) == sym)
			return true;
	return false;
}

static lv bind(struct lisp_ctx *ctx, lv form, lv env, lv var, lv value, lv specials)
{
	if (!lisp_symbolp(var) || var == LISP_NIL || var == ctx->t || (var->flags & SYM_CONSTANT))
		lisp_error_at(ctx, form, "%s: cannot bind %s", lisp_symbol_name(lisp_car(form)),
			      lisp_symbolp(var) ? lisp_symbol_name(var) : "a non-symbol");
	if ((var->flags & SYM_SPECIAL) || declared_special(specials, var)) {
		lisp_bind_special(ctx, var, value);
		return env;
	}
	return lisp_env_push(ctx, ENV_VAR, var, value, env);
}

static void binding_parts(struct lisp_ctx *ctx, lv form, lv b, lv *var, lv *init)
{
	if (lisp_symbolp(b)) {
		*var = b;
		*init = LISP_NIL;
		return;
	}
	if (!lisp_consp(b) || lisp_list_length(b) > 2 || lisp_cddr(b) != LISP_NIL) {
		char *s = lisp_print_to_cstring(ctx, b, true);
		lv m = lisp_make_cstring(ctx, s);
		free(s);
		lisp_error_at(ctx, lisp_consp(b) ? b : form, "%s: malformed binding %s",
			      lisp_symbol_name(lisp_car(form)), lisp_str(m));
	}
	*var = lisp_car(b);
	*init = lisp_cadr(b);
}

static lv finish_body(struct lisp_ctx *ctx, lv body, lv env, uint32_t specials)
{
	lv v = lisp_eval_body(ctx, body, env);
	if (ctx->specials.len > specials) {
		lisp_save_values(ctx, v);
		lisp_unbind_specials(ctx, specials);
		v = lisp_restore_values(ctx);
	}
	return v;
}

SPECIAL(sf_let)
{
	lv bindings = arg(form, 1);
	if (!lisp_listp(bindings))
		lisp_error_at(ctx, form, "LET: the bindings must be a list");
	lv specials = LISP_NIL;
	lv body = lisp_body_skip_decls(ctx, args_from(form, 2), false, &specials);
	size_t n = lisp_list_length(bindings);
	lv vals = lisp_make_vector(ctx, n, LISP_NIL);
	size_t i = 0;
	for (lv l = bindings; lisp_consp(l) && i < n; l = lisp_cdr(l)) {
		lv var, init;
		binding_parts(ctx, form, lisp_car(l), &var, &init);
		lisp_vector_data(vals)[i++] = lisp_eval_in(ctx, init, env);
	}
	uint32_t depth = ctx->specials.len;
	lv env2 = env;
	i = 0;
	for (lv l = bindings; lisp_consp(l) && i < n; l = lisp_cdr(l)) {
		lv var, init;
		binding_parts(ctx, form, lisp_car(l), &var, &init);
		env2 = bind(ctx, form, env2, var, lisp_vector_data(vals)[i++], specials);
	}
	return finish_body(ctx, body, env2, depth);
}

SPECIAL(sf_letstar)
{
	lv bindings = arg(form, 1);
	if (!lisp_listp(bindings))
		lisp_error_at(ctx, form, "LET*: the bindings must be a list");
	lv specials = LISP_NIL;
	lv body = lisp_body_skip_decls(ctx, args_from(form, 2), false, &specials);
	uint32_t depth = ctx->specials.len;
	lv env2 = env;
	for (lv l = bindings; lisp_consp(l); l = lisp_cdr(l)) {
		lv var, init;
		lisp_tick(ctx);
		binding_parts(ctx, form, lisp_car(l), &var, &init);
		env2 = bind(ctx, form, env2, var, lisp_eval_in(ctx, init, env2), specials);
	}
	return finish_body(ctx, body, env2, depth);
}

lv lisp_block_body(struct lisp_ctx *ctx, lv name, lv body, struct srcloc loc)
{
	lv decls_end = lisp_body_skip_decls(ctx, body, true, NULL);
	lv block = lisp_cons_at(ctx, ctx->s.block, lisp_cons_at(ctx, name, decls_end, loc), loc);
	return lisp_cons_at(ctx, block, LISP_NIL, loc);
}

lv lisp_block_name(lv name)
{
	return lisp_consp(name) ? lisp_cadr(name) : name;
}

static lv local_function(struct lisp_ctx *ctx, lv form, lv def, lv env, bool macro)
{
	if (!lisp_consp(def) || !lisp_consp(lisp_cdr(def)) || !lisp_symbolp(lisp_car(def)))
		lisp_error_at(ctx, form, "%s: malformed definition",
			      lisp_symbol_name(lisp_car(form)));
	lv name = lisp_car(def);
	lv fn = lisp_make_closure(
		ctx, name, lisp_cadr(def),
		lisp_block_body(ctx, lisp_block_name(name), lisp_cddr(def), lisp_loc(def)), env);
	if (macro)
		fn->flags |= FN_MACRO;
	return fn;
}

SPECIAL(sf_flet)
{
	lv env2 = env;
	for (lv l = arg(form, 1); lisp_consp(l); l = lisp_cdr(l)) {
		lisp_tick(ctx);
		lv def = lisp_car(l);
		lv fn = local_function(ctx, form, def, env, false);
		env2 = lisp_env_push(ctx, ENV_FUN, lisp_car(def), fn, env2);
	}
	return lisp_eval_body(ctx, lisp_body_skip_decls(ctx, args_from(form, 2), false, NULL),
			      env2);
}

SPECIAL(sf_labels)
{
	lv env2 = env;
	for (lv l = arg(form, 1); lisp_consp(l); l = lisp_cdr(l)) {
		lisp_tick(ctx);
		lv def = lisp_car(l);
		if (!lisp_consp(def))
			lisp_error_at(ctx, form, "LABELS: malformed definition");
		env2 = lisp_env_push(ctx, ENV_FUN, lisp_car(def), LISP_NIL, env2);
	}
	lv e = env2;
	/* entries were pushed in order, so walk the definitions backwards */
	size_t n = lisp_list_length(arg(form, 1));
	for (size_t k = n; k-- > 0;) {
		lv def = arg(arg(form, 1), (int)k);
		ENV(e)->value = local_function(ctx, form, def, env2, false);
		e = ENV(e)->next;
	}
	return lisp_eval_body(ctx, lisp_body_skip_decls(ctx, args_from(form, 2), false, NULL),
			      env2);
}

SPECIAL(sf_macrolet)
{
	lv env2 = env;
	for (lv l = arg(form, 1); lisp_consp(l); l = lisp_cdr(l)) {
		lisp_tick(ctx);
		lv def = lisp_car(l);
		lv fn = local_function(ctx, form, def, env, true);
		env2 = lisp_env_push(ctx, ENV_MACRO, lisp_car(def), fn, env2);
	}
	return lisp_eval_body(ctx, lisp_body_skip_decls(ctx, args_from(form, 2), false, NULL),
			      env2);
}

SPECIAL(sf_symbol_macrolet)
{
	lv env2 = env;
	for (lv l = arg(form, 1); lisp_consp(l); l = lisp_cdr(l)) {
		lisp_tick(ctx);
		lv def = lisp_car(l);
		if (!lisp_consp(def) || !lisp_symbolp(lisp_car(def)))
			lisp_error_at(ctx, form, "SYMBOL-MACROLET: malformed definition");
		env2 = lisp_env_push(ctx, ENV_SYMMACRO, lisp_car(def), lisp_cadr(def), env2);
	}
	return lisp_eval_body(ctx, lisp_body_skip_decls(ctx, args_from(form, 2), false, NULL),
			      env2);
}

SPECIAL(sf_destructuring_bind)
{
	lv pattern = arg(form, 1);
	lv value = lisp_eval_in(ctx, arg(form, 2), env);
	uint32_t depth = ctx->specials.len;
	lv env2 = lisp_bind_lambda_list(ctx, pattern, env, 0, NULL, value, value, NULL,
					lisp_car(form));
	return finish_body(ctx, lisp_body_skip_decls(ctx, args_from(form, 3), false, NULL), env2,
			   depth);
}

/* ---- multiple values ---- */

SPECIAL(sf_multiple_value_bind)
{
	lv vars = arg(form, 1);
	lv v = lisp_eval_in(ctx, arg(form, 2), env);
	lv vals[LISP_MV_MAX];
	int n = lisp_collect_values(ctx, v, vals, LISP_MV_MAX);
	lv specials = LISP_NIL;
	lv body = lisp_body_skip_decls(ctx, args_from(form, 3), false, &specials);
	uint32_t depth = ctx->specials.len;
	lv env2 = env;
	int i = 0;
	for (lv l = vars; lisp_consp(l); l = lisp_cdr(l), i++, lisp_tick(ctx))
		env2 = bind(ctx, form, env2, lisp_car(l), i < n ? vals[i] : LISP_NIL, specials);
	return finish_body(ctx, body, env2, depth);
}

SPECIAL(sf_multiple_value_list)
{
	lv v = lisp_eval_in(ctx, arg(form, 1), env);
	lv vals[LISP_MV_MAX];
	int n = lisp_collect_values(ctx, v, vals, LISP_MV_MAX);
	return lisp_list_from(ctx, vals, (size_t)n, LISP_NIL);
}

SPECIAL(sf_multiple_value_call)
{
	lv fn = lisp_function_of(ctx, lisp_eval_in(ctx, arg(form, 1), env));
	lv all = lisp_make_vector(ctx, 0, LISP_NIL);
	for (lv l = args_from(form, 2); lisp_consp(l); l = lisp_cdr(l)) {
		lv v = lisp_eval_in(ctx, lisp_car(l), env);
		lv vals[LISP_MV_MAX];
		int n = lisp_collect_values(ctx, v, vals, LISP_MV_MAX);
		for (int i = 0; i < n; i++)
			lisp_vector_push(ctx, all, vals[i]);
	}
	return lisp_call(ctx, fn, (int)lisp_vector_length(all), lisp_vector_data(all));
}

SPECIAL(sf_multiple_value_prog1)
{
	lv v = lisp_eval_in(ctx, arg(form, 1), env);
	lv vals[LISP_MV_MAX];
	int n = lisp_collect_values(ctx, v, vals, LISP_MV_MAX);
	lisp_eval_body(ctx, args_from(form, 2), env);
	return lisp_values(ctx, n, vals);
}

SPECIAL(sf_nth_value)
{
	lv nv = lisp_eval_in(ctx, arg(form, 1), env);
	int64_t k = lisp_check_fixnum(ctx, nv, 0, LISP_FIXNUM_MAX);
	lv v = lisp_eval_in(ctx, arg(form, 2), env);
	lv vals[LISP_MV_MAX];
	int n = lisp_collect_values(ctx, v, vals, LISP_MV_MAX);
	return k < n ? vals[k] : LISP_NIL;
}

/* ---- non-local exits ---- */

static lv make_exit(struct lisp_ctx *ctx)
{
	struct lisp_exit *e = lisp_alloc(ctx, LISP_EXIT, sizeof(*e));
	return (lv)e;
}

SPECIAL(sf_block)
{
	lv name = arg(form, 1);
	if (!lisp_symbolp(name))
		lisp_error_at(ctx, form, "BLOCK: the name must be a symbol");
	lv ex = make_exit(ctx);
	/* values used after setjmp live in volatile copies (-Wclobbered) */
	lv volatile env2 = lisp_env_push(ctx, ENV_BLOCK, name, ex, env);
	lv volatile body = args_from(form, 2);
	struct lframe fr;
	lisp_frame_push(ctx, &fr, FR_BLOCK);
	fr.tag = ex;
	EXIT(ex)->frame = &fr;
	ex->flags = 1;
	if (setjmp(fr.jb) == 0) {
		lv v = lisp_eval_body(ctx, body, env2);
		lisp_frame_pop(ctx, &fr);
		fr.tag->flags = 0;
		return v;
	}
	lisp_frame_land(ctx, &fr);
	fr.tag->flags = 0;
	return lisp_restore_values(ctx);
}

static W_NORETURN void return_from(struct lisp_ctx *ctx, lv form, lv name, lv value_form, lv env)
{
	lv e = lisp_env_find(env, ENV_BLOCK, name);
	if (!e)
		lisp_error_at(ctx, form, "RETURN-FROM: no block named %s is visible",
			      lisp_symbol_name(name));
	lv v = lisp_eval_in(ctx, value_form, env);
	lv ex = ENV(e)->value;
	if (!(ex->flags & 1))
		lisp_error_type(ctx, ctx->s.control_error,
				"RETURN-FROM: the block %s has already been exited",
				lisp_symbol_name(name));
	lisp_save_values(ctx, v);
	lisp_unwind_to(ctx, EXIT(ex)->frame);
}

SPECIAL(sf_return_from)
{
	need(ctx, form, 1, 2);
	return_from(ctx, form, arg(form, 1), arg(form, 2), env);
}

SPECIAL(sf_return)
{
	need(ctx, form, 0, 1);
	return_from(ctx, form, LISP_NIL, arg(form, 1), env);
}

SPECIAL(sf_tagbody)
{
	lv body = lisp_cdr(form);
	lv ex = make_exit(ctx);
	lv e = env;
	for (lv l = body; lisp_consp(l); l = lisp_cdr(l)) {
		lv x = lisp_car(l);
		lisp_tick(ctx);
		if (lisp_symbolp(x) || lisp_integerp(x))
			e = lisp_env_push(ctx, ENV_TAG, x, lisp_cons(ctx, ex, l), e);
	}
	lv volatile env2 = e;
	struct lframe fr;
	lv volatile pc = body;
	for (;;) {
		lisp_frame_push(ctx, &fr, FR_TAGBODY);
		fr.tag = ex;
		EXIT(ex)->frame = &fr;
		ex->flags = 1;
		if (setjmp(fr.jb) == 0) {
			for (lv l = pc; lisp_consp(l); l = lisp_cdr(l)) {
				lisp_tick(ctx);
				if (lisp_consp(lisp_car(l)))
					lisp_eval_in(ctx, lisp_car(l), env2);
			}
			lisp_frame_pop(ctx, &fr);
			fr.tag->flags = 0;
			return LISP_NIL;
		}
		lisp_frame_land(ctx, &fr);
		pc = lisp_cdr(fr.value);
	}
}

SPECIAL(sf_go)
{
	need(ctx, form, 1, 1);
	lv tag = arg(form, 1);
	lv e = lisp_env_find(env, ENV_TAG, tag);
	if (!e) {
		char *s = lisp_print_to_cstring(ctx, tag, true);
		lv m = lisp_make_cstring(ctx, s);
		free(s);
		lisp_error_at(ctx, form, "GO: no tag named %s is visible", lisp_str(m));
	}
	lv ex = lisp_car(ENV(e)->value);
	if (!lisp_is(ex, LISP_EXIT) || !(ex->flags & 1))
		lisp_error_type(ctx, ctx->s.control_error,
				"GO: the TAGBODY has already been exited");
	struct lframe *target = EXIT(ex)->frame;
	target->value = lisp_cdr(ENV(e)->value);
	lisp_unwind_to(ctx, target);
}

SPECIAL(sf_catch)
{
	lv tag = lisp_eval_in(ctx, arg(form, 1), env);
	lv volatile body = args_from(form, 2), venv = env;
	struct lframe fr;
	lisp_frame_push(ctx, &fr, FR_CATCH);
	fr.tag = tag;
	if (setjmp(fr.jb) == 0) {
		lv v = lisp_eval_body(ctx, body, venv);
		lisp_frame_pop(ctx, &fr);
		return v;
	}
	lisp_frame_land(ctx, &fr);
	return lisp_restore_values(ctx);
}

SPECIAL(sf_throw)
{
	need(ctx, form, 2, 2);
	lv tag = lisp_eval_in(ctx, arg(form, 1), env);
	lv v = lisp_eval_in(ctx, arg(form, 2), env);
	for (struct lframe *f = ctx->frames; f; f = f->prev)
		if (f->kind == FR_CATCH && f->tag == tag) {
			lisp_save_values(ctx, v);
			lisp_unwind_to(ctx, f);
		}
	char *s = lisp_print_to_cstring(ctx, tag, true);
	lv m = lisp_make_cstring(ctx, s);
	free(s);
	lisp_error_type(ctx, ctx->s.control_error, "THROW: no CATCH for the tag %s", lisp_str(m));
}

SPECIAL(sf_unwind_protect)
{
	struct lframe fr;
	lv saved[LISP_MV_MAX];
	lv volatile protected_form = arg(form, 1), cleanup = args_from(form, 2), venv = env;
	lisp_frame_push(ctx, &fr, FR_UNWIND);
	if (setjmp(fr.jb) == 0) {
		lv v = lisp_eval_in(ctx, protected_form, venv);
		lisp_frame_pop(ctx, &fr);
		int n = lisp_collect_values(ctx, v, saved, LISP_MV_MAX);
		lisp_eval_body(ctx, cleanup, venv);
		return lisp_values(ctx, n, saved);
	}
	lisp_frame_land(ctx, &fr);
	struct lframe *target = fr.pending;
	int mv_n = ctx->mv_n;
	memcpy(saved, ctx->mv, sizeof(saved));
	lv travelling = ctx->unwind_value;
	lisp_eval_body(ctx, cleanup, venv);
	ctx->unwind_value = travelling;
	ctx->mv_n = mv_n;
	memcpy(ctx->mv, saved, sizeof(saved));
	lisp_unwind_to(ctx, target);
}

/* ---- conditions ---- */

SPECIAL(sf_handler_case)
{
	lv clauses = args_from(form, 2);
	lv no_error = NULL;
	size_t n = lisp_list_length(clauses);
	for (lv l = clauses; lisp_consp(l); l = lisp_cdr(l)) {
		lv c = lisp_car(l);
		if (!lisp_consp(c) || !lisp_listp(lisp_cadr(c)))
			lisp_error_at(ctx, form, "HANDLER-CASE: malformed clause");
		if (lisp_car(c) == ctx->s.k_no_error)
			no_error = c;
	}
	struct lframe fr;
	lisp_frame_push(ctx, &fr, FR_HANDLER);
	/* pushed last-first so the first clause is tried first */
	for (size_t k = n; k-- > 0;) {
		lv c = arg(clauses, (int)k);
		if (c == no_error)
			continue;
		struct handler h = { .type = lisp_car(c), .frame = &fr, .clause = (int)k };
		vec_push(&ctx->handlers, h);
	}
	lv volatile vform = form, venv = env, vclauses = clauses, vno_error = no_error;
	if (setjmp(fr.jb) == 0) {
		lv v = lisp_eval_in(ctx, arg(vform, 1), venv);
		ctx->handlers.len = fr.handlers;
		lisp_frame_pop(ctx, &fr);
		lv ne = vno_error;
		if (!ne)
			return v;
		lv vals[LISP_MV_MAX];
		int nv = lisp_collect_values(ctx, v, vals, LISP_MV_MAX);
		uint32_t depth = ctx->specials.len;
		lv env2 = lisp_bind_lambda_list(ctx, lisp_cadr(ne), venv, nv, vals, LISP_NIL, NULL,
						NULL, lisp_car(vform));
		return finish_body(ctx, lisp_body_skip_decls(ctx, lisp_cddr(ne), false, NULL), env2,
				   depth);
	}
	lisp_frame_land(ctx, &fr);
	lv clause = arg(vclauses, fr.index);
	lv var = lisp_car(lisp_cadr(clause));
	lv env2 = venv;
	uint32_t depth = ctx->specials.len;
	if (var != LISP_NIL)
		env2 = bind(ctx, vform, venv, var, fr.value, LISP_NIL);
	return finish_body(ctx, lisp_body_skip_decls(ctx, lisp_cddr(clause), false, NULL), env2,
			   depth);
}

SPECIAL(sf_handler_bind)
{
	uint32_t len = ctx->handlers.len;
	lv bindings = arg(form, 1);
	size_t n = lisp_list_length(bindings);
	lv fns = lisp_make_vector(ctx, n, LISP_NIL);
	size_t i = 0;
	for (lv l = bindings; lisp_consp(l) && i < n; l = lisp_cdr(l), i++) {
		lv b = lisp_car(l);
		if (!lisp_consp(b) || !lisp_consp(lisp_cdr(b)))
			lisp_error_at(ctx, form, "HANDLER-BIND: malformed binding");
		lisp_vector_data(fns)[i] =
			lisp_function_of(ctx, lisp_eval_in(ctx, lisp_cadr(b), env));
	}
	for (size_t k = n; k-- > 0;) {
		struct handler h = { .type = lisp_car(arg(bindings, (int)k)),
				     .fn = lisp_vector_data(fns)[k] };
		vec_push(&ctx->handlers, h);
	}
	lv v = lisp_eval_body(ctx, args_from(form, 2), env);
	ctx->handlers.len = len;
	return v;
}

static const struct {
	const char *name;
	lisp_special_fn fn;
	bool mv; /* passes on the values of its last subform */
} specials[] = {
	{ "quote", sf_quote, false },
	{ "function", sf_function, false },
	{ "lambda", sf_lambda, false },
	{ "if", sf_if, true },
	{ "progn", sf_progn, true },
	{ "setq", sf_setq, false },
	{ "the", sf_the, true },
	{ "locally", sf_locally, true },
	{ "declare", sf_declare, false },
	{ "eval-when", sf_eval_when, true },
	{ "load-time-value", sf_load_time_value, false },
	{ "and", sf_and, true },
	{ "or", sf_or, true },
	{ "when", sf_when, true },
	{ "unless", sf_unless, true },
	{ "cond", sf_cond, true },
	{ "let", sf_let, true },
	{ "let*", sf_letstar, true },
	{ "flet", sf_flet, true },
	{ "labels", sf_labels, true },
	{ "macrolet", sf_macrolet, true },
	{ "symbol-macrolet", sf_symbol_macrolet, true },
	{ "destructuring-bind", sf_destructuring_bind, true },
	{ "multiple-value-bind", sf_multiple_value_bind, true },
	{ "multiple-value-list", sf_multiple_value_list, false },
	{ "multiple-value-call", sf_multiple_value_call, true },
	{ "multiple-value-prog1", sf_multiple_value_prog1, true },
	{ "nth-value", sf_nth_value, false },
	{ "block", sf_block, true },
	{ "return-from", sf_return_from, true },
	{ "return", sf_return, true },
	{ "tagbody", sf_tagbody, false },
	{ "go", sf_go, false },
	{ "catch", sf_catch, true },
	{ "throw", sf_throw, true },
	{ "unwind-protect", sf_unwind_protect, true },
	{ "handler-case", sf_handler_case, true },
	{ "handler-bind", sf_handler_bind, true },
};

void lisp_init_specials(struct lisp_ctx *ctx)
{
	for (size_t i = 0; i < ARRAY_LEN(specials); i++) {
		lv sym = lisp_defspecial(ctx, specials[i].name, specials[i].fn, NULL);
		if (specials[i].mv)
			lisp_sym(ctx, sym)->h.flags |= SYM_MV;
	}
}
