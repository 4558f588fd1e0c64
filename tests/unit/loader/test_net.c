/* Network attachments in the real kernel, inside namespaces the tests make:
 * XDP (netlink and bpf_link, with a link update) and tc (tcx and classic
 * clsact/cls_bpf) counting pings across a veth pair; cgroup_skb programs on
 * a cgroup v2 seeing the traffic of a process moved into it; socket
 * filters; sockmap/sockhash, sk_lookup and flow dissector attachments.
 * Every fixture removes what it made, on failure too. */
#include "common.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

static char ns_a[32], ns_b[32];

/* Namespaces and cgroups left by a test process that crashed (a crash
 * skips .fini): their names carry the pid of a process that is gone. */
static void remove_stale(void)
{
	sh("for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^wl[AB][0-9]+$'); do "
	   "p=${n#wl?}; [ -d /proc/$p ] || ip netns del $n; done");
	sh("for d in /sys/fs/cgroup/unified/wl_test_*; do [ -d \"$d\" ] || continue; "
	   "p=${d##*_}; [ -d /proc/$p ] || rmdir \"$d\"; done 2>/dev/null");
}

static void net_setup(void)
{
	remove_stale();
	snprintf(ns_a, sizeof(ns_a), "wlA%d", getpid());
	snprintf(ns_b, sizeof(ns_b), "wlB%d", getpid());
	sh("ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", ns_a, ns_b);
	int r = sh(
		"ip netns add %s && ip netns add %s && "
		"ip link add va netns %s type veth peer name vb netns %s && "
		"ip -n %s addr add 10.77.0.1/24 dev va && ip -n %s addr add 10.77.0.2/24 dev vb && "
		"ip -n %s link set va up && ip -n %s link set vb up && "
		"ip -n %s link set lo up && ip -n %s link set lo up",
		ns_a, ns_b, ns_a, ns_b, ns_a, ns_b, ns_a, ns_b, ns_a, ns_b);
	if (r != 0) {
		sh("ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", ns_a, ns_b);
		cr_skip_test("cannot create network namespaces and a veth pair (ip exit %d)", r);
	}
	/* this test process (Criterion forks one per test) moves into ns A */
	char path[128];
	snprintf(path, sizeof(path), "/var/run/netns/%s", ns_a);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(setns(fd, CLONE_NEWNET), 0);
	close(fd);
}

static void net_teardown(void)
{
	sh("ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", ns_a, ns_b);
}

static uint16_t csum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* n ICMP echo requests from namespace B to 10.77.0.1, each answered
 * before the next (a raw socket: no ping binary needed). */
static void ping_from_b(int n)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char path[128];
		snprintf(path, sizeof(path), "/var/run/netns/%s", ns_b);
		int nsfd = open(path, O_RDONLY);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWNET))
			_exit(2);
		int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
		if (s < 0)
			_exit(3);
		struct timeval tv = { .tv_sec = 3 };
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		struct sockaddr_in to = { .sin_family = AF_INET };
		inet_pton(AF_INET, "10.77.0.1", &to.sin_addr);
		for (int i = 0; i < n; i++) {
			uint8_t pkt[16] = { 8, 0, 0, 0, 0x77, 0x77, 0, (uint8_t)i };
			uint16_t c = csum(pkt, sizeof(pkt));
			memcpy(pkt + 2, &c, 2);
			if (sendto(s, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
				_exit(4);
			for (;;) {
				uint8_t in[256];
				ssize_t r = recv(s, in, sizeof(in), 0);
				if (r < 0)
					_exit(5); /* no reply in 3 s */
				size_t ihl = (size_t)(in[0] & 15) * 4;
				if ((size_t)r >= ihl + 8 && in[ihl] == 0 && in[ihl + 4] == 0x77 &&
				    in[ihl + 7] == (uint8_t)i)
					break;
			}
		}
		_exit(0);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ping from %s: status %d", ns_b, st);
}

/* Counts ICMP echo requests; data/data_end are at (d_off, e_off) of ctx. */
static size_t echo_counter(struct bpf_insn *out, int map_fd, uint32_t slot, int d_off, int e_off,
			   int ret)
{
	enum { PASS = 0x7fff };
	struct bpf_insn insns[] = {
		I_LDX(BPF_W, BPF_REG_2, BPF_REG_1, d_off),
		I_LDX(BPF_W, BPF_REG_3, BPF_REG_1, e_off),
		I_MOV64_REG(BPF_REG_4, BPF_REG_2),
		I_ALU64_IMM(BPF_ADD, BPF_REG_4, 35),
		I_JMP_REG(BPF_JGT, BPF_REG_4, BPF_REG_3, PASS),
		I_LDX(BPF_H, BPF_REG_5, BPF_REG_2, 12),
		I_JMP_IMM(BPF_JNE, BPF_REG_5, 0x0008, PASS),
		I_LDX(BPF_B, BPF_REG_5, BPF_REG_2, 23),
		I_JMP_IMM(BPF_JNE, BPF_REG_5, 1, PASS),
		I_LDX(BPF_B, BPF_REG_5, BPF_REG_2, 34),
		I_JMP_IMM(BPF_JNE, BPF_REG_5, 8, PASS),
		I_ST(BPF_W, BPF_REG_10, -4, (int32_t)slot),
		I_MOV64_REG(BPF_REG_2, BPF_REG_10),
		I_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		I_LD_MAP(BPF_REG_1, map_fd),
		I_CALL(BPF_FUNC_map_lookup_elem),
		I_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, PASS),
		I_MOV64_IMM(BPF_REG_1, 1),
		I_ATOMIC_ADD(BPF_DW, BPF_REG_0, BPF_REG_1, 0),
		I_MOV64_IMM(BPF_REG_0, ret),
		I_EXIT(),
	};
	size_t n = ARRAY_LEN(insns);
	for (size_t i = 0; i < n; i++)
		if (insns[i].off == PASS)
			insns[i].off = (int16_t)(n - 2 - (i + 1));
	memcpy(out, insns, sizeof(insns));
	return n;
}

static uint32_t xdp_prog_id(int ifindex)
{
	/* bpftool-free check: ask the kernel which program is on the device */
	struct bpf_insn dummy[1];
	(void)dummy;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "ip -d link show dev va | grep -o 'prog/xdp id [0-9]*'");
	FILE *f = popen(cmd, "r");
	unsigned id = 0;
	if (f) {
		if (fscanf(f, "prog/xdp id %u", &id) != 1)
			id = 0;
		pclose(f);
	}
	(void)ifindex;
	return id;
}

Test(net, xdp_counts_pings_netlink_and_link, .init = net_setup, .fini = net_teardown)
{
	FD_CHECK_BEGIN();
	int ifindex = (int)if_nametoindex("va");
	cr_assert_gt(ifindex, 0);
	struct wl_map *cnt = counter_map("pings", 2);
	struct bpf_insn insns[32], insns2[32];
	size_t n = echo_counter(insns, wl_map_fd(cnt), 0, 0, 4, XDP_PASS);
	size_t n2 = echo_counter(insns2, wl_map_fd(cnt), 1, 0, 4, XDP_PASS);
	struct wl_prog *p = load_prog("xdp_ping", BPF_PROG_TYPE_XDP, 0, insns, n);
	struct wl_prog *p2 = load_prog("xdp_ping2", BPF_PROG_TYPE_XDP, 0, insns2, n2);
	struct bpf_prog_info info;
	wl_prog_info(p, &info);

	struct wl_link *l;
	cr_assert_eq(wl_attach_xdp(p, ifindex, WL_XDP_ANY, &l), 0);
	cr_assert_str_eq(wl_link_kind(l), "netlink_xdp");
	cr_assert_eq(xdp_prog_id(ifindex), info.id);
	ping_from_b(5);
	cr_assert_eq(counter_get(cnt, 0), 5);
	/* a second attach does not silently replace ours */
	struct wl_link *l2;
	wl_set_log(capture_log);
	cr_assert_lt(wl_attach_xdp(p2, ifindex, WL_XDP_ANY, &l2), 0);
	cr_assert(strstr(last_warn, "prog 'xdp_ping2': XDP attach to va"), "%s", last_warn);
	wl_set_log(NULL);
	wl_link_destroy(l);
	cr_assert_eq(xdp_prog_id(ifindex), 0, "removed on destroy");
	ping_from_b(1);
	cr_assert_eq(counter_get(cnt, 0), 5);

	/* skb (generic) mode explicitly */
	cr_assert_eq(wl_attach_xdp(p, ifindex, WL_XDP_SKB, &l), 0);
	ping_from_b(2);
	cr_assert_eq(counter_get(cnt, 0), 7);
	wl_link_destroy(l);

	/* bpf_link, then swap the program in place */
	cr_assert_eq(wl_attach_xdp_link(p, ifindex, &l), 0);
	cr_assert_str_eq(wl_link_kind(l), "bpf_link");
	ping_from_b(3);
	cr_assert_eq(counter_get(cnt, 0), 10);
	cr_assert_eq(wl_link_update(l, p2), 0);
	ping_from_b(2);
	cr_assert_eq(counter_get(cnt, 0), 10);
	cr_assert_eq(counter_get(cnt, 1), 2);
	struct bpf_link_info li = { 0 };
	uint32_t len = sizeof(li);
	cr_assert_eq(wl_sys_obj_info(wl_link_fd(l), &li, &len), 0);
	cr_assert_eq(li.type, BPF_LINK_TYPE_XDP);
	cr_assert_eq(li.xdp.ifindex, (uint32_t)ifindex);
	/* BPF_LINK_DETACH: the program leaves the device, the fd stays */
	cr_assert_eq(wl_link_detach(l), 0);
	cr_assert_eq(xdp_prog_id(ifindex), 0);
	cr_assert_gt(wl_link_fd(l), 2);
	wl_link_destroy(l);
	/* hardware offload on a veth: a precise refusal */
	wl_set_log(capture_log);
	cr_assert_lt(wl_attach_xdp(p, ifindex, WL_XDP_HW, &l), 0);
	cr_assert(strstr(last_warn, "XDP attach to va (mode flags 0x8) failed"), "%s", last_warn);
	wl_set_log(NULL);
	cr_assert_eq(xdp_prog_id(ifindex), 0);
	wl_prog_destroy(p);
	wl_prog_destroy(p2);
	wl_map_destroy(cnt);
	FD_CHECK_END();
}

Test(net, tc_ingress_counts_pings_tcx_and_clsact, .init = net_setup, .fini = net_teardown)
{
	FD_CHECK_BEGIN();
	int ifindex = (int)if_nametoindex("va");
	struct wl_map *cnt = counter_map("tc_pings", 1);
	struct bpf_insn insns[32];
	size_t n = echo_counter(insns, wl_map_fd(cnt), 0, offsetof(struct __sk_buff, data),
				offsetof(struct __sk_buff, data_end), 0 /* TC_ACT_OK */);
	struct wl_prog *p = load_prog("tc_ping", BPF_PROG_TYPE_SCHED_CLS, 0, insns, n);
	struct wl_link *l;
	cr_assert_eq(wl_attach_tcx(p, ifindex, false, &l), 0);
	ping_from_b(4);
	cr_assert_eq(counter_get(cnt, 0), 4);
	wl_link_destroy(l);
	ping_from_b(1);
	cr_assert_eq(counter_get(cnt, 0), 4);

	cr_assert_eq(wl_attach_tc(p, ifindex, false, 1, &l), 0);
	cr_assert_str_eq(wl_link_kind(l), "tc_filter");
	cr_assert_eq(sh("tc filter show dev va ingress | grep -q 'tc_ping.*direct-action'"), 0,
		     "tc sees our cls_bpf filter");
	ping_from_b(3);
	cr_assert_eq(counter_get(cnt, 0), 7);
	wl_link_destroy(l);
	cr_assert_neq(sh("tc filter show dev va ingress | grep -q tc_ping"), 0, "filter removed");
	ping_from_b(1);
	cr_assert_eq(counter_get(cnt, 0), 7);
	/* egress: the replies leave through va */
	cr_assert_eq(wl_attach_tcx(p, ifindex, true, &l), 0);
	ping_from_b(2);
	cr_assert_eq(counter_get(cnt, 0), 7, "egress sees echo replies, not requests");
	wl_link_destroy(l);
	wl_prog_destroy(p);
	wl_map_destroy(cnt);
	FD_CHECK_END();
}

static char cg_path[128];

static void cg_setup(void)
{
	remove_stale();
	snprintf(cg_path, sizeof(cg_path), "/sys/fs/cgroup/unified/wl_test_%d", getpid());
	rmdir(cg_path);
	if (mkdir(cg_path, 0755))
		cr_skip_test("no cgroup v2 at /sys/fs/cgroup/unified: %s", strerror(errno));
}

static void cg_teardown(void)
{
	rmdir(cg_path);
}

/* A child that joins the cgroup, then sends n UDP datagrams to itself over
 * loopback and receives them. */
static void udp_child_in_cgroup(int n)
{
	int go[2];
	cr_assert_eq(pipe(go), 0);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		if (bind(s, (struct sockaddr *)&a, sizeof(a)))
			_exit(3);
		socklen_t al = sizeof(a);
		getsockname(s, (struct sockaddr *)&a, &al);
		for (int i = 0; i < n; i++) {
			if (sendto(s, "hi", 2, 0, (struct sockaddr *)&a, sizeof(a)) != 2)
				_exit(4);
			char b[8];
			if (recv(s, b, sizeof(b), 0) != 2)
				_exit(5);
		}
		_exit(0);
	}
	close(go[0]);
	char procs[200];
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg_path);
	int fd = open(procs, O_WRONLY);
	cr_assert_geq(fd, 0);
	char pb[16];
	int len = snprintf(pb, sizeof(pb), "%d", pid);
	cr_assert_eq(write(fd, pb, (size_t)len), len, "move into the cgroup");
	close(fd);
	cr_assert_eq(write(go[1], "x", 1), 1);
	close(go[1]);
	int st;
	waitpid(pid, &st, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "udp child status %d", st);
}

Test(net, cgroup_skb_sees_traffic_of_a_member, .init = cg_setup, .fini = cg_teardown)
{
	FD_CHECK_BEGIN();
	struct wl_map *cnt = counter_map("cg", 2);
	struct bpf_insn eg[] = { I_COUNT_SLOT0(wl_map_fd(cnt)), I_MOV64_IMM(BPF_REG_0, 1),
				 I_EXIT() };
	/* ingress counts into slot 1 */
	struct bpf_insn in[] = { I_COUNT_SLOT0(wl_map_fd(cnt)), I_MOV64_IMM(BPF_REG_0, 1),
				 I_EXIT() };
	in[0].imm = 1;
	struct wl_prog *pe = load_prog("cg_egress", BPF_PROG_TYPE_CGROUP_SKB,
				       BPF_CGROUP_INET_EGRESS, eg, ARRAY_LEN(eg));
	struct wl_prog *pi = load_prog("cg_ingress", BPF_PROG_TYPE_CGROUP_SKB,
				       BPF_CGROUP_INET_INGRESS, in, ARRAY_LEN(in));
	int cg = open(cg_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(cg, 0);
	struct wl_link *le, *li;
	cr_assert_eq(wl_attach_cgroup(pe, cg, 0, &le), 0);
	cr_assert_eq(wl_attach_cgroup_legacy(pi, cg, 0, BPF_F_ALLOW_MULTI, &li), 0);
	cr_assert_str_eq(wl_link_kind(li), "prog_attach");
	uint32_t ids[4], count = 4, flags = 0;
	cr_assert_eq(wl_sys_prog_query(cg, BPF_CGROUP_INET_INGRESS, 0, &flags, ids, &count), 0);
	cr_assert_eq(count, 1);
	udp_child_in_cgroup(10);
	cr_assert_eq(counter_get(cnt, 0), 10, "egress packets of the member");
	cr_assert_eq(counter_get(cnt, 1), 10, "ingress packets of the member");
	wl_link_destroy(le);
	wl_link_destroy(li);
	count = 4;
	cr_assert_eq(wl_sys_prog_query(cg, BPF_CGROUP_INET_INGRESS, 0, &flags, ids, &count), 0);
	cr_assert_eq(count, 0, "detached on destroy");
	udp_child_in_cgroup(3);
	cr_assert_eq(counter_get(cnt, 0), 10);
	close(cg);
	wl_prog_destroy(pe);
	wl_prog_destroy(pi);
	wl_map_destroy(cnt);
	FD_CHECK_END();
}

Test(net, socket_filter_drops_then_detaches)
{
	FD_CHECK_BEGIN();
	struct bpf_insn drop[] = { I_MOV64_IMM(BPF_REG_0, 0), I_EXIT() };
	struct wl_prog *p = load_prog("drop_all", BPF_PROG_TYPE_SOCKET_FILTER, 0, drop, 2);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t al = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &al);
	struct wl_link *l;
	cr_assert_eq(wl_attach_socket(p, s, &l), 0);
	char b[8];
	cr_assert_eq(sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)), 1);
	cr_assert_eq(recv(s, b, sizeof(b), MSG_DONTWAIT), -1);
	cr_assert_eq(errno, EAGAIN, "filtered out");
	wl_link_destroy(l);
	cr_assert_eq(sendto(s, "y", 1, 0, (struct sockaddr *)&a, sizeof(a)), 1);
	cr_assert_eq(recv(s, b, sizeof(b), 0), 1);
	cr_assert_eq(b[0], 'y');
	close(s);
	wl_prog_destroy(p);
	FD_CHECK_END();
}

Test(net, sockmap_sk_skb_and_sk_msg_attach)
{
	FD_CHECK_BEGIN();
	struct wl_map_opts mo = { .name = "socks",
				  .type = BPF_MAP_TYPE_SOCKMAP,
				  .key_size = 4,
				  .value_size = 4,
				  .max_entries = 4 };
	struct wl_map *sm, *sh_;
	cr_assert_eq(wl_map_create(&mo, &sm), 0);
	mo.type = BPF_MAP_TYPE_SOCKHASH;
	cr_assert_eq(wl_map_create(&mo, &sh_), 0);
	struct bpf_insn pass[] = { I_MOV64_IMM(BPF_REG_0, 1), I_EXIT() };
	struct wl_prog *verdict =
		load_prog("skb_verdict", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT, pass, 2);
	struct wl_prog *msg =
		load_prog("msg_verdict", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, pass, 2);
	struct wl_link *l1, *l2;
	cr_assert_eq(wl_attach_sockmap(verdict, sm, 0, &l1), 0);
	cr_assert_eq(wl_attach_sockmap(msg, sh_, 0, &l2), 0);
	uint32_t ids[2], count = 2;
	cr_assert_eq(
		wl_sys_prog_query(wl_map_fd(sm), BPF_SK_SKB_STREAM_VERDICT, 0, NULL, ids, &count),
		0);
	cr_assert_eq(count, 1);
	wl_link_destroy(l1);
	wl_link_destroy(l2);
	count = 2;
	cr_assert_eq(
		wl_sys_prog_query(wl_map_fd(sm), BPF_SK_SKB_STREAM_VERDICT, 0, NULL, ids, &count),
		0);
	cr_assert_eq(count, 0);
	wl_prog_destroy(verdict);
	wl_prog_destroy(msg);
	wl_map_destroy(sm);
	wl_map_destroy(sh_);
	FD_CHECK_END();
}

Test(net, sk_lookup_and_flow_dissector_netns_links, .init = net_setup, .fini = net_teardown)
{
	FD_CHECK_BEGIN();
	int ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(ns, 0);
	struct bpf_insn pass[] = { I_MOV64_IMM(BPF_REG_0, 1 /* SK_PASS */), I_EXIT() };
	struct wl_prog *lk = load_prog("lookup", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, pass, 2);
	struct bpf_insn ok[] = { I_MOV64_IMM(BPF_REG_0, BPF_OK), I_EXIT() };
	struct wl_prog *fd =
		load_prog("dissect", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, ok, 2);
	struct wl_link *l1, *l2;
	cr_assert_eq(wl_attach_netns(lk, ns, &l1), 0);
	cr_assert_eq(wl_attach_netns(fd, ns, &l2), 0);
	struct bpf_link_info li = { 0 };
	uint32_t len = sizeof(li);
	cr_assert_eq(wl_sys_obj_info(wl_link_fd(l1), &li, &len), 0);
	cr_assert_eq(li.type, BPF_LINK_TYPE_NETNS);
	cr_assert_eq(li.netns.attach_type, BPF_SK_LOOKUP);
	/* traffic still flows with both in place */
	ping_from_b(1);
	wl_link_destroy(l1);
	wl_link_destroy(l2);
	close(ns);
	wl_prog_destroy(lk);
	wl_prog_destroy(fd);
	FD_CHECK_END();
}

/* Every cgroup attach type with the smallest program its type accepts:
 * attached by bpf_link and by BPF_PROG_ATTACH, seen by BPF_PROG_QUERY,
 * gone after destroy. */
Test(net, cgroup_every_attach_type, .init = cg_setup, .fini = cg_teardown)
{
	FD_CHECK_BEGIN();
	static const struct {
		uint32_t prog_type, attach;
	} cases[] = {
		{ BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS },
		{ BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS },
		{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
		{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE },
		{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND },
		{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND },
		{ BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS },
		{ BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 49 /* unix_connect */ },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 50 /* unix_sendmsg */ },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 51 /* unix_recvmsg */ },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 52 /* unix_getpeername */ },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 53 /* unix_getsockname */ },
		{ BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL },
		{ BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT },
		{ BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT },
	};
	int cg = open(cg_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(cg, 0);
	struct bpf_insn allow[] = { I_MOV64_IMM(BPF_REG_0, 1), I_EXIT() };
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const char *an = wl_attach_type_name(cases[i].attach);
		struct wl_prog *p = load_prog(an, cases[i].prog_type, cases[i].attach, allow, 2);
		for (int legacy = 0; legacy < 2; legacy++) {
			struct wl_link *l;
			int r = legacy ? wl_attach_cgroup_legacy(p, cg, 0, BPF_F_ALLOW_MULTI, &l)
				       : wl_attach_cgroup(p, cg, 0, &l);
			cr_assert_eq(r, 0, "%s (%s): %s", an, legacy ? "prog_attach" : "link",
				     strerror(-r));
			uint32_t ids[4], count = 4;
			cr_assert_eq(wl_sys_prog_query(cg, cases[i].attach, 0, NULL, ids, &count),
				     0);
			cr_assert_eq(count, 1, "%s attached once", an);
			wl_link_destroy(l);
			count = 4;
			cr_assert_eq(wl_sys_prog_query(cg, cases[i].attach, 0, NULL, ids, &count),
				     0);
			cr_assert_eq(count, 0, "%s detached", an);
		}
		wl_prog_destroy(p);
	}
	close(cg);
	FD_CHECK_END();
}
