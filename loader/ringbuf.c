/* BPF ring buffer consumer.  The kernel maps one consumer page (ours to
 * write), one producer page and the data area twice in a row, so a record
 * that wraps is still contiguous.  Positions only grow; records carry a
 * header whose busy bit means "not committed yet" and whose discard bit
 * means "skip".  Acquire loads pair with the kernel's release stores. */
#include "loader/internal.h"

#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define RB_HDR 8u

struct ring {
	wl_ringbuf_fn fn;
	void *ctx;
	unsigned long *consumer_pos;
	const unsigned long *producer_pos;
	const unsigned char *data;
	size_t mask, page;
	char *name;
};

struct wl_ringbuf {
	int epfd;
	VEC(struct ring) rings;
	struct epoll_event *events;
};

int wl_ringbuf_add(struct wl_ringbuf *rb, const struct wl_map *m, wl_ringbuf_fn fn, void *ctx)
{
	if (m->type != BPF_MAP_TYPE_RINGBUF) {
		wl_warn("ringbuf: map '%s' is a %s map, not a ringbuf", m->name,
			wl_map_type_name(m->type) ? wl_map_type_name(m->type) : "?");
		return -EINVAL;
	}
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size = m->max_entries;
	if (size == 0 || (size & (size - 1)) || size % page) {
		wl_warn("ringbuf: map '%s': size %zu is not a power-of-2 number of pages", m->name,
			size);
		return -EINVAL;
	}
	struct ring r = { .fn = fn, .ctx = ctx, .mask = size - 1, .page = page };
	void *c = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (c == MAP_FAILED) {
		int e = -errno;
		wl_warn("ringbuf: map '%s': mmap of the consumer page: %s", m->name, wl_errstr(e));
		return e;
	}
	/* producer page + data twice */
	void *p = mmap(NULL, page + 2 * size, PROT_READ, MAP_SHARED, m->fd, (off_t)page);
	if (p == MAP_FAILED) {
		int e = -errno;
		munmap(c, page);
		wl_warn("ringbuf: map '%s': mmap of the data pages: %s", m->name, wl_errstr(e));
		return e;
	}
	r.consumer_pos = c;
	r.producer_pos = p;
	r.data = (const unsigned char *)p + page;
	r.name = xstrdup(m->name);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = rb->rings.len };
	if (epoll_ctl(rb->epfd, EPOLL_CTL_ADD, m->fd, &ev)) {
		int e = -errno;
		munmap(c, page);
		munmap(p, page + 2 * size);
		free(r.name);
		wl_warn("ringbuf: map '%s': epoll: %s", m->name, wl_errstr(e));
		return e;
	}
	vec_push(&rb->rings, r);
	rb->events = xrealloc(rb->events, rb->rings.len * sizeof(*rb->events));
	return 0;
}

int wl_ringbuf_new(const struct wl_map *m, wl_ringbuf_fn fn, void *ctx, struct wl_ringbuf **out)
{
	*out = NULL;
	struct wl_ringbuf *rb = xcalloc(1, sizeof(*rb));
	rb->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (rb->epfd < 0) {
		int e = -errno;
		free(rb);
		return e;
	}
	int r = wl_ringbuf_add(rb, m, fn, ctx);
	if (r < 0) {
		wl_ringbuf_free(rb);
		return r;
	}
	*out = rb;
	return 0;
}

void wl_ringbuf_free(struct wl_ringbuf *rb)
{
	if (!rb)
		return;
	vec_foreach (&rb->rings, r) {
		munmap(r->consumer_pos, r->page);
		munmap((void *)r->producer_pos, r->page + 2 * (r->mask + 1));
		free(r->name);
	}
	vec_free(&rb->rings);
	free(rb->events);
	wl_close(rb->epfd);
	free(rb);
}

/* Consumes everything committed; returns records delivered, or the
 * callback's nonzero return. */
static int64_t ring_consume(struct ring *r)
{
	int64_t n = 0;
	unsigned long cons = __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
	for (;;) {
		unsigned long prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
		if (cons >= prod)
			break;
		while (cons < prod) {
			const uint32_t *hdr = (const uint32_t *)(r->data + (cons & r->mask));
			uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			if (len & RB_BUSY)
				return n; /* reserved, not yet committed */
			uint32_t size = len & ~(RB_BUSY | RB_DISCARD);
			cons += ALIGN_UP(size + RB_HDR, 8);
			if (!(len & RB_DISCARD)) {
				int ret = r->fn ? r->fn(r->ctx, hdr + 2, size) : 0;
				n++;
				if (ret < 0) {
					__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
					return ret;
				}
			}
			/* release each record so the producer can reuse the space */
			__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
		}
	}
	return n;
}

int wl_ringbuf_consume(struct wl_ringbuf *rb)
{
	int64_t total = 0;
	vec_foreach (&rb->rings, r) {
		int64_t n = ring_consume(r);
		if (n < 0)
			return (int)n;
		total += n;
	}
	return total > INT32_MAX ? INT32_MAX : (int)total;
}

int wl_ringbuf_poll(struct wl_ringbuf *rb, int timeout_ms)
{
	int n = epoll_wait(rb->epfd, rb->events, (int)rb->rings.len, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	int64_t total = 0;
	for (int i = 0; i < n; i++) {
		uint32_t idx = rb->events[i].data.u32;
		if (idx >= rb->rings.len)
			continue;
		int64_t c = ring_consume(&rb->rings.data[idx]);
		if (c < 0)
			return (int)c;
		total += c;
	}
	return total > INT32_MAX ? INT32_MAX : (int)total;
}

int wl_ringbuf_epoll_fd(const struct wl_ringbuf *rb)
{
	return rb->epfd;
}
