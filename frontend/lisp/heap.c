/* The Lisp heap: size-classed blocks found through a page map, so any word on
 * the C stack can be checked for pointing into an object (conservative roots);
 * objects are traced precisely and swept into free lists.  Non-moving. */
#include "frontend/lisp/internal.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define LISP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LISP_ASAN 1
#endif
#endif

#ifdef LISP_ASAN
#include <sanitizer/asan_interface.h>
#define NO_ASAN __attribute__((no_sanitize_address, noinline))
#else
#define NO_ASAN __attribute__((noinline))
#define ASAN_POISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#endif

#define BLOCK_SIZE (64 * 1024)
#define PAGE_SHIFT 12
#define PAGE_SIZE ((size_t)1 << PAGE_SHIFT)
#define MIN_THRESHOLD ((size_t)4 << 20)

static const uint32_t class_size[] = { 16,  32,	 48,  64,  80,	 96,   128,  160,  192, 256,
				       320, 384, 512, 768, 1024, 1536, 2048, 3072, 4096 };
#define NCLASS ((int)ARRAY_LEN(class_size))

struct hblock {
	char *base;
	size_t size;
	uint32_t objsize; /* 0: one large object */
	uint32_t cls, nobj;
};

/* ---- page map ---- */

#define PAGE_TOMB ((uintptr_t)1)

static struct hblock *page_lookup(const struct lisp_heap *h, uintptr_t page)
{
	if (!h->page_cap)
		return NULL;
	uint32_t mask = h->page_cap - 1;
	for (uint32_t i = (uint32_t)w_hash_u64(page) & mask;; i = (i + 1) & mask) {
		if (h->page_keys[i] == page)
			return h->page_vals[i];
		if (!h->page_keys[i])
			return NULL;
	}
}

static void page_insert(struct lisp_heap *h, uintptr_t page, struct hblock *b);

static void page_rehash(struct lisp_heap *h, uint32_t cap)
{
	uintptr_t *ok = h->page_keys;
	struct hblock **ov = h->page_vals;
	uint32_t ocap = h->page_cap;
	h->page_keys = xcalloc(cap, sizeof(*h->page_keys));
	h->page_vals = xcalloc(cap, sizeof(*h->page_vals));
	h->page_cap = cap;
	h->page_count = h->page_live = 0;
	for (uint32_t i = 0; i < ocap; i++)
		if (ok[i] > PAGE_TOMB)
			page_insert(h, ok[i], ov[i]);
	free(ok);
	free(ov);
}

static void page_insert(struct lisp_heap *h, uintptr_t page, struct hblock *b)
{
	if ((h->page_count + 1) * 10 >= h->page_cap * 7) {
		uint32_t cap = h->page_cap ? h->page_cap : 1024;
		page_rehash(h, (h->page_live + 1) * 10 >= cap * 4 ? cap * 2 : cap);
	}
	uint32_t mask = h->page_cap - 1;
	for (uint32_t i = (uint32_t)w_hash_u64(page) & mask;; i = (i + 1) & mask) {
		if (h->page_keys[i] <= PAGE_TOMB) {
			if (!h->page_keys[i])
				h->page_count++;
			h->page_keys[i] = page;
			h->page_vals[i] = b;
			h->page_live++;
			return;
		}
	}
}

static void page_remove(struct lisp_heap *h, uintptr_t page)
{
	uint32_t mask = h->page_cap - 1;
	for (uint32_t i = (uint32_t)w_hash_u64(page) & mask;; i = (i + 1) & mask) {
		if (h->page_keys[i] == page) {
			h->page_keys[i] = PAGE_TOMB; /* page_count keeps tombstones */
			h->page_live--;
			return;
		}
		if (!h->page_keys[i])
			return;
	}
}

/* ---- blocks ---- */

static struct hblock *block_new(struct lisp_heap *h, size_t size, uint32_t objsize, uint32_t cls)
{
	struct hblock *b = xcalloc(1, sizeof(*b));
	b->base = aligned_alloc(objsize ? BLOCK_SIZE : PAGE_SIZE, size);
	if (!b->base)
		W_ICE("out of memory allocating %zu bytes of Lisp heap", size);
	b->size = size;
	b->objsize = objsize;
	b->cls = cls;
	b->nobj = objsize ? (uint32_t)(size / objsize) : 1;
	for (size_t off = 0; off < size; off += PAGE_SIZE)
		page_insert(h, ((uintptr_t)b->base + off) >> PAGE_SHIFT, b);
	uintptr_t lo = (uintptr_t)b->base, hi = lo + size;
	if (!h->lo || lo < h->lo)
		h->lo = lo;
	if (hi > h->hi)
		h->hi = hi;
	vec_push(&h->blocks, b);
	h->heap_bytes += size;
	return b;
}

static void block_release(struct lisp_heap *h, struct hblock *b)
{
	for (size_t off = 0; off < b->size; off += PAGE_SIZE)
		page_remove(h, ((uintptr_t)b->base + off) >> PAGE_SHIFT);
	h->heap_bytes -= b->size;
	ASAN_UNPOISON_MEMORY_REGION(b->base, b->size);
	free(b->base);
	free(b);
}

static inline struct lisp_object **next_free(struct lisp_object *o)
{
	return (struct lisp_object **)((char *)o + 8);
}

static void free_slot(struct lisp_heap *h, struct hblock *b, struct lisp_object *o)
{
	o->type = LISP_FREE;
	o->gc = 0;
	*next_free(o) = h->free[b->cls];
	h->free[b->cls] = o;
	if (b->objsize > 16)
		ASAN_POISON_MEMORY_REGION((char *)o + 16, b->objsize - 16);
}

static void block_carve(struct lisp_heap *h, struct hblock *b)
{
	for (uint32_t k = b->nobj; k-- > 0;)
		free_slot(h, b, (struct lisp_object *)(b->base + (size_t)k * b->objsize));
}

static int class_of(size_t n)
{
	for (int i = 0; i < NCLASS; i++)
		if (n <= class_size[i])
			return i;
	return -1;
}

static void collect(struct lisp_ctx *ctx);

void *lisp_alloc(struct lisp_ctx *ctx, enum lisp_type type, size_t size)
{
	struct lisp_heap *h = &ctx->heap;
	if (h->since_gc >= h->threshold && !h->inhibit)
		collect(ctx);
	int c = class_of(size);
	struct lisp_object *o;
	size_t sz;
	if (c < 0 && ctx->lim.max_heap_bytes && ctx->nest &&
	    h->heap_bytes + size > ctx->lim.max_heap_bytes) {
		if (!h->inhibit)
			collect(ctx);
		if (h->heap_bytes + size > ctx->lim.max_heap_bytes)
			lisp_error_type(
				ctx, lisp_intern(ctx, "heap-exhausted"),
				"heap exhausted: %zu more bytes would exceed the limit of %zu",
				size, ctx->lim.max_heap_bytes);
	}
	if (c < 0) {
		sz = ALIGN_UP(size, PAGE_SIZE);
		struct hblock *b = block_new(h, sz, 0, 0);
		o = (struct lisp_object *)b->base;
	} else {
		if (!h->free[c])
			block_carve(h, block_new(h, BLOCK_SIZE, class_size[c], (uint32_t)c));
		o = h->free[c];
		sz = class_size[c];
		ASAN_UNPOISON_MEMORY_REGION(o, sz);
		h->free[c] = *next_free(o);
	}
	memset(o, 0, sz);
	o->type = (uint8_t)type;
	h->since_gc += sz;
	return o;
}

lv lisp_alloc_vals(struct lisp_ctx *ctx, size_t n)
{
	if (n > (1u << 26))
		lisp_error(ctx, "cannot allocate a vector of %zu elements", n);
	struct lisp_vals *v = lisp_alloc(ctx, LISP_VALS, sizeof(*v) + n * sizeof(lv));
	v->h.aux = (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		v->v[i] = LISP_NIL;
	return (lv)v;
}

lv lisp_alloc_bytes(struct lisp_ctx *ctx, size_t n)
{
	if (n > (1u << 30))
		lisp_error(ctx, "cannot allocate %zu bytes", n);
	struct lisp_bytes *b = lisp_alloc(ctx, LISP_BYTES, sizeof(*b) + n);
	b->h.aux = (uint32_t)n;
	return (lv)b;
}

/* ---- marking ---- */

/* The object containing address p, if p points into a live object. */
static struct lisp_object *find_object(const struct lisp_heap *h, uintptr_t p)
{
	if (p < h->lo || p >= h->hi)
		return NULL;
	struct hblock *b = page_lookup(h, p >> PAGE_SHIFT);
	if (!b)
		return NULL;
	struct lisp_object *o;
	if (!b->objsize) {
		o = (struct lisp_object *)b->base;
	} else {
		size_t off = p - (uintptr_t)b->base;
		if (off >= (size_t)b->nobj * b->objsize)
			return NULL;
		o = (struct lisp_object *)(b->base + off / b->objsize * b->objsize);
	}
	return o->type == LISP_FREE ? NULL : o;
}

static inline void mark_obj(struct lisp_heap *h, struct lisp_object *o)
{
	if (o->gc)
		return;
	o->gc = 1;
	vec_push(&h->mark_stack, (lv)o);
}

static inline void mark(struct lisp_heap *h, lv v)
{
	if (lisp_heapp(v))
		mark_obj(h, v);
}

void lisp_gc_mark(struct lisp_ctx *ctx, lv v)
{
	if (!lisp_heapp(v))
		return;
	struct lisp_object *o = find_object(&ctx->heap, (uintptr_t)v);
	if (o)
		mark_obj(&ctx->heap, o);
}

static void trace(struct lisp_heap *h)
{
	while (h->mark_stack.len) {
		lv o = vec_pop(&h->mark_stack);
		switch ((enum lisp_type)o->type) {
		case LISP_CONS:
			mark(h, CONS(o)->car);
			mark(h, CONS(o)->cdr);
			break;
		case LISP_SYMBOL:
			mark(h, SYM(o)->name);
			mark(h, SYM(o)->package);
			mark(h, SYM(o)->value);
			mark(h, SYM(o)->function);
			mark(h, SYM(o)->plist);
			mark(h, SYM(o)->setf);
			break;
		case LISP_STRING:
			mark(h, STR(o)->bytes);
			break;
		case LISP_VECTOR:
			mark(h, VECT(o)->vals);
			break;
		case LISP_HASH:
			mark(h, HASH(o)->kv);
			mark(h, HASH(o)->index);
			break;
		case LISP_CLOSURE:
			mark(h, CLO(o)->name);
			mark(h, CLO(o)->params);
			mark(h, CLO(o)->body);
			mark(h, CLO(o)->env);
			break;
		case LISP_BUILTIN:
			mark(h, BUI(o)->name);
			break;
		case LISP_PACKAGE:
			mark(h, PKG(o)->name);
			mark(h, PKG(o)->nicknames);
			hmap_foreach(&PKG(o)->syms, it) mark(h, (lv)it->val);
			break;
		case LISP_CONDITION:
			mark(h, COND(o)->type);
			mark(h, COND(o)->initargs);
			mark(h, COND(o)->backtrace);
			break;
		case LISP_STREAM:
			mark(h, STRM(o)->buf);
			break;
		case LISP_FOREIGN:
			mark(h, FOR(o)->type);
			mark(h, FOR(o)->data);
			break;
		case LISP_ENV:
			mark(h, ENV(o)->name);
			mark(h, ENV(o)->value);
			mark(h, ENV(o)->next);
			break;
		case LISP_VALS:
			for (uint32_t i = 0; i < o->aux; i++)
				mark(h, VALS(o)->v[i]);
			break;
		default:
			break;
		}
	}
}

/* ---- conservative roots ---- */

#ifdef LISP_ASAN
static void scan_fake_frame(struct lisp_ctx *ctx, void *fs, uintptr_t w, int depth);
#endif

NO_ASAN static void scan_range(struct lisp_ctx *ctx, const char *lo, const char *hi, int depth)
{
	struct lisp_heap *h = &ctx->heap;
	const uintptr_t *p = (const uintptr_t *)ALIGN_UP((uintptr_t)lo, sizeof(uintptr_t));
#ifdef LISP_ASAN
	void *fs = __asan_get_current_fake_stack();
#endif
	for (; (const char *)p + sizeof(uintptr_t) <= hi; p++) {
		uintptr_t w = *p;
		if (w >= h->lo && w < h->hi) {
			struct lisp_object *o = find_object(h, w);
			if (o)
				mark_obj(h, o);
		}
#ifdef LISP_ASAN
		else if (fs && depth < 8)
			scan_fake_frame(ctx, fs, w, depth);
#endif
	}
}

#ifdef LISP_ASAN
/* With detect_stack_use_after_return, instrumented functions keep their
 * locals in "fake frames" on the heap; the real stack holds pointers to them. */
NO_ASAN static void scan_fake_frame(struct lisp_ctx *ctx, void *fs, uintptr_t w, int depth)
{
	void *beg, *end;
	if (w && __asan_addr_is_in_fake_stack(fs, (void *)w, &beg, &end))
		scan_range(ctx, beg, end, depth + 1);
}
#endif

NO_ASAN static void scan_from_here(struct lisp_ctx *ctx)
{
	char *sp = __builtin_frame_address(0);
	if (ctx->stack_hi > sp)
		scan_range(ctx, sp, ctx->stack_hi, 0);
}

NO_ASAN static void scan_stack(struct lisp_ctx *ctx)
{
	jmp_buf regs;
	__builtin_unwind_init(); /* spill callee-saved registers into this frame */
	if (setjmp(regs) == 0)
		scan_from_here(ctx);
}

static void mark_roots(struct lisp_ctx *ctx)
{
	struct lisp_heap *h = &ctx->heap;
	lisp_each(&ctx->packages, p) mark(h, *p);
	mark(h, ctx->t);
	mark(h, ctx->nil_sym);
	mark(h, ctx->checkpoint);
	mark(h, ctx->stdout_stream);
	mark(h, ctx->stderr_stream);
	mark(h, ctx->stdin_stream);
	mark(h, ctx->last_condition);
	mark(h, ctx->unwind_value);
	for (int i = 0; i < ctx->mv_n && i < LISP_MV_MAX; i++)
		mark(h, ctx->mv[i]);
	lisp_each(&ctx->specials, b)
	{
		mark(h, b->sym);
		mark(h, b->old);
	}
	lisp_each(&ctx->handlers, hd)
	{
		mark(h, hd->type);
		mark(h, hd->fn);
	}
	lisp_each(&ctx->forms, f) mark(h, *f);
	lisp_each(&ctx->expansions, f) mark(h, *f);
	lisp_each(&ctx->protected_slots, s) mark(h, **s);
	for (struct lframe *f = ctx->frames; f; f = f->prev) {
		mark(h, f->tag);
		mark(h, f->value);
	}
	lisp_each(&ctx->markers, m) m->mark(ctx, m->data);
	scan_stack(ctx);
}

static void finalize(struct lisp_object *o)
{
	if (o->type == LISP_FOREIGN && FOR(o)->finalize) {
		FOR(o)->finalize(FOR(o)->ptr);
		FOR(o)->finalize = NULL;
	} else if (o->type == LISP_PACKAGE) {
		hmap_free(&PKG(o)->syms);
	}
}

static void sweep(struct lisp_heap *h)
{
	memset(h->free, 0, sizeof(h->free));
	h->live_bytes = 0;
	for (uint32_t i = 0; i < h->blocks.len;) {
		struct hblock *b = h->blocks.data[i];
		uint32_t live = 0;
		for (uint32_t k = 0; k < b->nobj; k++) {
			struct lisp_object *o =
				(struct lisp_object *)(b->base + (size_t)k * b->objsize);
			if (o->type == LISP_FREE)
				continue;
			if (o->gc) {
				o->gc = 0;
				live++;
			} else {
				finalize(o);
				o->type = LISP_FREE;
			}
		}
		if (!live) {
			h->blocks.data[i] = vec_last(&h->blocks);
			h->blocks.len--;
			block_release(h, b);
			continue;
		}
		if (b->objsize) {
			for (uint32_t k = b->nobj; k-- > 0;) {
				struct lisp_object *o =
					(struct lisp_object *)(b->base + (size_t)k * b->objsize);
				if (o->type == LISP_FREE)
					free_slot(h, b, o);
			}
			h->live_bytes += (size_t)live * b->objsize;
		} else {
			h->live_bytes += b->size;
		}
		i++;
	}
}

static void collect(struct lisp_ctx *ctx)
{
	struct lisp_heap *h = &ctx->heap;
	lisp_mx_cache_clear(ctx);
	mark_roots(ctx);
	trace(h);
	sweep(h);
	h->since_gc = 0;
	h->threshold = MAX(MIN_THRESHOLD, h->live_bytes);
	h->collections++;
	if (h->mark_stack.cap > 65536)
		vec_free(&h->mark_stack);
}

void lisp_gc_collect(struct lisp_ctx *ctx)
{
	if (!ctx->heap.inhibit)
		collect(ctx);
}

void lisp_gc_maybe(struct lisp_ctx *ctx)
{
	if (ctx->heap.since_gc >= ctx->heap.threshold && !ctx->heap.inhibit)
		collect(ctx);
}

void lisp_gc_inhibit(struct lisp_ctx *ctx, bool inhibit)
{
	ctx->heap.inhibit += inhibit ? 1 : -1;
	W_ASSERT(ctx->heap.inhibit >= 0);
}

void lisp_gc_protect(struct lisp_ctx *ctx, lv *slot)
{
	vec_push(&ctx->protected_slots, slot);
}

void lisp_gc_unprotect(struct lisp_ctx *ctx, lv *slot)
{
	for (uint32_t i = ctx->protected_slots.len; i-- > 0;)
		if (ctx->protected_slots.data[i] == slot) {
			memmove(&ctx->protected_slots.data[i], &ctx->protected_slots.data[i + 1],
				(ctx->protected_slots.len - i - 1) * sizeof(lv *));
			ctx->protected_slots.len--;
			return;
		}
}

void lisp_gc_add_marker(struct lisp_ctx *ctx, void (*fn)(struct lisp_ctx *, void *), void *data)
{
	struct gc_marker m = { fn, data };
	vec_push(&ctx->markers, m);
}

void lisp_gc_stats(struct lisp_ctx *ctx, struct lisp_gc_stats *st)
{
	st->heap_bytes = ctx->heap.heap_bytes;
	st->live_bytes = ctx->heap.live_bytes;
	st->collections = ctx->heap.collections;
}

void lisp_heap_init(struct lisp_ctx *ctx)
{
	ctx->heap.threshold = MIN_THRESHOLD;
}

void lisp_heap_free(struct lisp_ctx *ctx)
{
	struct lisp_heap *h = &ctx->heap;
	lisp_each(&h->blocks, bp)
	{
		struct hblock *b = *bp;
		for (uint32_t k = 0; k < b->nobj; k++) {
			struct lisp_object *o =
				(struct lisp_object *)(b->base + (size_t)k * b->objsize);
			if (o->type != LISP_FREE)
				finalize(o);
		}
	}
	lisp_each(&h->blocks, bp)
	{
		ASAN_UNPOISON_MEMORY_REGION((*bp)->base, (*bp)->size);
		free((*bp)->base);
		free(*bp);
	}
	vec_free(&h->blocks);
	free(h->page_keys);
	free(h->page_vals);
	vec_free(&h->mark_stack);
	memset(h, 0, sizeof(*h));
}
