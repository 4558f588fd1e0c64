/* rtnetlink for the attachments that predate bpf_link: XDP via RTM_SETLINK
 * IFLA_XDP, and tc's clsact qdisc with a cls_bpf filter.  One request, one
 * answer, over a fresh AF_NETLINK socket each time. */
#include "loader/internal.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct nl_req {
	union {
		struct nlmsghdr h;
		char buf[1024];
	};
};

static void *nl_tail(struct nl_req *r)
{
	return r->buf + NLMSG_ALIGN(r->h.nlmsg_len);
}

static int nl_put(struct nl_req *r, uint16_t type, const void *data, size_t len)
{
	size_t need = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_LENGTH(len);
	if (need > sizeof(r->buf))
		return -E2BIG;
	struct rtattr *a = nl_tail(r);
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = (uint32_t)(NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len));
	return 0;
}

static struct rtattr *nl_nest(struct nl_req *r, uint16_t type)
{
	struct rtattr *a = nl_tail(r);
	if (nl_put(r, type | NLA_F_NESTED, NULL, 0))
		return NULL;
	return a;
}

static void nl_nest_end(struct nl_req *r, struct rtattr *a)
{
	a->rta_len = (unsigned short)((char *)nl_tail(r) - (char *)a);
}

/* Sends r; with `answer`, copies the first non-error reply there.  Returns
 * the kernel's -errno from the ack, or 0. */
static int nl_talk(struct nl_req *r, void *answer, size_t answer_len)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static uint32_t seq;
	r->h.nlmsg_seq = ++seq;
	int ret;
	if (sendto(fd, r->buf, r->h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	union {
		struct nlmsghdr h;
		char b[16384];
	} buf;
	for (;;) {
		ssize_t n = recv(fd, buf.b, sizeof(buf.b), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		for (struct nlmsghdr *h = &buf.h; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->h.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				ret = e->error;
				goto out;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				ret = 0;
				goto out;
			}
			if (answer) {
				memcpy(answer, h, MIN((size_t)h->nlmsg_len, answer_len));
				ret = 0;
				goto out;
			}
		}
	}
out:
	close(fd);
	return ret;
}

static void link_req(struct nl_req *r, uint16_t type, uint16_t flags, int ifindex)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = flags;
	struct ifinfomsg *ifi = NLMSG_DATA(&r->h);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
}

int wl_nl_xdp_set(int ifindex, int prog_fd, uint32_t flags, int old_fd)
{
	struct nl_req r;
	link_req(&r, RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, ifindex);
	struct rtattr *x = nl_nest(&r, IFLA_XDP);
	int32_t fd = prog_fd;
	if (!x || nl_put(&r, IFLA_XDP_FD, &fd, 4))
		return -E2BIG;
	if (old_fd > 0) {
		int32_t ofd = old_fd;
		flags |= XDP_FLAGS_REPLACE;
		nl_put(&r, IFLA_XDP_EXPECTED_FD, &ofd, 4);
	}
	if (flags)
		nl_put(&r, IFLA_XDP_FLAGS, &flags, 4);
	nl_nest_end(&r, x);
	return nl_talk(&r, NULL, 0);
}

int wl_nl_xdp_query(int ifindex, uint32_t *prog_id, uint8_t *mode)
{
	struct nl_req r;
	link_req(&r, RTM_GETLINK, NLM_F_REQUEST, ifindex);
	union {
		struct nlmsghdr h;
		char b[16384];
	} ans;
	int ret = nl_talk(&r, &ans, sizeof(ans));
	if (ret < 0)
		return ret;
	struct nlmsghdr *h = &ans.h;
	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len > sizeof(ans) ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return -EBADMSG;
	*prog_id = 0;
	*mode = 0;
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(struct ifinfomsg)));
	for (struct rtattr *a = IFLA_RTA(NLMSG_DATA(h)); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if ((a->rta_type & ~NLA_F_NESTED) != IFLA_XDP)
			continue;
		int xl = (int)RTA_PAYLOAD(a);
		for (struct rtattr *x = RTA_DATA(a); RTA_OK(x, xl); x = RTA_NEXT(x, xl)) {
			if (x->rta_type == IFLA_XDP_ATTACHED && RTA_PAYLOAD(x) >= 1)
				*mode = *(uint8_t *)RTA_DATA(x);
			else if (x->rta_type == IFLA_XDP_PROG_ID && RTA_PAYLOAD(x) >= 4)
				memcpy(prog_id, RTA_DATA(x), 4);
		}
	}
	return 0;
}

static void tc_req(struct nl_req *r, uint16_t type, uint16_t flags, int ifindex, uint32_t parent,
		   uint32_t handle, uint32_t info)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = flags;
	struct tcmsg *t = NLMSG_DATA(&r->h);
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = parent;
	t->tcm_handle = handle;
	t->tcm_info = info;
}

int wl_nl_clsact_ensure(int ifindex)
{
	struct nl_req r;
	tc_req(&r, RTM_NEWQDISC, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ifindex,
	       TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0);
	nl_put(&r, TCA_KIND, "clsact", 7);
	int ret = nl_talk(&r, NULL, 0);
	return ret == -EEXIST ? 0 : ret;
}

int wl_nl_tc_filter_add(int ifindex, uint32_t parent, uint16_t prio, uint32_t handle, int prog_fd,
			const char *name)
{
	struct nl_req r;
	tc_req(&r, RTM_NEWTFILTER, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ifindex,
	       parent, handle, TC_H_MAKE((uint32_t)prio << 16, htons(ETH_P_ALL)));
	nl_put(&r, TCA_KIND, "bpf", 4);
	struct rtattr *o = nl_nest(&r, TCA_OPTIONS);
	uint32_t fd = (uint32_t)prog_fd, fl = TCA_BPF_FLAG_ACT_DIRECT;
	if (!o || nl_put(&r, TCA_BPF_FD, &fd, 4) || nl_put(&r, TCA_BPF_FLAGS, &fl, 4))
		return -E2BIG;
	char nm[64];
	snprintf(nm, sizeof(nm), "%s", name && *name ? name : "whistler");
	nl_put(&r, TCA_BPF_NAME, nm, strlen(nm) + 1);
	nl_nest_end(&r, o);
	return nl_talk(&r, NULL, 0);
}

int wl_nl_tc_filter_del(int ifindex, uint32_t parent, uint16_t prio, uint32_t handle)
{
	struct nl_req r;
	tc_req(&r, RTM_DELTFILTER, NLM_F_REQUEST | NLM_F_ACK, ifindex, parent, handle,
	       TC_H_MAKE((uint32_t)prio << 16, htons(ETH_P_ALL)));
	nl_put(&r, TCA_KIND, "bpf", 4);
	return nl_talk(&r, NULL, 0);
}
