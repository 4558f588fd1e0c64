/* Builtins about functions, evaluation, types and conditions: FUNCALL,
 * APPLY, VALUES, EVAL, MACROEXPAND, ERROR, SIGNAL, WARN, MAKE-CONDITION,
 * TYPEP, and the internal hooks the SETF machinery of the prelude uses. */
#include "frontend/lisp/internal.h"

#include <stdlib.h>
#include <string.h>

BUILTIN(b_values)
{
	return lisp_values(ctx, argc, argv);
}

BUILTIN(b_values_list)
{
	lv l = lisp_arg_list(ctx, argv[0]);
	lv vals[LISP_MV_MAX];
	int n = 0;
	for (; lisp_consp(l); l = lisp_cdr(l)) {
		if (n == LISP_MV_MAX)
			lisp_error(ctx, "too many values (the limit is %d)", LISP_MV_MAX);
		vals[n++] = lisp_car(l);
	}
	return lisp_values(ctx, n, vals);
}

BUILTIN(b_funcall)
{
	return lisp_call(ctx, lisp_function_of(ctx, argv[0]), argc - 1, argv + 1);
}

BUILTIN(b_apply)
{
	lv fn = lisp_function_of(ctx, argv[0]);
	lv spread = lisp_arg_list(ctx, argv[argc - 1]);
	size_t n = (size_t)argc - 2 + lisp_list_length(spread);
	if (n > 1u << 20)
		lisp_error(ctx, "APPLY: too many arguments");
	lv vec = lisp_make_vector(ctx, n, LISP_NIL);
	lv *a = lisp_vector_data(vec);
	size_t i = 0;
	for (int k = 1; k < argc - 1; k++)
		a[i++] = argv[k];
	for (; lisp_consp(spread) && i < n; spread = lisp_cdr(spread))
		a[i++] = lisp_car(spread);
	return lisp_call(ctx, fn, (int)n, a);
}

BUILTIN(b_eval)
{
	return lisp_eval_in(ctx, argv[0], LISP_NIL);
}

static lv env_arg(int argc, lv *argv, int i)
{
	return argc > i && lisp_is(argv[i], LISP_ENV) ? argv[i] : LISP_NIL;
}

BUILTIN(b_macroexpand_1)
{
	bool expanded;
	lv r = lisp_macroexpand_1_in(ctx, argv[0], env_arg(argc, argv, 1), &expanded);
	return lisp_values2(ctx, r, lisp_bool(ctx, expanded));
}

BUILTIN(b_macroexpand)
{
	bool expanded;
	lv r = lisp_macroexpand_in(ctx, argv[0], env_arg(argc, argv, 1), &expanded);
	return lisp_values2(ctx, r, lisp_bool(ctx, expanded));
}

BUILTIN(b_macro_function)
{
	lv f = lisp_macro_function(ctx, lisp_check_symbol(ctx, argv[0]), env_arg(argc, argv, 1));
	return f ? f : LISP_NIL;
}

/* (setf (macro-function name) fn) */
BUILTIN(b_set_macro_function)
{
	lv sym = lisp_check_symbol(ctx, argv[0]);
	lv fn = argv[argc - 1];
	if (!lisp_is(fn, LISP_CLOSURE) && !lisp_is(fn, LISP_BUILTIN))
		lisp_type_error(ctx, fn, "function");
	/* a macro whose expander calls fn with (form env) */
	lv m;
	if (fn->type == LISP_CLOSURE) {
		lv f = lisp_make_symbol(ctx, lisp_make_cstring(ctx, "FORM"));
		lv e = lisp_make_symbol(ctx, lisp_make_cstring(ctx, "ENV"));
		lv r = lisp_make_symbol(ctx, lisp_make_cstring(ctx, "REST"));
		lv params = lisp_list(ctx, 6, ctx->s.and_whole, f, ctx->s.and_env, e,
				      ctx->s.and_rest, r);
		lv call = lisp_list(ctx, 4, lisp_intern(ctx, "funcall"),
				    lisp_list(ctx, 2, ctx->s.quote, fn), f, e);
		m = lisp_make_closure(ctx, sym, params, lisp_list(ctx, 1, call), LISP_NIL);
	} else {
		m = lisp_make_builtin(ctx, sym, BUI(fn)->min, BUI(fn)->max, BUI(fn)->fn,
				      BUI(fn)->data);
		BUI(m)->mfn = BUI(fn)->mfn;
	}
	m->flags |= FN_MACRO;
	lisp_sym(ctx, sym)->function = m;
	lisp_mx_cache_clear(ctx);
	return fn;
}

BUILTIN(b_special_operator_p)
{
	return lisp_bool(ctx, lisp_special_formp(ctx, lisp_check_symbol(ctx, argv[0])));
}

BUILTIN(b_fboundp)
{
	lv n = argv[0];
	if (lisp_consp(n) && lisp_car(n) == ctx->s.setf && lisp_symbolp(lisp_cadr(n)))
		return lisp_bool(ctx, lisp_sym(ctx, lisp_cadr(n))->setf != NULL);
	struct lisp_symbol *s = lisp_sym(ctx, lisp_check_symbol(ctx, n));
	return lisp_bool(ctx, s->function || s->special);
}

BUILTIN(b_fdefinition)
{
	lv n = argv[0];
	if (lisp_symbolp(n)) {
		struct lisp_symbol *s = lisp_sym(ctx, n);
		if (s->function)
			return s->function;
		if (s->special)
			return n; /* as SBCL: special operators have no function object */
	}
	return lisp_function_of(ctx, n);
}

/* (setf (fdefinition name) fn), (setf (symbol-function name) fn) */
BUILTIN(b_set_fdefinition)
{
	lv n = argv[0], fn = argv[argc - 1];
	if (!lisp_is(fn, LISP_CLOSURE) && !lisp_is(fn, LISP_BUILTIN))
		lisp_type_error(ctx, fn, "function");
	if (lisp_consp(n) && lisp_car(n) == ctx->s.setf && lisp_symbolp(lisp_cadr(n))) {
		struct lisp_symbol *s = lisp_sym(ctx, lisp_cadr(n));
		s->setf = fn;
		s->h.flags = (uint16_t)((s->h.flags & ~SYM_SETF_UPDATER) | SYM_SETF_FUNCTION);
	} else {
		lisp_sym(ctx, lisp_check_symbol(ctx, n))->function = fn;
	}
	lisp_mx_cache_clear(ctx);
	return fn;
}

BUILTIN(b_fmakunbound)
{
	struct lisp_symbol *s = lisp_sym(ctx, lisp_check_symbol(ctx, argv[0]));
	s->function = NULL;
	lisp_mx_cache_clear(ctx);
	return argv[0];
}

BUILTIN(b_functionp)
{
	return lisp_bool(ctx, lisp_functionp(argv[0]));
}

BUILTIN(b_identity)
{
	return argv[0];
}

BUILTIN(b_compile)
{
	lv fn;
	if (argc > 1)
		fn = lisp_functionp(argv[1]) ? argv[1] : lisp_eval_in(ctx, argv[1], LISP_NIL);
	else
		fn = lisp_function_of(ctx, argv[0]);
	if (argc > 1 && argv[0] != LISP_NIL)
		lisp_sym(ctx, lisp_check_symbol(ctx, argv[0]))->function = fn;
	ctx->mv_n = 3;
	ctx->mv[0] = argv[0] != LISP_NIL ? argv[0] : fn;
	ctx->mv[1] = ctx->mv[2] = LISP_NIL;
	return ctx->mv[0];
}

BUILTIN(b_ignore)
{
	return LISP_NIL;
}

/* ---- conditions ---- */

lv lisp_condition_slot_fn(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	if (!lisp_is(argv[0], LISP_CONDITION))
		lisp_type_error(ctx, argv[0], "condition");
	return lisp_plist_get(COND(argv[0])->initargs, (lv)data, LISP_NIL);
}

/* Slots of the type and its ancestors (each type once) without an initarg get
 * their :initform. */
static void add_initforms(struct lisp_ctx *ctx, lv c, lv type)
{
	lv queue[256];
	int n = 0;
	queue[n++] = type;
	for (int i = 0; i < n; i++) {
		lv pl = lisp_sym(ctx, queue[i])->plist;
		for (lv s = lisp_plist_get(pl, ctx->s.s_condition_slots, LISP_NIL); lisp_consp(s);
		     s = lisp_cdr(s)) {
			lv key = lisp_car(lisp_car(s)), initform = lisp_cadr(lisp_car(s));
			if (initform == LISP_NIL || lisp_plist_get(COND(c)->initargs, key, NULL))
				continue;
			lv v = lisp_eval_in(ctx, lisp_car(initform), LISP_NIL);
			COND(c)->initargs =
				lisp_cons(ctx, key, lisp_cons(ctx, v, COND(c)->initargs));
		}
		for (lv p = lisp_plist_get(pl, ctx->s.s_condition_parents, LISP_NIL);
		     lisp_consp(p) && n < 256; p = lisp_cdr(p)) {
			bool seen = !lisp_symbolp(lisp_car(p));
			for (int k = 0; k < n && !seen; k++)
				seen = queue[k] == lisp_car(p);
			if (!seen)
				queue[n++] = lisp_car(p);
		}
	}
}

static lv make_condition(struct lisp_ctx *ctx, lv type, int argc, lv *argv)
{
	if (!lisp_condition_type_p(ctx, type)) {
		char *s = lisp_print_to_cstring(ctx, type, true);
		lv m = lisp_make_cstring(ctx, s);
		free(s);
		lisp_error(ctx, "%s is not a condition type", lisp_str(m));
	}
	if (argc % 2)
		lisp_error(ctx, "odd number of initialization arguments for condition %s",
			   lisp_symbol_name(type));
	lv c = lisp_make_condition_v(ctx, type, lisp_list_from(ctx, argv, (size_t)argc, LISP_NIL));
	add_initforms(ctx, c, type);
	return c;
}

BUILTIN(b_make_condition)
{
	return make_condition(ctx, lisp_check_symbol(ctx, argv[0]), argc - 1, argv + 1);
}

/* A condition from ERROR/SIGNAL/WARN arguments: a condition, a type and
 * initargs, or a format control and arguments. */
static lv designate(struct lisp_ctx *ctx, int argc, lv *argv, lv default_type)
{
	lv d = argv[0];
	if (lisp_is(d, LISP_CONDITION))
		return d;
	if (lisp_symbolp(d) && d != LISP_NIL)
		return make_condition(ctx, d, argc - 1, argv + 1);
	lv args = lisp_list_from(ctx, argv + 1, (size_t)argc - 1, LISP_NIL);
	return lisp_make_condition_v(
		ctx, default_type,
		lisp_list(ctx, 4, ctx->s.k_format_control, d, ctx->s.k_format_arguments, args));
}

BUILTIN(b_error)
{
	lisp_signal_error(ctx, designate(ctx, argc, argv, ctx->s.simple_error));
}

BUILTIN(b_cerror)
{
	lisp_signal_error(ctx, designate(ctx, argc - 1, argv + 1, ctx->s.simple_error));
}

BUILTIN(b_signal)
{
	return lisp_signal(ctx, designate(ctx, argc, argv, ctx->s.simple_condition));
}

static void print_warning(struct lisp_ctx *ctx, lv c)
{
	struct buf *b = lisp_temp_buf(ctx);
	char *msg = lisp_condition_message(ctx, c);
	buf_printf(b, "WARNING: %s\n", msg);
	free(msg);
	lisp_stream_write(ctx, lisp_resolve_stream(ctx, ctx->s.error_output, true),
			  (const char *)b->data, b->len);
	lisp_temp_buf_free(ctx, b);
}

BUILTIN(b_warn)
{
	lv c = designate(ctx, argc, argv, ctx->s.simple_warning);
	struct lframe fr;
	lisp_frame_push(ctx, &fr, FR_CATCH);
	fr.tag = lisp_intern(ctx, "muffle-warning");
	fr.value = c;
	struct lisp_ctx *volatile vctx = ctx; /* locals are not reliable after longjmp */
	if (setjmp(fr.jb) == 0) {
		lisp_signal(vctx, fr.value);
		lisp_frame_pop(vctx, &fr);
		print_warning(vctx, fr.value);
		return LISP_NIL;
	}
	lisp_frame_land(vctx, &fr);
	vctx->mv_n = 1;
	return LISP_NIL;
}

BUILTIN(b_muffle_warning)
{
	lv tag = lisp_intern(ctx, "muffle-warning");
	for (struct lframe *f = ctx->frames; f; f = f->prev)
		if (f->kind == FR_CATCH && f->tag == tag) {
			ctx->mv_n = 1;
			ctx->mv[0] = LISP_NIL;
			lisp_unwind_to(ctx, f);
		}
	lisp_error_type(ctx, ctx->s.control_error, "MUFFLE-WARNING: no warning is being signalled");
}

static lv initarg(struct lisp_ctx *ctx, lv c, lv key)
{
	if (!lisp_is(c, LISP_CONDITION))
		lisp_type_error(ctx, c, "condition");
	return lisp_plist_get(COND(c)->initargs, key, LISP_NIL);
}

BUILTIN(b_format_control)
{
	return initarg(ctx, argv[0], ctx->s.k_format_control);
}
BUILTIN(b_format_arguments)
{
	return initarg(ctx, argv[0], ctx->s.k_format_arguments);
}
BUILTIN(b_type_error_datum)
{
	return initarg(ctx, argv[0], ctx->s.k_datum);
}
BUILTIN(b_type_error_expected)
{
	return initarg(ctx, argv[0], ctx->s.k_expected_type);
}
BUILTIN(b_cell_error_name)
{
	return initarg(ctx, argv[0], ctx->s.k_name);
}

/* ---- types ---- */

BUILTIN(b_typep)
{
	return lisp_bool(ctx, lisp_typep(ctx, argv[0], argv[1]));
}

BUILTIN(b_subtypep)
{
	lv a = argv[0], b = argv[1];
	bool yes = a == b || b == ctx->t || a == LISP_NIL;
	bool sure = yes;
	if (!yes && lisp_condition_type_p(ctx, a) && lisp_condition_type_p(ctx, b)) {
		yes = lisp_condition_subtypep(ctx, a, b);
		sure = true;
	}
	return lisp_values2(ctx, lisp_bool(ctx, yes), lisp_bool(ctx, sure));
}

BUILTIN(b_type_of)
{
	lv v = argv[0];
	const char *n;
	switch (lisp_type_of(v)) {
	case LISP_FIXNUM:
		n = "fixnum";
		break;
	case LISP_BIGNUM:
		n = "bignum";
		break;
	case LISP_FLOAT:
		n = "double-float";
		break;
	case LISP_CHAR:
		n = "character";
		break;
	case LISP_NULL:
		n = "null";
		break;
	case LISP_CONS:
		n = "cons";
		break;
	case LISP_SYMBOL:
		n = v == ctx->t ? "boolean" : lisp_keywordp(v) ? "keyword" : "symbol";
		break;
	case LISP_STRING:
		n = "string";
		break;
	case LISP_VECTOR:
		n = "vector";
		break;
	case LISP_HASH:
		n = "hash-table";
		break;
	case LISP_CLOSURE:
	case LISP_BUILTIN:
		n = "function";
		break;
	case LISP_PACKAGE:
		n = "package";
		break;
	case LISP_CONDITION:
		return COND(v)->type;
	case LISP_STREAM:
		n = "stream";
		break;
	case LISP_FOREIGN:
		return lisp_intern(ctx, lisp_str(FOR(v)->type));
	default:
		n = "t";
		break;
	}
	return lisp_intern(ctx, n);
}

/* ---- hooks for the SETF machinery in the prelude ---- */

/* (system::%setf-info name) => kind, object: :updater (value last),
 * :function (value first), :expander, or NIL */
BUILTIN(b_setf_info)
{
	if (!lisp_symbolp(argv[0]))
		return lisp_values2(ctx, LISP_NIL, LISP_NIL);
	struct lisp_symbol *s = lisp_sym(ctx, argv[0]);
	lv exp = lisp_plist_get(s->plist, ctx->s.s_setf_expander, NULL);
	if (exp)
		return lisp_values2(ctx, lisp_intern(ctx, ":expander"), exp);
	if (s->setf && (s->h.flags & SYM_SETF_UPDATER)) {
		lv u = s->setf;
		/* a named updater reads better in expansions: (system::%aset v i x) */
		if (lisp_is(u, LISP_BUILTIN) && lisp_is(BUI(u)->name, LISP_SYMBOL) &&
		    lisp_sym(ctx, BUI(u)->name)->function == u)
			u = BUI(u)->name;
		return lisp_values2(ctx, lisp_intern(ctx, ":updater"), u);
	}
	if (s->setf && (s->h.flags & SYM_SETF_FUNCTION))
		return lisp_values2(ctx, lisp_intern(ctx, ":function"), s->setf);
	return lisp_values2(ctx, LISP_NIL, LISP_NIL);
}

/* (system::%defsetf name updater): the short form of DEFSETF */
BUILTIN(b_defsetf)
{
	struct lisp_symbol *s = lisp_sym(ctx, lisp_check_symbol(ctx, argv[0]));
	s->setf = argv[1];
	s->h.flags = (uint16_t)((s->h.flags & ~SYM_SETF_FUNCTION) | SYM_SETF_UPDATER);
	lv pl = s->plist;
	/* a later DEFSETF replaces an expander */
	for (lv l = pl; lisp_consp(l) && lisp_consp(lisp_cdr(l)); l = lisp_cddr(l))
		if (lisp_car(l) == ctx->s.s_setf_expander)
			CONS(lisp_cdr(l))->car = NULL;
	lisp_mx_cache_clear(ctx);
	return argv[0];
}

/* (system::%set-setf-expander name fn): fn maps (place env) to five values */
BUILTIN(b_set_setf_expander)
{
	struct lisp_symbol *s = lisp_sym(ctx, lisp_check_symbol(ctx, argv[0]));
	s->plist = lisp_cons(ctx, ctx->s.s_setf_expander, lisp_cons(ctx, argv[1], s->plist));
	lisp_mx_cache_clear(ctx);
	return argv[0];
}

static const struct lisp_builtin_def defs[] = {
	{ "values", b_values, 0, -1 },
	{ "values-list", b_values_list, 1, 1 },
	{ "funcall", b_funcall, 1, -1 },
	{ "apply", b_apply, 2, -1 },
	{ "eval", b_eval, 1, 1 },
	{ "macroexpand-1", b_macroexpand_1, 1, 2 },
	{ "macroexpand", b_macroexpand, 1, 2 },
	{ "macro-function", b_macro_function, 1, 2 },
	{ "system::%set-macro-function", b_set_macro_function, 2, 3 },
	{ "special-operator-p", b_special_operator_p, 1, 1 },
	{ "fboundp", b_fboundp, 1, 1 },
	{ "fdefinition", b_fdefinition, 1, 1 },
	{ "symbol-function", b_fdefinition, 1, 1 },
	{ "system::%set-fdefinition", b_set_fdefinition, 2, 2 },
	{ "fmakunbound", b_fmakunbound, 1, 1 },
	{ "functionp", b_functionp, 1, 1 },
	{ "identity", b_identity, 1, 1 },
	{ "compile", b_compile, 1, 2 },
	{ "proclaim", b_ignore, 1, 1 },
	{ "require", b_ignore, 1, 2 },
	{ "provide", b_ignore, 1, 1 },
	/* system definition and library loading: the Whistler library is built in */
	{ "asdf:load-system", b_ignore, 1, -1 },
	{ "asdf:oos", b_ignore, 2, -1 },
	{ "asdf:operate", b_ignore, 2, -1 },
	{ "asdf:require-system", b_ignore, 1, -1 },
	{ "ql:quickload", b_ignore, 1, -1 },
	{ "make-condition", b_make_condition, 1, -1 },
	{ "error", b_error, 1, -1 },
	{ "cerror", b_cerror, 2, -1 },
	{ "signal", b_signal, 1, -1 },
	{ "warn", b_warn, 1, -1 },
	{ "muffle-warning", b_muffle_warning, 0, 1 },
	{ "simple-condition-format-control", b_format_control, 1, 1 },
	{ "simple-condition-format-arguments", b_format_arguments, 1, 1 },
	{ "type-error-datum", b_type_error_datum, 1, 1 },
	{ "type-error-expected-type", b_type_error_expected, 1, 1 },
	{ "cell-error-name", b_cell_error_name, 1, 1 },
	{ "typep", b_typep, 2, 3 },
	{ "subtypep", b_subtypep, 2, 3 },
	{ "type-of", b_type_of, 1, 1 },
	{ "system::%setf-info", b_setf_info, 1, 1 },
	{ "system::%defsetf", b_defsetf, 2, 2 },
	{ "system::%set-setf-expander", b_set_setf_expander, 2, 2 },
};

void lisp_init_eval_builtins(struct lisp_ctx *ctx)
{
	lisp_register_builtins(ctx, defs, ARRAY_LEN(defs));
	lv reg = lisp_intern(ctx, "asdf:*central-registry*");
	SYM(reg)->value = LISP_NIL;
	reg->flags |= SYM_SPECIAL;
}
