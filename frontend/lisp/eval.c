/* The evaluator proper: variables and lexical environments, function calls,
 * macro expansion (cached per form, locations stamped from the call site),
 * multiple values, the protected entry points and the extension API. */
#include "frontend/lisp/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- environments ---- */

lv lisp_env_push(struct lisp_ctx *ctx, int kind, lv name, lv value, lv next)
{
	struct lisp_env *e = lisp_alloc(ctx, LISP_ENV, sizeof(*e));
	e->h.flags = (uint16_t)kind;
	e->name = name;
	e->value = value;
	e->next = next;
	return (lv)e;
}

/* Innermost entry naming `name` in the variable namespace (VAR, SYMMACRO,
 * SPECIAL) or the function namespace (FUN, MACRO), per `kind`. */
static lv env_find_ns(lv env, lv name, bool functions)
{
	for (; env != LISP_NIL; env = ENV(env)->next) {
		if (ENV(env)->name != name)
			continue;
		int k = env->flags;
		if (functions ? (k == ENV_FUN || k == ENV_MACRO)
			      : (k == ENV_VAR || k == ENV_SYMMACRO || k == ENV_SPECIAL))
			return env;
	}
	return NULL;
}

lv lisp_env_find(lv env, int kind, lv name)
{
	for (; env != LISP_NIL; env = ENV(env)->next)
		if (ENV(env)->name == name && env->flags == kind)
			return env;
	return NULL;
}

lv lisp_env_lookup_var(struct lisp_ctx *ctx, lv env, lv sym, bool *found)
{
	lv e = env_find_ns(env, sym, false);
	*found = e && e->flags == ENV_VAR;
	return *found ? ENV(e)->value : NULL;
}

lv lisp_env_bind_var(struct lisp_ctx *ctx, lv env, lv sym, lv value)
{
	return lisp_env_push(ctx, ENV_VAR, sym, value, env);
}

lv lisp_env_bind_macro(struct lisp_ctx *ctx, lv env, lv name, lv macro_function)
{
	return lisp_env_push(ctx, ENV_MACRO, name, macro_function, env);
}

lv lisp_env_bind_symbol_macro(struct lisp_ctx *ctx, lv env, lv name, lv expansion)
{
	return lisp_env_push(ctx, ENV_SYMMACRO, name, expansion, env);
}

lv lisp_make_macro(struct lisp_ctx *ctx, lv name, lv lambda_list, lv body, lv env)
{
	lv fn = lisp_make_closure(ctx, name, lambda_list,
				  lisp_block_body(ctx, name, body, lisp_loc(body)), env);
	fn->flags |= FN_MACRO;
	return fn;
}

/* ---- special variables ---- */

void lisp_bind_special(struct lisp_ctx *ctx, lv sym, lv value)
{
	struct lisp_symbol *s = lisp_sym(ctx, sym);
	struct special_binding b = { sym, s->value };
	vec_push(&ctx->specials, b);
	s->value = value;
}

void lisp_unbind_specials(struct lisp_ctx *ctx, uint32_t depth)
{
	while (ctx->specials.len > depth) {
		struct special_binding b = vec_pop(&ctx->specials);
		lisp_sym(ctx, b.sym)->value = b.old;
	}
}

/* ---- variables ---- */

/* "did you mean" from the lexical environment; globals are searched only
 * when the condition is reported (lisp_report_condition), as that is costly. */
static void suggest(struct lisp_ctx *ctx, const char *name, lv env, bool functions, lv *hint)
{
	VEC(const char *) cands = { 0 };
	for (lv e = env; e != LISP_NIL; e = ENV(e)->next)
		if (lisp_symbolp(ENV(e)->name) &&
		    (functions ? e->flags == ENV_FUN : e->flags == ENV_VAR))
			vec_push(&cands, lisp_symbol_name(ENV(e)->name));
	const char *best = diag_suggest(name, cands.data, cands.len);
	char *h = best ? xasprintf("did you mean '%s'?", best) : NULL;
	vec_free(&cands);
	if (h) {
		for (char *p = h; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		lisp_cleanup_push(ctx, free, h);
		*hint = lisp_make_cstring(ctx, h);
		lisp_cleanup_pop(ctx, true);
	}
}

/* Where `x` occurs inside `form` (depth-first), to locate errors about atoms. */
static struct srcloc find_occurrence(lv form, lv x, int depth)
{
	for (int n = 0; lisp_consp(form) && n < 1000; form = CONS(form)->cdr, n++) {
		lv a = CONS(form)->car;
		if (a == x && CONS(form)->car_loc.line)
			return CONS(form)->car_loc;
		if (lisp_consp(a) && depth < 8) {
			struct srcloc l = find_occurrence(a, x, depth + 1);
			if (l.line)
				return l;
		}
	}
	return (struct srcloc){ 0 };
}

static W_NORETURN void unbound_variable(struct lisp_ctx *ctx, lv sym, lv env)
{
	lv hint = NULL;
	suggest(ctx, lisp_symbol_name(sym), env, false, &hint);
	lv args = lisp_list(ctx, 2, ctx->s.k_name, sym);
	if (hint)
		args = lisp_cons(ctx, lisp_intern(ctx, ":hint"), lisp_cons(ctx, hint, args));
	lv c = lisp_make_condition_v(ctx, ctx->s.unbound_variable, args);
	if (ctx->forms.len) {
		struct srcloc l = find_occurrence(vec_last(&ctx->forms), sym, 0);
		if (l.line)
			COND(c)->loc = l;
	}
	lisp_signal_error(ctx, c);
}

void lisp_undefined_function(struct lisp_ctx *ctx, lv name)
{
	lv hint = NULL;
	if (lisp_symbolp(name))
		suggest(ctx, lisp_symbol_name(name), LISP_NIL, true, &hint);
	lv args = lisp_list(ctx, 2, ctx->s.k_name, name);
	if (hint)
		args = lisp_cons(ctx, lisp_intern(ctx, ":hint"), lisp_cons(ctx, hint, args));
	lv c = lisp_make_condition_v(ctx, ctx->s.undefined_function, args);
	if (ctx->forms.len && lisp_car(vec_last(&ctx->forms)) == name &&
	    CONS(vec_last(&ctx->forms))->car_loc.line)
		COND(c)->loc = CONS(vec_last(&ctx->forms))->car_loc;
	lisp_signal_error(ctx, c);
}

static lv symbol_value(struct lisp_ctx *ctx, lv sym, lv env)
{
	lv e = env_find_ns(env, sym, false);
	if (e && e->flags == ENV_VAR)
		return ENV(e)->value;
	if (e && e->flags == ENV_SYMMACRO)
		return lisp_eval_in(ctx, ENV(e)->value, env);
	struct lisp_symbol *s = lisp_sym(ctx, sym);
	if (s->value)
		return s->value;
	lv sm = lisp_plist_get(s->plist, ctx->s.s_symbol_macro, NULL);
	if (sm)
		return lisp_eval_in(ctx, sm, env);
	unbound_variable(ctx, sym, env);
}

void lisp_set_variable(struct lisp_ctx *ctx, lv sym, lv value, lv env)
{
	lv e = env_find_ns(env, sym, false);
	if (e && e->flags == ENV_VAR) {
		ENV(e)->value = value;
		return;
	}
	if (sym == LISP_NIL || (sym->flags & SYM_CONSTANT))
		lisp_error(ctx, "cannot set the constant %s", lisp_symbol_name(sym));
	lisp_sym(ctx, sym)->value = value;
}

/* ---- multiple values ---- */

lv lisp_values(struct lisp_ctx *ctx, int n, lv *vals)
{
	if (n > LISP_MV_MAX)
		lisp_error(ctx, "too many values (%d; the limit is %d)", n, LISP_MV_MAX);
	if (n == 1) {
		ctx->mv_n = 1;
		return vals[0];
	}
	if (n)
		memmove(ctx->mv, vals, (size_t)n * sizeof(lv));
	ctx->mv_n = n;
	return n ? vals[0] : LISP_NIL;
}

lv lisp_values2(struct lisp_ctx *ctx, lv a, lv b)
{
	ctx->mv_n = 2;
	ctx->mv[0] = a;
	ctx->mv[1] = b;
	return a;
}

int lisp_collect_values(struct lisp_ctx *ctx, lv primary, lv *out, int max)
{
	if (ctx->mv_n == 1) {
		out[0] = primary;
		return 1;
	}
	int n = MIN(ctx->mv_n, max);
	memcpy(out, ctx->mv, (size_t)n * sizeof(lv));
	return n;
}

void lisp_save_values(struct lisp_ctx *ctx, lv primary)
{
	if (ctx->mv_n == 1)
		ctx->mv[0] = primary;
}

lv lisp_restore_values(struct lisp_ctx *ctx)
{
	return ctx->mv_n ? ctx->mv[0] : LISP_NIL;
}

int lisp_values_count(struct lisp_ctx *ctx)
{
	return ctx->mv_n;
}

lv lisp_value_n(struct lisp_ctx *ctx, int i)
{
	if (i < 0 || i >= ctx->mv_n)
		return LISP_NIL;
	return ctx->mv_n == 1 ? NULL : ctx->mv[i];
}

/* ---- functions ---- */

bool lisp_functionp(lv v)
{
	return (lisp_is(v, LISP_CLOSURE) || lisp_is(v, LISP_BUILTIN)) && !(v->flags & FN_MACRO);
}

lv lisp_fn_name(lv fn)
{
	return fn->type == LISP_CLOSURE ? CLO(fn)->name : BUI(fn)->name;
}

lv lisp_body_skip_decls(struct lisp_ctx *ctx, lv body, bool allow_doc, lv *specials)
{
	for (size_t n = 0; lisp_consp(body) && n < 100000; body = lisp_cdr(body), n++) {
		lv f = lisp_car(body);
		if (allow_doc && lisp_stringp(f) && lisp_consp(lisp_cdr(body))) {
			allow_doc = false;
			continue;
		}
		if (!lisp_consp(f) || lisp_car(f) != ctx->s.declare)
			break;
		if (!specials)
			continue;
		for (lv d = lisp_cdr(f); lisp_consp(d); d = lisp_cdr(d))
			if (lisp_consp(lisp_car(d)) && lisp_car(lisp_car(d)) == ctx->s.special)
				for (lv v = lisp_cdr(lisp_car(d)); lisp_consp(v); v = lisp_cdr(v))
					*specials = lisp_cons(ctx, lisp_car(v), *specials);
	}
	return body;
}

lv lisp_make_closure(struct lisp_ctx *ctx, lv name, lv params, lv body, lv env)
{
	if (!lisp_listp(params))
		lisp_error(ctx, "the lambda list %s is not a list",
			   lisp_symbol_name(lisp_symbolp(params) ? params : LISP_NIL));
	struct lisp_closure *c = lisp_alloc(ctx, LISP_CLOSURE, sizeof(*c));
	c->name = name;
	c->params = params;
	c->body = body;
	c->env = env;
	return (lv)c;
}

static lv setf_function(struct lisp_ctx *ctx, lv name)
{
	struct lisp_symbol *s = lisp_sym(ctx, lisp_check_symbol(ctx, name));
	if (!s->setf)
		lisp_undefined_function(ctx, lisp_list(ctx, 2, ctx->s.setf, name));
	return s->setf;
}

lv lisp_function_of(struct lisp_ctx *ctx, lv d)
{
	if (lisp_functionp(d))
		return d;
	if (lisp_symbolp(d)) {
		struct lisp_symbol *s = lisp_sym(ctx, d);
		if (!s->function || (s->function->flags & FN_MACRO)) {
			if (s->function || s->special)
				lisp_error(ctx, "%s is a macro or special operator, not a function",
					   lisp_symbol_name(d));
			lisp_undefined_function(ctx, d);
		}
		return s->function;
	}
	if (lisp_consp(d) && lisp_car(d) == ctx->s.setf && lisp_consp(lisp_cdr(d)))
		return setf_function(ctx, lisp_cadr(d));
	if (lisp_is(d, LISP_CLOSURE) || lisp_is(d, LISP_BUILTIN))
		return d; /* a macro function, called with (form env) */
	lisp_type_error(ctx, d, "(or function symbol)");
}

static lv call_closure(struct lisp_ctx *ctx, lv fn, int argc, lv *argv)
{
	struct lisp_closure *c = CLO(fn);
	uint32_t specials = ctx->specials.len;
	lv env;
	if (fn->flags & FN_MACRO) {
		if (argc < 1)
			lisp_error(ctx, "a macro function needs the form to expand");
		lv form = argv[0];
		env = lisp_bind_lambda_list(ctx, c->params, c->env, 0, NULL, lisp_cdr(form), form,
					    argc > 1 ? argv[1] : LISP_NIL, c->name);
	} else {
		lv none[1];
		env = lisp_bind_lambda_list(ctx, c->params, c->env, argc, argv ? argv : none,
					    LISP_NIL, NULL, NULL, c->name);
	}
	lv v = lisp_eval_body(ctx, c->body, env);
	if (ctx->specials.len > specials) {
		lisp_save_values(ctx, v);
		lisp_unbind_specials(ctx, specials);
		v = lisp_restore_values(ctx);
	}
	return v;
}

lv lisp_call(struct lisp_ctx *ctx, lv fn, int argc, lv *argv)
{
	if (!lisp_is(fn, LISP_CLOSURE) && !lisp_is(fn, LISP_BUILTIN))
		fn = lisp_function_of(ctx, fn);
	if (fn->type == LISP_CLOSURE)
		return call_closure(ctx, fn, argc, argv);
	struct lisp_builtin *b = BUI(fn);
	if (argc < b->min || (b->max >= 0 && argc > b->max)) {
		char *name = lisp_print_to_cstring(ctx, b->name, true);
		lv n = lisp_make_cstring(ctx, name);
		free(name);
		if (b->max < 0)
			lisp_error_type(
				ctx, ctx->s.program_error,
				"invalid number of arguments to %s: %d (expected at least %d)",
				lisp_str(n), argc, b->min);
		if (b->min == b->max)
			lisp_error_type(ctx, ctx->s.program_error,
					"invalid number of arguments to %s: %d (expected %d)",
					lisp_str(n), argc, b->min);
		lisp_error_type(ctx, ctx->s.program_error,
				"invalid number of arguments to %s: %d (expected %d to %d)",
				lisp_str(n), argc, b->min, b->max);
	}
	ctx->mv_n = 1;
	if (b->mfn)
		return b->mfn(ctx, argv[0], argc > 1 ? argv[1] : LISP_NIL, b->data);
	return b->fn(ctx, argc, argv, b->data);
}

lv lisp_call1(struct lisp_ctx *ctx, lv fn, lv a)
{
	return lisp_call(ctx, fn, 1, &a);
}

lv lisp_call2(struct lisp_ctx *ctx, lv fn, lv a, lv b)
{
	lv args[2] = { a, b };
	return lisp_call(ctx, fn, 2, args);
}

lv lisp_apply_list(struct lisp_ctx *ctx, lv fn, lv args)
{
	size_t n = lisp_list_length(args);
	if (n > 1u << 20)
		lisp_error(ctx, "too many arguments (%zu)", n);
	lv vec = lisp_make_vector(ctx, n, LISP_NIL);
	lv *a = lisp_vector_data(vec);
	size_t i = 0;
	for (lv l = args; lisp_consp(l) && i < n; l = lisp_cdr(l))
		a[i++] = lisp_car(l);
	return lisp_call(ctx, fn, (int)n, a);
}

/* ---- macros ---- */

lv lisp_macro_function(struct lisp_ctx *ctx, lv sym, lv env)
{
	lv e = env_find_ns(env, sym, true);
	if (e)
		return e->flags == ENV_MACRO ? ENV(e)->value : NULL;
	lv f = lisp_sym(ctx, sym)->function;
	return f && (f->flags & FN_MACRO) ? f : NULL;
}

bool lisp_macrop(struct lisp_ctx *ctx, lv sym, lv env)
{
	return lisp_symbolp(sym) && lisp_macro_function(ctx, sym, env) != NULL;
}

bool lisp_special_formp(struct lisp_ctx *ctx, lv sym)
{
	return lisp_symbolp(sym) && lisp_sym(ctx, sym)->special != NULL;
}

bool lisp_special_form(struct lisp_ctx *ctx, lv sym, lisp_special_fn *fn, void **data)
{
	if (!lisp_special_formp(ctx, sym))
		return false;
	*fn = lisp_sym(ctx, sym)->special;
	*data = lisp_sym(ctx, sym)->special_data;
	return true;
}

static void stamp(lv x, struct srcloc loc, int depth)
{
	for (int n = 0; lisp_consp(x) && !CONS(x)->loc.line && n < 100000; x = CONS(x)->cdr, n++) {
		CONS(x)->loc = loc;
		lv a = CONS(x)->car;
		if (lisp_consp(a) && depth < 200)
			stamp(a, loc, depth + 1);
		if (!CONS(x)->car_loc.line)
			CONS(x)->car_loc = lisp_consp(a) && CONS(a)->loc.line ? CONS(a)->loc : loc;
	}
}

void lisp_stamp_locations(struct lisp_ctx *ctx, lv form, struct srcloc loc)
{
	if (loc.line)
		stamp(form, loc, 0);
}

static lv expand_with(struct lisp_ctx *ctx, lv mf, lv form, lv env)
{
	lv args[2] = { form, env };
	vec_push(&ctx->expansions, form);
	lv exp = lisp_call(ctx, mf, 2, args);
	ctx->expansions.len--;
	ctx->mv_n = 1;
	lisp_stamp_locations(ctx, exp, lisp_form_loc(ctx, form));
	return exp;
}

lv lisp_macroexpand_1_in(struct lisp_ctx *ctx, lv form, lv env, bool *expanded)
{
	*expanded = false;
	if (lisp_consp(form) && lisp_symbolp(lisp_car(form))) {
		lv mf = lisp_macro_function(ctx, lisp_car(form), env);
		if (!mf)
			return form;
		*expanded = true;
		return expand_with(ctx, mf, form, env);
	}
	if (lisp_symbolp(form) && form != LISP_NIL) {
		lv e = env_find_ns(env, form, false);
		if (e && e->flags == ENV_SYMMACRO) {
			*expanded = true;
			return ENV(e)->value;
		}
		if (!e) {
			lv sm = lisp_plist_get(lisp_sym(ctx, form)->plist, ctx->s.s_symbol_macro,
					       NULL);
			if (sm) {
				*expanded = true;
				return sm;
			}
		}
	}
	return form;
}

lv lisp_macroexpand_in(struct lisp_ctx *ctx, lv form, lv env, bool *expanded)
{
	bool any = false, once;
	for (int i = 0; i < 10000; i++) {
		lisp_tick(ctx);
		form = lisp_macroexpand_1_in(ctx, form, env, &once);
		if (!once)
			break;
		any = true;
	}
	if (expanded)
		*expanded = any;
	return form;
}

/* Expansions of global macros, keyed by the form's address (the heap does
 * not move; the cache is cleared by each collection and by DEFMACRO), and
 * by the lexical environment for macros that take &ENVIRONMENT. */
struct mx_entry {
	lv form, env, exp;
};

void lisp_mx_cache_clear(struct lisp_ctx *ctx)
{
	free(ctx->mx);
	ctx->mx = NULL;
	ctx->mx_cap = ctx->mx_count = 0;
}

static uint32_t mx_hash(lv form, lv env)
{
	return (uint32_t)w_hash_u64((uintptr_t)form ^ ((uintptr_t)env << 7));
}

static lv mx_get(struct lisp_ctx *ctx, lv form, lv env)
{
	if (!ctx->mx_cap)
		return NULL;
	uint32_t mask = ctx->mx_cap - 1;
	for (uint32_t i = mx_hash(form, env) & mask;; i = (i + 1) & mask) {
		struct mx_entry *e = &ctx->mx[i];
		if (e->form == form && e->env == env)
			return e->exp;
		if (!e->form)
			return NULL;
	}
}

static void mx_put(struct lisp_ctx *ctx, lv form, lv env, lv exp)
{
	if ((ctx->mx_count + 1) * 2 >= ctx->mx_cap) {
		/* full: start over rather than grow without bound */
		uint32_t cap = ctx->mx_cap && ctx->mx_cap < 65536 ? ctx->mx_cap * 2 : 1024;
		struct mx_entry *old = ctx->mx;
		uint32_t ocap = ctx->mx_cap;
		ctx->mx = xcalloc(cap, sizeof(*ctx->mx));
		ctx->mx_cap = cap;
		ctx->mx_count = 0;
		for (uint32_t i = 0; cap > 1024 && i < ocap; i++)
			if (old[i].form)
				mx_put(ctx, old[i].form, old[i].env, old[i].exp);
		free(old);
	}
	uint32_t mask = ctx->mx_cap - 1;
	for (uint32_t i = mx_hash(form, env) & mask;; i = (i + 1) & mask)
		if (!ctx->mx[i].form) {
			ctx->mx[i] = (struct mx_entry){ form, env, exp };
			ctx->mx_count++;
			return;
		}
}

/* Whether expansions of this macro may depend on the lexical environment. */
static bool uses_env(struct lisp_ctx *ctx, lv fn)
{
	if (fn->type == LISP_BUILTIN)
		return true;
	for (lv p = CLO(fn)->params; lisp_consp(p); p = lisp_cdr(p))
		if (lisp_car(p) == ctx->s.and_env)
			return true;
	return false;
}

/* ---- eval ---- */

#define INLINE_ARGS 8

static lv eval_args_and_call(struct lisp_ctx *ctx, lv fn, lv form, lv env)
{
	lv args = lisp_cdr(form);
	size_t n = 0;
	for (lv l = args; lisp_consp(l); l = lisp_cdr(l))
		n++;
	if (lisp_list_length(args) != n || n > 1u << 20)
		lisp_error_at(ctx, form, "malformed function call");
	lv local[INLINE_ARGS];
	lv vec = NULL, *argv = local;
	if (n > INLINE_ARGS) {
		vec = lisp_make_vector(ctx, n, LISP_NIL);
		argv = lisp_vector_data(vec);
	}
	size_t i = 0;
	for (lv l = args; lisp_consp(l) && i < n; l = lisp_cdr(l))
		argv[i++] = lisp_eval_in(ctx, lisp_car(l), env);
	lv r = lisp_call(ctx, fn, (int)n, argv);
	(void)vec;
	return r;
}

static lv eval_cons(struct lisp_ctx *ctx, lv form, lv env)
{
	lv head = CONS(form)->car;
	if (lisp_symbolp(head)) {
		lv e = env_find_ns(env, head, true);
		if (e && e->flags == ENV_FUN)
			return eval_args_and_call(ctx, ENV(e)->value, form, env);
		if (e)
			return lisp_eval_in(ctx, expand_with(ctx, ENV(e)->value, form, env), env);
		struct lisp_symbol *s = lisp_sym(ctx, head);
		if (s->special) {
			lv v = s->special(ctx, form, env, s->special_data);
			if (!(s->h.flags & SYM_MV))
				ctx->mv_n = 1;
			return v;
		}
		lv fn = s->function;
		if (!fn)
			lisp_undefined_function(ctx, head);
		if (fn->flags & FN_MACRO) {
			lv key_env = uses_env(ctx, fn) ? env : NULL;
			lv exp = mx_get(ctx, form, key_env);
			if (!exp) {
				exp = expand_with(ctx, fn, form, env);
				mx_put(ctx, form, key_env, exp);
			}
			return lisp_eval_in(ctx, exp, env);
		}
		return eval_args_and_call(ctx, fn, form, env);
	}
	if (lisp_consp(head) && lisp_car(head) == ctx->s.lambda) {
		lv fn = lisp_make_closure(ctx, LISP_NIL, lisp_cadr(head),
					  lisp_body_skip_decls(ctx, lisp_cddr(head), true, NULL),
					  env);
		return eval_args_and_call(ctx, fn, form, env);
	}
	lisp_error_at(ctx, form,
		      "illegal function call: the head of a form must be a symbol or a "
		      "lambda expression");
}

lv lisp_eval_in(struct lisp_ctx *ctx, lv form, lv env)
{
	if (lisp_symbolp(form)) {
		ctx->mv_n = 1;
		if (form == LISP_NIL)
			return form;
		lv v = symbol_value(ctx, form, env);
		ctx->mv_n = 1;
		return v;
	}
	if (!lisp_consp(form)) {
		ctx->mv_n = 1;
		return form;
	}
	ctx->depth++;
	vec_push(&ctx->forms, form);
	lisp_check_limits(ctx);
	lv v = eval_cons(ctx, form, env);
	ctx->forms.len--;
	ctx->depth--;
	return v;
}

lv lisp_eval_body(struct lisp_ctx *ctx, lv forms, lv env)
{
	lv v = LISP_NIL;
	ctx->mv_n = 1;
	for (; lisp_consp(forms); forms = CONS(forms)->cdr)
		v = lisp_eval_in(ctx, CONS(forms)->car, env);
	return v;
}

struct srcloc lisp_form_loc(struct lisp_ctx *ctx, lv form)
{
	struct srcloc l = lisp_loc(form);
	for (uint32_t i = ctx->forms.len; !l.line && i-- > 0;)
		l = lisp_loc(ctx->forms.data[i]);
	return l;
}

/* ---- protected entry points ---- */

struct call_job {
	lv form, env, fn;
	int argc;
	lv *argv;
	bool expanded, all;
};

static lv eval_cb(struct lisp_ctx *ctx, void *data)
{
	struct call_job *j = data;
	return lisp_eval_in(ctx, j->form, j->env);
}

int lisp_eval(struct lisp_ctx *ctx, lv form, lv *result)
{
	struct call_job j = { .form = form, .env = LISP_NIL };
	return lisp_protect(ctx, eval_cb, &j, result);
}

static lv call_cb(struct lisp_ctx *ctx, void *data)
{
	struct call_job *j = data;
	return lisp_call(ctx, j->fn, j->argc, j->argv);
}

int lisp_pcall(struct lisp_ctx *ctx, lv fn, int argc, lv *argv, lv *result)
{
	struct call_job j = { .fn = fn, .argc = argc, .argv = argv };
	return lisp_protect(ctx, call_cb, &j, result);
}

static lv expand_cb(struct lisp_ctx *ctx, void *data)
{
	struct call_job *j = data;
	if (j->all)
		return lisp_macroexpand_in(ctx, j->form, j->env, &j->expanded);
	return lisp_macroexpand_1_in(ctx, j->form, j->env, &j->expanded);
}

int lisp_macroexpand_1(struct lisp_ctx *ctx, lv form, lv env, lv *result, bool *expanded)
{
	struct call_job j = { .form = form, .env = env ? env : LISP_NIL };
	int rc = lisp_protect(ctx, expand_cb, &j, result);
	if (expanded)
		*expanded = j.expanded;
	return rc;
}

int lisp_macroexpand(struct lisp_ctx *ctx, lv form, lv env, lv *result, bool *expanded)
{
	struct call_job j = { .form = form, .env = env ? env : LISP_NIL, .all = true };
	int rc = lisp_protect(ctx, expand_cb, &j, result);
	if (expanded)
		*expanded = j.expanded;
	return rc;
}

/* ---- extension API ---- */

static lv function_name_sym(struct lisp_ctx *ctx, const char *name)
{
	return lisp_intern(ctx, name);
}

static struct lisp_builtin *new_builtin(struct lisp_ctx *ctx, lv name, int min, int max,
					lisp_builtin_fn fn, void *data)
{
	struct lisp_builtin *b = lisp_alloc(ctx, LISP_BUILTIN, sizeof(*b));
	b->name = name;
	b->min = (int16_t)min;
	b->max = (int16_t)max;
	b->fn = fn;
	b->data = data;
	return b;
}

lv lisp_make_builtin(struct lisp_ctx *ctx, lv name, int min, int max, lisp_builtin_fn fn,
		     void *data)
{
	return (lv)new_builtin(ctx, name, min, max, fn, data);
}

lv lisp_defbuiltin(struct lisp_ctx *ctx, const char *name, int min, int max, lisp_builtin_fn fn,
		   void *data)
{
	lv sym = function_name_sym(ctx, name);
	struct lisp_builtin *b = new_builtin(ctx, sym, min, max, fn, data);
	lisp_sym(ctx, sym)->function = (lv)b;
	return (lv)b;
}

void lisp_register_builtins(struct lisp_ctx *ctx, const struct lisp_builtin_def *defs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lisp_defbuiltin(ctx, defs[i].name, defs[i].min, defs[i].max, defs[i].fn, NULL);
}

lv lisp_defspecial(struct lisp_ctx *ctx, const char *name, lisp_special_fn fn, void *data)
{
	lv sym = function_name_sym(ctx, name);
	struct lisp_symbol *s = lisp_sym(ctx, sym);
	s->special = fn;
	s->special_data = data;
	return sym;
}

lv lisp_defmacro_c(struct lisp_ctx *ctx, const char *name, lisp_macro_fn fn, void *data)
{
	lv sym = function_name_sym(ctx, name);
	struct lisp_builtin *b = new_builtin(ctx, sym, 1, 2, NULL, data);
	b->mfn = fn;
	b->h.flags |= FN_MACRO;
	lisp_sym(ctx, sym)->function = (lv)b;
	lisp_mx_cache_clear(ctx);
	return (lv)b;
}

lv lisp_defsetter(struct lisp_ctx *ctx, const char *name, int min, int max, lisp_builtin_fn fn,
		  void *data)
{
	lv sym = function_name_sym(ctx, name);
	lv fname = lisp_list(ctx, 2, ctx->s.setf, sym);
	struct lisp_builtin *b = new_builtin(ctx, fname, min, max, fn, data);
	struct lisp_symbol *s = lisp_sym(ctx, sym);
	s->setf = (lv)b;
	s->h.flags = (uint16_t)((s->h.flags & ~SYM_SETF_FUNCTION) | SYM_SETF_UPDATER);
	lisp_mx_cache_clear(ctx);
	return (lv)b;
}
