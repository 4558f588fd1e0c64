/* Loops in the DSL: dotimes with a constant bound and while, as real loops
 * the verifier bounds; loop-bounded as a bpf_loop call whose body becomes a
 * callback subprogram reaching the enclosing variables through a context
 * struct on the stack; break and continue. */
#include "frontend/lisp/dsl_internal.h"

#include <string.h>

static struct dval lower_loop_body(struct fb *fb, lv body, struct srcloc loc, uint32_t brk,
				   uint32_t cont)
{
	struct floop l = { .brk = brk, .cont = cont, .scope_depth = fb->depth, .outer = fb->loop };
	fb->loop = &l;
	lower_body(fb, body, loc, WANT_EFFECT);
	fb->loop = l.outer;
	return dv_const(0);
}

/* (dotimes (i N [result]) body...) with N a compile-time constant. */
struct dval dsl_p_dotimes(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_dotimes(struct fb *fb, lv form, struct srcloc loc, int want)
{
	lv spec = lisp_cadr(form);
	if (!lisp_consp(spec) || !lisp_symbolp(lisp_car(spec)) || !lisp_consp(lisp_cdr(spec)))
		return fb_error(fb, loc, "dotimes takes (VAR COUNT) and a body");
	struct srcloc cl = form_nth_loc(fb, spec, 1, loc);
	struct dval n = lower(fb, lisp_cadr(spec), cl, WANT_VALUE);
	if (n.poison)
		return n;
	if (!n.is_const) {
		fb_error(fb, cl, "the loop bound of dotimes must be a compile-time constant");
		dsl_hint(
			fb->d,
			"the verifier must see that the loop ends: use a defconstant bound and leave early "
			"with (when (>= i n) (break)), or use loop-bounded (bpf_loop) for a run-time count");
		return dv_poison();
	}
	if (n.cval <= 0)
		return dv_const(0);
	if (n.cval > 1 << 23)
		return fb_error(
			fb, cl,
			"dotimes over %lld iterations cannot pass the verifier (at most 8388608)",
			(long long)n.cval);
	struct dtype it = n.cval > (int64_t)UINT32_MAX ? DT_U64 : DT_U32;
	unsigned cls = it.size == 8 ? IR_I64 : IR_I32;
	fb_scope_push(fb);
	uint32_t var = fb_var_new(fb, lisp_car(spec), it);
	struct dval zero = dv_const(0);
	zero.t = it;
	fb_var_write(fb, var, zero);
	uint32_t head = fb_block(fb, "loop"), body = fb_block(fb, "body"),
		 latch = fb_block(fb, "next"), exit = fb_block(fb, "done");
	fb_jmp(fb, head);
	fb->cur = head;
	struct dval i = fb_var_read(fb, var);
	fb_br(fb, IR_BR_ULT, dv_op(fb, i, cls), fb_con(fb, n.cval), body, exit);
	fb_seal(fb, body);
	fb->cur = body;
	lower_loop_body(fb, lisp_cddr(form), loc, exit, latch);
	fb_jmp(fb, latch);
	fb_seal(fb, latch);
	if (fb->blocks.data[latch].preds.len) {
		fb->cur = latch;
		struct dval iv = fb_var_read(fb, var);
		ir_ref args[2] = { dv_op(fb, iv, cls), fb_con(fb, 1) };
		struct dval next =
			dv_tmp(fb_emit(fb, IR_ADD, cls == IR_I64 ? VT_I64 : VT_I32, args, 2), it);
		fb_var_write(fb, var, next);
		fb_jmp(fb, head);
	}
	fb_seal(fb, head);
	fb_seal(fb, exit);
	fb->cur = fb->blocks.data[exit].preds.len ? exit : FB_NONE;
	struct dval r = dv_const(0);
	if (lisp_consp(lisp_cddr(spec)))
		r = lower(fb, lisp_caddr(spec), form_nth_loc(fb, spec, 2, loc), want);
	fb_scope_pop(fb);
	return r;
}

/* (while test body...) */
struct dval dsl_p_while(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_while(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (form_len(form) < 2)
		return fb_error(fb, loc, "while takes a test and a body");
	uint32_t head = fb_block(fb, "while"), body = fb_block(fb, "body"),
		 exit = fb_block(fb, "done");
	fb_jmp(fb, head);
	fb->cur = head;
	lower_test(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), body, exit);
	fb_seal(fb, body);
	fb->cur = fb->blocks.data[body].preds.len ? body : FB_NONE;
	fb_scope_push(fb);
	lower_loop_body(fb, lisp_cddr(form), loc, exit, head);
	fb_scope_pop(fb);
	fb_jmp(fb, head);
	fb_seal(fb, head);
	fb_seal(fb, exit);
	fb->cur = fb->blocks.data[exit].preds.len ? exit : FB_NONE;
	return dv_const(0);
}

struct dval dsl_p_break(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_break(struct fb *fb, lv form, struct srcloc loc, int want)
{
	bool brk = sym_is(lisp_car(form), "BREAK");
	if (form_len(form) != 1)
		return fb_error(fb, loc, "%s takes no arguments", brk ? "break" : "continue");
	if (!fb->loop && !fb->outer)
		return fb_error(fb, loc, "%s outside a loop", brk ? "break" : "continue");
	if (!fb->loop) {
		/* in a bpf_loop callback: 1 stops the loop, 0 goes on */
		ir_ref r = fb_con(fb, brk ? 1 : 0);
		fb_term(fb, IR_RET, &r, 1, FB_NONE, FB_NONE);
		return dv_poison();
	}
	fb_jmp(fb, brk ? fb->loop->brk : fb->loop->cont);
	return dv_poison();
}

/* (loop-bounded (i N) body...): bpf_loop(N, callback, &captured, 0). */
struct dval dsl_p_loop_bounded(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_loop_bounded(struct fb *fb, lv form, struct srcloc loc, int want)
{
	struct dsl *d = fb->d;
	lv spec = lisp_cadr(form);
	if (!lisp_consp(spec) || !lisp_symbolp(lisp_car(spec)) || !lisp_consp(lisp_cdr(spec)))
		return fb_error(fb, loc, "loop-bounded takes (VAR COUNT) and a body");
	struct dval n = lower(fb, lisp_cadr(spec), form_nth_loc(fb, spec, 1, loc), WANT_VALUE);
	if (n.poison)
		return n;
	if (dv_is_ptr(n))
		return fb_error(fb, loc, "the count of loop-bounded is an integer");
	if (n.is_const && (n.cval < 0 || n.cval > 1 << 23))
		return fb_error(fb, loc, "bpf_loop runs at most 8388608 iterations, not %lld",
				(long long)n.cval);
	/* the callback: (u64 index, ctx) -> 0 to go on, 1 to stop */
	struct dsl_fn *owner = fb->fn;
	for (struct fb *o = fb; !owner && o; o = o->outer)
		owner = o->fn;
	const char *base = owner ? owner->cname : "fn";
	struct fb *top = fb;
	while (top->outer)
		top = top->outer;
	const char *name = NULL;
	for (unsigned k = top->ncb;; k++) {
		name = arena_printf(&d->arena, "%s_loop%u", base, k);
		if (!ir_sym_lookup(d->m, name)) {
			top->ncb = k + 1;
			break;
		}
	}
	struct ir_func *f = ir_func_new(d->m, name, false);
	f->linkage = IR_STATIC;
	f->ret = VT_I64;
	struct fb cb;
	fb_init(&cb, d, f);
	cb.outer = fb;
	cb.loc = fb->loc;
	uint32_t ip = ir_tmp_new(f, "index", VT_I64);
	uint32_t cp = ir_tmp_new(f, "loopctx", VT_PTR(STACK));
	vec_push(&f->params, ip);
	vec_push(&f->params, cp);
	cb.cbctx = ir_tmp_ref(cp);
	fb_scope_push(&cb);
	uint32_t iv = fb_var_new(&cb, lisp_car(spec), DT_U64);
	fb_var_write(&cb, iv, dv_tmp(ir_tmp_ref(ip), DT_U64));
	lower_body(&cb, lisp_cddr(form), loc, WANT_EFFECT);
	if (cb.cur != FB_NONE) {
		ir_ref zero = fb_con(&cb, 0);
		fb_term(&cb, IR_RET, &zero, 1, FB_NONE, FB_NONE);
	}
	fb_scope_pop(&cb);
	fb_finish(&cb);
	fb->errors += cb.errors;
	vec_foreach (&cb.allocas, a)
		vec_push(&fb->allocas, *a);
	/* fill the context with the captured variables, call, copy back */
	uint32_t ncap = cb.captured.len;
	ir_ref buf = fb_alloca(fb, ncap ? 8 * ncap : 8, 8, "loop-bounded context");
	struct dval bufv = dv_tmp(buf, dt_ptr(RG_STACK, 0));
	for (uint32_t i = 0; i < ncap; i++) {
		uint32_t ov = cb.captured.data[i];
		struct dval v = dsl_var_get(fb, ov, loc);
		struct fvar *fv = &fb->vars.data[ov];
		mem_store(fb, fv->t.kind == DT_PTR ? 8 : fv->t.size, bufv, 8 * i, v, loc);
	}
	if (!ncap)
		mem_store(fb, 8, bufv, 0, dv_const(0), loc);
	const struct ir_helper *h = ir_helper_by_name("loop", 4);
	ir_ref args[5] = { IR_REF(REF_HLP, h->id),
			   n.is_const ? fb_con(fb, n.cval) : dv_op(fb, n, IR_I64),
			   IR_REF(REF_SYM, f->sym), buf, fb_con(fb, 0) };
	ir_ref r = fb_emit(fb, IR_CALL, VT_I64, args, 5);
	for (uint32_t i = 0; i < ncap; i++) {
		if (!cb.vars.data[cb.mirrors.data[i]].assigned)
			continue;
		uint32_t ov = cb.captured.data[i];
		struct fvar *fv = &fb->vars.data[ov];
		struct dval v;
		if (fv->t.kind == DT_PTR) {
			ir_ref la[2] = { buf, fb_con(fb, 8 * i) };
			v = dv_tmp(fb_emit(fb, IR_LOAD_U64, dt_vt(fv->t), la, 2), fv->t);
		} else {
			v = mem_load(fb, fv->t, bufv, 8 * i, loc);
		}
		dsl_var_set(fb, ov, v, loc);
	}
	fb_free(&cb);
	return dv_tmp(r, DT_U64);
}
