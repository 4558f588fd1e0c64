/* Lambda lists: ordinary ones (functions) over an argument array, and
 * destructuring ones (macros, DESTRUCTURING-BIND) over a list, where &rest
 * and &body share the form's own cells so their source locations survive. */
#include "frontend/lisp/internal.h"

#include <stdlib.h>
#include <string.h>

struct cursor {
	int argc, i;
	lv *argv;
	lv list; /* list mode when argv is NULL */
};

struct binder {
	struct lisp_ctx *ctx;
	lv env;
	lv fname;
	lv specials; /* declared special in the body: not known here, always NIL */
	bool destructuring;
};

static bool has_next(const struct cursor *c)
{
	return c->argv ? c->i < c->argc : lisp_consp(c->list);
}

static lv take(struct cursor *c)
{
	if (c->argv)
		return c->argv[c->i++];
	lv v = lisp_car(c->list);
	c->list = lisp_cdr(c->list);
	return v;
}

static lv remaining(struct lisp_ctx *ctx, const struct cursor *c)
{
	if (!c->argv)
		return c->list;
	return lisp_list_from(ctx, c->argv + c->i, (size_t)(c->argc - c->i), LISP_NIL);
}

static W_NORETURN W_PRINTF(2, 3) void fail(struct binder *b, const char *fmt, ...)
{
	struct lisp_ctx *ctx = b->ctx;
	va_list ap;
	va_start(ap, fmt);
	struct buf *msg = lisp_temp_buf(ctx);
	if (b->fname && b->fname != LISP_NIL) {
		char *n = lisp_print_to_cstring(ctx, b->fname, true);
		buf_printf(msg, "%s: ", n);
		free(n);
	}
	buf_vprintf(msg, fmt, ap);
	va_end(ap);
	lv s = lisp_temp_buf_string(ctx, msg);
	lisp_error_type(ctx, ctx->s.program_error, "%s", lisp_str(s));
}

static void bind_pattern(struct binder *b, lv pattern, lv value);

static void bind_var(struct binder *b, lv var, lv value)
{
	struct lisp_ctx *ctx = b->ctx;
	if (lisp_consp(var)) {
		if (!b->destructuring)
			fail(b, "nested lambda lists are only allowed in macro lambda lists");
		bind_pattern(b, var, value);
		return;
	}
	if (!lisp_symbolp(var) || var == LISP_NIL || var == ctx->t || lisp_keywordp(var) ||
	    (var->flags & SYM_CONSTANT))
		fail(b, "%s cannot be used as a variable",
		     lisp_symbolp(var) ? lisp_symbol_name(var) : "a non-symbol");
	if (var->flags & SYM_SPECIAL)
		lisp_bind_special(ctx, var, value);
	else
		b->env = lisp_env_push(ctx, ENV_VAR, var, value, b->env);
}

static bool find_key(const struct cursor *c, lv key, lv *value)
{
	lv l = c->list;
	if (c->argv) {
		for (int i = c->i; i + 1 < c->argc; i += 2)
			if (c->argv[i] == key) {
				*value = c->argv[i + 1];
				return true;
			}
		return false;
	}
	for (size_t n = 0; lisp_consp(l) && lisp_consp(lisp_cdr(l)) && n < 100000;
	     l = lisp_cddr(l), n++)
		if (lisp_car(l) == key) {
			*value = lisp_cadr(l);
			return true;
		}
	return false;
}

static void check_keys(struct binder *b, const struct cursor *c, lv params, bool allow)
{
	struct lisp_ctx *ctx = b->ctx;
	size_t n = 0;
	lv allow_val;
	if (find_key(c, ctx->s.k_allow_other_keys, &allow_val) && allow_val != LISP_NIL)
		allow = true;
	struct cursor k = *c;
	while (has_next(&k)) {
		if (++n > 200000)
			fail(b, "too many &key arguments");
		lv key = take(&k);
		if (!has_next(&k))
			fail(b, "odd number of &key arguments");
		take(&k);
		if (allow || key == ctx->s.k_allow_other_keys)
			continue;
		bool known = false;
		size_t np = 0;
		for (lv p = params; lisp_consp(p) && !known && np < 10000; p = lisp_cdr(p), np++) {
			lv spec = lisp_car(p);
			if (spec == ctx->s.and_aux)
				break;
			lv var = lisp_consp(spec) ? lisp_car(spec) : spec;
			if (lisp_consp(var))
				known = lisp_car(var) == key;
			else if (lisp_is(var, LISP_SYMBOL) && lisp_keywordp(key))
				known = !strcmp(lisp_symbol_name(var), lisp_symbol_name(key));
		}
		if (!known) {
			char *ks = lisp_print_to_cstring(ctx, key, true);
			lv s = lisp_make_cstring(ctx, ks);
			free(ks);
			fail(b, "unknown &key argument %s", lisp_str(s));
		}
	}
}

enum state { REQ, OPT, REST, KEY, AUX };

static void bind_list(struct binder *b, lv params, struct cursor *c, lv whole, lv macro_env)
{
	struct lisp_ctx *ctx = b->ctx;
	enum state st = REQ;
	bool rest_seen = false, keys = false, allow_other = false;
	lv key_params = LISP_NIL;
	lv p = params;
	if (lisp_consp(p) && lisp_car(p) == ctx->s.and_whole) {
		if (!lisp_consp(lisp_cdr(p)))
			fail(b, "&whole needs a variable");
		bind_var(b, lisp_cadr(p), whole ? whole : remaining(ctx, c));
		p = lisp_cddr(p);
	}
	size_t guard = 0;
	for (; lisp_consp(p); p = lisp_cdr(p)) {
		lisp_tick(ctx);
		if (++guard > 100000)
			fail(b, "lambda list too long");
		lv x = lisp_car(p);
		if (x == ctx->s.and_optional) {
			if (st >= OPT)
				fail(b, "misplaced &optional in lambda list");
			st = OPT;
			continue;
		}
		if (x == ctx->s.and_rest || x == ctx->s.and_body) {
			if (st >= REST || !lisp_consp(lisp_cdr(p)))
				fail(b, "misplaced %s in lambda list", lisp_symbol_name(x));
			p = lisp_cdr(p);
			bind_var(b, lisp_car(p), remaining(ctx, c));
			rest_seen = true;
			st = REST;
			continue;
		}
		if (x == ctx->s.and_key) {
			if (st >= KEY)
				fail(b, "misplaced &key in lambda list");
			st = KEY;
			keys = true;
			key_params = lisp_cdr(p);
			for (lv q = key_params; lisp_consp(q); q = lisp_cdr(q))
				if (lisp_car(q) == ctx->s.and_allow)
					allow_other = true;
			check_keys(b, c, key_params, allow_other);
			continue;
		}
		if (x == ctx->s.and_allow) {
			if (st != KEY)
				fail(b, "misplaced &allow-other-keys in lambda list");
			continue;
		}
		if (x == ctx->s.and_aux) {
			st = AUX;
			continue;
		}
		if (x == ctx->s.and_env) {
			if (!lisp_consp(lisp_cdr(p)))
				fail(b, "&environment needs a variable");
			p = lisp_cdr(p);
			bind_var(b, lisp_car(p), macro_env ? macro_env : LISP_NIL);
			continue;
		}
		if (x == ctx->s.and_whole)
			fail(b, "&whole must come first in a lambda list");
		switch (st) {
		case REQ:
			if (!has_next(c))
				fail(b, "too few arguments (%s)",
				     b->destructuring ? "not enough elements to destructure"
						      : "a required parameter has no value");
			bind_var(b, x, take(c));
			break;
		case OPT: {
			lv var = x, init = LISP_NIL, svar = NULL;
			if (lisp_consp(x)) {
				var = lisp_car(x);
				init = lisp_cadr(x);
				if (lisp_consp(lisp_cddr(x)))
					svar = lisp_caddr(x);
			}
			bool supplied = has_next(c);
			lv v = supplied ? take(c) : lisp_eval_in(ctx, init, b->env);
			bind_var(b, var, v);
			if (svar)
				bind_var(b, svar, lisp_bool(ctx, supplied));
			break;
		}
		case REST:
			fail(b, "more than one variable after &rest");
		case KEY: {
			lv var = x, init = LISP_NIL, svar = NULL, key;
			if (lisp_consp(x)) {
				var = lisp_car(x);
				init = lisp_cadr(x);
				if (lisp_consp(lisp_cddr(x)))
					svar = lisp_caddr(x);
			}
			if (lisp_consp(var)) {
				key = lisp_car(var);
				var = lisp_cadr(var);
			} else {
				if (!lisp_symbolp(var))
					fail(b, "bad &key parameter");
				key = lisp_intern_in(ctx, ctx->keyword_pkg, lisp_symbol_name(var),
						     strlen(lisp_symbol_name(var)));
			}
			lv v;
			bool supplied = find_key(c, key, &v);
			if (!supplied)
				v = lisp_eval_in(ctx, init, b->env);
			bind_var(b, var, v);
			if (svar)
				bind_var(b, svar, lisp_bool(ctx, supplied));
			break;
		}
		case AUX: {
			lv var = lisp_consp(x) ? lisp_car(x) : x;
			lv init = lisp_consp(x) ? lisp_cadr(x) : LISP_NIL;
			bind_var(b, var, lisp_eval_in(ctx, init, b->env));
			break;
		}
		}
	}
	if (p != LISP_NIL) {
		/* dotted lambda list: (a b . rest) */
		if (st >= REST)
			fail(b, "dotted lambda list after &rest or &key");
		bind_var(b, p, remaining(ctx, c));
		rest_seen = true;
	}
	if (!rest_seen && !keys && has_next(c))
		fail(b, "too many arguments%s",
		     b->destructuring ? " (extra elements to destructure)" : "");
	if (!c->argv && !rest_seen && !keys && c->list != LISP_NIL)
		fail(b, "dotted list where a proper list was expected");
}

static void bind_pattern(struct binder *b, lv pattern, lv value)
{
	if (!lisp_listp(value)) {
		char *s = lisp_print_to_cstring(b->ctx, value, true);
		lv v = lisp_make_cstring(b->ctx, s);
		free(s);
		fail(b, "cannot destructure %s: it is not a list", lisp_str(v));
	}
	struct cursor c = { .list = value };
	bind_list(b, pattern, &c, NULL, NULL);
}

lv lisp_bind_lambda_list(struct lisp_ctx *ctx, lv params, lv env, int argc, lv *argv, lv list,
			 lv whole, lv macro_env, lv fname)
{
	struct binder b = {
		.ctx = ctx,
		.env = env,
		.fname = fname,
		.destructuring = argv == NULL,
	};
	struct cursor c = { .argc = argc, .argv = argv, .list = list };
	if (!argv && !lisp_listp(list))
		fail(&b, "cannot destructure a non-list");
	if (!lisp_listp(params) && !lisp_symbolp(params))
		fail(&b, "malformed lambda list");
	bind_list(&b, params, &c, whole, macro_env);
	return b.env;
}
