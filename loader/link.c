/* wl_link: one object for every way a program stays attached, so callers
 * destroy links uniformly; each kind knows how to undo itself.  Also the
 * generic BPF_LINK_CREATE, iterators, cgroups, netns, sockets, sockmaps. */
#include "loader/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_ATTACH_BPF
#define SO_ATTACH_BPF 50
#endif
#ifndef SO_DETACH_BPF
#define SO_DETACH_BPF 27
#endif

struct wl_link *wl_link_new(enum wl_link_kind kind, const char *desc)
{
	struct wl_link *l = xcalloc(1, sizeof(*l));
	l->kind = kind;
	l->fd = -1;
	l->target_fd = -1;
	l->prog_fd = -1;
	l->desc = xstrdup(desc);
	return l;
}

void wl_link_destroy(struct wl_link *l)
{
	if (!l)
		return;
	int r = 0;
	switch (l->kind) {
	case WL_LINK_BPF:
		break;
	case WL_LINK_PERF:
		for (size_t i = 0; i < l->nfds; i++) {
			/* disable first so no event fires while tearing down */
			ioctl(l->fds[i], PERF_EVENT_IOC_DISABLE, 0);
			wl_close(l->fds[i]);
		}
		l->fd = -1;
		for (size_t i = 0; i < l->nlegacy; i++) {
			/* "<file>\t<group>\t<event>" */
			char *f = l->legacy_events[i], *g = strchr(f, '\t');
			char *e = g ? strchr(g + 1, '\t') : NULL;
			if (e) {
				*g++ = 0;
				*e++ = 0;
				wl_tracefs_probe_remove(f, g, e);
			}
			free(f);
		}
		free(l->legacy_events);
		free(l->fds);
		break;
	case WL_LINK_NETLINK_XDP: {
		/* remove only if our program is still the one installed */
		uint32_t id = 0;
		uint8_t mode = 0;
		if (wl_nl_xdp_query(l->ifindex, &id, &mode) == 0 && id == l->prog_id)
			r = wl_nl_xdp_set(l->ifindex, -1, l->xdp_flags, 0);
		break;
	}
	case WL_LINK_TC_FILTER:
		r = wl_nl_tc_filter_del(l->ifindex, l->tc_parent, l->tc_prio, l->tc_handle);
		break;
	case WL_LINK_PROG_ATTACH:
		r = wl_sys_prog_detach(l->prog_fd, l->target_fd, l->attach_type);
		break;
	case WL_LINK_SOCKET_FILTER: {
		int dummy = 0;
		if (setsockopt(l->target_fd, SOL_SOCKET, SO_DETACH_BPF, &dummy, sizeof(dummy)))
			r = -errno;
		break;
	}
	}
	if (r < 0 && r != -ENOENT)
		wl_warn("%s: detach failed: %s", l->desc, wl_errstr(r));
	if (l->kind != WL_LINK_PERF)
		wl_close(l->fd);
	wl_close(l->target_fd);
	wl_close(l->prog_fd);
	free(l->desc);
	free(l);
}

int wl_link_fd(const struct wl_link *l)
{
	return l->fd >= 0 ? l->fd : -EOPNOTSUPP;
}

const char *wl_link_kind(const struct wl_link *l)
{
	static const char *const names[] = {
		[WL_LINK_BPF] = "bpf_link",
		[WL_LINK_PERF] = "perf_event",
		[WL_LINK_NETLINK_XDP] = "netlink_xdp",
		[WL_LINK_TC_FILTER] = "tc_filter",
		[WL_LINK_PROG_ATTACH] = "prog_attach",
		[WL_LINK_SOCKET_FILTER] = "socket_filter",
	};
	return names[l->kind];
}

const char *wl_link_desc(const struct wl_link *l)
{
	return l->desc;
}

int wl_link_pin(const struct wl_link *l, const char *path)
{
	if (l->kind != WL_LINK_BPF) {
		wl_warn("%s: only bpf_links can be pinned, this is a %s", l->desc, wl_link_kind(l));
		return -EOPNOTSUPP;
	}
	int r = wl_sys_obj_pin(l->fd, path);
	if (r < 0)
		wl_warn("%s: pin at '%s' failed: %s", l->desc, path, wl_errstr(r));
	return r;
}

int wl_link_update(struct wl_link *l, const struct wl_prog *p)
{
	if (l->kind != WL_LINK_BPF) {
		wl_warn("%s: only bpf_links can be updated, this is a %s", l->desc,
			wl_link_kind(l));
		return -EOPNOTSUPP;
	}
	int r = wl_sys_link_update(l->fd, p->fd, 0);
	if (r < 0)
		wl_warn("%s: update to prog '%s' failed: %s", l->desc, p->name, wl_errstr(r));
	return r;
}

int wl_link_detach(struct wl_link *l)
{
	if (l->kind != WL_LINK_BPF)
		return -EOPNOTSUPP;
	int r = wl_sys_link_detach(l->fd);
	if (r < 0)
		wl_warn("%s: detach failed: %s", l->desc, wl_errstr(r));
	return r;
}

int wl_link_from_fd(int fd, struct wl_link **out)
{
	struct wl_link *l = wl_link_new(WL_LINK_BPF, "link");
	l->fd = fd;
	*out = l;
	return 0;
}

static int make_bpf_link(const struct wl_prog *p, int target, uint32_t type,
			 const struct wl_link_create_opts *o, const char *what,
			 struct wl_link **out)
{
	*out = NULL;
	int fd = wl_sys_link_create(p->fd, target, type, o);
	const char *tn = wl_attach_type_name(type);
	if (fd < 0) {
		wl_warn("prog '%s': link_create %s on %s failed: %s", p->name,
			tn ? tn : "(unknown attach type)", what, wl_errstr(fd));
		return fd;
	}
	char *desc = xasprintf("prog '%s' %s link on %s", p->name, tn ? tn : "?", what);
	struct wl_link *l = wl_link_new(WL_LINK_BPF, desc);
	free(desc);
	l->fd = fd;
	*out = l;
	return 0;
}

int wl_link_create(const struct wl_prog *p, int target_fd, uint32_t type,
		   const struct wl_link_create_opts *o, struct wl_link **out)
{
	char what[32];
	snprintf(what, sizeof(what), "fd %d", target_fd);
	return make_bpf_link(p, target_fd, type, o, what, out);
}

int wl_attach_raw_tracepoint(const struct wl_prog *p, const char *name, struct wl_link **out)
{
	*out = NULL;
	int fd = wl_sys_raw_tp_open(name, p->fd, 0);
	if (fd < 0) {
		wl_warn("prog '%s': raw tracepoint '%s': %s", p->name, name, wl_errstr(fd));
		return fd;
	}
	char *desc = xasprintf("prog '%s' on raw tracepoint '%s'", p->name, name);
	struct wl_link *l = wl_link_new(WL_LINK_BPF, desc);
	free(desc);
	l->fd = fd;
	*out = l;
	return 0;
}

int wl_attach_tracing(const struct wl_prog *p, uint64_t cookie, struct wl_link **out)
{
	*out = NULL;
	struct wl_link_create_opts o = { .cookie = cookie };
	uint32_t type = p->expected_attach_type;
	int fd = wl_sys_link_create(p->fd, 0, type, &o);
	if (fd == -EINVAL && !cookie) /* kernels before tracing links: raw_tp open */
		fd = wl_sys_raw_tp_open(NULL, p->fd, 0);
	const char *tn = wl_attach_type_name(type);
	if (fd < 0) {
		wl_warn("prog '%s': attach %s failed: %s", p->name, tn ? tn : "tracing",
			wl_errstr(fd));
		return fd;
	}
	char *desc = xasprintf("prog '%s' %s", p->name, tn ? tn : "tracing");
	struct wl_link *l = wl_link_new(WL_LINK_BPF, desc);
	free(desc);
	l->fd = fd;
	*out = l;
	return 0;
}

int wl_attach_iter(const struct wl_prog *p, int map_fd, struct wl_link **out)
{
	union bpf_iter_link_info info;
	memset(&info, 0, sizeof(info));
	struct wl_link_create_opts o = { 0 };
	if (map_fd > 0) {
		info.map.map_fd = (uint32_t)map_fd;
		o.iter_info = &info;
		o.iter_info_len = sizeof(info);
	}
	return make_bpf_link(p, 0, BPF_TRACE_ITER, &o, "iterator", out);
}

int wl_iter_create(const struct wl_link *l)
{
	int fd = wl_sys_iter_create(l->fd);
	if (fd < 0)
		wl_warn("%s: iter_create failed: %s", l->desc, wl_errstr(fd));
	return fd;
}

int wl_attach_cgroup(const struct wl_prog *p, int cgroup_fd, uint32_t type, struct wl_link **out)
{
	return make_bpf_link(p, cgroup_fd, type ? type : p->expected_attach_type, NULL, "cgroup",
			     out);
}

static int prog_attach(const struct wl_prog *p, int target_fd, uint32_t type, uint32_t flags,
		       const char *what, struct wl_link **out)
{
	*out = NULL;
	const char *tn = wl_attach_type_name(type);
	int r = wl_sys_prog_attach(p->fd, target_fd, type, flags);
	if (r < 0) {
		wl_warn("prog '%s': attach %s to %s failed: %s", p->name, tn ? tn : "?", what,
			wl_errstr(r));
		return r;
	}
	char *desc = xasprintf("prog '%s' %s on %s", p->name, tn ? tn : "?", what);
	struct wl_link *l = wl_link_new(WL_LINK_PROG_ATTACH, desc);
	free(desc);
	/* own duplicates: the detach at destroy must not depend on the caller's fds */
	l->target_fd = wl_dup(target_fd);
	l->prog_fd = wl_dup(p->fd);
	l->attach_type = type;
	if (l->target_fd < 0 || l->prog_fd < 0) {
		r = l->target_fd < 0 ? l->target_fd : l->prog_fd;
		wl_link_destroy(l);
		return r;
	}
	*out = l;
	return 0;
}

int wl_attach_cgroup_legacy(const struct wl_prog *p, int cgroup_fd, uint32_t type, uint32_t flags,
			    struct wl_link **out)
{
	return prog_attach(p, cgroup_fd, type ? type : p->expected_attach_type, flags, "cgroup",
			   out);
}

int wl_attach_sockmap(const struct wl_prog *p, const struct wl_map *m, uint32_t type,
		      struct wl_link **out)
{
	char *what = xasprintf("map '%s'", m->name);
	int r = prog_attach(p, m->fd, type ? type : p->expected_attach_type, 0, what, out);
	free(what);
	return r;
}

int wl_attach_netns(const struct wl_prog *p, int netns_fd, struct wl_link **out)
{
	uint32_t type = p->type == BPF_PROG_TYPE_FLOW_DISSECTOR ? BPF_FLOW_DISSECTOR
			: p->type == BPF_PROG_TYPE_SK_LOOKUP	? BPF_SK_LOOKUP
								: p->expected_attach_type;
	return make_bpf_link(p, netns_fd, type, NULL, "netns", out);
}

int wl_attach_socket(const struct wl_prog *p, int sock_fd, struct wl_link **out)
{
	*out = NULL;
	if (setsockopt(sock_fd, SOL_SOCKET, SO_ATTACH_BPF, &p->fd, sizeof(p->fd))) {
		int r = -errno;
		wl_warn("prog '%s': SO_ATTACH_BPF on socket %d failed: %s", p->name, sock_fd,
			wl_errstr(r));
		return r;
	}
	char *desc = xasprintf("prog '%s' on socket", p->name);
	struct wl_link *l = wl_link_new(WL_LINK_SOCKET_FILTER, desc);
	free(desc);
	l->target_fd = wl_dup(sock_fd);
	*out = l;
	return 0;
}
