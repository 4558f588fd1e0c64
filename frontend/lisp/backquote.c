/* Backquote, expanded when read, innermost first (as in CLtL2's appendix C):
 * a template becomes LIST, LIST*, APPEND, NCONC and QUOTE code, so nested backquotes
 * work because an inner expansion is code that still holds the outer commas. */
#include "frontend/lisp/internal.h"

#include <stdlib.h>
#include <string.h>

struct bq {
	struct lisp_ctx *ctx;
	lv unquote, splice, nsplice, vector;
	struct srcloc loc;
};

static bool marker_form(const struct bq *b, lv x, lv marker)
{
	return lisp_consp(x) && lisp_car(x) == marker && lisp_consp(lisp_cdr(x)) &&
	       lisp_cddr(x) == LISP_NIL;
}

static bool has_unquote(const struct bq *b, lv x, int depth)
{
	if (depth > 2000)
		return true;
	for (size_t n = 0; lisp_consp(x) && n < 1000000; x = lisp_cdr(x), n++) {
		lv a = lisp_car(x);
		if (a == b->unquote || a == b->splice || a == b->nsplice)
			return true;
		if (lisp_consp(a) && has_unquote(b, a, depth + 1))
			return true;
	}
	return false;
}

static lv mk(const struct bq *b, struct srcloc loc, int n, lv *items)
{
	lv r = LISP_NIL;
	for (int i = n; i-- > 0;)
		r = lisp_cons_at(b->ctx, items[i], r, loc);
	return r;
}

static bool self_evaluating(struct lisp_ctx *ctx, lv x)
{
	return !lisp_symbolp(x) && !lisp_consp(x)
		       ? true
		       : x == LISP_NIL || x == ctx->t || lisp_keywordp(x);
}

static lv quoted(const struct bq *b, lv x, struct srcloc loc)
{
	if (self_evaluating(b->ctx, x))
		return x;
	lv items[2] = { b->ctx->s.quote, x };
	return mk(b, loc, 2, items);
}

static lv expand(const struct bq *b, lv x, int depth);

static lv to_vector(const struct bq *b, lv items)
{
	size_t n = lisp_list_length(items);
	lv v = lisp_make_vector(b->ctx, n, LISP_NIL);
	size_t i = 0;
	for (lv l = items; lisp_consp(l) && i < n; l = lisp_cdr(l))
		lisp_vector_data(v)[i++] = lisp_car(l);
	return v;
}

/* Constant parts of a template, with #( markers turned into vectors. */
static lv constant(const struct bq *b, lv x, int depth)
{
	if (!lisp_consp(x) || depth > 2000)
		return x;
	if (lisp_car(x) == b->vector) {
		lv items = LISP_NIL;
		for (lv l = lisp_cdr(x); lisp_consp(l); l = lisp_cdr(l))
			items = lisp_cons(b->ctx, constant(b, lisp_car(l), depth + 1), items);
		return to_vector(b, lisp_nreverse(items));
	}
	bool vec_inside = false;
	for (lv l = x; lisp_consp(l); l = lisp_cdr(l))
		if (lisp_consp(lisp_car(l)))
			vec_inside = true;
	if (!vec_inside)
		return x;
	for (lv l = x; lisp_consp(l); l = lisp_cdr(l))
		CONS(l)->car = constant(b, CONS(l)->car, depth + 1);
	return x;
}

enum seg_kind { SEG_ONE, SEG_SPLICE, SEG_NSPLICE };

static lv expand_list(const struct bq *b, lv x, int depth)
{
	struct lisp_ctx *ctx = b->ctx;
	struct srcloc loc = lisp_loc(x).line ? lisp_loc(x) : b->loc;
	VEC(lv) segs = { 0 }; /* pairs: kind (fixnum), code */
	lv tail = LISP_NIL;
	bool any_splice = false, any_nsplice = false;
	lv l = x;
	for (; lisp_consp(l); l = lisp_cdr(l)) {
		lv a = lisp_car(l);
		if (a == b->unquote && marker_form(b, l, b->unquote)) {
			tail = lisp_cadr(l); /* (a . ,b) */
			l = LISP_NIL;
			break;
		}
		if ((a == b->splice || a == b->nsplice) && marker_form(b, l, a)) {
			vec_free(&segs);
			lisp_error_at(ctx, x, "',@' or ',.' after a consing dot in a backquote");
		}
		enum seg_kind k = SEG_ONE;
		lv code;
		if (marker_form(b, a, b->unquote)) {
			code = lisp_cadr(a);
		} else if (marker_form(b, a, b->splice)) {
			code = lisp_cadr(a);
			k = SEG_SPLICE;
			any_splice = true;
		} else if (marker_form(b, a, b->nsplice)) {
			code = lisp_cadr(a);
			k = SEG_NSPLICE;
			any_splice = any_nsplice = true;
		} else {
			code = expand(b, a, depth + 1);
		}
		vec_push(&segs, lisp_fixnum(k));
		vec_push(&segs, code);
	}
	if (l != LISP_NIL)
		tail = quoted(b, constant(b, l, depth), loc);
	uint32_t nseg = segs.len / 2;
	lv result;
	if (!any_splice) {
		/* (list a b c) or (list* a b tail) */
		VEC(lv) items = { 0 };
		vec_push(&items, tail == LISP_NIL ? ctx->s.list : ctx->s.liststar);
		for (uint32_t i = 0; i < nseg; i++)
			vec_push(&items, segs.data[2 * i + 1]);
		if (tail != LISP_NIL)
			vec_push(&items, tail);
		result = items.len == 2 && tail != LISP_NIL
				 ? tail
				 : mk(b, loc, (int)items.len, items.data);
		vec_free(&items);
		vec_free(&segs);
		return result;
	}
	if (nseg == 1 && tail == LISP_NIL) {
		result = segs.data[1]; /* `(,@x) is x */
		vec_free(&segs);
		return result;
	}
	/* singles followed by one final splice and no tail: (list* a b x) */
	bool simple =
		tail == LISP_NIL && lisp_fixnum_value(segs.data[2 * (nseg - 1)]) == SEG_SPLICE;
	for (uint32_t i = 0; simple && i + 1 < nseg; i++)
		simple = lisp_fixnum_value(segs.data[2 * i]) == SEG_ONE;
	VEC(lv) items = { 0 };
	if (simple) {
		vec_push(&items, ctx->s.liststar);
		for (uint32_t i = 0; i < nseg; i++)
			vec_push(&items, segs.data[2 * i + 1]);
	} else {
		vec_push(&items, any_nsplice ? ctx->s.nconc : ctx->s.append);
		VEC(lv) run = { 0 };
		for (uint32_t i = 0; i < nseg; i++) {
			enum seg_kind k = (enum seg_kind)lisp_fixnum_value(segs.data[2 * i]);
			lv code = segs.data[2 * i + 1];
			if (k == SEG_ONE) {
				if (!run.len)
					vec_push(&run, ctx->s.list);
				vec_push(&run, code);
				continue;
			}
			if (run.len) {
				vec_push(&items, mk(b, loc, (int)run.len, run.data));
				run.len = 0;
			}
			bool last = i + 1 == nseg && tail == LISP_NIL;
			if (k == SEG_SPLICE && any_nsplice && !last) {
				lv cp[2] = { lisp_intern(ctx, "copy-list"), code };
				code = mk(b, loc, 2, cp);
			}
			vec_push(&items, code);
		}
		if (run.len)
			vec_push(&items, mk(b, loc, (int)run.len, run.data));
		if (tail != LISP_NIL)
			vec_push(&items, tail);
		vec_free(&run);
	}
	result = mk(b, loc, (int)items.len, items.data);
	vec_free(&items);
	vec_free(&segs);
	return result;
}

static lv expand(const struct bq *b, lv x, int depth)
{
	struct lisp_ctx *ctx = b->ctx;
	if (depth > 2000)
		lisp_error_at(ctx, x, "backquote template nested too deeply");
	struct srcloc loc = lisp_loc(x).line ? lisp_loc(x) : b->loc;
	if (!has_unquote(b, x, 0))
		return quoted(b, constant(b, x, depth), loc);
	if (marker_form(b, x, b->unquote))
		return lisp_cadr(x);
	if (marker_form(b, x, b->splice) || marker_form(b, x, b->nsplice))
		lisp_error_at(ctx, x, "',@' right after a backquote: nothing to splice into");
	if (lisp_car(x) == b->vector) {
		lv fn[2] = { ctx->s.function, ctx->s.vector };
		lv items[3] = { ctx->s.apply, mk(b, loc, 2, fn),
				expand_list(b, lisp_cdr(x), depth) };
		return mk(b, loc, 3, items);
	}
	return expand_list(b, x, depth);
}

lv lisp_backquote(struct lisp_ctx *ctx, lv form, struct srcloc loc)
{
	struct bq b = {
		.ctx = ctx,
		.unquote = lisp_intern_in(ctx, ctx->sys_pkg, "UNQUOTE", 7),
		.splice = lisp_intern_in(ctx, ctx->sys_pkg, "UNQUOTE-SPLICING", 16),
		.nsplice = lisp_intern_in(ctx, ctx->sys_pkg, "UNQUOTE-NSPLICING", 17),
		.vector = lisp_intern_in(ctx, ctx->sys_pkg, "BQ-VECTOR", 9),
		.loc = loc,
	};
	return expand(&b, form, 0);
}
