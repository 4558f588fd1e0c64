/* Perf buffer consumer: one PERF_COUNT_SW_BPF_OUTPUT event per CPU, stored
 * in a perf_event_array map, each with its own mmap ring.  Records that wrap
 * the ring's end are copied out whole; PERF_RECORD_LOST reports drops. */
#include "loader/internal.h"

#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

struct cpu_buf {
	int cpu, fd;
	void *base; /* perf_event_mmap_page, then the data pages */
	size_t mmap_size;
};

struct wl_perfbuf {
	wl_perfbuf_sample_fn sample;
	wl_perfbuf_lost_fn lost;
	void *ctx;
	int epfd, map_fd;
	size_t page, data_size;
	struct cpu_buf *bufs;
	int nbufs;
	struct epoll_event *events;
	unsigned char *copy; /* for records that wrap */
	size_t copy_cap;
};

void wl_perfbuf_free(struct wl_perfbuf *pb)
{
	if (!pb)
		return;
	for (int i = 0; i < pb->nbufs; i++) {
		struct cpu_buf *b = &pb->bufs[i];
		if (b->fd > 0) {
			ioctl(b->fd, PERF_EVENT_IOC_DISABLE, 0);
			uint32_t key = (uint32_t)b->cpu;
			wl_sys_map_delete(pb->map_fd, &key);
		}
		if (b->base)
			munmap(b->base, b->mmap_size);
		wl_close(b->fd);
	}
	free(pb->bufs);
	free(pb->events);
	free(pb->copy);
	wl_close(pb->epfd);
	free(pb);
}

int wl_perfbuf_new(const struct wl_map *m, size_t page_cnt, wl_perfbuf_sample_fn sample,
		   wl_perfbuf_lost_fn lost, void *ctx, struct wl_perfbuf **out)
{
	*out = NULL;
	if (m->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		wl_warn("perfbuf: map '%s' is not a perf_event_array", m->name);
		return -EINVAL;
	}
	if (page_cnt == 0 || (page_cnt & (page_cnt - 1))) {
		wl_warn("perfbuf: map '%s': page count %zu is not a power of 2", m->name, page_cnt);
		return -EINVAL;
	}
	int ncpu = wl_num_possible_cpus();
	if (ncpu < 0)
		return ncpu;
	struct wl_perfbuf *pb = xcalloc(1, sizeof(*pb));
	pb->sample = sample;
	pb->lost = lost;
	pb->ctx = ctx;
	pb->map_fd = m->fd;
	pb->page = (size_t)sysconf(_SC_PAGESIZE);
	pb->data_size = page_cnt * pb->page;
	pb->epfd = epoll_create1(EPOLL_CLOEXEC);
	int r = pb->epfd < 0 ? -errno : 0;
	int n = MIN(ncpu, (int)m->max_entries);
	pb->bufs = xcalloc((size_t)n, sizeof(*pb->bufs));
	pb->events = xcalloc((size_t)n, sizeof(*pb->events));
	for (int cpu = 0; cpu < n && r == 0; cpu++) {
		struct perf_event_attr a;
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_BPF_OUTPUT;
		a.sample_type = PERF_SAMPLE_RAW;
		a.sample_period = 1;
		a.wakeup_events = 1;
		int fd = wl_perf_event_open(&a, -1, cpu, -1, 0);
		if (fd == -ENODEV || fd == -ENOENT)
			continue; /* possible but offline CPU */
		if (fd < 0) {
			r = fd;
			wl_warn("perfbuf: map '%s': perf_event_open on cpu %d: %s", m->name, cpu,
				wl_errstr(fd));
			break;
		}
		struct cpu_buf *b = &pb->bufs[pb->nbufs++];
		b->cpu = cpu;
		b->fd = fd;
		b->mmap_size = pb->page + pb->data_size;
		b->base = mmap(NULL, b->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (b->base == MAP_FAILED) {
			b->base = NULL;
			r = -errno;
			wl_warn("perfbuf: map '%s': mmap on cpu %d: %s", m->name, cpu,
				wl_errstr(r));
			break;
		}
		uint32_t key = (uint32_t)cpu, val = (uint32_t)fd;
		r = wl_sys_map_update(m->fd, &key, &val, 0);
		if (r < 0) {
			wl_warn("perfbuf: map '%s': storing cpu %d's event: %s", m->name, cpu,
				wl_errstr(r));
			break;
		}
		if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)) {
			r = -errno;
			break;
		}
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.u32 = (uint32_t)(pb->nbufs - 1) };
		if (epoll_ctl(pb->epfd, EPOLL_CTL_ADD, fd, &ev))
			r = -errno;
	}
	if (r < 0) {
		wl_perfbuf_free(pb);
		return r;
	}
	*out = pb;
	return 0;
}

struct sample_rec {
	struct perf_event_header h;
	uint32_t size;
	unsigned char data[];
};

struct lost_rec {
	struct perf_event_header h;
	uint64_t id, lost;
};

static int buf_consume(struct wl_perfbuf *pb, struct cpu_buf *b)
{
	struct perf_event_mmap_page *hdr = b->base;
	unsigned char *data = (unsigned char *)b->base + pb->page;
	uint64_t head = __atomic_load_n(&hdr->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = hdr->data_tail;
	int n = 0;
	while (tail < head) {
		size_t off = tail & (pb->data_size - 1);
		struct perf_event_header eh;
		/* the header itself may straddle the end */
		for (size_t i = 0; i < sizeof(eh); i++)
			((unsigned char *)&eh)[i] = data[(off + i) & (pb->data_size - 1)];
		if (eh.size < sizeof(eh) || eh.size > head - tail)
			break; /* corrupt or incomplete: stop rather than misread */
		const unsigned char *rec = data + off;
		if (off + eh.size > pb->data_size) {
			if (pb->copy_cap < eh.size) {
				pb->copy = xrealloc(pb->copy, eh.size);
				pb->copy_cap = eh.size;
			}
			size_t first = pb->data_size - off;
			memcpy(pb->copy, data + off, first);
			memcpy(pb->copy + first, data, eh.size - first);
			rec = pb->copy;
		}
		if (eh.type == PERF_RECORD_SAMPLE && eh.size >= sizeof(struct sample_rec)) {
			const struct sample_rec *s = (const void *)rec;
			uint32_t sz = s->size;
			if (sz <= eh.size - sizeof(struct sample_rec) && pb->sample)
				pb->sample(pb->ctx, b->cpu, s->data, sz);
			n++;
		} else if (eh.type == PERF_RECORD_LOST && eh.size >= sizeof(struct lost_rec)) {
			const struct lost_rec *l = (const void *)rec;
			if (pb->lost)
				pb->lost(pb->ctx, b->cpu, l->lost);
		}
		tail += eh.size;
	}
	__atomic_store_n(&hdr->data_tail, tail, __ATOMIC_RELEASE);
	return n;
}

int wl_perfbuf_consume(struct wl_perfbuf *pb)
{
	int n = 0;
	for (int i = 0; i < pb->nbufs; i++)
		n += buf_consume(pb, &pb->bufs[i]);
	return n;
}

int wl_perfbuf_poll(struct wl_perfbuf *pb, int timeout_ms)
{
	int k = epoll_wait(pb->epfd, pb->events, pb->nbufs, timeout_ms);
	if (k < 0)
		return errno == EINTR ? 0 : -errno;
	int n = 0;
	for (int i = 0; i < k; i++) {
		uint32_t idx = pb->events[i].data.u32;
		if (idx < (uint32_t)pb->nbufs)
			n += buf_consume(pb, &pb->bufs[idx]);
	}
	return n;
}

int wl_perfbuf_epoll_fd(const struct wl_perfbuf *pb)
{
	return pb->epfd;
}
