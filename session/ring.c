/* Event consumers for sessions: ring buffers ((open-ring-consumer MAP FN),
 * (open-decoding-ring-consumer MAP DECODER FN)) and perf event arrays
 * ((open-perf-consumer MAP FN :lost FN :pages N), its decoding form,
 * (perf-lost C)); (ring-poll C :timeout-ms N) / perf-poll and
 * close-ring-consumer / close-perf-consumer serve both.  Records are copied
 * out of the buffers first and handed to Lisp after, so a Lisp error or
 * Ctrl-C never unwinds through the loader's consume loop. */
#include "session/internal.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* In `records`, a length of LOST_MARK is followed by a u64 count of lost
 * perf records instead of bytes. */
#define LOST_MARK UINT32_MAX

struct ws_ring {
	struct wsession *s;
	struct ws_map *m;
	struct wl_ringbuf *rb; /* one of these two while open */
	struct wl_perfbuf *pb;
	lv fn, decoder, lost_fn, handle;
	bool perf;	    /* a perf event array's */
	uint64_t lost;	    /* perf records the kernel dropped, so far */
	struct buf records; /* u32 length, then the bytes, for each record */
	size_t pos;	    /* the next record to hand over */
};

static int copy_record(void *data, const void *rec, size_t size)
{
	struct ws_ring *r = data;
	uint32_t n = (uint32_t)size;
	buf_append(&r->records, &n, sizeof(n));
	buf_append(&r->records, rec, size);
	return 0;
}

static void copy_sample(void *data, int cpu, const void *rec, uint32_t size)
{
	(void)cpu;
	copy_record(data, rec, size);
}

static void count_lost(void *data, int cpu, uint64_t lost)
{
	struct ws_ring *r = data;
	uint32_t mark = LOST_MARK;
	(void)cpu;
	r->lost += lost;
	buf_append(&r->records, &mark, sizeof(mark));
	buf_append(&r->records, &lost, sizeof(lost));
}

static void stop(struct ws_ring *r)
{
	wl_ringbuf_free(r->rb);
	wl_perfbuf_free(r->pb);
	r->rb = NULL;
	r->pb = NULL;
	r->records.len = r->pos = 0;
}

void ws_rings_close(struct wsession *s)
{
	vec_foreach (&s->rings, r)
		stop(*r);
}

void ws_rings_close_map(struct wsession *s, struct ws_map *m)
{
	vec_foreach (&s->rings, r)
		if ((*r)->m == m)
			stop(*r);
}

void ws_rings_mark(struct lisp_ctx *ctx, struct wsession *s)
{
	vec_foreach (&s->rings, r) {
		lisp_gc_mark(ctx, (*r)->fn);
		lisp_gc_mark(ctx, (*r)->decoder);
		lisp_gc_mark(ctx, (*r)->lost_fn);
		lisp_gc_mark(ctx, (*r)->handle);
	}
}

void ws_rings_free(struct wsession *s)
{
	vec_foreach (&s->rings, r) {
		stop(*r);
		buf_free(&(*r)->records);
		free(*r);
	}
	vec_free(&s->rings);
}

/* Options of a perf consumer: the :lost function, :pages per CPU. */
struct perf_opts {
	lv lost_fn;
	size_t pages;
};

/* A consumer of `map`: a ring buffer's, or with `po` a perf event array's. */
static lv open_consumer(struct wsession *s, lv map, lv decoder, lv fn, const struct perf_opts *po,
			const char *who)
{
	struct ws_map *m = ws_map_arg(s, map, who);
	uint32_t want = po ? BPF_MAP_TYPE_PERF_EVENT_ARRAY : BPF_MAP_TYPE_RINGBUF;
	if (wl_map_type(m->map) != want)
		lisp_error(s->ctx, "%s: map '%s' is not a %s", who, m->name,
			   po ? "perf event array (:type :perf-event-array)"
			      : "ring buffer (:type :ringbuf)");
	struct ws_ring *r = xcalloc(1, sizeof(*r));
	r->s = s;
	r->m = m;
	r->fn = fn;
	r->decoder = decoder;
	r->lost_fn = po ? po->lost_fn : LISP_NIL;
	r->perf = po != NULL;
	r->handle = LISP_NIL;
	vec_push(&s->rings, r);
	struct buf log = { 0 };
	ws_capture_log(&log);
	int err = po ? wl_perfbuf_new(m->map, po->pages, copy_sample, count_lost, r, &r->pb)
		     : wl_ringbuf_new(m->map, copy_record, r, &r->rb);
	ws_capture_log(NULL);
	if (err < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", log.len ? buf_cstr(&log) : strerror(-err));
		buf_free(&log);
		lisp_error(s->ctx, "%s: map '%s': %s", who, m->name, msg);
	}
	buf_free(&log);
	r->handle = lisp_make_foreign(s->ctx, po ? "perf-consumer" : "ring-consumer", r, NULL,
				      m->handle ?: LISP_NIL);
	return r->handle;
}

static lv b_open(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	return open_consumer(data, argv[0], LISP_NIL, argv[1], NULL, "open-ring-consumer");
}

static lv b_open_decoding(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	return open_consumer(data, argv[0], argv[1], argv[2], NULL, "open-decoding-ring-consumer");
}

/* argv[start..): :lost FN :pages N (a power of two; default 8). */
static struct perf_opts perf_keys(struct lisp_ctx *ctx, int argc, lv *argv, int start)
{
	static const char *const keys[] = { "lost", "pages" };
	lv kv[2];
	lisp_parse_keys(ctx, argc, argv, start, keys, 2, kv, false);
	struct perf_opts po = { .lost_fn = kv[0] ? kv[0] : LISP_NIL, .pages = 8 };
	int64_t n;
	if (kv[1] && kv[1] != LISP_NIL) {
		if (!lisp_int_to_i64(kv[1], &n) || n <= 0 || n > 1 << 16)
			lisp_type_error(ctx, kv[1], "(integer 1 65536)");
		if (n & (n - 1))
			lisp_error(ctx, ":pages must be a power of two, not %lld", (long long)n);
		po.pages = (size_t)n;
	}
	return po;
}

static lv b_open_perf(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct perf_opts po = perf_keys(ctx, argc, argv, 2);
	return open_consumer(data, argv[0], LISP_NIL, argv[1], &po, "open-perf-consumer");
}

static lv b_open_decoding_perf(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct perf_opts po = perf_keys(ctx, argc, argv, 3);
	return open_consumer(data, argv[0], argv[1], argv[2], &po, "open-decoding-perf-consumer");
}

static struct ws_ring *ring_arg(struct lisp_ctx *ctx, lv v, const char *who)
{
	if (!lisp_foreignp(v, "ring-consumer") && !lisp_foreignp(v, "perf-consumer"))
		lisp_error(ctx,
			   "%s: expected a ring consumer (from open-ring-consumer) or a perf "
			   "consumer (from open-perf-consumer), not a %s",
			   who, lisp_foreignp(v, "bpf-map") ? "map" : "value of another type");
	return lisp_foreign_ptr(v);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Hands the copied records to the Lisp functions, in order; returns how
 * many records (losses not counted). */
static long deliver(struct lisp_ctx *ctx, struct ws_ring *r)
{
	long n = 0;
	while (r->pos < r->records.len) {
		uint32_t len;
		uint64_t lost = 0;
		memcpy(&len, r->records.data + r->pos, sizeof(len));
		const uint8_t *at = r->records.data + r->pos + sizeof(len);
		if (len == LOST_MARK)
			memcpy(&lost, at, sizeof(lost));
		lv bytes = len == LOST_MARK ? lisp_make_uint(ctx, lost)
					    : lisp_make_bytes(ctx, at, len);
		/* moved on before the call: it may not return */
		r->pos += sizeof(len) + (len == LOST_MARK ? sizeof(lost) : len);
		if (r->pos == r->records.len)
			r->records.len = r->pos = 0;
		if (len == LOST_MARK) {
			if (r->lost_fn != LISP_NIL)
				lisp_call1(ctx, r->lost_fn, bytes);
			continue;
		}
		if (r->decoder != LISP_NIL)
			bytes = lisp_call1(ctx, r->decoder, bytes);
		if (r->fn != LISP_NIL)
			lisp_call1(ctx, r->fn, bytes);
		n++;
	}
	return n;
}

/* (ring-poll C &key timeout-ms): waits up to timeout-ms (default: until a
 * record comes), calls the consumer's function per record, returns the
 * count.  Interruptible. */
static lv b_poll(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct ws_ring *r = ring_arg(ctx, argv[0], "ring-poll");
	const char *who = r->perf ? "perf-poll" : "ring-poll";
	static const char *const keys[] = { "timeout-ms" };
	lv kv[1];
	lisp_parse_keys(ctx, argc, argv, 1, keys, 1, kv, false);
	int64_t timeout = -1;
	if (kv[0] && kv[0] != LISP_NIL && (!lisp_int_to_i64(kv[0], &timeout) || timeout < 0))
		lisp_type_error(ctx, kv[0], "(integer 0)");
	long n = deliver(ctx, r);
	uint64_t end = now_ms() + (uint64_t)(timeout < 0 ? 0 : timeout);
	while (!n) {
		if (!r->rb && !r->pb)
			lisp_error(ctx, "%s: the consumer of map '%s' is closed", who, r->m->name);
		uint64_t t = now_ms();
		if (timeout >= 0 && t >= end)
			break;
		int slice = timeout < 0 ? 50 : (int)MIN(end - t, 50);
		int got = r->pb ? wl_perfbuf_poll(r->pb, slice) : wl_ringbuf_poll(r->rb, slice);
		if (got < 0 && got != -EINTR)
			lisp_error(ctx, "%s: map '%s': %s", who, r->m->name, strerror(-got));
		n = deliver(ctx, r);
		lisp_tick(ctx);
	}
	return lisp_make_int(ctx, n);
}

static lv b_close(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	stop(ring_arg(ctx, argv[0], "close-ring-consumer"));
	return LISP_NIL;
}

static lv b_perf_lost(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct ws_ring *r = ring_arg(ctx, argv[0], "perf-lost");
	return lisp_make_uint(ctx, r->lost);
}

void ws_ring_register(struct wsession *s)
{
	lisp_defbuiltin(s->ctx, "open-ring-consumer", 2, 2, b_open, s);
	lisp_defbuiltin(s->ctx, "open-decoding-ring-consumer", 3, 3, b_open_decoding, s);
	lisp_defbuiltin(s->ctx, "ring-poll", 1, 3, b_poll, s);
	lisp_defbuiltin(s->ctx, "close-ring-consumer", 1, 1, b_close, s);
	lisp_defbuiltin(s->ctx, "open-perf-consumer", 2, 6, b_open_perf, s);
	lisp_defbuiltin(s->ctx, "open-decoding-perf-consumer", 3, 7, b_open_decoding_perf, s);
	lisp_defbuiltin(s->ctx, "perf-poll", 1, 3, b_poll, s);
	lisp_defbuiltin(s->ctx, "close-perf-consumer", 1, 1, b_close, s);
	lisp_defbuiltin(s->ctx, "perf-lost", 1, 1, b_perf_lost, s);
}
