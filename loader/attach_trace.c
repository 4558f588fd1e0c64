/* Tracing attachers built on perf events: tracepoints, kprobes, uprobes,
 * USDT probes and sampling events.  A program goes onto a perf event by a
 * BPF_LINK_CREATE perf link where the kernel has it, else by
 * PERF_EVENT_IOC_SET_BPF; the wl_link owns the events either way. */
#include "loader/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void link_add_fd(struct wl_link *l, int fd)
{
	l->fds = xrealloc(l->fds, (l->nfds + 1) * sizeof(int));
	l->fds[l->nfds++] = fd;
}

/* Puts prog on the perf event pfd, adding the fds to l. */
static int perf_attach_how(struct wl_link *l, const struct wl_prog *p, int pfd, uint64_t cookie,
			   bool use_link)
{
	link_add_fd(l, pfd);
	struct wl_link_create_opts o = { .cookie = cookie };
	int lfd = use_link ? wl_sys_link_create(p->fd, pfd, BPF_PERF_EVENT, &o) : -EOPNOTSUPP;
	if (lfd >= 0) {
		link_add_fd(l, lfd);
		if (l->fd < 0)
			l->fd = lfd;
	} else {
		if (cookie) {
			wl_warn("%s: attach cookies need perf links: %s", l->desc, wl_errstr(lfd));
			return lfd;
		}
		if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, p->fd)) {
			int r = -errno;
			wl_warn("%s: PERF_EVENT_IOC_SET_BPF failed: %s", l->desc, wl_errstr(r));
			return r;
		}
		if (l->fd < 0)
			l->fd = pfd;
	}
	if (ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0)) {
		int r = -errno;
		wl_warn("%s: PERF_EVENT_IOC_ENABLE failed: %s", l->desc, wl_errstr(r));
		return r;
	}
	return 0;
}

static int perf_attach(struct wl_link *l, const struct wl_prog *p, int pfd, uint64_t cookie)
{
	return perf_attach_how(l, p, pfd, cookie, true);
}

static struct wl_link *perf_link(const char *fmt, ...) W_PRINTF(1, 2);
static struct wl_link *perf_link(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *desc = NULL;
	if (vasprintf(&desc, fmt, ap) < 0)
		desc = NULL;
	va_end(ap);
	struct wl_link *l = wl_link_new(WL_LINK_PERF, desc ? desc : "perf link");
	free(desc);
	return l;
}

static int finish(struct wl_link *l, int r, struct wl_link **out)
{
	if (r < 0) {
		wl_link_destroy(l);
		return r;
	}
	*out = l;
	return 0;
}

int wl_attach_perf_fd(const struct wl_prog *p, int pfd, uint64_t cookie, struct wl_link **out)
{
	*out = NULL;
	struct wl_link *l = perf_link("prog '%s' on perf event", p->name);
	return finish(l, perf_attach(l, p, pfd, cookie), out);
}

int wl_attach_perf_fd_ioctl(const struct wl_prog *p, int pfd, struct wl_link **out)
{
	*out = NULL;
	struct wl_link *l = perf_link("prog '%s' on perf event (ioctl)", p->name);
	return finish(l, perf_attach_how(l, p, pfd, 0, false), out);
}

int wl_attach_perf_event(const struct wl_prog *p, const struct perf_event_attr *attr, pid_t pid,
			 int cpu, struct wl_link **out)
{
	*out = NULL;
	struct perf_event_attr a = *attr;
	a.size = sizeof(a);
	int pfd = wl_perf_event_open(&a, pid, cpu, -1, 0);
	if (pfd < 0) {
		wl_warn("prog '%s': perf_event_open(type %u, config %llu, pid %d, cpu %d) failed: %s",
			p->name, a.type, (unsigned long long)a.config, (int)pid, cpu,
			wl_errstr(pfd));
		return pfd;
	}
	struct wl_link *l = perf_link("prog '%s' on perf event type %u config %llu cpu %d", p->name,
				      a.type, (unsigned long long)a.config, cpu);
	return finish(l, perf_attach(l, p, pfd, 0), out);
}

static int open_tracepoint_event(int id, pid_t pid)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = (uint64_t)id;
	a.sample_period = 1;
	a.wakeup_events = 1;
	return wl_perf_event_open(&a, pid > 0 ? pid : -1, pid > 0 ? -1 : 0, -1, 0);
}

int wl_attach_tracepoint(const struct wl_prog *p, const char *category, const char *name,
			 struct wl_link **out)
{
	*out = NULL;
	int id = wl_tracepoint_id(category, name);
	if (id < 0) {
		wl_warn("prog '%s': tracepoint '%s/%s': %s%s", p->name, category, name,
			wl_errstr(id), wl_tracefs_root() ? "" : " (tracefs is not mounted)");
		return id;
	}
	int pfd = open_tracepoint_event(id, -1);
	if (pfd < 0) {
		wl_warn("prog '%s': perf_event_open on tracepoint '%s/%s' failed: %s", p->name,
			category, name, wl_errstr(pfd));
		return pfd;
	}
	struct wl_link *l = perf_link("prog '%s' on tracepoint '%s/%s'", p->name, category, name);
	return finish(l, perf_attach(l, p, pfd, 0), out);
}

/* A legacy probe event: its name is unique to this process and call. */
static int legacy_probe(struct wl_link *l, const char *file, char type, const char *target,
			pid_t pid, int *pfd)
{
	static unsigned counter;
	char group[32], event[64], line[600];
	snprintf(group, sizeof(group), "whistler_%d", (int)getpid());
	snprintf(event, sizeof(event), "wl%c_%u", type == 'r' ? 'r' : 'p', counter++);
	snprintf(line, sizeof(line), "%c:%s/%s %s\n", type, group, event, target);
	int id = wl_tracefs_probe_add(file, group, event, line);
	if (id < 0)
		return id;
	l->legacy_events = xrealloc(l->legacy_events, (l->nlegacy + 1) * sizeof(char *));
	l->legacy_events[l->nlegacy++] = xasprintf("%s\t%s\t%s", file, group, event);
	*pfd = open_tracepoint_event(id, pid);
	return *pfd < 0 ? *pfd : 0;
}

int wl_attach_kprobe(const struct wl_prog *p, const char *func, uint64_t offset, bool retprobe,
		     struct wl_link **out)
{
	*out = NULL;
	const char *kind = retprobe ? "kretprobe" : "kprobe";
	struct wl_link *l = perf_link("prog '%s' on %s '%s+0x%llx'", p->name, kind, func,
				      (unsigned long long)offset);
	int type = wl_pmu_type("kprobe"), pfd = -1, r;
	if (type >= 0) {
		struct perf_event_attr a;
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = (uint32_t)type;
		a.config1 = wl_ptr(func);
		a.config2 = offset;
		if (retprobe) {
			int bit = wl_pmu_retprobe_bit("kprobe");
			a.config |= 1ull << (bit < 0 ? 0 : bit);
		}
		pfd = wl_perf_event_open(&a, -1, 0, -1, 0);
		r = pfd < 0 ? pfd : 0;
	} else {
		char target[300];
		snprintf(target, sizeof(target), "%s+%llu", func, (unsigned long long)offset);
		r = legacy_probe(l, "kprobe_events", retprobe ? 'r' : 'p', target, -1, &pfd);
		if (r == -ENOENT) {
			wl_warn("%s: this kernel has no kprobes (no kprobe PMU in "
				"/sys/bus/event_source/devices, no kprobe_events in tracefs)",
				l->desc);
			return finish(l, -EOPNOTSUPP, out);
		}
	}
	if (r < 0) {
		wl_warn("%s: %s", l->desc, wl_errstr(r));
		return finish(l, r, out);
	}
	return finish(l, perf_attach(l, p, pfd, 0), out);
}

/* One uprobe on a file offset, added to l. */
static int uprobe_one(struct wl_link *l, const struct wl_prog *p, const char *path, uint64_t off,
		      const struct wl_uprobe_opts *o)
{
	bool ret = o && o->retprobe;
	pid_t pid = o && o->pid > 0 ? o->pid : -1;
	uint64_t ref = o ? o->ref_ctr_offset : 0;
	int type = o && o->legacy ? -ENOENT : wl_pmu_type("uprobe"), pfd = -1, r;
	if (type >= 0) {
		struct perf_event_attr a;
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = (uint32_t)type;
		a.config1 = wl_ptr(path);
		a.config2 = off;
		if (ret) {
			int bit = wl_pmu_retprobe_bit("uprobe");
			a.config |= 1ull << (bit < 0 ? 0 : bit);
		}
		/* format/ref_ctr_offset is config:32-63 */
		a.config |= ref << 32;
		pfd = wl_perf_event_open(&a, pid, pid > 0 ? -1 : 0, -1, 0);
		r = pfd < 0 ? pfd : 0;
	} else {
		char target[600];
		if (ref)
			snprintf(target, sizeof(target), "%s:0x%llx(0x%llx)", path,
				 (unsigned long long)off, (unsigned long long)ref);
		else
			snprintf(target, sizeof(target), "%s:0x%llx", path,
				 (unsigned long long)off);
		r = legacy_probe(l, "uprobe_events", ret ? 'r' : 'p', target, pid, &pfd);
	}
	if (r < 0) {
		wl_warn("%s: uprobe at offset 0x%llx: %s", l->desc, (unsigned long long)off,
			wl_errstr(r));
		return r;
	}
	return perf_attach(l, p, pfd, o ? o->cookie : 0);
}

int wl_attach_uprobe(const struct wl_prog *p, const char *binary, const char *func, uint64_t offset,
		     const struct wl_uprobe_opts *o, struct wl_link **out)
{
	*out = NULL;
	const char *kind = o && o->retprobe ? "uretprobe" : "uprobe";
	char real[4096];
	if (!realpath(binary, real)) {
		int r = -errno;
		wl_warn("prog '%s': %s binary '%s': %s", p->name, kind, binary, wl_errstr(r));
		return r;
	}
	uint64_t off = offset;
	if (func) {
		int r = wl_elf_symbol_offset(real, func, &off);
		if (r < 0) {
			wl_warn("prog '%s': %s: symbol '%s' in '%s': %s", p->name, kind, func, real,
				r == -ENOENT ? "not found" : wl_errstr(r));
			return r;
		}
	}
	struct wl_link *l = perf_link("prog '%s' on %s '%s:%s' (offset 0x%llx)", p->name, kind,
				      real, func ? func : "", (unsigned long long)off);
	return finish(l, uprobe_one(l, p, real, off, o), out);
}

int wl_attach_usdt(const struct wl_prog *p, const char *binary, const char *provider,
		   const char *name, pid_t pid, struct wl_link **out)
{
	*out = NULL;
	char real[4096];
	if (!realpath(binary, real)) {
		int r = -errno;
		wl_warn("prog '%s': usdt binary '%s': %s", p->name, binary, wl_errstr(r));
		return r;
	}
	struct wl_usdt_note *notes;
	size_t n;
	int r = wl_usdt_notes_read(real, &notes, &n);
	if (r < 0) {
		wl_warn("prog '%s': usdt notes of '%s': %s", p->name, real, wl_errstr(r));
		return r;
	}
	struct wl_link *l =
		perf_link("prog '%s' on usdt '%s:%s:%s'", p->name, real, provider, name);
	int sites = 0;
	r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (strcmp(notes[i].provider, provider) || strcmp(notes[i].name, name))
			continue;
		struct wl_uprobe_opts o = { .pid = pid, .ref_ctr_offset = notes[i].sema_offset };
		r = uprobe_one(l, p, real, notes[i].pc_offset, &o);
		sites++;
	}
	wl_usdt_notes_free(notes, n);
	if (r == 0 && sites == 0) {
		wl_warn("%s: no such probe in the binary's .note.stapsdt", l->desc);
		r = -ENOENT;
	}
	return finish(l, r, out);
}
