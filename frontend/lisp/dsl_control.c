/* Control forms in the DSL: if, when, unless, cond, case, and/or/not (tests
 * become conditional branches; values meet at join blocks), when-let and
 * if-let (guards that bind), return, and the guarded parse-* values. */
#include "frontend/lisp/dsl_internal.h"

#include <string.h>

/* ---- joins ------------------------------------------------------------------------- */

/* Branch results meeting at a join: each is converted to one type before its
 * branch jumps there, then the join reads them through a hidden variable. */
struct join {
	uint32_t blk;
	uint32_t n;
	uint32_t ends[64];
	struct dval vals[64];
	struct srcloc locs[64];
	bool want;
};

static void join_add(struct fb *fb, struct join *j, struct dval v, struct srcloc loc)
{
	if (fb->cur == FB_NONE)
		return;
	if (j->n == 64) {
		fb_error(fb, loc, "too many branches meet here (at most 64)");
		fb_jmp(fb, j->blk);
		return;
	}
	j->ends[j->n] = fb->cur;
	j->vals[j->n] = v;
	j->locs[j->n] = loc;
	j->n++;
	fb->cur = FB_NONE; /* jumps are made in join_end, after conversions */
}

static struct dtype unify(struct fb *fb, struct join *j, bool *ok)
{
	struct dtype t = { 0 };
	bool have = false;
	*ok = true;
	for (uint32_t i = 0; i < j->n; i++) {
		struct dval v = j->vals[i];
		if (v.poison || v.t.kind == DT_VOID || v.is_const)
			continue;
		if (!have) {
			t = v.t;
			have = true;
			continue;
		}
		if (t.kind != v.t.kind) {
			*ok = false;
			fb_error(fb, j->locs[i], "the branches give a pointer and an integer");
			return DT_U64;
		}
		if (t.kind == DT_PTR) {
			if (t.region != v.t.region) {
				*ok = false;
				fb_error(
					fb, j->locs[i],
					"the branches give different kinds of pointers (ptr.%s and ptr.%s)",
					ir_regions[t.region].name, ir_regions[v.t.region].name);
				return DT_U64;
			}
			if (t.sid != v.t.sid)
				t.sid = 0;
		} else {
			t.size = MAX(t.size, v.t.size);
			t.sign = t.sign && v.t.sign;
		}
	}
	if (!have) {
		/* only constants: 32 bits when they all fit */
		for (uint32_t i = 0; i < j->n; i++)
			if (j->vals[i].is_const && !j->vals[i].poison &&
			    (j->vals[i].cval < 0 || j->vals[i].cval > (int64_t)UINT32_MAX))
				return DT_U64;
		return DT_U32;
	}
	if (t.kind == DT_PTR)
		for (uint32_t i = 0; i < j->n; i++)
			if (j->vals[i].is_const && !j->vals[i].poison) {
				*ok = false;
				fb_error(fb, j->locs[i],
					 "one branch gives a pointer, this one the integer %lld",
					 (long long)j->vals[i].cval);
				dsl_hint(
					fb->d,
					"a pointer cannot be merged with 0; test it with when-let or if-let instead");
				return DT_U64;
			}
	if (t.kind == DT_INT) {
		/* constants that do not fit widen the type */
		for (uint32_t i = 0; i < j->n; i++)
			if (j->vals[i].is_const && !j->vals[i].poison &&
			    dsl_const_cast(j->vals[i].cval, t) != j->vals[i].cval)
				t.size = 8;
	}
	return t;
}

static struct dval join_end(struct fb *fb, struct join *j)
{
	struct dtype t = DT_U64;
	bool ok = true;
	if (j->want)
		t = unify(fb, j, &ok);
	uint32_t var = 0;
	if (j->want && ok) {
		var = fb_var_new(fb, LISP_NIL, t);
		fb->scope.len--; /* hidden */
	}
	for (uint32_t i = 0; i < j->n; i++) {
		fb->cur = j->ends[i];
		if (j->want && ok) {
			struct dval v = j->vals[i];
			if (v.poison || v.t.kind == DT_VOID)
				v = dv_const(0);
			v = dv_convert(fb, v, t, j->locs[i], "this branch");
			if (!v.is_const && !v.poison)
				fb_var_write(fb, var, v);
			else {
				struct dval c = dv_const(v.poison ? 0 : v.cval);
				c.t = t;
				fb_var_write(fb, var, c);
			}
		}
		fb_jmp(fb, j->blk);
	}
	fb_seal(fb, j->blk);
	if (!fb->blocks.data[j->blk].preds.len) {
		fb->cur = FB_NONE;
		return dv_poison();
	}
	fb->cur = j->blk;
	if (!j->want || !ok)
		return ok ? dv_const(0) : dv_poison();
	return fb_var_read(fb, var);
}

/* ---- conditionals -------------------------------------------------------------------- */

static struct dval lower_branch(struct fb *fb, lv body, struct srcloc loc, int want)
{
	return lower_body(fb, body, loc, want);
}

/* if/when/unless: then is a body, else a body or NULL. */
static struct dval lower_cond2(struct fb *fb, lv test, struct srcloc tloc, lv then_body,
			       lv else_body, struct srcloc loc, int want)
{
	uint32_t tb = fb_block(fb, "then"), eb = fb_block(fb, "else");
	struct join j = { .blk = fb_block(fb, "join"), .want = want };
	lower_test(fb, test, tloc, tb, eb);
	fb_seal(fb, tb);
	fb_seal(fb, eb);
	fb->cur = tb;
	if (fb->blocks.data[tb].preds.len) {
		struct dval v = lower_branch(fb, then_body, loc, want);
		join_add(fb, &j, v, loc);
	} else {
		fb->cur = FB_NONE;
	}
	fb->cur = eb;
	if (fb->blocks.data[eb].preds.len) {
		struct dval v = else_body ? lower_branch(fb, else_body, loc, want) : dv_const(0);
		join_add(fb, &j, v, loc);
	} else {
		fb->cur = FB_NONE;
	}
	return join_end(fb, &j);
}

struct dval dsl_p_if(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_if(struct fb *fb, lv form, struct srcloc loc, int want)
{
	size_t n = form_len(form);
	if (n < 3 || n > 4)
		return fb_error(fb, loc, "if takes a test, a then form and an optional else form");
	lv then_body = lisp_cons(fb->d->ctx, form_nth(form, 2), LISP_NIL);
	lisp_set_loc(then_body, form_nth_loc(fb, form, 2, loc));
	((struct lisp_cons *)then_body)->car_loc = form_nth_loc(fb, form, 2, loc);
	lv else_body = NULL;
	if (n == 4) {
		else_body = lisp_cons(fb->d->ctx, form_nth(form, 3), LISP_NIL);
		((struct lisp_cons *)else_body)->car_loc = form_nth_loc(fb, form, 3, loc);
	}
	return lower_cond2(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), then_body,
			   else_body, loc, want);
}

struct dval dsl_p_when(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_when(struct fb *fb, lv form, struct srcloc loc, int want)
{
	return lower_cond2(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), lisp_cddr(form),
			   NULL, loc, want);
}

struct dval dsl_p_unless(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_unless(struct fb *fb, lv form, struct srcloc loc, int want)
{
	uint32_t tb = fb_block(fb, "unless"), eb = fb_block(fb, "else");
	struct join j = { .blk = fb_block(fb, "join"), .want = want };
	lower_test(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), eb, tb);
	fb_seal(fb, tb);
	fb_seal(fb, eb);
	fb->cur = tb;
	if (fb->blocks.data[tb].preds.len)
		join_add(fb, &j, lower_body(fb, lisp_cddr(form), loc, want), loc);
	else
		fb->cur = FB_NONE;
	fb->cur = eb;
	if (fb->blocks.data[eb].preds.len)
		join_add(fb, &j, dv_const(0), loc);
	else
		fb->cur = FB_NONE;
	return join_end(fb, &j);
}

struct dval dsl_p_cond(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_cond(struct fb *fb, lv form, struct srcloc loc, int want)
{
	struct join j = { .blk = fb_block(fb, "cond"), .want = want };
	bool done = false;
	for (lv l = lisp_cdr(form); lisp_consp(l) && !done && fb->cur != FB_NONE; l = lisp_cdr(l)) {
		lv clause = lisp_car(l);
		struct srcloc cl = form_nth_loc(fb, l, 0, loc);
		if (!lisp_consp(clause)) {
			fb_error(fb, cl, "a cond clause is (TEST BODY...)");
			continue;
		}
		lv test = lisp_car(clause);
		if (sym_is(test, "T") || sym_is(test, "OTHERWISE")) {
			join_add(fb, &j, lower_body(fb, lisp_cdr(clause), cl, want), cl);
			done = true;
			break;
		}
		uint32_t tb = fb_block(fb, "clause"), next = fb_block(fb, "next");
		if (lisp_cdr(clause) == LISP_NIL && want) {
			/* (test) alone gives the test's value */
			struct dval v =
				lower(fb, test, form_nth_loc(fb, clause, 0, cl), WANT_VALUE);
			if (fb->cur == FB_NONE)
				break;
			uint32_t var = fb_var_new(fb, LISP_NIL, v.is_const ? DT_U64 : v.t);
			fb->scope.len--;
			fb_var_write(fb, var, v);
			if (dv_is_ptr(v))
				fb_br(fb, IR_CHKNULL, v.ref, IR_NOREF, tb, next);
			else
				fb_br(fb, IR_BR_NE,
				      dv_op(fb, v, v.t.size == 8 || v.is_const ? IR_I64 : IR_I32),
				      fb_con(fb, 0), tb, next);
			fb_seal(fb, tb);
			fb->cur = tb;
			join_add(fb, &j, fb_var_read(fb, var), cl);
		} else {
			lower_test(fb, test, form_nth_loc(fb, clause, 0, cl), tb, next);
			fb_seal(fb, tb);
			fb->cur = tb;
			if (fb->blocks.data[tb].preds.len)
				join_add(fb, &j, lower_body(fb, lisp_cdr(clause), cl, want), cl);
			else
				fb->cur = FB_NONE;
		}
		fb_seal(fb, next);
		fb->cur = fb->blocks.data[next].preds.len ? next : FB_NONE;
	}
	if (!done && fb->cur != FB_NONE)
		join_add(fb, &j, dv_const(0), loc);
	return join_end(fb, &j);
}

/* (case key (k body...) ((k1 k2) body...) (t body...)) with constant keys. */
struct dval dsl_p_case(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_case(struct fb *fb, lv form, struct srcloc loc, int want)
{
	struct dval key = lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	if (fb->cur == FB_NONE || key.poison)
		return dv_poison();
	if (dv_is_ptr(key))
		return fb_error(fb, loc, "case needs an integer key, not a pointer");
	unsigned cls = key.is_const || key.t.size == 8 ? IR_I64 : IR_I32;
	ir_ref k = dv_op(fb, key, cls);
	struct join j = { .blk = fb_block(fb, "case"), .want = want };
	bool done = false;
	for (lv l = lisp_cddr(form); lisp_consp(l) && !done && fb->cur != FB_NONE;
	     l = lisp_cdr(l)) {
		lv clause = lisp_car(l);
		struct srcloc cl = form_nth_loc(fb, l, 0, loc);
		if (!lisp_consp(clause)) {
			fb_error(fb, cl, "a case clause is (KEY BODY...) or ((KEYS...) BODY...)");
			continue;
		}
		lv keys = lisp_car(clause);
		if (sym_is(keys, "T") || sym_is(keys, "OTHERWISE")) {
			join_add(fb, &j, lower_body(fb, lisp_cdr(clause), cl, want), cl);
			done = true;
			break;
		}
		if (!lisp_listp(keys) || keys == LISP_NIL)
			keys = lisp_cons(fb->d->ctx, keys, LISP_NIL);
		uint32_t body = fb_block(fb, "of");
		for (lv kl = keys; lisp_consp(kl) && fb->cur != FB_NONE; kl = lisp_cdr(kl)) {
			struct dval kv =
				lower(fb, lisp_car(kl), form_nth_loc(fb, kl, 0, cl), WANT_VALUE);
			if (!kv.is_const) {
				if (!kv.poison)
					fb_error(fb, form_nth_loc(fb, kl, 0, cl),
						 "case keys must be constants");
				continue;
			}
			uint32_t next = fb_block(fb, "key");
			int64_t c = cls == IR_I32 ? dsl_const_cast(kv.cval, key.t) : kv.cval;
			if (cls == IR_I32 && c != kv.cval) {
				/* a key the value can never equal */
				fb_jmp(fb, next);
			} else {
				fb_br(fb, IR_BR_EQ, k,
				      fb_con(fb, cls == IR_I32 ? (int64_t)(uint32_t)c : c), body,
				      next);
			}
			fb_seal(fb, next);
			fb->cur = next;
		}
		uint32_t after = fb->cur;
		fb_seal(fb, body);
		fb->cur = body;
		if (fb->blocks.data[body].preds.len)
			join_add(fb, &j, lower_body(fb, lisp_cdr(clause), cl, want), cl);
		else
			fb->cur = FB_NONE;
		fb->cur = after;
	}
	if (!done && fb->cur != FB_NONE)
		join_add(fb, &j, dv_const(0), loc);
	return join_end(fb, &j);
}

/* and/or/not as values are 0 or 1. */
static struct dval bool_value(struct fb *fb, lv form, struct srcloc loc)
{
	uint32_t tb = fb_block(fb, "true"), eb = fb_block(fb, "false");
	struct join j = { .blk = fb_block(fb, "bool"), .want = true };
	lower_test(fb, form, loc, tb, eb);
	fb_seal(fb, tb);
	fb_seal(fb, eb);
	fb->cur = fb->blocks.data[tb].preds.len ? tb : FB_NONE;
	struct dval one = dv_const(1), zero = dv_const(0);
	one.t = zero.t = DT_U32;
	join_add(fb, &j, one, loc);
	fb->cur = fb->blocks.data[eb].preds.len ? eb : FB_NONE;
	join_add(fb, &j, zero, loc);
	struct dval v = join_end(fb, &j);
	if (!v.poison && !v.is_const)
		v.t = DT_U32;
	return v;
}

struct dval dsl_p_andor(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_andor(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (!want) {
		uint32_t tb = fb_block(fb, "and"), eb = fb_block(fb, "join");
		lower_test(fb, form, loc, tb, eb);
		fb_seal(fb, tb);
		if (fb->blocks.data[tb].preds.len) {
			fb->cur = tb;
			fb_jmp(fb, eb);
		}
		fb_seal(fb, eb);
		fb->cur = fb->blocks.data[eb].preds.len ? eb : FB_NONE;
		return dv_const(0);
	}
	return bool_value(fb, form, loc);
}

struct dval dsl_p_not(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_not(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (form_len(form) != 2)
		return fb_error(fb, loc, "%s takes one argument",
				dsl_lisp_name(fb->d, lisp_car(form)));
	return bool_value(fb, form, loc);
}

/* ---- when-let / if-let -------------------------------------------------------------- */

/* Binds each (var init) / (var type init) of `bindings`; when one is 0 or
 * NULL (or its parse-* guard fails) control goes to *fail. */
static bool bind_guarded(struct fb *fb, lv bindings, struct srcloc loc, uint32_t *fail)
{
	if (lisp_consp(bindings) && lisp_symbolp(lisp_car(bindings)))
		bindings = lisp_cons(fb->d->ctx, bindings, LISP_NIL); /* (if-let (v init) ...) */
	for (lv l = bindings; lisp_consp(l) && fb->cur != FB_NONE; l = lisp_cdr(l)) {
		struct binding b;
		lv init;
		struct srcloc bl = form_nth_loc(fb, l, 0, loc);
		if (!dsl_parse_binding(fb, lisp_car(l), bl, &b, &init))
			return false;
		if (!init) {
			fb_error(fb, bl, "a when-let binding needs an initial value");
			return false;
		}
		struct dval v =
			lower_guarded(fb, lisp_cadr(init), form_nth_loc(fb, init, 1, bl), fail);
		if (fb->cur == FB_NONE || v.poison)
			return false;
		b.init = v;
		b.has_init = true;
		struct dtype t = dsl_binding_type(&b, NULL, 0);
		/* the guard: non-zero / non-NULL */
		if (*fail == FB_NONE)
			*fail = fb_block(fb, "nil");
		uint32_t ok = fb_block(fb, "bound");
		if (v.is_const) {
			fb_jmp(fb, v.cval ? ok : *fail);
		} else if (dv_is_ptr(v)) {
			if (ir_regions[v.t.region].props & RG_NULLABLE)
				fb_br(fb, IR_CHKNULL, v.ref, IR_NOREF, ok, *fail);
			else
				fb_jmp(fb, ok);
		} else {
			fb_br(fb, IR_BR_NE, dv_op(fb, v, v.t.size == 8 ? IR_I64 : IR_I32),
			      fb_con(fb, 0), ok, *fail);
		}
		fb_seal(fb, ok);
		fb->cur = fb->blocks.data[ok].preds.len ? ok : FB_NONE;
		if (dv_is_ptr(v) && v.t.region == RG_MAPVAL_NULL)
			v.t.region = RG_MAPVAL_NULL; /* the IR verifier knows it is checked here */
		b.init = v;
		dsl_bind(fb, &b, t, LISP_NIL);
	}
	return fb->cur != FB_NONE;
}

struct dval dsl_p_when_let(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_when_let(struct fb *fb, lv form, struct srcloc loc, int want)
{
	struct join j = { .blk = fb_block(fb, "join"), .want = want };
	uint32_t fail = FB_NONE;
	fb_scope_push(fb);
	if (bind_guarded(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), &fail))
		join_add(fb, &j, lower_body(fb, lisp_cddr(form), loc, want), loc);
	fb_scope_pop(fb);
	if (fail != FB_NONE) {
		fb_seal(fb, fail);
		fb->cur = fb->blocks.data[fail].preds.len ? fail : FB_NONE;
		join_add(fb, &j, dv_const(0), loc);
	}
	fb->cur = FB_NONE;
	return join_end(fb, &j);
}

struct dval dsl_p_if_let(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_if_let(struct fb *fb, lv form, struct srcloc loc, int want)
{
	size_t n = form_len(form);
	if (n < 3 || n > 4)
		return fb_error(fb, loc,
				"if-let takes a binding, a then form and an optional else form");
	struct join j = { .blk = fb_block(fb, "join"), .want = want };
	uint32_t fail = FB_NONE;
	fb_scope_push(fb);
	if (bind_guarded(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), &fail))
		join_add(fb, &j, lower(fb, form_nth(form, 2), form_nth_loc(fb, form, 2, loc), want),
			 loc);
	fb_scope_pop(fb);
	if (fail != FB_NONE) {
		fb_seal(fb, fail);
		fb->cur = fb->blocks.data[fail].preds.len ? fail : FB_NONE;
		struct dval e =
			n == 4 ? lower(fb, form_nth(form, 3), form_nth_loc(fb, form, 3, loc), want)
			       : dv_const(0);
		join_add(fb, &j, e, loc);
	}
	fb->cur = FB_NONE;
	return join_end(fb, &j);
}

/* ---- return ----------------------------------------------------------------------------- */

struct dval dsl_p_return(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_return(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (form_len(form) > 2)
		return fb_error(fb, loc, "return takes at most one value");
	if (fb->outer)
		return fb_error(fb, loc,
				"return cannot leave the program from inside loop-bounded");
	struct dval v = form_len(form) == 2 ? lower(fb, lisp_cadr(form),
						    form_nth_loc(fb, form, 1, loc), WANT_VALUE)
					    : dv_const(0);
	if (fb->cur == FB_NONE || v.poison) {
		fb->cur = FB_NONE;
		return dv_poison();
	}
	ir_ref r;
	if (fb->f->ret.cls == IR_I32) {
		if (dv_is_ptr(v))
			return fb_error(fb, loc,
					"a program returns an integer verdict, not a pointer");
		if (v.is_const && (v.cval < INT32_MIN || v.cval > (int64_t)UINT32_MAX))
			return fb_error(fb, loc, "return value %lld does not fit in 32 bits",
					(long long)v.cval);
		r = dv_op(fb, v, IR_I32);
	} else {
		if (dv_is_ptr(v))
			return fb_error(fb, loc, "a function returns an integer, not a pointer");
		r = dv_op(fb, v, IR_I64);
	}
	fb_term(fb, IR_RET, &r, 1, FB_NONE, FB_NONE);
	return dv_poison();
}

/* ---- guarded values (parse-*) ----------------------------------------------------------- */

struct dval dsl_p_parse_guarded(struct fb *fb, lv form, struct srcloc loc, uint32_t *fail);

struct dval lower_guarded(struct fb *fb, lv form, struct srcloc loc, uint32_t *fail)
{
	/* expand macros to find a parse-* form */
	for (int guard = 0; guard < 100 && lisp_consp(form) && lisp_symbolp(lisp_car(form));
	     guard++) {
		lv h = lisp_car(form);
		if (dsl_prim_lookup(fb->d, h) || dsl_acc_lookup(fb->d, h) ||
		    !lisp_macrop(fb->d->ctx, h, LISP_NIL))
			break;
		lv exp;
		bool expanded;
		if (lisp_macroexpand_1(fb->d->ctx, form, LISP_NIL, &exp, &expanded) || !expanded)
			break;
		form = exp;
		loc = dsl_loc_or(form, loc);
	}
	if (lisp_consp(form) && lisp_symbolp(lisp_car(form)) &&
	    !strncmp(lisp_symbol_name(lisp_car(form)), "PARSE-", 6) &&
	    dsl_prim_lookup(fb->d, lisp_car(form)))
		return dsl_p_parse_guarded(fb, form, dsl_loc_or(form, loc), fail);
	return lower(fb, form, loc, WANT_VALUE);
}
