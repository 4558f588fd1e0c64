/* Non-local exits and the condition system: setjmp frames, unwinding through
 * UNWIND-PROTECT, cleanups of C temporaries, evaluation limits, conditions
 * (making, reporting, typep), SIGNAL/ERROR/WARN and protected calls. */
#include "frontend/lisp/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- cleanups of C temporaries ---- */

void lisp_cleanup_push(struct lisp_ctx *ctx, void (*fn)(void *), void *p)
{
	struct lisp_cleanup c = { fn, p };
	vec_push(&ctx->cleanups, c);
}

void lisp_cleanup_pop(struct lisp_ctx *ctx, bool run)
{
	struct lisp_cleanup c = vec_pop(&ctx->cleanups);
	if (run)
		c.fn(c.p);
}

void lisp_run_cleanups(struct lisp_ctx *ctx, uint32_t depth)
{
	while (ctx->cleanups.len > depth) {
		struct lisp_cleanup c = vec_pop(&ctx->cleanups);
		c.fn(c.p);
	}
}

static void free_buf(void *p)
{
	buf_free(p);
	free(p);
}

struct buf *lisp_temp_buf(struct lisp_ctx *ctx)
{
	struct buf *b = xcalloc(1, sizeof(*b));
	lisp_cleanup_push(ctx, free_buf, b);
	return b;
}

void lisp_temp_buf_free(struct lisp_ctx *ctx, struct buf *b)
{
	W_ASSERT(ctx->cleanups.len && vec_last(&ctx->cleanups).p == b);
	lisp_cleanup_pop(ctx, true);
}

char *lisp_temp_buf_steal(struct lisp_ctx *ctx, struct buf *b)
{
	W_ASSERT(ctx->cleanups.len && vec_last(&ctx->cleanups).p == b);
	ctx->cleanups.len--;
	char *s = buf_steal(b);
	free(b);
	return s;
}

lv lisp_temp_buf_string(struct lisp_ctx *ctx, struct buf *b)
{
	lv s = lisp_make_string(ctx, b->data ? (const char *)b->data : "", b->len);
	lisp_temp_buf_free(ctx, b);
	return s;
}

/* ---- frames ---- */

void lisp_frame_push(struct lisp_ctx *ctx, struct lframe *fr, enum frame_kind kind)
{
	fr->prev = ctx->frames;
	fr->kind = kind;
	fr->tag = fr->value = LISP_NIL;
	fr->index = 0;
	fr->pending = NULL;
	fr->specials = ctx->specials.len;
	fr->handlers = ctx->handlers.len;
	fr->forms = ctx->forms.len;
	fr->depth = ctx->depth;
	fr->cleanups = ctx->cleanups.len;
	fr->expansions = ctx->expansions.len;
	ctx->frames = fr;
}

void lisp_frame_pop(struct lisp_ctx *ctx, struct lframe *fr)
{
	W_ASSERT(ctx->frames == fr);
	ctx->frames = fr->prev;
}

void lisp_frame_land(struct lisp_ctx *ctx, struct lframe *fr)
{
	lisp_run_cleanups(ctx, fr->cleanups);
	lisp_unbind_specials(ctx, fr->specials);
	ctx->handlers.len = fr->handlers;
	ctx->forms.len = fr->forms;
	ctx->expansions.len = fr->expansions;
	ctx->depth = fr->depth;
	ctx->frames = fr->prev;
	if (!ctx->lim.max_depth || ctx->depth < ctx->lim.max_depth)
		ctx->depth_reserve = false;
}

static void invalidate(struct lframe *f)
{
	if ((f->kind == FR_BLOCK || f->kind == FR_TAGBODY) && lisp_is(f->tag, LISP_EXIT))
		f->tag->flags = 0;
}

void lisp_unwind_to(struct lisp_ctx *ctx, struct lframe *target)
{
	struct lframe *f;
	for (f = ctx->frames; f && f != target; f = f->prev) {
		if (f->kind == FR_UNWIND) {
			f->pending = target;
			longjmp(f->jb, 1);
		}
		invalidate(f);
	}
	W_ASSERT(f == target);
	longjmp(target->jb, 1);
}

static struct lframe *top_frame(struct lisp_ctx *ctx)
{
	for (struct lframe *f = ctx->frames; f; f = f->prev)
		if (f->kind == FR_TOP)
			return f;
	return NULL;
}

/* ---- protected calls ---- */

static void find_stack(struct lisp_ctx *ctx)
{
	pthread_t self = pthread_self();
	if (ctx->stack_hi && pthread_equal(self, ctx->thread))
		return;
	ctx->thread = self;
	pthread_attr_t attr;
	void *addr;
	size_t size;
	if (!pthread_getattr_np(self, &attr)) {
		if (!pthread_attr_getstack(&attr, &addr, &size))
			ctx->stack_hi = (char *)addr + size;
		pthread_attr_destroy(&attr);
	}
	char *here = __builtin_frame_address(0);
	if (!ctx->stack_hi || ctx->stack_hi < here)
		ctx->stack_hi = here + 65536;
}

int lisp_protect(struct lisp_ctx *ctx, lv (*fn)(struct lisp_ctx *, void *), void *data, lv *result)
{
	struct lframe fr;
	if (!ctx->nest) {
		find_stack(ctx);
		ctx->steps = 0;
		ctx->steps_exhausted = false;
		ctx->depth = 0;
		ctx->depth_reserve = false;
		ctx->stack_base = __builtin_frame_address(0);
		ctx->last_condition = NULL;
	}
	ctx->nest++;
	lisp_frame_push(ctx, &fr, FR_TOP);
	struct handler barrier = { .type = NULL };
	vec_push(&ctx->handlers, barrier);
	struct lisp_ctx *volatile vctx = ctx;
	lv *volatile vresult = result;
	if (setjmp(fr.jb) == 0) {
		lv v = fn(vctx, data);
		vctx->handlers.len = fr.handlers;
		lisp_frame_pop(vctx, &fr);
		vctx->nest--;
		if (vresult)
			*vresult = v;
		return 0;
	}
	ctx = vctx;
	result = vresult;
	lisp_frame_land(ctx, &fr);
	ctx->nest--;
	lv cond = ctx->unwind_value;
	ctx->unwind_value = NULL;
	ctx->last_condition = cond;
	if (ctx->report && cond && !lisp_exit_requested(ctx, NULL))
		lisp_report_condition(ctx, cond);
	if (result)
		*result = NULL;
	return -1;
}

/* ---- limits ---- */

void lisp_tick(struct lisp_ctx *ctx)
{
	if (!ctx->nest)
		return;
	ctx->steps++;
	if ((ctx->lim.max_steps && ctx->steps > ctx->lim.max_steps) || ctx->steps_exhausted) {
		ctx->steps_exhausted = true;
		lisp_error_type(ctx, ctx->s.step_limit,
				"evaluation step limit exceeded (%llu steps)",
				(unsigned long long)ctx->lim.max_steps);
	}
	if (ctx->interrupted) {
		ctx->interrupted = 0;
		lisp_signal_error(ctx, lisp_make_condition(ctx, "sb-sys:interactive-interrupt",
							   "Interactive interrupt"));
	}
}

void lisp_check_limits(struct lisp_ctx *ctx)
{
	if (!ctx->nest)
		return;
	lisp_tick(ctx);
	if (ctx->lim.max_heap_bytes && ctx->heap.heap_bytes > ctx->lim.max_heap_bytes) {
		lisp_gc_collect(ctx);
		if (ctx->heap.heap_bytes > ctx->lim.max_heap_bytes)
			lisp_error_type(ctx, lisp_intern(ctx, "heap-exhausted"),
					"heap exhausted: %zu bytes in use, the limit is %zu",
					ctx->heap.heap_bytes, ctx->lim.max_heap_bytes);
	}
	size_t used = ctx->stack_base
			      ? (size_t)(ctx->stack_base - (char *)__builtin_frame_address(0))
			      : 0;
	bool deep = ctx->lim.max_depth && ctx->depth > ctx->lim.max_depth;
	bool stack = ctx->lim.max_stack_bytes && used > ctx->lim.max_stack_bytes;
	if (!deep && !stack)
		return;
	bool hard = (ctx->lim.max_depth && ctx->depth > ctx->lim.max_depth + 256) ||
		    (ctx->lim.max_stack_bytes && used > ctx->lim.max_stack_bytes + (256u << 10));
	if (ctx->depth_reserve && !hard)
		return;
	ctx->depth_reserve = true;
	lv c = deep ? lisp_make_condition(ctx, "stack-exhausted",
					  "evaluation nested too deeply (the limit is %u levels)",
					  ctx->lim.max_depth)
		    : lisp_make_condition(ctx, "stack-exhausted",
					  "control stack exhausted (more than %zu bytes used)",
					  ctx->lim.max_stack_bytes);
	if (hard) {
		/* handlers had their chance: go straight to the protected call */
		struct lframe *top = top_frame(ctx);
		W_ASSERT(top);
		ctx->unwind_value = c;
		lisp_unwind_to(ctx, top);
	}
	lisp_signal_error(ctx, c);
}

/* ---- conditions ---- */

static lv kw(struct lisp_ctx *ctx, const char *name)
{
	return lisp_intern_in(ctx, ctx->keyword_pkg, name, strlen(name));
}

lv lisp_make_condition_v(struct lisp_ctx *ctx, lv type, lv initargs)
{
	struct lisp_condition *c = lisp_alloc(ctx, LISP_CONDITION, sizeof(*c));
	c->type = type;
	c->initargs = initargs;
	c->backtrace = LISP_NIL;
	/* innermost located forms, deduplicated by line */
	lv bt = LISP_NIL, tail = NULL;
	struct srcloc last = { 0 };
	int n = 0;
	for (uint32_t i = ctx->forms.len; i-- > 0 && n < 16;) {
		lv f = ctx->forms.data[i];
		struct srcloc l = lisp_loc(f);
		if (!l.line)
			continue;
		if (!c->loc.line)
			c->loc = l;
		if (l.file == last.file && l.line == last.line)
			continue;
		last = l;
		lv cell = lisp_cons(ctx, f, LISP_NIL);
		if (tail)
			CONS(tail)->cdr = cell;
		else
			bt = cell;
		tail = cell;
		n++;
	}
	c->backtrace = bt;
	/* inside a macro expander the user's mistake is the macro call */
	if (ctx->expansions.len && lisp_loc(vec_last(&ctx->expansions)).line)
		c->loc = lisp_loc(vec_last(&ctx->expansions));
	return (lv)c;
}

lv lisp_simple_condition(struct lisp_ctx *ctx, lv type, const char *fmt, va_list ap)
{
	struct buf *b = lisp_temp_buf(ctx);
	buf_vprintf(b, fmt, ap);
	lv msg = lisp_temp_buf_string(ctx, b);
	return lisp_make_condition_v(ctx, type, lisp_list(ctx, 2, ctx->s.k_message, msg));
}

lv lisp_make_condition(struct lisp_ctx *ctx, const char *type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lv c = lisp_simple_condition(ctx, lisp_intern(ctx, type), fmt, ap);
	va_end(ap);
	return c;
}

lv lisp_condition_type(lv c)
{
	return COND(c)->type;
}

struct srcloc lisp_condition_loc(lv c)
{
	return COND(c)->loc;
}

lv lisp_condition_backtrace(lv c)
{
	return COND(c)->backtrace;
}

/* The :REPORT of the type or of its nearest ancestor that has one. */
static lv find_report(struct lisp_ctx *ctx, lv type)
{
	lv queue[256];
	int n = 0;
	queue[n++] = type;
	for (int i = 0; i < n; i++) {
		lv pl = lisp_sym(ctx, queue[i])->plist;
		lv r = lisp_plist_get(pl, ctx->s.s_condition_report, NULL);
		if (r)
			return r;
		for (lv p = lisp_plist_get(pl, ctx->s.s_condition_parents, LISP_NIL);
		     lisp_consp(p) && n < 256; p = lisp_cdr(p)) {
			bool seen = !lisp_symbolp(lisp_car(p));
			for (int k = 0; k < n && !seen; k++)
				seen = queue[k] == lisp_car(p);
			if (!seen)
				queue[n++] = lisp_car(p);
		}
	}
	return NULL;
}

static lv message_cb(struct lisp_ctx *ctx, void *data)
{
	lv c = data;
	lv args = COND(c)->initargs;
	lv report = lisp_symbolp(COND(c)->type) ? find_report(ctx, COND(c)->type) : NULL;
	if (report && lisp_stringp(report))
		return report;
	if (report && report != LISP_NIL) {
		lv s = lisp_make_string_output_stream(ctx);
		lisp_call2(ctx, report, c, s);
		return STRM(s)->buf;
	}
	lv control = lisp_plist_get(args, ctx->s.k_format_control, NULL);
	if (control) {
		lv fargs = lisp_plist_get(args, ctx->s.k_format_arguments, LISP_NIL);
		struct buf *b = lisp_temp_buf(ctx);
		size_t n = lisp_list_length(fargs), i = 0;
		lv vec = lisp_make_vector(ctx, n, LISP_NIL);
		for (lv l = fargs; lisp_consp(l) && i < n; l = lisp_cdr(l))
			lisp_vector_data(vec)[i++] = lisp_car(l);
		if (lisp_stringp(control))
			lisp_format(ctx, b, control, (int)n, lisp_vector_data(vec), 0);
		else
			lisp_prin(ctx, b, control, false);
		return lisp_temp_buf_string(ctx, b);
	}
	struct buf *b = lisp_temp_buf(ctx);
	lv type = COND(c)->type;
	lv datum = lisp_plist_get(args, ctx->s.k_datum, NULL);
	lv name = lisp_plist_get(args, ctx->s.k_name, NULL);
	if (datum && lisp_condition_subtypep(ctx, type, ctx->s.type_error)) {
		buf_puts(b, "The value ");
		lisp_prin(ctx, b, datum, true);
		buf_puts(b, " is not of type ");
		lisp_prin(ctx, b, lisp_plist_get(args, ctx->s.k_expected_type, ctx->t), true);
		buf_putc(b, '.');
	} else if (name && lisp_condition_subtypep(ctx, type, ctx->s.unbound_variable)) {
		buf_puts(b, "The variable ");
		lisp_prin(ctx, b, name, true);
		buf_puts(b, " is unbound.");
	} else if (name && lisp_condition_subtypep(ctx, type, ctx->s.undefined_function)) {
		buf_puts(b, "The function ");
		lisp_prin(ctx, b, name, true);
		buf_puts(b, " is undefined.");
	} else {
		buf_puts(b, "Condition of type ");
		lisp_print_symbol(ctx, b, COND(c)->type, true);
		buf_puts(b, " was signalled.");
	}
	return lisp_temp_buf_string(ctx, b);
}

char *lisp_condition_message(struct lisp_ctx *ctx, lv c)
{
	lv msg = lisp_plist_get(COND(c)->initargs, ctx->s.k_message, NULL);
	if (msg && lisp_stringp(msg))
		return xstrdup(lisp_str(msg));
	bool report = ctx->report;
	lv last = ctx->last_condition;
	uint64_t steps = ctx->steps;
	bool exhausted = ctx->steps_exhausted;
	ctx->report = false;
	ctx->steps_exhausted = false;
	lv s;
	int rc = lisp_protect(ctx, message_cb, c, &s);
	ctx->report = report;
	ctx->last_condition = last;
	ctx->steps = steps;
	ctx->steps_exhausted = exhausted;
	if (rc == 0 && lisp_stringp(s))
		return xstrdup(lisp_str(s));
	return xasprintf("Condition of type %s (its report failed)",
			 lisp_symbol_name(COND(c)->type));
}

/* "did you mean" among the global variables or functions, for
 * UNBOUND-VARIABLE and UNDEFINED-FUNCTION */
static void suggest_global(struct lisp_ctx *ctx, lv c)
{
	bool fn = COND(c)->type == ctx->s.undefined_function;
	if (!fn && COND(c)->type != ctx->s.unbound_variable)
		return;
	lv name = lisp_plist_get(COND(c)->initargs, ctx->s.k_name, NULL);
	if (!name || !lisp_is(name, LISP_SYMBOL))
		return;
	VEC(const char *) cands = { 0 };
	hmap_foreach(&PKG(ctx->user_pkg)->syms, it)
	{
		struct lisp_symbol *s = SYM((lv)it->val);
		if (fn ? s->function != NULL || s->special != NULL : s->value != NULL)
			vec_push(&cands, it->key);
	}
	const char *best = diag_suggest(lisp_symbol_name(name), cands.data, cands.len);
	if (best) {
		char *h = xasprintf("did you mean '%s'?", best);
		for (char *p = h; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		diag_hint(ctx->diag, "%s", h);
		free(h);
	}
	vec_free(&cands);
}

void lisp_report_condition(struct lisp_ctx *ctx, lv c)
{
	struct diag *d = ctx->diag;
	char *msg = lisp_condition_message(ctx, c);
	diag_error(d, COND(c)->loc, "%s", msg);
	free(msg);
	lv hint = lisp_plist_get(COND(c)->initargs, kw(ctx, "HINT"), NULL);
	if (hint && lisp_stringp(hint))
		diag_hint(d, "%s", lisp_str(hint));
	else
		suggest_global(ctx, c);
	int n = 0;
	for (lv l = COND(c)->backtrace; lisp_consp(l); l = lisp_cdr(l)) {
		lv f = lisp_car(l);
		struct srcloc loc = lisp_loc(f);
		if (loc.file == COND(c)->loc.file && loc.line == COND(c)->loc.line &&
		    loc.col == COND(c)->loc.col)
			continue;
		if (++n > 8) {
			diag_note(d, (struct srcloc){ 0 }, "(%zu more frames)",
				  lisp_list_length(l));
			break;
		}
		lv head = lisp_car(f);
		if (lisp_symbolp(head) && lisp_sym(ctx, head)->special)
			continue; /* BLOCK, LET...: the calls are what readers follow */
		if (lisp_symbolp(head))
			diag_note(d, loc, "in (%s ...)", lisp_symbol_name(head));
		else
			diag_note(d, loc, "in this form");
	}
}

/* ---- types ---- */

/* Breadth-first over the parents, each type once (DEFINE-CONDITION can make
 * cycles and diamonds). */
bool lisp_condition_subtypep(struct lisp_ctx *ctx, lv type, lv super)
{
	lv queue[256];
	int n = 0;
	if (!lisp_symbolp(type))
		return false;
	queue[n++] = type;
	for (int i = 0; i < n; i++) {
		if (queue[i] == super)
			return true;
		lv parents = lisp_plist_get(lisp_sym(ctx, queue[i])->plist,
					    ctx->s.s_condition_parents, LISP_NIL);
		for (; lisp_consp(parents) && n < 256; parents = lisp_cdr(parents)) {
			lv p = lisp_car(parents);
			bool seen = !lisp_symbolp(p);
			for (int k = 0; k < n && !seen; k++)
				seen = queue[k] == p;
			if (!seen)
				queue[n++] = p;
		}
	}
	return false;
}

bool lisp_condition_type_p(struct lisp_ctx *ctx, lv sym)
{
	return lisp_symbolp(sym) &&
	       lisp_plist_get(lisp_sym(ctx, sym)->plist, ctx->s.s_condition_parents, NULL) != NULL;
}

bool lisp_typep_condition(struct lisp_ctx *ctx, lv c, lv type)
{
	return lisp_typep(ctx, c, type);
}

struct reenable {
	struct lisp_ctx *ctx;
	uint32_t from, to;
};

static void reenable_handlers(void *p)
{
	struct reenable *r = p;
	for (uint32_t i = r->from; i < r->to && i < r->ctx->handlers.len; i++)
		r->ctx->handlers.data[i].disabled--;
	free(r);
}

static bool name_eq(lv sym, const char *name)
{
	return !strcmp(lisp_symbol_name(sym), name);
}

static bool int_in_range(struct lisp_ctx *ctx, lv v, lv lo, lv hi)
{
	if (!lisp_integerp(v))
		return false;
	if (lisp_integerp(lo) && lisp_int_cmp(v, lo) < 0)
		return false;
	if (lisp_consp(lo) && lisp_integerp(lisp_car(lo)) && lisp_int_cmp(v, lisp_car(lo)) <= 0)
		return false;
	if (lisp_integerp(hi) && lisp_int_cmp(v, hi) > 0)
		return false;
	if (lisp_consp(hi) && lisp_integerp(lisp_car(hi)) && lisp_int_cmp(v, lisp_car(hi)) >= 0)
		return false;
	return true;
}

static bool typep_compound(struct lisp_ctx *ctx, lv v, lv type, int depth, bool quiet);

static bool typep_rec(struct lisp_ctx *ctx, lv v, lv type, int depth, bool quiet)
{
	if (depth > 100) {
		if (quiet)
			return false;
		lisp_error(ctx, "type specifier nested too deeply");
	}
	if (lisp_consp(type))
		return typep_compound(ctx, v, type, depth, quiet);
	if (!lisp_symbolp(type)) {
		if (quiet)
			return false;
		lisp_error(ctx, "bad type specifier");
	}
	if (type == ctx->t)
		return true;
	if (type == LISP_NIL)
		return false;
	if (lisp_condition_type_p(ctx, type))
		return lisp_is(v, LISP_CONDITION) &&
		       lisp_condition_subtypep(ctx, COND(v)->type, type);
	const char *n = lisp_symbol_name(type);
	enum lisp_type t = lisp_type_of(v);
	if (!strcmp(n, "INTEGER") || !strcmp(n, "RATIONAL"))
		return lisp_integerp(v);
	if (!strcmp(n, "FIXNUM"))
		return t == LISP_FIXNUM;
	if (!strcmp(n, "BIGNUM"))
		return t == LISP_BIGNUM;
	if (!strcmp(n, "NUMBER") || !strcmp(n, "REAL"))
		return lisp_numberp(v);
	if (!strcmp(n, "FLOAT") || !strcmp(n, "DOUBLE-FLOAT") || !strcmp(n, "SINGLE-FLOAT") ||
	    !strcmp(n, "SHORT-FLOAT") || !strcmp(n, "LONG-FLOAT"))
		return t == LISP_FLOAT;
	if (!strcmp(n, "STRING") || !strcmp(n, "SIMPLE-STRING") || !strcmp(n, "BASE-STRING"))
		return t == LISP_STRING;
	if (!strcmp(n, "SYMBOL"))
		return lisp_symbolp(v);
	if (!strcmp(n, "KEYWORD"))
		return lisp_keywordp(v);
	if (!strcmp(n, "BOOLEAN"))
		return v == LISP_NIL || v == ctx->t;
	if (!strcmp(n, "CONS"))
		return t == LISP_CONS;
	if (!strcmp(n, "LIST"))
		return lisp_listp(v);
	if (!strcmp(n, "NULL"))
		return v == LISP_NIL;
	if (!strcmp(n, "ATOM"))
		return t != LISP_CONS;
	if (!strcmp(n, "VECTOR") || !strcmp(n, "ARRAY") || !strcmp(n, "SIMPLE-ARRAY"))
		return t == LISP_VECTOR || t == LISP_STRING;
	if (!strcmp(n, "SIMPLE-VECTOR"))
		return t == LISP_VECTOR && !(v->flags & (VEC_FILL_POINTER | VEC_BYTES));
	if (!strcmp(n, "SEQUENCE"))
		return lisp_sequencep(v);
	if (!strcmp(n, "HASH-TABLE"))
		return t == LISP_HASH;
	if (!strcmp(n, "FUNCTION") || !strcmp(n, "COMPILED-FUNCTION"))
		return lisp_functionp(v);
	if (!strcmp(n, "CHARACTER") || !strcmp(n, "BASE-CHAR") || !strcmp(n, "STANDARD-CHAR"))
		return t == LISP_CHAR;
	if (!strcmp(n, "PACKAGE"))
		return t == LISP_PACKAGE;
	if (!strcmp(n, "STREAM"))
		return t == LISP_STREAM;
	if (!strcmp(n, "BIT"))
		return v == lisp_fixnum(0) || v == lisp_fixnum(1);
	if (!strcmp(n, "UNSIGNED-BYTE"))
		return lisp_integerp(v) && lisp_int_sign(v) >= 0;
	if (!strcmp(n, "SIGNED-BYTE"))
		return lisp_integerp(v);
	if (!strcmp(n, "CONDITION"))
		return t == LISP_CONDITION;
	if (quiet)
		return false;
	lisp_error(ctx, "unknown type specifier %s", n);
}

static bool typep_compound(struct lisp_ctx *ctx, lv v, lv type, int depth, bool quiet)
{
	lv head = lisp_car(type), args = lisp_cdr(type);
	if (!lisp_symbolp(head)) {
		if (quiet)
			return false;
		lisp_error(ctx, "bad type specifier");
	}
	if (name_eq(head, "OR")) {
		for (; lisp_consp(args); args = lisp_cdr(args))
			if (typep_rec(ctx, v, lisp_car(args), depth + 1, quiet))
				return true;
		return false;
	}
	if (name_eq(head, "AND")) {
		for (; lisp_consp(args); args = lisp_cdr(args))
			if (!typep_rec(ctx, v, lisp_car(args), depth + 1, quiet))
				return false;
		return true;
	}
	if (name_eq(head, "NOT"))
		return !typep_rec(ctx, v, lisp_car(args), depth + 1, quiet);
	if (name_eq(head, "MEMBER")) {
		for (; lisp_consp(args); args = lisp_cdr(args))
			if (lisp_eql(v, lisp_car(args)))
				return true;
		return false;
	}
	if (name_eq(head, "EQL"))
		return lisp_eql(v, lisp_car(args));
	if (name_eq(head, "SATISFIES"))
		return !ctx->steps_exhausted &&
		       lisp_call1(ctx, lisp_function_of(ctx, lisp_car(args)), v) != LISP_NIL;
	if (name_eq(head, "INTEGER"))
		return int_in_range(ctx, v, lisp_car(args), lisp_cadr(args));
	if (name_eq(head, "MOD"))
		return lisp_integerp(v) && lisp_int_sign(v) >= 0 && lisp_integerp(lisp_car(args)) &&
		       lisp_int_cmp(v, lisp_car(args)) < 0;
	if (name_eq(head, "UNSIGNED-BYTE") || name_eq(head, "SIGNED-BYTE")) {
		if (!lisp_integerp(v))
			return false;
		lv bits = lisp_car(args);
		if (!lisp_fixnump(bits))
			return name_eq(head, "SIGNED-BYTE") || lisp_int_sign(v) >= 0;
		if (name_eq(head, "UNSIGNED-BYTE"))
			return lisp_int_sign(v) >= 0 &&
			       lisp_int_length(v) <= (uint64_t)lisp_fixnum_value(bits);
		return lisp_int_length(v) < (uint64_t)lisp_fixnum_value(bits);
	}
	if (name_eq(head, "CONS"))
		return lisp_consp(v) &&
		       (args == LISP_NIL ||
			typep_rec(ctx, lisp_car(v), lisp_car(args), depth + 1, quiet)) &&
		       (lisp_cdr(args) == LISP_NIL ||
			typep_rec(ctx, lisp_cdr(v), lisp_cadr(args), depth + 1, quiet));
	return typep_rec(ctx, v, head, depth + 1, quiet);
}

bool lisp_typep(struct lisp_ctx *ctx, lv v, lv type)
{
	return typep_rec(ctx, v, type, 0, false);
}

/* ---- signaling ---- */

/* Whether handler i applies; its type test may run Lisp code (SATISFIES),
 * during which the handler is disabled so errors there cannot recurse. */
static bool handler_matches(struct lisp_ctx *ctx, uint32_t i, lv cond)
{
	struct reenable *r = xmalloc(sizeof(*r));
	r->ctx = ctx;
	r->from = i;
	r->to = i + 1;
	ctx->handlers.data[i].disabled++;
	lisp_cleanup_push(ctx, reenable_handlers, r);
	bool m = typep_rec(ctx, cond, ctx->handlers.data[i].type, 0, true);
	lisp_cleanup_pop(ctx, true);
	return m;
}

lv lisp_signal(struct lisp_ctx *ctx, lv cond)
{
	for (uint32_t i = ctx->handlers.len; i-- > 0;) {
		struct handler h = ctx->handlers.data[i];
		if (!h.type)
			break; /* barrier of a protected call */
		if (h.disabled || !handler_matches(ctx, i, cond))
			continue;
		if (!h.fn) {
			h.frame->value = cond;
			h.frame->index = h.clause;
			lisp_unwind_to(ctx, h.frame);
		}
		/* HANDLER-BIND: run with this cluster of handlers disabled */
		struct reenable *r = xmalloc(sizeof(*r));
		r->ctx = ctx;
		r->from = i;
		r->to = ctx->handlers.len;
		for (uint32_t k = r->from; k < r->to; k++)
			ctx->handlers.data[k].disabled++;
		lisp_cleanup_push(ctx, reenable_handlers, r);
		lisp_call1(ctx, h.fn, cond);
		lisp_cleanup_pop(ctx, true);
	}
	return LISP_NIL;
}

void lisp_signal_error(struct lisp_ctx *ctx, lv cond)
{
	lisp_signal(ctx, cond);
	struct lframe *top = top_frame(ctx);
	if (!top) {
		char *msg = lisp_condition_message(ctx, cond);
		W_ICE("Lisp condition outside a protected call: %s", msg);
	}
	ctx->unwind_value = cond;
	lisp_unwind_to(ctx, top);
}

void lisp_error_type(struct lisp_ctx *ctx, lv type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lv c = lisp_simple_condition(ctx, type, fmt, ap);
	va_end(ap);
	lisp_signal_error(ctx, c);
}

void lisp_error(struct lisp_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lv c = lisp_simple_condition(ctx, ctx->s.simple_error, fmt, ap);
	va_end(ap);
	lisp_signal_error(ctx, c);
}

void lisp_error_at(struct lisp_ctx *ctx, lv form, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lv c = lisp_simple_condition(ctx, ctx->s.simple_error, fmt, ap);
	va_end(ap);
	struct srcloc loc = lisp_loc(form);
	if (loc.line)
		COND(c)->loc = loc;
	lisp_signal_error(ctx, c);
}

void lisp_type_error(struct lisp_ctx *ctx, lv datum, const char *type)
{
	lv t = lisp_read_string(ctx, type);
	lisp_signal_error(ctx, lisp_make_condition_v(ctx, ctx->s.type_error,
						     lisp_list(ctx, 4, ctx->s.k_datum, datum,
							       ctx->s.k_expected_type, t)));
}

void lisp_define_condition(struct lisp_ctx *ctx, const char *name, const char *parents)
{
	lv sym = lisp_intern(ctx, name);
	lv list = LISP_NIL;
	char *copy = xstrdup(parents);
	for (char *save, *p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save))
		list = lisp_cons(ctx, lisp_intern(ctx, p), list);
	free(copy);
	list = lisp_nreverse(list);
	if (list == LISP_NIL && sym != ctx->s.condition)
		list = lisp_list(ctx, 1, ctx->s.condition);
	struct lisp_symbol *s = lisp_sym(ctx, sym);
	s->plist = lisp_cons(ctx, ctx->s.s_condition_parents, lisp_cons(ctx, list, s->plist));
}

void lisp_conditions_init(struct lisp_ctx *ctx)
{
	static const struct {
		const char *name, *parents;
	} table[] = {
#define LCOND(name, parents) { name, parents },
#include "frontend/lisp/conditions.def"
#undef LCOND
	};
	for (size_t i = 0; i < ARRAY_LEN(table); i++)
		lisp_define_condition(ctx, table[i].name, table[i].parents);
}
