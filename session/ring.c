/* Ring buffer consumers for sessions: (open-ring-consumer MAP FN),
 * (open-decoding-ring-consumer MAP DECODER FN), (ring-poll C :timeout-ms N),
 * (close-ring-consumer C).  Records are copied out of the ring first and
 * handed to Lisp after, so a Lisp error or Ctrl-C never unwinds through the
 * loader's consume loop. */
#include "session/internal.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ws_ring {
	struct wsession *s;
	struct ws_map *m;
	struct wl_ringbuf *rb;
	lv fn, decoder, handle;
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

static void stop(struct ws_ring *r)
{
	wl_ringbuf_free(r->rb);
	r->rb = NULL;
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

static lv open_consumer(struct wsession *s, lv map, lv decoder, lv fn, const char *who)
{
	struct ws_map *m = ws_map_arg(s, map, who);
	if (wl_map_type(m->map) != BPF_MAP_TYPE_RINGBUF)
		lisp_error(s->ctx, "%s: map '%s' is not a ring buffer (:type :ringbuf)", who,
			   m->name);
	struct ws_ring *r = xcalloc(1, sizeof(*r));
	r->s = s;
	r->m = m;
	r->fn = fn;
	r->decoder = decoder;
	r->handle = LISP_NIL;
	vec_push(&s->rings, r);
	struct buf log = { 0 };
	ws_capture_log(&log);
	int err = wl_ringbuf_new(m->map, copy_record, r, &r->rb);
	ws_capture_log(NULL);
	if (err < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", log.len ? buf_cstr(&log) : strerror(-err));
		buf_free(&log);
		lisp_error(s->ctx, "%s: map '%s': %s", who, m->name, msg);
	}
	buf_free(&log);
	r->handle = lisp_make_foreign(s->ctx, "ring-consumer", r, NULL, m->handle ?: LISP_NIL);
	return r->handle;
}

static lv b_open(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	return open_consumer(data, argv[0], LISP_NIL, argv[1], "open-ring-consumer");
}

static lv b_open_decoding(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	return open_consumer(data, argv[0], argv[1], argv[2], "open-decoding-ring-consumer");
}

static struct ws_ring *ring_arg(struct lisp_ctx *ctx, lv v, const char *who)
{
	if (!lisp_foreignp(v, "ring-consumer"))
		lisp_error(ctx, "%s: expected a ring consumer (from open-ring-consumer), not a %s",
			   who, lisp_foreignp(v, "bpf-map") ? "map" : "value of another type");
	return lisp_foreign_ptr(v);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Hands the copied records to the Lisp function; returns how many. */
static long deliver(struct lisp_ctx *ctx, struct ws_ring *r)
{
	long n = 0;
	while (r->pos < r->records.len) {
		uint32_t len;
		memcpy(&len, r->records.data + r->pos, sizeof(len));
		lv bytes = lisp_make_bytes(ctx, r->records.data + r->pos + sizeof(len), len);
		r->pos += sizeof(len) + len; /* before the call: it may not return */
		if (r->pos == r->records.len)
			r->records.len = r->pos = 0;
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
	static const char *const keys[] = { "timeout-ms" };
	lv kv[1];
	lisp_parse_keys(ctx, argc, argv, 1, keys, 1, kv, false);
	int64_t timeout = -1;
	if (kv[0] && kv[0] != LISP_NIL && (!lisp_int_to_i64(kv[0], &timeout) || timeout < 0))
		lisp_type_error(ctx, kv[0], "(integer 0)");
	long n = deliver(ctx, r);
	uint64_t end = now_ms() + (uint64_t)(timeout < 0 ? 0 : timeout);
	while (!n) {
		if (!r->rb)
			lisp_error(ctx, "ring-poll: the consumer of map '%s' is closed",
				   r->m->name);
		uint64_t t = now_ms();
		if (timeout >= 0 && t >= end)
			break;
		int slice = timeout < 0 ? 50 : (int)MIN(end - t, 50);
		int got = wl_ringbuf_poll(r->rb, slice);
		if (got < 0 && got != -EINTR)
			lisp_error(ctx, "ring-poll: map '%s': %s", r->m->name, strerror(-got));
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

void ws_ring_register(struct wsession *s)
{
	lisp_defbuiltin(s->ctx, "open-ring-consumer", 2, 2, b_open, s);
	lisp_defbuiltin(s->ctx, "open-decoding-ring-consumer", 3, 3, b_open_decoding, s);
	lisp_defbuiltin(s->ctx, "ring-poll", 1, 3, b_poll, s);
	lisp_defbuiltin(s->ctx, "close-ring-consumer", 1, 1, b_close, s);
}
