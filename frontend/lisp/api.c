/* Contexts: creation (builtin tables, conditions, the prelude), output and
 * limits configuration, interrupts, and loading whole files or strings. */
#include "frontend/lisp/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* The prelude's Lisp source, embedded by the assembler at build time. */
__asm__(".section .rodata\n"
	".global lisp_prelude_text\n"
	"lisp_prelude_text:\n"
	".incbin \"" WHISTLER_SOURCE_DIR "/frontend/lisp/prelude.lisp\"\n"
	".byte 0\n"
	".global lisp_loop_text\n"
	"lisp_loop_text:\n"
	".incbin \"" WHISTLER_SOURCE_DIR "/frontend/lisp/loop.lisp\"\n"
	".byte 0\n"
	".previous\n");
extern const char lisp_prelude_text[], lisp_loop_text[];

static size_t default_stack_limit(void)
{
	struct rlimit rl;
	size_t size = 8u << 20;
	if (!getrlimit(RLIMIT_STACK, &rl) && rl.rlim_cur != RLIM_INFINITY)
		size = (size_t)rl.rlim_cur;
	else if (!getrlimit(RLIMIT_STACK, &rl))
		size = 64u << 20;
	/* leave room for handlers, printing and the caller's frames */
	return size > (2u << 20) ? size - (1u << 20) : size / 2;
}

void lisp_load_prelude(struct lisp_ctx *ctx)
{
	static const struct {
		const char *name, *text;
	} files[] = { { "<prelude.lisp>", lisp_prelude_text }, { "<loop.lisp>", lisp_loop_text } };
	for (size_t i = 0; i < ARRAY_LEN(files); i++)
		if (lisp_load_string(ctx, files[i].name, files[i].text, NULL, NULL) < 0)
			W_ICE("the Lisp prelude %s failed to load", files[i].name);
}

struct lisp_ctx *lisp_new(struct srcmgr *sm, struct diag *d)
{
	struct lisp_ctx *ctx = xcalloc(1, sizeof(*ctx));
	ctx->sm = sm ? sm : &ctx->own_sm;
	if (d) {
		ctx->diag = d;
	} else {
		diag_init(&ctx->own_diag, ctx->sm);
		ctx->diag = &ctx->own_diag;
	}
	ctx->report = true;
	ctx->out_file = stdout;
	ctx->err_file = stderr;
	ctx->rng = 0x2545f4914f6cdd1dull;
	ctx->mv_n = 1;
	ctx->lim.max_stack_bytes = default_stack_limit();
	lisp_heap_init(ctx);
	lisp_gc_inhibit(ctx, true);
	lisp_packages_init(ctx);
	lisp_conditions_init(ctx);
	lisp_init_specials(ctx);
	lisp_init_definitions(ctx);
	lisp_init_eval_builtins(ctx);
	lisp_init_numbers(ctx);
	lisp_init_lists(ctx);
	lisp_init_sequences(ctx);
	lisp_init_arrays(ctx);
	lisp_init_strings(ctx);
	lisp_init_streams(ctx);
	lisp_init_objects_packages(ctx);
	lisp_gc_inhibit(ctx, false);
	lisp_load_prelude(ctx);
	return ctx;
}

void lisp_free(struct lisp_ctx *ctx)
{
	if (!ctx)
		return;
	lisp_heap_free(ctx);
	lisp_mx_cache_clear(ctx);
	lisp_run_cleanups(ctx, 0);
	vec_free(&ctx->packages);
	vec_free(&ctx->specials);
	vec_free(&ctx->handlers);
	vec_free(&ctx->forms);
	vec_free(&ctx->expansions);
	vec_free(&ctx->cleanups);
	vec_free(&ctx->protected_slots);
	vec_free(&ctx->markers);
	buf_free(&ctx->tok_text);
	buf_free(&ctx->tok_esc);
	if (ctx->sm == &ctx->own_sm)
		srcmgr_free(&ctx->own_sm);
	free(ctx);
}

struct srcmgr *lisp_srcmgr(struct lisp_ctx *ctx)
{
	return ctx->sm;
}

struct diag *lisp_diag(struct lisp_ctx *ctx)
{
	return ctx->diag;
}

void lisp_set_output(struct lisp_ctx *ctx, FILE *out, struct buf *capture, size_t limit)
{
	ctx->out_file = out;
	ctx->out_buf = capture;
	ctx->out_limit = limit;
}

void lisp_set_error_output(struct lisp_ctx *ctx, FILE *out, struct buf *capture, size_t limit)
{
	ctx->err_file = out;
	ctx->err_buf = capture;
	ctx->err_limit = limit;
}

void lisp_set_limits(struct lisp_ctx *ctx, const struct lisp_limits *lim)
{
	ctx->lim = *lim;
	size_t safe = default_stack_limit();
	if (!ctx->lim.max_stack_bytes || ctx->lim.max_stack_bytes > safe)
		ctx->lim.max_stack_bytes = safe; /* never let the C stack overflow */
}

uint64_t lisp_steps_used(struct lisp_ctx *ctx)
{
	return ctx->steps;
}

void lisp_set_sandbox(struct lisp_ctx *ctx, bool on)
{
	ctx->sandbox = on;
}

void lisp_interrupt(struct lisp_ctx *ctx)
{
	ctx->interrupted = 1;
}

volatile sig_atomic_t *lisp_interrupt_flag(struct lisp_ctx *ctx)
{
	return &ctx->interrupted;
}

void lisp_set_report(struct lisp_ctx *ctx, bool report)
{
	ctx->report = report;
}

lv lisp_last_condition(struct lisp_ctx *ctx)
{
	return ctx->last_condition;
}

bool lisp_exit_requested(struct lisp_ctx *ctx, int *code)
{
	lv c = ctx->last_condition;
	if (!c || !lisp_is(c, LISP_CONDITION) || COND(c)->type != lisp_intern(ctx, "system::exit"))
		return false;
	lv v = lisp_plist_get(COND(c)->initargs, lisp_intern(ctx, ":code"), lisp_fixnum(0));
	int64_t n = 0;
	if (code)
		*code = lisp_int_to_i64(v, &n) ? (int)n : 1;
	return true;
}

/* ---- loading ---- */

struct load_job {
	struct lisp_reader r;
	void (*each)(struct lisp_ctx *, lv, lv, void *);
	void *data;
};

static lv load_cb(struct lisp_ctx *ctx, void *data)
{
	struct load_job *j = data;
	for (lv form; (form = lisp_reader_next(&j->r));) {
		lv v = lisp_eval_in(ctx, form, LISP_NIL);
		if (j->each)
			j->each(ctx, form, v, j->data);
		/* each top-level form is a fresh evaluation for the limits */
		ctx->steps = 0;
		ctx->steps_exhausted = false;
	}
	return LISP_NIL;
}

static int load_id(struct lisp_ctx *ctx, uint32_t id,
		   void (*each)(struct lisp_ctx *, lv, lv, void *), void *data)
{
	struct load_job j = { .each = each, .data = data };
	lisp_reader_init(&j.r, ctx, id);
	return lisp_protect(ctx, load_cb, &j, NULL);
}

int lisp_load_file(struct lisp_ctx *ctx, const char *path,
		   void (*each)(struct lisp_ctx *, lv, lv, void *), void *data)
{
	uint32_t id = srcmgr_load(ctx->sm, path);
	if (!id) {
		diag_error(ctx->diag, (struct srcloc){ 0 }, "cannot read '%s': %s", path,
			   strerror(errno));
		return -1;
	}
	return load_id(ctx, id, each, data);
}

int lisp_load_string(struct lisp_ctx *ctx, const char *name, const char *text,
		     void (*each)(struct lisp_ctx *, lv, lv, void *), void *data)
{
	uint32_t id = srcmgr_add(ctx->sm, name, text, strlen(text));
	return load_id(ctx, id, each, data);
}
