/* Network attachers: XDP by netlink or bpf_link, tcx links, classic tc
 * (clsact + cls_bpf direct-action). */
#include "loader/internal.h"

#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <net/if.h>
#include <stdio.h>

static const char *ifname(int ifindex, char *buf)
{
	if (!if_indextoname((unsigned)ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "#%d", ifindex);
	return buf;
}

static uint32_t prog_id(const struct wl_prog *p)
{
	struct bpf_prog_info info;
	return wl_prog_info(p, &info) == 0 ? info.id : 0;
}

int wl_attach_xdp(const struct wl_prog *p, int ifindex, enum wl_xdp_mode mode, struct wl_link **out)
{
	*out = NULL;
	char nb[IF_NAMESIZE];
	/* refuse to replace a program someone else installed */
	uint32_t flags = XDP_FLAGS_UPDATE_IF_NOEXIST | (uint32_t)mode;
	int r = wl_nl_xdp_set(ifindex, p->fd, flags, 0);
	if (r < 0) {
		wl_warn("prog '%s': XDP attach to %s (mode flags 0x%x) failed: %s%s", p->name,
			ifname(ifindex, nb), (unsigned)mode, wl_errstr(r),
			r == -EBUSY || r == -EEXIST ? " (a program is already attached)" : "");
		return r;
	}
	char *desc = xasprintf("prog '%s' XDP on %s", p->name, ifname(ifindex, nb));
	struct wl_link *l = wl_link_new(WL_LINK_NETLINK_XDP, desc);
	free(desc);
	l->ifindex = ifindex;
	l->xdp_flags = (uint32_t)mode;
	l->prog_id = prog_id(p);
	*out = l;
	return 0;
}

static int net_link(const struct wl_prog *p, int ifindex, uint32_t type, struct wl_link **out)
{
	*out = NULL;
	char nb[IF_NAMESIZE];
	const char *tn = wl_attach_type_name(type);
	int fd = wl_sys_link_create(p->fd, ifindex, type, NULL);
	if (fd < 0) {
		wl_warn("prog '%s': %s link on %s failed: %s", p->name, tn, ifname(ifindex, nb),
			wl_errstr(fd));
		return fd;
	}
	char *desc = xasprintf("prog '%s' %s link on %s", p->name, tn, ifname(ifindex, nb));
	struct wl_link *l = wl_link_new(WL_LINK_BPF, desc);
	free(desc);
	l->fd = fd;
	*out = l;
	return 0;
}

int wl_attach_xdp_link(const struct wl_prog *p, int ifindex, struct wl_link **out)
{
	return net_link(p, ifindex, BPF_XDP, out);
}

int wl_attach_tcx(const struct wl_prog *p, int ifindex, bool egress, struct wl_link **out)
{
	return net_link(p, ifindex, egress ? KABI_TCX_EGRESS : KABI_TCX_INGRESS, out);
}

int wl_attach_tc(const struct wl_prog *p, int ifindex, bool egress, uint16_t prio,
		 struct wl_link **out)
{
	*out = NULL;
	char nb[IF_NAMESIZE];
	const char *dir = egress ? "egress" : "ingress";
	int r = wl_nl_clsact_ensure(ifindex);
	if (r < 0) {
		wl_warn("prog '%s': clsact qdisc on %s: %s", p->name, ifname(ifindex, nb),
			wl_errstr(r));
		return r;
	}
	uint32_t parent = TC_H_MAKE(TC_H_CLSACT, egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS);
	uint16_t pr = prio ? prio : 1;
	uint32_t handle = 1;
	r = wl_nl_tc_filter_add(ifindex, parent, pr, handle, p->fd, p->name);
	if (r < 0) {
		wl_warn("prog '%s': tc %s filter (prio %u) on %s: %s", p->name, dir, pr,
			ifname(ifindex, nb), wl_errstr(r));
		return r;
	}
	char *desc = xasprintf("prog '%s' tc %s filter on %s", p->name, dir, ifname(ifindex, nb));
	struct wl_link *l = wl_link_new(WL_LINK_TC_FILTER, desc);
	free(desc);
	l->ifindex = ifindex;
	l->tc_parent = parent;
	l->tc_prio = pr;
	l->tc_handle = handle;
	*out = l;
	return 0;
}
